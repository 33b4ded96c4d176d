//! Plain command-line output over the engine: file discovery, reading input, error
//! reporting with positions, and the subcommands.
//!
//! Output discipline (as ripgrep's): every command writes to the `out` it is given and
//! returns `io::Result<ExitCode>`; a failed write is an `Err` that `main` turns into a
//! message and exit status 2 in one place (a closed pipe is a quiet exit). Messages go
//! to standard error through [`note`]. Every untrusted string in text output and in
//! messages passes through [`safe`]; JSON goes through [`write_json`], exact JSON whose
//! strings carry control characters and bidi overrides as `\uXXXX` escapes.

pub mod diff;
pub mod eval;
pub mod eval_stream;
pub mod grid;
pub mod learn;
pub mod lint;
pub mod open;
pub mod replay;

use iamtrace::source::{DecodedText, Diagnostic, SourceId, SourceMap, Span};
use std::borrow::Cow;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Untrusted text (a file name, a name or value from a file, a message quoting one) as
/// printed: see [`iamtrace::safe_text::for_terminal`].
pub fn safe(text: &str) -> Cow<'_, str> {
    iamtrace::safe_text::for_terminal(text)
}

/// A path as printed: [`safe`].
pub fn safe_path(path: &Path) -> String {
    safe(&path.display().to_string()).into_owned()
}

/// Writes a message line to standard error. A failure to write a message has nowhere
/// to be reported, so it is the one write whose error is dropped (as `eprintln!` would
/// panic instead).
pub fn note(message: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(message.as_bytes());
    let _ = err.write_all(b"\n");
}

/// Writes `value` as one line of JSON. Strings keep their exact value, but control
/// characters, DEL, C1 and bidi controls are written as `\uXXXX` escapes (serde_json
/// writes DEL, C1 and bidi controls raw), so JSON shown on a terminal cannot drive it.
pub fn write_json(out: &mut dyn Write, value: &serde_json::Value) -> io::Result<()> {
    write_json_part(out, value)?;
    out.write_all(b"\n")
}

/// [`write_json`] without the line's end: a part of a line written piece by piece.
pub fn write_json_part(out: &mut dyn Write, value: &serde_json::Value) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, TerminalSafeJson);
    serde::Serialize::serialize(value, &mut ser).map_err(io::Error::from)
}

/// serde_json's compact formatter, escaping what [`iamtrace::safe_text::is_unsafe`]
/// calls unsafe.
struct TerminalSafeJson;

impl serde_json::ser::Formatter for TerminalSafeJson {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if iamtrace::safe_text::is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Whether to colour standard output: a terminal, and `NO_COLOR` unset.
pub fn stdout_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// False (the message printed) when `-`, standard input, is named more than once: it
/// can be read only once, and a second read would look like an empty file.
pub fn stdin_once<'a>(paths: impl IntoIterator<Item = &'a Path>) -> bool {
    let n = paths.into_iter().filter(|p| p.as_os_str() == "-").count();
    if n > 1 {
        note("- (standard input) can be read only once: give it for one file only");
    }
    n <= 1
}

/// Expands directories into their `*.json` files (recursively, sorted by path): see
/// [`expand_paths_with`].
pub fn expand_paths(paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    expand_paths_with(paths, &["json"])
}

/// What `eval` finds in a directory: scenarios and policies (`*.json`), and CloudTrail
/// as delivered (`*.json.gz`) or as JSON Lines (`*.jsonl`, `*.jsonl.gz`).
pub const EVAL_INPUTS: &[&str] = &["json", "jsonl", "json.gz", "jsonl.gz"];

