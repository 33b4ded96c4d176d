//! What is drawn over the panes: the help (every binding of the keymap, by pane), the
//! quit question and the save-as prompt.

use super::super::action::Action;
use super::super::app::{App, Mode};
use super::super::keymap::{Scope, bindings, key_label};
use super::safe;
use crate::save::Refusal;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

pub(super) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws the overlay of the current mode, if any, and the completion list.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    if let Some(c) = &app.policies.completion {
        let pane = app.areas(area).policies.unwrap_or(area);
        let height = (c.items.len() as u16 + 2).min(12).min(pane.height);
        let r = Rect {
            y: pane.y + pane.height.saturating_sub(height),
            height,
            ..pane
        };
        completion(c, r, buf);
    }
    if let Some(c) = &app.form.completion {
        form_completion(app, c, area, buf);
    }
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => help(area, app.help_scroll, buf),
        Mode::About => match app.learning.lesson.as_deref() {
            Some(state) => super::lesson::reading(state, area, app.help_scroll, buf),
            None => about(app, area, app.help_scroll, buf),
        },
        Mode::Lessons(selected) => super::lesson::list(app, *selected, area, buf),
        Mode::ConfirmLeaveLesson(_) => question(
            " Leave the lesson ",
            "Your edits to this lesson are not kept. Leave it?".into(),
            ("leave", "stay"),
            None,
            area,
            buf,
        ),
        Mode::ConfirmQuit => question(
            " Quit ",
            "There are unsaved changes. Quit without saving?".into(),
            ("quit", "stay"),
            None,
            area,
            buf,
        ),
        Mode::SaveAs(text) => prompt(" Save as ", "File: ", text, area, buf),
        Mode::SaveScenarioAs(text) => {
            prompt(" Save the whole scenario as ", "File: ", text, area, buf)
        }
        Mode::Rename(text) => prompt(" Rename the policy ", "Name: ", text, area, buf),
        Mode::RenameRequest(text) => prompt(
            &format!(
                " Rename request {} (empty: no name; via links follow) ",
                app.request + 1
            ),
            "Name: ",
            text,
            area,
            buf,
        ),
        Mode::NewRequest(selected) => new_request(app, *selected, area, buf),
        Mode::ConfirmDeleteRequest => {
            let i = app.request;
            let label = app
                .scenario
                .requests
                .get(i)
                .map_or(String::new(), |r| r.label(i));
            let callers = app.callers_of(i);
            let via = if callers.is_empty() {
                String::new()
            } else {
                let n: Vec<String> = callers.iter().map(|j| (j + 1).to_string()).collect();
                format!(
                    " Request {} names it in via: that via is cleared.",
                    n.join(", ")
                )
            };
            question(
                " Delete ",
                format!("Delete request {} \"{}\"?{via}", i + 1, safe(&label)),
                ("delete", "keep"),
                None,
                area,
                buf,
            )
        }
        Mode::GoTo(text) => {
            let title = match &app.trail {
                Some(t) => format!(
                    " Go to record (1 to {}) ",
                    super::super::trail::fmt_count(t.trail.len())
                ),
                None => format!(" Go to request (1 to {}) ", app.scenario.requests.len()),
            };
            prompt(&title, "Number: ", text, area, buf)
        }
        Mode::Axes(picker) => super::axes::render(picker, area, buf),
        Mode::Placement(text) => {
            let (title, label) = match app
                .scenario
                .sources
                .get(app.policies.current)
                .map(|s| s.kind)
            {
                Some(crate::policy::PolicyKind::Resource) => (
                    " Attached to (a resource ARN, wildcards allowed; empty: every request) ",
                    "attachedTo: ",
                ),
                Some(
                    crate::policy::PolicyKind::Identity
                    | crate::policy::PolicyKind::Boundary
                    | crate::policy::PolicyKind::Session,
                ) => (
                    " For the principal (a user or role ARN; a role covers its sessions; empty: every request) ",
                    "principal: ",
                ),
                _ => (" Level (r-root, an OU id, or the account id) ", "Level: "),
            };
            prompt(title, label, text, area, buf)
        }
        Mode::Expansion(pattern, items, first) => expansion(pattern, items, *first, area, buf),
        Mode::PickPrincipal(selected) => {
            if let Some(p) = &app.picker {
                picker(p, *selected, area, buf);
            }
        }
        Mode::ConfirmRestore(path) => question(
            " Unsaved edits found ",
            format!(
                "{} holds unsaved edits of an earlier session. Restore them?",
                crate::safe_text::for_terminal(&path.display().to_string())
            ),
            ("restore (as unsaved edits)", "delete the recovery file"),
            Some("keep it for later"),
            area,
            buf,
        ),
        Mode::ConfirmTempFile(path, _) => question(
            " Interrupted save found ",
            format!(
                "A save that never finished left {}: it may hold edits that never reached the file. Open them?",
                crate::safe_text::for_terminal(&path.display().to_string())
            ),
            ("open (as unsaved edits)", "delete it"),
            Some("keep it for later"),
            area,
            buf,
        ),
        Mode::ConfirmSave(q) => {
            let why = safe(&crate::tui::saving::refusal_text(&q.job.path, q.refusal));
            let (ask, yes) = match q.refusal {
                Refusal::Changed | Refusal::Exists => ("overwrite it?", "overwrite"),
                Refusal::ReadOnly => ("write anyway?", "write anyway"),
                Refusal::NotRegular(_) => ("save as another file?", "choose another name"),
            };
            question(
                " Save ",
                format!("{why}: {ask}"),
                (yes, "do not save"),
                None,
                area,
                buf,
            )
        }
        Mode::ConfirmDraft(about, draft) => question(
            " Save a draft ",
            format!(
                "{}: save a draft as {} instead (the file stays as it is)?",
                safe(about),
                safe(&draft.display().to_string())
            ),
            ("save the draft", "do not save"),
            None,
            area,
            buf,
        ),
        Mode::ConfirmOpenDraft(draft) => question(
            " Newer draft found ",
            format!(
                "{} (saved when a policy did not parse) is newer than the file. Open the draft?",
                safe(&draft.display().to_string())
            ),
            ("open the draft (as unsaved edits)", "open the file"),
            None,
            area,
            buf,
        ),
        Mode::ConfirmDelete => question(
            " Delete ",
            format!(
                "Delete the policy \"{}\"?",
                safe(&app.policy_name(app.policies.current))
            ),
            ("delete", "keep"),
            None,
            area,
            buf,
        ),
    }
}

