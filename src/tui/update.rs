//! Turning keys, pastes and mouse events into changes of the [`App`]: every key is
//! looked up in the [`keymap`](super::keymap) (the overlay's scope when one is open,
//! else everywhere, then the focused pane's), and the action is carried out for that
//! scope; the policy editor gets the keys no binding takes. Returns whether the
//! scenario changed and needs evaluating again.

use super::action::Action;
use super::app::{App, Focus, Mode, View};
use super::effect;
use super::keymap::{self, Scope, lookup, overlay_scope, pane_scope};
use super::pane::Effect;
use super::ui::layout::{Areas, layout};
use crate::scenario::presets::{self, Preset};
use crossterm::event::{KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};
use std::path::PathBuf;

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
    match app.mode.clone() {
        Mode::Normal => false,
        Mode::Help => {
            if matches!(action, Action::Cancel | Action::ToggleHelp) {
                app.mode = Mode::Normal;
            }
            false
        }
        Mode::Expansion(pattern, items, first) => {
            match action {
                Action::Up => app.mode = Mode::Expansion(pattern, items, first.saturating_sub(1)),
                Action::Down => {
                    let last = items.len().saturating_sub(1);
                    app.mode = Mode::Expansion(pattern, items, (first + 1).min(last));
                }
                Action::Cancel | Action::Confirm => app.mode = Mode::Normal,
                _ => {}
            }
            false
        }
        Mode::PickPrincipal(selected) => {
            let count = app.picker.as_ref().map_or(0, |p| p.choices.len());
            match action {
                Action::Up => app.mode = Mode::PickPrincipal(selected.saturating_sub(1)),
                Action::Down => {
                    app.mode = Mode::PickPrincipal((selected + 1).min(count.saturating_sub(1)))
                }
                Action::Confirm => return effect::run(app, vec![Effect::LoadPrincipal(selected)]),
                // Nothing is loaded yet: closing the picker ends the program.
                Action::Cancel => app.quit = true,
                _ => {}
            }
            false
        }
        Mode::ConfirmRestore(path) => {
            match action {
                Action::Yes => {
                    app.mode = Mode::Normal;
                    app.restore_recovery(path);
                    app.sync_focus();
                    return true;
                }
                // Only an explicit no deletes the file: Esc just puts the question
                // away, and the file is offered again next time.
                Action::No => {
                    app.mode = Mode::Normal;
                    app.discard_recovery(&path);
                }
                Action::Cancel => {
                    app.mode = Mode::Normal;
                    app.keep_recovery(&path);
                }
                _ => {}
            }
            false
        }
        Mode::ConfirmTempFile(path, rest) => {
            match action {
                // Opened as unsaved edits, as a recovery file is: removed once saved.
                Action::Yes => {
                    app.mode = Mode::Normal;
                    app.restore_recovery(path);
                    if !rest.is_empty() {
                        let others: Vec<String> =
                            rest.iter().map(|p| p.display().to_string()).collect();
                        app.message = Some(format!(
                            "{}; also kept: {}",
                            app.message.take().unwrap_or_default(),
                            others.join(", ")
                        ));
                    }
                    app.sync_focus();
                    return true;
                }
                Action::No => {
                    app.mode = Mode::Normal;
                    app.discard_temp_file(&path);
                    app.offer_leftovers(rest);
                }
                Action::Cancel => {
                    app.mode = Mode::Normal;
                    app.keep_temp_file(&path);
                    app.offer_leftovers(rest);
                }
                _ => {}
            }
            false
        }
        Mode::ConfirmQuit => {
            match action {
                Action::Yes => {
                    // The unsaved edits are discarded on purpose: so is their recovery file.
                    app.forget_recovery();
                    app.quit = true;
                }
                Action::Cancel | Action::No => app.mode = Mode::Normal,
                _ => {}
            }
            false
        }
        Mode::ConfirmDelete => {
            match action {
                Action::Yes => {
                    app.delete_policy();
                    app.mode = Mode::Normal;
                    app.sync_focus();
                    return true;
                }
                Action::Cancel | Action::No => app.mode = Mode::Normal,
                _ => {}
            }
            false
        }
        Mode::SaveAs(text) | Mode::Rename(text) | Mode::Placement(text) | Mode::Axes(text) => {
            let mode = app.mode.clone();
            let with = |t: String| match mode {
                Mode::SaveAs(_) => Mode::SaveAs(t),
                Mode::Rename(_) => Mode::Rename(t),
                Mode::Axes(_) => Mode::Axes(t),
                _ => Mode::Placement(t),
            };
            match prompt_action(app, action, text) {
                Prompt::Editing(t) => app.mode = with(t),
                Prompt::Cancelled => app.mode = Mode::Normal,
                Prompt::Confirmed(t) => {
                    app.mode = Mode::Normal;
                    match mode {
                        Mode::SaveAs(_) if !t.trim().is_empty() => {
                            effect::run(app, vec![Effect::Save(PathBuf::from(t.trim()))]);
                        }
                        Mode::Rename(_) => {
                            app.rename_policy(&t);
                            app.sync_focus();
                            return true;
                        }
                        Mode::Placement(_) => {
                            app.set_placement(&t);
                            app.sync_focus();
                            return true;
                        }
                        Mode::Axes(_) => set_axes(app, &t),
                        _ => {}
                    }
                }
            }
            false
        }
    }
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

/// Where a prompt's text stands after a key.
enum Prompt {
    /// Still being typed.
    Editing(String),
    /// Enter.
    Confirmed(String),
    /// Esc.
    Cancelled,
}

/// An action in a one-line prompt. A suggested text (the save name) goes away on the
/// first key, as a selection would.
fn prompt_action(app: &mut App, action: Action, mut text: String) -> Prompt {
    match action {
        Action::Cancel => Prompt::Cancelled,
        Action::Confirm => Prompt::Confirmed(text),
        Action::DeleteBack => {
            if std::mem::take(&mut app.save_name_fresh) {
                text.clear();
            } else {
                text.pop();
            }
            Prompt::Editing(text)
        }
        Action::Type(c) => {
            if std::mem::take(&mut app.save_name_fresh) {
                text.clear();
            }
            text.push(c);
            Prompt::Editing(text)
        }
        _ => Prompt::Editing(text),
    }
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
            app.refresh_analysis();
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

/// Sets the grid's axes from `KEY=v,v,absent | KEY=v,v` (one or two axes).
fn set_axes(app: &mut App, text: &str) {
    match app.grid.set_axes(text) {
        Ok(()) => {
            app.view = View::Grid;
            app.refresh_analysis();
        }
        Err(e) => app.message = Some(e),
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
                    let height = super::ui::tree_height(app, &rows, inner);
                    let scroll = super::ui::tree_scroll(app, rows.len(), height);
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
