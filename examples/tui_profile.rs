//! A steady TUI keystroke workload for a profiler: the tui bench's 1,020-statement
//! policy (17 copies of the generated 60 statements) with the service catalog loaded
//! (lint on), cursor in the first Sid; each round types a letter, then deletes it,
//! evaluating and drawing a 120×35 frame after each key, as `cargo bench --bench tui`
//! does.
//!
//! `valgrind --tool=callgrind target/release/examples/tui_profile 17 10` (copies,
//! rounds); subtract a run with 0 rounds (loading, the first evaluation).

#[allow(dead_code)]
#[path = "../benches/support/mod.rs"]
mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::tui::app::App;
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (copies, rounds) = (arg(0, 17), arg(1, 10));
    iamtrace::catalog::services::catalog();
    let text = support::one_policy_scenario(copies);
    let scenario = iamtrace::input::load_str(&text).expect("the generated scenario loads");
    let mut app = App::new(scenario, None);
    let policy = app.policies.editors[0].text();
    let (line, col) = policy
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("\"Sid\": \"").map(|c| (i + 1, c + 9)))
        .expect("a Sid in the policy");
    app.policies.editors[0].jump(line as u64, col as u64);
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    for n in 0..rounds * 2 {
        let code = if n % 2 == 0 {
            KeyCode::Char('x')
        } else {
            KeyCode::Backspace
        };
        if handle_key(&mut app, KeyEvent::new(code, KeyModifiers::NONE)) {
            app.evaluate_now();
        }
        terminal
            .draw(|f| f.render_widget(&app, f.area()))
            .expect("TestBackend draws");
    }
    assert!(!app.stale, "the policy stays valid");
}
