//! `iamtrace replay SCENARIO --cloudtrail PATH...`: every CloudTrail event evaluated
//! against the scenario's policies, and the events whose decision differs from what
//! CloudTrail recorded, grouped. Streams: files are read in batches of whole records,
//! parsed and evaluated on every core, so memory stays flat whatever the file's size.

use super::{count, note, read_input, report, safe, write_json};
use crate::GridFormat;
use iamtrace::cloudtrail::replay::{Direction, Filter, InputError, Tally, replay_files, why};
use iamtrace::input::{LoadOptions, account_principals, load_with};
use iamtrace::policy::PolicySet;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs `replay`.
pub fn run(
    out: &mut dyn Write,
    scenario_path: &Path,
    cloudtrail: &[PathBuf],
    options: LoadOptions,
    format: GridFormat,
) -> io::Result<ExitCode> {
    let principal = options.principal.clone();
    let shown = scenario_path.display().to_string();
    let text = match read_input(scenario_path) {
        Ok(t) => t,
        Err(m) => {
            note(&format!("{}: {}", safe(&shown), safe(&m)));
            return Ok(ExitCode::from(2));
        }
    };
    let scenario = match load_with(&text, &super::with_path(&options, scenario_path)) {
        Ok(s) => s,
        Err(e) => {
            for d in &e.diagnostics {
                report(&shown, &text, &e.source_map, d);
            }
            return Ok(ExitCode::from(2));
        }
    };
    // Files given, and in directories every `*.json`, `*.jsonl` and `*.gz` (sorted).
    let Some(files) = super::expand_paths_with(cloudtrail, &["json", "jsonl", "gz"]) else {
        return Ok(ExitCode::from(2));
    };
    // The caller filter: the principal chosen from account details (by name or ARN)
    // is also the one whose events are replayed.
    let template = matches!(
        iamtrace::input::kind(&text),
        iamtrace::input::Kind::CloudFormation | iamtrace::input::Kind::TerraformPlan
    );
    let caller = match principal {
        None => None,
        // A template's or plan's principal: the ARN it was assembled with.
        Some(_) if template => scenario.requests.first().and_then(|r| {
            r.request.context.iter().find_map(|(k, v)| match v {
                iamtrace::eval::ContextValue::One(s) if k == "aws:PrincipalArn" => {
                    Some(s.text.to_string())
                }
                _ => None,
            })
        }),
        Some(p) => match account_principals(&text)
            .and_then(|choices| choices.into_iter().find(|c| c.name == p || c.arn == p))
        {
            Some(c) => Some(c.arn),
            None if p.starts_with("arn:") || p.ends_with(".amazonaws.com") => Some(p),
            None => {
                note(&format!(
                    "replay: --principal \"{}\": give the caller's ARN (a user, a role for all its sessions, or a session), or a service principal; names are for account authorization details",
                    safe(&p)
                ));
                return Ok(ExitCode::from(2));
            }
        },
    };
    if caller.is_none() {
        if let Some(one) = sole_principal(&scenario) {
            note(&format!(
                "replay: the identity policies of {} are presumably {}'s (its every request is by them), and every caller's events are judged by them; give --principal {} to replay only that caller's events",
                safe(&shown),
                safe(&one),
                safe(&one)
            ));
        }
    }
    let filter = Filter { caller };
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let progress = progress_bar(total);
    let (tally, errors) = replay_files(&scenario.set, &files, &filter, &|bytes, records| {
        if let Some(p) = &progress {
            p.set_position(bytes);
            p.set_message(format!("{records} events"));
        }
    });
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    for e in &errors {
        note(&safe(&e.text()));
    }
    // A caller filter that keeps nothing is almost surely a wrong ARN, not a clean run.
    let kept_nothing = filter.caller.is_some()
        && tally.filtered_out > 0
        && tally.compared() + tally.not_compared == 0;
    if kept_nothing {
        note(&format!(
            "replay: no event is by {} ({} by other callers)",
            safe(filter.caller.as_deref().unwrap_or_default()),
            tally.filtered_out
        ));
    }
    match format {
        GridFormat::Text => print_text(out, &shown, &scenario.set, &files, &tally, &filter)?,
        GridFormat::Json => print_json(out, &shown, &scenario.set, &files, &tally, &errors)?,
    }
    Ok(if !errors.is_empty() || kept_nothing {
        ExitCode::from(2)
    } else if tally.groups.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The caller whose policies a scenario holds, when that can be told: it has identity
/// policies bound to no principal and all its requests are by one principal (a role's
/// sessions count as the role). Replay judges every caller's events by those policies;
/// without `--principal` it says so rather than silently keeping only that caller's
/// events (documented in the README's replay section). Policies bound to their
/// principal (`"principal"`) judge only that principal's events: no note for them.
fn sole_principal(scenario: &iamtrace::scenario::Scenario) -> Option<String> {
    let has_identity = scenario
        .set
        .policies
        .iter()
        .any(|p| p.kind == iamtrace::policy::PolicyKind::Identity && p.principal.is_none());
    if !has_identity {
        return None;
    }
    let caller = |p: &str| -> String {
        // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION → the role.
        match p.split_once(":assumed-role/") {
            Some((head, rest)) => {
                let account = head.rsplit(':').next().unwrap_or_default();
                let role = rest.split('/').next().unwrap_or_default();
                format!("arn:aws:iam::{account}:role/{role}")
            }
            None => p.to_string(),
        }
    };
    let mut callers = scenario
        .requests
        .iter()
        .map(|r| caller(&r.request.principal));
    let first = callers.next()?;
    let arn = first.starts_with("arn:") && !first.ends_with(":root");
    (arn && callers.all(|c| c == first)).then_some(first)
}

fn progress_bar(total: u64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || total < (16 << 20) {
        return None;
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} replaying [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} · {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    Some(bar)
}

/// The summary and the groups for people; every name and value from the records is
/// printed [`safe`] (a caller chooses its user agent and error messages).
fn print_text(
    out: &mut dyn Write,
    shown: &str,
    set: &PolicySet,
    files: &[PathBuf],
    t: &Tally,
    filter: &Filter,
) -> io::Result<()> {
    writeln!(
        out,
        "Replayed {} from {} against {}",
        count(t.events, "CloudTrail event", "CloudTrail events"),
        count(files.len() as u64, "file", "files"),
        safe(shown)
    )?;
    let mut line = format!(
        "  {} as recorded · {} would now be denied · {} would now be allowed",
        t.same,
        t.differing(Direction::NowDenied),
        t.differing(Direction::NowAllowed)
    );
    if t.depends > 0 {
        line.push_str(&format!(
            " · {} of these depend on unresolved template values (resolving them could change the decision)",
            t.depends
        ));
    }
    if t.not_compared > 0 {
        line.push_str(&format!(
            " · {} not compared (failed for other reasons than access)",
            t.not_compared
        ));
    }
    if t.filtered_out > 0 {
        if let Some(c) = &filter.caller {
            line.push_str(&format!(
                " · {} by other callers than {}",
                t.filtered_out,
                safe(c)
            ));
        }
    }
    writeln!(out, "{line}")?;
    if !t.skipped.is_empty() {
        let mut reasons: Vec<_> = t.skipped.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        writeln!(out, "  skipped {}:", t.skipped_total())?;
        for (r, n) in reasons {
            writeln!(out, "    {n:>8}  {}", safe(r))?;
        }
    }
    let mut last = None;
    for (key, g) in t.sorted_groups() {
        if last != Some(key.direction) {
            writeln!(out, "\n{}:", key.direction.label())?;
            last = Some(key.direction);
        }
        let span = match (&g.first_time, &g.last_time) {
            (Some(a), Some(b)) if a != b => format!(" from {} to {}", safe(a), safe(b)),
            (Some(a), _) => format!(" at {}", safe(a)),
            _ => String::new(),
        };
        writeln!(
            out,
            "  {} by {}: {}{span}",
            safe(&key.action),
            safe(&key.caller),
            count(g.count, "event", "events")
        )?;
        writeln!(
            out,
            "    now {}: {}",
            key.decision.label(),
            safe(&why(set, &g.example))
        )?;
        writeln!(
            out,
            "    e.g. event {} on {} (CloudTrail: {})",
            safe(g.example.event_id.as_deref().unwrap_or("?")),
            safe(&g.example.resource),
            safe(&g.example.recorded)
        )?;
        for n in &g.example.notes {
            writeln!(out, "    note: {}", safe(n))?;
        }
    }
    if t.groups.is_empty() {
        writeln!(
            out,
            "\nNo event's decision differs from what CloudTrail recorded."
        )?;
    }
    Ok(())
}

fn print_json(
    out: &mut dyn Write,
    shown: &str,
    set: &PolicySet,
    files: &[PathBuf],
    t: &Tally,
    errors: &[InputError],
) -> io::Result<()> {
    let mut skipped: Vec<_> = t.skipped.iter().collect();
    skipped.sort();
    let differences: Vec<_> = t
        .sorted_groups()
        .into_iter()
        .map(|(k, g)| {
            json!({
                "direction": k.direction,
                "action": k.action,
                "caller": k.caller,
                "decision": k.decision.word(),
                "count": g.count,
                "first_time": g.first_time,
                "last_time": g.last_time,
                "why": why(set, &g.example),
                "example": g.example,
            })
        })
        .collect();
    let mut report = json!({
        "scenario": shown,
        "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "summary": {
            "events": t.events,
            "compared": t.compared(),
            "same": t.same,
            "now_denied": t.differing(Direction::NowDenied),
            "now_allowed": t.differing(Direction::NowAllowed),
            "not_compared": t.not_compared,
            "filtered_out": t.filtered_out,
            "skipped": skipped.into_iter().map(|(r, n)| json!({"reason": r, "count": n})).collect::<Vec<_>>(),
        },
        "differences": differences,
        "errors": errors.iter().map(|e| {
            let mut v = json!({"file": e.file, "message": e.message});
            if let Some((line, column)) = e.place {
                v["line"] = line.into();
                v["column"] = column.into();
            }
            v
        }).collect::<Vec<_>>(),
    });
    // Only when a placeholder (an unresolved template value) made a decision uncertain.
    if t.depends > 0 {
        report["summary"]["depends_on_unresolved"] = json!(t.depends);
    }
    write_json(out, &report)
}
