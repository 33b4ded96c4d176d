//! End to end: the real `iamtrace` binary driven in a real terminal (a private tmux
//! server), the way a person would use it. It opens on the built-in Client VPN scenario,
//! the guardrail policy gets the `aws:ViaAWSService` fix typed into it, the service
//! calls flip to Allow on screen, the scenario is saved through the save-as prompt, and
//! the program quits and hands the terminal back (alternate screen left).
//!
//! Needs `tmux` (CI installs it). Without it the tests are skipped with a message,
//! unless the `CI` variable is set, where a missing tmux is an error.
//!
//! Every wait polls the screen (`capture-pane`) until the expected text shows up or a
//! deadline passes; nothing waits a fixed time.

use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use iamtrace::trace::Decision;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long any one thing may take to show up on screen.
const DEADLINE: Duration = Duration::from_secs(20);
/// How often the screen is read while waiting.
const POLL: Duration = Duration::from_millis(50);
/// The session's size: wide and tall enough for the three-pane layout.
const WIDTH: u16 = 120;
const HEIGHT: u16 = 35;
/// The name the save prompt is prefilled with.
const PREFILLED_NAME: &str = "scenario.json";
/// The operator the fix adds to the Deny's Condition.
const FIX: &str = r#""Bool": {"aws:ViaAWSService": "false"},"#;

/// Whether tmux can be used; `false` means "skip" (and is only possible outside CI).
fn tmux_available(test: &str) -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: `tmux -V` failed, and CI is set: tmux must be installed (see .ci/run)");
    }
    eprintln!("SKIPPED {test}: tmux is not installed (`tmux -V` failed); install tmux to run it");
    false
}

/// `text` in single quotes for `sh`.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// A private tmux server running `iamtrace` in session `e2e`; killed when dropped, so a
/// failing test does not leave it behind.
struct Tmux {
    socket: String,
    /// The socket file, removed after the server is killed (tmux leaves it behind).
    socket_path: Option<std::path::PathBuf>,
}

impl Tmux {
    /// Starts a private server whose one pane runs the binary in `cwd`, then prints
    /// `EXIT:<status>` and stays open for a while so the end can be read.
    fn start(test: &str, cwd: &Path) -> Tmux {
        let binary = env!("CARGO_BIN_EXE_iamtrace");
        let shell_command = format!("{}; echo \"EXIT:$?\"; sleep 60", sh_quote(binary));
        Tmux::start_with(test, cwd, &shell_command)
    }

