//! The trace pane: the decision badge (colour and word), stale marking, and the tree.

use super::super::app::RequestResult;
use super::super::pane::TracePane;
use super::super::tree::{Mark, Row};
use super::{decision_color, pane_block, safe};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// What the trace pane shows besides its own state: the result of the request shown
/// and its rows, from the [`App`](super::super::app::App).
pub struct Shown<'a> {
    /// The pane has the keyboard.
    pub focused: bool,
    /// The result of the request shown, if evaluated.
    pub result: Option<&'a RequestResult>,
    /// Its trace rows as the pane's tree state shows them.
    pub rows: &'a [Row],
    /// The policy text has errors: the result is of the last valid policies.
    pub stale: bool,
    /// The scenario has no request yet.
    pub no_request: bool,
}

impl TracePane {
    /// The first of `n` tree rows shown in a view `height` rows high: the stored
    /// scroll, moved just enough to keep the selection visible. Drawing and mouse
    /// clicks both use it.
    pub fn first_shown(&self, n: usize, height: usize) -> usize {
        let mut scroll = self.scroll.get().min(n.saturating_sub(1));
        if self.selected < scroll {
            scroll = self.selected;
        } else if height > 0 && self.selected >= scroll + height {
            scroll = self.selected + 1 - height;
        }
        scroll
    }

    /// What the footer shows for the selected row: its rule explained, or its whole
    /// text when the row is cut at the edge.
    fn footer(
        &self,
        focused: bool,
        rows: &[Row],
        inner: Rect,
    ) -> (Option<(&'static str, &'static str)>, Option<String>) {
        let selected = rows
            .get(self.selected)
            .filter(|_| focused && inner.height > 8);
        let explain = selected.and_then(|r| r.explain);
        let full_text = selected
            .filter(|r| r.explain.is_none())
            .filter(|r| r.text.chars().count() + 2 * r.depth as usize + 4 > inner.width as usize)
            .map(|r| r.text.clone());
        (explain, full_text)
    }

    /// How many tree rows the pane's inner area shows (below the badge, above the
    /// footer).
    pub fn rows_shown(&self, focused: bool, rows: &[Row], inner: Rect) -> usize {
        let (explain, full_text) = self.footer(focused, rows, inner);
        let footer = if explain.is_some() || full_text.is_some() {
            3
        } else {
            0
        };
        inner.height.saturating_sub(2 + footer) as usize
    }

    /// Draws the pane.
    pub fn render(&self, shown: &Shown, area: Rect, buf: &mut Buffer) {
        draw(self, shown, area, buf)
    }
}

fn draw(pane: &TracePane, shown: &Shown, area: Rect, buf: &mut Buffer) {
    let focused = shown.focused;
    let filter = if pane.tree.deciding_only {
        " · only what decided"
    } else {
        ""
    };
    let block = pane_block(format!(" Trace{filter} "), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(result) = shown.result else {
        let msg = if shown.no_request {
            "No request yet: fill in the request form."
        } else if shown.stale {
            "No evaluation yet: the policies do not parse."
        } else {
            "Evaluating…"
        };
        Paragraph::new(msg).render(inner, buf);
        return;
    };
    let mut head = vec![
        Span::styled(
            format!(" {} ", result.decision.label().to_uppercase()),
            Style::default()
                .fg(Color::Black)
                .bg(decision_color(result.decision))
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" "),
    ];
    if shown.stale {
        head.push(Span::styled(
            " STALE ",
            Style::default().fg(Color::Black).bg(Color::DarkGray),
        ));
        head.push(Span::styled(
            " the policy text has errors: showing the last valid evaluation",
            Style::default().fg(Color::DarkGray),
        ));
    } else {
        head.push(Span::raw(safe(&result.trace.reason)));
        // The decision takes unresolved template values as matching nothing: say when
        // resolving them could change it.
        if let Some(un) = result.trace.unresolved.as_ref().filter(|u| u.depends) {
            head.push(Span::styled(
                format!(" ? {}", safe(&un.describe())),
                Style::default().fg(Color::Yellow),
            ));
        }
    }
    let rows = shown.rows;
    // The selected row's rule, explained, takes the last two lines.
    let (explain, full_text) = pane.footer(focused, rows, inner);
    let height = pane.rows_shown(focused, rows, inner);
    let scroll = pane.first_shown(rows.len(), height);
    // Kept for the next frame: moving back up inside the view does not scroll it.
    pane.scroll.set(scroll);
    // The decision and its reason take two rows: one and a blank, or both when the
    // reason is long (wrapped, the rest cut).
    let head_area = Rect {
        height: inner.height.min(2),
        ..inner
    };
    Paragraph::new(Line::from(head))
        .wrap(ratatui::widgets::Wrap { trim: false })
        .render(head_area, buf);
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(scroll).take(height) {
        let (sym, color) = match row.mark {
            Mark::Pass => ("✔", Color::Green),
            Mark::Fail => ("✘", Color::Red),
            Mark::Skip => ("–", Color::DarkGray),
            Mark::None => (" ", Color::White),
        };
        let fold = if !row.has_children {
            "  "
        } else if row.expanded {
            "▾ "
        } else {
            "▸ "
        };
        let mut style = if row.mark == Mark::Skip {
            Style::default().fg(Color::DarkGray)
        } else if row.mark == Mark::None {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        if i == pane.selected && focused {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::raw("  ".repeat(row.depth as usize)),
            Span::raw(fold),
            Span::styled(sym, Style::default().fg(color)),
            Span::raw(" "),
            Span::styled(safe(&row.text), style),
        ]));
    }
    let tree_area = Rect {
        y: inner.y + head_area.height,
        height: inner.height - head_area.height,
        ..inner
    };
    Paragraph::new(lines).render(tree_area, buf);
    if let Some(text) = full_text {
        let area = Rect {
            y: inner.y + inner.height - 3,
            height: 3,
            ..inner
        };
        Paragraph::new(Line::from(Span::styled(
            safe(&text),
            Style::default().fg(Color::Gray),
        )))
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(area, buf);
    }
    if let Some((text, page)) = explain {
        let area = Rect {
            y: inner.y + inner.height - 3,
            height: 3,
            ..inner
        };
        Paragraph::new(Line::from(vec![
            Span::styled("ⓘ ", Style::default().fg(Color::Cyan)),
            Span::styled(text, Style::default().fg(Color::Gray)),
            Span::styled(
                format!(" (AWS docs: {page})"),
                Style::default().fg(Color::DarkGray),
            ),
        ]))
        .wrap(ratatui::widgets::Wrap { trim: true })
        .render(area, buf);
    }
}

/// The bottom-right pane while the request shown is still to be predicted in a lesson:
/// its decision and trace stay hidden until the learner answers.
pub fn hidden(focused: bool, area: Rect, buf: &mut Buffer) {
    use super::super::action::Action;
    use super::super::keymap::{Scope, key_label};
    let text = vec![
        Line::styled(
            "? Hidden until you predict it",
            Style::default()
                .fg(Color::Magenta)
                .add_modifier(Modifier::BOLD),
        ),
        Line::from(""),
        Line::from(format!(
            "Read the policies and the request, then say what AWS decides in the lesson pane: {} Allow, {} Implicit deny, {} Explicit deny. The trace opens on the row that decided.",
            key_label(Action::PredictAllow, Scope::Lesson),
            key_label(Action::PredictImplicitDeny, Scope::Lesson),
            key_label(Action::PredictExplicitDeny, Scope::Lesson),
        )),
    ];
    Paragraph::new(text)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .block(pane_block("Trace".into(), focused))
        .render(area, buf);
}
