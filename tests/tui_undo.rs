//! One undo history for every change: typing (by word), a completion, the request
//! form, presets, and the list of policies (add, delete, rename, retype, place) — each
//! undone and redone in order with Ctrl+Z / Ctrl+Y, the status bar naming the step, and
//! undoing back to the saved state clears "unsaved".

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::policy::PolicyKind;
use iamtrace::tui::app::{App, Focus, Mode};
use iamtrace::tui::update::handle_key;

const CLIENT_VPN: &str = "assets/scenarios/client-vpn-source-ip.json";
const SCP_LEVELS: &str = "tests/cases/decisions/scp-levels.json";

fn app_from(path: &str) -> App {
    let text = std::fs::read_to_string(path).unwrap();
    App::new(load_str(&text).unwrap(), None)
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn press(app: &mut App, k: KeyEvent) -> bool {
    let changed = handle_key(app, k);
    if changed {
        app.evaluate_now();
    }
    changed
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, key(KeyCode::Char(c)));
    }
}

fn undo(app: &mut App) -> String {
    assert!(press(app, ctrl('z')), "Ctrl+Z changed nothing");
    app.message.clone().unwrap_or_default()
}

fn redo(app: &mut App) -> String {
    assert!(press(app, ctrl('y')), "Ctrl+Y changed nothing");
    app.message.clone().unwrap_or_default()
}

fn texts(app: &App) -> Vec<String> {
    app.scenario
        .sources
        .iter()
        .map(|s| s.text.clone())
        .collect()
}

#[test]
fn typing_undoes_a_word_at_a_time_and_back_to_saved_is_clean() {
    let mut app = app_from(CLIENT_VPN);
    let original = texts(&app);
    app.policies.editors[0].jump(6, 26); // the "*" of "Action": "*"
    type_text(&mut app, "ab cd");
    assert!(app.dirty);
    assert!(app.scenario.sources[0].text.contains("\"ab cd*\""));
    let said = undo(&mut app);
    assert!(said.contains("typing in \"AdministratorAccess\""), "{said}");
    assert!(app.scenario.sources[0].text.contains("\"ab*\""));
    assert_eq!(app.policies.editors[0].text(), app.scenario.sources[0].text);
    assert!(app.dirty);
    undo(&mut app);
    assert_eq!(texts(&app), original);
    assert!(!app.dirty, "undone back to the state as loaded");
    redo(&mut app);
    assert!(app.scenario.sources[0].text.contains("\"ab*\""));
    assert!(app.dirty);
    // Nothing more to undo than there was.
    undo(&mut app);
    assert!(!press(&mut app, ctrl('z')));
    assert_eq!(app.message.as_deref(), Some("nothing to undo"));
}

#[test]
fn a_completion_is_one_step() {
    let mut app = app_from(CLIENT_VPN);
    iamtrace::catalog::services::catalog();
    app.refresh_lint();
    app.policies.editors[0].jump(6, 26);
    press(&mut app, key(KeyCode::Delete)); // the "*"
    type_text(&mut app, "s3:GetObj");
    let typed = app.scenario.sources[0].text.clone();
    press(
        &mut app,
        KeyEvent::new(KeyCode::Char(' '), KeyModifiers::CONTROL),
    );
    assert!(app.policies.completion.is_some());
    press(&mut app, key(KeyCode::Enter));
    assert_ne!(app.scenario.sources[0].text, typed);
    undo(&mut app);
    assert_eq!(
        app.scenario.sources[0].text, typed,
        "one Ctrl+Z takes the whole completion back, never half of it"
    );
}

#[test]
fn request_form_edits_and_presets_undo_in_order() {
    let mut app = app_from(CLIENT_VPN);
    let original = app.scenario.requests[0].clone();
    press(&mut app, key(KeyCode::Tab)); // to the request form
    assert_eq!(app.focus, Focus::Request);
    press(&mut app, key(KeyCode::Down)); // the action row
    press(&mut app, key(KeyCode::End));
    type_text(&mut app, "X");
    let typed = app.scenario.requests[0].request.action.clone();
    assert!(typed.ends_with('X'), "{typed}");
    press(&mut app, key(KeyCode::F(3))); // a preset
    let preset = app.scenario.requests[0].clone();
    assert_ne!(preset.request.context, original.request.context);
    let said = undo(&mut app);
    assert!(said.contains("preset"), "{said}");
    assert_eq!(app.scenario.requests[0].request.action, typed);
    assert_eq!(
        app.scenario.requests[0].request.context, original.request.context,
        "the request before the preset is back"
    );
    assert_eq!(app.form.to_request(), app.scenario.requests[0].request);
    let said = undo(&mut app);
    assert!(said.contains("editing request 1"), "{said}");
    assert_eq!(app.scenario.requests[0], original);
    assert!(!app.dirty);
    redo(&mut app);
    redo(&mut app);
    assert_eq!(app.scenario.requests[0], preset);
}

