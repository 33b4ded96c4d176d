//! The request strip (each request with its decision) and the status bar (a message,
//! the current error, or the key hints of the focused pane from the keymap).

use super::super::action::Action;
use super::super::app::{App, Focus};
use super::super::keymap::{Scope, bindings, key_label, pane_scope};
use super::super::trail::fmt_count;
use super::tabs::{self, Form};
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
    // How the expectations stand, when requests have them.
    let (expected, failing) = expectations(app);
    if expected > 0 {
        let (text, style) = if failing > 0 {
            (
                format!("✘ {failing} of {expected} expected FAIL "),
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            )
        } else {
            (
                format!("✔ {expected} expected hold "),
                Style::default().fg(Color::Green),
            )
        };
        spans.push(Span::styled(text, style));
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
            // Still to be predicted in a lesson.
            Some(_) if app.decision_hidden(i) => ("?", Color::Magenta),
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
        let mut tab = vec![lead, Span::styled(label, style)];
        if expectation(app, i) == Some(false) {
            tab.push(Span::styled(
                "!",
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            ));
        }
        tab
    };
    // Give each request an equal share of the width when that is enough.
    let share = width.saturating_sub(1) / n.max(1);
    let more_before = trail.is_some_and(|t| t.window.start > 0);
    let more_after = trail.is_some_and(|t| t.window.end < t.trail.len());
    if trail.is_none() && share.saturating_sub(2) >= MIN_LABEL {
        for i in 0..n {
            // The lead (↳), the label, the failing mark (!) and a space between tabs.
            spans.extend(item(i, share.saturating_sub(3).max(4)));
            spans.push(Span::raw(" "));
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
        // The shown request named, the others by number: as many as fit around it.
        let max = |i: usize| if i == shown { named } else { 0 };
        let cost = |i: usize, _form: Form| width_of(i, max(i));
        let fitted = tabs::fit(n, shown, room + 2, &cost);
        let (from, to) = match (fitted.tabs.first(), fitted.tabs.last()) {
            (Some(first), Some(last)) => (first.0, last.0 + 1),
            _ => (shown, shown + 1),
        };
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

/// Whether request `i`'s expected decision holds; `None` when it has none or is not
/// evaluated.
pub fn expectation(app: &App, i: usize) -> Option<bool> {
    let want = app.scenario.requests.get(i)?.expect?;
    if app.decision_hidden(i) {
        return None;
    }
    let r = app.results.get(i)?;
    // A decision that depends on unresolved template values cannot meet an expectation.
    let depends = r.trace.unresolved.as_ref().is_some_and(|u| u.depends);
    Some(r.decision == want && !depends)
}

/// How many requests have an expected decision, and how many of those fail.
pub fn expectations(app: &App) -> (usize, usize) {
    (0..app.scenario.requests.len())
        .filter_map(|i| expectation(app, i))
        .fold((0, 0), |(n, f), holds| (n + 1, f + usize::from(!holds)))
}

/// Draws the scenario's name and description on one line (cut, with the key that
/// shows them whole).
pub fn about(app: &App, area: Rect, buf: &mut Buffer) {
    let file = app
        .path
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let name = app
        .scenario
        .name
        .clone()
        .or(file)
        .unwrap_or_else(|| "unnamed scenario".into());
    let mut text = format!(" {}", safe(&name));
    if let Some(d) = &app.scenario.description {
        text.push_str(" — ");
        text.push_str(&safe(&d.replace(['\n', '\r'], " ")));
    }
    let width = area.width as usize;
    let more = format!(" {} more ", key_label(Action::About, Scope::Global));
    if text.chars().count() > width {
        let keep = width.saturating_sub(more.chars().count() + 1);
        text = text.chars().take(keep).collect::<String>() + "…";
        let line = Line::from(vec![
            Span::styled(text, Style::default().fg(Color::DarkGray)),
            Span::styled(more, Style::default().fg(Color::Cyan)),
        ]);
        Paragraph::new(line).render(area, buf);
    } else {
        Paragraph::new(Line::styled(text, Style::default().fg(Color::DarkGray))).render(area, buf);
    }
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
            Focus::Lesson => "lesson",
        };
        spans.push(Span::styled(
            format!("[{pane}] "),
            Style::default().fg(Color::Cyan),
        ));
    }
    // The key hints by priority, as many as fit after the message: quit and help
    // always (the message is cut for them), the fix when there is one, then the pane's
    // and the rest.
    let scope = pane_scope(app.focus, app.view);
    let has_fix = match app.learning.lesson.as_ref() {
        Some(l) if app.focus == Focus::Lesson => l.answer_shown(),
        _ if app.decision_hidden(app.request) => false,
        _ => {
            !app.stale
                && (app.fixes.as_ref().is_some_and(|f| !f.edits.is_empty())
                    || app.lint_fix_here().is_some())
        }
    };
    // Quit, help and the fix first; then the focused pane's own keys; then the rest.
    let rank = |b: &super::super::keymap::Binding| match b.action {
        Action::Quit => 0,
        Action::ToggleHelp => 1,
        Action::ApplyFix => 2,
        _ if !b.scopes.contains(&Scope::Global) => 3,
        _ => 4,
    };
    let mut hints: Vec<_> = bindings(Scope::Global)
        .chain(bindings(scope))
        .filter(|b| b.hint && (has_fix || b.action != Action::ApplyFix))
        .collect();
    hints.sort_by_key(|b| rank(b));
    // One key per action (Ctrl+C also quits in some panes).
    let mut seen = Vec::new();
    hints.retain(|b| {
        let first = !seen.contains(&b.action);
        seen.push(b.action);
        first
    });
    let hint_spans = |b: &super::super::keymap::Binding| {
        [
            Span::styled(b.key_label, Style::default().fg(Color::Cyan)),
            Span::raw(format!(" {}  ", b.description)),
        ]
    };
    let width = area.width as usize;
    let must: usize = hints
        .iter()
        .take(2)
        .flat_map(|b| hint_spans(b))
        .map(|s| s.width())
        .sum();
    // Cut what comes before the hints so that quit and help fit.
    let mut used = 0;
    let mut kept = Vec::new();
    for s in spans {
        let room = width.saturating_sub(must + used);
        if room == 0 {
            break;
        }
        if s.width() > room {
            let text: String = s.content.chars().take(room.saturating_sub(2)).collect();
            kept.push(Span::styled(format!("{text}… "), s.style));
            used += room;
            break;
        }
        used += s.width();
        kept.push(s);
    }
    for b in hints {
        let pair = hint_spans(b);
        let w: usize = pair.iter().map(|s| s.width()).sum();
        if used + w > width && rank(b) > 1 {
            // Too long here: a shorter one after it may fit.
            continue;
        }
        used += w;
        kept.extend(pair);
    }
    Paragraph::new(Line::from(kept)).render(area, buf);
}
