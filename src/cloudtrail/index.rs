//! A CloudTrail file read by record number without being read whole: what the TUI
//! uses to open a large trail at once. A background thread finds the records with the
//! splitter replay uses and keeps only where each one lies (16 bytes a record, and a
//! line position per megabyte); a record is read from the file and converted when it
//! is asked for. A gzip file is decompressed once, as it is indexed, into an unnamed
//! temporary file (removed by the system when it is closed), which records are then
//! read from. What needs every record (a service's call linked to the caller's call,
//! `#N` on repeated names) is left out, as when `eval` streams.

use super::split::{LinePos, SplitError, Splitter};
use super::{base_name, convert, read_record, spec_of, without_position};
use crate::scenario::RequestSpec;
use crate::source::{SourceId, Span};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// How many bytes of records the indexing thread takes at a time (a line position is
/// kept for each such batch).
const BATCH: usize = 1 << 20;

/// Where one record lies in the (decompressed) file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    offset: u64,
    /// Its length; [`OVERSIZED`] for a record longer than a record may be (skipped).
    len: u32,
}

const OVERSIZED: u32 = u32::MAX;

/// The line position at a stream offset (the start of a batch).
#[derive(Debug, Clone, Copy)]
struct Checkpoint {
    offset: u64,
    at: LinePos,
    /// False once bytes went by uncounted (an oversized record): no lines after.
    lines_known: bool,
}

/// What the indexing thread has found so far.
#[derive(Debug, Default)]
struct State {
    entries: Vec<Entry>,
    checkpoints: Vec<Checkpoint>,
    done: bool,
    /// The stream's structure broke here: no record after it is read.
    error: Option<SplitError>,
    /// Writing the decompressed copy failed.
    failed: Option<String>,
}

/// Shared between the indexing thread and the reader.
#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    /// Bytes of the file on disk read so far (compressed bytes for gzip): progress.
    read: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic on the indexing thread leaves what it had found: still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How far indexing has gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Records found so far.
    pub records: u64,
    /// Bytes of the file read so far, and its size on disk.
    pub read: u64,
    /// The file's size on disk.
    pub size: u64,
    /// Every record has been found.
    pub done: bool,
    /// Why indexing stopped before the end: the structure broke (`FILE` offset, line
    /// and column when known) or the file could not be read.
    pub error: Option<String>,
}

impl Progress {
    /// The share of the file read, 0 to 100.
    pub fn percent(&self) -> u64 {
        if self.done || self.size == 0 {
            return 100;
        }
        (self.read.min(self.size) * 100 / self.size).min(99)
    }
}

/// One record, read and converted.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// An event, as a request: named by its event (no `#N`), its span the record's
    /// bytes (line and column 0: not counted for requests).
    Request(Box<RequestSpec>),
    /// An event that is not a request, and why.
    Skipped(String),
    /// A record that cannot be read (`record N: …; skipped`), placed where the problem
    /// is.
    Malformed {
        /// Where (line and column 0 when lines are not known there).
        span: Span,
        /// `record N: …; skipped`.
        message: String,
    },
}

/// A CloudTrail file opened for reading by record number; indexed in the background.
#[derive(Debug)]
pub struct LazyTrail {
    shared: Arc<Shared>,
    /// Where records are read from: the file, or the decompressed temporary file.
    data: File,
    size: u64,
    /// The file is gzip (records come from the temporary file).
    pub gzip: bool,
    /// Where the structure broke, with its message (set once indexing stopped there).
    placed_error: std::sync::OnceLock<String>,
}

