//! The command line on what AWS gives you: `iamtrace eval FILE` on every kind of AWS
//! input (`tests/fixtures/aws/`), and `iamtrace replay SCENARIO --cloudtrail PATH...`,
//! which evaluates CloudTrail events against a scenario's policies and reports those
//! whose decision differs from what CloudTrail recorded (exit 1), nothing (exit 0), or
//! bad input (exit 2). The scenarios replayed are built in temporary folders from the
//! policy versions in `tests/fixtures/aws/account/authorization-details.json`.

use assert_cmd::Command;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/engineering/bob";
const CI_DEPLOY: &str = "arn:aws:iam::111122223333:role/ci-deploy";

const DETAILS: &str = "tests/fixtures/aws/account/authorization-details.json";
const DETAILS_URLENCODED: &str = "tests/fixtures/aws/account/authorization-details-urlencoded.json";
const CLIENT_VPN: &str = "tests/fixtures/aws/cloudtrail/client-vpn.json";
const MIXED: &str = "tests/fixtures/aws/cloudtrail/mixed.json";
const MIXED_JSONL: &str = "tests/fixtures/aws/cloudtrail/mixed.jsonl";
const MIXED_GZ: &str = "tests/fixtures/aws/cloudtrail/mixed.json.gz";
const SINGLE: &str = "tests/fixtures/aws/cloudtrail/single-event.json";
const CLOUDTRAIL_DIR: &str = "tests/fixtures/aws/cloudtrail";

/// Event ids in client-vpn.json.
const SLR_DENIED: &str = "68968284-67af-5c46-a1a0-9f8b7144d340";
const SLR_ALLOWED: &str = "01b2fdb9-6111-5b11-ace8-c84039b70fc9";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, run from the crate root so fixture paths print as given.
fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let mut cmd = Command::cargo_bin("iamtrace").expect("the iamtrace binary is built");
    cmd.current_dir(root());
    cmd.env_remove("NO_COLOR");
    cmd.args(args);
    let out = cmd.output().expect("iamtrace runs");
    Run {
        code: out.status.code().expect("an exit status"),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn replay(scenario: &Path, cloudtrail: &[&Path], extra: &[&str]) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec!["replay".into(), scenario.into()];
    args.push("--cloudtrail".into());
    args.extend(cloudtrail.iter().map(|p| p.as_os_str().to_owned()));
    args.extend(extra.iter().map(Into::into));
    run(&args)
}

fn replay_json(scenario: &Path, cloudtrail: &[&Path], extra: &[&str]) -> (i32, Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(extra);
    let r = replay(scenario, cloudtrail, &all);
    assert!(r.code != 2, "exit 2: {}", r.stderr);
    (r.code, r.json())
}

fn p(rel: &str) -> PathBuf {
    root().join(rel)
}

fn details() -> Value {
    serde_json::from_str(&std::fs::read_to_string(p(DETAILS)).unwrap()).unwrap()
}

/// A version's document of a managed policy in the account details fixture.
fn version(policy: &str, id: &str) -> Value {
    details()["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["PolicyName"] == policy)
        .and_then(|p| {
            p["PolicyVersionList"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["VersionId"] == id)
        })
        .unwrap_or_else(|| panic!("{policy} {id}"))["Document"]
        .clone()
}

fn write(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(value).unwrap()).unwrap();
    path
}

/// A scenario with OfficeOnlyAdmin `id` as its only policy.
fn office(dir: &Path, id: &str) -> PathBuf {
    write(
        dir,
        &format!("office-{id}.json"),
        &json!({
            "name": format!("OfficeOnlyAdmin {id}"),
            "policies": {"identity": [{"name": "OfficeOnlyAdmin", "document": version("OfficeOnlyAdmin", id)}]},
        }),
    )
}

/// The records of a `{"Records": [...]}` fixture.
fn records(rel: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p(rel)).unwrap()).unwrap();
    v["Records"].as_array().unwrap().clone()
}

/// A CloudTrail file with the given records of client-vpn.json.
fn client_vpn_subset(dir: &Path, name: &str, indices: &[usize]) -> PathBuf {
    let all = records(CLIENT_VPN);
    let chosen: Vec<Value> = indices.iter().map(|&i| all[i].clone()).collect();
    write(dir, name, &json!({ "Records": chosen }))
}

fn differences(report: &Value) -> &Vec<Value> {
    report["differences"].as_array().expect("differences")
}

