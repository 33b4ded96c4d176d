//! Rough edges of the command line found by trying it as a new user would (issue 14):
//! `lint` counts the files it could not check, `diff` takes a bare policy on one side,
//! an unknown request name lists the names there are, a misspelt subcommand gets
//! clap's "a similar subcommand exists" rather than being opened as a file, and replay
//! without `--principal` says when the policies are presumably one caller's.

use assert_cmd::Command;

const DIR: &str = "tests/fixtures/inputs";

/// Runs the binary from the crate root: (status, stdout, stderr).
fn iamtrace(args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("iamtrace").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env("NO_COLOR", "1");
    cmd.args(args);
    cmd.write_stdin("");
    let out = cmd.output().expect("iamtrace runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn lint_counts_the_files_it_could_not_check() {
    let (code, out, err) = iamtrace(&[
        "lint",
        "tests/fixtures/cli/invalid.json",
        &format!("{DIR}/policy.json"),
        "tests/fixtures/inputs/no-such-file.json",
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        out,
        "0 errors, 0 security warnings, 0 warnings, 0 suggestions in 3 files; 2 files not checked (unreadable or invalid: the errors are on standard error)\n"
    );
    // All clean: no such clause.
    let (code, out, _) = iamtrace(&["lint", &format!("{DIR}/policy.json")]);
    assert_eq!(code, 0);
    assert!(out.ends_with("in 1 file\n"), "{out}");
}

#[test]
fn diff_takes_a_bare_policy_on_either_side() {
    let scenario = format!("{DIR}/scenario.json");
    let policy = format!("{DIR}/policy.json");
    let deny = format!("{DIR}/bare/deny-only.json");
    // The scenario's request under its own policy, then under the bare policy alone.
    let (code, out, err) = iamtrace(&["diff", &scenario, &policy]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("no decision changes between"), "{out}");
    // A bare policy that allows nothing the request needs: the request changes.
    let (code, out, err) = iamtrace(&["diff", &scenario, &deny]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "read q1: Allow → Implicit deny\n");
    let (code, out, _) = iamtrace(&["diff", &deny, &scenario]);
    assert_eq!(code, 1);
    assert_eq!(out, "read q1: Implicit deny → Allow\n");
    // With --vary, the request is picked among those compared.
    let (code, _, err) = iamtrace(&[
        "diff",
        &deny,
        &scenario,
        "--vary",
        "aws:SourceIp=10.0.0.1",
        "--request",
        "read q1",
    ]);
    assert_eq!(code, 1, "{err}");
    // AWS's full-access endpoint policy / RCP shape grants nothing when read bare
    // (as a resource policy it would have allowed every request of the account).
    let full = format!("{DIR}/bare/full-access-everyone.json");
    let (code, out, err) = iamtrace(&["diff", &scenario, &full]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "read q1: Allow → Implicit deny\n");
    // Two bare policies: nothing to compare on, said so.
    let (code, _, err) = iamtrace(&["diff", &policy, &deny]);
    assert_eq!(code, 2);
    assert!(
        err.contains("has a request to compare the policies on"),
        "{err}"
    );
}

#[test]
fn an_unknown_request_name_lists_the_names_there_are() {
    let (code, _, err) = iamtrace(&[
        "eval",
        "tests/fixtures/cli/all-met.json",
        "--request",
        "reed",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "tests/fixtures/cli/all-met.json: no request named \"reed\" (did you mean read?); the requests are \"read\", \"delete\", \"#3\" (or 1 to 3 by position)\n"
    );
    let (code, _, err) = iamtrace(&["eval", "tests/fixtures/cli/all-met.json", "--request", "9"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no request named \"9\" and no request #9;"),
        "{err}"
    );
    let (code, _, err) = iamtrace(&[
        "grid",
        &format!("{DIR}/scenario.json"),
        "--request",
        "read q2",
        "--vary",
        "aws:SourceIp=10.0.0.1",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("(did you mean read q1?); the requests are \"read q1\""),
        "{err}"
    );
}

#[test]
fn a_misspelt_subcommand_gets_a_suggestion_not_an_open() {
    for (typo, meant) in [
        ("evl", "eval"),
        ("lnt", "lint"),
        ("gird", "grid"),
        ("replya", "replay"),
    ] {
        let (code, out, err) = iamtrace(&[typo, "x.json"]);
        assert_eq!(code, 2, "{typo}");
        assert!(out.is_empty(), "{typo}: {out}");
        assert!(
            err.contains(&format!("unrecognized subcommand '{typo}'")),
            "{err}"
        );
        assert!(
            err.contains(&format!("a similar subcommand exists: '{meant}'")),
            "{err}"
        );
    }
    // A file of that name is still opened (here: printed, standard output not a terminal).
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        format!("{}/{DIR}/policy.json", env!("CARGO_MANIFEST_DIR")),
        dir.path().join("evl"),
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("iamtrace").unwrap();
    let out = cmd.current_dir(dir.path()).arg("evl").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Far from every subcommand: read as a file name, as before.
    let (code, _, err) = iamtrace(&["zzz"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("zzz: cannot read"), "{err}");
}

#[test]
fn replay_without_principal_warns_when_the_policies_are_one_callers() {
    let trail = format!("{DIR}/trail.jsonl");
    let (code, out, err) = iamtrace(&[
        "replay",
        &format!("{DIR}/scenario.json"),
        "--cloudtrail",
        &trail,
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("Replayed 3 CloudTrail events"), "{out}");
    assert!(
        err.contains("give --principal arn:aws:iam::111122223333:user/bob to replay only that caller's events"),
        "{err}"
    );
    // Given, or with no requests to tell whose policies they are: no warning.
    let (_, _, err) = iamtrace(&[
        "replay",
        &format!("{DIR}/scenario.json"),
        "--principal",
        "arn:aws:iam::111122223333:user/bob",
        "--cloudtrail",
        &trail,
    ]);
    assert!(!err.contains("presumably"), "{err}");
    let (_, _, err) = iamtrace(&[
        "replay",
        &format!("{DIR}/policy.json"),
        "--cloudtrail",
        &trail,
    ]);
    assert!(!err.contains("presumably"), "{err}");
}

#[test]
fn replay_judges_each_caller_by_the_policies_bound_to_it() {
    let trail = format!("{DIR}/trail.jsonl");
    let text = std::fs::read_to_string(format!("{DIR}/scenario.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bound = |who: &str| {
        let path = dir.path().join(format!("{who}.json"));
        let t = text.replacen(
            "\"name\": \"reports-read\",",
            &format!("\"name\": \"reports-read\", \"principal\": \"arn:aws:iam::111122223333:user/{who}\","),
            1,
        );
        assert_ne!(t, text);
        std::fs::write(&path, t).unwrap();
        path.display().to_string()
    };
    // Bound to bob, whose events the trail holds: the same as unbound, and no note that
    // every caller is judged by them (they are bob's alone).
    let (code, out, err) = iamtrace(&["replay", &bound("bob"), "--cloudtrail", &trail]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("2 as recorded · 1 would now be denied"),
        "{out}"
    );
    assert!(!err.contains("presumably"), "{err}");
    // Bound to alice: bob's events meet no policy of his, so his read is denied too.
    let (code, out, err) = iamtrace(&["replay", &bound("alice"), "--cloudtrail", &trail]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("1 as recorded · 2 would now be denied"),
        "{out}"
    );
}

#[test]
fn eval_shows_whom_a_policy_is_bound_to_and_when_it_is_not_for_the_caller() {
    let file = "tests/cases/decisions/bound-principals.json";
    let (code, out, err) = iamtrace(&["eval", file, "--format", "json", "--request", "4"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let policies = &v["requests"][0]["trace"]["policies"];
    let alice = &policies[0];
    assert_eq!(alice["name"], "AliceS3");
    assert_eq!(alice["bound_to"], "arn:aws:iam::111122223333:user/alice");
    assert_eq!(alice["applies"], false);
    assert_eq!(alice["not_applied_code"], "other_principal");
    assert_eq!(policies[1]["name"], "AppRole");
    assert_eq!(policies[1]["applies"], true);
    // The unbound policy has no bound_to and applies.
    assert_eq!(policies[2]["bound_to"], serde_json::Value::Null);
    assert_eq!(policies[2]["applies"], true);
    let (_, text, _) = iamtrace(&["eval", file, "--request", "4"]);
    assert!(
        text.contains("identity policy \"AliceS3\" for arn:aws:iam::111122223333:user/alice: not applied (not for this principal"),
        "{text}"
    );
}
