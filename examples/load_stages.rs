//! Where `iamtrace eval --format summary` spends its time on one file, stage by stage:
//! reading, loading (parsing and checking), preparing the requests, deciding them.
//!
//! `cargo run --release --example load_stages -- FILE` (FILE: e.g. one of the scenarios
//! benches/whole/gen.py writes).

use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use std::time::Instant;

/// The allocator the binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: load_stages FILE");
        std::process::exit(2);
    };
    let t = Instant::now();
    let text = std::fs::read_to_string(&path).expect("read the file");
    let read = t.elapsed();
    let t = Instant::now();
    let scenario = iamtrace::input::load_str(&text).expect("the scenario loads");
    let load = t.elapsed();
    let t = Instant::now();
    let prepared: Vec<PreparedRequest> = scenario
        .requests
        .iter()
        .map(|r| PreparedRequest::new(&r.request))
        .collect();
    let prepare = t.elapsed();
    let t = Instant::now();
    let allowed = prepared
        .iter()
        .filter(|p| {
            evaluate(&scenario.set, p, Detail::Decision).decision == iamtrace::Decision::Allow
        })
        .count();
    let decide = t.elapsed();
    let n = scenario.requests.len();
    println!(
        "{n} requests ({allowed} allowed): read {read:?}, load {load:?}, prepare {prepare:?} ({:.2} µs each), decide {decide:?} ({:.2} µs each)",
        prepare.as_secs_f64() * 1e6 / n as f64,
        decide.as_secs_f64() * 1e6 / n as f64
    );
}
