//! A large CloudTrail file in the TUI, opened lazily: the first screen before the
//! trail is indexed, the scenario holding only a window of requests wherever the user
//! goes (next/previous across the window's edges, "go to record N"), edits of a
//! trail's requests kept and undone by record, the changes view computed over every
//! record in the background with "n of N", and saving that writes the policies, not
//! the trail.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::analysis::diff::changed_requests;
use iamtrace::cloudtrail::requests_from_text;
use iamtrace::policy::PolicySet;
use iamtrace::tui::app::{App, View};
use iamtrace::tui::trail::WINDOW;
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::{Path, PathBuf};

/// A trail of `n` events (JSON Lines, every 500th record malformed), written in `dir`.
fn trail(dir: &Path, n: usize) -> (PathBuf, String) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs/trail.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(fixture)
        .expect("the fixture")
        .lines()
        .map(String::from)
        .collect();
    let bad = lines[0].replacen("\"resources\":[", "\"resources\":5,\"x\":[", 1);
    let mut text = String::new();
    for i in 0..n {
        let line = if i % 500 == 499 {
            &bad
        } else {
            &lines[i % lines.len()]
        };
        text.push_str(&line.replacen("T10:0", &format!("T{:02}:0", i % 24), 1));
        text.push('\n');
    }
    let path = dir.join("trail.jsonl");
    std::fs::write(&path, &text).expect("writes");
    (path, text)
}

/// The app on the trail, once it is indexed.
fn open(path: &Path) -> App {
    let mut app = App::open_trail(path, "trail.jsonl".into()).expect("opens");
    app.trail.as_ref().expect("a trail").trail.wait();
    if app.trail_tick() {
        app.evaluate_now();
    }
    app
}

fn press(app: &mut App, k: KeyEvent) {
    if handle_key(app, k) {
        app.evaluate_now();
    }
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// The record shown (0-based).
fn record(app: &App) -> u64 {
    let view = app.trail.as_ref().expect("a trail");
    view.record_of(app.request).expect("a request shown")
}

#[test]
fn the_window_follows_the_user_and_stays_small() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, text) = trail(dir.path(), 3_000);
    let whole = requests_from_text(&text).expect("reads");
    let mut app = open(&path);
    assert_eq!(app.trail.as_ref().expect("a trail").trail.len(), 3_000);
    assert!(app.scenario.requests.len() as u64 <= WINDOW);
    assert_eq!(record(&app), 0);
    assert_eq!(app.results.len(), app.scenario.requests.len(), "evaluated");
    // Forward across several windows: every request in order, as read whole.
    let mut seen = vec![app.scenario.requests[app.request].request.clone()];
    for _ in 0..299 {
        let before = record(&app);
        press(&mut app, ctrl('n'));
        assert!(record(&app) > before, "moves on");
        assert!(app.scenario.requests.len() as u64 <= WINDOW);
        assert_eq!(app.results.len(), app.scenario.requests.len());
        seen.push(app.scenario.requests[app.request].request.clone());
    }
    let expected: Vec<_> = whole.requests[..300]
        .iter()
        .map(|r| r.request.clone())
        .collect();
    assert_eq!(seen, expected);
    // And back.
    for _ in 0..299 {
        let before = record(&app);
        press(&mut app, ctrl('p'));
        assert!(record(&app) < before, "moves back");
    }
    assert_eq!(record(&app), 0);
    // Before the first: the last (the trail is indexed).
    press(&mut app, ctrl('p'));
    assert_eq!(record(&app), 2_998, "record 3,000 is malformed");
    press(&mut app, ctrl('n'));
    assert_eq!(record(&app), 0);
}

#[test]
fn go_to_a_record() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, _) = trail(dir.path(), 2_000);
    let mut app = open(&path);
    press(&mut app, ctrl('g'));
    for c in "1,234".chars() {
        press(&mut app, key(KeyCode::Char(c)));
    }
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(record(&app), 1_233);
    assert!(app.scenario.requests.len() as u64 <= WINDOW);
    // A malformed record: the next request, and why.
    assert!(app.go_to("500"));
    assert_eq!(record(&app), 500);
    let message = app.message.clone().expect("said");
    assert!(message.contains("record 500 is not a request"), "{message}");
    assert!(message.contains("trail.jsonl:500:"), "{message}");
    // Out of range: said, nothing moves.
    assert!(!app.go_to("2001"));
    assert_eq!(record(&app), 500);
    assert!(app.message.clone().expect("said").contains("1 to 2,000"));
    assert!(!app.go_to("abc"));
}

#[test]
fn edits_are_kept_by_record_and_undone_from_afar() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, _) = trail(dir.path(), 2_000);
    let mut app = open(&path);
    app.go_to("1000");
    let at = record(&app);
    let original = app.scenario.requests[app.request].clone();
    press(&mut app, key(KeyCode::Tab));
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::End));
    press(&mut app, key(KeyCode::Char('X')));
    let edited = app.scenario.requests[app.request].clone();
    assert_ne!(edited, original, "the form wrote into the request");
    // Far away and back: the edit is still there.
    app.go_to("10");
    app.evaluate_now();
    assert!(record(&app) < 100);
    app.go_to(&(at + 1).to_string());
    assert_eq!(app.scenario.requests[app.request], edited);
    // Undo from far away brings the request back as it was, where it is.
    app.go_to("10");
    assert!(app.undo());
    app.evaluate_now();
    assert_eq!(record(&app), at);
    assert_eq!(app.scenario.requests[app.request], original);
    // Saving writes the policies and the edited requests, not the trail.
    assert!(app.redo());
    let saved = app.to_save().expect("can be saved");
    assert!(
        saved
            .note
            .expect("a note")
            .contains("the trail's records stay in")
    );
    let back = iamtrace::input::load_str(&saved.text).expect("a scenario");
    assert_eq!(back.requests.len(), 1);
    assert_eq!(back.requests[0].request, edited.request);
}

