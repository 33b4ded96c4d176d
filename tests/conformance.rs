//! Conformance: every scenario under `tests/cases/` and every built-in scenario under
//! `assets/scenarios/` is loaded and each request with an `expect` is evaluated, with
//! and without the trace (both must agree). A failure names the file and the request.
//! A built-in named `*-wanted.json` says what a team wants rather than what its
//! policies do: its expectations are checked with the first policy edit suggested for
//! its first failing request made to the file (and must all hold then).

use iamtrace::Decision;
use iamtrace::analysis::fixes::{Limits, suggest};
use iamtrace::eval::{Detail, Evaluation, PreparedRequest, evaluate};
use iamtrace::input::{LoadOptions, load_str, load_with};
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
        // A case's `policiesFrom` is relative to the case's own directory.
        let options = LoadOptions {
            path: Some(file.clone()),
            ..Default::default()
        };
        let scenario = match load_with(&text, &options) {
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
            let marker = unresolved_marker(spec.name.as_deref().unwrap_or(""));
            let expected = match (spec.expect, &marker) {
                (Some(e), _) => e,
                // A result that depends on unresolved values cannot meet an `expect`:
                // the request's name says what it gives.
                (None, Some(Marker::Depends { gives, .. })) => *gives,
                (None, _) => continue,
            };
            checked += 1;
            let prepared = PreparedRequest::new(&spec.request);
            let quick = evaluate(&scenario.set, &prepared, Detail::Decision);
            let full = evaluate(&scenario.set, &prepared, Detail::Trace);
            if let Some(problem) = check_unresolved(marker.as_ref(), &full) {
                failures.push(format!("{shown}: request \"{}\": {problem}", spec.label(i)));
            }
            if quick.unresolved != full.unresolved {
                failures.push(format!(
                    "{shown}: request \"{}\": decision-only and traced evaluations disagree on unresolved values: {:?} / {:?}",
                    spec.label(i),
                    quick.unresolved,
                    full.unresolved
                ));
            }
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

/// What a request's name says about the unresolved values (placeholders) in its
/// evaluation: `(gives D; depends: LEAST..MOST)` or `(unresolved, stands)`.
enum Marker {
    Depends {
        gives: Decision,
        least: Decision,
        most: Decision,
    },
    Stands,
}

fn unresolved_marker(name: &str) -> Option<Marker> {
    if name.ends_with("(unresolved, stands)") {
        return Some(Marker::Stands);
    }
    let inner = name.rsplit_once("(gives ")?.1.strip_suffix(')')?;
    let (gives, range) = inner.split_once("; depends: ")?;
    let (least, most) = range.split_once("..")?;
    Some(Marker::Depends {
        gives: Decision::from_word(gives)?,
        least: Decision::from_word(least)?,
        most: Decision::from_word(most)?,
    })
}

/// What is wrong with `ev`'s unresolved values for `marker` (a request without one
/// must not depend on unresolved values: its `expect` would not be met).
fn check_unresolved(marker: Option<&Marker>, ev: &Evaluation) -> Option<String> {
    let u = ev.unresolved.as_ref();
    match marker {
        None => u
            .filter(|u| u.depends)
            .map(|u| format!("unexpectedly {}", u.describe())),
        Some(Marker::Stands) => match u {
            None => Some("no unresolved comparison took part".into()),
            Some(u) if u.depends => Some(format!("unexpectedly {}", u.describe())),
            Some(_) => None,
        },
        Some(Marker::Depends { least, most, .. }) => match u {
            Some(u) if u.depends && u.least_permissive == *least && u.most_permissive == *most => {
                None
            }
            Some(u) => Some(format!(
                "expected to depend on unresolved values ({}..{}), got: {} ({}..{})",
                least.word(),
                most.word(),
                u.describe(),
                u.least_permissive.word(),
                u.most_permissive.word()
            )),
            None => Some("expected to depend on unresolved values; none took part".into()),
        },
    }
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
