//! The what-if grid's axes picker (F10): first the inputs to vary (the condition keys
//! the statements applying to the request test, then the action, resource and
//! principal) as the rows and the columns, then the values of each, ticked or not. The
//! axes can also be typed (`KEY=v,v,absent | KEY=v,v`); a typed text that does not
//! read stays, with the reason beside it.

use crate::analysis::axes::{Offer, OfferedValue, ValueNote};
use crate::analysis::grid::{Axis, parse_axes};
use crate::tui::action::Action;

/// Which list the picker shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Choosing the inputs: rows, then columns.
    Inputs,
    /// Ticking the values of the inputs chosen.
    Values,
}

/// One row of the values list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRow {
    /// An axis's heading (0: rows, 1: columns), with the offer's index.
    Heading(usize, usize),
    /// A value: the offer's index and the value's.
    Value(usize, usize),
}

/// What a key did to the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Still open.
    Open,
    /// Closed without choosing.
    Closed,
    /// Closed with these axes chosen.
    Chosen(Vec<Axis>),
}

/// The picker's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxesPicker {
    /// The inputs offered, each with its values.
    pub offers: Vec<Offer>,
    /// For each offer, which of its values are ticked.
    pub ticks: Vec<Vec<bool>>,
    /// The offer chosen as the rows.
    pub rows: Option<usize>,
    /// The offer chosen as the columns.
    pub cols: Option<usize>,
    /// The list shown.
    pub step: Step,
    /// The selected row of the list shown.
    pub selected: usize,
    /// The axes as text: follows the ticks, or what the user typed.
    pub text: String,
    /// The keyboard is on the text line.
    pub typing: bool,
    /// Why the typed text was refused (kept beside it until it changes).
    pub error: Option<String>,
}

impl AxesPicker {
    /// A picker over `offers`, starting from the grid's `current` axes (their inputs
    /// chosen, their values ticked; a value or an input not offered is added).
    pub fn new(mut offers: Vec<Offer>, current: &[Axis]) -> Self {
        let mut ticks: Vec<Vec<bool>> =
            offers.iter().map(|o| vec![false; o.values.len()]).collect();
        let mut chosen = Vec::new();
        for axis in current {
            let i = match offers.iter().position(|o| o.input == axis.input) {
                Some(i) => i,
                None => {
                    offers.push(Offer {
                        input: axis.input.clone(),
                        values: Vec::new(),
                        multi: false,
                        deciding: false,
                    });
                    ticks.push(Vec::new());
                    offers.len() - 1
                }
            };
            for v in &axis.values {
                let at = match offers[i].values.iter().position(|o| &o.value == v) {
                    Some(at) => at,
                    None => {
                        offers[i].values.push(OfferedValue {
                            value: v.clone(),
                            note: ValueNote::Request,
                        });
                        ticks[i].push(false);
                        offers[i].values.len() - 1
                    }
                };
                ticks[i][at] = true;
            }
            chosen.push(i);
        }
        // Inputs not on the grid yet start with every value ticked.
        for (i, t) in ticks.iter_mut().enumerate() {
            if !chosen.contains(&i) {
                t.iter_mut().for_each(|x| *x = true);
            }
        }
        let typing = offers.is_empty();
        let mut p = AxesPicker {
            offers,
            ticks,
            rows: chosen.first().copied(),
            cols: chosen.get(1).copied(),
            step: Step::Inputs,
            selected: chosen.first().copied().unwrap_or(0),
            text: String::new(),
            typing,
            error: None,
        };
        p.sync_text();
        p
    }

    /// The axes the ticks give: rows first, then columns, each with its ticked values.
    pub fn ticked_axes(&self) -> Vec<Axis> {
        [self.rows, self.cols]
            .into_iter()
            .flatten()
            .filter_map(|i| {
                let o = self.offers.get(i)?;
                Some(Axis {
                    input: o.input.clone(),
                    values: o
                        .values
                        .iter()
                        .zip(&self.ticks[i])
                        .filter(|(_, t)| **t)
                        .map(|(v, _)| v.value.clone())
                        .collect(),
                })
            })
            .collect()
    }

