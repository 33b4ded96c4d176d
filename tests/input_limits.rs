//! Inputs read whole stop at `--max-input` (after decompression, bounded while
//! reading): `/dev/zero`, an endless standard input and a gzip bomb end with
//! `FILE: input larger than … (use --max-input …)` and exit 2; a streamed CloudTrail
//! record is limited on its own; invalid UTF-8 is reported with its position.

use iamtrace::cloudtrail::split::Splitter;
use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("iamtrace"))
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn dev_zero_stops_at_the_limit() {
    if !std::path::Path::new("/dev/zero").exists() {
        eprintln!("skipped: no /dev/zero");
        return;
    }
    for cmd in ["eval", "lint"] {
        let (code, err) = run(&[cmd, "/dev/zero", "--max-input", "1M"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains("/dev/zero: input larger than 1 MiB (use --max-input 2M or more"),
            "{err}"
        );
    }
}

#[test]
fn an_endless_standard_input_stops_at_the_limit() {
    for args in [
        &["eval", "-", "--max-input", "64K"][..],
        &["-", "--max-input", "64K"],
    ] {
        let mut child = bin()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // Writes until the command stops reading (then the pipe breaks).
        let writer = std::thread::spawn(move || {
            let line = b"y\n".repeat(4096);
            let mut written = 0usize;
            while stdin.write_all(&line).is_ok() {
                written += line.len();
            }
            written
        });
        let out = child.wait_with_output().unwrap();
        let written = writer.join().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("input larger than 64 KiB"), "{err}");
        assert!(written < 64 << 20, "{written} bytes taken");
    }
}

#[test]
fn a_gzip_bomb_stops_at_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&spaces).unwrap();
    }
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let p = path.to_str().unwrap();
    for cmd in [&["eval", p][..], &["lint", p], &[p]] {
        let mut args = cmd.to_vec();
        args.extend(["--max-input", "4M"]);
        let (code, err) = run(&args);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains("input larger than 4 MiB after decompression (use --max-input 8M"),
            "{err}"
        );
    }
    // Raised, the same file is read (and is not a scenario: an error with a position).
    let (code, err) = run(&["eval", p, "--max-input", "65M"]);
    assert_eq!(code, Some(2));
    assert!(!err.contains("input larger"), "{err}");
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.json");
    std::fs::write(&path, b"{\n  \"name\": \"caf\xe9\"\n}").unwrap();
    let (code, err) = run(&["eval", path.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("not UTF-8 text: byte 0xe9 at offset 16 (line 2, column 15)"),
        "{err}"
    );
}

#[test]
fn a_streamed_record_over_the_limit_is_skipped_and_reported() {
    let small = |n: u32| {
        format!(
            r#"{{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "eventID": "e{n}"}}"#
        )
    };
    let big = format!(
        r#"{{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "userAgent": "{}\"}}{{"}}"#,
        "x".repeat(8 << 20)
    );
    for text in [
        format!("{{\"Records\": [{}, {big}, {}]}}", small(1), small(3)),
        format!("{}\n{big}\n{}\n", small(1), small(3)),
    ] {
        let mut s = Splitter::new(text.as_bytes()).with_max_record(1 << 20);
        let mut numbered = Vec::new();
        let mut oversized = Vec::new();
        while let Some(b) = s.next_batch(1).unwrap() {
            for (k, r) in b.records.iter().enumerate() {
                let record = std::str::from_utf8(&b.data[r.clone()]).unwrap();
                numbered.push((b.first_index + k as u64 + 1, record.to_string()));
            }
            oversized.extend(b.oversized);
        }
        assert_eq!(numbered, vec![(1, small(1)), (3, small(3))]);
        assert_eq!(oversized.len(), 1);
        assert_eq!(oversized[0].number, 2);
        assert_eq!(oversized[0].offset as usize, text.find(&big).unwrap());
    }
}

#[test]
fn replay_skips_an_oversized_record_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let event = |n: u32, agent: &str| {
        serde_json::json!({
            "eventVersion": "1.09",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333"},
            "eventTime": format!("2024-11-05T08:58:1{n}Z"),
            "eventSource": "s3.amazonaws.com",
            "eventName": "ListBuckets",
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.10",
            "userAgent": agent,
            "eventID": format!("e{n}"),
            "recipientAccountId": "111122223333"
        })
        .to_string()
    };
    let big = event(2, &"x".repeat(65 << 20));
    let text = format!(
        "{{\"Records\": [{}, {big}, {}]}}",
        event(1, "a"),
        event(3, "b")
    );
    let offset = text.find(&big).unwrap();
    let path = dir.path().join("trail.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    drop((text, big));
    let out = bin()
        .args([
            "replay",
            "assets/scenarios/client-vpn-source-ip.json",
            "--cloudtrail",
        ])
        .arg(&path)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "trail.json.gz: byte {offset}: record 2: larger than 64 MiB, the most one record may hold; skipped"
        )),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["events"], 2, "{v}");
}
