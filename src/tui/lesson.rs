//! The lesson screen's state and what its keys do: the lesson open (a built-in one or a
//! file), its goals judged live after every evaluation ([`crate::learn::goal_outcomes`]
//! on the policies as edited and the lesson's own requests, so editing a request cannot
//! meet a goal), hints given one at a time with the last one's edit applied by the fix
//! key, predictions made before the decisions they hide are shown, and progress kept
//! in the user's data directory ([`crate::learn::progress`]). Drawing is in
//! `ui::lesson`.

use super::app::{App, Focus, Mode, View};
use super::pane::Effect;
use crate::learn::builtin::LESSONS;
use crate::learn::goals::InvalidPolicy;
use crate::learn::progress::{self, Progress};
use crate::learn::{GoalOutcome, Lesson, goal_outcomes, load_lesson};
use crate::trace::Decision;
use std::path::{Path, PathBuf};

/// What a key that would give away a decision still to predict says instead.
pub const PREDICT_FIRST: &str = "predict this request's decision first (1, 2 or 3 in the lesson pane): nothing shows it until then";

/// Where a lesson came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonSource {
    /// A built-in lesson: its index in [`LESSONS`].
    Builtin(usize),
    /// A lesson file.
    File(PathBuf),
}

/// The lesson open.
#[derive(Debug, Clone)]
pub struct LessonState {
    /// The lesson as loaded.
    pub lesson: Lesson,
    /// Where it came from.
    pub source: LessonSource,
    /// Its key in the progress file.
    pub key: String,
    /// Hints shown so far (the first `hints_shown` of the lesson's hints).
    pub hints_shown: usize,
    /// The learner's answer to each predict step, once given.
    pub answers: Vec<Option<Decision>>,
    /// The decision each answered step was judged against (the engine's at the time).
    pub truths: Vec<Option<Decision>>,
    /// How each goal stands for the policies as edited (index-aligned with the goals);
    /// `Err` while a policy does not parse; `None` before the first judgement (the
    /// service catalog a lint goal needs is still loading).
    pub outcomes: Option<Result<Vec<GoalOutcome>, InvalidPolicy>>,
    /// The goal selected in the lesson pane.
    pub selected: usize,
    /// Every goal is met (and every prediction made) now.
    pub done: bool,
}

impl LessonState {
    /// A fresh start on `lesson`.
    pub fn new(lesson: Lesson, source: LessonSource) -> Self {
        let key = match &source {
            LessonSource::Builtin(i) => {
                progress::key_for_builtin(LESSONS.get(*i).map_or("", |l| l.file))
            }
            LessonSource::File(p) => progress::key_for_file(p),
        };
        let answers = vec![None; lesson.predict.len()];
        LessonState {
            lesson,
            source,
            key,
            hints_shown: 0,
            truths: answers.clone(),
            answers,
            outcomes: None,
            selected: 0,
            done: false,
        }
    }

    /// The built-in lesson's number (from 1), if it is one.
    pub fn number(&self) -> Option<usize> {
        match self.source {
            LessonSource::Builtin(i) => Some(i + 1),
            LessonSource::File(_) => None,
        }
    }

    /// The predict step to answer next, if any.
    pub fn next_prediction(&self) -> Option<usize> {
        self.answers.iter().position(Option::is_none)
    }

    /// Predictions answered right so far, and answered.
    pub fn predictions_right(&self) -> (usize, usize) {
        let answered = self.answers.iter().flatten().count();
        let right = self
            .truths
            .iter()
            .zip(&self.answers)
            .filter(|(t, a)| a.is_some() && *t == *a)
            .count();
        (right, answered)
    }

    /// Whether request `i`'s decision is hidden: a predict step about it is not
    /// answered yet.
    pub fn hides(&self, i: usize) -> bool {
        self.lesson
            .predict
            .iter()
            .zip(&self.answers)
            .any(|(p, a)| p.request == i && a.is_none())
    }

    /// Goals met now, and goals.
    pub fn goals_met(&self) -> (usize, usize) {
        // A goal about a request still to predict is not counted: it would tell.
        let met = match &self.outcomes {
            Some(Ok(o)) => o
                .iter()
                .zip(&self.lesson.goals)
                .filter(|(o, g)| o.met() && !self.goal_hidden(g))
                .count(),
            _ => 0,
        };
        (met, self.lesson.goals.len())
    }

