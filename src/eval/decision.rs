//! The decision across policy types: explicit deny, SCP and RCP levels, endpoint
//! policies, identity ∧ boundary ∧ session, resource policies (same and cross
//! account), and the service rules: KMS keys, role trust, federated users,
//! sts:GetSessionToken, NotPrincipal with a boundary and AWS-owned resources. Reasons
//! are data ([`NotApplicable`], [`Reason`]); words are made only when a trace is asked
//! for.

use super::request::PreparedRequest;
use super::service_rules::{self, SessionTokenCaller};
use super::statement::{PrincipalMatch, eval_statement_marked};
use super::unresolved::{Bound, Marks, placeholders_in};
use super::{Detail, Evaluation};
use crate::iac::placeholder::contains;
use crate::policy::principal::{PrincipalRef, split_arn};
use crate::policy::unresolved::surely_matches;
use crate::policy::{Effect, PolicyEntry, PolicyKind, PolicySet};
use crate::trace::{
    Decision, NotApplicable, PolicyTrace, ProtectedKind, Reason, ReasonContext, Relation,
    RequestSummary, Rule, StatementRef, Step, StepOutcome, Trace, Unresolved,
};
use std::borrow::Cow;

/// What the statements of the applicable policies said.
#[derive(Default)]
struct Collected {
    denies: Vec<StatementRef>,
    /// The Denies that apply only because NotPrincipal cannot exempt a principal with a
    /// permissions boundary.
    boundary_forced_denies: Vec<StatementRef>,
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
    principal_policies: Option<NotApplicable>,
    session: Option<NotApplicable>,
    scp: Option<NotApplicable>,
    rcp: Option<NotApplicable>,
    endpoint: Option<NotApplicable>,
}

fn applicability(set: &PolicySet, req: &PreparedRequest) -> Applicability {
    let p = &req.principal;
    let mgmt = set.management_account.as_deref();
    let principal_policies = match p {
        PrincipalRef::Account { .. } => Some(NotApplicable::RootUser),
        PrincipalRef::Service { .. } => Some(NotApplicable::ServicePrincipal),
        PrincipalRef::Anonymous => Some(NotApplicable::Anonymous),
        PrincipalRef::Other { .. } if contains(&req.principal_text) => {
            Some(NotApplicable::UnresolvedPrincipal)
        }
        _ if !p.is_iam() => Some(NotApplicable::NotIamPrincipal),
        _ => None,
    };
    let scp = if set.scp_levels.is_empty() {
        Some(NotApplicable::NoScps)
    } else if !p.is_iam() {
        Some(NotApplicable::ScpNotIamPrincipal)
    } else if p.is_service_linked_role() {
        Some(NotApplicable::ServiceLinkedRole)
    } else if mgmt.is_some() && p.account() == mgmt {
        Some(NotApplicable::ScpManagementAccount)
    } else {
        None
    };
    // Session policies come with a session: a role session or a federated user.
    let session = matches!(p, PrincipalRef::User { .. }).then_some(NotApplicable::UserHasNoSession);
    let service = req.action_lower.split(':').next().unwrap_or("");
    let rcp = if set.rcp_levels.is_empty() {
        Some(NotApplicable::NoRcps)
    } else if !set.rcp_services.iter().any(|s| s == service) {
        Some(NotApplicable::RcpUnsupportedService)
    } else if &*req.resource == "*" {
        Some(NotApplicable::RcpNoResource)
    } else if p.is_service_linked_role() {
        Some(NotApplicable::RcpServiceLinkedRole)
    } else if req.action_lower == "sts:assumerole" && is_service_linked_role_arn(&req.resource) {
        Some(NotApplicable::RcpAssumeServiceLinkedRole)
    } else if req.action_lower == "kms:retiregrant" {
        Some(NotApplicable::RcpRetireGrant)
    } else if mgmt.is_some() && req.resource_account.as_deref() == mgmt {
        Some(NotApplicable::RcpManagementAccount)
    } else if aws_managed_kms_key(req) {
        Some(NotApplicable::RcpAwsManagedKmsKey)
    } else {
        None
    };
    let endpoint = (!req.via_vpc_endpoint()).then_some(NotApplicable::NoVpcEndpoint);
    Applicability {
        principal_policies,
        session,
        scp,
        rcp,
        endpoint,
    }
}

