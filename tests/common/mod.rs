//! What the TUI test files share: an app from a scenario file, keys as the event loop
//! delivers them (with the re-evaluation it makes after a change), and the screen as
//! text. Each test file uses part of it.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::tui::app::App;
use iamtrace::tui::file::Shape;
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// An app on the scenario file at `path` (relative to the repository), opened as a file
/// so that saving splices into its text, evaluated and linted (the catalog loaded, as
/// the event loop has it after its first moments).
pub fn app_from(path: &str) -> App {
    app_from_text(&std::fs::read_to_string(path).unwrap())
}

/// [`app_from`] for scenario `text` given inline.
pub fn app_from_text(text: &str) -> App {
    iamtrace::catalog::services::catalog();
    let mut app =
        App::new(load_str(text).unwrap(), None).with_file(text.to_string(), Shape::Scenario);
    app.evaluate_now();
    app.refresh_lint();
    app
}

pub fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

pub fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

pub fn shift(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::SHIFT)
}

pub fn alt(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::ALT)
}

/// Types `text` one character at a time (`\n` as Enter).
pub fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        let k = if c == '\n' {
            key(KeyCode::Enter)
        } else {
            key(KeyCode::Char(c))
        };
        press(app, k);
    }
}

/// One key, then a re-evaluation when it changed anything (as the event loop does).
pub fn press(app: &mut App, k: KeyEvent) -> bool {
    let changed = handle_key(app, k);
    if changed {
        app.evaluate_now();
    }
    changed
}

/// `app` drawn on a `w`×`h` test terminal.
pub fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    t
}

/// The screen of `app` at `w`×`h` as text, a line per row.
pub fn screen_text(app: &App, w: u16, h: u16) -> String {
    let t = render(app, w, h);
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

/// The TUI on the CloudFormation template at `path` for `principal` (as `iamtrace
/// FILE --principal` opens it, saving back into the file), evaluated.
pub fn open_template(path: &std::path::Path, principal: &str) -> App {
    use iamtrace::input::{Kind, LoadOptions, iac::load_for_editing};
    iamtrace::catalog::services::catalog();
    let text = std::fs::read_to_string(path).unwrap();
    let options = LoadOptions {
        principal: Some(principal.into()),
        ..Default::default()
    };
    let loaded = load_for_editing(Kind::CloudFormation, &text, &options).unwrap();
    let mut app = App::for_template(
        Kind::CloudFormation,
        text,
        loaded,
        Some(path.to_path_buf()),
        options,
    );
    app.evaluate_now();
    app
}

/// Shows the policy named `name` (F2 until it is shown).
pub fn show_policy(app: &mut App, name: &str) {
    for _ in 0..app.scenario.sources.len() {
        if app.scenario.sources[app.policies.current].name.as_deref() == Some(name) {
            return;
        }
        press(app, key(KeyCode::F(2)));
    }
    let names: Vec<_> = app
        .scenario
        .sources
        .iter()
        .map(|s| s.name.clone())
        .collect();
    panic!("no policy {name}: {names:?}");
}
