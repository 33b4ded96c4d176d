//! The lesson screen: a lesson opens on its reading, decisions to predict stay hidden
//! until the learner answers (then the trace opens on the row that decided), goals are
//! judged live on the policies as edited and the lesson's own requests, hints come one
//! at a time and the last one's edit is applied by Ctrl+R in the lesson pane, and
//! progress (done, predictions right) is kept in a file. Every built-in lesson is solved
//! through the TUI's own keys. Snapshots at 80×24 and 120×35.

mod common;

use common::{alt, ctrl, key, press, screen_text, type_text};
use crossterm::event::KeyCode;
use iamtrace::learn::builtin::LESSONS;
use iamtrace::learn::progress::{Progress, key_for_builtin};
use iamtrace::learn::{GoalKind, load_lesson};
use iamtrace::trace::Decision;
use iamtrace::tui::app::{App, Focus, Mode, View};
use iamtrace::tui::lesson::LessonSource;
use std::path::PathBuf;

/// Built-in lesson `n` (from 1) open in the TUI, progress kept at `progress`.
fn lesson_app(n: usize, progress: PathBuf) -> App {
    iamtrace::catalog::services::catalog();
    let lesson = load_lesson(LESSONS[n - 1].text).unwrap();
    let mut app = App::for_lesson(lesson, LessonSource::Builtin(n - 1), Some(progress));
    app.refresh_lint();
    app.refresh_lesson();
    app
}

fn state(app: &App) -> &iamtrace::tui::lesson::LessonState {
    app.learning.lesson.as_deref().expect("a lesson is open")
}

/// The key that predicts `d` in the lesson pane.
fn predict_key(d: Decision) -> char {
    match d {
        Decision::Allow => '1',
        Decision::ImplicitDeny => '2',
        Decision::ExplicitDeny => '3',
    }
}

/// The decision of request `i` as the engine gives it now.
fn decision(app: &App, i: usize) -> Decision {
    app.results[i].decision
}

#[test]
fn lesson_one_from_its_reading_to_done_with_progress_kept() {
    let dir = tempfile::tempdir().unwrap();
    let progress = dir.path().join("iamtrace/progress.json");
    let mut app = lesson_app(1, progress.clone());
    // The reading first.
    assert_eq!(app.mode, Mode::About);
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("Lesson 1 of 13"), "{s}");
    assert!(s.contains("docs.aws.amazon.com"), "{s}");
    press(&mut app, key(KeyCode::Esc));
    assert_eq!(app.mode, Mode::Normal);

    // Two predictions: requests 2 and 3 are hidden until answered.
    let steps = state(&app).lesson.predict.clone();
    assert_eq!(steps.len(), 2);
    assert_eq!(app.focus, Focus::Lesson);
    assert_eq!(app.request, steps[0].request);
    for s in &steps {
        assert!(app.decision_hidden(s.request));
    }
    let s = screen_text(&app, 120, 35);
    let strip = s.lines().next().unwrap();
    assert!(
        strip.contains("2 ? ") && strip.contains("3 ? "),
        "hidden in the strip: {strip}"
    );
    assert!(s.contains("Hidden until you predict it"), "{s}");
    assert!(s.contains("(predict it first)"), "{s}");
    // No view gives it away.
    press(&mut app, key(KeyCode::F(9)));
    assert_eq!(app.view, View::Grid);
    assert!(screen_text(&app, 120, 35).contains("Hidden until you predict it"));
    press(&mut app, key(KeyCode::F(9)));
    press(&mut app, key(KeyCode::F(9)));
    press(&mut app, key(KeyCode::F(9)));
    assert_eq!(app.view, View::Trace);

    // A wrong answer first: counted, and the trace opens on what decided.
    let wrong = if steps[0].answer == Decision::Allow {
        Decision::ExplicitDeny
    } else {
        Decision::Allow
    };
    press(&mut app, key(KeyCode::Char(predict_key(wrong))));
    assert_eq!(state(&app).predictions_right(), (0, 1));
    assert!(!app.decision_hidden(steps[0].request));
    assert_eq!(app.focus, Focus::Trace);
    assert_eq!(app.view, View::Trace);
    assert!(app.message.as_deref().unwrap().contains("not quite"));
    // Back to the lesson pane: the next step's request is shown.
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Lesson);
    assert_eq!(app.request, steps[1].request);
    press(&mut app, key(KeyCode::Char(predict_key(steps[1].answer))));
    assert_eq!(state(&app).predictions_right(), (1, 2));
    // An explicit deny: the trace's selected row is the statement that denied.
    let rows = app.tree_rows();
    let d = app.results[steps[1].request].determined_by[0];
    assert_eq!(
        rows[app.trace.selected].id,
        format!("p{}/s{}", d.policy, d.statement)
    );
    let saved = Progress::load(&progress).unwrap();
    let entry = saved.get(&key_for_builtin(LESSONS[0].file));
    assert_eq!((entry.right, entry.predicted, entry.done), (1, 2, false));

    // Goals: not all met as shipped.
    let (met, goals) = state(&app).goals_met();
    assert!(met < goals);
    // Hints one by one; Ctrl+R before the answer is shown applies nothing.
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Lesson);
    press(&mut app, ctrl('r'));
    assert!(!app.dirty);
    let hints = state(&app).lesson.hints.len();
    for n in 1..=hints {
        press(&mut app, key(KeyCode::Char('h')));
        assert_eq!(state(&app).hints_shown, n);
        assert!(
            app.message
                .as_deref()
                .unwrap()
                .starts_with(&format!("hint {n}/"))
        );
    }
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("was: ") && s.contains("now: "), "{s}");
    // The answer, applied: every goal met, done, kept.
    press(&mut app, ctrl('r'));
    assert!(app.dirty);
    assert!(state(&app).done, "{:?}", state(&app).outcomes);
    assert!(screen_text(&app, 120, 35).contains("Done: every goal is met"));
    let saved = Progress::load(&progress).unwrap();
    assert!(saved.get(&key_for_builtin(LESSONS[0].file)).done);
    // Undone: the goals follow, the progress stays.
    press(&mut app, ctrl('z'));
    assert!(!state(&app).done);
    assert!(
        Progress::load(&progress)
            .unwrap()
            .get(&key_for_builtin(LESSONS[0].file))
            .done
    );
}

