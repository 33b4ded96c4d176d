//! The policy pane: the list of the scenario's policies with their types, the editor
//! with error marks and the deciding statements highlighted, and the first error.

use super::super::app::{App, Focus};
use super::super::editor::Marks;
use super::tabs::{self, Form};
use super::{cut, pane_block, safe};
use crate::policy::PolicyKind;
use crate::scenario::DocumentForm;
use crate::tui::action::Action;
use crate::tui::keymap::{Scope, key_label};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

fn kind_tag(app: &App, i: usize) -> String {
    let src = &app.scenario.sources[i];
    match src.kind {
        PolicyKind::Scp | PolicyKind::Rcp => {
            let levels = if src.kind == PolicyKind::Scp {
                &app.scenario.set.scp_levels
            } else {
                &app.scenario.set.rcp_levels
            };
            let level = src
                .level
                .and_then(|l| levels.get(l))
                .cloned()
                .unwrap_or_default();
            format!("{} @ {level}", src.kind.label())
        }
        PolicyKind::Resource => match &src.attached_to {
            Some(a) => format!("resource on {a}"),
            None => "resource".into(),
        },
        k => k.label().to_string(),
    }
}

/// What the title says of how policy `i` was read, each in full and short: guessed
/// from a bare document's shape, decoded from a JSON string.
fn read_notes(app: &App, i: usize) -> Vec<(&'static str, &'static str)> {
    let src = &app.scenario.sources[i];
    let mut notes = Vec::new();
    if read_as(app, i).is_some_and(|r| r.guessed) {
        notes.push(("guessed, --kind to change", "guessed"));
    }
    match src.form {
        DocumentForm::Inline => {}
        DocumentForm::Template => notes.push(("as written in the template", "template")),
        DocumentForm::Derived => notes.push(("not in the file: read-only", "read-only")),
        DocumentForm::String => notes.push(("decoded from a JSON string", "decoded string")),
        DocumentForm::UrlEncoded => {
            notes.push(("decoded from a URL-encoded JSON string", "decoded string"))
        }
    }
    notes
}

/// How policy `i` was read, when it is the bare document the TUI opened and still has
/// the type it was read as (not retyped since). A resource policy may have been placed
/// by its shape (an ECR repository policy on every repository).
fn read_as(app: &App, i: usize) -> Option<&crate::input::ReadAs> {
    let r = app.read_as.as_ref().filter(|_| i == 0)?;
    let src = &app.scenario.sources[i];
    let (kind, attached) = r.kind.placement();
    let placed = attached.is_none_or(|a| src.attached_to.as_deref() == Some(a));
    (src.kind == kind && placed).then_some(r)
}

/// The most characters of a policy's name in a shortened tab.
const SHORT_NAME: usize = 10;

/// The title of the editor's box for policy `i` of `n`, within `width` characters:
/// its number, name, type and how it was read. When that is too long the name is cut
/// first (to no less than 12 characters), then the notes say only "guessed" or
/// "decoded string", then the name is cut further and, last, the whole title.
fn title(app: &App, i: usize, n: usize, width: usize) -> String {
    let name = safe(&app.policy_name(i));
    let tag = match read_as(app, i) {
        // "a role trust policy" → "role trust policy": what the document was read as.
        Some(r) => {
            let phrase = r.kind.phrase();
            phrase
                .strip_prefix("an ")
                .or_else(|| phrase.strip_prefix("a "))
                .unwrap_or(phrase)
                .to_string()
        }
        None => safe(&kind_tag(app, i)),
    };
    let notes = read_notes(app, i);
    let build = |name: &str, short: bool| {
        let mut inner = tag.clone();
        for (full, brief) in &notes {
            inner.push_str("; ");
            inner.push_str(if short { brief } else { full });
        }
        format!(" Policy {}/{n}: {name} ({inner}) ", i + 1)
    };
    let len = |s: &str| s.chars().count();
    let name_len = len(&name);
    for (short, least) in [(false, 12), (true, 12), (true, 4)] {
        let room = width.saturating_sub(len(&build("", short)));
        if room >= name_len {
            return build(&name, short);
        }
        if room >= least.min(name_len) {
            return build(&cut(&name, room), short);
        }
    }
    cut(&build(&cut(&name, 4), true), width)
}

