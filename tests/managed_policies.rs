//! The bundled AWS managed policies (`iamtrace::catalog::managed`): every one parses as
//! an identity policy, except the ones listed in `tests/managed_policies/refused.txt`
//! (AWS accepted them; each line says why iamtrace does not, so a change in either
//! direction shows here).

use iamtrace::catalog::managed;
use iamtrace::policy::{ParseContext, PolicyKind, parse_policy_text};
use std::path::Path;

#[test]
fn every_bundled_policy_parses_as_an_identity_policy_or_is_listed() {
    let ctx = ParseContext::new(PolicyKind::Identity);
    let mut refused = Vec::new();
    for p in managed::all() {
        if let Err(errors) = parse_policy_text(p.document, ctx) {
            let first = errors.first().map_or(String::new(), |e| {
                format!("{}:{}: {}", e.span.line, e.span.column, e.message)
            });
            refused.push(format!("{}\t{first}", p.arn()));
        }
    }
    let listed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/managed_policies/refused.txt");
    let expected = std::fs::read_to_string(&listed).unwrap_or_default();
    let expected: Vec<&str> = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(
        refused,
        expected,
        "the managed policies iamtrace refuses changed ({} of {} from {}); update {} on purpose",
        refused.len(),
        managed::all().len(),
        managed::source(),
        listed.display()
    );
}
