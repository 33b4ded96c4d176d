//! `iamtrace eval` over a large CloudTrail file, record by record: memory stays flat
//! whatever the trail's size (a batch of records at a time, as replay reads), each
//! request is printed as soon as it is read, and a malformed record costs itself only.
//! What needs the whole trail is left out and said: no `via` links, and the count of
//! events comes last. Small trails are read whole (see [`stream_source`]).

use super::eval::{Outcome, judge, print_request};
use super::{note, safe, stdout_color, write_json_part};
use crate::Format;
use iamtrace::cloudtrail::stream::{Item, Stream};
use iamtrace::policy::PolicySet;
use iamtrace::safe_text::for_terminal_lines as safe_lines;
use serde_json::json;
use std::io::{self, Read, Write};
use std::path::Path;

/// CloudTrail files from this size on (on disk) are streamed without being asked.
pub const STREAM_FROM: u64 = 32 << 20;
/// The same for gzip files (a trail compresses about tenfold).
pub const STREAM_FROM_GZIP: u64 = 4 << 20;
/// How much of the (decompressed) start is read to tell a trail.
const HEAD: usize = 64 << 10;

/// The file as a stream of CloudTrail records, when it should be read that way: it
/// is a regular file (nothing is read from a pipe or a device here, since what is read
/// could not be read again), CloudTrail by its first bytes (a delivered file,
/// lookup-events output, JSON Lines of events), and `force` is set or it is large.
/// `None`: read it whole.
pub fn stream_source(path: &Path, force: bool) -> Option<Box<dyn Read + Send>> {
    trail_source(path, force, (STREAM_FROM, STREAM_FROM_GZIP))
}

/// [`stream_source`] with the sizes (plain, gzip) from which a trail is large.
pub fn trail_source(
    path: &Path,
    force: bool,
    (plain_from, gzip_from): (u64, u64),
) -> Option<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        return None;
    }
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let size = meta.len();
    if !force && size < gzip_from.min(plain_from) {
        return None;
    }
    let mut file = io::BufReader::new(std::fs::File::open(path).ok()?);
    let gzip = iamtrace::read::is_gzip(io::BufRead::fill_buf(&mut file).ok()?);
    let large = size >= if gzip { gzip_from } else { plain_from };
    if !(force || large) {
        return None;
    }
    let mut reader = iamtrace::read::decompressed(file).ok()?;
    let (head, is_trail) = read_head(&mut reader).ok()?;
    if !is_trail {
        return None;
    }
    Some(Box::new(io::Cursor::new(head).chain(reader)))
}

/// The first bytes of `reader`, and whether they start CloudTrail records: [`HEAD`]
/// bytes, or for JSON Lines whose first line is longer (an event with a large policy
/// document in its parameters) on to the end of that line, as far as a record may
/// reach, so that the line is tried whole. A trail told by its start (a delivered
/// file is one line) is read no further.
fn read_head(reader: &mut impl Read) -> io::Result<(Vec<u8>, bool)> {
    let mut head = Vec::with_capacity(HEAD);
    reader.by_ref().take(HEAD as u64).read_to_end(&mut head)?;
    let mut step = HEAD as u64;
    let mut more = head.len() == HEAD;
    loop {
        if iamtrace::input::cloudtrail_head(&head) {
            return Ok((head, true));
        }
        if !more || has_whole_line(&head) || head.len() as u64 >= iamtrace::read::DEFAULT_MAX_RECORD
        {
            return Ok((head, false));
        }
        let before = head.len();
        reader.by_ref().take(step).read_to_end(&mut head)?;
        // Fewer bytes than asked for: the end of the input.
        more = (head.len() - before) as u64 == step;
        step = step.saturating_mul(2);
    }
}

/// True when `head` holds a line end after something other than blanks (its first
/// non-blank line is whole).
fn has_whole_line(head: &[u8]) -> bool {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    memchr::memchr(b'\n', &head[start..]).is_some()
}

