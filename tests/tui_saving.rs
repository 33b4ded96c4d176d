//! Saving from the TUI, as state: every question a save can ask (the file changed on
//! disk, read-only, not a regular file, "save as" onto a file that exists), what yes
//! and no do, a failed save (the edits, "unsaved" and the path stay), "save as" always
//! at hand, and drafts (Ctrl+S with a policy that does not parse saves
//! `NAME.draft.json` beside the file; opening the file offers a newer draft).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::save::{Refusal, Special};
use iamtrace::tui::app::{App, Mode};
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "tests/cases/decisions/default-deny.json";

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn save_as_key() -> KeyEvent {
    KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::CONTROL | KeyModifiers::ALT,
    )
}

fn press(app: &mut App, k: KeyEvent) {
    if handle_key(app, k) {
        app.evaluate_now();
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, key(KeyCode::Char(c)));
    }
}

/// A copy of the scenario as `s.json` in a fresh directory, opened as `iamtrace
/// s.json` opens it.
fn opened_copy() -> (tempfile::TempDir, PathBuf, App) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::copy(SCENARIO, &file).unwrap();
    let app = open(&file);
    (dir, file, app)
}

fn open(file: &Path) -> App {
    let text = std::fs::read_to_string(file).unwrap();
    let mut app = App::new(load_str(&text).unwrap(), Some(file.to_path_buf()))
        .with_origin(iamtrace::tui::recover::Origin::File(file.to_path_buf()))
        .with_file(text, iamtrace::tui::file::Shape::Scenario);
    app.check_leftovers();
    app
}

/// An edit that keeps every policy valid: a space typed at the top of the first.
fn edit(app: &mut App) {
    type_text(app, " ");
    assert!(app.dirty);
    assert!(app.errors.iter().all(Vec::is_empty));
}

/// The screen, as text.
fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 35)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn question(app: &App) -> Refusal {
    match &app.mode {
        Mode::ConfirmSave(q) => q.refusal,
        other => panic!(
            "expected a save question, got {other:?} ({:?})",
            app.message
        ),
    }
}

fn mode_of(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_file_changed_on_disk_is_not_overwritten_without_asking() {
    let (_dir, file, mut app) = opened_copy();
    edit(&mut app);
    let theirs = "{\"policies\": {}, \"requests\": []}\n";
    std::fs::write(&file, theirs).unwrap();
    press(&mut app, ctrl('s'));
    assert_eq!(question(&app), Refusal::Changed);
    let shown = screen(&app);
    assert!(
        shown.contains("changed on disk since it was opened"),
        "{shown}"
    );
    // No: nothing written, still unsaved.
    press(&mut app, key(KeyCode::Char('n')));
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
    assert!(app.dirty);
    assert_eq!(app.message.as_deref(), Some("not saved"));
    // Esc is no too.
    press(&mut app, ctrl('s'));
    press(&mut app, key(KeyCode::Esc));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
    // Yes overwrites; the next Ctrl+S compares with what was saved, and does not ask.
    press(&mut app, ctrl('s'));
    press(&mut app, key(KeyCode::Char('y')));
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.dirty, "{:?}", app.message);
    assert_ne!(std::fs::read_to_string(&file).unwrap(), theirs);
    edit(&mut app);
    press(&mut app, ctrl('s'));
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.dirty, "{:?}", app.message);
}

#[test]
fn a_read_only_file_is_asked_about_and_keeps_its_mode() {
    let (_dir, file, mut app) = opened_copy();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read_to_string(&file).unwrap();
    edit(&mut app);
    press(&mut app, ctrl('s'));
    assert_eq!(question(&app), Refusal::ReadOnly);
    assert!(screen(&app).contains("s.json is read-only: write anyway?"));
    press(&mut app, key(KeyCode::Char('n')));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    press(&mut app, ctrl('s'));
    press(&mut app, key(KeyCode::Char('y')));
    assert!(!app.dirty, "{:?}", app.message);
    assert_ne!(std::fs::read_to_string(&file).unwrap(), before);
    assert_eq!(mode_of(&file), 0o444);
}

#[test]
fn a_saved_file_keeps_its_mode() {
    let (_dir, file, mut app) = opened_copy();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    edit(&mut app);
    press(&mut app, ctrl('s'));
    assert!(!app.dirty, "{:?}", app.message);
    assert_eq!(mode_of(&file), 0o644);
}

