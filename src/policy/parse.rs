//! JSON tree → typed [`Policy`], with every problem reported at its position (all of
//! them, not only the first).

use super::condition::{self, ConditionKey, ConditionOperator, JsonKind, Operator, PolicyValue};
use super::pattern::{Pattern, PatternOptions};
use super::principal::PrincipalRef;
use super::*;
use crate::iac::placeholder;
use crate::json::{self, Member, Node, Value};
use crate::source::{Diagnostic, Span, did_you_mean};

/// What the parser needs to know about where the policy is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseContext {
    /// The policy type.
    pub kind: PolicyKind,
    /// The policy's resource is implied by what it is attached to — a role trust
    /// policy, an ECR repository policy: its statements may omit Resource.
    pub resource_implied: bool,
}

impl ParseContext {
    /// A context for `kind` that is not a trust policy.
    pub fn new(kind: PolicyKind) -> Self {
        ParseContext {
            kind,
            resource_implied: false,
        }
    }
}

/// Parses policy text. `Err` holds every error found.
pub fn parse_policy_text(text: &str, ctx: ParseContext) -> Result<Policy, Vec<Diagnostic>> {
    let node = json::parse(text).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let policy = parse_policy_node(&node, ctx, &mut errors);
    match policy {
        Some(p) if errors.is_empty() => Ok(p),
        _ => Err(errors),
    }
}

const TOP_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

/// Parses a policy document from a JSON node, adding every problem to `errors`.
/// Returns `None` when the document is too broken to build.
pub fn parse_policy_node(
    node: &Node,
    ctx: ParseContext,
    errors: &mut Vec<Diagnostic>,
) -> Option<Policy> {
    let before = errors.len();
    let mut each = |item: &Node, version: Version, errors: &mut Vec<Diagnostic>| {
        parse_statement(item, ctx, version, errors)
    };
    parse_document(node, errors, &mut each).filter(|_| errors.len() == before)
}

/// What [`parse_document`] hands each statement to: the statement's node, the
/// document's version, the errors; it returns the statement to keep.
pub(super) type EachStatement<'a> =
    dyn FnMut(&Node, Version, &mut Vec<Diagnostic>) -> Option<Statement> + 'a;

/// The document's own elements (Version, Id, the Statement list) checked into
/// `errors`, each statement handed to `each` (which parses it, or records it: see
/// [`super::incremental`]); the policy holds the statements `each` returned, also when
/// there were errors. `None` when the document is not an object.
pub(super) fn parse_document(
    node: &Node,
    errors: &mut Vec<Diagnostic>,
    each: &mut EachStatement<'_>,
) -> Option<Policy> {
    let Value::Object(members) = &node.value else {
        errors.push(Diagnostic::error(
            node.span,
            format!(
                "a policy document must be a JSON object, not {}",
                node.value.kind_name()
            ),
        ));
        return None;
    };
    json::duplicate_keys(members, errors);
    unknown_keys(members, TOP_KEYS, "policy", errors);
    let mut version = Version::V2008;
    if let Some(v) = get(members, "Version") {
        match &v.value {
            Value::String(s) if s == "2012-10-17" => version = Version::V2012,
            Value::String(s) if s == "2008-10-17" => {}
            _ => errors.push(Diagnostic::error(
                v.span,
                "Version must be \"2012-10-17\" or \"2008-10-17\"",
            )),
        }
    }
    let id = get(members, "Id").and_then(|v| match &v.value {
        Value::String(s) => Some(s.clone()),
        other => {
            errors.push(Diagnostic::error(
                v.span,
                format!("Id must be a string, not {}", other.kind_name()),
            ));
            None
        }
    });
    let mut statements = Vec::new();
    match get(members, "Statement") {
        None => errors.push(Diagnostic::error(
            node.span,
            "a policy needs a Statement (one object or an array of objects)",
        )),
        Some(s) => match &s.value {
            Value::Object(_) => statements.extend(each(s, version, errors)),
            Value::Array(items) => {
                for item in items {
                    statements.extend(each(item, version, errors));
                }
            }
            other => errors.push(Diagnostic::error(
                s.span,
                format!(
                    "Statement must be an object or an array of objects, not {}",
                    other.kind_name()
                ),
            )),
        },
    }
    Some(Policy {
        span: node.span,
        version,
        explicit_version: get(members, "Version").is_some(),
        id,
        statements,
    })
}

