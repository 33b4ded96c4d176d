//! `iamtrace eval`: every request of every scenario file, printed as text, JSON Lines
//! or a one-line summary; exit status 2 for invalid input (or malformed CloudTrail
//! records, skipped with a message while the rest is evaluated), 1 for a missed
//! `expect`.

use super::{
    decoded_json, diagnostic_json, expand_paths_with, note, read_input, report, safe, stdout_color,
    write_json,
};
use crate::Format;
use iamtrace::analysis::fixes::{Limits, Suggestions, suggest_prepared};
use iamtrace::analysis::whynot::{WhyNot, why_not};
use iamtrace::eval::{Detail, Evaluation, PreparedRequest, Request, evaluate};
use iamtrace::input::{self, LoadOptions};
use iamtrace::policy::PolicySet;
use iamtrace::safe_text::for_terminal_lines as safe_lines;
use iamtrace::scenario::{RequestSpec, Scenario};
use iamtrace::source::SourceMap;
use iamtrace::trace::text::{TextOptions, render_in};
use serde_json::json;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The built-in scenario shown when no file is given.
pub const CLIENT_VPN: &str = include_str!("../../assets/scenarios/client-vpn-source-ip.json");

/// Evaluates one scenario text and prints it in `format`.
pub fn run_text(
    w: &mut dyn Write,
    shown: &str,
    text: &str,
    format: Format,
    options: &LoadOptions,
) -> io::Result<ExitCode> {
    let mut out = Outcome::default();
    eval_text(w, shown, text, format, &[], options, &mut out)?;
    Ok(out.exit_code())
}

