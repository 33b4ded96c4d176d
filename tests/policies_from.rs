//! `policiesFrom`: a scenario taking one principal's policies from a CloudFormation
//! template or Terraform plan beside it. Every problem is an error at the scenario's
//! value at fault (line and column); a problem inside the template is at the
//! template's own path, line and column; `eval` gates on `expect` as usual; `arn`
//! names a generated-name role; saving keeps the entry and leaves the file's policies
//! out.

use assert_cmd::Command;
use iamtrace::input::{LoadOptions, load};
use iamtrace::policy::PolicyKind;
use iamtrace::scenario::to_json;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/iac");

/// A directory holding the test templates and a plan, beside which scenarios are
/// written.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (from, to) in [
        ("policies-from/app.yaml", "app.yaml"),
        ("policies-from/broken.yaml", "broken.yaml"),
        ("terraform/add-source-ip-deny.json", "plan.json"),
    ] {
        std::fs::copy(Path::new(FIXTURES).join(from), dir.path().join(to)).expect("copied");
    }
    dir
}

/// Writes `text` as `name` in `dir`; its path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path
}

/// The 1-based line and column of the first `needle` in `text`.
fn pos(text: &str, needle: &str) -> (u64, u32) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u32 + 1;
    (line, column)
}

/// Loads the scenario file at `path` as the CLI does.
fn load_file(path: &Path) -> Result<iamtrace::input::Loaded, iamtrace::scenario::LoadError> {
    let text = std::fs::read_to_string(path).expect("readable");
    load(
        &text,
        &LoadOptions {
            path: Some(path.to_path_buf()),
            ..Default::default()
        },
    )
}

/// The one error loading `scenario` (written in `dir`) gives: line, column, message.
fn one_error(dir: &Path, scenario: &str) -> (u64, u32, String) {
    let path = write(dir, "s.json", scenario);
    let e = load_file(&path).expect_err("an error");
    assert_eq!(e.diagnostics.len(), 1, "{:#?}", e.diagnostics);
    let d = &e.diagnostics[0];
    // In the scenario itself, not in another file.
    assert!(e.source_map.file_of(&d.span).is_none(), "{d:?}");
    (d.span.line, d.span.column, d.message.clone())
}

fn scenario_with(from: &str) -> String {
    format!(
        "{{\n  \"policiesFrom\": {from},\n  \"requests\": [{{\"principal\": \"arn:aws:iam::111122223333:role/app\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::data-dev/x\"}}]\n}}\n"
    )
}