fn find_difference<'a>(report: &'a Value, direction: &str, action: &str) -> &'a Value {
    differences(report)
        .iter()
        .find(|d| d["direction"] == direction && d["action"] == action)
        .unwrap_or_else(|| panic!("no {direction} {action} in {:#}", report["differences"]))
}

// ---------------------------------------------------------------------------------
// eval on AWS inputs

#[test]
fn eval_opens_every_aws_fixture() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["awscli", "cloudtrail"] {
        for e in std::fs::read_dir(root().join("tests/fixtures/aws").join(dir)).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x != "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 14 + 6);
    for file in &files {
        let r = run(&[Path::new("eval"), file]);
        assert_eq!(r.code, 0, "{}: {}", file.display(), r.stderr);
        assert!(
            r.stdout.starts_with("# "),
            "{}: {}",
            file.display(),
            r.stdout
        );
        assert!(r.stderr.is_empty(), "{}: {}", file.display(), r.stderr);
    }
    // A CLI output has a policy and no request; CloudTrail has requests and no policy.
    let r = run(&["eval", "tests/fixtures/aws/awscli/get-role.json"]);
    assert!(r.stdout.contains("aws iam get-role"), "{}", r.stdout);
    assert!(r.stdout.contains("(no requests)"), "{}", r.stdout);
    let r = run(&["eval", MIXED_GZ, "--format", "json"]);
    let v = r.json();
    assert_eq!(v["file"], MIXED_GZ);
    assert_eq!(v["requests"].as_array().unwrap().len(), 30);
    let r = run(&["eval", MIXED_JSONL, "--format", "json"]);
    assert_eq!(r.json()["requests"].as_array().unwrap().len(), 30);
}

