//! `iamtrace [FILE|-]`: open a scenario (or a bare policy) in the TUI. When standard
//! output is not a terminal, print its trace instead, as `eval` would.

use super::eval::CLIENT_VPN;
use super::report;
use crate::Format;
use iamtrace::policy::{PolicyKind, PolicySet};
use iamtrace::scenario::{DocumentForm, PolicySource, Scenario, load_str};
use iamtrace::tui::{self, app::App};
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

/// Opens `file` (the built-in scenario when `None`, standard input for `-`).
pub fn run(file: Option<PathBuf>) -> ExitCode {
    let (shown, text, path) = match &file {
        None => (
            "client-vpn-source-ip.json (built in)".to_string(),
            CLIENT_VPN.to_string(),
            None,
        ),
        Some(p) if p.as_os_str() == "-" => {
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                eprintln!("-: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
            ("standard input".to_string(), text, None)
        }
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => (p.display().to_string(), t, Some(p.clone())),
            Err(e) => {
                eprintln!("{}: cannot read: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    if !std::io::stdout().is_terminal() {
        return super::eval::run_text(&shown, &text, Format::Text);
    }
    let scenario = match load_str(&text) {
        Ok(s) => s,
        Err(e) => match bare_policy(&text) {
            // A policy being written: open it with its errors marked.
            Some(s) => s,
            None => {
                for d in &e.diagnostics {
                    report(&shown, &text, d);
                }
                return ExitCode::from(2);
            }
        },
    };
    match tui::run(App::new(scenario, path)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iamtrace: terminal error: {e}");
            ExitCode::from(1)
        }
    }
}

/// A scenario holding `text` as its one identity policy, when the text looks like a
/// policy document (even an invalid one).
fn bare_policy(text: &str) -> Option<Scenario> {
    let looks_like_policy = text.contains("\"Statement\"") || text.contains("\"Version\"");
    let is_scenario = text.contains("\"policies\"") || text.contains("\"requests\"");
    (looks_like_policy && !is_scenario).then(|| Scenario {
        name: None,
        description: None,
        sources: vec![PolicySource {
            kind: PolicyKind::Identity,
            name: None,
            level: None,
            attached_to: None,
            text: text.to_string(),
            form: DocumentForm::Inline,
        }],
        set: PolicySet::new(),
        requests: Vec::new(),
    })
}
