//! The TUI's state: the [`App`] composes the panes and views (each owning its state,
//! in [`pane`](super::pane)) with what they share: the scenario being edited, the
//! last good evaluation of every request, the focus, the view of the bottom-right
//! pane and the overlay ([`Mode`]).

pub use super::evaluate::{
    Evaluated, RequestResult, evaluate_scenario, evaluate_scenario_for, evaluate_scenario_kept,
};
use super::form::RequestForm;
use super::pane::{ChangesView, GridView, LintView, PolicyPane, TracePane};
use super::recover::Origin;
use crate::analysis::whynot::{WhyNot, why_not};
use crate::policy::{PolicyKind, PolicySet};
use crate::scenario::presets::PresetValues;
use crate::scenario::{Scenario, display_name};
use crate::source::Diagnostic;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Evaluations slower than this move off the input thread (a frame is ~16 ms).
pub const SLOW_EVALUATION: Duration = Duration::from_millis(8);

/// How many frames the request pane flashes after a grid cell is loaded into it
/// (the loop draws a frame at least every 60 ms while it flashes).
pub const CELL_FLASH_FRAMES: u8 = 6;

/// Scenarios with no more policy text than this are always analysed on the spot when
/// the request changes, however long the last evaluation took.
const SMALL_POLICIES: usize = 64 << 10;

/// The pane that has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The policy editor.
    Policies,
    /// The request form.
    Request,
    /// The trace tree.
    Trace,
    /// The lesson pane (only while a lesson is open).
    Lesson,
}

impl Focus {
    /// The pane after this one; `lesson`: whether the lesson pane is there.
    pub fn next_of(self, lesson: bool) -> Focus {
        match self {
            Focus::Policies => Focus::Request,
            Focus::Request => Focus::Trace,
            Focus::Trace if lesson => Focus::Lesson,
            Focus::Trace | Focus::Lesson => Focus::Policies,
        }
    }

    /// The pane before this one; `lesson`: whether the lesson pane is there.
    pub fn prev_of(self, lesson: bool) -> Focus {
        match self {
            Focus::Policies if lesson => Focus::Lesson,
            Focus::Policies | Focus::Lesson => Focus::Trace,
            Focus::Request => Focus::Policies,
            Focus::Trace => Focus::Request,
        }
    }
}

/// What is on top of the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Just the panes.
    Normal,
    /// The help overlay.
    Help,
    /// The scenario's name, description and expectations, whole.
    About,
    /// "Quit without saving? y/n".
    ConfirmQuit,
    /// Asking for a file name to save to.
    SaveAs(String),
    /// Asking for a file name to save the whole scenario to (requests, every policy).
    SaveScenarioAs(String),
    /// Asking for the edited policy's new name.
    Rename(String),
    /// Asking where the edited policy sits: a resource policy's `attachedTo`, or an
    /// SCP's or RCP's level.
    Placement(String),
    /// "Delete this policy? y/n".
    ConfirmDelete,
    /// Choosing what a new request starts from (the index of the choice selected in
    /// [`App::new_request_choices`]).
    NewRequest(usize),
    /// Asking for the request shown's new name.
    RenameRequest(String),
    /// "Delete this request? y/n".
    ConfirmDeleteRequest,
    /// Choosing the what-if grid's axes: the inputs, their values, or typed as
    /// `KEY=v,v,absent | KEY=v,v`.
    Axes(Box<super::pane::axes::AxesPicker>),
    /// Asking for the number of the request (a trail's record) to go to.
    GoTo(String),
    /// Choosing the user or role of an account authorization details file (the
    /// index selected in [`App::picker`]).
    PickPrincipal(usize),
    /// The actions an action pattern matches (the pattern, the actions with their
    /// access levels, the first row shown).
    Expansion(String, Vec<crate::tui::complete::Candidate>, usize),
    /// "Restore the unsaved edits of an earlier session? y/n" (the recovery file).
    ConfirmRestore(PathBuf),
    /// "A save that never finished left this temporary file: open it? y/n" (the
    /// file, then the other such files still to ask about).
    ConfirmTempFile(PathBuf, Vec<PathBuf>),
    /// A save stopped to ask: "x.json is read-only: write anyway? y/n".
    ConfirmSave(super::saving::SaveQuestion),
    /// "Policy X does not parse: save a draft as NAME.draft.json instead? y/n" (what
    /// does not parse, the draft's path).
    ConfirmDraft(String, PathBuf),
    /// "NAME.draft.json is newer than the file: open it? y/n" (the draft).
    ConfirmOpenDraft(PathBuf),
    /// The list of lessons (the index selected).
    Lessons(usize),
    /// "Leave this lesson? Your edits to it are not kept. y/n" (the lesson to open).
    ConfirmLeaveLesson(usize),
}

