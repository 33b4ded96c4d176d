//! The TUI's pure update function and its drawing: a fixed scenario, then a sequence of
//! keys, typed text, pastes and mouse events, re-evaluating after every change as the
//! event loop does, and drawing into a `TestBackend` of a size taken from the input.
//! Must never panic or hang.
//!
//! Nothing is written to disk: `Enter` in the "save as" prompt is turned into `Esc`
//! (the app starts without a path, so that prompt is the only way to a save).

#![no_main]

use arbitrary::Arbitrary;
use crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use iamtrace::scenario::Scenario;
use iamtrace::tui::action::Action;
use iamtrace::tui::app::{App, Mode};
use iamtrace::tui::keymap::{BINDINGS, Scope, lookup};
use iamtrace::tui::update::{handle_key, handle_mouse, handle_paste};
use iamtrace_fuzz::{loaded, scenario_texts};
use libfuzzer_sys::fuzz_target;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use std::sync::LazyLock;

/// The scenarios the app starts from: the built-in ones and a few small cases.
const CASES: &[&str] = &[
    "tests/cases/decisions/default-deny.json",
    "tests/cases/decisions/no-policies.json",
    "tests/cases/decisions/scp-levels.json",
    "tests/cases/decisions/attached-to.json",
    "tests/cases/decisions/documents-as-strings.json",
    "tests/cases/decisions/url-encoded-documents.json",
    "tests/cases/decisions/endpoint.json",
    "tests/cases/matching/variables.json",
];

static SCENARIOS: LazyLock<Vec<Scenario>> = LazyLock::new(|| {
    loaded(
        scenario_texts()
            .into_iter()
            .filter(|(p, _)| {
                p.components().any(|c| c.as_os_str() == "assets")
                    || CASES.iter().any(|c| p.ends_with(c))
            })
            .collect(),
    )
});

/// Characters that matter in policy JSON.
const JSON_CHARS: &[char] = &[
    '{', '}', '[', ']', '"', ':', ',', ' ', '\n', '\t', '\\', '*', '?', '$', '/', '-', '.', 'a',
    'A', '0', '1', '9', 'e', 'é', '世', '😀', '\u{200b}', '\u{301}', '\r',
];

/// Fragments worth typing into an editor or a form field.
const SNIPPETS: &[&str] = &[
    r#""Effect": "Deny", "#,
    r#""Action": "*", "#,
    r#""NotAction": ["s3:*"], "#,
    r#""Resource": "arn:aws:s3:::b/*", "#,
    r#""NotResource": "*", "#,
    r#""Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "#,
    r#""Principal": "*", "#,
    r#""NotPrincipal": {"Service": "s3.amazonaws.com"}, "#,
    r#""Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
    r#""Condition": {"ForAllValues:StringLike": {"aws:TagKeys": ["a*"]}}"#,
    r#""Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}"#,
    r#""Condition": {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}"#,
    r#""Condition": {"Null": {"aws:SourceVpce": "true"}}"#,
    r#"{"Version": "2012-10-17", "Statement": []}"#,
    r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#,
    "${aws:username}",
    "arn:aws:iam::111122223333:user/alice",
    "aws:SourceIp",
    "192.0.2.1",
    "s3:GetObject",
    "2001:db8::/32",
];

#[derive(Debug, Arbitrary)]
enum Code {
    /// A key of the keymap, with its modifiers.
    Binding(u8),
    /// A character that matters in JSON.
    Json(u8),
    /// Any character.
    Char(char),
    /// A named key.
    Named(u8),
    /// A function key.
    F(u8),
}

#[derive(Debug, Arbitrary)]
enum Event {
    Key {
        code: Code,
        modifiers: u8,
        kind: u8,
    },
    /// Typed, one key per character.
    Type(String),
    /// A snippet, typed.
    TypeSnippet(u8),
    Paste(String),
    PasteSnippet(u8),
    Mouse {
        kind: u8,
        column: u16,
        row: u16,
        modifiers: u8,
    },
    /// Draw now (the screen is always drawn at the end too).
    Draw,
}

#[derive(Debug, Arbitrary)]
struct Input {
    scenario: u8,
    width: u16,
    height: u16,
    events: Vec<Event>,
}

const NAMED: &[KeyCode] = &[
    KeyCode::Enter,
    KeyCode::Esc,
    KeyCode::Backspace,
    KeyCode::Delete,
    KeyCode::Tab,
    KeyCode::BackTab,
    KeyCode::Left,
    KeyCode::Right,
    KeyCode::Up,
    KeyCode::Down,
    KeyCode::Home,
    KeyCode::End,
    KeyCode::PageUp,
    KeyCode::PageDown,
    KeyCode::Insert,
    KeyCode::Null,
    KeyCode::CapsLock,
];