/// Columns policy `i`'s title takes whole (with the short notes on how it was read).
pub(super) fn title_width(app: &App, i: usize) -> usize {
    let n = app.policies.editors.len();
    // The widest form that still says everything briefly: what `title` gives when
    // the full notes do not fit but the name does.
    let full = title(app, i, n, usize::MAX);
    let notes: usize = read_notes(app, i)
        .iter()
        .map(|(full, brief)| full.chars().count() - brief.chars().count())
        .sum();
    full.chars().count() - notes
}

/// Draws the policy pane.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let focused = app.focus == Focus::Policies;
    let n = app.policies.editors.len();
    if n == 0 {
        Paragraph::new("This scenario has no policies.")
            .block(pane_block(" Policies ".into(), focused))
            .render(area, buf);
        return;
    }
    // The box's top border holds the title between its corners.
    let title = title(
        app,
        app.policies.current,
        n,
        usize::from(area.width.saturating_sub(2)),
    );
    let errors = app
        .errors
        .get(app.policies.current)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    // The text as last evaluated (synced at every evaluation): the deciding statements'
    // spans refer to it, and it is not joined from the editor again on every frame.
    let src = &app.scenario.sources[app.policies.current];
    let text = &src.text;
    // Lint findings (the size check among them) when the text parses; the one on the
    // cursor's line is spelled out under the editor.
    let findings: &[crate::lint::Finding] = if errors.is_empty() {
        app.lint
            .findings
            .get(app.policies.current)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    } else {
        &[]
    };
    let finding_here = app
        .finding_on_cursor_line()
        .filter(|_| !findings.is_empty());
    let size_warning = if errors.is_empty() && finding_here.is_none() {
        let trust = crate::scenario::is_trust_policy(src.kind, src.attached_to.as_deref());
        crate::policy::limits::over_limit(text, src.kind, trust)
    } else {
        None
    };
    // Under the editor: the error on the cursor's line (else the first), else the
    // finding there with its fix, else the size warning — wrapped, up to a quarter of
    // the pane.
    let bottom = bottom_line(app, errors, finding_here, size_warning.as_deref());
    let inner_width = area.width.max(1);
    let bottom_rows = bottom.as_ref().map_or(0, |p| {
        let wanted = p.line_count(inner_width).max(1);
        wanted.min(usize::from((area.height / 4).max(1))) as u16
    });
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(bottom_rows),
        ])
        .split(area);

    // The list of policies, the edited one reversed, those with errors marked ✘ (and
    // red where there is colour): whole names when they fit, else shortened, else the
    // edited one and its neighbours by number (‹ › where more are).
    let tab = |i: usize, form: Form| -> String {
        let bad = app.errors.get(i).is_some_and(|e| !e.is_empty());
        let mark = if bad { " ✘" } else { "" };
        let name = safe(&app.policy_name(i));
        match form {
            Form::Full => format!(" {}{mark} {name} ", i + 1),
            Form::Short => format!(" {}{mark} {} ", i + 1, cut(&name, SHORT_NAME)),
            Form::Number => format!(" {}{mark} ", i + 1),
        }
    };
    let width_of = |i: usize, form: Form| Span::raw(tab(i, form)).width() + 1;
    let fitted = tabs::fit(n, app.policies.current, usize::from(area.width), &width_of);
    let marker = Style::default().fg(Color::DarkGray);
    let mut spans = Vec::new();
    if fitted.more_before {
        spans.push(Span::styled("‹", marker));
    }
    for (i, form) in fitted.tabs {
        let bad = app.errors.get(i).is_some_and(|e| !e.is_empty());
        let mut style = Style::default().fg(if bad { Color::Red } else { Color::Gray });
        if i == app.policies.current {
            style = style.add_modifier(Modifier::REVERSED);
        }
        spans.push(Span::styled(tab(i, form), style));
        spans.push(Span::raw(" "));
    }
    if fitted.more_after {
        spans.push(Span::styled("›", marker));
    }
    Paragraph::new(Line::from(spans)).render(parts[0], buf);

    let mut marks = Marks::default();
    for f in findings {
        match marks.findings.iter_mut().find(|(l, _)| *l == f.span.line) {
            Some((_, s)) => *s = (*s).min(f.severity),
            None => marks.findings.push((f.span.line, f.severity)),
        }
    }
    for e in errors {
        if !marks.errors.iter().any(|(l, _)| *l == e.span.line) {
            marks.errors.push((e.span.line, e.message.clone()));
        }
    }
    // The deciding statements, also while the text does not parse: their spans were
    // moved through every edit since the last evaluation, so they stay on their text.
    // (Not while the decision is still to be predicted in a lesson.)
    if app.spans_follow_text && !app.decision_hidden(app.request) {
        if let Some(r) = app.current_result() {
            let mut deciding = r
                .determined_by
                .iter()
                .filter(|d| d.policy == app.policies.current)
                .peekable();
            if deciding.peek().is_some() {
                // The statements' lines, from their spans in this policy's text (one
                // line index for all of them: a policy may have thousands).
                let index = crate::source::LineIndex::new(text);
                for d in deciding {
                    let start = (d.span.start as usize).min(text.len());
                    let end = (d.span.end as usize).saturating_sub(1).min(text.len());
                    let (start_line, _) = index.line_column(text, start);
                    let (end_line, _) = index.line_column(text, end.max(start));
                    marks.highlights.push((start_line, end_line));
                }
            }
        }
    }
    app.policies.editors[app.policies.current].render(
        pane_block(title, focused),
        &marks,
        parts[1],
        buf,
    );

    if let Some(p) = bottom {
        p.render(parts[2], buf);
    }
}