fn get<'a>(members: &'a [Member], key: &str) -> Option<&'a Node> {
    members.iter().find(|m| m.key == key).map(|m| &m.value)
}

fn get_member<'a>(members: &'a [Member], key: &str) -> Option<&'a Member> {
    members.iter().find(|m| m.key == key)
}

fn unknown_keys(members: &[Member], allowed: &[&str], what: &str, errors: &mut Vec<Diagnostic>) {
    for m in members {
        if !allowed.contains(&m.key.as_str()) {
            let hint = did_you_mean(&m.key, allowed.iter().copied());
            errors.push(Diagnostic::error(
                m.key_span,
                format!("unknown {what} element \"{}\"{hint}", m.key),
            ));
        }
    }
}

/// The span from a member's key through its value.
fn member_span(m: &Member) -> Span {
    Span {
        start: m.key_span.start,
        end: m.value.span.end,
        line: m.key_span.line,
        column: m.key_span.column,
        source: m.key_span.source,
    }
}

/// A string or an array of strings, non-empty.
fn string_list(node: &Node, what: &str, errors: &mut Vec<Diagnostic>) -> Vec<(String, Span)> {
    match &node.value {
        Value::String(s) => vec![(s.clone(), node.span)],
        Value::Array(items) if items.is_empty() => {
            errors.push(Diagnostic::error(
                node.span,
                format!("{what} must not be empty"),
            ));
            Vec::new()
        }
        Value::Array(items) => items
            .iter()
            .filter_map(|i| match &i.value {
                Value::String(s) => Some((s.clone(), i.span)),
                other => {
                    errors.push(Diagnostic::error(
                        i.span,
                        format!("{what} entries must be strings, not {}", other.kind_name()),
                    ));
                    None
                }
            })
            .collect(),
        other => {
            errors.push(Diagnostic::error(
                node.span,
                format!(
                    "{what} must be a string or an array of strings, not {}",
                    other.kind_name()
                ),
            ));
            Vec::new()
        }
    }
}

/// Exactly one of two alternative elements: `(member, negated)`.
fn one_of<'a>(
    members: &'a [Member],
    positive: &str,
    negative: &str,
    statement: Span,
    required: bool,
    errors: &mut Vec<Diagnostic>,
) -> Option<(&'a Member, bool)> {
    match (get_member(members, positive), get_member(members, negative)) {
        (Some(_), Some(n)) => {
            errors.push(Diagnostic::error(
                n.key_span,
                format!("a statement may have {positive} or {negative}, not both"),
            ));
            None
        }
        (Some(p), None) => Some((p, false)),
        (None, Some(n)) => Some((n, true)),
        (None, None) => {
            if required {
                errors.push(Diagnostic::error(
                    statement,
                    format!("statement needs {positive} or {negative}"),
                ));
            }
            None
        }
    }
}

/// Parses one statement (an element of the Statement list), adding every problem to
/// `errors`; `None` when it has any.
pub(super) fn parse_statement(
    node: &Node,
    ctx: ParseContext,
    version: Version,
    errors: &mut Vec<Diagnostic>,
) -> Option<Statement> {
    let before = errors.len();
    let Value::Object(members) = &node.value else {
        errors.push(Diagnostic::error(
            node.span,
            format!(
                "a statement must be an object, not {}",
                node.value.kind_name()
            ),
        ));
        return None;
    };
    json::duplicate_keys(members, errors);
    unknown_keys(members, STATEMENT_KEYS, "statement", errors);
    let sid_span = get(members, "Sid").map(|v| v.span);
    let sid = get(members, "Sid").and_then(|v| match &v.value {
        Value::String(s) => Some(s.clone()),
        other => {
            errors.push(Diagnostic::error(
                v.span,
                format!("Sid must be a string, not {}", other.kind_name()),
            ));
            None
        }
    });
    let effect = match get(members, "Effect") {
        None => {
            errors.push(Diagnostic::error(node.span, "statement needs an Effect"));
            None
        }
        Some(v) => match &v.value {
            Value::String(s) if s == "Allow" => Some((Effect::Allow, v.span)),
            Value::String(s) if s == "Deny" => Some((Effect::Deny, v.span)),
            _ => {
                errors.push(Diagnostic::error(
                    v.span,
                    "Effect must be exactly \"Allow\" or \"Deny\"",
                ));
                None
            }
        },
    };
    let action = one_of(members, "Action", "NotAction", node.span, true, errors)
        .map(|(m, negated)| parse_actions(m, negated, errors));
    let resource_required = !ctx.resource_implied;
    let resource = one_of(
        members,
        "Resource",
        "NotResource",
        node.span,
        resource_required,
        errors,
    )
    .map(|(m, negated)| parse_resources(m, negated, version, errors));
    let principal_written = members
        .iter()
        .any(|m| m.key == "Principal" || m.key == "NotPrincipal");
    let principal = one_of(
        members,
        "Principal",
        "NotPrincipal",
        node.span,
        false,
        errors,
    )
    .and_then(|(m, negated)| parse_principal(m, negated, errors));
    let placement = Placement {
        principal: principal.as_ref(),
        written: principal_written,
        effect,
        statement: node.span,
    };
    check_principal_placement(ctx, placement, errors);
    let (conditions, condition_span) = match get(members, "Condition") {
        Some(c) => (parse_conditions(c, version, errors), Some(c.span)),
        None => (Vec::new(), None),
    };
    if errors.len() != before {
        return None;
    }
    let (effect, effect_span) = effect?;
    let mut statement = Statement {
        span: node.span,
        sid: sid.map(Into::into),
        sid_span,
        effect,
        effect_span,
        action: action?,
        resource,
        principal,
        conditions,
        condition_span,
        placeholders: false,
    };
    statement.placeholders = statement.find_placeholders();
    Some(statement)
}

