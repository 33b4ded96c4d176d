//! Templates and plans in the TUI, driven by its keys: the picker, each document as
//! written on the template's lines, re-evaluated on every keystroke, saved back into
//! the template in place (only what was edited); what the template does not write is
//! read-only, the list of policies is the template's, a plan is never written.

mod common;

use common::{open_template as open, show_policy as show};

use common::{ctrl, key, press, screen_text, type_text};
use crossterm::event::KeyCode;
use iamtrace::input::{Kind, LoadOptions, iac::load_for_editing};
use iamtrace::trace::Decision;
use iamtrace::tui::app::{App, Mode};
use iamtrace::tui::file::Shape;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const TEMPLATE: &str = "tests/fixtures/iac/tui/app.yaml";
const PLAN: &str = "tests/fixtures/iac/terraform/add-source-ip-deny.json";

/// A copy of the fixture template in a folder of its own, for a test to save into.
fn copy_of_template(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "iamtrace-tui-template-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.yaml");
    std::fs::copy(TEMPLATE, &path).unwrap();
    path
}

fn decision(app: &App) -> Decision {
    app.current_result().expect("evaluated").decision
}

#[test]
fn a_template_opens_with_its_documents_as_written_on_its_lines() {
    let app = open(Path::new(TEMPLATE), "AppRole");
    assert_eq!(app.file.as_ref().map(|f| f.shape), Some(Shape::Template));
    assert!(app.errors.iter().all(|e| e.is_empty()), "{:?}", app.errors);
    let s = screen_text(&app, 120, 35);
    // The trust policy first: line 14 of the template, as written.
    assert!(s.contains("14         Version: '2012-10-17'"), "{s}");
    assert!(
        s.contains("Principal: {Service: lambda.amazonaws.com}"),
        "{s}"
    );
    assert!(
        s.contains("template"),
        "the title says where the text is: {s}"
    );
    // The role's session calling s3:ListAllMyBuckets: nothing allows it.
    assert_eq!(decision(&app), Decision::ImplicitDeny);
}

#[test]
fn an_edit_is_evaluated_at_once_and_saving_writes_only_that_document() {
    let path = copy_of_template("edit");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    let mut app = open(&path, "AppRole");
    show(&mut app, "AppRole/Policies/data");
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("24             Version: '2012-10-17'"), "{s}");
    assert!(
        s.contains("# Reads only, for now."),
        "comments are shown: {s}"
    );
    // Line 5 of the document: `Action: s3:GetObject` becomes `Action: s3:*`.
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    for _ in 0.."GetObject".len() {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, "*");
    assert!(app.dirty);
    assert_eq!(
        decision(&app),
        Decision::Allow,
        "s3:* allows s3:ListAllMyBuckets"
    );
    // An error is shown at the template's line and column, the last evaluation kept.
    type_text(&mut app, " [");
    assert!(app.stale);
    let e = &app.errors[app.policies.current][0];
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("28:"), "the template's line: {e:?}\n{s}");
    press(&mut app, key(KeyCode::Backspace));
    press(&mut app, key(KeyCode::Backspace));
    assert!(!app.stale);
    press(&mut app, ctrl('s'));
    assert!(!app.dirty, "{:?}", app.message);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        before.replace("Action: s3:GetObject", "Action: s3:*")
    );
    // A second edit, in a document earlier in the file that gains a line, and a
    // third after it: the places moved with the first save.
    show(&mut app, "AppRole/AssumeRolePolicyDocument");
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "\n# the function's role");
    press(&mut app, ctrl('s'));
    show(&mut app, "Reports/PolicyDocument");
    let s = screen_text(&app, 120, 35);
    assert!(
        s.contains("37         Version: '2012-10-17'"),
        "moved down a line: {s}"
    );
    for _ in 0..3 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "X");
    press(&mut app, ctrl('s'));
    let again = std::fs::read_to_string(&path).unwrap();
    let expected = after
        .replace(
            "            Action: sts:AssumeRole\n",
            "            Action: sts:AssumeRole\n# the function's role\n",
        )
        .replace("PutObject", "PutObjectX");
    assert_eq!(again, expected);
    // The file keeps its mode.
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o640);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn what_the_template_does_not_write_is_read_only() {
    let mut app = open(Path::new(TEMPLATE), "AppRole");
    show(&mut app, "AppRole/ManagedPolicyArns/0");
    let text = app.scenario.sources[app.policies.current].text.clone();
    assert!(
        text.contains("logs:CreateLogGroup"),
        "the bundled managed policy: {text}"
    );
    type_text(&mut app, "x");
    assert_eq!(app.scenario.sources[app.policies.current].text, text);
    assert_eq!(app.policies.editors[app.policies.current].text(), text);
    assert!(!app.dirty);
    assert!(
        app.message.as_deref().unwrap_or("").contains("read-only"),
        "{:?}",
        app.message
    );
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("read-only"), "the title says so: {s}");
}

