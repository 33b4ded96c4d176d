//! The AWS rules that decide whatever the policies say (tests/cases/aws-rules/): the
//! conformance run checks their decisions; this checks that the trace names the rule
//! that decided, that the trace JSON carries the stable codes beside the words, and
//! that why-not suggests no policy change where only AWS's own rule refuses.

use iamtrace::analysis::whynot::{Question, why_not};
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use iamtrace::scenario::Scenario;
use iamtrace::trace::{Rule, StepOutcome, Trace};

fn scenario(name: &str) -> Scenario {
    let path = format!(
        "{}/tests/cases/aws-rules/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("readable case file");
    load_str(&text).unwrap_or_else(|_| panic!("{path} loads"))
}

/// The trace of the request called `request` in `s`, with its why-not question.
fn run(s: &Scenario, request: &str) -> (Trace, Question) {
    let spec = s
        .requests
        .iter()
        .find(|r| r.name.as_deref() == Some(request))
        .unwrap_or_else(|| panic!("request {request:?}"));
    let ev = evaluate(&s.set, &PreparedRequest::new(&spec.request), Detail::Trace);
    let trace = ev.trace.expect("a trace");
    let why = why_not(&s.set, &spec.request, &trace, &ev.determined_by);
    (trace, why.question)
}

fn why_not_of(s: &Scenario, request: &str) -> iamtrace::analysis::whynot::WhyNot {
    let spec = s
        .requests
        .iter()
        .find(|r| r.name.as_deref() == Some(request))
        .unwrap_or_else(|| panic!("request {request:?}"));
    let ev = evaluate(&s.set, &PreparedRequest::new(&spec.request), Detail::Trace);
    let trace = ev.trace.expect("a trace");
    why_not(&s.set, &spec.request, &trace, &ev.determined_by)
}

/// The rule of the step that decided: the first that failed, else the last.
fn deciding_rule(t: &Trace) -> Rule {
    t.steps
        .iter()
        .find(|s| s.outcome == StepOutcome::Fail)
        .or(t.steps.last())
        .map(|s| s.rule)
        .expect("a step")
}

fn json(t: &Trace) -> serde_json::Value {
    serde_json::to_value(t).expect("serializable")
}

#[test]
fn not_principal_with_boundary_is_named() {
    let s = scenario("not-principal-with-boundary.json");
    let (t, _) = run(&s, "listed user with a boundary is denied anyway");
    assert_eq!(deciding_rule(&t), Rule::NotPrincipalWithBoundary);
    assert_eq!(json(&t)["reason_code"], "not_principal_deny_with_boundary");
    // Why-not gives AWS's advice first: the exception as an ArnNotEquals condition.
    let why = why_not_of(&s, "listed user with a boundary is denied anyway");
    assert_eq!(why.question, Question::DeniesThatFired);
    let first = &why.items[0].findings[0];
    assert_eq!(first.part, "NotPrincipal");
    assert!(
        first.suggestion.contains("ArnNotEquals"),
        "{}",
        first.suggestion
    );
    // An unlisted user is denied by the plain rule.
    let (t, _) = run(&s, "unlisted user is denied as always");
    assert_eq!(deciding_rule(&t), Rule::ExplicitDeny);
    assert_eq!(json(&t)["reason_code"], "denied_by_statement");
}

#[test]
fn get_session_token_says_the_deny_has_no_effect() {
    let s = scenario("get-session-token.json");
    let (t, q) = run(&s, "IAM user gets a session token despite the Deny");
    let step = &t.steps[0];
    assert_eq!(
        (step.rule, step.outcome),
        (Rule::GetSessionToken, StepOutcome::Pass)
    );
    assert!(step.message.contains("has no effect"), "{}", step.message);
    assert!(
        step.message.contains("DenySessionTokens"),
        "{}",
        step.message
    );
    assert_eq!(step.statements.len(), 2, "both Denies are named");
    assert_eq!(q, Question::AwsRule, "no Deny can make it fire");
    let (t, q) = run(&s, "a role session cannot get a session token");
    assert_eq!(deciding_rule(&t), Rule::GetSessionToken);
    assert_eq!(
        json(&t)["reason_code"],
        "get_session_token_needs_long_term_credentials"
    );
    assert_eq!(q, Question::AwsRule);
}

#[test]
fn federated_user_limits_are_named() {
    let s = scenario("federated-user-api-limits.json");
    for name in [
        "federated user lists IAM users",
        "federated user assumes a role whose trust policy allows the account",
    ] {
        let (t, q) = run(&s, name);
        assert_eq!(deciding_rule(&t), Rule::FederatedUserApiLimit, "{name}");
        assert_eq!(json(&t)["reason_code"], "federated_user_api_limit");
        assert_eq!(q, Question::AwsRule, "{name}: no policy change suggested");
    }
    let (t, q) = run(&s, "the IAM user itself lists IAM users");
    assert!(
        t.steps
            .iter()
            .all(|s| s.rule != Rule::FederatedUserApiLimit)
    );
    assert_eq!(q, Question::DeniesThatCouldFire);
}

#[test]
fn protected_resources_are_named_and_why_not_suggests_nothing() {
    let s = scenario("protected-aws-resources.json");
    let (t, q) = run(&s, "pass an IAM Identity Center role");
    assert_eq!(deciding_rule(&t), Rule::ProtectedResource);
    assert_eq!(json(&t)["reason_code"], "protected_resource");
    assert!(
        t.reason.contains("whatever the policies say"),
        "{}",
        t.reason
    );
    assert_eq!(q, Question::AwsRule);
    let (t, _) = run(&s, "delete an AWS managed KMS alias");
    assert!(t.reason.contains("AWS managed KMS alias"), "{}", t.reason);
}

#[test]
fn trace_json_has_codes_beside_the_words() {
    let s = scenario("get-session-token.json");
    let (t, _) = run(&s, "IAM user gets a session token despite the Deny");
    let j = json(&t);
    assert_eq!(j["reason_code"], "get_session_token_not_controlled");
    assert!(j["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(j["request"]["principal_kind"], "IAM user");
    assert_eq!(j["request"]["principal_kind_code"], "iam_user");
    assert_eq!(j["request"]["relation"], "same_account");
    // The session policy takes no part for an IAM user: words and code.
    let session = j["policies"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["kind"] == "session"))
        .expect("the session policy");
    assert_eq!(session["not_applied_code"], "user_has_no_session");
    assert_eq!(
        session["not_applied_because"],
        "an IAM user's own requests carry no session policy"
    );
    let (t, _) = run(
        &s,
        "other STS calls of the user follow the policies as usual",
    );
    let j = json(&t);
    let rcp = j["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["rule"] == "rcp_level"))
        .expect("the RCP step");
    assert_eq!(rcp["outcome"], "not_applicable");
    assert_eq!(rcp["not_applied_code"], "no_rcps");
    assert_eq!(rcp["message"], "no RCPs in the scenario");
}