fn parse_actions(m: &Member, negated: bool, errors: &mut Vec<Diagnostic>) -> ActionElement {
    let items = string_list(&m.value, &m.key, errors)
        .into_iter()
        .filter_map(|(text, span)| {
            if !valid_action(&text) {
                errors.push(Diagnostic::error(
                    span,
                    format!("action \"{text}\" must be \"service:ActionName\" or \"*\""),
                ));
                return None;
            }
            let pattern = Pattern::compile(
                &text,
                PatternOptions {
                    wildcards: true,
                    variables_from: None,
                    lowercase: true,
                },
            );
            Some(PatternItem {
                text: text.into(),
                span,
                pattern,
            })
        })
        .collect();
    ActionElement {
        negated,
        span: member_span(m),
        items,
    }
}

fn valid_action(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    if placeholder::contains(text) {
        // An unresolved template value: wholly one, or standing for a part
        // (`⟦Ref Service⟧:GetObject`), read as a letter in that part.
        let shape = super::unresolved::stand_in(text, "x");
        return shape.is_empty() || shape == "x" || valid_action(&shape);
    }
    let Some((service, name)) = text.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && !name.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'*' | b'?'))
        && name.bytes().all(|b| !b.is_ascii_whitespace())
}

fn parse_resources(
    m: &Member,
    negated: bool,
    version: Version,
    errors: &mut Vec<Diagnostic>,
) -> ResourceElement {
    let items = string_list(&m.value, &m.key, errors)
        .into_iter()
        .filter_map(|(text, span)| {
            let wildcard_only = !text.is_empty() && text.chars().all(|c| c == '*' || c == '?');
            // A placeholder may stand for the whole ARN (`⟦GetAtt Bucket.Arn⟧/*`).
            if !text.starts_with("arn:") && !wildcard_only && !text.starts_with(placeholder::OPEN) {
                errors.push(Diagnostic::error(
                    span,
                    format!("resource \"{text}\" must be an ARN (arn:…) or \"*\""),
                ));
                return None;
            }
            Some(PatternItem {
                pattern: compile_resource(&text, version),
                text: text.into(),
                span,
            })
        })
        .collect();
    ResourceElement {
        negated,
        span: member_span(m),
        items,
    }
}

/// A resource pattern: variables only after the fifth `:` and only under 2012-10-17.
pub fn compile_resource(text: &str, version: Version) -> Pattern {
    let variables_from = match version {
        Version::V2012 => text
            .match_indices(':')
            .nth(4)
            .map(|(i, _)| i + 1)
            .or(Some(text.len())),
        Version::V2008 => None,
    };
    Pattern::compile(
        text,
        PatternOptions {
            wildcards: true,
            variables_from,
            lowercase: false,
        },
    )
}

const PRINCIPAL_KEYS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

