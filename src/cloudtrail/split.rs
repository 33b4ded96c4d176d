//! Finding CloudTrail records in a byte stream without parsing them: a CloudTrail file
//! (`{"Records": [ … ]}`, as delivered to S3), `aws cloudtrail lookup-events` output
//! (`{"Events": [ … ]}`), a JSON array of events, JSON Lines or one bare event. Records are handed out in batches of whole records, so memory stays
//! at a few batches whatever the file's size, and each record can be parsed on its own
//! (on another thread) with serde borrowing from the batch.

use std::io::Read;
use std::ops::Range;

/// Complete records taken from the stream.
#[derive(Debug, Default)]
pub struct Batch {
    /// The bytes the records lie in.
    pub data: Vec<u8>,
    /// Each record's bytes in `data`.
    pub records: Vec<Range<usize>>,
    /// The stream offset of `data[0]`.
    pub offset: u64,
    /// The 0-based index of the first record in the stream.
    pub first_index: u64,
    /// Records skipped since the previous batch because they were longer than the
    /// splitter's limit (their bytes were read and dropped, never held).
    pub oversized: Vec<Oversized>,
}

/// A record longer than the limit, skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oversized {
    /// Its 1-based number in the stream.
    pub number: u64,
    /// The stream offset of its first byte.
    pub offset: u64,
}

/// A line position in a stream, moved forward over the bytes that go by: how records
/// read in batches are placed at `LINE:COLUMN` as the whole-text reader places them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinePos {
    /// 0-based line.
    pub line: u64,
    /// Characters since the line's start.
    pub column: u64,
}

impl LinePos {
    /// The position after `bytes` (UTF-8), from this one.
    pub fn advance(&mut self, bytes: &[u8]) {
        let chars = |b: &[u8]| b.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64;
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count() as u64;
                self.column = chars(&bytes[last + 1..]);
            }
            None => self.column += chars(bytes),
        }
    }

    /// 1-based line and column, as diagnostics give them.
    pub fn place(&self) -> (u64, u32) {
        let column = u32::try_from(self.column.saturating_add(1)).unwrap_or(u32::MAX);
        (self.line + 1, column)
    }
}

/// A malformed stream: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// Byte offset in the (decompressed) stream.
    pub offset: u64,
    /// What is wrong.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing read yet.
    Sniff,
    /// Inside `"Records": [` or a top-level `[`: records separated by commas.
    Array,
    /// Top-level values one after another (JSON Lines, one event).
    Values,
    /// The array closed inside `{"Records": [ … ]`: the rest of that object (other
    /// members, such as lookup-events' NextToken) is skipped, then the next file's
    /// text may follow (concatenated files: `zcat *.json.gz`).
    Tail,
}

/// Splits a stream into records.
pub struct Splitter<R> {
    reader: R,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Scan position in `buf`.
    pos: usize,
    mode: Mode,
    /// The records array is a member of an object (`{"Records": [`), not bare.
    wrapped: bool,
    /// Inside a record: where it starts, brace depth, inside a string.
    start: Option<usize>,
    depth: u32,
    in_string: bool,
    eof: bool,
    index: u64,
    /// Bytes read from the reader so far.
    read: u64,
    /// The most one record may hold.
    max_record: u64,
    /// The record being skipped: over the limit, its bytes are dropped as scanned.
    skipping: Option<Oversized>,
    /// Records skipped, for the next batch.
    oversized: Vec<Oversized>,
}

const CHUNK: usize = 1 << 20;

impl<R: Read> Splitter<R> {
    /// A splitter over `reader` (already decompressed).
    pub fn new(reader: R) -> Self {
        Splitter {
            reader,
            buf: Vec::with_capacity(CHUNK * 2),
            base: 0,
            pos: 0,
            mode: Mode::Sniff,
            wrapped: false,
            start: None,
            depth: 0,
            in_string: false,
            eof: false,
            index: 0,
            read: 0,
            max_record: crate::read::DEFAULT_MAX_RECORD,
            skipping: None,
            oversized: Vec::new(),
        }
    }