/// Every built-in lesson, through the keys a learner presses: predictions answered
/// right, hints to the last, Ctrl+R in the lesson pane: done.
#[test]
fn every_builtin_lesson_is_solved_by_its_answer_in_the_tui() {
    let dir = tempfile::tempdir().unwrap();
    let progress = dir.path().join("progress.json");
    for n in 1..=LESSONS.len() {
        let mut app = lesson_app(n, progress.clone());
        press(&mut app, key(KeyCode::Esc));
        let steps = state(&app).lesson.predict.clone();
        for s in &steps {
            app.focus = Focus::Lesson;
            press(&mut app, key(KeyCode::Char(predict_key(s.answer))));
            assert_eq!(decision(&app, s.request), s.answer, "lesson {n}");
        }
        assert_eq!(state(&app).predictions_right(), (steps.len(), steps.len()));
        assert!(!state(&app).done, "lesson {n} is done as shipped");
        app.focus = Focus::Lesson;
        for _ in 0..state(&app).lesson.hints.len() {
            press(&mut app, alt(KeyCode::Char('h')));
        }
        press(&mut app, ctrl('r'));
        assert!(
            state(&app).done,
            "lesson {n}: {:?} {:?}",
            state(&app).outcomes,
            app.message
        );
    }
    let saved = Progress::load(&progress).unwrap();
    let keys: Vec<String> = LESSONS.iter().map(|l| key_for_builtin(l.file)).collect();
    assert_eq!(
        saved.done_count(keys.iter().map(String::as_str)),
        LESSONS.len()
    );
}

/// Goals are judged on the lesson's requests as shipped: editing the request shown to
/// fit the policy meets nothing.
#[test]
fn editing_a_request_does_not_meet_a_goal() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lesson_app(1, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    for s in state(&app).lesson.predict.clone() {
        app.focus = Focus::Lesson;
        press(&mut app, key(KeyCode::Char(predict_key(s.answer))));
    }
    // The goal that fails: request 2 should be allowed.
    let (goal, request) = state(&app)
        .lesson
        .goals
        .iter()
        .enumerate()
        .find_map(|(g, goal)| match goal.kind {
            GoalKind::Decision {
                request,
                decision: Decision::Allow,
            } => (decision_of(&app, request) != Decision::Allow).then_some((g, request)),
            _ => None,
        })
        .expect("a failing Allow goal");
    app.select_request(request);
    app.focus = Focus::Request;
    // The resource row: make it one the Allow covers.
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::End));
    for _ in 0..60 {
        press(&mut app, key(KeyCode::Backspace));
    }
    type_text(&mut app, "arn:aws:s3:::reports/public/menu.txt");
    assert_eq!(
        decision(&app, request),
        Decision::Allow,
        "the edited request is allowed"
    );
    let outcomes = state(&app).outcomes.clone().unwrap().unwrap();
    assert!(
        !outcomes[goal].met(),
        "the goal is judged on the shipped request"
    );
}

fn decision_of(app: &App, i: usize) -> Decision {
    app.results[i].decision
}

