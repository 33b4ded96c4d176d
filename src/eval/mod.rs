//! Evaluation: a pure function from a policy set and a prepared request to a decision,
//! the statements that determined it, and (on request) the full [`Trace`].

pub mod condition;
pub mod decision;
mod marked;
pub mod request;
pub mod service_rules;
pub mod statement;
pub mod unresolved;

pub use request::{
    ContextValue, PreparedRequest, Request, RequestParts, Scalar, ScalarKind, ValueRef,
};

use crate::policy::PolicySet;
use crate::trace::{Decision, StatementRef, Trace, Unresolved};

/// How much the caller wants back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// The decision and the deciding statements only (bulk evaluation, grids).
    Decision,
    /// The decision with the full trace (the TUI, `eval`).
    Trace,
}

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The decision.
    pub decision: Decision,
    /// The statements that determined it: the Denies that fired, or the Allows that
    /// granted (empty for an implicit deny).
    pub determined_by: Vec<StatementRef>,
    /// The trace, when [`Detail::Trace`] was asked for.
    pub trace: Option<Trace>,
    /// How placeholders (unresolved template values) took part, when any did: the
    /// decision above takes each comparison that touches one as no match; this says
    /// whether resolving them could change it. Given at both levels of detail.
    pub unresolved: Option<Unresolved>,
}

impl Evaluation {
    /// Whether a scenario's `expect` holds: the decision is the one expected and it
    /// does not depend on unresolved values (an expectation cannot be met by a
    /// decision that resolving a template value could change).
    pub fn meets(&self, expect: Decision) -> bool {
        self.decision == expect && !self.depends_on_unresolved()
    }

    /// Whether resolving the placeholders that took part could change the decision.
    pub fn depends_on_unresolved(&self) -> bool {
        self.unresolved.as_ref().is_some_and(|u| u.depends)
    }
}

/// Evaluates `request` against `set`. Pure: no I/O, no globals.
pub fn evaluate(set: &PolicySet, request: &PreparedRequest, detail: Detail) -> Evaluation {
    decision::decide(set, request, detail)
}
