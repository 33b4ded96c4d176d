//! Hostile and huge inputs: the engine, the command line and the TUI's pure functions
//! must finish (no crash, no hang, no stack overflow) on inputs far beyond AWS's limits,
//! and accept them, reporting sizes over AWS's limits.
//!
//! - a policy of 5 MiB, a policy of 10,000 statements and condition values of 1,000,000
//!   characters go through `load_str` and `evaluate` (trace and decision only);
//! - the wildcard matcher stays linear, checked by counting its steps
//!   (`Pattern::matches_counting`), not by timing;
//! - 100,000 nested `[` (or `{`) in a policy, in a scenario and through `iamtrace eval`
//!   are an error with a position (exit status 2), not a stack overflow;
//! - the TUI's state and drawing (`App`, `handle_key`, a `TestBackend`) on the
//!   10,000-statement policy;
//! - (a panic inside the real TUI restoring the terminal is an end-to-end test in
//!   tests/e2e_tmux.rs, beside the other tmux tests.)
//!
//! Big inputs are generated here, not stored. Every heavy step runs on a worker thread
//! (default 2 MiB stack, a quarter of the binary's main thread) under a deadline, so a
//! hang fails the test with a message instead of stalling the run. Times are printed
//! (`cargo test --release --test hostile -- --nocapture`); only generous bounds are
//! asserted, so a slow, busy machine still passes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use iamtrace::eval::{Detail, PreparedRequest, evaluate};
use iamtrace::input::load_str;
use iamtrace::policy::pattern::{Pattern, PatternOptions};
use iamtrace::policy::{PolicyKind, PolicySet};
use iamtrace::scenario::{DocumentForm, LoadError, PolicySource, Scenario};
use iamtrace::source::Diagnostic;
use iamtrace::trace::Decision;
use iamtrace::tui::app::{App, evaluate_scenario};
use iamtrace::tui::update::handle_key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// The most any one step may take, even on a slow, loaded two-core machine.
const LIMIT: Duration = Duration::from_secs(20);

