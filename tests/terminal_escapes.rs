//! Escape sequences in input are shown, never executed. A scenario whose every text
//! field (name, description, policy names, Sids, resources, request names, context
//! values, notes), a CloudTrail file whose `userAgent` and `errorMessage`, and a file
//! name all hold an OSC title change, a screen wipe, a C1 CSI, DEL, carriage return and
//! a bidi override go through every TUI view and overlay (a `TestBackend`: no cell may
//! hold a character a terminal acts on, and the escapes are visible as `\u{1b}`) and
//! through every CLI command's text output and error messages (stdout and stderr bytes:
//! no such character at all, besides line feeds and, for JSON, nothing raw either).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::analysis::grid::Axis;
use iamtrace::input::load_str;
use iamtrace::safe_text::is_unsafe;
use iamtrace::save::Refusal;
use iamtrace::tui::app::{App, Mode, View};
use iamtrace::tui::complete::Candidate;
use iamtrace::tui::saving::{SaveJob, SaveQuestion, Target};
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Retitles the terminal, wipes the screen, recolours (C1 CSI), deletes, returns the
/// carriage and reverses the text direction.
const HOSTILE: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{9b}31m\u{7f}\r\u{202e}X";

fn h(prefix: &str) -> String {
    format!("{prefix}{HOSTILE}")
}

/// A scenario with the hostile text in every field that reaches the screen.
fn hostile_scenario() -> String {
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": h("Sid"),
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:Get*"],
                "Resource": [h("arn:aws:s3:::b/"), "arn:aws:s3:::b/*"],
                "Condition": {"StringEquals": {"aws:UserAgent": [h("ua"), "x"]}}
            },
            {
                "Sid": "DenyOdd",
                "Effect": "Deny",
                "Action": "s3:PutObject",
                "Resource": "*",
                "Condition": {"StringLike": {"aws:PrincipalTag/team": h("t")}}
            }
        ]
    });
    json!({
        "name": h("scenario"),
        "description": h("description"),
        "policies": {
            "identity": [{"name": h("policy"), "document": document}],
            "resource": [{
                "name": h("bucket"),
                "attachedTo": h("arn:aws:s3:::b/"),
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Sid": h("R"),
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
                        "Action": "s3:GetObject",
                        "Resource": h("arn:aws:s3:::b/")
                    }]
                }
            }]
        },
        "requests": [
            {
                "name": h("request"),
                "principal": "arn:aws:iam::111122223333:user/alice",
                "action": "s3:GetObject",
                "resource": h("arn:aws:s3:::b/"),
                "context": {"aws:UserAgent": h("ua"), h("my:key"): [h("a"), "b"]},
                "notes": [h("note")]
            },
            {
                "name": h("second"),
                "via": h("request"),
                "principal": "arn:aws:iam::111122223333:user/alice",
                "action": "s3:PutObject",
                "resource": "arn:aws:s3:::b/k",
                "context": {"aws:PrincipalTag/team": h("t")}
            }
        ]
    })
    .to_string()
}

/// CloudTrail records whose caller-chosen fields are hostile.
fn hostile_cloudtrail() -> String {
    let event = |n: u32, error: bool| {
        let mut e = json!({
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "IAMUser",
                "arn": h("arn:aws:iam::111122223333:user/"),
                "accountId": "111122223333",
                "userName": h("alice")
            },
            "eventTime": format!("2024-11-05T08:58:1{n}Z"),
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.10",
            "userAgent": h("agent"),
            "requestParameters": {"bucketName": h("b"), "key": h("k")},
            "eventID": h("id"),
            "recipientAccountId": "111122223333"
        });
        if error {
            e["errorCode"] = json!("AccessDenied");
            e["errorMessage"] = json!(h("User is not authorized "));
        }
        e
    };
    json!({"Records": [event(1, false), event(2, true), event(3, true)]}).to_string()
}

