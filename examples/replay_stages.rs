//! What one replayed CloudTrail event costs, stage by stage, on one thread: finding the
//! record, parsing it, turning it into a request, preparing and evaluating it.
//!
//! `cargo run --release --example replay_stages -- FILE [light]` (FILE: a CloudTrail
//! file such as the one `cargo bench --bench replay` writes under target/bench-data/;
//! `light` evaluates against the Client VPN policies instead of the generated 20 KB).

use iamtrace::cloudtrail::{convert, parse_event, split::Splitter};
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use std::time::{Duration, Instant};

// The engine bench's generator; its iam-rs helpers are not used here.
#[allow(dead_code)]
#[path = "../benches/support/mod.rs"]
mod support;

/// The allocator the binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: replay_stages FILE [light]");
        std::process::exit(2);
    };
    let light = std::env::args().nth(2).is_some_and(|a| a == "light");
    let bytes = std::fs::read(&path).expect("read the file");
    let scenario = if light {
        include_str!("../assets/scenarios/client-vpn-source-ip.json").to_string()
    } else {
        support::generated_scenario()
    };
    let set = iamtrace::input::load_str(&scenario).expect("scenario").set;
    let mut splitter = Splitter::new(bytes.as_slice());
    let mut spent = [Duration::ZERO; 5];
    let mut n = 0u64;
    let all = Instant::now();
    loop {
        let t = Instant::now();
        let Some(batch) = splitter.next_batch(1 << 20).expect("records") else {
            break;
        };
        spent[0] += t.elapsed();
        for r in &batch.records {
            n += 1;
            let t = Instant::now();
            let event = parse_event(&batch.data[r.clone()]).expect("event");
            spent[1] += t.elapsed();
            let t = Instant::now();
            let Ok(c) = convert(&event) else { continue };
            spent[2] += t.elapsed();
            let t = Instant::now();
            let prepared = PreparedRequest::new(&c.request);
            spent[3] += t.elapsed();
            let t = Instant::now();
            std::hint::black_box(evaluate(&set, &prepared, Detail::Decision));
            spent[4] += t.elapsed();
        }
    }
    let total = all.elapsed();
    println!(
        "{n} events in {total:?}: {:.0} events/s on one thread",
        n as f64 / total.as_secs_f64()
    );
    for (stage, d) in ["split", "parse", "convert", "prepare", "evaluate"]
        .iter()
        .zip(spent)
    {
        println!(
            "  {stage:<9}{:>7.2} µs/event",
            d.as_secs_f64() * 1e6 / n as f64
        );
    }
}