#[test]
fn a_fifo_is_never_written_and_yes_offers_another_name() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string and a mode.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    let mut app = App::new(load_str(&text).unwrap(), Some(fifo.clone()));
    edit(&mut app);
    press(&mut app, ctrl('s'));
    assert_eq!(question(&app), Refusal::NotRegular(Special::Fifo));
    assert!(screen(&app).contains("is a FIFO, not a regular file: save as another file?"));
    press(&mut app, key(KeyCode::Char('y')));
    assert_eq!(app.mode, Mode::SaveAs(fifo.display().to_string()));
    // The suggestion goes with the first key, as a selection would.
    let elsewhere = dir.path().join("elsewhere.json");
    type_text(&mut app, &elsewhere.display().to_string());
    press(&mut app, key(KeyCode::Enter));
    assert!(!app.dirty, "{:?}", app.message);
    assert_eq!(app.path.as_deref(), Some(elsewhere.as_path()));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn save_as_has_its_own_key_is_prefilled_and_asks_before_replacing_a_file() {
    let (dir, file, mut app) = opened_copy();
    edit(&mut app);
    press(&mut app, save_as_key());
    assert_eq!(app.mode, Mode::SaveAs(file.display().to_string()));
    press(&mut app, key(KeyCode::Esc));
    // Onto an existing file: asks; no keeps it.
    let other = dir.path().join("other.json");
    std::fs::write(&other, "theirs").unwrap();
    press(&mut app, save_as_key());
    type_text(&mut app, &other.display().to_string());
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(question(&app), Refusal::Exists);
    assert!(screen(&app).contains("other.json already exists: overwrite it?"));
    press(&mut app, key(KeyCode::Char('n')));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "theirs");
    assert_eq!(app.path.as_deref(), Some(file.as_path()));
    assert!(app.dirty);
    // Yes replaces it, and the scenario now lives there.
    press(&mut app, save_as_key());
    type_text(&mut app, &other.display().to_string());
    press(&mut app, key(KeyCode::Enter));
    press(&mut app, key(KeyCode::Char('y')));
    assert!(!app.dirty, "{:?}", app.message);
    assert_eq!(app.path.as_deref(), Some(other.as_path()));
    assert!(load_str(&std::fs::read_to_string(&other).unwrap()).is_ok());
    // Save as onto the file that is open is a plain save: no question.
    edit(&mut app);
    press(&mut app, save_as_key());
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(app.mode, Mode::Normal);
    assert!(!app.dirty, "{:?}", app.message);
}

#[test]
fn a_failed_save_says_why_and_keeps_the_edits_the_unsaved_mark_and_the_path() {
    let (dir, file, mut app) = opened_copy();
    edit(&mut app);
    let edited = app.policies.editors[0].text();
    let before = std::fs::read_to_string(&file).unwrap();
    // A parent that is a regular file: fails for root too.
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    let target = plain.join("x.json");
    press(&mut app, save_as_key());
    type_text(&mut app, &target.display().to_string());
    press(&mut app, key(KeyCode::Enter));
    let message = app.message.clone().unwrap_or_default();
    assert!(message.starts_with("could not save"), "{message}");
    assert!(message.contains("Not a directory"), "{message}");
    assert!(message.contains("save as"), "{message}");
    assert!(app.dirty);
    assert_eq!(app.path.as_deref(), Some(file.as_path()));
    assert_eq!(app.policies.editors[0].text(), edited);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    let shown = screen(&app);
    assert!(shown.contains("Not a directory"), "{shown}");
}

/// Breaks the first policy: an unclosed string at its top.
fn break_policy(app: &mut App) {
    type_text(app, "\"BROKEN");
    assert!(app.errors.first().is_some_and(|e| !e.is_empty()));
}

