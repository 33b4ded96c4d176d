use iamtrace::cloudtrail::{convert, parse_event, split::Splitter};
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use std::time::{Duration, Instant};
#[path = "../benches/support/mod.rs"]
mod support;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let light = std::env::args().nth(2).is_some();
    let bytes = std::fs::read(&path).unwrap();
    let set = if light {
        iamtrace::scenario::load_str(include_str!("../assets/scenarios/client-vpn-source-ip.json")).unwrap().set
    } else {
        iamtrace::scenario::load_str(&support::generated_scenario()).unwrap().set
    };
    let mut s = Splitter::new(bytes.as_slice());
    let (mut ts, mut tp, mut tc, mut tq, mut te) = (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut n = 0;
    let all = Instant::now();
    loop {
        let t = Instant::now();
        let Some(b) = s.next_batch(1 << 20).unwrap() else { break };
        ts += t.elapsed();
        for r in &b.records {
            n += 1;
            let t = Instant::now();
            let e = parse_event(&b.data[r.clone()]).unwrap();
            tp += t.elapsed();
            let t = Instant::now();
            let Ok(c) = convert(&e) else { continue };
            tc += t.elapsed();
            let t = Instant::now();
            let p = PreparedRequest::new(&c.request);
            tq += t.elapsed();
            let t = Instant::now();
            std::hint::black_box(evaluate(&set, &p, Detail::Decision));
            te += t.elapsed();
        }
    }
    let total = all.elapsed();
    let per = |d: Duration| d.as_nanos() as f64 / n as f64 / 1000.0;
    println!("{n} events in {total:?}: {:.0}/s single thread", n as f64 / total.as_secs_f64());
    println!("per event µs: split {:.2} parse {:.2} convert {:.2} prepare {:.2} evaluate {:.2}", per(ts), per(tp), per(tc), per(tq), per(te));
}
