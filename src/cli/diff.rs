//! `iamtrace diff OLD.json NEW.json [--vary …]`: the requests (and grid cells) whose
//! decision differs between two scenario files' policies. Exit status 1 when anything
//! differs, so it can gate a policy change; 2 when an input could not be read, or had
//! malformed CloudTrail records (skipped, each reported, the rest compared).

use super::grid::{load_scenario, no_request, parse_axes};
use super::{note, safe, safe_path, write_json};
use iamtrace::analysis::diff::{changed_cells, changed_requests};
use iamtrace::analysis::grid::Axis;
use iamtrace::eval::Request;
use serde_json::json;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

/// Runs `diff`.
pub fn run(
    w: &mut dyn Write,
    old: &Path,
    new: &Path,
    request: Option<&str>,
    vary: &[String],
    json: bool,
) -> io::Result<ExitCode> {
    if !super::stdin_once([old, new]) {
        return Ok(ExitCode::from(2));
    }
    // Either side may be a bare policy (or AWS CLI output): it brings policies only,
    // and the requests compared are the other side's.
    let (old_s, new_s) = match (load_scenario(old), load_scenario(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return Ok(code),
    };
    // Malformed CloudTrail records were skipped (and said): the rest is compared, and
    // the exit status is 2 as eval's is.
    let skipped = old_s.skipped || new_s.skipped;
    let (old_s, new_s) = (old_s.scenario, new_s.scenario);
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
            "diff: neither {} nor {} has a request to compare the policies on",
            safe_path(old),
            safe_path(new)
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
            &json!({"old": old.display().to_string(), "new": new.display().to_string(), "requests": changed, "cells": cells}),
        )?;
    } else {
        if changed.is_empty() && cells.is_empty() {
            writeln!(
                w,
                "no decision changes between {} and {}",
                safe_path(old),
                safe_path(new)
            )?;
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