#[test]
fn ctrl_s_with_a_policy_that_does_not_parse_offers_a_draft_beside_the_file() {
    let (dir, file, mut app) = opened_copy();
    let before = std::fs::read_to_string(&file).unwrap();
    break_policy(&mut app);
    press(&mut app, ctrl('s'));
    let draft = dir.path().join("s.draft.json");
    assert_eq!(
        app.mode,
        Mode::ConfirmDraft(
            match &app.mode {
                Mode::ConfirmDraft(about, _) => about.clone(),
                _ => String::new(),
            },
            draft.clone()
        )
    );
    let shown = screen(&app);
    assert!(shown.contains("\"ReadReports\" does not parse"), "{shown}");
    assert!(shown.contains("s.draft.json"), "{shown}");
    // No: nothing written anywhere.
    press(&mut app, key(KeyCode::Char('n')));
    assert!(!draft.exists());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // Yes: the draft, and the file as it was; the edits are still unsaved.
    press(&mut app, ctrl('s'));
    press(&mut app, key(KeyCode::Char('y')));
    assert!(draft.exists(), "{:?}", app.message);
    let drafted = std::fs::read_to_string(&draft).unwrap();
    assert!(drafted.contains("BROKEN"));
    // The file's own bytes, the broken policy kept as a JSON string of its text: the
    // draft is JSON that opens again.
    assert!(
        iamtrace::input::load_for_editing(&drafted).is_ok(),
        "{drafted}"
    );
    let head = before.find("\"document\"").unwrap();
    assert_eq!(drafted[..head], before[..head]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    assert!(app.dirty);
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .starts_with("saved a draft")
    );

    // Opening the file now offers the (newer) draft; yes opens it as unsaved edits,
    // and Ctrl+S once fixed saves to the file.
    let f = std::fs::File::options().write(true).open(&file).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        .unwrap();
    drop(f);
    let mut again = open(&file);
    assert_eq!(again.mode, Mode::ConfirmOpenDraft(draft.clone()));
    assert!(screen(&again).contains("is newer than the file"));
    press(&mut again, key(KeyCode::Char('y')));
    assert!(again.dirty);
    assert_eq!(again.path.as_deref(), Some(file.as_path()));
    assert!(again.policies.editors[0].text().contains("BROKEN"));
    // No instead: the file as it is, the draft kept.
    let mut refused = open(&file);
    press(&mut refused, key(KeyCode::Char('n')));
    assert!(!refused.dirty);
    assert!(draft.exists());
    // A draft older than the file is not offered.
    let f = std::fs::File::options().write(true).open(&draft).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(600))
        .unwrap();
    drop(f);
    assert_eq!(open(&file).mode, Mode::Normal);
}

#[test]
fn the_help_lists_save_as() {
    let (_dir, _file, mut app) = opened_copy();
    press(&mut app, key(KeyCode::F(1)));
    let shown = screen(&app);
    assert!(shown.contains("Ctrl+Alt+S"), "{shown}");
    assert!(shown.contains("save as"), "{shown}");
}

/// A bare policy is the user's file: saved as typed even when it does not parse (no
/// draft), through the same questions (here: changed on disk).
#[test]
fn a_bare_policy_is_saved_as_typed_and_still_asked_about_changes_on_disk() {
    use iamtrace::tui::file::Shape;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.json");
    let text = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}\n";
    std::fs::write(&file, text).unwrap();
    let loaded = iamtrace::input::load(text, &Default::default()).unwrap();
    let mut app =
        App::new(loaded.scenario, Some(file.clone())).with_file(text.into(), Shape::Policy);
    type_text(&mut app, "\"BROKEN");
    assert!(app.errors.first().is_some_and(|e| !e.is_empty()));
    std::fs::write(&file, text.replace("GetObject", "PutObject")).unwrap();
    press(&mut app, ctrl('s'));
    assert_eq!(question(&app), Refusal::Changed);
    press(&mut app, key(KeyCode::Char('y')));
    assert!(!app.dirty, "{:?}", app.message);
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.starts_with("\"BROKEN{\"Version\""), "{saved}");
    assert!(!dir.path().join("policy.draft.json").exists());
}

