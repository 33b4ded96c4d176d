//! The one keymap: which key does what where. Every key the TUI reacts to is looked
//! up here (the policy editor gets the keys no binding takes); the status-bar hints,
//! the help overlay and every key name drawn in text ([`key_label`]) read this table,
//! so they cannot drift from the real keys.

use super::action::Action;
use super::app::{Focus, Mode, View};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere (read before a pane sees the key).
    Global,
    /// The policy editor.
    Policies,
    /// The request form.
    Request,
    /// The trace view of the bottom-right pane.
    Trace,
    /// The what-if grid view.
    Grid,
    /// The changes view.
    Changes,
    /// The lint view.
    Lint,
    /// The lesson pane.
    Lesson,
    /// The completion list open in the editor.
    Completion,
    /// A list over the panes: the principal picker, the actions a pattern matches.
    List,
    /// A one-line prompt (save as, rename, placement, go to).
    Prompt,
    /// The what-if grid's axes picker: a list to tick, and a line to type the axes.
    Axes,
    /// A yes/no question.
    Question,
    /// The help overlay.
    Help,
}

/// The scope of the pane that has the keyboard: `focus`, and for the bottom-right
/// pane the view it shows. The one place that decides it (keys and hints).
pub fn pane_scope(focus: Focus, view: View) -> Scope {
    match (focus, view) {
        (Focus::Policies, _) => Scope::Policies,
        (Focus::Request, _) => Scope::Request,
        (Focus::Trace, View::Trace) => Scope::Trace,
        (Focus::Trace, View::Grid) => Scope::Grid,
        (Focus::Trace, View::Changes) => Scope::Changes,
        (Focus::Trace, View::Lint) => Scope::Lint,
        (Focus::Lesson, _) => Scope::Lesson,
    }
}

/// The scope of what is drawn over the panes in `mode`, if anything is.
pub fn overlay_scope(mode: &Mode) -> Option<Scope> {
    Some(match mode {
        Mode::Normal => return None,
        Mode::Help | Mode::About => Scope::Help,
        Mode::PickPrincipal(_) | Mode::Expansion(..) | Mode::NewRequest(_) | Mode::Lessons(_) => {
            Scope::List
        }
        Mode::SaveAs(_)
        | Mode::SaveScenarioAs(_)
        | Mode::Rename(_)
        | Mode::RenameRequest(_)
        | Mode::Placement(_)
        | Mode::GoTo(_) => Scope::Prompt,
        Mode::Axes(_) => Scope::Axes,
        Mode::ConfirmQuit
        | Mode::ConfirmDelete
        | Mode::ConfirmDeleteRequest
        | Mode::ConfirmRestore(_)
        | Mode::ConfirmTempFile(..)
        | Mode::ConfirmSave(_)
        | Mode::ConfirmDraft(..)
        | Mode::ConfirmOpenDraft(_)
        | Mode::ConfirmLeaveLesson(_) => Scope::Question,
    })
}

/// One binding.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The key.
    pub code: KeyCode,
    /// Its modifiers (exact).
    pub modifiers: KeyModifiers,
    /// Where it applies (the help lists it under the first).
    pub scopes: &'static [Scope],
    /// What it does.
    pub action: Action,
    /// The key as people write it.
    pub key_label: &'static str,
    /// What it does, in a few words.
    pub description: &'static str,
    /// Shown in the status bar (the rest only in help).
    pub hint: bool,
    /// The help shows it on the line of the binding before it ("↑ ↓  up / down").
    pub pair: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const ALT: KeyModifiers = KeyModifiers::ALT;

/// A binding: key, scopes, action, label, description (hint and pair off).
const fn b(
    code: KeyCode,
    modifiers: KeyModifiers,
    scopes: &'static [Scope],
    action: Action,
    key_label: &'static str,
    description: &'static str,
) -> Binding {
    Binding {
        code,
        modifiers,
        scopes,
        action,
        key_label,
        description,
        hint: false,
        pair: false,
    }
}

