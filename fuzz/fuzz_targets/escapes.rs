//! Escape sequences in every text field: a scenario built from the input whose names,
//! Sids, resources, request names, context keys and values, notes and `via`, plus the
//! file name and a status message, mix the input's text with terminal controls (OSC,
//! CSI, C1, DEL, carriage return, bidi overrides). Drawn in every view at a size from
//! the input, no `TestBackend` cell may hold a character a terminal acts on; the text
//! trace renderer (without colour) and `why_not` text may hold none but line feeds.

#![no_main]

use arbitrary::Arbitrary;
use iamtrace::input::load_str;
use iamtrace::safe_text::is_unsafe;
use iamtrace::tui::app::{App, View};
use libfuzzer_sys::fuzz_target;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

/// What a terminal acts on, and what reorders text.
const HOSTILE: &[&str] = &[
    "\u{1b}]0;PWNED\u{7}",
    "\u{1b}[2J",
    "\u{1b}[31m",
    "\u{9b}31m",
    "\u{9d}0;x\u{9c}",
    "\u{7f}",
    "\r",
    "\n",
    "\t",
    "\u{8}",
    "\u{202e}",
    "\u{2066}",
    "\u{200f}",
    "\u{2028}",
    "\u{61c}",
    "\u{0}",
];

#[derive(Debug, Arbitrary)]
struct Field {
    text: String,
    /// Which hostile pieces to put in, and where (0: before, 1: after, 2: middle).
    inserts: Vec<(u8, u8)>,
}

impl Field {
    fn build(&self) -> String {
        let mut s: String = self.text.chars().take(200).collect();
        for (piece, place) in self.inserts.iter().take(8) {
            let h = HOSTILE[*piece as usize % HOSTILE.len()];
            match place % 3 {
                0 => s.insert_str(0, h),
                1 => s.push_str(h),
                _ => {
                    let mut at = s.len() / 2;
                    while !s.is_char_boundary(at) {
                        at -= 1;
                    }
                    s.insert_str(at, h);
                }
            }
        }
        s
    }
}

#[derive(Debug, Arbitrary)]
struct Input {
    name: Field,
    policy: Field,
    sid: Field,
    resource: Field,
    request: Field,
    key: Field,
    value: Field,
    note: Field,
    file: Field,
    message: Field,
    width: u8,
    height: u8,
}

fn assert_clean(t: &Terminal<TestBackend>, what: &str) {
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert!(
            !cell.symbol().chars().any(is_unsafe),
            "{what}: a cell holds {:?}",
            cell.symbol()
        );
    }
}

fuzz_target!(|input: Input| {
    let resource = format!("arn:aws:s3:::b/{}", input.resource.build());
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": input.sid.build(),
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": [resource, "arn:aws:s3:::b/*"],
            "Condition": {"StringLike": {"aws:UserAgent": [input.value.build(), "*"]}}
        }]
    });
    let text = json!({
        "name": input.name.build(),
        "description": input.note.build(),
        "policies": {"identity": [{"name": input.policy.build(), "document": document}]},
        "requests": [
            {
                "name": input.request.build(),
                "principal": "arn:aws:iam::111122223333:user/alice",
                "action": "s3:GetObject",
                "resource": resource,
                "context": {"aws:UserAgent": input.value.build(), input.key.build(): input.value.build()},
                "notes": [input.note.build()]
            }
        ]
    })
    .to_string();
    let Ok(scenario) = load_str(&text) else {
        return;
    };
    for r in &scenario.requests {
        let prepared = iamtrace::eval::PreparedRequest::new(&r.request);
        let ev = iamtrace::eval::evaluate(&scenario.set, &prepared, iamtrace::eval::Detail::Trace);
        if let Some(t) = &ev.trace {
            let shown = iamtrace::trace::text::render(t, Default::default(), 0);
            assert!(
                !shown.chars().any(|c| c != '\n' && is_unsafe(c)),
                "{shown:?}"
            );
            let why = iamtrace::analysis::whynot::why_not(
                &scenario.set,
                &r.request,
                t,
                &ev.determined_by,
            );
            let shown = iamtrace::safe_text::for_terminal_lines(&why.to_text()).into_owned();
            assert!(!shown.chars().any(|c| c != '\n' && is_unsafe(c)));
        }
    }
    let path = std::path::PathBuf::from(input.file.build());
    let mut app = App::new(scenario, Some(path));
    app.message = Some(input.message.build());
    let (w, h) = (
        u16::from(input.width).clamp(20, 200),
        u16::from(input.height).clamp(10, 80),
    );
    for view in [View::Trace, View::Grid, View::Changes, View::Lint] {
        app.view = view;
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| f.render_widget(&app, f.area())).unwrap();
        assert_clean(&t, &format!("{view:?} at {w}×{h}"));
    }
});