/// A policy that does not parse: the goals wait, saying which and why.
#[test]
fn goals_wait_while_a_policy_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lesson_app(2, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    app.focus = Focus::Policies;
    type_text(&mut app, "{{{");
    assert!(matches!(state(&app).outcomes, Some(Err(_))));
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("The goals wait:"), "{s}");
    assert!(!state(&app).done);
}

/// Alt+L lists the lessons; Enter opens one. A lesson with edits, not done, asks before
/// it is left; a scenario with unsaved edits is never replaced by a lesson.
#[test]
fn the_lesson_list_and_leaving_a_lesson() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lesson_app(1, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, alt(KeyCode::Char('l')));
    assert_eq!(app.mode, Mode::Lessons(0));
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("0 of 13 done"), "{s}");
    assert!(s.contains("13  "), "{s}");
    press(&mut app, key(KeyCode::Down));
    press(&mut app, key(KeyCode::Enter));
    assert_eq!(state(&app).number(), Some(2));
    assert_eq!(app.mode, Mode::About, "a lesson opens on its reading");
    press(&mut app, key(KeyCode::Esc));

    // An edit, then Alt+N: asked; n stays, y leaves.
    app.focus = Focus::Policies;
    type_text(&mut app, " ");
    assert!(app.dirty);
    press(&mut app, alt(KeyCode::Char('n')));
    assert_eq!(app.mode, Mode::ConfirmLeaveLesson(2));
    press(&mut app, key(KeyCode::Char('n')));
    assert_eq!(state(&app).number(), Some(2));
    press(&mut app, alt(KeyCode::Char('n')));
    press(&mut app, key(KeyCode::Char('y')));
    assert_eq!(state(&app).number(), Some(3));
    assert!(!app.dirty);

    // A plain scenario with unsaved edits.
    let mut plain = common::app_from("assets/scenarios/client-vpn-source-ip.json");
    type_text(&mut plain, " ");
    assert!(plain.dirty);
    press(&mut plain, alt(KeyCode::Char('l')));
    press(&mut plain, key(KeyCode::Enter));
    assert!(plain.learning.lesson.is_none());
    assert!(
        plain
            .message
            .as_deref()
            .unwrap()
            .contains("unsaved changes")
    );
}

/// Tab reaches the lesson pane only while a lesson is open.
#[test]
fn the_lesson_pane_is_in_the_tab_order_only_in_a_lesson() {
    let mut plain = common::app_from("assets/scenarios/client-vpn-source-ip.json");
    for _ in 0..6 {
        press(&mut plain, key(KeyCode::Tab));
        assert_ne!(plain.focus, Focus::Lesson);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut app = lesson_app(3, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    app.focus = Focus::Policies;
    let mut seen = Vec::new();
    for _ in 0..4 {
        press(&mut app, key(KeyCode::Tab));
        seen.push(app.focus);
    }
    assert_eq!(
        seen,
        [Focus::Request, Focus::Trace, Focus::Lesson, Focus::Policies]
    );
}

#[test]
fn lesson_screens_at_80x24_and_120x35() {
    let dir = tempfile::tempdir().unwrap();
    // Lesson 1 as it opens, its reading put away: a prediction to make.
    let mut app = lesson_app(1, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    for (w, h) in [(80, 24), (120, 35)] {
        insta::assert_snapshot!(format!("lesson_predict_{w}x{h}"), screen_text(&app, w, h));
    }
    // Lesson 3 with the answer shown, the editor focused.
    let mut app = lesson_app(3, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    for s in state(&app).lesson.predict.clone() {
        app.focus = Focus::Lesson;
        press(&mut app, key(KeyCode::Char(predict_key(s.answer))));
    }
    for _ in 0..state(&app).lesson.hints.len() {
        press(&mut app, alt(KeyCode::Char('h')));
    }
    app.focus = Focus::Policies;
    app.sync_focus();
    for (w, h) in [(80, 24), (120, 35)] {
        insta::assert_snapshot!(format!("lesson_answer_{w}x{h}"), screen_text(&app, w, h));
    }
    // The reading, and the list.
    press(&mut app, ctrl('o'));
    insta::assert_snapshot!("lesson_reading_120x35", screen_text(&app, 120, 35));
    press(&mut app, key(KeyCode::Esc));
    press(&mut app, alt(KeyCode::Char('l')));
    // The place shown, not the test's temporary one (nothing is saved from here on).
    app.learning.path = Some("/home/learner/.local/share/iamtrace/progress.json".into());
    insta::assert_snapshot!("lesson_list_80x24", screen_text(&app, 80, 24));
}

/// Pseudo-random keys on a lesson (predictions, hints, the list, lessons opened and
/// left, edits, undo) never panic, and every screen size draws.
#[test]
fn random_keys_on_lessons_never_panic() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    let codes = [
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Esc,
        KeyCode::Enter,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Backspace,
        KeyCode::F(9),
        KeyCode::F(4),
        KeyCode::F(8),
    ];
    let chars: Vec<char> = "123hnlyrz{\"ab ".chars().collect();
    for seed in 1..=4u64 {
        let mut app = lesson_app(seed as usize * 3, dir.path().join("p.json"));
        let mut x = seed;
        let mut next = |n: usize| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) as usize) % n
        };
        for _ in 0..1500 {
            let code = if next(2) == 0 {
                codes[next(codes.len())]
            } else {
                KeyCode::Char(chars[next(chars.len())])
            };
            let modifiers = match next(6) {
                0 => KeyModifiers::CONTROL,
                1 => KeyModifiers::ALT,
                _ => KeyModifiers::NONE,
            };
            app.quit = false;
            press(&mut app, KeyEvent::new(code, modifiers));
            if next(50) == 0 {
                for (w, h) in [(80, 24), (120, 35), (60, 16)] {
                    screen_text(&app, w, h);
                }
            }
        }
    }
}