impl Binding {
    /// Shown in the status bar too.
    const fn hint(mut self) -> Self {
        self.hint = true;
        self
    }

    /// Shown in help on the line of the binding before it.
    const fn pair(mut self) -> Self {
        self.pair = true;
        self
    }
}

use Action as A;
use KeyCode as K;
use Scope as S;

const GLOBAL: &[Scope] = &[S::Global];
const POLICIES: &[Scope] = &[S::Policies];
const REQUEST: &[Scope] = &[S::Request];
const TRACE: &[Scope] = &[S::Trace];
const GRID: &[Scope] = &[S::Grid];
/// The views of the bottom-right pane.
const VIEWS: &[Scope] = &[S::Trace, S::Grid, S::Changes, S::Lint];
/// The views with a selection to move.
const MOVABLE: &[Scope] = &[S::Trace, S::Grid, S::Lint, S::Lesson];
/// The panes without an editor (Ctrl+C quits there).
const NO_EDITOR: &[Scope] = &[
    S::Request,
    S::Trace,
    S::Grid,
    S::Changes,
    S::Lint,
    S::Lesson,
];
const LESSON: &[Scope] = &[S::Lesson];
/// Everything drawn over the panes.
const OVERLAYS: &[Scope] = &[
    S::Completion,
    S::List,
    S::Axes,
    S::Prompt,
    S::Question,
    S::Help,
];
const CHOICES: &[Scope] = &[S::Completion, S::List, S::Axes];
const AXES: &[Scope] = &[S::Axes];

