//! TUI benchmark: one editor keystroke → re-parse every policy → re-evaluate every
//! request → render a 120×35 frame into a TestBackend, on a scenario with one ~20 KB
//! policy (the generated 60 statements of the engine bench) and 6 requests. Also the
//! time from a scenario's text to the first frame, and a keystroke in a lesson (its
//! goals judged again).
//!
//! `cargo bench --bench tui` runs the criterion groups, then prints the median and
//! 99th percentile of single keystrokes timed one by one: first before the service
//! catalog is loaded (as at start-up: no lint), then with it (lint on every keystroke).

// The engine bench's generator; its iam-rs helpers are not used here.
#[allow(dead_code)]
mod support;

use criterion::Criterion;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::tui::app::App;
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::{Duration, Instant};

const CLIENT_VPN: &str = include_str!("../assets/scenarios/client-vpn-source-ip.json");

/// One identity policy holding all generated statements, and six requests.
fn big_scenario() -> String {
    support::one_policy_scenario(1)
}

/// An app on the big scenario, its cursor inside the first Sid's value.
fn big_app() -> App {
    app_on(&big_scenario())
}

/// An app on `text`, its cursor inside the first Sid's value.
fn app_on(text: &str) -> App {
    let scenario = load_str(text).expect("the generated scenario loads");
    let mut app = App::new(scenario, None);
    let text = app.policies.editors[0].text();
    let (line, col) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("\"Sid\": \"").map(|c| (i + 1, c + 9)))
        .expect("a Sid in the policy");
    app.policies.editors[0].jump(line as u64, col as u64);
    app
}