#[test]
fn each_problem_is_an_error_at_its_value() {
    let dir = workdir();
    let d = dir.path();
    // (the policiesFrom value, the text the error is at, what the message says)
    let cases: &[(&str, &str, &str)] = &[
        (
            r#"{"file": "missing.yaml", "principal": "AppRole"}"#,
            "\"missing.yaml\"",
            "cannot read",
        ),
        (
            r#"{"file": ".", "principal": "AppRole"}"#,
            "\".\"",
            "not a regular file",
        ),
        (
            r#"{"file": "s.json", "principal": "AppRole"}"#,
            "\"s.json\"",
            "is a scenario, not a CloudFormation template or a Terraform plan",
        ),
        (
            r#"{"file": "bad.yaml", "principal": "AppRole"}"#,
            "\"bad.yaml\"",
            "bad.yaml:4:1: invalid YAML",
        ),
        (
            r#"{"file": "app.yaml", "principal": "AppRol"}"#,
            "\"AppRol\"",
            "no user or role \"AppRol\" in the file (did you mean AppRole?)",
        ),
        (
            r#"{"file": "app.yaml"}"#,
            "{\"file\"",
            "policiesFrom needs \"principal\"",
        ),
        (
            r#"{"file": "app.yaml", "principal": "AppRole", "parameters": {"Env": 5}}"#,
            "5}",
            "parameter Env must be a string",
        ),
        (
            r#"{"file": "app.yaml", "principal": "AppRole", "parameters": {"Evn": "prod"}}"#,
            "\"Evn\"",
            "declares no parameter \"Evn\" (did you mean Env?)",
        ),
        (
            r#"{"file": "app.yaml", "principal": "AppRole", "parameters": ["Env=prod"]}"#,
            "[\"Env",
            "parameters must be an object of strings",
        ),
        (
            r#"{"file": "app.yaml", "principal": "AppRole", "side": "before"}"#,
            "\"before\"",
            "side is for a Terraform plan",
        ),
        (
            r#"{"file": "plan.json", "principal": "aws_iam_role.admin", "side": "later"}"#,
            "\"later\"",
            "side must be \"before\" or \"after\"",
        ),
        (
            r#"{"file": "plan.json", "principal": "aws_iam_role.admin", "parameters": {}}"#,
            "{}",
            "parameters are for a CloudFormation template",
        ),
        (
            r#"{"file": "app.yaml", "principal": "AppRole", "arn": "arn:aws:iam::111122223333:user/app"}"#,
            "\"arn:aws:iam::111122223333:user/app\"",
            "must be an IAM role's ARN",
        ),
        (
            r#"{"file": "broken.yaml", "principal": "Worker", "arn": "arn:aws:iam::111122223333:role/other"}"#,
            "\"arn:aws:iam::111122223333:role/other\"",
            "has the ARN arn:aws:iam::111122223333:role/worker in the file",
        ),
        (
            r#"{"file": "app.yaml", "principal": "AppRole", "role": "x"}"#,
            "\"role\"",
            "unknown policiesFrom key \"role\"",
        ),
        (
            r#"{"principal": "AppRole"}"#,
            "{\"principal\"",
            "needs \"file\"",
        ),
        (
            r#""app.yaml""#,
            "\"app.yaml\"",
            "policiesFrom must be an object",
        ),
    ];
    write(d, "bad.yaml", "Resources:\n  A:\n    Type: [unclosed\n");
    for (from, at, says) in cases {
        let text = scenario_with(from);
        let (line, column, message) = one_error(d, &text);
        assert_eq!((line, column), pos(&text, at), "{from}: {message}");
        assert!(message.contains(says), "{from}: {message}");
    }
}

#[test]
fn the_file_is_relative_to_the_scenarios_directory() {
    let dir = workdir();
    let sub = dir.path().join("checks");
    std::fs::create_dir(&sub).unwrap();
    let text = scenario_with(r#"{"file": "../app.yaml", "principal": "AppRole"}"#);
    let path = write(&sub, "s.json", &text);
    let loaded = load_file(&path).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let files: Vec<String> = loaded
        .scenario
        .source_map
        .files()
        .map(|(_, f)| f.path.clone())
        .collect();
    assert_eq!(files, [sub.join("../app.yaml").display().to_string()]);
    // Without the scenario's path (standard input), from the current directory: here
    // the crate's, which has no app.yaml.
    let e = load(&text, &LoadOptions::default()).expect_err("not found from here");
    assert!(e.diagnostics[0].message.contains("cannot read ../app.yaml"));
}

#[test]
fn a_policy_error_in_the_template_is_at_the_templates_line_and_column() {
    let dir = workdir();
    let text = scenario_with(r#"{"file": "broken.yaml", "principal": "Worker"}"#);
    let path = write(dir.path(), "s.json", &text);
    let e = load_file(&path).expect_err("the template's policy is invalid");
    let template = std::fs::read_to_string(dir.path().join("broken.yaml")).unwrap();
    let (line, column) = pos(&template, "Actoin");
    // The statement lacks Action, and has an unknown element: both in the template.
    assert_eq!(e.diagnostics.len(), 2, "{:#?}", e.diagnostics);
    assert!(e.diagnostics[0].message.contains("needs Action"));
    let d = &e.diagnostics[1];
    let shown = e.source_map.locate("s.json", d);
    let want = format!(
        "{}:{line}:{column}: ",
        dir.path().join("broken.yaml").display()
    );
    assert!(shown.starts_with(&want), "{shown} (want {want})");
    assert!(shown.contains("Actoin"), "{shown}");
    // The command line says the same on standard error, and exits with status 2.
    let out = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["eval", "s.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("broken.yaml:{line}:{column}: ")),
        "{err}"
    );
    assert!(!err.contains("s.json:"), "{err}");
}

/// The test scenario under `tests/cases/iac/` that takes the template with `arn`.
const CASE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/cases/iac/policies-from-template.json"
);

#[test]
fn eval_gates_on_expect_and_names_the_template_in_the_trace() {
    let ok = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["eval", CASE])
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    let out = String::from_utf8_lossy(&ok.stdout);
    let template = std::fs::read_to_string(Path::new(FIXTURES).join("policies-from/app.yaml"))
        .expect("the fixture");
    let (line, _) = pos(&template, "Sid: ReadAndDelete");
    assert!(
        out.contains(&format!("policies-from/app.yaml line {line}): ")),
        "{out}"
    );
    assert!(out.contains("warning: "), "{out}");
    // The same scenario expecting the opposite of a decision misses it: status 1.
    let dir = workdir();
    let text = std::fs::read_to_string(CASE)
        .unwrap()
        .replace("../../fixtures/iac/policies-from/app.yaml", "app.yaml")
        .replacen("\"expect\": \"allow\"", "\"expect\": \"explicit_deny\"", 1);
    write(dir.path(), "s.json", &text);
    let missed = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["eval", "s.json", "--format", "summary"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(missed.status.code(), Some(1), "{missed:?}");
    assert!(String::from_utf8_lossy(&missed.stdout).starts_with("allow\tFAIL\t"));
    // From standard input, the file is relative to the current directory.
    let stdin = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["eval", "-", "--format", "json"])
        .current_dir(dir.path())
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(stdin.status.code(), Some(1), "{stdin:?}");
    let line: serde_json::Value = serde_json::from_slice(&stdin.stdout).unwrap();
    assert_eq!(line["files"][0]["file"], "app.yaml");
}

