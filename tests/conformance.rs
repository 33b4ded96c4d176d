//! Conformance: every scenario under `tests/cases/` and every built-in scenario under
//! `assets/scenarios/` is loaded and each request with an `expect` is evaluated, with
//! and without the trace (both must agree). A failure names the file and the request.
//! A built-in named `*-wanted.json` says what a team wants rather than what its
//! policies do: its expectations are checked with the first policy edit suggested for
//! its first failing request made to the file (and must all hold then).

use iamtrace::analysis::fixes::{Limits, suggest};
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use std::path::{Path, PathBuf};

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Runs every request with an `expect` in the files under `dir`: (requests checked,
/// failure messages).
fn run_dir(dir: &str) -> (usize, Vec<String>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    json_files(&root, &mut files);
    let mut checked = 0;
    let mut failures = Vec::new();
    for file in files {
        let shown = file
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&file)
            .display()
            .to_string();
        let mut text = std::fs::read_to_string(&file).expect("readable test file");
        if shown.ends_with("-wanted.json") {
            match with_first_fix(&text) {
                Some(fixed) => text = fixed,
                None => {
                    failures.push(format!("{shown}: no policy edit suggested for it"));
                    continue;
                }
            }
        }
        let scenario = match load_str(&text) {
            Ok(s) => s,
            Err(e) => {
                for d in e.diagnostics {
                    failures.push(format!(
                        "{shown}:{}:{}: {}",
                        d.span.line, d.span.column, d.message
                    ));
                }
                continue;
            }
        };
        for (i, spec) in scenario.requests.iter().enumerate() {
            let Some(expected) = spec.expect else {
                continue;
            };
            checked += 1;
            let prepared = PreparedRequest::new(&spec.request);
            let quick = evaluate(&scenario.set, &prepared, Detail::Decision);
            let full = evaluate(&scenario.set, &prepared, Detail::Trace);
            let reason = full
                .trace
                .as_ref()
                .map(|t| t.reason.clone())
                .unwrap_or_default();
            if full.decision != expected {
                failures.push(format!(
                    "{shown}: request \"{}\": expected {}, got {} — {reason}",
                    spec.label(i),
                    expected.word(),
                    full.decision.word()
                ));
            }
            if quick.decision != full.decision || quick.determined_by != full.determined_by {
                failures.push(format!(
                    "{shown}: request \"{}\": decision-only evaluation ({}) disagrees with the traced one ({})",
                    spec.label(i),
                    quick.decision.word(),
                    full.decision.word()
                ));
            }
        }
    }
    (checked, failures)
}

/// `text` with the first policy edit suggested for its first request that misses its
/// `expect` made in place; `None` when every expect holds already or none is found.
fn with_first_fix(text: &str) -> Option<String> {
    let s = load_str(text).ok()?;
    let failing = s.requests.iter().position(|r| {
        r.expect.is_some_and(|e| {
            evaluate(&s.set, &PreparedRequest::new(&r.request), Detail::Decision).decision != e
        })
    })?;
    let sug = suggest(&s, failing, Limits::default());
    let at = sug.edits.first()?.in_file?;
    Some(format!(
        "{}{}{}",
        &text[..at.start],
        sug.edits[0].after,
        &text[at.end..]
    ))
}

#[test]
fn conformance_cases() {
    let (checked, failures) = run_dir("tests/cases");
    assert!(
        failures.is_empty(),
        "{} of {checked} conformance requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked >= 200,
        "only {checked} conformance requests; SPEC coverage needs at least 200"
    );
}

#[test]
fn built_in_scenarios() {
    let (checked, failures) = run_dir("assets/scenarios");
    assert!(
        failures.is_empty(),
        "{} of {checked} built-in scenario requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked >= 20,
        "only {checked} requests in the built-in scenarios"
    );
}
