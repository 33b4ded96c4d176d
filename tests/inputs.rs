//! One place decides what an input is (`iamtrace::input`): each kind detected from a
//! fixture of `tests/fixtures/inputs/` (written for these tests), gzip and UTF-8 at the
//! byte level, JSON Lines CloudTrail through every entry point (library, TUI state,
//! each subcommand), a malformed CloudTrail record skipped with `FILE:LINE:COLUMN:
//! record N: …` while the rest is evaluated (exit status 2), and the module boundary:
//! `scenario` does not know `cloudtrail`, `cloudtrail` does not detect inputs.

use assert_cmd::Command;
use iamtrace::input::{self, BareKind, Kind, LoadOptions};
use iamtrace::tui::app::App;
use std::io::Write;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/fixtures/inputs";

fn path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn bob() -> LoadOptions {
    LoadOptions {
        principal: Some("bob".into()),
        ..Default::default()
    }
}

/// Every fixture, the kind it is, and how many requests it becomes.
const KINDS: &[(&str, Kind, usize)] = &[
    ("scenario.json", Kind::Scenario, 1),
    ("policy.json", Kind::Policy, 0),
    ("get-user-policy.json", Kind::AwsCli, 0),
    ("account-details.json", Kind::AccountDetails, 1),
    ("trail-records.json", Kind::CloudTrail, 3),
    ("trail.jsonl", Kind::CloudTrail, 3),
    ("trail-event.json", Kind::CloudTrail, 1),
    ("trail-lookup-events.json", Kind::CloudTrail, 3),
];

#[test]
fn each_kind_is_detected_and_read_by_its_reader() {
    for &(name, kind, requests) in KINDS {
        let t = text(name);
        assert_eq!(input::kind(&t), kind, "{name}");
        let loaded = input::load(&t, &bob()).unwrap_or_else(|e| panic!("{name}: {e:#?}"));
        assert_eq!(loaded.kind, kind, "{name}");
        assert_eq!(loaded.scenario.requests.len(), requests, "{name}");
        assert!(loaded.skipped.is_empty(), "{name}: {:#?}", loaded.skipped);
        // The strict reader reads every kind the same way.
        let strict = input::load_strict(&t, &bob()).unwrap();
        assert_eq!(strict, loaded.scenario, "{name}");
        let policies = loaded.scenario.set.policies.len();
        match kind {
            Kind::CloudTrail => assert_eq!(policies, 0, "{name}"),
            _ => assert_eq!(policies, 1, "{name}"),
        }
    }
}

