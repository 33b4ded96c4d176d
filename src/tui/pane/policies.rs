//! The policy pane's state: one editor per policy, which one is shown, and the
//! completion list open in it. What its keys do; the scenario's list of policies
//! (names, types, placement) is the [`App`](crate::tui::app::App)'s, which owns the
//! scenario.

use super::Effect;
use crate::scenario::PolicySource;
use crate::scenario::splice::first_line;
use crate::tui::action::Action;
use crate::tui::app::Mode;
use crate::tui::complete::{self, Candidate, Completion};
use crate::tui::editor::PolicyEditor;
use crate::tui::keymap::{Scope, key_label};
use crossterm::event::KeyEvent;

/// The policy pane.
pub struct PolicyPane {
    /// One editor per policy (index-aligned with the scenario's policies).
    pub editors: Vec<PolicyEditor>,
    /// The policy shown.
    pub current: usize,
    /// The completion list open in the editor.
    pub completion: Option<Completion>,
}

impl PolicyPane {
    /// A pane editing the texts of `sources`, numbered as in their file, showing the
    /// first.
    pub fn new(sources: &[PolicySource]) -> Self {
        PolicyPane {
            editors: editors(sources),
            current: 0,
            completion: None,
        }
    }

    /// Edits the texts of `sources` afresh (the file was written anew), showing the same
    /// policy as far as there is one.
    pub fn reload(&mut self, sources: &[PolicySource]) {
        self.editors = editors(sources);
        self.current = self.current.min(self.editors.len().saturating_sub(1));
        self.completion = None;
    }

    /// The editor shown.
    pub fn editor(&self) -> Option<&PolicyEditor> {
        self.editors.get(self.current)
    }

    fn editor_mut(&mut self) -> Option<&mut PolicyEditor> {
        self.editors.get_mut(self.current)
    }

    /// Carries out `action`.
    pub fn handle(&mut self, action: Action) -> Vec<Effect> {
        let edited = match action {
            Action::NextPolicy | Action::PrevPolicy => {
                let n = self.editors.len();
                if n > 0 {
                    self.current = if action == Action::NextPolicy {
                        (self.current + 1) % n
                    } else {
                        (self.current + n - 1) % n
                    };
                }
                false
            }
            Action::Copy => {
                let Some(e) = self.editor_mut() else {
                    return Vec::new();
                };
                let said = if e.copy() {
                    format!(
                        "copied the selection: {} pastes it",
                        key_label(Action::PasteCopied, Scope::Policies)
                    )
                } else {
                    format!(
                        "nothing selected to copy (Shift+arrows select); {} quits",
                        key_label(Action::Quit, Scope::Global)
                    )
                };
                return vec![Effect::Message(said)];
            }
            Action::PasteCopied => self.editor_mut().is_some_and(|e| e.paste_copied()),
            Action::Complete => return self.open_completion(),
            Action::ExpandActions => return self.expand_actions(),
            _ => false,
        };
        edited_if(edited)
    }

    /// A key no binding takes: the editor's (typing, moving, selecting).
    pub fn key(&mut self, key: KeyEvent) -> Vec<Effect> {
        edited_if(self.editor_mut().is_some_and(|e| e.input(key)))
    }

    /// Pasted text, inserted at the cursor.
    pub fn paste(&mut self, text: &str) -> Vec<Effect> {
        edited_if(self.editor_mut().is_some_and(|e| e.paste(text)))
    }

    /// An action while the completion list is open: ↑ ↓ choose, Enter or Tab insert,
    /// Esc close.
    pub fn completion_action(&mut self, action: Action) -> Vec<Effect> {
        let Some(c) = self.completion.as_mut() else {
            return Vec::new();
        };
        if c.step(action) {
            return Vec::new();
        }
        match action {
            Action::Cancel => self.completion = None,
            Action::Confirm => {
                let chosen = c.items.get(c.selected).cloned();
                let typed = c.site.prefix.chars().count();
                self.completion = None;
                let (Some(chosen), Some(editor)) = (chosen, self.editor_mut()) else {
                    return Vec::new();
                };
                // The whole string is replaced: what was typed and the rest up to the
                // quote.
                editor.replace_word(typed, &chosen.text);
                let mut effects = vec![Effect::PolicyEdited];
                // A service prefix ("s3:") goes on to its actions.
                if chosen.text.ends_with(':') {
                    effects.extend(self.open_completion());
                }
                return effects;
            }
            _ => {}
        }
        Vec::new()
    }

    /// Opens (or refreshes) the completion list for the string under the cursor.
    pub fn open_completion(&mut self) -> Vec<Effect> {
        let Some(editor) = self.editor() else {
            return Vec::new();
        };
        let (text, offset) = editor.text_and_offset();
        self.completion = complete::site_at(&text, offset).and_then(|site| {
            let items = complete::candidates(&site);
            (!items.is_empty()).then_some(Completion {
                site,
                items,
                selected: 0,
            })
        });
        if self.completion.is_some() {
            return Vec::new();
        }
        vec![Effect::Message(format!(
            "nothing to complete here: {} completes inside an Action, Resource, Effect, condition operator or key string",
            key_label(Action::Complete, Scope::Policies)
        ))]
    }

    /// Lists the actions the action pattern under the cursor matches.
    fn expand_actions(&mut self) -> Vec<Effect> {
        let Some(pattern) = self.editor().and_then(|e| e.string_at_cursor()) else {
            return vec![Effect::Message(
                "put the cursor in an action pattern (\"s3:Get*\") to list what it matches".into(),
            )];
        };
        let cat = crate::catalog::services::catalog();
        let items: Vec<Candidate> = cat
            .expand(&pattern)
            .into_iter()
            .map(|(s, a)| Candidate {
                text: format!("{}:{}", s.prefix, a.name),
                detail: a.access.label().to_string(),
            })
            .collect();
        if items.is_empty() {
            vec![Effect::Message(format!(
                "\"{pattern}\" matches no action of the catalog"
            ))]
        } else {
            vec![Effect::Overlay(Mode::Expansion(pattern, items, 0))]
        }
    }

    /// Shows the cursor in the editor shown when the pane has the keyboard.
    pub fn set_focused(&mut self, focused: bool) {
        let current = self.current;
        for (i, e) in self.editors.iter_mut().enumerate() {
            e.set_focused(focused && i == current);
        }
    }
}

fn editors(sources: &[PolicySource]) -> Vec<PolicyEditor> {
    sources
        .iter()
        .map(|s| PolicyEditor::numbered(&s.text, first_line(s)))
        .collect()
}

/// [`Effect::PolicyEdited`] when `edited`.
fn edited_if(edited: bool) -> Vec<Effect> {
    if edited {
        vec![Effect::PolicyEdited]
    } else {
        Vec::new()
    }
}
