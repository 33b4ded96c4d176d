//! Where a lesson's goals stand for a scenario as its policy texts hold now (as shipped,
//! after the answer's edit, or as a learner has edited them): each policy is parsed
//! from its text, each request evaluated, the policies linted. The same functions
//! serve `learn --check` and the lesson screen to come.

use super::format::{GoalKind, Lesson, PolicyEdit};
use crate::eval::{Detail, PreparedRequest, evaluate};
use crate::scenario::{Scenario, compile_sources, display_names};
use crate::trace::Decision;

/// How one goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalOutcome {
    /// A decision goal: the request's decision now.
    Decision {
        /// Whether it is the one wanted.
        met: bool,
        /// The decision the engine gives.
        decision: Decision,
    },
    /// A decision goal whose request the scenario no longer has (a learner's edit
    /// removed it): not met.
    NoSuchRequest,
    /// A lint goal: how many findings of its rule remain.
    Lint {
        /// Whether none remains.
        met: bool,
        /// The findings of the rule, across every policy.
        findings: usize,
    },
}

impl GoalOutcome {
    /// Whether the goal is met.
    pub fn met(self) -> bool {
        match self {
            GoalOutcome::Decision { met, .. } | GoalOutcome::Lint { met, .. } => met,
            GoalOutcome::NoSuchRequest => false,
        }
    }

    /// What was found, for people: `Implicit deny`, `2 findings`.
    pub fn found(self) -> String {
        match self {
            GoalOutcome::Decision { decision, .. } => decision.label().to_string(),
            GoalOutcome::NoSuchRequest => "no such request".to_string(),
            GoalOutcome::Lint { findings: 1, .. } => "1 finding".to_string(),
            GoalOutcome::Lint { findings, .. } => format!("{findings} findings"),
        }
    }
}

/// A policy whose text does not parse: its name and its errors (`LINE:COLUMN: message`,
/// in the policy's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPolicy {
    /// The policy's name as the scenario shows it.
    pub name: String,
    /// Its errors.
    pub errors: Vec<String>,
}

/// Each goal of `lesson` for `scenario`'s policy texts (the lesson's scenario, or a copy
/// edited), index-aligned with the goals; `Err` when a policy's text does not parse,
/// since goals cannot be judged on policies the engine would not take.
pub fn goal_outcomes(
    lesson: &Lesson,
    scenario: &Scenario,
) -> Result<Vec<GoalOutcome>, InvalidPolicy> {
    let (set, errors) = compile_sources(scenario);
    if let Some(i) = errors.iter().position(|e| !e.is_empty()) {
        let name = display_names(&scenario.sources).swap_remove(i);
        return Err(InvalidPolicy {
            name,
            errors: errors[i]
                .iter()
                .map(|d| format!("{}:{}: {}", d.span.line, d.span.column, d.message))
                .collect(),
        });
    }
    let wants_lint = lesson
        .goals
        .iter()
        .any(|g| matches!(g.kind, GoalKind::LintGone { .. }));
    let findings = if wants_lint {
        crate::lint::lint_compiled(scenario, &set, &errors)
    } else {
        Vec::new()
    };
    let outcomes = lesson
        .goals
        .iter()
        .map(|goal| match &goal.kind {
            GoalKind::Decision { request, decision } => {
                // Validation keeps `request` in range for the lesson's own scenario; a
                // scenario edited since with fewer requests reads as not met.
                let got = scenario.requests.get(*request).map(|r| {
                    evaluate(&set, &PreparedRequest::new(&r.request), Detail::Decision).decision
                });
                match got {
                    Some(d) => GoalOutcome::Decision {
                        met: d == *decision,
                        decision: d,
                    },
                    None => GoalOutcome::NoSuchRequest,
                }
            }
            GoalKind::LintGone { code } => {
                let n = findings
                    .iter()
                    .flatten()
                    .filter(|f| f.code == *code)
                    .count();
                GoalOutcome::Lint {
                    met: n == 0,
                    findings: n,
                }
            }
        })
        .collect();
    Ok(outcomes)
}

/// A copy of `scenario` with `edit` made: the policy's only occurrence of `before`
/// replaced by `after`. `None` when `before` no longer occurs exactly once there (the
/// text was edited since the lesson was loaded).
pub fn apply_edit(scenario: &Scenario, edit: &PolicyEdit) -> Option<Scenario> {
    let src = scenario.sources.get(edit.policy)?;
    if src.text.matches(edit.before.as_str()).count() != 1 {
        return None;
    }
    let mut edited = scenario.clone();
    edited.sources[edit.policy].text = src.text.replacen(&edit.before, &edit.after, 1);
    Some(edited)
}