    /// Starts a private server whose one pane runs `shell_command` in `cwd`.
    fn start_with(test: &str, cwd: &Path, shell_command: &str) -> Tmux {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "iamtrace-e2e-{}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            test
        );
        // Our own configuration (not the user's): a known shell, the TERM the program
        // sees, and no tmux status line so the pane is the whole WIDTH × HEIGHT.
        let conf = cwd.join("tmux.conf");
        std::fs::write(
            &conf,
            "set -g default-shell /bin/sh\n\
             set -g default-terminal xterm-256color\n\
             set -g status off\n",
        )
        .expect("write tmux.conf");
        let mut tmux = Tmux {
            socket,
            socket_path: None,
        };
        let out = Command::new("tmux")
            .env("TERM", "xterm-256color")
            // Recovery files of this test stay in its directory: a test that failed
            // half-way must not leave the next one a "restore?" question.
            .env("XDG_STATE_HOME", cwd.join("state"))
            .env_remove("TMUX")
            .arg("-u")
            .arg("-f")
            .arg(&conf)
            .args(["-L", &tmux.socket, "new-session", "-d"])
            .args(["-x", &WIDTH.to_string(), "-y", &HEIGHT.to_string()])
            .args(["-s", "e2e", "-c"])
            .arg(cwd)
            .arg(shell_command)
            .output()
            .expect("run tmux new-session");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = tmux.ok(&["display", "-p", "-t", "e2e", "#{socket_path}"]);
        tmux.socket_path = Some(path.trim().into()).filter(|p: &std::path::PathBuf| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy() == tmux.socket)
        });
        tmux
    }

    /// Runs a tmux command against the private server.
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .env_remove("TMUX")
            .arg("-u")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux {args:?}: {e}"))
    }

    /// Runs a tmux command that must succeed.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A pane variable (`#{alternate_on}`, `#{mouse_any_flag}`, …), trimmed.
    fn pane(&self, format: &str) -> String {
        self.ok(&["display", "-p", "-t", "e2e", format])
            .trim()
            .to_string()
    }

    /// Presses keys, by tmux name (`F2`, `Down`, `C-s`, …).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.ok(&args);
    }

    /// Presses one key `n` times.
    fn key_times(&self, key: &str, n: usize) {
        self.keys(&vec![key; n]);
    }

    /// Types `text` as it is (no key names).
    fn type_text(&self, text: &str) {
        self.ok(&["send-keys", "-t", "e2e", "-l", text]);
    }

    /// The text on screen now (an error's text when the pane cannot be read).
    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", "e2e"]);
        if out.status.success() {
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            format!(
                "(capture-pane failed: {})",
                String::from_utf8_lossy(&out.stderr).trim()
            )
        }
    }

    /// Polls the screen until `predicate` holds and returns that screen; panics with the
    /// last screen when DEADLINE passes.
    fn wait_for(&self, predicate: impl Fn(&str) -> bool, what: &str) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if predicate(&screen) {
                return screen;
            }
            if started.elapsed() > DEADLINE {
                panic!(
                    "timed out after {DEADLINE:?} waiting for {what}; the screen was:\n\
                     ----------------\n{screen}\n----------------"
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Waits for the request strip (the top row) to hold each of `cells`.
    fn wait_for_strip(&self, cells: &[&str]) -> String {
        let what = format!("the request strip to show {cells:?}");
        self.wait_for(
            |s| {
                let strip = s.lines().next().unwrap_or("");
                cells.iter().all(|c| strip.contains(c))
            },
            &what,
        )
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Not `run`: a panic here, while a failed test unwinds, would abort.
        let _ = Command::new("tmux")
            .env_remove("TMUX")
            .args(["-L", &self.socket, "kill-server"])
            .output();
        if let Some(p) = &self.socket_path {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The built-in scenario's file.
fn client_vpn_text() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/client-vpn-source-ip.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Where the fix goes in the editor, counted from the asset file: how many lines the
/// `"NotIpAddress"` line is below the first line of DenyOutsideOffice's document (the
/// number of Down presses from the top), its indentation within the document, and the
/// line as the editor shows it (without the document's own indentation).
fn not_ip_address_position(asset: &str) -> (usize, usize, usize, String) {
    let lines: Vec<&str> = asset.lines().collect();
    let after = |from: usize, needle: &str| {
        (from..lines.len())
            .find(|&i| lines[i].contains(needle))
            .unwrap_or_else(|| panic!("no {needle} after line {} of the asset", from + 1))
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let name = after(0, r#""name": "DenyOutsideOffice""#);
    let document = after(name, r#""document": {"#);
    let not_ip = after(document, r#""NotIpAddress""#);
    // The editor shows the file's own lines, numbered as in the file.
    (
        not_ip - document,
        indent(lines[not_ip]),
        not_ip + 1,
        lines[not_ip].to_string(),
    )
}

/// Each request's decision under the scenario in `text`.
fn decisions(text: &str) -> Vec<Decision> {
    let s = load_str(text).unwrap_or_else(|e| panic!("scenario does not load: {e:?}"));
    s.requests
        .iter()
        .map(|r| evaluate(&s.set, &PreparedRequest::new(&r.request), Detail::Decision).decision)
        .collect()
}

#[test]
fn fix_the_client_vpn_guardrail_save_and_quit() {
    if !tmux_available("fix_the_client_vpn_guardrail_save_and_quit") {
        return;
    }
    let asset = client_vpn_text();
    let before = decisions(&asset);
    assert_eq!(
        &before[1..4],
        &[Decision::ExplicitDeny; 3],
        "the built-in scenario's service calls (requests 2-4) should start as explicit denies"
    );
    let (downs, indent, file_line, not_ip_line) = not_ip_address_position(&asset);

    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start("fix", dir.path());

    // The TUI opens on the built-in scenario, the service calls denied.
    tmux.wait_for_strip(&["1 ✔", "2 ✘", "3 ✘", "4 ✘"]);

    // Policy 2 in the editor; its NotIpAddress line numbered and written as in the file.
    tmux.keys(&["F2"]);
    let gutter_line = format!(" {file_line} {not_ip_line}");
    tmux.wait_for(
        |s| s.contains("Policy 2/3: DenyOutsideOffice") && s.contains(&gutter_line),
        &format!("policy 2 (DenyOutsideOffice) showing line {gutter_line:?}"),
    );

    // To the start of the NotIpAddress line, type the new operator there (indented like
    // its neighbour), and Enter pushes NotIpAddress down to its own line again.
    tmux.key_times("Down", downs);
    tmux.keys(&["Home"]);
    tmux.type_text(&format!("{}{FIX}", " ".repeat(indent)));
    tmux.keys(&["Enter"]);

    // Shown in the editor where intended, and the service calls now allowed.
    // (The pane is narrower than the line: its start is what shows.)
    let fix_line: String = format!(" {file_line} {}{FIX}", " ".repeat(indent))
        .chars()
        .take(40)
        .collect();
    let moved_line = format!(" {} {not_ip_line}", file_line + 1);
    tmux.wait_for(
        |s| s.contains(&fix_line) && s.contains(&moved_line),
        &format!("the editor to show {fix_line:?} then {moved_line:?}"),
    );
    let screen = tmux.wait_for_strip(&["1 ✔", "2 ✔", "3 ✔", "4 ✔"]);
    assert!(
        screen.lines().next().unwrap_or("").contains("9 ✘"),
        "request 9 (alice at home) should stay denied:\n{screen}"
    );

    // Save: the prompt asks for a name (prefilled); replace it with a path in the tempdir.
    let saved = dir.path().join("fixed.json");
    let saved_text = saved.to_str().expect("UTF-8 temp path").to_string();
    tmux.keys(&["C-s"]);
    tmux.wait_for(
        |s| s.contains(&format!("File: {PREFILLED_NAME}")),
        "the save prompt with the prefilled name",
    );
    tmux.key_times("BSpace", PREFILLED_NAME.chars().count());
    tmux.wait_for(
        |s| s.contains("Save as") && !s.contains(PREFILLED_NAME),
        "the prefilled name to be erased",
    );
    tmux.type_text(&saved_text);
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        |s| {
            let bar = s.lines().last().unwrap_or("");
            // Not "(not saved)": the message names the file.
            bar.contains("saved /") && !s.contains("Save as")
        },
        "the status bar to say the file was saved",
    );

    // The file: JSON holding the fix, and a scenario whose service calls are allowed.
    assert!(saved.is_file(), "{} was not written", saved.display());
    let text = std::fs::read_to_string(&saved).expect("read the saved file");
    serde_json::from_str::<serde_json::Value>(&text)
        .unwrap_or_else(|e| panic!("saved file is not JSON: {e}\n{text}"));
    assert!(text.contains("aws:ViaAWSService"), "fix not saved:\n{text}");
    // Every other byte as it was: the file is the scenario with the fix line inserted.
    let mut expected: Vec<String> = asset.lines().map(String::from).collect();
    expected.insert(file_line - 1, format!("{}{FIX}", " ".repeat(indent)));
    let expected = expected.join("\n") + if asset.ends_with('\n') { "\n" } else { "" };
    assert_eq!(
        text, expected,
        "the saved file is not the asset plus the fix line"
    );
    let after = decisions(&text);
    assert_eq!(after.len(), before.len(), "requests lost in saving");
    assert_eq!(
        &after[1..4],
        &[Decision::Allow; 3],
        "requests 2-4 should be allowed in the saved scenario"
    );
    for i in (0..after.len()).filter(|i| !(1..4).contains(i)) {
        assert_eq!(after[i], before[i], "request {} changed decision", i + 1);
    }

    // Quit (saved, so no question) and the shell's screen is back.
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for(
        |s| s.contains("EXIT:0"),
        "the program to exit with status 0",
    );
    assert!(
        !screen.contains("iamtrace ") && !screen.contains("DenyOutsideOffice"),
        "the TUI is still on screen after it exited:\n{screen}"
    );
    let alternate = tmux.ok(&["display", "-p", "-t", "e2e", "#{alternate_on}"]);
    assert_eq!(
        alternate.trim(),
        "0",
        "the terminal is still in the alternate screen"
    );
}

#[test]
fn quit_without_changes_does_not_ask() {
    if !tmux_available("quit_without_changes_does_not_ask") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let tmux = Tmux::start("quit", dir.path());
    tmux.wait_for_strip(&["2 ✘"]);
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for(|s| s.contains("EXIT:0"), "the program to exit at once");
    assert!(!screen.contains("Quit without saving"), "{screen}");
    let alternate = tmux.ok(&["display", "-p", "-t", "e2e", "#{alternate_on}"]);
    assert_eq!(
        alternate.trim(),
        "0",
        "the terminal is still in the alternate screen"
    );
}

#[test]
fn a_panic_in_the_tui_restores_the_terminal() {
    if !tmux_available("a_panic_in_the_tui_restores_the_terminal") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    // After the program: its status, then the terminal modes the shell got back
    // (`icanon` and `echo` are off in raw mode).
    let command = format!(
        "IAMTRACE_TEST_PANIC=1 RUST_BACKTRACE=0 {}; echo \"EXIT:$?\"; \
         echo \"TTY:$(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')\"; \
         sleep 60",
        sh_quote(env!("CARGO_BIN_EXE_iamtrace"))
    );
    let tmux = Tmux::start_with("panic", dir.path(), &command);

    // The TUI is up (alternate screen, the built-in scenario's first policy shown).
    tmux.wait_for(
        |s| s.contains("AdministratorAccess") && tmux.pane("#{alternate_on}") == "1",
        "the TUI on the alternate screen",
    );
    assert_eq!(tmux.pane("#{mouse_any_flag}"), "1", "mouse capture is on");

    tmux.keys(&["F12"]);
    let screen = tmux.wait_for(
        |s| s.contains("EXIT:") && s.contains("TTY:"),
        "the shell's EXIT: and TTY: lines after the panic",
    );
    println!("after the panic:\n{screen}");
    assert!(
        screen.contains("EXIT:101"),
        "a panic exits with status 101:\n{screen}"
    );
    // The whole message, where it was printed: the shell's lines come after it, not
    // over it (a second "leave the alternate screen" after the message would move the
    // cursor back above it, and the shell would overwrite its first line).
    let lines: Vec<&str> = screen.lines().collect();
    let row = |what: &str, found: &dyn Fn(&str) -> bool| {
        lines
            .iter()
            .position(|l| found(l))
            .unwrap_or_else(|| panic!("{what} is not on the normal screen:\n{screen}"))
    };
    let location = row(
        "the panic's first line (thread '…' panicked at …)",
        &|l| l.starts_with("thread '") && l.contains("panicked at"),
    );
    let message = row("the panic message", &|l| l.contains("F12 pressed"));
    let exit = row("EXIT:", &|l| l.starts_with("EXIT:"));
    assert!(
        location < message && message < exit,
        "the panic message is not above the shell's output:\n{screen}"
    );
    assert!(
        !screen.contains("AdministratorAccess"),
        "the TUI is still on screen:\n{screen}"
    );
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "the terminal is still in the alternate screen"
    );
    assert_eq!(tmux.pane("#{mouse_any_flag}"), "0", "mouse capture left on");
    assert_eq!(
        tmux.pane("#{cursor_flag}"),
        "1",
        "the cursor is left hidden"
    );
    let tty = screen
        .lines()
        .find_map(|l| l.trim().strip_prefix("TTY:"))
        .unwrap_or("");
    let modes: Vec<&str> = tty.split_whitespace().collect();
    assert!(
        modes.contains(&"icanon") && modes.contains(&"echo"),
        "the terminal is left in raw mode (stty: {tty:?}):\n{screen}"
    );
}

/// What AWS gives you, as a person would use it: account authorization details open on
/// a picker; choosing a user assembles its policies; the lint view lists what the
/// catalog finds once it has loaded in the background; quitting an unchanged scenario
/// does not ask.
#[test]
fn account_details_picker_lint_and_completion() {
    if !tmux_available("account_details_picker_lint_and_completion") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let details = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/aws/account/authorization-details.json");
    let binary = env!("CARGO_BIN_EXE_iamtrace");
    let command = format!(
        "{} {}; echo \"EXIT:$?\"; sleep 60",
        sh_quote(binary),
        sh_quote(&details.display().to_string())
    );
    let tmux = Tmux::start_with("picker", dir.path(), &command);
    tmux.wait_for(
        |s| s.contains("Whose policies?") && s.contains("alice"),
        "the picker",
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        |s| {
            s.contains("OfficeOnlyAdmin")
                && s.contains("user alice")
                && s.contains("assembled from")
        },
        "alice's policies, and the status line saying where they came from",
    );
    // F9 three times: the lint view, filled once the catalog has loaded.
    tmux.keys(&["F9", "F9", "F9"]);
    tmux.wait_for(
        |s| s.contains("Lint:") && s.contains("finding"),
        "the lint view",
    );

    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for(|s| s.contains("EXIT:"), "the program to exit");
    assert!(screen.contains("EXIT:0"), "{screen}");
}

/// The process id `sh -c 'echo $$ > FILE; exec …'` wrote, once it is there.
fn read_pid(path: &Path) -> String {
    let started = Instant::now();
    loop {
        if let Ok(pid) = std::fs::read_to_string(path) {
            if pid.ends_with('\n') {
                return pid.trim().to_string();
            }
        }
        assert!(started.elapsed() < DEADLINE, "no pid in {}", path.display());
        std::thread::sleep(POLL);
    }
}

/// Sends `signal` (a `kill` name: TERM, TSTP, …) to `pid`.
fn kill(signal: &str, pid: &str) {
    let out = Command::new("kill")
        .args([&format!("-{signal}"), pid])
        .output()
        .expect("run kill");
    assert!(out.status.success(), "kill -{signal} {pid} failed");
}

/// The terminal the shell got back: normal screen, no mouse reporting, cursor shown,
/// and (from `stty` after the program) cooked mode with echo.
fn assert_terminal_restored(tmux: &Tmux, screen: &str) {
    assert_eq!(
        tmux.pane("#{alternate_on}"),
        "0",
        "alternate screen left on"
    );
    assert_eq!(
        tmux.pane("#{mouse_any_flag}"),
        "0",
        "mouse reporting left on"
    );
    assert_eq!(
        tmux.pane("#{cursor_flag}"),
        "1",
        "the cursor is left hidden"
    );
    let tty = screen
        .lines()
        .find_map(|l| l.trim().strip_prefix("TTY:"))
        .unwrap_or("");
    let modes: Vec<&str> = tty.split_whitespace().collect();
    assert!(
        modes.contains(&"icanon") && modes.contains(&"echo"),
        "the terminal is left in raw mode (stty: {tty:?}):\n{screen}"
    );
}

/// After the program, in the pane: its status and the terminal modes (`icanon` and
/// `echo` are off in raw mode).
const AFTER: &str = "echo \"EXIT:$?\"; \
     echo \"TTY:$(stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' ')\"; \
     sleep 60";

/// The TUI on a copy of the Client VPN scenario (`s.json` in a fresh directory, its
/// state directory beside it), with an unsaved edit: a word typed at the top of the
/// first policy. Gives the directory, the file, the state directory, the process id
/// and the tmux session.
fn with_unsaved_edit(test: &str) -> (tempfile::TempDir, PathBuf, PathBuf, String, Tmux) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("s.json");
    std::fs::write(&file, client_vpn_text()).expect("write the scenario");
    let state = dir.path().join("state");
    let command = format!(
        "XDG_STATE_HOME={} sh -c 'echo $$ > pid; exec {} s.json'; {AFTER}",
        sh_quote(&state.display().to_string()),
        sh_quote(env!("CARGO_BIN_EXE_iamtrace"))
    );
    let tmux = Tmux::start_with(test, dir.path(), &command);
    tmux.wait_for(
        |s| s.contains("AdministratorAccess") && tmux.pane("#{alternate_on}") == "1",
        "the TUI on the alternate screen",
    );
    tmux.type_text("UNSAVEDWORD");
    tmux.wait_for(
        |s| s.contains("UNSAVEDWORD") && s.contains("● "),
        "the edit, marked unsaved",
    );
    let pid = read_pid(&dir.path().join("pid"));
    (dir, file, state, pid, tmux)
}

#[test]
fn sigterm_with_unsaved_edits_restores_the_terminal_and_offers_the_edits_again() {
    if !tmux_available("sigterm_with_unsaved_edits") {
        return;
    }
    let (dir, file, state, pid, tmux) = with_unsaved_edit("sigterm");
    kill("TERM", &pid);
    let screen = tmux.wait_for(
        |s| s.contains("EXIT:") && s.contains("TTY:"),
        "the shell's lines after SIGTERM",
    );
    println!("after SIGTERM:\n{screen}");
    assert!(
        screen.contains("EXIT:143"),
        "not ended by SIGTERM:\n{screen}"
    );
    let recovery = dir.path().join(".s.json.iamtrace-recover");
    assert!(
        screen.contains("unsaved edits written to") && screen.contains(".s.json.iamtrace-recover"),
        "the way out does not say where the edits went:\n{screen}"
    );
    assert_terminal_restored(&tmux, &screen);
    let text = std::fs::read_to_string(&recovery).expect("the recovery file");
    assert!(
        text.contains("UNSAVEDWORD"),
        "the edit is not in the recovery file"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&recovery).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the recovery file is readable by others"
        );
    }
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains("UNSAVEDWORD"),
        "the original was changed"
    );
    drop(tmux);

    // The next open offers the edits; yes loads them as unsaved edits.
    let command = format!(
        "XDG_STATE_HOME={} {} s.json; {AFTER}",
        sh_quote(&state.display().to_string()),
        sh_quote(env!("CARGO_BIN_EXE_iamtrace"))
    );
    let tmux = Tmux::start_with("sigterm-reopen", dir.path(), &command);
    tmux.wait_for(|s| s.contains("Restore them?"), "the offer to restore");
    tmux.keys(&["y"]);
    // The edit made the policy invalid: it is restored as text, with its error shown.
    tmux.wait_for(
        |s| s.contains("UNSAVEDWORD") && s.contains("● s.json"),
        "the restored edits, unsaved",
    );
    // Saving keeps them and removes the recovery file. The policy does not parse, so
    // Ctrl+S offers a draft beside the file (a scenario holding it could not be opened
    // again); yes writes the edits there.
    tmux.keys(&["C-s"]);
    tmux.wait_for(|s| s.contains("save a draft"), "the offer of a draft");
    tmux.keys(&["y"]);
    let draft = dir.path().join("s.draft.json");
    let started = Instant::now();
    while !std::fs::read_to_string(&draft).is_ok_and(|t| t.contains("UNSAVEDWORD"))
        || recovery.exists()
    {
        assert!(
            started.elapsed() < DEADLINE,
            "the save did not write the edits or left the recovery file:\n{}",
            tmux.screen()
        );
        std::thread::sleep(POLL);
    }
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains("UNSAVEDWORD"),
        "the draft went over the file"
    );
    // The file itself is not saved: quitting asks.
    tmux.keys(&["C-q"]);
    tmux.wait_for(|s| s.contains("Quit without saving"), "the quit question");
    tmux.keys(&["y"]);
    tmux.wait_for(|s| s.contains("EXIT:0"), "a quiet quit");
}

#[test]
fn sigtstp_then_fg_gives_the_terminal_back_and_takes_it_again() {
    if !tmux_available("sigtstp_then_fg") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("s.json"), client_vpn_text()).expect("write the scenario");
    // An interactive shell, for job control (`fg`).
    let tmux = Tmux::start_with("sigtstp", dir.path(), "PS1='PROMPT$ ' sh -i");
    tmux.wait_for(|s| s.contains("PROMPT$"), "the shell's prompt");
    // The program alone on the command line: when it stops, the shell is back.
    tmux.type_text(&format!(
        "sh -c 'echo $$ > pid; exec {} s.json'",
        env!("CARGO_BIN_EXE_iamtrace")
    ));
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        |s| s.contains("AdministratorAccess") && tmux.pane("#{alternate_on}") == "1",
        "the TUI on the alternate screen",
    );
    kill("TSTP", &read_pid(&dir.path().join("pid")));
    // Stopped: the shell has the normal screen back, in cooked mode.
    let screen = tmux.wait_for(
        |s| {
            tmux.pane("#{alternate_on}") == "0"
                && s.lines().filter(|l| l.starts_with("PROMPT$")).count() >= 2
        },
        "the shell's prompt after the stop",
    );
    println!("stopped:\n{screen}");
    assert_eq!(
        tmux.pane("#{mouse_any_flag}"),
        "0",
        "mouse reporting left on"
    );
    assert_eq!(
        tmux.pane("#{cursor_flag}"),
        "1",
        "the cursor is left hidden"
    );
    tmux.type_text("fg");
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        |s| s.contains("AdministratorAccess") && tmux.pane("#{alternate_on}") == "1",
        "the TUI redrawn after fg",
    );
    assert_eq!(
        tmux.pane("#{mouse_any_flag}"),
        "1",
        "mouse reporting not back"
    );
    // Keys reach the program at once (raw mode): F1 opens the help, no Enter needed.
    tmux.keys(&["F1"]);
    tmux.wait_for(|s| s.contains("Ctrl+C"), "the help, listing Ctrl+C");
    tmux.keys(&["Escape"]);
    tmux.wait_for(|s| !s.contains("previous choice"), "the help closed");
    tmux.keys(&["C-q"]);
    tmux.wait_for(
        |_| tmux.pane("#{alternate_on}") == "0",
        "the normal screen after quitting",
    );
    let after = AFTER.trim_end_matches("sleep 60");
    tmux.type_text(after);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for(
        |s| {
            s.lines().any(|l| l.starts_with("EXIT:"))
                && s.lines()
                    .any(|l| l.starts_with("TTY:") && !l.contains("$("))
        },
        "the shell's lines after quitting",
    );
    assert!(screen.contains("EXIT:0"), "{screen}");
    assert_terminal_restored(&tmux, &screen);
}