    /// The text line follows the ticks (what was typed there is replaced).
    fn sync_text(&mut self) {
        self.text = crate::analysis::grid::axes_text(&self.ticked_axes());
        self.error = None;
    }

    /// The rows of the values list: each chosen axis's heading, then its values.
    pub fn value_rows(&self) -> Vec<ValueRow> {
        let mut out = Vec::new();
        for (n, i) in [self.rows, self.cols].into_iter().flatten().enumerate() {
            out.push(ValueRow::Heading(n, i));
            out.extend((0..self.offers[i].values.len()).map(|v| ValueRow::Value(i, v)));
        }
        out
    }

    /// How many rows the list shown has.
    pub fn len(&self) -> usize {
        match self.step {
            Step::Inputs => self.offers.len(),
            Step::Values => self.value_rows().len(),
        }
    }

    /// Whether the list shown is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Carries out `action`.
    pub fn handle(&mut self, action: Action) -> Outcome {
        match action {
            Action::Type(c) => {
                self.typing = true;
                self.text.push(c);
                self.error = None;
            }
            Action::Tick if self.typing => {
                self.text.push(' ');
                self.error = None;
            }
            Action::DeleteBack => {
                self.typing = true;
                self.text.pop();
                self.error = None;
            }
            Action::FocusNext => self.typing = !self.typing || self.offers.is_empty(),
            Action::Confirm if self.typing => match parse_axes(&self.text) {
                Ok(axes) => return Outcome::Chosen(axes),
                Err(e) => self.error = Some(e),
            },
            Action::Cancel if self.typing && !self.offers.is_empty() => self.typing = false,
            Action::Cancel => match self.step {
                Step::Values => {
                    self.step = Step::Inputs;
                    self.selected = self.rows.unwrap_or(0);
                }
                Step::Inputs => return Outcome::Closed,
            },
            Action::Up | Action::Down => {
                self.typing = self.offers.is_empty();
                let last = self.len().saturating_sub(1);
                self.selected = if action == Action::Up {
                    self.selected.saturating_sub(1)
                } else {
                    (self.selected + 1).min(last)
                };
            }
            Action::Tick => self.tick(),
            Action::Confirm => return self.next(),
            _ => {}
        }
        Outcome::Open
    }

    /// Space on the list: choose or drop an input, tick or untick a value (on a
    /// heading: all of the axis's values).
    fn tick(&mut self) {
        match self.step {
            Step::Inputs => {
                let i = self.selected;
                if i >= self.offers.len() {
                    return;
                }
                if self.rows == Some(i) {
                    self.rows = self.cols.take();
                } else if self.cols == Some(i) {
                    self.cols = None;
                } else if self.rows.is_none() {
                    self.rows = Some(i);
                } else {
                    // A third choice replaces the columns.
                    self.cols = Some(i);
                }
            }
            Step::Values => match self.value_rows().get(self.selected) {
                Some(ValueRow::Heading(_, i)) => {
                    let all = self.ticks[*i].iter().all(|t| *t);
                    self.ticks[*i].iter_mut().for_each(|t| *t = !all);
                }
                Some(ValueRow::Value(i, v)) => {
                    let t = &mut self.ticks[*i][*v];
                    *t = !*t;
                }
                None => {}
            },
        }
        self.sync_text();
    }

