//! `iamtrace eval`: every request of every scenario file, printed as text, JSON Lines
//! or a one-line summary; exit status 2 for invalid input, 1 for a missed `expect`.

use super::{expand_paths, report, stdout_color};
use crate::Format;
use iamtrace::analysis::whynot::why_not;
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::scenario::{LoadOptions, Scenario, decode_input, load_with};
use iamtrace::trace::text::{TextOptions, render};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The built-in scenario shown when no file is given.
pub const CLIENT_VPN: &str = include_str!("../../assets/scenarios/client-vpn-source-ip.json");

/// Evaluates one scenario text and prints it in `format`.
pub fn run_text(shown: &str, text: &str, format: Format, options: &LoadOptions) -> ExitCode {
    let mut out = Outcome::default();
    eval_text(shown, text, format, &[], options, &mut out);
    out.exit_code()
}

#[derive(Default)]
struct Outcome {
    invalid: bool,
    missed: bool,
}

impl Outcome {
    fn exit_code(&self) -> ExitCode {
        if self.invalid {
            ExitCode::from(2)
        } else if self.missed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Runs `eval` over `paths`.
pub fn run(
    paths: &[PathBuf],
    format: Format,
    selectors: &[String],
    options: &LoadOptions,
) -> ExitCode {
    let mut out = Outcome::default();
    for file in expand_paths(paths) {
        let shown = file.display().to_string();
        match std::fs::read(&file) {
            Err(e) => {
                eprintln!("{shown}: cannot read: {e}");
                if format == Format::Json {
                    println!(
                        "{}",
                        json!({"file": shown, "errors": [{"line": 0, "column": 0, "message": format!("cannot read: {e}")}]})
                    );
                }
                out.invalid = true;
            }
            Ok(bytes) => match decode_input(bytes) {
                Ok(text) => eval_text(&shown, &text, format, selectors, options, &mut out),
                Err(message) => {
                    eprintln!("{shown}: {message}");
                    if format == Format::Json {
                        println!(
                            "{}",
                            json!({"file": shown, "errors": [{"line": 0, "column": 0, "message": message}]})
                        );
                    }
                    out.invalid = true;
                }
            },
        }
    }
    out.exit_code()
}

fn eval_text(
    shown: &str,
    text: &str,
    format: Format,
    selectors: &[String],
    options: &LoadOptions,
    out: &mut Outcome,
) {
    let scenario = match load_with(text, options) {
        Ok(s) => s,
        Err(e) => {
            for d in &e.diagnostics {
                report(shown, text, d);
            }
            if format == Format::Json {
                let errors: Vec<_> = e
                    .diagnostics
                    .iter()
                    .map(|d| json!({"line": d.span.line, "column": d.span.column, "message": d.message}))
                    .collect();
                println!("{}", json!({"file": shown, "errors": errors}));
            }
            out.invalid = true;
            return;
        }
    };
    let picked = match pick(&scenario, selectors) {
        Ok(p) => p,
        Err(sel) => {
            eprintln!("{shown}: no request named \"{sel}\" (and no request #{sel})");
            out.invalid = true;
            return;
        }
    };
    let color = format == Format::Text && stdout_color();
    // Buffered: a line per request must not be a write per request.
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let mut results = Vec::new();
    let warnings = scenario.size_warnings();
    if format == Format::Text {
        match &scenario.name {
            Some(title) => {
                let _ = writeln!(stdout, "# {title} ({shown})");
            }
            None => {
                let _ = writeln!(stdout, "# {shown}");
            }
        }
        if let Some(d) = &scenario.description {
            let _ = writeln!(stdout, "{d}");
        }
        for w in &warnings {
            let _ = writeln!(stdout, "warning: {w}");
        }
        if scenario.requests.is_empty() {
            let _ = writeln!(stdout, "(no requests)");
        }
    }
    for i in picked {
        let spec = &scenario.requests[i];
        let prepared = PreparedRequest::new(&spec.request);
        // The summary shows the decision only: no trace to build.
        let detail = if format == Format::Summary {
            Detail::Decision
        } else {
            Detail::Trace
        };
        let ev = evaluate(&scenario.set, &prepared, detail);
        let why = ev
            .trace
            .as_ref()
            .map(|t| why_not(&scenario.set, &spec.request, t, &ev.determined_by));
        let status = match spec.expect {
            None => "-",
            Some(e) if e == ev.decision => "ok",
            Some(_) => {
                out.missed = true;
                "FAIL"
            }
        };
        match format {
            Format::Summary => {
                let _ = writeln!(
                    stdout,
                    "{}\t{status}\t{shown}\t{}",
                    ev.decision.word(),
                    spec.label(i)
                );
            }
            Format::Text => {
                let _ = writeln!(stdout, "\n## Request {}: {}", i + 1, spec.label(i));
                if let Some(via) = &spec.via {
                    let _ = writeln!(stdout, "made on behalf of: {via}");
                }
                for n in &spec.notes {
                    let _ = writeln!(stdout, "note: {n}");
                }
                if let Some(e) = spec.expect {
                    let verdict = if status == "ok" {
                        "as expected"
                    } else {
                        "NOT as expected"
                    };
                    let _ = writeln!(stdout, "expected: {} ({verdict})", e.label());
                }
                if let Some(t) = &ev.trace {
                    let _ = write!(stdout, "{}", render(t, TextOptions { color }, 0));
                }
                if let Some(w) = &why {
                    let _ = write!(stdout, "{}", w.to_text());
                }
            }
            Format::Json => results.push(json!({
                "name": spec.name,
                "via": spec.via,
                "notes": spec.notes,
                "decision": ev.decision.word(),
                "expected": spec.expect.map(|e| e.word()),
                "determined_by": ev.determined_by,
                "trace": ev.trace,
                "why_not": why,
            })),
        }
    }
    if format == Format::Json {
        let mut line = json!({"file": shown, "requests": results});
        if !warnings.is_empty() {
            line["warnings"] = json!(warnings);
        }
        let _ = writeln!(stdout, "{line}");
    }
}

/// The indices of the requests picked by `selectors` (all when empty); `Err` names a
/// selector that picks nothing.
fn pick(s: &Scenario, selectors: &[String]) -> Result<Vec<usize>, String> {
    if selectors.is_empty() {
        return Ok((0..s.requests.len()).collect());
    }
    selectors
        .iter()
        .map(|sel| s.find_request(sel).ok_or_else(|| sel.clone()))
        .collect()
}
