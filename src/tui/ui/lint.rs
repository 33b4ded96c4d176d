//! The lint view: every policy's findings, in text order within each policy, with the
//! selected one's message and fix in full; Enter shows it in the editor.

use super::super::pane::LintView;
use super::{pane_block, safe};
use crate::lint::Severity;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The colour of a grade.
pub fn severity_color(s: Severity) -> Color {
    match s {
        Severity::Error => Color::Red,
        Severity::SecurityWarning => Color::Magenta,
        Severity::Warning => Color::Yellow,
        Severity::Suggestion => Color::Blue,
    }
}

impl LintView {
    /// Draws the findings (`place`: policy `i`'s name and the file's line and column
    /// of a position in its text, for each row).
    pub fn render(
        &self,
        focused: bool,
        place: &dyn Fn(usize, &crate::source::Span) -> String,
        area: Rect,
        buf: &mut Buffer,
    ) {
        draw(self, focused, place, area, buf)
    }
}

fn draw(
    view: &LintView,
    focused: bool,
    place: &dyn Fn(usize, &crate::source::Span) -> String,
    area: Rect,
    buf: &mut Buffer,
) {
    let rows = view.rows();
    let title = format!(
        " Lint: {} finding{} ",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    let block = pane_block(title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    // The list on top (one row a finding), the selected finding in full below.
    let detail_rows = 5u16.min(inner.height / 2);
    let list_area = Rect {
        height: inner.height - detail_rows,
        ..inner
    };
    let detail_area = Rect {
        y: inner.y + list_area.height,
        height: detail_rows,
        ..inner
    };
    let mut lines: Vec<Line> = Vec::new();
    if rows.is_empty() {
        let text = if view.ready {
            "  nothing found: every action and key is known and no pitfall applies"
        } else {
            "  loading the AWS service catalog…"
        };
        lines.push(Line::from(text));
    }
    let height = list_area.height as usize;
    let first = view.selected.saturating_sub(height.saturating_sub(1));
    for (i, (policy, f)) in rows.iter().enumerate().skip(first).take(height.max(1)) {
        let selected = i == view.selected;
        let base = if selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<17}", f.severity.label()),
                base.fg(severity_color(f.severity)),
            ),
            Span::styled(
                format!("{} ", place(*policy, &f.span)),
                base.fg(Color::DarkGray),
            ),
            Span::styled(f.code.to_string(), base),
        ]));
    }
    Paragraph::new(lines).render(list_area, buf);
    if let Some((_, f)) = rows.get(view.selected) {
        let mut detail = vec![Line::from(Span::styled(
            safe(&f.message),
            Style::default().fg(severity_color(f.severity)),
        ))];
        if let Some(fix) = &f.fix {
            detail.push(Line::from(Span::styled(
                format!("fix: {}", safe(fix)),
                Style::default().fg(Color::Green),
            )));
        }
        Paragraph::new(detail)
            .wrap(Wrap { trim: false })
            .render(detail_area, buf);
    }
}
