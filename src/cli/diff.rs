//! `iamtrace diff OLD.json NEW.json [--vary …]`: the requests (and grid cells) whose
//! decision differs between two scenario files' policies. Exit status 1 when anything
//! differs, so it can gate a policy change.

use super::grid::{load_request, parse_axes};
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
    let load = |p: &Path| load_request(p, Some("1")).map(|(s, _)| s);
    let (old_s, new_s) = match (load(old), load(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(code), _) | (_, Err(code)) => return Ok(code),
    };
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
    let changed = changed_requests(&old_s.set, &new_s.set, &requests);
    let mut cells = Vec::new();
    let mut axes: Vec<Axis> = Vec::new();
    if !vary.is_empty() {
        axes = match parse_axes(vary) {
            Ok(a) => a,
            Err(code) => return Ok(code),
        };
        let Some(i) = request.map_or(Some(0), |sel| new_s.find_request(sel)) else {
            note(&format!(
                "{}: no request {}",
                safe_path(new),
                safe(request.unwrap_or_default())
            ));
            return Ok(ExitCode::from(2));
        };
        cells = changed_cells(&old_s.set, &new_s.set, &new_s.requests[i].request, &axes);
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
            writeln!(
                w,
                "{}: {} → {}",
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
    Ok(if changed.is_empty() && cells.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
