//! Drawing a lesson: its pane (the task, what to predict, the goals as they stand now,
//! the hints given, "done"), the reading shown when it opens (Ctrl+O again), and the
//! list of lessons. Every text from a lesson file is shown [`safe`].

use super::overlay::centered as centered_box;
use super::{decision_color, pane_block, safe};
use crate::learn::GoalOutcome;
use crate::learn::builtin::LESSONS;
use crate::learn::progress::key_for_builtin;
use crate::tui::action::Action;
use crate::tui::app::{App, Focus};
use crate::tui::keymap::{Scope, key_label};
use crate::tui::lesson::LessonState;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

fn key(action: Action, scope: Scope) -> Span<'static> {
    Span::styled(key_label(action, scope), Style::default().fg(Color::Cyan))
}

/// The pane's title: where the learner stands.
fn title(state: &LessonState) -> String {
    let (met, goals) = state.goals_met();
    let mut t = match state.number() {
        Some(n) => format!("Lesson {n}/{} · goals {met}/{goals}", LESSONS.len()),
        None => format!("Lesson · goals {met}/{goals}"),
    };
    let hints = state.lesson.hints.len();
    t.push_str(&format!(" · hints {}/{hints}", state.hints_shown));
    let total = state.lesson.predict.len();
    if total > 0 {
        let (right, answered) = state.predictions_right();
        if answered > 0 {
            t.push_str(&format!(" · predictions {right}/{answered} right"));
        }
        if answered < total {
            t.push_str(&format!(" · {} to predict", total - answered));
        }
    }
    t
}

/// What the lesson pane holds, before wrapping.
fn lines(app: &App, state: &LessonState) -> Vec<Line<'static>> {
    let focused = app.focus == Focus::Lesson;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut out = Vec::new();
    if state.done {
        out.push(Line::from(vec![
            Span::styled("✔ Done: every goal is met. ", bold.fg(Color::Green)),
            match app.next_lesson_index() {
                Some(_) => Span::raw("Next lesson: "),
                None => Span::raw("That was the last lesson. Lessons: "),
            },
            match app.next_lesson_index() {
                Some(_) => key(Action::NextLesson, Scope::Global),
                None => key(Action::LessonList, Scope::Global),
            },
        ]));
    }
    out.push(Line::from(vec![
        Span::styled("Task: ", bold),
        Span::raw(safe(&state.lesson.task)),
    ]));
    if let Some(k) = state.next_prediction() {
        let step = &state.lesson.predict[k];
        let label = crate::learn::format::request_label(&app.scenario, step.request);
        let mut spans = vec![Span::styled(
            format!(
                "Predict ({} of {}): what does AWS decide for {}? ",
                k + 1,
                state.lesson.predict.len(),
                safe(&label)
            ),
            bold.fg(Color::Magenta),
        )];
        for (action, word) in [
            (Action::PredictAllow, "Allow"),
            (Action::PredictImplicitDeny, "Implicit deny"),
            (Action::PredictExplicitDeny, "Explicit deny"),
        ] {
            spans.push(key(action, Scope::Lesson));
            spans.push(Span::raw(format!(" {word}  ")));
        }
        if !focused {
            spans.push(Span::styled(
                format!(
                    "({} to this pane to answer)",
                    key_label(Action::FocusNext, Scope::Global)
                ),
                Style::default().fg(Color::DarkGray),
            ));
        }
        out.push(Line::from(spans));
    }
    out.push(Line::styled("Goals:", bold));
    for (i, goal) in state.lesson.goals.iter().enumerate() {
        let outcome = match &state.outcomes {
            Some(Ok(o)) => o.get(i).copied(),
            _ => None,
        };
        let hidden = match &goal.kind {
            crate::learn::GoalKind::Decision { request, .. } => state.hides(*request),
            crate::learn::GoalKind::LintGone { .. } => false,
        };
        let (mark, colour) = match outcome {
            _ if hidden => ("?", Color::Magenta),
            Some(o) if o.met() => ("✔", Color::Green),
            Some(_) => ("✗", Color::Red),
            None => ("…", Color::DarkGray),
        };
        let mut style = Style::default();
        if focused && i == state.selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        // A goal about a request still to predict does not say what it wants.
        let text = match &goal.kind {
            crate::learn::GoalKind::Decision { request, .. } if hidden => format!(
                "{}: ?",
                crate::learn::format::request_label(&state.lesson.scenario, *request)
            ),
            _ => goal.describe(&state.lesson.scenario),
        };
        let mut spans = vec![
            Span::styled(format!(" {mark} "), style.fg(colour)),
            Span::styled(safe(&text), style),
        ];
        match outcome {
            _ if hidden => spans.push(Span::styled(
                " (predict it first)",
                Style::default().fg(Color::DarkGray),
            )),
            Some(o @ GoalOutcome::Decision { decision, .. }) if !o.met() => {
                spans.push(Span::raw(" — now "));
                spans.push(Span::styled(
                    decision.label(),
                    Style::default().fg(decision_color(decision)),
                ));
            }
            Some(o) if !o.met() => spans.push(Span::raw(format!(" — now {}", o.found()))),
            _ => {}
        }
        out.push(Line::from(spans));
    }
    match &state.outcomes {
        Some(Err(bad)) => out.push(Line::styled(
            format!(
                " The goals wait: {} does not parse ({})",
                safe(&bad.name),
                safe(bad.errors.first().map_or("", String::as_str))
            ),
            Style::default().fg(Color::Red),
        )),
        None => out.push(Line::styled(
            " The goals wait for the service catalog to load…",
            Style::default().fg(Color::DarkGray),
        )),
        Some(Ok(_)) => {}
    }
    let total = state.lesson.hints.len();
    // The latest hint (the earlier ones are in the reading, Ctrl+O).
    if let Some(hint) = state
        .hints_shown
        .checked_sub(1)
        .and_then(|i| state.lesson.hints.get(i))
    {
        out.extend(hint_lines(hint, state.hints_shown, total));
    }
    if state.hints_shown < total && !state.done {
        out.push(Line::from(vec![
            Span::styled("Stuck? ", Style::default().fg(Color::DarkGray)),
            key(Action::NextHint, Scope::Lesson),
            Span::styled(" here or ", Style::default().fg(Color::DarkGray)),
            key(Action::NextHint, Scope::Global),
            Span::styled(" anywhere: a hint · ", Style::default().fg(Color::DarkGray)),
            key(Action::About, Scope::Global),
            Span::styled(": the reading again", Style::default().fg(Color::DarkGray)),
        ]));
    }
    out
}