/// The users and roles of an account authorization details file, to choose from.
#[derive(Debug, Clone)]
pub struct Picker {
    /// The file's text, loaded again with the choice.
    pub text: String,
    /// Where it came from, for messages.
    pub shown: String,
    /// The choices.
    pub choices: Vec<crate::input::PrincipalChoice>,
    /// Why the last choice could not be assembled.
    pub error: Option<String>,
    /// For a template or plan: what it is, its path (a template is saved back into
    /// it) and what it is read with.
    pub template: Option<(
        crate::input::Kind,
        Option<PathBuf>,
        crate::input::LoadOptions,
    )>,
}

/// The text a new policy starts with.
pub const NEW_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"#;

/// The policy types in the order a user cycles through them.
pub const KIND_CYCLE: [PolicyKind; 7] = PolicyKind::ALL;

/// What the bottom-right pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The trace of the request shown, with why-not.
    Trace,
    /// The what-if grid around the request shown.
    Grid,
    /// What changed against the policies as loaded (or last saved).
    Changes,
    /// The lint findings of every policy.
    Lint,
}

impl View {
    /// The view after this one.
    pub fn next(self) -> View {
        match self {
            View::Trace => View::Grid,
            View::Grid => View::Changes,
            View::Changes => View::Lint,
            View::Lint => View::Trace,
        }
    }
}

/// The whole TUI state.
pub struct App {
    /// The scenario (policy texts are kept in the policy pane's editors while editing).
    pub scenario: Scenario,
    /// Where it is saved.
    pub path: Option<PathBuf>,
    /// The file at `path` as it was opened or last saved: Ctrl+S asks before
    /// overwriting it once another program has changed it.
    pub disk: Option<crate::save::Fingerprint>,
    /// Unsaved changes.
    pub dirty: bool,
    /// The policy pane: an editor per policy, the one shown, its completion list.
    pub policies: PolicyPane,
    /// The request shown.
    pub request: usize,
    /// The form of the request shown.
    pub form: RequestForm,
    /// The pane with the keyboard.
    pub focus: Focus,
    /// The overlay, if any.
    pub mode: Mode,
    /// The last good results (kept while the text is invalid).
    pub results: Vec<RequestResult>,
    /// Each policy's current errors.
    pub errors: Vec<Vec<Diagnostic>>,
    /// The results are older than the text (the text does not parse).
    pub stale: bool,
    /// An evaluation is running on the worker.
    pub pending: bool,
    /// The trace view.
    pub trace: TracePane,
    /// A message for the status bar.
    pub message: Option<String>,
    /// How the file opened was read, when it was a bare policy document (its kind,
    /// and whether guessed): the policy pane's title says so.
    pub read_as: Option<crate::input::ReadAs>,
    /// Set when the program should end.
    pub quit: bool,
    /// Values the presets fill in.
    pub preset_values: PresetValues,
    /// The callers presets replaced (a service-linked role or a service principal
    /// acting), each with the key of its request ([`App::request_key`]): a caller's
    /// preset on that request brings it back while the request is still the preset's.
    pub preset_callers: Vec<(usize, crate::scenario::presets::Caller)>,
    /// How long the last evaluation took.
    pub last_eval: Duration,
    /// Bumped on every change; results of older generations are dropped.
    pub generation: u64,
    /// The save prompt still shows its suggested name (the first key replaces it).
    pub save_name_fresh: bool,
    /// The request shown changed on a big scenario: its analysis waits for the worker.
    pub analysis_wanted: bool,
    /// What the bottom-right pane shows.
    pub view: View,
    /// The last valid policy set.
    pub set: Option<PolicySet>,
    /// The policies as loaded or last saved, for the changes view.
    pub baseline: Option<PolicySet>,
    /// Why-not for the request shown.
    pub why: Option<WhyNot>,
    /// Policy edits that give the request shown its wanted decision (searched in the
    /// background: see [`App::fixes_job`]).
    pub fixes: Option<crate::analysis::fixes::Suggestions>,
    /// The generation and request the last fixes search was asked for.
    pub fixes_asked: Option<(u64, usize)>,
    /// The what-if grid view.
    pub grid: GridView,
    /// The changes view.
    pub changes: ChangesView,
    /// F12 panics on purpose (set from `IAMTRACE_TEST_PANIC=1`), so a test can check
    /// that a panic restores the terminal.
    pub test_panic: bool,
    /// The principal picker of an account authorization details file.
    pub picker: Option<Picker>,
    /// The lint view.
    pub lint: LintView,
    /// Frames left of the request pane's flash (a grid cell was just loaded into it):
    /// counted down by [`App::tick`], once per frame drawn.
    pub request_flash: u8,
    /// Where the scenario came from: where unsaved edits go when a signal ends the
    /// program, and which recovery file is offered.
    pub origin: Origin,
    /// The recovery file whose edits are shown: removed once they are saved or
    /// discarded on quitting.
    pub recovery: Option<PathBuf>,
    /// The file as read or last saved, which saving writes back into.
    pub file: Option<super::file::OpenedFile>,
    /// Every change, for undo and redo.
    pub history: super::history::History,
    /// The results' statement spans still point into the policies' texts (moved
    /// through text edits since the last evaluation; a change to the list of policies
    /// breaks that until the next good evaluation).
    pub spans_follow_text: bool,
    /// The large CloudTrail file whose records the requests are a window of.
    pub trail: Option<super::trail::TrailView>,
    /// How far the help is scrolled (rows), when it does not fit.
    pub help_scroll: u16,
    /// The policies' parses and lint findings, kept so that an edit parses and lints
    /// only the statement it is in.
    pub policy_cache: crate::scenario::PolicyCache,
    /// The lesson open and the learner's progress.
    pub learning: super::lesson::Learning,
}

