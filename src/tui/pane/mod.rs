//! The panes and views of the TUI, each owning its state: it takes an [`Action`]
//! (`handle`) and answers with the [`Effect`]s it wants, which
//! [`effect::run`](super::effect::run) carries out in one place. Panes do no I/O and
//! never reach into each other; the [`App`](super::app::App) composes them.
//!
//! [`Action`]: super::action::Action

pub mod axes;
pub mod changes;
pub mod grid;
pub mod lint;
pub mod overlay;
pub mod policies;
pub mod request;
pub mod trace;

pub use crate::tui::form::RequestForm;
pub use changes::ChangesView;
pub use grid::GridView;
pub use lint::LintView;
pub use policies::PolicyPane;
pub use trace::TracePane;

use crate::source::Span;
use std::path::PathBuf;

/// What a pane asks the program to do beyond its own state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// The scenario changed: evaluate it again (on the worker when that is slow).
    Evaluate,
    /// Show this place of policy `.0` in the editor and give the editor the keyboard.
    ShowInPolicy(usize, Span),
    /// Show this place of policy `.0` in the editor, the keyboard staying where it is
    /// (the selection moved onto a row that has a place in a policy).
    PeekInPolicy(usize, Span),
    /// Load the what-if grid's selected cell into the request shown (and evaluate).
    LoadCell,
    /// The request form changed: write it into the scenario (and evaluate).
    RequestEdited,
    /// Save the scenario (to the file, under a new name, or as a draft).
    Save(crate::tui::saving::SaveJob),
    /// Open this draft of the file as unsaved edits.
    OpenDraft(PathBuf),
    /// Assemble and show the scenario of the principal chosen in the picker.
    LoadPrincipal(usize),
    /// Open built-in lesson N (0-based) chosen in the list: unsaved edits are asked
    /// about first.
    ChooseLesson(usize),
    /// Open built-in lesson N (0-based) now: the learner said to leave the one open.
    OpenLesson(usize),
    /// Recompute why-not for the request shown, and the open view's grid and changes.
    Analyse,
    /// Lint the policies again.
    Lint,
    /// Say this in the status bar.
    Message(String),
    /// A policy's text changed (mark unsaved, and evaluate).
    PolicyEdited,
    /// Undo the last change.
    Undo,
    /// Redo the last undone change.
    Redo,
    /// The request form was replaced as a whole (a preset): write it into the scenario
    /// as one undo step with this name, and evaluate.
    RequestReplaced(String),
    /// Open this overlay.
    Overlay(crate::tui::app::Mode),
    /// Load this recovery file (or a killed save's temporary file) as unsaved edits.
    Restore(PathBuf),
    /// Say that these other temporary files of killed saves were kept.
    AlsoKept(Vec<PathBuf>),
    /// Delete this recovery or temporary file (the user said no to it).
    DeleteFile(PathBuf),
    /// Leave this recovery or temporary file where it is, saying where.
    KeepFile(PathBuf),
    /// Ask about these temporary files of killed saves, then the recovery file.
    OfferLeftovers(Vec<PathBuf>),
    /// Delete the policy shown.
    DeletePolicy,
    /// Rename the policy shown (empty: no name).
    RenamePolicy(String),
    /// Add the request of choice `.0` of [`App::new_request_choices`] after the one
    /// shown.
    ///
    /// [`App::new_request_choices`]: crate::tui::app::App::new_request_choices
    AddRequest(usize),
    /// Rename the request shown (empty: no name).
    RenameRequest(String),
    /// Delete the request shown.
    DeleteRequest,
    /// Set the policy shown's attachedTo or SCP/RCP level.
    PlacePolicy(String),
    /// Set the what-if grid's axes to these (chosen in the axes picker).
    SetAxes(Vec<crate::analysis::grid::Axis>),
    /// Go to the request (a trail's record) with this number, as typed.
    GoTo(String),
    /// End the program.
    Quit,
    /// End the program, discarding the unsaved edits (and their recovery file).
    QuitDiscarding,
}
