//! Requests: what is asked (principal, action, resource, context keys), and the same
//! prepared once for fast evaluation (keys lower-cased and sorted, values pre-parsed
//! for every operator family).

use crate::policy::pattern::VarLookup;
use crate::policy::principal::{PrincipalRef, split_arn};
use crate::value;
use std::net::IpAddr;
use std::sync::Arc;

/// A context value's JSON type, kept so a saved scenario reads as it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// A JSON string.
    String,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
}

/// One context value (AWS delivers all values as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value as text.
    pub text: String,
    /// How it was written.
    pub kind: ScalarKind,
}

impl Scalar {
    /// A string value.
    pub fn string(text: impl Into<String>) -> Self {
        Scalar {
            text: text.into(),
            kind: ScalarKind::String,
        }
    }
}

/// A context key's value: one value, or a JSON array (multi-valued, whatever its
/// length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// Single-valued.
    One(Scalar),
    /// Multi-valued.
    Many(Vec<Scalar>),
}

/// An authorization request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// An ARN, a service principal name, or `anonymous`.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// A resource ARN or `*`.
    pub resource: String,
    /// The resource's account, when given.
    pub resource_account: Option<String>,
    /// Context keys as given (names as written) with their values.
    pub context: Vec<(String, ContextValue)>,
}

/// A context value pre-parsed for every operator family.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedValue {
    /// As given.
    pub text: String,
    /// Lower-cased, for IgnoreCase operators, when that differs from `text` (most
    /// values are lower case already: no second copy for them).
    lower: Option<String>,
    /// As a number, if it is one.
    pub number: Option<value::Decimal>,
    /// As a date (ns since the epoch), if it is one.
    pub date: Option<i128>,
    /// As a boolean, if it is one.
    pub boolean: Option<bool>,
    /// As an IP address, if it is one.
    pub ip: Option<IpAddr>,
}

impl PreparedValue {
    /// Lower-cased, for IgnoreCase operators.
    pub fn lower(&self) -> &str {
        self.lower.as_deref().unwrap_or(&self.text)
    }

    /// `text` parsed for every operator family.
    pub fn new(text: &str) -> Self {
        let starts_digit = text
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || c == '-');
        let could_be_ip = text
            .trim_start()
            .starts_with(|c: char| c.is_ascii_hexdigit() || c == ':');
        PreparedValue {
            text: text.to_string(),
            lower: text
                .bytes()
                .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
                .then(|| text.to_lowercase())
                .filter(|l| l != text),
            number: if starts_digit {
                value::parse_number(text)
            } else {
                None
            },
            date: if starts_digit {
                value::parse_date(text)
            } else {
                None
            },
            boolean: value::parse_bool(text),
            ip: if could_be_ip {
                value::parse_ip_addr(text)
            } else {
                None
            },
        }
    }
}

/// One context key, prepared.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextEntry {
    /// As written in the request.
    pub key: String,
    /// Lower-cased (key names are case-insensitive).
    pub lower: String,
    /// Given as an array.
    pub multi: bool,
    /// The values (empty for `[]`, which counts as absent).
    pub values: Vec<PreparedValue>,
}

/// A request prepared once for many evaluations.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRequest {
    /// The principal as given.
    pub principal_text: Arc<str>,
    /// What the principal is.
    pub principal: PrincipalRef,
    /// The action as given.
    pub action: Arc<str>,
    /// The action lower-cased (action names are case-insensitive).
    pub action_lower: String,
    /// The resource as given.
    pub resource: Arc<str>,
    /// The resource's account (given, else from the ARN, else the principal's).
    pub resource_account: Option<String>,
    /// Where [`Self::resource_account`] came from.
    pub resource_account_source: &'static str,
    /// Context entries sorted by lower-cased key.
    pub context: Vec<ContextEntry>,
}

impl PreparedRequest {
    /// Prepares `request`.
    pub fn new(request: &Request) -> Self {
        let principal = PrincipalRef::parse(&request.principal);
        // Only a 12-digit account counts: `arn:aws:iam::aws:policy/…` (an AWS managed
        // policy) belongs to no customer account.
        let arn_account = split_arn(&request.resource)
            .map(|p| p[4])
            .filter(|a| crate::policy::principal::is_account_id(a));
        let (resource_account, resource_account_source) =
            match (&request.resource_account, arn_account) {
                (Some(a), _) if !a.is_empty() => (Some(a.clone()), "given"),
                (_, Some(a)) => (Some(a.to_string()), "resource_arn"),
                _ => match principal.account() {
                    Some(a) => (Some(a.to_string()), "principal_account"),
                    None => (None, "none"),
                },
            };
        let mut context: Vec<ContextEntry> = Vec::with_capacity(request.context.len());
        for (key, value) in &request.context {
            let lower = key.to_lowercase();
            let (multi, values) = match value {
                ContextValue::One(s) => (false, vec![PreparedValue::new(&s.text)]),
                ContextValue::Many(v) => (
                    true,
                    v.iter().map(|s| PreparedValue::new(&s.text)).collect(),
                ),
            };
            // A key repeated with another letter case: the later one wins, as in a
            // JSON object read by AWS.
            context.retain(|e| e.lower != lower);
            context.push(ContextEntry {
                key: key.clone(),
                lower,
                multi,
                values,
            });
        }
        context.sort_by(|a, b| a.lower.cmp(&b.lower));
        PreparedRequest {
            principal_text: request.principal.as_str().into(),
            principal,
            action: request.action.as_str().into(),
            action_lower: request.action.to_lowercase(),
            resource: request.resource.as_str().into(),
            resource_account,
            resource_account_source,
            context,
        }
    }

    /// The entry for a lower-cased key, present or not (an empty array is returned
    /// as present; callers treat it as absent).
    pub fn entry(&self, lower: &str) -> Option<&ContextEntry> {
        self.context
            .binary_search_by(|e| e.lower.as_str().cmp(lower))
            .ok()
            .map(|i| &self.context[i])
    }

    /// A policy variable's value.
    pub fn variable(&self, lower: &str) -> VarLookup<'_> {
        match self.entry(lower) {
            None => VarLookup::Missing,
            Some(e) if e.multi => {
                if e.values.is_empty() {
                    VarLookup::Missing
                } else {
                    VarLookup::Multi
                }
            }
            Some(e) => match e.values.first() {
                Some(v) => VarLookup::Single(&v.text),
                None => VarLookup::Missing,
            },
        }
    }

    /// True when the request came through a VPC endpoint (carries aws:SourceVpce).
    pub fn via_vpc_endpoint(&self) -> bool {
        self.entry("aws:sourcevpce")
            .is_some_and(|e| !e.values.is_empty())
    }
}