#[test]
fn a_save_past_the_file_size_limit_is_an_error_not_a_kill() {
    if !tmux_available("a_save_past_the_file_size_limit") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("s.json");
    let original = client_vpn_text();
    std::fs::write(&file, &original).expect("write the scenario");
    // A limit of one block: the scenario (several KB) cannot be written.
    let command = format!(
        "ulimit -f 1; {} s.json; {AFTER}",
        sh_quote(env!("CARGO_BIN_EXE_iamtrace"))
    );
    let tmux = Tmux::start_with("xfsz", dir.path(), &command);
    tmux.wait_for(
        |s| s.contains("AdministratorAccess") && tmux.pane("#{alternate_on}") == "1",
        "the TUI on the alternate screen",
    );
    // A change that keeps every policy valid (so the status bar shows messages).
    tmux.keys(&["F3"]);
    tmux.wait_for(|s| s.contains("preset:"), "the preset applied");
    tmux.keys(&["C-s"]);
    tmux.wait_for(
        |s| s.contains("could not save") && s.contains("too large"),
        "the save's error in the status bar",
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    // Still running: quitting asks about the unsaved change.
    tmux.keys(&["C-q"]);
    tmux.wait_for(|s| s.contains("Quit without saving"), "the quit question");
    tmux.keys(&["y"]);
    let screen = tmux.wait_for(
        |s| s.contains("EXIT:") && s.contains("TTY:"),
        "the shell's lines after quitting",
    );
    assert!(screen.contains("EXIT:0"), "{screen}");
}

/// A bare policy is the user's file: Ctrl+S does not overwrite it with a scenario but
/// asks for a file name, and the policy file is left byte for byte as it was.
#[test]
fn ctrl_s_on_a_bare_policy_saves_the_policy_as_written() {
    if !tmux_available("ctrl_s_on_a_bare_policy") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("policy.json");
    let original = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}\n";
    std::fs::write(&file, original).expect("write the policy");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let command = format!(
        "{} policy.json; {AFTER}",
        sh_quote(env!("CARGO_BIN_EXE_iamtrace"))
    );
    let tmux = Tmux::start_with("bare_save", dir.path(), &command);
    // The editor's line 1 is the file's line 1, as written (not pretty-printed).
    tmux.wait_for(
        |s| {
            // (A lint mark may take the gutter's first cell.)
            s.contains("1 {\"Version\":\"2012-10-17\",\"Statement\"")
                && tmux.pane("#{alternate_on}") == "1"
        },
        "the TUI showing the file's one line as line 1",
    );
    // After "s3:GetObject", type "Acl".
    let to = original.find("GetObject").unwrap() + "GetObject".len();
    tmux.key_times("Right", to);
    tmux.type_text("Acl");
    tmux.wait_for(|s| s.contains("s3:GetObjectAcl"), "the edit on screen");
    tmux.keys(&["C-s"]);
    tmux.wait_for(
        |s| s.lines().last().unwrap_or("").contains("saved policy.json"),
        "the status bar to say policy.json was saved",
    );
    // Still the bare policy, byte for byte but the edit.
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        original.replace("s3:GetObject", "s3:GetObjectAcl")
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "the file's mode is kept");
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for(|s| s.contains("EXIT:"), "the program to exit");
    assert!(screen.contains("EXIT:0"), "{screen}");
}

