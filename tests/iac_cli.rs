//! Templates and plans from the command line: recognised by what they hold (a plan's
//! `format_version` and changes, a template's `Resources`, YAML included), refused
//! with the choices until `--principal` names a user or role, evaluated for that
//! principal on the side `--side` names, with `--parameter` values, and what is not
//! evaluated said as warnings.

use assert_cmd::Command;

fn iamtrace(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("iamtrace")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const PLAN: &str = "tests/fixtures/iac/terraform/add-source-ip-deny.json";

#[test]
fn a_plan_needs_a_principal_and_says_which() {
    let (code, out, err) = iamtrace(&["eval", PLAN]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains(&format!("{PLAN}:1:1: this is a Terraform plan"))
            && err.contains("aws_iam_role.admin (admin)"),
        "{err}"
    );
    let (code, _, err) = iamtrace(&["eval", PLAN, "--principal", "nobody"]);
    assert_eq!(code, 2);
    assert!(err.contains("no user or role \"nobody\""), "{err}");
}

/// The role's starting request carries no source IP: the Deny the plan adds fires on
/// the after side only.
#[test]
fn both_sides_of_a_plan() {
    let decision = |side: &str| {
        let (code, out, err) = iamtrace(&[
            "eval",
            PLAN,
            "--principal",
            "admin",
            "--side",
            side,
            "--format",
            "json",
        ]);
        assert_eq!(code, 0, "{out}{err}");
        let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
        v["requests"][0]["decision"].as_str().unwrap().to_string()
    };
    assert_eq!(decision("before"), "allow");
    assert_eq!(decision("after"), "explicit_deny");
    let (_, out, _) = iamtrace(&["eval", PLAN, "--principal", "admin"]);
    assert!(out.contains("(after the change)"), "{out}");
    assert!(out.contains("DenyOutsideOfficeNetwork"), "{out}");
}

#[test]
fn a_yaml_template_for_one_role_with_a_parameter() {
    let t = "tests/fixtures/iac/all-types.yaml";
    let (code, _, err) = iamtrace(&["eval", t]);
    assert_eq!(code, 2);
    assert!(err.contains("this is a CloudFormation template"), "{err}");
    let (code, out, err) = iamtrace(&["eval", t, "--principal", "AppRole"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("from the CloudFormation template"), "{out}");
    let (code, _, err) = iamtrace(&[
        "eval",
        t,
        "--principal",
        "AppRole",
        "--parameter",
        "novalue",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is not KEY=VALUE"), "{err}");
}

#[test]
fn what_is_not_evaluated_is_a_warning() {
    let (code, out, err) = iamtrace(&[
        "eval",
        "tests/fixtures/iac/terraform/unknown-policy.json",
        "--principal",
        "app",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("warning: aws_iam_role_policy.reads_bucket: not evaluated: the policy is known only after apply"),
        "{out}"
    );
}

const GUARDED: &str = "tests/fixtures/iac/terraform/add-source-ip-deny-guarded.json";
const REQUESTS: &str = "tests/fixtures/iac/terraform/admin-requests.json";

/// The pull request's what-if: the plan that adds a source-IP Deny without the service
/// guard flips EC2's call on the admin's behalf to a deny, and lint flags the Deny at
/// its place in the plan; with the guard, the service's call stays allowed and lint is
/// quiet. Only the call from outside the office flips, as the guardrail intends.
#[test]
fn a_pull_request_adding_a_source_ip_deny_without_the_guard() {
    let (code, out, err) = iamtrace(&[
        "diff",
        PLAN,
        "--principal",
        "admin",
        "--requests-from",
        REQUESTS,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("EC2 creates the service-linked role for admin: Allow → Explicit deny"),
        "{out}"
    );
    assert!(
        out.contains("admin from a café: Allow → Explicit deny"),
        "{out}"
    );
    assert!(!out.contains("from the office"), "{out}");
    let (_, out, _) = iamtrace(&["lint", PLAN]);
    assert!(
        out.contains(&format!(
            "{PLAN}:152:89: security warning [deny-source-network-without-service-guard]"
        )),
        "{out}"
    );

    let (code, out, err) = iamtrace(&[
        "diff",
        GUARDED,
        "--principal",
        "admin",
        "--requests-from",
        REQUESTS,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out.trim_end(),
        "admin from a café: Allow → Explicit deny",
        "{out}"
    );
    let (code, out, _) = iamtrace(&["lint", GUARDED]);
    assert_eq!(code, 0);
    assert!(
        !out.contains("deny-source-network-without-service-guard"),
        "{out}"
    );
}

#[test]
fn diff_of_two_files_and_of_what_is_not_a_plan() {
    // Two files: the unguarded plan's after side against the guarded one's.
    let (code, out, err) = iamtrace(&[
        "diff",
        PLAN,
        GUARDED,
        "--principal",
        "admin",
        "--requests-from",
        REQUESTS,
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let changed = v["requests"].as_array().unwrap();
    assert_eq!(changed.len(), 1, "{out}");
    assert_eq!(changed[0]["before"], "explicit_deny", "{out}");
    assert_eq!(changed[0]["after"], "allow", "{out}");
    // One file that is not a plan.
    let (code, _, err) = iamtrace(&["diff", REQUESTS]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a Terraform plan"), "{err}");
}

/// Which of the admin's recorded calls the plan would deny: the service's call on the
/// admin's behalf after the change, none before it.
#[test]
fn replay_a_plan_against_the_roles_recorded_calls() {
    let trail = "tests/fixtures/iac/terraform/admin-trail.json";
    let (code, out, err) = iamtrace(&[
        "replay",
        PLAN,
        "--principal",
        "admin",
        "--cloudtrail",
        trail,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("1 as recorded · 1 would now be denied"),
        "{out}"
    );
    assert!(
        out.contains("iam:CreateServiceLinkedRole by arn:aws:iam::111122223333:role/admin"),
        "{out}"
    );
    let (code, out, err) = iamtrace(&[
        "replay",
        PLAN,
        "--side",
        "before",
        "--principal",
        "admin",
        "--cloudtrail",
        trail,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2 as recorded"), "{out}");
}

/// A template's policy written as a JSON string: a finding points at the string in the
/// template, with its place in the decoded text.
#[test]
fn a_policy_string_in_a_template_keeps_both_positions() {
    let (_, out, err) = iamtrace(&["lint", "tests/fixtures/iac/all-types.yaml"]);
    assert!(
        out.contains(
            "tests/fixtures/iac/all-types.yaml:113:9: in the policy string of \"InlineForRole/PolicyDocument\" (decoded line 2, column 73): warning [resource-star]"
        ),
        "{out}{err}"
    );
}

/// Pseudo parameters come from `--parameter` too: the account, region and partition
/// the template's ARNs are built with.
#[test]
fn pseudo_parameters_from_the_command_line() {
    let t = "tests/fixtures/iac/tui/app.yaml";
    let principal = |args: &[&str]| {
        let mut all = vec!["eval", t, "--principal", "AppRole", "--format", "json"];
        all.extend_from_slice(args);
        let (code, out, err) = iamtrace(&all);
        assert_eq!(code, 0, "{out}{err}");
        let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
        v["requests"][0]["trace"]["request"]["principal"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        principal(&[]),
        "arn:aws:sts::123456789012:assumed-role/app/iamtrace"
    );
    assert_eq!(
        principal(&[
            "--parameter",
            "AWS::AccountId=111122223333",
            "--parameter",
            "AWS::Partition=aws-us-gov"
        ]),
        "arn:aws-us-gov:sts::111122223333:assumed-role/app/iamtrace"
    );
}

/// A template one of whose policies does not parse (a queue policy without Principal):
/// lint reports its error at its line and column and still checks every other policy
/// (the role's misspelt action), in text, JSON Lines and SARIF, with exit status 1
/// (errors found), not 2 (file not checked).
#[test]
fn lint_checks_the_rest_of_a_template_when_one_policy_is_invalid() {
    const BROKEN: &str = "tests/fixtures/iac/one-broken.yaml";
    let (code, out, err) = iamtrace(&["lint", BROKEN]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!(
            "{BROKEN}:16:13: error [invalid-policy] a resource policy statement needs a Principal (in resource policy \"QueuePolicy/PolicyDocument\")"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{BROKEN}:36:25: error [unknown-action] s3 has no action \"GetObjekt\""
        )),
        "{out}"
    );
    assert!(
        out.contains("2 errors, 0 security warnings, 0 warnings, 0 suggestions in 1 file\n")
            && !out.contains("not checked"),
        "{out}"
    );

    let (code, out, _) = iamtrace(&["lint", BROKEN, "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v.get("errors").is_none(), "{v}");
    let policies = v["policies"].as_array().unwrap();
    let codes = |name: &str| -> Vec<(String, u64, u64)> {
        let p = policies.iter().find(|p| p["name"] == name).unwrap();
        p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        codes("QueuePolicy/PolicyDocument"),
        [("invalid-policy".to_string(), 16, 13)]
    );
    assert_eq!(
        codes("AppRole/Policies/read"),
        [("unknown-action".to_string(), 36, 25)]
    );
    assert!(codes("AppRole/AssumeRolePolicyDocument").is_empty());

    let (code, out, _) = iamtrace(&["lint", BROKEN, "--format", "sarif"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let results: Vec<(String, u64)> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("invalid-policy".to_string(), 16),
            ("unknown-action".to_string(), 36)
        ]
    );
}

/// The same for a plan: the broken role policy's errors in the order they are written,
/// in the plan file, and the file counted as checked.
#[test]
fn lint_checks_the_rest_of_a_plan_when_one_policy_is_invalid() {
    const BROKEN: &str = "tests/fixtures/iac/terraform/policy-error.json";
    let (code, out, err) = iamtrace(&["lint", BROKEN]);
    assert_eq!(code, 1, "{out}{err}");
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} not in {out}"));
    assert!(
        at(&format!(
            "{BROKEN}:112:38: error [invalid-policy] statement needs an Effect"
        )) < at(&format!(
            "{BROKEN}:112:67: error [invalid-policy] unknown statement element \"Efect\""
        )),
        "{out}"
    );
    assert!(!out.contains("not checked"), "{out}");
}
