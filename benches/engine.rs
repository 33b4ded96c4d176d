//! Engine benchmark: decisions per second on (a) the Client VPN scenario and (b) a
//! generated ~20 KB set of identity policies using every operator family, with the
//! trace off and on, plus the cost of preparing a request; and iam-rs, a published
//! Rust IAM evaluator that knows identity policies only, on the same identity
//! policies and requests.
//!
//! `cargo bench --bench engine` runs the criterion groups, then prints a table of
//! decisions per second measured with a plain timing loop and the ratio to iam-rs.

#[allow(dead_code)]
mod support;

use criterion::{Criterion, Throughput};
use iamtrace::Decision;
use iamtrace::eval::{Detail, PreparedRequest, Request, evaluate};
use iamtrace::policy::PolicySet;
use std::hint::black_box;
use std::time::{Duration, Instant};

const CLIENT_VPN: &str = include_str!("../assets/scenarios/client-vpn-source-ip.json");

/// iam-rs's side of a case: the same identity policies and requests.
struct IamRs {
    evaluator: iam_rs::PolicyEvaluator,
    requests: Vec<iam_rs::IAMRequest>,
    /// Each request as iam-rs's own JSON (what `serde_json::from_str::<IAMRequest>`
    /// reads).
    texts: Vec<String>,
}

/// One benchmark case.
struct Case {
    /// Criterion group name and table label.
    name: &'static str,
    /// What the iam-rs column compares against, for the table.
    note: &'static str,
    set: PolicySet,
    labels: Vec<String>,
    requests: Vec<Request>,
    /// Each request object as written in the scenario file.
    texts: Vec<String>,
    prepared: Vec<PreparedRequest>,
    expected: Vec<Option<Decision>>,
    /// Index of the case whose iam-rs run is this case's comparison (its own, or the
    /// identity-only one for the full Client VPN scenario).
    iamrs_from: usize,
    iamrs: Option<IamRs>,
}

fn load_case(name: &'static str, note: &'static str, text: &str, iamrs_from: usize) -> Case {
    let scenario = iamtrace::input::load_str(text)
        .unwrap_or_else(|e| panic!("{name}: the scenario does not load: {e:?}"));
    let requests: Vec<Request> = scenario
        .requests
        .iter()
        .map(|r| r.request.clone())
        .collect();
    let labels = scenario
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| r.label(i))
        .collect();
    let expected = scenario.requests.iter().map(|r| r.expect).collect();
    let prepared = requests.iter().map(PreparedRequest::new).collect();
    let documents = support::identity_documents(text);
    let converted: Option<Vec<_>> = requests.iter().map(support::iamrs::request).collect();
    let iamrs = match converted {
        Some(requests) => Some(IamRs {
            evaluator: support::iamrs::evaluator(&documents),
            texts: requests
                .iter()
                .map(|r| serde_json::to_string(r).expect("iam-rs requests serialize"))
                .collect(),
            requests,
        }),
        None => {
            println!("note: {name}: a request cannot be expressed for iam-rs; no iam-rs run");
            None
        }
    };
    let texts = support::request_texts(text);
    assert_eq!(texts.len(), requests.len());
    Case {
        name,
        note,
        set: scenario.set,
        labels,
        requests,
        texts,
        prepared,
        expected,
        iamrs_from,
        iamrs,
    }
}

fn cases() -> Vec<Case> {
    let generated = support::generated_scenario();
    let statements = support::generated_policies()
        .iter()
        .map(|p| p["document"]["Statement"].as_array().map_or(0, Vec::len))
        .sum::<usize>();
    println!(
        "generated set: {} identity policies, {statements} statements, {} bytes of policy JSON (compact), {} bytes as a scenario file",
        support::generated_policies().len(),
        support::generated_policy_bytes(),
        generated.len()
    );
    vec![
        load_case(
            "client-vpn",
            "full scenario (identity + KMS key policy); iam-rs: identity policies only",
            CLIENT_VPN,
            1,
        ),
        {
            let mut case = load_case(
                "client-vpn-identity",
                "identity policies only, both engines",
                &support::identity_only(CLIENT_VPN),
                1,
            );
            // The scenario's `expect` values assume the KMS key policy that this
            // variant drops (SPEC §4.6: without a key policy nothing is allowed on a
            // key), so they do not apply here.
            case.expected.iter_mut().for_each(|e| *e = None);
            case
        },
        load_case(
            "generated",
            "generated identity policies, both engines",
            &generated,
            2,
        ),
    ]
}

