//! The Trace: why a request was allowed or denied, as plain serializable data. Every
//! node says what was compared with what and which rule decided. Renderers (the text
//! renderer beside this module, the TUI) only format it.

mod describe;
mod reason;
pub mod text;

pub use describe::{ReasonContext, unresolved_mark};
pub use reason::{NotApplicable, ProtectedKind, Reason, Relation};

use crate::policy::{Effect, PolicyKind};
use crate::source::Span;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

/// The outcome of an authorization request.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Allowed.
    Allow,
    /// Denied by a Deny statement.
    ExplicitDeny,
    /// Denied because nothing (or not everything needed) allowed it.
    ImplicitDeny,
}

impl Decision {
    /// The machine word: `allow`, `explicit_deny`, `implicit_deny`.
    pub fn word(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::ExplicitDeny => "explicit_deny",
            Decision::ImplicitDeny => "implicit_deny",
        }
    }

    /// The word for people: "Allow", "Explicit deny", "Implicit deny".
    pub fn label(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "Explicit deny",
            Decision::ImplicitDeny => "Implicit deny",
        }
    }

    /// Reads a machine word.
    pub fn from_word(word: &str) -> Option<Decision> {
        match word {
            "allow" => Some(Decision::Allow),
            "explicit_deny" => Some(Decision::ExplicitDeny),
            "implicit_deny" => Some(Decision::ImplicitDeny),
            _ => None,
        }
    }
}

/// A SPEC **(choice)**: a point where AWS's documentation is silent or
/// self-contradictory and iamtrace picked a reading. Named wherever it decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// A `*` in a Resource crossed a `:` or `/` somewhere other than at the end.
    ResourceWildcardCrossesSeparators,
    /// The request resource is `*`: only a wildcard-only Resource matches it.
    RequestResourceStar,
    /// Bool compared `true`/`false` ignoring letter case.
    BoolCaseInsensitive,
    /// A bare IPv6 address in a policy is read as a /128.
    BareIpv6Is128,
    /// A set operator on a single-valued key treats the value as a set of one.
    SetOperatorOnSingleValuedKey,
    /// A plain operator on a multi-valued key does not match, positive or negated.
    PlainOperatorOnMultiValuedKey,
}

impl Choice {
    /// One line saying what iamtrace chose.
    pub fn describe(self) -> &'static str {
        match self {
            Choice::ResourceWildcardCrossesSeparators => {
                "(choice) a * in Resource may match across ':' and '/', not only at the end of a segment"
            }
            Choice::RequestResourceStar => {
                "(choice) a request resource of * is matched only by a Resource made of wildcards alone"
            }
            Choice::BoolCaseInsensitive => "(choice) Bool compares true/false ignoring letter case",
            Choice::BareIpv6Is128 => "(choice) a bare IPv6 address in the policy is read as a /128",
            Choice::SetOperatorOnSingleValuedKey => {
                "(choice) a set operator on a single-valued key treats it as a set of one"
            }
            Choice::PlainOperatorOnMultiValuedKey => {
                "(choice) a plain operator on a multi-valued key does not match, positive or negated"
            }
        }
    }
}

/// A statement of the policy set, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// Index of the policy in the policy set (and in [`Trace::policies`]).
    pub policy: usize,
    /// Index of the statement in that policy.
    pub statement: usize,
    /// Where the statement is written.
    pub span: Span,
}

/// The whole explanation of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trace {
    /// The request as the engine understood it.
    pub request: RequestSummary,
    /// The decision.
    pub decision: Decision,
    /// One sentence: why.
    pub reason: String,
    /// Why, as a stable code (the words of [`Trace::reason`] may change).
    pub reason_code: Reason,
    /// The decision rules in the order applied, each with its outcome.
    pub steps: Vec<Step>,
    /// Every policy of the set, in set order, with its statements.
    pub policies: Vec<PolicyTrace>,
    /// How placeholders (unresolved template values) took part, when any did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unresolved: Option<Unresolved>,
}

