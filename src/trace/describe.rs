//! Words for trace nodes, shared by every renderer (the text trace and the TUI tree)
//! so both say the same thing the same way.

use super::{ComparisonTrace, EntryTrace, KeyRule, KeyTrace, Rule, StatementTrace};
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
        text
    }
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
            Rule::FederatedUserWithoutSessionPolicy => "AWS STS API Reference: GetFederationToken",
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