#[test]
fn eval_of_account_details_needs_a_principal() {
    let r = run(&["eval", DETAILS]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.starts_with(&format!("{DETAILS}:1:1: ")),
        "{}",
        r.stderr
    );
    for who in [
        "--principal",
        "user alice",
        "user bob",
        "role ci-deploy",
        "role AWSServiceRoleForClientVPN",
    ] {
        assert!(r.stderr.contains(who), "{who} missing: {}", r.stderr);
    }

    let r = run(&["eval", DETAILS, "--principal", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("user alice"), "{}", r.stdout);
    assert!(r.stdout.contains("DeveloperBoundary"), "{}", r.stdout);
    let r = run(&[
        "eval",
        DETAILS,
        "--principal",
        CI_DEPLOY,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let request = &r.json()["requests"][0];
    assert!(
        request["trace"]["request"]["principal"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:sts::111122223333:assumed-role/ci-deploy/"),
        "{request:#}"
    );
    let r = run(&["eval", DETAILS_URLENCODED, "--principal", "carol"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = run(&["eval", DETAILS, "--principal", "bobby"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean bob"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------
// replay: decisions

#[test]
fn replay_with_the_policies_that_were_in_force_finds_no_difference() {
    let dir = tempfile::tempdir().unwrap();
    // The denied attempt, against the broken v3 that denied it.
    let denied = client_vpn_subset(dir.path(), "slr-denied.json", &[0]);
    let r = replay(&office(dir.path(), "v3"), &[&denied], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("Replayed 1 CloudTrail event from 1 file against "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 as recorded"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("No event's decision differs from what CloudTrail recorded."),
        "{}",
        r.stdout
    );
    // The fix and the retry, against the fixed v4.
    let after = client_vpn_subset(dir.path(), "after-fix.json", &[2, 3, 4]);
    let r = replay(&office(dir.path(), "v4"), &[&after], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("3 as recorded"), "{}", r.stdout);
    assert!(
        r.stdout.contains("No event's decision differs"),
        "{}",
        r.stdout
    );
}

#[test]

fn replay_of_both_denied_events_against_the_policy_that_denied_them_finds_no_difference() {
    let dir = tempfile::tempdir().unwrap();
    let denied = client_vpn_subset(dir.path(), "denied.json", &[0, 1]);
    let r = replay(&office(dir.path(), "v3"), &[&denied], &[]);
    assert!(
        r.stdout.contains("No event's decision differs"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn replay_with_the_fixed_policy_reports_the_denied_call_as_now_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let r = replay(&v4, &[&p(CLIENT_VPN)], &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(
        r.stdout.starts_with(&format!(
            "Replayed 5 CloudTrail events from 1 file against {}",
            v4.display()
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("would now be ALLOWED (CloudTrail recorded it as denied):"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("would now be DENIED"), "{}", r.stdout);
    assert!(
        !r.stdout.contains("No event's decision differs"),
        "{}",
        r.stdout
    );
    let line = r
        .stdout
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with("iam:CreateServiceLinkedRole by ")
        })
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(line.contains(ALICE) && line.contains("1 event"), "{line}");
    assert!(r.stdout.contains(SLR_DENIED), "{}", r.stdout);
    assert!(r.stdout.contains("now Allow"), "{}", r.stdout);
    // The retry that CloudTrail recorded as allowed is as recorded, not a difference.
    assert!(!r.stdout.contains(SLR_ALLOWED), "{}", r.stdout);
    // The notes say what the record lacked.
    assert!(
        r.stdout.contains("note: aws:SourceIp is missing"),
        "{}",
        r.stdout
    );

    // The broken v3 denies the successful retry: now denied.
    let r = replay(&office(dir.path(), "v3"), &[&p(CLIENT_VPN)], &[]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("would now be DENIED"), "{}", r.stdout);
    assert!(r.stdout.contains(SLR_ALLOWED), "{}", r.stdout);
    assert!(r.stdout.contains("DenyOutsideOffice"), "{}", r.stdout);
}

#[test]
fn replay_against_account_details_assembles_the_principal_and_filters_on_it() {
    // Today's policies (OfficeOnlyAdmin v4 is the default): alice's denied call would
    // now be allowed; dana's CreatePolicyVersion is another caller's.
    let (code, v) = replay_json(&p(DETAILS), &[&p(CLIENT_VPN)], &["--principal", "alice"]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["events"], 5);
    assert_eq!(v["summary"]["filtered_out"], 1);
    let slr = find_difference(&v, "now_allowed", "iam:CreateServiceLinkedRole");
    assert_eq!(slr["caller"], ALICE);
    assert_eq!(slr["example"]["event_id"], SLR_DENIED);
    assert!(
        differences(&v)
            .iter()
            .all(|d| d["direction"] == "now_allowed" && d["caller"] == ALICE),
        "{:#}",
        v["differences"]
    );

    // bob: DeveloperAccess v2 decides every one of his calls as recorded (v3 would
    // allow cloudwatch:DescribeAlarms).
    let (code, v) = replay_json(&p(DETAILS), &[&p(MIXED)], &["--principal", "bob"]);
    assert_eq!(code, 0, "{v:#}");
    let s = &v["summary"];
    assert_eq!(s["events"], 33);
    assert_eq!(s["same"], 7);
    assert_eq!(s["compared"], 7);
    assert_eq!(s["filtered_out"], 23);
    assert_eq!(s["now_allowed"], 0);
    assert_eq!(s["now_denied"], 0);
    assert!(differences(&v).is_empty());

    // Without --principal, account details cannot be replayed.
    let r = replay(&p(DETAILS), &[&p(MIXED)], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("user alice"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn replay_of_a_roles_calls_against_its_unchanged_policies_finds_no_difference() {
    let (code, v) = replay_json(&p(DETAILS), &[&p(MIXED)], &["--principal", "ci-deploy"]);
    assert_eq!(v["summary"]["compared"], 4);
    assert!(differences(&v).is_empty(), "{:#}", v["differences"]);
    assert_eq!(code, 0);
}

// ---------------------------------------------------------------------------------
// replay: the JSON report

/// The summary every run of OfficeOnlyAdmin v4 over the 33 records of mixed gives.
fn assert_mixed_v4_summary(s: &Value, times: u64) {
    assert_eq!(s["events"], 33 * times);
    // alice's "AWS Internal" console call is her own (aws:ViaAWSService false) and has
    // no address: the office Deny applies to it.
    assert_eq!(s["same"], 12 * times);
    assert_eq!(s["now_denied"], 12 * times);
    assert_eq!(s["now_allowed"], times);
    // Four failures for other reasons, and CreateFunction denied on iam:PassRole.
    assert_eq!(s["not_compared"], 5 * times);
    assert_eq!(s["compared"], 25 * times);
    assert_eq!(s["filtered_out"], 0);
    let skipped = s["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 3, "{skipped:#?}");
    for reason in ["AwsConsoleSignIn", "AwsServiceEvent", "AWSAccount"] {
        let entry = skipped
            .iter()
            .find(|e| e["reason"].as_str().unwrap().contains(reason))
            .unwrap_or_else(|| panic!("no skip reason with {reason}: {skipped:#?}"));
        assert_eq!(entry["count"], times, "{reason}");
    }
}

#[test]
fn replay_json_reports_counts_skips_and_grouped_differences() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let (code, v) = replay_json(&v4, &[&p(MIXED)], &[]);
    assert_eq!(code, 1);
    assert_eq!(v["scenario"], v4.display().to_string());
    assert_eq!(v["files"], json!([p(MIXED).display().to_string()]));
    assert_eq!(v["errors"], json!([]));
    assert_mixed_v4_summary(&v["summary"], 1);

    let diffs = differences(&v);
    let total: u64 = diffs.iter().map(|d| d["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 13);
    // Denied ones first, then allowed ones.
    let first_allowed = diffs
        .iter()
        .position(|d| d["direction"] == "now_allowed")
        .unwrap();
    assert!(
        diffs[..first_allowed]
            .iter()
            .all(|d| d["direction"] == "now_denied")
    );
    assert!(
        diffs[first_allowed..]
            .iter()
            .all(|d| d["direction"] == "now_allowed")
    );

    let insecure = find_difference(&v, "now_allowed", "s3:GetObject");
    assert_eq!(insecure["caller"], ALICE);
    assert_eq!(insecure["count"], 1);
    assert_eq!(insecure["decision"], "allow");
    assert_eq!(
        insecure["example"]["event_id"],
        "74417aab-eb21-50d6-a0a6-e9b6728b50b7"
    );
    assert_eq!(insecure["example"]["recorded"], "denied (AccessDenied)");
    assert_eq!(
        insecure["example"]["resource"],
        "arn:aws:s3:::example-shared-reports/2024/q3.csv"
    );
    assert_eq!(insecure["first_time"], "2024-11-05T10:08:09Z");

    let describe = find_difference(&v, "now_denied", "ec2:DescribeInstances");
    assert_eq!(describe["caller"], BOB);
    assert_eq!(describe["decision"], "explicit_deny");
    assert_eq!(
        describe["example"]["event_id"],
        "8eca2cd4-846f-53bd-814f-2a2374683633"
    );
    assert_eq!(describe["example"]["principal"], BOB);
    assert!(
        describe["why"]
            .as_str()
            .unwrap()
            .contains("DenyOutsideOffice"),
        "{describe:#}"
    );
    // A role's sessions are grouped under the role.
    let invoke = find_difference(&v, "now_denied", "lambda:InvokeFunction");
    assert_eq!(invoke["caller"], CI_DEPLOY);
    assert_eq!(
        invoke["example"]["principal"],
        "arn:aws:sts::111122223333:assumed-role/ci-deploy/GitHubActions"
    );
    // Failed calls (NoSuchEntity, throttling…) are never differences.
    assert!(
        diffs
            .iter()
            .all(|d| !["iam:GetRole", "ssm:GetParameter", "ssm:PutParameter"]
                .contains(&d["action"].as_str().unwrap())),
        "{diffs:#?}"
    );
}

#[test]
fn replay_json_of_client_vpn_with_v4() {
    let dir = tempfile::tempdir().unwrap();
    let (code, v) = replay_json(&office(dir.path(), "v4"), &[&p(CLIENT_VPN)], &[]);
    assert_eq!(code, 1);
    let s = &v["summary"];
    assert_eq!(s["events"], 5);
    assert_eq!(s["now_denied"], 0);
    assert_eq!(s["skipped"], json!([]));
    assert_eq!(s["filtered_out"], 0);
    let slr = find_difference(&v, "now_allowed", "iam:CreateServiceLinkedRole");
    assert_eq!(slr["caller"], ALICE);
    assert_eq!(slr["count"], 1);
    assert_eq!(slr["decision"], "allow");
    assert_eq!(slr["example"]["event_id"], SLR_DENIED);
    assert_eq!(slr["example"]["time"], "2024-11-05T10:15:02Z");
    assert!(
        slr["example"]["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("aws:SourceIp")),
        "{slr:#}"
    );
}

#[test]
fn replay_principal_keeps_only_that_callers_events() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let (code, v) = replay_json(&v4, &[&p(MIXED)], &["--principal", BOB]);
    assert_eq!(code, 1);
    let s = &v["summary"];
    assert_eq!(s["events"], 33);
    assert_eq!(s["filtered_out"], 23);
    assert_eq!(s["compared"], 7);
    assert_eq!(s["now_denied"], 1);
    assert!(differences(&v).iter().all(|d| d["caller"] == BOB));

    // A role ARN keeps its sessions.
    let (_, v) = replay_json(&v4, &[&p(MIXED)], &["--principal", CI_DEPLOY]);
    assert_eq!(v["summary"]["compared"], 4);
    assert_eq!(v["summary"]["filtered_out"], 25);
    assert!(differences(&v).iter().all(|d| d["caller"] == CI_DEPLOY));

    // The text report says how many were left out, and for whom.
    let r = replay(&v4, &[&p(MIXED)], &["--principal", BOB]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains(&format!("23 by other callers than {BOB}")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(ALICE), "{}", r.stdout);
}

#[test]
fn replay_gives_the_same_report_for_plain_gzip_and_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let (code, plain) = replay_json(&v4, &[&p(MIXED)], &[]);
    for other in [MIXED_GZ, MIXED_JSONL] {
        let (other_code, v) = replay_json(&v4, &[&p(other)], &[]);
        assert_eq!(other_code, code, "{other}");
        assert_eq!(v["summary"], plain["summary"], "{other}");
        assert_eq!(v["differences"], plain["differences"], "{other}");
    }
    // A gzip file named like a plain one is still read as gzip.
    let disguised = dir.path().join("disguised.json");
    std::fs::copy(p(MIXED_GZ), &disguised).unwrap();
    let (_, v) = replay_json(&v4, &[&disguised], &[]);
    assert_eq!(v["summary"], plain["summary"]);
    // Several files add up.
    let (_, v) = replay_json(&v4, &[&p(MIXED), &p(MIXED_GZ)], &[]);
    assert_mixed_v4_summary(&v["summary"], 2);
}

#[test]
fn replay_searches_directories_for_json_jsonl_and_gz() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let logs = dir.path().join("logs");
    let nested = logs.join("AWSLogs/111122223333/CloudTrail/eu-west-1/2024/11/05");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::copy(p(MIXED_GZ), nested.join("trail_1.json.gz")).unwrap();
    std::fs::copy(p(CLIENT_VPN), logs.join("client-vpn.json")).unwrap();
    std::fs::copy(p(SINGLE), nested.join("one.jsonl")).unwrap();
    std::fs::write(logs.join("notes.txt"), "not a trail").unwrap();
    std::fs::write(logs.join("digest.md"), "# not a trail").unwrap();
    let (_, v) = replay_json(&v4, &[&logs], &[]);
    assert_eq!(v["summary"]["events"], 33 + 5 + 1);
    let files: Vec<String> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted);
    assert!(files.iter().any(|f| f.ends_with("trail_1.json.gz")));
    assert!(
        files
            .iter()
            .all(|f| !f.ends_with(".txt") && !f.ends_with(".md"))
    );

    // The fixture folder: client-vpn, its lookup-events copy, mixed three times, the
    // single event.
    let (_, v) = replay_json(&v4, &[&p(CLOUDTRAIL_DIR)], &[]);
    assert_eq!(v["summary"]["events"], 5 + 5 + 33 * 3 + 1);
    assert_eq!(v["files"].as_array().unwrap().len(), 6);

    // An empty folder is an error, not an empty report.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let r = replay(&v4, &[&empty], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no *.json, *.jsonl or *.gz file under"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------
// replay: bad input

#[test]
fn replay_reports_a_malformed_record_with_its_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let good = r#"{"eventName":"DescribeInstances","eventSource":"ec2.amazonaws.com"}"#;
    let bad_record = r#"{"eventName": tru}"#;
    let text = format!("{{\"Records\": [\n{good},\n{bad_record}\n]}}\n");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, &text).unwrap();
    let r = replay(&v4, &[&bad], &[]);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let offset = text.find(bad_record).unwrap();
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with(&bad.display().to_string()))
        .unwrap_or_else(|| panic!("no line naming the file: {}", r.stderr));
    // FILE:LINE:COLUMN: record N: …; skipped, as eval gives it.
    assert!(line.starts_with(&format!("{}:3:", bad.display())), "{line}");
    assert!(line.contains(": record 2: "), "{line}");
    assert!(line.ends_with("; skipped"), "{line}");
    let eval = std::process::Command::new(env!("CARGO_BIN_EXE_iamtrace"))
        .args(["eval", "--format", "summary"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&eval.stderr).trim_end(), line);
    assert!(offset > 0);

    // Not an object where a record should be: the splitter's offset.
    let text = format!("{{\"Records\": [{good}, 42]}}");
    std::fs::write(&bad, &text).unwrap();
    let r = replay(&v4, &[&bad], &[]);
    assert_eq!(r.code, 2);
    let offset = text.find("42").unwrap();
    assert!(
        r.stderr
            .contains(&format!("{}: byte {offset}: ", bad.display())),
        "{}",
        r.stderr
    );

    // Truncated, even right after the header.
    for cut in [
        "{\"Records\": [{\"eventName\": \"A\"",
        "{\"Records\": ",
        "{\"Rec",
    ] {
        std::fs::write(&bad, cut).unwrap();
        let r = replay(&v4, &[&bad], &[]);
        assert_eq!(r.code, 2, "{cut:?}: {}", r.stdout);
        assert!(
            r.stderr.contains(&bad.display().to_string()),
            "{cut:?}: {}",
            r.stderr
        );
    }

    // A bad file among good ones still fails the run, and the JSON names it.
    std::fs::write(&bad, format!("{{\"Records\": [{good}, 42]}}")).unwrap();
    let r = replay(&v4, &[&p(MIXED), &bad], &["--format", "json"]);
    assert_eq!(r.code, 2);
    let v = r.json();
    assert_eq!(v["errors"][0]["file"], bad.display().to_string());
    // mixed.json is replayed in full (the bad file's records before the error may or
    // may not be).
    let events = v["summary"]["events"].as_u64().unwrap();
    assert!((33..=34).contains(&events), "{events}");

    // A file that does not exist.
    let r = replay(&v4, &[&dir.path().join("missing.json")], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing.json"), "{}", r.stderr);
}

#[test]
fn replay_rejects_an_invalid_scenario_before_reading_events() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad-scenario.json");
    std::fs::write(
        &scenario,
        "{\n  \"name\": 1,\n  \"policies\": {\"identity\": [{\"Version\": \"2012-10-17\", \"Statement\": []}]}\n}\n",
    )
    .unwrap();
    let r = replay(&scenario, &[&p(MIXED)], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr.starts_with(&format!(
            "{}:2:11: name must be a string",
            scenario.display()
        )),
        "{}",
        r.stderr
    );
    // A scenario that is not UTF-8, or not there.
    std::fs::write(&scenario, [0xff, 0xfe, 0x00]).unwrap();
    let r = replay(&scenario, &[&p(MIXED)], &[]);
    assert_eq!(r.code, 2);
    let r = replay(&dir.path().join("nope.json"), &[&p(MIXED)], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.json"), "{}", r.stderr);
}

#[test]

fn eval_reports_a_syntax_error_near_byte_4096_instead_of_crashing() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = "{\"name\": \"";
    let text = format!(
        "{prefix}{}é\", \"requests\": [\n",
        "a".repeat(4095 - prefix.len())
    );
    assert!(!text.is_char_boundary(4096));
    let file = dir.path().join("broken.json");
    std::fs::write(&file, &text).unwrap();
    let r = run(&[Path::new("eval"), &file]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&file.display().to_string()),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------
// replay: a large file

/// The highest VmHWM (peak resident memory, bytes) read while `child` runs.
fn peak_rss(child: &mut std::process::Child) -> (Option<u64>, std::process::ExitStatus) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = None;
    loop {
        if let Some(status) = child.try_wait().expect("waits") {
            return (peak, status);
        }
        if let Ok(text) = std::fs::read_to_string(&status_file) {
            if let Some(kb) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = Some(peak.map_or(kb * 1024, |p: u64| p.max(kb * 1024)));
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn replay_streams_a_large_file_with_flat_memory() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let recs: Vec<String> = records(MIXED)
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    let big = dir.path().join("big.json");
    let copies: u64 = {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        f.write_all(b"{\"Records\": [\n").unwrap();
        let mut written = 0usize;
        let mut copies = 0u64;
        while written < 60 << 20 {
            for (i, r) in recs.iter().enumerate() {
                if copies > 0 || i > 0 {
                    f.write_all(b",\n").unwrap();
                }
                f.write_all(r.as_bytes()).unwrap();
                written += r.len() + 2;
            }
            copies += 1;
        }
        f.write_all(b"\n]}\n").unwrap();
        copies
    };
    let size = std::fs::metadata(&big).unwrap().len();
    assert!(size > 60 << 20);

    let out = dir.path().join("report.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("iamtrace"))
        .args([
            "replay".as_ref(),
            v4.as_os_str(),
            "--cloudtrail".as_ref(),
            big.as_os_str(),
        ])
        .args(["--format", "json"])
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("iamtrace runs");
    let (peak, status) = peak_rss(&mut child);
    assert_eq!(status.code(), Some(1));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_mixed_v4_summary(&v["summary"], copies);
    assert_eq!(v["errors"], json!([]));
    let dup = find_difference(&v, "now_allowed", "s3:GetObject");
    assert_eq!(dup["count"], copies);

    // Memory: a few 1 MB batches per worker, not the file (about 26 MB on 2 cores,
    // and about as much for a file four times larger), plus the event map and the
    // service catalog the conversion reads (a few MB of tables; mimalloc's peak is
    // 35 MB or, depending on timing, about 52 MB on 2 cores).
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let peak = peak.expect("the process was sampled while it ran");
    if workers <= 4 {
        assert!(
            peak < size,
            "peak resident memory {} MB for a {} MB file",
            peak >> 20,
            size >> 20
        );
    } else {
        eprintln!(
            "{workers} workers: peak resident memory {} MB for a {} MB file (not checked)",
            peak >> 20,
            size >> 20
        );
    }
}

/// lookup-events output replays like the records it holds.
#[test]
fn replay_reads_lookup_events_output() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let (code_a, a) = replay_json(&v4, &[&p(CLIENT_VPN)], &[]);
    let (code_b, b) = replay_json(
        &v4,
        &[&p("tests/fixtures/aws/cloudtrail/lookup-events.json")],
        &[],
    );
    assert_eq!((code_a, &a["summary"]), (code_b, &b["summary"]));
    assert_eq!(a["differences"], b["differences"]);
}

/// JSON that is not CloudTrail (here an AWS CLI output) is an input error, not a clean
/// run that compared nothing.
#[test]
fn replay_of_a_file_that_is_not_cloudtrail_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = replay(
        &office(dir.path(), "v4"),
        &[&p("tests/fixtures/aws/awscli/get-role.json")],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("no CloudTrail event in this file"),
        "{}",
        r.stderr
    );
    // So is an empty file, and an empty array, beside a real trail.
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let array = dir.path().join("array.json");
    std::fs::write(&array, "[]").unwrap();
    let r = replay(
        &office(dir.path(), "v4"),
        &[&p(CLIENT_VPN), &empty, &array],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr.contains("empty.json: no CloudTrail event"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("array.json: no CloudTrail event"),
        "{}",
        r.stderr
    );
}

/// Concatenated trail files (`zcat *.json.gz > all.json`, or gzip members joined)
/// are read whole.
#[test]
fn replay_reads_concatenated_trail_files() {
    let dir = tempfile::tempdir().unwrap();
    let twice = dir.path().join("twice.json");
    let one = std::fs::read(p(CLIENT_VPN)).unwrap();
    std::fs::write(&twice, [one.clone(), one].concat()).unwrap();
    let gz = std::fs::read(p(MIXED_GZ)).unwrap();
    let twice_gz = dir.path().join("twice.json.gz");
    std::fs::write(&twice_gz, [gz.clone(), gz].concat()).unwrap();
    let (_, v) = replay_json(&office(dir.path(), "v4"), &[&twice, &twice_gz], &[]);
    assert_eq!(v["summary"]["events"], 5 * 2 + 33 * 2);
}

/// --principal with a bare name on a scenario that is not account details is refused;
/// an ARN that matches no event is an error too.
#[test]
fn replay_principal_must_name_a_caller() {
    let dir = tempfile::tempdir().unwrap();
    let v4 = office(dir.path(), "v4");
    let r = replay(&v4, &[&p(CLIENT_VPN)], &["--principal", "alice"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("give the caller's ARN"), "{}", r.stderr);
    let r = replay(
        &v4,
        &[&p(CLIENT_VPN)],
        &["--principal", "arn:aws:iam::111122223333:user/nobody"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no event is by"), "{}", r.stderr);
}