    /// The most one record may hold (default [`crate::read::DEFAULT_MAX_RECORD`]): a
    /// longer one is skipped, its bytes dropped as they are scanned, and reported in
    /// [`Batch::oversized`], rather than held in an unbounded buffer.
    pub fn with_max_record(mut self, max: u64) -> Self {
        self.max_record = max;
        self
    }

    /// The reader (to flush what it copies, say): reading from it directly would
    /// take bytes from under the splitter.
    pub fn reader_mut(&mut self) -> &mut R {
        &mut self.reader
    }

    /// Bytes read from the reader so far.
    pub fn bytes_read(&self) -> u64 {
        self.read
    }

    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        // Up to a chunk, however small the reader's reads (no zero-filling: the
        // standard library reads into the spare capacity).
        // Room for the chunk up front, so the buffer does not grow by doubling.
        self.buf.reserve_exact(CHUNK);
        let n = (&mut self.reader)
            .take(CHUNK as u64)
            .read_to_end(&mut self.buf)?;
        self.read += n as u64;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    fn error(&self, at: usize, message: impl Into<String>) -> SplitError {
        SplitError {
            offset: self.base + at as u64,
            message: message.into(),
        }
    }

    /// The next batch of at least `min_bytes` of records (fewer at the end of the
    /// stream); `None` when the stream is done.
    pub fn next_batch(&mut self, min_bytes: usize) -> Result<Option<Batch>, SplitError> {
        let mut records: Vec<Range<usize>> = Vec::new();
        let mut first_index = self.index;
        loop {
            let found_end = records.last().map_or(0, |r| r.end);
            if found_end >= min_bytes {
                break;
            }
            match self.scan()? {
                Some(r) => {
                    if records.is_empty() {
                        // After any record skipped in this call.
                        first_index = self.index;
                    }
                    records.push(r);
                    self.index += 1;
                }
                None => {
                    if let Some(start) = self.start {
                        let held = (self.buf.len() - start) as u64;
                        if self.skipping.is_none() && held > self.max_record {
                            if self.mode == Mode::Tail {
                                return Err(self.error(
                                    start,
                                    format!(
                                        "the object holding the records goes on for more than {} after them",
                                        crate::read::size_text(self.max_record)
                                    ),
                                ));
                            }
                            if !records.is_empty() {
                                // Hand over the records before it first.
                                break;
                            }
                            self.skipping = Some(Oversized {
                                number: self.index + 1,
                                offset: self.base + start as u64,
                            });
                        }
                        if self.skipping.is_some() {
                            // Drop what was scanned: the record is not kept.
                            let scanned = self.pos;
                            self.buf.drain(..scanned);
                            self.base += scanned as u64;
                            self.pos = 0;
                            self.start = Some(0);
                        }
                    }
                    if !self.eof {
                        // Scan again with more input (or, at the end, knowing it is
                        // the end).
                        self.fill()
                            .map_err(|e| self.error(self.buf.len(), format!("cannot read: {e}")))?;
                    } else {
                        if self.start.is_some() {
                            let message = if self.mode == Mode::Tail {
                                "the input ends before the object holding the records is closed"
                                    .to_string()
                            } else {
                                format!("the input ends inside record {}", self.index + 1)
                            };
                            return Err(self.error(self.buf.len(), message));
                        }
                        if self.mode == Mode::Array {
                            return Err(self.error(
                                self.buf.len(),
                                "the input ends before the records array is closed",
                            ));
                        }
                        break;
                    }
                }
            }
        }
        if records.is_empty() && self.oversized.is_empty() {
            return Ok(None);
        }
        // Hand the complete records over; keep the rest (a partial record) for later.
        let cut = records.last().map_or(0, |r| r.end);
        let rest = self.buf[cut..].to_vec();
        let data = std::mem::replace(&mut self.buf, rest);
        let offset = self.base;
        self.base += cut as u64;
        self.pos -= cut;
        if let Some(s) = &mut self.start {
            *s -= cut;
        }
        Ok(Some(Batch {
            data,
            records,
            offset,
            first_index,
            oversized: std::mem::take(&mut self.oversized),
        }))
    }

