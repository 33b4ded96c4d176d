//! The trace view's state: which nodes are open, whether only what decided is shown,
//! the selected row and the first row shown. The rows themselves are computed from
//! the evaluation the [`App`](crate::tui::app::App) holds and handed in.

use super::Effect;
use crate::tui::action::Action;
use crate::tui::tree::{Row, TreeState};

/// A page of the trace (PgUp, PgDn).
const PAGE: isize = 10;

/// The trace view.
#[derive(Debug, Clone, Default)]
pub struct TracePane {
    /// Which nodes are open, and the "only what decided" filter.
    pub tree: TreeState,
    /// The selected row.
    pub selected: usize,
    /// The first row shown, as last drawn (drawing moves it just enough to keep the
    /// selection in view, and keeps it there for the next frame).
    pub scroll: std::cell::Cell<usize>,
}

impl TracePane {
    /// Carries out `action` on `rows` (the rows shown now).
    pub fn handle(&mut self, action: Action, rows: &[Row]) -> Vec<Effect> {
        let before = self.selected;
        match action {
            Action::Up => self.move_by(-1, rows.len()),
            Action::Down => self.move_by(1, rows.len()),
            Action::PageUp => self.move_by(-PAGE, rows.len()),
            Action::PageDown => self.move_by(PAGE, rows.len()),
            Action::First => self.selected = 0,
            Action::Last => self.move_by(isize::MAX / 2, rows.len()),
            Action::Collapse | Action::Expand => {
                if let Some(row) = rows.get(self.selected).filter(|r| r.has_children) {
                    self.tree
                        .expanded
                        .insert(row.id.clone(), action == Action::Expand);
                }
            }
            Action::JumpToSource => {
                if let Some((pi, span)) = rows.get(self.selected).and_then(|r| r.target) {
                    return vec![Effect::ShowInPolicy(pi, span)];
                }
            }
            Action::ToggleDecidingOnly => {
                self.tree.deciding_only = !self.tree.deciding_only;
                self.to_top();
            }
            _ => {}
        }
        // The editor follows the selection onto the statement (or element) it names.
        let moved = matches!(
            action,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::First
                | Action::Last
        ) && self.selected != before;
        match rows.get(self.selected).and_then(|r| r.target) {
            Some((pi, span)) if moved => vec![Effect::PeekInPolicy(pi, span)],
            _ => Vec::new(),
        }
    }

    /// Moves the selection by `delta` rows within `n` rows.
    pub fn move_by(&mut self, delta: isize, n: usize) {
        self.selected = self
            .selected
            .saturating_add_signed(delta)
            .min(n.saturating_sub(1));
    }

    /// Keeps the selection within `n` rows.
    pub fn clamp(&mut self, n: usize) {
        self.selected = self.selected.min(n.saturating_sub(1));
    }

    /// Selects the first row and shows it (another request is shown).
    pub fn to_top(&mut self) {
        self.selected = 0;
        self.scroll.set(0);
    }
}