/// A hint as shown: `Hint N/TOTAL: text`, and for the answer its edit in the was/now
/// form the trace gives a suggested policy edit, with the key that applies it.
fn hint_lines(hint: &crate::learn::Hint, n: usize, total: usize) -> Vec<Line<'static>> {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut out = vec![Line::from(vec![
        Span::styled(format!("Hint {n}/{total}: "), bold.fg(Color::Yellow)),
        Span::raw(safe(&hint.text)),
    ])];
    if let Some(edit) = &hint.edit {
        let one_line = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push(Line::from(vec![
            Span::raw(format!("  in {}: ", safe(&edit.policy_name))),
            key(Action::ApplyFix, Scope::Global),
            Span::raw(" in the lesson pane applies it"),
        ]));
        out.push(Line::styled(
            format!("    was: {}", safe(&one_line(&edit.before))),
            Style::default().fg(Color::Red),
        ));
        out.push(Line::styled(
            format!("    now: {}", safe(&one_line(&edit.after))),
            Style::default().fg(Color::Green),
        ));
    }
    out
}

/// Rows the lesson pane needs at `width` columns (borders included); 0 with no lesson.
pub fn wanted_height(app: &App, width: u16) -> u16 {
    let Some(state) = app.learning.lesson.as_deref() else {
        return 0;
    };
    let inner = width.saturating_sub(2).max(1);
    let rows = Paragraph::new(lines(app, state))
        .wrap(Wrap { trim: false })
        .line_count(inner);
    u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2)
}

/// Draws the lesson pane.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(state) = app.learning.lesson.as_deref() else {
        return;
    };
    let block = pane_block(title(state), app.focus == Focus::Lesson);
    Paragraph::new(lines(app, state))
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

