//! The TUI's decision line says when a decision depends on unresolved template values
//! (placeholders), and the trace rows mark the comparisons they kept undecided.

use iamtrace::input::load_str;
use iamtrace::tui::app::App;
use iamtrace::tui::tree::{TreeState, rows};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = t.backend().buffer();
    let a = buf.area;
    (a.y..a.y + a.height)
        .map(|y| {
            (a.x..a.x + a.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_decision_line_says_it_depends_on_unresolved_values() {
    let text = std::fs::read_to_string("tests/cases/unresolved/deny.json").unwrap();
    iamtrace::catalog::services::catalog();
    let mut app = App::new(load_str(&text).unwrap(), None);
    app.evaluate_now();
    // Request 1: a Deny on a placeholder resource, another resource.
    let s = screen(&app, 200, 45);
    assert!(s.contains("? depends on"), "{s}");
    let result = app.current_result().unwrap();
    // Every row open: the entry of the Deny's Resource carries the mark.
    let mut state = TreeState::default();
    for _ in 0..8 {
        for r in rows(&result.trace, &[], None, None, &state) {
            state.expanded.insert(r.id, true);
        }
    }
    let texts: Vec<String> = rows(&result.trace, &[], None, None, &state)
        .into_iter()
        .map(|r| r.text)
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("\"⟦GetAtt Bucket.Arn⟧/*\" ? unresolved: ⟦GetAtt Bucket.Arn⟧")),
        "{texts:#?}"
    );
}
