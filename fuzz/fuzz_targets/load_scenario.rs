//! Scenario loading: any text. Must never panic or hang. When it loads, every request
//! is evaluated with and without the trace (they must agree) and the trace is drawn as
//! text, as `iamtrace eval` would.

#![no_main]

use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use iamtrace::trace::text::{TextOptions, decision_line, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let scenario = match load_str(text) {
        Ok(s) => s,
        Err(e) => {
            assert!(
                !e.diagnostics.is_empty(),
                "a load error without a diagnostic"
            );
            return;
        }
    };
    for spec in &scenario.requests {
        let prepared = PreparedRequest::new(&spec.request);
        let quick = evaluate(&scenario.set, &prepared, Detail::Decision);
        let full = evaluate(&scenario.set, &prepared, Detail::Trace);
        assert_eq!(
            quick.decision, full.decision,
            "decision-only and traced disagree"
        );
        assert_eq!(quick.determined_by, full.determined_by);
        let trace = full.trace.expect("Detail::Trace gives a trace");
        let _ = decision_line(&trace, TextOptions { color: true });
        let _ = render(&trace, TextOptions::default(), 0);
    }
});
