//! A large CloudTrail file in the TUI, opened at once and read as it is shown. The
//! trail is indexed in the background ([`LazyTrail`]); the scenario holds only a
//! window of its records as requests (those around the request shown), converted and
//! evaluated when the window moves there, so memory is what is on screen plus the
//! index. Requests edited in the form are kept by record number when the window moves
//! on, and undo finds them by that number.

use super::app::App;
use super::form::RequestForm;
use super::sweep::Sweep;
use crate::cloudtrail::index::{LazyTrail, Progress, Record};
use crate::policy::PolicySet;
use crate::scenario::{RequestSpec, Scenario};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many records the window holds.
pub const WINDOW: u64 = 64;

/// How long opening waits for the first records, so the first frame has requests to
/// show (the rest of the trail is indexed after it).
const FIRST_RECORDS: Duration = Duration::from_millis(120);

/// CloudTrail files from this size on (on disk) open lazily in the TUI; smaller ones
/// are read whole (a service's calls then linked to the caller's call).
pub const LAZY_FROM: u64 = 2 << 20;
/// The same for gzip files (a trail compresses about tenfold).
pub const LAZY_FROM_GZIP: u64 = 256 << 10;

/// The trail behind the scenario's requests.
#[derive(Debug)]
pub struct TrailView {
    /// The file, as messages name it.
    pub shown: String,
    /// The trail, read by record number (shared with the background sweep).
    pub trail: Arc<LazyTrail>,
    /// The records the window covers (record numbers, 0-based).
    pub window: Range<u64>,
    /// The record number of each of the scenario's requests.
    pub records: Vec<u64>,
    /// The window's records that are not requests: the record number and why (an
    /// event that is not a request, or a malformed record's message and place).
    pub not_requests: Vec<(u64, String)>,
    /// Requests edited in the form, by record number: kept when the window moves.
    pub edited: HashMap<u64, RequestSpec>,
    /// Indexing was seen finished (the last progress reported).
    pub indexed: bool,
    /// The changes view over the whole trail, and what it compares (the policies as
    /// loaded, as now, and the edited requests): started again when they change.
    pub sweep: Option<(Sweep, PolicySet, PolicySet, HashMap<u64, RequestSpec>)>,
    /// What the trail holds (requests, other events, malformed records) was said.
    pub counted: bool,
}

impl TrailView {
    /// How far indexing has gone.
    pub fn progress(&self) -> Progress {
        self.trail.progress()
    }

    /// The record of request `i` of the window.
    pub fn record_of(&self, i: usize) -> Option<u64> {
        self.records.get(i).copied()
    }
}

impl App {
    /// A TUI state on the CloudTrail file at `path`, opened without reading it whole:
    /// records are indexed in the background and converted as they are shown.
    pub fn open_trail(path: &Path, shown: String) -> std::io::Result<App> {
        let trail = Arc::new(LazyTrail::open(path)?);
        // The first frame shows the first records: wait for them a moment.
        let started = Instant::now();
        while trail.len() < WINDOW && !trail.progress().done && started.elapsed() < FIRST_RECORDS {
            std::thread::sleep(Duration::from_millis(2));
        }
        let scenario = Scenario {
            name: Some(shown.clone()),
            description: Some(
                "CloudTrail events as requests, read as they are shown (the file is large): a service's calls are not linked to the caller's call that caused them, and repeated names are not numbered."
                    .into(),
            ),
            sources: Vec::new(),
            set: PolicySet::new(),
            requests: Vec::new(),
            source_map: Default::default(),
            template: None,
        };
        let mut app = App::new(scenario, None);
        app.trail = Some(TrailView {
            shown: shown.clone(),
            trail,
            window: 0..0,
            records: Vec::new(),
            not_requests: Vec::new(),
            edited: HashMap::new(),
            indexed: false,
            sweep: None,
            counted: false,
        });
        app.move_window(0);
        app.evaluate_now();
        app.baseline = app.set.clone();
        app.message = Some(format!(
            "{shown}: a large trail, read as it is shown (indexing in the background)"
        ));
        Ok(app)
    }