/// The reading: what the lesson says first, the page it follows, the task. Shown when
/// the lesson opens and on Ctrl+O; `scroll` rows down when it does not fit.
pub fn reading(state: &LessonState, area: Rect, scroll: u16, buf: &mut Buffer) {
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut text = vec![
        Line::styled(safe(&state.lesson.title), bold),
        Line::from(""),
    ];
    for para in state.lesson.read.split("\n\n") {
        text.push(Line::from(safe(&para.replace('\n', " "))));
        text.push(Line::from(""));
    }
    text.push(Line::from(vec![
        Span::styled("Read more: ", Style::default().fg(Color::DarkGray)),
        Span::raw(safe(&state.lesson.source)),
    ]));
    text.push(Line::from(""));
    text.push(Line::from(vec![
        Span::styled("Task: ", bold),
        Span::raw(safe(&state.lesson.task)),
    ]));
    if state.next_prediction().is_some() {
        text.push(Line::styled(
            "First, predict: some decisions stay hidden (?) until you say what you expect.",
            Style::default().fg(Color::Magenta),
        ));
    }
    let total = state.lesson.hints.len();
    for (i, hint) in state
        .lesson
        .hints
        .iter()
        .take(state.hints_shown)
        .enumerate()
    {
        text.push(Line::from(""));
        text.extend(hint_lines(hint, i + 1, total));
    }
    let title = format!(
        " {} — {} or {} starts ",
        match state.number() {
            Some(n) => format!("Lesson {n} of {}", LESSONS.len()),
            None => "Lesson".to_string(),
        },
        key_label(Action::Cancel, Scope::Help),
        key_label(Action::About, Scope::Global),
    );
    scrolled_box(title, text, area, scroll, buf);
}

/// `lines` in a bordered box 90 columns wide (at most), scrolled `scroll` rows.
fn scrolled_box(
    title: String,
    text: Vec<Line<'static>>,
    area: Rect,
    scroll: u16,
    buf: &mut Buffer,
) {
    let width = 90u16.min(area.width);
    let para = Paragraph::new(text).wrap(Wrap { trim: false });
    let rows = u16::try_from(para.line_count(width.saturating_sub(2).max(1))).unwrap_or(u16::MAX);
    let r = centered_box(area, width, rows.saturating_add(2).min(area.height));
    let scroll = scroll.min(rows.saturating_sub(r.height.saturating_sub(2)));
    Clear.render(r, buf);
    para.scroll((scroll, 0))
        .block(
            Block::bordered()
                .title(title)
                .border_style(Style::default().fg(Color::Cyan)),
        )
        .render(r, buf);
}

/// The list of lessons: number, title, done or not; the one at `selected` marked.
pub fn list(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let progress = &app.learning.progress;
    let keys: Vec<String> = LESSONS.iter().map(|l| key_for_builtin(l.file)).collect();
    let done = progress.done_count(keys.iter().map(String::as_str));
    let height = (LESSONS.len() as u16 + 5).min(area.height);
    let r = centered_box(area, 80, height);
    Clear.render(r, buf);
    let visible = usize::from(r.height.saturating_sub(5)).max(1);
    let first = selected.saturating_sub(visible - 1);
    let mut text = vec![Line::from(format!(
        "{done} of {} done. Progress is kept in {}.",
        LESSONS.len(),
        match &app.learning.path {
            Some(p) => safe(&p.display().to_string()),
            None => "memory only (no data directory)".to_string(),
        }
    ))];
    for (i, l) in LESSONS.iter().enumerate().skip(first).take(visible) {
        let entry = progress.get(&key_for_builtin(l.file));
        let title = crate::learn::builtin::titles()
            .get(i)
            .map_or(l.file, String::as_str);
        let mut style = Style::default();
        if i == selected {
            style = style.add_modifier(Modifier::REVERSED);
        }
        let mark = if entry.done { "✔" } else { " " };
        let open = matches!(
            app.learning.lesson.as_ref().map(|s| &s.source),
            Some(crate::tui::lesson::LessonSource::Builtin(j)) if *j == i
        );
        let predicted = if entry.predicted > 0 {
            format!("  {}/{} predicted", entry.right, entry.predicted)
        } else {
            String::new()
        };
        text.push(Line::from(vec![
            Span::styled(format!(" {mark} "), style.fg(Color::Green)),
            Span::styled(format!("{:>2}  {}", i + 1, safe(title)), style),
            Span::styled(predicted, style.fg(Color::DarkGray)),
            Span::styled(if open { "  ◀ open" } else { "" }, style.fg(Color::Cyan)),
        ]));
    }
    text.push(Line::from(vec![
        key(Action::Up, Scope::List),
        key(Action::Down, Scope::List),
        Span::raw(" choose · "),
        key(Action::Confirm, Scope::List),
        Span::raw(" open · "),
        key(Action::Cancel, Scope::List),
        Span::raw(" close · reset progress: iamtrace learn --reset"),
    ]));
    Paragraph::new(text)
        .block(
            Block::bordered()
                .title(" Lessons ")
                .border_style(Style::default().fg(Color::Cyan)),
        )
        .render(r, buf);
}
