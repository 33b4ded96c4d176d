//! Words for trace nodes, shared by every renderer (the text trace and the TUI tree)
//! so both say the same thing the same way.

use super::{
    ComparisonTrace, EntryTrace, KeyRule, KeyTrace, NotApplicable, ProtectedKind, Reason, Relation,
    RequestSummary, Rule, StatementTrace,
};
use crate::policy::Effect;

impl Rule {
    /// The rule's name for people (`scp level`, `kms key policy`).
    pub fn label(self) -> &'static str {
        match self {
            Rule::GetCallerIdentity => "get caller identity",
            Rule::ExplicitDeny => "explicit deny",
            Rule::ScpLevel => "scp level",
            Rule::RcpLevel => "rcp level",
            Rule::EndpointPolicy => "endpoint policy",
            Rule::IdentityPolicies => "identity policies",
            Rule::PermissionsBoundary => "permissions boundary",
            Rule::SessionPolicy => "session policy",
            Rule::FederatedUserWithoutSessionPolicy => "federated user without session policy",
            Rule::FederatedUserApiLimit => "federated user api limit",
            Rule::GetSessionToken => "get session token",
            Rule::NotPrincipalWithBoundary => "notprincipal with boundary",
            Rule::ProtectedResource => "protected aws resource",
            Rule::ResourcePolicy => "resource policy",
            Rule::KmsKeyPolicy => "kms key policy",
            Rule::RoleTrustPolicy => "role trust policy",
            Rule::SameAccount => "same account",
            Rule::CrossAccount => "cross account",
            Rule::NoPrincipalAccount => "no principal account",
        }
    }
}

impl Effect {
    /// `Allow` or `Deny`.
    pub fn word(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl StatementTrace {
    /// `statement "Sid" #2` (the Sid when there is one).
    pub fn title(&self) -> String {
        match &self.sid {
            Some(sid) => format!("statement \"{sid}\" #{}", self.index + 1),
            None => format!("statement #{}", self.index + 1),
        }
    }
}

impl EntryTrace {
    /// `"entry" → "resolved" — note` (without the choice, which renderers style).
    pub fn describe(&self) -> String {
        let mut text = format!("\"{}\"", self.text);
        if let Some(r) = &self.resolved {
            text.push_str(&format!(" → \"{r}\""));
        }
        if let Some(n) = &self.note {
            text.push_str(&format!(" — {n}"));
        }
        push_unresolved(&mut text, &self.unresolved);
        text
    }
}

/// ` ? unresolved: ⟦a⟧, ⟦b⟧`: the mark of a comparison a placeholder (an unresolved
/// template value) kept from being decided; nothing when none did.
pub fn unresolved_mark(values: &[String]) -> String {
    if values.is_empty() {
        String::new()
    } else {
        format!(" ? unresolved: {}", values.join(", "))
    }
}

fn push_unresolved(text: &mut String, values: &[String]) {
    text.push_str(&unresolved_mark(values));
}

impl KeyTrace {
    /// The request's values: `missing`, `a`, or `[a, b]`.
    pub fn values_text(&self) -> String {
        match &self.request_values {
            None => "missing".to_string(),
            Some(v) if self.multi_valued => format!("[{}]", v.join(", ")),
            Some(v) => v.join(", "),
        }
    }
}

impl ComparisonTrace {
    /// `value = "policy value" (→ "resolved"): note` (without the choice).
    pub fn describe(&self) -> String {
        let mut text = format!(
            "{} {} \"{}\"",
            self.request_value,
            if self.matched { "=" } else { "≠" },
            self.policy_value
        );
        if let Some(r) = &self.resolved {
            text.push_str(&format!(" (→ \"{r}\")"));
        }
        if let Some(n) = &self.note {
            text.push_str(&format!(": {n}"));
        }
        push_unresolved(&mut text, &self.unresolved);
        text
    }
}

impl KeyRule {
    /// The AWS documentation page that covers this rule.
    pub fn doc_page(self) -> &'static str {
        match self {
            KeyRule::ForAllValuesEmptySet
            | KeyRule::ForAnyValueEmptySet
            | KeyRule::ForAllValuesAllMatched
            | KeyRule::ForAllValuesSomeUnmatched
            | KeyRule::ForAnyValueSomeMatched
            | KeyRule::ForAnyValueNoneMatched
            | KeyRule::PlainOperatorOnMultiValuedKey => {
                "Single-valued vs. multivalued context keys"
            }
            _ => "IAM JSON policy elements: Condition operators",
        }
    }

    /// The rule explained in one line, for people learning it.
    pub fn explain(self) -> &'static str {
        match self {
            KeyRule::ValueMatched | KeyRule::NoValueMatched => {
                "A key holds when the request value matches any of the listed values: values are ORed, keys and operators are ANDed."
            }
            KeyRule::NegatedNoneMatched | KeyRule::NegatedValueMatched => {
                "Negated operators (StringNotEquals, NotIpAddress, …) hold when the request value matches none of the listed values."
            }
            KeyRule::MissingKey => {
                "A plain operator cannot hold on a key the request does not carry."
            }
            KeyRule::MissingKeyNegated => {
                "A negated operator holds on a missing key: there is no value to match a listed one. A Deny written with it fires when the key is absent."
            }
            KeyRule::IfExistsMissingKey => {
                "…IfExists means: apply the test only when the key is present; with the key absent the condition holds."
            }
            KeyRule::ForAllValuesEmptySet => {
                "ForAllValues checks that every request value is listed; with no values there is nothing to fail, so it holds. Guard it with Null when absence must not pass."
            }
            KeyRule::ForAnyValueEmptySet => {
                "ForAnyValue needs at least one request value to match; with none it cannot hold."
            }
            KeyRule::ForAllValuesAllMatched | KeyRule::ForAllValuesSomeUnmatched => {
                "ForAllValues holds when every value of the multi-valued key matches a listed value."
            }
            KeyRule::ForAnyValueSomeMatched | KeyRule::ForAnyValueNoneMatched => {
                "ForAnyValue holds when at least one value of the multi-valued key matches a listed value."
            }
            KeyRule::PlainOperatorOnMultiValuedKey => {
                "A key sent as a list needs ForAllValues or ForAnyValue; a plain operator does not match it (a SPEC choice, as AWS reported)."
            }
            KeyRule::NullKeyAbsent | KeyRule::NullKeyPresent => {
                "Null tests presence: \"true\" holds when the key is absent (or empty), \"false\" when it is present."
            }
        }
    }
}

