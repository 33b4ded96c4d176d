//! What-if and why-not checked against scenarios with known answers: `iamtrace grid`,
//! `iamtrace diff`, the why-not report of `eval`, and the TUI's grid and changes views.

use assert_cmd::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::trace::Decision;
use iamtrace::tui::app::{App, Mode, View};
use iamtrace::tui::update::{handle_key, handle_paste};
use serde_json::Value;

const SOURCE_IP: &str = "assets/scenarios/client-vpn-source-ip.json";
const FIXED: &str = "assets/scenarios/client-vpn-fixed.json";
const VARY_IP: &str = "aws:SourceIp=203.0.113.5,52.95.4.1,absent";
const VARY_VIA: &str = "aws:ViaAWSService=true,false,absent";

fn iamtrace(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("iamtrace")
        .expect("binary")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().expect("exit status"),
        String::from_utf8(out.stdout).expect("UTF-8"),
        String::from_utf8(out.stderr).expect("UTF-8"),
    )
}

/// The grid's decisions, row by row (SourceIp office, service, absent) × (ViaAWSService
/// true, false, absent).
fn grid_json(file: &str) -> Vec<(Value, String)> {
    let (code, out, err) = iamtrace(&[
        "grid",
        file,
        "--request",
        "2",
        "--vary",
        VARY_IP,
        "--vary",
        VARY_VIA,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let cells: Value = serde_json::from_str(out.trim()).expect("one JSON array");
    cells
        .as_array()
        .expect("an array of cells")
        .iter()
        .map(|c| {
            (
                c["values"].clone(),
                c["decision"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_client_vpn_grid_shows_where_the_deny_fires_before_and_after_the_fix() {
    let before = grid_json(SOURCE_IP);
    let after = grid_json(FIXED);
    let words = |g: &[(Value, String)]| g.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>();
    let (a, x) = ("allow".to_string(), "explicit_deny".to_string());
    // Before: only the office address gets through, whatever aws:ViaAWSService says.
    assert_eq!(
        words(&before),
        vec![
            a.clone(),
            a.clone(),
            a.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone(),
            x.clone()
        ]
    );
    // After: a call made through an AWS service (ViaAWSService true) passes from anywhere;
    // absent ViaAWSService cannot happen in AWS, and the Bool does not hold on it.
    assert_eq!(
        words(&after),
        vec![
            a.clone(),
            a.clone(),
            a.clone(),
            a.clone(),
            x.clone(),
            a.clone(),
            a.clone(),
            x.clone(),
            a.clone()
        ]
    );
    // Each cell names the values it used; absent is null.
    assert_eq!(before[0].0["aws:SourceIp"], "203.0.113.5");
    assert_eq!(before[2].0["aws:ViaAWSService"], Value::Null);
    assert_eq!(before[6].0["aws:SourceIp"], Value::Null);
}

#[test]
fn the_text_grid_is_a_table() {
    let (code, out, _) = iamtrace(&[
        "grid",
        SOURCE_IP,
        "--request",
        "2",
        "--vary",
        VARY_IP,
        "--vary",
        VARY_VIA,
    ]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[1].contains("aws:SourceIp ↓") && lines[1].contains("aws:ViaAWSService →"),
        "{out}"
    );
    assert!(
        lines[3].starts_with("203.0.113.5") && lines[3].matches("Allow").count() == 3,
        "{out}"
    );
    assert!(
        lines[4].starts_with("52.95.4.1") && lines[4].matches("Explicit deny").count() == 3,
        "{out}"
    );
}

#[test]
fn grid_arguments_are_checked() {
    let (code, _, err) = iamtrace(&["grid", SOURCE_IP, "--vary", VARY_IP]);
    assert_eq!(code, 2, "several requests need --request");
    assert!(err.contains("--request"), "{err}");
    let (code, _, err) = iamtrace(&["grid", SOURCE_IP, "--request", "2", "--vary", "SourceIp=1"]);
    assert_eq!(code, 2);
    assert!(err.contains("not an input"), "{err}");
    let (code, _, _) = iamtrace(&[
        "grid",
        SOURCE_IP,
        "--request",
        "2",
        "--vary",
        VARY_IP,
        "--vary",
        VARY_VIA,
        "--vary",
        "action=s3:GetObject",
    ]);
    assert_eq!(code, 2, "at most two axes");
}

#[test]
fn diff_lists_what_the_fix_opens_and_exits_1() {
    let (code, out, err) = iamtrace(&[
        "diff",
        SOURCE_IP,
        FIXED,
        "--request",
        "2",
        "--vary",
        VARY_IP,
        "--vary",
        VARY_VIA,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("JSON");
    let requests: Vec<&str> = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["request"].as_str().unwrap())
        .collect();
    assert_eq!(requests.len(), 3, "{requests:?}");
    assert!(
        requests.iter().all(|r| r.contains("service's address")),
        "{requests:?}"
    );
    assert!(
        v["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["before"] == "explicit_deny" && r["after"] == "allow")
    );
    assert_eq!(v["cells"].as_array().unwrap().len(), 4);
    // The same file against itself: nothing changes, exit 0.
    let (code, out, _) = iamtrace(&["diff", FIXED, FIXED]);
    assert_eq!(code, 0);
    assert!(out.contains("no decision changes"), "{out}");
}

#[test]
fn eval_explains_why_not_for_each_kind_of_decision() {
    // Explicit deny: the Deny that fired and the address that would stop it.
    let (_, out, _) = iamtrace(&["eval", SOURCE_IP, "--request", "2", "--format", "json"]);
    let v: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let why = &v["requests"][0]["why_not"];
    assert_eq!(why["question"], "denies_that_fired");
    let f = &why["items"][0]["findings"][0];
    assert_eq!(f["part"], "NotIpAddress aws:SourceIp");
    assert_eq!(f["change"]["value"], "203.0.113.0");
    assert_eq!(f["decision_after"], "allow");
    // Implicit deny: the closest Allow and what it lacked (the team tag).
    let (_, out, _) = iamtrace(&[
        "eval",
        "assets/scenarios/principal-tag-abac.json",
        "--request",
        "3",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let why = &v["requests"][0]["why_not"];
    assert_eq!(why["question"], "closest_allows");
    assert_eq!(
        why["items"][0]["findings"][0]["change"]["value"],
        "payments"
    );
    assert_eq!(why["items"][0]["decision_with_all"], "allow");
    // Allow: what would make the guardrail fire (the fixed Deny needs ViaAWSService false).
    let (_, out, _) = iamtrace(&["eval", FIXED, "--request", "2"]);
    assert!(out.contains("What would deny it"), "{out}");
    assert!(out.contains("Bool aws:ViaAWSService"), "{out}");
}

fn client_vpn_app(file: &str) -> App {
    let text = std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut app = App::new(load_str(&text).unwrap(), None);
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    app
}

fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    if handle_key(app, KeyEvent::new(code, modifiers)) {
        app.evaluate_now();
    }
}

#[test]
fn the_tui_grid_follows_edits_and_loads_a_cell_into_the_request() {
    let mut app = client_vpn_app(SOURCE_IP);
    press(&mut app, KeyCode::F(9), KeyModifiers::NONE);
    assert_eq!(app.view, View::Grid);
    // Suggested axes: the Deny's key first, then aws:ViaAWSService.
    let names: Vec<&str> = app.grid.axes.iter().map(|a| a.input.name()).collect();
    assert_eq!(names, ["aws:SourceIp", "aws:ViaAWSService"]);
    let service_row: Vec<Decision> = app.grid.cells[..3].iter().map(|c| c.decision).collect();
    assert_eq!(service_row, [Decision::ExplicitDeny; 3]);

    // Type the fix into the Deny: the grid changes with it.
    press(&mut app, KeyCode::F(2), KeyModifiers::NONE);
    let text = app.policies.editors[1].text();
    let line = text
        .lines()
        .position(|l| l.contains("\"NotIpAddress\""))
        .unwrap() as u64
        + 1;
    app.policies.editors[1].jump(line, 9);
    assert!(handle_paste(
        &mut app,
        "\"Bool\": {\"aws:ViaAWSService\": \"false\"},\n        "
    ));
    app.evaluate_now();
    assert!(!app.stale);
    let service_row: Vec<Decision> = app.grid.cells[..3].iter().map(|c| c.decision).collect();
    assert_eq!(
        service_row,
        [Decision::Allow, Decision::ExplicitDeny, Decision::Allow]
    );

    // The changes view lists what the edit opened.
    press(&mut app, KeyCode::F(9), KeyModifiers::NONE);
    assert_eq!(app.view, View::Changes);
    assert_eq!(app.changes.requests.len(), 3, "{:?}", app.changes.requests);
    assert!(!app.changes.cells.is_empty());

    // Back to the grid (past the lint view and the trace): select (service address,
    // ViaAWSService false) and load it.
    for _ in 0..3 {
        press(&mut app, KeyCode::F(9), KeyModifiers::NONE);
    }
    assert_eq!(app.view, View::Grid);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Right, KeyModifiers::NONE);
    assert_eq!(app.grid.cursor, (0, 1));
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let ctx = &app.scenario.requests[app.request].request.context;
    let get = |k: &str| {
        ctx.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| format!("{v:?}"))
    };
    assert!(get("aws:ViaAWSService").unwrap().contains("\"false\""));
    assert!(get("aws:SourceIp").unwrap().contains("52.95.4.1"));
    assert_eq!(app.results[app.request].decision, Decision::ExplicitDeny);
}

#[test]
fn f10_sets_the_grid_axes() {
    let mut app = client_vpn_app(SOURCE_IP);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    assert!(matches!(app.mode, Mode::Axes(_)));
    // Replace the suggested axes with one of our own.
    let Mode::Axes(text) = app.mode.clone() else {
        unreachable!()
    };
    for _ in 0..text.chars().count() {
        press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    for c in "action=iam:CreateServiceLinkedRole,kms:Decrypt".chars() {
        press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.view, View::Grid);
    assert_eq!(app.grid.axes.len(), 1);
    assert_eq!(app.grid.cells.len(), 2);
    // A bad axis is reported, the old ones kept.
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    for _ in 0..60 {
        press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    for c in "nonsense".chars() {
        press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.grid.axes.len(), 1);
    assert!(
        app.message.as_deref().is_some_and(|m| m.contains("INPUT=")),
        "{:?}",
        app.message
    );
}