/// Fails naming the first cell holding a character a terminal would act on.
fn assert_clean(t: &Terminal<TestBackend>, what: &str) {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let s = buf[(x, y)].symbol();
            assert!(
                !s.chars().any(is_unsafe),
                "{what}: cell ({x}, {y}) holds {s:?}\n{}",
                screen(t)
            );
        }
    }
}

fn screen(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn draw(app: &App, w: u16, h: u16, what: &str) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    assert_clean(&t, &format!("{what} at {w}×{h}"));
    screen(&t)
}

/// Every view, focus and overlay at a wide and a compact size; returns all screens.
fn every_screen(app: &mut App, label: &str) -> String {
    let mut all = String::new();
    // The axes picker, with a typed text refused (the reason quotes it), and at the
    // values step (the values come from the policies).
    let mut picker = app.axes_picker();
    picker.text = h("aws:UserAgent=");
    picker.error = Some(h("refused"));
    let mut values_step = picker.clone();
    values_step.rows = (!values_step.offers.is_empty()).then_some(0);
    values_step.step = iamtrace::tui::pane::axes::Step::Values;
    let modes = [
        Mode::Normal,
        Mode::Help,
        Mode::ConfirmQuit,
        Mode::ConfirmDelete,
        Mode::SaveAs(h("file")),
        Mode::ConfirmSave(SaveQuestion {
            job: SaveJob::new(h("file").into(), Target::Open),
            refusal: Refusal::Changed,
        }),
        Mode::ConfirmSave(SaveQuestion {
            job: SaveJob::new(h("file").into(), Target::Open),
            refusal: Refusal::NotRegular(iamtrace::save::Special::Fifo),
        }),
        Mode::ConfirmDraft(h("policy"), h("file.draft.json").into()),
        Mode::ConfirmOpenDraft(h("file.draft.json").into()),
        Mode::Rename(h("name")),
        Mode::RenameRequest(h("name")),
        Mode::ConfirmDeleteRequest,
        Mode::NewRequest(1),
        Mode::Axes(Box::new(picker.clone())),
        Mode::Axes(Box::new(values_step)),
        Mode::Placement(h("r-")),
        Mode::Expansion(
            h("s3:*"),
            vec![Candidate {
                text: h("s3:Get"),
                detail: h("Read"),
            }],
            0,
        ),
    ];
    for request in 0..app.scenario.requests.len() {
        app.select_request(request);
        app.evaluate_now();
        for view in [View::Trace, View::Grid, View::Changes, View::Lint] {
            app.view = view;
            for focus in 0..3 {
                for mode in &modes {
                    // Deleting asks only when there is a policy to delete.
                    if *mode == Mode::ConfirmDelete && app.policies.editors.is_empty() {
                        continue;
                    }
                    app.mode = mode.clone();
                    for (w, hgt) in [(140, 40), (80, 24)] {
                        let what = format!(
                            "{label}: request {request}, {view:?}, focus {focus}, {mode:?}"
                        );
                        all.push_str(&draw(app, w, hgt, &what));
                    }
                }
                app.mode = Mode::Normal;
                handle_key(app, KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
            }
        }
    }
    all
}

fn hostile_path() -> PathBuf {
    PathBuf::from(h("scenario-")).with_extension("json")
}

#[test]
fn the_tui_shows_escapes_in_every_field_and_never_draws_them_raw() {
    iamtrace::catalog::services::catalog();
    let scenario = load_str(&hostile_scenario()).unwrap();
    let mut app = App::new(scenario, Some(hostile_path()));
    app.message = Some(h("message"));
    app.grid.axes = vec![Axis::parse(&format!("aws:UserAgent={},absent", h("v"))).unwrap()];
    app.refresh_views();
    let all = every_screen(&mut app, "scenario");
    // Visible, not just removed: the status bar, a tab, the strip, the trace.
    for shown in [
        "scenario-\\u{1b}]0;PWNED",
        "policy\\u{1b}]0;PWNED",
        "request\\u{1b}",
        "\\u{9b}31m",
        "\\u{202e}X",
    ] {
        assert!(all.contains(shown), "{shown} not shown");
    }
}

#[test]
fn the_tui_on_cloudtrail_records_and_a_broken_policy_never_draws_escapes_raw() {
    iamtrace::catalog::services::catalog();
    let scenario = load_str(&hostile_cloudtrail()).unwrap();
    let mut app = App::new(scenario, None);
    let all = every_screen(&mut app, "cloudtrail");
    assert!(all.contains("agent\\u{1b}"), "the user agent is not shown");
    // Raw control characters typed into the editor (a policy that does not parse).
    let mut app = App::new(load_str(&hostile_scenario()).unwrap(), None);
    for c in HOSTILE.chars() {
        handle_key(
            &mut app,
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        );
    }
    app.evaluate_now();
    every_screen(&mut app, "typed");
}

#[test]
fn the_principal_picker_never_draws_escapes_raw() {
    let details = json!({
        "UserDetailList": [{
            "UserName": h("alice"),
            "Arn": h("arn:aws:iam::111122223333:user/"),
            "UserPolicyList": [{"PolicyName": h("p"), "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
            }}]
        }],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": []
    })
    .to_string();
    let choices = iamtrace::input::account_principals(&details).unwrap();
    let mut app = App::pick_principal(details, h("details"), choices);
    app.mode = Mode::PickPrincipal(0);
    let s = draw(&app, 120, 35, "picker");
    assert!(s.contains("alice\\u{1b}"), "{s}");
    app.choose_principal(0);
    every_screen(&mut app, "assembled");
}