#[test]
fn list_of_policies_changes_undo_with_their_text_and_levels() {
    let mut app = app_from(SCP_LEVELS);
    let before = app.scenario.sources.clone();
    let levels = app.scenario.set.scp_levels.clone();
    let scp = before
        .iter()
        .position(|s| s.kind == PolicyKind::Scp && s.level.is_some_and(|l| l > 0))
        .expect("an SCP below the root");
    app.policies.current = scp;
    // F6 through every type and back: the level is lost on the way; undo gets it back.
    press(&mut app, key(KeyCode::F(6)));
    assert_ne!(app.scenario.sources[scp].kind, PolicyKind::Scp);
    let said = undo(&mut app);
    assert!(said.contains("changing the type"), "{said}");
    assert_eq!(app.scenario.sources, before);
    // F8 deletes (after asking); undo brings the policy and its text back.
    press(&mut app, key(KeyCode::F(8)));
    assert_eq!(app.mode, Mode::ConfirmDelete);
    press(&mut app, key(KeyCode::Char('y')));
    assert_eq!(app.scenario.sources.len(), before.len() - 1);
    let said = undo(&mut app);
    assert!(said.contains("deleting"), "{said}");
    assert_eq!(app.scenario.sources, before);
    assert_eq!(app.policies.editors.len(), before.len());
    assert_eq!(app.policies.editors[scp].text(), before[scp].text);
    // F4 adds, F5 renames, F7 places: three steps, undone in order.
    press(&mut app, key(KeyCode::F(4)));
    press(&mut app, key(KeyCode::F(5)));
    for _ in 0..40 {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, "renamed");
    press(&mut app, key(KeyCode::Enter));
    let n = app.scenario.sources.len();
    assert_eq!(app.scenario.sources[n - 1].name.as_deref(), Some("renamed"));
    assert!(undo(&mut app).contains("renaming"));
    assert_eq!(
        app.scenario.sources[n - 1].name.as_deref(),
        Some(format!("new policy {n}").as_str())
    );
    assert!(undo(&mut app).contains("adding"));
    assert_eq!(app.scenario.sources, before);
    assert_eq!(app.scenario.set.scp_levels, levels);
    assert!(!app.dirty);
}

#[test]
fn undo_after_saving_marks_unsaved_and_redo_back_is_clean() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let text = std::fs::read_to_string(CLIENT_VPN).unwrap();
    std::fs::write(&file, &text).unwrap();
    let mut app = App::new(load_str(&text).unwrap(), Some(file.clone()))
        .with_file(text.clone(), iamtrace::tui::file::Shape::Scenario);
    app.policies.editors[0].jump(6, 26);
    type_text(&mut app, "s3:"); // "s3:*", still a valid policy
    press(&mut app, ctrl('s'));
    assert!(!app.dirty, "{:?} {:?}", app.message, app.mode);
    undo(&mut app);
    assert!(app.dirty, "the saved text was undone");
    redo(&mut app);
    assert!(!app.dirty, "redone back to what was saved");
}

#[test]
fn pretty_printing_happens_only_when_asked_and_undoes_in_one_step() {
    let text = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}\n";
    let mut app = App::new(load_str(text).unwrap(), None)
        .with_file(text.to_string(), iamtrace::tui::file::Shape::Policy);
    // Opened as written: one line.
    assert_eq!(app.policies.editors[0].text().lines().count(), 1);
    press(&mut app, ctrl('f'));
    let pretty = app.scenario.sources[0].text.clone();
    assert!(pretty.lines().count() > 5, "{pretty}");
    assert!(pretty.contains("\n  \"Statement\": [\n    {\n"), "{pretty}");
    assert_eq!(app.policies.editors[0].text(), pretty);
    assert!(app.dirty);
    // Saved as the user now has it.
    assert_eq!(app.to_save().unwrap().text, format!("{pretty}\n"));
    let said = undo(&mut app);
    assert!(said.contains("pretty-printing"), "{said}");
    assert_eq!(app.policies.editors[0].text(), text.trim_end());
    assert!(!app.dirty);
}
