//! Service catalog benchmark: the first load (decompress the embedded gzip, parse the
//! text), each half on its own, `expand("s3:Get*")`, and the lookups a linter makes on
//! the engine bench's generated 20 KB policies (60 statements): expand every Action and
//! NotAction entry and resolve every condition key.
//!
//! Then the linter itself on those policies (`lint_scenario`, every check).
//!
//! `cargo bench --bench catalog`; after the criterion groups it prints the time of one
//! real first call to `catalog()` in this process (the cost a user pays once) and the
//! median of 1,000 timed lint runs.

// The engine bench's generator; its iam-rs helpers are not used here.
#[allow(dead_code)]
mod support;

use criterion::Criterion;
use iamtrace::catalog::services::{Catalog, embedded_text};
use iamtrace::catalog::{self, catalog};
use serde_json::Value;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// Every Action / NotAction entry and every condition key name of the generated policies.
fn policy_names() -> (Vec<String>, Vec<String>) {
    let (mut actions, mut keys) = (Vec::new(), Vec::new());
    for policy in support::generated_policies() {
        let Some(statements) = policy["document"]["Statement"].as_array() else {
            continue;
        };
        for statement in statements {
            for field in ["Action", "NotAction"] {
                match &statement[field] {
                    Value::String(s) => actions.push(s.clone()),
                    Value::Array(list) => {
                        actions.extend(list.iter().filter_map(|v| v.as_str().map(String::from)))
                    }
                    _ => {}
                }
            }
            if let Some(operators) = statement["Condition"].as_object() {
                for block in operators.values().filter_map(Value::as_object) {
                    keys.extend(block.keys().cloned());
                }
            }
        }
    }
    (actions, keys)
}

/// Expands every action pattern; the number of actions matched.
fn expand_all(actions: &[String]) -> usize {
    actions.iter().map(|a| catalog().expand(a).len()).sum()
}

/// Resolves every condition key, service keys first, then global ones; how many are known.
fn resolve_all(keys: &[String]) -> usize {
    keys.iter()
        .filter(|k| catalog().condition_key(k).is_some() || catalog::global_key(k).is_some())
        .count()
}

/// Lint time of a policy listing `n` actions per statement: the best of `rounds`.
fn lint_many(n: usize, rounds: usize) -> (usize, Duration) {
    let text = support::many_actions_policy(n);
    let ctx = iamtrace::policy::ParseContext {
        kind: iamtrace::policy::PolicyKind::Identity,
        resource_implied: false,
    };
    let policy = iamtrace::policy::parse_policy_text(&text, ctx).expect("the policy parses");
    let lint_ctx = iamtrace::lint::LintContext {
        kind: iamtrace::policy::PolicyKind::Identity,
        trust_policy: false,
    };
    let mut findings = 0;
    let best = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            findings = iamtrace::lint::lint_policy(&policy, &text, lint_ctx).len();
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    (findings, best)
}

fn main() {
    // The one real first call, timed before anything else touches the catalog.
    let first = Instant::now();
    let services = catalog().services().len();
    let first_call = first.elapsed();

    let (actions, keys) = policy_names();
    let text = embedded_text().expect("the embedded catalog decompresses");
    let mut c = Criterion::default()
        .sample_size(40)
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    c.bench_function("catalog/first-load (decompress + parse)", |b| {
        b.iter(|| {
            let text = embedded_text().expect("decompresses");
            let parsed = Catalog::parse(&text).expect("parses");
            black_box(parsed.services().len())
        })
    });
    c.bench_function("catalog/decompress", |b| {
        b.iter(|| black_box(embedded_text().expect("decompresses").len()))
    });
    c.bench_function("catalog/parse", |b| {
        b.iter(|| black_box(Catalog::parse(&text).expect("parses").services().len()))
    });
    c.bench_function("catalog/expand s3:Get*", |b| {
        b.iter(|| black_box(catalog().expand(black_box("s3:Get*")).len()))
    });
    c.bench_function("catalog/expand *:Get* (every service)", |b| {
        b.iter(|| black_box(catalog().expand(black_box("*:Get*")).len()))
    });
    c.bench_function("catalog/lint lookups, generated 20 KB policies", |b| {
        b.iter(|| black_box((expand_all(&actions), resolve_all(&keys))))
    });
    c.bench_function("catalog/lint lookups, actions only", |b| {
        b.iter(|| black_box(expand_all(&actions)))
    });
    c.bench_function("catalog/lint lookups, condition keys only", |b| {
        b.iter(|| black_box(resolve_all(&keys)))
    });
    let scenario =
        iamtrace::input::load_str(&support::generated_scenario()).expect("generated scenario");
    c.bench_function("lint/generated 20 KB policies (every check)", |b| {
        b.iter(|| black_box(iamtrace::lint::lint_scenario(black_box(&scenario)).len()))
    });
    c.final_summary();
    let mut times: Vec<Duration> = (0..1000)
        .map(|_| {
            let t = Instant::now();
            black_box(iamtrace::lint::lint_scenario(&scenario));
            t.elapsed()
        })
        .collect();
    times.sort();
    let findings: usize = iamtrace::lint::lint_scenario(&scenario)
        .iter()
        .map(|p| p.findings.len())
        .sum();
    println!(
        "lint of the generated 20 KB policies ({findings} findings): median {:.3} ms, p99 {:.3} ms",
        times[500].as_secs_f64() * 1e3,
        times[990].as_secs_f64() * 1e3
    );
    for n in [4_533, 18_000] {
        let (findings, best) = lint_many(n, 5);
        println!(
            "lint of a policy listing {n} actions in each of two statements ({findings} findings): best of 5 {:.1} ms",
            best.as_secs_f64() * 1e3
        );
    }
    println!(
        "first call to catalog() in this process: {:.2} ms ({services} services; \
         {} action entries, {} of them `*`, and {} condition keys in the generated policies)",
        first_call.as_secs_f64() * 1e3,
        actions.len(),
        actions.iter().filter(|a| *a == "*").count(),
        keys.len()
    );
}
