//! Evaluating the scenario being edited, as one pure step: every policy parsed (with
//! its errors), every request evaluated with its trace, the why-not report of the
//! request shown, and the lint findings. It runs on the input thread for small
//! scenarios and on the worker for big ones.

use crate::analysis::whynot::{WhyNot, why_not};
use crate::eval::{Detail, PreparedRequest, evaluate};
use crate::policy::PolicySet;
use crate::scenario::{PolicyCache, Scenario};
use crate::source::Diagnostic;
use crate::trace::{Decision, StatementRef, Trace};

/// One request's evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestResult {
    /// The decision.
    pub decision: Decision,
    /// The statements that decided.
    pub determined_by: Vec<StatementRef>,
    /// The trace.
    pub trace: Trace,
}

/// The result of evaluating the whole scenario once.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluated {
    /// Each policy's errors (index-aligned with the scenario's policies).
    pub errors: Vec<Vec<Diagnostic>>,
    /// The policy set, when every policy is valid.
    pub set: Option<PolicySet>,
    /// Every request's result, when every policy is valid.
    pub results: Option<Vec<RequestResult>>,
    /// The why-not report of the request asked about, when every policy is valid.
    pub why: Option<WhyNot>,
    /// The request `why` is about.
    pub focus: Option<usize>,
    /// Each policy's lint findings (index-aligned with the scenario's policies);
    /// `None` while the service catalog is still loading.
    pub lint: Option<Vec<Vec<crate::lint::Finding>>>,
}

/// Parses every policy and evaluates every request of `scenario`: pure, so it can run
/// on the input thread or a worker.
pub fn evaluate_scenario(scenario: &Scenario) -> Evaluated {
    evaluate_scenario_for(scenario, None)
}

/// [`evaluate_scenario`], with the why-not report of request `focus` (so the costly
/// part runs where the evaluation runs: on the worker for big scenarios).
pub fn evaluate_scenario_for(scenario: &Scenario, focus: Option<usize>) -> Evaluated {
    evaluate_scenario_kept(scenario, focus, &mut PolicyCache::default())
}

/// [`evaluate_scenario_for`], parsing and linting again only the policies (and in
/// them the statements) that changed since the last evaluation with `cache`.
pub fn evaluate_scenario_kept(
    scenario: &Scenario,
    focus: Option<usize>,
    cache: &mut PolicyCache,
) -> Evaluated {
    let (set, errors) = cache.compile(scenario);
    // Lint needs the service catalog: until it is loaded (in the background, so the
    // first frame does not wait for it) there are no findings yet.
    let lint = if crate::catalog::services::loaded().is_some() {
        Some(cache.lint(scenario, &set, &errors))
    } else {
        None
    };
    if errors.iter().any(|e| !e.is_empty()) {
        return Evaluated {
            errors,
            set: None,
            results: None,
            why: None,
            focus,
            lint,
        };
    }
    let results: Vec<RequestResult> = scenario
        .requests
        .iter()
        .map(|r| evaluate_one(&set, &r.request))
        .collect();
    let why = focus.and_then(|i| {
        let spec = scenario.requests.get(i)?;
        let r: &RequestResult = results.get(i)?;
        Some(why_not(&set, &spec.request, &r.trace, &r.determined_by))
    });
    Evaluated {
        errors,
        set: Some(set),
        results: Some(results),
        why,
        focus,
        lint,
    }
}

/// One request's evaluation with its trace under `set`.
pub fn evaluate_one(set: &PolicySet, request: &crate::eval::Request) -> RequestResult {
    let ev = evaluate(set, &PreparedRequest::new(request), Detail::Trace);
    RequestResult {
        decision: ev.decision,
        determined_by: ev.determined_by,
        trace: ev.trace.unwrap_or_else(|| unreachable_trace(ev.decision)),
    }
}

/// `evaluate` with `Detail::Trace` always returns a trace; this keeps the TUI total.
fn unreachable_trace(decision: Decision) -> Trace {
    Trace {
        request: crate::trace::RequestSummary {
            principal: "".into(),
            principal_kind: "",
            principal_kind_code: crate::policy::principal::PrincipalKind::Other,
            principal_account: None,
            action: "".into(),
            resource: "".into(),
            resource_account: None,
            resource_account_source: "none",
            relation: crate::trace::Relation::NoPrincipalAccount,
        },
        decision,
        reason: String::new(),
        reason_code: crate::trace::Reason::NothingAllows,
        steps: Vec::new(),
        policies: Vec::new(),
        unresolved: None,
    }
}

/// What the policy-edit search of the request shown needs, taken from the app: it runs
/// on a thread of its own (it evaluates every request for each edit it tries, far more
/// than a keystroke may cost).
#[derive(Debug, Clone)]
pub struct FixesJob {
    /// The generation the search is for.
    pub generation: u64,
    /// The request (index in the scenario).
    pub request: usize,
    /// The scenario as edited.
    pub scenario: Scenario,
    /// Its policies compiled.
    pub set: PolicySet,
    /// Every request's decision.
    pub decisions: Vec<Decision>,
}

impl FixesJob {
    /// Runs the search.
    pub fn run(&self) -> Option<crate::analysis::fixes::Suggestions> {
        search(&self.scenario, &self.set, &self.decisions, self.request)
    }
}

/// The policy edits that give request `i` its wanted decision (its `expect`, or the
/// other decision), under the policies compiled as `set` (the scenario's texts as
/// edited), its requests decided as `results`.
pub fn fixes_for(
    scenario: &Scenario,
    set: &PolicySet,
    results: &[RequestResult],
    i: usize,
) -> Option<crate::analysis::fixes::Suggestions> {
    let decisions: Vec<Decision> = results.iter().map(|r| r.decision).collect();
    search(scenario, set, &decisions, i)
}

fn search(
    scenario: &Scenario,
    set: &PolicySet,
    before: &[Decision],
    i: usize,
) -> Option<crate::analysis::fixes::Suggestions> {
    if i >= scenario.requests.len() || before.len() != scenario.requests.len() {
        return None;
    }
    let prepared: Vec<PreparedRequest> = scenario
        .requests
        .iter()
        .map(|r| PreparedRequest::new(&r.request))
        .collect();
    let edited = Scenario {
        set: set.clone(),
        ..scenario.clone()
    };
    Some(crate::analysis::fixes::suggest_prepared(
        &edited,
        &prepared,
        before,
        i,
        Default::default(),
    ))
}
