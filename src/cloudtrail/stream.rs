//! CloudTrail records read as requests one at a time, in memory that does not grow with
//! the trail: what `iamtrace eval` uses for large trails. Records are found by the
//! same splitter as replay's, read with the same per-record reader (a malformed record
//! costs itself only), named as [`super::requests_from_text`] names them, and
//! positioned by counting lines as the stream goes by. What needs the whole trail is
//! left out: a service's call is not linked (`via`) to the caller's call that caused it
//! (CloudTrail often logs that one later), and the description comes at the end.

use super::split::{Batch, LinePos, SplitError, Splitter};
use super::{Converted, base_name, convert, describe, read_record, spec_of};
use crate::scenario::RequestSpec;
use crate::source::{SourceId, Span};
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::io::Read;

/// How many bytes of records the splitter hands over at a time.
const BATCH: usize = 1 << 20;

/// One record of the stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// An event, as a request.
    Request(RequestSpec),
    /// A record skipped: malformed, or longer than a record may be.
    Malformed {
        /// Its 1-based number in the stream.
        number: u64,
        /// Where it is (the problem's place, or the record's start).
        span: Span,
        /// `record N: …; skipped`.
        message: String,
    },
}

/// Requests from a CloudTrail stream (decompressed already), one [`Item`] at a time.
pub struct Stream<R> {
    splitter: Splitter<R>,
    batch: Option<Batch>,
    /// The next record of `batch` to read, and the next of its oversized ones to report
    /// (those come first: they were skipped before its records).
    next: usize,
    oversized_next: usize,
    /// The line position at `pos` in the batch's data: 0-based line, characters since
    /// the line's start. Records come in order, so the counting reads each byte once.
    pos: usize,
    at: LinePos,
    /// False once bytes went by uncounted (an oversized record is dropped as it is
    /// scanned): positions after it are byte offsets only (line 0).
    lines_known: bool,
    /// How often each request name was given (by a hash of the name: flat memory), for
    /// the `#N` of repeats.
    seen: HashMap<u64, u32, foldhash::fast::FixedState>,
    hasher: foldhash::fast::FixedState,
    /// Counts so far.
    total: u64,
    converted: u64,
    skipped: Vec<(String, usize)>,
    malformed: u64,
    first_malformed: Option<(u64, u64, String)>,
}

impl<R: Read> Stream<R> {
    /// A stream over `reader`.
    pub fn new(reader: R) -> Self {
        Stream {
            splitter: Splitter::new(reader),
            batch: None,
            next: 0,
            oversized_next: 0,
            pos: 0,
            at: LinePos::default(),
            lines_known: true,
            seen: HashMap::default(),
            hasher: foldhash::fast::FixedState::default(),
            total: 0,
            converted: 0,
            skipped: Vec::new(),
            malformed: 0,
            first_malformed: None,
        }
    }

    /// The next record; `Ok(None)` at the end. An error is a stream whose structure
    /// breaks (what follows cannot be split into records): nothing after it is read.
    pub fn next_item(&mut self) -> Result<Option<Item>, SplitError> {
        loop {
            let Some(batch) = &self.batch else {
                match self.splitter.next_batch(BATCH)? {
                    Some(b) => {
                        self.lines_known &= b.oversized.is_empty();
                        self.oversized_next = 0;
                        self.batch = Some(b);
                        self.next = 0;
                        self.pos = 0;
                        continue;
                    }
                    None => return Ok(None),
                }
            };
            if self.oversized_next < batch.oversized.len() {
                let o = batch.oversized[self.oversized_next];
                self.oversized_next += 1;
                self.total += 1;
                let item = Item::Malformed {
                    number: o.number,
                    // Its bytes went by uncounted: a byte offset only.
                    span: Span {
                        start: o.offset,
                        end: o.offset,
                        line: 0,
                        column: 0,
                        source: SourceId::FILE,
                    },
                    message: format!(
                        "record {}: larger than {}, the most one record may hold; skipped",
                        o.number,
                        crate::read::size_text(crate::read::DEFAULT_MAX_RECORD)
                    ),
                };
                self.note_malformed(&item);
                return Ok(Some(item));
            }
            if self.next >= batch.records.len() {
                // Count the lines of what this batch handed over; the rest of its
                // data (a partial record) starts the next batch.
                let cut = batch.records.last().map_or(0, |r| r.end);
                self.advance(cut);
                self.batch = None;
                continue;
            }
            let k = self.next;
            self.next += 1;
            self.total += 1;
            let batch = self.batch.as_ref().expect("a batch is held");
            let number = batch.first_index + k as u64 + 1;
            let range = batch.records[k].clone();
            let offset = batch.offset;
            match read_record(&batch.data[range.clone()], convert) {
                Err(m) => {
                    let span = self.span(offset, range.start + m.offset, range.start + m.offset);
                    let item = Item::Malformed {
                        number,
                        span,
                        message: format!(
                            "record {number}: {}; skipped",
                            super::without_position(&m.message)
                        ),
                    };
                    self.note_malformed(&item);
                    return Ok(Some(item));
                }
                Ok(Err(skipped)) => {
                    match self.skipped.iter_mut().find(|(r, _)| *r == skipped.reason) {
                        Some((_, n)) => *n += 1,
                        None => self.skipped.push((skipped.reason, 1)),
                    }
                }
                Ok(Ok(c)) => {
                    let span = self.span(offset, range.start, range.end);
                    self.converted += 1;
                    let name = self.name(&c);
                    return Ok(Some(Item::Request(spec_of(&c, name, None, span))));
                }
            }
        }
    }

