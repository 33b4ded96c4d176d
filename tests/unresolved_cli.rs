//! Unresolved template values (placeholders) as the commands show them: the marks in
//! the text trace, the decision line, the JSON field, an `expect` that a dependent
//! result cannot meet, and `diff` listing a request that may change.

use assert_cmd::Command;
use serde_json::Value;

const CASES: &str = "tests/cases/unresolved";

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_text_trace_marks_unresolved_comparisons_and_the_decision() {
    let (code, out) = run(&["eval", &format!("{CASES}/deny.json")]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("Allow — ") && out.contains("? depends on unresolved values: ⟦GetAtt Bucket.Arn⟧ (could be anything from Explicit deny to Allow)"),
        "{out}"
    );
    assert!(
        out.contains("✘ \"⟦GetAtt Bucket.Arn⟧/*\" ? unresolved: ⟦GetAtt Bucket.Arn⟧"),
        "{out}"
    );
    let (_, out) = run(&["eval", &format!("{CASES}/stands.json")]);
    assert!(
        out.contains("? unresolved values cannot change it: ⟦GetAtt Bucket.Arn⟧"),
        "{out}"
    );
    let (_, out) = run(&["eval", &format!("{CASES}/conditions.json")]);
    assert!(
        out.contains("red ≠ \"⟦Ref Team⟧\" ? unresolved: ⟦Ref Team⟧"),
        "{out}"
    );
}

#[test]
fn json_carries_the_bounds_only_where_placeholders_took_part() {
    let (_, out) = run(&["eval", "--format", "json", &format!("{CASES}/deny.json")]);
    let v: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let r = &v["requests"];
    assert_eq!(r[0]["unresolved"]["depends"], true);
    assert_eq!(r[0]["unresolved"]["least_permissive"], "explicit_deny");
    assert_eq!(r[0]["unresolved"]["most_permissive"], "allow");
    assert_eq!(r[0]["unresolved"]["values"][0], "⟦GetAtt Bucket.Arn⟧");
    assert_eq!(r[0]["trace"]["unresolved"], r[0]["unresolved"]);
    let entry = &r[0]["trace"]["policies"][0]["statements"][1]["resource"]["entries"][0];
    assert_eq!(entry["unresolved"][0], "⟦GetAtt Bucket.Arn⟧", "{entry}");
    // The same placeholder on both sides: nothing unresolved, no field.
    assert!(r[1].get("unresolved").is_none(), "{}", r[1]);
}

#[test]
fn an_expectation_is_not_met_by_a_result_that_depends_on_unresolved_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    std::fs::write(
        &file,
        r#"{"policies": {"identity": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "⟦GetAtt Bucket.Arn⟧/*"}]}]},
          "requests": [
            {"name": "guess", "principal": "arn:aws:iam::111122223333:role/App", "action": "s3:GetObject", "resource": "arn:aws:s3:::data/k", "expect": "implicit_deny"},
            {"name": "sure", "principal": "arn:aws:iam::111122223333:role/App", "action": "s3:GetObject", "resource": "⟦GetAtt Bucket.Arn⟧/k", "expect": "allow"}]}"#,
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (code, out) = run(&["eval", "--format", "summary", f]);
    assert_eq!(code, Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("implicit_deny\tFAIL\t"), "{out}");
    assert!(lines[1].starts_with("allow\tok\t"), "{out}");
    let (code, out) = run(&["eval", f]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains(
            "expected: Implicit deny (NOT as expected: the decision depends on unresolved values)"
        ),
        "{out}"
    );
}

#[test]
fn diff_lists_a_request_that_may_change() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |extra: &str| {
        format!(
            r#"{{"policies": {{"identity": [{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}{extra}]}}]}},
              "requests": [{{"name": "delete", "principal": "arn:aws:iam::111122223333:role/App", "action": "s3:DeleteObject", "resource": "arn:aws:s3:::data/k"}}]}}"#
        )
    };
    let old = dir.path().join("old.json");
    let new = dir.path().join("new.json");
    std::fs::write(&old, doc("")).unwrap();
    std::fs::write(
        &new,
        doc(r#", {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "⟦GetAtt Bucket.Arn⟧/*"}"#),
    )
    .unwrap();
    let (code, out) = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert_eq!(
        out.trim(),
        "delete: Allow → Allow ? depends on unresolved values: ⟦GetAtt Bucket.Arn⟧"
    );
}
