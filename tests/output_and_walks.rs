//! Output that cannot be written and directories that do not end.
//!
//! - every command with standard output on `/dev/full` exits 2 with a message (no
//!   panic, no silent success with truncated output); a closed pipe is a quiet exit;
//! - directory walks: a directory named on the command line is read even when it is a
//!   link; inside, links to files are followed, links to directories are not (a loop of
//!   `a -> .` and `b -> .`, a link to `/`, a link to itself) and are counted on standard
//!   error; a directory with no matching file is exit 2 with a message.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SCENARIO: &str = "tests/cases/decisions/default-deny.json";
const TRAIL: &str = "tests/fixtures/aws/cloudtrail/client-vpn.json";
const VPN: &str = "assets/scenarios/client-vpn-source-ip.json";

fn bin() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("iamtrace"))
}

fn every_command() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("eval text", vec!["eval", SCENARIO]),
        ("eval json", vec!["eval", "--format", "json", SCENARIO]),
        (
            "eval summary",
            vec!["eval", "--format", "summary", SCENARIO],
        ),
        ("lint text", vec!["lint", SCENARIO]),
        ("lint json", vec!["lint", "--format", "json", SCENARIO]),
        ("lint sarif", vec!["lint", "--format", "sarif", SCENARIO]),
        (
            "grid text",
            vec![
                "grid",
                VPN,
                "--request",
                "1",
                "--vary",
                "aws:SourceIp=10.0.0.1,absent",
            ],
        ),
        (
            "grid json",
            vec![
                "grid",
                VPN,
                "--request",
                "1",
                "--vary",
                "aws:SourceIp=10.0.0.1",
                "--format",
                "json",
            ],
        ),
        ("diff text", vec!["diff", SCENARIO, SCENARIO]),
        (
            "diff json",
            vec!["diff", SCENARIO, SCENARIO, "--format", "json"],
        ),
        ("replay text", vec!["replay", VPN, "--cloudtrail", TRAIL]),
        (
            "replay json",
            vec!["replay", VPN, "--cloudtrail", TRAIL, "--format", "json"],
        ),
        ("open on a file", vec![SCENARIO]),
    ]
}

#[test]
fn a_full_disk_is_exit_2_with_a_message_for_every_command() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: no /dev/full on this system");
        return;
    }
    for (what, args) in every_command() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = bin().args(&args).stdout(full).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains("cannot write the output: No space left on device"),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn a_closed_pipe_is_a_quiet_exit() {
    // Far more output than a pipe holds, so the write fails whenever the reader leaves.
    for args in [
        vec!["eval", "tests/cases"],
        vec!["eval", "--format", "json", "tests/cases"],
        vec!["lint", "--format", "sarif", "tests/cases"],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("cannot write"),
            "{args:?}: {stderr}"
        );
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

fn run(args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = bin().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn walks_do_not_follow_linked_directories() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    std::fs::create_dir_all(d.join("sub")).unwrap();
    std::fs::copy(SCENARIO, d.join("one.json")).unwrap();
    std::fs::copy(SCENARIO, d.join("sub/two.json")).unwrap();
    std::fs::copy(SCENARIO, tmp.path().join("outside.json")).unwrap();
    symlink(".", d.join("a")).unwrap();
    symlink(".", d.join("b")).unwrap();
    symlink("/", d.join("root")).unwrap();
    symlink(&d, d.join("sub/self")).unwrap();
    // A link to a file is followed.
    symlink(tmp.path().join("outside.json"), d.join("linked.json")).unwrap();
    let link_to_d = tmp.path().join("link-to-d");
    symlink(&d, &link_to_d).unwrap();

    let default_deny_requests = {
        let (_, out, _) = run(&[
            "eval".as_ref(),
            "--format".as_ref(),
            "summary".as_ref(),
            SCENARIO.as_ref(),
        ]);
        out.lines().count()
    };
    assert!(default_deny_requests > 0);
    for dir in [&d, &link_to_d] {
        let (code, out, err) = run(&[
            "eval".as_ref(),
            "--format".as_ref(),
            "summary".as_ref(),
            dir.as_os_str(),
        ]);
        assert_eq!(code, Some(0), "{err}");
        // one.json, linked.json, sub/two.json: each once.
        assert_eq!(out.lines().count(), 3 * default_deny_requests, "{out}");
        assert!(
            err.contains("4 symbolic links to directories not followed"),
            "{err}"
        );
        let files: Vec<PathBuf> = out
            .lines()
            .map(|l| PathBuf::from(l.split('\t').nth(2).unwrap()))
            .collect();
        assert!(files.iter().all(|f| !f.starts_with(dir.join("a"))), "{out}");
        let (code, _, err) = run(&["lint".as_ref(), dir.as_os_str()]);
        assert!(code.is_some_and(|c| c < 2), "{err}");
    }
    let (code, out, err) = run(&[
        "replay".as_ref(),
        VPN.as_ref(),
        "--cloudtrail".as_ref(),
        d.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    // The scenarios are not CloudTrail files (an input error), but the walk ends and
    // lists each once.
    assert_eq!(code, Some(2), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 3, "{out}");
}

#[test]
fn a_directory_with_no_matching_file_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
    let dir = tmp.path().as_os_str();
    let shown = tmp.path().display().to_string();
    for (cmd, wanted) in [
        ("eval", "*.json, *.jsonl, *.json.gz or *.jsonl.gz"),
        ("lint", "*.json"),
    ] {
        let (code, out, err) = run(&[cmd.as_ref(), dir]);
        assert_eq!(code, Some(2), "{cmd}: {err}");
        assert!(
            err.contains(&format!("no {wanted} file under {shown}")),
            "{cmd}: {err}"
        );
        assert!(!out.contains("error") || cmd == "lint", "{out}");
    }
    let (code, _, err) = run(&[
        "replay".as_ref(),
        VPN.as_ref(),
        "--cloudtrail".as_ref(),
        dir,
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("no *.json, *.jsonl or *.gz file under {shown}")),
        "{err}"
    );
}
