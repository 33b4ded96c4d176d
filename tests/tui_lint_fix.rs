//! Ctrl+R on a lint finding: the finding under the editor's cursor (shown under the
//! editor with its fix) or the one selected in the lint view is fixed as one undo step
//! that changes only the edited bytes; findings without a mechanical fix say so.

mod common;

use common::{app_from_text, ctrl, key, press, screen_text};
use crossterm::event::KeyCode;
use iamtrace::tui::app::{Focus, View};

/// A scenario whose one policy compares a wildcard with StringEquals (the fix: StringLike).
const WILDCARD: &str = r#"{
  "policies": {
    "identity": [
      {"name": "Reads", "document": {
        "Version": "2012-10-17",
        "Statement": [
          {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::bucket",
            "Condition": {"StringEquals": {"s3:prefix": "home/*"}}
          }
        ]
      }}
    ]
  },
  "requests": [
    {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:ListBucket",
     "resource": "arn:aws:s3:::bucket", "context": {"s3:prefix": "home/alice"},
     "expect": "allow"}
  ]
}
"#;

fn policy_text(app: &iamtrace::tui::app::App) -> String {
    app.scenario.sources[0].text.clone()
}

/// The line (1-based) of the policy text holding `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines().position(|l| l.contains(needle)).unwrap() as u64 + 1
}

#[test]
fn ctrl_r_on_a_findings_line_applies_its_fix_as_one_undo_step() {
    let mut app = app_from_text(WILDCARD);
    app.evaluate_now();
    assert_eq!(app.focus, Focus::Policies);
    let before = policy_text(&app);
    let line = line_of(&before, "StringEquals");
    app.policies.editors[0].jump(line, 1);
    // The finding is spelled out under the editor with its fix and the key.
    let s = screen_text(&app, 200, 50);
    assert!(s.contains("[wildcard-without-like]"), "{s}");
    assert!(s.contains("fix: StringLike"), "{s}");
    assert!(s.contains("Ctrl+R applies it"), "{s}");
    assert!(app.lint_fix_here().is_some());
    press(&mut app, ctrl('r'));
    let after = policy_text(&app);
    assert_eq!(after, before.replace("\"StringEquals\"", "\"StringLike\""));
    assert!(app.dirty);
    // The request, denied before (StringEquals compares the * as itself), is allowed.
    assert_eq!(app.results[0].decision, iamtrace::trace::Decision::Allow);
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("wildcard-without-like"),
        "{:?}",
        app.message
    );
    // The editor shows the new text.
    assert_eq!(app.policies.editors[0].text(), after);
    assert!(app.undo());
    assert_eq!(policy_text(&app), before);
}

#[test]
fn ctrl_r_in_the_lint_view_fixes_the_selected_finding() {
    let mut app = app_from_text(WILDCARD);
    app.evaluate_now();
    press(&mut app, key(KeyCode::Tab));
    press(&mut app, key(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Trace);
    while app.view != View::Lint {
        press(&mut app, key(KeyCode::F(9)));
    }
    let rows = app.lint.rows();
    let at = rows
        .iter()
        .position(|(_, f)| f.code == "wildcard-without-like")
        .expect("the finding is listed");
    drop(rows);
    app.lint.selected = at;
    let before = policy_text(&app);
    press(&mut app, ctrl('r'));
    assert_eq!(
        policy_text(&app),
        before.replace("\"StringEquals\"", "\"StringLike\"")
    );
    // Linted again: the finding is gone.
    assert!(
        app.lint
            .rows()
            .iter()
            .all(|(_, f)| f.code != "wildcard-without-like")
    );
}

/// The Client VPN guardrail's Deny has no service guard: on its aws:SourceIp line the
/// finding's fix adds the documented guard, in the policy's own layout.
#[test]
fn the_guard_finding_is_fixed_in_the_editor() {
    let mut app = common::app_from("assets/scenarios/client-vpn-source-ip.json");
    app.evaluate_now();
    let pi = (0..app.scenario.sources.len())
        .find(|&i| app.policy_name(i) == "DenyOutsideOffice")
        .unwrap();
    while app.policies.current != pi {
        press(&mut app, key(KeyCode::F(2)));
    }
    let before = app.scenario.sources[pi].text.clone();
    let line = line_of(&before, "aws:SourceIp");
    app.policies.editors[pi].jump(line, 1);
    let (_, f) = app.lint_fix_here().expect("a fix here");
    assert_eq!(f.code, "deny-source-network-without-service-guard");
    press(&mut app, ctrl('r'));
    let after = app.scenario.sources[pi].text.clone();
    assert!(
        after.contains("\"aws:ViaAWSService\": \"false\""),
        "{after}"
    );
    // Only an insertion: the text before and after it is the text as it was.
    let common_prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let added = after.len() - before.len();
    assert_eq!(
        format!(
            "{}{}",
            &after[..common_prefix],
            &after[common_prefix + added..]
        ),
        before
    );
    // Requests 2–4 (the service's calls on alice's behalf) are allowed now.
    for i in 1..4 {
        assert_eq!(
            app.results[i].decision,
            iamtrace::trace::Decision::Allow,
            "request {}",
            i + 1
        );
    }
}

/// A finding whose fix is advice (no mechanical edit) shows the advice without the key,
/// and Ctrl+R there falls back to the policy-edit suggestions.
#[test]
fn advice_is_shown_but_not_applied() {
    let text = WILDCARD.replace(
        r#""Condition": {"StringEquals": {"s3:prefix": "home/*"}}"#,
        r#""Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}"#,
    );
    let mut app = app_from_text(&text);
    app.evaluate_now();
    let line = line_of(&policy_text(&app), "aws:SourceIp");
    app.policies.editors[0].jump(line, 1);
    let f = app.finding_on_cursor_line().expect("a finding").clone();
    assert_eq!(f.code, "private-source-ip");
    assert!(f.fix.is_some() && f.edit.is_none());
    assert!(app.lint_fix_here().is_none());
    let s = screen_text(&app, 160, 35);
    assert!(s.contains("fix: use aws:VpcSourceIp"), "{s}");
    assert!(!s.contains("applies it"), "{s}");
}
