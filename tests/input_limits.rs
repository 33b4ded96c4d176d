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
fn a_streamed_record_over_the_limit_is_an_error_at_its_start() {
    let small = r#"{"eventSource": "s3.amazonaws.com", "eventName": "GetObject"}"#;
    let big = format!(
        r#"{{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "userAgent": "{}"}}"#,
        "x".repeat(8 << 20)
    );
    let text = format!("{{\"Records\": [{small}, {big}]}}");
    let mut s = Splitter::new(text.as_bytes()).with_max_record(1 << 20);
    let mut records = 0;
    let err = loop {
        match s.next_batch(1) {
            Ok(Some(b)) => records += b.records.len(),
            Ok(None) => panic!("the big record was accepted"),
            Err(e) => break e,
        }
    };
    assert_eq!(records, 1);
    assert_eq!(err.offset as usize, text.find(", {").unwrap() + 2);
    assert!(
        err.message.contains("record 2 is larger than 1 MiB"),
        "{}",
        err.message
    );
    // Stopped about a chunk past the limit, not at the end of the record.
    assert!(s.bytes_read() < 3 << 20, "{}", s.bytes_read());
}
