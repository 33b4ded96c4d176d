//! `iamtrace [FILE|-]`: open a scenario (or a bare policy) in the TUI. When standard
//! output is not a terminal, print its trace instead, as `eval` would.

use super::eval::CLIENT_VPN;
use super::{note, read_input, report, safe};
use crate::Format;
use iamtrace::input::{self, Kind, LoadOptions};
use iamtrace::tui::{self, app::App, file::Shape, recover::Origin};
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Opens `file` (the built-in scenario when `None`, standard input for `-`); for
/// account authorization details, `principal` chooses whose policies (the TUI asks
/// when it is not given).
pub fn run(
    out: &mut dyn Write,
    file: Option<PathBuf>,
    options: LoadOptions,
) -> io::Result<ExitCode> {
    let (shown, path) = match &file {
        None => ("client-vpn-source-ip.json (built in)".to_string(), None),
        Some(p) if p.as_os_str() == "-" => ("standard input".to_string(), None),
        Some(p) => (p.display().to_string(), Some(p.clone())),
    };
    // A large CloudTrail file opens at once, read as it is shown (the options are for
    // other inputs: with them, the file is read whole and refused as before).
    let plain = options.kind.is_none() && options.principal.is_none();
    if let Some(p) = path
        .as_ref()
        .filter(|_| plain && io::stdout().is_terminal())
    {
        let large = (tui::trail::LAZY_FROM, tui::trail::LAZY_FROM_GZIP);
        if super::eval_stream::trail_source(p, false, large).is_some() {
            return match App::open_trail(p, shown.clone()) {
                Ok(app) => Ok(run_tui(app.with_origin(Origin::File(p.clone())))),
                Err(e) => {
                    note(&format!("{}: {}", safe(&shown), safe(&e.to_string())));
                    Ok(ExitCode::from(2))
                }
            };
        }
    }
    let read = || match &file {
        None => Ok(CLIENT_VPN.to_string()),
        Some(p) => read_input(p),
    };
    let text = match read() {
        Ok(t) => t,
        Err(message) => {
            note(&format!("{}: {}", safe(&shown), safe(&message)));
            return Ok(ExitCode::from(2));
        }
    };
    // Where unsaved edits go if a signal ends the TUI, and which recovery file to offer.
    let origin = match &path {
        Some(p) => Origin::File(p.clone()),
        None if file.is_none() => Origin::BuiltIn,
        None => Origin::Unnamed,
    };
    if !io::stdout().is_terminal() {
        let options = match &file {
            Some(p) => super::with_path(&options, p),
            None => options,
        };
        return super::eval::run_text(out, &shown, &text, Format::Text, &options);
    }
    let kind = input::kind(&text);
    if matches!(kind, Kind::CloudFormation | Kind::TerraformPlan) {
        return Ok(match open_template(kind, text, shown, path, options) {
            Some(app) => run_tui(app.with_origin(origin)),
            None => ExitCode::from(2),
        });
    }
    // A scenario's `policiesFrom` files are found beside it; their policies are shown
    // read-only (they are the template's: `iamtrace TEMPLATE` edits them).
    let from_files = kind == Kind::Scenario && input::takes_policies_from(&text);
    let options = match &file {
        Some(p) => super::with_path(&options, p),
        None => options,
    };
    if kind == Kind::AccountDetails && options.principal.is_none() {
        if let Some(choices) = input::account_principals(&text).filter(|c| !c.is_empty()) {
            return Ok(run_tui(
                App::pick_principal(text, shown, choices).with_origin(origin),
            ));
        }
    }
    let (scenario, message, loaded_kind, read_as) = match input::load(&text, &options) {
        Ok(l) => {
            let said = l.read_as.as_ref().map(|r| format!("{shown}: {r}"));
            (
                l.scenario,
                input::skipped_message(&shown, &l.skipped).or(said),
                l.kind,
                l.read_as,
            )
        }
        Err(e) => match input::draft_policy(&text, options.kind) {
            // A policy being written: open it with its errors marked.
            // Read as the kind given, or guessed an identity policy until it parses.
            Some(s) => {
                let read_as = input::ReadAs {
                    kind: options.kind.unwrap_or(input::BareKind::Identity),
                    guessed: options.kind.is_none(),
                    ambiguous: None,
                };
                (s, None, Kind::Policy, Some(read_as))
            }
            None => match (kind == Kind::Scenario).then(|| input::load_for_editing(&text)) {
                // A scenario whose policies have errors: open it with them marked.
                Some(Ok(s)) => (
                    s,
                    Some(format!(
                        "{shown}: {}, opened to fix them (policies marked in the editor; `iamtrace eval` lists them all)",
                        super::count(e.diagnostics.len() as u64, "error", "errors")
                    )),
                    Kind::Scenario,
                    None,
                ),
                _ => {
                    for d in &e.diagnostics {
                        report(&shown, &text, &e.source_map, d);
                    }
                    return Ok(ExitCode::from(2));
                }
            },
        },
    };
    // A scenario file is saved in place with its edits spliced in; a bare policy (as
    // written, or being written) as the policy document. What AWS printed is never
    // overwritten: saving asks for a file name.
    let shape = match (kind, loaded_kind) {
        (Kind::Scenario, Kind::Scenario) => Some(Shape::Scenario),
        (_, Kind::Policy) => Some(Shape::Policy),
        _ => None,
    };
    let path = path.filter(|_| shape.is_some());
    let mut app = App::new(scenario, path).with_origin(origin);
    if let Some(shape) = shape {
        app = app.with_file(text, shape);
    }
    if message.is_some() {
        app.message = message;
    } else if from_files {
        app.message = Some(
            "the policies taken from a template or plan (policiesFrom) are read-only here: `iamtrace TEMPLATE` edits them"
                .into(),
        );
    }
    app.read_as = read_as;
    Ok(run_tui(app))
}

