//! Turning keys, pastes and mouse events into changes of the [`App`]: every key is
//! looked up in the [`keymap`] (the overlay's scope when one is open,
//! else everywhere, then the focused pane's), and the action is carried out for that
//! scope; the policy editor gets the keys no binding takes. Returns whether the
//! scenario changed and needs evaluating again.

use super::action::Action;
use super::app::{App, Focus, Mode};
use super::effect;
use super::keymap::{self, Scope, lookup, overlay_scope, pane_scope};
use super::pane::{Effect, overlay};
use super::ui::layout::Areas;
use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

/// Handles a key. True when the scenario changed.
pub fn handle_key(app: &mut App, key: KeyEvent) -> bool {
    if key.kind == KeyEventKind::Release {
        return false;
    }
    if app.test_panic && keymap::is_panic_test_key(&key) {
        panic!("IAMTRACE_TEST_PANIC: F12 pressed, panicking on purpose");
    }
    if app.policies.completion.is_some() {
        if app.mode == Mode::Normal && app.focus == Focus::Policies {
            return completion_key(app, key);
        }
        app.policies.completion = None;
    }
    if app.form.completion.is_some() {
        if app.mode == Mode::Normal && app.focus == Focus::Request {
            return form_completion_key(app, key);
        }
        app.form.completion = None;
    }
    let changed = match overlay_scope(&app.mode) {
        Some(scope) => overlay_key(app, key, scope),
        None => normal_key(app, key),
    };
    app.sync_focus();
    changed
}

/// A key while something is drawn over the panes (`scope` is its scope).
fn overlay_key(app: &mut App, key: KeyEvent, scope: Scope) -> bool {
    let mut action = keymap::action(&key, scope);
    // The key that opened the help closes it.
    if scope == Scope::Help && lookup(&key, Scope::Global) == Some(Action::ToggleHelp) {
        action = Some(Action::ToggleHelp);
    }
    let Some(action) = action else {
        return false;
    };
    if matches!(app.mode, Mode::Help | Mode::About) {
        // The help scrolls when it does not fit (drawing clamps the offset).
        let page = 10;
        app.help_scroll = match action {
            Action::Down => app.help_scroll.saturating_add(1),
            Action::PageDown => app.help_scroll.saturating_add(page),
            Action::Up => app.help_scroll.saturating_sub(1),
            Action::PageUp => app.help_scroll.saturating_sub(page),
            _ => app.help_scroll,
        };
    }
    let choices = match app.mode {
        Mode::NewRequest(_) => app.new_request_choices().len(),
        _ => app.picker.as_ref().map_or(0, |p| p.choices.len()),
    };
    let mode = std::mem::replace(&mut app.mode, Mode::Normal);
    let (next, effects) = overlay::handle(mode, action, choices, &mut app.save_name_fresh);
    app.mode = next;
    effect::run(app, effects)
}

/// A key while the completion list is open: its keys choose, insert or close; other
/// keys edit the text and the list follows what is typed.
fn completion_key(app: &mut App, key: KeyEvent) -> bool {
    if let Some(action) = lookup(&key, Scope::Completion) {
        let effects = app.policies.completion_action(action);
        return effect::run(app, effects);
    }
    let changed = normal_key(app, key);
    if keymap::refines_completion(&key) {
        let effects = app.policies.open_completion();
        effect::run(app, effects);
    } else {
        app.policies.completion = None;
    }
    changed
}

/// A key while the completion list is open on a request form row: as in the editor,
/// its keys choose, put the choice in the row or close, and other keys edit the row
/// with the list following what is typed.
fn form_completion_key(app: &mut App, key: KeyEvent) -> bool {
    if let Some(action) = lookup(&key, Scope::Completion) {
        let effects = app.form.completion_action(action);
        return effect::run(app, effects);
    }
    let changed = normal_key(app, key);
    if keymap::refines_completion(&key) && app.focus == Focus::Request {
        let effects = app.form.open_completion(false);
        effect::run(app, effects);
    } else {
        app.form.completion = None;
    }
    changed
}