/// [`LIMIT`], unless `IAMTRACE_HOSTILE_LIMIT_SECS` raises it to measure a slow step.
fn limit() -> Duration {
    std::env::var("IAMTRACE_HOSTILE_LIMIT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(LIMIT, Duration::from_secs)
}

const MIB: usize = 1024 * 1024;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

// ---------------------------------------------------------------------------------------
// Running under a deadline

/// Runs `f` on a worker thread and waits at most [`limit()`] for it: its result and how
/// long it took (printed). A panic in `f` fails the test; so does a hang, without
/// waiting for it (the worker is left running until the test binary exits).
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> (T, Duration) {
    let (tx, rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name(what.to_string())
        .spawn(move || {
            let started = Instant::now();
            let out = f();
            let _ = tx.send((out, started.elapsed()));
        })
        .expect("spawn a worker thread");
    let limit = limit();
    match rx.recv_timeout(limit) {
        Ok((out, took)) => {
            println!("{what}: {took:.2?}");
            let _ = worker.join();
            (out, took)
        }
        Err(RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {limit:?}, a hang (the worker keeps running)")
        }
        Err(RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("{what}: the worker ended without a result"),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Generated policies and scenarios

/// `s` as a JSON string literal.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// Whether statement `i` of a generated policy is a Deny.
fn is_deny(i: usize) -> bool {
    i % 7 == 3
}

/// Statement `i` of a generated policy. Allows (S3 and EC2 actions on `bucket-i` and
/// `shared`, for team `team-i` or `ops-*` from `10.x.y.0/24` or `192.0.2.0/24`) with a
/// Deny every seventh (all of S3, for team `nobody-i`). `extra` more resources fatten it.
fn statement(i: usize, extra: usize) -> String {
    let mut resources = vec![
        format!("\"arn:aws:s3:::bucket-{i}/*\""),
        "\"arn:aws:s3:::shared/*\"".to_string(),
    ];
    resources.extend((0..extra).map(|j| format!("\"arn:aws:s3:::bucket-{i}/prefix-{j:04}/*\"")));
    let resources = resources.join(", ");
    if is_deny(i) {
        format!(
            r#"{{"Sid": "Deny{i}", "Effect": "Deny", "Action": "s3:*", "Resource": [{resources}], "Condition": {{"StringEquals": {{"aws:PrincipalTag/team": "nobody-{i}"}}}}}}"#
        )
    } else {
        let (a, b) = (i / 256 % 256, i % 256);
        format!(
            r#"{{"Sid": "Allow{i}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:List*", "ec2:Describe*"], "Resource": [{resources}], "Condition": {{"StringLike": {{"aws:PrincipalTag/team": ["team-{i}", "ops-*"]}}, "IpAddress": {{"aws:SourceIp": ["10.{a}.{b}.0/24", "192.0.2.0/24"]}}}}}}"#
        )
    }
}

/// A policy document holding `statements`.
fn policy(statements: &[String]) -> String {
    format!(
        "{{\n\"Version\": \"2012-10-17\",\n\"Statement\": [\n{}\n]\n}}",
        statements.join(",\n")
    )
}

/// One request of a generated scenario (alice, `action` on `resource`).
fn request(name: &str, action: &str, resource: &str, context: &[(&str, &str)]) -> String {
    let context: Vec<String> = context
        .iter()
        .map(|(k, v)| format!("{}: {}", quoted(k), quoted(v)))
        .collect();
    format!(
        r#"{{"name": {}, "principal": "{ALICE}", "action": {}, "resource": {}, "context": {{{}}}}}"#,
        quoted(name),
        quoted(action),
        quoted(resource),
        context.join(", ")
    )
}

/// A scenario with `document` (JSON text: an object, or a string holding the policy) as
/// its one identity policy, and `requests`.
fn scenario(document: &str, requests: &[String]) -> String {
    format!(
        "{{\"name\": \"hostile\",\n\"policies\": {{\"identity\": [{{\"name\": \"huge\", \"document\": {document}}}]}},\n\"requests\": [\n{}\n]}}",
        requests.join(",\n")
    )
}

/// The four requests asked of a generated policy of `n` statements, with the decision
/// each must get: the last Allow statement alone, every Allow at once (`shared`), no
/// statement, and the Deny of statement 3.
fn generated_requests(n: usize) -> (Vec<String>, Vec<Decision>) {
    let last = (0..n).rev().find(|&i| !is_deny(i)).expect("an Allow");
    let (a, b) = (last / 256 % 256, last % 256);
    let ip = format!("10.{a}.{b}.7");
    let requests = vec![
        request(
            "last statement",
            "s3:GetObject",
            &format!("arn:aws:s3:::bucket-{last}/key"),
            &[
                ("aws:PrincipalTag/team", &format!("team-{last}")),
                ("aws:SourceIp", &ip),
            ],
        ),
        request(
            "every statement",
            "s3:GetObject",
            "arn:aws:s3:::shared/key",
            &[
                ("aws:PrincipalTag/team", "ops-1"),
                ("aws:SourceIp", "192.0.2.9"),
            ],
        ),
        request(
            "no statement",
            "s3:GetObject",
            "arn:aws:s3:::elsewhere/key",
            &[
                ("aws:PrincipalTag/team", "ops-1"),
                ("aws:SourceIp", "192.0.2.9"),
            ],
        ),
        request(
            "denied",
            "s3:PutObject",
            "arn:aws:s3:::shared/key",
            &[
                ("aws:PrincipalTag/team", "nobody-3"),
                ("aws:SourceIp", "192.0.2.9"),
            ],
        ),
    ];
    let expected = vec![
        Decision::Allow,
        Decision::Allow,
        Decision::ImplicitDeny,
        Decision::ExplicitDeny,
    ];
    (requests, expected)
}

/// The statements of a generated policy: `n` of them, each fattened by `extra` resources.
fn statements(n: usize, extra: usize) -> Vec<String> {
    (0..n).map(|i| statement(i, extra)).collect()
}

/// The first errors of a failed load, for a message.
fn messages(e: &LoadError) -> String {
    e.lines().take(5).collect::<Vec<_>>().join("\n")
}

/// One request's outcome, for both levels of detail.
#[derive(Debug)]
struct Outcome {
    decision: Decision,
    determined_by: usize,
    /// Statements shown in the trace (over every policy).
    traced_statements: usize,
}

/// Loads `text` (it must load: sizes beyond AWS's limits are accepted) and evaluates
/// every request with a trace and with the decision only, each under the deadline;
/// both must agree. Prints sizes and times.
fn load_and_evaluate(label: &str, text: String) -> (Arc<Scenario>, Vec<Outcome>) {
    println!(
        "{label}: scenario text {} bytes ({:.2} MiB)",
        text.len(),
        text.len() as f64 / MIB as f64
    );
    let (loaded, _) = within(&format!("{label}: load_str"), move || load_str(&text));
    let scenario = Arc::new(loaded.unwrap_or_else(|e| {
        panic!(
            "{label}: not accepted ({} errors):\n{}",
            e.diagnostics.len(),
            messages(&e)
        )
    }));
    let s = Arc::clone(&scenario);
    let (traced, took) = within(&format!("{label}: evaluate, Detail::Trace"), move || {
        s.requests
            .iter()
            .map(|r| {
                let ev = evaluate(&s.set, &PreparedRequest::new(&r.request), Detail::Trace);
                let trace = ev.trace.expect("Detail::Trace returns a trace");
                let traced_statements = trace.policies.iter().map(|p| p.statements.len()).sum();
                Outcome {
                    decision: ev.decision,
                    determined_by: ev.determined_by.len(),
                    traced_statements,
                }
            })
            .collect::<Vec<_>>()
    });
    let n = scenario.requests.len().max(1) as u32;
    println!("{label}:   {:.2?} per request with a trace", took / n);
    let s = Arc::clone(&scenario);
    let (decided, took) = within(&format!("{label}: evaluate, Detail::Decision"), move || {
        s.requests
            .iter()
            .map(|r| {
                let ev = evaluate(&s.set, &PreparedRequest::new(&r.request), Detail::Decision);
                (ev.decision, ev.determined_by.len())
            })
            .collect::<Vec<_>>()
    });
    println!("{label}:   {:.2?} per request, decision only", took / n);
    for (i, (t, d)) in traced.iter().zip(&decided).enumerate() {
        assert_eq!(
            (t.decision, t.determined_by),
            *d,
            "{label}: request {} differs between Detail::Trace and Detail::Decision",
            i + 1
        );
    }
    (scenario, traced)
}

/// Checks a generated scenario's decisions and how many statements decided each.
fn check_generated(label: &str, outcomes: &[Outcome], expected: &[Decision], n: usize) {
    let decisions: Vec<Decision> = outcomes.iter().map(|o| o.decision).collect();
    assert_eq!(decisions, expected, "{label}: decisions");
    let allows = (0..n).filter(|&i| !is_deny(i)).count();
    assert_eq!(
        outcomes[1].determined_by, allows,
        "{label}: the shared request is granted by every Allow"
    );
    assert_eq!(
        outcomes[3].determined_by, 1,
        "{label}: one Deny fires (statement 3)"
    );
    for (i, o) in outcomes.iter().enumerate() {
        assert_eq!(
            o.traced_statements,
            n,
            "{label}: request {} traces every statement",
            i + 1
        );
    }
}

// ---------------------------------------------------------------------------------------
// Huge policies

#[test]
fn five_mebibyte_policy_loads_and_evaluates() {
    // Statements of ~1.7 KB (30 extra resources each) until the document passes 5 MiB.
    let mut all = Vec::new();
    let mut size = 0;
    while size < 5 * MIB {
        let s = statement(all.len(), 30);
        size += s.len() + 2;
        all.push(s);
    }
    let n = all.len();
    let document = policy(&all);
    assert!(document.len() >= 5 * MIB);
    println!(
        "5 MiB policy: {} bytes, {n} statements (AWS allows 6,144 characters for a managed policy)",
        document.len()
    );
    let (requests, expected) = generated_requests(n);
    let (s, outcomes) = load_and_evaluate("5 MiB policy", scenario(&document, &requests));
    assert_eq!(s.set.policies.len(), 1);
    check_generated("5 MiB policy", &outcomes, &expected, n);
}

#[test]
fn ten_thousand_statements_load_and_evaluate() {
    const N: usize = 10_000;
    let document = policy(&statements(N, 0));
    println!(
        "10,000 statements: policy {} bytes ({:.2} MiB)",
        document.len(),
        document.len() as f64 / MIB as f64
    );
    let (requests, expected) = generated_requests(N);

    // Written inline in a scenario.
    let (_, outcomes) =
        load_and_evaluate("10,000 statements, inline", scenario(&document, &requests));
    check_generated("10,000 statements, inline", &outcomes, &expected, N);

    // Written as a JSON string holding the policy (parsed a second time, positions mapped).
    let (_, outcomes) = load_and_evaluate(
        "10,000 statements, string document",
        scenario(&quoted(&document), &requests),
    );
    check_generated(
        "10,000 statements, string document",
        &outcomes,
        &expected,
        N,
    );

    // A bare policy document (no requests).
    let (s, outcomes) = load_and_evaluate("10,000 statements, bare policy", document);
    assert!(outcomes.is_empty());
    assert_eq!(s.set.policies.len(), 1);
}

/// `len` copies of `c`.
fn run_of(c: char, len: usize) -> String {
    std::iter::repeat_n(c, len).collect()
}

#[test]
fn million_character_condition_values_load_and_evaluate() {
    const M: usize = 1_000_000;
    // Policy values of exactly M characters, one operator family per statement (each an
    // Allow of s3:GetObject on shared/*), and request values to match.
    let blob = run_of('x', M);
    // Anchored at the end, so a value that differs in its last character fails it.
    let like = format!("*{}", run_of('x', M - 1));
    let upper = run_of('X', M);
    let number = format!("1{}", run_of('0', M - 1));
    let date = format!("1767225600.{}", run_of('0', M - 11));
    let bytes = vec![0x5au8; M / 4 * 3];
    let binary = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    };
    let arn = format!("arn:aws:s3:::{}*", run_of('b', M - 14));
    for v in [&blob, &like, &upper, &number, &date, &binary, &arn] {
        assert_eq!(v.chars().count(), M);
    }
    let conditions = [
        format!(
            r#"{{"StringEquals": {{"aws:PrincipalTag/blob": {}}}}}"#,
            quoted(&blob)
        ),
        format!(
            r#"{{"StringLike": {{"aws:PrincipalTag/blob": {}}}}}"#,
            quoted(&like)
        ),
        format!(
            r#"{{"StringEqualsIgnoreCase": {{"aws:PrincipalTag/blob": {}}}}}"#,
            quoted(&upper)
        ),
        format!(
            r#"{{"NumericEquals": {{"aws:PrincipalTag/number": {}}}}}"#,
            quoted(&number)
        ),
        format!(
            r#"{{"DateEquals": {{"aws:CurrentTime": {}}}}}"#,
            quoted(&date)
        ),
        format!(
            r#"{{"BinaryEquals": {{"aws:PrincipalTag/binary": {}}}}}"#,
            quoted(&binary)
        ),
        format!(r#"{{"ArnLike": {{"aws:SourceArn": {}}}}}"#, quoted(&arn)),
        format!(
            r#"{{"ForAnyValue:StringLike": {{"aws:TagKeys": ["nothing", {}]}}}}"#,
            quoted(&like)
        ),
    ];
    let statements: Vec<String> = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            format!(
                r#"{{"Sid": "Huge{i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*", "Condition": {c}}}"#
            )
        })
        .collect();
    let document = policy(&statements);

    // The request side: M-character values too, and a resource of over M characters.
    let resource = format!("arn:aws:s3:::shared/{}", run_of('k', M));
    let source_arn = format!("arn:aws:s3:::{}/key", run_of('b', M - 14));
    let number_in_request = number.clone();
    let matching = request(
        "every value matches",
        "s3:GetObject",
        &resource,
        &[
            ("aws:PrincipalTag/blob", &blob),
            ("aws:PrincipalTag/number", &number_in_request),
            ("aws:CurrentTime", "2026-01-01T00:00:00Z"),
            ("aws:PrincipalTag/binary", &binary),
            ("aws:SourceArn", &source_arn),
            ("aws:TagKeys", &blob),
            // Not an address: the IP, number and date readings of a request value all
            // get an M-character input.
            ("aws:SourceIp", &run_of('1', M)),
        ],
    );
    let off_by_one = format!("{}y", run_of('x', M - 1));
    let almost = request(
        "every value differs in its last character",
        "s3:GetObject",
        &resource,
        &[
            ("aws:PrincipalTag/blob", &off_by_one),
            (
                "aws:PrincipalTag/number",
                &format!("1{}1", run_of('0', M - 2)),
            ),
            ("aws:CurrentTime", "2026-01-01T00:00:01Z"),
            ("aws:PrincipalTag/binary", &format!("{}=", &binary[..M - 4])),
            ("aws:SourceArn", &format!("arn:aws:s3:::{}", run_of('c', M))),
            ("aws:TagKeys", &off_by_one),
        ],
    );
    let text = scenario(&document, &[matching, almost]);
    let (_, outcomes) = load_and_evaluate("1,000,000-character values", text);
    assert_eq!(outcomes[0].decision, Decision::Allow);
    assert_eq!(
        outcomes[0].determined_by,
        conditions.len(),
        "every statement's M-character value matches"
    );
    assert_eq!(outcomes[1].decision, Decision::ImplicitDeny);
    assert_eq!(outcomes[1].determined_by, 0);
}

#[test]
fn million_character_like_pattern_with_a_question_mark_does_not_hang() {
    // A StringLike value of exactly 1,000,000 characters: a star, a long literal, then
    // `?b*`. Against a request value of 2,000,000 `a`, the literal occurs at a million
    // places; checking each by comparing the whole literal again (or searching for it
    // afresh) is ~10^12 steps, a hang. Linear in text and pattern, it is a few million.
    const M: usize = 1_000_000;
    let like = format!("*{}?b*", run_of('a', M - 4));
    assert_eq!(like.len(), M);
    let document = policy(&[format!(
        r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {{"StringLike": {{"aws:PrincipalTag/blob": {}}}}}}}"#,
        quoted(&like)
    )]);
    let text = scenario(
        &document,
        &[request(
            "no b anywhere",
            "s3:GetObject",
            "arn:aws:s3:::shared/key",
            &[("aws:PrincipalTag/blob", &run_of('a', 2 * M))],
        )],
    );
    let (_, outcomes) = load_and_evaluate("1,000,000-character *aaa…?b* pattern", text);
    assert_eq!(outcomes[0].decision, Decision::ImplicitDeny);
}

// ---------------------------------------------------------------------------------------
// Wildcard matching is linear: steps counted by the matcher itself

fn wildcard(p: &str) -> Pattern {
    Pattern::compile(
        p,
        PatternOptions {
            wildcards: true,
            variables_from: None,
            lowercase: false,
        },
    )
}

/// `pattern` against texts made by `text(n)` for n = 1k, 10k, 100k: the matcher's steps
/// grow at most linearly with the text (10× the text, at most 12× the steps; 100×, at
/// most 120×), and stay within `per_byte` steps per byte of text and pattern.
fn assert_linear(pattern: &str, text: impl Fn(usize) -> String, want: bool, per_byte: u64) {
    let p = wildcard(pattern);
    let shown: String = if pattern.len() > 40 {
        format!("{}… ({} bytes)", &pattern[..40], pattern.len())
    } else {
        pattern.to_string()
    };
    let sizes = [1_000, 10_000, 100_000];
    let mut steps = Vec::new();
    for n in sizes {
        let t = text(n);
        let (matched, count) = p.matches_counting(&t);
        println!("{shown:<48} text {:>7} bytes: {count:>10} steps", t.len());
        assert_eq!(
            matched,
            p.matches_plain(&t),
            "{shown}: matches_counting and matches_plain disagree"
        );
        assert_eq!(matched, want, "{shown} against {n} bytes");
        assert!(count > 0, "{shown}: no steps counted");
        steps.push((t.len(), count));
    }
    for (len, count) in &steps {
        let bound = per_byte * (len + pattern.len()) as u64;
        assert!(
            *count <= bound,
            "{shown}: {count} steps on {len} bytes of text, over {per_byte} per byte of text and pattern ({bound}): not linear"
        );
    }
    let [(l1, s1), (_, s10), (_, s100)] = [steps[0], steps[1], steps[2]];
    assert!(
        s100 <= 12 * s10,
        "{shown}: {s10} steps at 10k, {s100} at 100k: not linear"
    );
    // A pattern longer than the 1k text is rejected without reading it; the ratio to
    // that case says nothing, the per-byte bound above still holds.
    if s1 as usize >= l1 {
        assert!(
            s100 <= 120 * s1,
            "{shown}: {s1} steps at 1k, {s100} at 100k: not linear"
        );
    }
}

fn a_run(n: usize) -> String {
    run_of('a', n)
}

#[test]
fn stars_match_in_linear_steps() {
    // Rejected by the suffix check alone.
    assert_linear("*a*a*a*a*a*a*b", a_run, false, 8);
    // Every segment searched; the last one reads the whole text.
    assert_linear("*a*a*a*a*a*a*b*", a_run, false, 8);
    assert_linear("*a*a*a*a*a*a*b", |n| format!("{}b", a_run(n)), true, 8);
    assert_linear("a*a*a*a*a*a*c*b", |n| format!("{}b", a_run(n)), false, 8);
    // Many stars.
    assert_linear(&"*a".repeat(500), a_run, true, 8);
    assert_linear(&format!("{}*b*", "*a".repeat(500)), a_run, false, 8);
}

#[test]
fn question_marks_match_in_linear_steps() {
    assert_linear("*?a?a?a?b*", a_run, false, 32);
    assert_linear("*a?a?a?a?a?a?b*", a_run, false, 32);
    assert_linear("*?*?*?*?*?*?*b*", a_run, false, 8);
    assert_linear(&format!("*{}b*", "?".repeat(10)), a_run, false, 32);
    assert_linear(&format!("{}*", "?".repeat(500)), a_run, true, 8);
    assert_linear(&format!("*{}", "?".repeat(500)), a_run, true, 8);
}

#[test]
fn long_literals_match_in_linear_steps() {
    let long = run_of('a', 1_000);
    assert_linear(&format!("*{long}b*"), a_run, false, 8);
    assert_linear(&format!("*{long}b"), a_run, false, 8);
    assert_linear(&format!("{long}*b*"), a_run, false, 8);
    assert_linear(&format!("*b{long}*"), a_run, false, 8);
    assert_linear(
        &format!("*{}*", run_of('x', 100)),
        |n| "xy".repeat(n / 2),
        false,
        8,
    );
}

// Many `?`-separated pieces between two stars: one pass per piece would cost the number
// of pieces times the text (1,000 pieces against 4 MB: 17 s). The bit-parallel search
// costs ⌈segment characters / 64⌉ words per character of text, and stops at the first
// match.

/// Steps for `pattern` against `text`, checked against a plain match.
fn counted(pattern: &Pattern, text: &str) -> (bool, u64) {
    let (matched, steps) = pattern.matches_counting(text);
    assert_eq!(matched, pattern.matches_plain(text));
    (matched, steps)
}

#[test]
fn many_question_mark_pieces_cost_a_word_per_64_characters() {
    let segment = format!("{}?b", "?a".repeat(1_000));
    let width = segment.len() as u64;
    let words = width.div_ceil(64);
    let p = wildcard(&format!("*{segment}*"));
    for n in [10_000, 100_000, 1_000_000] {
        let (matched, steps) = counted(&p, &run_of('a', n));
        println!("{} pieces against {n} bytes: {steps} steps", 1_001);
        assert!(!matched);
        // Words per character of text, plus building the masks (128 rows).
        let bound = words * (n as u64 + 2) + 130 * words + 4 * width;
        assert!(
            steps <= bound,
            "{steps} steps against {n} bytes, over {bound}: more than ⌈{width}/64⌉ per character"
        );
    }
    // A match at the start costs the segment, whatever the text after it.
    let at_start = |n: usize| format!("{}{}", "xa".repeat(1_000), "yb".repeat(n));
    let (m1, small) = counted(&p, &at_start(5_000));
    let (m2, large) = counted(&p, &at_start(2_000_000));
    assert!(m1 && m2);
    assert_eq!(
        small, large,
        "a match at offset 0 read the rest of the text"
    );
    // Distinct pieces, and characters outside ASCII.
    let p = wildcard(&format!("*{}*", "?ab?é".repeat(300)));
    let text = |n: usize| "abcé".repeat(n / 4);
    let (_, s10) = counted(&p, &text(10_000));
    let (_, s100) = counted(&p, &text(100_000));
    assert!(s100 <= 12 * s10, "{s10} steps at 10k, {s100} at 100k");
    assert!(s100 <= 40 * 100_000, "{s100} steps at 100k");
}

// A segment of a long literal and a `?`: the literal occurs at almost every place in
// the text, and each costs a comparison of the whole literal again, unless the matcher
// is linear in text and pattern together.

#[test]
fn long_literal_then_question_mark_matches_in_linear_steps() {
    assert_linear(&format!("*{}?b*", run_of('a', 1_000)), a_run, false, 8);
}

#[test]
fn question_mark_then_long_literal_matches_in_linear_steps() {
    assert_linear(&format!("*?{}b*", run_of('a', 1_000)), a_run, false, 8);
}

// ---------------------------------------------------------------------------------------
// Deeply nested JSON

const DEPTH: usize = 100_000;

/// `DEPTH` nested arrays, closed (`[[…]]`) or left open.
fn nested_arrays(closed: bool) -> String {
    let mut s = "[".repeat(DEPTH);
    if closed {
        s.push_str(&"]".repeat(DEPTH));
    }
    s
}

/// `DEPTH` nested objects (`{"a":{"a":…1…}}`).
fn nested_objects() -> String {
    format!("{}1{}", r#"{"a":"#.repeat(DEPTH), "}".repeat(DEPTH))
}

/// Loads `text` under the deadline; it must fail with a nesting error at a position
/// inside `text` (in the first 100 KB: the parser stops early).
fn assert_nesting_error(label: &str, text: String) -> Diagnostic {
    let len = text.len();
    let (result, _) = within(&format!("{label}: load_str"), move || load_str(&text));
    let e = match result {
        Ok(_) => panic!("{label}: {DEPTH} levels of nesting were accepted"),
        Err(e) => e,
    };
    let d = e.diagnostics.first().expect("at least one error").clone();
    println!(
        "{label}: {len} bytes -> {}:{}: {}",
        d.span.line, d.span.column, d.message
    );
    assert!(
        d.message.to_lowercase().contains("nesting"),
        "{label}: not a nesting error:\n{}",
        messages(&e)
    );
    assert!(
        d.span.line >= 1 && d.span.column >= 1,
        "{label}: no position"
    );
    assert!(
        (d.span.start as usize) < len.min(100_000),
        "{label}: the error is at byte {}, not near the start of the nesting",
        d.span.start
    );
    d
}

#[test]
fn deeply_nested_json_in_a_policy_is_an_error_with_a_position() {
    let bare = |inner: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {inner}}}]}}"#
        )
    };
    let d = assert_nesting_error("bare policy, closed [", bare(&nested_arrays(true)));
    assert_eq!(d.span.line, 1);
    assert_nesting_error("bare policy, open [", bare(&nested_arrays(false)));
    assert_nesting_error("bare policy, nested {", bare(&nested_objects()));
    assert_nesting_error("bare policy: only [", nested_arrays(false));

    // In a scenario's policy, written inline and as a string holding the policy.
    let request = request("r", "s3:GetObject", "arn:aws:s3:::b/k", &[]);
    let doc = bare(&nested_arrays(true));
    assert_nesting_error(
        "scenario, inline policy",
        scenario(&doc, std::slice::from_ref(&request)),
    );
    assert_nesting_error(
        "scenario, policy in a string",
        scenario(&quoted(&doc), std::slice::from_ref(&request)),
    );
}