/// While a decision is still to predict, no key gives it away: Ctrl+T (expect it),
/// Ctrl+R (a fix for it) outside the lesson pane, the trace's keys, the request list's
/// edits (the requests to predict are known by their place), hints; the changes view
/// leaves it out. A prediction is judged on the policies as they are when made.
#[test]
fn nothing_gives_a_hidden_decision_away() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = lesson_app(1, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    let hidden = state(&app).lesson.predict[0].request;
    assert_eq!(app.request, hidden);
    let predict_first = |app: &App| {
        app.message
            .as_deref()
            .is_some_and(|m| m.starts_with("predict this request's decision first"))
    };
    for k in [ctrl('t'), ctrl('r')] {
        app.focus = Focus::Request;
        app.message = None;
        press(&mut app, k);
        assert!(predict_first(&app), "{k:?}: {:?}", app.message);
    }
    assert_eq!(app.scenario.requests[hidden].expect, None);
    assert!(!app.dirty);
    app.focus = Focus::Trace;
    let (selected, editor) = (app.trace.selected, app.policies.current);
    for k in [
        KeyCode::Down,
        KeyCode::End,
        KeyCode::Enter,
        KeyCode::Char('f'),
    ] {
        app.message = None;
        press(&mut app, key(k));
        assert!(predict_first(&app), "{k:?}");
    }
    assert_eq!(
        (app.trace.selected, app.policies.current),
        (selected, editor)
    );
    app.focus = Focus::Request;
    let n = app.scenario.requests.len();
    for k in [key(KeyCode::F(6)), key(KeyCode::F(8)), alt(KeyCode::Up)] {
        app.message = None;
        press(&mut app, k);
        assert!(predict_first(&app), "{k:?}");
    }
    assert_eq!(app.scenario.requests.len(), n);
    press(&mut app, alt(KeyCode::Char('h')));
    assert_eq!(state(&app).hints_shown, 0);
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("after the predictions")
    );

    // The changes view of request 1 lists no hidden request's change: DenyPayroll
    // emptied, request 3 changes from its shipped decision, unseen.
    let shipped = decision(&app, 2);
    app.select_request(0);
    app.view = View::Changes;
    let none = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}"#;
    assert!(app.replace_policy_text(1, none.into(), "test".into(), 0));
    app.evaluate_now();
    assert_ne!(decision(&app, 2), shipped);
    app.refresh_views();
    let s = screen_text(&app, 120, 35);
    assert!(s.contains("Changes since loaded"), "{s}");
    assert!(!s.contains("June's payroll: "), "{s}");

    // Edited before predicting: judged on what the engine gives now, which the trace
    // then shows.
    let mut app = lesson_app(1, dir.path().join("p.json"));
    press(&mut app, key(KeyCode::Esc));
    let step = state(&app).lesson.predict[0].clone();
    app.focus = Focus::Policies;
    app.policies.current = 0;
    app.sync_focus();
    let edit = state(&app).lesson.answer().cloned().unwrap();
    let text = app.scenario.sources[0]
        .text
        .replacen(&edit.before, &edit.after, 1);
    assert!(app.replace_policy_text(0, text, "test".into(), 0));
    app.evaluate_now();
    let now = decision(&app, step.request);
    assert_ne!(
        now,
        step.answer,
        "the edit changes request {}",
        step.request + 1
    );
    app.focus = Focus::Lesson;
    press(&mut app, key(KeyCode::Char(predict_key(now))));
    assert_eq!(state(&app).predictions_right(), (1, 1));
}
