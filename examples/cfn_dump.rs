//! Prints what the template reader finds in a template (a development aid).
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    match iamtrace::iac::cfn::read(&text, &Default::default()) {
        Ok(t) => {
            for p in &t.inventory.principals {
                println!("principal {} {:?} {:?} {}", p.id, p.kind, p.name, p.arn);
            }
            for p in &t.inventory.policies {
                let mut errors = Vec::new();
                if let iamtrace::iac::Document::Inline(n) = &p.document {
                    let ctx = iamtrace::policy::ParseContext {
                        kind: p.kind,
                        resource_implied: p.trust,
                    };
                    iamtrace::policy::parse_policy_node(n, ctx, &mut errors);
                }
                println!(
                    "policy {} {:?} attached {:?} arn {:?} cond {:?} doc {}",
                    p.name,
                    p.kind,
                    p.attached_to,
                    p.resource_arn,
                    p.condition,
                    match &p.document {
                        iamtrace::iac::Document::Managed { arn, .. } => arn.clone(),
                        iamtrace::iac::Document::Unknown { reason, .. } => reason.clone(),
                        _ => "inline".into(),
                    }
                );
                for e in errors {
                    println!("    ERR {}:{} {}", e.span.line, e.span.column, e.message);
                }
            }
            for n in &t.inventory.notes {
                println!("note {}:{} {}", n.span.line, n.span.column, n.message);
            }
        }
        Err(e) => println!("{e:?}"),
    }
}