/// The terminal goes away under the TUI (its tmux server is killed): the program ends
/// as on a hang-up, with its unsaved edits in the recovery file, instead of spinning on
/// the closed terminal (crossterm reads its end of file in a tight loop).
#[test]
fn a_terminal_gone_ends_the_program_and_keeps_the_edits() {
    if !tmux_available("a_terminal_gone") {
        return;
    }
    let (dir, file, _state, pid, tmux) = with_unsaved_edit("gone");
    drop(tmux);
    let started = Instant::now();
    let alive = || {
        Path::new(&format!("/proc/{pid}/stat")).exists() && {
            // A zombie (ended, not yet reaped) has ended too.
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .map(|s| !s.contains(") Z "))
                .unwrap_or(false)
        }
    };
    while alive() {
        assert!(
            started.elapsed() < DEADLINE,
            "still running after its terminal went away"
        );
        std::thread::sleep(POLL);
    }
    let recovered = dir.path().join(".s.json.iamtrace-recover");
    let text = std::fs::read_to_string(&recovered).expect("the recovery file beside the file");
    assert!(text.contains("UNSAVEDWORD"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), client_vpn_text());
}

/// Each line of the pane as tmux holds it (`capture-pane -e`), split into the text
/// drawn in reverse video and whether any colour was set. Reads SGR sequences only.
fn reversed_and_coloured(captured: &str) -> (Vec<String>, bool) {
    let mut lines = Vec::new();
    let mut coloured = false;
    for line in captured.lines() {
        let mut reverse = false;
        let mut reversed = String::new();
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\u{1b}' {
                if reverse {
                    reversed.push(c);
                } else if !reversed.ends_with('|') && !reversed.is_empty() {
                    reversed.push('|');
                }
                continue;
            }
            if chars.next() != Some('[') {
                continue;
            }
            let mut params = String::new();
            let end = loop {
                match chars.next() {
                    Some(ch) if ch.is_ascii_alphabetic() => break ch,
                    Some(ch) => params.push(ch),
                    None => break ' ',
                }
            };
            if end != 'm' {
                continue;
            }
            for p in params.split(';') {
                match p {
                    "" | "0" => reverse = false,
                    "7" => reverse = true,
                    "27" => reverse = false,
                    // A foreground or background colour (39 and 49 are the defaults).
                    p => {
                        if p.parse::<u16>()
                            .is_ok_and(|n| matches!(n, 30..=38 | 40..=48 | 90..=97 | 100..=107))
                        {
                            coloured = true;
                        }
                    }
                }
            }
        }
        lines.push(reversed);
    }
    (lines, coloured)
}