    /// Whether `goal` is about a request still to predict.
    pub fn goal_hidden(&self, goal: &crate::learn::Goal) -> bool {
        match &goal.kind {
            crate::learn::GoalKind::Decision { request, .. } => self.hides(*request),
            crate::learn::GoalKind::LintGone { .. } => false,
        }
    }

    /// The answer's hint is shown.
    pub fn answer_shown(&self) -> bool {
        self.hints_shown >= self.lesson.hints.len()
    }
}

/// The learner's progress and where it is kept, loaded once.
#[derive(Debug, Clone, Default)]
pub struct Learning {
    /// The lesson open, if any.
    pub lesson: Option<Box<LessonState>>,
    /// Progress so far.
    pub progress: Progress,
    /// Where it is kept (`None`: only while the program runs).
    pub path: Option<PathBuf>,
    /// `progress` was read from `path` (or there was none to read).
    pub loaded: bool,
}

impl Learning {
    /// Reads the progress file once, from `path` (the XDG default when `None`). A file
    /// that cannot be read is said once and treated as no progress.
    pub fn load_progress(&mut self, path: Option<PathBuf>) -> Option<String> {
        if self.loaded {
            return None;
        }
        self.loaded = true;
        self.path = path.or_else(progress::default_path);
        let path = self.path.as_ref()?;
        match Progress::load(path) {
            Ok(p) => {
                self.progress = p;
                None
            }
            Err(e) => {
                // Left as it is; saving would replace it, so progress is not saved.
                self.path = None;
                Some(format!("progress not kept: {e}"))
            }
        }
    }

    fn save(&mut self) -> Option<String> {
        let path = self.path.clone()?;
        // Another iamtrace may have saved since this one read: keep what it recorded.
        if let Ok(on_disk) = Progress::load(&path) {
            self.progress.merge(&on_disk);
        }
        self.progress
            .save(&path)
            .err()
            .map(|e| format!("progress not saved: {e}"))
    }
}

impl App {
    /// Whether request `i`'s decision is hidden until the learner predicts it.
    pub fn decision_hidden(&self, i: usize) -> bool {
        self.learning.lesson.as_ref().is_some_and(|l| l.hides(i))
    }

    /// Opens built-in lesson `index` (0-based), or says why not.
    pub fn open_builtin_lesson(&mut self, index: usize) -> Vec<Effect> {
        let Some(b) = LESSONS.get(index) else {
            return vec![Effect::Message(format!(
                "there is no lesson {}: the lessons are numbered 1 to {}",
                index + 1,
                LESSONS.len()
            ))];
        };
        match load_lesson(b.text) {
            Ok(lesson) => self.open_lesson(lesson, LessonSource::Builtin(index)),
            Err(e) => vec![Effect::Message(format!(
                "{}/{}: {}",
                crate::learn::builtin::DIR,
                b.file,
                e.lines().next().unwrap_or_default()
            ))],
        }
    }

    /// Replaces what is shown by `lesson`, at its start: the reading first (Ctrl+O shows
    /// it again), the lesson pane focused when there is something to predict.
    pub fn open_lesson(&mut self, lesson: Lesson, source: LessonSource) -> Vec<Effect> {
        let mut learning = std::mem::take(&mut self.learning);
        let said = learning.load_progress(None);
        let test_panic = self.test_panic;
        // Results of a search still running for the scenario left must not be taken
        // for this one's.
        let generation = self.generation + 1;
        let mut scenario = lesson.scenario.clone();
        scenario.name = Some(match &source {
            LessonSource::Builtin(i) => {
                format!("Lesson {}/{}: {}", i + 1, LESSONS.len(), lesson.title)
            }
            LessonSource::File(p) => format!("Lesson: {} ({})", lesson.title, p.display()),
        });
        scenario.description = Some(lesson.task.clone());
        *self = App::new(scenario, None);
        self.test_panic = test_panic;
        self.generation = generation;
        let state = LessonState::new(lesson, source);
        let predicting = state.next_prediction();
        learning.lesson = Some(Box::new(state));
        self.learning = learning;
        self.refresh_lesson();
        if let Some(k) = predicting {
            self.focus_prediction(k);
        }
        self.mode = Mode::About;
        self.message = said;
        Vec::new()
    }

