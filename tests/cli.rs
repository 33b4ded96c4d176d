//! The `iamtrace` command line as a user or a script sees it (SPEC §7): the text, summary
//! and JSON Lines formats of `eval`, exit statuses, error messages with positions,
//! directory discovery and request selection. Fixtures live in `tests/fixtures/cli/`:
//!
//! - `all-met.json`: three requests (one unnamed), every `expect` met;
//! - `missed.json`: one `expect` met, one missed;
//! - `invalid.json`: two errors (a bad `Effect`, a misspelt request key);
//! - `no-expects.json`: two requests without `expect` (one unnamed), no scenario name;
//! - `not-utf8.json`: bytes that are not UTF-8;
//! - `tree/`: nested scenarios (and a `.txt` to skip) for recursive, sorted discovery.

use assert_cmd::Command;
use serde_json::Value;

const ALL_MET: &str = "tests/fixtures/cli/all-met.json";
const MISSED: &str = "tests/fixtures/cli/missed.json";
const INVALID: &str = "tests/fixtures/cli/invalid.json";
const NO_EXPECTS: &str = "tests/fixtures/cli/no-expects.json";
const NOT_UTF8: &str = "tests/fixtures/cli/not-utf8.json";
const TREE: &str = "tests/fixtures/cli/tree";
const CLIENT_VPN: &str = "assets/scenarios/client-vpn-source-ip.json";

/// What one run of the binary produced.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn stdout_lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }

    /// Each stdout line parsed as one JSON value.
    fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))
            })
            .collect()
    }
}