#[test]
fn arn_names_the_deployed_role_everywhere_the_template_names_it() {
    let path = Path::new(CASE);
    let loaded = load_file(path).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let arn = "arn:aws:iam::111122223333:role/app-stack-AppRole-1A2B3C4D5E6F";
    let set = &loaded.scenario.set;
    let bound: Vec<&str> = set
        .policies
        .iter()
        .filter(|p| p.kind == PolicyKind::Identity)
        .filter_map(|p| p.principal.as_ref().map(|b| b.text.as_str()))
        .collect();
    assert_eq!(bound, [arn]);
    let sources = &loaded.scenario.sources;
    let trust = sources
        .iter()
        .find(|s| s.name.as_deref() == Some("AppRole/AssumeRolePolicyDocument"))
        .expect("the trust policy");
    assert_eq!(trust.attached_to.as_deref(), Some(arn));
    // The bucket policy's !GetAtt AppRole.Arn is the same ARN.
    let bucket = set
        .policies
        .iter()
        .find(|p| &*p.name == "LogsPolicy/PolicyDocument")
        .expect("the bucket policy");
    let principals = format!("{:?}", bucket.policy);
    assert!(principals.contains(arn), "{principals}");
    assert!(!principals.contains('⟦'), "{principals}");
    // Without arn, the role's ARN holds the generated name's placeholder, and a
    // warning says so.
    let dir = workdir();
    let text = scenario_with(r#"{"file": "app.yaml", "principal": "AppRole"}"#);
    let plain = load_file(&write(dir.path(), "s.json", &text)).unwrap();
    let bound: Vec<String> = plain
        .scenario
        .set
        .policies
        .iter()
        .filter_map(|p| p.principal.as_ref().map(|b| b.text.clone()))
        .collect();
    assert_eq!(
        bound,
        ["arn:aws:iam::123456789012:role/⟦name of AppRole⟧".to_string()]
    );
    assert!(
        plain.notes.iter().any(|n| n.contains("give \"arn\"")),
        "{:?}",
        plain.notes
    );
}

/// AWS's FullAWSAccess SCP, which the template's deny-list SCP needs beside it.
const FULL: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

#[test]
fn parameters_are_the_templates() {
    let dir = workdir();
    let request = r#"{"principal": "arn:aws:iam::111122223333:role/app", "action": "s3:DeleteObject", "resource": "arn:aws:s3:::data-ENV/x"}"#;
    let decide = |env: &str, parameters: &str| {
        let text = format!(
            "{{\"policies\": {{\"scp\": [{{\"level\": \"r-root\", \"policies\": [{FULL}]}}]}}, \"policiesFrom\": {{\"file\": \"app.yaml\", \"principal\": \"AppRole\", \"arn\": \"arn:aws:iam::111122223333:role/app\"{parameters}}}, \"request\": {}}}",
            request.replace("ENV", env)
        );
        let s = load_file(&write(dir.path(), "s.json", &text))
            .unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
            .scenario;
        let prepared = iamtrace::eval::PreparedRequest::new(&s.requests[0].request);
        iamtrace::eval::evaluate(&s.set, &prepared, iamtrace::eval::Detail::Decision).decision
    };
    // Env defaults to dev: no Deny; prod adds it.
    assert_eq!(decide("dev", ""), iamtrace::Decision::Allow);
    assert_eq!(
        decide("prod", r#", "parameters": {"Env": "prod"}"#),
        iamtrace::Decision::ExplicitDeny
    );
    assert_eq!(
        decide("prod", ""),
        iamtrace::Decision::ImplicitDeny,
        "data-prod is not the dev role's"
    );
}

#[test]
fn saving_keeps_the_entry_and_leaves_the_files_policies_out() {
    let loaded = load_file(Path::new(CASE)).unwrap();
    let s = &loaded.scenario;
    assert!(s.sources.len() > 1);
    let json = to_json(s);
    assert!(json.contains("\"policiesFrom\""), "{json}");
    assert!(json.contains("\"parameters\""), "{json}");
    assert!(json.contains("FullAWSAccess"), "{json}");
    for name in [
        "ReadAndDelete",
        "AppWritesLogs",
        "NoLeaving",
        "AssumeRolePolicyDocument",
        "lambda.amazonaws.com\"}",
    ] {
        assert!(!json.contains(name), "{name} written back: {json}");
    }
    // Read back beside the test cases, it is the same scenario.
    let dir = Path::new(CASE)
        .parent()
        .unwrap()
        .join("roundtrip-not-a-case.json");
    let again = load(
        &json,
        &LoadOptions {
            path: Some(dir),
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
    .scenario;
    assert_eq!(again.sources.len(), s.sources.len());
    assert_eq!(again.set.scp_levels, s.set.scp_levels);
    assert_eq!(again.requests.len(), s.requests.len());
    // A level made for the file's SCPs (the scenario has none) is not written back.
    let work = workdir();
    let text = scenario_with(r#"[{"file": "app.yaml", "principal": "AppRole"}]"#);
    let plain = load_file(&write(work.path(), "s.json", &text)).unwrap();
    assert_eq!(plain.scenario.set.scp_levels, ["r-root".to_string()]);
    assert!(
        plain
            .notes
            .iter()
            .any(|n| n.contains("level r-root of their own"))
    );
    let json = to_json(&plain.scenario);
    assert!(!json.contains("\"scp\""), "{json}");
    assert!(!json.contains("r-root"), "{json}");
}

#[test]
fn lint_reports_a_template_finding_at_the_template() {
    let dir = workdir();
    let template = "Resources:\n  Reader:\n    Type: AWS::IAM::User\n    Properties:\n      Policies:\n        - PolicyName: read\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n              - Effect: Allow\n                Action: s3:GetObject\n                Resource: arn:aws:s3:::reports\n";
    write(dir.path(), "lint.yaml", template);
    let text = scenario_with(r#"{"file": "lint.yaml", "principal": "Reader"}"#);
    write(dir.path(), "s.json", &text);
    let out = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["lint", "s.json", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap_or("{}"))
        .unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let findings: Vec<&serde_json::Value> = line["policies"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["findings"].as_array().into_iter().flatten())
        .collect();
    // s3:GetObject on a bucket ARN: found at the action, in the template.
    let (line, column) = pos(template, "s3:GetObject");
    assert!(!findings.is_empty(), "{stdout}");
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == "lint.yaml" && f["line"] == line && f["column"] == column),
        "{findings:#?}"
    );
    assert!(
        findings.iter().all(|f| f["file"] == "lint.yaml"),
        "{findings:#?}"
    );
    // The text lines name the template.
    let text_out = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["lint", "s.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&text_out.stdout);
    assert!(
        shown.contains(&format!("lint.yaml:{line}:{column}: ")),
        "{shown}"
    );
    // SARIF: the location is the template's.
    let sarif = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["lint", "s.json", "--format", "sarif"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let location = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "lint.yaml", "{v}");
    assert_eq!(location["region"]["startLine"], line);
}

#[test]
fn a_second_boundary_for_the_principal_is_an_error() {
    let dir = workdir();
    std::fs::copy(
        Path::new(FIXTURES).join("all-types.yaml"),
        dir.path().join("all-types.yaml"),
    )
    .unwrap();
    // AppRole has a PermissionsBoundary; the scenario's unbound boundary applies to
    // every principal, AppRole included.
    let text = format!(
        "{{\"policies\": {{\"boundary\": [{FULL}]}},\n \"policiesFrom\": {{\"file\": \"all-types.yaml\", \"principal\": \"AppRole\"}},\n \"requests\": []}}"
    );
    let (line, column, message) = one_error(dir.path(), &text);
    assert_eq!((line, column), pos(&text, "\"AppRole\""));
    assert!(
        message.contains("at most one permissions boundary"),
        "{message}"
    );
    // Bound to another principal, it does not clash.
    let other = text.replace(
        &format!("[{FULL}]"),
        &format!(
            "[{{\"principal\": \"arn:aws:iam::123456789012:role/other\", \"document\": {FULL}}}]"
        ),
    );
    let path = write(dir.path(), "s.json", &other);
    load_file(&path).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
}

#[test]
fn several_files_each_bring_their_principals_policies() {
    let dir = workdir();
    let text = format!(
        r#"{{"policies": {{"scp": [{{"level": "r-root", "policies": [{FULL}]}}]}},
 "policiesFrom": [
   {{"file": "app.yaml", "principal": "AppRole", "arn": "arn:aws:iam::111122223333:role/app"}},
   {{"file": "plan.json", "principal": "aws_iam_role.admin", "side": "before"}}
 ],
 "requests": [
   {{"name": "app reads", "principal": "arn:aws:iam::111122223333:role/app", "action": "s3:GetObject", "resource": "arn:aws:s3:::data-dev/x", "expect": "allow"}},
   {{"name": "app makes an endpoint", "principal": "arn:aws:iam::111122223333:role/app", "action": "ec2:CreateClientVpnEndpoint", "resource": "*", "expect": "implicit_deny"}},
   {{"name": "admin makes an endpoint", "principal": "arn:aws:sts::111122223333:assumed-role/admin/alice", "action": "ec2:CreateClientVpnEndpoint", "resource": "*", "expect": "allow"}}
 ]}}"#
    );
    let path = write(dir.path(), "s.json", &text);
    let loaded = load_file(&path).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    let s = &loaded.scenario;
    assert_eq!(s.source_map.files().count(), 2);
    for r in &s.requests {
        let prepared = iamtrace::eval::PreparedRequest::new(&r.request);
        let got = iamtrace::eval::evaluate(&s.set, &prepared, iamtrace::eval::Detail::Decision);
        assert_eq!(Some(got.decision), r.expect, "{:?}", r.name);
    }
    // Written back: both entries, in order, and none of their policies.
    let json = to_json(s);
    let again: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(again["policiesFrom"][0]["file"], "app.yaml");
    assert_eq!(again["policiesFrom"][1]["side"], "before");
    assert_eq!(
        again["policies"]["scp"][0]["policies"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert!(again["policies"].get("identity").is_none(), "{json}");
    let reread = load(
        &json,
        &LoadOptions {
            path: Some(path),
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    assert_eq!(reread.scenario.sources.len(), s.sources.len());
    // `eval --format json` lists both files, and the exit status is 0: every expect met.
    let out = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["eval", "s.json", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = line["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert_eq!(files, ["app.yaml", "plan.json"]);
}

#[test]
fn errors_in_json_output_name_the_template() {
    let dir = workdir();
    write(
        dir.path(),
        "s.json",
        &scenario_with(r#"{"file": "broken.yaml", "principal": "Worker"}"#),
    );
    let out = Command::cargo_bin("iamtrace")
        .unwrap()
        .args(["eval", "s.json", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = line["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{line}");
    assert!(errors.iter().all(|e| e["file"] == "broken.yaml"), "{line}");
    assert_eq!(line["file"], "s.json");
}