#[test]
fn deeply_nested_json_in_a_scenario_is_an_error_with_a_position() {
    assert_nesting_error("scenario: only [", nested_arrays(false));
    assert_nesting_error("scenario: closed [", nested_arrays(true));
    let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;
    let with_context = |value: &str| {
        format!(
            r#"{{"policies": {{"identity": [{{"document": {policy}}}]}}, "requests": [{{"principal": "{ALICE}", "action": "s3:GetObject", "resource": "*", "context": {{"k": {value}}}}}]}}"#
        )
    };
    let d = assert_nesting_error(
        "scenario, context value",
        with_context(&nested_arrays(true)),
    );
    assert_eq!(d.span.line, 1);
    assert_nesting_error("scenario, request", {
        format!(
            r#"{{"policies": {{}}, "requests": [{}]}}"#,
            nested_objects()
        )
    });
}

#[test]
fn nesting_just_under_the_parser_limit_is_reported_not_overflowed() {
    // The JSON parser stops at 512 levels; 500 get through to the loader, the policy
    // compiler, the pretty printer and the TUI, which must cope (on a 2 MiB stack).
    let deep = format!("{}\"x\"{}", "[".repeat(500), "]".repeat(500));
    let policy = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {{"StringEquals": {{"aws:username": {deep}}}}}}}]}}"#
    );
    let text = policy.clone();
    let (r, _) = within("500 levels in a condition value: load_str", move || {
        load_str(&text).map(|_| ())
    });
    let e = r.expect_err("a nested array is not a condition value");
    println!("500 levels in a condition value -> {}", messages(&e));

    let text = format!(
        r#"{{"policies": {{}}, "requests": [{{"principal": "{ALICE}", "action": "s3:GetObject", "resource": "*", "context": {{"k": {deep}}}}}]}}"#
    );
    let (r, _) = within("500 levels in a context value: load_str", move || {
        load_str(&text).map(|_| ())
    });
    let e = r.expect_err("a nested array is not a context value");
    println!("500 levels in a context value -> {}", messages(&e));

    // A policy being written (as `iamtrace FILE` opens a bare policy that does not
    // load): the TUI evaluates and draws it, with its errors.
    for (label, text) in [
        ("TUI, 500 levels", policy),
        ("TUI, 100,000 open [", nested_arrays(false)),
        ("TUI, 100,000 closed [", nested_arrays(true)),
    ] {
        let (errors, _) = within(label, move || {
            let scenario = Scenario {
                name: None,
                description: None,
                sources: vec![PolicySource {
                    kind: PolicyKind::Identity,
                    name: None,
                    level: None,
                    attached_to: None,
                    principal: None,
                    text,
                    form: DocumentForm::Inline,
                    at: None,
                }],
                set: PolicySet::new(),
                requests: Vec::new(),
                source_map: Default::default(),
                template: None,
            };
            let evaluated = evaluate_scenario(&scenario);
            let mut app = App::new(scenario, None);
            handle_key(&mut app, KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
            let mut t = Terminal::new(TestBackend::new(120, 35)).expect("a test terminal");
            t.draw(|f| f.render_widget(&app, f.area())).expect("draw");
            evaluated.errors.iter().map(Vec::len).sum::<usize>()
        });
        assert!(errors > 0, "{label}: no error reported");
    }
}