    /// Judges the lesson's goals again for the policies as they are now (after every
    /// evaluation, and once lint can run).
    pub fn refresh_lesson(&mut self) {
        let lint_ready = crate::catalog::services::loaded().is_some();
        let Some(state) = self.learning.lesson.as_deref_mut() else {
            return;
        };
        let wants_lint = state
            .lesson
            .goals
            .iter()
            .any(|g| matches!(g.kind, crate::learn::GoalKind::LintGone { .. }));
        if wants_lint && !lint_ready {
            state.outcomes = None;
            return;
        }
        // The policies as edited, the lesson's requests as shipped.
        let mut judged = state.lesson.scenario.clone();
        judged.sources = self.scenario.sources.clone();
        let outcomes = goal_outcomes(&state.lesson, &judged);
        let all_met = matches!(&outcomes, Ok(o) if o.iter().all(|o| o.met()));
        state.outcomes = Some(outcomes);
        let was_done = state.done;
        state.done = all_met && state.next_prediction().is_none();
        if state.done && !was_done {
            let key = state.key.clone();
            let next = self.next_lesson_index();
            self.learning.progress.mark_done(&key);
            let failed = self.learning.save();
            self.message = Some(failed.unwrap_or_else(|| match next {
                Some(_) => "Lesson done: every goal is met. Alt+N opens the next one".into(),
                None => "Lesson done: every goal is met.".into(),
            }));
        }
    }

    /// Shows the next hint (the message says it too); past the last, says so.
    pub fn next_hint(&mut self) -> Vec<Effect> {
        let Some(state) = self.learning.lesson.as_deref_mut() else {
            return vec![Effect::Message(
                "no lesson is open: Alt+L lists the lessons".into(),
            )];
        };
        if state.next_prediction().is_some() {
            return vec![Effect::Message(
                "hints come after the predictions: say what you expect first (1, 2 or 3 in the lesson pane)".into(),
            )];
        }
        let total = state.lesson.hints.len();
        if state.hints_shown < total {
            state.hints_shown += 1;
        }
        let n = state.hints_shown;
        let hint = &state.lesson.hints[n - 1];
        let tail = if hint.edit.is_some() {
            " (Ctrl+R in the lesson pane applies it)"
        } else {
            ""
        };
        vec![Effect::Message(format!(
            "hint {n}/{total}: {}{tail}",
            hint.text
        ))]
    }

    /// Applies the answer (the last hint's edit) once it is shown: one undo step.
    pub fn apply_lesson_answer(&mut self) -> Vec<Effect> {
        let Some(state) = self.learning.lesson.as_deref() else {
            return Vec::new();
        };
        if !state.answer_shown() {
            return vec![Effect::Message(
                "the answer is the last hint: h shows the hints one by one".into(),
            )];
        }
        let Some(edit) = state.lesson.answer().cloned() else {
            return Vec::new();
        };
        let names = crate::scenario::display_names(&self.scenario.sources);
        let Some(pi) = names.iter().position(|n| *n == edit.policy_name) else {
            return vec![Effect::Message(format!(
                "the answer is for policy \"{}\", which is no longer here",
                edit.policy_name
            ))];
        };
        let text = &self.scenario.sources[pi].text;
        let found: Vec<usize> = text.match_indices(&edit.before).map(|(i, _)| i).collect();
        let [at] = found[..] else {
            return vec![Effect::Message(format!(
                "the answer no longer fits \"{}\" as edited: Ctrl+Z undoes your edits back to it",
                edit.policy_name
            ))];
        };
        let mut new = text.clone();
        new.replace_range(at..at + edit.before.len(), &edit.after);
        let label = format!("the lesson's answer ({})", edit.policy_name);
        if !self.replace_policy_text(pi, new, label.clone(), at + edit.after.len()) {
            return Vec::new();
        }
        self.policies.current = pi;
        vec![
            Effect::Message(format!("applied {label}")),
            Effect::Evaluate,
        ]
    }

