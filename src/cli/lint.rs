//! `iamtrace lint PATH...`: every policy of every file (scenarios, bare policies, what
//! the AWS CLI prints) checked against the service catalog and the policy language's
//! pitfalls, as text, JSON Lines or SARIF; exit status 1 when any error is found.

use super::{
    count, diagnostic_json, expand_paths, note, position_json, read_input, report, safe, write_json,
};
use crate::LintFormat;
use iamtrace::input::{self, LoadOptions, ReadAs};
use iamtrace::lint::{Finding, PolicyFindings, RULES, Severity, lint_scenario_with_errors};
use iamtrace::scenario::{DocumentForm, Scenario};
use iamtrace::source::SourceMap;
use serde_json::{Value, json};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// One file's outcome.
enum Linted {
    /// Checked; the last: malformed CloudTrail records skipped (reported on standard
    /// error as `eval` reports them, and counted in the exit status).
    Ok(
        Box<Scenario>,
        Vec<PolicyFindings>,
        Option<ReadAs>,
        Vec<iamtrace::source::Diagnostic>,
    ),
    Invalid(Vec<iamtrace::source::Diagnostic>, SourceMap),
    Unreadable(String),
}

/// Runs `lint`.
pub fn run(
    out: &mut dyn Write,
    paths: &[PathBuf],
    format: LintFormat,
    options: &LoadOptions,
) -> io::Result<ExitCode> {
    let mut invalid = false;
    let mut errors = false;
    let mut files: Vec<(String, Linted)> = Vec::new();
    let Some(expanded) = expand_paths(paths) else {
        return Ok(ExitCode::from(2));
    };
    for file in expanded {
        let shown = file.display().to_string();
        let text = match read_input(&file) {
            Ok(t) => t,
            Err(m) => {
                note(&format!("{}: {}", safe(&shown), safe(&m)));
                invalid = true;
                files.push((shown, Linted::Unreadable(m)));
                continue;
            }
        };
        // A template or plan without --principal: every policy it writes.
        let options = input::LoadOptions {
            all_policies: true,
            ..super::with_path(options, &file)
        };
        match input::load(&text, &options) {
            Ok(l) => {
                for n in &l.notes {
                    note(&format!("{}: warning: {}", safe(&shown), safe(n)));
                }
                let s = l.scenario;
                for d in &l.skipped {
                    report(&shown, &text, &s.source_map, d);
                }
                invalid |= !l.skipped.is_empty();
                // A template's or plan's policy that does not parse is one policy's
                // findings (invalid-policy), not the whole file refused.
                let found = lint_scenario_with_errors(&s, &l.policy_errors);
                errors |= found
                    .iter()
                    .flat_map(|p| &p.findings)
                    .any(|f| f.severity == Severity::Error);
                files.push((shown, Linted::Ok(Box::new(s), found, l.read_as, l.skipped)));
            }
            Err(e) => {
                for d in &e.diagnostics {
                    report(&shown, &text, &e.source_map, d);
                }
                invalid = true;
                files.push((shown, Linted::Invalid(e.diagnostics, e.source_map)));
            }
        }
    }
    match format {
        LintFormat::Text => {
            let mut counts = [0usize; 4];
            for (shown, linted) in &files {
                if let Linted::Ok(s, found, read_as, _) = linted {
                    // Beside the findings, not among them: one line per finding stays so.
                    if let Some(r) = read_as {
                        note(&format!("{}: {r}", safe(shown)));
                    }
                    for p in found {
                        for f in &p.findings {
                            counts[f.severity as usize] += 1;
                            writeln!(out, "{}", text_line(shown, s, p, f))?;
                            if let Some(fix) = &f.fix {
                                writeln!(out, "  fix: {}", safe(fix))?;
                            }
                        }
                    }
                }
            }
            let n = |i: usize| counts[i] as u64;
            // Files that could not be checked are not clean: the summary says so.
            let unchecked = files
                .iter()
                .filter(|(_, l)| !matches!(l, Linted::Ok(..)))
                .count() as u64;
            let unchecked = if unchecked == 0 {
                String::new()
            } else {
                format!(
                    "; {} not checked (unreadable or invalid: the errors are on standard error)",
                    count(unchecked, "file", "files")
                )
            };
            let malformed: u64 = files
                .iter()
                .map(|(_, l)| match l {
                    Linted::Ok(.., skipped) => skipped.len() as u64,
                    _ => 0,
                })
                .sum();
            let unchecked = if malformed == 0 {
                unchecked
            } else {
                format!(
                    "{unchecked}; {} skipped (on standard error)",
                    count(
                        malformed,
                        "malformed CloudTrail record",
                        "malformed CloudTrail records"
                    )
                )
            };
            writeln!(
                out,
                "{}, {}, {}, {} in {}{unchecked}",
                count(n(0), "error", "errors"),
                count(n(1), "security warning", "security warnings"),
                count(n(2), "warning", "warnings"),
                count(n(3), "suggestion", "suggestions"),
                count(files.len() as u64, "file", "files")
            )?;
        }
        LintFormat::Json => {
            for (shown, linted) in &files {
                let line = match linted {
                    Linted::Ok(s, found, read_as, skipped) => {
                        let mut line = json!({
                            "file": shown,
                            "policies": found.iter().map(|p| json!({
                                "name": p.name,
                                "kind": s.sources[p.policy].kind,
                                "decoded_text": s.sources[p.policy].form != DocumentForm::Inline,
                                "findings": p.findings.iter().map(|f| finding_json(&s.source_map, f)).collect::<Vec<_>>(),
                            })).collect::<Vec<_>>(),
                        });
                        if let Some(r) = read_as {
                            line["read_as"] = super::eval::read_as_json(r);
                        }
                        if !skipped.is_empty() {
                            line["skipped"] = skipped
                                .iter()
                                .map(|d| diagnostic_json(&s.source_map, d))
                                .collect();
                        }
                        line
                    }
                    Linted::Invalid(ds, map) => json!({
                        "file": shown,
                        "errors": ds.iter().map(|d| diagnostic_json(map, d)).collect::<Vec<_>>(),
                    }),
                    Linted::Unreadable(m) => json!({
                        "file": shown,
                        "errors": [{"line": 0, "column": 0, "message": m}],
                    }),
                };
                write_json(out, &line)?;
            }
        }
        LintFormat::Sarif => {
            write_json(out, &sarif(&files))?;
        }
    }
    Ok(if invalid {
        ExitCode::from(2)
    } else if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `FILE:LINE:COLUMN: severity [code] message (in POLICY)`; for a policy held in a
/// string, the line and column are its string's and the position in the decoded text
/// follows them ([`SourceMap::place`]); for a policy a scenario takes from another
/// file, FILE is that file. Printed [`safe`].
fn text_line(shown: &str, s: &Scenario, p: &PolicyFindings, f: &Finding) -> String {
    let place = s.source_map.place(&f.span);
    format!(
        "{}:{}{} [{}] {} (in {} \"{}\")",
        safe(place.file_name(shown)),
        safe(&place.prefix()),
        f.severity.label(),
        f.code,
        safe(&f.message),
        s.sources[p.policy].kind.label(),
        safe(&p.name),
    )
}

/// A finding for JSON output: its position as [`position_json`] gives it.
fn finding_json(map: &SourceMap, f: &Finding) -> Value {
    let mut v = json!({
        "severity": f.severity,
        "code": f.code,
        "message": f.message,
    });
    if let (Value::Object(at), Some(o)) = (position_json(map, &f.span), v.as_object_mut()) {
        o.extend(at);
    }
    v["fix"] = json!(f.fix);
    v
}

/// A SARIF location in `uri` for `span`: the region of the file (for a span in a
/// policy decoded from a string, the string's), and what to say before the message
/// for a decoded text (the position in it, in words).
fn sarif_location(uri: &str, map: &SourceMap, span: &iamtrace::source::Span) -> (Value, String) {
    let place = map.place(span);
    // A policy a scenario takes from another file: that file's region.
    let other;
    let uri = match place.file {
        Some(f) => {
            other = f.path.replace('\\', "/");
            other.as_str()
        }
        None => uri,
    };
    let location = json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": place.line.max(1), "startColumn": place.column.max(1)},
        },
    });
    let before = match place.decoded {
        Some((d, s)) => format!("{}: ", d.describe(&s)),
        None => String::new(),
    };
    (location, before)
}