impl Rule {
    /// The AWS documentation page that covers this rule.
    pub fn doc_page(self) -> &'static str {
        match self {
            Rule::GetCallerIdentity => "AWS STS API Reference: GetCallerIdentity",
            Rule::ScpLevel => "Service control policies (SCPs)",
            Rule::RcpLevel => "Resource control policies (RCPs)",
            Rule::EndpointPolicy => "Control access to VPC endpoints using endpoint policies",
            Rule::PermissionsBoundary => "Permissions boundaries for IAM entities",
            Rule::SessionPolicy => "Session policies",
            Rule::FederatedUserWithoutSessionPolicy | Rule::FederatedUserApiLimit => {
                "AWS STS API Reference: GetFederationToken"
            }
            Rule::GetSessionToken => "Permissions for GetSessionToken; Compare AWS STS credentials",
            Rule::NotPrincipalWithBoundary => {
                "AWS JSON policy elements: NotPrincipal (key points); Permissions boundaries for IAM entities"
            }
            Rule::ProtectedResource => {
                "AWS managed policies; Service-linked roles; IAM Identity Center permission sets; AWS KMS aliases"
            }
            Rule::KmsKeyPolicy => "Key policies in AWS KMS",
            Rule::RoleTrustPolicy => "IAM roles: trust policies",
            Rule::CrossAccount => "Cross-account policy evaluation logic",
            Rule::ExplicitDeny
            | Rule::IdentityPolicies
            | Rule::ResourcePolicy
            | Rule::SameAccount
            | Rule::NoPrincipalAccount => "Policy evaluation logic",
        }
    }

    /// The rule explained in one line, for people learning it.
    pub fn explain(self) -> &'static str {
        match self {
            Rule::GetCallerIdentity => {
                "sts:GetCallerIdentity answers for any signed request; no policy can deny it."
            }
            Rule::ExplicitDeny => "A Deny that applies wins over every Allow, in any policy type.",
            Rule::ScpLevel => {
                "Every level from the organization root down to the account needs an SCP that allows the action; SCPs grant nothing themselves."
            }
            Rule::RcpLevel => {
                "RCPs limit what resources in member accounts accept; the full-access RCP is always attached, so only their Denies bite."
            }
            Rule::EndpointPolicy => {
                "A request through a VPC endpoint must also be allowed by the endpoint's policy."
            }
            Rule::IdentityPolicies => {
                "The principal's own policies must allow the action, unless a resource policy grants it directly."
            }
            Rule::PermissionsBoundary => {
                "A permissions boundary caps identity permissions: both it and an identity policy must allow."
            }
            Rule::SessionPolicy => {
                "A session policy caps the session: both it and the role's or user's policies must allow."
            }
            Rule::FederatedUserWithoutSessionPolicy => {
                "A federated-user session created without a session policy gets no permissions from identity policies."
            }
            Rule::FederatedUserApiLimit => {
                "A federated-user session (GetFederationToken) can call no IAM operation and no STS operation except GetCallerIdentity, whatever its policies allow."
            }
            Rule::GetSessionToken => {
                "No permission is needed to get a session token and policies cannot control it; it must be called with long-term credentials, so only an IAM user or the root user can."
            }
            Rule::NotPrincipalWithBoundary => {
                "A Deny with NotPrincipal always applies to an IAM user or role that has a permissions boundary, whatever NotPrincipal lists: use ArnNotEquals on aws:PrincipalArn instead."
            }
            Rule::ProtectedResource => {
                "AWS owns some resources (AWS managed policies, IAM Identity Center roles, service-linked roles' policies, AWS managed KMS aliases) and refuses changes to them whatever the policies say."
            }
            Rule::ResourcePolicy => {
                "A resource policy can grant access to the principals it names."
            }
            Rule::KmsKeyPolicy => {
                "A KMS key's key policy must allow: IAM policies count only where it delegates to the account."
            }
            Rule::RoleTrustPolicy => {
                "Assuming a role needs the role's trust policy to allow the principal."
            }
            Rule::SameAccount => {
                "Within one account, an Allow in either the identity policies or the resource policy is enough."
            }
            Rule::CrossAccount => {
                "Across accounts, both the principal's policies and the resource's policy must allow."
            }
            Rule::NoPrincipalAccount => {
                "A service principal or anonymous caller has no identity policies: only a resource policy can allow it."
            }
        }
    }
}

