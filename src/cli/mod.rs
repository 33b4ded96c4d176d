//! Plain command-line output over the engine: file discovery, error reporting with
//! positions, and the `eval` command.

pub mod diff;
pub mod eval;
pub mod grid;
pub mod lint;
pub mod open;
pub mod replay;

use iamtrace::source::Diagnostic;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Whether to colour standard output: a terminal, and `NO_COLOR` unset.
pub fn stdout_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Expands directories into their `*.json` files (recursively, sorted by path).
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    expand_paths_with(paths, &["json"])
}

/// Expands directories into their files with one of `extensions` (recursively, sorted
/// by path); files given are kept whatever their name.
pub fn expand_paths_with(paths: &[PathBuf], extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, extensions, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, extensions, out);
        } else if p
            .extension()
            .is_some_and(|x| extensions.iter().any(|e| x == *e))
        {
            out.push(p);
        }
    }
}

/// `n` with the singular or plural word: `1 file`, `3 files`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Prints `FILE:LINE:COLUMN: message` to standard error, with the source line and a
/// caret under it when standard error is a terminal and the position is in `text`.
pub fn report(file: &str, text: &str, d: &Diagnostic) {
    eprintln!("{file}:{}:{}: {}", d.span.line, d.span.column, d.message);
    let in_file = !d.message.starts_with("in the policy text of");
    if in_file && std::io::stderr().is_terminal() {
        if let Some(line) = text.lines().nth(d.span.line.saturating_sub(1) as usize) {
            let col = d.span.column.saturating_sub(1) as usize;
            let pad: String = line
                .chars()
                .take(col)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            eprintln!("  {line}\n  {pad}^");
        }
    }
}
