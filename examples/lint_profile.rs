//! A steady lint workload for a profiler: lints the engine bench's generated 20 KB
//! policies (`gen` mode) or a policy listing N catalog actions in each of two
//! statements (`many N` mode) a given number of times, after one warm-up run (which
//! loads the catalog and builds the lint's indexes).
//!
//! `valgrind --tool=callgrind target/release/examples/lint_profile gen 50`
//! `valgrind --tool=callgrind target/release/examples/lint_profile many 4533 3`

#[allow(dead_code)]
#[path = "../benches/support/mod.rs"]
mod support;

use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg =
        |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("many") => {
            let (n, rounds) = (arg(1, 4_533), arg(2, 3));
            let text = support::many_actions_policy(n);
            let ctx = iamtrace::policy::ParseContext {
                kind: iamtrace::policy::PolicyKind::Identity,
                resource_implied: false,
            };
            let policy = iamtrace::policy::parse_policy_text(&text, ctx).expect("parses");
            let lint_ctx = iamtrace::lint::LintContext {
                kind: iamtrace::policy::PolicyKind::Identity,
                trust_policy: false,
            };
            for _ in 0..=rounds {
                black_box(iamtrace::lint::lint_policy(&policy, &text, lint_ctx));
            }
        }
        _ => {
            let rounds = arg(1, 50);
            let scenario = iamtrace::input::load_str(&support::generated_scenario())
                .expect("generated scenario");
            for _ in 0..=rounds {
                black_box(iamtrace::lint::lint_scenario(&scenario));
            }
        }
    }
}