    /// What was converted and skipped so far, in the words of a trail's description.
    pub fn description(&self) -> String {
        describe(
            self.total,
            self.converted,
            &self.skipped,
            self.malformed,
            self.first_malformed
                .as_ref()
                .map(|(l, c, m)| (*l, *c, m.as_str())),
        )
    }

    /// Records read so far, and how many of them were malformed.
    pub fn counts(&self) -> (u64, u64) {
        (self.total, self.malformed)
    }

    fn note_malformed(&mut self, item: &Item) {
        self.malformed += 1;
        if let (None, Item::Malformed { span, message, .. }) = (&self.first_malformed, item) {
            self.first_malformed = Some((span.line, u64::from(span.column), message.clone()));
        }
    }

    /// `base_name`, with ` #N` from its second time on.
    fn name(&mut self, c: &Converted) -> String {
        let base = base_name(c);
        let n = self.seen.entry(self.hasher.hash_one(&base)).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            format!("{base} #{n}")
        }
    }

    /// The span of `start..end` (offsets in the held batch's data, whose first byte is
    /// at stream offset `offset`).
    fn span(&mut self, offset: u64, start: usize, end: usize) -> Span {
        self.advance(start);
        let (line, column) = if self.lines_known {
            self.at.place()
        } else {
            (0, 0)
        };
        Span {
            start: offset + start as u64,
            end: offset + end as u64,
            line,
            column,
            source: SourceId::FILE,
        }
    }

    /// Moves the line position forward to `to` in the held batch's data.
    fn advance(&mut self, to: usize) {
        let Some(batch) = &self.batch else { return };
        if to <= self.pos {
            return;
        }
        self.at.advance(&batch.data[self.pos..to]);
        self.pos = to;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Diagnostic;

    fn event(name: &str, extra: &str) -> String {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}},"eventTime":"2026-11-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9"{extra}}}"#
        )
    }

    fn collect(text: &str) -> (Vec<Item>, String) {
        let mut s = Stream::new(text.as_bytes());
        let mut items = Vec::new();
        while let Some(i) = s.next_item().expect("splits") {
            items.push(i);
        }
        (items, s.description())
    }

    /// The streamed requests are the whole-text reader's, but for `via`, and the
    /// description and malformed positions agree.
    #[test]
    fn agrees_with_the_whole_text_reader() {
        let good = event("ListBuckets", "");
        let bad = event("GetObject", r#","resources":5"#);
        let texts = [
            format!("{good}\n{good}\n  {bad}\n{}\n", event("PutObject", "")),
            format!("{{\"Records\": [\n{good},\n{bad},\n  {good}\n]}}\n"),
            format!("{{\"Records\":[{good},{bad},{good}]}}"),
            format!("{{\"Records\":[{good},{{\"é\":\"ü\"}},{bad}]}}"),
        ];
        for text in &texts {
            let whole = super::super::requests_from_text(text).expect("reads");
            let (items, description) = collect(text);
            let requests: Vec<&RequestSpec> = items
                .iter()
                .filter_map(|i| match i {
                    Item::Request(r) => Some(r),
                    _ => None,
                })
                .collect();
            let malformed: Vec<Diagnostic> = items
                .iter()
                .filter_map(|i| match i {
                    Item::Malformed { span, message, .. } => {
                        Some(Diagnostic::error(*span, message.clone()))
                    }
                    _ => None,
                })
                .collect();
            assert_eq!(requests.len(), whole.requests.len(), "{text}");
            for (a, b) in requests.iter().zip(&whole.requests) {
                let mut b = b.clone();
                b.via = None;
                assert_eq!(**a, b);
            }
            assert_eq!(malformed, whole.malformed, "{text}");
            assert_eq!(description, whole.description);
        }
    }

    /// Positions stay right across batches (records spread over several megabytes).
    #[test]
    fn lines_across_batches() {
        let good = event("ListBuckets", r#","userAgent":"é""#);
        let bad = event("GetObject", r#","resources":5"#);
        let mut text = String::new();
        for i in 0..12000 {
            text.push_str(if i % 3000 == 2999 { &bad } else { &good });
            text.push('\n');
        }
        assert!(text.len() > 3 * BATCH);
        let whole = super::super::requests_from_text(&text).expect("reads");
        let (items, _) = collect(&text);
        let malformed_lines: Vec<u64> = whole.malformed.iter().map(|d| d.span.line).collect();
        assert_eq!(malformed_lines, vec![3000, 6000, 9000, 12000]);
        let streamed: Vec<(u64, u32)> = items
            .iter()
            .filter_map(|i| match i {
                Item::Malformed { span, .. } => Some((span.line, span.column)),
                _ => None,
            })
            .collect();
        let expected: Vec<(u64, u32)> = whole
            .malformed
            .iter()
            .map(|d| (d.span.line, d.span.column))
            .collect();
        assert_eq!(streamed, expected);
        // Every request's place, and its name (#N for repeats), as the whole-text
        // reader gives them.
        let spans: Vec<Span> = items
            .iter()
            .filter_map(|i| match i {
                Item::Request(r) => Some(r.span),
                _ => None,
            })
            .collect();
        let whole_spans: Vec<Span> = whole.requests.iter().map(|r| r.span).collect();
        assert_eq!(spans, whole_spans);
        let last = items.iter().rev().find_map(|i| match i {
            Item::Request(r) => r.name.clone(),
            _ => None,
        });
        assert_eq!(last, whole.requests.last().and_then(|r| r.name.clone()));
    }
}