/// What goes under the editor, wrapped: see [`render`].
fn bottom_line<'a>(
    app: &App,
    errors: &[crate::source::Diagnostic],
    finding_here: Option<&crate::lint::Finding>,
    size_warning: Option<&str>,
) -> Option<Paragraph<'a>> {
    let line = if let Some(e) = errors.first() {
        let (line, _) = app.policies.editors[app.policies.current].cursor();
        let at_cursor = errors.iter().find(|d| d.span.line == line).unwrap_or(e);
        let more = if errors.len() > 1 {
            format!(" (+{} more)", errors.len() - 1)
        } else {
            String::new()
        };
        let (line, column) = app.file_position(app.policies.current, &at_cursor.span);
        Line::from(Span::styled(
            format!("✘ {line}:{column} {}{more}", safe(&at_cursor.message)),
            Style::default().fg(Color::Red),
        ))
    } else if let Some(f) = finding_here {
        let colour = Style::default().fg(super::lint::severity_color(f.severity));
        let mut spans = vec![Span::styled(
            format!("▲ {} [{}] {}", f.severity.label(), f.code, safe(&f.message)),
            colour,
        )];
        if let Some(fix) = &f.fix {
            spans.push(Span::styled(
                format!(" — fix: {}", safe(fix)),
                colour.add_modifier(Modifier::BOLD),
            ));
            if f.edit.is_some() {
                let key = key_label(Action::ApplyFix, Scope::Global);
                spans.push(Span::styled(
                    format!(" ({key} applies it)"),
                    Style::default().fg(Color::Cyan),
                ));
            }
        }
        Line::from(spans)
    } else {
        Line::from(Span::styled(
            format!("⚠ {}", safe(size_warning?)),
            Style::default().fg(Color::Yellow),
        ))
    };
    Some(Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: true }))
}