fn parse_principal(
    m: &Member,
    negated: bool,
    errors: &mut Vec<Diagnostic>,
) -> Option<PrincipalElement> {
    let mut items = Vec::new();
    match &m.value.value {
        Value::String(s) if s == "*" => items.push(PrincipalItem {
            principal_type: PrincipalType::Wildcard,
            text: s.as_str().into(),
            span: m.value.span,
            parsed: PrincipalRef::Everyone,
        }),
        Value::Object(members) => {
            json::duplicate_keys(members, errors);
            unknown_keys(members, PRINCIPAL_KEYS, &m.key, errors);
            if members.is_empty() {
                errors.push(Diagnostic::error(
                    m.value.span,
                    format!("{} must not be empty", m.key),
                ));
            }
            for member in members {
                let principal_type = match member.key.as_str() {
                    "AWS" => PrincipalType::Aws,
                    "Service" => PrincipalType::Service,
                    "Federated" => PrincipalType::Federated,
                    "CanonicalUser" => PrincipalType::CanonicalUser,
                    _ => continue,
                };
                for (text, span) in string_list(&member.value, &member.key, errors) {
                    if let Some(parsed) = principal_entry(principal_type, &text, span, errors) {
                        items.push(PrincipalItem {
                            principal_type,
                            text: text.into(),
                            span,
                            parsed,
                        });
                    }
                }
            }
        }
        other => {
            errors.push(Diagnostic::error(
                m.value.span,
                format!(
                    "{} must be \"*\" or an object with AWS, Service, Federated or CanonicalUser, not {}",
                    m.key,
                    match other {
                        Value::String(_) => "another string",
                        o => o.kind_name(),
                    }
                ),
            ));
            return None;
        }
    }
    Some(PrincipalElement {
        negated,
        span: member_span(m),
        items,
    })
}

fn principal_entry(
    t: PrincipalType,
    text: &str,
    span: Span,
    errors: &mut Vec<Diagnostic>,
) -> Option<PrincipalRef> {
    if text == "*" {
        if t == PrincipalType::Aws {
            return Some(PrincipalRef::Everyone);
        }
        errors.push(Diagnostic::error(
            span,
            "\"*\" is allowed only as \"Principal\": \"*\" or under AWS",
        ));
        return None;
    }
    if text.contains('*') || text.contains('?') {
        errors.push(Diagnostic::error(
            span,
            format!("principal \"{text}\" has a partial wildcard; Principal allows only \"*\" on its own (use a condition on aws:PrincipalArn instead)"),
        ));
        return None;
    }
    match t {
        PrincipalType::Aws => {
            let parsed = PrincipalRef::parse(text);
            // A unique id (AIDA…, AROA…) is what AWS shows for a deleted principal.
            let unique_id = text.len() >= 16
                && text.starts_with('A')
                && text
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            // A placeholder (`⟦GetAtt AppRole.Arn⟧`, or an ARN with one in it) stands
            // for a principal nobody can name offline: taken as written.
            let unresolved = placeholder::contains(text);
            if !unresolved
                && (matches!(
                    parsed,
                    PrincipalRef::Service { .. } | PrincipalRef::Anonymous
                ) || (text.starts_with("arn:") && parsed.account().is_none())
                    || (matches!(parsed, PrincipalRef::Other { .. }) && !unique_id))
            {
                errors.push(Diagnostic::error(
                    span,
                    format!("\"{text}\" is not an AWS principal: use an account id or the ARN of an account root, user, role, or session"),
                ));
                return None;
            }
            Some(parsed)
        }
        PrincipalType::Service => {
            let lower = text.to_ascii_lowercase();
            if placeholder::contains(text) {
                return Some(PrincipalRef::Other {
                    text: text.to_string(),
                });
            }
            if !super::principal::is_service_name(&lower) {
                errors.push(Diagnostic::error(
                    span,
                    format!("\"{text}\" is not a service principal (NAME.amazonaws.com)"),
                ));
                return None;
            }
            Some(PrincipalRef::Service { name: lower })
        }
        PrincipalType::Federated | PrincipalType::CanonicalUser | PrincipalType::Wildcard => {
            Some(PrincipalRef::Other {
                text: text.to_string(),
            })
        }
    }
}

/// "an SCP", "a permissions boundary".
fn with_article(kind: PolicyKind) -> String {
    let label = kind.label();
    let vowel_sound = label.starts_with(['a', 'e', 'i', 'o', 'u', 'S', 'R']);
    format!("{} {label}", if vowel_sound { "an" } else { "a" })
}

