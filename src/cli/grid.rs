//! `iamtrace grid SCENARIO --request NAME --vary KEY=v1,v2,absent [--vary …]`: the
//! decision for every combination of values, as a table or JSON.

use super::{note, read_input, report, safe, safe_path, stdout_color, write_json};
use iamtrace::analysis::grid::{Axis, Cell, grid};
use iamtrace::input::{self, LoadOptions};
use iamtrace::scenario::Scenario;
use iamtrace::trace::Decision;
use serde_json::{Map, Value, json};
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

/// A file read for `grid` or `diff`.
pub struct LoadedFile {
    /// What it became.
    pub scenario: Scenario,
    /// Malformed CloudTrail records were skipped (each reported as `eval` reports
    /// them): the rest is used, and the exit status is 2 as `eval`'s is.
    pub skipped: bool,
}

/// Loads `file` (any input: a scenario, a bare policy, …), or prints why not (exit
/// status 2). Malformed CloudTrail records are skipped and reported, each
/// `FILE:LINE:COLUMN: record N: …; skipped`.
pub fn load_scenario(file: &Path) -> Result<LoadedFile, ExitCode> {
    load_scenario_with(file, &LoadOptions::default())
}

/// [`load_scenario`] with `options` (a template's or plan's principal, side, parameters).
pub fn load_scenario_with(file: &Path, options: &LoadOptions) -> Result<LoadedFile, ExitCode> {
    let shown = file.display().to_string();
    let text = read_input(file).map_err(|message| {
        note(&format!("{}: {}", safe(&shown), safe(&message)));
        ExitCode::from(2)
    })?;
    let loaded = input::load(&text, &super::with_path(options, file)).map_err(|e| {
        for d in &e.diagnostics {
            report(&shown, &text, &e.source_map, d);
        }
        ExitCode::from(2)
    })?;
    for d in &loaded.skipped {
        report(&shown, &text, &loaded.scenario.source_map, d);
    }
    for n in &loaded.notes {
        note(&format!("{}: warning: {}", safe(&shown), safe(n)));
    }
    Ok(LoadedFile {
        skipped: !loaded.skipped.is_empty(),
        scenario: loaded.scenario,
    })
}

/// Loads `file` and picks the request, or prints why not (exit status 2).
pub fn load_request(file: &Path, selector: Option<&str>) -> Result<(LoadedFile, usize), ExitCode> {
    let shown = file.display().to_string();
    let loaded = load_scenario(file)?;
    let scenario = &loaded.scenario;
    let index = match selector {
        Some(sel) => scenario.find_request(sel).ok_or_else(|| {
            let names = scenario.request_labels();
            note(&format!(
                "{}: {}",
                safe(&shown),
                safe(&no_request(sel, &names))
            ));
            ExitCode::from(2)
        })?,
        None if scenario.requests.len() == 1 => 0,
        None => {
            note(&format!(
                "{}: the scenario has {} requests: pick one with --request NAME or --request N",
                safe(&shown),
                scenario.requests.len()
            ));
            return Err(ExitCode::from(2));
        }
    };
    Ok((loaded, index))
}

/// How many request names a "no request named" message lists.
const NAMES_LISTED: usize = 10;

/// Why `selector` picks no request of those named `names` (labels, in order): with a
/// "did you mean" and the names there are (the first few of a long list).
pub fn no_request(selector: &str, names: &[String]) -> String {
    if names.is_empty() {
        return format!("no request named \"{selector}\": the input has no requests");
    }
    let hint = iamtrace::source::did_you_mean(selector, names.iter().map(String::as_str));
    let listed: Vec<String> = names
        .iter()
        .take(NAMES_LISTED)
        .map(|n| format!("\"{n}\""))
        .collect();
    let more = match names.len().saturating_sub(NAMES_LISTED) {
        0 => String::new(),
        n => format!(", and {n} more"),
    };
    let what = if selector.parse::<usize>().is_ok() {
        format!("no request named \"{selector}\" and no request #{selector}")
    } else {
        format!("no request named \"{selector}\"{hint}")
    };
    format!(
        "{what}; the requests are {}{more} (or 1 to {} by position)",
        listed.join(", "),
        names.len()
    )
}

