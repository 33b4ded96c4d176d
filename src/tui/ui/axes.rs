//! The what-if grid's axes picker (F10), drawn over the panes: the inputs to vary or
//! their values as a list to tick, the axes as text (with why a typed text was
//! refused, beside it), and how to type them.

use super::super::action::Action;
use super::super::keymap::{Scope, key_label};
use super::super::pane::axes::{AxesPicker, Step, ValueRow};
use super::overlay::centered;
use super::safe;
use crate::analysis::axes::Offer;
use crate::analysis::grid::Input;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

fn key(action: Action) -> &'static str {
    key_label(action, Scope::Axes)
}

/// What an offered input is, in a few words.
fn about(o: &Offer) -> String {
    let what = match &o.input {
        Input::Context(_) if o.deciding => "tested by a statement that decided".to_string(),
        Input::Context(_) => "tested by a statement that applies".to_string(),
        other => format!("the request's {}", other.name()),
    };
    let multi = if o.multi { " · multi-valued" } else { "" };
    let n = o.values.len();
    format!("{what}{multi} · {n} value{}", if n == 1 { "" } else { "s" })
}

/// The rows `lines` take wrapped at `width`.
fn rows(lines: &[Line], width: u16) -> u16 {
    let width = usize::from(width.max(1));
    lines
        .iter()
        .map(|l| l.width().div_ceil(width).max(1) as u16)
        .sum()
}

/// Draws the picker over `area`.
pub fn render(p: &AxesPicker, area: Rect, buf: &mut Buffer) {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let dim = Style::default().fg(Color::DarkGray);
    let width = area.width.min(100);
    let inner_width = width.saturating_sub(2);
    let head = vec![Line::from(Span::styled(
        match p.step {
            Step::Inputs => format!(
                "1/2 What to vary ({} the rows, then the columns): the keys the statements that apply to this request test, then its action, resource, principal",
                key(Action::Tick)
            ),
            Step::Values => format!(
                "2/2 Which values ({} ticks; on a heading, all of them)",
                key(Action::Tick)
            ),
        },
        bold,
    ))];
    let tail = tail(p, bold, dim);
    let (head_rows, tail_rows) = (rows(&head, inner_width), rows(&tail, inner_width));
    let around = head_rows + tail_rows + 2;
    let height = (p.len().max(1) as u16 + around).min(area.height);
    let r = centered(area, 100, height);
    Clear.render(r, buf);
    let block = Block::bordered()
        .title(" What-if grid axes ")
        .border_style(Style::default().fg(Color::Cyan));
    let inner = block.inner(r);
    block.render(r, buf);
    let visible = height.saturating_sub(around).max(1) as usize;
    // The heading and the text below wrap; the list's rows are cut at the box's edge,
    // one row per entry, so that the list keeps its place.
    let [head_area, list_area, tail_area] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(head_rows),
        ratatui::layout::Constraint::Min(1),
        ratatui::layout::Constraint::Length(tail_rows),
    ])
    .areas(inner);
    Paragraph::new(head)
        .wrap(Wrap { trim: false })
        .render(head_area, buf);
    let mut lines: Vec<Line> = Vec::new();
    let first = p.selected.saturating_sub(visible.saturating_sub(1));
    let chosen = |style: Style, i: usize| {
        if !p.typing && i == p.selected {
            style.add_modifier(Modifier::REVERSED)
        } else {
            style
        }
    };
    match p.step {
        Step::Inputs => {
            if p.offers.is_empty() {
                lines.push(Line::from(Span::styled(
                    "  nothing to offer: the policies do not parse, or there is no request (type the axes)",
                    dim,
                )));
            }
            for (i, o) in p.offers.iter().enumerate().skip(first).take(visible) {
                let mark = if p.rows == Some(i) {
                    "↓ rows "
                } else if p.cols == Some(i) {
                    "→ cols "
                } else {
                    "       "
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {mark}"),
                        chosen(Style::default().fg(Color::Cyan), i),
                    ),
                    Span::styled(
                        format!("{:<28}", safe(o.input.name())),
                        chosen(Style::default(), i),
                    ),
                    Span::styled(format!(" {}", about(o)), chosen(dim, i)),
                ]));
            }
        }
        Step::Values => {
            for (i, row) in p
                .value_rows()
                .into_iter()
                .enumerate()
                .skip(first)
                .take(visible)
            {
                match row {
                    ValueRow::Heading(n, o) => lines.push(Line::from(Span::styled(
                        format!(
                            " {} {}",
                            if n == 0 { "↓ rows:" } else { "→ columns:" },
                            safe(p.offers[o].input.name())
                        ),
                        chosen(bold.fg(Color::Cyan), i),
                    ))),
                    ValueRow::Value(o, v) => {
                        let value = &p.offers[o].values[v];
                        let tick = if p.ticks[o][v] { "[x]" } else { "[ ]" };
                        let shown = value
                            .value
                            .as_deref()
                            .map_or_else(|| "absent".to_string(), safe);
                        lines.push(Line::from(vec![
                            Span::styled(format!("   {tick} "), chosen(Style::default(), i)),
                            Span::styled(format!("{shown:<40}"), chosen(Style::default(), i)),
                            Span::styled(format!(" {}", value.note.label()), chosen(dim, i)),
                        ]));
                    }
                }
            }
        }
    }
    Paragraph::new(lines).render(list_area, buf);
    Paragraph::new(tail)
        .wrap(Wrap { trim: false })
        .render(tail_area, buf);
}

/// The lines under the list: the axes as text (with why a typed text was refused),
/// the keys, and how to type the axes.
fn tail(p: &AxesPicker, bold: Style, dim: Style) -> Vec<Line<'static>> {
    let mut out = vec![Line::from("")];
    let mut text = vec![
        Span::styled("Axes: ", if p.typing { bold.fg(Color::Cyan) } else { bold }),
        Span::raw(safe(&p.text)),
    ];
    if p.typing {
        text.push(Span::styled(
            " ",
            Style::default().add_modifier(Modifier::REVERSED),
        ));
    }
    if let Some(e) = &p.error {
        text.push(Span::styled(
            format!("  ✘ {}", safe(e)),
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        ));
    }
    out.push(Line::from(text));
    let enter = match (p.typing, p.step) {
        (true, _) | (false, Step::Values) => "show the grid",
        (false, Step::Inputs) => "their values",
    };
    let esc = match (p.typing, p.step) {
        (true, _) => "back to the list",
        (false, Step::Values) => "back to the inputs",
        (false, Step::Inputs) => "close",
    };
    out.push(Line::from(Span::styled(
        format!(
            "{}{} move · {} choose/tick · {} {enter} · {} {} · {} {esc}",
            key(Action::Up),
            key(Action::Down),
            key(Action::Tick),
            key(Action::Confirm),
            key(Action::FocusNext),
            if p.typing {
                "back to the list"
            } else {
                "type the axes"
            },
            key(Action::Cancel),
        ),
        dim,
    )));
    out.push(Line::from(Span::styled(
        "Typed: KEY=v,v,absent | KEY=v,v — absent: the key missing · [a;b]: a set of values, [] the empty set · action, resource, principal too",
        dim,
    )));
    out
}
