//! Where each pane goes for a screen size: three panes side by side from 100×28, one
//! pane at a time (the focused one) below that, a message below 60×16.

use super::super::app::Focus;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// The smallest usable screen.
pub const MIN_WIDTH: u16 = 60;
/// The smallest usable screen.
pub const MIN_HEIGHT: u16 = 16;

/// The areas of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    /// The strip of requests with their decisions.
    pub strip: Rect,
    /// The policy pane, when shown.
    pub policies: Option<Rect>,
    /// The request pane, when shown.
    pub request: Option<Rect>,
    /// The trace pane, when shown.
    pub trace: Option<Rect>,
    /// The status bar.
    pub status: Rect,
    /// The screen is too small for any layout.
    pub too_small: bool,
    /// One pane at a time.
    pub compact: bool,
}

/// The layout for a screen of `size` with `focus`.
pub fn layout(size: Rect, focus: Focus) -> Areas {
    if size.width < MIN_WIDTH || size.height < MIN_HEIGHT {
        return Areas {
            too_small: true,
            ..Default::default()
        };
    }
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .split(size);
    let (strip, main, status) = (rows[0], rows[1], rows[2]);
    let compact = size.width < 100 || size.height < 28;
    if compact {
        let mut a = Areas {
            strip,
            status,
            compact,
            ..Default::default()
        };
        match focus {
            Focus::Policies => a.policies = Some(main),
            Focus::Request => a.request = Some(main),
            Focus::Trace => a.trace = Some(main),
        }
        return a;
    }
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(48), Constraint::Percentage(52)])
        .split(main);
    let right = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Percentage(40), Constraint::Percentage(60)])
        .split(cols[1]);
    Areas {
        strip,
        policies: Some(cols[0]),
        request: Some(right[0]),
        trace: Some(right[1]),
        status,
        too_small: false,
        compact,
    }
}
