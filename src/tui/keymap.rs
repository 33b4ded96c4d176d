//! The one keymap: which key does what where. Behaviour, the status-bar hints and the
//! help overlay all read this table, so they cannot drift apart.

use super::action::Action;
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
    /// The trace tree.
    Trace,
    /// The help overlay and questions.
    Overlay,
}

/// One binding.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The key.
    pub code: KeyCode,
    /// Its modifiers (exact).
    pub modifiers: KeyModifiers,
    /// Where it applies.
    pub scope: Scope,
    /// What it does.
    pub action: Action,
    /// The key as people write it.
    pub key_label: &'static str,
    /// What it does, in a few words.
    pub description: &'static str,
    /// Shown in the status bar (the rest only in help).
    pub hint: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;

const fn b(
    code: KeyCode,
    modifiers: KeyModifiers,
    scope: Scope,
    action: Action,
    key_label: &'static str,
    description: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        code,
        modifiers,
        scope,
        action,
        key_label,
        description,
        hint,
    }
}

use Action as A;
use KeyCode as K;
use Scope as S;

/// Every binding.
pub const BINDINGS: &[Binding] = &[
    b(
        K::F(9),
        NONE,
        S::Global,
        A::NextView,
        "F9",
        "trace / what-if grid / changes",
        true,
    ),
    b(
        K::F(10),
        NONE,
        S::Global,
        A::GridAxes,
        "F10",
        "what-if grid axes",
        false,
    ),
    b(
        K::Tab,
        NONE,
        S::Global,
        A::FocusNext,
        "Tab",
        "next pane",
        true,
    ),
    b(
        K::BackTab,
        SHIFT,
        S::Global,
        A::FocusPrev,
        "Shift+Tab",
        "previous pane",
        false,
    ),
    b(K::F(1), NONE, S::Global, A::ToggleHelp, "F1", "help", true),
    b(
        K::Char('s'),
        CTRL,
        S::Global,
        A::Save,
        "Ctrl+S",
        "save",
        true,
    ),
    b(
        K::Char('q'),
        CTRL,
        S::Global,
        A::Quit,
        "Ctrl+Q",
        "quit",
        true,
    ),
    b(
        K::Char('n'),
        CTRL,
        S::Global,
        A::NextRequest,
        "Ctrl+N",
        "next request",
        true,
    ),
    b(
        K::Char('p'),
        CTRL,
        S::Global,
        A::PrevRequest,
        "Ctrl+P",
        "previous request",
        false,
    ),
    b(
        K::F(2),
        NONE,
        S::Global,
        A::NextPolicy,
        "F2",
        "next policy",
        true,
    ),
    b(
        K::F(2),
        SHIFT,
        S::Global,
        A::PrevPolicy,
        "Shift+F2",
        "previous policy",
        false,
    ),
    b(
        K::F(3),
        NONE,
        S::Global,
        A::NextPreset,
        "F3",
        "next request preset",
        true,
    ),
    b(
        K::F(4),
        NONE,
        S::Policies,
        A::AddPolicy,
        "F4",
        "add a policy",
        false,
    ),
    b(
        K::F(5),
        NONE,
        S::Policies,
        A::RenamePolicy,
        "F5",
        "rename the policy",
        false,
    ),
    b(
        K::F(6),
        NONE,
        S::Policies,
        A::CyclePolicyType,
        "F6",
        "change the policy's type",
        false,
    ),
    b(
        K::F(7),
        NONE,
        S::Policies,
        A::PlacePolicy,
        "F7",
        "attachedTo / SCP or RCP level",
        false,
    ),
    b(
        K::F(8),
        NONE,
        S::Policies,
        A::DeletePolicy,
        "F8",
        "delete the policy",
        false,
    ),
    b(
        K::Char(' '),
        CTRL,
        S::Policies,
        A::Complete,
        "Ctrl+Space",
        "complete",
        true,
    ),
    b(
        K::Char('l'),
        CTRL,
        S::Policies,
        A::ExpandActions,
        "Ctrl+L",
        "actions a pattern matches",
        false,
    ),
    b(
        K::Char('z'),
        CTRL,
        S::Policies,
        A::Undo,
        "Ctrl+Z",
        "undo",
        true,
    ),
    b(
        K::Char('y'),
        CTRL,
        S::Policies,
        A::Redo,
        "Ctrl+Y",
        "redo",
        false,
    ),
    // Ctrl+C: the editor's copy where there is an editor, and quit (asking first when
    // there are unsaved changes) where there is none, as a terminal user expects.
    b(
        K::Char('c'),
        CTRL,
        S::Policies,
        A::Copy,
        "Ctrl+C",
        "copy the selection",
        true,
    ),
    b(
        K::Char('v'),
        CTRL,
        S::Policies,
        A::PasteCopied,
        "Ctrl+V",
        "paste what Ctrl+C copied",
        false,
    ),
    b(
        K::Char('c'),
        CTRL,
        S::Request,
        A::Quit,
        "Ctrl+C",
        "quit",
        true,
    ),
    b(
        K::Char('c'),
        CTRL,
        S::Trace,
        A::Quit,
        "Ctrl+C",
        "quit",
        true,
    ),
    b(K::Up, NONE, S::Request, A::Up, "↑", "previous field", false),
    b(K::Down, NONE, S::Request, A::Down, "↓", "next field", false),
    b(
        K::Char('a'),
        CTRL,
        S::Request,
        A::AddContextKey,
        "Ctrl+A",
        "add a context key",
        true,
    ),
    b(
        K::Char('d'),
        CTRL,
        S::Request,
        A::DeleteContextKey,
        "Ctrl+D",
        "delete the context key",
        true,
    ),
    b(K::Up, NONE, S::Trace, A::Up, "↑", "previous node", false),
    b(K::Down, NONE, S::Trace, A::Down, "↓", "next node", false),
    b(K::Left, NONE, S::Trace, A::Collapse, "←", "collapse", false),
    b(K::Right, NONE, S::Trace, A::Expand, "→", "expand", false),
    b(
        K::Enter,
        NONE,
        S::Trace,
        A::JumpToSource,
        "Enter",
        "show in the policy",
        true,
    ),
    b(
        K::Char('f'),
        NONE,
        S::Trace,
        A::ToggleDecidingOnly,
        "f",
        "only what decided",
        true,
    ),
    b(
        K::Char('?'),
        NONE,
        S::Trace,
        A::ToggleHelp,
        "?",
        "help",
        false,
    ),
    b(
        K::Esc,
        NONE,
        S::Overlay,
        A::Cancel,
        "Esc",
        "close (decides nothing)",
        true,
    ),
    b(K::Char('y'), NONE, S::Overlay, A::Yes, "y", "yes", false),
    b(
        K::Up,
        NONE,
        S::Overlay,
        A::Up,
        "↑",
        "previous choice",
        false,
    ),
    b(
        K::Down,
        NONE,
        S::Overlay,
        A::Down,
        "↓",
        "next choice",
        false,
    ),
    b(K::Char('n'), NONE, S::Overlay, A::No, "n", "no", false),
    b(
        K::Enter,
        NONE,
        S::Overlay,
        A::Confirm,
        "Enter",
        "confirm",
        false,
    ),
];

