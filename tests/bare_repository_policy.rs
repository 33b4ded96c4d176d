//! A bare ECR repository policy (statements with a Principal, no Resource, only `ecr:`
//! actions) is read as a resource policy placed on every repository, where the
//! repository is implied, as AWS attaches it: `eval` and `lint` take it cleanly, and it
//! decides the requests on the repository the request names and nothing else.

use assert_cmd::Command;
use iamtrace::eval::{Detail, PreparedRequest, Request, evaluate};
use iamtrace::input::{self, BareKind, LoadOptions};
use iamtrace::trace::Decision;

const FILE: &str = "tests/fixtures/inputs/bare/repository-policy.json";

fn iamtrace(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("iamtrace")
        .expect("the binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("iamtrace runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn eval_and_lint_take_a_bare_repository_policy_cleanly() {
    let (code, out, err) = iamtrace(&["eval", FILE]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("read as a resource policy (guessed; --kind to change)"),
        "{out}"
    );
    let (code, out, err) = iamtrace(&["lint", FILE]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("0 errors"), "{out}");
    // --kind resource places it the same way.
    let (code, out, err) = iamtrace(&["eval", "--kind", "resource", FILE]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("(--kind resource)"), "{out}");
}

fn request(principal: &str, action: &str, resource: &str) -> Request {
    Request {
        principal: principal.into(),
        action: action.into(),
        resource: resource.into(),
        resource_account: None,
        context: Vec::new(),
    }
}

#[test]
fn it_decides_the_repository_the_request_names() {
    let text = std::fs::read_to_string(FILE).unwrap();
    let loaded = input::load(&text, &LoadOptions::default()).unwrap();
    let r = loaded.read_as.unwrap();
    assert_eq!((r.kind, r.guessed), (BareKind::Resource, true));
    let entry = &loaded.scenario.set.policies[0];
    assert_eq!(
        entry.attached_to.as_ref().map(|a| a.text.as_str()),
        Some(input::bare::ANY_REPOSITORY)
    );
    let decide = |req: Request| {
        evaluate(
            &loaded.scenario.set,
            &PreparedRequest::new(&req),
            Detail::Trace,
        )
    };
    let repo = "arn:aws:ecr:ca-central-1:111122223333:repository/iamtrace/app";
    // The CI role of the repository's account pushes: the policy names the role, and
    // in one account that is enough (no identity policy in the scenario).
    let push = decide(request(
        "arn:aws:sts::111122223333:assumed-role/ci-deploy/run-42",
        "ecr:PutImage",
        repo,
    ));
    assert_eq!(push.decision, Decision::Allow);
    let trace = push.trace.unwrap();
    assert_eq!(push.determined_by[0].policy, 0);
    assert!(
        trace.policies[0].applies,
        "the repository policy takes part"
    );
    // The other account pulls: the policy delegates to that account, whose own
    // policies (none here) must allow too: cross account.
    let pull = decide(request(
        "arn:aws:sts::444455556666:assumed-role/puller/s",
        "ecr:BatchGetImage",
        repo,
    ));
    assert_eq!(pull.decision, Decision::ImplicitDeny);
    // The policy does not allow that account to push.
    let other = decide(request(
        "arn:aws:sts::444455556666:assumed-role/puller/s",
        "ecr:PutImage",
        repo,
    ));
    assert_eq!(other.decision, Decision::ImplicitDeny);
    // A request on something that is not a repository: the policy takes no part.
    let elsewhere = decide(request(
        "arn:aws:sts::111122223333:assumed-role/ci-deploy/run-42",
        "ecr:PutImage",
        "arn:aws:s3:::bucket/key",
    ));
    assert_eq!(elsewhere.decision, Decision::ImplicitDeny);
    assert!(!elsewhere.trace.unwrap().policies[0].applies);
}

#[test]
fn a_document_without_resource_that_is_not_ecr_still_needs_one() {
    // A bucket policy whose statement lost its Resource is not a repository policy:
    // AWS refuses it, and so does the reader.
    let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:GetObject"}]}"#;
    let e = input::load(text, &LoadOptions::default()).unwrap_err();
    assert!(
        e.diagnostics
            .iter()
            .any(|d| d.message.contains("needs Resource")),
        "{:?}",
        e.diagnostics
    );
}
