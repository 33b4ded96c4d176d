//! Condition operators (`ForAllValues:StringLikeIfExists` read into its parts) and
//! policy-side condition values compiled for their operator.

use super::pattern::{Pattern, PatternOptions, Token};
use crate::source::Span;
use crate::value;
use ipnet::IpNet;
use serde::Serialize;
use std::sync::Arc;

/// The type family of an operator: how its values are read and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Exact, case-sensitive text.
    String,
    /// Text compared ignoring letter case.
    StringIgnoreCase,
    /// Text with `*` and `?` wildcards, case-sensitive.
    StringLike,
    /// Integers and decimals.
    Numeric,
    /// Dates and times.
    Date,
    /// `true` / `false`.
    Bool,
    /// Base64-encoded bytes.
    Binary,
    /// IP addresses and CIDR ranges.
    Ip,
    /// ARNs, matched part by part with wildcards.
    Arn,
    /// Whether the key is present.
    Null,
}

/// How a Numeric or Date operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Equal (or the family's own match for non-ordered families).
    Equals,
    /// Strictly less.
    LessThan,
    /// Less or equal.
    LessThanEquals,
    /// Strictly greater.
    GreaterThan,
    /// Greater or equal.
    GreaterThanEquals,
}

/// A base operator (without set qualifier or `IfExists`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BaseOperator {
    /// The name as AWS spells it.
    pub name: &'static str,
    /// Its type family.
    pub family: Family,
    /// How it compares.
    pub comparison: Comparison,
    /// A negated operator holds when the request value matches none of the values.
    pub negated: bool,
}

const fn op(
    name: &'static str,
    family: Family,
    comparison: Comparison,
    negated: bool,
) -> BaseOperator {
    BaseOperator {
        name,
        family,
        comparison,
        negated,
    }
}

use Comparison::*;
use Family as F;

/// Every base operator IAM knows.
pub const OPERATORS: &[BaseOperator] = &[
    op("StringEquals", F::String, Equals, false),
    op("StringNotEquals", F::String, Equals, true),
    op("StringEqualsIgnoreCase", F::StringIgnoreCase, Equals, false),
    op(
        "StringNotEqualsIgnoreCase",
        F::StringIgnoreCase,
        Equals,
        true,
    ),
    op("StringLike", F::StringLike, Equals, false),
    op("StringNotLike", F::StringLike, Equals, true),
    op("NumericEquals", F::Numeric, Equals, false),
    op("NumericNotEquals", F::Numeric, Equals, true),
    op("NumericLessThan", F::Numeric, LessThan, false),
    op("NumericLessThanEquals", F::Numeric, LessThanEquals, false),
    op("NumericGreaterThan", F::Numeric, GreaterThan, false),
    op(
        "NumericGreaterThanEquals",
        F::Numeric,
        GreaterThanEquals,
        false,
    ),
    op("DateEquals", F::Date, Equals, false),
    op("DateNotEquals", F::Date, Equals, true),
    op("DateLessThan", F::Date, LessThan, false),
    op("DateLessThanEquals", F::Date, LessThanEquals, false),
    op("DateGreaterThan", F::Date, GreaterThan, false),
    op("DateGreaterThanEquals", F::Date, GreaterThanEquals, false),
    op("Bool", F::Bool, Equals, false),
    op("BinaryEquals", F::Binary, Equals, false),
    op("IpAddress", F::Ip, Equals, false),
    op("NotIpAddress", F::Ip, Equals, true),
    op("ArnEquals", F::Arn, Equals, false),
    op("ArnLike", F::Arn, Equals, false),
    op("ArnNotEquals", F::Arn, Equals, true),
    op("ArnNotLike", F::Arn, Equals, true),
    op("Null", F::Null, Equals, false),
];

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SetQualifier {
    /// Every request value must match.
    ForAllValues,
    /// At least one request value must match.
    ForAnyValue,
}

/// A full operator as written in a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Operator {
    /// The base operator.
    pub base: BaseOperator,
    /// The set qualifier, if any.
    pub set: Option<SetQualifier>,
    /// The `IfExists` suffix.
    pub if_exists: bool,
}

impl Operator {
    /// Reads an operator name. `Err` carries the message for an unknown or invalid one.
    pub fn parse(name: &str) -> Result<Operator, String> {
        let (set, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, name)
        };
        let (if_exists, base_name) = match rest.strip_suffix("IfExists") {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let Some(base) = OPERATORS.iter().find(|o| o.name == base_name).copied() else {
            let candidates = operator_names();
            let hint = crate::source::did_you_mean(name, candidates.iter().map(|s| s.as_str()));
            return Err(format!("unknown condition operator \"{name}\"{hint}"));
        };
        if base.family == Family::Null && (if_exists || set.is_some()) {
            return Err(format!(
                "\"{name}\": Null cannot take a set qualifier or IfExists"
            ));
        }
        Ok(Operator {
            base,
            set,
            if_exists,
        })
    }