/// Under NO_COLOR, in a real terminal (tmux), no colour is written and the reverse
/// video of the selection and focus survives: the request shown, the policy edited
/// and the focused pane's title are reversed, and focus moves with Tab. (crossterm
/// writes NO_COLOR's colours as `ESC[;m`, which resets every attribute: without
/// removing the colours first, none of this was reversed.)
#[test]
fn no_color_shows_selection_and_focus_in_reverse_video() {
    if !tmux_available("no_color_shows_selection_and_focus") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = env!("CARGO_BIN_EXE_iamtrace");
    let tmux = Tmux::start_with(
        "nocolor",
        dir.path(),
        &format!("NO_COLOR=1 {}; sleep 60", sh_quote(binary)),
    );
    tmux.wait_for_strip(&["2 ✘"]);
    let capture = || tmux.ok(&["capture-pane", "-e", "-p", "-t", "e2e"]);
    let (lines, coloured) = reversed_and_coloured(&capture());
    assert!(
        !coloured,
        "a colour was written under NO_COLOR:\n{}",
        capture()
    );
    assert!(
        lines[0].contains("1 ✔ alice"),
        "the request shown: {lines:?}"
    );
    assert!(!lines[0].contains("2 ✘"), "{lines:?}");
    // (Row 1 is the scenario's name and description.)
    assert!(lines[2].contains(" 1 AdministratorAccess "), "{lines:?}");
    assert!(
        lines[3].contains("Policy 1/3"),
        "the focused title: {lines:?}"
    );
    tmux.keys(&["Tab"]);
    let moved = tmux.wait_for(
        |_| {
            let (l, _) = reversed_and_coloured(&capture());
            l[2].contains("Request 1/9")
        },
        "the request pane's title to be reversed",
    );
    let (lines, coloured) = reversed_and_coloured(&capture());
    assert!(!coloured);
    assert!(!lines[3].contains("Policy 1/3"), "{lines:?}\n{moved}");
    tmux.keys(&["C-q"]);
}

