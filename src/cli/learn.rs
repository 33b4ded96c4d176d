//! `iamtrace learn`: opens the lesson screen in the TUI (the list of lessons, or the
//! lesson named by its number or file), lists lessons (`--list`, and with no terminal),
//! checks them (`--check`: each loads, has something to do as shipped, is solved by its
//! answer, and predicts what the engine decides; exit status 2 for an invalid lesson
//! file, else 1 when a lesson does not hold, else 0), and forgets progress (`--reset`).

use super::{expand_paths, note, read_input, report, safe};
use iamtrace::learn::builtin::{DIR, LESSONS};
use iamtrace::learn::progress;
use iamtrace::learn::{Lesson, check, load_lesson};
use iamtrace::tui::app::App;
use iamtrace::tui::lesson::{LessonSource, load_lesson_file};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// What `learn` was asked to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Print one lesson a line.
    List,
    /// Check every lesson.
    Check,
    /// No flag: the lesson screen (the list, or the lesson named); without a terminal,
    /// the list.
    Open,
    /// Forget the progress kept in the data directory.
    Reset,
}

/// A lesson file as read: the name it is shown by and its text, or why it could not
/// be read.
struct Input {
    shown: String,
    text: Result<String, String>,
    /// Its number in the list printed: a built-in lesson's own, else its place.
    number: usize,
}

/// A built-in lesson's number (1 to the count) given as `arg`, unless a file of that
/// name exists.
fn builtin_number(arg: &std::path::Path) -> Option<usize> {
    let n = arg.to_str()?.parse::<usize>().ok()?;
    ((1..=LESSONS.len()).contains(&n) && !arg.exists()).then_some(n)
}

/// Runs `learn` over `files` (none: the built-in lessons).
pub fn run(w: &mut dyn Write, files: &[PathBuf], mode: Mode) -> io::Result<ExitCode> {
    match mode {
        Mode::Reset => return reset(w),
        Mode::Open if io::stdout().is_terminal() => return Ok(open(files)),
        _ => {}
    }
    let builtin = |i: usize, l: &iamtrace::learn::builtin::BuiltinLesson| Input {
        shown: format!("{DIR}/{}", l.file),
        text: Ok(l.text.to_string()),
        number: i + 1,
    };
    let inputs: Vec<Input> = if files.is_empty() {
        LESSONS
            .iter()
            .enumerate()
            .map(|(i, l)| builtin(i, l))
            .collect()
    } else if let Some(numbers) = files
        .iter()
        .map(|f| builtin_number(f))
        .collect::<Option<Vec<_>>>()
    {
        // Built-in lessons by number: `iamtrace learn --check 3 12`.
        numbers
            .into_iter()
            .map(|n| builtin(n - 1, &LESSONS[n - 1]))
            .collect()
    } else {
        let Some(paths) = expand_paths(files) else {
            return Ok(ExitCode::from(2));
        };
        paths
            .iter()
            .enumerate()
            .map(|(i, p)| Input {
                shown: p.display().to_string(),
                text: read_input(p),
                number: i + 1,
            })
            .collect()
    };
    let mut invalid = false;
    let mut failed = false;
    for input in &inputs {
        let Some(lesson) = load(input) else {
            invalid = true;
            continue;
        };
        let number = input.number;
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

/// Forgets the progress file, saying where it was.
fn reset(w: &mut dyn Write) -> io::Result<ExitCode> {
    let Some(path) = progress::default_path() else {
        note("no data directory (neither XDG_DATA_HOME nor HOME is set): no progress is kept");
        return Ok(ExitCode::SUCCESS);
    };
    match progress::reset(&path) {
        Ok(()) => {
            writeln!(
                w,
                "progress forgotten ({})",
                safe(&path.display().to_string())
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            note(&safe(&e));
            Ok(ExitCode::from(1))
        }
    }
}

/// The lesson screen: the list (no argument), built-in lesson N, or a lesson file.
fn open(files: &[PathBuf]) -> ExitCode {
    let app = match files {
        [] => App::for_lessons(None),
        [one] => {
            let number = one
                .to_str()
                .and_then(|s| s.parse::<usize>().ok())
                .filter(|_| !one.exists());
            match number {
                Some(n) if (1..=LESSONS.len()).contains(&n) => load_lesson(LESSONS[n - 1].text)
                    .ok()
                    .map(|l| App::for_lesson(l, LessonSource::Builtin(n - 1), None)),
                Some(n) => {
                    note(&format!(
                        "there is no lesson {n}: the lessons are numbered 1 to {} (iamtrace learn --list)",
                        LESSONS.len()
                    ));
                    return ExitCode::from(2);
                }
                None => match load_lesson_file(one) {
                    Ok(l) => Some(App::for_lesson(l, LessonSource::File(one.clone()), None)),
                    Err(problems) => {
                        for p in problems {
                            note(&safe(&p));
                        }
                        return ExitCode::from(2);
                    }
                },
            }
        }
        _ => {
            note("open one lesson at a time (iamtrace learn N or FILE); --check takes several");
            return ExitCode::from(2);
        }
    };
    match app {
        Some(app) => super::open::run_app(app),
        None => {
            note("the built-in lessons do not load: run iamtrace learn --check");
            ExitCode::from(2)
        }
    }
}
