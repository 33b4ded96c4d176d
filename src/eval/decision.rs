//! The decision across policy types: explicit deny, SCP and RCP levels, endpoint
//! policies, identity ∧ boundary ∧ session, resource policies (same and cross
//! account), and the service rules for KMS keys, role trust and federated users.

use super::request::PreparedRequest;
use super::statement::{PrincipalMatch, eval_statement};
use super::{Detail, Evaluation};
use crate::policy::principal::{PrincipalRef, split_arn};
use crate::policy::{Effect, PolicyKind, PolicySet};
use crate::trace::{
    Decision, PolicyTrace, RequestSummary, Rule, StatementRef, Step, StepOutcome, Trace,
};
use std::borrow::Cow;

/// What the statements of the applicable policies said.
#[derive(Default)]
struct Collected {
    denies: Vec<StatementRef>,
    identity: Vec<StatementRef>,
    boundary: Vec<StatementRef>,
    boundary_present: bool,
    session: Vec<StatementRef>,
    session_present: bool,
    resource: Vec<(StatementRef, PrincipalMatch)>,
    resource_present: bool,
    endpoint: Vec<StatementRef>,
    endpoint_present: bool,
    scp_levels: Vec<Vec<StatementRef>>,
    rcp_levels: Vec<Vec<StatementRef>>,
}

/// Why a group of policies does not take part, or `None` when it does.
struct Applicability {
    principal_policies: Option<&'static str>,
    session: Option<&'static str>,
    scp: Option<&'static str>,
    rcp: Option<&'static str>,
    endpoint: Option<&'static str>,
}

fn applicability(set: &PolicySet, req: &PreparedRequest) -> Applicability {
    let p = &req.principal;
    let mgmt = set.management_account.as_deref();
    let principal_policies = match p {
        PrincipalRef::Account { .. } => {
            Some("the account root user has no identity policies, boundary or session policy")
        }
        PrincipalRef::Service { .. } => Some("a service principal has no identity policies"),
        PrincipalRef::Anonymous => Some("an anonymous caller has no identity policies"),
        _ if !p.is_iam() => Some("the principal is not an IAM principal"),
        _ => None,
    };
    let scp = if set.scp_levels.is_empty() {
        Some("no SCPs in the scenario")
    } else if !p.is_iam() {
        Some("SCPs apply only to IAM principals of the organization's accounts")
    } else if p.is_service_linked_role() {
        Some("SCPs do not apply to service-linked roles")
    } else if mgmt.is_some() && p.account() == mgmt {
        Some("SCPs do not apply to the organization's management account")
    } else {
        None
    };
    // Session policies come with a session: a role session or a federated user.
    let session = matches!(p, PrincipalRef::User { .. })
        .then_some("an IAM user's own requests carry no session policy");
    let service = req.action_lower.split(':').next().unwrap_or("");
    let rcp = if set.rcp_levels.is_empty() {
        Some("no RCPs in the scenario")
    } else if !set.rcp_services.iter().any(|s| s == service) {
        Some("RCPs do not apply to this service")
    } else if &*req.resource == "*" {
        Some("the action authorizes no resource, and RCPs apply only to resources")
    } else if p.is_service_linked_role() {
        Some("RCPs do not apply to calls made by service-linked roles")
    } else if req.action_lower == "sts:assumerole" && is_service_linked_role_arn(&req.resource) {
        Some("RCPs do not affect a service assuming its service-linked role")
    } else if req.action_lower == "kms:retiregrant" {
        Some("RCPs do not apply to kms:RetireGrant")
    } else if mgmt.is_some() && req.resource_account.as_deref() == mgmt {
        Some("RCPs do not apply to resources of the organization's management account")
    } else if aws_managed_kms_key(req) {
        Some("RCPs do not apply to AWS managed KMS keys")
    } else {
        None
    };
    let endpoint = (!req.via_vpc_endpoint())
        .then_some("the request did not come through a VPC endpoint (no aws:SourceVpce)");
    Applicability {
        principal_policies,
        session,
        scp,
        rcp,
        endpoint,
    }
}

fn is_service_linked_role_arn(arn: &str) -> bool {
    matches!(
        PrincipalRef::parse(arn),
        PrincipalRef::Role {
            service_linked: true,
            ..
        }
    )
}

