//! One undo history for every change the user can make: policy text (typing grouped
//! by word and pause, a completion or a paste in one step), the request form (typing,
//! presets, a grid cell loaded), the list of policies (added, deleted, renamed,
//! retyped, placed) and the list of requests (added, duplicated, renamed, deleted,
//! moved). It also knows whether the scenario is as last saved, so undoing
//! back to that state clears "unsaved".

use crate::scenario::{PolicySource, RequestSpec};
use std::time::{Duration, Instant};

/// Typing after a pause this long starts a new undo step.
pub const PAUSE: Duration = Duration::from_millis(1000);

/// How many steps are kept.
const LIMIT: usize = 1000;

/// The policies and what they are placed in, before or after a change to the list.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyList {
    /// Every policy, with its text.
    pub sources: Vec<PolicySource>,
    /// The SCP levels.
    pub scp_levels: Vec<String>,
    /// The RCP levels.
    pub rcp_levels: Vec<String>,
    /// The policy shown.
    pub current: usize,
}

/// The requests, before or after a change to their list.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestList {
    /// Every request, in order.
    pub requests: Vec<RequestSpec>,
    /// The request shown.
    pub current: usize,
}

/// What one step changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Policy `policy`'s text: `removed` at byte `at` became `inserted`.
    Text {
        /// Which policy.
        policy: usize,
        /// Byte offset of the change.
        at: usize,
        /// The text that was there.
        removed: String,
        /// The text put there.
        inserted: String,
    },
    /// Request `index` (`None`: it did not exist / does not any more).
    Request {
        /// Which request.
        index: usize,
        /// Before the change.
        before: Option<Box<RequestSpec>>,
        /// After it.
        after: Option<Box<RequestSpec>>,
    },
    /// The list of policies.
    Policies {
        /// Before the change.
        before: Box<PolicyList>,
        /// After it.
        after: Box<PolicyList>,
    },
    /// The list of requests (one added, duplicated, renamed, deleted or moved, with
    /// the `via` links that follow it).
    Requests {
        /// Before the change.
        before: Box<RequestList>,
        /// After it.
        after: Box<RequestList>,
    },
}

/// One undo step.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the status bar says was undone or redone ("typing in \"Admin\"").
    pub label: String,
    /// The change.
    pub change: Change,
    /// When it was last added to (typing within [`PAUSE`] joins it).
    at: Instant,
    /// Typing may join this step.
    open: bool,
}

/// The undo history.
#[derive(Debug, Clone)]
pub struct History {
    done: Vec<Step>,
    undone: Vec<Step>,
    /// How many steps were done when the scenario was saved (or loaded); `None` when
    /// that state can no longer be reached by undo or redo.
    saved: Option<usize>,
}

impl Default for History {
    fn default() -> Self {
        History {
            done: Vec::new(),
            undone: Vec::new(),
            saved: Some(0),
        }
    }
}

/// Word characters: typing them continues a word.
fn wordy(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == ':' || c == '*' || c == '-'
}

impl History {
    /// The scenario is as it was saved (or loaded).
    pub fn at_saved(&self) -> bool {
        self.saved == Some(self.done.len())
    }

    /// The current state is the saved one.
    pub fn mark_saved(&mut self) {
        self.saved = Some(self.done.len());
        self.close();
    }

    /// The current state was never saved (edits restored from a recovery file).
    pub fn mark_unsaved(&mut self) {
        self.saved = None;
    }

    /// The next change starts a step of its own (the cursor moved, the focus changed).
    pub fn close(&mut self) {
        if let Some(last) = self.done.last_mut() {
            last.open = false;
        }
    }

    /// Records a change as a step of its own (a preset, a policy deleted): typing
    /// after it starts another.
    pub fn record_step(&mut self, label: String, change: Change, now: Instant) {
        self.close();
        self.record(label, change, now);
        self.close();
    }

    /// Records a change, joining the last step when it is typing that continues it.
    pub fn record(&mut self, label: String, change: Change, now: Instant) {
        self.undone.clear();
        if self.saved.is_some_and(|s| s > self.done.len()) {
            // The saved state was undone and is now out of reach.
            self.saved = None;
        }
        let joinable = self.saved != Some(self.done.len());
        if joinable {
            if let Some(last) = self.done.last_mut() {
                if last.open
                    && last.label == label
                    && now.duration_since(last.at) < PAUSE
                    && join(&mut last.change, &change)
                {
                    last.at = now;
                    return;
                }
            }
        }
        let open = matches!(&change, Change::Text { .. } | Change::Request { .. });
        self.done.push(Step {
            label,
            change,
            at: now,
            open,
        });
        if self.done.len() > LIMIT {
            self.done.remove(0);
            self.saved = self.saved.and_then(|s| s.checked_sub(1));
        }
    }

    /// Records the typing in policy `policy` that turned `old` into `new` (the part
    /// that differs, found from both ends).
    pub fn record_text(&mut self, policy: usize, name: &str, old: &str, new: &str, now: Instant) {
        if let Some(change) = text_change(policy, old, new) {
            self.record_typing(name, change, now);
        }
    }

    /// Records `change` (from [`text_change`]) made by typing in the policy named
    /// `name`, labelled by what it did.
    pub fn record_typing(&mut self, name: &str, change: Change, now: Instant) {
        let label = match &change {
            Change::Text {
                removed, inserted, ..
            } if removed.is_empty() => format!("typing in \"{name}\""),
            Change::Text { inserted, .. } if inserted.is_empty() => {
                format!("deleting in \"{name}\"")
            }
            _ => format!("replacing text in \"{name}\""),
        };
        self.record(label, change, now);
    }

