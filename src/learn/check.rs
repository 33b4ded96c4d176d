//! Whether a lesson works, as `learn --check` and the test suite ask: as shipped at
//! least one goal is unmet (else there is nothing to do), the answer (the last hint's
//! edit) meets every goal, and every predict step states the engine's decision.

use super::format::{Lesson, request_label};
use super::goals::{apply_edit, goal_outcomes};
use crate::eval::{Detail, PreparedRequest, evaluate};
use crate::trace::Decision;
use std::fmt;

/// One way a lesson fails its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A policy of the scenario as shipped does not parse on its own.
    ShippedPolicyInvalid {
        /// The policy's name.
        policy: String,
        /// Its errors, `LINE:COLUMN: message` in the policy's text.
        errors: Vec<String>,
    },
    /// Every goal is met before the learner does anything.
    NothingToDo,
    /// The answer's `before` no longer occurs exactly once (cannot happen for a lesson
    /// that loaded; kept so a caller never panics).
    AnswerNotApplicable,
    /// The answer's edit leaves a policy that does not parse.
    AnswerBreaksPolicy {
        /// The policy's name.
        policy: String,
        /// Its errors, `LINE:COLUMN: message` in the edited text.
        errors: Vec<String>,
    },
    /// After the answer's edit, a goal is still unmet.
    GoalUnmetByAnswer {
        /// The goal's number (1-based).
        goal: usize,
        /// The goal in words.
        wanted: String,
        /// What the engine gives instead.
        found: String,
    },
    /// A predict step states a decision the engine does not give.
    WrongPrediction {
        /// The step's number (1-based).
        step: usize,
        /// The request in words.
        request: String,
        /// The answer the lesson states.
        stated: Decision,
        /// The engine's decision as shipped.
        engine: Decision,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::ShippedPolicyInvalid { policy, errors } => write!(
                f,
                "policy \"{policy}\" as shipped does not parse: {}",
                errors.join("; ")
            ),
            Problem::NothingToDo => write!(
                f,
                "every goal is already met as shipped: there is nothing to do"
            ),
            Problem::AnswerNotApplicable => {
                write!(f, "the last hint's edit cannot be applied")
            }
            Problem::AnswerBreaksPolicy { policy, errors } => write!(
                f,
                "the last hint's edit leaves policy \"{policy}\" invalid: {}",
                errors.join("; ")
            ),
            Problem::GoalUnmetByAnswer {
                goal,
                wanted,
                found,
            } => write!(
                f,
                "goal {goal} ({wanted}) is not met after the last hint's edit: got {found}"
            ),
            Problem::WrongPrediction {
                step,
                request,
                stated,
                engine,
            } => write!(
                f,
                "predict step {step}: the lesson says {request} is {}, the engine says {}",
                stated.label(),
                engine.label()
            ),
        }
    }
}

/// Every problem of `lesson`; empty when it holds.
pub fn check(lesson: &Lesson) -> Vec<Problem> {
    let mut problems = Vec::new();
    let scenario = &lesson.scenario;
    match goal_outcomes(lesson, scenario) {
        Ok(shipped) if shipped.iter().all(|o| o.met()) => problems.push(Problem::NothingToDo),
        Ok(_) => {}
        Err(bad) => problems.push(Problem::ShippedPolicyInvalid {
            policy: bad.name,
            errors: bad.errors,
        }),
    }
    for (i, step) in lesson.predict.iter().enumerate() {
        let Some(r) = scenario.requests.get(step.request) else {
            continue;
        };
        let engine = evaluate(
            &scenario.set,
            &PreparedRequest::new(&r.request),
            Detail::Decision,
        )
        .decision;
        if engine != step.answer {
            problems.push(Problem::WrongPrediction {
                step: i + 1,
                request: request_label(scenario, step.request),
                stated: step.answer,
                engine,
            });
        }
    }
    let Some(edited) = lesson.answer().and_then(|e| apply_edit(scenario, e)) else {
        problems.push(Problem::AnswerNotApplicable);
        return problems;
    };
    match goal_outcomes(lesson, &edited) {
        Ok(after) => {
            for (i, (goal, outcome)) in lesson.goals.iter().zip(after).enumerate() {
                if !outcome.met() {
                    problems.push(Problem::GoalUnmetByAnswer {
                        goal: i + 1,
                        wanted: goal.describe(scenario),
                        found: outcome.found(),
                    });
                }
            }
        }
        Err(bad) => problems.push(Problem::AnswerBreaksPolicy {
            policy: bad.name,
            errors: bad.errors,
        }),
    }
    problems
}