impl App {
    /// Lints the policies again (once the catalog has loaded, the event loop calls
    /// this; an edit re-lints with its evaluation).
    pub fn refresh_lint(&mut self) {
        if crate::catalog::services::loaded().is_none() {
            return;
        }
        let (set, errors) = self.policy_cache.compile(&self.scenario);
        let found = self.policy_cache.lint(&self.scenario, &set, &errors);
        self.lint.set(Some(found));
        // A lesson's lint goals waited for the catalog.
        self.refresh_lesson();
    }

    /// A TUI state that first asks which user or role of an account authorization
    /// details file to assemble.
    pub fn pick_principal(
        text: String,
        shown: String,
        choices: Vec<crate::input::PrincipalChoice>,
    ) -> Self {
        let mut app = App::new(
            Scenario {
                name: Some(shown.clone()),
                description: None,
                sources: Vec::new(),
                set: PolicySet::new(),
                requests: Vec::new(),
                source_map: Default::default(),
                template: None,
            },
            None,
        );
        app.picker = Some(Picker {
            text,
            shown,
            choices,
            error: None,
            template: None,
        });
        app.mode = Mode::PickPrincipal(0);
        app
    }

    /// Assembles the chosen principal's scenario and shows it (unsaved: saving asks
    /// for a new file name rather than overwriting the AWS output).
    pub fn choose_principal(&mut self, index: usize) {
        let Some(picker) = &mut self.picker else {
            return;
        };
        if picker.template.is_some() {
            return self.choose_template_principal(index);
        }
        let Some(choice) = picker.choices.get(index) else {
            return;
        };
        let options = crate::input::LoadOptions {
            principal: Some(choice.arn.clone()),
            ..Default::default()
        };
        match crate::input::load_with(&picker.text, &options) {
            Ok(scenario) => {
                let test_panic = self.test_panic;
                let message = format!(
                    "{} {} assembled from {}",
                    choice.kind, choice.name, picker.shown
                );
                *self = App::new(scenario, None);
                self.test_panic = test_panic;
                self.message = Some(message);
            }
            Err(e) => {
                picker.error = e
                    .diagnostics
                    .first()
                    .map(|d| format!("{}:{}", picker.shown, e.source_map.describe(d)));
            }
        }
    }

