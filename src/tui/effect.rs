//! Carrying out what the panes ask for ([`Effect`]): the one place where the TUI
//! saves, assembles a principal's scenario, moves the editor, writes the request form
//! back, and refreshes analyses. Evaluating is left to the caller, which is told that
//! the scenario changed: the event loop runs a quick evaluation on its thread and a
//! slow one on the generation-numbered worker.

use super::app::App;
use super::pane::Effect;

/// Carries out `effects` in order. True when the scenario changed and needs
/// evaluating again.
pub fn run(app: &mut App, effects: Vec<Effect>) -> bool {
    let mut changed = false;
    for effect in effects {
        match effect {
            Effect::Evaluate => changed = true,
            Effect::ShowInPolicy(pi, span) => app.show_in_policy(pi, span),
            Effect::PeekInPolicy(pi, span) => app.peek_in_policy(pi, span),
            Effect::LoadCell => {
                app.load_grid_cell();
                changed = true;
            }
            Effect::RequestEdited => {
                app.form_changed();
                changed = true;
            }
            Effect::Save(job) => app.save(job),
            Effect::OpenDraft(draft) => {
                app.open_draft(draft);
                changed = true;
            }
            Effect::LoadPrincipal(i) => {
                app.choose_principal(i);
                changed = true;
            }
            Effect::ChooseLesson(i) => {
                let more = app.leave_for_lesson(i);
                // A lesson opened (on its reading): the new scenario is evaluated.
                changed |= run(app, more) || app.mode == super::app::Mode::About;
            }
            Effect::OpenLesson(i) => {
                let more = app.open_builtin_lesson(i);
                run(app, more);
                changed = true;
            }
            Effect::Analyse => app.refresh_analysis(),
            Effect::Lint => app.refresh_lint(),
            Effect::Message(m) => app.message = Some(m),
            Effect::PolicyEdited => {
                app.text_changed();
                changed = true;
            }
            Effect::Undo => changed |= app.undo(),
            Effect::Redo => changed |= app.redo(),
            Effect::RequestReplaced(label) => {
                app.form_replaced(label);
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
            Effect::PlacePolicy(text) => match app.set_placement(&text) {
                Some(why) => app.message = Some(why),
                None => changed = true,
            },
            Effect::AddRequest(choice) => {
                if let Some(kind) = app.new_request_choices().get(choice).copied() {
                    app.add_request(kind);
                    changed = true;
                }
            }
            Effect::RenameRequest(name) => {
                app.rename_request(&name);
                changed = true;
            }
            Effect::DeleteRequest => {
                app.delete_request();
                changed = true;
            }
            Effect::GoTo(text) => changed |= app.go_to(&text),
            Effect::SetAxes(axes) => {
                app.grid.choose(axes);
                app.view = super::app::View::Grid;
                app.refresh_analysis();
            }
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