    /// The operator written back as AWS spells it.
    pub fn name(&self) -> String {
        let prefix = match self.set {
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            None => "",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{prefix}{}{suffix}", self.base.name)
    }
}

/// Every valid operator name, for suggestions.
fn operator_names() -> Vec<String> {
    let mut names = Vec::new();
    for o in OPERATORS {
        names.push(o.name.to_string());
        if o.family != Family::Null {
            names.push(format!("{}IfExists", o.name));
            for set in ["ForAllValues:", "ForAnyValue:"] {
                names.push(format!("{set}{}", o.name));
                names.push(format!("{set}{}IfExists", o.name));
            }
        }
    }
    names
}

/// A policy-side value compiled for its operator.
#[derive(Debug, Clone, PartialEq)]
pub enum CompiledValue {
    /// String families: a pattern (wildcards only for StringLike; variables under
    /// Version 2012-10-17; lower-cased for IgnoreCase).
    Text(Pattern),
    /// Numeric.
    Number(value::Decimal),
    /// Date, as nanoseconds since the epoch.
    Date(i128),
    /// Bool.
    Bool(bool),
    /// BinaryEquals bytes.
    Binary(Vec<u8>),
    /// IpAddress range.
    Ip(IpNet),
    /// ARN pattern: the whole value, split into its six parts at match time when it
    /// holds variables, in advance otherwise.
    Arn {
        /// The value as a pattern (wildcards on, variables where allowed).
        whole: Pattern,
        /// The six parts, when the value has no variables.
        parts: Option<Box<[Pattern; 6]>>,
    },
    /// Null: `true` means "the key must be absent".
    Null(bool),
    /// A value that holds a placeholder (an unresolved template value) where the
    /// operator needs a number, date, boolean, base64, address range or ARN: it cannot
    /// be read until resolved, and every comparison with it is unresolved.
    Unresolved,
}

/// One value under a condition key.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyValue {
    /// The value as text (JSON numbers and booleans as written).
    pub text: Arc<str>,
    /// Where it is written.
    pub span: Span,
    /// The compiled form.
    pub compiled: CompiledValue,
}

impl PolicyValue {
    /// True when the value holds a policy variable.
    pub fn has_variables(&self) -> bool {
        match &self.compiled {
            CompiledValue::Text(p) => p.has_variables(),
            CompiledValue::Arn { whole, .. } => whole.has_variables(),
            _ => false,
        }
    }
}

/// One key under an operator, with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionKey {
    /// The key as written.
    pub name: Arc<str>,
    /// The key lower-cased (key names are case-insensitive).
    pub lower: String,
    /// Where the key is written.
    pub span: Span,
    /// The values (any one may match).
    pub values: Vec<PolicyValue>,
}

/// One operator of a Condition block with its keys.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionOperator {
    /// The operator as written.
    pub name: Arc<str>,
    /// Where it is written.
    pub span: Span,
    /// The parsed operator.
    pub operator: Operator,
    /// The keys (all must hold).
    pub keys: Vec<ConditionKey>,
}

/// The JSON type of a condition value, for the type check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// A JSON string.
    String,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
}