#[test]
fn account_details_need_a_principal_and_list_the_choices() {
    let t = text("account-details.json");
    let e = input::load_str(&t).expect_err("no principal given");
    assert!(
        e.diagnostics[0].message.contains("choose a user or role"),
        "{:#?}",
        e.diagnostics
    );
    let choices = input::account_principals(&t).expect("account details");
    assert_eq!(choices.len(), 1);
    assert_eq!(choices[0].arn, "arn:aws:iam::111122223333:user/bob");
    assert_eq!(input::account_principals(&text("policy.json")), None);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

#[test]
fn bytes_become_text_gzip_by_magic_bytes_and_utf8_errors_with_positions() {
    for name in ["trail.jsonl", "trail-records.json", "scenario.json"] {
        let plain = text(name);
        let decoded = input::decode(gzip(plain.as_bytes())).unwrap();
        assert_eq!(decoded, plain, "{name}");
        assert_eq!(input::decode(plain.clone().into_bytes()).unwrap(), plain);
    }
    let e = input::decode(b"{\n  \"a\": \"\xff\"}".to_vec()).expect_err("not UTF-8");
    assert!(e.contains("line 2, column 9"), "{e}");
}

/// JSON Lines whose first event is longer than the 4096 bytes the quick look reads,
/// with `eventSource` and `eventName` past them.
fn jsonl_with_a_long_first_record() -> String {
    let t = text("trail.jsonl");
    let padding = "x".repeat(6000);
    t.replacen(
        "{\"eventVersion\"",
        &format!("{{\"padding\":\"{padding}\",\"eventVersion\""),
        1,
    )
}

/// JSON Lines of lookup-events entries (each event a JSON string in its entry).
fn jsonl_of_lookup_entries() -> String {
    let t = text("trail.jsonl");
    t.lines()
        .map(|l| serde_json::json!({ "CloudTrailEvent": l }).to_string() + "\n")
        .collect()
}

#[test]
fn json_lines_are_cloudtrail_whatever_the_first_record() {
    for (what, t) in [
        ("plain", text("trail.jsonl")),
        ("long first record", jsonl_with_a_long_first_record()),
        ("lookup-events entries", jsonl_of_lookup_entries()),
    ] {
        assert_eq!(input::kind(&t), Kind::CloudTrail, "{what}");
        let loaded = input::load(&t, &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{what}: {:#?}", e.diagnostics));
        assert_eq!(loaded.scenario.requests.len(), 3, "{what}");
        // What the TUI opens: its state holds the three requests.
        let app = App::new(loaded.scenario, None);
        assert_eq!(app.scenario.requests.len(), 3, "{what}");
    }
    // A malformed first line (no eventSource in it) does not hide the events after it:
    // it is skipped as malformed, the others read.
    let t = format!(
        "{{\"eventVersion\": \"1.09\", \"eventName\": tru}}\n{}",
        text("trail.jsonl")
    );
    assert_eq!(input::kind(&t), Kind::CloudTrail);
    let loaded = input::load(&t, &LoadOptions::default()).unwrap();
    assert_eq!(loaded.scenario.requests.len(), 3);
    assert_eq!(loaded.skipped.len(), 1);
    assert_eq!(loaded.skipped[0].span.line, 1);
    assert!(loaded.skipped[0].message.starts_with("record 1: "));
    // Text that is neither one JSON value nor CloudTrail stays a scenario's syntax error.
    let two = "{\"a\": 1}\n{\"b\": 2}\n";
    assert_eq!(input::kind(two), Kind::Scenario);
    let e = input::load_str(two).expect_err("two JSON values");
    assert_eq!(e.diagnostics[0].span.line, 2);
}

/// The binary, run from the crate root, with `args` and `stdin`.
fn iamtrace(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::cargo_bin("iamtrace").expect("the binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env("NO_COLOR", "1");
    cmd.args(args);
    if let Some(s) = stdin {
        cmd.write_stdin(s.to_string());
    }
    let out = cmd.output().expect("iamtrace runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_subcommand_reads_json_lines_as_cloudtrail() {
    let dir = tempfile::tempdir().unwrap();
    let long = dir.path().join("long.jsonl");
    std::fs::write(&long, jsonl_with_a_long_first_record()).unwrap();
    let long = long.to_str().unwrap();
    let jsonl = format!("{DIR}/trail.jsonl");
    for file in [jsonl.as_str(), long] {
        // eval, and `iamtrace FILE` when standard output is not a terminal.
        for args in [
            vec!["eval", "--format", "summary", file],
            vec![file],
            vec!["eval", "--format", "summary", "-"],
        ] {
            let stdin = (args.last() == Some(&"-")).then(|| std::fs::read_to_string(file).unwrap());
            let (code, out, err) = iamtrace(&args, stdin.as_deref());
            assert_eq!(code, 0, "{args:?}: {err}");
            assert!(out.contains("s3:GetObject by bob"), "{args:?}: {out}");
        }
        let (code, out, err) = iamtrace(
            &[
                "grid",
                file,
                "--request",
                "1",
                "--vary",
                "aws:SourceIp=10.0.0.1,absent",
            ],
            None,
        );
        assert_eq!(code, 0, "grid: {err}");
        assert!(out.contains("s3:GetObject"), "grid: {out}");
        let (code, _, err) = iamtrace(&["diff", file, file], None);
        assert_eq!(code, 0, "diff: {err}");
        let scenario = format!("{DIR}/scenario.json");
        let (code, out, err) = iamtrace(&["replay", &scenario, "--cloudtrail", file], None);
        assert!(code == 0 || code == 1, "replay: {code} {err}");
        assert!(
            out.contains("Replayed 3 CloudTrail events"),
            "replay: {out}"
        );
    }
}

#[test]
fn a_malformed_record_is_skipped_counted_and_the_rest_evaluated() {
    let name = "trail-malformed.json";
    let t = text(name);
    // Record 2's "resources" is 5: the column of the 5 on line 3.
    let line = t.lines().nth(2).unwrap();
    let column = line.find("\"resources\":5").unwrap() + "\"resources\":5".len();
    let loaded = input::load(&t, &LoadOptions::default()).expect("the rest is read");
    assert_eq!(loaded.scenario.requests.len(), 2);
    assert_eq!(loaded.skipped.len(), 1, "{:#?}", loaded.skipped);
    let d = &loaded.skipped[0];
    assert_eq!(d.span.line, 3, "{}", d.message);
    assert_eq!(d.span.column as usize, column, "{}", d.message);
    // The position is the file's; serde's own (in the record) is left out.
    assert_eq!(
        d.message,
        "record 2: invalid type: integer `5`, expected a sequence; skipped"
    );
    let description = loaded.scenario.description.as_deref().unwrap_or_default();
    assert!(
        description.contains("Skipped 1 malformed record (the first at line 3"),
        "{description}"
    );
    // What the TUI's status line says on opening it.
    let shown = format!("{DIR}/{name}");
    let message = input::skipped_message(&shown, &loaded.skipped).unwrap();
    assert_eq!(message, format!("{shown}:3:{column}: {}", d.message));

    // eval: the message on standard error, the other two requests evaluated, status 2.
    let (code, out, err) = iamtrace(&["eval", "--format", "summary", &shown], None);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains(&format!("{shown}:3:{column}: record 2: invalid type")),
        "{err}"
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains("s3:GetObject by bob") && out.contains("s3:ListAllMyBuckets"));
    // The text header counts it; JSON Lines lists it beside the results.
    let (code, out, _) = iamtrace(&["eval", &shown], None);
    assert_eq!(code, 2);
    assert!(out.contains("Skipped 1 malformed record"), "{out}");
    let (code, out, _) = iamtrace(&["eval", "--format", "json", &shown], None);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v["requests"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(v["skipped"][0]["line"], 3, "{v}");
    assert!(
        v["skipped"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("record 2: ")
    );
    // A clean trail is status 0.
    let (code, _, err) = iamtrace(
        &[
            "eval",
            "--format",
            "summary",
            &format!("{DIR}/trail-records.json"),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
        }
    }
    out
}

#[test]
fn scenario_and_cloudtrail_do_not_know_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let scenario = sources(&src.join("scenario"));
    assert!(scenario.len() >= 4, "the scenario module's files are found");
    for (p, t) in &scenario {
        assert!(
            !t.to_lowercase().contains("cloudtrail"),
            "{} mentions cloudtrail: input detection belongs in src/input",
            p.display()
        );
    }
    let cloudtrail = sources(&src.join("cloudtrail"));
    assert!(
        cloudtrail.len() >= 4,
        "the cloudtrail module's files are found"
    );
    for (p, t) in &cloudtrail {
        for word in ["crate::input", "scenario::load", "load_str", "load_with"] {
            assert!(
                !t.contains(word),
                "{} uses {word}: only src/input decides what an input is",
                p.display()
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// Bare policy documents: the kind guessed (or given with --kind), and said so.

/// Each bare fixture, what it is read as, and what else its shape could be.
const BARE: &[(&str, BareKind, Option<&str>)] = &[
    ("bucket-policy.json", BareKind::Resource, None),
    ("key-policy.json", BareKind::Resource, None),
    ("trust-policy.json", BareKind::Trust, None),
    ("policy.json", BareKind::Identity, None),
    ("deny-only.json", BareKind::Identity, Some("SCP")),
    ("deny-everyone.json", BareKind::Resource, Some("RCP")),
    // AWS's default endpoint policy / RCPFullAWSAccess: read so as to grant nothing.
    (
        "full-access-everyone.json",
        BareKind::Endpoint,
        Some("grant nothing"),
    ),
    (
        "public-read.json",
        BareKind::Resource,
        Some("RCP or a VPC endpoint policy"),
    ),
];

fn bare(name: &str) -> String {
    if name == "policy.json" {
        text(name)
    } else {
        text(&format!("bare/{name}"))
    }
}

#[test]
fn a_bare_document_is_read_as_the_kind_its_shape_says() {
    for &(name, kind, ambiguous) in BARE {
        let loaded = input::load(&bare(name), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {:#?}", e.diagnostics));
        let read_as = loaded
            .read_as
            .expect("a bare document says how it was read");
        assert_eq!(read_as.kind, kind, "{name}");
        assert!(read_as.guessed, "{name}");
        match ambiguous {
            Some(other) => assert!(
                read_as.ambiguous.is_some_and(|a| a.contains(other)),
                "{name}: {read_as:?}"
            ),
            None => assert_eq!(read_as.ambiguous, None, "{name}"),
        }
        let shown = read_as.to_string();
        assert!(
            shown.starts_with(&format!("read as {} (guessed", kind.phrase())),
            "{shown}"
        );
        assert!(shown.contains("--kind to change)"), "{shown}");
        let (policy_kind, attached) = kind.placement();
        let entry = &loaded.scenario.set.policies[0];
        assert_eq!(entry.kind, policy_kind, "{name}");
        assert_eq!(
            entry.attached_to.as_ref().map(|a| a.text.as_str()),
            attached,
            "{name}"
        );
    }
    // What is not a bare document says nothing of the kind.
    let scenario = input::load(&text("scenario.json"), &LoadOptions::default()).unwrap();
    assert_eq!(scenario.read_as, None);
}

#[test]
fn kind_sets_what_a_bare_document_is_and_is_refused_for_other_inputs() {
    for word in input::bare::KIND_WORDS {
        let kind = BareKind::from_word(word).unwrap();
        assert_eq!(kind.word(), *word);
        let options = LoadOptions {
            kind: Some(kind),
            ..Default::default()
        };
        // A Deny-only statement without Principal is valid in every kind but the
        // resource ones, which need a Principal.
        let result = input::load(&bare("deny-only.json"), &options);
        let needs_principal = matches!(kind, BareKind::Resource | BareKind::Trust);
        match result {
            Ok(l) => {
                assert!(!needs_principal, "{word}: loads without a Principal");
                let r = l.read_as.unwrap();
                assert_eq!((r.kind, r.guessed), (kind, false), "{word}");
                assert!(r.to_string().contains(&format!("(--kind {word})")), "{r}");
                assert_eq!(l.scenario.set.policies[0].kind, kind.placement().0);
            }
            Err(e) => assert!(needs_principal, "{word}: {:#?}", e.diagnostics),
        }
    }
    let scp = LoadOptions {
        kind: Some(BareKind::Scp),
        ..Default::default()
    };
    let loaded = input::load(&bare("deny-only.json"), &scp).unwrap();
    assert_eq!(loaded.scenario.set.scp_levels, ["r-root"]);
    for name in [
        "scenario.json",
        "trail.jsonl",
        "trail-records.json",
        "get-user-policy.json",
    ] {
        let e = input::load(&text(name), &scp).expect_err(name);
        let d = &e.diagnostics[0];
        assert_eq!((d.span.line, d.span.column), (1, 1), "{name}");
        assert!(
            d.message
                .starts_with("--kind scp is for a bare policy document; this is "),
            "{name}: {}",
            d.message
        );
    }
}

#[test]
fn bare_bucket_trust_and_key_policies_eval_and_lint_clean_and_say_how_they_were_read() {
    for name in ["bucket-policy.json", "trust-policy.json", "key-policy.json"] {
        let file = format!("{DIR}/bare/{name}");
        let (code, out, err) = iamtrace(&["eval", &file], None);
        assert_eq!(code, 0, "{name}: {err}");
        let header: Vec<&str> = out.lines().take(2).collect();
        assert!(
            header[1].starts_with("read as a ")
                && header[1].contains("(guessed; --kind to change)"),
            "{name}: {out}"
        );
        let (code, out, err) = iamtrace(&["lint", &file], None);
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert!(out.starts_with("0 errors"), "{name}: {out}");
        assert!(
            err.contains(&format!("{file}: read as a ")),
            "{name}: {err}"
        );
        let (code, out, _) = iamtrace(&["lint", "--format", "json", &file], None);
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["read_as"]["guessed"], true, "{v}");
        assert_eq!(v["policies"][0]["kind"], "resource", "{v}");
    }
    // The same document with --kind identity is what AWS would refuse as one.
    let file = format!("{DIR}/bare/bucket-policy.json");
    let (code, _, err) = iamtrace(&["eval", "--kind", "identity", &file], None);
    assert_eq!(code, 2);
    assert!(
        err.contains("Principal cannot be used in an identity policy"),
        "{err}"
    );
    // The TUI's command line takes --kind (on a pipe it prints what it would show).
    let (code, out, err) = iamtrace(
        &["--kind", "scp", &format!("{DIR}/bare/deny-only.json")],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("read as an SCP (--kind scp)"), "{out}");
    let (code, out, _) = iamtrace(
        &[
            "eval",
            "--format",
            "json",
            "--kind",
            "rcp",
            &format!("{DIR}/bare/deny-everyone.json"),
        ],
        None,
    );
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["read_as"]["kind"], "rcp", "{v}");
    assert_eq!(v["read_as"]["guessed"], false, "{v}");
}

#[test]
fn a_resource_policy_without_attached_to_says_so_in_the_trace() {
    let (code, out, err) = iamtrace(
        &[
            "eval",
            "tests/cases/decisions/bare-documents.json",
            "--request",
            "1",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "resource policy \"resource policy 1\" on the request's resource (no attachedTo)"
        ),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------
// Standard input: `-` for every subcommand, named `-` in messages.

#[test]
fn dash_is_standard_input_for_every_subcommand() {
    let scenario = text("scenario.json");
    let file = format!("{DIR}/scenario.json");
    let runs: &[(&[&str], i32, &str)] = &[
        (&["eval", "-"], 0, "# Bob reads the reports (-)"),
        (
            &["eval", "--format", "summary", "-"],
            0,
            "allow\tok\t-\tread q1",
        ),
        (&["lint", "-"], 0, "in 1 file"),
        (
            &["grid", "-", "--vary", "aws:SourceIp=10.0.0.1"],
            0,
            "- — request 1: read q1",
        ),
        (&["diff", "-", &file], 0, "between - and"),
        (&["diff", &file, "-"], 0, "and -"),
        (
            &[
                "replay",
                "-",
                "--cloudtrail",
                "tests/fixtures/inputs/trail.jsonl",
            ],
            0,
            "against -",
        ),
    ];
    for (args, want_code, want) in runs {
        let (code, out, err) = iamtrace(args, Some(&scenario));
        // replay: 1 when a recorded decision differs (the denied PutObject).
        assert!(
            code == *want_code || (args[0] == "replay" && code == 1),
            "{args:?}: {code} {err}"
        );
        assert!(out.contains(want), "{args:?}: {out}");
    }
    // Errors name the file `-`.
    let (code, _, err) = iamtrace(&["eval", "-"], Some("{\"policies\": 5}"));
    assert_eq!(code, 2);
    assert!(
        err.starts_with("-:1:14: policies must be an object"),
        "{err}"
    );
    let (code, _, err) = iamtrace(&["lint", "-"], Some("{\"Statement\": ["));
    assert_eq!(code, 2);
    assert!(err.starts_with("-:"), "{err}");
    // It can be read only once.
    for args in [
        &["diff", "-", "-"][..],
        &["eval", "-", "-"],
        &["lint", "-", "-"],
    ] {
        let (code, _, err) = iamtrace(args, Some(&scenario));
        assert_eq!(code, 2, "{args:?}");
        assert!(err.contains("can be read only once"), "{args:?}: {err}");
    }
}