    /// Scans the buffer for the next complete record; `None` when more input is needed
    /// (or the stream has no more records).
    fn scan(&mut self) -> Result<Option<Range<usize>>, SplitError> {
        loop {
            if let Some(start) = self.start {
                let Some(end) = self.scan_record() else {
                    return Ok(None);
                };
                self.start = None;
                if self.mode == Mode::Tail {
                    // The wrapper object closed: another file's text may follow.
                    self.mode = Mode::Sniff;
                    continue;
                }
                if let Some(o) = self.skipping.take() {
                    self.oversized.push(o);
                    self.index += 1;
                    continue;
                }
                return Ok(Some(start..end));
            }
            let Some(&b) = self.buf.get(self.pos) else {
                return Ok(None);
            };
            if b.is_ascii_whitespace() {
                self.pos += 1;
                continue;
            }
            match self.mode {
                // (Tail always has `start` set; should it not, read on as at the start.)
                Mode::Tail => {
                    self.mode = Mode::Sniff;
                    continue;
                }
                Mode::Sniff => {
                    let bom = "\u{feff}".as_bytes();
                    let rest = &self.buf[self.pos..];
                    if rest.starts_with(bom) {
                        self.pos += 3;
                        continue;
                    }
                    if rest.len() < 3 && bom.starts_with(rest) && !self.eof {
                        return Ok(None);
                    }
                    match b {
                        b'[' => {
                            self.pos += 1;
                            self.mode = Mode::Array;
                            self.wrapped = false;
                        }
                        b'{' => match self.records_header() {
                            Header::NeedMore => {
                                if self.eof {
                                    self.mode = Mode::Values;
                                } else {
                                    return Ok(None);
                                }
                            }
                            Header::Records(after) => {
                                self.pos = after;
                                self.mode = Mode::Array;
                                self.wrapped = true;
                            }
                            Header::Event => self.mode = Mode::Values,
                        },
                        _ => {
                            return Err(self.error(
                                self.pos,
                                "not CloudTrail records: expected {\"Records\": [...]}, an array of events, or one event per line",
                            ));
                        }
                    }
                }
                Mode::Array => match b {
                    b',' => self.pos += 1,
                    b']' => {
                        self.pos += 1;
                        if self.wrapped {
                            // Skip to the end of the wrapper object.
                            self.mode = Mode::Tail;
                            self.start = Some(self.pos);
                            self.depth = 1;
                            self.in_string = false;
                        } else {
                            self.mode = Mode::Sniff;
                        }
                    }
                    b'{' => self.begin(),
                    _ => {
                        return Err(self.error(
                            self.pos,
                            format!(
                                "expected an event object in the records array, found '{}'",
                                b as char
                            ),
                        ));
                    }
                },
                Mode::Values => match b {
                    b'{' => self.begin(),
                    _ => {
                        return Err(self.error(
                            self.pos,
                            format!("expected an event object, found '{}'", b as char),
                        ));
                    }
                },
            }
        }
    }

    fn begin(&mut self) {
        self.start = Some(self.pos);
        self.depth = 0;
        self.in_string = false;
    }