/// Parses the `--vary` arguments (one or two).
pub fn parse_axes(vary: &[String]) -> Result<Vec<Axis>, ExitCode> {
    if vary.is_empty() || vary.len() > 2 {
        note("give one or two --vary INPUT=value,value,… (absent for a missing key)");
        return Err(ExitCode::from(2));
    }
    vary.iter()
        .map(|v| {
            Axis::parse(v).map_err(|e| {
                note(&format!("--vary {}", safe(&e.to_string())));
                ExitCode::from(2)
            })
        })
        .collect()
}

fn short(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "Explicit deny",
        Decision::ImplicitDeny => "Implicit deny",
    }
}

fn paint(d: Decision, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match d {
        Decision::Allow => "32",
        Decision::ExplicitDeny => "31",
        Decision::ImplicitDeny => "33",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// A value as printed ([`safe`]: it comes from the command line or the scenario).
fn shown(v: &Option<String>) -> String {
    v.as_deref()
        .map_or_else(|| "(absent)".into(), |v| safe(v).into_owned())
}

/// The grid as a text table: rows are the first axis, columns the second.
pub fn table(axes: &[Axis], cells: &[Cell], color: bool) -> String {
    let mut out = String::new();
    let first = &axes[0];
    let row_head = first
        .values
        .iter()
        .map(shown)
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0)
        .max(safe(first.input.name()).chars().count());
    match axes.get(1) {
        None => {
            out.push_str(&format!(
                "{:<row_head$}  decision\n",
                safe(first.input.name())
            ));
            for c in cells {
                let text = short(c.decision);
                out.push_str(&format!(
                    "{:<row_head$}  {}\n",
                    shown(&c.values[0]),
                    paint(c.decision, text, color)
                ));
            }
        }
        Some(second) => {
            let width = second
                .values
                .iter()
                .map(shown)
                .map(|s| s.chars().count())
                .chain(std::iter::once("Explicit deny".len()))
                .max()
                .unwrap_or(13);
            let down = format!("{} ↓", safe(first.input.name()));
            out.push_str(&format!(
                "{down:<row_head$}  {} →\n",
                safe(second.input.name())
            ));
            out.push_str(&format!("{:<row_head$}", ""));
            for v in &second.values {
                out.push_str(&format!("  {:<width$}", shown(v)));
            }
            out.push('\n');
            for (ri, v) in first.values.iter().enumerate() {
                out.push_str(&format!("{:<row_head$}", shown(v)));
                for ci in 0..second.values.len() {
                    let c = &cells[ri * second.values.len() + ci];
                    let text = format!("{:<width$}", short(c.decision));
                    out.push_str(&format!("  {}", paint(c.decision, &text, color)));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The cells as JSON: each with the values it used (`null`: absent) and its decision.
pub fn cells_json(axes: &[Axis], cells: &[Cell]) -> Value {
    Value::Array(
        cells
            .iter()
            .map(|c| {
                let mut values = Map::new();
                for (a, v) in axes.iter().zip(&c.values) {
                    values.insert(
                        a.input.name().to_string(),
                        v.clone().map_or(Value::Null, Value::String),
                    );
                }
                json!({"values": values, "decision": c.decision.word()})
            })
            .collect(),
    )
}

/// Runs `grid`.
pub fn run(
    w: &mut dyn Write,
    file: &Path,
    request: Option<&str>,
    vary: &[String],
    json: bool,
) -> io::Result<ExitCode> {
    let (loaded, index) = match load_request(file, request) {
        Ok(x) => x,
        Err(code) => return Ok(code),
    };
    let scenario = &loaded.scenario;
    let axes = match parse_axes(vary) {
        Ok(a) => a,
        Err(code) => return Ok(code),
    };
    let cells = grid(&scenario.set, &scenario.requests[index].request, &axes);
    if json {
        write_json(w, &cells_json(&axes, &cells))?;
    } else {
        let label = scenario.requests[index].label(index);
        writeln!(
            w,
            "{} — request {}: {}",
            safe_path(file),
            index + 1,
            safe(&label)
        )?;
        write!(w, "{}", table(&axes, &cells, stdout_color()))?;
    }
    // Something could not be read (and was said): as eval, exit status 2.
    Ok(if loaded.skipped {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
