//! What the terminal shows of colour, and the pass that fits every frame to it.
//!
//! The panes draw with the 16 named colours and, beside every colour that carries
//! meaning, a modifier or a symbol (the focused pane's title reversed, the selection
//! reversed, decisions as words and ✔ ✘ ○). [`Screen`] draws the [`App`] and then
//! [`adapt`]s the frame: under `NO_COLOR` every colour is removed and a coloured
//! background (a badge, a highlighted statement) becomes reverse video; on a 16- or
//! 256-colour terminal an RGB colour becomes the nearest one the terminal has.
//!
//! Removing the colours from the frame, rather than leaving them to crossterm, is
//! also what keeps the modifiers on screen: crossterm honours `NO_COLOR` by writing
//! an empty colour sequence (`ESC [ ; m`), which a terminal reads as "reset every
//! attribute", so the reverse video and bold set just before it were lost.

use super::super::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::widgets::Widget;

/// How much colour the terminal shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colours {
    /// None: `NO_COLOR` is set (see <https://no-color.org>).
    None,
    /// The 16 named colours (`TERM=linux`, `xterm`, `screen`, …).
    Basic,
    /// The 256-colour palette (`TERM=…-256color`).
    Indexed,
    /// 24-bit colour (`COLORTERM=truecolor` or `24bit`, or a `TERM` ending in `direct`).
    TrueColor,
}

impl Colours {
    /// What the environment says: `NO_COLOR` (non-empty) first, then `COLORTERM`,
    /// then `TERM`.
    pub fn from_env() -> Colours {
        let var = |name| std::env::var(name).ok();
        // Present and not empty, whatever its bytes (no-color.org).
        let no_color = std::env::var_os("NO_COLOR").map(|v| if v.is_empty() { "" } else { "1" });
        Colours::detect(
            no_color,
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }

    /// What these variables' values say (`None`: unset). An empty `NO_COLOR` counts
    /// as unset, as the convention (and crossterm) has it.
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Colours {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Colours::None;
        }
        let colorterm = colorterm.unwrap_or("").to_ascii_lowercase();
        let term = term.unwrap_or("").to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" || term.ends_with("direct") {
            Colours::TrueColor
        } else if term.contains("256color") {
            Colours::Indexed
        } else {
            Colours::Basic
        }
    }
}

/// The app as drawn on a terminal with `colours`: the frame the panes draw, fitted by
/// [`adapt`].
pub struct Screen<'a> {
    /// The app drawn.
    pub app: &'a App,
    /// What the terminal shows of colour.
    pub colours: Colours,
}

impl Widget for Screen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        self.app.render(area, buf);
        adapt(self.colours, area, buf);
    }
}

/// Fits the colours of `area` to the terminal: removes them under [`Colours::None`]
/// (a cell that had a background colour toggles reverse video instead, so a badge
/// stays a badge and a reversed cursor inside a highlight still shows), and turns
/// RGB or palette colours into ones a [`Colours::Basic`] or [`Colours::Indexed`]
/// terminal has.
pub fn adapt(colours: Colours, area: Rect, buf: &mut Buffer) {
    if colours == Colours::TrueColor {
        return;
    }
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            match colours {
                Colours::None => {
                    if cell.bg != Color::Reset {
                        cell.modifier.toggle(Modifier::REVERSED);
                    }
                    cell.fg = Color::Reset;
                    cell.bg = Color::Reset;
                }
                Colours::Basic => {
                    cell.fg = to_basic(cell.fg, false);
                    cell.bg = to_basic(cell.bg, true);
                }
                Colours::Indexed => {
                    cell.fg = to_indexed(cell.fg);
                    cell.bg = to_indexed(cell.bg);
                }
                Colours::TrueColor => {}
            }
        }
    }
}

/// The 16 named colours with xterm's default values, in palette order.
const BASIC: [(Color, (u8, u8, u8)); 16] = [
    (Color::Black, (0, 0, 0)),
    (Color::Red, (205, 0, 0)),
    (Color::Green, (0, 205, 0)),
    (Color::Yellow, (205, 205, 0)),
    (Color::Blue, (0, 0, 238)),
    (Color::Magenta, (205, 0, 205)),
    (Color::Cyan, (0, 205, 205)),
    (Color::Gray, (229, 229, 229)),
    (Color::DarkGray, (127, 127, 127)),
    (Color::LightRed, (255, 0, 0)),
    (Color::LightGreen, (0, 255, 0)),
    (Color::LightYellow, (255, 255, 0)),
    (Color::LightBlue, (92, 92, 255)),
    (Color::LightMagenta, (255, 0, 255)),
    (Color::LightCyan, (0, 255, 255)),
    (Color::White, (255, 255, 255)),
];

