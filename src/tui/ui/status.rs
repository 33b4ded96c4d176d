//! The request strip (each request with its decision) and the status bar (a message,
//! the current error, or the key hints of the focused pane from the keymap).

use super::super::app::{App, Focus};
use super::super::keymap::{Scope, bindings, pane_scope};
use super::{decision_color, decision_symbol, safe};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// Draws the strip of requests.
pub fn strip(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![Span::styled(
        " iamtrace ",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    let n = app.scenario.requests.len();
    // Give each request an equal share of the width.
    let share = (area.width as usize).saturating_sub(10) / n.max(1);
    for (i, r) in app.scenario.requests.iter().enumerate() {
        let result = app.results.get(i);
        let (sym, color) = match result.map(|r| r.decision) {
            Some(d) => (decision_symbol(d), decision_color(d)),
            None => ("?", Color::DarkGray),
        };
        let mut label = format!("{} {sym} {}", i + 1, safe(&r.label(i)));
        let max = share.saturating_sub(2).max(4);
        if label.chars().count() > max {
            label = label
                .chars()
                .take(max.saturating_sub(1))
                .collect::<String>()
                + "…";
        }
        let mut style = Style::default().fg(color);
        if i == app.request {
            style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        if r.via.is_some() {
            spans.push(Span::styled("↳", Style::default().fg(Color::Magenta)));
        } else {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(label, style));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}

/// Draws the status bar.
pub fn bar(app: &App, compact: bool, area: Rect, buf: &mut Buffer) {
    let dirty = if app.dirty { "● " } else { "" };
    let file = app
        .path
        .as_ref()
        .map(|p| safe(&p.display().to_string()))
        .unwrap_or_else(|| "(not saved)".into());
    let mut spans = vec![Span::styled(
        format!("{dirty}{file} "),
        Style::default().fg(Color::DarkGray),
    )];
    if let Some(e) = app.first_error() {
        let (line, column) = app.file_position(app.policies.current, &e.span);
        spans.push(Span::styled(
            format!("✘ {line}:{column} {} ", safe(&e.message)),
            Style::default().fg(Color::Red),
        ));
    } else if let Some(m) = &app.message {
        spans.push(Span::styled(
            format!("{} ", safe(m)),
            Style::default().fg(Color::Yellow),
        ));
    }
    if compact {
        let pane = match app.focus {
            Focus::Policies => "policies",
            Focus::Request => "request",
            Focus::Trace => "trace",
        };
        spans.push(Span::styled(
            format!("[{pane}] "),
            Style::default().fg(Color::Cyan),
        ));
    }
    let scope = pane_scope(app.focus, app.view);
    for b in bindings(Scope::Global)
        .chain(bindings(scope))
        .filter(|b| b.hint)
    {
        spans.push(Span::styled(b.key_label, Style::default().fg(Color::Cyan)));
        spans.push(Span::raw(format!(" {}  ", b.description)));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
}