/// The action bound to `key` in `scope`.
pub fn lookup(key: &KeyEvent, scope: Scope) -> Option<Action> {
    // Shift is implied for upper-case letters, BackTab and symbols like '?'.
    let mods = key.modifiers - KeyModifiers::SHIFT;
    BINDINGS
        .iter()
        .find(|b| {
            b.scope == scope
                && b.code == key.code
                && (b.modifiers - KeyModifiers::SHIFT == mods)
                && (b.modifiers.contains(KeyModifiers::SHIFT)
                    == key.modifiers.contains(KeyModifiers::SHIFT)
                    || matches!(key.code, KeyCode::Char(_) | KeyCode::BackTab))
        })
        .map(|b| b.action)
}

/// The bindings of `scope`, for hints and help.
pub fn bindings(scope: Scope) -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(move |b| b.scope == scope)
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
        assert_eq!(lookup(&ctrl_c, Scope::Request), Some(Action::Quit));
        assert_eq!(lookup(&ctrl_c, Scope::Trace), Some(Action::Quit));
    }

    #[test]
    fn every_action_key_is_unique_within_its_scope() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                assert!(
                    !(a.scope == b.scope && a.code == b.code && a.modifiers == b.modifiers),
                    "{} bound twice",
                    a.key_label
                );
            }
        }
    }
}
