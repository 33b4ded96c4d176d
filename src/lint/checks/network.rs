//! Denies on the caller's network that also catch calls AWS services make for it.

use super::super::{Finding, FixEdit};
use crate::policy::condition::Family;
use crate::policy::{Effect, Statement};

/// A Deny on the caller's network (NotIpAddress aws:SourceIp, aws:SourceVpc/Vpce not
/// equal) with no `aws:ViaAWSService: false` guard: it also fires
/// for the calls AWS services make on the caller's behalf (the Client VPN case).
pub(super) fn network_deny(st: &Statement, out: &mut Vec<Finding>) {
    if st.effect != Effect::Deny {
        return;
    }
    // The guard: the Deny only for calls the caller makes itself (ViaAWSService
    // false). PrincipalIsAWSService false is no guard here: a call a service makes on
    // the caller's behalf keeps the caller as principal, so it is false there too.
    let guarded = st.conditions.iter().any(|op| {
        op.operator.base.family == Family::Bool
            && op.keys.iter().any(|k| {
                k.lower == "aws:viaawsservice"
                    && k.values
                        .iter()
                        .all(|v| v.text.eq_ignore_ascii_case("false"))
            })
    });
    if guarded {
        return;
    }
    for op in &st.conditions {
        let negated = op.operator.base.negated;
        for key in &op.keys {
            let network = match key.lower.as_str() {
                "aws:sourceip" | "aws:vpcsourceip" => {
                    op.operator.base.family == Family::Ip && negated
                }
                "aws:sourcevpc" | "aws:sourcevpce" => negated,
                _ => false,
            };
            if network {
                out.push(Finding::new(
                    "deny-source-network-without-service-guard",
                    key.span,
                    format!(
                        "this Deny also fires when an AWS service calls another service on the caller's behalf (creating a Client VPN endpoint creates a service-linked role, for example): such calls may carry the service's address or no {} at all, so {} holds and the call is denied although the caller is on the right network",
                        key.name, op.name
                    ),
                ).with_fix("add \"Bool\": {\"aws:ViaAWSService\": \"false\"} to this Condition")
                .with_edit(FixEdit::AddCondition {
                    statement: st.span,
                    operator: "Bool".into(),
                    key: "aws:ViaAWSService".into(),
                    value: "false".into(),
                }));
            }
        }
    }
}
