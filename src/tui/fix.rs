//! The one-key fix (Ctrl+R): a lint finding's mechanical fix when the user is on one
//! (the finding under the editor's cursor, or the one selected in the lint view), else
//! the policy-edit suggestion selected in the trace (or the first); in the lesson pane,
//! the lesson's answer once its hint is shown. Either way one undo step that changes
//! only the edited bytes of the policy's text.

use super::app::{App, Focus, View};
use super::pane::Effect;
use crate::analysis::fixes::lint_fix;
use crate::lint::Finding;

impl App {
    /// Applies the fix the user is on: see the module's documentation.
    pub(super) fn apply_fix(&mut self) -> Vec<Effect> {
        if self.focus == Focus::Lesson {
            return self.apply_lesson_answer();
        }
        if self.decision_hidden(self.request) {
            return vec![Effect::Message(super::lesson::PREDICT_FIRST.into())];
        }
        match self.lint_fix_here() {
            Some((pi, finding)) => self.apply_lint_fix(pi, &finding),
            None => self.apply_suggestion(),
        }
    }

    /// The finding whose fix Ctrl+R applies, with its policy's index: in the editor, the
    /// most severe finding with a mechanical fix on the cursor's line; in the lint view,
    /// the selected finding when its fix is mechanical.
    pub fn lint_fix_here(&self) -> Option<(usize, Finding)> {
        if self.stale {
            return None;
        }
        match self.focus {
            Focus::Policies => {
                let pi = self.policies.current;
                self.finding_on_cursor_line()
                    .filter(|f| f.edit.is_some())
                    .map(|f| (pi, f.clone()))
            }
            Focus::Trace if self.view == View::Lint => {
                let rows = self.lint.rows();
                let (pi, f) = rows.get(self.lint.selected)?;
                f.edit.is_some().then(|| (*pi, (*f).clone()))
            }
            _ => None,
        }
    }

    /// The finding spelled out under the editor: the most severe one on the cursor's
    /// line of the policy shown.
    pub fn finding_on_cursor_line(&self) -> Option<&Finding> {
        let pi = self.policies.current;
        let line = self.policies.editors.get(pi)?.cursor().0;
        self.lint
            .findings
            .get(pi)?
            .iter()
            .filter(|f| f.span.line == line)
            .min_by_key(|f| f.severity)
    }

    /// Applies `finding`'s mechanical fix to policy `pi`.
    fn apply_lint_fix(&mut self, pi: usize, finding: &Finding) -> Vec<Effect> {
        let Some(src) = self.scenario.sources.get(pi) else {
            return Vec::new();
        };
        if let Some(why) = self.tool_edit_refused(pi) {
            return vec![Effect::Message(why)];
        }
        let edit = finding
            .edit
            .as_ref()
            .and_then(|fix| lint_fix::edit(&src.text, fix));
        let Some(edit) = edit else {
            return vec![Effect::Message(
                "the fix no longer fits the policy's text: look again once it is linted".into(),
            )];
        };
        let Some(text) = edit.apply(&src.text) else {
            return Vec::new();
        };
        let label = format!(
            "fix [{}]: {} ({})",
            finding.code,
            finding.fix.as_deref().unwrap_or("edit"),
            self.policy_name(pi)
        );
        let cursor = edit.range.start + edit.text.len();
        if !self.replace_policy_text(pi, text, label.clone(), cursor) {
            return Vec::new();
        }
        self.policies.current = pi;
        vec![
            Effect::Message(format!("applied {label}")),
            Effect::Evaluate,
        ]
    }

    /// Applies the suggested policy edit whose row is selected in the trace (else the
    /// first) to the policy's text: one undo step, the rest of the text as it was.
    fn apply_suggestion(&mut self) -> Vec<Effect> {
        if self.stale {
            // The fixes were found on the text before it broke.
            return vec![Effect::Message(
                "no fix while the policies do not parse: mend them first (Ctrl+Z undoes)".into(),
            )];
        }
        self.fixes_now();
        let Some(fixes) = self.fixes.as_ref().filter(|f| !f.edits.is_empty()) else {
            return vec![Effect::Message(match &self.fixes {
                Some(f) => f.note.clone().unwrap_or_else(|| {
                    format!(
                        "no small policy edit gives request {} {}",
                        f.request,
                        f.aim.label()
                    )
                }),
                None if self.stale => "no fix: the policies do not parse".into(),
                None => "no fix to apply here".into(),
            })];
        };
        let rows = self.tree_rows();
        let chosen = rows
            .get(self.trace.selected)
            .and_then(|r| super::tree::fix_of_row(&r.id))
            .filter(|&i| i < fixes.edits.len())
            .unwrap_or(0);
        let edit = fixes.edits[chosen].clone();
        let pi = edit.policy_index;
        let Some(src) = self.scenario.sources.get(pi) else {
            return Vec::new();
        };
        if let Some(why) = self.tool_edit_refused(pi) {
            return vec![Effect::Message(why)];
        }
        if src.text.get(edit.at.start..edit.at.end) != Some(edit.before.as_str()) {
            return vec![Effect::Message(
                "the fix no longer fits the policy's text: look again once it is evaluated".into(),
            )];
        }
        let mut text = src.text.clone();
        text.replace_range(edit.at.start..edit.at.end, &edit.after);
        let label = format!("fix: {} ({})", edit.description, edit.policy);
        let cursor = edit.at.start + edit.after.len();
        if !self.replace_policy_text(pi, text, label.clone(), cursor) {
            return Vec::new();
        }
        self.policies.current = pi;
        vec![
            Effect::Message(format!("applied {label}: {}", edit.summary)),
            Effect::Evaluate,
        ]
    }
}
