//! What-if benchmark: a 10×10 decision grid over the generated 20 KB identity policies
//! (the engine bench's 60 statements), the why-not report of a request, and the policy
//! edits suggested for one request (every candidate re-parsed and checked against
//! every request of the scenario).
//!
//! `cargo bench --bench whatif`; prints the median and 99th percentile of whole-grid
//! recomputations and of edit searches timed one by one after the criterion groups.
//! `cargo bench --bench whatif -- suggest` runs the edit searches alone.

// The engine bench's generator; its iam-rs helpers are not used here.
#[allow(dead_code)]
mod support;

use criterion::Criterion;
use iamtrace::analysis::fixes::{Limits, suggest};
use iamtrace::analysis::grid::{Axis, grid};
use iamtrace::analysis::whynot::why_not;
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use std::time::{Duration, Instant};

fn axes() -> Vec<Axis> {
    let ips: Vec<String> = (0..9)
        .map(|i| format!("203.0.113.{}", i * 25))
        .chain(["absent".to_string()])
        .collect();
    let teams = [
        "payments",
        "analytics",
        "platform",
        "security",
        "data",
        "web",
        "mobile",
        "infra",
        "ops",
        "absent",
    ];
    vec![
        Axis::parse(&format!("aws:SourceIp={}", ips.join(","))).expect("axis"),
        Axis::parse(&format!("aws:PrincipalTag/team={}", teams.join(","))).expect("axis"),
    ]
}

fn main() {
    let scenario = load_str(&support::generated_scenario()).expect("generated scenario loads");
    let base = &scenario.requests[0].request;
    let axes = axes();
    assert_eq!(grid(&scenario.set, base, &axes).len(), 100);
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(60)
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(3));
    c.bench_function("grid/10x10-generated-20KB", |b| {
        b.iter(|| grid(&scenario.set, base, &axes))
    });
    c.bench_function("why-not/generated-request-1", |b| {
        b.iter(|| {
            let ev = evaluate(&scenario.set, &PreparedRequest::new(base), Detail::Trace);
            why_not(
                &scenario.set,
                base,
                ev.trace.as_ref().expect("trace"),
                &ev.determined_by,
            )
        })
    });
    // The requests the policies deny as expected (3: launch without a cost center;
    // 5: an access key without MFA): the search aims at Allow. And one allowed (0): it
    // aims at a deny.
    for i in [0, 3, 5] {
        let found = suggest(&scenario, i, Limits::default());
        assert!(found.tried > 0, "request {i}: no candidate tried");
        c.bench_function(&format!("suggest/generated-request-{}", i + 1), |b| {
            b.iter(|| suggest(&scenario, i, Limits::default()))
        });
    }
    c.final_summary();
    // The timed loops below follow the same name filter as criterion's groups.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted =
        |name: &str| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()));
    if wanted("grid/10x10-generated-20KB") {
        grid_times(&scenario.set, base, &axes);
    }
    for i in [0, 3, 5] {
        if !wanted(&format!("suggest/generated-request-{}", i + 1)) {
            continue;
        }
        let mut times: Vec<Duration> = (0..100)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(suggest(&scenario, i, Limits::default()));
                t.elapsed()
            })
            .collect();
        times.sort();
        let found = suggest(&scenario, i, Limits::default());
        println!(
            "policy edits for request {} of the generated 20 KB policies ({} candidates tried, {} found), 100 searches: median {:.3} ms, p99 {:.3} ms",
            i + 1,
            found.tried,
            found.edits.len(),
            at(&times, 0.5),
            at(&times, 0.99)
        );
    }
}

fn at(times: &[Duration], p: f64) -> f64 {
    times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3
}

fn grid_times(
    scenario_set: &iamtrace::policy::PolicySet,
    base: &iamtrace::eval::Request,
    axes: &[Axis],
) {
    let mut times: Vec<Duration> = (0..300)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(grid(scenario_set, base, axes));
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "10x10 grid over the generated 20 KB policies, 300 recomputations: median {:.3} ms, p99 {:.3} ms",
        at(&times, 0.5),
        at(&times, 0.99)
    );
}
