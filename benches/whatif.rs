//! What-if benchmark: a 10×10 decision grid over the generated 20 KB identity policies
//! (the engine bench's 60 statements), and the why-not report of a request.
//!
//! `cargo bench --bench whatif`; prints the median and 99th percentile of whole-grid
//! recomputations timed one by one after the criterion groups.

// The engine bench's generator; its iam-rs helpers are not used here.
#[allow(dead_code)]
mod support;

use criterion::Criterion;
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
    c.final_summary();

    let mut times: Vec<Duration> = (0..300)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(grid(&scenario.set, base, &axes));
            t.elapsed()
        })
        .collect();
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "10x10 grid over the generated 20 KB policies, 300 recomputations: median {:.3} ms, p99 {:.3} ms",
        at(0.5),
        at(0.99)
    );
}