/// A CloudTrail file over the lazy-opening size, opened as a user would: the first
/// screen shows its first record before the trail is read, the strip counts its
/// records once indexed, Ctrl+G goes to a record far down, and quitting needs no
/// question.
#[test]
fn a_large_trail_opens_at_once_and_goes_to_a_record() {
    if !tmux_available("a_large_trail_opens_at_once_and_goes_to_a_record") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs/trail.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(fixture)
        .expect("the fixture")
        .lines()
        .map(String::from)
        .collect();
    let mut text = String::new();
    let mut n = 0;
    while (text.len() as u64) < iamtrace::tui::trail::LAZY_FROM + (1 << 20) {
        text.push_str(&lines[n % lines.len()]);
        text.push('\n');
        n += 1;
    }
    std::fs::write(dir.path().join("big.jsonl"), &text).expect("writes");
    let binary = env!("CARGO_BIN_EXE_iamtrace");
    let command = format!("{} big.jsonl; echo \"EXIT:$?\"; sleep 60", sh_quote(binary));
    let tmux = Tmux::start_with("trail", dir.path(), &command);
    tmux.wait_for(|s| s.contains("Record 1 of"), "the first record");
    let total = iamtrace::tui::trail::fmt_count(n as u64);
    tmux.wait_for(
        |s| s.contains(&format!("{total} records")),
        "the trail indexed",
    );
    tmux.keys(&["C-g"]);
    tmux.wait_for(|s| s.contains("Go to record"), "the prompt");
    let far = n * 3 / 4;
    tmux.type_text(&far.to_string());
    tmux.keys(&["Enter"]);
    let far = iamtrace::tui::trail::fmt_count(far as u64);
    tmux.wait_for(
        |s| s.contains(&format!("Record {far} of {total}")),
        "the record far down shown",
    );
    tmux.keys(&["C-q"]);
    tmux.wait_for(|s| s.contains("EXIT:0"), "the program to exit at once");
}

