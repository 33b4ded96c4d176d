//! CloudTrail records read as requests one at a time, in memory that does not grow with
//! the trail: what `iamtrace eval` uses for large trails. Records are found by the
//! same splitter as replay's, read with the same per-record reader (a malformed record
//! costs itself only), named as [`super::requests_from_text`] names them, and
//! positioned by counting lines as the stream goes by. What needs the whole trail is
//! left out: a service's call is not linked (`via`) to the caller's call that caused it
//! (CloudTrail often logs that one later), and the description comes at the end.

use super::split::{Batch, LinePos, SplitError, Splitter};
use super::{base_name, convert, describe, read_record, spec_of};
use crate::eval::Request;
use crate::scenario::RequestSpec;
use crate::source::{SourceId, Span};
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;
use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex};

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

/// What is made of one record before it is named and placed: the part that needs no
/// other record, done for a whole batch at a time (on a worker thread, in a
/// [`Stream::parallel`]).
enum Pre<T> {
    /// Malformed: where in the batch's data, and serde's message without its position.
    Malformed { at: usize, message: String },
    /// An event that is not a request, and why.
    Skipped(String),
    /// A request, named by its event alone (the ` #N` of repeats and its place are
    /// given in order), and what the stream's function made of it.
    Converted(Box<RequestSpec>, T),
}

/// A batch and what was made of each of its records.
type Prepared<T> = (Batch, Vec<Pre<T>>);

/// Reads and converts every record of `batch`, and applies `f` to each request.
fn prepare<T>(batch: &Batch, f: &(dyn Fn(&Request) -> T + Send + Sync)) -> Vec<Pre<T>> {
    batch
        .records
        .iter()
        .map(
            |range| match read_record(&batch.data[range.clone()], convert) {
                Err(m) => Pre::Malformed {
                    at: range.start + m.offset,
                    message: super::without_position(&m.message).to_string(),
                },
                Ok(Err(skipped)) => Pre::Skipped(skipped.reason),
                Ok(Ok(c)) => {
                    let t = f(&c.request);
                    let spec = spec_of(&c, base_name(&c), None, Span::default());
                    Pre::Converted(Box::new(spec), t)
                }
            },
        )
        .collect()
}

/// Where batches come from: the splitter on this thread, or a pipeline of threads.
enum Source<R, T> {
    Here {
        splitter: Splitter<R>,
        f: Box<dyn Fn(&Request) -> T + Send + Sync>,
    },
    Workers(Pipeline<T>),
}

/// Requests from a CloudTrail stream (decompressed already), one [`Item`] at a time,
/// each with what a function made of its request (`T`; see [`Stream::parallel`]).
pub struct Stream<R, T = ()> {
    source: Source<R, T>,
    batch: Option<Batch>,
    pre: std::vec::IntoIter<Pre<T>>,
    /// The next record of `batch`, and the next of its oversized ones to report
    /// (those come first: they were skipped before its records).
    next: usize,
    oversized_next: usize,
    /// The line position at `pos` in the batch's data. Records come in order, so the
    /// counting reads each byte once.
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
    /// A stream over `reader`, read on this thread.
    pub fn new(reader: R) -> Self {
        Stream::with_source(Source::Here {
            splitter: Splitter::new(reader),
            f: Box::new(|_| ()),
        })
    }

    /// The next record; `Ok(None)` at the end. An error is a stream whose structure
    /// breaks (what follows cannot be split into records): nothing after it is read.
    pub fn next_item(&mut self) -> Result<Option<Item>, SplitError> {
        Ok(self.next_with()?.map(|(item, _)| item))
    }
}

impl<T: Send + 'static> Stream<Box<dyn Read + Send>, T> {
    /// A stream over `reader` whose records are split on a thread of their own, read,
    /// converted and given to `f` on `workers` threads, a batch at a time, then named
    /// and placed in order on the caller's thread: the items, and `f`'s results beside
    /// them, come in the order of the records, as [`Stream::new`] gives them. At most
    /// a few batches are in flight (memory stays flat); `f` sees each request before it
    /// is named and placed, so it may use only the request.
    pub fn parallel(
        reader: Box<dyn Read + Send>,
        workers: usize,
        f: impl Fn(&Request) -> T + Send + Sync + 'static,
    ) -> Self {
        Stream::with_source(Source::Workers(Pipeline::start(
            reader,
            workers.max(1),
            Arc::new(f),
        )))
    }
}