impl Drop for LazyTrail {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    shared: Arc<Shared>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.shared.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Copies what is read into a file as it goes by (a gzip trail's decompressed bytes
/// into the temporary file records are read from).
struct Tee<R> {
    inner: R,
    copy: io::BufWriter<File>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.copy.write_all(&buf[..n])?;
        Ok(n)
    }
}

impl LazyTrail {
    /// Opens `path` and starts indexing it on a thread of its own. Nothing but the
    /// first bytes is read here.
    pub fn open(path: &Path) -> io::Result<LazyTrail> {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        let mut magic = [0u8; 2];
        let gzip = file.read_at(&mut magic, 0)? == 2 && crate::read::is_gzip(&magic);
        let shared = Arc::new(Shared::default());
        let counting = Counting {
            inner: File::open(path)?,
            shared: Arc::clone(&shared),
        };
        let data = if gzip {
            let temp = tempfile::tempfile()?;
            let copy = io::BufWriter::with_capacity(1 << 16, temp.try_clone()?);
            let reader = Tee {
                inner: crate::read::decompressed(counting)?,
                copy,
            };
            spawn_indexer(reader, Arc::clone(&shared))?;
            temp
        } else {
            spawn_indexer(io::BufReader::new(counting), Arc::clone(&shared))?;
            file
        };
        Ok(LazyTrail {
            shared,
            data,
            size,
            gzip,
            placed_error: std::sync::OnceLock::new(),
        })
    }

    /// How far indexing has gone.
    pub fn progress(&self) -> Progress {
        let state = self.shared.state();
        let error = match (&state.error, &state.failed) {
            (_, Some(f)) => Some(f.clone()),
            // Placed once (it reads the bytes before it again): the strip asks for
            // the progress on every frame.
            (Some(e), None) => Some(
                self.placed_error
                    .get_or_init(|| match self.place_in(&state, e.offset) {
                        Some((line, column)) => format!("{line}:{column}: {}", e.message),
                        None => format!("byte {}: {}", e.offset, e.message),
                    })
                    .clone(),
            ),
            (None, None) => None,
        };
        Progress {
            records: state.entries.len() as u64,
            read: self.shared.read.load(Ordering::Relaxed),
            size: self.size,
            done: state.done,
            error,
        }
    }

    /// Records found so far.
    pub fn len(&self) -> u64 {
        self.shared.state().entries.len() as u64
    }

    /// No record found (yet).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record `n` (0-based), read and converted; `None` when it has not been found (yet).
    pub fn record(&self, n: u64) -> Option<Record> {
        let entry = *self.shared.state().entries.get(usize::try_from(n).ok()?)?;
        let number = n + 1;
        if entry.len == OVERSIZED {
            return Some(Record::Malformed {
                span: self.span_at(entry.offset, entry.offset, false),
                message: format!(
                    "record {number}: larger than {}, the most one record may hold; skipped",
                    crate::read::size_text(crate::read::DEFAULT_MAX_RECORD)
                ),
            });
        }
        let mut bytes = vec![0u8; entry.len as usize];
        if let Err(e) = self.data.read_exact_at(&mut bytes, entry.offset) {
            return Some(Record::Malformed {
                span: self.span_at(entry.offset, entry.offset, false),
                message: format!("record {number}: cannot be read again: {e}; skipped"),
            });
        }
        Some(match read_record(&bytes, convert) {
            Err(m) => {
                let at = entry.offset + m.offset as u64;
                Record::Malformed {
                    span: self.span_at(at, at, true),
                    message: format!("record {number}: {}; skipped", without_position(&m.message)),
                }
            }
            Ok(Err(skipped)) => Record::Skipped(skipped.reason),
            Ok(Ok(c)) => {
                let mut spec = spec_of(&c, base_name(&c), None, Span::default());
                spec.span = Span {
                    start: entry.offset,
                    end: entry.offset + u64::from(entry.len),
                    line: 0,
                    column: 0,
                    source: SourceId::FILE,
                };
                Record::Request(Box::new(spec))
            }
        })
    }

