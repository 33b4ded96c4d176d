//! From a request's JSON text to its decision, on the Client VPN identity requests,
//! for a profiler: `valgrind --tool=callgrind target/release/examples/text_profile
//! [ours|theirs|read|prepare] [ROUNDS]` (instruction counts are steady on a busy
//! machine where timings are not). Does what `cargo bench --bench engine --
//! text-to-decision` times, one side at a time.

#[path = "../benches/support/mod.rs"]
#[allow(dead_code)]
mod support;

use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use std::hint::black_box;

const CLIENT_VPN: &str = include_str!("../assets/scenarios/client-vpn-source-ip.json");

fn main() {
    let mut args = std::env::args().skip(1);
    let side = args.next().unwrap_or_else(|| "ours".into());
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let text = support::identity_only(CLIENT_VPN);
    let scenario = iamtrace::input::load_str(&text).expect("the scenario loads");
    let texts = support::request_texts(&text);
    let set = &scenario.set;
    match side.as_str() {
        "ours" => {
            for _ in 0..rounds {
                for t in &texts {
                    let r = iamtrace::scenario::read_prepared(black_box(t)).expect("reads");
                    black_box(evaluate(set, &r.request, Detail::Decision).decision);
                }
            }
        }
        "read" => {
            for _ in 0..rounds {
                for t in &texts {
                    black_box(iamtrace::scenario::read_prepared(black_box(t)).expect("reads"));
                }
            }
        }
        "prepare" => {
            let requests: Vec<_> = scenario.requests.iter().map(|r| &r.request).collect();
            for _ in 0..rounds {
                for r in &requests {
                    black_box(PreparedRequest::new(black_box(r)));
                }
            }
        }
        "theirs" => {
            let documents = support::identity_documents(&text);
            let evaluator = support::iamrs::evaluator(&documents);
            let theirs: Vec<String> = scenario
                .requests
                .iter()
                .map(|r| {
                    let r = support::iamrs::request(&r.request).expect("iam-rs request");
                    serde_json::to_string(&r).expect("serializes")
                })
                .collect();
            for _ in 0..rounds {
                for t in &theirs {
                    let r: iam_rs::IAMRequest = serde_json::from_str(black_box(t)).expect("reads");
                    let _ = black_box(evaluator.evaluate(&r));
                }
            }
        }
        other => {
            eprintln!("unknown side {other}: ours, read, prepare or theirs");
            std::process::exit(2);
        }
    }
}
