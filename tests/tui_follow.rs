//! The editor follows what the user looks at: moving in the trace onto a statement's
//! row (or in the lint view onto a finding) shows that place of its policy in the
//! editor, the keyboard staying in the trace; with the editor focused nothing moves it.

mod common;

use common::{app_from, key, press};
use crossterm::event::KeyCode;
use iamtrace::tui::app::{Focus, View};

#[test]
fn moving_in_the_trace_shows_each_statement_in_the_editor() {
    let mut app = app_from("assets/scenarios/client-vpn-source-ip.json");
    press(&mut app, key(KeyCode::Tab));
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Trace);
    let rows = app.tree_rows();
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..rows.len() {
        press(&mut app, key(KeyCode::Down));
        let rows = app.tree_rows();
        let row = &rows[app.trace.selected];
        if let Some((pi, span)) = row.target {
            assert_eq!(app.policies.current, pi, "row {:?}", row.text);
            let (line, _) = app.policies.editors[pi].cursor();
            assert_eq!(line, span.line, "row {:?}", row.text);
            seen.insert(pi);
        }
        assert_eq!(app.focus, Focus::Trace, "the keyboard stays in the trace");
    }
    assert!(seen.len() >= 2, "rows of several policies: {seen:?}");
}

#[test]
fn moving_in_the_lint_view_shows_each_finding() {
    let mut app = app_from("assets/scenarios/client-vpn-source-ip.json");
    press(&mut app, key(KeyCode::Tab));
    press(&mut app, key(KeyCode::Tab));
    while app.view != View::Lint {
        press(&mut app, key(KeyCode::F(9)));
    }
    assert!(app.lint.count() >= 2, "{}", app.lint.count());
    press(&mut app, key(KeyCode::Down));
    let (pi, f) = {
        let rows = app.lint.rows();
        let (pi, f) = rows[app.lint.selected];
        (pi, f.clone())
    };
    assert_eq!(app.policies.current, pi);
    assert_eq!(app.policies.editors[pi].cursor().0, f.span.line);
    assert_eq!(app.focus, Focus::Trace);
}