/// Every binding.
pub const BINDINGS: &[Binding] = &[
    b(
        K::F(9),
        NONE,
        GLOBAL,
        A::NextView,
        "F9",
        "trace / grid / changes / lint",
    )
    .hint(),
    b(
        K::F(10),
        NONE,
        GLOBAL,
        A::GridAxes,
        "F10",
        "what-if grid axes",
    ),
    b(K::Tab, NONE, GLOBAL, A::FocusNext, "Tab", "next pane").hint(),
    b(
        K::BackTab,
        SHIFT,
        GLOBAL,
        A::FocusPrev,
        "Shift+Tab",
        "previous pane",
    )
    .pair(),
    b(K::F(1), NONE, GLOBAL, A::ToggleHelp, "F1", "help").hint(),
    b(K::Char('s'), CTRL, GLOBAL, A::Save, "Ctrl+S", "save").hint(),
    b(
        K::Char('s'),
        CTRL.union(ALT),
        GLOBAL,
        A::SaveAs,
        "Ctrl+Alt+S",
        "save as (another file)",
    ),
    b(
        K::Char('e'),
        CTRL,
        GLOBAL,
        A::SaveScenarioAs,
        "Ctrl+E",
        "save the whole scenario as…",
    ),
    b(K::Char('q'), CTRL, GLOBAL, A::Quit, "Ctrl+Q", "quit").hint(),
    b(
        K::Char('n'),
        CTRL,
        GLOBAL,
        A::NextRequest,
        "Ctrl+N",
        "next request",
    )
    .hint(),
    b(
        K::Char('p'),
        CTRL,
        GLOBAL,
        A::PrevRequest,
        "Ctrl+P",
        "previous request",
    )
    .pair(),
    b(
        K::Char('g'),
        CTRL,
        GLOBAL,
        A::GoToRequest,
        "Ctrl+G",
        "go to request number…",
    ),
    b(
        K::Char('o'),
        CTRL,
        GLOBAL,
        A::About,
        "Ctrl+O",
        "the scenario whole",
    ),
    b(
        K::Char('r'),
        CTRL,
        GLOBAL,
        A::ApplyFix,
        "Ctrl+R",
        "apply the fix selected",
    )
    .hint(),
    b(
        K::Char('t'),
        CTRL,
        GLOBAL,
        A::SetExpect,
        "Ctrl+T",
        "expect this decision",
    ),
    b(K::Char('l'), ALT, GLOBAL, A::LessonList, "Alt+L", "lessons"),
    b(
        K::Char('n'),
        ALT,
        GLOBAL,
        A::NextLesson,
        "Alt+N",
        "next lesson",
    )
    .pair(),
    b(
        K::Char('h'),
        ALT,
        GLOBAL,
        A::NextHint,
        "Alt+H",
        "the lesson's next hint",
    ),
    b(K::F(2), NONE, GLOBAL, A::NextPolicy, "F2", "next policy").hint(),
    b(
        K::F(2),
        SHIFT,
        GLOBAL,
        A::PrevPolicy,
        "Shift+F2",
        "previous policy",
    )
    .pair(),
    b(
        K::F(3),
        NONE,
        GLOBAL,
        A::NextPreset,
        "F3",
        "next request preset",
    )
    .hint(),
    b(K::F(4), NONE, POLICIES, A::AddPolicy, "F4", "add a policy"),
    b(K::F(5), NONE, POLICIES, A::RenamePolicy, "F5", "rename it").pair(),
    b(
        K::F(6),
        NONE,
        POLICIES,
        A::CyclePolicyType,
        "F6",
        "change the policy's type",
    ),
    b(
        K::F(7),
        NONE,
        POLICIES,
        A::PlacePolicy,
        "F7",
        "attachedTo, level, principal",
    ),
    b(
        K::F(8),
        NONE,
        POLICIES,
        A::DeletePolicy,
        "F8",
        "delete the policy",
    ),
    b(
        K::Char(' '),
        CTRL,
        POLICIES,
        A::Complete,
        "Ctrl+Space",
        "complete",
    )
    .hint(),
    b(
        K::Char('l'),
        CTRL,
        POLICIES,
        A::ExpandActions,
        "Ctrl+L",
        "actions a pattern matches",
    ),
    b(
        K::Char('f'),
        CTRL,
        POLICIES,
        A::Reformat,
        "Ctrl+F",
        "pretty-print the policy",
    ),
    b(
        K::Char('z'),
        CTRL,
        GLOBAL,
        A::Undo,
        "Ctrl+Z",
        "undo any change",
    )
    .hint(),
    b(K::Char('y'), CTRL, GLOBAL, A::Redo, "Ctrl+Y", "redo").pair(),
    // Ctrl+C: the editor's copy where there is an editor, and quit (asking first when
    // there are unsaved changes) where there is none, as a terminal user expects.
    b(
        K::Char('c'),
        CTRL,
        POLICIES,
        A::Copy,
        "Ctrl+C",
        "copy the selection",
    )
    .hint(),
    b(
        K::Char('v'),
        CTRL,
        POLICIES,
        A::PasteCopied,
        "Ctrl+V",
        "paste what Ctrl+C copied",
    ),
    b(K::Char('c'), CTRL, NO_EDITOR, A::Quit, "Ctrl+C", "quit").hint(),
    b(K::Up, NONE, REQUEST, A::Up, "↑", "previous row"),
    b(K::Down, NONE, REQUEST, A::Down, "↓", "next row").pair(),
    b(K::Left, NONE, REQUEST, A::CursorLeft, "←", "cursor left"),
    b(K::Right, NONE, REQUEST, A::CursorRight, "→", "right").pair(),
    b(K::Home, NONE, REQUEST, A::CursorStart, "Home", "row start"),
    b(K::End, NONE, REQUEST, A::CursorEnd, "End", "row end").pair(),
    b(
        K::Backspace,
        NONE,
        &[S::Request, S::Prompt, S::Axes],
        A::DeleteBack,
        "Backspace",
        "delete back",
    ),
    b(K::Delete, NONE, REQUEST, A::DeleteForward, "Del", "forward").pair(),
    b(
        K::Enter,
        NONE,
        REQUEST,
        A::NextRow,
        "Enter",
        "next row (a new key on the last)",
    ),
    b(
        K::Char('a'),
        CTRL,
        REQUEST,
        A::AddContextKey,
        "Ctrl+A",
        "add a context key",
    )
    .hint(),
    b(
        K::Char('d'),
        CTRL,
        REQUEST,
        A::DeleteContextKey,
        "Ctrl+D",
        "delete the context key",
    )
    .hint(),
    b(
        K::Char(' '),
        CTRL,
        REQUEST,
        A::Complete,
        "Ctrl+Space",
        "complete action, resource, key",
    ),
    b(
        K::F(4),
        NONE,
        REQUEST,
        A::AddRequest,
        "F4",
        "add a request…",
    )
    .hint(),
    b(
        K::F(6),
        NONE,
        REQUEST,
        A::DuplicateRequest,
        "F6",
        "duplicate it",
    )
    .pair(),
    b(
        K::F(5),
        NONE,
        REQUEST,
        A::RenameRequest,
        "F5",
        "rename the request",
    ),
    b(K::F(8), NONE, REQUEST, A::DeleteRequest, "F8", "delete it").pair(),
    b(
        K::Up,
        ALT,
        REQUEST,
        A::MoveRequestEarlier,
        "Alt+↑",
        "move the request earlier",
    ),
    b(K::Down, ALT, REQUEST, A::MoveRequestLater, "Alt+↓", "later").pair(),
    b(K::Up, NONE, MOVABLE, A::Up, "↑", "move up"),
    b(K::Down, NONE, MOVABLE, A::Down, "↓", "down").pair(),
    b(K::Left, NONE, TRACE, A::Collapse, "←", "collapse"),
    b(K::Right, NONE, TRACE, A::Expand, "→", "expand").pair(),
    b(K::Left, NONE, GRID, A::CursorLeft, "←", "grid column left"),
    b(K::Right, NONE, GRID, A::CursorRight, "→", "right").pair(),
    b(K::PageUp, NONE, TRACE, A::PageUp, "PgUp", "page up"),
    b(K::PageDown, NONE, TRACE, A::PageDown, "PgDn", "page down").pair(),
    b(K::Home, NONE, TRACE, A::First, "Home", "first row"),
    b(K::End, NONE, TRACE, A::Last, "End", "last row").pair(),
    b(
        K::Enter,
        NONE,
        &[S::Trace, S::Lint],
        A::JumpToSource,
        "Enter",
        "show in the policy",
    )
    .hint(),
    b(
        K::Enter,
        NONE,
        GRID,
        A::LoadCell,
        "Enter",
        "load the cell into the request",
    )
    .hint(),
    b(
        K::Char('f'),
        NONE,
        TRACE,
        A::ToggleDecidingOnly,
        "f",
        "only what decided",
    )
    .hint(),
    b(K::Char('?'), NONE, VIEWS, A::ToggleHelp, "?", "help").pair(),
    b(K::Char('h'), NONE, LESSON, A::NextHint, "h", "next hint").hint(),
    b(
        K::Char('1'),
        NONE,
        LESSON,
        A::PredictAllow,
        "1",
        "predict Allow",
    )
    .hint(),
    b(
        K::Char('2'),
        NONE,
        LESSON,
        A::PredictImplicitDeny,
        "2",
        "Implicit deny",
    )
    .pair()
    .hint(),
    b(
        K::Char('3'),
        NONE,
        LESSON,
        A::PredictExplicitDeny,
        "3",
        "predict Explicit deny",
    )
    .hint(),
    b(K::Up, NONE, CHOICES, A::Up, "↑", "previous choice"),
    b(K::Down, NONE, CHOICES, A::Down, "↓", "next choice").pair(),
    b(
        K::Enter,
        NONE,
        &[S::Completion, S::List, S::Axes, S::Prompt],
        A::Confirm,
        "Enter",
        "confirm",
    ),
    b(K::Tab, NONE, &[S::Completion], A::Confirm, "Tab", "insert").pair(),
    b(
        K::Char(' '),
        NONE,
        AXES,
        A::Tick,
        "Space",
        "grid axes: tick",
    ),
    b(K::Tab, NONE, AXES, A::FocusNext, "Tab", "type them").pair(),
    b(K::Char('y'), NONE, &[S::Question], A::Yes, "y", "yes"),
    b(K::Char('n'), NONE, &[S::Question], A::No, "n", "no").pair(),
    b(
        K::Esc,
        NONE,
        OVERLAYS,
        A::Cancel,
        "Esc",
        "close (decides nothing)",
    ),
    b(
        K::Char('?'),
        NONE,
        &[S::Help],
        A::ToggleHelp,
        "?",
        "close the help",
    ),
    b(K::Char('q'), NONE, &[S::Help], A::ToggleHelp, "q", "close").pair(),
    b(
        K::Down,
        NONE,
        &[S::Help],
        A::Down,
        "↓",
        "scroll the help down",
    ),
    b(K::PageDown, NONE, &[S::Help], A::PageDown, "PgDn", "a page").pair(),
    b(K::Up, NONE, &[S::Help], A::Up, "↑", "scroll up"),
    b(K::PageUp, NONE, &[S::Help], A::PageUp, "PgUp", "a page").pair(),
];

