//! Positions in policies held in strings (issue 13, "positions know their source"): a
//! span names the text it is in, so the command line places an error or a finding in a
//! decoded policy at its string in the file, with the position in the decoded text in
//! words, in text, JSON and SARIF alike. Expected positions are found in the texts
//! here (the string in the file, the offending word in the text decoded here), not
//! taken from the program. And no code recovers a position from a message's words.

use assert_cmd::Command;
use serde_json::{Value, json};
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runs the binary from the crate root: (status, stdout, stderr).
fn iamtrace(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("iamtrace")
        .expect("the binary is built")
        .current_dir(ROOT)
        .env("NO_COLOR", "1")
        .args(args)
        .write_stdin("")
        .output()
        .expect("iamtrace runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).expect("fixture is readable")
}

/// The 1-based line and column (in characters) of the first `needle` in `text`.
fn position_of(text: &str, needle: &str) -> (u64, u64) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    let before = &text[..at];
    let line = before.matches('\n').count() as u64 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() as u64 + 1)
}

/// Replaces `from` (which must occur once) with `to`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} once");
    text.replacen(from, to, 1)
}

/// A URL-encoded policy decoded here (percent escapes, UTF-8).
fn url_decoded(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

/// What every output must say about one error in a decoded policy.
struct Expected {
    /// The string literal's line and column in the file.
    file: (u64, u64),
    /// The error's line and column in the decoded text.
    decoded: (u64, u64),
    /// `policy string` or `URL-encoded policy string`.
    what: &'static str,
    /// The policy's name.
    policy: &'static str,
    encoding: &'static str,
    message: &'static str,
}

impl Expected {
    fn line(&self, shown: &str) -> String {
        format!(
            "{shown}:{}:{}: in the {} of \"{}\" (decoded line {}, column {}): {}",
            self.file.0,
            self.file.1,
            self.what,
            self.policy,
            self.decoded.0,
            self.decoded.1,
            self.message
        )
    }
}

/// Checks `eval` (text and JSON) and `lint` (text and SARIF) on `path` against `want`.
fn check_outputs(path: &str, extra: &[&str], want: &Expected) {
    let args = |rest: &[&'static str]| -> Vec<String> {
        rest.iter()
            .map(|s| s.to_string())
            .chain([path.to_string()])
            .chain(extra.iter().map(|s| s.to_string()))
            .collect()
    };
    let run = |a: Vec<String>| iamtrace(&a.iter().map(String::as_str).collect::<Vec<_>>());

    // Text: one line on standard error.
    for command in [&["eval"][..], &["lint"][..]] {
        let (code, _, err) = run(args(command));
        assert_eq!(code, 2, "{command:?}: {err}");
        assert_eq!(err, format!("{}\n", want.line(path)), "{command:?}");
    }

    // eval --format json: the string's line and column, the decoded position beside.
    let (code, out, _) = run(args(&["eval", "--format", "json"]));
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert_eq!(
        v["errors"],
        json!([{
            "line": want.file.0,
            "column": want.file.1,
            "message": want.message,
            "decoded": {
                "source": 1,
                "policy": want.policy,
                "encoding": want.encoding,
                "line": want.decoded.0,
                "column": want.decoded.1,
            },
        }]),
        "{out}"
    );

    // lint --format sarif: the string's region, the decoded position in the message.
    let (code, out, _) = run(args(&["lint", "--format", "sarif"]));
    assert_eq!(code, 2);
    let v: Value = serde_json::from_str(&out).expect("SARIF is JSON");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{out}");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"],
        json!({"startLine": want.file.0, "startColumn": want.file.1})
    );
    let line = want.line(path);
    let (_, from_words) = line.split_at(line.find(": in the ").expect("the words") + 2);
    assert_eq!(results[0]["message"]["text"], json!(from_words));
}