#[test]
fn the_list_of_policies_is_the_templates() {
    let mut app = open(Path::new(TEMPLATE), "AppRole");
    let n = app.scenario.sources.len();
    for k in [ctrl('n'), key(KeyCode::F(3))] {
        press(&mut app, k);
    }
    assert_eq!(app.scenario.sources.len(), n);
    // Saving the whole scenario elsewhere is refused: the template is where they go.
    let message =
        iamtrace::tui::saving::bytes_to_save(&mut app, iamtrace::tui::saving::Target::Scenario)
            .expect_err("refused");
    assert!(message.contains("saved into the template"), "{message}");
}

#[test]
fn the_picker_opens_the_principal_chosen() {
    iamtrace::catalog::services::catalog();
    let text = std::fs::read_to_string(TEMPLATE).unwrap();
    let choices =
        iamtrace::tui::template::choices(Kind::CloudFormation, &text, &LoadOptions::default())
            .unwrap();
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0].name, "AppRole");
    let mut app = App::pick_from_template(
        Kind::CloudFormation,
        text,
        "app.yaml".into(),
        choices,
        Some(PathBuf::from(TEMPLATE)),
        LoadOptions::default(),
    );
    assert!(matches!(app.mode, Mode::PickPrincipal(_)));
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("AppRole") && s.contains("named app"), "{s}");
    press(&mut app, key(KeyCode::Enter));
    app.evaluate_now();
    assert!(matches!(app.mode, Mode::Normal), "{:?}", app.mode);
    assert_eq!(app.file.as_ref().map(|f| f.shape), Some(Shape::Template));
    assert_eq!(app.path.as_deref(), Some(Path::new(TEMPLATE)));
    assert_eq!(app.scenario.sources.len(), 4);
}

#[test]
fn a_plan_is_never_written_back() {
    iamtrace::catalog::services::catalog();
    let text = std::fs::read_to_string(PLAN).unwrap();
    let options = LoadOptions {
        principal: Some("admin".into()),
        ..Default::default()
    };
    let loaded = load_for_editing(Kind::TerraformPlan, &text, &options).unwrap();
    let mut app = App::for_template(
        Kind::TerraformPlan,
        text,
        loaded,
        Some(PathBuf::from(PLAN)),
        options,
    );
    app.evaluate_now();
    assert!(app.path.is_none() && app.file.is_none());
    assert!(app.message.as_deref().unwrap_or("").contains("read-only"));
    // One-line JSON from the plan is shown pretty-printed.
    for src in &app.scenario.sources {
        assert!(src.text.lines().count() > 1, "{:?}: {}", src.name, src.text);
    }
    type_text(&mut app, " ");
    press(&mut app, ctrl('s'));
    assert!(
        matches!(app.mode, Mode::SaveAs(_)),
        "saving asks for a new name: {:?}",
        app.mode
    );
}

#[test]
fn a_recovery_file_of_a_template_holds_the_template_with_the_edits() {
    let mut app = open(Path::new(TEMPLATE), "AppRole");
    show(&mut app, "Reports/PolicyDocument");
    type_text(&mut app, "# note\n");
    let recovery = app.recovery_text();
    let original = std::fs::read_to_string(TEMPLATE).unwrap();
    assert_eq!(
        recovery,
        original.replacen(
            "        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:PutObject",
            "        # note\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Action: s3:PutObject",
            1
        )
    );
}