/// A yes/no question: `y` does `answers.0`, `n` `answers.1`, and Esc `escape` when
/// it differs from no (else Esc is shown beside `n`).
fn question(
    title: &str,
    text: String,
    answers: (&str, &str),
    escape: Option<&str>,
    area: Rect,
    buf: &mut Buffer,
) {
    // Long questions (a file name) wrap rather than being cut.
    let len = text.chars().count() as u16;
    let width = (len + 4).clamp(40, 100);
    let lines = len.div_ceil(width - 2).max(1);
    let r = centered(area, width, 4 + lines);
    Clear.render(r, buf);
    Paragraph::new(vec![
        Line::from(text),
        Line::from(vec![
            Span::styled(
                key_label(Action::Yes, Scope::Question),
                Style::default().fg(Color::Cyan),
            ),
            Span::raw(format!(" {} · ", answers.0)),
            Span::styled(
                key_label(Action::No, Scope::Question),
                Style::default().fg(Color::Cyan),
            ),
            Span::raw({
                let esc = key_label(Action::Cancel, Scope::Question);
                match escape {
                    None => format!(" / {esc} {}", answers.1),
                    Some(what) => format!(" {} · {esc} {what}", answers.1),
                }
            }),
        ]),
    ])
    .wrap(Wrap { trim: false })
    .block(
        Block::bordered()
            .title(title.to_string())
            .border_style(Style::default().fg(Color::Yellow)),
    )
    .render(r, buf);
}

/// The completion list of a request form row: under the row (over what is below the
/// request pane), or above it when there is no room below.
fn form_completion(app: &App, c: &crate::tui::complete::Completion, area: Rect, buf: &mut Buffer) {
    let Some(pane) = app.areas(area).request else {
        return;
    };
    // The row's line in the pane (the pane scrolls to keep it in sight).
    let spec = app.scenario.requests.get(app.request);
    let above =
        usize::from(spec.is_some_and(|s| s.via.is_some())) + spec.map_or(0, |s| s.notes.len());
    let inner = pane.height.saturating_sub(2);
    let line = ((app.form.selected + above) as u16).min(inner.saturating_sub(1));
    let row_y = pane.y + 1 + line;
    let bottom = area.y + area.height;
    let wanted = (c.items.len() as u16 + 2).min(12);
    let below = bottom.saturating_sub(row_y + 1);
    let (y, height) = if below >= wanted.min(5) || below >= row_y.saturating_sub(area.y) {
        (row_y + 1, wanted.min(below))
    } else {
        let h = wanted.min(row_y.saturating_sub(area.y));
        (row_y - h, h)
    };
    if height < 3 {
        return;
    }
    let r = Rect {
        x: pane.x + 2,
        y,
        // Inside the pane's right border.
        width: pane.width.saturating_sub(3),
        height,
    };
    completion(c, r, buf);
}