/// Whether `binding` matches `key`. Shift is implied for upper-case letters, BackTab
/// and symbols like '?'.
fn matches(binding: &Binding, key: &KeyEvent) -> bool {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    binding.code == key.code
        && (binding.modifiers - KeyModifiers::SHIFT == mods)
        && (binding.modifiers.contains(KeyModifiers::SHIFT)
            == key.modifiers.contains(KeyModifiers::SHIFT)
            || matches!(key.code, KeyCode::Char(_) | KeyCode::BackTab))
}

/// The action bound to `key` in `scope`.
pub fn lookup(key: &KeyEvent, scope: Scope) -> Option<Action> {
    bindings(scope).find(|b| matches(b, key)).map(|b| b.action)
}

/// The character `key` types, when it is a plain (or shifted) character key.
pub fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// What `key` does in `scope`: its binding, or, where text is typed (the request form,
/// prompts), typing the character.
pub fn action(key: &KeyEvent, scope: Scope) -> Option<Action> {
    lookup(key, scope).or_else(|| match scope {
        Scope::Request | Scope::Prompt | Scope::Axes => typed_char(key).map(Action::Type),
        _ => None,
    })
}

/// Whether `key`, handed to the editor while the completion list is open, changes the
/// word being completed (a typed character or Backspace): the list then follows it.
pub fn refines_completion(key: &KeyEvent) -> bool {
    typed_char(key).is_some() || (key.code == KeyCode::Backspace && key.modifiers == NONE)
}