/// SARIF 2.1.0: one run, every rule described, one result per finding.
fn sarif(files: &[(String, Linted)]) -> Value {
    let level = |s: Severity| match s {
        Severity::Error | Severity::SecurityWarning => "error",
        Severity::Warning => "warning",
        Severity::Suggestion => "note",
    };
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let help = iamtrace::lint::help::rule_help(r.code);
            json!({
                "id": r.code,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": help.as_ref().map_or(r.summary, |h| h.description)},
                "helpUri": help.map(|h| h.uri),
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"severity": r.severity},
            })
        })
        .collect();
    let mut results = Vec::new();
    // Records that could not be read are not findings: SARIF's place for them is the
    // run's notifications.
    let mut notifications = Vec::new();
    for (shown, linted) in files {
        let uri = shown.replace('\\', "/");
        match linted {
            Linted::Ok(s, found, _, skipped) => {
                for d in skipped {
                    let (location, before) = sarif_location(&uri, &s.source_map, &d.span);
                    notifications.push(json!({
                        "level": "error",
                        "message": {"text": format!("{before}{}", d.message)},
                        "locations": [location],
                    }));
                }
                for p in found {
                    for f in &p.findings {
                        let index = RULES.iter().position(|r| r.code == f.code).unwrap_or(0);
                        let (mut location, before) = sarif_location(&uri, &s.source_map, &f.span);
                        location["logicalLocations"] = json!([{"name": p.name, "kind": "object"}]);
                        let mut message = format!("{before}{}", f.message);
                        if let Some(fix) = &f.fix {
                            message.push_str(&format!(" Fix: {fix}"));
                        }
                        results.push(json!({
                            "ruleId": f.code,
                            "ruleIndex": index,
                            "level": level(f.severity),
                            "message": {"text": message},
                            "locations": [location],
                            "properties": {"severity": f.severity, "policy": p.name},
                        }));
                    }
                }
            }
            Linted::Invalid(ds, map) => {
                for d in ds {
                    let (location, before) = sarif_location(&uri, map, &d.span);
                    results.push(json!({
                        "ruleId": "invalid-policy",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {"text": format!("{before}{}", d.message)},
                        "locations": [location],
                    }));
                }
            }
            Linted::Unreadable(m) => results.push(json!({
                "ruleId": "invalid-policy",
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": m},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
            })),
        }
    }

    let mut sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iamtrace",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/iamtrace/iamtrace",
                "rules": rules,
            }},
                        "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    if !notifications.is_empty() {
        sarif["runs"][0]["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }]);
    }
    sarif
}