/// A key with nothing drawn over the panes: bindings everywhere first, then the
/// focused pane's; the editor gets what neither takes.
fn normal_key(app: &mut App, key: KeyEvent) -> bool {
    let scope = pane_scope(app.focus, app.view);
    if let Some(action) = lookup(&key, Scope::Global).or_else(|| keymap::action(&key, scope)) {
        return perform_in(app, scope, action);
    }
    if scope != Scope::Policies {
        return false;
    }
    let effects = app.policies.key(key);
    effect::run(app, effects)
}

fn move_tree(app: &mut App, delta: isize) {
    let n = app.tree_rows().len();
    app.trace.move_by(delta, n);
}

/// Carries out `action` in the focused pane. True when the scenario changed.
pub fn perform(app: &mut App, action: Action) -> bool {
    perform_in(app, pane_scope(app.focus, app.view), action)
}

/// Carries out `action`, bound in `scope`: the app's own actions first, then the
/// pane's. True when the scenario changed.
fn perform_in(app: &mut App, scope: Scope, action: Action) -> bool {
    let hidden_view = matches!(scope, Scope::Trace | Scope::Grid | Scope::Changes)
        && app.decision_hidden(app.request);
    let effects = match app.handle_global(action) {
        Some(effects) => effects,
        // The rows of a decision still to predict would give it away.
        None if hidden_view => vec![Effect::Message(super::lesson::PREDICT_FIRST.into())],
        None => match scope {
            Scope::Policies => app
                .handle_policy_list(action)
                .unwrap_or_else(|| app.policies.handle(action)),
            Scope::Request => match app.handle_request_list(action) {
                Some(effects) => effects,
                None if action == Action::Complete => app.form.open_completion(true),
                None => app.form.handle(action),
            },
            Scope::Trace => {
                let rows = app.tree_rows();
                app.trace.handle(action, &rows)
            }
            Scope::Grid => app.grid.handle(action),
            Scope::Lint => app.lint.handle(action),
            Scope::Lesson => app.lesson_action(action),
            _ => Vec::new(),
        },
    };
    effect::run(app, effects)
}

/// Handles pasted text (bracketed paste): into the editor or the selected field. True
/// when the scenario changed.
pub fn handle_paste(app: &mut App, text: &str) -> bool {
    app.policies.completion = None;
    app.form.completion = None;
    if app.mode != Mode::Normal {
        return false;
    }
    match app.focus {
        Focus::Policies => {
            let effects = app.policies.paste(text);
            effect::run(app, effects)
        }
        Focus::Request => {
            app.form.insert(text);
            effect::run(app, vec![Effect::RequestEdited])
        }
        Focus::Trace | Focus::Lesson => false,
    }
}

fn contains(r: Rect, x: u16, y: u16) -> bool {
    r.contains(Position { x, y })
}

/// Handles a mouse event on a screen of `size`: a click focuses a pane (and selects a
/// trace row), the wheel scrolls. True when the scenario changed.
pub fn handle_mouse(app: &mut App, m: MouseEvent, size: Rect) -> bool {
    app.policies.completion = None;
    app.form.completion = None;
    if app.mode != Mode::Normal {
        return false;
    }
    let Areas {
        policies,
        request,
        trace,
        ..
    } = app.areas(size);
    let (x, y) = (m.column, m.row);
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => {
            if policies.is_some_and(|a| contains(a, x, y)) {
                app.focus = Focus::Policies;
            } else if request.is_some_and(|a| contains(a, x, y)) {
                app.focus = Focus::Request;
            } else if let Some(a) = trace.filter(|a| contains(*a, x, y)) {
                app.focus = Focus::Trace;
                // Rows start below the border, the decision line and a blank line.
                let first_row = a.y + 3;
                if y >= first_row {
                    let inner = ratatui::widgets::Block::bordered().inner(a);
                    let rows = app.tree_rows();
                    let height = app.trace.rows_shown(true, &rows, inner);
                    let scroll = app.trace.first_shown(rows.len(), height);
                    let i = scroll + (y - first_row) as usize;
                    if i < rows.len() {
                        app.trace.selected = i;
                    }
                }
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta: i16 = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            if trace.is_some_and(|a| contains(a, x, y)) {
                move_tree(app, delta as isize);
            } else if policies.is_some_and(|a| contains(a, x, y)) {
                if let Some(e) = app.policies.editors.get_mut(app.policies.current) {
                    e.scroll(delta);
                }
            }
        }
        _ => {}
    }
    app.sync_focus();
    false
}
