//! Undo and redo of any change (see [`history`](super::history)): the step's change is
//! applied backwards or forwards to the scenario, and the pane it belongs to shows it.

use super::app::{App, Focus};
use super::form::RequestForm;
use super::history::Change;

impl App {
    /// Undoes the last change. True when the scenario changed.
    pub fn undo(&mut self) -> bool {
        let step = self.history.undo().cloned();
        self.take_step(step, true)
    }

    /// Redoes the last undone change. True when the scenario changed.
    pub fn redo(&mut self) -> bool {
        let step = self.history.redo().cloned();
        self.take_step(step, false)
    }

    /// Applies `step` (`backwards`: undoes it) and says so in the status bar.
    fn take_step(&mut self, step: Option<super::history::Step>, backwards: bool) -> bool {
        let (done, nothing) = if backwards {
            ("undid", "nothing to undo")
        } else {
            ("redid", "nothing to redo")
        };
        let Some(step) = step else {
            self.message = Some(nothing.into());
            return false;
        };
        self.apply_change(&step.change, backwards);
        self.message = Some(format!("{done} {}", step.label));
        self.changed();
        true
    }

    /// Applies `change` (`backwards`: undoes it) and shows where it happened.
    fn apply_change(&mut self, change: &Change, backwards: bool) {
        match change {
            Change::Text {
                policy,
                at,
                removed,
                inserted,
            } => {
                let (from, to) = if backwards {
                    (inserted, removed)
                } else {
                    (removed, inserted)
                };
                let (Some(src), Some(editor)) = (
                    self.scenario.sources.get_mut(*policy),
                    self.policies.editors.get_mut(*policy),
                ) else {
                    return;
                };
                let range = *at..*at + from.len();
                if src.text.get(range.clone()) != Some(from.as_str()) {
                    // Not the text the step was recorded on: leave it alone rather
                    // than damage it.
                    return;
                }
                src.text.replace_range(range, to);
                super::app::move_spans(&mut self.results, *policy, *at, from.len(), to.len());
                editor.set_text(&src.text, *at + to.len());
                self.policies.current = *policy;
                self.focus = Focus::Policies;
                self.mirror_shared(*policy);
            }
            Change::Request {
                index,
                before,
                after,
            } => {
                let want = if backwards { before } else { after };
                let Some(index) = &self.request_at_key(*index) else {
                    return;
                };
                let requests = &mut self.scenario.requests;
                match want {
                    Some(r) if *index < requests.len() => requests[*index] = (**r).clone(),
                    Some(r) => requests.insert((*index).min(requests.len()), (**r).clone()),
                    None if *index < requests.len() => {
                        requests.remove(*index);
                    }
                    None => {}
                }
                let n = self.scenario.requests.len();
                self.request = (*index).min(n.saturating_sub(1));
                self.keep_trail_edit(self.request);
                self.form = RequestForm::for_spec(self.scenario.requests.get(self.request));
                self.focus = Focus::Request;
            }
            Change::Policies { before, after } => {
                let want = if backwards { before } else { after };
                self.restore_policy_list(want);
                self.focus = Focus::Policies;
            }
            Change::Requests { before, after } => {
                let want = if backwards { before } else { after };
                self.restore_request_list(want);
            }
        }
        self.sync_focus();
    }
}