/// The request as understood: principal kind, accounts, relation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestSummary {
    /// The principal as given.
    pub principal: Arc<str>,
    /// What kind of principal it is, in words.
    pub principal_kind: &'static str,
    /// What kind of principal it is, as a stable code.
    pub principal_kind_code: crate::policy::principal::PrincipalKind,
    /// The principal's account, if it has one.
    pub principal_account: Option<String>,
    /// The action as given.
    pub action: Arc<str>,
    /// The resource as given.
    pub resource: Arc<str>,
    /// The resource's account.
    pub resource_account: Option<String>,
    /// Where the resource account came from: `given`, `resource_arn`, `context`
    /// (`aws:ResourceAccount`), `principal_account` (assumed: nothing said it) or
    /// `none`.
    pub resource_account_source: &'static str,
    /// `same_account`, `cross_account`, or `no_principal_account`.
    pub relation: Relation,
}

/// A decision rule that was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// `sts:GetCallerIdentity` is always allowed.
    GetCallerIdentity,
    /// Any applicable Deny denies.
    ExplicitDeny,
    /// Each SCP level on the principal's path must allow.
    ScpLevel,
    /// Each RCP level on the resource's path must allow.
    RcpLevel,
    /// Endpoint policies must allow requests through a VPC endpoint.
    EndpointPolicy,
    /// The identity policies.
    IdentityPolicies,
    /// The permissions boundary must allow.
    PermissionsBoundary,
    /// The session policy must allow.
    SessionPolicy,
    /// A federated-user session without a session policy has no identity permissions.
    FederatedUserWithoutSessionPolicy,
    /// A federated-user session can call no IAM operation and no STS operation but
    /// GetCallerIdentity, whatever its policies say.
    FederatedUserApiLimit,
    /// `sts:GetSessionToken`: not controlled by policies for an IAM user or the root
    /// user; refused to callers without long-term credentials.
    GetSessionToken,
    /// A Deny with NotPrincipal always applies to a principal with a permissions
    /// boundary, whatever NotPrincipal lists.
    NotPrincipalWithBoundary,
    /// AWS-owned resources that no policy can open to change.
    ProtectedResource,
    /// The resource policies.
    ResourcePolicy,
    /// A KMS key's key policy must allow; IAM policies count only where it lets them.
    KmsKeyPolicy,
    /// Assuming a role needs its trust policy to allow the principal.
    RoleTrustPolicy,
    /// Same account: identity or resource policy may allow.
    SameAccount,
    /// Cross account: both sides must allow.
    CrossAccount,
    /// No principal account (service principal, anonymous): the resource policy decides.
    NoPrincipalAccount,
}

/// How a rule came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    /// The rule is satisfied (or allows).
    Pass,
    /// The rule denies.
    Fail,
    /// The rule does not apply to this request.
    NotApplicable,
}

/// One applied rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// Which rule.
    pub rule: Rule,
    /// How it came out.
    pub outcome: StepOutcome,
    /// The AWS documentation page that covers the rule.
    pub doc: &'static str,
    /// What happened, in words.
    pub message: Cow<'static, str>,
    /// For a rule that does not apply: why, as a stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applied_code: Option<NotApplicable>,
    /// The statements that made it come out this way.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<StatementRef>,
}

/// One policy of the set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyTrace {
    /// Policy type.
    pub kind: PolicyKind,
    /// Its name.
    pub name: Arc<str>,
    /// SCP/RCP level name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The resource pattern a resource policy is attached to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attached_to: Option<String>,
    /// The principal an identity, boundary or session policy is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound_to: Option<String>,
    /// Whether the policy takes part in this request.
    pub applies: bool,
    /// Why it does not take part, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applied_because: Option<Cow<'static, str>>,
    /// Why it does not take part, as a stable code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_applied_code: Option<NotApplicable>,
    /// Its `attachedTo` or the request's resource holds a placeholder and neither
    /// surely matches the other: whether it is attached to the requested resource is
    /// unknown (it is shown as not attached).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<String>,
    /// Its statements (empty when the policy does not take part).
    pub statements: Vec<StatementTrace>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementTrace {
    /// Index in its policy.
    pub index: usize,
    /// The Sid.
    pub sid: Option<Arc<str>>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Where it is written.
    pub span: Span,
    /// Whether the statement applies to the request (every element matched).
    pub applies: bool,
    /// Action / NotAction.
    pub action: MatchTrace,
    /// Resource / NotResource (absent in a trust policy statement without one).
    pub resource: Option<MatchTrace>,
    /// Principal / NotPrincipal.
    pub principal: Option<MatchTrace>,
    /// The Condition block, when it was evaluated.
    pub condition: Option<ConditionTrace>,
    /// Why the Condition block was not evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition_skipped: Option<&'static str>,
}