/// A completion list in `area` (at most 90 columns wide).
fn completion(c: &crate::tui::complete::Completion, area: Rect, buf: &mut Buffer) {
    let width = area.width.min(90).max(20.min(area.width));
    let r = Rect { width, ..area };
    let height = r.height;
    Clear.render(r, buf);
    let visible = height.saturating_sub(2) as usize;
    let first = c.selected.saturating_sub(visible.saturating_sub(1));
    let lines: Vec<Line> = c
        .items
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, item)| {
            let style = if i == c.selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Line::from(vec![
                Span::styled(safe(&item.text), style),
                Span::styled(
                    format!("  {}", safe(&item.detail)),
                    style.fg(Color::DarkGray),
                ),
            ])
        })
        .collect();
    Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(format!(
                    " {} match{} · {}{} {} {} ",
                    c.items.len(),
                    if c.items.len() == 1 { "" } else { "es" },
                    key_label(Action::Up, Scope::Completion),
                    key_label(Action::Down, Scope::Completion),
                    key_label(Action::Confirm, Scope::Completion),
                    key_label(Action::Cancel, Scope::Completion),
                ))
                .border_style(Style::default().fg(Color::Cyan)),
        )
        .render(r, buf);
}

/// The actions an action pattern matches.
fn expansion(
    pattern: &str,
    items: &[crate::tui::complete::Candidate],
    first: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let r = centered(area, 72, area.height.saturating_sub(4).max(5));
    Clear.render(r, buf);
    let visible = r.height.saturating_sub(3) as usize;
    let mut lines: Vec<Line> = items
        .iter()
        .skip(first)
        .take(visible)
        .map(|c| {
            Line::from(vec![
                Span::raw(format!(" {:<56}", safe(&c.text))),
                Span::styled(safe(&c.detail), Style::default().fg(Color::DarkGray)),
            ])
        })
        .collect();
    lines.push(Line::from(Span::styled(
        format!(
            "{}{} scroll · {} close",
            key_label(Action::Up, Scope::List),
            key_label(Action::Down, Scope::List),
            key_label(Action::Cancel, Scope::List),
        ),
        Style::default().fg(Color::DarkGray),
    )));
    Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(format!(
                    " \"{}\" matches {} action{} ",
                    safe(pattern),
                    items.len(),
                    if items.len() == 1 { "" } else { "s" }
                ))
                .border_style(Style::default().fg(Color::Cyan)),
        )
        .render(r, buf);
}

/// The list of users and roles of an account authorization details file.
fn picker(p: &crate::tui::app::Picker, selected: usize, area: Rect, buf: &mut Buffer) {
    let height = (p.choices.len() as u16 + 6).min(area.height);
    let r = centered(area, 96, height);
    Clear.render(r, buf);
    let visible = r.height.saturating_sub(6) as usize;
    let first = selected.saturating_sub(visible.saturating_sub(1));
    let mut lines = vec![Line::from(
        "Whose policies? Identity policies, groups' policies and the boundary are assembled.",
    )];
    for (i, c) in p
        .choices
        .iter()
        .enumerate()
        .skip(first)
        .take(visible.max(1))
    {
        let style = if i == selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {:<5}", c.kind), style.fg(Color::Cyan)),
            Span::styled(format!("{:<28}", safe(&c.name)), style),
            Span::styled(format!(" {}", safe(&c.summary)), style.fg(Color::DarkGray)),
        ]));
    }
    if let Some(e) = &p.error {
        lines.push(Line::from(Span::styled(
            safe(e),
            Style::default().fg(Color::Red),
        )));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "{}{} choose · {} open · {} quit",
            key_label(Action::Up, Scope::List),
            key_label(Action::Down, Scope::List),
            key_label(Action::Confirm, Scope::List),
            key_label(Action::Cancel, Scope::List),
        ),
        Style::default().fg(Color::DarkGray),
    )));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::bordered()
                .title(format!(" {} ", safe(&p.shown)))
                .border_style(Style::default().fg(Color::Cyan)),
        )
        .render(r, buf);
}