/// The key that panics on purpose when `IAMTRACE_TEST_PANIC=1` (a test of the panic
/// hook): F12.
pub fn is_panic_test_key(key: &KeyEvent) -> bool {
    key.code == KeyCode::F(12)
}

/// The bindings of `scope`, for hints and help.
pub fn bindings(scope: Scope) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.scopes.contains(&scope))
}

/// The key that does `action` in `scope` (or everywhere), as people write it: every
/// key name drawn in text comes from here. "?" when none is bound (a test checks
/// that every pair the screens ask for is).
pub fn key_label(action: Action, scope: Scope) -> &'static str {
    bindings(scope)
        .chain(bindings(Scope::Global))
        .find(|b| b.action == action)
        .map_or("?", |b| b.key_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_respects_modifiers_and_scope() {
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), CTRL);
        assert_eq!(lookup(&ctrl_s, Scope::Global), Some(Action::Save));
        let s = KeyEvent::new(KeyCode::Char('s'), NONE);
        assert_eq!(lookup(&s, Scope::Global), None);
        let f2 = KeyEvent::new(KeyCode::F(2), NONE);
        let shift_f2 = KeyEvent::new(KeyCode::F(2), SHIFT);
        assert_eq!(lookup(&f2, Scope::Global), Some(Action::NextPolicy));
        assert_eq!(lookup(&shift_f2, Scope::Global), Some(Action::PrevPolicy));
        let back = KeyEvent::new(KeyCode::BackTab, SHIFT);
        assert_eq!(lookup(&back, Scope::Global), Some(Action::FocusPrev));
        let q = KeyEvent::new(KeyCode::Char('?'), SHIFT);
        assert_eq!(lookup(&q, Scope::Trace), Some(Action::ToggleHelp));
    }

    #[test]
    fn ctrl_c_copies_in_the_editor_and_quits_elsewhere() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), CTRL);
        assert_eq!(lookup(&ctrl_c, Scope::Global), None);
        assert_eq!(lookup(&ctrl_c, Scope::Policies), Some(Action::Copy));
        for scope in [
            Scope::Request,
            Scope::Trace,
            Scope::Grid,
            Scope::Changes,
            Scope::Lint,
            Scope::Lesson,
        ] {
            assert_eq!(lookup(&ctrl_c, scope), Some(Action::Quit), "{scope:?}");
        }
    }

    #[test]
    fn every_action_key_is_unique_within_its_scope() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                let shared = a.scopes.iter().any(|s| b.scopes.contains(s));
                assert!(
                    !(shared && a.code == b.code && a.modifiers == b.modifiers),
                    "{} bound twice",
                    a.key_label
                );
            }
        }
    }

    #[test]
    fn text_is_typed_only_where_text_is_edited() {
        let x = KeyEvent::new(KeyCode::Char('x'), NONE);
        let big = KeyEvent::new(KeyCode::Char('X'), SHIFT);
        assert_eq!(action(&x, Scope::Request), Some(Action::Type('x')));
        assert_eq!(action(&big, Scope::Prompt), Some(Action::Type('X')));
        assert_eq!(action(&x, Scope::Trace), None);
        assert_eq!(action(&x, Scope::Question), None);
        // A bound key is its action, not text: `y` answers, Ctrl+A adds a key.
        let y = KeyEvent::new(KeyCode::Char('y'), NONE);
        assert_eq!(action(&y, Scope::Question), Some(Action::Yes));
        assert_eq!(action(&y, Scope::Prompt), Some(Action::Type('y')));
        let ctrl_x = KeyEvent::new(KeyCode::Char('x'), CTRL);
        assert_eq!(action(&ctrl_x, Scope::Request), None);
    }

    #[test]
    fn the_focus_and_view_give_the_scope() {
        assert_eq!(pane_scope(Focus::Policies, View::Grid), Scope::Policies);
        assert_eq!(pane_scope(Focus::Request, View::Lint), Scope::Request);
        assert_eq!(pane_scope(Focus::Trace, View::Trace), Scope::Trace);
        assert_eq!(pane_scope(Focus::Trace, View::Grid), Scope::Grid);
        assert_eq!(pane_scope(Focus::Trace, View::Changes), Scope::Changes);
        assert_eq!(pane_scope(Focus::Trace, View::Lint), Scope::Lint);
        assert_eq!(overlay_scope(&Mode::Normal), None);
        assert_eq!(overlay_scope(&Mode::Help), Some(Scope::Help));
        let picker = crate::tui::pane::axes::AxesPicker::new(Vec::new(), &[]);
        assert_eq!(
            overlay_scope(&Mode::Axes(Box::new(picker))),
            Some(Scope::Axes)
        );
    }

    /// Every (action, scope) whose key name a screen draws has a key.
    #[test]
    fn every_key_name_drawn_is_bound() {
        for (action, scope) in super::super::ui::KEYS_DRAWN {
            assert_ne!(key_label(*action, *scope), "?", "{action:?} in {scope:?}");
        }
    }
}