impl NotApplicable {
    /// Why the policies (or the rule) take no part, in words.
    pub fn describe(self) -> &'static str {
        match self {
            NotApplicable::RootUser => {
                "the account root user has no identity policies, boundary or session policy"
            }
            NotApplicable::ServicePrincipal => "a service principal has no identity policies",
            NotApplicable::Anonymous => "an anonymous caller has no identity policies",
            NotApplicable::NotIamPrincipal => "the principal is not an IAM principal",
            NotApplicable::UnresolvedPrincipal => {
                "the principal is an unresolved template value: its kind and account are unknown, so no identity policy is applied; give its ARN with the placeholder only in the name"
            }
            NotApplicable::UserHasNoSession => "an IAM user's own requests carry no session policy",
            NotApplicable::NoScps => "no SCPs in the scenario",
            NotApplicable::ScpNotIamPrincipal => {
                "SCPs apply only to IAM principals of the organization's accounts"
            }
            NotApplicable::ServiceLinkedRole => "SCPs do not apply to service-linked roles",
            NotApplicable::ScpManagementAccount => {
                "SCPs do not apply to the organization's management account"
            }
            NotApplicable::NoRcps => "no RCPs in the scenario",
            NotApplicable::RcpUnsupportedService => "RCPs do not apply to this service",
            NotApplicable::RcpNoResource => {
                "the action authorizes no resource, and RCPs apply only to resources"
            }
            NotApplicable::RcpServiceLinkedRole => {
                "RCPs do not apply to calls made by service-linked roles"
            }
            NotApplicable::RcpAssumeServiceLinkedRole => {
                "RCPs do not affect a service assuming its service-linked role"
            }
            NotApplicable::RcpRetireGrant => "RCPs do not apply to kms:RetireGrant",
            NotApplicable::RcpManagementAccount => {
                "RCPs do not apply to resources of the organization's management account"
            }
            NotApplicable::RcpAwsManagedKmsKey => "RCPs do not apply to AWS managed KMS keys",
            NotApplicable::NoVpcEndpoint => {
                "the request did not come through a VPC endpoint (no aws:SourceVpce)"
            }
            NotApplicable::OtherResource => "attached to another resource than the one requested",
            NotApplicable::OtherPrincipal => {
                "not for this principal: bound to another principal than the request's"
            }
        }
    }
}

impl ProtectedKind {
    /// The resource kind for people.
    pub fn label(self) -> &'static str {
        match self {
            ProtectedKind::AwsManagedPolicy => "an AWS managed policy (arn:aws:iam::aws:policy/…)",
            ProtectedKind::IdentityCenterRole => {
                "a role IAM Identity Center owns (role/aws-reserved/…)"
            }
            ProtectedKind::ServiceLinkedRole => {
                "a service-linked role's policies (role/aws-service-role/…: only its service edits them)"
            }
            ProtectedKind::AwsManagedKmsAlias => "an AWS managed KMS alias (alias/aws/…)",
        }
    }

    /// The AWS page that says so.
    pub fn doc_url(self) -> &'static str {
        match self {
            ProtectedKind::AwsManagedPolicy => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies"
            }
            ProtectedKind::IdentityCenterRole => {
                "https://docs.aws.amazon.com/singlesignon/latest/userguide/permissionsetsconcept.html"
            }
            ProtectedKind::ServiceLinkedRole => {
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html"
            }
            ProtectedKind::AwsManagedKmsAlias => {
                "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
            }
        }
    }
}