/// Ctrl+E in a template's session writes a scenario file beside it that takes the
/// principal's policies from the template (`policiesFrom`) and keeps the requests: read
/// back, it decides as the TUI did; the template stays open, its own edits unsaved.
#[test]
fn the_requests_are_saved_in_a_scenario_that_takes_its_policies_from_the_template() {
    let path = copy_of_template("requests");
    let mut app = open(&path, "AppRole");
    show(&mut app, "AppRole/Policies/data");
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Down));
    }
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "X");
    assert!(app.dirty);
    let scenario = path.with_file_name("app.requests.json");
    app.save(iamtrace::tui::saving::SaveJob::new(
        scenario.clone(),
        iamtrace::tui::saving::Target::Scenario,
    ));
    assert!(app.dirty, "the template's edit is still unsaved");
    assert_eq!(app.path.as_deref(), Some(path.as_path()));
    let text = std::fs::read_to_string(&scenario).expect("written");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["policiesFrom"]["file"], "app.yaml", "{text}");
    assert_eq!(v["policiesFrom"]["principal"], "AppRole", "{text}");
    let loaded = iamtrace::input::load(
        &text,
        &LoadOptions {
            path: Some(scenario.clone()),
            ..Default::default()
        },
    )
    .expect("the scenario reads, with the template's policies");
    assert_eq!(loaded.scenario.requests.len(), 1);
    assert!(
        loaded.scenario.set.policies.len() >= 4,
        "{:?}",
        loaded.scenario.set.policies.len()
    );
    let r = &loaded.scenario.requests[0].request;
    let d = iamtrace::eval::evaluate(
        &loaded.scenario.set,
        &iamtrace::eval::PreparedRequest::new(r),
        iamtrace::eval::Detail::Decision,
    );
    assert_eq!(d.decision, Decision::ImplicitDeny);
    // Opened in the TUI, the template's policies are shown as the JSON they read as,
    // read-only; saving the scenario keeps its policiesFrom and leaves them out.
    let mut tui =
        App::new(loaded.scenario, Some(scenario.clone())).with_file(text.clone(), Shape::Scenario);
    tui.evaluate_now();
    assert!(tui.errors.iter().all(|e| e.is_empty()), "{:?}", tui.errors);
    assert_eq!(decision(&tui), Decision::ImplicitDeny);
    assert!(
        tui.scenario
            .sources
            .iter()
            .all(|s| s.form == iamtrace::scenario::DocumentForm::Derived),
        "{:?}",
        tui.scenario.sources
    );
    let before = tui.scenario.sources[tui.policies.current].text.clone();
    type_text(&mut tui, "x");
    assert_eq!(tui.scenario.sources[tui.policies.current].text, before);
    press(&mut tui, key(KeyCode::F(5)));
    assert!(
        tui.message.as_deref().unwrap_or("").contains("read-only"),
        "{:?}",
        tui.message
    );
    press(&mut tui, ctrl('s'));
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), text);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

/// The file as it was read before the picker is what saving compares with: a change
/// made on disk while the picker was open is asked about, not overwritten.
#[test]
fn a_change_on_disk_behind_the_picker_is_asked_about() {
    let path = copy_of_template("picker-disk");
    let text = std::fs::read_to_string(&path).unwrap();
    let choices =
        iamtrace::tui::template::choices(Kind::CloudFormation, &text, &LoadOptions::default())
            .unwrap();
    let mut app = App::pick_from_template(
        Kind::CloudFormation,
        text.clone(),
        "app.yaml".into(),
        choices,
        Some(path.clone()),
        LoadOptions::default(),
    );
    app.disk = iamtrace::save::Fingerprint::of_file(&path).ok();
    std::fs::write(&path, format!("{text}# changed elsewhere\n")).unwrap();
    press(&mut app, key(KeyCode::Enter));
    app.evaluate_now();
    show(&mut app, "Reports/PolicyDocument");
    type_text(&mut app, "# mine\n");
    press(&mut app, ctrl('s'));
    assert!(
        matches!(app.mode, Mode::ConfirmSave(_)),
        "{:?} {:?}",
        app.mode,
        app.message
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("# changed elsewhere")
    );
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}
