//! Policy documents as typed data: every element and value keeps its source span, and
//! every pattern and condition value is compiled once, when the policy is read.

pub mod condition;
pub mod incremental;
pub mod limits;
mod parse;
pub mod pattern;
pub mod principal;
pub mod set;
pub mod unresolved;

pub use condition::{ConditionKey, ConditionOperator, Operator, PolicyValue};
pub use parse::{ParseContext, compile_resource, parse_policy_node, parse_policy_text};
pub use pattern::Pattern;
pub use principal::PrincipalRef;
pub use set::{AttachedTo, BoundPrincipal, PolicyEntry, PolicySet};

use crate::source::Span;
use serde::Serialize;
use std::sync::Arc;

/// Where a policy sits, which decides what it may contain and how it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Attached to the principal (user, role, group): no `Principal`.
    Identity,
    /// Attached to a resource (bucket, key, trust policy): `Principal` required.
    Resource,
    /// A permissions boundary: no `Principal`.
    Boundary,
    /// A session policy: no `Principal`.
    Session,
    /// A service control policy: no `Principal`.
    Scp,
    /// A resource control policy: `Principal` may only be `"*"`.
    Rcp,
    /// A VPC endpoint policy: `Principal` may only be `"*"`.
    Endpoint,
}

impl PolicyKind {
    /// Every policy type, in the order the TUI cycles through them.
    pub const ALL: [PolicyKind; 7] = [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Boundary,
        PolicyKind::Session,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Endpoint,
    ];

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity policy",
            PolicyKind::Resource => "resource policy",
            PolicyKind::Boundary => "permissions boundary",
            PolicyKind::Session => "session policy",
            PolicyKind::Scp => "SCP",
            PolicyKind::Rcp => "RCP",
            PolicyKind::Endpoint => "endpoint policy",
        }
    }
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    #[serde(rename = "2012-10-17")]
    V2012,
    /// `2008-10-17`, or no Version: `${…}` is literal text.
    #[serde(rename = "2008-10-17")]
    V2008,
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Effect {
    /// Grants, when nothing denies.
    Allow,
    /// Denies, whatever else allows.
    Deny,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The whole document.
    pub span: Span,
    /// The language version.
    pub version: Version,
    /// `Version` is written (not defaulted).
    pub explicit_version: bool,
    /// The `Id`, if any.
    pub id: Option<String>,
    /// The statements in source order.
    pub statements: Vec<Statement>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The whole statement object.
    pub span: Span,
    /// The `Sid`, if any.
    pub sid: Option<Arc<str>>,
    /// Where the Sid is written.
    pub sid_span: Option<Span>,
    /// The effect.
    pub effect: Effect,
    /// Where the effect is written.
    pub effect_span: Span,
    /// `Action` or `NotAction`.
    pub action: ActionElement,
    /// `Resource` or `NotResource`; `None` where a trust policy omits both.
    pub resource: Option<ResourceElement>,
    /// `Principal` or `NotPrincipal`, if present.
    pub principal: Option<PrincipalElement>,
    /// The Condition block's operators (empty when there is none).
    pub conditions: Vec<ConditionOperator>,
    /// Where the Condition block is written.
    pub condition_span: Option<Span>,
    /// Some value of the statement (action, resource, principal, condition key or
    /// value) holds a placeholder, an unresolved template value: worked out once when
    /// the statement is read, so evaluation takes the marked path only then.
    pub placeholders: bool,
}

impl Statement {
    /// Whether any value of the statement holds a placeholder (what
    /// [`Statement::placeholders`] holds, worked out).
    pub fn find_placeholders(&self) -> bool {
        use crate::iac::placeholder::contains;
        let items = |v: &[PatternItem]| v.iter().any(|i| contains(&i.text));
        items(&self.action.items)
            || self.resource.as_ref().is_some_and(|r| items(&r.items))
            || self
                .principal
                .as_ref()
                .is_some_and(|p| p.items.iter().any(|i| contains(&i.text)))
            || self.conditions.iter().any(|op| {
                op.keys
                    .iter()
                    .any(|k| contains(&k.name) || k.values.iter().any(|v| contains(&v.text)))
            })
    }
}

/// `Action` / `NotAction`.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionElement {
    /// `NotAction`.
    pub negated: bool,
    /// The element (key through value).
    pub span: Span,
    /// The listed patterns.
    pub items: Vec<PatternItem>,
}

/// `Resource` / `NotResource`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceElement {
    /// `NotResource`.
    pub negated: bool,
    /// The element.
    pub span: Span,
    /// The listed patterns.
    pub items: Vec<PatternItem>,
}

/// One listed action or resource.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternItem {
    /// As written.
    pub text: Arc<str>,
    /// Where it is written.
    pub span: Span,
    /// Compiled (actions lower-cased; resources with variables after the fifth colon
    /// under Version 2012-10-17).
    pub pattern: Pattern,
}

/// `Principal` / `NotPrincipal`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalElement {
    /// `NotPrincipal`.
    pub negated: bool,
    /// The element.
    pub span: Span,
    /// The listed principals.
    pub items: Vec<PrincipalItem>,
}

/// The key a principal is listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PrincipalType {
    /// `"Principal": "*"`.
    #[serde(rename = "*")]
    Wildcard,
    /// `AWS`.
    #[serde(rename = "AWS")]
    Aws,
    /// `Service`.
    Service,
    /// `Federated`.
    Federated,
    /// `CanonicalUser`.
    CanonicalUser,
}

/// One listed principal.
#[derive(Debug, Clone, PartialEq)]
pub struct PrincipalItem {
    /// The key it is listed under.
    pub principal_type: PrincipalType,
    /// As written.
    pub text: Arc<str>,
    /// Where it is written.
    pub span: Span,
    /// What it stands for.
    pub parsed: PrincipalRef,
}
