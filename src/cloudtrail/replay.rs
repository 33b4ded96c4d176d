//! Replay: CloudTrail events evaluated against a policy set and compared with what
//! CloudTrail recorded. A [`Tally`] is filled per batch of events (on any thread) and
//! merged; the differences are grouped by direction, action, caller and decision.
//! [`replay_files`] streams files through it on every core.

use super::convert::{Converted, Recorded, convert};
use super::event::Event;
use super::read_record;
use super::split::{LinePos, Splitter};
use crate::eval::{Detail, PreparedRequest, Request, evaluate};
use crate::policy::PolicySet;
use crate::read::decompressed;
use crate::trace::Decision;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;

/// Bytes of whole records handed to a worker at a time.
const BATCH: usize = 1 << 20;

/// A problem with an input file (not a difference).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file.
    pub file: String,
    /// Where in it, when that is a line and column (1-based): a malformed record.
    pub place: Option<(u64, u32)>,
    /// What is wrong (where, when not at `place`: a byte offset).
    pub message: String,
}

impl InputError {
    /// `FILE:LINE:COLUMN: message`, or `FILE: message`, unescaped (the caller makes
    /// it safe to print).
    pub fn text(&self) -> String {
        match self.place {
            Some((line, column)) => format!("{}:{line}:{column}: {}", self.file, self.message),
            None => format!("{}: {}", self.file, self.message),
        }
    }
}

/// Which way a decision changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Recorded as allowed; the policies now deny it.
    NowDenied,
    /// Recorded as denied; the policies now allow it.
    NowAllowed,
}

impl Direction {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Direction::NowDenied => "would now be DENIED (CloudTrail recorded it as allowed)",
            Direction::NowAllowed => "would now be ALLOWED (CloudTrail recorded it as denied)",
        }
    }
}

/// What groups differences.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupKey {
    /// Which way.
    pub direction: Direction,
    /// `service:Action`.
    pub action: String,
    /// The caller (a role session's role).
    pub caller: String,
    /// The decision now.
    pub decision: Decision,
}

/// One event standing for its group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// eventID.
    pub event_id: Option<String>,
    /// eventTime.
    pub time: Option<String>,
    /// The request the event became.
    #[serde(skip)]
    pub request: Request,
    /// The principal.
    pub principal: String,
    /// The resource.
    pub resource: String,
    /// How CloudTrail recorded it.
    pub recorded: String,
    /// What could not be derived from the record.
    pub notes: Vec<String>,
}

impl Example {
    /// The example an event gives.
    fn of(c: Converted) -> Example {
        Example {
            event_id: c.event_id,
            time: c.time,
            principal: c.request.principal.clone(),
            resource: c.request.resource.clone(),
            recorded: c.recorded.describe(),
            notes: c.notes,
            request: c.request,
        }
    }
}

/// The events of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// How many.
    pub count: u64,
    /// The earliest eventTime.
    pub first_time: Option<String>,
    /// The latest eventTime.
    pub last_time: Option<String>,
    /// The first event seen.
    pub example: Example,
}

/// Counts and differences of a run (or of one batch of it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Records read.
    pub events: u64,
    /// Events whose decision matches what was recorded.
    pub same: u64,
    /// Events that failed for other reasons than access (not compared).
    pub not_compared: u64,
    /// Events left out by the caller filter.
    pub filtered_out: u64,
    /// Events that could not be requests, by reason.
    pub skipped: HashMap<String, u64>,
    /// The differences.
    pub groups: HashMap<GroupKey, Group>,
    /// Compared events whose decision depends on unresolved template values
    /// (placeholders): resolving them could change it.
    pub depends: u64,
}

/// Which events to replay.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this caller's events: a principal ARN, or a role ARN for its sessions.
    pub caller: Option<String>,
}

impl Filter {
    fn keeps(&self, c: &Converted) -> bool {
        self.caller
            .as_deref()
            .is_none_or(|want| c.caller == want || c.request.principal == want)
    }
}