/// What a new request starts from (F4): a list to choose from.
fn new_request(app: &App, selected: usize, area: Rect, buf: &mut Buffer) {
    let choices = app.new_request_choices();
    let height = (choices.len() as u16 + 4).min(area.height);
    let r = centered(area, 80, height);
    Clear.render(r, buf);
    let visible = r.height.saturating_sub(3) as usize;
    let first = selected.saturating_sub(visible.saturating_sub(1));
    let mut lines: Vec<Line> = choices
        .iter()
        .enumerate()
        .skip(first)
        .take(visible.max(1))
        .map(|(i, c)| {
            let style = if i == selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Line::from(Span::styled(format!(" {} ", c.label()), style))
        })
        .collect();
    lines.push(Line::from(Span::styled(
        format!(
            "{}{} choose · {} add · {} cancel",
            key_label(Action::Up, Scope::List),
            key_label(Action::Down, Scope::List),
            key_label(Action::Confirm, Scope::List),
            key_label(Action::Cancel, Scope::List),
        ),
        Style::default().fg(Color::DarkGray),
    )));
    let after = if app.scenario.requests.is_empty() {
        " New request ".to_string()
    } else {
        format!(" New request after request {} ", app.request + 1)
    };
    Paragraph::new(lines)
        .block(
            Block::bordered()
                .title(after)
                .border_style(Style::default().fg(Color::Cyan)),
        )
        .render(r, buf);
}

/// A one-line text prompt.
fn prompt(title: &str, label: &str, text: &str, area: Rect, buf: &mut Buffer) {
    let r = centered(area, 80, 5);
    Clear.render(r, buf);
    Paragraph::new(vec![
        Line::from(vec![
            Span::raw(label.to_string()),
            Span::raw(safe(text)),
            Span::styled(" ", Style::default().add_modifier(Modifier::REVERSED)),
        ]),
        Line::from(Span::styled(
            format!(
                "{} confirm · {} cancel",
                key_label(Action::Confirm, Scope::Prompt),
                key_label(Action::Cancel, Scope::Prompt),
            ),
            Style::default().fg(Color::DarkGray),
        )),
    ])
    .block(
        Block::bordered()
            .title(title.to_string())
            .border_style(Style::default().fg(Color::Cyan)),
    )
    .render(r, buf);
}

/// The help's sections: a title and the scopes whose bindings it lists (a binding of
/// several scopes is listed once, under its first).
const HELP_SECTIONS: &[(&str, &[Scope])] = &[
    ("Everywhere", &[Scope::Global]),
    (
        "Policy editor (and the usual editing keys)",
        &[Scope::Policies],
    ),
    (
        "Request form (type to edit the selected row)",
        &[Scope::Request],
    ),
    (
        "Trace, what-if grid, changes, lint",
        &[Scope::Trace, Scope::Grid, Scope::Changes, Scope::Lint],
    ),
    ("Lesson pane", &[Scope::Lesson]),
    (
        "Lists, questions, prompts and this help",
        &[
            Scope::Completion,
            Scope::List,
            Scope::Axes,
            Scope::Prompt,
            Scope::Question,
            Scope::Help,
        ],
    ),
];

/// The help's lines for the bindings listed under `scopes`: a binding marked `pair`
/// shares the line of the one before it ("↑ ↓  previous row / next row").
fn help_lines(scopes: &[Scope]) -> Vec<Line<'static>> {
    let mut rows: Vec<(String, String)> = Vec::new();
    for scope in scopes {
        // Each binding once: under its first scope.
        for b in bindings(*scope).filter(|b| b.scopes.first() == Some(scope)) {
            match rows.last_mut() {
                Some((keys, what)) if b.pair => {
                    keys.push(' ');
                    keys.push_str(b.key_label);
                    what.push_str(" / ");
                    what.push_str(b.description);
                }
                _ => rows.push((b.key_label.to_string(), b.description.to_string())),
            }
        }
    }
    rows.into_iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("  {keys:<14}"), Style::default().fg(Color::Cyan)),
                Span::raw(what),
            ])
        })
        .collect()
}

