//! The terminal UI: an editable policy pane, a request form and a trace that is
//! re-evaluated on every keystroke. Keys become actions in [`keymap`]; [`update`]
//! hands each action to the pane or view it is for ([`pane`]: each owns its state and
//! answers with effects); [`effect`] carries the effects out in one place; the
//! [`app`] composes the panes with the shared state; [`ui`] draws it. This module owns
//! the terminal and the loop, which evaluates on its thread when that is quick and on
//! the generation-numbered worker ([`evaluate`]) when it is slow.

pub mod action;
pub mod app;
pub mod complete;
pub mod drafts;
pub mod editor;
pub mod effect;
pub mod evaluate;
pub mod file;
pub mod fix;
pub mod form;
pub mod form_complete;
pub mod global;
pub mod history;
pub mod keymap;
pub mod leftovers;
pub mod lesson;
pub mod pane;
pub mod policy_list;
pub mod recover;
pub mod request_list;
pub mod saving;
pub mod signals;
pub mod sweep;
pub mod template;
pub mod trail;
pub mod tree;
pub mod ui;
pub mod undo;
pub mod update;

use app::{App, Evaluated};
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// Evaluations longer than this run on the worker thread, so typing never waits.
const SYNC_BUDGET: Duration = app::SLOW_EVALUATION;

/// Whether the terminal is in the TUI's state (raw, alternate screen). Restoring is
/// done once: the panic hook restores, then the guard drops while unwinding, and a
/// second "leave the alternate screen" would move the cursor over the panic message.
static TERMINAL_TAKEN: AtomicBool = AtomicBool::new(false);

fn restore_terminal() {
    if !TERMINAL_TAKEN.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Puts the terminal in the TUI's state: raw mode, the alternate screen, mouse
/// reporting and bracketed paste.
fn take_terminal() -> io::Result<()> {
    enable_raw_mode()?;
    TERMINAL_TAKEN.store(true, Ordering::SeqCst);
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )
}

/// Restores the terminal when dropped: every exit path, early returns included.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Runs the TUI on `app` until the user quits.
pub fn run(mut app: App) -> io::Result<()> {
    app.test_panic = std::env::var_os("IAMTRACE_TEST_PANIC").is_some_and(|v| v == "1");
    // A panic restores the terminal first, then reports as usual.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    app.check_leftovers();
    let watch = signals::Watch::register()?;
    let _guard = TerminalGuard;
    take_terminal()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    event_loop(&mut terminal, &mut app, &watch)
}

/// A signal asked the program to end: the terminal is given back, unsaved edits go to
/// a recovery file, standard error says where, and the process ends by that signal.
fn end_by_signal(app: &mut App, sig: i32) -> ! {
    restore_terminal();
    let name = signals::name(sig);
    if app.dirty {
        let text = app.recovery_text();
        let said = match recover::write(&app.origin, &text) {
            Ok(p) => format!(
                "iamtrace: {name}: unsaved edits written to {}\n",
                crate::safe_text::for_terminal(&p.display().to_string())
            ),
            Err(e) => format!("iamtrace: {name}: unsaved edits could not be written: {e}\n"),
        };
        // Not eprintln!: after SIGHUP the terminal may be gone, and a failed write to
        // it must not turn into a panic before the process ends by its signal.
        let _ = io::Write::write_all(&mut io::stderr(), said.as_bytes());
    }
    signals::die_by(sig)
}

/// Stops the process on SIGTSTP with the terminal given back (cooked mode, normal
/// screen, cursor shown), then takes it again and redraws everything once continued.
fn suspend(terminal: &mut Terminal<CrosstermBackend<Stdout>>) -> io::Result<()> {
    restore_terminal();
    signals::stop_now();
    resume(terminal)
}

/// Takes the terminal again (after a stop, whoever stopped us) and redraws it whole.
fn resume(terminal: &mut Terminal<CrosstermBackend<Stdout>>) -> io::Result<()> {
    take_terminal()?;
    terminal.clear()
}

/// A job for the worker: the scenario at a generation, and the request shown.
type Job = (u64, crate::scenario::Scenario, usize);

fn spawn_worker() -> (Sender<Job>, Receiver<(u64, Evaluated)>) {
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let (out_tx, out_rx) = mpsc::channel();
    std::thread::spawn(move || {
        // The worker's own parses, kept from job to job (the scenarios it gets are
        // edits of one another).
        let mut cache = crate::scenario::PolicyCache::default();
        while let Ok(mut job) = job_rx.recv() {
            // Only the newest job matters.
            while let Ok(newer) = job_rx.try_recv() {
                job = newer;
            }
            let out = app::evaluate_scenario_kept(&job.1, Some(job.2), &mut cache);
            if out_tx.send((job.0, out)).is_err() {
                break;
            }
        }
    });
    (job_tx, out_rx)
}

/// A search result: generation, request, the fixes found.
type Found = (u64, usize, Option<crate::analysis::fixes::Suggestions>);

/// The thread that searches policy edits for the request shown (newest job only).
fn spawn_fixes() -> (Sender<evaluate::FixesJob>, Receiver<Found>) {
    let (job_tx, job_rx) = mpsc::channel::<evaluate::FixesJob>();
    let (out_tx, out_rx) = mpsc::channel();
    std::thread::spawn(move || {
        while let Ok(mut job) = job_rx.recv() {
            // Only the newest job is searched; the others are answered with nothing
            // (the app has moved on from them).
            while let Ok(newer) = job_rx.try_recv() {
                let old = std::mem::replace(&mut job, newer);
                if out_tx.send((old.generation, old.request, None)).is_err() {
                    return;
                }
            }
            let found = job.run();
            if out_tx.send((job.generation, job.request, found)).is_err() {
                break;
            }
        }
    });
    (job_tx, out_rx)
}

