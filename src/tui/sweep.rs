//! What needs every record of a large trail, computed in the background: a thread
//! reads every record (waiting for the index where it is still being built), counts
//! requests, events that are not requests and malformed records, evaluates each
//! request under the policies as loaded and as they are now, and keeps those whose
//! decision differs (the changes view), with how far it has gone ("n of N"). A new
//! sweep replaces the last one whenever the policies change; the old one stops at its
//! next record.

use crate::analysis::diff::{Changed, compare};
use crate::cloudtrail::index::{LazyTrail, Record};
use crate::eval::PreparedRequest;
use crate::policy::PolicySet;
use crate::scenario::RequestSpec;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many differing requests are kept to show (all are counted).
pub const SHOWN: usize = 1_000;

/// How far a sweep has gone, and what it found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Swept {
    /// Records read so far.
    pub records: u64,
    /// Requests whose decision differs (the first [`SHOWN`]), labelled with their
    /// record number.
    pub changed: Vec<Changed>,
    /// How many differ in all.
    pub differing: u64,
    /// Records that are requests, events that are not, and malformed records.
    pub requests: u64,
    /// Events that are not requests.
    pub skipped: u64,
    /// Malformed records.
    pub malformed: u64,
    /// The first malformed record: where (line and column 0 when lines are not known
    /// there; the span's start is its byte offset) and `record N: …; skipped`.
    pub first_malformed: Option<(crate::source::Span, String)>,
    /// Every record of the trail has been read.
    pub done: bool,
}

/// A sweep running (or finished) on its thread.
#[derive(Debug)]
pub struct Sweep {
    state: Arc<Mutex<Swept>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Sweep {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Sweep {
    /// Starts comparing `baseline` with `set` on every request of `trail` (edited
    /// requests as edited).
    pub fn start(
        trail: Arc<LazyTrail>,
        baseline: PolicySet,
        set: PolicySet,
        edited: HashMap<u64, RequestSpec>,
    ) -> Sweep {
        let state = Arc::new(Mutex::new(Swept::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (Arc::clone(&state), Arc::clone(&stop));
        let spawned = std::thread::Builder::new()
            .name("trail changes".into())
            .spawn(move || run(&trail, &baseline, &set, &edited, &s, &st));
        if spawned.is_err() {
            // No thread: the view says nothing was compared rather than pretend.
            stop.store(true, Ordering::Relaxed);
        }
        Sweep { state, stop }
    }

    /// What it has found so far.
    pub fn swept(&self) -> Swept {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

fn run(
    trail: &LazyTrail,
    baseline: &PolicySet,
    set: &PolicySet,
    edited: &HashMap<u64, RequestSpec>,
    state: &Mutex<Swept>,
    stop: &AtomicBool,
) {
    let mut n = 0u64;
    let mut found = Vec::new();
    let mut differing = 0u64;
    let mut counts = Swept::default();
    loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let Some(record) = trail.record(n) else {
            if trail.progress().done && n >= trail.len() {
                break;
            }
            // The index has not got this far yet.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        let spec = match (edited.get(&n), record) {
            (Some(e), _) => Some(e.clone()),
            (None, Record::Request(spec)) => Some(*spec),
            (None, Record::Skipped(_)) => {
                counts.skipped += 1;
                None
            }
            (None, Record::Malformed { span, message }) => {
                counts.malformed += 1;
                counts.first_malformed.get_or_insert((span, message));
                None
            }
        };
        counts.requests += u64::from(spec.is_some());
        if let Some(spec) = spec {
            let p = PreparedRequest::new(&spec.request);
            let label = || format!("{}: {}", n + 1, spec.label(n as usize));
            if let Some(changed) = compare(baseline, set, &p, label) {
                differing += 1;
                if found.len() < SHOWN {
                    found.push(changed);
                }
            }
        }
        n += 1;
        if n % 4096 == 0 {
            publish(state, n, &found, differing, &counts, false);
        }
    }
    publish(state, n, &found, differing, &counts, true);
}

fn publish(
    state: &Mutex<Swept>,
    records: u64,
    found: &[Changed],
    differing: u64,
    counts: &Swept,
    done: bool,
) {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.records = records;
    if s.changed.len() != found.len() {
        s.changed = found.to_vec();
    }
    s.differing = differing;
    s.requests = counts.requests;
    s.skipped = counts.skipped;
    s.malformed = counts.malformed;
    if s.first_malformed.is_none() {
        s.first_malformed = counts.first_malformed.clone();
    }
    s.done = done;
}