impl Tally {
    /// Evaluates one event and counts it. False when the record is not a CloudTrail
    /// event at all (no eventSource, no eventName).
    pub fn add(&mut self, set: &PolicySet, event: &Event, filter: &Filter) -> bool {
        self.events += 1;
        let c = match convert(event) {
            Ok(c) => c,
            Err(s) => {
                let is_event = s.reason != super::convert::NOT_AN_EVENT;
                *self.skipped.entry(s.reason).or_insert(0) += 1;
                return is_event;
            }
        };
        if !filter.keeps(&c) {
            self.filtered_out += 1;
            return true;
        }
        if let Recorded::Failed { .. } = c.recorded {
            self.not_compared += 1;
            return true;
        }
        let prepared = PreparedRequest::new(&c.request);
        let ev = evaluate(set, &prepared, Detail::Decision);
        self.depends += u64::from(ev.depends_on_unresolved());
        let decision = ev.decision;
        let direction = match (&c.recorded, decision) {
            (Recorded::Allowed, Decision::Allow)
            | (Recorded::Denied { .. }, Decision::ExplicitDeny | Decision::ImplicitDeny) => {
                self.same += 1;
                return true;
            }
            (Recorded::Allowed, _) => Direction::NowDenied,
            _ => Direction::NowAllowed,
        };
        let key = GroupKey {
            direction,
            action: c.request.action.clone(),
            caller: c.caller.clone(),
            decision,
        };
        match self.groups.get_mut(&key) {
            Some(g) => {
                g.count += 1;
                widen(g, c.time.as_deref());
                // The earliest event stands for the group (as in `merge`), so the
                // example does not depend on how the records were batched.
                if (c.time.as_deref(), c.event_id.as_deref())
                    < (g.example.time.as_deref(), g.example.event_id.as_deref())
                {
                    g.example = Example::of(c);
                }
            }
            None => {
                let time = c.time.clone();
                self.groups.insert(
                    key,
                    Group {
                        count: 1,
                        first_time: time.clone(),
                        last_time: time,
                        example: Example::of(c),
                    },
                );
            }
        }
        true
    }

    /// Adds another tally's counts and groups to this one.
    pub fn merge(&mut self, other: Tally) {
        self.events += other.events;
        self.same += other.same;
        self.depends += other.depends;
        self.not_compared += other.not_compared;
        self.filtered_out += other.filtered_out;
        for (reason, n) in other.skipped {
            *self.skipped.entry(reason).or_insert(0) += n;
        }
        for (key, g) in other.groups {
            match self.groups.get_mut(&key) {
                Some(mine) => {
                    mine.count += g.count;
                    widen(mine, g.first_time.as_deref());
                    widen(mine, g.last_time.as_deref());
                    // The earliest event stands for the group, whatever the threads did.
                    if (g.example.time.as_deref(), g.example.event_id.as_deref())
                        < (
                            mine.example.time.as_deref(),
                            mine.example.event_id.as_deref(),
                        )
                    {
                        mine.example = g.example;
                    }
                }
                None => {
                    self.groups.insert(key, g);
                }
            }
        }
    }

    /// Events whose decision differs from the record, per direction.
    pub fn differing(&self, direction: Direction) -> u64 {
        self.groups
            .iter()
            .filter(|(k, _)| k.direction == direction)
            .map(|(_, g)| g.count)
            .sum()
    }

    /// Events compared with the record.
    pub fn compared(&self) -> u64 {
        self.same + self.differing(Direction::NowDenied) + self.differing(Direction::NowAllowed)
    }

    /// Events left out as not requests.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// The groups, most events first (then by direction, action and caller).
    pub fn sorted_groups(&self) -> Vec<(&GroupKey, &Group)> {
        let mut groups: Vec<_> = self.groups.iter().collect();
        groups.sort_by(|a, b| {
            a.0.direction
                .cmp(&b.0.direction)
                .then(b.1.count.cmp(&a.1.count))
                .then_with(|| a.0.cmp(b.0))
        });
        groups
    }
}

/// ISO 8601 times in UTC compare as text.
fn widen(g: &mut Group, time: Option<&str>) {
    let Some(t) = time else { return };
    if g.first_time.as_deref().is_none_or(|f| t < f) {
        g.first_time = Some(t.to_string());
    }
    if g.last_time.as_deref().is_none_or(|l| t > l) {
        g.last_time = Some(t.to_string());
    }
}