    /// A TUI state for `scenario`, evaluated once.
    pub fn new(mut scenario: Scenario, path: Option<PathBuf>) -> Self {
        // Each document as written in its file, on the file's lines and columns.
        for src in &mut scenario.sources {
            src.text = crate::scenario::splice::editor_text(src);
        }
        let policies = PolicyPane::new(&scenario.sources);
        let form = RequestForm::for_spec(scenario.requests.first());
        let disk = path
            .as_deref()
            .and_then(|p| crate::save::Fingerprint::of_file(p).ok());
        let mut app = App {
            scenario,
            path,
            disk,
            dirty: false,
            policies,
            request: 0,
            form,
            focus: Focus::Policies,
            mode: Mode::Normal,
            results: Vec::new(),
            errors: Vec::new(),
            stale: false,
            pending: false,
            trace: TracePane::default(),
            message: None,
            read_as: None,
            quit: false,
            preset_values: PresetValues::default(),
            preset_callers: Vec::new(),
            last_eval: Duration::ZERO,
            generation: 0,
            save_name_fresh: false,
            analysis_wanted: false,
            test_panic: false,
            picker: None,
            lint: LintView::default(),
            request_flash: 0,
            origin: Origin::Unnamed,
            recovery: None,
            file: None,
            history: Default::default(),
            spans_follow_text: true,
            trail: None,
            help_scroll: 0,
            policy_cache: Default::default(),
            learning: Default::default(),
            view: View::Trace,
            set: None,
            baseline: None,
            why: None,
            fixes: None,
            fixes_asked: None,
            grid: GridView::default(),
            changes: ChangesView::default(),
        };
        app.sync_focus();
        app.evaluate_now();
        app.baseline = app.set.clone();
        app.refresh_analysis();
        app
    }

    /// Re-parses and re-evaluates everything on this thread.
    pub fn evaluate_now(&mut self) {
        let started = Instant::now();
        let out =
            evaluate_scenario_kept(&self.scenario, Some(self.request), &mut self.policy_cache);
        self.last_eval = started.elapsed();
        self.apply(out);
    }

    /// Takes an evaluation's output: errors always, results only when valid.
    pub fn apply(&mut self, out: Evaluated) {
        self.errors = out.errors;
        self.lint.set(out.lint);
        // The report is for the request asked about; the user may have moved on.
        let why_done = out.why.is_some() && out.focus == Some(self.request);
        match out.results {
            Some(r) => {
                self.results = r;
                self.spans_follow_text = true;
                self.set = out.set;
                self.why = out.why;
                self.fixes = None;
                self.stale = false;
            }
            None => self.stale = true,
        }
        self.pending = false;
        self.refresh_lesson();
        self.clamp_tree();
        if why_done {
            self.refresh_views();
        } else {
            self.refresh_analysis();
        }
    }

    /// Recomputes why-not for the request shown, and the grid and the changes when
    /// their view is open (they cost more evaluations).
    pub fn refresh_analysis(&mut self) {
        let (Some(set), Some(spec), Some(result)) = (
            self.set.as_ref(),
            self.scenario.requests.get(self.request),
            self.results.get(self.request),
        ) else {
            self.why = None;
            self.fixes = None;
            // (`refresh_views` does this on the other path.)
            self.refresh_trail_changes();
            return;
        };
        self.why = Some(why_not(
            set,
            &spec.request,
            &result.trace,
            &result.determined_by,
        ));
        self.fixes = None;
        self.refresh_views();
    }