fn help(area: Rect, scroll: u16, buf: &mut Buffer) {
    let mut sections: Vec<Vec<Line>> = Vec::new();
    for (title, scopes) in HELP_SECTIONS {
        let mut lines = vec![Line::from(Span::styled(
            *title,
            Style::default().add_modifier(Modifier::BOLD),
        ))];
        lines.extend(help_lines(scopes));
        sections.push(lines);
    }
    let total: usize = sections.iter().map(Vec::len).sum::<usize>() + 2;
    let r = centered(area, 100, (total as u16 + 2).min(area.height));
    Clear.render(r, buf);
    let block = Block::bordered()
        .title(format!(
            " Help — {} or {} closes ",
            key_label(Action::ToggleHelp, Scope::Global),
            key_label(Action::Cancel, Scope::Help)
        ))
        .border_style(Style::default().fg(Color::Cyan));
    let inner = block.inner(r);
    block.render(r, buf);
    let footer = Line::from(Span::styled(
        "Mouse: click a pane to focus it, a trace row to select it; the wheel scrolls.",
        Style::default().fg(Color::DarkGray),
    ));
    // One column when it fits, else two (sections are never split).
    let fits = total <= inner.height as usize;
    let columns: Vec<Vec<Line>> = if fits {
        let mut all: Vec<Line> = sections.into_iter().flatten().collect();
        all.push(Line::from(""));
        all.push(footer);
        vec![all]
    } else {
        let half = total / 2;
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for s in sections {
            if left.len() + s.len() <= half || left.is_empty() {
                left.extend(s);
            } else {
                right.extend(s);
            }
        }
        right.push(Line::from(""));
        right.push(footer);
        vec![left, right]
    };
    let width = inner.width / columns.len() as u16;
    // Scrolled when the longest column does not fit (never past its end).
    let longest = columns.iter().map(Vec::len).max().unwrap_or(0) as u16;
    let scroll = scroll.min(longest.saturating_sub(inner.height));
    if longest > inner.height {
        let more = if scroll + inner.height < longest {
            format!(
                " {} {}: more ",
                key_label(Action::Down, Scope::Help),
                key_label(Action::PageDown, Scope::Help)
            )
        } else {
            format!(
                " {} {}: back ",
                key_label(Action::Up, Scope::Help),
                key_label(Action::PageUp, Scope::Help)
            )
        };
        let y = r.y + r.height - 1;
        let x = r.x + r.width.saturating_sub(more.chars().count() as u16 + 2);
        buf.set_string(x, y, more, Style::default().fg(Color::Cyan));
    }
    for (i, lines) in columns.into_iter().enumerate() {
        let col = Rect {
            x: inner.x + width * i as u16,
            y: inner.y,
            width,
            height: inner.height,
        };
        Paragraph::new(lines).scroll((scroll, 0)).render(col, buf);
    }
}

/// The scenario whole: its name, each request's expected decision with whether it
/// holds, and its description (scrolled with the help's keys when it does not fit).
fn about(app: &App, area: Rect, scroll: u16, buf: &mut Buffer) {
    let name = app.scenario.name.as_deref().unwrap_or("unnamed scenario");
    let mut lines = vec![Line::from(Span::styled(
        safe(name),
        Style::default().add_modifier(Modifier::BOLD),
    ))];
    let expected: Vec<Line> = app
        .scenario
        .requests
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let want = r.expect?;
            let mut spans = vec![Span::raw(format!(
                "  {} {}: expected {}",
                i + 1,
                safe(&r.label(i)),
                want.label()
            ))];
            match app.results.get(i).map(|x| x.decision) {
                Some(d) if d == want => {
                    spans.push(Span::styled(" ✔ holds", Style::default().fg(Color::Green)))
                }
                Some(d) => spans.push(Span::styled(
                    format!(" ✘ FAIL (now {})", d.label()),
                    Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
                )),
                None => spans.push(Span::raw(" (not evaluated)")),
            }
            Some(Line::from(spans))
        })
        .collect();
    lines.push(Line::from(""));
    if expected.is_empty() {
        lines.push(Line::from(format!(
            "No request has an expected decision ({} takes the request's current one).",
            key_label(Action::SetExpect, Scope::Global)
        )));
    } else {
        lines.push(Line::from("Expected decisions:"));
        lines.extend(expected);
    }
    if let Some(d) = &app.scenario.description {
        lines.push(Line::from(""));
        lines.extend(d.lines().map(|l| Line::from(safe(l))));
    }
    // Rows once wrapped at the box's width (a word longer than the width wraps too).
    let inner_width = usize::from(100u16.min(area.width).saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_width).max(1))
        .sum();
    let r = centered(area, 100, (rows as u16 + 2).min(area.height));
    Clear.render(r, buf);
    let block = Block::bordered()
        .title(format!(
            " The scenario — {} or {} closes ",
            key_label(Action::About, Scope::Global),
            key_label(Action::Cancel, Scope::Help)
        ))
        .border_style(Style::default().fg(Color::Cyan));
    let inner = block.inner(r);
    block.render(r, buf);
    let scroll = scroll.min((rows as u16).saturating_sub(inner.height));
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0))
        .render(inner, buf);
}
