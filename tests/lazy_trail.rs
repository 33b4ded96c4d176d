//! A CloudTrail file read by record number (`cloudtrail::index`, what the TUI opens
//! large trails with) gives the requests, skipped events and malformed records that
//! reading the file whole gives, at the same places: plain, gzip, JSON Lines, a
//! delivered file, lookup-events output, over many batches, and a trail cut short.

use iamtrace::cloudtrail::index::{LazyTrail, Record};
use iamtrace::cloudtrail::requests_from_text;
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inputs")
        .join(name)
}

/// Every record of `path` read lazily: the requests (name without `#N`, the
/// request, its notes), and the malformed records (line, column, message).
type Read = (Vec<(String, String, Vec<String>)>, Vec<(u64, u32, String)>);

fn lazily(path: &Path) -> Read {
    let trail = LazyTrail::open(path).expect("opens");
    let progress = trail.wait();
    assert!(progress.done);
    assert_eq!(progress.error, None, "{}", path.display());
    assert_eq!(progress.percent(), 100);
    let mut requests = Vec::new();
    let mut malformed = Vec::new();
    for n in 0..trail.len() {
        match trail.record(n).expect("found") {
            Record::Request(spec) => requests.push((
                spec.name.clone().expect("named"),
                format!("{:?}", spec.request),
                spec.notes.clone(),
            )),
            Record::Skipped(_) => {}
            Record::Malformed { span, message } => {
                malformed.push((span.line, span.column, message))
            }
        }
    }
    assert_eq!(trail.record(trail.len()), None, "past the end");
    (requests, malformed)
}

fn whole(text: &str) -> Read {
    let trail = requests_from_text(text).expect("reads");
    let requests = trail
        .requests
        .iter()
        .map(|r| {
            let name = r.name.clone().expect("named");
            // Repeats are told apart only when the whole trail is read.
            let name = match name.rsplit_once(" #") {
                Some((base, n)) if n.parse::<u32>().is_ok() => base.to_string(),
                _ => name,
            };
            (name, format!("{:?}", r.request), r.notes.clone())
        })
        .collect();
    let malformed = trail
        .malformed
        .iter()
        .map(|d| (d.span.line, d.span.column, d.message.clone()))
        .collect();
    (requests, malformed)
}

fn gzip(text: &str, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).expect("creates"),
        flate2::Compression::fast(),
    );
    enc.write_all(text.as_bytes()).expect("writes");
    enc.finish().expect("finishes");
    path
}

#[test]
fn fixtures_read_lazily_as_whole() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for name in [
        "trail.jsonl",
        "trail-records.json",
        "trail-lookup-events.json",
        "trail-malformed.json",
        "trail-event.json",
    ] {
        let path = fixture(name);
        let text = std::fs::read_to_string(&path).expect("the fixture");
        let expected = whole(&text);
        assert!(!expected.0.is_empty(), "{name} has requests");
        assert_eq!(lazily(&path), expected, "{name}");
        let gz = gzip(&text, dir.path(), &format!("{name}.gz"));
        assert_eq!(lazily(&gz), expected, "{name}.gz");
    }
}

/// Many batches (line positions carried from batch to batch), malformed records among
/// them, in JSON Lines and as one delivered-file line.
#[test]
fn many_batches_as_whole() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let lines: Vec<String> = std::fs::read_to_string(fixture("trail.jsonl"))
        .expect("the fixture")
        .lines()
        .map(String::from)
        .collect();
    let bad = lines[0].replacen("\"resources\":[", "\"resources\":5,\"x\":[", 1);
    assert_ne!(bad, lines[0]);
    let events: Vec<String> = (0..6_000)
        .map(|i| {
            let line = if i % 1_000 == 999 {
                &bad
            } else {
                &lines[i % lines.len()]
            };
            line.replacen("T10:0", &format!("T{:02}:0", i % 24), 1)
        })
        .collect();
    let jsonl = events.join("\n") + "\n";
    assert!(jsonl.len() > 3 << 20, "several batches");
    let records = format!("{{\"Records\":[{}]}}", events.join(","));
    for (name, text) in [("trail.jsonl", &jsonl), ("records.json", &records)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("writes");
        let expected = whole(text);
        assert_eq!(expected.1.len(), 6, "{name}: six malformed");
        let got = lazily(&path);
        assert_eq!(got.1, expected.1, "{name}: malformed records");
        assert_eq!(got, expected, "{name}");
        let gz = gzip(text, dir.path(), &format!("{name}.gz"));
        assert_eq!(lazily(&gz), expected, "{name}.gz");
    }
}

/// A trail cut short: the records before the break are read, and the break is said
/// with its line and column.
#[test]
fn cut_short() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = std::fs::read_to_string(fixture("trail-records.json")).expect("the fixture");
    let cut = &text[..text.len() - 20];
    let path = dir.path().join("cut.json");
    std::fs::write(&path, cut).expect("writes");
    let trail = LazyTrail::open(&path).expect("opens");
    let progress = trail.wait();
    let error = progress.error.expect("the break is said");
    assert!(error.contains(':'), "{error}");
    let whole_error = requests_from_text(cut).expect_err("breaks");
    let d = &whole_error[0];
    assert_eq!(
        error,
        format!("{}:{}: {}", d.span.line, d.span.column, d.message)
    );
}

/// A file that cannot be opened is an error at once, not a trail with no records.
#[test]
fn missing_file_is_an_error() {
    let err = LazyTrail::open(Path::new("/nonexistent/trail.json")).expect_err("no file");
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
}