    /// Recomputes the grid and the changes when their view is open.
    pub fn refresh_views(&mut self) {
        // A large trail's counts and changes, over every record in the background.
        self.refresh_trail_changes();
        let (Some(set), Some(spec), Some(result)) = (
            self.set.as_ref(),
            self.scenario.requests.get(self.request),
            self.results.get(self.request),
        ) else {
            return;
        };
        let open = self.view != View::Trace;
        self.grid.refresh(
            set,
            &spec.request,
            &result.trace,
            &result.determined_by,
            open,
        );
        if !open {
            return;
        }
        if self.trail.is_some() {
            // Every record of the trail, in the background; the grid cells here.
            if let Some(baseline) = &self.baseline {
                self.changes.cells = crate::analysis::diff::changed_cells(
                    baseline,
                    set,
                    &spec.request,
                    &self.grid.axes,
                );
            }
        } else if let Some(baseline) = &self.baseline {
            let requests: Vec<(String, crate::eval::Request)> = self
                .scenario
                .requests
                .iter()
                .enumerate()
                // A decision still to predict in a lesson is not listed either.
                .filter(|(i, _)| !self.decision_hidden(*i))
                .map(|(i, r)| (r.label(i), r.request.clone()))
                .collect();
            self.changes
                .refresh(baseline, set, &requests, &spec.request, &self.grid.axes);
        }
    }

    /// Loads the selected grid cell's values into the request shown: the request pane
    /// flashes for [`CELL_FLASH_FRAMES`] frames and the status bar says what changed.
    pub fn load_grid_cell(&mut self) {
        let before = self.form.to_request();
        let Some(r) = self.grid.cell_request(&before) else {
            return;
        };
        let changed = crate::analysis::grid::changed_inputs(&before, &r, &self.grid.axes);
        let selected = self.form.selected;
        self.form = RequestForm::new(&r);
        self.form.selected = selected.min(self.form.rows.len().saturating_sub(1));
        self.form.clamp_cursor();
        self.form_replaced("loading a grid cell".into());
        self.request_flash = CELL_FLASH_FRAMES;
        self.message = Some(if changed.is_empty() {
            format!(
                "grid cell loaded into request {}: it already had these values",
                self.request + 1
            )
        } else {
            format!(
                "grid cell loaded into request {}: {}",
                self.request + 1,
                changed.join(", ")
            )
        });
    }

    /// One frame passed: the request pane's flash fades.
    pub fn tick(&mut self) {
        self.request_flash = self.request_flash.saturating_sub(1);
    }

    /// The axes picker for the request shown: the inputs its applicable statements
    /// test, with their values, starting from the grid's axes.
    pub fn axes_picker(&self) -> super::pane::axes::AxesPicker {
        let offers = match (
            self.set.as_ref(),
            self.scenario.requests.get(self.request),
            self.results.get(self.request),
        ) {
            (Some(set), Some(spec), Some(result)) => crate::analysis::axes::offers(
                set,
                &spec.request,
                &result.trace,
                &result.determined_by,
            ),
            _ => Vec::new(),
        };
        super::pane::axes::AxesPicker::new(offers, &self.grid.axes)
    }

    /// Shows `span` of policy `pi` in the editor, and gives the editor the keyboard.
    pub fn show_in_policy(&mut self, pi: usize, span: crate::source::Span) {
        if let Some(e) = self.policies.editors.get_mut(pi) {
            self.policies.current = pi;
            e.jump(span.line, span.column.into());
            self.focus = Focus::Policies;
        }
    }

    /// Shows `span` of policy `pi` in the editor without giving it the keyboard (the
    /// trace's selection moved onto a statement of that policy).
    pub fn peek_in_policy(&mut self, pi: usize, span: crate::source::Span) {
        if self.focus == Focus::Policies {
            return;
        }
        if let Some(e) = self.policies.editors.get_mut(pi) {
            self.policies.current = pi;
            e.jump(span.line, span.column.into());
        }
    }

    /// Shows the focus in the editors (cursor on or off).
    pub fn sync_focus(&mut self) {
        let focused = self.focus == Focus::Policies && self.mode == Mode::Normal;
        self.policies.set_focused(focused);
    }

    /// The line and column the file gives `span` of policy `pi`'s text (what the CLI
    /// prints for it; for a policy decoded from a string, its place in the decoded text).
    pub fn file_position(&self, pi: usize, span: &crate::source::Span) -> (u64, u64) {
        let first = self.policies.editors.get(pi).map_or(1, |e| e.first_line());
        (span.line + first - 1, span.column.into())
    }

