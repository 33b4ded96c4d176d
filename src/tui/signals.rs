//! Signals while the TUI holds the terminal. The handlers only set flags (nothing else
//! is safe inside a signal handler); the event loop reads them between events and
//! does the work on its own thread: SIGTERM, SIGHUP and SIGINT end the program after
//! restoring the terminal and writing unsaved edits to a recovery file; SIGTSTP
//! leaves raw mode and the alternate screen before stopping, and SIGCONT takes the
//! terminal back and redraws everything.

#[cfg(unix)]
use std::sync::Arc;
#[cfg(unix)]
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What the event loop should do about the signals that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Nothing arrived.
    None,
    /// End the program: this signal (SIGTERM, SIGHUP or SIGINT) asked for it.
    Terminate(i32),
    /// Stop (SIGTSTP): give the terminal back first.
    Suspend,
    /// Continued (SIGCONT): take the terminal again and redraw.
    Resume,
}

/// The flags the signal handlers set, registered for as long as this lives.
pub struct Watch {
    #[cfg(unix)]
    terminate: Arc<AtomicUsize>,
    #[cfg(unix)]
    suspend: Arc<AtomicBool>,
    #[cfg(unix)]
    resume: Arc<AtomicBool>,
    #[cfg(unix)]
    ids: Vec<signal_hook::SigId>,
}

impl Watch {
    /// Registers the handlers.
    #[cfg(unix)]
    pub fn register() -> std::io::Result<Watch> {
        use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP};
        use signal_hook::flag;
        let mut watch = Watch {
            terminate: Arc::new(AtomicUsize::new(0)),
            suspend: Arc::new(AtomicBool::new(false)),
            resume: Arc::new(AtomicBool::new(false)),
            ids: Vec::new(),
        };
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            let id = flag::register_usize(sig, Arc::clone(&watch.terminate), sig as usize)?;
            watch.ids.push(id);
        }
        watch
            .ids
            .push(flag::register(SIGTSTP, Arc::clone(&watch.suspend))?);
        watch
            .ids
            .push(flag::register(SIGCONT, Arc::clone(&watch.resume))?);
        Ok(watch)
    }

    /// Registers nothing (no POSIX signals here).
    #[cfg(not(unix))]
    pub fn register() -> std::io::Result<Watch> {
        Ok(Watch {})
    }

    /// What arrived since the last call (a request to end wins over the others).
    pub fn take(&self) -> Pending {
        #[cfg(unix)]
        {
            let sig = self.terminate.swap(0, Ordering::SeqCst);
            if sig != 0 {
                return Pending::Terminate(sig as i32);
            }
            if self.suspend.swap(false, Ordering::SeqCst) {
                // The SIGCONT that ends this stop is handled by the suspension itself.
                return Pending::Suspend;
            }
            if self.resume.swap(false, Ordering::SeqCst) {
                return Pending::Resume;
            }
        }
        Pending::None
    }

    /// Forgets a SIGCONT that already arrived (after a suspension the loop took the
    /// terminal back itself).
    pub fn clear_resume(&self) {
        #[cfg(unix)]
        self.resume.store(false, Ordering::SeqCst);
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        #[cfg(unix)]
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// The signal's name, for the message on the way out.
pub fn name(sig: i32) -> String {
    #[cfg(unix)]
    if let Some(n) = signal_hook::low_level::signal_name(sig) {
        return n.to_string();
    }
    format!("signal {sig}")
}

/// Stops the process the way SIGTSTP would have (the handler replaced that), and
/// returns once it is continued.
pub fn stop_now() {
    #[cfg(unix)]
    {
        let _ = signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP);
    }
}

/// Ends the process the way `sig` would have without a handler, so the parent (a
/// shell) sees it ended by that signal; exits with 128 + `sig` if that returns.
pub fn die_by(sig: i32) -> ! {
    #[cfg(unix)]
    {
        let _ = signal_hook::low_level::emulate_default_handler(sig);
    }
    std::process::exit(128 + sig)
}

/// Makes a write past the file size limit (`ulimit -f`) fail with an error (EFBIG)
/// instead of killing the process with SIGXFSZ, so a save reports it, removes its
/// temporary file and the terminal is restored. Call once, at the start.
pub fn ignore_file_size_limit_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN calls no Rust code and is
    // done before any other thread could rely on the default.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// The signal a terminal that went away sends (SIGHUP), for ending the program the way
/// a hang-up does when the loop finds the terminal gone before the signal is seen.
pub const HANGUP: i32 = {
    #[cfg(unix)]
    {
        signal_hook::consts::SIGHUP
    }
    #[cfg(not(unix))]
    {
        1
    }
};

/// True when standard input is a terminal that has hung up (its other end closed).
/// Only asked when standard input is the terminal the TUI reads.
pub fn terminal_hung_up() -> bool {
    #[cfg(unix)]
    {
        let mut fd = libc::pollfd {
            fd: 0,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, a zero timeout; poll has no other precondition.
        let n = unsafe { libc::poll(&mut fd, 1, 0) };
        n > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
    #[cfg(not(unix))]
    {
        false
    }
}
