//! `iamtrace eval` over CloudTrail read record by record (`--stream`, and without asking
//! for large trails): the same requests and decisions as the file read whole, in every
//! output format, a malformed record reported at its line and column and counted in
//! the exit status, and only CloudTrail ever streamed.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(name)
}

fn eval(args: &[&str], file: &Path) -> (i32, String, String) {
    let out = Command::cargo_bin("iamtrace")
        .expect("the binary")
        .arg("eval")
        .args(args)
        .arg(file)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const TRAILS: &[&str] = &[
    "trail.jsonl",
    "trail-records.json",
    "trail-lookup-events.json",
    "trail-malformed.json",
];

/// Summary lines, exit status and the malformed record's message are the same streamed
/// and read whole.
#[test]
fn summary_streamed_as_read_whole() {
    for name in TRAILS {
        let file = fixture(name);
        let whole = eval(&["--format", "summary"], &file);
        let streamed = eval(&["--format", "summary", "--stream"], &file);
        assert_eq!(streamed.0, whole.0, "{name}: exit status");
        assert_eq!(streamed.1, whole.1, "{name}: stdout");
        assert_eq!(streamed.2, whole.2, "{name}: stderr");
        assert!(!whole.1.is_empty(), "{name}");
    }
    let (status, _, stderr) = eval(&["--stream"], &fixture("trail-malformed.json"));
    assert_eq!(status, 2);
    assert!(
        stderr.contains("trail-malformed.json:3:633: record 2: invalid type"),
        "{stderr}"
    );
}

/// The JSON line holds the same requests (but for `via`, which needs the whole
/// trail), the skipped records with their positions, and the description.
#[test]
fn json_streamed_as_read_whole() {
    for name in TRAILS {
        let file = fixture(name);
        let whole: serde_json::Value =
            serde_json::from_str(&eval(&["--format", "json"], &file).1).expect("one JSON line");
        let (_, out, _) = eval(&["--format", "json", "--stream"], &file);
        assert_eq!(out.lines().count(), 1, "{name}: {out}");
        let streamed: serde_json::Value = serde_json::from_str(&out).expect("one JSON line");
        let mut expected = whole["requests"].clone();
        for r in expected.as_array_mut().expect("requests") {
            r["via"] = serde_json::Value::Null;
        }
        assert_eq!(streamed["requests"], expected, "{name}");
        assert_eq!(streamed["file"], whole["file"]);
        let lines = |v: &serde_json::Value| -> Vec<(u64, u64)> {
            v["skipped"].as_array().map_or_else(Vec::new, |a| {
                a.iter()
                    .map(|s| (s["line"].as_u64().unwrap(), s["column"].as_u64().unwrap()))
                    .collect()
            })
        };
        assert_eq!(lines(&streamed), lines(&whole), "{name}");
        let description = streamed["description"].as_str().expect("a description");
        assert!(description.contains("CloudTrail event"), "{description}");
    }
}

/// The text output: the header, each request as read whole, the count last.
#[test]
fn text_streamed() {
    let file = fixture("trail.jsonl");
    let (status, out, _) = eval(&["--stream"], &file);
    assert_eq!(status, 0);
    assert!(out.starts_with("# CloudTrail events ("), "{out}");
    let whole = eval(&[], &file).1;
    for line in whole.lines().filter(|l| l.starts_with("## Request ")) {
        assert!(out.contains(line), "{line}");
    }
    let tail: Vec<&str> = out.trim_end().lines().rev().take(2).collect();
    assert!(
        tail[1].starts_with("3 of 3 CloudTrail events as requests."),
        "{tail:?}"
    );
    assert!(tail[0].starts_with("Read record by record"), "{tail:?}");
}

/// Scenarios and policies are read whole even with --stream.
#[test]
fn only_cloudtrail_streams() {
    for name in ["scenario.json", "policy.json", "account-details.json"] {
        let file = fixture(name);
        let mut args = vec!["--format", "json"];
        if name == "account-details.json" {
            args.extend(["--principal", "bob"]);
        }
        let whole = eval(&args, &file);
        args.push("--stream");
        assert_eq!(eval(&args, &file), whole, "{name}");
    }
}

/// A trail over the size limit streams without being asked (its JSON line has the
/// description at the end); the same records in a small file are read whole.
#[test]
fn large_trails_stream_without_asking() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let first_line = std::fs::read_to_string(fixture("trail.jsonl"))
        .expect("the fixture")
        .lines()
        .next()
        .expect("an event")
        .to_string();
    let small = dir.path().join("small.jsonl");
    std::fs::write(&small, format!("{first_line}\n")).expect("writes");
    let large = dir.path().join("large.jsonl");
    // One event, then blank lines up to 33 MiB.
    let mut text = format!("{first_line}\n");
    text.push_str(&"\n".repeat(33 << 20));
    std::fs::write(&large, text).expect("writes");
    let json = |file: &Path| -> serde_json::Value {
        let (status, out, err) = eval(&["--format", "json"], file);
        assert_eq!(status, 0, "{err}");
        serde_json::from_str(&out).expect("one JSON line")
    };
    assert!(json(&large).get("description").is_some());
    assert!(json(&small).get("description").is_none());
    assert_eq!(
        json(&large)["requests"][0]["name"],
        json(&small)["requests"][0]["name"]
    );
}