    /// Records the learner's prediction for the next predict step, then shows the
    /// request's trace on the row that decided.
    pub fn predict(&mut self, said: Decision) -> Vec<Effect> {
        let Some(k) = self
            .learning
            .lesson
            .as_ref()
            .and_then(|l| l.next_prediction())
        else {
            return vec![Effect::Message("nothing is left to predict".into())];
        };
        let (stale, results) = (self.stale, &self.results);
        let Some(state) = self.learning.lesson.as_deref_mut() else {
            return Vec::new();
        };
        state.answers[k] = Some(said);
        let mut step = state.lesson.predict[k].clone();
        // Judged on the policies as they are now, which the trace then shows (the
        // lesson's answer is for them as shipped; an edit before predicting moves it).
        if let (false, Some(r)) = (stale, results.get(step.request)) {
            step.answer = r.decision;
        }
        state.truths[k] = Some(step.answer);
        let (right, answered) = state.predictions_right();
        let finished = state.next_prediction().is_none();
        let key = state.key.clone();
        let verdict = if said == step.answer {
            format!("right: {}", step.answer.label())
        } else {
            format!(
                "not quite: it is {}, not {}",
                step.answer.label(),
                said.label()
            )
        };
        let mut message = format!(
            "{} — {verdict} ({right} of {answered} right)",
            crate::learn::format::request_label(&self.scenario, step.request)
        );
        if finished {
            let total = u32::try_from(answered).unwrap_or(u32::MAX);
            let right = u32::try_from(right).unwrap_or(u32::MAX);
            self.learning
                .progress
                .record_predictions(&key, right, total);
            if let Some(e) = self.learning.save() {
                message = format!("{message}; {e}");
            }
        }
        self.reveal(step.request);
        // The last prediction may be what the goals waited for: then both are said.
        self.message = None;
        self.refresh_lesson();
        if let Some(done) = self.message.take() {
            message = format!("{message}. {done}");
        }
        vec![Effect::Message(message)]
    }

    /// Shows request `i`'s trace with the row of the statement that decided selected.
    fn reveal(&mut self, i: usize) {
        self.focus = Focus::Trace;
        self.view = View::Trace;
        self.select_request(i);
        let deciding = self
            .results
            .get(i)
            .and_then(|r| r.determined_by.first())
            .map(|d| format!("p{}/s{}", d.policy, d.statement));
        let rows = self.tree_rows();
        if let Some(at) = deciding.and_then(|id| rows.iter().position(|r| r.id == id)) {
            self.trace.selected = at;
        }
    }

    /// Puts the lesson pane forward on predict step `k`, its request shown.
    fn focus_prediction(&mut self, k: usize) {
        let request = self
            .learning
            .lesson
            .as_ref()
            .and_then(|l| l.lesson.predict.get(k))
            .map(|p| p.request);
        if let Some(r) = request {
            self.select_request(r);
        }
        self.focus = Focus::Lesson;
    }

    /// The lesson pane got the keyboard: a prediction still to make shows its request.
    pub fn lesson_focused(&mut self) {
        if self.focus != Focus::Lesson {
            return;
        }
        let next = self
            .learning
            .lesson
            .as_ref()
            .and_then(|l| l.next_prediction());
        if let Some(k) = next {
            self.focus_prediction(k);
        }
    }

    /// Moves the selection in the goals by `delta`, showing the selected goal's request.
    pub fn move_goal(&mut self, delta: isize) {
        let Some(state) = self.learning.lesson.as_deref_mut() else {
            return;
        };
        let n = state.lesson.goals.len();
        if n == 0 {
            return;
        }
        state.selected = state.selected.saturating_add_signed(delta).min(n - 1);
        let request = match &state.lesson.goals[state.selected].kind {
            crate::learn::GoalKind::Decision { request, .. } => Some(*request),
            crate::learn::GoalKind::LintGone { .. } => None,
        };
        if let Some(r) = request.filter(|&r| r < self.scenario.requests.len()) {
            self.select_request(r);
        }
    }

    /// The built-in lesson after the one open, if there is one.
    pub fn next_lesson_index(&self) -> Option<usize> {
        match self.learning.lesson.as_ref()?.source {
            LessonSource::Builtin(i) if i + 1 < LESSONS.len() => Some(i + 1),
            _ => None,
        }
    }