// ---- the command line ----

fn iamtrace() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("iamtrace").unwrap()
}

/// A directory holding the hostile files, named with the hostile text.
fn files() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join(hostile_path());
    std::fs::write(&scenario, hostile_scenario()).unwrap();
    let trail = dir.path().join(format!("{}.json", h("trail")));
    std::fs::write(&trail, hostile_cloudtrail()).unwrap();
    // Invalid: the error message quotes the unknown key, the caret line shows the text.
    let broken = dir.path().join(format!("{}.json", h("broken")));
    std::fs::write(
        &broken,
        format!(
            "{{\"policies\": {{}}, {}: 1, \"requests\": [{{\"action\": {}}}]}}",
            json!(h("key")),
            json!(h("s3"))
        ),
    )
    .unwrap();
    (dir, scenario, trail, broken)
}

/// Runs the command and checks that neither stream holds a character a terminal acts
/// on (line feeds and the summary's tab separators apart: a tab in a value is escaped,
/// which the `\\t` check of the summary below sees); returns both.
fn run_clean(args: &[&std::ffi::OsStr], what: &str) -> (String, String) {
    let out = iamtrace().args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    for (name, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        if let Some(c) = text
            .chars()
            .find(|c| *c != '\n' && *c != '\t' && is_unsafe(*c))
        {
            panic!("{what}: {name} holds {c:?}:\n{text}");
        }
    }
    assert!(!stderr.contains("panicked"), "{what}: panicked:\n{stderr}");
    (stdout, stderr)
}

fn os<P: AsRef<Path> + ?Sized>(p: &P) -> &std::ffi::OsStr {
    p.as_ref().as_os_str()
}

