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
