//! What-if and why-not checked against scenarios with known answers: `iamtrace grid`,
//! `iamtrace diff`, the why-not report of `eval`, and the TUI's grid and changes views.

use assert_cmd::Command;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::analysis::axes::ValueNote;
use iamtrace::input::load_str;
use iamtrace::trace::Decision;
use iamtrace::tui::app::{App, CELL_FLASH_FRAMES, Mode, View};
use iamtrace::tui::pane::axes::{AxesPicker, Step};
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
    // Suggested axes: the keys the statements that apply test, the Deny's: no policy
    // tests aws:ViaAWSService yet, so it is not on the grid.
    let names: Vec<&str> = app.grid.axes.iter().map(|a| a.input.name()).collect();
    assert_eq!(names, ["aws:SourceIp"]);
    let by_ip: Vec<Decision> = app.grid.cells.iter().map(|c| c.decision).collect();
    assert_eq!(
        by_ip,
        [
            Decision::ExplicitDeny,
            Decision::Allow,
            Decision::ExplicitDeny
        ],
        "the service's address, the office's, absent"
    );

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
    // The key the edit added to the Deny joins the grid; the IP axis stays as it was.
    let names: Vec<&str> = app.grid.axes.iter().map(|a| a.input.name()).collect();
    assert_eq!(names, ["aws:SourceIp", "aws:ViaAWSService"]);
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

fn offered(app: &App) -> Vec<String> {
    let Mode::Axes(p) = &app.mode else {
        panic!("the axes picker is not open: {:?}", app.mode)
    };
    p.offers
        .iter()
        .map(|o| o.input.name().to_string())
        .collect()
}

