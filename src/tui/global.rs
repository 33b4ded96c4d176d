//! What the keys bound everywhere do (focus, help, save, quit, requests, presets,
//! views, the grid's axes prompt): they act on what the [`App`] shares rather than on
//! one pane, so they are its own `handle`, answering with effects like a pane's.

use super::action::Action;
use super::app::{App, Mode};
use super::form::RequestForm;
use super::pane::Effect;
use super::saving::{SaveJob, Target};
use crate::scenario::presets::{self, Caller, Preset};

impl App {
    /// Carries out an action that belongs to no pane; `None` when `action` is a pane's.
    pub fn handle_global(&mut self, action: Action) -> Option<Vec<Effect>> {
        let none = Vec::new();
        Some(match action {
            Action::FocusNext => {
                self.focus = self.focus.next_of(self.learning.lesson.is_some());
                self.lesson_focused();
                none
            }
            Action::FocusPrev => {
                self.focus = self.focus.prev_of(self.learning.lesson.is_some());
                self.lesson_focused();
                none
            }
            Action::ToggleHelp => {
                self.help_scroll = 0;
                let next = if self.mode == Mode::Help {
                    Mode::Normal
                } else {
                    Mode::Help
                };
                vec![Effect::Overlay(next)]
            }
            Action::Save => match self.path.clone() {
                Some(p) => vec![Effect::Save(SaveJob::new(p, Target::Open))],
                None => {
                    self.save_name_fresh = true;
                    vec![Effect::Overlay(Mode::SaveAs("scenario.json".into()))]
                }
            },
            // Always there, so a save that failed can go elsewhere.
            Action::SaveAs => {
                self.save_name_fresh = true;
                let name = self
                    .path
                    .as_ref()
                    .map_or("scenario.json".into(), |p| p.display().to_string());
                vec![Effect::Overlay(Mode::SaveAs(name))]
            }
            Action::SaveScenarioAs => {
                self.save_name_fresh = true;
                // A template's requests go beside it: `app.yaml` → `app.requests.json`.
                let name = self
                    .path
                    .as_ref()
                    .filter(|_| self.scenario.template.is_some())
                    .and_then(|p| {
                        let stem = p.file_stem()?.to_string_lossy().into_owned();
                        Some(p.with_file_name(format!("{stem}.requests.json")))
                    })
                    .map_or_else(|| "scenario.json".into(), |p| p.display().to_string());
                vec![Effect::Overlay(Mode::SaveScenarioAs(name))]
            }
            Action::Quit if self.dirty => vec![Effect::Overlay(Mode::ConfirmQuit)],
            Action::Quit => vec![Effect::Quit],
            Action::NextRequest | Action::PrevRequest if self.trail.is_some() => {
                if self.step_trail(action == Action::NextRequest) {
                    vec![Effect::Evaluate]
                } else {
                    none
                }
            }
            Action::NextRequest | Action::PrevRequest => {
                let n = self.scenario.requests.len();
                if n > 0 {
                    let i = if action == Action::NextRequest {
                        (self.request + 1) % n
                    } else {
                        (self.request + n - 1) % n
                    };
                    self.select_request(i);
                }
                none
            }
            Action::NextPolicy | Action::PrevPolicy => self.policies.handle(action),
            Action::NextPreset => self.next_preset(),
            Action::NextView => {
                self.view = self.view.next();
                vec![Effect::Analyse]
            }
            Action::About => {
                self.help_scroll = 0;
                vec![Effect::Overlay(Mode::About)]
            }
            Action::SetExpect => self.set_expect(),
            Action::ApplyFix => self.apply_fix(),
            Action::GoToRequest => vec![Effect::Overlay(Mode::GoTo(String::new()))],
            Action::GridAxes => vec![Effect::Overlay(Mode::Axes(Box::new(self.axes_picker())))],
            Action::NextHint => self.next_hint(),
            Action::LessonList => self.lesson_list(),
            Action::NextLesson => self.go_to_next_lesson(),
            Action::Undo => vec![Effect::Undo],
            Action::Redo => vec![Effect::Redo],
            _ => return None,
        })
    }

    /// Takes the request's current decision as its expected one: one undo step, saved
    /// with the request as `expect`.
    fn set_expect(&mut self) -> Vec<Effect> {
        if self.decision_hidden(self.request) {
            return vec![Effect::Message(super::lesson::PREDICT_FIRST.into())];
        }
        let decision = match (self.stale, self.results.get(self.request)) {
            (false, Some(r)) => r.decision,
            _ => {
                return vec![Effect::Message(
                    "no decision to expect: the policies do not parse yet".into(),
                )];
            }
        };
        let Some(spec) = self.scenario.requests.get_mut(self.request) else {
            return Vec::new();
        };
        if spec.expect == Some(decision) {
            return vec![Effect::Message(format!(
                "request {} already expects {}",
                self.request + 1,
                decision.label()
            ))];
        }
        let before = Box::new(spec.clone());
        spec.expect = Some(decision);
        let after = Box::new(spec.clone());
        self.keep_trail_edit(self.request);
        let label = format!(
            "expecting {} of request {}",
            decision.label(),
            self.request + 1
        );
        let change = super::history::Change::Request {
            index: self.request_key(self.request),
            before: Some(before),
            after: Some(after),
        };
        self.history
            .record_step(label.clone(), change, std::time::Instant::now());
        self.changed();
        vec![Effect::Message(label), Effect::Evaluate]
    }

    /// Applies the next request preset to the form. A preset that changes who is
    /// calling replaces the whole principal and says which policies now apply (and
    /// that unbound ones still do); the next caller's preset brings the caller back.
    fn next_preset(&mut self) -> Vec<Effect> {
        let mut r = self.form.to_request();
        let next = match presets::detect(&r, &self.preset_values) {
            Some(p) => {
                let i = Preset::ALL.iter().position(|x| *x == p).unwrap_or(0);
                Preset::ALL[(i + 1) % Preset::ALL.len()]
            }
            None => Preset::ALL[0],
        };
        let key = self.request_key(self.request);
        // The caller a preset replaced on this request, while it is still replaced.
        let replaced = self
            .preset_callers
            .iter()
            .position(|(k, _)| *k == key)
            .map(|i| self.preset_callers.swap_remove(i).1)
            .filter(|c| c.replaced_in(&r));
        let mut said = format!("preset: {}", next.label());
        if next.changes_caller() {
            let caller = replaced.unwrap_or_else(|| Caller::of(&r));
            presets::apply(next, &mut r, &self.preset_values);
            said.push_str(&format!(
                " — {} calls instead of {}; {}",
                r.principal,
                caller.principal(),
                presets::policies_note(&self.scenario.sources, &r.principal)
            ));
            self.preset_callers.push((key, caller.acting_as(&r)));
        } else {
            if let Some(caller) = replaced {
                caller.restore(&mut r);
                said.push_str(&format!(
                    " — {} calls again; {}",
                    r.principal,
                    presets::policies_note(&self.scenario.sources, &r.principal)
                ));
            }
            presets::apply(next, &mut r, &self.preset_values);
        }
        let selected = self.form.selected;
        self.form = RequestForm::new(&r);
        self.form.selected = selected.min(self.form.rows.len().saturating_sub(1));
        self.form.clamp_cursor();
        vec![
            Effect::Message(said),
            Effect::RequestReplaced(format!("preset {}", next.label())),
        ]
    }
}
