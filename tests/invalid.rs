//! Invalid-input conformance (SPEC §6, "Invalid-input cases for tests"): every
//! `tests/invalid/NAME.json` — a scenario or a bare policy with deliberate mistakes — must
//! be rejected with exactly the errors written in `tests/invalid/NAME.expected`, one
//! `LINE:COLUMN: message` a line, in the order they are reported. The fixtures cover the
//! validation rules of SPEC §1–§3 and §6, one fixture a rule; the file name says which.

use assert_cmd::Command;
use iamtrace::input::load_str;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The fixture folder, relative to the crate root (as the binary prints it).
const DIR: &str = "tests/invalid";

/// The fixture whose lines the command-line test looks for verbatim.
const CLI_SAMPLE: &str = "multiple-errors";

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR)
}

/// The sorted names (file stems) of the fixture files ending in `.{ext}`.
fn names_with(ext: &str) -> Vec<String> {
    let entries = std::fs::read_dir(fixture_dir()).expect("tests/invalid is readable");
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

/// The errors the library reports for fixture `name`, as `LINE:COLUMN: message` lines;
/// `Err` when the fixture loads without error.
fn reported(name: &str) -> Result<Vec<String>, String> {
    let path = fixture_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).expect("fixture is readable UTF-8");
    match load_str(&text) {
        Ok(_) => Err("loaded without any error".to_string()),
        Err(e) => Ok(e.lines().collect()),
    }
}

fn expected(name: &str) -> Vec<String> {
    let path = fixture_dir().join(format!("{name}.expected"));
    std::fs::read_to_string(&path)
        .expect("expected file is readable")
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

/// One report per fixture of `names` whose errors differ from its `.expected`.
fn mismatches<'a>(names: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let want = expected(name);
        match reported(name) {
            Ok(got) if got == want => {}
            Ok(got) => out.push(format!(
                "{DIR}/{name}.json:\n  expected:\n{}\n  got:\n{}",
                indented(&want),
                indented(&got)
            )),
            Err(why) => out.push(format!(
                "{DIR}/{name}.json: {why}\n  expected:\n{}",
                indented(&want)
            )),
        }
    }
    out
}

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
    assert!(
        json.len() >= 40,
        "only {} invalid-input fixtures; every validation rule needs one",
        json.len()
    );
}

#[test]
fn fixtures_report_exactly_the_expected_errors() {
    let names: Vec<String> = names_with("json");
    let failures = mismatches(&names);
    assert!(
        failures.is_empty(),
        "{} of {} invalid-input fixtures differ from their .expected:\n\n{}",
        failures.len(),
        names.len(),
        failures.join("\n\n")
    );
}

#[test]
fn command_line_reports_every_fixture_with_file_and_position() {
    let out = Command::cargo_bin("iamtrace")
        .expect("the iamtrace binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["eval", DIR, "--format", "summary"])
        .output()
        .expect("iamtrace runs");
    let stderr = String::from_utf8_lossy(&out.stderr).replace('\\', "/");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "exit status; stderr:\n{stderr}");
    assert!(
        stdout.trim().is_empty(),
        "no fixture is valid, so nothing is evaluated; stdout:\n{stdout}"
    );

    // Every error line, grouped by the file it names.
    let mut by_file: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in stderr.lines() {
        let rest = line
            .strip_prefix(&format!("{DIR}/"))
            .unwrap_or_else(|| panic!("stderr line does not start with {DIR}/NAME.json: {line}"));
        let (name, position_and_message) = rest
            .split_once(".json:")
            .unwrap_or_else(|| panic!("stderr line names no .json file: {line}"));
        by_file.entry(name).or_default().push(position_and_message);
    }

    let sample: Vec<String> = expected(CLI_SAMPLE)
        .iter()
        .map(|l| format!("{DIR}/{CLI_SAMPLE}.json:{l}"))
        .collect();
    let sample_got: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with(&format!("{DIR}/{CLI_SAMPLE}.json:")))
        .collect();
    assert_eq!(sample_got, sample, "stderr lines for {CLI_SAMPLE}.json");

    // The binary prints, for every fixture, exactly what the library reports.
    let mut failures = Vec::new();
    for name in names_with("json") {
        let library = reported(&name).unwrap_or_default();
        let printed: Vec<String> = by_file
            .get(name.as_str())
            .map(|lines| lines.iter().map(|l| l.to_string()).collect())
            .unwrap_or_default();
        if printed != library {
            failures.push(format!(
                "{DIR}/{name}.json:\n  library:\n{}\n  binary:\n{}",
                indented(&library),
                indented(&printed)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the binary's errors differ from the library's:\n\n{}",
        failures.join("\n\n")
    );
}
