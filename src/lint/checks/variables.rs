//! Policy variables where the policy's Version makes them literal text.

use super::super::{Finding, FixEdit};
use crate::policy::Statement;

/// `${…}` in a policy whose Version is 2008-10-17 (or missing): literal text.
pub(super) fn variables_2008(st: &Statement, out: &mut Vec<Finding>) {
    let resources = st
        .resource
        .iter()
        .flat_map(|r| r.items.iter().map(|i| (&i.text, i.span)));
    let values = st
        .conditions
        .iter()
        .flat_map(|op| op.keys.iter())
        .flat_map(|k| k.values.iter().map(|v| (&v.text, v.span)));
    for (text, span) in resources.chain(values) {
        if text.contains("${") {
            out.push(Finding::new(
                "variables-in-2008-policy",
                span,
                format!("\"{text}\" is compared as written: policy variables need \"Version\": \"2012-10-17\""),
            ).with_fix("\"Version\": \"2012-10-17\"").with_edit(FixEdit::SetVersion));
        }
    }
}