/// What the words of a [`Reason`] refer to.
#[derive(Debug, Clone, Copy)]
pub struct ReasonContext<'a> {
    /// The request.
    pub request: &'a RequestSummary,
    /// The first deciding statement, named (`statement "Sid" (#2) of identity policy "X"`).
    pub statement: Option<&'a str>,
    /// The SCP level that had no Allow.
    pub level: Option<&'a str>,
    /// The protected resource kind.
    pub protected: Option<ProtectedKind>,
}

impl Reason {
    /// The reason in one sentence.
    pub fn describe(self, ctx: &ReasonContext<'_>) -> String {
        let r = ctx.request;
        let statement = ctx.statement.unwrap_or("a statement");
        match self {
            Reason::GetCallerIdentityAlways => "sts:GetCallerIdentity is always allowed".into(),
            Reason::GetCallerIdentityAnonymous => {
                "Implicit deny: an anonymous caller cannot call sts:GetCallerIdentity".into()
            }
            Reason::GetSessionTokenNotControlled => format!(
                "sts:GetSessionToken by {} is not controlled by policies: always allowed",
                if r.principal_kind_code == crate::policy::principal::PrincipalKind::AccountRoot {
                    "the root user"
                } else {
                    "an IAM user"
                }
            ),
            Reason::GetSessionTokenNeedsLongTermCredentials => format!(
                "Implicit deny (AWS rule): sts:GetSessionToken needs long-term credentials, which a {} does not have",
                r.principal_kind
            ),
            Reason::DeniedByStatement => format!("Denied by {statement}"),
            Reason::NotPrincipalDenyWithBoundary => format!(
                "Denied by {statement}: a Deny with NotPrincipal always applies to a principal with a permissions boundary"
            ),
            Reason::ScpLevelDenies => format!(
                "Implicit deny: no SCP at level \"{}\" allows {}",
                ctx.level.unwrap_or("?"),
                r.action
            ),
            Reason::EndpointPolicyDenies => {
                format!("Implicit deny: no endpoint policy allows {}", r.action)
            }
            Reason::FederatedUserApiLimit => format!(
                "Implicit deny (AWS rule): a federated-user session cannot call {}, whatever its policies allow",
                r.action
            ),
            Reason::ProtectedResource => format!(
                "Implicit deny (AWS rule): AWS refuses {} on {}, whatever the policies say",
                r.action,
                ctx.protected.map_or("an AWS-owned resource", ProtectedKind::label),
            ),
            Reason::NoKeyPolicy => "Implicit deny: no key policy for this KMS key".into(),
            Reason::RootCannotAssumeRole => {
                "Implicit deny: the root user cannot assume roles".into()
            }
            Reason::NoTrustPolicy => "Implicit deny: no trust policy for this role".into(),
            Reason::AllowedByResourcePolicy | Reason::AllowedByStatement => {
                format!("Allowed by {statement}")
            }
            Reason::NoResourcePolicyAllows => format!(
                "Implicit deny: no resource policy allows {}",
                r.principal_kind
            ),
            Reason::RootFullAccess => {
                "Allowed: the account root user has full access to its own account".into()
            }
            Reason::NothingAllows => format!(
                "Implicit deny: nothing allows {} on {}",
                r.action, r.resource
            ),
            Reason::CrossAccountAllowed => match ctx.statement {
                Some(s) => format!("Allowed by {s} and the resource policy"),
                None => "Allowed".into(),
            },
            Reason::CrossAccountNoResourceAllow => {
                "Implicit deny: cross-account request and no resource policy allows it".into()
            }
            Reason::CrossAccountNoPrincipalAllow => {
                "Implicit deny: cross-account request and the principal's own policies do not allow it".into()
            }
            Reason::ResourceAccountUnknown => format!(
                "Implicit deny: the resource policy's grant stands on its own only if {} is in the caller's account {}, and its ARN does not say (give resourceAccount or aws:ResourceAccount)",
                r.resource,
                r.principal_account.as_deref().unwrap_or("?")
            ),
        }
    }
}

impl Relation {
    /// The relation for people: `same account`, `cross account`, `no principal account`.
    pub fn label(self) -> &'static str {
        match self {
            Relation::NoPrincipalAccount => "no principal account",
            Relation::SameAccount => "same account",
            Relation::CrossAccount => "cross account",
        }
    }
}
