//! CloudTrail events as requests: the record format ([`event`]), one event to one
//! request ([`convert`]), and records found in a stream of any size ([`split`]). Used to
//! open CloudTrail files as scenarios and by `iamtrace replay`.

pub mod convert;
pub mod event;
pub mod mapping;
pub mod replay;
pub mod split;

pub use convert::{Converted, Recorded, Skipped, convert};
pub use event::Event;

use crate::scenario::RequestSpec;
use crate::source::{Diagnostic, LineIndex, Span};
use std::io::{BufRead, BufReader, Read};

/// Parses one record.
pub fn parse_event(record: &[u8]) -> Result<Event<'_>, serde_json::Error> {
    serde_json::from_slice(record)
}

/// An entry of `aws cloudtrail lookup-events`: the event is a JSON string in it.
#[derive(serde::Deserialize)]
struct LookupEntry {
    #[serde(rename = "CloudTrailEvent")]
    event: Option<String>,
}

/// Parses one record, a CloudTrail event or a lookup-events entry holding one, and
/// hands the event to `f`.
pub fn with_event<R>(record: &[u8], f: impl FnOnce(&Event) -> R) -> Result<R, serde_json::Error> {
    let event = parse_event(record)?;
    if event.event_source.is_none() && event.event_name.is_none() {
        if let Ok(LookupEntry { event: Some(inner) }) = serde_json::from_slice(record) {
            let inner_event = parse_event(inner.as_bytes())?;
            return Ok(f(&inner_event));
        }
    }
    Ok(f(&event))
}

/// A reader over `input`, decompressed when it is gzip (as CloudTrail delivers its
/// files to S3), recognised by its magic bytes rather than the file name.
pub fn decompressed<R: Read + Send + 'static>(input: R) -> std::io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(1 << 16, input);
    let gzip = is_gzip(buffered.fill_buf()?);
    Ok(if gzip {
        Box::new(flate2::bufread::MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    })
}

/// True when `bytes` start like gzip data.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// True when `text` looks like CloudTrail records: a `Records` object, an event
/// object, or JSON Lines of events.
pub fn looks_like_cloudtrail(text: &str) -> bool {
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let t = head.trim_start_matches('\u{feff}').trim_start();
    let records = t.starts_with('{')
        && (t[1..].trim_start().starts_with("\"Records\"")
            || (t[1..].trim_start().starts_with("\"Events\"")
                && head.contains("\"CloudTrailEvent\"")));
    records || (head.contains("\"eventSource\"") && head.contains("\"eventName\""))
}