/// What the placement check needs to know about a statement's principal.
struct Placement<'a> {
    /// The parsed Principal/NotPrincipal (`None` when absent or invalid).
    principal: Option<&'a PrincipalElement>,
    /// Whether Principal or NotPrincipal is written at all.
    written: bool,
    effect: Option<(Effect, Span)>,
    statement: Span,
}

fn check_principal_placement(ctx: ParseContext, p: Placement<'_>, errors: &mut Vec<Diagnostic>) {
    let kind = ctx.kind;
    let (principal, effect, statement) = (p.principal, p.effect, p.statement);
    match (kind, principal) {
        (PolicyKind::Resource, None) if !p.written => errors.push(Diagnostic::error(
            statement,
            "a resource policy statement needs a Principal",
        )),
        (
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session | PolicyKind::Scp,
            Some(p),
        ) => errors.push(Diagnostic::error(
            p.span,
            format!(
                "{} cannot be used in {}; it names who the policy applies to only in resource policies",
                if p.negated { "NotPrincipal" } else { "Principal" },
                with_article(kind)
            ),
        )),
        (PolicyKind::Rcp | PolicyKind::Endpoint, Some(p)) => {
            let only_star = !p.negated
                && p.items.len() == 1
                && p.items[0].parsed == PrincipalRef::Everyone;
            if !only_star {
                let what = if p.negated {
                    "NotPrincipal cannot be used"
                } else {
                    "the Principal may only be \"*\""
                };
                errors.push(Diagnostic::error(
                    p.span,
                    format!("in {} {what}", with_article(kind)),
                ));
            }
        }
        _ => {}
    }
    if let (Some(p), Some((Effect::Allow, _))) = (principal, effect) {
        if p.negated {
            errors.push(Diagnostic::error(
                p.span,
                "NotPrincipal may only be used with \"Effect\": \"Deny\"",
            ));
        }
    }
}

fn parse_conditions(
    node: &Node,
    version: Version,
    errors: &mut Vec<Diagnostic>,
) -> Vec<ConditionOperator> {
    let Value::Object(ops) = &node.value else {
        errors.push(Diagnostic::error(
            node.span,
            format!(
                "Condition must be an object of operators, not {}",
                node.value.kind_name()
            ),
        ));
        return Vec::new();
    };
    json::duplicate_keys(ops, errors);
    let mut out = Vec::new();
    for m in ops {
        let operator = match Operator::parse(&m.key) {
            Ok(o) => Some(o),
            Err(msg) => {
                errors.push(Diagnostic::error(m.key_span, msg));
                None
            }
        };
        let Value::Object(keys) = &m.value.value else {
            errors.push(Diagnostic::error(
                m.value.span,
                format!(
                    "operator {} must hold an object of condition keys, not {}",
                    m.key,
                    m.value.value.kind_name()
                ),
            ));
            continue;
        };
        json::duplicate_keys(keys, errors);
        if keys.is_empty() {
            errors.push(Diagnostic::error(
                m.value.span,
                format!("operator {} has no condition keys", m.key),
            ));
        }
        let Some(operator) = operator else { continue };
        let keys = keys
            .iter()
            .filter_map(|k| parse_condition_key(k, &operator, version, errors))
            .collect();
        out.push(ConditionOperator {
            name: m.key.as_str().into(),
            span: member_span(m),
            operator,
            keys,
        });
    }
    out
}

