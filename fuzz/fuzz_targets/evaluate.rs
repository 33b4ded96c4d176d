//! Evaluation with arbitrary requests against the project's own scenarios (loaded
//! once): the decision-only and the traced evaluation must agree, and the trace must
//! render. A request starts from one of the scenario's own requests or from nothing;
//! its strings are mostly picked from the scenarios' own vocabulary (principals,
//! actions, ARNs, context keys and values, every string of the policies), sometimes
//! edited, sometimes raw.

#![no_main]

use arbitrary::Arbitrary;
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::scenario::Scenario;
use iamtrace::trace::text::{TextOptions, render};
use iamtrace_fuzz::{FuzzRequest, Vocabulary, scenario_texts, scenarios};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

struct Fixture {
    scenarios: Vec<Scenario>,
    vocab: Vocabulary,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let scenarios = scenarios();
    let texts: Vec<String> = scenario_texts().into_iter().map(|(_, t)| t).collect();
    let vocab = Vocabulary::new(&texts, &scenarios);
    Fixture { scenarios, vocab }
});

#[derive(Debug, Arbitrary)]
struct Input {
    scenario: u8,
    request: FuzzRequest,
    render_trace: bool,
}

fuzz_target!(|input: Input| {
    let fx = &*FIXTURE;
    let scenario = &fx.scenarios[input.scenario as usize % fx.scenarios.len()];
    let req = input.request.build(&scenario.requests, &fx.vocab);
    let prepared = PreparedRequest::new(&req);
    let full = evaluate(&scenario.set, &prepared, Detail::Trace);
    let quick = evaluate(&scenario.set, &prepared, Detail::Decision);
    assert_eq!(
        quick.decision, full.decision,
        "decision-only and traced evaluation disagree for {req:#?}"
    );
    assert_eq!(
        quick.determined_by, full.determined_by,
        "decision-only and traced evaluation name different statements for {req:#?}"
    );
    assert!(quick.trace.is_none());
    let trace = full.trace.expect("Detail::Trace gives a trace");
    assert_eq!(trace.decision, full.decision);
    if input.render_trace {
        let _ = render(&trace, TextOptions::default(), 0);
    }
});