    /// Fills the window with the records around `record` (or the first request after
    /// it) and shows that request. The results wait for the next evaluation.
    pub fn move_window(&mut self, record: u64) {
        let Some(view) = &mut self.trail else {
            return;
        };
        let len = view.trail.len();
        let start = record
            .saturating_sub(WINDOW / 2)
            .min(len.saturating_sub(WINDOW));
        let end = (start + WINDOW).min(len);
        let mut requests = Vec::new();
        let mut records = Vec::new();
        let mut not_requests = Vec::new();
        for n in start..end {
            match view.trail.record(n) {
                Some(Record::Request(spec)) => {
                    requests.push(view.edited.get(&n).cloned().unwrap_or(*spec));
                    records.push(n);
                }
                Some(Record::Skipped(why)) => not_requests.push((n, why)),
                Some(Record::Malformed { span, message }) => {
                    let place = if span.line > 0 {
                        format!("{}:{}:{}: ", view.shown, span.line, span.column)
                    } else {
                        format!("{}: byte {}: ", view.shown, span.start)
                    };
                    not_requests.push((n, format!("{place}{message}")));
                }
                None => break,
            }
        }
        view.window = start..end;
        let shown = records
            .iter()
            .position(|&n| n >= record)
            .unwrap_or(records.len().saturating_sub(1));
        view.records = records;
        view.not_requests = not_requests;
        self.scenario.requests = requests;
        self.results.clear();
        self.why = None;
        self.fixes = None;
        self.request = shown;
        self.form = RequestForm::for_spec(self.scenario.requests.get(shown));
        self.trace.to_top();
        self.grid.follow_request();
        // Evaluated again, without counting as an edit.
        self.generation += 1;
    }

    /// Moves to the next (`forward`) or previous request of the trail, moving the
    /// window when the request is outside it. True when the window moved (the
    /// requests need evaluating).
    pub fn step_trail(&mut self, forward: bool) -> bool {
        let Some(view) = &self.trail else {
            return false;
        };
        let n = self.scenario.requests.len();
        if forward && self.request + 1 < n {
            self.select_request(self.request + 1);
            return false;
        }
        if !forward && self.request > 0 && n > 0 {
            self.select_request(self.request - 1);
            return false;
        }
        let len = view.trail.len();
        let done = view.trail.progress().done;
        let target = if forward {
            if view.window.end < len {
                view.window.end
            } else if done {
                // Round to the first, as the requests of a scenario do.
                0
            } else {
                return false;
            }
        } else if view.window.start > 0 {
            view.window.start - 1
        } else if done && len > 0 {
            len - 1
        } else {
            return false;
        };
        let before = (view.window.clone(), view.records.get(self.request).copied());
        self.move_window(target);
        if !forward {
            // The last request at or before the target.
            if let Some(view) = &self.trail {
                let k = view.records.iter().rposition(|&r| r <= target);
                self.request = k.unwrap_or(0);
                self.form = RequestForm::for_spec(self.scenario.requests.get(self.request));
            }
        }
        let after = self
            .trail
            .as_ref()
            .map(|v| (v.window.clone(), v.records.get(self.request).copied()));
        after != Some(before)
    }

    /// Takes in indexing progress (the event loop calls this while a trail is being
    /// indexed): a window not yet full is filled as records are found. True when the
    /// requests changed and need evaluating.
    pub fn trail_tick(&mut self) -> bool {
        self.poll_sweep();
        let Some(view) = &mut self.trail else {
            return false;
        };
        if view.indexed {
            return false;
        }
        let progress = view.trail.progress();
        view.indexed = progress.done;
        if progress.done {
            self.message = Some(match &progress.error {
                Some(e) => format!(
                    "{}:{e} (the {} records before it are shown)",
                    view.shown,
                    fmt_count(progress.records)
                ),
                None => format!("{}: {} records", view.shown, fmt_count(progress.records)),
            });
        }
        let full = view.window.end - view.window.start >= WINDOW;
        if full || progress.records <= view.window.end {
            return false;
        }
        let at = view
            .records
            .get(self.request)
            .copied()
            .unwrap_or(view.window.start);
        let request = self.request;
        self.move_window(at);
        // Keep the request shown where it was (the window only grew after it).
        if self.trail.as_ref().and_then(|v| v.records.get(request)) == Some(&at) {
            self.request = request;
        }
        true
    }

    /// The changes view of a trail: compares the policies as loaded with now over
    /// every record, in the background (started again when what it compares changed).
    pub fn refresh_trail_changes(&mut self) {
        let (Some(view), Some(baseline), Some(set)) = (&mut self.trail, &self.baseline, &self.set)
        else {
            return;
        };
        let current = view
            .sweep
            .as_ref()
            .is_some_and(|(_, b, s, e)| b == baseline && s == set && *e == view.edited);
        if !current {
            let sweep = Sweep::start(
                Arc::clone(&view.trail),
                baseline.clone(),
                set.clone(),
                view.edited.clone(),
            );
            view.sweep = Some((sweep, baseline.clone(), set.clone(), view.edited.clone()));
        }
        self.poll_sweep();
    }