fn parse_condition_key(
    k: &Member,
    operator: &Operator,
    version: Version,
    errors: &mut Vec<Diagnostic>,
) -> Option<ConditionKey> {
    let before = errors.len();
    match k.key.split_once(':') {
        Some((prefix, name)) if !prefix.is_empty() && !name.is_empty() => {}
        _ => errors.push(Diagnostic::error(
            k.key_span,
            format!(
                "condition key \"{}\" must be written prefix:name (aws:SourceIp, s3:prefix, …)",
                k.key
            ),
        )),
    }
    let raw: Vec<&Node> = match &k.value.value {
        Value::Array(items) if items.is_empty() => {
            errors.push(Diagnostic::error(
                k.value.span,
                format!("condition key {} has no values", k.key),
            ));
            Vec::new()
        }
        Value::Array(items) => items.iter().collect(),
        _ => vec![&k.value],
    };
    let variables = version == Version::V2012
        && matches!(
            operator.base.family,
            condition::Family::String
                | condition::Family::StringIgnoreCase
                | condition::Family::StringLike
                | condition::Family::Arn
        );
    let mut values = Vec::new();
    for v in raw {
        let (text, kind) = match &v.value {
            Value::String(s) => (s.clone(), JsonKind::String),
            Value::Number(n) => (n.clone(), JsonKind::Number),
            Value::Bool(b) => (b.to_string(), JsonKind::Bool),
            other => {
                errors.push(Diagnostic::error(
                    v.span,
                    format!(
                        "a condition value must be a string, number or boolean, not {}",
                        other.kind_name()
                    ),
                ));
                continue;
            }
        };
        match condition::compile_value(operator, &text, kind, variables) {
            Ok(compiled) => values.push(PolicyValue {
                text: text.into(),
                span: v.span,
                compiled,
            }),
            Err(msg) => errors.push(Diagnostic::error(v.span, msg)),
        }
    }
    (errors.len() == before).then(|| ConditionKey {
        name: k.key.as_str().into(),
        lower: k.key.to_lowercase(),
        span: k.key_span,
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str, kind: PolicyKind) -> Vec<String> {
        match parse_policy_text(text, ParseContext::new(kind)) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .iter()
                .map(|d| format!("{}:{}: {}", d.span.line, d.span.column, d.message))
                .collect(),
        }
    }

    #[test]
    fn parses_a_policy_with_spans() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "S3:Get*", "Resource": "arn:aws:s3:::b/${aws:username}/*"}}"#;
        let p = parse_policy_text(text, ParseContext::new(PolicyKind::Identity)).unwrap();
        assert_eq!(p.statements.len(), 1);
        let s = &p.statements[0];
        assert!(s.action.items[0].pattern.matches_plain("s3:getobject"));
        assert!(
            s.resource.as_ref().unwrap().items[0]
                .pattern
                .has_variables()
        );
        assert_eq!(&text[s.effect_span.range()], "\"Allow\"");
    }

    #[test]
    fn reports_every_error_with_position() {
        let text = "{\n \"Statement\": [{\n  \"Effect\": \"allow\",\n  \"Action\": \"s3GetObject\",\n  \"Resorce\": \"*\",\n  \"Condition\": {\"StringEqual\": {\"aws:username\": \"x\"}}\n }]\n}";
        let errs = errors(text, PolicyKind::Identity);
        assert!(
            errs.iter().any(|e| e.starts_with("3:13: Effect must be")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("4:13: action \"s3GetObject\"")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e
                    .contains("unknown statement element \"Resorce\" (did you mean Resource?)")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("did you mean StringEquals?")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.contains("needs Resource or NotResource")),
            "{errs:?}"
        );
    }

    #[test]
    fn principal_placement() {
        let with_principal = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "*", "Resource": "*"}}"#;
        assert!(!errors(with_principal, PolicyKind::Identity).is_empty());
        assert!(errors(with_principal, PolicyKind::Resource).is_empty());
        assert!(!errors(with_principal, PolicyKind::Rcp).is_empty());
        let star = r#"{"Statement": {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}}"#;
        assert!(errors(star, PolicyKind::Rcp).is_empty());
        let none = r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
        assert!(!errors(none, PolicyKind::Resource).is_empty());
        let partial = r#"{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}, "Action": "*", "Resource": "*"}}"#;
        assert!(!errors(partial, PolicyKind::Resource).is_empty());
        let not_allow = r#"{"Statement": {"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "*", "Resource": "*"}}"#;
        assert!(!errors(not_allow, PolicyKind::Resource).is_empty());
    }

    #[test]
    fn trust_policies_may_omit_resource() {
        let trust = r#"{"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}"#;
        let ctx = ParseContext {
            kind: PolicyKind::Resource,
            resource_implied: true,
        };
        assert!(parse_policy_text(trust, ctx).is_ok());
        assert!(!errors(trust, PolicyKind::Resource).is_empty());
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let text = r#"{"Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}"#;
        let errs = errors(text, PolicyKind::Identity);
        assert!(
            errs.iter().any(|e| e.contains("duplicate key \"Effect\"")),
            "{errs:?}"
        );
    }

    #[test]
    fn bad_condition_values() {
        let text = r#"{"Statement": {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/40"]}, "NumericLessThan": {"aws:MultiFactorAuthAge": true}, "DateGreaterThan": {"aws:CurrentTime": "soon"}, "BinaryEquals": {"x:y": "%%%"}}}}"#;
        let errs = errors(text, PolicyKind::Identity);
        assert_eq!(errs.len(), 4, "{errs:?}");
    }
}