/// The 256-colour palette's RGB value of index `i`.
fn indexed_rgb(i: u8) -> (u8, u8, u8) {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match i {
        0..=15 => BASIC[i as usize].1,
        16..=231 => {
            let i = i - 16;
            (
                LEVELS[(i / 36) as usize],
                LEVELS[(i / 6 % 6) as usize],
                LEVELS[(i % 6) as usize],
            )
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

fn distance(a: (u8, u8, u8), b: (u8, u8, u8)) -> u32 {
    let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).unsigned_abs().pow(2);
    d(a.0, b.0) + d(a.1, b.1) + d(a.2, b.2)
}

/// The named colour nearest to `c`. A background never becomes black, the usual
/// terminal background, where a dark highlight would vanish.
fn to_basic(c: Color, background: bool) -> Color {
    let rgb = match c {
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) if i < 16 => return BASIC[i as usize].0,
        Color::Indexed(i) => indexed_rgb(i),
        named => return named,
    };
    BASIC
        .iter()
        .filter(|(name, _)| !(background && *name == Color::Black))
        .min_by_key(|(_, v)| distance(*v, rgb))
        .map_or(c, |(name, _)| *name)
}

/// The 256-colour palette entry nearest to an RGB `c` (other colours unchanged).
fn to_indexed(c: Color) -> Color {
    let Color::Rgb(r, g, b) = c else {
        return c;
    };
    (16..=255u8)
        .min_by_key(|&i| distance(indexed_rgb(i), (r, g, b)))
        .map_or(c, Color::Indexed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_over_everything_and_empty_counts_as_unset() {
        let d = Colours::detect;
        assert_eq!(
            d(Some("1"), Some("truecolor"), Some("xterm-256color")),
            Colours::None
        );
        assert_eq!(d(Some(""), Some("truecolor"), None), Colours::TrueColor);
        assert_eq!(d(None, Some("24bit"), Some("linux")), Colours::TrueColor);
        assert_eq!(d(None, None, Some("xterm-direct")), Colours::TrueColor);
        assert_eq!(d(None, None, Some("tmux-256color")), Colours::Indexed);
        assert_eq!(d(None, None, Some("linux")), Colours::Basic);
        assert_eq!(d(None, None, None), Colours::Basic);
    }

    #[test]
    fn rgb_becomes_the_nearest_colour_the_terminal_has() {
        // The editor's dark-blue highlight: not black on a 16-colour terminal.
        assert_eq!(to_basic(Color::Rgb(40, 40, 70), true), Color::DarkGray);
        assert_eq!(to_basic(Color::Rgb(40, 40, 70), false), Color::Black);
        assert_eq!(to_basic(Color::Rgb(250, 10, 10), false), Color::LightRed);
        assert_eq!(to_basic(Color::Indexed(2), false), Color::Green);
        assert_eq!(to_basic(Color::Cyan, true), Color::Cyan);
        // 95,95,135 is cube entry 16 + 36*1 + 6*1 + 2.
        assert_eq!(to_indexed(Color::Rgb(95, 95, 135)), Color::Indexed(60));
        assert_eq!(to_indexed(Color::Rgb(128, 128, 128)), Color::Indexed(244));
        assert_eq!(to_indexed(Color::Red), Color::Red);
    }

    #[test]
    fn without_colour_a_background_becomes_reverse_video() {
        let area = Rect::new(0, 0, 3, 1);
        let mut buf = Buffer::empty(area);
        buf[(0, 0)].set_bg(Color::Green).set_fg(Color::Black);
        buf[(1, 0)]
            .set_bg(Color::Rgb(40, 40, 70))
            .modifier
            .insert(Modifier::REVERSED);
        buf[(2, 0)]
            .set_fg(Color::Red)
            .modifier
            .insert(Modifier::BOLD);
        adapt(Colours::None, area, &mut buf);
        let cells: Vec<_> = (0..3).map(|x| buf[(x, 0)].clone()).collect();
        assert!(
            cells
                .iter()
                .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
        );
        assert_eq!(cells[0].modifier, Modifier::REVERSED);
        // A reversed cell on a background (the cursor in a highlight) stands out the
        // other way.
        assert_eq!(cells[1].modifier, Modifier::empty());
        assert_eq!(cells[2].modifier, Modifier::BOLD);
    }
}