/// How long a frame of the request pane's flash lasts (at most: a key draws sooner).
const FLASH_FRAME: Duration = Duration::from_millis(60);

/// The longest wait for input: signals are looked at between waits.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Reads terminal events on their own thread and hands them over a channel, so the loop
/// never waits inside crossterm: when the terminal goes away, crossterm reads its end
/// of file in a tight loop and never returns, and a loop waiting there would neither
/// see the hang-up signal nor stop spinning. An `Err` says the terminal is gone (or
/// could not be read); nothing follows it.
fn spawn_input() -> Receiver<io::Result<Event>> {
    let (tx, rx) = mpsc::sync_channel(1024);
    // crossterm reads standard input when it is the terminal (else /dev/tty, whose
    // hang-up comes as a signal).
    let stdin_is_tty = std::io::IsTerminal::is_terminal(&io::stdin());
    std::thread::spawn(move || {
        loop {
            if stdin_is_tty && signals::terminal_hung_up() {
                let _ = tx.send(Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "the terminal is gone",
                )));
                return;
            }
            let next = match event::poll(SIGNAL_CHECK) {
                Ok(true) => event::read(),
                Ok(false) => continue,
                Err(e) => Err(e),
            };
            let stop = next.is_err();
            if tx.send(next).is_err() || stop {
                return;
            }
        }
    });
    rx
}

fn event_loop(
    terminal: &mut Terminal<CrosstermBackend<Stdout>>,
    app: &mut App,
    watch: &signals::Watch,
) -> io::Result<()> {
    let (jobs, results) = spawn_worker();
    let (fix_jobs, fixes) = spawn_fixes();
    // Searches sent and not answered yet (every job is answered).
    let mut searching = 0usize;
    let input = spawn_input();
    crate::catalog::services::preload();
    let colours = ui::colours::Colours::from_env();
    loop {
        match watch.take() {
            signals::Pending::None => {}
            signals::Pending::Terminate(sig) => end_by_signal(app, sig),
            signals::Pending::Suspend => {
                suspend(terminal)?;
                watch.clear_resume();
            }
            signals::Pending::Resume => resume(terminal)?,
        }
        if !app.lint.ready && crate::catalog::services::loaded().is_some() {
            if app.last_eval <= SYNC_BUDGET {
                effect::run(app, vec![pane::Effect::Lint]);
            } else if !app.pending {
                // A big scenario's first lint (every statement) is the worker's, so
                // that no keystroke waits for it.
                app.pending = true;
                let _ = jobs.send((app.generation, app.scenario.clone(), app.request));
            }
        }
        terminal.draw(|f| {
            let screen = ui::colours::Screen { app, colours };
            f.render_widget(screen, ui::layout::drawable_area(f.area()))
        })?;
        // A flash lasts a number of frames drawn, not a time: nothing waits for it.
        app.tick();
        if app.quit {
            return Ok(());
        }
        // Wait for input, or for the worker when it is busy. (A trail being indexed
        // is drawn again at least every SIGNAL_CHECK, with its progress.)
        let timeout = if app.pending || !app.lint.ready || searching > 0 {
            Duration::from_millis(15)
        } else if app.request_flash > 0 {
            FLASH_FRAME
        } else {
            SIGNAL_CHECK
        };
        let mut changed = app.trail_tick();
        let mut next = match input.recv_timeout(timeout) {
            Ok(item) => Some(item),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => Some(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the terminal is gone",
            ))),
        };
        // Take everything that is waiting before drawing again.
        while let Some(item) = next {
            let Ok(ev) = item else {
                // The terminal went away: as on a hang-up, unsaved edits go to the
                // recovery file and the program ends.
                end_by_signal(app, signals::HANGUP);
            };
            let size = terminal.size()?;
            let area = ui::layout::drawable_area(ratatui::layout::Rect::new(
                0,
                0,
                size.width,
                size.height,
            ));
            changed |= match ev {
                Event::Key(k) => update::handle_key(app, k),
                Event::Paste(text) => update::handle_paste(app, &text),
                Event::Mouse(m) => update::handle_mouse(app, m, area),
                Event::Resize(_, _) => false,
                _ => false,
            };
            if app.quit {
                break;
            }
            next = input.try_recv().ok();
        }
        // A request switch on a big scenario also wants the worker (for its why-not).
        let wanted = app.take_analysis_wanted();
        if changed || wanted {
            if app.last_eval <= SYNC_BUDGET {
                app.evaluate_now();
            } else {
                app.pending = true;
                let _ = jobs.send((app.generation, app.scenario.clone(), app.request));
            }
        }
        while let Ok((generation, out)) = results.try_recv() {
            if generation == app.generation {
                app.apply(out);
            }
        }
        // The fixes of the request shown, searched on their own thread.
        if let Some(job) = app.fixes_job() {
            if fix_jobs.send(job).is_ok() {
                searching += 1;
            }
        }
        while let Ok((generation, request, found)) = fixes.try_recv() {
            searching = searching.saturating_sub(1);
            app.take_fixes(generation, request, found);
        }
    }
}