/// Checks our decisions against the scenario's `expect`, the trace run against the
/// decision-only run, and iam-rs against us; prints a warning line per disagreement.
fn check_decisions(cases: &[Case]) {
    let mut disagreements = 0;
    for case in cases {
        for (i, p) in case.prepared.iter().enumerate() {
            let ours = evaluate(&case.set, p, Detail::Decision).decision;
            let traced = evaluate(&case.set, p, Detail::Trace).decision;
            let label = &case.labels[i];
            if ours != traced {
                println!(
                    "warning: {}: \"{label}\": decision-only says {}, with trace {}",
                    case.name,
                    ours.word(),
                    traced.word()
                );
            }
            if let Some(want) = case.expected[i].filter(|&w| w != ours) {
                println!(
                    "warning: {}: \"{label}\": iamtrace says {}, the scenario expects {}",
                    case.name,
                    ours.word(),
                    want.word()
                );
            }
            if let Some(rs) = &case.iamrs {
                match support::iamrs::decide(&rs.evaluator, &rs.requests[i]) {
                    Ok(theirs) if theirs == ours.word() => {}
                    Ok(theirs) => {
                        disagreements += 1;
                        println!(
                            "warning: {}: \"{label}\": iamtrace says {}, iam-rs says {theirs}",
                            case.name,
                            ours.word()
                        );
                    }
                    Err(e) => {
                        disagreements += 1;
                        println!(
                            "warning: {}: \"{label}\": iamtrace says {}, iam-rs fails: {e}",
                            case.name,
                            ours.word()
                        );
                    }
                }
            }
        }
    }
    println!("iam-rs decision disagreements: {disagreements}");
}

/// iamtrace from each request's JSON text to its decision: read (every check the
/// scenario reader makes), prepare, decide.
fn ours_from_text(case: &Case) {
    for t in &case.texts {
        let r = iamtrace::scenario::read_prepared(black_box(t)).expect("the request reads");
        black_box(evaluate(&case.set, &r.request, Detail::Decision).decision);
    }
}

/// iam-rs from each request's JSON text to its decision: serde_json into its request
/// type (its context built as it reads), evaluate.
fn theirs_from_text(rs: &IamRs) {
    for t in &rs.texts {
        let r: iam_rs::IAMRequest = serde_json::from_str(black_box(t)).expect("iam-rs reads");
        let _ = black_box(rs.evaluator.evaluate(&r));
    }
}

fn bench_case(c: &mut Criterion, index: usize, case: &Case) {
    let n = case.prepared.len() as u64;
    let mut g = c.benchmark_group(case.name);
    g.throughput(Throughput::Elements(n));
    g.bench_function("iamtrace/decision", |b| {
        b.iter(|| {
            for p in &case.prepared {
                black_box(evaluate(&case.set, black_box(p), Detail::Decision));
            }
        })
    });
    g.bench_function("iamtrace/trace", |b| {
        b.iter(|| {
            for p in &case.prepared {
                black_box(evaluate(&case.set, black_box(p), Detail::Trace));
            }
        })
    });
    g.bench_function("iamtrace/prepare", |b| {
        b.iter(|| {
            for r in &case.requests {
                black_box(PreparedRequest::new(black_box(r)));
            }
        })
    });
    g.bench_function("iamtrace/text-to-decision", |b| {
        b.iter(|| ours_from_text(case))
    });
    // The full Client VPN case compares against the identity-only case's iam-rs run,
    // which is benchmarked there once.
    if let (Some(rs), true) = (&case.iamrs, case.iamrs_from == index) {
        g.bench_function("iam-rs/text-to-decision", |b| {
            b.iter(|| theirs_from_text(rs))
        });
        g.bench_function("iam-rs/evaluate", |b| {
            b.iter(|| {
                for r in &rs.requests {
                    let _ = black_box(rs.evaluator.evaluate(black_box(r)));
                }
            })
        });
    }
    g.finish();
}