/// The binary, run from the crate root (so file names print relative to it) with
/// `NO_COLOR` cleared so colour decisions depend only on the test.
fn iamtrace() -> Command {
    let mut cmd = Command::cargo_bin("iamtrace").expect("the iamtrace binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env_remove("NO_COLOR");
    cmd
}

fn run_cmd(mut cmd: Command) -> Run {
    let out = cmd.output().expect("iamtrace runs");
    Run {
        code: out
            .status
            .code()
            .expect("iamtrace exits with a status, not a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

fn run(args: &[&str]) -> Run {
    let mut cmd = iamtrace();
    cmd.args(args);
    run_cmd(cmd)
}

/// `iamtrace eval ARGS... --format summary`.
fn summary(args: &[&str]) -> Run {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "summary"]);
    run(&all)
}

/// `iamtrace eval ARGS... --format json`.
fn json(args: &[&str]) -> Run {
    let mut all = vec!["eval"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    run(&all)
}

fn assert_no_ansi(text: &str) {
    assert!(
        !text.contains('\x1b'),
        "expected no ANSI escape codes, got:\n{text}"
    );
}

// ---------------------------------------------------------------------------------
// eval, text format

#[test]
fn text_shows_title_requests_decisions_and_trace_sections() {
    let r = run(&["eval", ALL_MET]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(r.stderr.is_empty(), "stderr: {}", r.stderr);
    let lines = r.stdout_lines();
    assert_eq!(
        lines[0],
        format!("# Reads allowed, deletes denied ({ALL_MET})")
    );
    for header in [
        "## Request 1: read",
        "## Request 2: delete",
        "## Request 3: #3",
    ] {
        assert!(
            lines.contains(&header),
            "missing {header:?} in:\n{}",
            r.stdout
        );
    }
    // The people's decision labels, each starting its decision line.
    for label in ["Allow — ", "Explicit deny — ", "Implicit deny — "] {
        assert!(
            lines.iter().any(|l| l.starts_with(label)),
            "missing a line starting {label:?} in:\n{}",
            r.stdout
        );
    }
    assert!(lines.contains(&"expected: Allow (as expected)"));
    // One Rules and one Policies section per request.
    assert_eq!(lines.iter().filter(|l| **l == "Rules").count(), 3);
    assert_eq!(lines.iter().filter(|l| **l == "Policies").count(), 3);
    // The trace names the policy and statement it evaluated.
    assert!(r.stdout.contains("identity policy \"ReadOnly\""));
    assert!(
        r.stdout
            .contains("statement \"NoDelete\" #2 (Deny, line 11): applies → Deny")
    );
    assert!(
        !r.stdout.contains("explicit_deny"),
        "machine words leak into text"
    );
}

#[test]
fn text_blocks_follow_request_order() {
    let r = run(&["eval", ALL_MET]);
    let read = r.stdout.find("## Request 1: read").expect("request 1");
    let delete = r.stdout.find("## Request 2: delete").expect("request 2");
    let unnamed = r.stdout.find("## Request 3: #3").expect("request 3");
    assert!(read < delete && delete < unnamed);
}

#[test]
fn text_says_when_an_expectation_is_missed() {
    let r = run(&["eval", MISSED]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("expected: Allow (NOT as expected)"));
    assert!(r.stdout.contains("Implicit deny — "));
}

#[test]
fn text_has_no_ansi_codes_when_piped() {
    let r = run(&["eval", CLIENT_VPN]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Explicit deny"));
    assert_no_ansi(&r.stdout);
    assert_no_ansi(&r.stderr);
}

#[test]
fn text_has_no_ansi_codes_with_no_color() {
    let mut cmd = iamtrace();
    cmd.args(["eval", CLIENT_VPN]).env("NO_COLOR", "1");
    let r = run_cmd(cmd);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Explicit deny"));
    assert_no_ansi(&r.stdout);
}

#[test]
fn text_of_request_2_of_client_vpn() {
    let r = run(&["eval", CLIENT_VPN, "--request", "2"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

/// `why_not.policy_edits[]` in JSON: the first edit for request 2 of the Client VPN
/// "wanted" scenario is the documented guard, with its place in the file; made there,
/// every expectation of the file holds.
#[test]
fn json_policy_edits_apply_to_the_file() {
    let r = json(&[WANTED, "--request", "2"]);
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    let line = &r.json_lines()[0];
    let why = &line["requests"][0]["why_not"];
    assert_eq!(why["policy_edits_aim"], "allow");
    let first = &why["policy_edits"][0];
    assert_eq!(first["policy"], "DenyOutsideOffice");
    assert_eq!(first["statement"], "statement \"DenyOutsideOffice\" #1");
    assert_eq!(first["kind"], "add_guard");
    assert_eq!(first["decisions"].as_array().map(Vec::len), Some(9));
    assert_eq!(first["decisions"][1]["after"], "allow");
    let text = std::fs::read_to_string(WANTED).expect("readable");
    let at = &first["in_file"];
    let (start, end) = (
        at["start"].as_u64().expect("start") as usize,
        at["end"].as_u64().expect("end") as usize,
    );
    assert_eq!(&text[start..end], first["before"].as_str().expect("before"));
    let fixed = format!(
        "{}{}{}",
        &text[..start],
        first["after"].as_str().expect("after"),
        &text[end..]
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fixed.json");
    std::fs::write(&path, fixed).expect("written");
    let r = summary(&[path.to_str().expect("UTF-8 path")]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(!r.stdout.contains("FAIL"));
}

// ---------------------------------------------------------------------------------
// eval, summary format

#[test]
fn summary_is_one_tab_separated_line_per_request() {
    let r = summary(&[ALL_MET]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(
        r.stdout_lines(),
        [
            format!("allow\tok\t{ALL_MET}\tread"),
            format!("explicit_deny\tok\t{ALL_MET}\tdelete"),
            format!("implicit_deny\tok\t{ALL_MET}\t#3"),
        ]
    );
}

#[test]
fn summary_marks_missed_expectations_fail() {
    let r = summary(&[MISSED]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout_lines(),
        [
            format!("allow\tok\t{MISSED}\tread"),
            format!("implicit_deny\tFAIL\t{MISSED}\twrite, wrongly expected to be allowed"),
        ]
    );
}

#[test]
fn summary_marks_requests_without_expect_with_a_dash() {
    let r = summary(&[NO_EXPECTS]);
    assert_eq!(r.code, 0, "no expect means nothing can be missed");
    assert_eq!(
        r.stdout_lines(),
        [
            format!("allow\t-\t{NO_EXPECTS}\tlist"),
            format!("implicit_deny\t-\t{NO_EXPECTS}\t#2"),
        ]
    );
}

#[test]
fn summary_lines_have_exactly_four_fields() {
    let r = summary(&[ALL_MET, MISSED, NO_EXPECTS]);
    assert_eq!(r.stdout_lines().len(), 7);
    for line in r.stdout_lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 4, "{line:?}");
        assert!(
            ["allow", "explicit_deny", "implicit_deny"].contains(&fields[0]),
            "{line:?}"
        );
        assert!(["ok", "FAIL", "-"].contains(&fields[1]), "{line:?}");
    }
}

// ---------------------------------------------------------------------------------
// eval, JSON Lines format

#[test]
fn json_is_one_compact_object_per_file() {
    let r = json(&[ALL_MET, NO_EXPECTS]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stdout_lines().len(), 2, "one line per file");
    for line in r.stdout_lines() {
        assert!(!line.contains("\n  "), "not compact: {line}");
    }
    let files = r.json_lines();
    assert_eq!(files[0]["file"], ALL_MET);
    assert_eq!(files[1]["file"], NO_EXPECTS);
}

#[test]
fn json_requests_carry_decision_expectation_and_trace() {
    let r = json(&[ALL_MET]);
    let file = &r.json_lines()[0];
    assert!(file.get("errors").is_none());
    let requests = file["requests"].as_array().expect("requests is an array");
    assert_eq!(requests.len(), 3);

    let names: Vec<&Value> = requests.iter().map(|q| &q["name"]).collect();
    assert_eq!(
        names,
        [&Value::from("read"), &Value::from("delete"), &Value::Null]
    );
    let decisions: Vec<&str> = requests
        .iter()
        .map(|q| q["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, ["allow", "explicit_deny", "implicit_deny"]);
    let expected: Vec<&str> = requests
        .iter()
        .map(|q| q["expected"].as_str().unwrap())
        .collect();
    assert_eq!(expected, decisions);

    for q in requests {
        let trace = q["trace"].as_object().expect("trace is an object");
        for key in ["decision", "reason", "steps", "policies", "request"] {
            assert!(trace.contains_key(key), "trace lacks {key:?}: {q}");
        }
        assert_eq!(trace["decision"], q["decision"], "trace and request agree");
        assert!(trace["reason"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(trace["steps"].as_array().is_some_and(|s| !s.is_empty()));
        assert_eq!(trace["policies"][0]["name"], "ReadOnly");
        assert!(q.get("determined_by").is_some(), "no determined_by: {q}");
    }
    // An allow and an explicit deny are determined by a statement; an implicit deny by none.
    assert!(
        requests[0]["determined_by"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    assert!(
        requests[1]["determined_by"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
}

#[test]
fn json_expected_is_null_without_expect() {
    let r = json(&[NO_EXPECTS]);
    let file = &r.json_lines()[0];
    for q in file["requests"].as_array().unwrap() {
        assert!(
            q.as_object().unwrap().contains_key("expected"),
            "expected must be present"
        );
        assert_eq!(q["expected"], Value::Null);
    }
    assert_eq!(file["requests"][1]["name"], Value::Null);
}

#[test]
fn json_invalid_file_gives_its_errors_with_positions() {
    let r = json(&[INVALID]);
    assert_eq!(r.code, 2);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 1);
    let file = &lines[0];
    assert_eq!(file["file"], INVALID);
    assert!(file.get("requests").is_none());
    let errors = file["errors"].as_array().expect("errors is an array");
    assert_eq!(errors.len(), 2, "every error is reported: {file}");
    assert_eq!(errors[0]["line"], 9);
    assert_eq!(errors[0]["column"], 24);
    assert!(errors[0]["message"].as_str().unwrap().contains("Effect"));
    assert_eq!(errors[1]["line"], 20);
    assert_eq!(errors[1]["column"], 7);
    assert!(errors[1]["message"].as_str().unwrap().contains("expcet"));
}

#[test]
fn json_valid_files_are_still_evaluated_beside_an_invalid_one() {
    let r = json(&[INVALID, ALL_MET]);
    assert_eq!(r.code, 2);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].get("errors").is_some());
    assert_eq!(lines[1]["file"], ALL_MET);
    assert_eq!(lines[1]["requests"].as_array().unwrap().len(), 3);
}

#[test]
fn json_missing_file_gives_an_errors_object() {
    let r = json(&["tests/fixtures/cli/does-not-exist.json", ALL_MET]);
    assert_eq!(r.code, 2);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["file"], "tests/fixtures/cli/does-not-exist.json");
    assert!(lines[0]["errors"].as_array().is_some_and(|e| !e.is_empty()));
    assert_eq!(lines[1]["file"], ALL_MET);
}

/// A file that is not UTF-8 is invalid input like any other: SPEC §7 says an invalid
/// file gives `{"file", "errors"}` in JSON Lines, so a script sees why it was skipped.
#[test]
fn json_non_utf8_file_gives_an_errors_object() {
    let r = json(&[NOT_UTF8, ALL_MET]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(NOT_UTF8), "stderr: {}", r.stderr);
    let lines = r.json_lines();
    let files: Vec<&Value> = lines.iter().map(|l| &l["file"]).collect();
    assert_eq!(
        lines.len(),
        2,
        "expected an errors object for {NOT_UTF8}, got objects for {files:?}"
    );
    assert_eq!(lines[0]["file"], NOT_UTF8);
    assert!(lines[0]["errors"].as_array().is_some_and(|e| !e.is_empty()));
    assert_eq!(lines[1]["file"], ALL_MET);
}

// ---------------------------------------------------------------------------------
// Exit statuses and errors

#[test]
fn exit_0_when_all_expectations_are_met() {
    iamtrace().args(["eval", ALL_MET]).assert().success();
}

#[test]
fn exit_0_without_expectations() {
    iamtrace().args(["eval", NO_EXPECTS]).assert().success();
}

#[test]
fn exit_1_when_an_expectation_is_missed() {
    iamtrace()
        .args(["eval", ALL_MET, MISSED, NO_EXPECTS])
        .assert()
        .code(1);
}

#[test]
fn exit_2_when_a_file_is_invalid_even_if_another_missed() {
    let r = summary(&[MISSED, INVALID]);
    assert_eq!(r.code, 2);
    // The missed file was still evaluated.
    assert!(
        r.stdout
            .contains(&format!("implicit_deny\tFAIL\t{MISSED}\t"))
    );
}

#[test]
fn every_valid_file_is_evaluated_when_another_is_invalid() {
    let r = summary(&[INVALID, ALL_MET, NO_EXPECTS]);
    assert_eq!(r.code, 2);
    let lines = r.stdout_lines();
    assert_eq!(lines.len(), 5, "stdout:\n{}", r.stdout);
    assert!(lines[..3].iter().all(|l| l.contains(ALL_MET)));
    assert!(lines[3..].iter().all(|l| l.contains(NO_EXPECTS)));
    assert!(
        !r.stdout.contains(INVALID),
        "an invalid file has no summary lines"
    );
}

#[test]
fn errors_go_to_stderr_as_file_line_column_message() {
    for format in ["text", "summary", "json"] {
        let r = run(&["eval", INVALID, "--format", format]);
        assert_eq!(r.code, 2);
        assert_eq!(
            r.stderr_lines(),
            [
                format!("{INVALID}:9:24: Effect must be exactly \"Allow\" or \"Deny\""),
                format!("{INVALID}:20:7: unknown request key \"expcet\" (did you mean expect?)"),
            ],
            "format {format}"
        );
        if format != "json" {
            assert!(r.stdout.is_empty(), "format {format}: stdout {}", r.stdout);
        }
    }
}

#[test]
fn valid_files_write_nothing_to_stderr() {
    for format in ["text", "summary", "json"] {
        let r = run(&["eval", ALL_MET, MISSED, "--format", format]);
        assert!(r.stderr.is_empty(), "format {format}: {}", r.stderr);
    }
}

#[test]
fn missing_file_exits_2_naming_it() {
    let r = summary(&["tests/fixtures/cli/does-not-exist.json", ALL_MET]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("tests/fixtures/cli/does-not-exist.json"),
        "stderr: {}",
        r.stderr
    );
    assert_eq!(
        r.stdout_lines().len(),
        3,
        "the other file is still evaluated"
    );
}

#[test]
fn non_utf8_file_exits_2_naming_it() {
    let r = summary(&[NOT_UTF8]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(NOT_UTF8), "stderr: {}", r.stderr);
}

#[test]
fn eval_without_paths_is_a_usage_error() {
    let r = run(&["eval"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(!r.stderr.is_empty());
}

#[test]
fn unknown_format_is_a_usage_error() {
    let r = run(&["eval", ALL_MET, "--format", "yaml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("yaml"), "stderr: {}", r.stderr);
}

// ---------------------------------------------------------------------------------
// Directories

#[test]
fn directories_are_searched_recursively_in_sorted_path_order() {
    let r = summary(&[TREE]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let files: Vec<&str> = r
        .stdout_lines()
        .iter()
        .map(|l| l.split('\t').nth(2).expect("a file field"))
        .collect();
    assert_eq!(
        files,
        [
            "tests/fixtures/cli/tree/a/one.json",
            "tests/fixtures/cli/tree/b/deep/two.json",
            "tests/fixtures/cli/tree/b/three.json",
            "tests/fixtures/cli/tree/m-middle.json",
            "tests/fixtures/cli/tree/z-last.json",
        ],
        "the .txt file is skipped"
    );
}

#[test]
fn directories_and_files_keep_command_line_order() {
    let r = summary(&[NO_EXPECTS, TREE, ALL_MET]);
    let lines = r.stdout_lines();
    assert_eq!(lines.len(), 2 + 5 + 3);
    assert!(lines[0].contains(NO_EXPECTS));
    assert!(lines[2].contains("tree/a/one.json"));
    assert!(lines[6].contains("tree/z-last.json"));
    assert!(lines[7].contains(ALL_MET));
}

// ---------------------------------------------------------------------------------
// Picking requests

#[test]
fn request_picked_by_name() {
    let r = summary(&[ALL_MET, "--request", "delete"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout_lines(),
        [format!("explicit_deny\tok\t{ALL_MET}\tdelete")]
    );
}

#[test]
fn request_picked_by_position() {
    let r = summary(&[ALL_MET, "--request", "2"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout_lines(),
        [format!("explicit_deny\tok\t{ALL_MET}\tdelete")]
    );
}

#[test]
fn request_selector_is_repeatable() {
    let r = summary(&[ALL_MET, "--request", "read", "--request", "3"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout_lines(),
        [
            format!("allow\tok\t{ALL_MET}\tread"),
            format!("implicit_deny\tok\t{ALL_MET}\t#3"),
        ]
    );
}

#[test]
fn text_of_a_picked_request_keeps_its_number() {
    let r = run(&["eval", ALL_MET, "--request", "delete"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("## Request 2: delete"));
    assert!(!r.stdout.contains("## Request 1"));
    assert!(!r.stdout.contains("## Request 3"));
}

#[test]
fn picking_skips_a_missed_expectation() {
    // Only the met request is evaluated, so nothing is missed.
    let r = summary(&[MISSED, "--request", "read"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout_lines().len(), 1);
}

#[test]
fn unknown_request_name_exits_2_with_a_message() {
    let r = summary(&[ALL_MET, "--request", "nonesuch"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "stdout: {}", r.stdout);
    assert!(
        r.stderr.contains("nonesuch") && r.stderr.contains(ALL_MET),
        "stderr: {}",
        r.stderr
    );
}

#[test]
fn out_of_range_request_position_exits_2_with_a_message() {
    for sel in ["0", "4"] {
        let r = summary(&[ALL_MET, "--request", sel]);
        assert_eq!(r.code, 2, "selector {sel}");
        assert!(
            r.stderr.contains(&format!("#{sel}")),
            "stderr: {}",
            r.stderr
        );
    }
}

// ---------------------------------------------------------------------------------
// No subcommand

#[test]
fn no_arguments_prints_the_builtin_client_vpn_trace() {
    let r = run(&[]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(
        r.stdout
            .starts_with("# Client VPN endpoint blocked by an office-IP guardrail"),
        "stdout starts: {}",
        r.stdout.lines().next().unwrap_or_default()
    );
    assert!(r.stdout.contains("Explicit deny"));
    assert!(r.stdout.contains("Allow"));
    assert!(
        r.stdout
            .contains("## Request 2: EC2 creates the service-linked role")
    );
    assert_no_ansi(&r.stdout);
}

#[test]
fn builtin_matches_the_asset_file() {
    // The built-in trace is the asset's, apart from the file name in the title.
    let builtin = run(&[]);
    let file = run(&["eval", CLIENT_VPN]);
    let body = |s: &str| {
        s.split_once('\n')
            .map(|(_, rest)| rest.to_string())
            .unwrap()
    };
    assert_eq!(body(&builtin.stdout), body(&file.stdout));
}

#[test]
fn a_file_without_subcommand_is_evaluated_as_text() {
    let r = run(&[ALL_MET]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(
        r.stdout,
        run(&["eval", ALL_MET]).stdout,
        "`iamtrace FILE` is `iamtrace eval FILE`"
    );
    assert!(r.stdout.starts_with("# Reads allowed, deletes denied"));
}

#[test]
fn a_file_without_subcommand_reports_a_missed_expectation() {
    let r = run(&[MISSED]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("NOT as expected"));
}

// ---------------------------------------------------------------------------------
// The built-in scenarios

/// The built-in that states what the Client VPN team wants rather than what its
/// guardrail does: its expectations fail until the suggested policy edit is made (the
/// conformance test makes it).
const WANTED: &str = "assets/scenarios/client-vpn-wanted.json";

#[test]
fn builtin_scenarios_meet_every_expectation() {
    let r = summary(&["assets/scenarios"]);
    assert_eq!(r.code, 1, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    assert!(r.stderr.is_empty(), "stderr: {}", r.stderr);
    let lines = r.stdout_lines();
    assert!(!lines.is_empty());
    let mut wanted_failing = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields[2] == WANTED {
            if fields[1] == "FAIL" {
                wanted_failing.push(fields[3]);
            }
            continue;
        }
        assert_ne!(fields[1], "FAIL", "{line}");
    }
    // The calls EC2 makes for alice from the service's address, and only those.
    assert_eq!(wanted_failing.len(), 3, "{wanted_failing:?}");
    assert!(
        wanted_failing
            .iter()
            .all(|n| n.contains("(service's address as source IP)"))
    );
}

/// The summary of a valid scenario file is read as a stream (no request kept for the
/// whole file): its lines must be what the whole-file reader's JSON says, request by
/// request, for every conformance case and example scenario.
#[test]
fn summary_lines_match_the_json_of_every_case() {
    for dir in ["tests/cases", "assets/scenarios"] {
        let s = summary(&[dir]);
        let j = json(&[dir]);
        assert_eq!(s.code, j.code, "{dir}: stderr {} / {}", s.stderr, j.stderr);
        let mut want = Vec::new();
        for line in j.stdout.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON Lines");
            let file = v["file"].as_str().expect("file");
            for (i, r) in v["requests"]
                .as_array()
                .expect("requests")
                .iter()
                .enumerate()
            {
                let decision = r["decision"].as_str().expect("decision");
                let status = match r["expected"].as_str() {
                    None => "-",
                    Some(e) if e == decision => "ok",
                    Some(_) => "FAIL",
                };
                let label = match r["name"].as_str() {
                    Some(n) => n.to_string(),
                    None => format!("#{}", i + 1),
                };
                want.push(format!("{decision}\t{status}\t{file}\t{label}"));
            }
        }
        assert!(want.len() > 20, "{dir}: only {} requests", want.len());
        assert_eq!(s.stdout_lines(), want, "{dir}");
    }
}