/// Why `entry` takes no part in this request, or `None` when it does.
fn skip_reason(
    entry: &PolicyEntry,
    app: &Applicability,
    req: &PreparedRequest,
) -> Option<NotApplicable> {
    match entry.kind {
        PolicyKind::Identity | PolicyKind::Boundary => app
            .principal_policies
            .or_else(|| bound_elsewhere(entry, req)),
        PolicyKind::Session => app
            .principal_policies
            .or(app.session)
            .or_else(|| bound_elsewhere(entry, req)),
        PolicyKind::Scp => app.scp,
        PolicyKind::Rcp => app.rcp,
        PolicyKind::Endpoint => app.endpoint,
        PolicyKind::Resource => match &entry.attached_to {
            Some(a) if !a.pattern.matches_plain(&req.resource) => {
                Some(NotApplicable::OtherResource)
            }
            _ => None,
        },
    }
}

/// [`NotApplicable::OtherPrincipal`] for an entry bound to a principal other than the
/// request's. An unbound entry (every scenario before bindings) costs one test here.
fn bound_elsewhere(entry: &PolicyEntry, req: &PreparedRequest) -> Option<NotApplicable> {
    match &entry.principal {
        Some(b) if !b.covers(&req.principal) => Some(NotApplicable::OtherPrincipal),
        _ => None,
    }
}