/// How one element (Action, Resource, Principal, or their Not forms) matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchTrace {
    /// `Action`, `NotAction`, `Resource`, …
    pub element: &'static str,
    /// What was matched from the request.
    pub request_value: Arc<str>,
    /// Whether the element lets the statement apply (for Not forms: nothing listed
    /// matched).
    pub matched: bool,
    /// Each listed entry.
    pub entries: Vec<EntryTrace>,
    /// Where the element is written.
    pub span: Span,
}

/// One listed action, resource or principal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryTrace {
    /// As written.
    pub text: Arc<str>,
    /// After variable substitution, when it had variables and they resolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// Where it is written.
    pub span: Span,
    /// Whether it matched the request value.
    pub matched: bool,
    /// Why, where it is not obvious.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A SPEC choice that decided this match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<Choice>,
    /// The placeholders (unresolved template values) that kept this comparison from
    /// being decided: it is shown as no match, but the real values might match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<String>,
}

/// A Condition block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionTrace {
    /// Every operator holds.
    pub holds: bool,
    /// The operators.
    pub operators: Vec<OperatorTrace>,
}

/// One operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperatorTrace {
    /// As written.
    pub operator: Arc<str>,
    /// Where it is written.
    pub span: Span,
    /// Every key under it holds.
    pub holds: bool,
    /// The keys.
    pub keys: Vec<KeyTrace>,
}

/// One condition key under an operator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyTrace {
    /// The key as written in the policy.
    pub key: Arc<str>,
    /// Where it is written.
    pub span: Span,
    /// The request's values (`None`: the key is missing).
    pub request_values: Option<Vec<String>>,
    /// The request gave the key as an array.
    pub multi_valued: bool,
    /// Whether the key's test holds.
    pub holds: bool,
    /// The rule that decided.
    pub rule: KeyRule,
    /// The AWS documentation page that covers the rule.
    pub doc: &'static str,
    /// A SPEC choice that decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<Choice>,
    /// The key's name holds a placeholder and the request does not carry it: whether
    /// the real key is present is unknown.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<String>,
    /// Each request value compared with each policy value.
    pub comparisons: Vec<ComparisonTrace>,
}

/// The rule that decided a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyRule {
    /// A listed value matched the request value.
    ValueMatched,
    /// No listed value matched.
    NoValueMatched,
    /// Negated operator: the request value matches none of the listed values.
    NegatedNoneMatched,
    /// Negated operator: the request value matches a listed value.
    NegatedValueMatched,
    /// The key is missing: a plain operator is false.
    MissingKey,
    /// The key is missing: a negated operator is true.
    MissingKeyNegated,
    /// The key is missing: an IfExists operator is true.
    IfExistsMissingKey,
    /// ForAllValues on a missing or empty key is true.
    ForAllValuesEmptySet,
    /// ForAnyValue on a missing or empty key is false.
    ForAnyValueEmptySet,
    /// ForAllValues: every request value matched.
    ForAllValuesAllMatched,
    /// ForAllValues: some request value did not match.
    ForAllValuesSomeUnmatched,
    /// ForAnyValue: some request value matched.
    ForAnyValueSomeMatched,
    /// ForAnyValue: no request value matched.
    ForAnyValueNoneMatched,
    /// A plain operator on a multi-valued key does not match.
    PlainOperatorOnMultiValuedKey,
    /// Null: the key is absent (or empty).
    NullKeyAbsent,
    /// Null: the key is present.
    NullKeyPresent,
}

