//! Saving a loaded scenario and loading it again keeps its meaning (the property of
//! tests/scenario_roundtrip.rs, for any scenario that loads): the saved text loads,
//! with the same requests, policies, levels and decisions, and a second save writes
//! the same text.

#![no_main]

use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use iamtrace::scenario::to_json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(original) = load_str(text) else {
        return;
    };
    let saved = to_json(&original);
    let reloaded = match load_str(&saved) {
        Ok(s) => s,
        Err(e) => panic!("saved text does not load: {:?}\n{saved}", e.diagnostics),
    };
    assert_eq!(original.requests.len(), reloaded.requests.len());
    assert_eq!(original.set.policies.len(), reloaded.set.policies.len());
    assert_eq!(original.set.scp_levels, reloaded.set.scp_levels);
    assert_eq!(original.set.rcp_levels, reloaded.set.rcp_levels);
    for (a, b) in original.requests.iter().zip(&reloaded.requests) {
        assert_eq!(a.request, b.request);
        assert_eq!(a.expect, b.expect);
        assert_eq!(a.via, b.via);
        let da = evaluate(
            &original.set,
            &PreparedRequest::new(&a.request),
            Detail::Decision,
        );
        let db = evaluate(
            &reloaded.set,
            &PreparedRequest::new(&b.request),
            Detail::Decision,
        );
        assert_eq!(da.decision, db.decision, "request {:?}", a.name);
    }
    assert_eq!(saved, to_json(&reloaded), "a second save differs");
});