fn key_event(code: &Code, modifiers: u8, kind: u8) -> KeyEvent {
    let mods = KeyModifiers::from_bits_truncate(modifiers);
    let (code, mods) = match code {
        Code::Binding(i) => {
            let b = &BINDINGS[*i as usize % BINDINGS.len()];
            (b.code, b.modifiers)
        }
        Code::Json(i) => (
            KeyCode::Char(JSON_CHARS[*i as usize % JSON_CHARS.len()]),
            mods,
        ),
        Code::Char(c) => (KeyCode::Char(*c), mods),
        Code::Named(i) => (NAMED[*i as usize % NAMED.len()], mods),
        Code::F(n) => (KeyCode::F(n % 13), mods),
    };
    let kind = match kind % 8 {
        6 => KeyEventKind::Repeat,
        7 => KeyEventKind::Release,
        _ => KeyEventKind::Press,
    };
    KeyEvent::new_with_kind(code, mods, kind)
}

fn mouse_kind(k: u8) -> MouseEventKind {
    let button = match (k / 16) % 3 {
        0 => MouseButton::Left,
        1 => MouseButton::Right,
        _ => MouseButton::Middle,
    };
    match k % 9 {
        0 | 1 => MouseEventKind::Down(button),
        2 => MouseEventKind::Up(button),
        3 => MouseEventKind::Drag(button),
        4 => MouseEventKind::Moved,
        5 => MouseEventKind::ScrollDown,
        6 => MouseEventKind::ScrollUp,
        7 => MouseEventKind::ScrollLeft,
        _ => MouseEventKind::ScrollRight,
    }
}

/// Passes a key on, unless it would save a file.
fn press(app: &mut App, mut key: KeyEvent) -> bool {
    if matches!(app.mode, Mode::SaveAs(_)) && lookup(&key, Scope::Prompt) == Some(Action::Confirm) {
        key = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
    }
    handle_key(app, key)
}

fn draw(app: &App, w: u16, h: u16) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    terminal
        .draw(|f| f.render_widget(app, f.area()))
        .expect("drawing to a test backend");
}

const MAX_EVENTS: usize = 64;
const MAX_TYPED: usize = 64;
const MAX_DRAWS: usize = 4;

fuzz_target!(|input: Input| {
    let scenarios = &*SCENARIOS;
    let scenario = scenarios[input.scenario as usize % scenarios.len()].clone();
    // Up to 400 × 120 (0 included): big enough for every layout, small enough to be fast.
    let (w, h) = (input.width % 401, input.height % 121);
    let size = Rect::new(0, 0, w, h);
    let mut app = App::new(scenario, None);
    let mut draws = 0;
    for ev in input.events.iter().take(MAX_EVENTS) {
        let changed = match ev {
            Event::Key {
                code,
                modifiers,
                kind,
            } => press(&mut app, key_event(code, *modifiers, *kind)),
            Event::Type(text) => type_text(&mut app, text.chars()),
            Event::TypeSnippet(i) => {
                type_text(&mut app, SNIPPETS[*i as usize % SNIPPETS.len()].chars())
            }
            Event::Paste(text) => handle_paste(&mut app, text),
            Event::PasteSnippet(i) => {
                handle_paste(&mut app, SNIPPETS[*i as usize % SNIPPETS.len()])
            }
            Event::Mouse {
                kind,
                column,
                row,
                modifiers,
            } => {
                let m = MouseEvent {
                    kind: mouse_kind(*kind),
                    column: column % (w.max(1) + 2),
                    row: row % (h.max(1) + 2),
                    modifiers: KeyModifiers::from_bits_truncate(*modifiers),
                };
                handle_mouse(&mut app, m, size)
            }
            Event::Draw => {
                if draws < MAX_DRAWS {
                    draws += 1;
                    draw(&app, w, h);
                }
                false
            }
        };
        if changed {
            app.evaluate_now();
        }
        if app.quit {
            break;
        }
    }
    draw(&app, w, h);
});

/// Types `chars` one key at a time, re-evaluating after each change (as the event loop
/// does when keys arrive one by one). Returns false: evaluation is already done.
fn type_text(app: &mut App, chars: impl Iterator<Item = char>) -> bool {
    for c in chars.take(MAX_TYPED) {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        if press(app, KeyEvent::new(code, KeyModifiers::NONE)) {
            app.evaluate_now();
        }
        if app.quit {
            break;
        }
    }
    false
}
