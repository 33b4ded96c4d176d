//! Words for trace nodes, shared by every renderer (the text trace and the TUI tree)
//! so both say the same thing the same way.

use super::{ComparisonTrace, EntryTrace, KeyTrace, Rule, StatementTrace};
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