fn aws_managed_kms_key(req: &PreparedRequest) -> bool {
    let alias =
        split_arn(&req.resource).is_some_and(|p| p[2] == "kms" && p[5].starts_with("alias/aws/"));
    let manager = req
        .entry("kms:keymanager")
        .is_some_and(|e| !e.multi && e.values.first().is_some_and(|v| v.text == "AWS"));
    alias || manager
}

fn is_kms_key(resource: &str) -> bool {
    split_arn(resource).is_some_and(|p| p[2] == "kms" && p[5].starts_with("key/"))
}

fn is_assume_role(action_lower: &str) -> bool {
    matches!(
        action_lower,
        "sts:assumerole" | "sts:assumerolewithsaml" | "sts:assumerolewithwebidentity"
    )
}

/// Evaluates every applicable policy and decides.
pub fn decide(set: &PolicySet, req: &PreparedRequest, detail: Detail) -> Evaluation {
    let trace = detail == Detail::Trace;
    let app = applicability(set, req);
    let mut c = Collected {
        scp_levels: vec![
            Vec::new();
            if app.scp.is_none() {
                set.scp_levels.len()
            } else {
                0
            }
        ],
        rcp_levels: vec![
            Vec::new();
            if app.rcp.is_none() {
                set.rcp_levels.len()
            } else {
                0
            }
        ],
        ..Default::default()
    };
    let mut policy_traces = Vec::with_capacity(if trace { set.policies.len() } else { 0 });

    for (pi, entry) in set.policies.iter().enumerate() {
        let skip: Option<&'static str> = match entry.kind {
            PolicyKind::Identity | PolicyKind::Boundary => app.principal_policies,
            PolicyKind::Session => app.principal_policies.or(app.session),
            PolicyKind::Scp => app.scp,
            PolicyKind::Rcp => app.rcp,
            PolicyKind::Endpoint => app.endpoint,
            PolicyKind::Resource => match &entry.attached_to {
                Some(a) if !a.pattern.matches_plain(&req.resource) => {
                    Some("attached to another resource than the one requested")
                }
                _ => None,
            },
        };
        if skip.is_none() {
            match entry.kind {
                PolicyKind::Boundary => c.boundary_present = true,
                PolicyKind::Session => c.session_present = true,
                PolicyKind::Resource => c.resource_present = true,
                PolicyKind::Endpoint => c.endpoint_present = true,
                _ => {}
            }
        }
        let mut statements = Vec::new();
        if skip.is_none() {
            for (si, s) in entry.policy.statements.iter().enumerate() {
                let ev = eval_statement(s, si, req, trace);
                if let Some(t) = ev.trace {
                    statements.push(t);
                }
                if !ev.applies {
                    continue;
                }
                let r = StatementRef {
                    policy: pi,
                    statement: si,
                    span: s.span,
                };
                match (s.effect, entry.kind) {
                    (Effect::Deny, _) => c.denies.push(r),
                    (Effect::Allow, PolicyKind::Identity) => c.identity.push(r),
                    (Effect::Allow, PolicyKind::Boundary) => c.boundary.push(r),
                    (Effect::Allow, PolicyKind::Session) => c.session.push(r),
                    (Effect::Allow, PolicyKind::Endpoint) => c.endpoint.push(r),
                    (Effect::Allow, PolicyKind::Resource) => c
                        .resource
                        .push((r, ev.principal_match.unwrap_or(PrincipalMatch::Everyone))),
                    (Effect::Allow, PolicyKind::Scp) => {
                        if let Some(l) = entry.level.and_then(|l| c.scp_levels.get_mut(l)) {
                            l.push(r);
                        }
                    }
                    (Effect::Allow, PolicyKind::Rcp) => {
                        if let Some(l) = entry.level.and_then(|l| c.rcp_levels.get_mut(l)) {
                            l.push(r);
                        }
                    }
                }
            }
        }
        if trace {
            policy_traces.push(PolicyTrace {
                kind: entry.kind,
                name: entry.name.clone(),
                level: entry.level.and_then(|l| match entry.kind {
                    PolicyKind::Scp => set.scp_levels.get(l).cloned(),
                    PolicyKind::Rcp => set.rcp_levels.get(l).cloned(),
                    _ => None,
                }),
                attached_to: entry.attached_to.as_ref().map(|a| a.text.clone()),
                applies: skip.is_none(),
                not_applied_because: skip.map(Cow::Borrowed),
                statements,
            });
        }
    }

    let mut d = Decider {
        set,
        req,
        app: &app,
        c: &c,
        trace,
        steps: Vec::new(),
    };
    let (decision, reason, determined_by) = d.run();
    let steps = std::mem::take(&mut d.steps);
    let trace = trace.then(|| Trace {
        request: summary(req),
        decision,
        reason,
        steps,
        policies: policy_traces,
    });
    Evaluation {
        decision,
        determined_by,
        trace,
    }
}