impl<R: Read, T> Stream<R, T> {
    fn with_source(source: Source<R, T>) -> Self {
        Stream {
            source,
            batch: None,
            pre: Vec::new().into_iter(),
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

    /// The next batch and what was made of its records.
    fn fetch(&mut self) -> Result<Option<Prepared<T>>, SplitError> {
        match &mut self.source {
            Source::Here { splitter, f } => Ok(splitter.next_batch(BATCH)?.map(|b| {
                let pre = prepare(&b, f.as_ref());
                (b, pre)
            })),
            Source::Workers(p) => p.next(),
        }
    }

    /// The next record, with what the stream's function made of it when it is a
    /// request; `Ok(None)` at the end. An error is a stream whose structure breaks
    /// (what follows cannot be split into records): nothing after it is read.
    pub fn next_with(&mut self) -> Result<Option<(Item, Option<T>)>, SplitError> {
        loop {
            let Some(batch) = &self.batch else {
                match self.fetch()? {
                    Some((b, pre)) => {
                        self.lines_known &= b.oversized.is_empty();
                        self.oversized_next = 0;
                        self.batch = Some(b);
                        self.pre = pre.into_iter();
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
                return Ok(Some((item, None)));
            }
            let Some(pre) = self.pre.next() else {
                // Count the lines of what this batch handed over; the rest of its
                // data (a partial record) starts the next batch.
                let cut = batch.records.last().map_or(0, |r| r.end);
                self.advance(cut);
                self.batch = None;
                continue;
            };
            let k = self.next;
            self.next += 1;
            self.total += 1;
            let number = batch.first_index + k as u64 + 1;
            let range = batch.records[k].clone();
            let offset = batch.offset;
            match pre {
                Pre::Malformed { at, message } => {
                    let span = self.span(offset, at, at);
                    let item = Item::Malformed {
                        number,
                        span,
                        message: format!("record {number}: {message}; skipped"),
                    };
                    self.note_malformed(&item);
                    return Ok(Some((item, None)));
                }
                Pre::Skipped(reason) => match self.skipped.iter_mut().find(|(r, _)| *r == reason) {
                    Some((_, n)) => *n += 1,
                    None => self.skipped.push((reason, 1)),
                },
                Pre::Converted(mut spec, t) => {
                    spec.span = self.span(offset, range.start, range.end);
                    self.converted += 1;
                    spec.name = spec.name.take().map(|base| self.name(base));
                    return Ok(Some((Item::Request(*spec), Some(t))));
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

    /// `base` (a `base_name`), with ` #N` from its second time on.
    fn name(&mut self, base: String) -> String {
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

/// What the pipeline's threads send the stream.
enum Msg<T> {
    /// Batch number N, prepared (or the error that ends the stream).
    Batch(u64, Result<Prepared<T>, SplitError>),
    /// The splitter is done after this many batches.
    Done(u64),
}

/// A splitter thread and worker threads, their batches put back in order. The
/// splitter takes a token for every batch it reads and the stream gives one back for
/// every batch it has finished with, so at most one batch per worker and
/// [`IN_FLIGHT_EXTRA`] more (and their requests) exist at once, however the threads are scheduled. Dropping the stream
/// closes the channels, and every thread then stops.
struct Pipeline<T> {
    results: Receiver<Msg<T>>,
    tokens: SyncSender<()>,
    waiting: BTreeMap<u64, Result<Prepared<T>, SplitError>>,
    next: u64,
    total: Option<u64>,
    /// A batch was handed out and its token not given back yet.
    holding: bool,
}

/// Batches in flight beyond one per worker.
const IN_FLIGHT_EXTRA: usize = 2;

impl<T: Send + 'static> Pipeline<T> {
    fn start(
        reader: Box<dyn Read + Send>,
        workers: usize,
        f: Arc<dyn Fn(&Request) -> T + Send + Sync>,
    ) -> Self {
        // The event map's tables are built here, not in a worker (see mapping::preload).
        super::mapping::preload();
        let limit = workers + IN_FLIGHT_EXTRA;
        let (tokens_tx, tokens_rx) = sync_channel::<()>(limit);
        for _ in 0..limit {
            let _ = tokens_tx.send(());
        }
        let (results_tx, results) = channel::<Msg<T>>();
        let (jobs_tx, jobs_rx) = sync_channel::<(u64, Batch)>(workers);
        let jobs_rx = Arc::new(Mutex::new(jobs_rx));
        for _ in 0..workers {
            let jobs = Arc::clone(&jobs_rx);
            let results = results_tx.clone();
            let f = Arc::clone(&f);
            std::thread::spawn(move || {
                loop {
                    let job = match jobs.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok((n, batch)) = job else { break };
                    // A panic here (a bug) must not leave the stream waiting for this
                    // batch for ever: it ends the stream with an error at the batch.
                    let pre = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        prepare(&batch, f.as_ref())
                    }));
                    let msg = match pre {
                        Ok(pre) => Ok((batch, pre)),
                        Err(_) => Err(SplitError {
                            offset: batch.offset,
                            message: "an internal error stopped the reading of the records from here; those after it were not read".into(),
                        }),
                    };
                    if results.send(Msg::Batch(n, msg)).is_err() {
                        break;
                    }
                }
            });
        }
        std::thread::spawn(move || {
            let mut splitter = Splitter::new(reader);
            let mut n = 0u64;
            while tokens_rx.recv().is_ok() {
                match splitter.next_batch(BATCH) {
                    Ok(Some(batch)) => {
                        if jobs_tx.send((n, batch)).is_err() {
                            return;
                        }
                        n += 1;
                    }
                    Ok(None) => {
                        let _ = results_tx.send(Msg::Done(n));
                        return;
                    }
                    Err(e) => {
                        let _ = results_tx.send(Msg::Batch(n, Err(e)));
                        let _ = results_tx.send(Msg::Done(n + 1));
                        return;
                    }
                }
            }
        });
        Pipeline {
            results,
            tokens: tokens_tx,
            waiting: BTreeMap::new(),
            next: 0,
            total: None,
            holding: false,
        }
    }
}

impl<T> Pipeline<T> {
    /// The next batch in order; the one handed out before is finished with.
    fn next(&mut self) -> Result<Option<Prepared<T>>, SplitError> {
        if std::mem::take(&mut self.holding) {
            // Never blocks: no more tokens exist than the channel holds.
            let _ = self.tokens.send(());
        }
        loop {
            if let Some(r) = self.waiting.remove(&self.next) {
                self.next += 1;
                self.holding = true;
                return r.map(Some);
            }
            if self.total == Some(self.next) {
                return Ok(None);
            }
            match self.results.recv() {
                Ok(Msg::Batch(n, r)) => {
                    self.waiting.insert(n, r);
                }
                Ok(Msg::Done(n)) => self.total = Some(n),
                // Every thread is gone with batches missing: one stopped on an
                // internal error. Said, not passed over as the end of the trail.
                Err(_) => {
                    return Err(SplitError {
                        offset: 0,
                        message: "a worker thread stopped on an internal error; the records after those printed were not read".into(),
                    });
                }
            }
        }
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

    /// Split on one thread and read on workers, the items come in the records'
    /// order, each request with what the function made of that request, exactly as
    /// read on one thread; a broken tail ends both at the same place.
    #[test]
    fn parallel_gives_the_same_items_in_order() {
        let good = |i: usize| {
            event(
                if i % 7 == 0 {
                    "GetObject"
                } else {
                    "ListBuckets"
                },
                r#","userAgent":"é""#,
            )
        };
        let bad = event("GetObject", r#","resources":5"#);
        let mut text = String::new();
        for i in 0..16_000 {
            text.push_str(&if i % 1000 == 999 {
                bad.clone()
            } else {
                good(i)
            });
            text.push('\n');
        }
        assert!(text.len() > 3 * BATCH);
        for broken in [false, true] {
            let mut text = text.clone();
            if broken {
                text.push_str("{\"eventName\": [");
            }
            let mut one = Stream::new(text.as_bytes());
            let mut expected = Vec::new();
            let one_end = loop {
                match one.next_item() {
                    Ok(Some(i)) => expected.push(i),
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            };
            for workers in [1, 2, 3] {
                let reader: Box<dyn Read + Send> =
                    Box::new(std::io::Cursor::new(text.clone().into_bytes()));
                let mut par = Stream::parallel(reader, workers, |r: &Request| r.action.clone());
                let mut got = Vec::new();
                let end = loop {
                    match par.next_with() {
                        Ok(Some((item, t))) => {
                            match (&item, t) {
                                (Item::Request(spec), Some(action)) => {
                                    assert_eq!(spec.request.action, action)
                                }
                                (Item::Malformed { .. }, None) => {}
                                other => panic!("{other:?}"),
                            }
                            got.push(item);
                        }
                        Ok(None) => break None,
                        Err(e) => break Some(e),
                    }
                };
                assert_eq!(got, expected, "{workers} workers");
                assert_eq!(end, one_end);
                assert_eq!(par.description(), one.description());
                assert_eq!(par.counts(), one.counts());
            }
            assert_eq!(one_end.is_some(), broken);
        }
    }

    /// A worker that panics (a bug) ends the stream with an error at its batch; the
    /// stream does not wait for that batch for ever.
    #[test]
    fn a_worker_panic_ends_the_stream_with_an_error() {
        let mut text = String::new();
        for _ in 0..3000 {
            text.push_str(&event("ListBuckets", ""));
            text.push('\n');
        }
        let reader: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(text.into_bytes()));
        let mut s = Stream::parallel(reader, 2, |_: &Request| -> () { panic!("a bug") });
        let end = loop {
            match s.next_with() {
                Ok(Some(_)) => {}
                Ok(None) => break None,
                Err(e) => break Some(e),
            }
        };
        let e = end.expect("an error, not the end");
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("internal error"), "{}", e.message);
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
