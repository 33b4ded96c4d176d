//! Policy lint conformance: every `tests/lint/NAME.json` (a bare policy, a scenario or
//! what the AWS CLI prints) must be linted to exactly the findings written in
//! `tests/lint/NAME.expected`, one `LINE:COLUMN SEVERITY CODE` a line, in the order
//! `lint_scenario` reports them (policy by policy, text order within a policy). A file
//! that does not load is reported as one `invalid-policy` error per load error.
//!
//! - `CODE.json`: one fixture per rule of `iamtrace::lint::RULES`, triggering it;
//! - `clean-*.json`: the fix of a finding, which must lint clean (empty `.expected`);
//! - others: cases that need their own name (policies held in strings, one of them
//!   URL-encoded; non-ASCII text, whose columns count characters; the known bugs below).
//!
//! Positions of a policy held in a JSON string are in its decoded text, as the library
//! and the command line report them.
//!
//! Besides the fixtures: the command line's exit statuses and its text, JSON Lines and
//! SARIF output; the built-in scenarios and the AWS CLI samples of `tests/fixtures/aws`.

use assert_cmd::Command;
use iamtrace::input::{LoadOptions, load_str, load_with};
use iamtrace::lint::{Finding, PolicyFindings, RULES, Severity, lint_scenario, lint_sources};
use iamtrace::policy::PolicyKind;
use iamtrace::scenario::{DocumentForm, Scenario, is_trust_policy};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The fixture folder, relative to the crate root (as the binary prints it).
const DIR: &str = "tests/lint";

/// Fixtures whose `.expected` holds what the linter should report but does not yet.
/// The comparison skips them; `known_bugs_still_differ` fails once one is fixed, so
/// that it is taken off this list and checked like the others.
const KNOWN_BUGS: &[(&str, &str)] = &[];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_dir() -> PathBuf {
    root().join(DIR)
}

