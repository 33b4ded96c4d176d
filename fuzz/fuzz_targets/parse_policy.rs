//! Policy parsing: any text, read as every policy type (and as a role trust policy).
//! Must never panic or hang; every diagnostic must point inside the text.

#![no_main]

use iamtrace::policy::{ParseContext, PolicyKind, parse_policy_text};
use libfuzzer_sys::fuzz_target;

const KINDS: [PolicyKind; 7] = PolicyKind::ALL;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let contexts = KINDS
        .iter()
        .map(|&k| ParseContext::new(k))
        .chain(std::iter::once(ParseContext {
            kind: PolicyKind::Resource,
            resource_implied: true,
        }));
    for ctx in contexts {
        match parse_policy_text(text, ctx) {
            Ok(_) => {}
            Err(diagnostics) => {
                assert!(!diagnostics.is_empty(), "an error without a diagnostic");
                for d in &diagnostics {
                    let s = d.span;
                    assert!(
                        s.start <= s.end && s.end as usize <= text.len(),
                        "diagnostic span {s:?} outside the text ({} bytes): {}",
                        text.len(),
                        d.message
                    );
                }
            }
        }
    }
});
