//! `iamtrace learn`: lists lessons (`--list`, or no flag) and checks them (`--check`):
//! each loads, has something to do as shipped, is solved by its answer, and predicts
//! what the engine decides. Exit status 2 for an invalid lesson file, else 1 when a
//! lesson does not hold, else 0. The lesson screen in the TUI is to come.

use super::{expand_paths, note, read_input, report, safe};
use iamtrace::learn::builtin::{DIR, LESSONS};
use iamtrace::learn::{Lesson, check, load_lesson};
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// What `learn` was asked to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print one lesson a line.
    List,
    /// Check every lesson.
    Check,
    /// No flag: the list, and a word on what is not built yet.
    Default,
}

/// A lesson file as read: the name it is shown by and its text, or why it could not
/// be read.
struct Input {
    shown: String,
    text: Result<String, String>,
}

/// Runs `learn` over `files` (none: the built-in lessons).
pub fn run(w: &mut dyn Write, files: &[PathBuf], mode: Mode) -> io::Result<ExitCode> {
    let inputs: Vec<Input> = if files.is_empty() {
        LESSONS
            .iter()
            .map(|l| Input {
                shown: format!("{DIR}/{}", l.file),
                text: Ok(l.text.to_string()),
            })
            .collect()
    } else {
        let Some(paths) = expand_paths(files) else {
            return Ok(ExitCode::from(2));
        };
        paths
            .iter()
            .map(|p| Input {
                shown: p.display().to_string(),
                text: read_input(p),
            })
            .collect()
    };
    let mut invalid = false;
    let mut failed = false;
    for (i, input) in inputs.iter().enumerate() {
        let Some(lesson) = load(input) else {
            invalid = true;
            continue;
        };
        let number = i + 1;
        let title = safe(&lesson.title);
        if mode != Mode::Check {
            writeln!(w, "{number:>2}  {title}")?;
            continue;
        }
        let problems = check(&lesson);
        if problems.is_empty() {
            writeln!(w, "ok    {number:>2}  {title}")?;
            continue;
        }
        failed = true;
        writeln!(w, "FAIL  {number:>2}  {title} ({})", safe(&input.shown))?;
        for p in problems {
            writeln!(w, "        {}", safe(&p.to_string()))?;
        }
    }
    if mode == Mode::Default {
        note(
            "The lesson screen (reading, goals live as you edit, hints, predictions) is not \
             in the TUI yet. `iamtrace learn --check [FILE...]` checks lessons; \
             docs/lessons.md describes the format.",
        );
    }
    Ok(if invalid {
        ExitCode::from(2)
    } else if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The lesson, or `None` with its problems reported (`FILE:LINE:COLUMN: message`).
fn load(input: &Input) -> Option<Lesson> {
    let text = match &input.text {
        Ok(t) => t,
        Err(message) => {
            note(&format!("{}: {}", safe(&input.shown), safe(message)));
            return None;
        }
    };
    match load_lesson(text) {
        Ok(l) => Some(l),
        Err(e) => {
            for d in &e.diagnostics {
                report(&input.shown, text, &e.source_map, d);
            }
            None
        }
    }
}
