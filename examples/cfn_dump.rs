//! Prints what the CloudFormation reader finds in a template: principals, policies (with
//! the policy parser's errors at their template positions) and notes. A development aid:
//! `cargo run --release --example cfn_dump -- TEMPLATE`.

use iamtrace::iac::Document;
use iamtrace::policy::{ParseContext, parse_policy_node};
use iamtrace::safe_text::for_terminal;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", for_terminal(&path));
            std::process::exit(2);
        }
    };
    let t = match iamtrace::iac::cfn::read(&text, &Default::default()) {
        Ok(t) => t,
        Err(errors) => {
            for e in errors {
                let at = format!("{}:{}: {}", e.span.line, e.span.column, e.message);
                eprintln!("{}", for_terminal(&at));
            }
            std::process::exit(1);
        }
    };
    let mut out = Vec::new();
    for p in &t.inventory.principals {
        out.push(format!(
            "principal {} {:?} name {:?} arn {}",
            p.id, p.kind, p.name, p.arn
        ));
    }
    for p in &t.inventory.policies {
        let doc = match &p.document {
            Document::Inline(_) => "inline".to_string(),
            Document::Managed { arn, .. } => format!("managed {arn}"),
            Document::Unknown { reason, .. } => format!("unknown: {reason}"),
        };
        out.push(format!(
            "policy {} {:?} attached {:?} resource {:?} condition {:?} {doc}",
            p.name, p.kind, p.attached_to, p.resource_arn, p.condition
        ));
        if let Document::Inline(node) = &p.document {
            let ctx = ParseContext {
                kind: p.kind,
                resource_implied: p.trust,
            };
            let mut errors = Vec::new();
            parse_policy_node(node, ctx, &mut errors);
            for e in errors {
                out.push(format!("    {}", t.source_map.describe(&e)));
            }
        }
    }
    for n in &t.inventory.notes {
        out.push(format!("note {}", t.source_map.describe(n)));
    }
    for line in out {
        println!("{}", for_terminal(&line));
    }
}
