//! Drawing: a pure function of the [`App`] onto a buffer, one file per pane.

pub mod layout;
pub mod lint;
mod overlay;
mod policies;
mod request;
mod status;
mod trace;
mod whatif;

use super::app::App;
use layout::layout;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
pub use trace::{tree_height, tree_scroll};

use crate::trace::Decision;

/// The colour of a decision: Allow green, Explicit deny red, Implicit deny yellow.
pub fn decision_color(d: Decision) -> Color {
    match d {
        Decision::Allow => Color::Green,
        Decision::ExplicitDeny => Color::Red,
        Decision::ImplicitDeny => Color::Yellow,
    }
}

/// A bordered block, highlighted when focused.
pub fn pane_block(title: String, focused: bool) -> ratatui::widgets::Block<'static> {
    let style = if focused {
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(Color::Gray)
    };
    ratatui::widgets::Block::bordered()
        .title(title)
        .border_style(style)
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = layout(area, self.focus);
        if a.too_small {
            Paragraph::new(vec![
                Line::from("The terminal is too small for iamtrace."),
                Line::from(format!(
                    "It needs at least {}×{}; this one is {}×{}.",
                    layout::MIN_WIDTH,
                    layout::MIN_HEIGHT,
                    area.width,
                    area.height
                )),
                Line::from("Make the window larger, or press Ctrl+Q to quit."),
            ])
            .wrap(Wrap { trim: true })
            .render(area, buf);
            return;
        }
        status::strip(self, a.strip, buf);
        if let Some(r) = a.policies {
            policies::render(self, r, buf);
        }
        if let Some(r) = a.request {
            request::render(self, r, buf);
        }
        if let Some(r) = a.trace {
            match self.view {
                super::app::View::Trace => trace::render(self, r, buf),
                super::app::View::Grid => whatif::grid(self, r, buf),
                super::app::View::Changes => whatif::changes(self, r, buf),
                super::app::View::Lint => lint::render(self, r, buf),
            }
        }
        status::bar(self, a.compact, a.status, buf);
        overlay::render(self, area, buf);
    }
}
