//! The checks, statement by statement: actions against the catalog, condition keys
//! against the actions and the global key table, operators against key types, actions
//! against the resources and resource ARNs against their formats, and the
//! policy-language pitfalls.

mod actions;
mod arns;
mod conditions;
mod effects;
mod network;
mod resources;
mod sids;
mod variables;

use super::escalation::Grants;
use super::{Finding, LintContext};
use crate::catalog::services::{Action, Service};
use crate::policy::{Policy, Version};

/// The catalog actions a statement's `Action` matches.
type Matched<'c> = Vec<(&'c Service<'static>, &'c Action<'static>)>;

/// Runs every check on `policy`; also what it grants of the escalation sets (identity
/// policies only; `None` inside for one that allows everything), for the check across
/// a principal's policies.
pub fn run(policy: &Policy, ctx: LintContext) -> (Vec<Finding>, Option<Option<Grants>>) {
    let mut out = Vec::new();
    if !policy.explicit_version {
        out.push(Finding::new(
            "missing-version",
            policy.span,
            "no Version: the policy is read as 2008-10-17, where policy variables are literal text",
        ).with_fix("\"Version\": \"2012-10-17\""));
    }
    sids::sids(policy, ctx, &mut out);
    for st in &policy.statements {
        let expanded = actions::actions(st, &mut out);
        let matched = expanded.all.as_ref();
        conditions::conditions(st, matched, &mut out);
        effects::effects(st, matched, ctx, &mut out);
        resources::resource_types(st, &expanded.per_item, &mut out);
        arns::arn_formats(st, &mut out);
        network::network_deny(st, &mut out);
        if policy.version == Version::V2008 {
            variables::variables_2008(st, &mut out);
        }
    }
    // Escalation is about what a principal is granted: identity policies only.
    let grants = (ctx.kind == crate::policy::PolicyKind::Identity)
        .then(|| super::escalation::check(policy, &mut out));
    (out, grants)
}