/// The TUI on a template or plan: the principal picker, or the principal
/// `options` names; `None` (after saying why on standard error) when it cannot open.
fn open_template(
    kind: Kind,
    text: String,
    shown: String,
    path: Option<PathBuf>,
    options: LoadOptions,
) -> Option<App> {
    if options.principal.is_none() {
        return match tui::template::choices(kind, &text, &options) {
            Some(choices) if !choices.is_empty() => {
                // The file as read now: a change made while the picker is open is
                // noticed when saving (asked about), not overwritten.
                let disk = path
                    .as_deref()
                    .and_then(|p| iamtrace::save::Fingerprint::of_file(p).ok());
                let mut app = App::pick_from_template(kind, text, shown, choices, path, options);
                app.disk = disk;
                Some(app)
            }
            Some(_) => {
                note(&format!(
                    "{}: {} declares no user or role to evaluate as: `iamtrace lint FILE` checks its policies",
                    safe(&shown),
                    kind.describe()
                ));
                None
            }
            // Not readable: the load below says where.
            None => load_template(kind, &text, &shown, path, options),
        };
    }
    load_template(kind, &text, &shown, path, options)
}

fn load_template(
    kind: Kind,
    text: &str,
    shown: &str,
    path: Option<PathBuf>,
    options: LoadOptions,
) -> Option<App> {
    match input::iac::load_for_editing(kind, text, &options) {
        Ok(loaded) => Some(App::for_template(
            kind,
            text.to_string(),
            loaded,
            path,
            options,
        )),
        Err(e) => {
            for d in &e.diagnostics {
                report(shown, text, &e.source_map, d);
            }
            None
        }
    }
}

/// Runs the TUI on `app` until it quits.
pub fn run_app(app: App) -> ExitCode {
    run_tui(app)
}

fn run_tui(app: App) -> ExitCode {
    match tui::run(app) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            note(&format!("iamtrace: terminal error: {e}"));
            ExitCode::from(1)
        }
    }
}