#[derive(Default)]
pub(super) struct Outcome {
    pub(super) invalid: bool,
    pub(super) missed: bool,
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

/// Runs `eval` over `paths`. `stream`: read every CloudTrail file record by record
/// (large ones are, without it).
pub fn run(
    w: &mut dyn Write,
    paths: &[PathBuf],
    format: Format,
    selectors: &[String],
    options: &LoadOptions,
    stream: bool,
) -> io::Result<ExitCode> {
    let mut out = Outcome::default();
    let Some(files) = expand_paths_with(paths, super::EVAL_INPUTS) else {
        return Ok(ExitCode::from(2));
    };
    for file in files {
        let shown = file.display().to_string();
        // A large trail (or any, with --stream) is read record by record; picking
        // requests by name needs the whole file, and --kind (for bare policies) is
        // refused on a trail by the whole-file reader.
        if selectors.is_empty() && options.kind.is_none() {
            if let Some(reader) = super::eval_stream::stream_source(&file, stream) {
                super::eval_stream::run(w, &shown, reader, format, &mut out)?;
                continue;
            }
        }
        let options = &super::with_path(options, &file);
        match read_input(&file) {
            Ok(text) => eval_text(w, &shown, &text, format, selectors, options, &mut out)?,
            Err(message) => {
                note(&format!("{}: {}", safe(&shown), safe(&message)));
                if format == Format::Json {
                    write_json(
                        w,
                        &json!({"file": shown, "errors": [{"line": 0, "column": 0, "message": message}]}),
                    )?;
                }
                out.invalid = true;
            }
        }
    }
    Ok(out.exit_code())
}

fn eval_text(
    w: &mut dyn Write,
    shown: &str,
    text: &str,
    format: Format,
    selectors: &[String],
    options: &LoadOptions,
    out: &mut Outcome,
) -> io::Result<()> {
    if format == Format::Summary
        && selectors.is_empty()
        && options.kind.is_none()
        && summary_streamed(w, shown, text, out)?
    {
        return Ok(());
    }
    let (scenario, skipped, read_as, kind, notes) = match input::load(text, options) {
        Ok(l) => (l.scenario, l.skipped, l.read_as, l.kind, l.notes),
        Err(e) => {
            for d in &e.diagnostics {
                report(shown, text, &e.source_map, d);
            }
            if format == Format::Json {
                let errors: Vec<_> = e
                    .diagnostics
                    .iter()
                    .map(|d| diagnostic_json(&e.source_map, d))
                    .collect();
                write_json(w, &json!({"file": shown, "errors": errors}))?;
            }
            out.invalid = true;
            return Ok(());
        }
    };
    // Malformed records were skipped, the rest is evaluated; the exit status still
    // says that something could not be read.
    for d in &skipped {
        report(shown, text, &scenario.source_map, d);
    }
    if !skipped.is_empty() {
        out.invalid = true;
    }
    let picked = match pick(&scenario, selectors) {
        Ok(p) => p,
        Err(sel) => {
            let names = scenario.request_labels();
            let why = super::grid::no_request(&sel, &names);
            note(&format!("{}: {}", safe(shown), safe(&why)));
            out.invalid = true;
            return Ok(());
        }
    };
    let color = format == Format::Text && stdout_color();
    // Policy edits are searched for each request shown with its why-not, in files of a
    // few requests or for the requests picked by name: each search evaluates every
    // request of the file for each edit that works, which a long list cannot afford.
    // Not in CloudTrail input: a large trail is read as a stream, one request at a
    // time, and its output must not depend on how it was read.
    let search = format != Format::Summary
        && kind != input::Kind::CloudTrail
        && !scenario.sources.is_empty()
        && (!selectors.is_empty() || scenario.requests.len() <= EDIT_SEARCH_MAX_REQUESTS);
    let (prepared, decided) = if search {
        let prepared: Vec<PreparedRequest> = scenario
            .requests
            .iter()
            .map(|r| PreparedRequest::new(&r.request))
            .collect();
        let decided: Vec<_> = prepared
            .iter()
            .map(|p| evaluate(&scenario.set, p, Detail::Decision).decision)
            .collect();
        (prepared, decided)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut results = Vec::new();
    // What a template or plan holds that is not evaluated, then the size warnings.
    let mut warnings = notes;
    warnings.extend(scenario.size_warnings());
    if format == Format::Text {
        match &scenario.name {
            Some(title) => writeln!(w, "# {} ({})", safe(title), safe(shown))?,
            None => writeln!(w, "# {}", safe(shown))?,
        }
        if let Some(d) = &scenario.description {
            writeln!(w, "{}", safe_lines(d))?;
        }
        if let Some(r) = &read_as {
            writeln!(w, "{r}")?;
        }
        for warning in &warnings {
            writeln!(w, "warning: {}", safe(warning))?;
        }
        if scenario.requests.is_empty() {
            writeln!(w, "(no requests)")?;
        }
    }
    for i in picked {
        let edits =
            search.then(|| suggest_prepared(&scenario, &prepared, &decided, i, Limits::default()));
        if let Some(result) = one_request(
            w,
            shown,
            &scenario.set,
            Some(&scenario.source_map),
            i,
            &scenario.requests[i],
            edits,
            format,
            color,
            out,
        )? {
            results.push(result);
        }
    }
    if format == Format::Json {
        let mut line = json!({"file": shown, "requests": results});
        if !warnings.is_empty() {
            line["warnings"] = json!(warnings);
        }
        if let Some(r) = &read_as {
            line["read_as"] = read_as_json(r);
        }
        if !skipped.is_empty() {
            line["skipped"] = skipped
                .iter()
                .map(|d| diagnostic_json(&scenario.source_map, d))
                .collect();
        }
        // Trace spans in a policy decoded from a string carry its `source` number, and
        // so do spans in another file the scenario takes policies from.
        let map = &scenario.source_map;
        if map.iter().next().is_some() {
            line["decoded_texts"] = map.iter().map(|(id, d)| decoded_json(map, id, d)).collect();
        }
        if map.files().next().is_some() {
            line["files"] = super::files_json(map).into();
        }
        write_json(w, &line)?;
    }
    Ok(())
}

/// `--format summary` of a valid scenario file read as a stream (no `Request` kept
/// for the whole file): the same lines [`one_request`] prints. False, with nothing
/// written, when the file must be read whole (it has a problem, or is not a scenario
/// file the streaming reader takes).
fn summary_streamed(
    w: &mut dyn Write,
    shown: &str,
    text: &str,
    out: &mut Outcome,
) -> io::Result<bool> {
    let file = safe(shown);
    // Held until the whole file is known to be valid: an invalid one prints its
    // problems and no decision.
    let mut lines: Vec<u8> = Vec::new();
    let mut missed = false;
    let valid = iamtrace::scenario::stream_requests(text, |set, r| {
        let ev = evaluate(set, &r.request, Detail::Decision);
        let status = match r.expect {
            None => "-",
            Some(e) if ev.meets(e) => "ok",
            Some(_) => {
                missed = true;
                "FAIL"
            }
        };
        // DECISION TAB STATUS TAB FILE TAB LABEL, as one_request prints it.
        for part in [ev.decision.word(), "\t", status, "\t", &file, "\t"] {
            lines.extend_from_slice(part.as_bytes());
        }
        match r.name {
            Some(name) => lines.extend_from_slice(safe(name).as_bytes()),
            None => lines.extend_from_slice(format!("#{}", r.index + 1).as_bytes()),
        }
        lines.push(b'\n');
    });
    if !valid {
        return Ok(false);
    }
    w.write_all(&lines)?;
    out.missed |= missed;
    Ok(true)
}

/// How a bare policy document was read, for JSON output.
pub fn read_as_json(r: &input::ReadAs) -> serde_json::Value {
    json!({"kind": r.kind.word(), "guessed": r.guessed, "ambiguous": r.ambiguous, "text": r.to_string()})
}

/// The most requests a file may have for `eval` to search policy edits for each of its
/// requests without being asked by name.
pub const EDIT_SEARCH_MAX_REQUESTS: usize = 32;

/// How many policy edits the text output shows for a request.
const EDITS_SHOWN: usize = 3;

/// Evaluates request `i` of a file and prints it (text, summary), or returns its JSON
/// object (the caller writes the file's line); a missed `expect` is noted in `out`.
/// `edits`: the policy edits found for it, shown with its why-not.
#[allow(clippy::too_many_arguments)]
pub(super) fn one_request(
    w: &mut dyn Write,
    shown: &str,
    set: &PolicySet,
    map: Option<&SourceMap>,
    i: usize,
    spec: &RequestSpec,
    edits: Option<Suggestions>,
    format: Format,
    color: bool,
    out: &mut Outcome,
) -> io::Result<Option<serde_json::Value>> {
    let mut judged = judge(set, &spec.request, format);
    judged.edits = edits;
    print_request(w, shown, map, i, spec, judged, format, color, out)
}

/// A request's evaluation, and its why-not report when a trace was asked for.
pub(super) struct Judged {
    ev: Evaluation,
    why: Option<WhyNot>,
    /// The policy edits searched for it, when they were.
    edits: Option<Suggestions>,
}

/// Evaluates `request` as `format` needs it: the decision only for the summary, the
/// trace and the why-not report otherwise. Needs nothing but the request (a worker
/// thread may do it before the request is named).
pub(super) fn judge(set: &PolicySet, request: &Request, format: Format) -> Judged {
    let prepared = PreparedRequest::new(request);
    // The summary shows the decision only: no trace to build.
    let detail = if format == Format::Summary {
        Detail::Decision
    } else {
        Detail::Trace
    };
    let ev = evaluate(set, &prepared, detail);
    let why = ev
        .trace
        .as_ref()
        .map(|t| why_not(set, request, t, &ev.determined_by));
    Judged {
        ev,
        why,
        edits: None,
    }
}

/// Prints request `i` as [`one_request`] does, from its [`judge`]ment.
#[allow(clippy::too_many_arguments)]
pub(super) fn print_request(
    w: &mut dyn Write,
    shown: &str,
    map: Option<&SourceMap>,
    i: usize,
    spec: &RequestSpec,
    judged: Judged,
    format: Format,
    color: bool,
    out: &mut Outcome,
) -> io::Result<Option<serde_json::Value>> {
    let Judged { ev, why, edits } = judged;
    let status = match spec.expect {
        None => "-",
        Some(e) if ev.meets(e) => "ok",
        Some(_) => {
            out.missed = true;
            "FAIL"
        }
    };
    match format {
        Format::Summary => writeln!(
            w,
            "{}\t{status}\t{}\t{}",
            ev.decision.word(),
            safe(shown),
            safe(&spec.label(i))
        )?,
        Format::Text => {
            writeln!(w, "\n## Request {}: {}", i + 1, safe(&spec.label(i)))?;
            if let Some(via) = &spec.via {
                writeln!(w, "made on behalf of: {}", safe(via))?;
            }
            for n in &spec.notes {
                writeln!(w, "note: {}", safe(n))?;
            }
            if let Some(e) = spec.expect {
                let verdict = if status == "ok" {
                    "as expected"
                } else if e == ev.decision {
                    "NOT as expected: the decision depends on unresolved values"
                } else {
                    "NOT as expected"
                };
                writeln!(w, "expected: {} ({verdict})", e.label())?;
            }
            if let Some(t) = &ev.trace {
                write!(w, "{}", render_in(t, TextOptions { color }, 0, map))?;
            }
            if let Some(why) = &why {
                write!(w, "{}", safe_lines(&why.to_text()))?;
                if let Some(edits) = &edits {
                    write!(w, "{}", safe_lines(&edits.to_text(EDITS_SHOWN)))?;
                }
            }
        }
        Format::Json => {
            let mut why = serde_json::to_value(&why).unwrap_or_default();
            if let (Some(edits), Some(obj)) = (&edits, why.as_object_mut()) {
                obj.insert("policy_edits".into(), json!(edits.edits));
                obj.insert("policy_edits_aim".into(), json!(edits.aim.word()));
                if let Some(note) = &edits.note {
                    obj.insert("policy_edits_note".into(), json!(note));
                }
            }
            let mut obj = json!({
                "name": spec.name,
                "via": spec.via,
                "notes": spec.notes,
                "decision": ev.decision.word(),
                "expected": spec.expect.map(|e| e.word()),
                "determined_by": ev.determined_by,
                "trace": ev.trace,
                "why_not": why,
            });
            // Only when a placeholder (an unresolved template value) took part.
            if let Some(u) = &ev.unresolved {
                obj["unresolved"] = json!(u);
            }
            return Ok(Some(obj));
        }
    }
    Ok(None)
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
