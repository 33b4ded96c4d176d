//! Evaluation: a pure function from a policy set and a prepared request to a decision,
//! the statements that determined it, and (on request) the full [`Trace`].

pub mod condition;
pub mod decision;
pub mod request;
pub mod service_rules;
pub mod statement;

pub use request::{
    ContextValue, PreparedRequest, Request, RequestParts, Scalar, ScalarKind, ValueRef,
};

use crate::policy::PolicySet;
use crate::trace::{Decision, StatementRef, Trace};

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
}

/// Evaluates `request` against `set`. Pure: no I/O, no globals.
pub fn evaluate(set: &PolicySet, request: &PreparedRequest, detail: Detail) -> Evaluation {
    decision::decide(set, request, detail)
}