/// Expands directories into their files whose names end in `.` and one of `extensions`
/// (`json`, `json.gz`; recursively, sorted by path); files given are kept whatever
/// their name. A directory named here is read
/// even when it is a symbolic link; inside it, links to files are followed but links to
/// directories are not (a link to `.` or `/` would loop or walk the whole disk), and
/// how many were skipped is said on standard error. `None` (the message printed) when
/// a directory holds no such file: a misspelt path in CI must not pass in silence.
pub fn expand_paths_with(paths: &[PathBuf], extensions: &[&str]) -> Option<Vec<PathBuf>> {
    if !stdin_once(paths.iter().map(PathBuf::as_path)) {
        return None;
    }
    let mut out = Vec::new();
    let mut empty = false;
    for p in paths {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let mut walk = Walk {
            extensions,
            found: Vec::new(),
            skipped_links: 0,
            visited: Vec::new(),
        };
        walk.dir(p);
        let shown = safe_path(p);
        if walk.skipped_links > 0 {
            note(&format!(
                "{shown}: {} not followed",
                count(
                    walk.skipped_links,
                    "symbolic link to a directory",
                    "symbolic links to directories"
                )
            ));
        }
        if walk.found.is_empty() {
            let wanted: Vec<String> = extensions.iter().map(|e| format!("*.{e}")).collect();
            let wanted = match wanted.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => "matching".into(),
            };
            note(&format!("no {wanted} file under {shown}"));
            empty = true;
        }
        walk.found.sort();
        out.extend(walk.found);
    }
    (!empty).then_some(out)
}

/// One directory walk.
struct Walk<'a> {
    extensions: &'a [&'a str],
    found: Vec<PathBuf>,
    skipped_links: u64,
    /// The directories entered, by identity: a bind mount can still make a cycle.
    visited: Vec<(u64, u64)>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path) {
        if let Some(id) = dir_id(dir) {
            if self.visited.contains(&id) {
                return;
            }
            self.visited.push(id);
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                note(&format!(
                    "{}: cannot read the directory: {e}",
                    safe_path(dir)
                ));
                return;
            }
        };
        for e in entries.flatten() {
            let p = e.path();
            // The entry's own type: a symbolic link is not followed here.
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                self.dir(&p);
            } else if kind.is_symlink() && p.is_dir() {
                self.skipped_links += 1;
            } else if has_extension(&p, self.extensions) {
                self.found.push(p);
            }
        }
    }
}

/// True when `path`'s file name ends in `.EXT` for one of `extensions` (which may hold
/// dots: `json.gz`), with something before that dot.
fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.as_encoded_bytes();
    extensions.iter().any(|e| {
        let e = e.as_bytes();
        name.len() > e.len() + 1 && name.ends_with(e) && name[name.len() - e.len() - 1] == b'.'
    })
}