/// Fix it in place, as a user would: open the wanted Client VPN scenario (three
/// expectations fail), go to request 2, apply the first suggested fix with one key —
/// the documented `aws:ViaAWSService` guard — see every expectation hold, save, and
/// find the file changed only by the guard.
#[test]
fn apply_the_suggested_fix_with_one_key_and_save() {
    if !tmux_available("apply_the_suggested_fix_with_one_key_and_save") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let asset =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/client-vpn-wanted.json");
    let original = std::fs::read_to_string(&asset).expect("the built-in scenario");
    let file = dir.path().join("wanted.json");
    std::fs::write(&file, &original).expect("writes");
    let binary = env!("CARGO_BIN_EXE_iamtrace");
    let command = format!(
        "{} wanted.json; echo \"EXIT:$?\"; sleep 60",
        sh_quote(binary)
    );
    let tmux = Tmux::start_with("fixkey", dir.path(), &command);
    tmux.wait_for_strip(&["3 of 8 expected FAIL"]);
    tmux.keys(&["C-n"]);
    tmux.wait_for(
        |s| s.contains("Request 2/9 (expected Allow: ✘ FAIL)") && s.contains("aws:ViaAWSService"),
        "request 2 with its suggested fixes",
    );
    tmux.keys(&["C-r"]);
    tmux.wait_for_strip(&["✔ 8 expected hold"]);
    tmux.keys(&["C-s"]);
    tmux.wait_for(|s| s.contains("saved"), "the save");
    tmux.keys(&["C-q"]);
    tmux.wait_for(
        |s| s.contains("EXIT:0"),
        "the program to exit without asking",
    );
    let saved = std::fs::read_to_string(&file).expect("saved");
    let fixed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenarios/client-vpn-fixed.json"),
    )
    .expect("the fixed scenario");
    // The policies are now those of the documented fix, written as that file writes
    // them; every byte of the file outside the edited policy is as it was.
    let load = |t: &str| iamtrace::input::load_str(t).expect("a scenario");
    let (saved_s, fixed_s, original_s) = (load(&saved), load(&fixed), load(&original));
    let texts = |s: &iamtrace::scenario::Scenario| -> Vec<String> {
        s.sources.iter().map(|p| p.text.clone()).collect()
    };
    assert_eq!(texts(&saved_s), texts(&fixed_s));
    let edited = (0..original_s.sources.len())
        .find(|&i| original_s.sources[i].text != saved_s.sources[i].text)
        .expect("a policy changed");
    let (was, now) = (
        original_s.sources[edited].at.expect("placed"),
        saved_s.sources[edited].at.expect("placed"),
    );
    assert_eq!(saved[..now.start as usize], original[..was.start as usize]);
    assert_eq!(saved[now.end as usize..], original[was.end as usize..]);
}

