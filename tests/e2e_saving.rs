//! End to end, in a real terminal (a private tmux server): saving keeps what the file
//! is. Save as onto an existing file asks; a change made on disk by another program is
//! noticed before Ctrl+S overwrites it; a 0644 file is still 0644 after Ctrl+S; a
//! symbolic link is still a link (its target written); a save that fails says why and
//! keeps the edits, as does a save into a directory the user may not write.
//!
//! Needs `tmux` (CI installs it): skipped with a message without it, unless `CI` is
//! set. Every wait polls the screen until the text shows up or a deadline passes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long any one thing may take to show up on screen.
const DEADLINE: Duration = Duration::from_secs(20);
/// How often the screen is read while waiting.
const POLL: Duration = Duration::from_millis(50);

/// The scenario every test opens (small, every policy valid).
const SCENARIO: &str = "tests/cases/decisions/default-deny.json";

/// After the program: its exit status, then the pane stays a while.
const AFTER: &str = "echo \"EXIT:$?\"; sleep 60";

fn tmux_available(test: &str) -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var_os("CI").is_some() {
        panic!("{test}: `tmux -V` failed, and CI is set: tmux must be installed (see .ci/run)");
    }
    if !ok {
        eprintln!("SKIPPED {test}: tmux is not installed");
    }
    ok
}

fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A private tmux server running one shell command; killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Runs `iamtrace ARGS` in `cwd`, and waits for the TUI to show `ready`.
    fn open(test: &str, cwd: &Path, args: &str, ready: &str) -> Tmux {
        Tmux::open_with(test, cwd, "", env!("CARGO_BIN_EXE_iamtrace"), args, ready)
    }

    /// Runs `PREFIX PROGRAM ARGS` (the prefix e.g. `setpriv …`) in `cwd`, and waits for
    /// the TUI to show `ready`.
    fn open_with(
        test: &str,
        cwd: &Path,
        prefix: &str,
        program: &str,
        args: &str,
        ready: &str,
    ) -> Tmux {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "iamtrace-save-{}-{}-{test}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let conf = cwd.join("tmux.conf");
        std::fs::write(
            &conf,
            "set -g default-shell /bin/sh\nset -g default-terminal xterm-256color\nset -g status off\n",
        )
        .unwrap();
        let command = format!("{prefix} {} {args}; {AFTER}", sh_quote(program));
        let tmux = Tmux { socket };
        let out = Command::new("tmux")
            .env("TERM", "xterm-256color")
            .env_remove("TMUX")
            .arg("-u")
            .arg("-f")
            .arg(&conf)
            .args([
                "-L",
                &tmux.socket,
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "35",
            ])
            .args(["-s", "e2e", "-c"])
            .arg(cwd)
            .arg(&command)
            .output()
            .expect("run tmux new-session");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        tmux.wait_for(ready, "the TUI");
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .env_remove("TMUX")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux {args:?}: {e}"))
    }

    /// Presses keys, by tmux name (`F3`, `C-s`, `C-M-s`, `Enter`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Types `text` as it is.
    fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// Polls the screen until it shows `text`; panics with the screen after DEADLINE.
    fn wait_for(&self, text: &str, what: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            if started.elapsed() > DEADLINE {
                panic!("timed out waiting for {what} ({text:?}); the screen was:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// A change that keeps every policy valid (the next request preset), marked
    /// unsaved.
    fn edit(&self) {
        self.keys(&["F3"]);
        self.wait_for("preset:", "the preset applied");
        self.wait_for("● ", "the unsaved mark");
    }

    /// Quits, discarding what is unsaved, and waits for the program to end.
    fn quit(&self) {
        self.keys(&["C-q"]);
        let started = Instant::now();
        while !self.screen().contains("EXIT:") {
            if self.screen().contains("Quit without saving") {
                self.keys(&["y"]);
            }
            assert!(started.elapsed() < DEADLINE, "{}", self.screen());
            std::thread::sleep(POLL);
        }
        assert!(self.screen().contains("EXIT:0"), "{}", self.screen());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .env_remove("TMUX")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

/// A fresh directory holding the scenario as `s.json`.
fn scenario_dir() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.json");
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    std::fs::write(&file, &text).unwrap();
    (dir, file, text)
}

/// The policy the TUI shows first, once it is up.
const READY: &str = "ReadReports";

#[test]
fn save_as_onto_an_existing_file_asks_first() {
    if !tmux_available("save_as_onto_an_existing_file_asks_first") {
        return;
    }
    let (dir, file, _) = scenario_dir();
    let other = dir.path().join("other.json");
    std::fs::write(&other, "theirs\n").unwrap();
    let tmux = Tmux::open("saveas", dir.path(), "s.json", READY);
    tmux.edit();
    tmux.keys(&["C-M-s"]);
    tmux.wait_for("File: s.json", "the save-as prompt, prefilled");
    tmux.type_text("other.json");
    tmux.keys(&["Enter"]);
    tmux.wait_for("other.json already exists: overwrite it?", "the question");
    tmux.keys(&["n"]);
    tmux.wait_for("not saved", "the answer taken");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "theirs\n");
    tmux.keys(&["C-M-s"]);
    tmux.wait_for("File: s.json", "the save-as prompt");
    tmux.type_text("other.json");
    tmux.keys(&["Enter"]);
    tmux.wait_for("already exists", "the question");
    tmux.keys(&["y"]);
    tmux.wait_for("saved other.json", "the save");
    let saved = std::fs::read_to_string(&other).unwrap();
    assert!(iamtrace::input::load_str(&saved).is_ok(), "{saved}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        std::fs::read_to_string(SCENARIO).unwrap()
    );
    tmux.quit();
}

#[test]
fn a_change_made_on_disk_is_noticed_before_overwriting() {
    if !tmux_available("a_change_made_on_disk_is_noticed") {
        return;
    }
    let (dir, file, _) = scenario_dir();
    let tmux = Tmux::open("changed", dir.path(), "s.json", READY);
    tmux.edit();
    let theirs = "{\"policies\": {}, \"requests\": []}\n";
    std::fs::write(&file, theirs).unwrap();
    tmux.keys(&["C-s"]);
    tmux.wait_for("s.json changed on disk since it was opened", "the question");
    tmux.keys(&["n"]);
    tmux.wait_for("not saved", "the answer taken");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), theirs);
    tmux.keys(&["C-s"]);
    tmux.wait_for("changed on disk", "the question again");
    tmux.keys(&["y"]);
    tmux.wait_for("saved s.json", "the save");
    assert_ne!(std::fs::read_to_string(&file).unwrap(), theirs);
    tmux.quit();
}

