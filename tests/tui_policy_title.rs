//! The policy pane's title says how the policy was read: a bare document's guessed
//! kind ("guessed, --kind to change"), a policy decoded from a JSON string (AWS CLI
//! output), and it fits an 80-column terminal, the name cut first.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::{self, BareKind, LoadOptions};
use iamtrace::tui::app::App;
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// The app as `iamtrace FILE [--kind K]` opens it (src/cli/open.rs): the scenario,
/// and how a bare document was read.
fn open(path: &str, kind: Option<BareKind>) -> App {
    let text = std::fs::read_to_string(path).unwrap();
    let options = LoadOptions {
        kind,
        ..LoadOptions::default()
    };
    let loaded = input::load(&text, &options).unwrap();
    iamtrace::catalog::services::catalog();
    let mut app = App::new(loaded.scenario, None);
    app.read_as = loaded.read_as;
    app
}

fn draw(app: &App, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    t.backend().buffer().clone()
}

/// The editor box's top border (below the list of policies), as text.
fn title_row(app: &App, buf: &Buffer) -> String {
    let p = app.areas(buf.area).policies.unwrap();
    (p.x..p.right())
        .map(|x| buf[(x, p.y + 1)].symbol())
        .collect()
}

fn screen(buf: &Buffer) -> String {
    let a = buf.area;
    (a.y..a.bottom())
        .map(|y| (a.x..a.right()).map(|x| buf[(x, y)].symbol()).collect())
        .collect::<Vec<String>>()
        .join("\n")
}

/// A whole border: corner, title, rule, corner (nothing cut off by the edge).
fn assert_whole(row: &str) {
    assert!(row.starts_with("┌ Policy "), "{row}");
    assert!(row.ends_with('┐'), "{row}");
}

#[test]
fn a_guessed_bare_bucket_policy_says_so_80x24() {
    let app = open("tests/fixtures/inputs/bare/bucket-policy.json", None);
    let buf = draw(&app, 80, 24);
    let row = title_row(&app, &buf);
    assert_whole(&row);
    assert!(
        row.contains("(resource policy; guessed, --kind to change)"),
        "{row}"
    );
    insta::assert_snapshot!(screen(&buf));
}

#[test]
fn a_kind_given_is_not_called_guessed() {
    let app = open(
        "tests/fixtures/inputs/bare/bucket-policy.json",
        Some(BareKind::Resource),
    );
    let row = title_row(&app, &draw(&app, 80, 24));
    assert!(row.contains("(resource policy)"), "{row}");
    assert!(!row.contains("guessed"), "{row}");
}

#[test]
fn a_guessed_trust_policy_is_named_for_what_it_was_read_as() {
    let app = open("tests/fixtures/inputs/bare/trust-policy.json", None);
    let row = title_row(&app, &draw(&app, 80, 24));
    assert!(
        row.contains("(role trust policy; guessed, --kind to change)"),
        "{row}"
    );
}

#[test]
fn retyping_the_policy_drops_the_guess() {
    let mut app = open("tests/fixtures/inputs/bare/bucket-policy.json", None);
    if handle_key(&mut app, KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE)) {
        app.evaluate_now();
    }
    assert_ne!(
        app.scenario.sources[0].kind,
        iamtrace::policy::PolicyKind::Resource
    );
    let row = title_row(&app, &draw(&app, 120, 35));
    assert!(!row.contains("guessed"), "{row}");
}

#[test]
fn a_policy_held_in_a_json_string_is_shown_decoded_80x24() {
    let app = open("tests/fixtures/aws/awscli/get-bucket-policy.json", None);
    let buf = draw(&app, 80, 24);
    let row = title_row(&app, &buf);
    assert_whole(&row);
    assert!(row.contains("; decoded from a JSON string)"), "{row}");
    // The editor shows the policy, not the string.
    let s = screen(&buf);
    assert!(s.contains("\"Version\""), "{s}");
    assert!(!s.contains("\\\""), "{s}");
    insta::assert_snapshot!(s);

    let app = open(
        "tests/fixtures/aws/awscli/get-policy-version-urlencoded.json",
        None,
    );
    // At 80 columns the note is cut short rather than the name.
    let row = title_row(&app, &draw(&app, 80, 24));
    assert_whole(&row);
    assert!(
        row.contains("policy version v3 (identity policy; decoded string)"),
        "{row}"
    );
    // With the whole width (one pane at a time), the note in full.
    let row = title_row(&app, &draw(&app, 200, 20));
    assert!(
        row.contains("; decoded from a URL-encoded JSON string)"),
        "{row}"
    );
}

#[test]
fn a_long_title_fits_80_columns_name_cut_first() {
    let name = "a-policy-with-a-very-long-name-that-goes-on-and-on-and-on";
    let text = format!(
        r#"{{"policies": {{"identity": [{{"name": "{name}", "document": "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}]}}"}}]}}, "requests": []}}"#
    );
    iamtrace::catalog::services::catalog();
    let app = App::new(input::load_str(&text).unwrap(), None);
    assert_eq!(
        app.scenario.sources[0].form,
        iamtrace::scenario::DocumentForm::String
    );
    let buf = draw(&app, 80, 24);
    let row = title_row(&app, &buf);
    assert_whole(&row);
    // The name is cut, the type and the note are whole.
    assert!(row.contains("a-policy-with-a-"), "{row}");
    assert!(row.contains("…"), "{row}");
    assert!(
        row.contains("(identity policy; decoded from a JSON string)"),
        "{row}"
    );
    // Wider, more of the name.
    let row = title_row(&app, &draw(&app, 200, 35));
    assert!(row.contains(&name[..30]), "{row}");

    // Narrower still (the editor box at the smallest terminal): the note shortens.
    let buf = draw(&app, 60, 20);
    let row = title_row(&app, &buf);
    assert_whole(&row);
    assert!(row.contains("(identity policy; decoded string)"), "{row}");
}
