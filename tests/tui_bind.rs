//! F7 on an identity, boundary or session policy binds it to a principal (SPEC §6
//! `principal`): the policy then applies only to that principal's requests; empty
//! unbinds it. A text that is not one principal's ARN, or a second boundary for the
//! same principal, is refused with the reason and changes nothing. One undo step;
//! saved as the entry's `principal`.

mod common;

use common::{app_from_text, key, press, type_text};
use crossterm::event::KeyCode;
use iamtrace::trace::Decision;
use iamtrace::tui::app::{Focus, Mode};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

const TWO_CALLERS: &str = r#"{
  "policies": {
    "identity": [
      {"name": "Reads", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}}
    ],
    "boundary": [
      {"name": "Cap", "principal": "arn:aws:iam::111122223333:user/alice", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}},
      {"name": "Cap2", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}, "principal": "arn:aws:iam::111122223333:role/builder"}
    ]
  },
  "requests": [
    {"name": "alice reads", "principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"},
    {"name": "bob reads", "principal": "arn:aws:iam::111122223333:user/bob", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"}
  ]
}
"#;

fn decisions(app: &iamtrace::tui::app::App) -> Vec<Decision> {
    app.results.iter().map(|r| r.decision).collect()
}

/// F7 with `text` typed over what the prompt holds, then Enter.
fn place(app: &mut iamtrace::tui::app::App, text: &str) {
    press(app, key(KeyCode::F(7)));
    let Mode::Placement(shown) = app.mode.clone() else {
        panic!("F7 opens the placement prompt: {:?}", app.mode);
    };
    for _ in 0..shown.chars().count() {
        press(app, key(KeyCode::Backspace));
    }
    type_text(app, text);
    press(app, key(KeyCode::Enter));
}

#[test]
fn f7_binds_an_identity_policy_to_a_principal_and_undo_unbinds_it() {
    let mut app = app_from_text(TWO_CALLERS);
    assert_eq!(app.focus, Focus::Policies);
    assert_eq!(decisions(&app), [Decision::Allow, Decision::Allow]);
    place(&mut app, ALICE);
    assert_eq!(app.scenario.sources[0].principal.as_deref(), Some(ALICE));
    // Bob's request is no longer covered by Reads.
    assert_eq!(decisions(&app), [Decision::Allow, Decision::ImplicitDeny]);
    let saved = app.to_save().expect("saves").text;
    assert!(
        saved.contains(&format!("\"principal\": \"{ALICE}\"")),
        "{saved}"
    );
    press(&mut app, common::ctrl('z'));
    assert_eq!(app.scenario.sources[0].principal, None);
    assert_eq!(decisions(&app), [Decision::Allow, Decision::Allow]);
}

#[test]
fn a_text_that_is_not_one_principal_is_refused() {
    let mut app = app_from_text(TWO_CALLERS);
    for bad in [
        "alice",
        "arn:aws:iam::111122223333:user/*",
        "arn:aws:s3:::bucket",
    ] {
        place(&mut app, bad);
        assert_eq!(app.scenario.sources[0].principal, None, "{bad}");
        let m = app.message.clone().unwrap_or_default();
        assert!(m.contains("is not the ARN of one user"), "{bad}: {m}");
        assert!(!app.dirty);
    }
}

#[test]
fn a_second_boundary_for_one_principal_is_refused() {
    let mut app = app_from_text(TWO_CALLERS);
    // To Cap2 (bound to the builder role): binding it to alice would give her two.
    while app.policy_name(app.policies.current) != "Cap2" {
        press(&mut app, key(KeyCode::F(2)));
    }
    place(&mut app, ALICE);
    let m = app.message.clone().unwrap_or_default();
    assert!(m.contains("at most one permissions boundary"), "{m}");
    assert!(
        app.scenario.sources[2]
            .principal
            .as_deref()
            .unwrap()
            .ends_with("role/builder")
    );
    // Unbound, it would apply to alice too.
    place(&mut app, "");
    assert!(app.scenario.sources[2].principal.is_some());
    // Another principal is fine.
    place(&mut app, "arn:aws:iam::111122223333:user/bob");
    assert_eq!(
        app.scenario.sources[2].principal.as_deref(),
        Some("arn:aws:iam::111122223333:user/bob")
    );
}
