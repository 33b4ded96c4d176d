//! The what-if views of the bottom-right pane: the decision grid around the request
//! shown, and the changes against the policies as loaded or last saved.

use super::super::action::Action;
use super::super::keymap::{Scope, key_label};
use super::super::pane::{ChangesView, GridView};
use super::{decision_color, pane_block, safe};
use crate::analysis::grid::Axis;
use crate::trace::Decision;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

fn short(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "Allow",
        Decision::ExplicitDeny => "Explicit deny",
        Decision::ImplicitDeny => "Implicit deny",
    }
}

/// A value as shown (escaped: it comes from the scenario or the user).
fn shown(v: &Option<String>) -> String {
    v.as_deref().map_or_else(|| "(absent)".into(), safe)
}

/// The values as headings of `width` columns: a value that does not fit shows the
/// part where the values differ, from the segment (after `/`, `:`, `.`) it starts in,
/// behind an ellipsis, rather than the prefix they all share (`…:role/admin`, not
/// `arn:aws:iam::111…` three times). `(absent)` is left out of the shared prefix.
pub fn abbreviate(values: &[String], width: usize) -> Vec<String> {
    let present: Vec<Vec<char>> = values
        .iter()
        .filter(|v| v.as_str() != "(absent)")
        .map(|v| v.chars().collect())
        .collect();
    let shared = match present.split_first() {
        Some((first, rest)) if !rest.is_empty() => rest.iter().fold(first.len(), |n, v| {
            first
                .iter()
                .zip(v)
                .take(n)
                .take_while(|(a, b)| a == b)
                .count()
        }),
        _ => 0,
    };
    values
        .iter()
        .map(|v| {
            let chars: Vec<char> = v.chars().collect();
            if chars.len() <= width || v == "(absent)" || shared == 0 || width < 4 {
                return cut(v, width);
            }
            // Back to the start of the segment the difference is in.
            let from = chars[..shared.min(chars.len())]
                .iter()
                .rposition(|c| matches!(c, '/' | ':' | '.'))
                .map_or(0, |i| i + 1);
            if from == 0 {
                return cut(v, width);
            }
            let tail: String = chars[from..].iter().collect();
            cut(&format!("…{tail}"), width)
        })
        .collect()
}

/// Marks `area`'s border as a flash (reversed, bold, yellow): a grid cell was just
/// loaded into the request drawn there.
pub fn flash(area: Rect, buf: &mut Buffer) {
    let style = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let area = area.intersection(buf.area);
    for x in area.left()..area.right() {
        buf[(x, area.top())].set_style(style);
        buf[(x, area.bottom().saturating_sub(1))].set_style(style);
    }
    for y in area.top()..area.bottom() {
        buf[(area.left(), y)].set_style(style);
        buf[(area.right().saturating_sub(1), y)].set_style(style);
    }
}

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        format!("{s:<width$}")
    } else {
        s.chars().take(width.saturating_sub(1)).collect::<String>() + "…"
    }
}

impl GridView {
    /// Draws the grid (`focused`: the pane has the keyboard; `stale`: the policy
    /// text has errors, the cells are of the last valid policies).
    pub fn render(&self, focused: bool, stale: bool, area: Rect, buf: &mut Buffer) {
        grid(self, focused, stale, area, buf)
    }
}

impl ChangesView {
    /// Draws the changes (`axes`: the grid's, to name the cells).
    pub fn render(&self, focused: bool, axes: &[Axis], area: Rect, buf: &mut Buffer) {
        changes(self, focused, axes, area, buf)
    }
}

