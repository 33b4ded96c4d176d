//! The peer side of the whole-process benchmark (benches/whole/run.sh): reads a
//! scenario file with serde_json, builds iam-rs policies from its identity policies and
//! evaluates every request with iam-rs, then prints how many of each decision — what a
//! user of that crate would write to answer the same question as `iamtrace eval`.
//!
//! `cargo run --release --example iamrs_reader -- FILE`

use iam_rs::{
    Arn, Context, ContextValue, Decision, IAMPolicy, IAMRequest, PolicyEvaluator, Principal,
    PrincipalId,
};
use serde_json::Value;
use std::io::Write;

/// The same allocator as the iamtrace binary, so that neither side wins by it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn scalar(v: &Value) -> Option<ContextValue> {
    // iam-rs compares Bool only against boolean values; other families read strings.
    Some(match v {
        Value::Bool(b) => ContextValue::Boolean(*b),
        Value::String(s) if s == "true" => ContextValue::Boolean(true),
        Value::String(s) if s == "false" => ContextValue::Boolean(false),
        Value::String(s) => ContextValue::String(s.clone()),
        Value::Number(n) => ContextValue::String(n.to_string()),
        _ => return None,
    })
}

fn request(r: &Value) -> Option<IAMRequest> {
    let principal = r["principal"].as_str()?;
    let resource = Arn::parse(r["resource"].as_str()?).ok()?;
    let mut context = Context::new();
    if let Some(ctx) = r["context"].as_object() {
        for (key, value) in ctx {
            let v = match value {
                Value::Array(items) => {
                    let bools: Option<Vec<bool>> = items.iter().map(Value::as_bool).collect();
                    match bools {
                        Some(b) if !b.is_empty() => ContextValue::BooleanList(b),
                        _ => ContextValue::StringList(
                            items
                                .iter()
                                .map(|i| match i {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                })
                                .collect(),
                        ),
                    }
                }
                other => scalar(other)?,
            };
            context.insert(key.clone(), v);
        }
    }
    Some(IAMRequest::new_with_context(
        Principal::Aws(PrincipalId::String(principal.to_string())),
        r["action"].as_str()?.to_string(),
        resource,
        context,
    ))
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: iamrs_reader FILE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).expect("read the file");
    let scenario: Value = serde_json::from_str(&text).expect("the file is JSON");
    let policies = scenario["policies"]["identity"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    let doc = e.get("document").unwrap_or(e);
                    let text = match doc {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    IAMPolicy::from_json(&text).expect("iam-rs reads the policy")
                })
                .collect()
        })
        .unwrap_or_default();
    let evaluator = PolicyEvaluator::with_policies(policies);
    let (mut allow, mut deny, mut not_applicable, mut failed) = (0u64, 0u64, 0u64, 0u64);
    let empty = Vec::new();
    for r in scenario["requests"].as_array().unwrap_or(&empty) {
        match request(r).map(|q| evaluator.evaluate(&q)) {
            Some(Ok(res)) => match res.decision {
                Decision::Allow => allow += 1,
                Decision::Deny => deny += 1,
                Decision::NotApplicable => not_applicable += 1,
            },
            _ => failed += 1,
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "allow {allow}\texplicit_deny {deny}\timplicit_deny {not_applicable}\tnot evaluated {failed}"
    );
}