/// The binary, run from the crate root.
fn iamtrace() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("iamtrace").expect("the iamtrace binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd.env("NO_COLOR", "1");
    cmd.timeout(LIMIT);
    cmd
}

#[test]
fn deeply_nested_json_through_the_cli_exits_2_with_a_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("open.json", nested_arrays(false)),
        ("closed.json", nested_arrays(true)),
        ("objects.json", nested_objects()),
        (
            "policy.json",
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {}}}]}}"#,
                nested_arrays(true)
            ),
        ),
    ];
    for (name, text) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).expect("write the input");
        let file = path.to_str().expect("UTF-8 temp path");
        for args in [
            vec!["eval", file],
            vec!["eval", "--format", "json", file],
            // No subcommand: standard output is not a terminal, so it prints the trace.
            vec![file],
        ] {
            let started = Instant::now();
            let out = iamtrace().args(&args).output().expect("iamtrace runs");
            let took = started.elapsed();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stdout = String::from_utf8_lossy(&out.stdout);
            println!(
                "iamtrace {}: exit {:?} in {took:.2?}: {}",
                args[..args.len() - 1].join(" ") + " " + name,
                out.status.code(),
                stderr.lines().next().unwrap_or("")
            );
            assert_eq!(
                out.status.code(),
                Some(2),
                "iamtrace {args:?} on {name}: exit status (a signal means a crash)\nstderr: {stderr}"
            );
            let first = stderr.lines().next().unwrap_or("");
            assert!(
                first.starts_with(&format!("{file}:1:")) && first.contains("nesting"),
                "iamtrace {args:?} on {name}: want FILE:1:COLUMN: …nesting…, got:\n{stderr}"
            );
            if args.contains(&"json") {
                let v: serde_json::Value =
                    serde_json::from_str(stdout.trim()).expect("one JSON line on stdout");
                let e = &v["errors"][0];
                assert_eq!(e["line"], 1, "{stdout}");
                assert!(e["column"].as_u64().is_some_and(|c| c >= 1), "{stdout}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The TUI's pure functions on the 10,000-statement policy

#[test]
fn tui_on_ten_thousand_statements() {
    const N: usize = 10_000;
    let (requests, _) = generated_requests(N);
    let text = scenario(&policy(&statements(N, 0)), &requests);
    let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
    let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
    let keys: Vec<(&'static str, KeyEvent)> = vec![
        ("Down", key(KeyCode::Down)),
        ("PageDown", key(KeyCode::PageDown)),
        ("End", key(KeyCode::End)),
        ("type x", key(KeyCode::Char('x'))),
        ("Backspace", key(KeyCode::Backspace)),
        ("type space", key(KeyCode::Char(' '))),
        ("Ctrl+Z", ctrl('z')),
        ("Ctrl+N", ctrl('n')),
        ("Ctrl+N", ctrl('n')),
        ("Tab", key(KeyCode::Tab)),
        ("Tab", key(KeyCode::Tab)),
        ("Down", key(KeyCode::Down)),
        ("Enter", key(KeyCode::Enter)),
        ("PageDown", key(KeyCode::PageDown)),
        ("End", key(KeyCode::End)),
        ("F9", key(KeyCode::F(9))),
        ("F9", key(KeyCode::F(9))),
        ("F9", key(KeyCode::F(9))),
        ("F1", key(KeyCode::F(1))),
        ("Esc", key(KeyCode::Esc)),
        ("Ctrl+P", ctrl('p')),
    ];
    // Each step under its own deadline: App::new, the first draw, then every key (with
    // a re-evaluation when it changed the scenario, as the event loop does) and a draw.
    let (app, created) = within("TUI, 10,000 statements: App::new", move || {
        App::new(load_str(&text).expect("the scenario loads"), None)
    });
    let terminal = Terminal::new(TestBackend::new(120, 35)).expect("a test terminal");
    let (mut tui, drawn) = within("TUI, 10,000 statements: first draw", move || {
        let mut tui = Tui { app, terminal };
        tui.draw();
        tui
    });
    let mut timings = Vec::new();
    for (label, k) in keys {
        let ((back, changed), took) =
            within(&format!("TUI, 10,000 statements: {label}"), move || {
                let changed = handle_key(&mut tui.app, k);
                if changed {
                    tui.app.evaluate_now();
                }
                tui.draw();
                (tui, changed)
            });
        if changed {
            println!("  (that key changed the policy: evaluate_now included)");
        }
        tui = back;
        timings.push((changed, took));
    }
    let keys = timings.len() as u32;
    let spent: Duration = timings.iter().map(|t| t.1).sum();
    let edits: Vec<Duration> = timings.iter().filter(|t| t.0).map(|t| t.1).collect();
    let moves: Vec<Duration> = timings.iter().filter(|t| !t.0).map(|t| t.1).collect();
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / v.len().max(1) as u32;
    println!(
        "TUI, 10,000 statements: App::new {created:.2?}, first draw {drawn:.2?}, {keys} keys in \
         {spent:.2?}: {:.2?} per key; {} edits at {:.2?} each, {} other keys at {:.2?} each",
        spent / keys,
        edits.len(),
        mean(&edits),
        moves.len(),
        mean(&moves)
    );
    assert!(
        !edits.is_empty(),
        "no key changed the policy: the edits were not exercised"
    );
    let buf = tui.terminal.backend().buffer();
    let screen: String = buf.content().iter().map(|c| c.symbol()).collect();
    assert!(!screen.trim().is_empty(), "nothing drawn");
}

/// The TUI's state and a test terminal, moved to each step's worker thread and back.
struct Tui {
    app: App,
    terminal: Terminal<TestBackend>,
}

impl Tui {
    fn draw(&mut self) {
        let app = &self.app;
        self.terminal
            .draw(|f| f.render_widget(app, f.area()))
            .expect("draw");
    }
}

// ---------------------------------------------------------------------------------------
// Sizes over AWS's limits are reported, not choked on

#[test]
fn policies_over_aws_size_limits_are_reported_and_still_evaluated() {
    let actions: Vec<String> = (0..400).map(|i| format!("\"s3:Get{i:04}Thing\"")).collect();
    let scenario = format!(
        r#"{{"policies": {{
            "identity": [{{"name": "big", "document": {{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Action": [{}], "Resource": "*"}}]}}}}],
            "scp": [{{"level": "r-root", "policies": [{{"name": "small", "document":
                {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": "*", "Resource": "*"}}]}}}}]}}]
        }},
        "requests": [{{"principal": "arn:aws:iam::111122223333:user/alice",
            "action": "s3:Get0399Thing", "resource": "*", "expect": "allow"}}]}}"#,
        actions.join(", ")
    );
    let loaded = load_str(&scenario).expect("an oversized policy still loads");
    let warnings = loaded.size_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("identity policy \"big\"") && warnings[0].contains("AWS allows 6144"),
        "{warnings:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("big.json");
    std::fs::write(&file, &scenario).expect("write");
    let out = assert_cmd::Command::cargo_bin("iamtrace")
        .expect("binary")
        .args(["eval", file.to_str().expect("UTF-8 path")])
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "evaluated as written:\n{stdout}"
    );
    assert!(
        stdout.contains("warning: identity policy \"big\" is"),
        "{stdout}"
    );
}