/// Compiles one policy value for `op`; `Err` is the message for a value the operator
/// cannot take. `variables` says whether `${…}` is a variable (Version 2012-10-17).
pub fn compile_value(
    op: &Operator,
    text: &str,
    kind: JsonKind,
    variables: bool,
) -> Result<CompiledValue, String> {
    let family = op.base.family;
    let type_ok = match family {
        F::String | F::StringIgnoreCase | F::StringLike => true,
        F::Numeric | F::Date => kind != JsonKind::Bool,
        F::Bool | F::Null => kind != JsonKind::Number,
        F::Binary | F::Ip | F::Arn => kind == JsonKind::String,
    };
    let op_name = op.base.name;
    if !type_ok {
        let what = match kind {
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
        };
        return Err(format!("{op_name} cannot take {what} ({text})"));
    }
    let vars = variables.then_some(0);
    let unresolved = crate::iac::placeholder::contains(text);
    if unresolved
        && matches!(
            family,
            F::Numeric | F::Date | F::Bool | F::Null | F::Binary | F::Ip
        )
    {
        return Ok(CompiledValue::Unresolved);
    }
    let text_pattern = |wildcards: bool, lowercase: bool| {
        Pattern::compile(
            text,
            PatternOptions {
                wildcards,
                variables_from: vars,
                lowercase,
            },
        )
    };
    Ok(match family {
        F::String => CompiledValue::Text(text_pattern(false, false)),
        F::StringIgnoreCase => CompiledValue::Text(text_pattern(false, true)),
        F::StringLike => CompiledValue::Text(text_pattern(true, false)),
        F::Numeric => CompiledValue::Number(
            value::parse_number(text)
                .ok_or_else(|| format!("{op_name} needs a number, not \"{text}\""))?,
        ),
        F::Date => CompiledValue::Date(value::parse_date(text).ok_or_else(|| {
            format!("{op_name} needs an ISO 8601 date-time or epoch seconds, not \"{text}\"")
        })?),
        F::Bool => CompiledValue::Bool(
            value::parse_bool(text)
                .ok_or_else(|| format!("Bool needs \"true\" or \"false\", not \"{text}\""))?,
        ),
        F::Null => CompiledValue::Null(
            value::parse_bool(text)
                .ok_or_else(|| format!("Null needs \"true\" or \"false\", not \"{text}\""))?,
        ),
        F::Binary => CompiledValue::Binary(
            value::parse_base64(text)
                .ok_or_else(|| format!("BinaryEquals needs base64, not \"{text}\""))?,
        ),
        F::Ip => CompiledValue::Ip(value::parse_ip_range(text).ok_or_else(|| {
            format!("{op_name} needs an IP address or CIDR range, not \"{text}\"")
        })?),
        F::Arn => {
            let whole = text_pattern(true, false);
            let parts = if whole.has_variables() {
                None
            } else if unresolved && split_arn_pattern(&whole).is_none() {
                // `⟦GetAtt Queue.Arn⟧`: the ARN itself is unknown.
                return Ok(CompiledValue::Unresolved);
            } else {
                Some(Box::new(split_arn_pattern(&whole).ok_or_else(|| {
                    format!(
                        "{op_name} needs an ARN (arn:partition:service:region:account:resource), not \"{text}\""
                    )
                })?))
            };
            CompiledValue::Arn { whole, parts }
        }
    })
}

/// Splits a variable-free ARN pattern into its six parts at the first five `:`. Each
/// part is matched on its own, so a `*` cannot reach across a colon.
pub fn split_arn_pattern(p: &Pattern) -> Option<[Pattern; 6]> {
    let mut parts: Vec<Vec<Token>> = vec![Vec::new()];
    for t in p.tokens() {
        match t {
            Token::Lit(s) => {
                let mut rest = s.as_str();
                while parts.len() < 6 {
                    let Some(i) = rest.find(':') else { break };
                    if i > 0 {
                        parts.last_mut()?.push(Token::Lit(rest[..i].to_string()));
                    }
                    parts.push(Vec::new());
                    rest = &rest[i + 1..];
                }
                if !rest.is_empty() {
                    parts.last_mut()?.push(Token::Lit(rest.to_string()));
                }
            }
            Token::Var(_) => return None,
            other => parts.last_mut()?.push(other.clone()),
        }
    }
    if parts.len() != 6 {
        return None;
    }
    let mut it = parts.into_iter().map(Pattern::from_tokens);
    let out = [
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ];
    // The first part must be the literal "arn" (or a wildcard standing for it).
    out[0].matches_plain("arn").then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_qualifiers() {
        let o = Operator::parse("ForAllValues:StringLikeIfExists").unwrap();
        assert_eq!(o.base.name, "StringLike");
        assert_eq!(o.set, Some(SetQualifier::ForAllValues));
        assert!(o.if_exists);
        assert_eq!(o.name(), "ForAllValues:StringLikeIfExists");
        let err = Operator::parse("StringEqual").unwrap_err();
        assert!(err.contains("did you mean StringEquals?"), "{err}");
        assert!(Operator::parse("NullIfExists").is_err());
        assert!(Operator::parse("stringequals").is_err());
    }

    #[test]
    fn arn_parts_do_not_cross_colons() {
        let o = Operator::parse("ArnLike").unwrap();
        let CompiledValue::Arn {
            parts: Some(parts), ..
        } = compile_value(&o, "arn:aws:s3:::bucket/*:x", JsonKind::String, true).unwrap()
        else {
            panic!("parts expected")
        };
        assert!(parts[5].matches_plain("bucket/a:x"));
        assert!(compile_value(&o, "arn:aws:*", JsonKind::String, true).is_err());
    }

    #[test]
    fn type_checks() {
        let num = Operator::parse("NumericLessThan").unwrap();
        assert!(compile_value(&num, "true", JsonKind::Bool, true).is_err());
        assert!(compile_value(&num, "3.5", JsonKind::Number, true).is_ok());
        let ip = Operator::parse("IpAddress").unwrap();
        assert!(compile_value(&ip, "10.0.0.0/33", JsonKind::String, true).is_err());
        let b = Operator::parse("Bool").unwrap();
        assert_eq!(
            compile_value(&b, "TRUE", JsonKind::String, true),
            Ok(CompiledValue::Bool(true))
        );
    }
}
