//! Drawing: a pure function of the [`App`] onto a buffer, one file per pane.

mod axes;
pub mod colours;
pub mod layout;
mod lesson;
pub mod lint;
mod overlay;
mod policies;
mod request;
mod status;
mod tabs;
mod trace;
mod whatif;

use super::action::Action;
use super::app::App;
use super::keymap::{Scope, key_label};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};
pub use request::Shown as RequestShown;
pub use trace::Shown as TraceShown;

use crate::trace::Decision;

/// Every (action, scope) whose key name the screens draw in text (through
/// [`key_label`]): a keymap test checks each is bound.
pub const KEYS_DRAWN: &[(Action, Scope)] = &[
    (Action::Quit, Scope::Global),
    (Action::ToggleHelp, Scope::Global),
    (Action::GridAxes, Scope::Global),
    (Action::LoadCell, Scope::Grid),
    (Action::AddContextKey, Scope::Request),
    (Action::Up, Scope::Completion),
    (Action::Down, Scope::Completion),
    (Action::Confirm, Scope::Completion),
    (Action::Cancel, Scope::Completion),
    (Action::Up, Scope::List),
    (Action::Down, Scope::List),
    (Action::Confirm, Scope::List),
    (Action::Cancel, Scope::List),
    (Action::Confirm, Scope::Prompt),
    (Action::Cancel, Scope::Prompt),
    (Action::Up, Scope::Axes),
    (Action::Down, Scope::Axes),
    (Action::Tick, Scope::Axes),
    (Action::Confirm, Scope::Axes),
    (Action::FocusNext, Scope::Axes),
    (Action::Cancel, Scope::Axes),
    (Action::Yes, Scope::Question),
    (Action::No, Scope::Question),
    (Action::Cancel, Scope::Question),
    (Action::Cancel, Scope::Help),
    (Action::Complete, Scope::Policies),
    (Action::PasteCopied, Scope::Policies),
];

/// The symbol of a decision, so it reads without colour: Allow ✔, Explicit deny ✘,
/// Implicit deny ○ (nothing allowed it).
pub fn decision_symbol(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "✔",
        Decision::ExplicitDeny => "✘",
        Decision::ImplicitDeny => "○",
    }
}

/// The colour of a decision: Allow green, Explicit deny red, Implicit deny yellow.
pub fn decision_color(d: Decision) -> Color {
    match d {
        Decision::Allow => Color::Green,
        Decision::ExplicitDeny => Color::Red,
        Decision::ImplicitDeny => Color::Yellow,
    }
}

/// Untrusted text (a name, a value, a file name, a message) as drawn: every control
/// character, escape sequence and bidi override shown as a visible escape
/// ([`crate::safe_text::for_terminal`]). Every pane passes such text through this.
pub fn safe(text: &str) -> String {
    crate::safe_text::for_terminal(text).into_owned()
}

/// The last line of defence, run on every frame after all panes have drawn: a cell
/// whose symbol still holds a character a terminal would act on (a pane that forgot
/// [`safe`], or text a widget drew itself, such as the editor's) loses that character;
/// a cell left empty shows `�`. Zero-width characters were appended to the cell
/// before them, so removing them keeps every column where ratatui put it.
pub fn scrub(area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            if cell.symbol().chars().any(crate::safe_text::is_unsafe) {
                let kept: String = cell
                    .symbol()
                    .chars()
                    .filter(|c| !crate::safe_text::is_unsafe(*c))
                    .collect();
                cell.set_symbol(if kept.is_empty() { "\u{fffd}" } else { &kept });
            }
        }
    }
}

/// `s` cut to `width` characters, the last one `…` when cut.
pub(super) fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// A bordered block; when focused its border is bold and its title reversed, so the
/// focus shows without colour too. The title is shown [`safe`].
pub fn pane_block(title: String, focused: bool) -> ratatui::widgets::Block<'static> {
    let (border, title_style) = if focused {
        let bold = Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD);
        (bold, bold.add_modifier(Modifier::REVERSED))
    } else {
        (Style::default().fg(Color::Gray), Style::default())
    };
    ratatui::widgets::Block::bordered()
        .title(safe(&title))
        .title_style(title_style)
        .border_style(border)
}

impl App {
    /// Where each pane goes on a screen of `size`, sized from what the panes hold now:
    /// drawing and the mouse both use it.
    pub fn areas(&self, size: Rect) -> layout::Areas {
        // The longest line and the title whole; no policy: the least room (a line says
        // there is none).
        let current = self.policies.current;
        let policies_width = self.policies.editors.get(current).map_or(1, |e| {
            let title = policies::title_width(self, current).min(usize::from(u16::MAX)) as u16;
            e.wanted_width().max(title).saturating_add(2)
        });
        let wants = layout::Wants {
            policies_width,
            request_height: self
                .form
                .wanted_height(self.scenario.requests.get(self.request)),
            lesson_height: lesson::wanted_height(self, size.width),
        };
        layout::layout_fitted(size, self.focus, wants)
    }
}

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = self.areas(area);
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
                Line::from(format!(
                    "Make the window larger, or press {} to quit.",
                    key_label(Action::Quit, Scope::Global)
                )),
            ])
            .wrap(Wrap { trim: true })
            .render(area, buf);
            return;
        }
        status::strip(self, a.strip, buf);
        status::about(self, a.about, buf);
        if let Some(r) = a.lesson {
            lesson::render(self, r, buf);
        }
        if let Some(r) = a.policies {
            policies::render(self, r, buf);
        }
        if let Some(r) = a.request {
            let shown = request::Shown {
                focused: self.focus == super::app::Focus::Request,
                spec: self.scenario.requests.get(self.request),
                index: self.request,
                count: self.scenario.requests.len(),
                holds: status::expectation(self, self.request),
                hidden: self.decision_hidden(self.request),
                record: self.trail.as_ref().map(|t| {
                    let r = t.record_of(self.request).map_or(0, |r| r + 1);
                    (r, t.trail.len())
                }),
            };
            self.form.render(&shown, r, buf);
            if self.request_flash > 0 {
                whatif::flash(r, buf);
            }
        }
        if let Some(r) = a.trace {
            let focused = self.focus == super::app::Focus::Trace;
            match self.view {
                // A decision still to predict in a lesson: no view gives it away.
                _ if self.decision_hidden(self.request) => trace::hidden(focused, r, buf),
                super::app::View::Trace => {
                    let rows = self.tree_rows();
                    let shown = TraceShown {
                        focused,
                        result: self.current_result(),
                        rows: &rows,
                        stale: self.stale,
                        no_request: self.scenario.requests.is_empty(),
                    };
                    self.trace.render(&shown, r, buf)
                }
                super::app::View::Grid => self.grid.render(focused, self.stale, r, buf),
                super::app::View::Changes => self.changes.render(focused, &self.grid.axes, r, buf),
                super::app::View::Lint => self.lint.render(
                    focused,
                    &|i, span| {
                        let (line, column) = self.file_position(i, span);
                        format!("{} {line}:{column}", safe(&self.policy_name(i)))
                    },
                    r,
                    buf,
                ),
            }
        }
        status::bar(self, a.compact, a.status, buf);
        overlay::render(self, area, buf);
        scrub(area, buf);
    }
}