    /// The name of policy `i`.
    pub fn policy_name(&self, i: usize) -> String {
        display_name(&self.scenario.sources, i)
    }

    /// The result of the request shown, if evaluated.
    pub fn current_result(&self) -> Option<&RequestResult> {
        self.results.get(self.request)
    }

    /// The trace rows of the request shown.
    pub fn tree_rows(&self) -> Vec<super::tree::Row> {
        match self.current_result() {
            Some(r) => super::tree::rows(
                &r.trace,
                &r.determined_by,
                self.why.as_ref(),
                self.fixes.as_ref(),
                &self.trace.tree,
            ),
            None => Vec::new(),
        }
    }

    fn clamp_tree(&mut self) {
        let n = self.tree_rows().len();
        self.trace.clamp(n);
    }

    /// Shows request `i` in the form.
    pub fn select_request(&mut self, i: usize) {
        if let Some(r) = self.scenario.requests.get(i) {
            self.request = i;
            self.form = RequestForm::new(&r.request);
            self.trace.to_top();
            self.grid.follow_request();
            if self.last_eval > SLOW_EVALUATION && self.policy_bytes() > SMALL_POLICIES {
                // A big scenario: the analysis of the new request goes to the worker
                // with the next evaluation, so switching never blocks input. (Small
                // ones are always analysed here: a slow moment of a busy machine must
                // not leave a small scenario's why-not blank.)
                self.why = None;
                self.fixes = None;
                self.analysis_wanted = true;
            } else {
                self.refresh_analysis();
            }
            self.follow_decision();
        }
    }

    /// Shows the statement that decided the request shown in the editor (its policy,
    /// the cursor on it), unless the editor has the keyboard: the user is typing there.
    pub fn follow_decision(&mut self) {
        // A decision still to predict is not given away by the editor either.
        if self.focus == Focus::Policies || self.decision_hidden(self.request) {
            return;
        }
        let Some(d) = self
            .results
            .get(self.request)
            .and_then(|r| r.determined_by.first())
        else {
            return;
        };
        let (pi, span) = (d.policy, d.span);
        if let Some(e) = self.policies.editors.get_mut(pi) {
            self.policies.current = pi;
            e.jump(span.line, span.column.into());
        }
    }

    /// The bytes of policy text the scenario holds.
    fn policy_bytes(&self) -> usize {
        self.scenario.sources.iter().map(|s| s.text.len()).sum()
    }

    /// True (once) when the request shown needs an analysis the event loop should
    /// hand to the worker.
    pub fn take_analysis_wanted(&mut self) -> bool {
        std::mem::take(&mut self.analysis_wanted)
    }

    /// Writes the form back into the scenario's request: typing in the form, one undo
    /// step per field and pause.
    pub fn form_changed(&mut self) {
        let label = format!("editing request {}", self.request + 1);
        self.request_changed(label, false);
    }

    /// Writes the form back into the scenario's request as one undo step of its own
    /// (`label`: a preset, a grid cell).
    pub fn form_replaced(&mut self, label: String) {
        self.request_changed(label, true);
    }

    fn request_changed(&mut self, label: String, step: bool) {
        let after = self.form.to_request();
        if self.trail.is_some() && self.scenario.requests.get(self.request).is_none() {
            // A trail's requests are its records: none to write into here.
            return;
        }
        let (index, before) = match self.scenario.requests.get_mut(self.request) {
            Some(r) => {
                let before = Box::new(r.clone());
                r.request = after;
                (self.request, Some(before))
            }
            None => {
                // A scenario without requests gets its first one from the form.
                self.scenario.requests.push(crate::scenario::RequestSpec {
                    name: None,
                    via: None,
                    request: after,
                    expect: None,
                    span: Default::default(),
                    notes: Vec::new(),
                });
                self.request = self.scenario.requests.len() - 1;
                (self.request, None)
            }
        };
        let after = self.scenario.requests.get(index).cloned().map(Box::new);
        if before == after {
            // A key that moved in the form without changing the request.
            return;
        }
        self.keep_trail_edit(index);
        let change = super::history::Change::Request {
            index: self.request_key(index),
            before,
            after,
        };
        let now = Instant::now();
        if step {
            self.history.record_step(label, change, now);
        } else {
            self.history.record(label, change, now);
        }
        self.changed();
    }