    /// Takes the last step off for undoing (the caller applies its reverse).
    pub fn undo(&mut self) -> Option<&Step> {
        let step = self.done.pop()?;
        self.undone.push(step);
        if let Some(last) = self.done.last_mut() {
            last.open = false;
        }
        self.undone.last()
    }

    /// Takes the last undone step back for redoing (the caller applies it).
    pub fn redo(&mut self) -> Option<&Step> {
        let mut step = self.undone.pop()?;
        step.open = false;
        self.done.push(step);
        self.done.last()
    }
}

/// The change that turns `old` into `new`: their common start and end left out.
pub fn text_change(policy: usize, old: &str, new: &str) -> Option<Change> {
    if old == new {
        return None;
    }
    // Compared a block at a time: a policy may be megabytes, diffed on every key.
    let (start, old_end, new_end) = crate::policy::incremental::edit_range(old, new);
    Some(Change::Text {
        policy,
        at: start,
        removed: old[start..old_end].to_string(),
        inserted: new[start..new_end].to_string(),
    })
}

/// Joins `next` into `last` when it continues it: typing on in the same word, deleting
/// backwards or forwards from the same place, editing the same request.
fn join(last: &mut Change, next: &Change) -> bool {
    match (last, next) {
        (
            Change::Text {
                policy,
                at,
                removed,
                inserted,
            },
            Change::Text {
                policy: p2,
                at: at2,
                removed: r2,
                inserted: i2,
            },
        ) if policy == p2 => {
            let one_char = |s: &str| s.chars().count() == 1;
            if removed.is_empty() && r2.is_empty() && one_char(i2) && *at2 == *at + inserted.len() {
                // Typing on: a word ends where a space or a line break follows a
                // word character.
                let c = i2.chars().next().unwrap_or(' ');
                let ended = !wordy(c) && inserted.chars().last().is_some_and(wordy);
                if ended || c == '\n' {
                    return false;
                }
                inserted.push_str(i2);
                true
            } else if i2.is_empty() && inserted.is_empty() && one_char(r2) {
                if *at2 + r2.len() == *at {
                    // Backspace.
                    removed.insert_str(0, r2);
                    *at = *at2;
                    true
                } else if *at2 == *at {
                    // Delete.
                    removed.push_str(r2);
                    true
                } else {
                    false
                }
            } else {
                false
            }
        }
        (
            Change::Request { index, after, .. },
            Change::Request {
                index: i2,
                before: b2,
                after: a2,
            },
        ) if index == i2 && after == b2 => {
            after.clone_from(a2);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(h: &mut History, old: &str, new: &str, t: Instant) {
        h.record_text(0, "p", old, new, t);
    }

    #[test]
    fn typing_is_one_step_per_word() {
        let mut h = History::default();
        let t = Instant::now();
        let states = ["", "a", "ab", "ab ", "ab c", "ab cd"];
        for w in states.windows(2) {
            text(&mut h, w[0], w[1], t);
        }
        assert_eq!(h.done.len(), 2, "{:?}", h.done);
        let Change::Text { inserted, .. } = &h.undo().unwrap().change else {
            panic!()
        };
        assert_eq!(inserted, " cd");
        assert!(!h.at_saved());
        h.undo();
        assert!(h.at_saved(), "undone back to the saved state");
    }

    #[test]
    fn typing_after_deleting_is_a_step_of_its_own() {
        let mut h = History::default();
        let t = Instant::now();
        text(&mut h, "", "}", t);
        text(&mut h, "}", "", t);
        text(&mut h, "", "}", t);
        assert_eq!(h.done.len(), 3);
    }

    #[test]
    fn a_pause_starts_a_new_step() {
        let mut h = History::default();
        let t = Instant::now();
        text(&mut h, "", "a", t);
        text(&mut h, "a", "ab", t + PAUSE * 2);
        assert_eq!(h.done.len(), 2);
    }

    #[test]
    fn backspaces_join_and_a_completion_is_one_step() {
        let mut h = History::default();
        let t = Instant::now();
        text(&mut h, "abc", "ab", t);
        text(&mut h, "ab", "a", t);
        assert_eq!(h.done.len(), 1);
        assert_eq!(
            h.done[0].change,
            Change::Text {
                policy: 0,
                at: 1,
                removed: "bc".into(),
                inserted: String::new()
            }
        );
        // A completion replaces a word at once.
        h.close();
        text(&mut h, "\"s3:Ge\"", "\"s3:GetObject\"", t);
        assert_eq!(h.done.len(), 2);
        assert_eq!(h.done[1].label, "typing in \"p\"");
    }

    #[test]
    fn the_change_is_the_differing_middle_on_char_boundaries() {
        let c = text_change(3, "aé€b", "aé€€b").unwrap();
        let Change::Text {
            at,
            removed,
            inserted,
            ..
        } = c
        else {
            panic!()
        };
        assert_eq!((removed.as_str(), inserted.as_str()), ("", "€"));
        assert!("aé€b".is_char_boundary(at));
        assert_eq!(text_change(0, "x", "x"), None);
    }

    #[test]
    fn saved_state_out_of_reach_is_never_clean_again() {
        let mut h = History::default();
        let t = Instant::now();
        text(&mut h, "", "a", t);
        h.mark_saved();
        h.undo();
        assert!(!h.at_saved());
        // A new change after undoing past the save: the saved state is gone.
        text(&mut h, "", "b", t);
        assert!(!h.at_saved());
        h.undo();
        assert!(!h.at_saved());
    }

    #[test]
    fn typing_right_after_a_save_starts_a_new_step() {
        let mut h = History::default();
        let t = Instant::now();
        text(&mut h, "", "a", t);
        h.mark_saved();
        text(&mut h, "a", "ab", t);
        assert_eq!(h.done.len(), 2);
        h.undo();
        assert!(h.at_saved());
    }
}
