//! `iamtrace diff OLD.json NEW.json [--vary …]`: the requests (and grid cells) whose
//! decision differs between two scenario files' policies. Exit status 1 when anything
//! differs, so it can gate a policy change; 2 when an input could not be read, or had
//! malformed CloudTrail records (skipped, each reported, the rest compared). Either
//! side may be a template or a plan (`--principal` says whose policies); a plan alone
//! compares its own two sides; `--requests-from SCENARIO` takes the requests compared
//! from a scenario file, so a pull request's what-if lives beside the template.

use super::grid::{LoadedFile, load_scenario, load_scenario_with, no_request, parse_axes};
use super::{note, safe, safe_path, write_json};
use iamtrace::analysis::diff::{changed_cells, changed_requests};
use iamtrace::analysis::grid::Axis;
use iamtrace::eval::Request;
use iamtrace::iac::Side;
use iamtrace::input::LoadOptions;
use serde_json::json;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

/// Runs `diff`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    w: &mut dyn Write,
    old: &Path,
    new: Option<&Path>,
    request: Option<&str>,
    vary: &[String],
    json: bool,
    options: &LoadOptions,
    requests_from: Option<&Path>,
) -> io::Result<ExitCode> {
    // A plan alone: its before and after sides.
    let (old_shown, new_shown) = match new {
        Some(n) => (safe_path(old), safe_path(n)),
        None => (
            format!("{} (before)", safe_path(old)),
            format!("{} (after)", safe_path(old)),
        ),
    };
    if !super::stdin_once([Some(old), new, requests_from].into_iter().flatten()) {
        return Ok(ExitCode::from(2));
    }
    let sides = match new {
        Some(n) => (
            load_scenario_with(old, options),
            load_scenario_with(n, options),
        ),
        None => {
            let text = super::read_input(old).unwrap_or_default();
            if iamtrace::input::kind(&text) != iamtrace::input::Kind::TerraformPlan {
                note(&format!(
                    "diff: {} is not a Terraform plan: give the file before and the file after the change",
                    safe_path(old)
                ));
                return Ok(ExitCode::from(2));
            }
            let side = |side| LoadOptions {
                side,
                ..options.clone()
            };
            (
                load_scenario_with(old, &side(Side::Before)),
                load_scenario_with(old, &side(Side::After)),
            )
        }
    };
    // Either side may be a bare policy (or AWS CLI output): it brings policies only,
    // and the requests compared are the other side's.
    let (old_s, new_s) = match sides {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return Ok(code),
    };
    let from: Option<LoadedFile> = match requests_from.map(load_scenario) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(code)) => return Ok(code),
    };
    // Malformed CloudTrail records were skipped (and said): the rest is compared, and
    // the exit status is 2 as eval's is.
    let skipped = old_s.skipped || new_s.skipped || from.as_ref().is_some_and(|f| f.skipped);
    let (mut old_s, mut new_s) = (old_s.scenario, new_s.scenario);
    if let Some(f) = from {
        // The requests of the scenario given, on both sides' policies.
        new_s.requests = f.scenario.requests;
        old_s.requests.clear();
    }
    // The new file's requests, then the old file's requests it no longer has.
    let mut requests: Vec<(String, Request)> = new_s
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| (r.label(i), r.request.clone()))
        .collect();
    for (i, r) in old_s.requests.iter().enumerate() {
        if r.name
            .as_ref()
            .is_some_and(|n| !new_s.requests.iter().any(|x| x.name.as_ref() == Some(n)))
        {
            requests.push((r.label(i), r.request.clone()));
        }
    }
    if requests.is_empty() {
        note(&format!(
            "diff: neither {old_shown} nor {new_shown} has a request to compare the policies on"
        ));
        return Ok(ExitCode::from(2));
    }
    let changed = changed_requests(&old_s.set, &new_s.set, &requests);
    let mut cells = Vec::new();
    let mut axes: Vec<Axis> = Vec::new();
    if !vary.is_empty() {
        axes = match parse_axes(vary) {
            Ok(a) => a,
            Err(code) => return Ok(code),
        };
        // By name or 1-based position among the requests compared.
        let find = |sel: &str| {
            requests
                .iter()
                .position(|(label, _)| label == sel)
                .or_else(|| {
                    sel.parse::<usize>()
                        .ok()
                        .filter(|&n| n >= 1 && n <= requests.len())
                        .map(|n| n - 1)
                })
        };
        let Some(i) = request.map_or(Some(0), find) else {
            let names: Vec<String> = requests.iter().map(|(l, _)| l.clone()).collect();
            note(&format!(
                "diff: {}",
                safe(&no_request(request.unwrap_or_default(), &names))
            ));
            return Ok(ExitCode::from(2));
        };
        cells = changed_cells(&old_s.set, &new_s.set, &requests[i].1, &axes);
    }
    if json {
        let cells: Vec<_> = cells
            .iter()
            .map(|c| {
                let values: serde_json::Map<String, serde_json::Value> = axes
                    .iter()
                    .zip(&c.values)
                    .map(|(a, v)| {
                        (
                            a.input.name().to_string(),
                            v.clone()
                                .map_or(serde_json::Value::Null, serde_json::Value::String),
                        )
                    })
                    .collect();
                json!({"values": values, "before": c.before.word(), "after": c.after.word()})
            })
            .collect();
        write_json(
            w,
            &json!({"old": old_shown, "new": new_shown, "requests": changed, "cells": cells}),
        )?;
    } else {
        if changed.is_empty() && cells.is_empty() {
            writeln!(w, "no decision changes between {old_shown} and {new_shown}")?;
        }
        for c in &changed {
            let unresolved = if c.unresolved.is_empty() {
                String::new()
            } else {
                format!(
                    " ? depends on unresolved values: {}",
                    safe(&c.unresolved.join(", "))
                )
            };
            writeln!(
                w,
                "{}: {} → {}{unresolved}",
                safe(&c.request),
                c.before.label(),
                c.after.label()
            )?;
        }
        for c in &cells {
            writeln!(
                w,
                "grid {}: {} → {}",
                safe(&c.values_text(&axes)),
                c.before.label(),
                c.after.label()
            )?;
        }
    }
    Ok(if skipped {
        ExitCode::from(2)
    } else if changed.is_empty() && cells.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