    /// Takes in the edit of the policy shown: its editor's text becomes the policy's
    /// text, the difference an undo step (typing grouped by word and pause).
    pub fn text_changed(&mut self) {
        if self.refuse_read_only_edit() {
            return;
        }
        let pi = self.policies.current;
        if let Some(new) = self.policies.editors.get(pi).map(|e| e.text()) {
            let name = self.policy_name(pi);
            if let Some(src) = self.scenario.sources.get_mut(pi) {
                // The difference, found once: it moves the spans and is the undo step.
                if let Some(change) = super::history::text_change(pi, &src.text, &new) {
                    if let super::history::Change::Text {
                        at,
                        removed,
                        inserted,
                        ..
                    } = &change
                    {
                        move_spans(&mut self.results, pi, *at, removed.len(), inserted.len());
                    }
                    self.history.record_typing(&name, change, Instant::now());
                }
                src.text = new;
            }
        }
        self.mirror_shared(pi);
        self.changed();
    }

    /// Something changed: "unsaved" unless undone back to the saved state, and a new
    /// generation to evaluate.
    pub fn changed(&mut self) {
        self.dirty = !self.history.at_saved();
        self.generation += 1;
    }

    /// The first error of the policy being edited, for the status bar.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.errors
            .get(self.policies.current)
            .and_then(|e| e.first())
    }

    /// Sets where the scenario came from.
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }
}

/// Moves the deciding statements' spans of policy `pi` in `results` through an edit
/// that replaced `removed` bytes at `at` with `inserted` bytes: after it they shift, in
/// it they shrink to its edges.
pub fn move_spans(
    results: &mut [RequestResult],
    pi: usize,
    at: usize,
    removed: usize,
    inserted: usize,
) {
    let end = at + removed;
    // A start at the edit's end moves with what follows; an end there stays (it is
    // exclusive: text typed right after a statement is not part of it).
    let start = |o: u64| -> u64 {
        let o = o as usize;
        (if o >= end {
            o - removed + inserted
        } else if o > at {
            at
        } else {
            o
        }) as u64
    };
    let stop = |o: u64| -> u64 {
        let o = o as usize;
        (if o > end {
            o - removed + inserted
        } else if o > at {
            at + inserted
        } else {
            o
        }) as u64
    };
    for r in results {
        for d in r.determined_by.iter_mut().filter(|d| d.policy == pi) {
            d.span.start = start(d.span.start);
            d.span.end = stop(d.span.end);
        }
    }
}

impl App {
    /// The policy-edit search the request shown still needs (once per generation and
    /// request, on valid results); the event loop runs it on its own thread.
    pub fn fixes_job(&mut self) -> Option<super::evaluate::FixesJob> {
        let key = (self.generation, self.request);
        if self.stale || self.pending || self.fixes_asked == Some(key) {
            return None;
        }
        let set = self.set.clone()?;
        if self.results.len() != self.scenario.requests.len() || self.results.is_empty() {
            return None;
        }
        self.fixes_asked = Some(key);
        Some(super::evaluate::FixesJob {
            generation: self.generation,
            request: self.request,
            scenario: self.scenario.clone(),
            set,
            decisions: self.results.iter().map(|r| r.decision).collect(),
        })
    }

    /// Takes a search's result when it is for what is shown.
    pub fn take_fixes(
        &mut self,
        generation: u64,
        request: usize,
        fixes: Option<crate::analysis::fixes::Suggestions>,
    ) {
        if generation == self.generation && request == self.request && !self.stale {
            self.fixes = fixes;
        }
    }

    /// Searches the fixes of the request shown here and now, unless they are found
    /// already (Ctrl+R before the background search has answered; tests).
    pub fn fixes_now(&mut self) {
        let key = (self.generation, self.request);
        if self.fixes.is_some() && self.fixes_asked == Some(key) {
            return;
        }
        // Found for an older text or another request, or not answered yet.
        self.fixes = None;
        self.fixes_asked = None;
        if let Some(job) = self.fixes_job() {
            let found = job.run();
            self.take_fixes(job.generation, job.request, found);
        }
    }
}
