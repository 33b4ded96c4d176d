//! A malformed CloudTrail record costs itself only in every subcommand: `grid`, `diff`,
//! `lint` and `replay` report it as `eval` does (`FILE:LINE:COLUMN: record N: …;
//! skipped`), use the rest and exit with status 2. Also: `eval DIR` finds CloudTrail as
//! delivered (`*.json.gz`) and as JSON Lines, and a JSON Lines trail whose first line
//! is longer than the detection's head is still streamed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(name)
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&std::ffi::OsStr]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_iamtrace"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// What `eval` says about the malformed records of `file` (its messages on standard
/// error, one per record).
fn eval_messages(file: &Path) -> Vec<String> {
    let r = run(&[os("eval"), os("--format"), os("summary"), file.as_os_str()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let messages: Vec<String> = r.stderr.lines().map(String::from).collect();
    assert!(!messages.is_empty());
    for m in &messages {
        assert!(m.ends_with("; skipped"), "{m}");
    }
    messages
}

/// The lines of `stderr` that are about `file`'s records.
fn record_lines(stderr: &str, file: &Path) -> Vec<String> {
    let shown = file.display().to_string();
    stderr
        .lines()
        .filter(|l| l.starts_with(&shown) && l.contains(": record "))
        .map(String::from)
        .collect()
}

#[test]
fn grid_reports_skipped_records_as_eval_and_exits_2() {
    let file = fixture("trail-malformed.json");
    let expected = eval_messages(&file);
    let r = run(&[
        os("grid"),
        file.as_os_str(),
        os("--request"),
        os("1"),
        os("--vary"),
        os("aws:SourceIp=192.0.2.1,absent"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(record_lines(&r.stderr, &file), expected);
    // The grid of the records that could be read is still printed.
    assert!(r.stdout.contains("Implicit deny"), "{}", r.stdout);
    // A clean trail: no message, exit 0.
    let clean = fixture("trail.jsonl");
    let r = run(&[
        os("grid"),
        clean.as_os_str(),
        os("--request"),
        os("1"),
        os("--vary"),
        os("aws:SourceIp=192.0.2.1,absent"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn diff_reports_skipped_records_as_eval_and_exits_2() {
    let file = fixture("trail-malformed.json");
    let policy = fixture("policy.json");
    let expected = eval_messages(&file);
    // The policy against the trail's requests: the trail's skipped record is said
    // once, the rest compared, and exit status 2 rather than 0 or 1.
    for (old, new) in [(&policy, &file), (&file, &policy)] {
        let r = run(&[os("diff"), old.as_os_str(), new.as_os_str()]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(record_lines(&r.stderr, &file), expected);
        assert!(!r.stdout.is_empty());
    }
    let clean = fixture("trail.jsonl");
    let r = run(&[os("diff"), policy.as_os_str(), clean.as_os_str()]);
    assert_ne!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn lint_reports_skipped_records_in_every_format_and_exits_2() {
    let file = fixture("trail-malformed.json");
    let expected = eval_messages(&file);
    let r = run(&[os("lint"), file.as_os_str()]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(record_lines(&r.stderr, &file), expected);
    assert!(
        r.stdout
            .contains("1 malformed CloudTrail record skipped (on standard error)"),
        "{}",
        r.stdout
    );
    // JSON: the file's line lists them as eval's does.
    let r = run(&[os("lint"), os("--format"), os("json"), file.as_os_str()]);
    assert_eq!(r.code, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON line");
    let eval = run(&[os("eval"), os("--format"), os("json"), file.as_os_str()]);
    let e: serde_json::Value = serde_json::from_str(&eval.stdout).expect("one JSON line");
    assert_eq!(v["skipped"], e["skipped"], "{}", r.stdout);
    assert_eq!(v["skipped"].as_array().map(Vec::len), Some(1));
    // SARIF: a notification of the run (not a finding), at the record's place.
    let r = run(&[os("lint"), os("--format"), os("sarif"), file.as_os_str()]);
    assert_eq!(r.code, 2);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("SARIF");
    let n = &v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    let region = &n["locations"][0]["physicalLocation"]["region"];
    let first = &e["skipped"][0];
    assert_eq!(region["startLine"], first["line"], "{n}");
    assert_eq!(region["startColumn"], first["column"], "{n}");
    assert_eq!(n["message"]["text"], first["message"], "{n}");
    assert_eq!(v["runs"][0]["results"].as_array().map(Vec::len), Some(0));
    // A clean policy has no invocations block.
    let r = run(&[
        os("lint"),
        os("--format"),
        os("sarif"),
        fixture("policy.json").as_os_str(),
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("SARIF");
    assert!(v["runs"][0].get("invocations").is_none());
}

/// A CloudTrail event as one JSON line; `extra` is added to its members.
fn event(i: usize, extra: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}},"eventTime":"2026-11-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"é{i}","requestParameters":{{"bucketName":"b","key":"k{i}"}}{extra}}}"#
    )
}

/// Replay places malformed records as eval does, on every line of a trail spread
/// over many batches (read on several threads), in a delivered file and as JSON Lines.
#[test]
fn replay_places_malformed_records_as_eval_across_batches() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bad = r#","resources":5"#;
    let mut lines = String::new();
    let mut records = String::from("{\"Records\": [\n");
    for i in 0..12_000 {
        let e = event(i, if i % 2_500 == 2_499 { bad } else { "" });
        lines.push_str(&e);
        lines.push('\n');
        if i > 0 {
            records.push_str(",\n  ");
        }
        records.push_str(&e);
    }
    records.push_str("\n]}\n");
    assert!(lines.len() > 3 << 20, "spans batches");
    for (name, text) in [("trail.jsonl", &lines), ("trail.json", &records)] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("writes");
        let expected = eval_messages(&file);
        assert_eq!(expected.len(), 4, "{expected:?}");
        let r = run(&[
            os("replay"),
            fixture("policy.json").as_os_str(),
            os("--cloudtrail"),
            file.as_os_str(),
        ]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_eq!(record_lines(&r.stderr, &file), expected, "{name}");
        // JSON output carries the line and column too.
        let r = run(&[
            os("replay"),
            fixture("policy.json").as_os_str(),
            os("--cloudtrail"),
            file.as_os_str(),
            os("--format"),
            os("json"),
        ]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
        let places: Vec<String> = v["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                format!(
                    "{}:{}:{}: {}",
                    name,
                    e["line"],
                    e["column"],
                    e["message"].as_str().unwrap_or_default()
                )
            })
            .collect();
        let shown = file.display().to_string();
        let expected: Vec<String> = expected
            .iter()
            .map(|m| m.replacen(&shown, name, 1))
            .collect();
        assert_eq!(places, expected);
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("compresses");
    enc.finish().expect("compresses")
}

/// `eval DIR` finds CloudTrail as S3 delivers it (`.json.gz`) and JSON Lines (`.jsonl`,
/// `.jsonl.gz`) beside scenarios, in path order, and nothing else.
#[test]
fn eval_dir_finds_delivered_and_json_lines_trails() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let jsonl = std::fs::read(fixture("trail.jsonl")).expect("the fixture");
    let records = std::fs::read(fixture("trail-records.json")).expect("the fixture");
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("writes");
    };
    put(
        "a/111122223333_CloudTrail_us-east-1_x.json.gz",
        &gzip(&records),
    );
    put("b/events.jsonl", &jsonl);
    put("b/events.jsonl.gz", &gzip(&jsonl));
    put(
        "c/scenario.json",
        &std::fs::read(fixture("scenario.json")).expect("the fixture"),
    );
    // Not inputs: another compressed file, a name that only ends in the letters.
    put("d/archive.tar.gz", &gzip(b"not json"));
    put("d/notjsonl", b"x");
    put("d/.json.gz", &gzip(b"{}"));
    let r = run(&[
        os("eval"),
        os("--format"),
        os("summary"),
        dir.path().as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut files: Vec<String> = r
        .stdout
        .lines()
        .filter_map(|l| l.split('\t').nth(2))
        .map(|f| {
            Path::new(f)
                .strip_prefix(dir.path())
                .expect("under the directory")
                .display()
                .to_string()
        })
        .collect();
    files.dedup();
    assert_eq!(
        files,
        [
            "a/111122223333_CloudTrail_us-east-1_x.json.gz",
            "b/events.jsonl",
            "b/events.jsonl.gz",
            "c/scenario.json",
        ]
    );
    // The gzipped JSON Lines gives what the plain one gives.
    let lines_of = |name: &str| -> Vec<String> {
        r.stdout
            .lines()
            .filter(|l| l.contains(&format!("/{name}\t")))
            .map(|l| l.split('\t').nth(3).unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(lines_of("events.jsonl"), lines_of("events.jsonl.gz"));
    assert!(!lines_of("events.jsonl").is_empty());
}

/// A JSON Lines trail whose first line is longer than the 64 KiB the detection first
/// reads (an event carrying a large policy document) is still streamed, with the
/// requests of the file read whole — with --stream, and without when large.
#[test]
fn json_lines_with_a_long_first_line_streams() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let long = format!(
        r#","responseElements":{{"policy":"{}"}}"#,
        "x".repeat(200 << 10)
    );
    let first = event(0, &long);
    assert!(first.len() > 64 << 10);
    let mut text = format!("{first}\n");
    for i in 1..4 {
        text.push_str(&event(i, ""));
        text.push('\n');
    }
    let small = dir.path().join("small.jsonl");
    std::fs::write(&small, &text).expect("writes");
    let json = |args: &[&str], file: &Path| -> serde_json::Value {
        let mut all: Vec<&std::ffi::OsStr> = vec![os("eval"), os("--format"), os("json")];
        all.extend(args.iter().map(|a| os(a)));
        all.push(file.as_os_str());
        let r = run(&all);
        assert_eq!(r.code, 0, "{}", r.stderr);
        serde_json::from_str(&r.stdout).expect("one JSON line")
    };
    let whole = json(&[], &small);
    let streamed = json(&["--stream"], &small);
    // Only a streamed trail's line ends with its description.
    assert!(whole.get("description").is_none());
    assert!(streamed.get("description").is_some(), "{streamed}");
    assert_eq!(streamed["requests"], whole["requests"]);
    assert_eq!(whole["requests"].as_array().map(Vec::len), Some(4));
    // Over the size from which trails stream unasked (32 MiB): padded with blank lines.
    let large = dir.path().join("large.jsonl");
    text.push_str(&"\n".repeat(33 << 20));
    std::fs::write(&large, &text).expect("writes");
    let r = run(&[os("eval"), os("--format"), os("summary"), large.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 4);
    let streamed = json(&[], &large);
    assert!(streamed.get("description").is_some());
    drop(text);
}