/// Decisions per second of `round` (which makes `n` decisions): the best of
/// [`WINDOWS`] windows of `window / WINDOWS` each, so that a burst of load from
/// elsewhere on this small machine does not count against a cell.
fn rate(n: usize, window: Duration, mut round: impl FnMut()) -> f64 {
    round();
    let slice = window / WINDOWS;
    let mut best = 0f64;
    for _ in 0..WINDOWS {
        let start = Instant::now();
        let mut rounds = 0u64;
        while start.elapsed() < slice {
            for _ in 0..8 {
                round();
            }
            rounds += 8;
        }
        best = best.max((rounds as f64 * n as f64) / start.elapsed().as_secs_f64());
    }
    best
}

/// How many windows [`rate`] times.
const WINDOWS: u32 = 5;

fn human(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.2} M/s", per_s / 1e6)
    } else {
        format!("{:.1} k/s", per_s / 1e3)
    }
}

fn comparison_table(cases: &[Case], window: Duration) {
    let mut iamrs_rates = vec![None; cases.len()];
    let mut iamrs_text_rates = vec![None; cases.len()];
    for (i, case) in cases.iter().enumerate() {
        if let Some(rs) = &case.iamrs {
            iamrs_rates[i] = Some(rate(rs.requests.len(), window, || {
                for r in &rs.requests {
                    let _ = black_box(rs.evaluator.evaluate(black_box(r)));
                }
            }));
            iamrs_text_rates[i] = Some(rate(rs.texts.len(), window, || theirs_from_text(rs)));
        }
    }
    println!();
    println!(
        "decisions per second (manual timing: best of {WINDOWS} windows of {} ms per cell)",
        (window / WINDOWS).as_millis()
    );
    println!(
        "{:<22} {:>5} {:>14} {:>14} {:>14} {:>14} {:>8} {:>14} {:>14} {:>8}",
        "case",
        "reqs",
        "decision-only",
        "with trace",
        "prepare",
        "iam-rs",
        "ratio",
        "text->decision",
        "iam-rs text",
        "ratio"
    );
    for case in cases {
        let n = case.prepared.len();
        let decision = rate(n, window, || {
            for p in &case.prepared {
                black_box(evaluate(&case.set, black_box(p), Detail::Decision));
            }
        });
        let trace = rate(n, window, || {
            for p in &case.prepared {
                black_box(evaluate(&case.set, black_box(p), Detail::Trace));
            }
        });
        let prepare = rate(case.requests.len(), window, || {
            for r in &case.requests {
                black_box(PreparedRequest::new(black_box(r)));
            }
        });
        let from_text = rate(case.texts.len(), window, || ours_from_text(case));
        let theirs = iamrs_rates[case.iamrs_from];
        let theirs_text = iamrs_text_rates[case.iamrs_from];
        println!(
            "{:<22} {:>5} {:>14} {:>14} {:>14} {:>14} {:>8} {:>14} {:>14} {:>8}",
            case.name,
            n,
            human(decision),
            human(trace),
            format!("{} ({:.2} µs)", human(prepare), 1e6 / prepare),
            theirs.map_or("-".into(), human),
            theirs.map_or("-".into(), |t| format!("{:.1}x", decision / t)),
            human(from_text),
            theirs_text.map_or("-".into(), human),
            theirs_text.map_or("-".into(), |t| format!("{:.1}x", from_text / t)),
        );
    }
    println!("ratio = iamtrace decision-only / iam-rs (iam-rs evaluates identity policies only)");
    println!(
        "text->decision: from each request's JSON text to its decision (iamtrace: read + prepare + decide; \
         iam-rs: serde_json into IAMRequest + evaluate), same requests and policies; second ratio = ours / theirs"
    );
    for case in cases {
        println!("  {}: {}", case.name, case.note);
    }
}

fn main() {
    let cases = cases();
    check_decisions(&cases);
    let mut c = Criterion::default()
        .sample_size(60)
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for (i, case) in cases.iter().enumerate() {
        bench_case(&mut c, i, case);
    }
    c.final_summary();
    // `--profile-time` (criterion's profiling mode) runs one benchmark for a profiler:
    // keep the output to that benchmark.
    if std::env::args().any(|a| a == "--profile-time") {
        return;
    }
    // Under `cargo test --benches` (no `--bench` argument) keep the table quick.
    let benching = std::env::args().any(|a| a == "--bench");
    let window = if benching {
        Duration::from_millis(500)
    } else {
        Duration::from_millis(5)
    };
    comparison_table(&cases, window);
}