/// The sorted names (file stems) of the fixture files ending in `.{ext}`.
fn names_with(ext: &str) -> Vec<String> {
    let entries = std::fs::read_dir(fixture_dir()).expect("tests/lint is readable");
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

fn is_known_bug(name: &str) -> bool {
    KNOWN_BUGS.iter().any(|(n, _)| *n == name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixture_text(name: &str) -> String {
    read(&fixture_dir().join(format!("{name}.json")))
}

/// The word `.expected` files use for a grade (as the JSON output writes it).
fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::SecurityWarning => "security_warning",
        Severity::Warning => "warning",
        Severity::Suggestion => "suggestion",
    }
}

fn finding_line(f: &Finding) -> String {
    format!(
        "{}:{} {} {}",
        f.span.line,
        f.span.column,
        severity_word(f.severity),
        f.code
    )
}

fn load(text: &str, what: &str) -> Scenario {
    load_str(text).unwrap_or_else(|e| {
        panic!(
            "{what} does not load:\n{}",
            e.diagnostics
                .iter()
                .map(|d| format!("  {}:{}: {}", d.span.line, d.span.column, d.message))
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// What the library reports for `text`, as `.expected` lines.
fn lint_lines(text: &str) -> Vec<String> {
    match load_str(text) {
        Ok(s) => lint_scenario(&s)
            .iter()
            .flat_map(|p| p.findings.iter().map(finding_line))
            .collect(),
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| format!("{}:{} error invalid-policy", d.span.line, d.span.column))
            .collect(),
    }
}

fn reported(name: &str) -> Vec<String> {
    lint_lines(&fixture_text(name))
}

fn expected(name: &str) -> Vec<String> {
    read(&fixture_dir().join(format!("{name}.expected")))
        .lines()
        .map(str::to_string)
        .collect()
}

fn indented(lines: &[String]) -> String {
    if lines.is_empty() {
        return "    (nothing)".to_string();
    }
    lines
        .iter()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `None` when fixture `name` reports its `.expected`; the difference otherwise.
fn mismatch(name: &str) -> Option<String> {
    let want = expected(name);
    let got = reported(name);
    (got != want).then(|| {
        format!(
            "{DIR}/{name}.json:\n  expected:\n{}\n  got:\n{}",
            indented(&want),
            indented(&got)
        )
    })
}

/// Every fixture that loads, with its scenario and findings.
fn loaded_fixtures() -> Vec<(String, String, Scenario, Vec<PolicyFindings>)> {
    names_with("json")
        .into_iter()
        .filter_map(|name| {
            let text = fixture_text(&name);
            let s = load_str(&text).ok()?;
            let found = lint_scenario(&s);
            Some((name, text, s, found))
        })
        .collect()
}

fn json_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

// ---------------------------------------------------------------------------------
// The fixtures.

#[test]
fn every_fixture_has_its_expected_file() {
    let json = names_with("json");
    let expected = names_with("expected");
    let no_expected: Vec<_> = json.iter().filter(|n| !expected.contains(n)).collect();
    let no_json: Vec<_> = expected.iter().filter(|n| !json.contains(n)).collect();
    assert!(
        no_expected.is_empty() && no_json.is_empty(),
        "fixtures without .expected: {no_expected:?}; .expected without fixture: {no_json:?}"
    );
}

#[test]
fn expected_files_are_well_formed() {
    let words = ["error", "security_warning", "warning", "suggestion"];
    let mut bad = Vec::new();
    for name in names_with("expected") {
        let text = read(&fixture_dir().join(format!("{name}.expected")));
        if !text.is_empty() && !text.ends_with('\n') {
            bad.push(format!("{name}.expected: no newline at the end"));
        }
        for (i, line) in text.lines().enumerate() {
            let parts: Vec<&str> = line.split(' ').collect();
            let position_ok = parts.first().is_some_and(|p| {
                p.split_once(':').is_some_and(|(l, c)| {
                    l.parse::<u32>().is_ok_and(|l| l >= 1) && c.parse::<u32>().is_ok_and(|c| c >= 1)
                })
            });
            let ok = parts.len() == 3
                && position_ok
                && words.contains(&parts[1])
                && RULES.iter().any(|r| r.code == parts[2]);
            if !ok {
                bad.push(format!("{name}.expected:{}: {line:?}", i + 1));
            }
        }
        if name.starts_with("clean-") && !text.is_empty() {
            bad.push(format!(
                "{name}.expected: a clean-* fixture expects no finding"
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "lines that are not `LINE:COLUMN SEVERITY CODE` with a known grade and code:\n{}",
        bad.join("\n")
    );
}

#[test]
fn fixtures_report_exactly_the_expected_findings() {
    let names = names_with("json");
    let failures: Vec<String> = names
        .iter()
        .filter(|n| !is_known_bug(n))
        .filter_map(|n| mismatch(n))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} lint fixtures differ from their .expected:\n\n{}",
        failures.len(),
        names.len() - KNOWN_BUGS.len(),
        failures.join("\n\n")
    );
}

#[test]
fn known_bugs_still_differ() {
    let names = names_with("json");
    let mut problems = Vec::new();
    for (name, why) in KNOWN_BUGS {
        if !names.iter().any(|n| n == name) {
            problems.push(format!(
                "{name}: listed in KNOWN_BUGS but {DIR}/{name}.json is missing"
            ));
        } else if mismatch(name).is_none() {
            problems.push(format!(
                "{name}: now reports its .expected (fixed: {why}); take it off KNOWN_BUGS"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_rule_has_a_fixture() {
    let names = names_with("json");
    let mut missing = Vec::new();
    for rule in RULES {
        let code = rule.code;
        if !names.iter().any(|n| n == code) {
            missing.push(format!("{code}: no {DIR}/{code}.json"));
            continue;
        }
        if is_known_bug(code) {
            missing.push(format!(
                "{code}: its fixture is a known bug, so nothing checks it"
            ));
        }
        let lists_it = expected(code)
            .iter()
            .any(|l| l.split(' ').nth(2) == Some(code));
        if !lists_it {
            missing.push(format!(
                "{code}: {DIR}/{code}.expected does not list {code}"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "rules without a working fixture:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_rule_code_is_unique_and_kebab_case() {
    let mut seen = BTreeSet::new();
    for r in RULES {
        assert!(seen.insert(r.code), "{} is listed twice in RULES", r.code);
        assert!(
            !r.code.is_empty()
                && r.code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{} is not kebab-case",
            r.code
        );
        assert!(!r.summary.is_empty(), "{} has no summary", r.code);
    }
    assert_eq!(RULES[0].code, "invalid-policy");
}

/// The grade of a finding is its rule's, but for the three documented exceptions.
fn grade_problem(f: &Finding, kind: PolicyKind, trust: bool) -> Option<String> {
    let Some(rule) = RULES.iter().find(|r| r.code == f.code) else {
        return Some(format!("{} is not in RULES", f.code));
    };
    let iam = matches!(
        kind,
        PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
    ) || trust;
    let allowed = match f.code {
        // An error in IAM's own policies, a warning elsewhere.
        "duplicate-sid" => vec![if iam {
            Severity::Error
        } else {
            Severity::Warning
        }],
        // A warning for identity policies and boundaries, whose limit depends on how they
        // are attached; an error for the others.
        "policy-too-large" => vec![
            if matches!(kind, PolicyKind::Identity | PolicyKind::Boundary) {
                Severity::Warning
            } else {
                Severity::Error
            },
        ],
        // An error, but a warning when all it says is that the region is not one the
        // table lists (it may be newer than the table).
        "arn-format" => {
            if f.message
                .contains("is not a region the table of AWS regions lists")
                && !f.message.contains("; ")
            {
                vec![Severity::Warning]
            } else {
                vec![Severity::Error]
            }
        }
        _ => vec![rule.severity],
    };
    (!allowed.contains(&f.severity)).then(|| {
        format!(
            "{} at {}:{} is {:?}, expected {:?} (in a {kind:?} policy)",
            f.code, f.span.line, f.span.column, f.severity, allowed
        )
    })
}

#[test]
fn findings_are_graded_as_their_rules() {
    let mut problems = Vec::new();
    for (name, _, s, found) in loaded_fixtures() {
        for p in &found {
            let src = &s.sources[p.policy];
            let trust = is_trust_policy(src.kind, src.attached_to.as_deref());
            for f in &p.findings {
                if let Some(why) = grade_problem(f, src.kind, trust) {
                    problems.push(format!("{name}: {why}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The 1-based line and column (in characters) of byte offset `at` of `text`.
fn line_column(text: &str, at: usize) -> (u64, u64) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u64, column as u64)
}

#[test]
fn positions_are_those_of_the_span_in_its_text() {
    let mut problems = Vec::new();
    for (name, text, s, found) in loaded_fixtures() {
        for p in &found {
            let src = &s.sources[p.policy];
            // Inline documents: positions in the file; documents in strings: in the
            // decoded text, which the span's source names.
            let within: &str = if src.form == DocumentForm::Inline {
                &text
            } else {
                &src.text
            };
            for f in &p.findings {
                let decoded = s.source_map.get(f.span.source).and_then(|d| d.text(&text));
                let named_right = if src.form == DocumentForm::Inline {
                    f.span.source.is_file()
                } else {
                    decoded.as_deref() == Some(src.text.as_str())
                };
                if !named_right {
                    problems.push(format!(
                        "{name}: {} span's source {:?} is not its policy's text",
                        f.code, f.span.source
                    ));
                }
                let (start, end) = (f.span.start as usize, f.span.end as usize);
                if start > end
                    || end > within.len()
                    || !within.is_char_boundary(start)
                    || !within.is_char_boundary(end)
                {
                    problems.push(format!(
                        "{name}: {} span {start}..{end} out of its text",
                        f.code
                    ));
                    continue;
                }
                let at = line_column(within, start);
                if at != (f.span.line, f.span.column.into()) {
                    problems.push(format!(
                        "{name}: {} says {}:{} but its span starts at {}:{}",
                        f.code, f.span.line, f.span.column, at.0, at.1
                    ));
                }
                if start == end {
                    problems.push(format!("{name}: {} has an empty span", f.code));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn findings_are_in_text_order_within_a_policy() {
    for (name, _, _, found) in loaded_fixtures() {
        for p in &found {
            let starts: Vec<u64> = p.findings.iter().map(|f| f.span.start).collect();
            assert!(
                starts.windows(2).all(|w| w[0] <= w[1]),
                "{name}, policy {}: findings not in text order: {starts:?}",
                p.name
            );
            for w in p.findings.windows(2) {
                if w[0].span.start == w[1].span.start {
                    assert!(
                        w[0].severity <= w[1].severity,
                        "{name}: at one place, the graver finding comes first: {} then {}",
                        w[0].code,
                        w[1].code
                    );
                }
            }
        }
    }
}

#[test]
fn every_finding_has_a_message_and_names_its_policy() {
    for (name, _, s, found) in loaded_fixtures() {
        assert_eq!(found.len(), s.sources.len(), "{name}: one entry a policy");
        for (i, p) in found.iter().enumerate() {
            assert_eq!(p.policy, i, "{name}: policies in source order");
            assert!(!p.name.is_empty(), "{name}: policy {i} has no name");
            for f in &p.findings {
                assert!(
                    !f.message.trim().is_empty(),
                    "{name}: {} has no message",
                    f.code
                );
                if let Some(fix) = &f.fix {
                    assert!(
                        !fix.trim().is_empty(),
                        "{name}: {} has an empty fix",
                        f.code
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Particular inputs.

#[test]
fn policies_in_strings_are_linted_in_their_decoded_text() {
    let text = fixture_text("url-encoded-policy");
    let s = load(&text, "url-encoded-policy.json");
    assert_eq!(s.sources.len(), 2);
    assert_eq!(s.sources[0].form, DocumentForm::UrlEncoded);
    assert_eq!(s.sources[1].form, DocumentForm::String);
    assert!(
        s.sources[0].text.starts_with("{\n  \"Version\""),
        "decoded text: {:?}",
        &s.sources[0].text[..20.min(s.sources[0].text.len())]
    );
    let found = lint_scenario(&s);
    let at = |p: usize| -> Vec<(String, &'static str, String)> {
        found[p]
            .findings
            .iter()
            .map(|f| {
                (
                    format!("{}:{}", f.span.line, f.span.column),
                    f.code,
                    s.sources[p].text[f.span.range()].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        at(0),
        [
            (
                "11:11".to_string(),
                "deny-source-network-without-service-guard",
                "\"aws:SourceIp\"".to_string()
            ),
            ("19:19".to_string(), "resource-star", "\"*\"".to_string()),
        ]
    );
    assert_eq!(
        at(1),
        [(
            "1:87".to_string(),
            "principal-star-allow",
            "\"*\"".to_string()
        )]
    );
    // The same policy written inline lints to the same codes.
    let inline = format!(
        "{{\"policies\": {{\"identity\": [{}]}}}}",
        s.sources[0].text
    );
    let inline_codes: Vec<&str> = lint_scenario(&load(&inline, "the inline copy"))[0]
        .findings
        .iter()
        .map(|f| f.code)
        .collect();
    let codes: Vec<&str> = found[0].findings.iter().map(|f| f.code).collect();
    assert_eq!(inline_codes, codes);
}

#[test]
fn lint_sources_reports_parse_errors_as_invalid_policy() {
    let mut s = load(&fixture_text("duplicate-sid"), "duplicate-sid.json");
    // Unchanged, the editor's lint finds what the loader's does (positions differ: each
    // policy is parsed from its own text).
    let codes = |found: &[PolicyFindings]| -> Vec<Vec<&'static str>> {
        found
            .iter()
            .map(|p| p.findings.iter().map(|f| f.code).collect())
            .collect()
    };
    assert_eq!(codes(&lint_sources(&s)), codes(&lint_scenario(&s)));
    let first = lint_sources(&s);
    let f = &first[0].findings[0];
    assert_eq!(&s.sources[0].text[f.span.range()], "\"Reports\"");

    // An edit that breaks the first policy.
    s.sources[0].text =
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\"}\n}"
            .to_string();
    let found = lint_sources(&s);
    assert_eq!(found.len(), 2);
    assert!(
        !found[0].findings.is_empty()
            && found[0]
                .findings
                .iter()
                .all(|f| f.code == "invalid-policy" && f.severity == Severity::Error),
        "{:?}",
        found[0].findings
    );
    assert_eq!(
        found[0]
            .findings
            .iter()
            .map(finding_line)
            .collect::<Vec<_>>(),
        ["3:16 error invalid-policy", "3:16 error invalid-policy"],
        "a statement with neither Action nor Resource"
    );
    // The other policy is still linted.
    assert_eq!(
        found[1].findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        ["duplicate-sid"]
    );

    // Text that is not JSON at all.
    s.sources[1].text = "{\"Version\": ".to_string();
    let found = lint_sources(&s);
    assert_eq!(found[1].findings.len(), 1);
    assert_eq!(found[1].findings[0].code, "invalid-policy");
}

#[test]
fn built_in_scenarios_have_no_errors() {
    let files = json_files("assets/scenarios");
    assert!(!files.is_empty());
    let mut problems = Vec::new();
    for file in files {
        let s = load(&read(&file), &file.display().to_string());
        for p in lint_scenario(&s) {
            for f in p.findings.iter().filter(|f| f.severity == Severity::Error) {
                problems.push(format!(
                    "{}: {} {}",
                    file.display(),
                    finding_line(f),
                    f.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn aws_cli_outputs_lint() {
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in json_files("tests/fixtures/aws/awscli") {
        let s = load(&read(&file), &file.display().to_string());
        assert!(!s.sources.is_empty(), "{}: no policy", file.display());
        let lines: Vec<String> = lint_scenario(&s)
            .iter()
            .flat_map(|p| p.findings.iter().map(finding_line))
            .collect();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for l in &lines {
            assert!(
                !l.contains(" error "),
                "{name}: AWS returned this policy, so AWS took it: {l}"
            );
        }
        by_file.insert(name, lines);
    }
    let version = &by_file["get-policy-version.json"];
    assert!(
        version
            .contains(&"13:15 security_warning deny-source-network-without-service-guard".into()),
        "get-policy-version.json: {version:?}"
    );
    // The raw API's URL-encoded copy of the same policy: same findings, positions in the
    // decoded text.
    let codes = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .map(|l| l.split_once(' ').unwrap().1.to_string())
            .collect()
    };
    let encoded = &by_file["get-policy-version-urlencoded.json"];
    assert_eq!(codes(encoded), codes(version));
    assert!(
        encoded
            .contains(&"11:21 security_warning deny-source-network-without-service-guard".into())
    );

    // Account authorization details, for each principal they hold.
    let details = read(&root().join("tests/fixtures/aws/account/authorization-details.json"));
    for principal in ["alice", "bob", "ci-deploy"] {
        let options = LoadOptions {
            principal: Some(principal.to_string()),
            ..Default::default()
        };
        let s = load_with(&details, &options)
            .unwrap_or_else(|e| panic!("{principal}: {:?}", e.diagnostics));
        let errors: Vec<String> = lint_scenario(&s)
            .iter()
            .flat_map(|p| p.findings.iter())
            .filter(|f| f.severity == Severity::Error)
            .map(finding_line)
            .collect();
        assert!(errors.is_empty(), "{principal}: {errors:?}");
    }
}

// ---------------------------------------------------------------------------------
// The command line.

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn lint_cli(args: &[&str]) -> Run {
    let out = Command::cargo_bin("iamtrace")
        .expect("the iamtrace binary is built")
        .current_dir(root())
        .arg("lint")
        .args(args)
        .output()
        .expect("iamtrace runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn fixture(name: &str) -> String {
    format!("{DIR}/{name}.json")
}

#[test]
fn cli_exit_status() {
    let cases: &[(&[&str], i32, &str)] = &[
        (&["unknown-action"], 1, "an error finding"),
        (&["policy-too-large"], 1, "an SCP over its limit"),
        (&["resource-star"], 0, "warnings only"),
        (&["redundant-action"], 0, "suggestions only"),
        (
            &["deny-source-network-without-service-guard"],
            0,
            "security warnings only",
        ),
        (&["clean-client-vpn-guard"], 0, "nothing found"),
        (
            &["resource-star", "unknown-action"],
            1,
            "one file with an error",
        ),
        (&["invalid-policy"], 2, "a policy that does not parse"),
        (
            &["invalid-policy", "unknown-action"],
            2,
            "invalid wins over errors",
        ),
    ];
    for (names, want, why) in cases {
        let paths: Vec<String> = names.iter().map(|n| fixture(n)).collect();
        let args: Vec<&str> = paths.iter().map(String::as_str).collect();
        let run = lint_cli(&args);
        assert_eq!(
            run.code, *want,
            "{why} ({names:?}): stdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
    }
    for format in ["text", "json", "sarif"] {
        let run = lint_cli(&["--format", format, "tests/lint/no-such-file.json"]);
        assert_eq!(run.code, 2, "a missing file ({format})");
        assert!(
            run.stderr.contains("tests/lint/no-such-file.json"),
            "{}",
            run.stderr
        );
        let run = lint_cli(&["--format", format, "tests/fixtures/cli/not-utf8.json"]);
        assert_eq!(run.code, 2, "a file that is not UTF-8 ({format})");
        assert!(run.stderr.contains("not-utf8.json"), "{}", run.stderr);
    }
    let run = lint_cli(&["assets/scenarios"]);
    assert_eq!(run.code, 0, "built-in scenarios:\n{}", run.stdout);
    let run = lint_cli(&["tests/fixtures/aws/awscli"]);
    assert_eq!(run.code, 0, "AWS CLI outputs:\n{}", run.stdout);
}

#[test]
fn cli_json_lines_match_the_library() {
    let run = lint_cli(&["--format", "json", DIR]);
    assert_eq!(run.code, 2, "the folder holds invalid-policy.json");
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in run.stdout.lines() {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON value a line ({e}): {line}"));
        let file = v["file"].as_str().expect("file").to_string();
        let name = file
            .strip_prefix(&format!("{DIR}/"))
            .and_then(|f| f.strip_suffix(".json"))
            .unwrap_or_else(|| panic!("file {file:?} is not {DIR}/NAME.json"))
            .to_string();
        let mut lines = Vec::new();
        if let Some(errors) = v.get("errors") {
            assert!(v.get("policies").is_none(), "{file}: errors and policies");
            for e in errors.as_array().expect("errors is an array") {
                assert!(e["message"].is_string(), "{file}: {e}");
                lines.push(format!(
                    "{}:{} error invalid-policy",
                    e["line"], e["column"]
                ));
            }
        } else {
            let policies = v["policies"].as_array().expect("policies is an array");
            for p in policies {
                assert!(p["name"].is_string(), "{file}: {p}");
                assert!(p["kind"].is_string(), "{file}: {p}");
                assert!(p["decoded_text"].is_boolean(), "{file}: {p}");
                for f in p["findings"].as_array().expect("findings is an array") {
                    for key in ["severity", "code", "message"] {
                        assert!(f[key].is_string(), "{file}: {key} in {f}");
                    }
                    assert!(f["line"].is_u64() && f["column"].is_u64(), "{file}: {f}");
                    assert!(f["fix"].is_null() || f["fix"].is_string(), "{file}: {f}");
                    // A policy held in a string: line and column are the string's, the
                    // position in the decoded text (the library's) is under `decoded`.
                    let at = match f.get("decoded") {
                        Some(d) => {
                            assert_eq!(
                                p["decoded_text"],
                                Value::Bool(true),
                                "{file}: decoded position in an inline policy: {f}"
                            );
                            d
                        }
                        None => f,
                    };
                    lines.push(format!(
                        "{}:{} {} {}",
                        at["line"],
                        at["column"],
                        f["severity"].as_str().unwrap(),
                        f["code"].as_str().unwrap()
                    ));
                }
            }
        }
        assert!(
            by_file.insert(name.clone(), lines).is_none(),
            "{name} printed twice"
        );
    }
    let names = names_with("json");
    assert_eq!(
        by_file.keys().cloned().collect::<Vec<_>>(),
        names,
        "one line per file, in sorted order of discovery"
    );
    let mut failures = Vec::new();
    for name in &names {
        let library = reported(name);
        if by_file[name] != library {
            failures.push(format!(
                "{name}:\n  library:\n{}\n  binary:\n{}",
                indented(&library),
                indented(&by_file[name])
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the binary's findings differ from the library's:\n\n{}",
        failures.join("\n\n")
    );
    // Which policies hold their text in a string.
    let run = lint_cli(&["--format", "json", &fixture("url-encoded-policy")]);
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let decoded: Vec<bool> = v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["decoded_text"].as_bool().unwrap())
        .collect();
    assert_eq!(decoded, [true, true]);
    // Each string's place in the file, and the decoded position beside it.
    let places: Vec<String> = v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["findings"].as_array().unwrap())
        .map(|f| {
            let d = &f["decoded"];
            format!(
                "{}:{} {} {}:{} {}",
                f["line"], f["column"], d["policy"], d["line"], d["column"], d["encoding"]
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            r#"7:21 "OfficeOnlyReports" 11:11 "url_encoded""#,
            r#"7:21 "OfficeOnlyReports" 19:19 "url_encoded""#,
            r#"14:21 "example-website bucket policy" 1:87 "json_string""#,
        ]
    );
    let run = lint_cli(&["--format", "json", &fixture("duplicate-sid")]);
    let v: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let kinds: Vec<(&str, bool)> = v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap(),
                p["decoded_text"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("identity", false), ("resource", false)]);
}

#[test]
fn cli_sarif_is_sarif_2_1_0() {
    let files = [
        fixture("passrole-star"),
        fixture("url-encoded-policy"),
        fixture("invalid-policy"),
    ];
    let args: Vec<&str> = ["--format", "sarif"]
        .into_iter()
        .chain(files.iter().map(String::as_str))
        .collect();
    let run = lint_cli(&args);
    assert_eq!(run.code, 2, "invalid-policy.json is among them");
    let sarif: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{}", run.stdout));
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif") && s.contains("2.1.0")),
        "$schema: {}",
        sarif["$schema"]
    );
    let runs = sarif["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "iamtrace");
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    assert_eq!(ids, codes, "every rule, in RULES order");
    for (r, rule) in rules.iter().zip(RULES) {
        assert_eq!(r["shortDescription"]["text"], rule.summary);
        // Every rule, the new ones too, has a long description and a public AWS page.
        let full = r["fullDescription"]["text"].as_str().unwrap_or_default();
        assert!(full.len() > rule.summary.len(), "{}: {r}", rule.code);
        let uri = r["helpUri"].as_str().unwrap_or_default();
        assert!(
            uri.starts_with("https://docs.aws.amazon.com/"),
            "{}: {r}",
            rule.code
        );
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{r}");
    }

    let results = runs[0]["results"].as_array().expect("results");
    let mut by_file: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for r in results {
        let id = r["ruleId"].as_str().expect("ruleId");
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(ids.get(index), Some(&id), "ruleIndex of {r}");
        let level = r["level"].as_str().expect("level");
        let want_level = match r["properties"]["severity"].as_str() {
            Some("error" | "security_warning") | None => "error",
            Some("warning") => "warning",
            Some("suggestion") => "note",
            Some(other) => panic!("severity {other}"),
        };
        assert_eq!(level, want_level, "{r}");
        assert!(
            !r["message"]["text"].as_str().unwrap_or_default().is_empty(),
            "{r}"
        );
        let locations = r["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "{r}");
        let uri = locations[0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(files.iter().any(|f| f == uri), "uri {uri}");
        by_file.entry(uri.to_string()).or_default().push(r);
    }

    // Inline documents: a region at the library's position.
    let inline: Vec<String> = by_file[&fixture("passrole-star")]
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            format!(
                "{}:{} {}",
                region["startLine"],
                region["startColumn"],
                r["ruleId"].as_str().unwrap()
            )
        })
        .collect();
    let library: Vec<String> = reported("passrole-star")
        .iter()
        .map(|l| {
            let mut parts = l.split(' ');
            let at = parts.next().unwrap();
            format!("{at} {}", parts.nth(1).unwrap())
        })
        .collect();
    assert_eq!(inline, library);

    // Policies held in strings: the region is the string's, the message begins with
    // the decoded position.
    let strings = &by_file[&fixture("url-encoded-policy")];
    assert_eq!(strings.len(), 3);
    for (r, (line, at)) in strings.iter().zip([
        (
            7,
            "URL-encoded policy string of \"OfficeOnlyReports\" (decoded line 11, column 11)",
        ),
        (
            7,
            "URL-encoded policy string of \"OfficeOnlyReports\" (decoded line 19, column 19)",
        ),
        (
            14,
            "policy string of \"example-website bucket policy\" (decoded line 1, column 87)",
        ),
    ]) {
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&region["startLine"], &region["startColumn"]),
            (&Value::from(line), &Value::from(21)),
            "the string's region: {r}"
        );
        let text = r["message"]["text"].as_str().unwrap();
        assert!(text.starts_with(&format!("in the {at}: ")), "{text}");
        assert!(
            r["locations"][0]["logicalLocations"][0]["name"].is_string(),
            "{r}"
        );
    }

    // A file that does not load: its errors as invalid-policy, with a region.
    let invalid: Vec<String> = by_file[&fixture("invalid-policy")]
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            format!(
                "{}:{} {} {}",
                region["startLine"],
                region["startColumn"],
                r["level"].as_str().unwrap(),
                r["ruleId"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(invalid, expected("invalid-policy"));

    // Nothing found: an empty result list, exit 0.
    let run = lint_cli(&["--format", "sarif", &fixture("clean-resource-scoped")]);
    assert_eq!(run.code, 0);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"], Value::Array(Vec::new()));
}

#[test]
fn cli_text_names_file_line_and_column() {
    let run = lint_cli(&[&fixture("passrole-star")]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let findings: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| !l.starts_with("  fix: "))
        .collect();
    let file = fixture("passrole-star");
    let prefixes = [
        format!("{file}:9:9: security warning [privilege-escalation] "),
        format!("{file}:11:19: security warning [passrole-star] "),
        format!("{file}:11:19: warning [resource-star] "),
        format!("{file}:17:19: warning [resource-star] "),
    ];
    assert_eq!(findings.len(), prefixes.len() + 1, "{}", run.stdout);
    for (line, prefix) in findings.iter().zip(&prefixes) {
        assert!(
            line.starts_with(prefix.as_str()),
            "{line:?} does not start with {prefix:?}"
        );
        assert!(
            line.ends_with("(in identity policy \"identity policy 1\")"),
            "{line}"
        );
    }
    assert!(
        lines.contains(&"  fix: list the roles, or add an iam:PassedToService condition"),
        "{}",
        run.stdout
    );
    assert_eq!(
        findings.last().copied(),
        Some("0 errors, 2 security warnings, 2 warnings, 0 suggestions in 1 file")
    );

    // A policy held in a string: the position is its string's, then the position in
    // its decoded text, in words.
    let run = lint_cli(&[&fixture("url-encoded-policy")]);
    let file = fixture("url-encoded-policy");
    assert!(
        run.stdout.lines().any(|l| l.starts_with(&format!(
            "{file}:7:21: in the URL-encoded policy string of \"OfficeOnlyReports\" (decoded line 11, column 11): security warning [deny-source-network-without-service-guard] "
        ))),
        "{}",
        run.stdout
    );

    // Several files, an invalid one among them: its errors go to standard error.
    let run = lint_cli(&[&fixture("invalid-policy"), &fixture("missing-version")]);
    assert_eq!(run.code, 2);
    let invalid = fixture("invalid-policy");
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with(&format!("{invalid}:6:17: "))),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.lines().any(|l| l.starts_with(&format!(
            "{}:1:1: warning [missing-version] ",
            fixture("missing-version")
        ))),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .ends_with("0 errors, 0 security warnings, 1 warning, 0 suggestions in 2 files; 1 file not checked (unreadable or invalid: the errors are on standard error)\n"),
        "{}",
        run.stdout
    );

    // The AWS CLI sample with the Client VPN pitfall.
    let run = lint_cli(&["tests/fixtures/aws/awscli"]);
    assert!(
        run.stdout.lines().any(|l| l.starts_with(
            "tests/fixtures/aws/awscli/get-policy-version.json:13:15: security warning [deny-source-network-without-service-guard] "
        )),
        "{}",
        run.stdout
    );
}

/// The SARIF regions of fixture `name`'s results, in order.
fn sarif_regions(name: &str) -> Vec<Value> {
    let run = lint_cli(&["--format", "sarif", &fixture(name)]);
    let sarif: Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["region"].clone())
        .collect()
}

/// Lines and columns in SARIF regions count characters, as the library's do.
#[test]
fn cli_sarif_lines_and_columns_count_characters() {
    let regions = sarif_regions("non-ascii-text");
    let positions: Vec<String> = regions
        .iter()
        .map(|r| format!("{}:{}", r["startLine"], r["startColumn"]))
        .collect();
    let library: Vec<String> = expected("non-ascii-text")
        .iter()
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(positions, library);
}

/// `charOffset` and `charLength` count characters too (SARIF 2.1.0 text regions: a region's
/// offsets are in characters of the artifact, not bytes).
/// Regions give line and column (counted in characters); no byte offsets that a
/// SARIF reader would take for character offsets.
#[test]
fn cli_sarif_regions_have_no_byte_offsets() {
    for region in sarif_regions("non-ascii-text") {
        assert!(region.get("charOffset").is_none(), "{region}");
        assert!(region.get("charLength").is_none(), "{region}");
        assert!(region["startLine"].as_u64().is_some());
        assert!(region["startColumn"].as_u64().is_some());
    }
}

/// The messages of a fixture's findings, in order.
fn messages(name: &str) -> Vec<(String, String)> {
    let s = load(&fixture_text(name), name);
    lint_scenario(&s)
        .into_iter()
        .flat_map(|p| p.findings)
        .map(|f| (f.code.to_string(), f.message))
        .collect()
}

/// Names the reference dropped are said to be retired, with the catalog version, not
/// met with a guess at a typo; gaps in the reference are said as such.
#[test]
fn retired_names_and_reference_gaps_are_said_as_such() {
    let version = iamtrace::catalog::catalog().source();
    for (code, message) in messages("retired-service-and-action") {
        assert!(
            message.contains(&format!(
                "is retired (not in the service reference of catalog version {version})"
            )) && !message.contains("did you mean"),
            "{code}: {message}"
        );
    }
    for (code, message) in messages("not-in-reference") {
        assert!(
            message.contains("a gap in the reference") && message.contains(version),
            "{code}: {message}"
        );
    }
    for (code, message) in messages("key-unlisted-for-actions") {
        assert!(
            message.contains("does not list") && !message.contains("never sees it"),
            "{code}: {message}"
        );
    }
}

/// A set granted only by Allows with a Condition is reported as granted when the
/// conditions hold, naming their statements; an unconditional grant of the same
/// action is preferred (and then nothing is said of conditions).
#[test]
fn conditional_escalation_grants_are_said_as_such() {
    let found: Vec<String> = messages("privilege-escalation-conditional")
        .into_iter()
        .filter(|(code, _)| code == "privilege-escalation")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("\"create-policy-version\"")
            && found[0].contains(
                "when the conditions of statement 1 (\"EditPoliciesWithMfa\") hold (lint cannot tell"
            ),
        "{}",
        found[0]
    );
    assert!(
        found[1].contains("granted by statement 3 (\"KeysAnywhere\")")
            && !found[1].contains("when the conditions"),
        "{}",
        found[1]
    );
    // Unconditional grants say nothing of conditions.
    for (_, m) in messages("privilege-escalation") {
        assert!(!m.contains("when the conditions"), "{m}");
    }
}

/// The size limit binds customer managed policies: AWS managed ones (named by their
/// ARN) are told so, and no identity policy is said to be one AWS "would reject".
#[test]
fn policy_too_large_says_whom_the_limit_binds() {
    let statements: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"Sid": "Read{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket-{i}/*"}}"#
            )
        })
        .collect();
    let doc = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    );
    for (name, managed) in [
        ("arn:aws:iam::aws:policy/ExampleBigPolicy", true),
        ("TeamPolicy", false),
    ] {
        let scenario =
            format!(r#"{{"policies": {{"identity": [{{"name": "{name}", "document": {doc}}}]}}}}"#);
        let s = load(&scenario, name);
        let found: Vec<Finding> = lint_scenario(&s)
            .into_iter()
            .flat_map(|p| p.findings)
            .filter(|f| f.code == "policy-too-large")
            .collect();
        assert_eq!(found.len(), 1, "{name}");
        let message = &found[0].message;
        assert!(!message.contains("would reject"), "{message}");
        assert_eq!(
            message.contains("an AWS managed policy, which AWS's limit for customer managed policies does not bind"),
            managed,
            "{message}"
        );
        assert!(message.contains("customer managed"), "{message}");
    }
}

/// The README's lint section lists every rule (but `invalid-policy`, which its text
/// describes as exit status 2), so that a new rule is documented where people look.
#[test]
fn readme_lists_every_rule() {
    let readme = read(&root().join("README.md"));
    let section = readme
        .split("### Lint")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("README has a ### Lint section");
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.code)
        .filter(|c| *c != "invalid-policy" && !section.contains(&format!("`{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "not in the README's lint section: {missing:?}"
    );
}