    /// Shows what the trail's sweep has found so far in the changes view.
    fn poll_sweep(&mut self) {
        let Some((sweep, ..)) = self.trail.as_ref().and_then(|v| v.sweep.as_ref()) else {
            return;
        };
        let swept = sweep.swept();
        if swept.done {
            self.say_counts(&swept);
        }
        let total = self.trail.as_ref().map_or(0, |v| v.trail.len());
        let differing = match swept.differing {
            0 => "none differ".to_string(),
            n if n as usize > swept.changed.len() => {
                format!(
                    "{} differ (the first {} listed)",
                    fmt_count(n),
                    fmt_count(swept.changed.len() as u64)
                )
            }
            n => format!("{} differ", fmt_count(n)),
        };
        self.changes.progress = Some(if swept.done {
            format!(
                "all {} records compared: {differing}",
                fmt_count(swept.records)
            )
        } else {
            format!(
                "{} of {} records compared so far: {differing}",
                fmt_count(swept.records),
                fmt_count(total)
            )
        });
        self.changes.requests = swept.changed;
    }

    /// Goes to request number `text` (1-based; a trail's record number, thousands
    /// separators allowed). True when a trail's window moved (the requests need
    /// evaluating); a number out of range is said in the status bar.
    pub fn go_to(&mut self, text: &str) -> bool {
        let digits: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ',' | '_' | ' '))
            .collect();
        let total = match &self.trail {
            Some(t) => t.trail.len(),
            None => self.scenario.requests.len() as u64,
        };
        let what = if self.trail.is_some() {
            "record"
        } else {
            "request"
        };
        let n = match digits.parse::<u64>() {
            Ok(n) if (1..=total).contains(&n) => n,
            _ => {
                let indexing = self.trail.as_ref().is_some_and(|t| !t.progress().done);
                self.message = Some(if indexing {
                    format!(
                        "no record {} yet: {} records indexed so far",
                        text.trim(),
                        fmt_count(total)
                    )
                } else {
                    format!(
                        "no {what} {}: the numbers go from 1 to {}",
                        text.trim(),
                        fmt_count(total)
                    )
                });
                return false;
            }
        };
        if self.trail.is_none() {
            self.select_request((n - 1) as usize);
            return false;
        }
        self.move_window(n - 1);
        if let Some(view) = &self.trail {
            match view.records.get(self.request) {
                Some(&r) if r != n - 1 => {
                    let why = view
                        .not_requests
                        .iter()
                        .find(|(k, _)| *k == n - 1)
                        .map_or(String::new(), |(_, w)| format!(" ({w})"));
                    self.message = Some(format!(
                        "record {} is not a request{why}: showing record {}",
                        fmt_count(n),
                        fmt_count(r + 1)
                    ));
                }
                None => self.message = Some(format!("record {} is not a request", fmt_count(n))),
                Some(_) => {}
            }
        }
        true
    }

    /// Says once what the trail holds, when a sweep has read all of it: requests,
    /// events that are not requests, and malformed records (the first with its place).
    fn say_counts(&mut self, swept: &super::sweep::Swept) {
        let Some(view) = &mut self.trail else {
            return;
        };
        if view.counted {
            return;
        }
        view.counted = true;
        let mut said = format!(
            "{}: {} records, {} of them requests",
            view.shown,
            fmt_count(swept.records),
            fmt_count(swept.requests)
        );
        if swept.skipped > 0 {
            said.push_str(&format!(
                ", {} events that are not requests",
                fmt_count(swept.skipped)
            ));
        }
        if let Some((span, message)) = &swept.first_malformed {
            let place = if span.line > 0 {
                format!("{}:{}:{}", view.shown, span.line, span.column)
            } else {
                format!("{}: byte {}", view.shown, span.start)
            };
            said = format!(
                "{place}: {message} ({} malformed records skipped); {said}",
                fmt_count(swept.malformed)
            );
        }
        self.message = Some(said);
    }

    /// The key a request change is kept under in the undo history: its record number
    /// in a trail, its index otherwise.
    pub fn request_key(&self, i: usize) -> usize {
        match &self.trail {
            Some(v) => v.record_of(i).map_or(usize::MAX, |r| r as usize),
            None => i,
        }
    }

    /// The request that `key` (from [`App::request_key`]) names, brought into the
    /// window when it is in a trail; `None` when it is no request.
    pub fn request_at_key(&mut self, key: usize) -> Option<usize> {
        let Some(view) = &self.trail else {
            return Some(key);
        };
        let record = key as u64;
        if let Some(i) = view.records.iter().position(|&r| r == record) {
            return Some(i);
        }
        self.move_window(record);
        let view = self.trail.as_ref()?;
        view.records.iter().position(|&r| r == record)
    }

    /// Keeps request `i`'s edit by its record number (a trail's window moves on).
    pub fn keep_trail_edit(&mut self, i: usize) {
        let Some(view) = &mut self.trail else {
            return;
        };
        if let (Some(n), Some(spec)) = (view.record_of(i), self.scenario.requests.get(i)) {
            view.edited.insert(n, spec.clone());
        }
    }
}

/// `n` with thousands separated by commas.
pub fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
