//! Carrying out what the panes ask for ([`Effect`]): the one place where the TUI
//! saves, assembles a principal's scenario, moves the editor, writes the request form
//! back, and refreshes analyses. Evaluating is left to the caller, which is told that
//! the scenario changed: the event loop runs a quick evaluation on its thread and a
//! slow one on the generation-numbered worker.

use super::app::App;
use super::pane::Effect;
use crate::scenario::save_atomic;
use std::path::PathBuf;

/// Carries out `effects` in order. True when the scenario changed and needs
/// evaluating again.
pub fn run(app: &mut App, effects: Vec<Effect>) -> bool {
    let mut changed = false;
    for effect in effects {
        match effect {
            Effect::Evaluate => changed = true,
            Effect::ShowInPolicy(pi, span) => app.show_in_policy(pi, span),
            Effect::LoadCell => {
                app.load_grid_cell();
                changed = true;
            }
            Effect::RequestEdited => {
                app.form_changed();
                changed = true;
            }
            Effect::Save(path) => save_to(app, path),
            Effect::LoadPrincipal(i) => {
                app.choose_principal(i);
                changed = true;
            }
            Effect::Analyse => app.refresh_analysis(),
            Effect::Lint => app.refresh_lint(),
            Effect::Message(m) => app.message = Some(m),
            Effect::PolicyEdited => {
                app.text_changed();
                changed = true;
            }
            Effect::Overlay(mode) => app.mode = mode,
            Effect::Restore(path) => {
                app.restore_recovery(path);
                changed = true;
            }
            Effect::AlsoKept(others) => {
                if !others.is_empty() {
                    let others: Vec<String> =
                        others.iter().map(|p| p.display().to_string()).collect();
                    app.message = Some(format!(
                        "{}; also kept: {}",
                        app.message.take().unwrap_or_default(),
                        others.join(", ")
                    ));
                }
            }
            Effect::DeleteFile(path) => app.discard_recovery(&path),
            Effect::KeepFile(path) => app.keep_recovery(&path),
            Effect::OfferLeftovers(rest) => app.offer_leftovers(rest),
            Effect::DeletePolicy => {
                app.delete_policy();
                changed = true;
            }
            Effect::RenamePolicy(name) => {
                app.rename_policy(&name);
                changed = true;
            }
            Effect::PlacePolicy(text) => {
                app.set_placement(&text);
                changed = true;
            }
            Effect::SetAxes(text) => match app.grid.set_axes(&text) {
                Ok(()) => {
                    app.view = super::app::View::Grid;
                    app.refresh_analysis();
                }
                Err(e) => app.message = Some(e),
            },
            Effect::Quit => app.quit = true,
            Effect::QuitDiscarding => {
                // The unsaved edits are discarded on purpose: so is their recovery file.
                app.forget_recovery();
                app.quit = true;
            }
        }
    }
    changed
}

/// Saves to `path` (atomically) what the file is — a scenario with its edits in
/// place, a bare policy as the policy document; the status bar says how it went.
fn save_to(app: &mut App, path: PathBuf) {
    app.sync_texts();
    let to_save = match app.to_save() {
        Ok(t) => t,
        Err(why) => {
            app.message = Some(format!("could not save {}: {why}", path.display()));
            return;
        }
    };
    match save_atomic(&path, &to_save.text) {
        Ok(()) => {
            app.saved_as(&to_save);
            app.message = Some(match &to_save.note {
                Some(n) => format!("saved {} ({n})", path.display()),
                None => format!("saved {}", path.display()),
            });
            app.path = Some(path);
            app.dirty = false;
            app.forget_recovery();
            // The changes view now compares against what was saved.
            app.baseline = app.set.clone();
            app.refresh_analysis();
        }
        Err(e) => app.message = Some(format!("could not save {}: {e}", path.display())),
    }
}