    /// Advances through the current record; its end (exclusive) once complete.
    fn scan_record(&mut self) -> Option<usize> {
        let buf = &self.buf;
        let mut i = self.pos;
        while i < buf.len() {
            if self.in_string {
                match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                    None => {
                        i = buf.len();
                        break;
                    }
                    Some(k) => {
                        i += k;
                        if buf[i] == b'\\' {
                            if i + 1 >= buf.len() {
                                // The escaped character is in the next chunk.
                                break;
                            }
                            i += 2;
                        } else {
                            self.in_string = false;
                            i += 1;
                        }
                    }
                }
            } else {
                match memchr::memchr3(b'"', b'{', b'}', &buf[i..]) {
                    None => {
                        i = buf.len();
                        break;
                    }
                    Some(k) => {
                        i += k;
                        match buf[i] {
                            b'"' => self.in_string = true,
                            b'{' => self.depth += 1,
                            _ => {
                                self.depth = self.depth.saturating_sub(1);
                                if self.depth == 0 {
                                    self.pos = i + 1;
                                    return Some(i + 1);
                                }
                            }
                        }
                        i += 1;
                    }
                }
            }
        }
        self.pos = i;
        None
    }

    /// At a top-level `{`: does the object start with `"Records": [` (a CloudTrail
    /// file) or `"Events": [` (what `aws cloudtrail lookup-events` prints)?
    fn records_header(&self) -> Header {
        let rest = &self.buf[self.pos + 1..];
        let mut i = 0;
        let skip_ws = |i: &mut usize| {
            while rest.get(*i).is_some_and(|b| b.is_ascii_whitespace()) {
                *i += 1;
            }
        };
        skip_ws(&mut i);
        let found = [&b"\"Records\""[..], &b"\"Events\""[..]]
            .into_iter()
            .find(|key| rest.get(i..i + key.len()) == Some(*key));
        let Some(key) = found else {
            return if rest.len() < i + b"\"Records\"".len() {
                Header::NeedMore
            } else {
                Header::Event
            };
        };
        i += key.len();
        skip_ws(&mut i);
        match rest.get(i) {
            None => return Header::NeedMore,
            Some(b':') => i += 1,
            Some(_) => return Header::Event,
        }
        skip_ws(&mut i);
        match rest.get(i) {
            None => Header::NeedMore,
            Some(b'[') => Header::Records(self.pos + 1 + i + 1),
            Some(_) => Header::Event,
        }
    }
}

enum Header {
    NeedMore,
    Records(usize),
    Event,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, chunk_reader: bool) -> Result<Vec<String>, SplitError> {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                // One byte at a time: every record crosses a read boundary.
                let n = self.0.len().min(out.len()).min(1);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        let mut run = |mut s: Splitter<Box<dyn Read + '_>>| -> Result<(), SplitError> {
            while let Some(b) = s.next_batch(1)? {
                for r in b.records {
                    out.push(String::from_utf8(b.data[r].to_vec()).unwrap());
                }
            }
            Ok(())
        };
        if chunk_reader {
            run(Splitter::new(Box::new(Trickle(text.as_bytes()))))?;
        } else {
            run(Splitter::new(Box::new(text.as_bytes())))?;
        }
        Ok(out)
    }

    #[test]
    fn every_form_gives_the_same_records() {
        let a = r#"{"eventName":"A","x":{"y":"}{\"}"}}"#;
        let b = r#"{"eventName":"B"}"#;
        for text in [
            format!("{{\"Records\": [{a}, {b}]}}"),
            format!("{{\n  \"Records\" :\n [\n{a},\n{b}\n]\n}}\n"),
            format!("[{a},{b}]"),
            format!("{a}\n{b}\n"),
            format!("\u{feff}{a}{b}"),
        ] {
            for trickle in [false, true] {
                assert_eq!(split(&text, trickle).unwrap(), vec![a, b], "{text}");
            }
        }
    }

    #[test]
    fn concatenated_files_and_lookup_events_tails() {
        let a = r#"{"eventName":"A"}"#;
        let b = r#"{"eventName":"B"}"#;
        let twice = format!("{{\"Records\": [{a}]}}\n{{\"Records\": [{b}]}}");
        let lookup = format!("{{\"Events\": [{a}, {b}], \"NextToken\": \"x}}y\"}}");
        let arrays = format!("[{a}][{b}]");
        for text in [twice, lookup, arrays] {
            for trickle in [false, true] {
                assert_eq!(split(&text, trickle).unwrap(), vec![a, b], "{text}");
            }
        }
        assert!(split(&format!("{{\"Records\": [{a}]"), false).is_err());
        assert!(split(&format!("{{\"Records\": [{a}]}} trailing"), false).is_err());
    }

    #[test]
    fn one_event_and_empty_inputs() {
        let one = r#"{"eventName": "A", "Records": 1}"#;
        assert_eq!(split(one, true).unwrap(), vec![one]);
        assert!(split("", false).unwrap().is_empty());
        assert!(split("{\"Records\": []}", true).unwrap().is_empty());
    }

    #[test]
    fn truncated_and_foreign_inputs_are_errors() {
        assert!(split("{\"Records\": [{\"a\": 1}", false).is_err());
        assert!(split("{\"a\": \"}", false).is_err());
        let e = split("hello", false).unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(split("{\"Records\": [1]}", false).is_err());
    }
}
