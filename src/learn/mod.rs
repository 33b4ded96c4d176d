//! Lessons (docs/lessons.md): a scenario with a short text to read, a task, goals to
//! meet by editing its policies, hints whose last one is the answer as a policy edit,
//! and decisions to predict. [`format`] reads and validates a lesson file with
//! positions; [`check`] proves a lesson works (its goals unmet as shipped, met after
//! its answer, its predictions right); [`builtin`] holds the lessons shipped in
//! `assets/lessons/`. No UI here: the TUI's lesson screen builds on this module.

pub mod builtin;
pub mod check;
pub mod format;
pub mod goals;
pub mod progress;

pub use check::{Problem, check};
pub use format::{Goal, GoalKind, Hint, Lesson, PolicyEdit, Predict, load_lesson};
pub use goals::{GoalOutcome, apply_edit, goal_outcomes};
