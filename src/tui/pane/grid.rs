//! The what-if grid's state: its axes (suggested from the request shown, or chosen
//! with the axes prompt), its cells (first axis slowest) and the selected cell.

use super::Effect;
use crate::analysis::grid::{Axis, Cell, grid, suggest_axes};
use crate::eval::Request;
use crate::policy::PolicySet;
use crate::trace::StatementRef;
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

    /// The axes as the axes prompt shows them: `KEY=v,v,absent | KEY=v,v`.
    pub fn axes_text(&self) -> String {
        self.axes
            .iter()
            .map(|a| {
                let values: Vec<String> = a
                    .values
                    .iter()
                    .map(|v| v.clone().unwrap_or_else(|| "absent".into()))
                    .collect();
                format!("{}={}", a.input.name(), values.join(","))
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// Sets the axes from the prompt's `KEY=v,v,absent | KEY=v,v` (one or two axes),
    /// or says why not.
    pub fn set_axes(&mut self, text: &str) -> Result<(), String> {
        let axes: Vec<Axis> = text
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Axis::parse)
            .collect::<Result<_, String>>()?;
        if axes.is_empty() || axes.len() > 2 {
            return Err("give one or two axes, separated by |".into());
        }
        self.axes = axes;
        self.axes_chosen = true;
        self.cursor = (0, 0);
        Ok(())
    }

    /// Another request is shown: suggested axes are suggested again for it.
    pub fn follow_request(&mut self) {
        if !self.axes_chosen {
            self.axes.clear();
        }
    }

    /// Suggests axes when there are none; with `cells`, recomputes the cells (they
    /// cost an evaluation each, so only while a view that shows them is open).
    pub fn refresh(
        &mut self,
        set: &PolicySet,
        request: &Request,
        determined_by: &[StatementRef],
        cells: bool,
    ) {
        // Suggested once per request, then kept while editing: axes that moved under
        // the user's hands would hide what an edit changed.
        if !self.axes_chosen && self.axes.is_empty() {
            self.axes = suggest_axes(set, request, determined_by);
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
