//! The quick scenario reader (serde_json for requests) against the strict one (a
//! position-keeping tree for every value): every file must be valid or invalid the same
//! way on both paths, and load to the same scenario or the same errors.

use iamtrace::eval::PreparedRequest;
use iamtrace::input::{LoadOptions, load_strict, load_with};
use iamtrace::policy::PolicySet;
use iamtrace::scenario::{load_quick, stream_requests};
use iamtrace::trace::Decision;
use std::path::Path;

/// What the streaming reader hands over for one request.
type Streamed = (usize, Option<String>, Option<Decision>, PreparedRequest);

/// `text` read by the streaming reader: the policies it evaluated against (when it
/// saw a request) and each request, or `None` when it left the file to a full load.
fn streamed(text: &str) -> Option<(Option<PolicySet>, Vec<Streamed>)> {
    let mut set = None;
    let mut seen = Vec::new();
    let took = stream_requests(text, |s, r| {
        set.get_or_insert_with(|| s.clone());
        seen.push((r.index, r.name.map(str::to_string), r.expect, r.request));
    });
    took.then_some((set, seen))
}

fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

/// `load_with` (quick reader first) and `load_strict` agree on `text`; and where the
/// quick reader accepts, the strict one accepts the same scenario.
fn agree(what: &str, text: &str) {
    let options = LoadOptions::default();
    let strict = load_strict(text, &options);
    assert_eq!(load_with(text, &options), strict, "{what}");
    if let Some(quick) = load_quick(text) {
        assert_eq!(Ok(quick), strict, "{what}: the quick reader accepted it");
    }
    // The streaming reader (eval --format summary) takes only valid files, and hands
    // over their requests exactly as a full load reads them.
    if let Some((set, seen)) = streamed(text) {
        let Ok(scenario) = &strict else {
            panic!("{what}: the streaming reader took an invalid file: {strict:?}");
        };
        let want: Vec<Streamed> = scenario
            .requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    i,
                    r.name.clone(),
                    r.expect,
                    PreparedRequest::new(&r.request),
                )
            })
            .collect();
        assert_eq!(seen, want, "{what}: streamed requests");
        if let Some(set) = set {
            assert_eq!(set, scenario.set, "{what}: streamed policies");
        }
    }
}

#[test]
fn every_file_in_the_repository_loads_alike() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests", "assets"] {
        json_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 50, "found {} files", files.len());
    let mut quick = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        agree(&f.display().to_string(), &text);
        quick += usize::from(load_quick(&text).is_some());
    }
    // The example scenarios are ordinary valid files: the quick reader takes them.
    assert!(quick >= 7, "the quick reader took only {quick} files");
    let streamed_files = files
        .iter()
        .filter(|f| streamed(&std::fs::read_to_string(f).unwrap_or_default()).is_some())
        .count();
    assert!(
        streamed_files >= 5,
        "the streaming reader took only {streamed_files} files"
    );
}