/// True when the principal is an IAM user or role (or role session) that has a
/// permissions boundary: a boundary policy of the scenario takes part for it (the same
/// test the policy loop applies, so a boundary bound to another principal does not
/// count).
fn has_boundary(set: &PolicySet, req: &PreparedRequest, app: &Applicability) -> bool {
    matches!(
        req.principal,
        PrincipalRef::User { .. } | PrincipalRef::Role { .. } | PrincipalRef::RoleSession { .. }
    ) && set
        .policies
        .iter()
        .any(|e| e.kind == PolicyKind::Boundary && skip_reason(e, app, req).is_none())
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

/// Evaluates every applicable policy and decides. When a comparison that touches a
/// placeholder (an unresolved template value) took part, two more passes bound the
/// decision (see [`super::unresolved`]) and the result says whether it depends on them.
pub fn decide(set: &PolicySet, req: &PreparedRequest, detail: Detail) -> Evaluation {
    let mut marks = Marks::new(Bound::Plain);
    let mut ev = decide_pass(set, req, detail, &mut marks);
    // A principal that is wholly a placeholder reads as an unknown kind with no account.
    let principal_unknown = req.placeholders
        && matches!(req.principal, PrincipalRef::Other { .. })
        && contains(&req.principal_text);
    if marks.found.is_empty() && !principal_unknown {
        return ev;
    }
    let mut most = Marks::new(Bound::MostPermissive);
    let most_permissive = decide_pass(set, req, Detail::Decision, &mut most).decision;
    let mut least = Marks::new(Bound::LeastPermissive);
    let least_permissive = decide_pass(set, req, Detail::Decision, &mut least).decision;
    if principal_unknown {
        marks.record(&[&req.principal_text]);
    }
    let mut values = marks.found;
    for v in most.found.into_iter().chain(least.found) {
        if !values.contains(&v) {
            values.push(v);
        }
    }
    let unresolved = Unresolved {
        values,
        depends: principal_unknown
            || most_permissive != ev.decision
            || least_permissive != ev.decision,
        most_permissive,
        least_permissive,
        principal_unknown,
    };
    if let Some(t) = &mut ev.trace {
        t.unresolved = Some(unresolved.clone());
    }
    ev.unresolved = Some(unresolved);
    ev
}

/// Whether a resource policy's `attachedTo` covers the request's resource when a
/// placeholder is on either side: `Some(placeholders)` when that is unknown,
/// `None` when it is known (then `skip` says whether it is attached).
fn attachment_unresolved(
    entry: &PolicyEntry,
    req: &PreparedRequest,
    skip: &mut Option<NotApplicable>,
) -> Option<Vec<String>> {
    let a = entry.attached_to.as_ref()?;
    if entry.kind != PolicyKind::Resource
        || !(a.pattern.has_placeholder() || (req.placeholders && contains(&req.resource)))
    {
        return None;
    }
    if surely_matches(&a.pattern, &req.resource) {
        *skip = None;
        return None;
    }
    *skip = Some(NotApplicable::OtherResource);
    Some(placeholders_in(&[&a.text, &req.resource]))
}

/// One evaluation pass, settling comparisons with placeholders as `marks` says.
fn decide_pass(
    set: &PolicySet,
    req: &PreparedRequest,
    detail: Detail,
    marks: &mut Marks,
) -> Evaluation {
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
    let bounded = has_boundary(set, req, &app);

    for (pi, entry) in set.policies.iter().enumerate() {
        let mut skip = skip_reason(entry, &app, req);
        // Attached or not is unknown: the plain pass takes it as not attached; a bound
        // pass takes it as attached but lets only the statements it wants apply.
        let attachment = attachment_unresolved(entry, req, &mut skip);
        if let Some(found) = &attachment {
            let texts: Vec<&str> = found.iter().map(String::as_str).collect();
            marks.record(&texts);
            if marks.bound != Bound::Plain {
                skip = None;
            }
        }
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
                let ev = eval_statement_marked(s, si, req, trace, bounded, marks);
                if let Some(t) = ev.trace {
                    statements.push(t);
                }
                let unwanted = attachment.is_some() && marks.wants_apply(s.effect) == Some(false);
                if !ev.applies || unwanted {
                    continue;
                }
                let r = StatementRef {
                    policy: pi,
                    statement: si,
                    span: s.span,
                };
                if ev.boundary_forced {
                    c.boundary_forced_denies.push(r);
                }
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
                bound_to: entry.principal.as_ref().map(|b| b.text.clone()),
                applies: skip.is_none(),
                not_applied_because: skip.map(|w| Cow::Borrowed(w.describe())),
                not_applied_code: skip,
                unresolved: attachment.unwrap_or_default(),
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
        failed_level: None,
        protected: None,
    };
    let (decision, reason, determined_by) = d.run();
    let steps = std::mem::take(&mut d.steps);
    let trace = trace.then(|| {
        let request = summary(req);
        let statement = determined_by.first().map(|r| d.name(r));
        let words = reason.describe(&ReasonContext {
            request: &request,
            statement: statement.as_deref(),
            level: d
                .failed_level
                .and_then(|l| set.scp_levels.get(l))
                .map(String::as_str),
            protected: d.protected,
        });
        Trace {
            request,
            decision,
            reason: words,
            reason_code: reason,
            steps,
            policies: policy_traces,
            unresolved: None,
        }
    });
    Evaluation {
        decision,
        determined_by,
        trace,
        unresolved: None,
    }
}

fn summary(req: &PreparedRequest) -> RequestSummary {
    let pa = req.principal.account().map(str::to_string);
    let relation = match (&pa, &req.resource_account) {
        (None, _) => Relation::NoPrincipalAccount,
        (Some(a), Some(b)) if a == b => Relation::SameAccount,
        _ => Relation::CrossAccount,
    };
    RequestSummary {
        principal: req.principal_text.clone(),
        principal_kind: req.principal.kind_name(),
        principal_kind_code: req.principal.kind(),
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
    /// The SCP level that had no Allow, for the reason's words.
    failed_level: Option<usize>,
    /// The protected resource kind that refused, for the reason's words.
    protected: Option<ProtectedKind>,
}

/// The decision, why (as data), and the statements that determined it.
type Outcome = (Decision, Reason, Vec<StatementRef>);

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
                not_applied_code: None,
                statements: statements.to_vec(),
            });
        }
    }

    /// A rule that does not apply, and why.
    fn skipped(&mut self, rule: Rule, why: NotApplicable) {
        if self.trace {
            self.steps.push(Step {
                rule,
                outcome: StepOutcome::NotApplicable,
                doc: rule.doc_page(),
                message: Cow::Borrowed(why.describe()),
                not_applied_code: Some(why),
                statements: Vec::new(),
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

    fn implicit(&self, reason: Reason) -> Outcome {
        (Decision::ImplicitDeny, reason, Vec::new())
    }

    fn run(&mut self) -> Outcome {
        let req = self.req;
        let c = self.c;
        // 0. Operations policies do not control.
        if req.action_lower == "sts:getcalleridentity" {
            if matches!(req.principal, PrincipalRef::Anonymous) {
                self.step(
                    Rule::GetCallerIdentity,
                    StepOutcome::Fail,
                    || "sts:GetCallerIdentity needs a signed request; an anonymous caller has no identity to return",
                    &[],
                );
                return self.implicit(Reason::GetCallerIdentityAnonymous);
            }
            self.step(
                Rule::GetCallerIdentity,
                StepOutcome::Pass,
                || "sts:GetCallerIdentity is always allowed, whatever the policies say",
                &[],
            );
            return (Decision::Allow, Reason::GetCallerIdentityAlways, Vec::new());
        }
        match service_rules::session_token_caller(req) {
            Some(SessionTokenCaller::LongTermCredentials) => {
                let denies = &c.denies;
                let who = if self.trace && !denies.is_empty() {
                    self.names(denies)
                } else {
                    String::new()
                };
                self.step(
                    Rule::GetSessionToken,
                    StepOutcome::Pass,
                    || {
                        let base = "sts:GetSessionToken needs no permission and policies cannot control it (an authentication operation): allowed for an IAM user or the root user";
                        if who.is_empty() {
                            base.to_string()
                        } else {
                            format!("{base}; a Deny has no effect on it (here: {who})")
                        }
                    },
                    denies,
                );
                return (
                    Decision::Allow,
                    Reason::GetSessionTokenNotControlled,
                    Vec::new(),
                );
            }
            Some(SessionTokenCaller::NoLongTermCredentials) => {
                let kind = req.principal.kind_name();
                self.step(
                    Rule::GetSessionToken,
                    StepOutcome::Fail,
                    || format!("sts:GetSessionToken must be called with long-term credentials (an IAM user's access keys or the root user's); a {kind} has only temporary ones, whatever the policies allow"),
                    &[],
                );
                return self.implicit(Reason::GetSessionTokenNeedsLongTermCredentials);
            }
            None => {}
        }

        // 1. Any applicable Deny.
        if !c.denies.is_empty() {
            if !c.boundary_forced_denies.is_empty() {
                let forced = &c.boundary_forced_denies;
                let who = if self.trace {
                    self.names(forced)
                } else {
                    String::new()
                };
                self.step(
                    Rule::NotPrincipalWithBoundary,
                    StepOutcome::Fail,
                    || format!("{who} lists this principal in NotPrincipal, but a Deny with NotPrincipal always applies to an IAM user or role that has a permissions boundary"),
                    forced,
                );
            }
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
            let reason = if c.boundary_forced_denies.first() == c.denies.first() {
                Reason::NotPrincipalDenyWithBoundary
            } else {
                Reason::DeniedByStatement
            };
            return (Decision::ExplicitDeny, reason, c.denies.clone());
        }
        self.step(
            Rule::ExplicitDeny,
            StepOutcome::Pass,
            || "no applicable statement denies",
            &[],
        );

        // AWS's own refusals, whatever the policies allow (SPEC §4 step 6): checked
        // before the policy gates so the trace names the rule that decides.
        if service_rules::federated_user_api_limit(req) {
            self.step(
                Rule::FederatedUserApiLimit,
                StepOutcome::Fail,
                || format!("a federated-user session (GetFederationToken) can call no IAM operation and no STS operation except GetCallerIdentity; {} is refused whatever the policies allow", req.action),
                &[],
            );
            return self.implicit(Reason::FederatedUserApiLimit);
        }
        if let Some(kind) = service_rules::protected_resource(req) {
            self.protected = Some(kind);
            self.step(
                Rule::ProtectedResource,
                StepOutcome::Fail,
                || format!("AWS refuses {} on {}, whatever the policies say ({}); (choice) AWS answers with its own error rather than AccessDenied, reported here as an implicit deny", req.action, kind.label(), kind.doc_url()),
                &[],
            );
            return self.implicit(Reason::ProtectedResource);
        }

        // 2. Organization guardrails.
        if let Some(why) = self.app.scp {
            self.skipped(Rule::ScpLevel, why);
        } else {
            for (i, allows) in c.scp_levels.iter().enumerate() {
                let level = &self.set.scp_levels[i];
                if allows.is_empty() {
                    self.step(
                        Rule::ScpLevel,
                        StepOutcome::Fail,
                        || format!("no SCP at level \"{level}\" allows {}", req.action),
                        &[],
                    );
                    self.failed_level = Some(i);
                    return self.implicit(Reason::ScpLevelDenies);
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
            self.skipped(Rule::RcpLevel, why);
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
            self.skipped(Rule::EndpointPolicy, why);
        } else if !c.endpoint_present {
            self.step(
                Rule::EndpointPolicy,
                StepOutcome::Pass,
                || "no endpoint policy in the scenario: the endpoint's default policy (full access) allows",
                &[],
            );
        } else if c.endpoint.is_empty() {
            self.step(
                Rule::EndpointPolicy,
                StepOutcome::Fail,
                || format!("no endpoint policy allows {}", req.action),
                &[],
            );
            return self.implicit(Reason::EndpointPolicyDenies);
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
            let why = self
                .app
                .principal_policies
                .unwrap_or(NotApplicable::NotIamPrincipal);
            self.skipped(Rule::IdentityPolicies, why);
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
            return self.implicit(Reason::NoKeyPolicy);
        }
        if assume && matches!(p, PrincipalRef::Account { .. }) {
            self.step(
                Rule::RoleTrustPolicy,
                StepOutcome::Fail,
                || "roles may not be assumed by an account's root user, whatever the trust policy says",
                &[],
            );
            return self.implicit(Reason::RootCannotAssumeRole);
        }
        if assume && !c.resource_present {
            self.step(
                Rule::RoleTrustPolicy,
                StepOutcome::Fail,
                || "assuming a role needs its trust policy to allow the principal, and no trust policy is attached to this role in the scenario",
                &[],
            );
            return self.implicit(Reason::NoTrustPolicy);
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
                (Decision::Allow, Reason::AllowedByResourcePolicy, all)
            } else {
                self.implicit(Reason::NoResourcePolicyAllows)
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
                let pass = via_identity || !direct_unlimited.is_empty();
                let outcome = if pass {
                    StepOutcome::Pass
                } else {
                    StepOutcome::Fail
                };
                let msg = || {
                    if pass {
                        format!("the {what} allows")
                    } else if principal_side {
                        format!(
                            "identity policies allow, but the {what} neither names this principal nor delegates to the account (arn:aws:iam::ACCOUNT:root), so they do not count"
                        )
                    } else {
                        format!("the {what} does not allow this principal")
                    }
                };
                let refs: Vec<StatementRef> = c.resource.iter().map(|(r, _)| *r).collect();
                self.step(rule, outcome, msg, &refs);
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
            // Nothing said whose the resource is (an S3 ARN names no account, and no
            // resourceAccount or aws:ResourceAccount was given): it is taken to be the
            // caller's, as AWS's policy simulator does without ResourceOwner. A resource
            // policy's grant to a principal it names does not stand on that assumption
            // alone: such grants are mostly to other accounts' principals, whose
            // resource it is not. The principal's own policies must allow too, as
            // across accounts. (Only what the principal's policies allow is assumed,
            // so adding an Allow never denies more.)
            let assumed = req.resource_account_source == "principal_account"
                && req.resource.starts_with("arn:");
            if assumed && !via_identity && !direct_unlimited.is_empty() {
                let pa = principal_account.unwrap_or_default();
                self.step(
                    Rule::SameAccount,
                    StepOutcome::Fail,
                    || {
                        format!(
                            "a resource policy naming this principal allows, but {} names no account and no resourceAccount or aws:ResourceAccount says whose it is: the grant stands on its own only if it is in the caller's account {pa}; as another account's resource the principal's own policies must allow too, and they do not",
                            req.resource
                        )
                    },
                    &direct_unlimited,
                );
                return self.implicit(Reason::ResourceAccountUnknown);
            }
            let assumed_note = if assumed {
                " (the resource's ARN names no account: taken to be the caller's)"
            } else {
                ""
            };
            let boundary_note = !direct_unlimited.is_empty() && !principal_side;
            self.step(
                Rule::SameAccount,
                if ok { StepOutcome::Pass } else { StepOutcome::Fail },
                || {
                    let said: String = if via_identity {
                        "the principal's own policies allow".into()
                    } else if boundary_note {
                        "a resource policy naming this principal allows on its own (boundary and session limits do not apply to this grant)".into()
                    } else if !direct.is_empty() {
                        "a resource policy names this principal, but its boundary or session policy limits that grant".into()
                    } else if !delegated.is_empty() && !principal_side {
                        "the resource policy delegates to the account's identity policies, which do not allow".into()
                    } else {
                        format!("neither the identity policies nor a resource policy allow {}", req.action)
                    };
                    format!("{said}{assumed_note}")
                },
                &grants,
            );
            return if ok {
                let reason = if grants.is_empty() {
                    Reason::RootFullAccess
                } else {
                    Reason::AllowedByStatement
                };
                (Decision::Allow, reason, grants)
            } else {
                self.implicit(Reason::NothingAllows)
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
        let ra = req.resource_account.as_deref().unwrap_or_default();
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
            (Decision::Allow, Reason::CrossAccountAllowed, grants)
        } else if principal_side {
            self.implicit(Reason::CrossAccountNoResourceAllow)
        } else {
            self.implicit(Reason::CrossAccountNoPrincipalAllow)
        }
    }
}
