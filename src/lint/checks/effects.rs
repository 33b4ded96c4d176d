//! What a statement's effect reaches: Allow with NotAction / NotResource, Resource
//! "*", PassRole on every role, everyone allowed, RCP rules.

use super::super::{Finding, LintContext};
use super::Matched;
use crate::policy::{Effect, PolicyKind, PrincipalType, Statement};

/// Allow with NotAction / NotResource; Resource "*" where the actions take resources;
/// PassRole on every role; everyone allowed by a resource policy; RCP rules.
pub(super) fn effects(
    st: &Statement,
    matched: Option<&Matched<'static>>,
    ctx: LintContext,
    out: &mut Vec<Finding>,
) {
    if ctx.kind == PolicyKind::Rcp {
        // AWS's own RCPFullAWSAccess: Allow everything to everyone, the one Allow an RCP
        // may hold.
        let full_access = st.action.items.iter().any(|i| &*i.text == "*")
            && !st.action.negated
            && st
                .resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.items.iter().any(|i| &*i.text == "*"))
            && st.conditions.is_empty();
        if st.effect == Effect::Allow && !full_access {
            out.push(Finding::new(
                "rcp-allow",
                st.effect_span,
                "an RCP allows nothing: AWS's RCPFullAWSAccess is the only Allow at every level, and AWS rejects other Allow statements",
            ));
        }
        if st.action.negated {
            out.push(Finding::new(
                "rcp-not-action",
                st.action.span,
                "AWS rejects NotAction in RCPs: list the actions to deny",
            ));
        }
    }
    if st.effect != Effect::Allow {
        return;
    }
    let unconditioned = st.conditions.is_empty();
    if st.action.negated && ctx.kind != PolicyKind::Rcp {
        out.push(Finding::new(
            "allow-not-action",
            st.action.span,
            "Allow with NotAction allows every action not listed, of every service, including ones AWS adds later",
        ));
    }
    if let Some(r) = &st.resource {
        if r.negated {
            out.push(Finding::new(
                "allow-not-resource",
                r.span,
                "Allow with NotResource allows every resource not listed, including ones created later",
            ));
        }
        let star = r.items.iter().find(|i| &*i.text == "*");
        let identity_like = matches!(ctx.kind, PolicyKind::Identity | PolicyKind::Session);
        if let (Some(star), false, true) = (star, r.negated, identity_like) {
            if let Some(actions) = matched.filter(|a| !a.is_empty()) {
                if actions.iter().all(|(_, a)| a.supports_resource_level()) {
                    let (s, a) = actions[0];
                    // The plainest of its resource types (s3:GetObject: the object,
                    // not the object through an access point).
                    let example = a
                        .resource_types
                        .iter()
                        .min_by_key(|t| t.arn_format.len())
                        .map(|t| format!(" (e.g. {}:{} on {})", s.prefix, a.name, t.arn_format))
                        .unwrap_or_default();
                    out.push(Finding::new(
                        "resource-star",
                        star.span,
                        format!(
                            "every action of this statement can be limited to resources{example}: \"*\" grants them on every resource"
                        ),
                    ));
                }
            }
            // Listed by any entry that matches it (also beside an unknown entry).
            let passrole = st
                .action
                .items
                .iter()
                .any(|i| i.pattern.matches_plain("iam:passrole"));
            if passrole && unconditioned && !st.action.negated {
                out.push(Finding::new(
                    "passrole-star",
                    star.span,
                    "iam:PassRole on every role lets the principal hand any role (an admin role too) to a service",
                ).with_fix("list the roles, or add an iam:PassedToService condition"));
            }
        }
    }
    if ctx.kind == PolicyKind::Resource && unconditioned {
        if let Some(p) = &st.principal {
            let everyone = p.items.iter().find(|i| {
                !p.negated
                    && (i.principal_type == PrincipalType::Wildcard
                        || (i.principal_type == PrincipalType::Aws && &*i.text == "*"))
            });
            if let Some(item) = everyone {
                let message = if ctx.trust_policy {
                    "this trust policy lets any AWS principal, in any account, assume the role: there is no condition"
                } else {
                    "this Allow applies to everyone, anonymous callers included, with no condition"
                };
                out.push(Finding::new("principal-star-allow", item.span, message).with_fix(
                    "name the principals, or add a condition such as aws:PrincipalOrgID or aws:SourceVpce",
                ));
            }
        }
    }
}
