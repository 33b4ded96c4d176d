//! CloudTrail input: any bytes. Must never panic or hang.
//!
//! - `cloudtrail::split::Splitter` over the bytes (gzip decompressed first, as
//!   `replay` does), with `next_batch` sizes from tiny to unbounded chosen from the
//!   first byte; every record through `with_event(record, convert)` and through a
//!   replay `Tally` (against a built-in scenario, with and without a caller filter).
//! - The records found do not depend on how the input is batched or read: the
//!   splitter run with `next_batch(1)` over a reader that stops (with an I/O error,
//!   after which the splitter is asked again) every few bytes, as a stream larger
//!   than the splitter's 1 MiB chunk stops at chunk ends, finds the same records and
//!   the same error as over the whole input at once; any batching gives a prefix of
//!   them and the same error.
//! - `cloudtrail::requests_from_text` on UTF-8 input (its errors point into the text).
//! - `input::decode`, then `input::load_with` without a principal, with a
//!   user or role of `account_principals` and with a string taken from the text; for
//!   a scenario that loads, every request evaluates (decision and trace agree) and its
//!   policies lint.

#![no_main]

use iamtrace::cloudtrail::replay::{Filter, Tally};
use iamtrace::cloudtrail::split::{SplitError, Splitter};
use iamtrace::cloudtrail::{convert, requests_from_text, with_event};
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::{LoadOptions, account_principals, decode, load_with};
use iamtrace::policy::PolicySet;
use iamtrace::read::{decompressed, is_gzip};
use iamtrace::scenario::Scenario;
use iamtrace::trace::text::{TextOptions, render};
use libfuzzer_sys::fuzz_target;
use std::io::Read;
use std::sync::LazyLock;

/// `next_batch` sizes: a record at a time up to the whole input.
const SIZES: [usize; 8] = [1, 2, 7, 64, 512, 4096, 1 << 20, usize::MAX];

/// The policy set replayed against: a built-in scenario (its VPN guard and SCP make
/// both directions of difference possible).
static SET: LazyLock<PolicySet> = LazyLock::new(|| {
    let path = iamtrace_fuzz::repo_root().join("assets/scenarios/client-vpn-fixed.json");
    let text = std::fs::read_to_string(&path).expect("readable scenario");
    iamtrace::input::load_str(&text)
        .expect("the built-in scenario loads")
        .set
});

/// Reads `data`, stopping with an I/O error after every `stride` bytes (once per
/// stop; reading again goes on).
struct Stopping<'a> {
    data: &'a [u8],
    pos: usize,
    stride: usize,
    next_stop: usize,
    stopped: bool,
}