/// The first lesson from start to "done", as a learner takes it: `iamtrace learn 1`,
/// the reading put away, both predictions made (the trace opening on what decided),
/// the hints to the last, its edit applied with Ctrl+R; the progress file says so, and
/// quitting asks about the lesson's unsaved edits.
#[test]
fn lesson_one_from_start_to_done() {
    if !tmux_available("lesson_one_from_start_to_done") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let binary = env!("CARGO_BIN_EXE_iamtrace");
    let command = format!(
        "XDG_DATA_HOME={} {} learn 1; echo \"EXIT:$?\"; sleep 60",
        sh_quote(&data.display().to_string()),
        sh_quote(binary)
    );
    let tmux = Tmux::start_with("lesson", dir.path(), &command);
    tmux.wait_for(
        |s| s.contains("Lesson 1 of 13") && s.contains("Read more:"),
        "the lesson's reading",
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for(
        |s| s.contains("Predict (1 of 2)") && s.contains("Hidden until you predict it"),
        "the first prediction, the trace hidden",
    );
    // Request 2 is an implicit deny (nothing allows the quarterly summary): 2.
    tmux.keys(&["2"]);
    tmux.wait_for(
        |s| s.contains("IMPLICIT DENY") && s.contains("right: Implicit deny"),
        "the trace of request 2 and the verdict",
    );
    // Back to the lesson pane for request 3, June's payroll: an explicit deny, 3.
    tmux.keys(&["Tab"]);
    tmux.wait_for(|s| s.contains("Predict (2 of 2)"), "the second prediction");
    tmux.keys(&["3"]);
    tmux.wait_for(
        |s| s.contains("EXPLICIT DENY") && s.contains("predictions 2/2 right"),
        "the trace of request 3 and both predictions right",
    );
    tmux.keys(&["Tab", "h", "h", "h"]);
    tmux.wait_for(
        |s| s.contains("Hint 3/3") && s.contains("was: ") && s.contains("now: "),
        "the answer's hint",
    );
    tmux.keys(&["C-r"]);
    tmux.wait_for(
        |s| s.contains("Done: every goal is met") && s.contains("goals 3/3"),
        "the lesson done",
    );
    let progress = std::fs::read_to_string(data.join("iamtrace/progress.json"))
        .expect("the progress file is written");
    let p: serde_json::Value = serde_json::from_str(&progress).expect("progress is JSON");
    let entry = &p["lessons"]["builtin:01-allow-and-deny.json"];
    assert_eq!(entry["done"], true, "{progress}");
    assert_eq!(
        (entry["right"].as_u64(), entry["predicted"].as_u64()),
        (Some(2), Some(2))
    );
    tmux.keys(&["C-q"]);
    tmux.wait_for(
        |s| s.contains("Quit without saving?"),
        "the unsaved-edits question",
    );
    tmux.keys(&["y"]);
    let screen = tmux.wait_for(|s| s.contains("EXIT:"), "the program to exit");
    assert!(screen.contains("EXIT:0"), "{screen}");
}

/// A CloudFormation template in the TUI, as a person uses it: the principal picker,
/// the role's inline policy shown as written on the template's lines, an edit that
/// flips the decision on screen, Ctrl+S writing that one line back into the template,
/// and a clean quit.
#[test]
fn a_template_edited_and_saved_in_place() {
    if !tmux_available("a_template_edited_and_saved_in_place") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("app.yaml");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iac/tui/app.yaml");
    std::fs::copy(&fixture, &template).expect("copy the template");
    let before = std::fs::read_to_string(&template).unwrap();
    let binary = env!("CARGO_BIN_EXE_iamtrace");
    let command = format!("{} app.yaml; echo \"EXIT:$?\"; sleep 60", sh_quote(binary));
    let tmux = Tmux::start_with("template", dir.path(), &command);
    tmux.wait_for(
        |s| s.contains("Whose policies?") && s.contains("AppRole"),
        "the principal picker",
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for(
        |s| s.contains("14         Version: '2012-10-17'") && s.contains("IMPLICIT DENY"),
        "the trust policy on the template's lines, and the decision",
    );
    tmux.keys(&["F2"]);
    tmux.wait_for(
        |s| s.contains("# Reads only, for now."),
        "the inline policy as written",
    );
    tmux.keys(&["Down", "Down", "Down", "Down", "End"]);
    tmux.keys(&["BSpace"; 9]);
    tmux.type_text("*");
    tmux.wait_for(|s| s.contains("ALLOW"), "the decision flipped by the edit");
    tmux.keys(&["C-s"]);
    tmux.wait_for(|s| s.contains("saved"), "the save");
    let after = std::fs::read_to_string(&template).unwrap();
    assert_eq!(
        after,
        before.replace("Action: s3:GetObject", "Action: s3:*")
    );
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for(|s| s.contains("EXIT:"), "the program to exit");
    assert!(screen.contains("EXIT:0"), "{screen}");
}