    /// The span of `start..end` in the stream, with its line and column when `lines`
    /// is asked for and they are known.
    fn span_at(&self, start: u64, end: u64, lines: bool) -> Span {
        let (line, column) = if lines {
            let state = self.shared.state();
            self.place_in(&state, start).unwrap_or((0, 0))
        } else {
            (0, 0)
        };
        Span {
            start,
            end,
            line,
            column,
            source: SourceId::FILE,
        }
    }

    /// The line and column of stream offset `at`: counted from the checkpoint before
    /// it (at most a batch of bytes read again).
    fn place_in(&self, state: &State, at: u64) -> Option<(u64, u32)> {
        let k = state.checkpoints.partition_point(|c| c.offset <= at);
        let c = state.checkpoints.get(k.checked_sub(1)?)?;
        if !c.lines_known {
            return None;
        }
        let mut bytes = vec![0u8; usize::try_from(at - c.offset).ok()?];
        self.data.read_exact_at(&mut bytes, c.offset).ok()?;
        let mut pos = c.at;
        pos.advance(&bytes);
        Some(pos.place())
    }

    /// Waits until indexing is done (for tests and tools).
    pub fn wait(&self) -> Progress {
        loop {
            let p = self.progress();
            if p.done {
                return p;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

fn spawn_indexer<R: Read + Flush + Send + 'static>(
    reader: R,
    shared: Arc<Shared>,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name("trail index".into())
        .spawn(move || index(reader, &shared))?;
    Ok(())
}

/// Flushes the temporary file's writer when the reader is a [`Tee`], so the records
/// published can be read back.
trait Flush {
    fn flush_copy(&mut self) -> io::Result<()>;
}

impl<R: Read> Flush for Tee<R> {
    fn flush_copy(&mut self) -> io::Result<()> {
        self.copy.flush()
    }
}

impl<R: Read> Flush for io::BufReader<R> {
    fn flush_copy(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Finds every record, publishing each batch's as it goes.
fn index<R: Read + Flush>(reader: R, shared: &Shared) {
    let mut splitter = Splitter::new(reader);
    let mut at = LinePos::default();
    let mut lines_known = true;
    shared.state().checkpoints.push(Checkpoint {
        offset: 0,
        at,
        lines_known,
    });
    loop {
        if shared.stop.load(Ordering::Relaxed) {
            return;
        }
        let batch = splitter.next_batch(BATCH);
        // The bytes must be in the temporary file before their records are given out
        // (or the place of a break is counted in them).
        if let Err(e) = splitter.reader_mut().flush_copy() {
            let mut state = shared.state();
            state.failed = Some(format!("cannot write the decompressed copy: {e}"));
            state.done = true;
            return;
        }
        let batch = match batch {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                shared.state().error = Some(e);
                break;
            }
        };
        let mut checkpoints = Vec::with_capacity(2);
        if !batch.oversized.is_empty() {
            // Bytes went by uncounted: no line positions from here on.
            lines_known = false;
            checkpoints.push(Checkpoint {
                offset: batch.offset,
                at,
                lines_known,
            });
        }
        let cut = batch.records.last().map_or(0, |r| r.end);
        if lines_known {
            at.advance(&batch.data[..cut]);
        }
        checkpoints.push(Checkpoint {
            offset: batch.offset + cut as u64,
            at,
            lines_known,
        });
        let mut entries: Vec<(u64, Entry)> = batch
            .oversized
            .iter()
            .map(|o| {
                let e = Entry {
                    offset: o.offset,
                    len: OVERSIZED,
                };
                (o.number - 1, e)
            })
            .collect();
        entries.extend(batch.records.iter().enumerate().map(|(k, r)| {
            let e = Entry {
                offset: batch.offset + r.start as u64,
                len: (r.end - r.start) as u32,
            };
            (batch.first_index + k as u64, e)
        }));
        entries.sort_unstable_by_key(|(n, _)| *n);
        let mut state = shared.state();
        state.checkpoints.extend(checkpoints);
        state.entries.extend(entries.into_iter().map(|(_, e)| e));
    }
    shared.state().done = true;
}