/// Nothing is read from a pipe to decide whether to stream it: a scenario or a trail
/// given through a FIFO is read whole, every byte of it.
#[test]
fn pipes_are_read_whole() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for name in ["scenario.json", "trail.jsonl"] {
        let fifo = dir.path().join(format!("{name}.fifo"));
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: mkfifo is not available");
            return;
        }
        let bytes = std::fs::read(fixture(name)).expect("the fixture");
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, bytes).expect("writes the pipe"))
        };
        let piped = eval(&["--format", "summary", "--stream"], &fifo);
        writer.join().expect("the writer");
        let whole = eval(&["--format", "summary"], &fixture(name));
        assert_eq!(piped.0, whole.0, "{name}: {}", piped.2);
        let strip = |s: &str| s.replace(&format!("{name}.fifo"), name);
        let lines = |s: &str| -> Vec<String> {
            s.lines()
                .map(|l| {
                    l.split('\t')
                        .filter(|f| !f.contains('/'))
                        .collect::<Vec<_>>()
                        .join("\t")
                })
                .collect()
        };
        assert_eq!(lines(&strip(&piped.1)), lines(&whole.1), "{name}");
        assert!(!whole.1.is_empty());
    }
}

/// `--kind` is for bare policies: on a trail it is refused, streamed or not.
#[test]
fn kind_on_a_trail_is_refused_either_way() {
    let file = fixture("trail.jsonl");
    assert_eq!(eval(&["--kind", "resource"], &file).0, 2);
    assert_eq!(eval(&["--kind", "resource", "--stream"], &file).0, 2);
}

/// A trail of several batches (read on worker threads when streamed) gives the
/// requests, their decisions and the malformed records' messages in the file's order,
/// as read whole: summary, JSON and text.
#[test]
fn many_batches_in_order_as_read_whole() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let lines: Vec<String> = std::fs::read_to_string(fixture("trail.jsonl"))
        .expect("the fixture")
        .lines()
        .map(String::from)
        .collect();
    let bad = lines[0].replacen("\"resources\":[", "\"resources\":5,\"x\":[", 1);
    assert_ne!(bad, lines[0]);
    let mut text = String::new();
    for i in 0..9_000 {
        let line = if i % 1_500 == 1_499 {
            &bad
        } else {
            &lines[i % lines.len()]
        };
        // Distinct times, so that names are not all repeats.
        let line = line.replacen("T10:0", &format!("T{:02}:0", i % 24), 1);
        text.push_str(&line);
        text.push('\n');
    }
    assert!(text.len() > 4 << 20, "several batches");
    let file = dir.path().join("trail.jsonl");
    std::fs::write(&file, &text).expect("writes");
    let whole = eval(&["--format", "summary"], &file);
    let streamed = eval(&["--format", "summary", "--stream"], &file);
    assert_eq!(whole.0, 2);
    assert_eq!(streamed, whole);
    assert_eq!(whole.2.lines().count(), 6, "{}", whole.2);
    let json = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&eval(args, &file).1).expect("one JSON line")
    };
    let mut expected = json(&["--format", "json"])["requests"].clone();
    for r in expected.as_array_mut().expect("requests") {
        r["via"] = serde_json::Value::Null;
    }
    assert_eq!(
        json(&["--format", "json", "--stream"])["requests"],
        expected
    );
    let heads = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| {
                l.starts_with("## Request ") || l.starts_with("Implicit") || l.contains("Decision")
            })
            .map(String::from)
            .collect()
    };
    let (_, whole_text, _) = eval(&[], &file);
    let (_, streamed_text, _) = eval(&["--stream"], &file);
    assert_eq!(heads(&streamed_text), heads(&whole_text));
    assert!(heads(&whole_text).len() >= 8_994);
}
