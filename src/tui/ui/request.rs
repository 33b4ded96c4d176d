//! The request pane: principal, action, resource, resource account and the context
//! keys, each with a hint of its type and whether the value parses for it; the call a
//! request was made on behalf of; the request's notes.

use super::super::action::Action;
use super::super::form::{FIELDS, RequestForm, RowHint};
use super::super::form_complete::ActionCheck;
use super::super::keymap::{Scope, key_label};
use super::{cut, pane_block, safe};
use crate::scenario::RequestSpec;
use crate::tui::trail::fmt_count;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// What the request pane shows besides the form: the request of the scenario it
/// edits, from the [`App`](super::super::app::App).
pub struct Shown<'a> {
    /// The pane has the keyboard.
    pub focused: bool,
    /// The request shown (none: the form will add the scenario's first).
    pub spec: Option<&'a RequestSpec>,
    /// Its index among the scenario's requests.
    pub index: usize,
    /// How many requests the scenario has.
    pub count: usize,
    /// For a trail: the record shown (1-based; 0 when none is) and how many records
    /// it has so far.
    pub record: Option<(u64, u64)>,
    /// Whether its expected decision holds (`None` when it has none or is not
    /// evaluated).
    pub holds: Option<bool>,
    /// Its decision is still to be predicted in a lesson: its expectation is not
    /// shown either.
    pub hidden: bool,
}

impl RequestForm {
    /// Rows the pane needs to show the form whole for `spec`: the line of the call it
    /// was made for, the notes, every row and the hint under them, and the borders.
    pub fn wanted_height(&self, spec: Option<&RequestSpec>) -> u16 {
        let via = spec.is_some_and(|s| s.via.is_some());
        let notes = spec.map_or(0, |s| s.notes.len());
        (usize::from(via) + notes + self.rows.len() + 1 + 2).min(usize::from(u16::MAX)) as u16
    }

    /// Draws the form.
    pub fn render(&self, shown: &Shown, area: Rect, buf: &mut Buffer) {
        draw(self, shown, area, buf)
    }
}

