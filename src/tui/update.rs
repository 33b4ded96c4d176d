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
use super::ui::layout::{Areas, layout};
use crate::scenario::presets::{self, Preset};
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
    let choices = app.picker.as_ref().map_or(0, |p| p.choices.len());
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

/// Carries out `action`, bound in `scope`. True when the scenario changed.
fn perform_in(app: &mut App, scope: Scope, action: Action) -> bool {
    match action {
        Action::FocusNext => app.focus = app.focus.next(),
        Action::FocusPrev => app.focus = app.focus.prev(),
        Action::ToggleHelp => {
            app.mode = if app.mode == Mode::Help {
                Mode::Normal
            } else {
                Mode::Help
            }
        }
        Action::Save => match app.path.clone() {
            Some(p) => return effect::run(app, vec![Effect::Save(p)]),
            None => {
                app.mode = Mode::SaveAs("scenario.json".into());
                app.save_name_fresh = true;
            }
        },
        Action::Quit => {
            if app.dirty {
                app.mode = Mode::ConfirmQuit;
            } else {
                app.quit = true;
            }
        }
        Action::NextRequest | Action::PrevRequest => {
            let n = app.scenario.requests.len();
            if n > 0 {
                let i = if action == Action::NextRequest {
                    (app.request + 1) % n
                } else {
                    (app.request + n - 1) % n
                };
                app.select_request(i);
            }
        }
        Action::NextPolicy | Action::PrevPolicy => {
            let effects = app.policies.handle(action);
            return effect::run(app, effects);
        }
        Action::NextPreset => return next_preset(app),
        Action::NextView => {
            app.view = app.view.next();
            return effect::run(app, vec![Effect::Analyse]);
        }
        Action::GridAxes => app.mode = Mode::Axes(app.grid.axes_text()),
        _ => {
            return match scope {
                Scope::Policies => policies_action(app, action),
                Scope::Request => {
                    let effects = app.form.handle(action);
                    effect::run(app, effects)
                }
                Scope::Trace => {
                    let rows = app.tree_rows();
                    let effects = app.trace.handle(action, &rows);
                    effect::run(app, effects)
                }
                Scope::Grid => {
                    let effects = app.grid.handle(action);
                    effect::run(app, effects)
                }
                Scope::Lint => {
                    let effects = app.lint.handle(action);
                    effect::run(app, effects)
                }
                _ => false,
            };
        }
    }
    false
}

/// Applies the next request preset to the form.
fn next_preset(app: &mut App) -> bool {
    let mut r = app.form.to_request();
    let current = presets::detect(&r, &app.preset_values);
    let next = match current {
        Some(p) => {
            let i = Preset::ALL.iter().position(|x| *x == p).unwrap_or(0);
            Preset::ALL[(i + 1) % Preset::ALL.len()]
        }
        None => Preset::ALL[0],
    };
    presets::apply(next, &mut r, &app.preset_values);
    let selected = app.form.selected;
    app.form = super::form::RequestForm::new(&r);
    app.form.selected = selected.min(app.form.rows.len().saturating_sub(1));
    app.form.clamp_cursor();
    app.message = Some(format!("preset: {}", next.label()));
    app.form_changed();
    true
}

/// An action of the policy pane: the scenario's list of policies is the app's (it
/// owns the scenario), the rest the pane's. True when the scenario changed.
fn policies_action(app: &mut App, action: Action) -> bool {
    let n = app.policies.editors.len();
    let current = app.policies.current;
    match action {
        Action::AddPolicy => {
            app.add_policy();
            true
        }
        Action::DeletePolicy if n > 0 => {
            app.mode = Mode::ConfirmDelete;
            false
        }
        Action::RenamePolicy if current < n => {
            let name = app.scenario.sources[current]
                .name
                .clone()
                .unwrap_or_default();
            app.mode = Mode::Rename(name);
            false
        }
        Action::CyclePolicyType if current < n => {
            app.cycle_kind();
            true
        }
        Action::PlacePolicy => {
            match app.placement_text() {
                Some(t) => app.mode = Mode::Placement(t),
                None => app.message = Some(
                    "only resource policies (attachedTo) and SCPs/RCPs (level) have a placement"
                        .into(),
                ),
            }
            false
        }
        _ => {
            let effects = app.policies.handle(action);
            effect::run(app, effects)
        }
    }
}

/// Handles pasted text (bracketed paste): into the editor or the selected field. True
/// when the scenario changed.
pub fn handle_paste(app: &mut App, text: &str) -> bool {
    app.policies.completion = None;
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
        Focus::Trace => false,
    }
}

fn contains(r: Rect, x: u16, y: u16) -> bool {
    r.contains(Position { x, y })
}

/// Handles a mouse event on a screen of `size`: a click focuses a pane (and selects a
/// trace row), the wheel scrolls. True when the scenario changed.
pub fn handle_mouse(app: &mut App, m: MouseEvent, size: Rect) -> bool {
    app.policies.completion = None;
    if app.mode != Mode::Normal {
        return false;
    }
    let Areas {
        policies,
        request,
        trace,
        ..
    } = layout(size, app.focus);
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
