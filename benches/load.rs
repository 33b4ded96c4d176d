//! Scenario loading scales linearly: files of n and 10·n requests (every request named,
//! half of them naming another in `via`) and of n and 10·n unnamed policies, loaded by
//! the quick reader (valid files) and the strict one (the same files with one error,
//! so every value goes through the position-keeping tree). Prints the time of each and
//! the ratio 10·n / n, which must stay below 15 (a quadratic step would make it 100).
//!
//! Then the time to load one 5 MiB policy (every node keeps a span: the size of a
//! span shows here), written inline and as a JSON string.
//!
//! `cargo bench --bench load`

use iamtrace::input::load_str;
use std::time::{Duration, Instant};

fn requests_file(n: usize, broken: bool) -> String {
    let mut out = String::from(
        r#"{"policies": {"identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}]}, "requests": ["#,
    );
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        let via = if i % 2 == 1 {
            format!(r#""via": "request number {}", "#, i - 1)
        } else {
            String::new()
        };
        out.push_str(&format!(
            r#"{{"name": "request number {i}", {via}"principal": "arn:aws:iam::111122223333:user/u{i}", "action": "s3:GetObject", "resource": "arn:aws:s3:::bucket/k{i}", "context": {{"aws:SourceIp": "203.0.113.{}", "aws:username": "u{i}", "aws:SecureTransport": true, "aws:MultiFactorAuthAge": {i}, "aws:CalledVia": ["ec2.amazonaws.com"]}}}}"#,
            i % 250
        ));
    }
    if broken {
        // One error at the end: the strict reader reads (and checks) everything.
        out.push_str(r#", {"name": "request number 0"}"#);
    }
    out.push_str("]}");
    out
}

fn policies_file(n: usize) -> String {
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket/*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}"#;
    let list = vec![policy; n].join(",");
    format!(r#"{{"policies": {{"identity": [{list}], "resource": [{list}]}}}}"#)
}

/// Builds a file of the given size.
type Maker = fn(usize) -> String;

/// The best time of loading `text` over a few rounds.
fn best(text: &str) -> Duration {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            let _ = std::hint::black_box(load_str(std::hint::black_box(text)));
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// A policy of about `bytes` bytes: statements with many resources.
fn big_policy(bytes: usize) -> String {
    let mut statements = Vec::new();
    let mut size = 0;
    while size < bytes {
        let resources: Vec<String> = (0..30)
            .map(|r| format!(r#""arn:aws:s3:::bucket-{}/prefix-{r}/*""#, statements.len()))
            .collect();
        let s = format!(
            r#"{{"Sid": "S{}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [{}], "Condition": {{"StringEquals": {{"aws:PrincipalTag/team": "t{}"}}}}}}"#,
            statements.len(),
            resources.join(", "),
            statements.len()
        );
        size += s.len() + 2;
        statements.push(s);
    }
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",\n")
    )
}

fn main() {
    // Under `cargo test --benches` keep it small.
    let n = if std::env::args().any(|a| a == "--bench") {
        5_000
    } else {
        200
    };
    println!("load time, n and 10·n (best of 5); ratio must stay below 15");
    let cases: [(&str, Maker); 3] = [
        ("requests, quick reader", |n| requests_file(n, false)),
        ("requests, strict reader", |n| requests_file(n, true)),
        ("unnamed policies", policies_file),
    ];
    for (what, make) in cases {
        let small = best(&make(n));
        let large = best(&make(10 * n));
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-9);
        println!(
            "{what:<26} n={n:<6} {small:>10.2?}  10n={:<6} {large:>10.2?}  ratio {ratio:.1}{}",
            10 * n,
            if ratio < 15.0 { "" } else { "  (NOT linear)" }
        );
    }
    let size = if std::env::args().any(|a| a == "--bench") {
        5 << 20
    } else {
        64 << 10
    };
    let policy = big_policy(size);
    let inline = format!(r#"{{"policies": {{"identity": [{policy}]}}}}"#);
    let quoted = serde_json::to_string(&policy).unwrap_or_default();
    let string = format!(r#"{{"policies": {{"identity": [{{"document": {quoted}}}]}}}}"#);
    for (what, text) in [("inline", &inline), ("JSON string", &string)] {
        println!(
            "big policy ({} bytes), {what:<12} {:>10.2?}",
            policy.len(),
            best(text)
        );
    }
}