fn draw(form: &RequestForm, shown: &Shown, area: Rect, buf: &mut Buffer) {
    let focused = shown.focused;
    let n = shown.count;
    let spec = shown.spec;
    // "(expected Allow: ✘ FAIL)" before the name, so a cut title still shows it.
    let expected = match (
        spec.and_then(|s| s.expect).filter(|_| !shown.hidden),
        shown.holds,
    ) {
        (Some(want), Some(true)) => format!(" (expected {}: ✔ holds)", want.label()),
        (Some(want), Some(false)) => format!(" (expected {}: ✘ FAIL)", want.label()),
        (Some(want), None) => format!(" (expected {})", want.label()),
        (None, _) => String::new(),
    };
    let title = match (spec, shown.record) {
        (Some(s), Some((r, total))) => format!(
            " Record {} of {}{expected}: {} ",
            fmt_count(r),
            fmt_count(total),
            s.label(shown.index)
        ),
        (None, Some(_)) => " No request here (these records are not requests) ".to_string(),
        (Some(s), None) => format!(
            " Request {}/{n}{expected}: {} ",
            shown.index + 1,
            s.label(shown.index)
        ),
        (None, None) => " Request (new) ".to_string(),
    };
    let mut lines: Vec<Line> = Vec::new();
    if let Some(via) = spec.and_then(|s| s.via.as_ref()) {
        let called_via = form
            .to_request()
            .context
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("aws:CalledVia"))
            .map(|(_, v)| match v {
                crate::eval::ContextValue::One(s) => s.text.clone(),
                crate::eval::ContextValue::Many(v) => v
                    .iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        let by = called_via.map(|c| format!(" by {c}")).unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!("↳ made{} on behalf of: {}", safe(&by), safe(via)),
            Style::default().fg(Color::Magenta),
        )));
    }
    // Where the request came from and what could not be known (CloudTrail, account
    // authorization details), above the fields they qualify.
    let notes = spec.map_or(&[][..], |s| &s.notes[..]);
    for note in notes {
        lines.push(Line::from(Span::styled(
            format!("ⓘ {}", safe(note)),
            Style::default().fg(Color::Yellow),
        )));
    }
    // Labels as wide as the longest (at least 18, at most a third of the pane).
    let inner_width = usize::from(area.width.saturating_sub(2));
    let label_of = |i: usize, row: &str| -> String {
        if i < FIELDS.len() {
            FIELDS[i].to_string()
        } else {
            match row.split_once('=') {
                Some((k, _)) => safe(k.trim()),
                None => "(new key)".to_string(),
            }
        }
    };
    let label_width = form
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| label_of(i, r).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(18, (inner_width / 3).max(18));
    // What is left for a value after the selection mark and the label.
    let value_room = inner_width.saturating_sub(2 + label_width + 1);
    for (i, row) in form.rows.iter().enumerate() {
        let selected = i == form.selected;
        let label = label_of(i, row);
        let value = if i < FIELDS.len() {
            safe(row)
        } else {
            match row.split_once('=') {
                Some((_, v)) => safe(v.trim()),
                None => safe(row),
            }
        };
        let hint = if form.is_overridden(i) {
            Span::styled(
                "  replaced by a later row with this key",
                Style::default().fg(Color::Yellow),
            )
        } else {
            match form.hint(i) {
                RowHint::Field(_) => Span::raw(""),
                RowHint::Action(check) => match check.warning() {
                    Some(w) => Span::styled(
                        format!("  ▲ {}", safe(&w)),
                        Style::default().fg(Color::Yellow),
                    ),
                    None => match check {
                        ActionCheck::Empty if focused => Span::styled(
                            format!(
                                "  service:Action ({} completes)",
                                key_label(Action::Complete, Scope::Request)
                            ),
                            Style::default().fg(Color::DarkGray),
                        ),
                        _ => Span::raw(""),
                    },
                },
                RowHint::Incomplete => {
                    Span::styled("  write key = value", Style::default().fg(Color::DarkGray))
                }
                RowHint::UnknownKey => {
                    Span::styled("  (not a global key)", Style::default().fg(Color::DarkGray))
                }
                RowHint::Global {
                    type_label,
                    multi,
                    given_multi,
                    parses,
                } => {
                    let shape = if multi { "multi" } else { "single" };
                    let mut text = format!("  {type_label}, {shape}");
                    let mut color = Color::DarkGray;
                    if !parses {
                        text.push_str(&format!(" ✘ not a valid {type_label}"));
                        color = Color::Red;
                    } else if multi != given_multi {
                        text.push_str(if multi {
                            " · AWS sends a list"
                        } else {
                            " · AWS sends one value"
                        });
                        color = Color::Yellow;
                    }
                    Span::styled(text, Style::default().fg(color))
                }
            }
        };
        let label_style = if i < FIELDS.len() {
            Style::default().fg(Color::Cyan)
        } else {
            Style::default().fg(Color::Blue)
        };
        let mut spans = vec![
            Span::styled(
                if selected { "▶ " } else { "  " },
                Style::default().fg(Color::Cyan),
            ),
            Span::styled(format!("{label:<label_width$} "), label_style),
        ];
        let mut room = value_room;
        if selected && focused {
            // The text with a block cursor. For a context row the cursor is placed in
            // the whole "key = value" text, shown after the label as the raw row. A
            // row longer than the pane scrolls sideways to keep the cursor in view.
            let shown = row.clone();
            let chars: Vec<char> = shown.chars().collect();
            let at = form.cursor.min(chars.len());
            let visible = value_room.saturating_sub(2).max(1);
            let first = (at + 1).saturating_sub(visible);
            let last = (first + visible).min(chars.len());
            let before: String = chars[first..at].iter().collect();
            let cur: String = chars.get(at).map_or(" ".to_string(), |c| c.to_string());
            let after: String = chars
                .get(at + 1..last.max(at + 1))
                .map_or(String::new(), |r| r.iter().collect());
            if i >= FIELDS.len() {
                spans.pop();
                spans.push(Span::styled(format!("{:<label_width$} ", ""), label_style));
            }
            if first > 0 {
                spans.push(Span::styled("…", Style::default().fg(Color::DarkGray)));
            }
            spans.push(Span::raw(safe(&before)));
            spans.push(Span::styled(
                safe(&cur),
                Style::default().add_modifier(Modifier::REVERSED),
            ));
            spans.push(Span::raw(safe(&after)));
            if last < chars.len() {
                spans.push(Span::styled("…", Style::default().fg(Color::DarkGray)));
            }
            room = 0;
        } else {
            let value = if value.is_empty() && i < FIELDS.len() {
                "—".to_string()
            } else {
                value
            };
            // A value longer than the pane is cut with … (the row shows it whole when
            // selected, the trace's footer when it is a trace row).
            let width = value.chars().count();
            room = room.saturating_sub(width);
            spans.push(Span::raw(cut(&value, value_room)));
        }
        if hint.width() <= room {
            spans.push(hint);
        }
        lines.push(Line::from(spans));
    }
    if focused && form.rows.len() <= FIELDS.len() {
        lines.push(Line::from(Span::styled(
            format!(
                "  {} adds a context key (key = value; [\"a\", \"b\"] for a list)",
                key_label(Action::AddContextKey, Scope::Request)
            ),
            Style::default().fg(Color::DarkGray),
        )));
    }
    // Keep the selected row visible.
    let inner_height = area.height.saturating_sub(2) as usize;
    let selected_line =
        form.selected + usize::from(spec.is_some_and(|s| s.via.is_some())) + notes.len();
    let scroll = selected_line.saturating_sub(inner_height.saturating_sub(1));
    Paragraph::new(lines)
        .block(pane_block(title, focused))
        .scroll((scroll as u16, 0))
        .render(area, buf);
}