#[test]
fn a_scenario_with_a_policy_in_a_json_string() {
    let path = "tests/invalid/document-string-error.json";
    let text = read(path);
    let v: Value = serde_json::from_str(&text).unwrap();
    let decoded = v["policies"]["identity"][0]["document"].as_str().unwrap();
    check_outputs(
        path,
        &[],
        &Expected {
            file: position_of(&text, r#""{\n"#),
            decoded: position_of(decoded, r#""StringEqual""#),
            what: "policy string",
            policy: "ReadReports",
            encoding: "json_string",
            message: r#"unknown condition operator "StringEqual" (did you mean StringEquals?)"#,
        },
    );
}

#[test]
fn aws_cli_get_policy_version_output() {
    let dir = tempfile::tempdir().unwrap();
    // What the IAM API returns: the document URL-encoded.
    let text = replace_once(
        &read("tests/fixtures/aws/awscli/get-policy-version-urlencoded.json"),
        "%22Effect%22%3A%20%22Deny%22",
        "%22Effect%22%3A%20%22Dney%22",
    );
    let path = dir.path().join("get-policy-version-urlencoded.json");
    std::fs::write(&path, &text).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let decoded = url_decoded(v["PolicyVersion"]["Document"].as_str().unwrap());
    let want = Expected {
        file: position_of(&text, r#""%7B"#),
        decoded: position_of(&decoded, r#""Dney""#),
        what: "URL-encoded policy string",
        policy: "policy version v3",
        encoding: "url_encoded",
        message: r#"Effect must be exactly "Allow" or "Deny""#,
    };
    assert!(want.decoded.0 > 1, "the decoded text has lines of its own");
    check_outputs(path.to_str().unwrap(), &[], &want);

    // The document as a JSON string holding the (pretty) policy text.
    let mut v: Value =
        serde_json::from_str(&read("tests/fixtures/aws/awscli/get-policy-version.json")).unwrap();
    let policy = serde_json::to_string_pretty(&v["PolicyVersion"]["Document"]).unwrap();
    let policy = replace_once(&policy, r#""Effect": "Deny""#, r#""Effect": "Dney""#);
    v["PolicyVersion"]["Document"] = Value::String(policy.clone());
    let text = serde_json::to_string_pretty(&v).unwrap();
    let path = dir.path().join("get-policy-version-string.json");
    std::fs::write(&path, &text).unwrap();
    check_outputs(
        path.to_str().unwrap(),
        &[],
        &Expected {
            file: position_of(&text, r#""{\n"#),
            decoded: position_of(&policy, r#""Dney""#),
            what: "policy string",
            encoding: "json_string",
            ..want
        },
    );
}

#[test]
fn account_authorization_details_with_a_url_encoded_policy() {
    let dir = tempfile::tempdir().unwrap();
    let original = read("tests/fixtures/aws/account/authorization-details-urlencoded.json");
    let v: Value = serde_json::from_str(&original).unwrap();
    let carol = &v["UserDetailList"][0];
    assert_eq!(carol["UserName"], "carol");
    let policy = &carol["UserPolicyList"][0];
    assert_eq!(policy["PolicyName"], "ReadSharedReports");
    let encoded = policy["PolicyDocument"].as_str().unwrap();
    let broken = encoded.replacen("%22Allow%22", "%22Allw%22", 1);
    let text = replace_once(&original, encoded, &broken);
    let path = dir.path().join("details.json");
    std::fs::write(&path, &text).unwrap();
    check_outputs(
        path.to_str().unwrap(),
        &["--principal", "carol"],
        &Expected {
            file: position_of(&text, &format!("\"{broken}\"")),
            decoded: position_of(&url_decoded(&broken), r#""Allw""#),
            what: "URL-encoded policy string",
            policy: "ReadSharedReports",
            encoding: "url_encoded",
            message: r#"Effect must be exactly "Allow" or "Deny""#,
        },
    );
}

#[test]
fn a_trace_of_a_decoded_policy_says_its_lines_are_decoded() {
    let policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"Read\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}\n  ]\n}";
    let request = json!({"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k"});
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, document: Value| {
        let scenario = json!({"policies": {"identity": [{"name": "P", "document": document}]}, "request": request});
        let path = dir.path().join(name);
        std::fs::write(&path, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let string = write("string.json", Value::String(policy.into()));
    let inline = write("inline.json", serde_json::from_str(policy).unwrap());

    let (code, out, err) = iamtrace(&["eval", &string]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(Allow, decoded line 4): applies"), "{out}");
    let (code, out, _) = iamtrace(&["eval", &inline]);
    assert_eq!(code, 0);
    assert!(!out.contains("decoded"), "{out}");
    // The statement starts at its `{`, the first after "Statement".
    let text = read(&inline);
    let statement = text.find("\"Statement\"").unwrap();
    let brace = statement + text[statement..].find('{').unwrap();
    let file_line = text[..brace].matches('\n').count() + 1;
    assert!(
        out.contains(&format!("(Allow, line {file_line}): applies")),
        "{out}"
    );

    // JSON: trace spans carry the decoded text's number, listed with its string's place.
    let (_, out, _) = iamtrace(&["eval", "--format", "json", &string]);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    let (line, column) = position_of(&read(&string), r#""{\n"#);
    assert_eq!(
        v["decoded_texts"],
        json!([{"source": 1, "policy": "P", "encoding": "json_string", "line": line, "column": column}])
    );
    let span = &v["requests"][0]["trace"]["policies"][0]["statements"][0]["span"];
    assert_eq!(
        (&span["source"], &span["line"]),
        (&json!(1), &json!(4)),
        "{v}"
    );
    let (_, out, _) = iamtrace(&["eval", "--format", "json", &inline]);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v.get("decoded_texts").is_none(), "{v}");
}

/// Source files under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn no_position_is_recovered_from_the_words_of_a_message() {
    // Where a position is comes from its span's source, never from what a message
    // says: code that tests a message's text (outside tests) is refused, as is the
    // sentence the loader used to put before messages of decoded policies.
    let patterns = [
        ".message.starts_with(",
        ".message.ends_with(",
        ".message.strip_prefix(",
        ".message.contains(",
        "starts_with(\"in the policy",
        "in the policy text of",
    ];
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("src"), &mut files);
    assert!(files.len() > 50, "the sources are found");
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // Unit tests (at the end of a module) may look at messages.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, line) in code.lines().enumerate() {
            let squeezed: String = line.split_whitespace().collect();
            for p in patterns {
                let p_squeezed: String = p.split_whitespace().collect();
                if squeezed.contains(&p_squeezed) {
                    found.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