/// The sentence that says why the policies now decide a group's example as they do.
pub fn why(set: &PolicySet, example: &Example) -> String {
    let prepared = PreparedRequest::new(&example.request);
    evaluate(set, &prepared, Detail::Trace)
        .trace
        .map(|t| t.reason)
        .unwrap_or_default()
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

/// Replays every record of `files` (each plain, gzip or JSON Lines): read and split
/// on this thread, parsed and evaluated on one worker per core. `progress` is told
/// the bytes read from the files (before decompression) and the records found, after
/// every batch. A file with no CloudTrail event in it is an input error. Errors come
/// in file order, then record order, whatever the threads did.
pub fn replay_files(
    set: &PolicySet,
    files: &[PathBuf],
    filter: &Filter,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> (Tally, Vec<InputError>) {
    let consumed = Arc::new(AtomicU64::new(0));
    // The event map's tables are built here, not in a worker (see mapping::preload).
    super::mapping::preload();
    let mut records_seen = 0u64;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    // Batches carry the index of their file.
    // Batches carry the line position of their first byte (`None` once an oversized
    // record went by uncounted: its bytes were dropped as they were scanned).
    let (tx, rx) = sync_channel::<(usize, super::split::Batch, Option<LinePos>)>(workers * 2);
    // The workers own the receiving end: should they all stop, sending fails and the
    // reader stops too, rather than waiting on a full channel.
    let rx = Arc::new(std::sync::Mutex::new(rx));
    // (file index, record number, error) — sorted at the end.
    let mut errors: Vec<(usize, u64, InputError)> = Vec::new();
    let mut tally = Tally::default();
    // Per file: CloudTrail events seen.
    let mut events_in = vec![0u64; files.len()];
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let rx = Arc::clone(&rx);
                let names = &names;
                scope.spawn(move || {
                    let mut mine = Tally::default();
                    let mut bad: Vec<(usize, u64, InputError)> = Vec::new();
                    let mut events = vec![0u64; names.len()];
                    loop {
                        let next = rx.lock().map(|r| r.recv());
                        let Ok(Ok((file, batch, start))) = next else { break };
                        // Moved forward only to malformed records (rare): the lines
                        // of a clean batch are never counted here.
                        let mut at = start.map(|p| (p, 0usize));
                        for o in &batch.oversized {
                            bad.push((
                                file,
                                o.number,
                                InputError {
                                    file: names[file].clone(),
                                    place: None,
                                    message: format!(
                                        "byte {}: record {}: larger than {}, the most one record may hold; skipped",
                                        o.offset,
                                        o.number,
                                        crate::read::size_text(crate::read::DEFAULT_MAX_RECORD)
                                    ),
                                },
                            ));
                        }
                        for (k, r) in batch.records.iter().enumerate() {
                            let number = batch.first_index + k as u64 + 1;
                            match read_record(&batch.data[r.clone()], |event| {
                                mine.add(set, event, filter)
                            }) {
                                Ok(is_event) => events[file] += u64::from(is_event),
                                Err(m) => {
                                    let cut = r.start + m.offset;
                                    let message = format!(
                                        "record {number}: {}; skipped",
                                        super::without_position(&m.message)
                                    );
                                    let (place, message) = match &mut at {
                                        Some((pos, done)) => {
                                            pos.advance(&batch.data[*done..cut]);
                                            *done = cut;
                                            (Some(pos.place()), message)
                                        }
                                        None => (
                                            None,
                                            format!("byte {}: {message}", batch.offset + cut as u64),
                                        ),
                                    };
                                    bad.push((
                                        file,
                                        number,
                                        InputError {
                                            file: names[file].clone(),
                                            place,
                                            message,
                                        },
                                    ));
                                }
                            }
                        }
                    }
                    (mine, bad, events)
                })
            })
            .collect();
        drop(rx);
        for (index, file) in files.iter().enumerate() {
            let opened = std::fs::File::open(file).and_then(|f| {
                decompressed(Counting {
                    inner: f,
                    consumed: consumed.clone(),
                })
            });
            let reader = match opened {
                Ok(r) => r,
                Err(e) => {
                    errors.push((
                        index,
                        0,
                        InputError {
                            place: None,
                            file: names[index].clone(),
                            message: format!("cannot read: {e}"),
                        },
                    ));
                    continue;
                }
            };
            let mut splitter = Splitter::new(reader);
            let mut at = Some(LinePos::default());
            loop {
                match splitter.next_batch(BATCH) {
                    Ok(Some(batch)) => {
                        records_seen += batch.records.len() as u64;
                        progress(consumed.load(Ordering::Relaxed), records_seen);
                        if !batch.oversized.is_empty() {
                            at = None;
                        }
                        let start = at;
                        // The next batch starts where this one's last record ends.
                        if let (Some(pos), Some(last)) = (&mut at, batch.records.last()) {
                            pos.advance(&batch.data[..last.end]);
                        }
                        if tx.send((index, batch, start)).is_err() {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        errors.push((
                            index,
                            u64::MAX,
                            InputError {
                                place: None,
                                file: names[index].clone(),
                                message: format!("byte {}: {}", e.offset, e.message),
                            },
                        ));
                        break;
                    }
                }
            }
        }
        drop(tx);
        for h in handles {
            match h.join() {
                Ok((mine, bad, events)) => {
                    tally.merge(mine);
                    errors.extend(bad);
                    for (total, n) in events_in.iter_mut().zip(events) {
                        *total += n;
                    }
                }
                // Its counts are lost: the run cannot be trusted.
                Err(_) => errors.push((
                    usize::MAX,
                    0,
                    InputError {
 place: None,
                        file: "replay".into(),
                        message: "a worker thread stopped on an internal error; the counts are incomplete".into(),
                    },
                )),
            }
        }
    });
    for (index, n) in events_in.iter().enumerate() {
        let unreadable = errors.iter().any(|(f, _, _)| *f == index);
        if *n == 0 && !unreadable {
            errors.push((
                index,
                0,
                InputError {
 place: None,
                    file: names[index].clone(),
                    message: "no CloudTrail event in this file (give CloudTrail files, JSON Lines of events or aws cloudtrail lookup-events output)".into(),
                },
            ));
        }
    }
    errors.sort_by_key(|(file, record, _)| (*file, *record));
    (tally, errors.into_iter().map(|(_, _, e)| e).collect())
}