/// The requests of a CloudTrail text (a file, an event, or JSON Lines), with a
/// description of what was converted and what was skipped. Errors point into `text`.
pub fn requests_from_text(text: &str) -> Result<(Vec<RequestSpec>, String), Vec<Diagnostic>> {
    let index = LineIndex::new(text);
    let mut splitter = split::Splitter::new(text.as_bytes());
    let mut errors = Vec::new();
    let mut converted: Vec<(Converted, Span)> = Vec::new();
    let mut skipped: Vec<(String, usize)> = Vec::new();
    let mut total = 0usize;
    loop {
        let batch = match splitter.next_batch(usize::MAX) {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                let at = e.offset as usize;
                errors.push(Diagnostic::error(index.span(text, at, at), e.message));
                break;
            }
        };
        for o in &batch.oversized {
            total += 1;
            let at = o.offset as usize;
            errors.push(Diagnostic::error(
                index.span(text, at, at),
                format!(
                    "CloudTrail record {}: larger than {}, the most one record may hold",
                    o.number,
                    crate::read::size_text(crate::read::DEFAULT_MAX_RECORD)
                ),
            ));
        }
        for r in &batch.records {
            total += 1;
            let start = batch.offset as usize + r.start;
            let span = index.span(text, start, batch.offset as usize + r.end);
            match with_event(&batch.data[r.clone()], convert) {
                Err(e) => {
                    // In a lookup-events entry the position is in the event's string,
                    // not the file: point at the entry.
                    let record = &batch.data[r.clone()];
                    let inner = memchr::memmem::find(record, b"\"CloudTrailEvent\"").is_some();
                    let at = if inner {
                        start
                    } else {
                        start + offset_in(record, e.line(), e.column())
                    };
                    errors.push(Diagnostic::error(
                        index.span(text, at, at),
                        format!("CloudTrail record {total}: {e}"),
                    ));
                }
                Ok(outcome) => match outcome {
                    Ok(c) => converted.push((c, span)),
                    Err(s) => match skipped.iter_mut().find(|(r, _)| *r == s.reason) {
                        Some((_, n)) => *n += 1,
                        None => skipped.push((s.reason, 1)),
                    },
                },
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut description = format!(
        "{} of {total} CloudTrail event{} as requests.",
        converted.len(),
        if total == 1 { "" } else { "s" }
    );
    for (reason, n) in &skipped {
        description.push_str(&format!(" Skipped {n}: {reason}."));
    }
    description.push_str(
        " CloudTrail does not record tags (aws:PrincipalTag, aws:ResourceTag, aws:RequestTag), aws:PrincipalOrgID or service-specific keys: add them to a request if your policies use them.",
    );
    Ok((name_requests(converted), description))
}

/// When each event happened, in seconds (None when the time does not parse).
fn seconds(c: &Converted) -> Option<i64> {
    c.time
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_second())
}

/// The caller's own call that made a service call on its behalf: a direct call by the
/// same caller within a minute of it (CloudTrail often logs the caller's call after
/// the calls it caused), to the service that made it when there is one, else the
/// nearest in time. `direct` holds each caller's direct calls sorted by time.
fn caused_by(
    all: &[(Converted, Span)],
    times: &[Option<i64>],
    direct: &std::collections::HashMap<&str, Vec<(i64, usize)>>,
    i: usize,
    service: &str,
) -> Option<usize> {
    let at = times[i]?;
    let calls = direct.get(all[i].0.caller.as_str())?;
    let from = calls.partition_point(|&(t, _)| t < at - 60);
    calls[from..]
        .iter()
        .take_while(|&&(t, _)| t <= at + 60)
        .filter(|&&(_, j)| j != i)
        .map(|&(t, j)| (all[j].0.event_source != service, (t - at).abs(), j))
        .min()
        .map(|(_, _, j)| j)
}

/// Names each request (action, caller, time, outcome; `#N` when an earlier one has the
/// same name) and links a service's call to the caller's call that caused it (`via`).
fn name_requests(converted: Vec<(Converted, Span)>) -> Vec<RequestSpec> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let names: Vec<String> = converted
        .iter()
        .map(|(c, _)| {
            let base = base_name(c);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base} #{n}")
            }
        })
        .collect();
    let times: Vec<Option<i64>> = converted.iter().map(|(c, _)| seconds(c)).collect();
    let mut direct: std::collections::HashMap<&str, Vec<(i64, usize)>> =
        std::collections::HashMap::new();
    for (j, (c, _)) in converted.iter().enumerate() {
        if let (None, Some(t)) = (&c.via_service, times[j]) {
            direct.entry(c.caller.as_str()).or_default().push((t, j));
        }
    }
    for calls in direct.values_mut() {
        calls.sort_unstable();
    }
    let mut out = Vec::with_capacity(converted.len());
    for (i, (c, span)) in converted.iter().enumerate() {
        let via = c
            .via_service
            .as_ref()
            .and_then(|svc| caused_by(&converted, &times, &direct, i, svc))
            .map(|j| names[j].clone());
        let mut notes = Vec::with_capacity(c.notes.len() + 1);
        let mut recorded = format!("CloudTrail recorded: {}", c.recorded.describe());
        if let Some(m) = &c.error_message {
            recorded.push_str(&format!(": {m}"));
        }
        if let Some(id) = &c.event_id {
            recorded.push_str(&format!(" (event {id})"));
        }
        notes.push(recorded);
        notes.extend(c.notes.iter().cloned());
        out.push(RequestSpec {
            name: Some(names[i].clone()),
            via,
            request: c.request.clone(),
            expect: None,
            span: *span,
            notes,
        });
    }
    out
}

/// A request's name: action, caller, time and outcome.
fn base_name(c: &Converted) -> String {
    let who = c.caller.rsplit(['/', ':']).next().unwrap_or(&c.caller);
    let at = c
        .time
        .as_deref()
        .and_then(|t| t.split_once('T'))
        .map(|(_, t)| t.trim_end_matches('Z'))
        .unwrap_or("");
    format!(
        "{} by {who}{}{at} — {}",
        c.request.action,
        if at.is_empty() { "" } else { " at " },
        c.recorded.describe()
    )
}

/// The byte offset in `record` of serde_json's 1-based line and column.
fn offset_in(record: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line {
        match memchr::memchr(b'\n', &record[offset..]) {
            Some(k) => offset += k + 1,
            None => break,
        }
    }
    (offset + column.saturating_sub(1)).min(record.len())
}
