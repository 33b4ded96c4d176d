//! The request form as a pane: what its keys do. The form's rows, cursor and parsing
//! live in [`form`](crate::tui::form); an edit asks for [`Effect::RequestEdited`], so
//! the form is written into the scenario and evaluated in one place.

use super::Effect;
use crate::tui::action::Action;
use crate::tui::form::{FIELDS, RequestForm};

impl RequestForm {
    /// Carries out `action`.
    pub fn handle(&mut self, action: Action) -> Vec<Effect> {
        let edited = match action {
            Action::Up => {
                self.up();
                false
            }
            Action::Down => {
                self.down();
                false
            }
            Action::Type(c) => {
                self.insert(&c.to_string());
                true
            }
            Action::DeleteBack => self.backspace(),
            Action::DeleteForward => self.delete(),
            Action::CursorLeft => {
                self.move_cursor(-1);
                false
            }
            Action::CursorRight => {
                self.move_cursor(1);
                false
            }
            Action::CursorStart => {
                self.home_end(false);
                false
            }
            Action::CursorEnd => {
                self.home_end(true);
                false
            }
            Action::NextRow => {
                if self.selected + 1 == self.rows.len() {
                    // A new key, unless the last row is already an empty new key.
                    let empty_key_row = self.selected >= FIELDS.len()
                        && self.rows.last().is_some_and(|r| r.trim().is_empty());
                    if !empty_key_row {
                        self.add_context_row();
                    }
                } else {
                    self.down();
                }
                false
            }
            Action::AddContextKey => {
                self.add_context_row();
                false
            }
            Action::DeleteContextKey => self.delete_context_row(),
            _ => false,
        };
        if edited {
            vec![Effect::RequestEdited]
        } else {
            Vec::new()
        }
    }
}