#[test]
fn the_command_line_never_writes_escapes_raw() {
    let (dir, scenario, trail, broken) = files();
    let vary = format!("aws:UserAgent={},absent", h("v"));
    let mut seen = String::new();
    let nothing = dir.path().join(h("nothing"));
    let other = dir.path().join("other.json");
    let runs: Vec<(&str, Vec<&std::ffi::OsStr>)> = vec![
        ("eval text", vec![os("eval"), os(&scenario)]),
        (
            "eval summary",
            vec![os("eval"), os("--format"), os("summary"), os(&scenario)],
        ),
        (
            "eval json",
            vec![os("eval"), os("--format"), os("json"), os(&scenario)],
        ),
        ("eval cloudtrail", vec![os("eval"), os(&trail)]),
        ("eval dir", vec![os("eval"), os(dir.path())]),
        ("eval broken", vec![os("eval"), os(&broken)]),
        (
            "eval broken json",
            vec![os("eval"), os("--format"), os("json"), os(&broken)],
        ),
        (
            "eval missing request",
            vec![os("eval"), os("--request"), os(HOSTILE), os(&scenario)],
        ),
        ("eval missing file", vec![os("eval"), os(&nothing)]),
        ("open on a pipe", vec![os(&scenario)]),
        ("lint text", vec![os("lint"), os(dir.path())]),
        (
            "lint json",
            vec![os("lint"), os("--format"), os("json"), os(dir.path())],
        ),
        (
            "lint sarif",
            vec![os("lint"), os("--format"), os("sarif"), os(dir.path())],
        ),
        (
            "grid",
            vec![
                os("grid"),
                os(&scenario),
                os("--request"),
                os("1"),
                os("--vary"),
                os(&vary),
            ],
        ),
        (
            "grid json",
            vec![
                os("grid"),
                os(&scenario),
                os("--request"),
                os("1"),
                os("--vary"),
                os(&vary),
                os("--format"),
                os("json"),
            ],
        ),
        (
            "grid bad request",
            vec![
                os("grid"),
                os(&scenario),
                os("--request"),
                os(HOSTILE),
                os("--vary"),
                os(&vary),
            ],
        ),
        (
            "grid bad vary",
            vec![
                os("grid"),
                os(&scenario),
                os("--request"),
                os("1"),
                os("--vary"),
                os(HOSTILE),
            ],
        ),
        ("diff", vec![os("diff"), os(&scenario), os(&other)]),
        (
            "replay text",
            vec![os("replay"), os(&scenario), os("--cloudtrail"), os(&trail)],
        ),
        (
            "replay json",
            vec![
                os("replay"),
                os(&scenario),
                os("--cloudtrail"),
                os(&trail),
                os("--format"),
                os("json"),
            ],
        ),
        (
            "replay caller",
            vec![
                os("replay"),
                os(&scenario),
                os("--cloudtrail"),
                os(&trail),
                os("--principal"),
                os(HOSTILE),
            ],
        ),
        (
            "replay broken",
            vec![os("replay"), os(&scenario), os("--cloudtrail"), os(&broken)],
        ),
    ];
    // The second scenario of diff: the same requests under other policies.
    std::fs::write(&other, hostile_scenario().replace("\"Allow\"", "\"Deny\"")).unwrap();
    for (what, args) in runs {
        let (o, e) = run_clean(&args, what);
        seen.push_str(&o);
        seen.push_str(&e);
    }
    for shown in [
        "scenario-\\u{1b}]0;PWNED",
        "request\\u{1b}]0;PWNED",
        "note\\u{1b}",
        // CloudTrail's errorMessage, in the notes of replay's example.
        "authorized \\u{1b}",
        // JSON: escaped, and the JSON exact.
        "\"request\\u001b]0;PWNED\\u0007\\u001b[2J\\u009b31m\\u007f\\r\\u202eX\"",
        "\\u{9b}31m",
        "\\u{202e}X",
    ] {
        assert!(seen.contains(shown), "{shown} not shown:\n{seen}");
    }
}

#[test]
fn json_output_stays_exact_json() {
    let (_dir, scenario, _, _) = files();
    let out = iamtrace()
        .args([os("eval"), os("--format"), os("json"), os(&scenario)])
        .output()
        .unwrap();
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["requests"][0]["name"], json!(h("request")));
    assert_eq!(line["file"], json!(scenario.display().to_string()));
}
