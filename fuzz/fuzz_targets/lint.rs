//! Policy lint: any text. `input::kind` and `input::account_principals`
//! never panic; for a scenario that loads, `lint::lint_scenario` and
//! `lint::lint_sources` never panic or hang, every finding's code is a listed rule,
//! and `lint_sources` findings lie inside their policy's text (their positions are in
//! that text).

#![no_main]

use iamtrace::input::{account_principals, load_str};
use iamtrace::lint::{PolicyFindings, lint_scenario, lint_sources, rule_for};
use libfuzzer_sys::fuzz_target;

fn check_codes(all: &[PolicyFindings]) {
    for p in all {
        for f in &p.findings {
            assert!(
                rule_for(f.code).is_some(),
                "finding code {:?} is not a rule",
                f.code
            );
            let _ = f.severity.label();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = iamtrace::input::kind(text);
    if let Some(choices) = account_principals(text) {
        for c in &choices {
            let _ = (&c.kind, &c.name, &c.arn, &c.summary);
        }
    }
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
    let loaded = lint_scenario(&scenario);
    assert_eq!(
        loaded.len(),
        scenario.sources.len().min(scenario.set.policies.len())
    );
    check_codes(&loaded);
    let sources = lint_sources(&scenario);
    assert_eq!(
        sources.len(),
        scenario.sources.len(),
        "not one entry per source"
    );
    check_codes(&sources);
    for p in &sources {
        let src_text = &scenario.sources[p.policy].text;
        for f in &p.findings {
            let s = f.span;
            assert!(
                s.start <= s.end && s.end as usize <= src_text.len(),
                "{} finding span {s:?} outside its policy text ({} bytes): {}",
                f.code,
                src_text.len(),
                f.message
            );
        }
    }
});