#[test]
fn a_0644_file_is_still_0644_after_ctrl_s() {
    if !tmux_available("a_0644_file_is_still_0644") {
        return;
    }
    let (dir, file, original) = scenario_dir();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let tmux = Tmux::open("mode", dir.path(), "s.json", READY);
    tmux.edit();
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved s.json", "the save");
    assert_ne!(std::fs::read_to_string(&file).unwrap(), original);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode, 0o644, "{mode:o}");
    tmux.quit();
}

#[test]
fn a_symlink_is_still_a_link_after_ctrl_s() {
    if !tmux_available("a_symlink_is_still_a_link") {
        return;
    }
    let (dir, file, original) = scenario_dir();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("s.json", &link).unwrap();
    let tmux = Tmux::open("symlink", dir.path(), "link.json", READY);
    tmux.edit();
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved link.json", "the save");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        std::path::PathBuf::from("s.json")
    );
    assert_ne!(std::fs::read_to_string(&file).unwrap(), original);
    tmux.quit();
}

#[test]
fn a_failed_save_reports_and_keeps_the_edits() {
    if !tmux_available("a_failed_save_reports_and_keeps_the_edits") {
        return;
    }
    let (dir, file, original) = scenario_dir();
    std::fs::write(dir.path().join("plain"), "").unwrap();
    let tmux = Tmux::open("failed", dir.path(), "s.json", READY);
    tmux.edit();
    // A parent that is a regular file: fails even for root.
    tmux.keys(&["C-M-s"]);
    tmux.wait_for("File: s.json", "the save-as prompt");
    tmux.type_text("plain/x.json");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("could not save plain/x.json", "the failure");
    assert!(screen.contains("Not a directory"), "{screen}");
    // Still unsaved, still the same file, still running.
    assert!(screen.contains("● s.json"), "{screen}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    tmux.keys(&["C-q"]);
    tmux.wait_for("Quit without saving", "the quit question (edits kept)");
    tmux.keys(&["y"]);
    tmux.wait_for("EXIT:0", "the program to end");
}

#[test]
fn a_save_into_a_read_only_directory_reports_and_keeps_the_edits() {
    if !tmux_available("a_save_into_a_read_only_directory") {
        return;
    }
    let (dir, file, original) = scenario_dir();
    // Root writes into any directory: run the program as nobody, for whom this
    // directory is read-only (the file itself is writable by all, so only the
    // directory stops the save). Not root: make the directory read-only.
    // A copy of the program anyone may run (the build directory may be private).
    let bin = tempfile::tempdir().unwrap();
    std::fs::set_permissions(bin.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let program = bin.path().join("iamtrace");
    std::fs::copy(env!("CARGO_BIN_EXE_iamtrace"), &program).unwrap();
    let prefix = if is_root() {
        let probe = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .output();
        if !probe.is_ok_and(|o| o.status.success()) {
            eprintln!(
                "SKIPPED a_save_into_a_read_only_directory: running as root and \
                 `setpriv` (util-linux) cannot run a command as nobody"
            );
            return;
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        "HOME=/tmp XDG_STATE_HOME=/tmp/iamtrace-e2e-nobody setpriv --reuid=65534 --regid=65534 --clear-groups"
    } else {
        ""
    };
    let program = program.display().to_string();
    let tmux = Tmux::open_with("rodir", dir.path(), prefix, &program, "s.json", READY);
    if !is_root() {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    tmux.edit();
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("could not save s.json", "the failure");
    assert!(screen.contains("Permission denied"), "{screen}");
    assert!(screen.contains("● s.json"), "{screen}");
    tmux.keys(&["C-q"]);
    tmux.wait_for("Quit without saving", "the quit question (edits kept)");
    tmux.keys(&["y"]);
    tmux.wait_for("EXIT:0", "the program to end");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}