/// One keystroke as the event loop handles it: the key, a re-evaluation, a frame.
/// Alternates a letter and Backspace so the text stays the same size.
fn keystroke(app: &mut App, terminal: &mut Terminal<TestBackend>, n: usize) {
    let code = if n % 2 == 0 {
        KeyCode::Char('x')
    } else {
        KeyCode::Backspace
    };
    if handle_key(app, KeyEvent::new(code, KeyModifiers::NONE)) {
        app.evaluate_now();
    }
    terminal
        .draw(|f| f.render_widget(&*app, f.area()))
        .expect("TestBackend draws");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let scenario_text = big_scenario();
    let policy_text = {
        let app = big_app();
        app.policies.editors[0].text()
    };
    let compact: usize = serde_json::from_str::<serde_json::Value>(&policy_text)
        .map(|v| v.to_string().len())
        .unwrap_or(0);
    println!(
        "scenario: one policy of {} bytes as edited ({} bytes compact), 6 requests",
        policy_text.len(),
        compact
    );
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(60)
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(3));
    {
        let mut app = big_app();
        assert!(!app.stale, "the generated policy is valid");
        let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
        let mut n = 0;
        c.bench_function("keystroke/20KB-policy-6-requests", |b| {
            b.iter(|| {
                keystroke(&mut app, &mut terminal, n);
                n += 1;
            })
        });
    }
    c.bench_function("first-frame/client-vpn", |b| {
        b.iter(|| {
            let scenario = load_str(CLIENT_VPN).expect("built-in scenario loads");
            let app = App::new(scenario, None);
            let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
            terminal
                .draw(|f| f.render_widget(&app, f.area()))
                .expect("draws");
        })
    });
    c.bench_function("first-frame/20KB-policy", |b| {
        b.iter(|| {
            let scenario = load_str(&scenario_text).expect("loads");
            let app = App::new(scenario, None);
            let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
            terminal
                .draw(|f| f.render_widget(&app, f.area()))
                .expect("draws");
        })
    });
    {
        // A lesson: each keystroke also judges its goals again (the edited policies
        // parsed, the lesson's requests evaluated) and draws the lesson pane.
        // Lesson 12, the Client VPN guardrail (index 11).
        let twelve = 11;
        let lesson = iamtrace::learn::load_lesson(iamtrace::learn::builtin::LESSONS[twelve].text)
            .expect("lesson 12 loads");
        let mut app = App::for_lesson(
            lesson,
            iamtrace::tui::lesson::LessonSource::Builtin(twelve),
            Some(std::env::temp_dir().join("iamtrace-bench-progress.json")),
        );
        app.mode = iamtrace::tui::app::Mode::Normal;
        app.focus = iamtrace::tui::app::Focus::Policies;
        app.sync_focus();
        let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
        let mut n = 0u32;
        c.bench_function("keystroke/lesson-12", |b| {
            b.iter(|| {
                let code = if n % 2 == 0 {
                    KeyCode::Char(' ')
                } else {
                    KeyCode::Backspace
                };
                n += 1;
                if handle_key(&mut app, KeyEvent::new(code, KeyModifiers::NONE)) {
                    app.evaluate_now();
                }
                terminal
                    .draw(|f| f.render_widget(&app, f.area()))
                    .expect("draws");
            })
        });
    }
    {
        // A template's document (YAML with !Sub and !If, parsed with the template
        // around it) edited, as its role's 16 policies are evaluated: the fixture
        // all-types.yaml, role AppRole (ReadOnlyAccess attached, 2,900 lines).
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/iac/all-types.yaml"
        );
        let text = std::fs::read_to_string(path).expect("fixture");
        let options = iamtrace::input::LoadOptions {
            principal: Some("AppRole".into()),
            ..Default::default()
        };
        let kind = iamtrace::input::Kind::CloudFormation;
        let loaded = iamtrace::input::iac::load_for_editing(kind, &text, &options).expect("loads");
        let mut app = App::for_template(kind, text, loaded, None, options);
        app.policies.current = app
            .scenario
            .sources
            .iter()
            .position(|s| s.name.as_deref() == Some("AppRole/Policies/data"))
            .expect("the inline policy");
        app.policies.editors[app.policies.current].jump(3, 23);
        app.evaluate_now();
        assert!(!app.stale, "the template's policies are valid");
        let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
        let mut n = 0;
        c.bench_function("keystroke/template-all-types-16-policies", |b| {
            b.iter(|| {
                keystroke(&mut app, &mut terminal, n);
                n += 1;
            })
        });
    }
    c.final_summary();
    trail_first_frame();

    // Single keystrokes timed one by one, for the median and the tail; without the
    // catalog (start-up), then with it (every keystroke lints too).
    keystrokes("keystroke (key → parse → evaluate 6 requests → 120×35 frame)");
    iamtrace::catalog::services::catalog();
    keystrokes("keystroke with lint (… → lint → frame)");
    // 17 copies of the 60 statements: a policy of 1,020 statements, edited in place
    // (as the event loop does when an evaluation fits its budget).
    let text = support::one_policy_scenario(17);
    let mut app = app_on(&text);
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    let mut times: Vec<Duration> = (0..40)
        .map(|n| {
            let t = Instant::now();
            keystroke(&mut app, &mut terminal, n);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "keystroke with lint on a 1,020-statement policy ({} bytes), 40 keystrokes: median {:.1} ms, max {:.1} ms",
        app.policies.editors[0].text().len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
}

fn keystrokes(label: &str) {
    let mut app = big_app();
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    for n in 0..200 {
        keystroke(&mut app, &mut terminal, n);
    }
    let mut times: Vec<Duration> = (0..2000)
        .map(|n| {
            let t = Instant::now();
            keystroke(&mut app, &mut terminal, n);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{label}, 2000 keystrokes: median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
}

/// The first frame on a large CloudTrail file: opening it lazily (the index starts in
/// the background, the first records are read and evaluated) and drawing 120×35, timed
/// ten times. Uses the 500 MB trail `cargo bench --bench replay` writes.
fn trail_first_frame() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data/cloudtrail-500mb.json");
    let Ok(meta) = std::fs::metadata(&path) else {
        println!(
            "first frame on a large trail: skipped ({} is written by `cargo bench --bench replay`)",
            path.display()
        );
        return;
    };
    let mut times: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            let app = App::open_trail(&path, "cloudtrail-500mb.json".into()).expect("opens");
            let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
            terminal
                .draw(|f| f.render_widget(&app, f.area()))
                .expect("draws");
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "first frame on a {} MB CloudTrail file (open lazily → first records → 120×35 frame), 10 runs: median {:.1} ms, max {:.1} ms",
        meta.len() >> 20,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
}