fn grid(view: &GridView, focused: bool, stale: bool, area: Rect, buf: &mut Buffer) {
    let block = pane_block(
        format!(
            " What-if grid · {} axes · {} loads a cell ",
            key_label(Action::GridAxes, Scope::Global),
            key_label(Action::LoadCell, Scope::Grid)
        ),
        focused,
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let mut lines: Vec<Line> = Vec::new();
    if stale {
        lines.push(Line::from(Span::styled(
            " STALE  the policy text has errors: the grid shows the last valid policies",
            Style::default().fg(Color::DarkGray),
        )));
    }
    let Some(first) = view.axes.first() else {
        lines.push(Line::from(format!(
            "No axes: press {} to choose one or two inputs to vary.",
            key_label(Action::GridAxes, Scope::Global)
        )));
        Paragraph::new(lines).render(inner, buf);
        return;
    };
    let second = view.axes.get(1);
    let cols = second.map_or(1, |a| a.values.len());
    let row_w = first
        .values
        .iter()
        .map(|v| shown(v).chars().count())
        .chain([safe(first.input.name()).chars().count() + 2])
        .max()
        .unwrap_or(10)
        .min(inner.width as usize / 3);
    let cell_w = ((inner.width as usize).saturating_sub(row_w + 1) / cols.max(1)).clamp(6, 16);
    let col_title = second.map_or("decision".to_string(), |a| {
        format!("{} →", safe(a.input.name()))
    });
    lines.push(Line::from(vec![
        Span::styled(
            cut(&format!("{} ↓", safe(first.input.name())), row_w),
            Style::default().fg(Color::Cyan),
        ),
        Span::raw(" "),
        Span::styled(col_title, Style::default().fg(Color::Cyan)),
    ]));
    let mut head = vec![Span::raw(" ".repeat(row_w + 1))];
    if let Some(s) = second {
        let shown: Vec<String> = s.values.iter().map(shown).collect();
        for h in abbreviate(&shown, cell_w.saturating_sub(1)) {
            head.push(Span::styled(
                format!("{h} "),
                Style::default().fg(Color::Gray),
            ));
        }
    }
    lines.push(Line::from(head));
    let row_names: Vec<String> = first.values.iter().map(shown).collect();
    let row_names = abbreviate(&row_names, row_w);
    for (ri, name) in row_names.into_iter().enumerate() {
        let mut spans = vec![Span::raw(name), Span::raw(" ")];
        for ci in 0..cols {
            let Some(cell) = view.cells.get(ri * cols + ci) else {
                continue;
            };
            let mut style = Style::default().fg(decision_color(cell.decision));
            if focused && view.cursor == (ri, ci) {
                style = style.add_modifier(Modifier::REVERSED | Modifier::BOLD);
            }
            spans.push(Span::styled(cut(short(cell.decision), cell_w), style));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Each cell is the request shown with those values; it follows every edit.",
        Style::default().fg(Color::DarkGray),
    )));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

/// Draws the changes against the policies as loaded (or last saved).
fn changes(view: &ChangesView, focused: bool, axes: &[Axis], area: Rect, buf: &mut Buffer) {
    let block = pane_block(" Changes since loaded / saved ".into(), focused);
    let inner = block.inner(area);
    block.render(area, buf);
    let mut lines = vec![Line::from(Span::styled(
        "Decisions that differ between the policies as loaded (or last saved) and now:",
        Style::default().fg(Color::DarkGray),
    ))];
    let arrow = |before: Decision, after: Decision| {
        vec![
            Span::styled(short(before), Style::default().fg(decision_color(before))),
            Span::raw(" → "),
            Span::styled(
                short(after),
                Style::default()
                    .fg(decision_color(after))
                    .add_modifier(Modifier::BOLD),
            ),
        ]
    };
    if let Some(p) = &view.progress {
        lines.push(Line::styled(
            format!("  {p}"),
            Style::default().fg(Color::DarkGray),
        ));
    }
    if view.requests.is_empty() && view.cells.is_empty() && view.progress.is_none() {
        lines.push(Line::from(
            "  none: every request and every grid cell decides as before",
        ));
    }
    for c in &view.requests {
        let mut spans = vec![Span::raw(format!("  request {}: ", safe(&c.request)))];
        spans.extend(arrow(c.before, c.after));
        if !c.unresolved.is_empty() {
            spans.push(Span::styled(
                format!(
                    " ? depends on unresolved values: {}",
                    safe(&c.unresolved.join(", "))
                ),
                Style::default().fg(Color::Yellow),
            ));
        }
        lines.push(Line::from(spans));
    }
    for c in &view.cells {
        let mut spans = vec![Span::raw(format!(
            "  grid {}: ",
            safe(&c.values_text(axes))
        ))];
        spans.extend(arrow(c.before, c.after));
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::abbreviate;

    fn owned(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn long_headings_show_where_they_differ() {
        let arns = owned(&[
            "arn:aws:iam::111122223333:role/admin",
            "arn:aws:iam::111122223333:role/deployer",
            "(absent)",
        ]);
        assert_eq!(
            abbreviate(&arns, 12),
            ["…admin      ", "…deployer   ", "(absent)    "]
        );
        // A tail still too long is cut at its end.
        assert_eq!(abbreviate(&arns, 6)[1], "…depl…");
        // Values that fit are left alone, padded.
        let ips = owned(&["203.0.113.5", "203.0.113.77"]);
        assert_eq!(abbreviate(&ips, 12), ["203.0.113.5 ", "203.0.113.77"]);
        // Too long: the differing segment of the address.
        assert_eq!(abbreviate(&ips, 5), ["…5   ", "…77  "]);
        // Nothing shared (or one value): cut at the end as before.
        let other = owned(&["s3:GetObject", "kms:Decrypt"]);
        assert_eq!(abbreviate(&other, 6), ["s3:Ge…", "kms:D…"]);
        assert_eq!(abbreviate(&owned(&["abcdefgh"]), 4), ["abc…"]);
    }
}