impl Read for Stopping<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.next_stop && self.pos < self.data.len() && !self.stopped {
            self.stopped = true;
            return Err(std::io::Error::other("stop"));
        }
        if self.pos == self.next_stop {
            self.stopped = false;
            self.next_stop += self.stride;
        }
        let n = out
            .len()
            .min(self.next_stop - self.pos)
            .min(self.data.len() - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// What a split gave: the records' bytes and the error it ended with.
#[derive(Debug, PartialEq)]
struct Split {
    records: Vec<Vec<u8>>,
    error: Option<SplitError>,
}

/// Splits with the sizes of `sizes` (in turn), handing each record to `each`.
/// `retry_read_errors`: ask again after a read error (the `Stopping` reader).
fn split<R: Read>(
    mut splitter: Splitter<R>,
    sizes: impl Iterator<Item = usize>,
    retry_read_errors: bool,
    mut each: impl FnMut(&[u8]),
) -> Split {
    let mut out = Split {
        records: Vec::new(),
        error: None,
    };
    let mut stops = 0usize;
    for size in sizes {
        match splitter.next_batch(size) {
            Ok(Some(batch)) => {
                assert!(!batch.records.is_empty(), "a batch without records");
                let mut last_end = 0;
                for r in &batch.records {
                    assert!(
                        r.start >= last_end && r.start < r.end && r.end <= batch.data.len(),
                        "record {r:?} out of order or outside its batch ({} bytes)",
                        batch.data.len()
                    );
                    last_end = r.end;
                    let record = &batch.data[r.clone()];
                    each(record);
                    out.records.push(record.to_vec());
                }
            }
            Ok(None) => break,
            Err(e) if retry_read_errors && e.message.starts_with("cannot read: stop") => {
                stops += 1;
                assert!(stops < 1 << 20, "read errors without end");
            }
            Err(e) => {
                out.error = Some(e);
                break;
            }
        }
    }
    out
}

fn check_scenario(scenario: &Scenario) {
    for spec in &scenario.requests {
        let prepared = PreparedRequest::new(&spec.request);
        let quick = evaluate(&scenario.set, &prepared, Detail::Decision);
        let full = evaluate(&scenario.set, &prepared, Detail::Trace);
        assert_eq!(
            quick.decision, full.decision,
            "decision-only and traced disagree"
        );
        let trace = full.trace.expect("Detail::Trace gives a trace");
        let _ = render(&trace, TextOptions::default(), 0);
    }
    let _ = scenario.size_warnings();
    if !scenario.sources.is_empty() {
        let _ = iamtrace::lint::lint_scenario(scenario);
        let _ = iamtrace::lint::lint_sources(scenario);
    }
}

fn load(text: &str, principal: Option<String>) {
    match load_with(
        text,
        &LoadOptions {
            principal,
            ..Default::default()
        },
    ) {
        Ok(s) => check_scenario(&s),
        Err(e) => assert!(
            !e.diagnostics.is_empty(),
            "a load error without a diagnostic"
        ),
    }
}

/// The last quoted string of `text` (any string a user might type as a principal).
fn quoted_string(text: &str) -> Option<String> {
    let end = text.rfind('"')?;
    let start = text[..end].rfind('"')?;
    Some(text[start + 1..end].to_string())
}

fn requests_and_events(data: &[u8]) {
    let sel = data.first().copied().unwrap_or(0) as usize;
    let set = &*SET;
    let filter = Filter {
        caller: std::str::from_utf8(data).ok().and_then(quoted_string),
    };
    let mut tally = Tally::default();
    let mut filtered = Tally::default();
    let mut each = |record: &[u8]| {
        if let Ok(Ok(c)) = with_event(record, convert) {
            let _ = c.recorded.describe();
        }
        let _ = with_event(record, |e| {
            tally.add(set, e, &Filter::default());
            filtered.add(set, e, &filter);
        });
    };
    let sizes = (0..).map(|i| SIZES[(sel + i) % SIZES.len()]);
    if is_gzip(data) {
        // As `replay` reads a file: decompressed by magic bytes.
        if let Ok(reader) = decompressed(std::io::Cursor::new(data.to_vec())) {
            split(Splitter::new(reader), sizes, false, &mut each);
        }
    } else {
        let batched = split(Splitter::new(data), sizes, false, &mut each);
        let whole = split(Splitter::new(data), std::iter::repeat(1), false, |_| {});
        let stride = 1 + (sel >> 3) % 8;
        let stopping = Stopping {
            data,
            pos: 0,
            stride,
            next_stop: stride,
            stopped: false,
        };
        let stopped = split(Splitter::new(stopping), std::iter::repeat(1), true, |_| {});
        assert_eq!(
            whole, stopped,
            "records differ when the input stops every {stride} bytes"
        );
        assert!(
            whole.records.starts_with(&batched.records),
            "batching changed the records"
        );
        if batched.error.is_some() {
            assert_eq!(whole.error, batched.error, "batching changed the error");
        }
    }
    let mut merged = tally.clone();
    merged.merge(filtered);
    let _ = merged.compared();
    let _ = merged.skipped_total();
}

fuzz_target!(|data: &[u8]| {
    requests_and_events(data);

    if let Ok(text) = std::str::from_utf8(data) {
        let diagnostics = match requests_from_text(text) {
            Err(diagnostics) => {
                assert!(!diagnostics.is_empty(), "an error without a diagnostic");
                diagnostics
            }
            // Records skipped as malformed point into the text too.
            Ok(trail) => trail.malformed,
        };
        {
            for d in &diagnostics {
                let s = d.span;
                assert!(
                    s.start <= s.end && s.end as usize <= text.len(),
                    "diagnostic span {s:?} outside the text ({} bytes): {}",
                    text.len(),
                    d.message
                );
            }
        }
    }

    let Ok(text) = decode(data.to_vec()) else {
        return;
    };
    load(&text, None);
    let sel = data.first().copied().unwrap_or(0) as usize;
    if let Some(choices) = account_principals(&text) {
        if !choices.is_empty() {
            let c = &choices[sel % choices.len()];
            let _ = (&c.kind, &c.summary);
            load(&text, Some(c.name.clone()));
            load(&text, Some(c.arn.clone()));
        }
    }
    if let Some(s) = quoted_string(&text) {
        load(&text, Some(s));
    }
});
