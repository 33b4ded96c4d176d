//! The trace pane: the decision badge (colour and word), stale marking, and the tree.

use super::super::app::{App, Focus};
use super::super::tree::Mark;
use super::{decision_color, pane_block};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The first tree row shown in a view `height` rows high: the stored scroll, moved
/// just enough to keep the selection visible. Drawing and mouse clicks both use it.
pub fn tree_scroll(app: &App, height: usize) -> usize {
    let n = app.tree_rows().len();
    let mut scroll = app.tree_scroll.min(n.saturating_sub(1));
    if app.tree_selected < scroll {
        scroll = app.tree_selected;
    } else if height > 0 && app.tree_selected >= scroll + height {
        scroll = app.tree_selected + 1 - height;
    }
    scroll
}

/// Draws the trace pane.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Focus::Trace;
    let filter = if app.tree.deciding_only {
        " · only what decided"
    } else {
        ""
    };
    let block = pane_block(format!(" Trace{filter} "), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(result) = app.current_result() else {
        let msg = if app.scenario.requests.is_empty() {
            "No request yet: fill in the request form."
        } else if app.stale {
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
    if app.stale {
        head.push(Span::styled(
            " STALE ",
            Style::default().fg(Color::Black).bg(Color::DarkGray),
        ));
        head.push(Span::styled(
            " the policy text has errors: showing the last valid evaluation",
            Style::default().fg(Color::DarkGray),
        ));
    } else {
        head.push(Span::raw(result.trace.reason.clone()));
    }
    let rows = app.tree_rows();
    let height = inner.height.saturating_sub(2) as usize;
    let scroll = tree_scroll(app, height);
    let mut lines = vec![Line::from(head), Line::from("")];
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
        if i == app.tree_selected && focused {
            style = style.add_modifier(Modifier::REVERSED);
        }
        lines.push(Line::from(vec![
            Span::raw("  ".repeat(row.depth as usize)),
            Span::raw(fold),
            Span::styled(sym, Style::default().fg(color)),
            Span::raw(" "),
            Span::styled(row.text.clone(), style),
        ]));
    }
    Paragraph::new(lines).render(inner, buf);
}