fn summary(req: &PreparedRequest) -> RequestSummary {
    let pa = req.principal.account().map(str::to_string);
    let relation = match (&pa, &req.resource_account) {
        (None, _) => "no_principal_account",
        (Some(a), Some(b)) if a == b => "same_account",
        _ => "cross_account",
    };
    RequestSummary {
        principal: req.principal_text.clone(),
        principal_kind: req.principal.kind_name(),
        principal_account: pa,
        action: req.action.clone(),
        resource: req.resource.clone(),
        resource_account: req.resource_account.clone(),
        resource_account_source: req.resource_account_source,
        relation,
    }
}

struct Decider<'a> {
    set: &'a PolicySet,
    req: &'a PreparedRequest,
    app: &'a Applicability,
    c: &'a Collected,
    trace: bool,
    steps: Vec<Step>,
}

type Outcome = (Decision, String, Vec<StatementRef>);

impl Decider<'_> {
    fn step<M: Into<Cow<'static, str>>>(
        &mut self,
        rule: Rule,
        outcome: StepOutcome,
        message: impl FnOnce() -> M,
        statements: &[StatementRef],
    ) {
        if self.trace {
            self.steps.push(Step {
                rule,
                outcome,
                doc: rule.doc_page(),
                message: message().into(),
                statements: statements.to_vec(),
            });
        }
    }

    /// `statement "Sid" (#2) of identity policy "Name"`.
    fn name(&self, r: &StatementRef) -> String {
        if !self.trace {
            return String::new();
        }
        let Some(entry) = self.set.policies.get(r.policy) else {
            return "a statement".into();
        };
        let sid = entry
            .policy
            .statements
            .get(r.statement)
            .and_then(|s| s.sid.as_deref())
            .map(|s| format!("\"{s}\" "))
            .unwrap_or_default();
        format!(
            "statement {sid}(#{}) of {} \"{}\"",
            r.statement + 1,
            entry.kind.label(),
            entry.name
        )
    }

    fn names(&self, refs: &[StatementRef]) -> String {
        refs.iter()
            .map(|r| self.name(r))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn implicit(&self, reason: String) -> Outcome {
        (Decision::ImplicitDeny, reason, Vec::new())
    }

    fn run(&mut self) -> Outcome {
        let req = self.req;
        let c = self.c;
        if req.action_lower == "sts:getcalleridentity"
            && matches!(req.principal, PrincipalRef::Anonymous)
        {
            self.step(
                Rule::GetCallerIdentity,
                StepOutcome::Fail,
                || "sts:GetCallerIdentity needs a signed request; an anonymous caller has no identity to return",
                &[],
            );
            return self.implicit(
                "Implicit deny: an anonymous caller cannot call sts:GetCallerIdentity".into(),
            );
        }
        if req.action_lower == "sts:getcalleridentity" {
            self.step(
                Rule::GetCallerIdentity,
                StepOutcome::Pass,
                || "sts:GetCallerIdentity is always allowed, whatever the policies say",
                &[],
            );
            return (
                Decision::Allow,
                "sts:GetCallerIdentity is always allowed".into(),
                Vec::new(),
            );
        }

        // 1. Any applicable Deny.
        if !c.denies.is_empty() {
            let who = if self.trace {
                self.names(&c.denies)
            } else {
                String::new()
            };
            self.step(
                Rule::ExplicitDeny,
                StepOutcome::Fail,
                || format!("denied by {who}"),
                &c.denies,
            );
            let reason = if self.trace {
                format!("Denied by {}", self.name(&c.denies[0]))
            } else {
                String::new()
            };
            return (Decision::ExplicitDeny, reason, c.denies.clone());
        }
        self.step(
            Rule::ExplicitDeny,
            StepOutcome::Pass,
            || "no applicable statement denies",
            &[],
        );

        // 2. Organization guardrails.
        if let Some(why) = self.app.scp {
            self.step(Rule::ScpLevel, StepOutcome::NotApplicable, || why, &[]);
        } else {
            for (i, allows) in c.scp_levels.iter().enumerate() {
                let level = &self.set.scp_levels[i];
                if allows.is_empty() {
                    let msg = format!("no SCP at level \"{level}\" allows {}", req.action);
                    self.step(Rule::ScpLevel, StepOutcome::Fail, || msg.clone(), &[]);
                    return self.implicit(format!("Implicit deny: {msg}"));
                }
                self.step(
                    Rule::ScpLevel,
                    StepOutcome::Pass,
                    || format!("level \"{level}\" allows"),
                    allows,
                );
            }
        }
        if let Some(why) = self.app.rcp {
            self.step(Rule::RcpLevel, StepOutcome::NotApplicable, || why, &[]);
        } else {
            for (i, allows) in c.rcp_levels.iter().enumerate() {
                let level = &self.set.rcp_levels[i];
                self.step(
                    Rule::RcpLevel,
                    StepOutcome::Pass,
                    || {
                        format!(
                            "level \"{level}\" allows: RCPFullAWSAccess is always attached (implicit, cannot be detached)"
                        )
                    },
                    allows,
                );
            }
        }

        // 3. VPC endpoint policies.
        if let Some(why) = self.app.endpoint {
            self.step(
                Rule::EndpointPolicy,
                StepOutcome::NotApplicable,
                || why,
                &[],
            );
        } else if !c.endpoint_present {
            self.step(
                Rule::EndpointPolicy,
                StepOutcome::Pass,
                || "no endpoint policy in the scenario: the endpoint's default policy (full access) allows",
                &[],
            );
        } else if c.endpoint.is_empty() {
            let msg = format!("no endpoint policy allows {}", req.action);
            self.step(Rule::EndpointPolicy, StepOutcome::Fail, || msg.clone(), &[]);
            return self.implicit(format!("Implicit deny: {msg}"));
        } else {
            self.step(
                Rule::EndpointPolicy,
                StepOutcome::Pass,
                || "an endpoint policy allows",
                &c.endpoint,
            );
        }

        self.principal_and_resource()
    }

    /// Steps 4–6: identity ∧ boundary ∧ session, resource policies, service rules.
    fn principal_and_resource(&mut self) -> Outcome {
        let req = self.req;
        let c = self.c;
        let p = &req.principal;
        let iam = p.is_iam();

        // The principal's side.
        let federated_without_session =
            matches!(p, PrincipalRef::FederatedUser { .. }) && !c.session_present;
        // The root user is not limited by identity policies: it has full access to its
        // own account unless something denies (SCPs, RCPs, resource policies).
        let root = matches!(p, PrincipalRef::Account { .. });
        let identity_allows = root || (iam && !c.identity.is_empty() && !federated_without_session);
        let boundary_ok = !c.boundary_present || !c.boundary.is_empty();
        let session_ok = !c.session_present || !c.session.is_empty();
        if root {
            self.step(
                Rule::IdentityPolicies,
                StepOutcome::Pass,
                || "the account root user needs no identity policy: it has full access to its own account unless something denies",
                &[],
            );
        } else if iam {
            if federated_without_session {
                self.step(
                    Rule::FederatedUserWithoutSessionPolicy,
                    StepOutcome::Fail,
                    || "a federated-user session with no session policy has no permissions from identity policies",
                    &[],
                );
            }
            let id_outcome = if c.identity.is_empty() {
                StepOutcome::Fail
            } else {
                StepOutcome::Pass
            };
            let n = c.identity.len();
            self.step(
                Rule::IdentityPolicies,
                id_outcome,
                || {
                    if n == 0 {
                        format!("no identity policy allows {}", req.action)
                    } else {
                        "an identity policy allows".into()
                    }
                },
                &c.identity,
            );
            if c.boundary_present {
                self.step(
                    Rule::PermissionsBoundary,
                    if boundary_ok {
                        StepOutcome::Pass
                    } else {
                        StepOutcome::Fail
                    },
                    || {
                        if boundary_ok {
                            "the permissions boundary allows".into()
                        } else {
                            format!("the permissions boundary does not allow {}", req.action)
                        }
                    },
                    &c.boundary,
                );
            }
            if c.session_present {
                self.step(
                    Rule::SessionPolicy,
                    if session_ok {
                        StepOutcome::Pass
                    } else {
                        StepOutcome::Fail
                    },
                    || {
                        if session_ok {
                            "the session policy allows".into()
                        } else {
                            format!("the session policy does not allow {}", req.action)
                        }
                    },
                    &c.session,
                );
            }
        } else {
            let why = self.app.principal_policies.unwrap_or_default();
            self.step(
                Rule::IdentityPolicies,
                StepOutcome::NotApplicable,
                || why,
                &[],
            );
        }
        let principal_side = identity_allows && boundary_ok && session_ok;

        // The resource side.
        let delegated: Vec<StatementRef> = c
            .resource
            .iter()
            .filter(|(_, m)| *m == PrincipalMatch::Account)
            .map(|(r, _)| *r)
            .collect();
        let direct: Vec<(StatementRef, PrincipalMatch)> = c
            .resource
            .iter()
            .filter(|(_, m)| *m != PrincipalMatch::Account)
            .copied()
            .collect();
        let direct_unlimited: Vec<StatementRef> = direct
            .iter()
            .filter(|(_, m)| match m {
                PrincipalMatch::Everyone | PrincipalMatch::Session | PrincipalMatch::Other => true,
                PrincipalMatch::User => session_ok,
                PrincipalMatch::Role => boundary_ok && session_ok,
                PrincipalMatch::Account => false,
            })
            .map(|(r, _)| *r)
            .collect();
        let mut granted_principal: Vec<StatementRef> = Vec::new();
        if principal_side {
            granted_principal.extend(&c.identity);
            granted_principal.extend(&c.boundary);
            granted_principal.extend(&c.session);
        }

        let kms = is_kms_key(&req.resource);
        let assume = is_assume_role(&req.action_lower);
        let principal_account = p.account();
        let same_account =
            principal_account.is_some() && principal_account == req.resource_account.as_deref();

        if kms && !c.resource_present {
            self.step(
                Rule::KmsKeyPolicy,
                StepOutcome::Fail,
                || "a KMS key always has a key policy, and none is attached to this key in the scenario: nothing is allowed",
                &[],
            );
            return self.implicit("Implicit deny: no key policy for this KMS key".into());
        }
        if assume && matches!(p, PrincipalRef::Account { .. }) {
            self.step(
                Rule::RoleTrustPolicy,
                StepOutcome::Fail,
                || "roles may not be assumed by an account's root user, whatever the trust policy says",
                &[],
            );
            return self.implicit("Implicit deny: the root user cannot assume roles".into());
        }
        if assume && !c.resource_present {
            self.step(
                Rule::RoleTrustPolicy,
                StepOutcome::Fail,
                || "assuming a role needs its trust policy to allow the principal, and no trust policy is attached to this role in the scenario",
                &[],
            );
            return self.implicit("Implicit deny: no trust policy for this role".into());
        }

        if !iam {
            let all: Vec<StatementRef> = c.resource.iter().map(|(r, _)| *r).collect();
            let ok = !all.is_empty();
            self.step(
                Rule::NoPrincipalAccount,
                if ok {
                    StepOutcome::Pass
                } else {
                    StepOutcome::Fail
                },
                || {
                    if ok {
                        "a resource policy allows this principal"
                    } else {
                        "only a resource policy can allow this principal, and none does"
                    }
                },
                &all,
            );
            return if ok {
                let reason = format!("Allowed by {}", self.name(&all[0]));
                (Decision::Allow, reason, all)
            } else {
                self.implicit(format!(
                    "Implicit deny: no resource policy allows {}",
                    p.kind_name()
                ))
            };
        }

        // KMS and role assumption: the resource policy must take part; IAM policies
        // count only where it delegates to the account.
        let service_rule = if kms {
            Some(Rule::KmsKeyPolicy)
        } else if assume {
            Some(Rule::RoleTrustPolicy)
        } else {
            None
        };

        if same_account {
            let via_identity = if service_rule.is_some() {
                principal_side && !delegated.is_empty()
            } else {
                principal_side
            };
            if let Some(rule) = service_rule {
                let what = if kms { "key policy" } else { "trust policy" };
                let (outcome, msg) = if via_identity || !direct_unlimited.is_empty() {
                    (StepOutcome::Pass, format!("the {what} allows"))
                } else if principal_side {
                    (
                        StepOutcome::Fail,
                        format!(
                            "identity policies allow, but the {what} neither names this principal nor delegates to the account (arn:aws:iam::ACCOUNT:root), so they do not count"
                        ),
                    )
                } else {
                    (
                        StepOutcome::Fail,
                        format!("the {what} does not allow this principal"),
                    )
                };
                let refs: Vec<StatementRef> = c.resource.iter().map(|(r, _)| *r).collect();
                self.step(rule, outcome, || msg, &refs);
            }
            let mut grants = Vec::new();
            if via_identity {
                grants.extend(granted_principal.iter().copied());
                if service_rule.is_some() {
                    grants.extend(&delegated);
                }
            }
            grants.extend(&direct_unlimited);
            let ok = via_identity || !direct_unlimited.is_empty();
            let boundary_note = !direct_unlimited.is_empty() && !principal_side;
            self.step(
                Rule::SameAccount,
                if ok { StepOutcome::Pass } else { StepOutcome::Fail },
                || {
                    if via_identity {
                        "the principal's own policies allow".into()
                    } else if boundary_note {
                        "a resource policy naming this principal allows on its own (boundary and session limits do not apply to this grant)".into()
                    } else if !direct.is_empty() {
                        "a resource policy names this principal, but its boundary or session policy limits that grant".into()
                    } else if !delegated.is_empty() && !principal_side {
                        "the resource policy delegates to the account's identity policies, which do not allow".into()
                    } else {
                        format!("neither the identity policies nor a resource policy allow {}", req.action)
                    }
                },
                &grants,
            );
            return if ok {
                let reason = match grants.first() {
                    Some(g) => format!("Allowed by {}", self.name(g)),
                    None => {
                        "Allowed: the account root user has full access to its own account".into()
                    }
                };
                (Decision::Allow, reason, grants)
            } else {
                self.implicit(format!(
                    "Implicit deny: nothing allows {} on {}",
                    req.action, req.resource
                ))
            };
        }

        // Cross account: both sides must allow.
        let resource_allows: Vec<StatementRef> = c.resource.iter().map(|(r, _)| *r).collect();
        let ok = principal_side && !resource_allows.is_empty();
        if let Some(rule) = service_rule {
            let what = if kms { "key policy" } else { "trust policy" };
            let pass = !resource_allows.is_empty();
            self.step(
                rule,
                if pass {
                    StepOutcome::Pass
                } else {
                    StepOutcome::Fail
                },
                || {
                    if pass {
                        format!("the {what} allows this principal's account")
                    } else {
                        format!("the {what} does not allow this principal")
                    }
                },
                &resource_allows,
            );
        }
        let ra = req.resource_account.clone().unwrap_or_default();
        self.step(
            Rule::CrossAccount,
            if ok { StepOutcome::Pass } else { StepOutcome::Fail },
            || {
                match (principal_side, resource_allows.is_empty()) {
                    (true, false) => format!("resource in {ra}: the principal's policies and the resource policy both allow"),
                    (true, true) => format!("resource in {ra}: the principal's policies allow, but no resource policy does"),
                    (false, false) => format!("resource in {ra}: a resource policy allows, but the principal's own policies do not"),
                    (false, true) => format!("resource in {ra}: neither side allows"),
                }
            },
            &resource_allows,
        );
        if ok {
            let mut grants = granted_principal;
            grants.extend(resource_allows);
            let reason = match grants.first() {
                Some(g) => format!("Allowed by {} and the resource policy", self.name(g)),
                None => "Allowed".into(),
            };
            (Decision::Allow, reason, grants)
        } else {
            let side = if principal_side {
                "no resource policy allows it"
            } else {
                "the principal's own policies do not allow it"
            };
            self.implicit(format!("Implicit deny: cross-account request and {side}"))
        }
    }
}