const BASE: &str = r#"{
  "name": "t",
  "policies": {"identity": [{"name": "p", "document": {"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}]},
  "requests": [
    {"name": "a", "principal": "arn:aws:iam::111122223333:user/alice",
     "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
     "context": {"aws:SourceIp": "203.0.113.5", "n": 1.50e2, "b": true,
                 "m": ["x", 2, false], "e": "a\"b\u00e9"},
     "expect": "allow", "notes": ["n1"]},
    {"name": "b", "via": "a", "principal": "ec2.amazonaws.com",
     "action": "kms:CreateGrant", "resource": "*", "resourceAccount": "111122223333"}
  ]
}"#;

/// Each edit of [`BASE`] (from, to) that the strict reader rejects or reads
/// differently; both readers must agree on every one.
const EDITS: &[(&str, &str)] = &[
    ("", ""),
    (r#""name": "t""#, r#""name": null"#),
    (r#""name": "t""#, r#""name": "t", "name": "u""#),
    (r#""name": "t""#, r#""nam": "t""#),
    (r#""name": "b""#, r#""name": "a""#),
    (r#""via": "a""#, r#""via": "c""#),
    (r#""via": "a""#, r#""via": null"#),
    (r#""expect": "allow""#, r#""expect": "allowed""#),
    (
        r#""expect": "allow""#,
        r#""expect": "allow", "expect": "allow""#,
    ),
    (r#""notes": ["n1"]"#, r#""notes": [1]"#),
    (r#""notes": ["n1"]"#, r#""notes": null"#),
    (r#""n": 1.50e2"#, r#""n": 1.50e2, "N": 1"#),
    (r#""n": 1.50e2"#, r#""n": 1.50e2, "n": 1"#),
    (r#""n": 1.50e2"#, r#""n": -0"#),
    (r#""n": 1.50e2"#, r#""n": 01"#),
    (r#""n": 1.50e2"#, r#""n": null"#),
    (r#""n": 1.50e2"#, r#""n": {}"#),
    (r#""m": ["x", 2, false]"#, r#""m": [["x"]]"#),
    (r#""m": ["x", 2, false]"#, r#""m": []"#),
    (r#""e": "a\"b\u00e9""#, r#""e": "\ud800""#),
    (r#""e": "a\"b\u00e9""#, r#""e": "tab	here""#),
    (r#""context": {"#, r#""context": null, "c": {"#),
    (
        r#""resourceAccount": "111122223333""#,
        r#""resourceAccount": "1111""#,
    ),
    (r#""resource": "*""#, r#""resource": "bucket""#),
    (r#""action": "kms:CreateGrant""#, r#""action": "kms:*""#),
    (r#""principal": "ec2.amazonaws.com""#, r#""principal": "*""#),
    (r#""principal": "ec2.amazonaws.com""#, r#""principal": 7"#),
    (r#""principal": "ec2.amazonaws.com","#, ""),
    (r#""requests": ["#, r#""request": {}, "requests": ["#),
    (r#""Resource": "*""#, r#""Resource": "*", "Resource": "*""#),
    (r#""Effect": "Allow""#, r#""Effect": "allow""#),
    (
        r#""name": "t","#,
        r#""name": "t", "managementAccount": "123","#,
    ),
    (
        r#""name": "t","#,
        r#""name": "t", "managementAccount": "123456789012","#,
    ),
    ("}\n  ]\n}", "}\n  ],\n}"),
    ("}\n  ]\n}", "}\n  ]\n} x"),
    ("{\n  \"name\"", "\u{feff}{\n  \"name\""),
];

#[test]
fn each_edit_is_valid_or_invalid_alike() {
    for (from, to) in EDITS {
        assert!(BASE.contains(from), "edit source missing: {from}");
        let text = BASE.replacen(from, to, 1);
        agree(&format!("edit {from:?} -> {to:?}"), &text);
    }
    assert!(load_quick(BASE).is_some(), "the base file is quick");
    assert!(streamed(BASE).is_some_and(|(_, seen)| seen.len() == 2));
}

#[test]
fn one_byte_removed_anywhere_loads_alike() {
    for i in 0..BASE.len() {
        if !BASE.is_char_boundary(i) || !BASE.is_char_boundary(i + 1) {
            continue;
        }
        let text = format!("{}{}", &BASE[..i], &BASE[i + 1..]);
        agree(&format!("byte {i} removed"), &text);
    }
}

#[test]
fn a_single_request_and_no_requests_load_alike() {
    let one = r#"{"request": {"principal": "anonymous", "action": "s3:GetObject",
        "resource": "arn:aws:s3:::b/k", "context": {"K": "v", "k": "w"}}}"#;
    agree("case repeat", one);
    agree("empty", "{}");
    agree("description only", r#"{"description": "d"}"#);
    agree("request null", r#"{"request": null}"#);
    agree("requests null", r#"{"requests": null}"#);
    agree("policies null", r#"{"policies": null}"#);
}
