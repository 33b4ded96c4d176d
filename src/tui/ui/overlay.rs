//! What is drawn over the panes: the help (every binding of the keymap, by pane), the
//! quit question and the save-as prompt.

use super::super::app::{App, Mode};
use super::super::keymap::{Scope, bindings};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws the overlay of the current mode, if any.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => help(area, buf),
        Mode::ConfirmQuit => {
            let r = centered(area, 52, 5);
            Clear.render(r, buf);
            Paragraph::new(vec![
                Line::from("There are unsaved changes."),
                Line::from(vec![
                    Span::raw("Quit without saving? "),
                    Span::styled("y", Style::default().fg(Color::Cyan)),
                    Span::raw(" quit · "),
                    Span::styled("n", Style::default().fg(Color::Cyan)),
                    Span::raw(" / Esc stay"),
                ]),
            ])
            .block(
                Block::bordered()
                    .title(" Quit ")
                    .border_style(Style::default().fg(Color::Yellow)),
            )
            .render(r, buf);
        }
        Mode::SaveAs(name) => {
            let r = centered(area, 60, 5);
            Clear.render(r, buf);
            Paragraph::new(vec![
                Line::from(vec![
                    Span::raw("File: "),
                    Span::raw(name.clone()),
                    Span::styled(" ", Style::default().add_modifier(Modifier::REVERSED)),
                ]),
                Line::from(Span::styled(
                    "Enter save · Esc cancel",
                    Style::default().fg(Color::DarkGray),
                )),
            ])
            .block(
                Block::bordered()
                    .title(" Save as ")
                    .border_style(Style::default().fg(Color::Cyan)),
            )
            .render(r, buf);
        }
    }
}

fn help(area: Rect, buf: &mut Buffer) {
    let r = centered(area, 70, area.height.saturating_sub(2));
    Clear.render(r, buf);
    let mut lines = Vec::new();
    for (scope, title) in [
        (Scope::Global, "Everywhere"),
        (
            Scope::Policies,
            "Policy editor (and every usual editing key)",
        ),
        (
            Scope::Request,
            "Request form (type to edit the selected field)",
        ),
        (Scope::Trace, "Trace"),
        (Scope::Overlay, "Questions and this help"),
    ] {
        lines.push(Line::from(Span::styled(
            title,
            Style::default().add_modifier(Modifier::BOLD),
        )));
        for b in bindings(scope) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<12}", b.key_label),
                    Style::default().fg(Color::Cyan),
                ),
                Span::raw(b.description),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(
        "Mouse: click a pane to focus it, a trace row to select it; the wheel scrolls.",
    ));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .title(" Help — F1 or Esc closes ")
                .border_style(Style::default().fg(Color::Cyan)),
        )
        .render(r, buf);
}