fn picker(app: &App) -> &AxesPicker {
    match &app.mode {
        Mode::Axes(p) => p,
        other => panic!("the axes picker is not open: {other:?}"),
    }
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

#[test]
fn f10_offers_the_keys_of_the_statements_that_apply_and_their_values() {
    let mut app = client_vpn_app(SOURCE_IP);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    // Only the Deny tests a key; aws:ViaAWSService, which no policy tests, is not
    // offered; the request's own inputs are.
    assert_eq!(
        offered(&app),
        ["aws:SourceIp", "action", "resource", "principal"]
    );
    let ip = &picker(&app).offers[0];
    let values: Vec<(Option<&str>, ValueNote)> = ip
        .values
        .iter()
        .map(|v| (v.value.as_deref(), v.note))
        .collect();
    assert_eq!(
        values,
        [
            // The request's address is one the Deny's list does not hold.
            (Some("52.95.4.1"), ValueNote::NotListed),
            (Some("203.0.113.0"), ValueNote::Listed),
            (None, ValueNote::Absent),
        ]
    );
    assert!(!ip.multi);
    // Every resource is listed ("*"): no "none of these" resource is made up.
    let resource = &picker(&app).offers[2];
    assert_eq!(resource.values.len(), 1, "{:?}", resource.values);
    // On the office request, the address is listed: another one is made up.
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    let ip = &picker(&app).offers[0];
    assert_eq!(ip.values[0].note, ValueNote::Request);
    let unlisted = ip
        .values
        .iter()
        .find(|v| v.note == ValueNote::NotListed)
        .and_then(|v| v.value.clone())
        .expect("a value the policies do not list");
    assert!(!unlisted.starts_with("203.0.113."), "{unlisted}");
}

#[test]
fn a_typo_in_a_statement_that_does_not_apply_is_not_offered() {
    let text =
        std::fs::read_to_string(format!("{}/{SOURCE_IP}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    // Two statements with typo'd keys: one on S3 (does not apply to IAM calls), one on
    // every action (applies: its key is what the policy tests, typo or not).
    let anchor = "\"Sid\": \"DenyOutsideOffice\",";
    assert!(text.contains(anchor));
    let text = text.replacen(
        &format!("{{\n              {anchor}"),
        &format!(
            "{{\"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\", \
             \"Condition\": {{\"Bool\": {{\"aws:ViaAWSSevrice\": \"false\"}}}}}},\n\
             {{\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\", \
             \"Condition\": {{\"StringEquals\": {{\"aws:RequestedRegoin\": \"eu-west-3\"}}}}}},\n\
             {{\n              {anchor}"
        ),
        1,
    );
    let mut app = App::new(load_str(&text).expect("the scenario loads"), None);
    press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    let names = offered(&app);
    assert!(!names.iter().any(|n| n == "aws:ViaAWSSevrice"), "{names:?}");
    assert!(
        names.iter().any(|n| n == "aws:RequestedRegoin"),
        "{names:?}"
    );
    // The deciding statement's key first.
    assert_eq!(names[0], "aws:SourceIp");
}

#[test]
fn multi_valued_keys_are_offered_as_sets_too() {
    let mut app = client_vpn_app("assets/scenarios/forallvalues-missing-key.json");
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    let p = picker(&app);
    let tags = p
        .offers
        .iter()
        .find(|o| o.input.name() == "aws:TagKeys")
        .expect("aws:TagKeys is tested");
    assert!(tags.multi, "ForAllValues tests it");
    let values: Vec<Option<&str>> = tags.values.iter().map(|v| v.value.as_deref()).collect();
    for want in [Some("project"), Some("owner"), None, Some("[]")] {
        assert!(values.contains(&want), "{want:?} in {values:?}");
    }
    let two = tags
        .values
        .iter()
        .find(|v| v.note == ValueNote::TwoValues)
        .and_then(|v| v.value.as_deref())
        .expect("a two-element set");
    assert!(
        two.starts_with('[') && two.matches(';').count() == 1,
        "{two}"
    );
    assert!(
        tags.values.iter().any(|v| v.note == ValueNote::NotListed),
        "{values:?}"
    );
}

#[test]
fn f10_picks_the_rows_and_columns_and_their_values() {
    let mut app = client_vpn_app(SOURCE_IP);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    let p = picker(&app);
    assert_eq!(p.step, Step::Inputs);
    assert_eq!(p.rows, Some(0), "the grid's axis is chosen");
    // Choose the action as the columns, then go to the values.
    press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    press(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
    assert_eq!(picker(&app).cols, Some(1));
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(picker(&app).step, Step::Values);
    // Untick the absent address (heading, request's, listed, absent).
    for _ in 0..3 {
        press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    press(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
    assert!(
        picker(&app)
            .text
            .starts_with("aws:SourceIp=52.95.4.1,203.0.113.0 | action="),
        "{}",
        picker(&app).text
    );
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.view, View::Grid);
    assert!(app.grid.axes_chosen);
    assert_eq!(app.grid.axes.len(), 2);
    assert_eq!(app.grid.axes[0].values.len(), 2);
    assert_eq!(app.grid.axes[1].input.name(), "action");
    let (rows, cols) = app.grid.shape();
    assert_eq!(app.grid.cells.len(), rows * cols);
}

#[test]
fn f10_keeps_a_typed_text_that_does_not_read_with_the_reason() {
    let mut app = client_vpn_app(SOURCE_IP);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    let before = app.grid.axes.clone();
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert!(picker(&app).typing);
    let text = picker(&app).text.clone();
    for _ in 0..text.chars().count() {
        press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    typed(&mut app, "nonsense");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    // Still open, the text as typed, the reason beside it; the grid as it was.
    let p = picker(&app);
    assert_eq!(p.text, "nonsense");
    let error = p.error.clone().expect("the reason");
    assert!(
        error.contains("INPUT=") && error.contains("[a;b]"),
        "{error}"
    );
    assert_eq!(app.grid.axes, before);
    // Mending it (a space and a set) sets the axes.
    for _ in 0.."nonsense".len() {
        press(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    }
    typed(
        &mut app,
        "aws:CalledVia=[ec2.amazonaws.com;kms.amazonaws.com],[],absent | action=iam:CreateServiceLinkedRole,kms:Decrypt",
    );
    assert_eq!(picker(&app).error, None, "typing clears the reason");
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.view, View::Grid);
    assert_eq!(app.grid.shape(), (3, 2));
    assert_eq!(app.grid.cells.len(), 6);
    // Esc on the list closes the picker and changes nothing.
    let axes = app.grid.axes.clone();
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.grid.axes, axes);
}

#[test]
fn loading_a_cell_flashes_the_request_and_says_what_changed() {
    let mut app = client_vpn_app(SOURCE_IP);
    press(&mut app, KeyCode::F(9), KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    // Rows: the service's address, the office's, absent. Load the office's.
    press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(app.request_flash, 0);
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert_eq!(app.request_flash, CELL_FLASH_FRAMES);
    let message = app.message.clone().unwrap_or_default();
    assert!(
        message.contains("aws:SourceIp 52.95.4.1 → 203.0.113.0"),
        "{message}"
    );
    assert_eq!(app.results[app.request].decision, Decision::Allow);
    // The flash fades frame by frame, and stays off.
    for left in (0..CELL_FLASH_FRAMES).rev() {
        app.tick();
        assert_eq!(app.request_flash, left);
    }
    app.tick();
    assert_eq!(app.request_flash, 0);
    // Loading the same cell again changes nothing, and says so.
    press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        app.message
            .as_deref()
            .is_some_and(|m| m.contains("already had these values")),
        "{:?}",
        app.message
    );
    // Undo takes the values back.
    press(&mut app, KeyCode::Char('z'), KeyModifiers::CONTROL);
    assert_eq!(app.results[app.request].decision, Decision::ExplicitDeny);
}

#[test]
fn a_resource_no_statement_lists_is_offered() {
    let mut app = client_vpn_app("assets/scenarios/cross-account-bucket.json");
    press(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    assert_eq!(app.request, 0);
    press(&mut app, KeyCode::F(10), KeyModifiers::NONE);
    let p = picker(&app);
    let resource = p
        .offers
        .iter()
        .find(|o| o.input.name() == "resource")
        .expect("the resource is offered");
    let values: Vec<(Option<&str>, ValueNote)> = resource
        .values
        .iter()
        .map(|v| (v.value.as_deref(), v.note))
        .collect();
    assert_eq!(
        values[0],
        (
            Some("arn:aws:s3:::partner-reports/2026/q3.csv"),
            ValueNote::Request
        )
    );
    assert!(
        values.contains(&(Some("arn:aws:s3:::partner-reports"), ValueNote::Listed)),
        "{values:?}"
    );
    // ".../2026/other" is still under partner-reports/*: the bucket is changed.
    assert_eq!(
        values.last(),
        Some(&(Some("arn:aws:s3:::other"), ValueNote::NotListed)),
        "{values:?}"
    );
}