    /// Opens the next built-in lesson; one not done with edits asks first.
    pub fn go_to_next_lesson(&mut self) -> Vec<Effect> {
        match self.next_lesson_index() {
            Some(i) => self.leave_for_lesson(i),
            None if self
                .learning
                .lesson
                .as_ref()
                .is_some_and(|l| matches!(l.source, LessonSource::File(_))) =>
            {
                vec![Effect::Message(
                    "this lesson came from a file: Alt+L lists the built-in ones".into(),
                )]
            }
            None if self.learning.lesson.is_some() => vec![Effect::Message(
                "this is the last lesson: Alt+L lists them all".into(),
            )],
            None => vec![Effect::Message(
                "no lesson is open: Alt+L lists the lessons".into(),
            )],
        }
    }

    /// Opens built-in lesson `index` unless that would lose edits: edits to a
    /// scenario (not a lesson) must be saved first; edits to a lesson not done are
    /// asked about.
    pub fn leave_for_lesson(&mut self, index: usize) -> Vec<Effect> {
        if self.dirty {
            match self.learning.lesson.as_ref() {
                None => {
                    return vec![Effect::Message(
                        "the scenario has unsaved changes: save them (Ctrl+S) or undo them before opening a lesson".into(),
                    )];
                }
                Some(l) if !l.done => {
                    return vec![Effect::Overlay(Mode::ConfirmLeaveLesson(index))];
                }
                Some(_) => {}
            }
        }
        self.open_builtin_lesson(index)
    }

    /// Opens the list of lessons, the one open (or the first not done) selected.
    pub fn lesson_list(&mut self) -> Vec<Effect> {
        let said = self.learning.load_progress(None);
        let selected = match self.learning.lesson.as_ref().map(|l| &l.source) {
            Some(LessonSource::Builtin(i)) => *i,
            _ => first_not_done(&self.learning.progress),
        };
        let mut effects = vec![Effect::Overlay(Mode::Lessons(selected))];
        effects.extend(said.map(Effect::Message));
        effects
    }
}

/// The first built-in lesson not done (the first when all are).
pub fn first_not_done(progress: &Progress) -> usize {
    LESSONS
        .iter()
        .position(|l| !progress.get(&progress::key_for_builtin(l.file)).done)
        .unwrap_or(0)
}

/// A lesson file, read and loaded, or its problems as `FILE:LINE:COLUMN: message`.
pub fn load_lesson_file(path: &Path) -> Result<Lesson, Vec<String>> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| vec![format!("{shown}: {e}")])?;
    load_lesson(&text).map_err(|e| {
        e.diagnostics
            .iter()
            .map(|d| format!("{shown}:{}", e.source_map.describe(d)))
            .collect()
    })
}

impl App {
    /// Carries out an action bound in the lesson pane.
    pub fn lesson_action(&mut self, action: super::action::Action) -> Vec<Effect> {
        use super::action::Action as A;
        match action {
            A::Up => {
                self.move_goal(-1);
                Vec::new()
            }
            A::Down => {
                self.move_goal(1);
                Vec::new()
            }
            A::PredictAllow => self.predict(Decision::Allow),
            A::PredictImplicitDeny => self.predict(Decision::ImplicitDeny),
            A::PredictExplicitDeny => self.predict(Decision::ExplicitDeny),
            _ => Vec::new(),
        }
    }
}

impl App {
    /// A TUI state on `lesson` (see [`App::open_lesson`]); its progress read from
    /// `progress` (the XDG default when `None`).
    pub fn for_lesson(lesson: Lesson, source: LessonSource, progress: Option<PathBuf>) -> App {
        let mut app = App::new(lesson.scenario.clone(), None);
        let said = app.learning.load_progress(progress);
        app.open_lesson(lesson, source);
        if said.is_some() {
            app.message = said;
        }
        app
    }

    /// A TUI state on the first built-in lesson not done, the list of lessons open.
    pub fn for_lessons(progress: Option<PathBuf>) -> Option<App> {
        let mut learning = Learning::default();
        let said = learning.load_progress(progress.clone());
        let first = first_not_done(&learning.progress);
        let lesson = load_lesson(LESSONS.get(first)?.text).ok()?;
        let mut app = App::for_lesson(lesson, LessonSource::Builtin(first), progress);
        app.mode = Mode::Lessons(first);
        if said.is_some() {
            app.message = said;
        }
        Some(app)
    }
}
