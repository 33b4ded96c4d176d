//! Where each pane goes for a screen size: three panes side by side from 100×28, one
//! pane at a time (the focused one) below that, a message below 60×16.

use super::super::app::Focus;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// The smallest usable screen.
pub const MIN_WIDTH: u16 = 60;
/// The smallest usable screen.
pub const MIN_HEIGHT: u16 = 16;

/// The most cells ratatui 0.29 draws correctly: its buffer turns a cell's index into a
/// position through `u16`, so on a screen of more cells (say 400×200) the cells past
/// index 65,535 land at wrapped positions, over the text (a stray `││` column).
pub const MAX_DRAWN_CELLS: usize = u16::MAX as usize;

/// The part of `screen` that is drawn: all of it when it holds at most
/// [`MAX_DRAWN_CELLS`] cells, else its full width and as many rows from the top as keep
/// every drawn cell's index (row × screen width + column) within that limit. The rows
/// below stay blank.
pub fn drawable_area(screen: Rect) -> Rect {
    let width = usize::from(screen.width.max(1));
    let rows = (MAX_DRAWN_CELLS / width).min(usize::from(u16::MAX)) as u16;
    Rect {
        height: screen.height.min(rows),
        ..screen
    }
}

/// The areas of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    /// The strip of requests with their decisions.
    pub strip: Rect,
    /// The scenario's name and description, on one line.
    pub about: Rect,
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
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .split(size);
    let (strip, about, main, status) = (rows[0], rows[1], rows[2], rows[3]);
    let compact = size.width < 100 || size.height < 28;
    if compact {
        let mut a = Areas {
            strip,
            about,
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
        about,
        policies: Some(cols[0]),
        request: Some(right[0]),
        trace: Some(right[1]),
        status,
        too_small: false,
        compact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawn_area_stays_within_the_buffer_limit() {
        for (w, h) in [
            (120, 35),
            (300, 200),
            (400, 200),
            (1000, 100),
            (u16::MAX, u16::MAX),
        ] {
            let screen = Rect::new(0, 0, w, h);
            let d = drawable_area(screen);
            assert_eq!((d.x, d.y, d.width), (0, 0, w), "{w}×{h}");
            // The last drawn cell's index in the screen's buffer fits.
            let last = (usize::from(d.height) - 1) * usize::from(w) + usize::from(w) - 1;
            assert!(last <= MAX_DRAWN_CELLS, "{w}×{h}: index {last}");
            if usize::from(w) * usize::from(h) <= MAX_DRAWN_CELLS {
                assert_eq!(d, screen, "{w}×{h} is drawn whole");
            } else {
                // As many rows as fit: one more would not.
                assert!(usize::from(d.height + 1) * usize::from(w) > MAX_DRAWN_CELLS);
            }
        }
        assert_eq!(drawable_area(Rect::new(0, 0, 0, 0)).height, 0);
    }
}