#[test]
fn the_changes_view_covers_every_record_in_the_background() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, text) = trail(dir.path(), 2_500);
    let mut app = open(&path);
    // A policy allowing s3:GetObject: the trail's GetObject requests change.
    press(&mut app, key(KeyCode::F(4)));
    app.view = View::Changes;
    app.refresh_analysis();
    let progress = app.changes.progress.clone().expect("progress said");
    assert!(progress.contains("records compared"), "{progress}");
    let started = std::time::Instant::now();
    while !app
        .changes
        .progress
        .as_deref()
        .is_some_and(|p| p.starts_with("all "))
    {
        assert!(started.elapsed().as_secs() < 120, "the sweep ends");
        std::thread::sleep(std::time::Duration::from_millis(10));
        app.trail_tick();
    }
    let whole = requests_from_text(&text).expect("reads");
    let requests: Vec<_> = whole
        .requests
        .iter()
        .map(|r| (String::new(), r.request.clone()))
        .collect();
    let set = app.set.clone().expect("valid");
    let expected = changed_requests(&PolicySet::new(), &set, &requests);
    assert!(!expected.is_empty(), "the policy changes some decisions");
    let shown = expected.len().min(iamtrace::tui::sweep::SHOWN);
    assert_eq!(app.changes.requests.len(), shown);
    let progress = app.changes.progress.clone().expect("said");
    assert!(
        progress.contains(&format!(
            "{} differ",
            iamtrace::tui::trail::fmt_count(expected.len() as u64)
        )),
        "{progress}"
    );
    for (got, want) in app.changes.requests.iter().zip(&expected) {
        assert_eq!((got.before, got.after), (want.before, want.after));
    }
}

#[test]
fn the_first_screen_and_the_strip() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, _) = trail(dir.path(), 1_000);
    let mut app = open(&path);
    app.go_to("700");
    app.evaluate_now();
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("a terminal");
    terminal
        .draw(|f| f.render_widget(&app, f.area()))
        .expect("draws");
    let screen: Vec<String> = (0..35)
        .map(|y| {
            (0..120)
                .map(|x| terminal.backend().buffer()[(x, y)].symbol().to_string())
                .collect()
        })
        .collect();
    assert!(screen[0].contains("1,000 records"), "{}", screen[0]);
    assert!(screen[0].contains("700 "), "{}", screen[0]);
    assert!(
        screen[0].contains('‹') && screen[0].contains('›'),
        "{}",
        screen[0]
    );
    assert!(
        screen[1].contains("CloudTrail events as requests"),
        "{}",
        screen[1]
    );
    assert!(screen[2].contains("Record 700 of 1,000"), "{}", screen[2]);
}

/// Record 1 is there before the rest is indexed: the first screen does not wait for
/// the whole trail.
#[test]
fn opening_does_not_read_the_whole_trail() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, _) = trail(dir.path(), 20_000);
    let app = App::open_trail(&path, "trail.jsonl".into()).expect("opens");
    assert!(app.scenario.requests.len() as u64 <= WINDOW);
    assert!(
        !app.scenario.requests.is_empty(),
        "the first records are shown"
    );
    let view = app.trail.as_ref().expect("a trail");
    assert_eq!(view.window.start, 0);
    // The index catches up in the background.
    assert_eq!(view.trail.wait().records, 20_000);
}

/// Once every record has been read in the background, the status line says what the
/// trail holds, as reading it whole counts it: requests, and the malformed records with
/// the first one's place.
#[test]
fn the_trail_is_counted_in_the_background() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, text) = trail(dir.path(), 1_200);
    let mut app = open(&path);
    let started = std::time::Instant::now();
    while !app.trail.as_ref().expect("a trail").counted {
        assert!(started.elapsed().as_secs() < 120, "the sweep ends");
        std::thread::sleep(std::time::Duration::from_millis(10));
        app.trail_tick();
    }
    let whole = requests_from_text(&text).expect("reads");
    let first = &whole.malformed[0];
    let message = app.message.clone().expect("said");
    assert_eq!(
        message,
        format!(
            "trail.jsonl:{}:{}: {} (2 malformed records skipped); trail.jsonl: 1,200 records, {} of them requests",
            first.span.line,
            first.span.column,
            first.message,
            iamtrace::tui::trail::fmt_count(whole.requests.len() as u64)
        )
    );
}

#[test]
fn requests_are_not_added_renamed_deleted_or_moved_in_a_trail() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (path, _) = trail(dir.path(), 200);
    let mut app = open(&path);
    app.go_to("5");
    app.focus = iamtrace::tui::app::Focus::Request;
    let requests = app.scenario.requests.clone();
    let at = record(&app);
    for k in [
        key(KeyCode::F(4)),
        key(KeyCode::F(5)),
        key(KeyCode::F(6)),
        key(KeyCode::F(8)),
        KeyEvent::new(KeyCode::Up, KeyModifiers::ALT),
        KeyEvent::new(KeyCode::Down, KeyModifiers::ALT),
    ] {
        app.message = None;
        press(&mut app, k);
        assert_eq!(app.mode, iamtrace::tui::app::Mode::Normal, "{k:?}");
        let said = app.message.clone().unwrap_or_default();
        assert!(
            said.contains("a trail's requests are its records"),
            "{k:?}: {said}"
        );
        assert_eq!(app.scenario.requests, requests);
        assert_eq!(record(&app), at);
    }
    assert!(!app.dirty);
}