    /// Enter on the list: from the inputs to their values (the selected input is the
    /// rows when none is chosen); on the values, the axes ticked.
    fn next(&mut self) -> Outcome {
        match self.step {
            Step::Inputs => {
                if self.rows.is_none() && self.selected < self.offers.len() {
                    self.rows = Some(self.selected);
                    self.sync_text();
                }
                if self.rows.is_some() {
                    self.step = Step::Values;
                    self.selected = 0;
                }
                Outcome::Open
            }
            Step::Values => {
                let axes = self.ticked_axes();
                if let Some(empty) = axes.iter().find(|a| a.values.is_empty()) {
                    self.error = Some(format!("tick at least one value of {}", empty.input.name()));
                    return Outcome::Open;
                }
                Outcome::Chosen(axes)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::grid::Input;

    fn offer(name: &str, values: &[&str]) -> Offer {
        Offer {
            input: Input::parse(name).unwrap(),
            values: values
                .iter()
                .map(|v| OfferedValue {
                    value: (*v != "absent").then(|| v.to_string()),
                    note: ValueNote::Listed,
                })
                .collect(),
            multi: false,
            deciding: false,
        }
    }

    fn picker() -> AxesPicker {
        AxesPicker::new(
            vec![
                offer("aws:SourceIp", &["1.2.3.4", "absent"]),
                offer("aws:ViaAWSService", &["true", "false"]),
                offer("action", &["s3:GetObject"]),
            ],
            &[],
        )
    }

    #[test]
    fn space_chooses_the_rows_then_the_columns_and_a_third_replaces_the_columns() {
        let mut p = picker();
        assert_eq!((p.rows, p.cols), (None, None));
        assert!(!p.typing);
        p.handle(Action::Tick);
        p.handle(Action::Down);
        p.handle(Action::Tick);
        assert_eq!((p.rows, p.cols), (Some(0), Some(1)));
        p.handle(Action::Down);
        p.handle(Action::Tick);
        assert_eq!((p.rows, p.cols), (Some(0), Some(2)));
        // Dropping the rows makes the columns the rows.
        p.handle(Action::Up);
        p.handle(Action::Up);
        p.handle(Action::Tick);
        assert_eq!((p.rows, p.cols), (Some(2), None));
        assert_eq!(p.text, "action=s3:GetObject");
    }

    #[test]
    fn a_heading_ticks_all_its_values_and_an_axis_without_values_is_refused() {
        let mut p = picker();
        assert_eq!(p.handle(Action::Confirm), Outcome::Open);
        assert_eq!((p.step, p.rows), (Step::Values, Some(0)));
        assert_eq!(p.text, "aws:SourceIp=1.2.3.4,absent");
        // On the heading: all off, then all on again.
        p.handle(Action::Tick);
        assert_eq!(p.text, "aws:SourceIp=");
        assert_eq!(p.handle(Action::Confirm), Outcome::Open);
        assert!(
            p.error
                .as_deref()
                .is_some_and(|e| e.contains("aws:SourceIp"))
        );
        p.handle(Action::Tick);
        assert_eq!(p.error, None);
        match p.handle(Action::Confirm) {
            Outcome::Chosen(axes) => assert_eq!(axes[0].values, [Some("1.2.3.4".into()), None]),
            other => panic!("{other:?}"),
        }
        // Esc: back to the inputs, then closed.
        let mut p = picker();
        p.handle(Action::Confirm);
        assert_eq!(p.handle(Action::Cancel), Outcome::Open);
        assert_eq!(p.step, Step::Inputs);
        assert_eq!(p.handle(Action::Cancel), Outcome::Closed);
    }

    #[test]
    fn the_current_axes_are_chosen_and_their_values_ticked() {
        let current = parse_axes("aws:ViaAWSService=false | aws:Other=x").unwrap();
        let p = AxesPicker::new(picker().offers, &current);
        assert_eq!(
            (p.rows, p.cols),
            (Some(1), Some(3)),
            "a key not offered is added"
        );
        assert_eq!(p.ticks[1], [false, true]);
        assert_eq!(
            p.ticks[0],
            [true, true],
            "inputs not on the grid: all ticked"
        );
        assert_eq!(p.text, "aws:ViaAWSService=false | aws:Other=x");
    }
}