/// A bare policy file: Ctrl+S writes the policy document only (saying what stays
/// unsaved), Ctrl+E saves the whole scenario under a new name, and from then on that
/// scenario file is what is open.
#[test]
fn a_bare_policy_saves_as_itself_and_the_scenario_goes_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.json");
    let policy = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}\n";
    std::fs::write(&file, policy).unwrap();
    let mut app = App::new(load_str(policy).unwrap(), Some(file.clone()))
        .with_file(policy.to_string(), iamtrace::tui::file::Shape::Policy);
    // A request typed into the form: the scenario around the policy.
    press(&mut app, key(KeyCode::Tab));
    type_text(&mut app, "arn:aws:iam::111122223333:user/u");
    press(&mut app, key(KeyCode::Down));
    type_text(&mut app, "s3:GetObject");
    press(&mut app, key(KeyCode::Down));
    type_text(&mut app, "arn:aws:s3:::b/k");
    assert_eq!(app.scenario.requests.len(), 1);
    press(&mut app, ctrl('s'));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        policy,
        "the policy as it was"
    );
    let said = app.message.clone().unwrap_or_default();
    assert!(
        said.contains("1 request") && said.contains("unsaved"),
        "{said}"
    );
    // Ctrl+E onto the policy file itself is refused.
    press(&mut app, ctrl('e'));
    assert!(
        matches!(app.mode, Mode::SaveScenarioAs(_)),
        "{:?}",
        app.mode
    );
    for _ in 0.."scenario.json".len() {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, file.to_str().unwrap());
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), policy);
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("policy document itself")
    );
    // Under a new name: a scenario with the policy and the request.
    let scenario = dir.path().join("s.json");
    press(&mut app, ctrl('e'));
    for _ in 0.."scenario.json".len() {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, scenario.to_str().unwrap());
    press(&mut app, key(KeyCode::Enter));
    let written = std::fs::read_to_string(&scenario).unwrap();
    let loaded = load_str(&written).unwrap();
    assert_eq!(loaded.sources.len(), 1);
    assert_eq!(loaded.requests.len(), 1);
    assert_eq!(app.path.as_deref(), Some(scenario.as_path()));
    assert!(!app.dirty);
    // Ctrl+S now writes into the scenario file, the policy file untouched.
    press(
        &mut app,
        KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
    );
    type_text(&mut app, " ");
    press(&mut app, ctrl('s'));
    assert!(!app.dirty, "{:?}", app.message);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), policy);
    assert_ne!(std::fs::read_to_string(&scenario).unwrap(), written);
    assert_eq!(
        load_str(&std::fs::read_to_string(&scenario).unwrap())
            .unwrap()
            .requests
            .len(),
        1
    );
}

/// Adding and renaming policies keeps the file's layout: the new entry goes after the
/// last of its type, everything before it stays byte for byte.
#[test]
fn adding_a_policy_keeps_the_rest_of_the_file_as_it_was() {
    let (_dir, file, mut app) = opened_copy();
    let before = std::fs::read_to_string(&file).unwrap();
    press(&mut app, key(KeyCode::F(4)));
    press(&mut app, ctrl('s'));
    assert!(!app.dirty, "{:?}", app.message);
    let after = std::fs::read_to_string(&file).unwrap();
    let message = app.message.clone().unwrap_or_default();
    assert!(!message.contains("written anew"), "{message}");
    // The identity array's last entry ends where it did; the new one follows it.
    let loaded = load_str(&before).unwrap();
    let last_identity = loaded
        .sources
        .iter()
        .filter(|s| s.kind == iamtrace::policy::PolicyKind::Identity)
        .filter_map(|s| s.at)
        .map(|at| at.end as usize)
        .max()
        .unwrap();
    assert_eq!(after[..last_identity], before[..last_identity]);
    let again = load_str(&after).unwrap();
    assert_eq!(again.sources.len(), loaded.sources.len() + 1);
    let requests = |s: &iamtrace::scenario::Scenario| -> Vec<_> {
        s.requests.iter().map(|r| r.request.clone()).collect()
    };
    assert_eq!(requests(&again), requests(&loaded));
}

/// A request still being written (only its principal typed) is saved as it is, and the
/// file opens again for editing: nothing saved from the TUI is a file it cannot open.
#[test]
fn a_scenario_saved_with_a_request_half_written_opens_again() {
    let (dir, file, mut app) = opened_copy();
    press(&mut app, key(KeyCode::Tab));
    press(&mut app, key(KeyCode::Down)); // the action
    press(&mut app, key(KeyCode::End));
    for _ in 0..60 {
        press(&mut app, key(KeyCode::Backspace));
    }
    assert_eq!(app.scenario.requests[0].request.action, "");
    press(&mut app, ctrl('s'));
    assert!(!app.dirty, "{:?}", app.message);
    let text = std::fs::read_to_string(&file).unwrap();
    // The engine's reader refuses it (with a position) ...
    assert!(load_str(&text).is_err());
    // ... and the editor's opens it, the request as it was left.
    let again = iamtrace::input::load_for_editing(&text).expect("opens for editing");
    assert_eq!(again.requests[0].request.action, "");
    assert_eq!(again.requests.len(), app.scenario.requests.len());
    drop(dir);
}