/// Evaluates every record of `reader` (CloudTrail, decompressed) as `eval` does a
/// trail read whole, against no policies (a trail holds none).
pub(super) fn run(
    w: &mut dyn Write,
    shown: &str,
    reader: Box<dyn Read + Send>,
    format: Format,
    out: &mut Outcome,
) -> io::Result<()> {
    let color = format == Format::Text && stdout_color();
    // Records are read, converted and evaluated on a worker per core; names,
    // positions and printing follow in the records' order here.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let set = PolicySet::new();
    let mut stream = Stream::parallel(reader, workers, {
        let set = set.clone();
        move |request| judge(&set, request, format)
    });
    let mut skipped = Vec::new();
    let mut first = true;
    match format {
        Format::Text => writeln!(w, "# CloudTrail events ({})", safe(shown))?,
        Format::Json => {
            w.write_all(b"{\"file\":")?;
            write_json_part(w, &json!(shown))?;
            w.write_all(b",\"requests\":[")?;
        }
        Format::Summary => {}
    }
    let mut i = 0usize;
    let broken = loop {
        match stream.next_with() {
            Ok(None) => break None,
            Err(e) => break Some(e),
            Ok(Some((Item::Request(spec), judged))) => {
                let judged = judged.unwrap_or_else(|| judge(&set, &spec.request, format));
                if let Some(result) =
                    print_request(w, shown, None, i, &spec, judged, format, color, out)?
                {
                    if !first {
                        w.write_all(b",")?;
                    }
                    first = false;
                    write_json_part(w, &result)?;
                }
                i += 1;
            }
            Ok(Some((Item::Malformed { span, message, .. }, _))) => {
                out.invalid = true;
                note(&position(
                    shown,
                    span.line,
                    span.column,
                    span.start,
                    &message,
                ));
                if format == Format::Json && skipped.len() < MAX_LISTED {
                    skipped.push(
                        json!({"line": span.line, "column": span.column, "byte": span.start, "message": message}),
                    );
                }
            }
        }
    };
    let (_, malformed) = stream.counts();
    let description = stream.description();
    if let Some(e) = &broken {
        out.invalid = true;
        note(&format!(
            "{}: byte {}: {}; nothing after it can be read (the requests printed above are those before it)",
            safe(shown),
            e.offset,
            safe(&e.message)
        ));
    }
    match format {
        Format::Text => {
            if i == 0 {
                writeln!(w, "(no requests)")?;
            }
            writeln!(w, "\n{}", safe_lines(&description))?;
            writeln!(
                w,
                "Read record by record: a service's call is not linked to the caller's call that caused it (open the file in the TUI, or evaluate a smaller part with eval, for those links)."
            )?;
        }
        Format::Json => {
            w.write_all(b"]")?;
            if !skipped.is_empty() {
                w.write_all(b",\"skipped\":")?;
                write_json_part(w, &serde_json::Value::Array(skipped))?;
                if malformed > MAX_LISTED as u64 {
                    w.write_all(b",\"skipped_total\":")?;
                    write_json_part(w, &json!(malformed))?;
                }
            }
            if let Some(e) = &broken {
                w.write_all(b",\"errors\":")?;
                write_json_part(
                    w,
                    &json!([{"line": 0, "column": 0, "byte": e.offset, "message": e.message}]),
                )?;
            }
            w.write_all(b",\"description\":")?;
            write_json_part(w, &json!(description))?;
            w.write_all(b"}\n")?;
        }
        Format::Summary => {}
    }
    Ok(())
}

/// The most malformed records listed one by one in the JSON line (all are counted).
const MAX_LISTED: usize = 1000;

/// `FILE:LINE:COLUMN: message`, or `FILE: byte N: message` where the line is unknown.
fn position(shown: &str, line: u64, column: u32, byte: u64, message: &str) -> String {
    if line == 0 {
        format!("{}: byte {byte}: {}", safe(shown), safe(message))
    } else {
        format!("{}:{line}:{column}: {}", safe(shown), safe(message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(extra: &str) -> String {
        format!(
            r#"{{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"{extra}"}}"#
        )
    }

    /// A delivered file (one long line) is told by its start: only the head is held.
    #[test]
    fn a_delivered_file_is_told_by_its_start() {
        let text = format!("{{\"Records\":[{}]}}", vec![event("x"); 20_000].join(","));
        assert!(text.len() > 4 * HEAD);
        let (head, is_trail) = read_head(&mut text.as_bytes()).expect("reads");
        assert!(is_trail);
        assert_eq!(head.len(), HEAD);
    }

    /// JSON Lines whose first line is longer than the head: read on to its end.
    #[test]
    fn a_long_first_line_is_read_whole() {
        let first = event(&"é".repeat(3 * HEAD));
        let text = format!("{first}\n{}\n", event("y"));
        let (head, is_trail) = read_head(&mut text.as_bytes()).expect("reads");
        assert!(is_trail);
        assert!(head.len() > first.len() && head.len() < 4 * first.len());
        assert!(text.as_bytes().starts_with(&head));
        // Not an event: read to the line's end, then refused.
        let text = format!("{{\"a\":\"{}\"}}\n{{}}\n", "x".repeat(3 * HEAD));
        let (head, is_trail) = read_head(&mut text.as_bytes()).expect("reads");
        assert!(!is_trail);
        assert!(head.len() > 3 * HEAD);
        // A short input: what there is.
        let (head, is_trail) = read_head(&mut event("z").as_bytes()).expect("reads");
        assert!(!is_trail, "no whole line");
        assert_eq!(head, event("z").as_bytes());
    }
}