impl KeyRule {
    /// The rule in words, for the trace.
    pub fn describe(self) -> &'static str {
        match self {
            KeyRule::ValueMatched => "a listed value matched (values are ORed)",
            KeyRule::NoValueMatched => "no listed value matched",
            KeyRule::NegatedNoneMatched => {
                "negated operator: the request value matches none of the listed values → true"
            }
            KeyRule::NegatedValueMatched => {
                "negated operator: the request value matches a listed value → false"
            }
            KeyRule::MissingKey => "the key is missing from the request → false",
            KeyRule::MissingKeyNegated => "negated operator on a missing key → true",
            KeyRule::IfExistsMissingKey => "IfExists with the key absent → true",
            KeyRule::ForAllValuesEmptySet => {
                "ForAllValues on a missing or empty key → true (nothing to check: the classic pitfall)"
            }
            KeyRule::ForAnyValueEmptySet => "ForAnyValue on a missing or empty key → false",
            KeyRule::ForAllValuesAllMatched => "ForAllValues: every request value matched → true",
            KeyRule::ForAllValuesSomeUnmatched => {
                "ForAllValues: a request value did not match → false"
            }
            KeyRule::ForAnyValueSomeMatched => "ForAnyValue: a request value matched → true",
            KeyRule::ForAnyValueNoneMatched => "ForAnyValue: no request value matched → false",
            KeyRule::PlainOperatorOnMultiValuedKey => {
                "plain operator on a multi-valued key does not match → false (use ForAllValues/ForAnyValue)"
            }
            KeyRule::NullKeyAbsent => "the key is absent (or empty)",
            KeyRule::NullKeyPresent => "the key is present",
        }
    }
}

/// One request value compared with one policy value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonTrace {
    /// The request value.
    pub request_value: String,
    /// The policy value as written.
    pub policy_value: Arc<str>,
    /// The policy value after variable substitution, when it had variables.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    /// Where the policy value is written.
    pub span: Span,
    /// Whether they match (before any negation).
    pub matched: bool,
    /// Why they did not compare normally.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A SPEC choice that decided this comparison.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choice: Option<Choice>,
    /// The placeholders (unresolved template values) that kept this comparison from
    /// being decided: it is shown as no match, but the real values might match.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<String>,
}

/// How placeholders (template values that cannot be resolved offline) took part in a
/// decision: which ones, and the decisions when every comparison that touches one
/// goes the most and the least permissive way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unresolved {
    /// The placeholders that took part in an unresolved comparison, in the order met.
    pub values: Vec<String>,
    /// True when resolving them some way could give another decision than the one
    /// given: the result depends on unresolved values.
    pub depends: bool,
    /// The decision when each unresolved comparison goes the way that makes Allow
    /// statements apply and Deny statements not.
    pub most_permissive: Decision,
    /// The decision when each goes the other way.
    pub least_permissive: Decision,
    /// The request's principal is itself a placeholder: its kind and account are
    /// unknown, so any decision is possible.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub principal_unknown: bool,
}

impl Unresolved {
    /// `depends on unresolved values: ⟦a⟧, ⟦b⟧ (Implicit deny … Allow)`, or for a
    /// decision that stands, `unresolved values ⟦a⟧ cannot change it`.
    pub fn describe(&self) -> String {
        let values = self.values.join(", ");
        if !self.depends {
            return format!("unresolved values cannot change it: {values}");
        }
        let range = if self.principal_unknown {
            "the principal is unresolved: any decision is possible".to_string()
        } else if self.least_permissive == self.most_permissive {
            format!("could be {}", self.most_permissive.label())
        } else {
            format!(
                "could be anything from {} to {}",
                self.least_permissive.label(),
                self.most_permissive.label()
            )
        };
        format!("depends on unresolved values: {values} ({range})")
    }
}
