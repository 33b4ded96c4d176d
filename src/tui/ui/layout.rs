//! Where each pane goes for a screen size: three panes side by side from 100×28, one
//! pane at a time (the focused one) below that, a message below 60×16. Side by side,
//! the panes are sized from what they hold ([`Wants`]): the editor as wide as its
//! longest line within a share of the screen, the request pane as tall as its rows
//! within a share of the right column, the rest to the trace. A lesson's pane goes
//! across the top of the panes.

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
    /// The lesson pane, while a lesson is open.
    pub lesson: Option<Rect>,
    /// The status bar.
    pub status: Rect,
    /// The screen is too small for any layout.
    pub too_small: bool,
    /// One pane at a time.
    pub compact: bool,
}

/// What the panes' contents ask for; 0 where nothing is known (the fixed shares).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Wants {
    /// Columns the policy pane needs to show its longest line whole (borders included).
    pub policies_width: u16,
    /// Rows the request pane needs to show every row (borders included).
    pub request_height: u16,
    /// Rows the lesson pane needs to show all it holds (borders included); 0: no
    /// lesson is open.
    pub lesson_height: u16,
}

/// The policy pane's share of the width when nothing is known of its text.
const POLICIES_SHARE: u16 = 48;
/// The least and most of the width the policy pane takes, in percent, when it is sized
/// from its text; and the fewest columns it gets (a policy stays editable).
const POLICIES_RANGE: (u16, u16, u16) = (30, 55, 40);
/// The request pane's share of the right column when nothing is known of its rows,
/// and the most it takes when sized from them; the fewest rows it gets.
const REQUEST_SHARE: u16 = 40;
const REQUEST_MOST: u16 = 50;
const REQUEST_LEAST: u16 = 7;
/// The most of the panes' rows the lesson pane takes above them (percent), and the
/// fewest it gets.
const LESSON_MOST: u16 = 40;
const LESSON_MOST_FOCUSED: u16 = 65;
const LESSON_LEAST: u16 = 5;

/// `percent` of `n`.
fn share(n: u16, percent: u16) -> u16 {
    (u32::from(n) * u32::from(percent) / 100) as u16
}

/// The layout for a screen of `size` with `focus`, at the fixed shares.
pub fn layout(size: Rect, focus: Focus) -> Areas {
    layout_fitted(size, focus, Wants::default())
}

/// The layout for a screen of `size` with `focus`, the panes sized from `wants`.
pub fn layout_fitted(size: Rect, focus: Focus, wants: Wants) -> Areas {
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
    let (strip, about, mut main, status) = (rows[0], rows[1], rows[2], rows[3]);
    let compact = size.width < 100 || size.height < 28;
    // A lesson: its pane across the top of the panes, as tall as it needs within a
    // share; the whole of them when it has the keyboard on a small screen.
    let mut lesson = None;
    if wants.lesson_height > 0 && !(compact && focus == Focus::Lesson) {
        // With the keyboard it may take more: all of a long hint shows.
        let most = share(
            main.height,
            if focus == Focus::Lesson {
                LESSON_MOST_FOCUSED
            } else {
                LESSON_MOST
            },
        );
        let height = wants.lesson_height.clamp(LESSON_LEAST.min(most), most);
        lesson = Some(Rect { height, ..main });
        main.y += height;
        main.height -= height;
    }
    if compact {
        let mut a = Areas {
            strip,
            about,
            status,
            compact,
            lesson,
            ..Default::default()
        };
        match focus {
            Focus::Policies => a.policies = Some(main),
            Focus::Request => a.request = Some(main),
            Focus::Trace => a.trace = Some(main),
            Focus::Lesson if wants.lesson_height > 0 => a.lesson = Some(main),
            Focus::Lesson => a.policies = Some(main),
        }
        return a;
    }
    let policies_width = if wants.policies_width == 0 {
        share(main.width, POLICIES_SHARE)
    } else {
        let (least, most, columns) = POLICIES_RANGE;
        let most = share(main.width, most);
        let least = share(main.width, least).max(columns).min(most);
        wants.policies_width.clamp(least, most)
    };
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Length(policies_width), Constraint::Min(1)])
        .split(main);
    let request_height = if wants.request_height == 0 {
        share(cols[1].height, REQUEST_SHARE)
    } else {
        let most = share(cols[1].height, REQUEST_MOST);
        wants.request_height.clamp(REQUEST_LEAST.min(most), most)
    };
    let right = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(request_height), Constraint::Min(1)])
        .split(cols[1]);
    Areas {
        strip,
        about,
        policies: Some(cols[0]),
        request: Some(right[0]),
        trace: Some(right[1]),
        lesson,
        status,
        too_small: false,
        compact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_are_sized_from_what_they_hold_within_their_shares() {
        let screen = Rect::new(0, 0, 120, 35);
        let fixed = layout(screen, Focus::Policies);
        assert_eq!(fixed.policies.unwrap().width, 57, "48% of 120");
        let fit = |policies_width, request_height| {
            layout_fitted(
                screen,
                Focus::Policies,
                Wants {
                    policies_width,
                    request_height,
                    lesson_height: 0,
                },
            )
        };
        // A narrow policy: the least (40 columns here, 30% being 36).
        let a = fit(20, 10);
        assert_eq!(a.policies.unwrap().width, 40);
        assert_eq!(a.request.unwrap().x, 40);
        assert_eq!(a.request.unwrap().width, 80);
        assert_eq!(a.request.unwrap().height, 10);
        assert_eq!(a.trace.unwrap().height, 32 - 10);
        // Wide lines: as wide as asked, up to 55%.
        assert_eq!(fit(60, 10).policies.unwrap().width, 60);
        assert_eq!(fit(500, 10).policies.unwrap().width, 66);
        // Many request rows: half the column at most; few, seven rows at least.
        assert_eq!(fit(60, 100).request.unwrap().height, 16);
        assert_eq!(fit(60, 3).request.unwrap().height, 7);
        // The compact layout is one pane, whatever is asked.
        let small = layout_fitted(
            Rect::new(0, 0, 80, 24),
            Focus::Request,
            Wants {
                policies_width: 60,
                request_height: 10,
                lesson_height: 0,
            },
        );
        assert!(small.compact);
        assert_eq!(small.request.unwrap().width, 80);
    }

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
