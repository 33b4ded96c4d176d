//! The TUI shows every position at the line and column the CLI prints for the same
//! file: errors and lint findings, in compact and pretty-printed files, bare policies
//! and scenarios whose documents start deep inside the file.

use iamtrace::input::{self, LoadOptions};
use iamtrace::tui::app::App;
use iamtrace::tui::file::Shape;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Opens `text` as `iamtrace FILE` does: loaded, or (a policy or scenario with
/// errors) loaded for editing with the errors marked.
fn open(text: &str) -> App {
    let (scenario, shape) = match input::load(text, &LoadOptions::default()) {
        Ok(l) => {
            let shape = if l.kind == input::Kind::Policy {
                Shape::Policy
            } else {
                Shape::Scenario
            };
            (l.scenario, shape)
        }
        Err(_) => match input::draft_policy(text, None) {
            Some(s) => (s, Shape::Policy),
            None => (
                input::load_for_editing(text).expect("opens for editing"),
                Shape::Scenario,
            ),
        },
    };
    App::new(scenario, None).with_file(text.to_string(), shape)
}

/// The `LINE:COLUMN`s the CLI prints for `text` with `command` (`eval` or `lint`).
fn cli_positions(command: &str, text: &str) -> BTreeSet<(u64, u64)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.json");
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_iamtrace"))
        .arg(command)
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    positions_after(&all, &file)
}

fn positions_after(output: &str, file: &Path) -> BTreeSet<(u64, u64)> {
    let prefix = format!("{}:", file.display());
    output
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|rest| {
            let mut parts = rest.splitn(3, ':');
            let line = parts.next()?.parse().ok()?;
            let column = parts.next()?.parse().ok()?;
            Some((line, column))
        })
        .collect()
}

fn tui_error_positions(app: &App) -> BTreeSet<(u64, u64)> {
    app.errors
        .iter()
        .enumerate()
        .flat_map(|(pi, errs)| errs.iter().map(move |e| (pi, e.span)))
        .map(|(pi, span)| app.file_position(pi, &span))
        .collect()
}

fn tui_lint_positions(app: &App) -> BTreeSet<(u64, u64)> {
    app.lint
        .findings
        .iter()
        .enumerate()
        .flat_map(|(pi, fs)| fs.iter().map(move |f| (pi, f.span)))
        .map(|(pi, span)| app.file_position(pi, &span))
        .collect()
}

const BAD_EFFECT_COMPACT: &str = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},{\"Effect\":\"Allw\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}]}\n";

const BAD_EFFECT_PRETTY: &str = "\n\n{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allw\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n";

fn scenario_with(document: &str) -> String {
    format!(
        "{{\n  \"name\": \"positions\",\n  \"policies\": {{\n    \"identity\": [\n      {{\"name\": \"p\", \"document\": {document}}}\n    ]\n  }},\n  \"requests\": [\n    {{\"principal\": \"arn:aws:iam::111122223333:user/u\", \"action\": \"s3:GetObject\", \"resource\": \"arn:aws:s3:::b/k\"}}\n  ]\n}}\n"
    )
}

#[test]
fn errors_are_at_the_same_place_in_cli_and_tui() {
    let deep = scenario_with(&BAD_EFFECT_PRETTY.trim().replace('\n', "\n      "));
    let compact = scenario_with(BAD_EFFECT_COMPACT.trim());
    for (what, text) in [
        ("compact bare policy", BAD_EFFECT_COMPACT.to_string()),
        (
            "pretty bare policy after blank lines",
            BAD_EFFECT_PRETTY.to_string(),
        ),
        ("scenario, pretty document", deep),
        ("scenario, compact document", compact),
    ] {
        let cli = cli_positions("eval", &text);
        assert!(!cli.is_empty(), "{what}: the CLI reports no position");
        let app = open(&text);
        let tui = tui_error_positions(&app);
        assert!(
            cli.iter().all(|p| tui.contains(p)),
            "{what}: CLI {cli:?}, TUI {tui:?}\n{text}"
        );
    }
}

#[test]
fn lint_findings_are_at_the_same_place_in_cli_and_tui() {
    iamtrace::catalog::services::catalog();
    // iam:PassRole on every role: a finding on each file's Action.
    let policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:PassRole\",\"Resource\":\"*\"}]}";
    let pretty = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\",\n     \"Action\": \"iam:PassRole\",\n     \"Resource\": \"*\"}\n  ]\n}";
    for (what, text) in [
        ("compact bare policy", format!("{policy}\n")),
        ("scenario, compact document", scenario_with(policy)),
        (
            "scenario, pretty document",
            scenario_with(&pretty.replace('\n', "\n      ")),
        ),
    ] {
        let cli = cli_positions("lint", &text);
        assert!(!cli.is_empty(), "{what}: lint reports nothing");
        let mut app = open(&text);
        app.refresh_lint();
        let tui = tui_lint_positions(&app);
        assert_eq!(cli, tui, "{what}\n{text}");
    }
}
