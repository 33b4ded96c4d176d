//! The request strip (each request with its decision) and the status bar (a message,
//! the current error, or the key hints of the focused pane from the keymap).

use super::super::app::{App, Focus};
use super::super::keymap::{Scope, bindings, pane_scope};
use super::super::trail::fmt_count;
use super::{decision_color, decision_symbol, safe};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// The narrowest a request's label gets before the strip names only the request shown.
const MIN_LABEL: usize = 14;

/// Draws the strip of requests: every request, each with an equal share of the width,
/// when that leaves each a readable label; otherwise the request shown with its label
/// and the others around it by number and decision only, as many as fit, with ‹ and ›
/// where more are. A trail's requests are numbered by record, after how much of it is
/// indexed.
pub fn strip(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![Span::styled(
        " iamtrace ",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    let trail = app.trail.as_ref();
    if let Some(t) = trail {
        let p = t.progress();
        let text = if p.done {
            format!("{} records ", fmt_count(p.records))
        } else {
            format!(
                "indexing {}% · {} records ",
                p.percent(),
                fmt_count(p.records)
            )
        };
        spans.push(Span::styled(text, Style::default().fg(Color::DarkGray)));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let width = (area.width as usize).saturating_sub(used);
    let requests = &app.scenario.requests;
    let n = requests.len();
    let number = |i: usize| match trail.and_then(|t| t.record_of(i)) {
        Some(r) => r + 1,
        None => i as u64 + 1,
    };
    // Request `i`'s tab, its label cut to `max` characters (0: number and decision
    // only).
    let item = |i: usize, max: usize| -> Vec<Span<'static>> {
        let r = &requests[i];
        let (sym, color) = match app.results.get(i).map(|r| r.decision) {
            Some(d) => (decision_symbol(d), decision_color(d)),
            None => ("?", Color::DarkGray),
        };
        let mut label = if max == 0 {
            format!("{} {sym}", number(i))
        } else {
            format!("{} {sym} {}", number(i), safe(&r.label(i)))
        };
        if max > 0 && label.chars().count() > max {
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
        let lead = if r.via.is_some() {
            Span::styled("↳", Style::default().fg(Color::Magenta))
        } else {
            Span::raw(" ")
        };
        vec![lead, Span::styled(label, style)]
    };
    // Give each request an equal share of the width when that is enough.
    let share = (area.width as usize).saturating_sub(10) / n.max(1);
    let more_before = trail.is_some_and(|t| t.window.start > 0);
    let more_after = trail.is_some_and(|t| t.window.end < t.trail.len());
    if trail.is_none() && share.saturating_sub(2) >= MIN_LABEL {
        for i in 0..n {
            spans.extend(item(i, share.saturating_sub(2).max(4)));
        }
    } else if n > 0 {
        // The request shown named; those around it by number, as many as fit.
        let shown = app.request.min(n - 1);
        let room = width.saturating_sub(4);
        let width_of = |i: usize, max: usize| -> usize {
            item(i, max).iter().map(|s| s.width()).sum::<usize>() + 1
        };
        // Every request's decision in sight when the rest leaves the name room.
        let compact: usize = (0..n).filter(|&i| i != shown).map(|i| width_of(i, 0)).sum();
        let named = match room.saturating_sub(compact) {
            left if left >= 16 + 4 => (left - 4).min(48),
            _ => (room / 2).clamp(16, 48),
        };
        let max = |i: usize| if i == shown { named } else { 0 };
        let cost = |i: usize| width_of(i, max(i));
        let (mut from, mut to) = (shown, shown + 1);
        let mut taken = cost(shown);
        loop {
            let mut grew = false;
            if to < n && taken + cost(to) <= room {
                taken += cost(to);
                to += 1;
                grew = true;
            }
            if from > 0 && taken + cost(from - 1) <= room {
                taken += cost(from - 1);
                from -= 1;
                grew = true;
            }
            if !grew {
                break;
            }
        }
        let marker = Style::default().fg(Color::DarkGray);
        if from > 0 || more_before {
            spans.push(Span::styled("‹", marker));
        }
        for i in from..to {
            spans.extend(item(i, max(i)));
            spans.push(Span::raw(" "));
        }
        if to < n || more_after {
            spans.push(Span::styled(" ›", marker));
        }
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
