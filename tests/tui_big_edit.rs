//! Typing in a policy of many statements: the TUI parses and lints only the statement
//! under the cursor (counted, not timed), and after every key its errors, lint
//! findings and results are those a full evaluation of the same scenario gives —
//! also while a key breaks the JSON and a later one repairs it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::input::load_str;
use iamtrace::tui::app::{App, evaluate_scenario_for};
use iamtrace::tui::update::handle_key;

/// Two identity policies: a small one, and one of `n` statements (Sids numbered,
/// conditions and resources that lint has things to say about).
fn scenario(n: usize) -> String {
    let statements: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"Sid": "S{i}", "Effect": "{}", "Action": ["s3:GetObject", "s3:Get*", "ec2:Describe{i}"], "Resource": "arn:aws:s3:::bucket-{i}/*", "Condition": {{"StringEquals": {{"aws:PrincipalTag/team": "t{i}"}}}}}}"#,
                if i % 7 == 3 { "Deny" } else { "Allow" }
            )
        })
        .collect();
    format!(
        r#"{{"policies": {{"identity": [
            {{"name": "small", "document": {{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}}}}}},
            {{"name": "big", "document": {{"Version": "2012-10-17", "Statement": [{}]}}}}]}},
          "requests": [
            {{"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket-5/k", "context": {{"aws:PrincipalTag/team": "t5"}}}},
            {{"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket-3/k", "context": {{"aws:PrincipalTag/team": "t3"}}}}]}}"#,
        statements.join(",\n")
    )
}

fn press(app: &mut App, code: KeyCode) {
    if handle_key(app, KeyEvent::new(code, KeyModifiers::NONE)) {
        app.evaluate_now();
    }
}

/// The app's evaluation is the one a fresh, full evaluation gives.
fn assert_as_full(app: &App, what: &str) {
    let full = evaluate_scenario_for(&app.scenario, Some(app.request));
    assert_eq!(app.errors, full.errors, "{what}: errors");
    assert_eq!(Some(&app.lint.findings), full.lint.as_ref(), "{what}: lint");
    if let Some(results) = &full.results {
        assert_eq!(&app.results, results, "{what}: results");
        assert!(!app.stale, "{what}");
    } else {
        assert!(app.stale, "{what}");
    }
}

#[test]
fn typing_in_a_big_policy_parses_one_statement_and_gives_the_full_results() {
    iamtrace::catalog::services::catalog();
    let mut app = App::new(load_str(&scenario(150)).expect("loads"), None);
    app.refresh_lint();
    app.policies.current = 1;
    assert_as_full(&app, "as loaded");
    let text = app.policies.editors[1].text();
    // The cursor in statement 40's Sid, then its Effect's value, then statement 120's.
    let place = |needle: &str| {
        let (i, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .expect("the needle is in the policy");
        (i as u64 + 1, line.find(needle).unwrap() as u64 + 1)
    };
    // Typing and deleting; a quote that breaks the JSON, and its deletion that repairs
    // it; a brace inside the string (still valid JSON).
    let keys: Vec<KeyCode> = "x9\u{8}\u{8}\"\u{8}}\u{8}y\u{8}"
        .chars()
        .map(|c| match c {
            '\u{8}' => KeyCode::Backspace,
            c => KeyCode::Char(c),
        })
        .collect();
    for needle in ["\"S40\"", "\"Deny\"", "\"S120\"", "ec2:Describe7\""] {
        let (line, column) = place(needle);
        app.policies.editors[1].jump(line, column + 2);
        for (k, key) in keys.iter().enumerate() {
            press(&mut app, *key);
            assert_as_full(&app, &format!("{needle}, key {k} ({key:?})"));
        }
        // Back to the text as loaded, so the next place is where it was.
        assert!(app.policies.editors[1].text() == text, "{needle}");
    }
    let (one, whole) = app.policy_cache.counts();
    // Every key but the quote and its repair changed one statement; those two, and the
    // first parse of each policy, read it whole.
    assert_eq!((one, whole), (4 * 8, 2 + 4 * 2));
}
