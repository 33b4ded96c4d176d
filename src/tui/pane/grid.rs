//! The what-if grid's state: its axes (suggested from the request shown, or chosen
//! with the axes picker), its cells (first axis slowest) and the selected cell.

use super::Effect;
use crate::analysis::grid::{Axis, Cell, axes_text, grid, parse_axes};
use crate::eval::Request;
use crate::policy::PolicySet;
use crate::trace::{StatementRef, Trace};
use crate::tui::action::Action;

/// The what-if grid view.
#[derive(Debug, Clone, Default)]
pub struct GridView {
    /// The axes: one or two.
    pub axes: Vec<Axis>,
    /// The user chose the axes (otherwise they follow the request shown).
    pub axes_chosen: bool,
    /// The cells, first axis slowest.
    pub cells: Vec<Cell>,
    /// The selected cell: (row, column).
    pub cursor: (usize, usize),
}

impl GridView {
    /// Carries out `action`.
    pub fn handle(&mut self, action: Action) -> Vec<Effect> {
        let (rows, cols) = self.shape();
        let (r, c) = &mut self.cursor;
        match action {
            Action::Up => *r = r.saturating_sub(1),
            Action::Down => *r = (*r + 1).min(rows.saturating_sub(1)),
            Action::CursorLeft => *c = c.saturating_sub(1),
            Action::CursorRight => *c = (*c + 1).min(cols.saturating_sub(1)),
            Action::LoadCell => return vec![Effect::LoadCell],
            _ => {}
        }
        Vec::new()
    }

    /// (rows, columns): the values of the first axis and of the second (1 without).
    pub fn shape(&self) -> (usize, usize) {
        (
            self.axes.first().map_or(1, |a| a.values.len()),
            self.axes.get(1).map_or(1, |a| a.values.len()),
        )
    }

    /// The selected cell, if the grid has one there.
    pub fn selected_cell(&self) -> Option<&Cell> {
        let (_, cols) = self.shape();
        self.cells.get(self.cursor.0 * cols + self.cursor.1)
    }

    /// `request` with the selected cell's values.
    pub fn cell_request(&self, request: &Request) -> Option<Request> {
        let cell = self.selected_cell()?;
        let mut r = request.clone();
        for (axis, v) in self.axes.iter().zip(&cell.values) {
            r = crate::analysis::grid::with_input(&r, &axis.input, v.as_deref());
        }
        Some(r)
    }

    /// The axes as typed in the axes picker: `KEY=v,v,absent | KEY=v,v`.
    pub fn axes_text(&self) -> String {
        axes_text(&self.axes)
    }

    /// Sets the axes from a text `KEY=v,v,absent | KEY=v,v` (one or two axes), or
    /// says why not.
    pub fn set_axes(&mut self, text: &str) -> Result<(), String> {
        self.choose(parse_axes(text)?);
        Ok(())
    }

    /// Takes the axes the user chose.
    pub fn choose(&mut self, axes: Vec<Axis>) {
        self.axes = axes;
        self.axes_chosen = true;
        self.cursor = (0, 0);
    }

    /// Another request is shown: suggested axes are suggested again for it.
    pub fn follow_request(&mut self) {
        if !self.axes_chosen {
            self.axes.clear();
        }
    }

    /// Takes the suggested axes, keeping those already shown whose input is still
    /// suggested (with their values: values that moved under the user's hands would
    /// hide what an edit changed), so that a key an edit adds to the statements joins
    /// the grid and one no statement that applies tests any more leaves it.
    fn follow_suggestion(&mut self, suggested: Vec<Axis>) {
        let same = suggested.len() == self.axes.len()
            && suggested
                .iter()
                .zip(&self.axes)
                .all(|(s, a)| s.input == a.input);
        if same {
            return;
        }
        // The axes kept where they are, then the new keys.
        self.axes
            .retain(|a| suggested.iter().any(|s| s.input == a.input));
        for s in suggested {
            if self.axes.len() < 2 && !self.axes.iter().any(|a| a.input == s.input) {
                self.axes.push(s);
            }
        }
    }

    /// Suggests axes unless the user chose them; with `cells`, recomputes the cells
    /// (they cost an evaluation each, so only while a view that shows them is open).
    pub fn refresh(
        &mut self,
        set: &PolicySet,
        request: &Request,
        trace: &Trace,
        determined_by: &[StatementRef],
        cells: bool,
    ) {
        if !self.axes_chosen {
            let suggested = crate::analysis::axes::suggest(set, request, trace, determined_by);
            self.follow_suggestion(suggested);
        }
        if !cells {
            return;
        }
        self.cells = grid(set, request, &self.axes);
        let (rows, cols) = self.shape();
        self.cursor = (
            self.cursor.0.min(rows.saturating_sub(1)),
            self.cursor.1.min(cols.saturating_sub(1)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_from_the_prompt_and_a_cursor_that_stays_on_the_grid() {
        let mut g = GridView::default();
        assert!(g.set_axes("").is_err(), "no axis");
        assert!(g.set_axes("a:b=1 | c:d=2 | e:f=3").is_err(), "three axes");
        assert!(g.set_axes("nonsense").is_err());
        assert!(!g.axes_chosen, "a refused text changes nothing");
        g.set_axes("aws:SourceIp=1.2.3.4,absent | action=s3:GetObject,s3:PutObject,s3:List")
            .unwrap();
        assert!(g.axes_chosen);
        assert_eq!(g.shape(), (2, 3));
        assert_eq!(
            g.axes_text(),
            "aws:SourceIp=1.2.3.4,absent | action=s3:GetObject,s3:PutObject,s3:List"
        );
        for _ in 0..5 {
            g.handle(Action::Down);
            g.handle(Action::CursorRight);
        }
        assert_eq!(g.cursor, (1, 2));
        for _ in 0..5 {
            g.handle(Action::Up);
            g.handle(Action::CursorLeft);
        }
        assert_eq!(g.cursor, (0, 0));
        assert_eq!(g.handle(Action::LoadCell), vec![Effect::LoadCell]);
        // Chosen axes stay when another request is shown.
        g.follow_request();
        assert_eq!(g.axes.len(), 2);
    }
}