/// A directory's device and inode, where the platform has them.
#[cfg(unix)]
fn dir_id(dir: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn dir_id(_: &Path) -> Option<(u64, u64)> {
    None
}

/// `n` with the singular or plural word: `1 file`, `3 files`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Prints `FILE:LINE:COLUMN: message` to standard error, with the source line and a
/// caret under it when standard error is a terminal. A diagnostic in a policy decoded
/// from a string of the file (its span names it in `map`) is placed at the string,
/// the position in the decoded text said in words ([`SourceMap::describe`]), and the
/// source line shown is the decoded text's. The file name, the message and the source
/// line are printed [`safe`]: the caret is placed under the character as escaped.
pub fn report(file: &str, text: &str, map: &SourceMap, d: &Diagnostic) {
    note(&safe(&map.locate(file, d)));
    // A diagnostic in another file (a template a scenario takes policies from): its
    // text is not at hand; the position says where.
    if !std::io::stderr().is_terminal() || map.file_of(&d.span).is_some() {
        return;
    }
    let decoded;
    let shown_text = match map.get(d.span.source) {
        Some(t) => match t.text(text) {
            Some(t) => {
                decoded = t;
                decoded.as_str()
            }
            None => return,
        },
        None => text,
    };
    if let Some(line) = shown_text
        .lines()
        .nth(d.span.line.saturating_sub(1) as usize)
    {
        let col = d.span.column.saturating_sub(1) as usize;
        let before: String = line.chars().take(col).collect();
        let pad = " ".repeat(safe(&before).chars().count());
        note(&format!("  {}\n  {pad}^", safe(line)));
    }
}

/// Where `span` is, for JSON output: `line` and `column` in the file (for a span in a
/// policy decoded from a string, those of the string), `file` when that is another file
/// (a template a scenario takes policies from; its path), and then `decoded`: the
/// policy, its `source` number (as trace spans carry it), how the string holds it and
/// the `line` and `column` in the decoded text.
pub fn position_json(map: &SourceMap, span: &Span) -> serde_json::Value {
    let place = map.place(span);
    let mut v = serde_json::json!({"line": place.line, "column": place.column});
    if let Some(f) = place.file {
        v["file"] = f.path.as_str().into();
    }
    if let Some((d, s)) = place.decoded {
        v["decoded"] = decoded_json(map, s.source, d);
        v["decoded"]["line"] = s.line.into();
        v["decoded"]["column"] = s.column.into();
    }
    v
}

/// A decoded text for JSON output: `source` (the number spans in it carry), `policy`
/// (its name, or its path when unnamed), `encoding`, its string's `line` and `column`
/// in the file, and `file` when the string is in another file (`map` says which).
pub fn decoded_json(map: &SourceMap, id: SourceId, d: &DecodedText) -> serde_json::Value {
    let mut v = serde_json::json!({
        "source": id.number(),
        "policy": d.name.as_deref().unwrap_or(&d.path),
        "encoding": d.encoding,
        "line": d.literal.line,
        "column": d.literal.column,
    });
    if let Some(f) = map.file(d.literal.source) {
        v["file"] = f.path.as_str().into();
    }
    v
}

/// The other files a scenario takes policies from, for JSON output: `source` (the
/// number spans in one carry), `file` (its path), and the `line` and `column` where
/// the scenario names it.
pub fn files_json(map: &SourceMap) -> Vec<serde_json::Value> {
    map.files()
        .map(|(id, f)| {
            serde_json::json!({
                "source": id.number(),
                "file": f.path,
                "line": f.named_at.line,
                "column": f.named_at.column,
            })
        })
        .collect()
}

/// A diagnostic for JSON output: [`position_json`] and `message`.
pub fn diagnostic_json(map: &SourceMap, d: &Diagnostic) -> serde_json::Value {
    let mut v = position_json(map, &d.span);
    v["message"] = d.message.as_str().into();
    v
}

/// `options` for the input read from `path`: a scenario's `policiesFrom` paths are
/// relative to its directory (standard input, `-`, has none: the current directory).
pub fn with_path(
    options: &iamtrace::input::LoadOptions,
    path: &Path,
) -> iamtrace::input::LoadOptions {
    iamtrace::input::LoadOptions {
        path: (path.as_os_str() != "-").then(|| path.to_path_buf()),
        ..options.clone()
    }
}

/// The most an input read whole may hold (`--max-input`), set once by `main`.
static MAX_INPUT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

/// Sets the limit of [`read_input`] (once, from `--max-input`).
pub fn set_max_input(max: u64) {
    let _ = MAX_INPUT.set(max);
}

/// Reads an input file (or standard input for `-`) as text: gzip decompressed, at most
/// `--max-input` bytes after decompression, UTF-8 checked (see [`iamtrace::read`]).
/// Waiting on a terminal, it says what it waits for. `Err` is the message to print
/// after the file name.
pub fn read_input(path: &Path) -> Result<String, String> {
    let max = MAX_INPUT
        .get()
        .copied()
        .unwrap_or(iamtrace::read::DEFAULT_MAX_INPUT);
    if path.as_os_str() == "-" {
        let stdin = io::stdin();
        if stdin.is_terminal() {
            note("reading a scenario or policy from standard input; end with Ctrl+D");
        }
        return iamtrace::read::read_text(stdin.lock(), max);
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let size = file.metadata().map_or(0, |m| m.len());
    iamtrace::read::read_text_sized(file, max, size)
}
