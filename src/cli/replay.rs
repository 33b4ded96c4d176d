//! `iamtrace replay SCENARIO --cloudtrail PATH...`: every CloudTrail event evaluated
//! against the scenario's policies, and the events whose decision differs from what
//! CloudTrail recorded, grouped. Streams: files are read in batches of whole records,
//! parsed and evaluated on every core, so memory stays flat whatever the file's size.

use super::report;
use crate::GridFormat;
use iamtrace::cloudtrail::replay::{Direction, Filter, Tally, why};
use iamtrace::cloudtrail::split::Splitter;
use iamtrace::cloudtrail::{decompressed, parse_event};
use iamtrace::policy::PolicySet;
use iamtrace::scenario::{LoadOptions, account_principals, decode_input, load_with};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;

/// Bytes of whole records handed to a worker at a time.
const BATCH: usize = 1 << 20;

/// A problem with an input file (not a difference).
struct InputError {
    file: String,
    message: String,
}

/// Runs `replay`.
pub fn run(
    scenario_path: &Path,
    cloudtrail: &[PathBuf],
    principal: Option<String>,
    format: GridFormat,
) -> ExitCode {
    let shown = scenario_path.display().to_string();
    let text = match std::fs::read(scenario_path)
        .map_err(|e| format!("cannot read: {e}"))
        .and_then(decode_input)
    {
        Ok(t) => t,
        Err(m) => {
            eprintln!("{shown}: {m}");
            return ExitCode::from(2);
        }
    };
    let options = LoadOptions {
        principal: principal.clone(),
    };
    let scenario = match load_with(&text, &options) {
        Ok(s) => s,
        Err(e) => {
            for d in &e.diagnostics {
                report(&shown, &text, d);
            }
            return ExitCode::from(2);
        }
    };
    let files = event_files(cloudtrail);
    if files.is_empty() {
        eprintln!("replay: no CloudTrail files found in the paths given");
        return ExitCode::from(2);
    }
    // The caller filter: the principal chosen from account details (by name or ARN)
    // is also the one whose events are replayed.
    let filter = Filter {
        caller: principal.map(|p| {
            account_principals(&text)
                .and_then(|choices| choices.into_iter().find(|c| c.name == p || c.arn == p))
                .map_or(p, |c| c.arn)
        }),
    };
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let progress = progress_bar(total);
    let consumed = Arc::new(AtomicU64::new(0));
    let (tally, errors) = replay_files(&scenario.set, &files, &filter, &consumed, &progress);
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    for e in &errors {
        eprintln!("{}: {}", e.file, e.message);
    }
    match format {
        GridFormat::Text => print_text(&shown, &scenario.set, &files, &tally, &filter),
        GridFormat::Json => print_json(&shown, &scenario.set, &files, &tally, &errors),
    }
    if !errors.is_empty() {
        ExitCode::from(2)
    } else if tally.groups.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Files given, and in directories every `*.json`, `*.jsonl` and `*.gz` (sorted).
fn event_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .extension()
                .is_some_and(|x| x == "json" || x == "jsonl" || x == "gz")
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
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

/// Counts the bytes read from a file (before decompression), for the progress bar.
struct Counting<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads every file on this thread and evaluates its records on worker threads.
fn replay_files(
    set: &PolicySet,
    files: &[PathBuf],
    filter: &Filter,
    consumed: &Arc<AtomicU64>,
    progress: &Option<ProgressBar>,
) -> (Tally, Vec<InputError>) {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (tx, rx) = sync_channel::<(Arc<str>, iamtrace::cloudtrail::split::Batch)>(workers * 2);
    let rx = std::sync::Mutex::new(rx);
    let mut errors = Vec::new();
    let mut tally = Tally::default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let rx = &rx;
                scope.spawn(move || {
                    let mut mine = Tally::default();
                    let mut bad: Vec<InputError> = Vec::new();
                    loop {
                        let next = rx.lock().map(|r| r.recv());
                        let Ok(Ok((file, batch))) = next else { break };
                        for (k, r) in batch.records.iter().enumerate() {
                            match parse_event(&batch.data[r.clone()]) {
                                Ok(event) => mine.add(set, &event, filter),
                                Err(e) => bad.push(InputError {
                                    file: file.to_string(),
                                    message: format!(
                                        "record {} (byte {}): {e}",
                                        batch.first_index + k as u64 + 1,
                                        batch.offset + r.start as u64
                                    ),
                                }),
                            }
                        }
                    }
                    (mine, bad)
                })
            })
            .collect();
        for file in files {
            let name: Arc<str> = file.display().to_string().into();
            let opened = std::fs::File::open(file).and_then(|f| {
                decompressed(Counting {
                    inner: f,
                    consumed: consumed.clone(),
                })
            });
            let reader = match opened {
                Ok(r) => r,
                Err(e) => {
                    errors.push(InputError {
                        file: name.to_string(),
                        message: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            let mut splitter = Splitter::new(reader);
            loop {
                match splitter.next_batch(BATCH) {
                    Ok(Some(batch)) => {
                        if let Some(p) = progress {
                            p.set_position(consumed.load(Ordering::Relaxed));
                            p.set_message(format!("{}", batch.first_index + batch.records.len() as u64));
                        }
                        if tx.send((name.clone(), batch)).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        errors.push(InputError {
                            file: name.to_string(),
                            message: format!("byte {}: {}", e.offset, e.message),
                        });
                        break;
                    }
                }
            }
        }
        drop(tx);
        for h in handles {
            if let Ok((mine, bad)) = h.join() {
                tally.merge(mine);
                errors.extend(bad);
            }
        }
    });
    (tally, errors)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn print_text(shown: &str, set: &PolicySet, files: &[PathBuf], t: &Tally, filter: &Filter) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "Replayed {} from {} against {shown}",
        plural(t.events, "CloudTrail event", "CloudTrail events"),
        plural(files.len() as u64, "file", "files"),
    );
    let mut line = format!(
        "  {} as recorded · {} would now be denied · {} would now be allowed",
        t.same,
        t.differing(Direction::NowDenied),
        t.differing(Direction::NowAllowed)
    );
    if t.not_compared > 0 {
        line.push_str(&format!(
            " · {} not compared (failed for other reasons than access)",
            t.not_compared
        ));
    }
    if t.filtered_out > 0 {
        if let Some(c) = &filter.caller {
            line.push_str(&format!(" · {} by other callers than {c}", t.filtered_out));
        }
    }
    let _ = writeln!(out, "{line}");
    if !t.skipped.is_empty() {
        let mut reasons: Vec<_> = t.skipped.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let _ = writeln!(out, "  skipped {}:", t.skipped_total());
        for (r, n) in reasons {
            let _ = writeln!(out, "    {n:>8}  {r}");
        }
    }
    let mut last = None;
    for (key, g) in t.sorted_groups() {
        if last != Some(key.direction) {
            let _ = writeln!(out, "\n{}:", key.direction.label());
            last = Some(key.direction);
        }
        let span = match (&g.first_time, &g.last_time) {
            (Some(a), Some(b)) if a != b => format!(" from {a} to {b}"),
            (Some(a), _) => format!(" at {a}"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  {} by {}: {}{span}",
            key.action,
            key.caller,
            plural(g.count, "event", "events")
        );
        let _ = writeln!(
            out,
            "    now {}: {}",
            key.decision.label(),
            why(set, &g.example)
        );
        let _ = writeln!(
            out,
            "    e.g. event {} on {} (CloudTrail: {})",
            g.example.event_id.as_deref().unwrap_or("?"),
            g.example.resource,
            g.example.recorded
        );
        for n in &g.example.notes {
            let _ = writeln!(out, "    note: {n}");
        }
    }
    if t.groups.is_empty() {
        let _ = writeln!(out, "\nNo event's decision differs from what CloudTrail recorded.");
    }
}

fn print_json(shown: &str, set: &PolicySet, files: &[PathBuf], t: &Tally, errors: &[InputError]) {
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
    let report = json!({
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
        "errors": errors.iter().map(|e| json!({"file": e.file, "message": e.message})).collect::<Vec<_>>(),
    });
    println!("{report}");
}
