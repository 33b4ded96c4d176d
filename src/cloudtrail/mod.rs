//! CloudTrail events as requests: the record format ([`event`]), one event to one
//! request ([`convert`]), and records found in a stream of any size ([`split`]). Used to
//! open CloudTrail files as scenarios and by `iamtrace replay`.

pub mod convert;
pub mod event;
pub mod index;
pub mod mapping;
pub mod replay;
pub mod split;
pub mod stream;

pub use convert::{Converted, Recorded, Skipped, convert};
pub use event::Event;

use crate::scenario::RequestSpec;
use crate::source::{Diagnostic, LineIndex, Span};

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

/// A record that is not a readable CloudTrail event (JSON that does not fit the record
/// format, such as `"resources": 5`): skipped and counted by every reader of trails
/// (replay, [`requests_from_text`]), the rest of the trail still read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// The byte offset in the record of the problem (the record's start when the
    /// position is inside a lookup-events entry's string, not in the file).
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// [`with_event`], with a record that cannot be read described as [`Malformed`].
pub fn read_record<R>(record: &[u8], f: impl FnOnce(&Event) -> R) -> Result<R, Malformed> {
    with_event(record, f).map_err(|e| {
        // In a lookup-events entry the position is in the event's string, not the
        // file: point at the entry.
        let inner = memchr::memmem::find(record, b"\"CloudTrailEvent\"").is_some();
        Malformed {
            offset: if inner {
                0
            } else {
                offset_in(record, e.line(), e.column())
            },
            message: e.to_string(),
        }
    })
}

/// CloudTrail records read from a text: the requests, a description of what was
/// converted and skipped, and the records skipped as malformed.
#[derive(Debug, Clone, PartialEq)]
pub struct Trail {
    /// One request per converted event.
    pub requests: Vec<RequestSpec>,
    /// What was converted and what was skipped, for people.
    pub description: String,
    /// Records skipped as malformed (`record N: …`), positioned in the text.
    pub malformed: Vec<Diagnostic>,
}

/// The requests of a CloudTrail text (a file, an event, or JSON Lines), with a
/// description of what was converted and what was skipped. A malformed or oversized
/// record is skipped and listed in [`Trail::malformed`]; a text whose structure breaks
/// (what follows cannot be split into records) is an error. Positions point into `text`.
pub fn requests_from_text(text: &str) -> Result<Trail, Vec<Diagnostic>> {
    let index = LineIndex::new(text);
    let mut splitter = split::Splitter::new(text.as_bytes());
    let mut errors = Vec::new();
    let mut malformed = Vec::new();
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
            malformed.push(Diagnostic::error(
                index.span(text, at, at),
                format!(
                    "record {}: larger than {}, the most one record may hold; skipped",
                    o.number,
                    crate::read::size_text(crate::read::DEFAULT_MAX_RECORD)
                ),
            ));
        }
        for (k, r) in batch.records.iter().enumerate() {
            total += 1;
            let number = batch.first_index + k as u64 + 1;
            let start = batch.offset as usize + r.start;
            let span = index.span(text, start, batch.offset as usize + r.end);
            match read_record(&batch.data[r.clone()], convert) {
                Err(m) => {
                    let at = start + m.offset;
                    malformed.push(Diagnostic::error(
                        index.span(text, at, at),
                        format!("record {number}: {}; skipped", without_position(&m.message)),
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
    let first = malformed
        .first()
        .map(|d| (d.span.line, u64::from(d.span.column), d.message.as_str()));
    let description = describe(
        total as u64,
        converted.len() as u64,
        &skipped,
        malformed.len() as u64,
        first,
    );
    Ok(Trail {
        requests: name_requests(converted),
        description,
        malformed,
    })
}

/// What was converted and skipped, for people: "N of M CloudTrail events as requests.
/// Skipped …", the first malformed record (line, column, message), and what CloudTrail
/// never records.
fn describe(
    total: u64,
    converted: u64,
    skipped: &[(String, usize)],
    malformed: u64,
    first: Option<(u64, u64, &str)>,
) -> String {
    let mut description = format!(
        "{converted} of {total} CloudTrail event{} as requests.",
        if total == 1 { "" } else { "s" }
    );
    for (reason, n) in skipped {
        description.push_str(&format!(" Skipped {n}: {reason}."));
    }
    if let Some((line, column, message)) = first {
        description.push_str(&format!(
            " Skipped {malformed} malformed record{} (the first at line {line}, column {column}: {message}).",
            if malformed == 1 { "" } else { "s" },
        ));
    }
    description.push_str(
        " CloudTrail does not record tags (aws:PrincipalTag, aws:ResourceTag, aws:RequestTag), aws:PrincipalOrgID or service-specific keys: add them to a request if your policies use them.",
    );
    description
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
        out.push(spec_of(c, names[i].clone(), via, *span));
    }
    out
}

/// The request of a converted event, named `name`, with what CloudTrail recorded as
/// its first note.
fn spec_of(c: &Converted, name: String, via: Option<String>, span: Span) -> RequestSpec {
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
    RequestSpec {
        name: Some(name),
        via,
        request: c.request.clone(),
        expect: None,
        span,
        notes,
    }
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

/// serde_json's message without its " at line L column C" (a position in the record,
/// where the diagnostic already has the position in the file).
pub(crate) fn without_position(message: &str) -> &str {
    match message.rsplit_once(" at line ") {
        Some((head, tail))
            if tail
                .split_once(" column ")
                .is_some_and(|(l, c)| l.parse::<u64>().is_ok() && c.parse::<u64>().is_ok()) =>
        {
            head
        }
        _ => message,
    }
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
