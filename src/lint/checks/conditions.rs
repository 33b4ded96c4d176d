//! Condition keys against the actions and the global key table, operators against
//! key types, set operators on the right keys.

use super::super::{Finding, FixEdit};
use super::Matched;
use crate::catalog::notes::{NoteKind, NoteStatus, reference_note};
use crate::catalog::services::{Service, catalog, key_name_matches};
use crate::catalog::{KeyType, global_key};
use crate::policy::condition::{Family, SetQualifier};
use crate::policy::{ConditionKey, Effect, Statement};
use crate::source::did_you_mean;

/// The key's type and whether it is multi-valued, from the global table or the
/// catalog; `None` when unknown.
fn key_type(name: &str) -> Option<(KeyType, bool)> {
    if let Some(g) = global_key(name) {
        return Some((g.key_type, g.multi));
    }
    catalog().condition_key(name).map(|k| (k.key_type, k.multi))
}

fn family_fits(family: Family, key: KeyType) -> bool {
    match family {
        Family::Null => true,
        Family::String | Family::StringIgnoreCase | Family::StringLike => {
            matches!(key, KeyType::String | KeyType::Arn)
        }
        Family::Arn => key == KeyType::Arn,
        Family::Numeric => key == KeyType::Numeric,
        // aws:EpochTime is a date that is also written as a number.
        Family::Date => key == KeyType::Date,
        Family::Bool => key == KeyType::Bool,
        Family::Ip => key == KeyType::Ip,
        Family::Binary => false,
    }
}

fn operators_for(key: KeyType) -> &'static str {
    match key {
        KeyType::String => "String… operators",
        KeyType::Arn => "Arn… operators",
        KeyType::Numeric => "Numeric… operators",
        KeyType::Date => "Date… operators",
        KeyType::Bool => "Bool",
        KeyType::Ip => "IpAddress / NotIpAddress",
    }
}

/// Condition keys: known, supported by the actions, fitting their operator; set
/// operators on the right keys; ForAllValues guarded in Allows.
pub(super) fn conditions(
    st: &Statement,
    matched: Option<&Matched<'static>>,
    out: &mut Vec<Finding>,
) {
    for op in &st.conditions {
        let family = op.operator.base.family;
        for key in &op.keys {
            let name = &*key.name;
            let known = check_key_known(name, key, matched, out);
            let Some((ktype, multi)) = known else {
                continue;
            };
            let epoch_as_number =
                family == Family::Numeric && name.eq_ignore_ascii_case("aws:EpochTime");
            if !(family_fits(family, ktype) || epoch_as_number) {
                out.push(Finding::new(
                    "operator-type-mismatch",
                    op.span,
                    format!(
                        "{} compares {} values, but {name} is of type {}: use {}",
                        op.name,
                        family_word(family),
                        ktype.label(),
                        operators_for(ktype)
                    ),
                ));
            }
            if family == Family::Null {
                continue;
            }
            // ${*} and ${?} are the literal characters.
            let literal_wildcard = |t: &str| {
                t.replace("${*}", "")
                    .replace("${?}", "")
                    .contains(['*', '?'])
            };
            if family == Family::String && key.values.iter().any(|v| literal_wildcard(&v.text)) {
                out.push(Finding::new(
                    "wildcard-without-like",
                    key.span,
                    format!("{} compares * and ? as themselves: a value of {name} with them matches only that exact text", op.name),
                ).with_fix(op.name.replace("StringEquals", "StringLike").replace("StringNotEquals", "StringNotLike"))
                .with_edit(FixEdit::RenameOperator {
                    at: op.span,
                    to: op.name.replace("StringEquals", "StringLike").replace("StringNotEquals", "StringNotLike"),
                }));
            }
            if key.lower == "aws:sourceip" && family == Family::Ip {
                private_ranges(op.name.as_ref(), key, out);
            }
            // A set qualifier changes the meaning for every key of its operator: it is
            // renamed by itself only when this key is the operator's one key.
            let lone = op.keys.len() == 1;
            match (op.operator.set, multi) {
                (None, true) => out.push(Finding::new(
                    "plain-operator-multivalued-key",
                    key.span,
                    format!(
                        "{name} is multi-valued: {} without ForAnyValue or ForAllValues does not match a request with a list of values",
                        op.name
                    ),
                ).with_fix(format!("ForAnyValue:{}", op.name))
                .with_edit_if(lone, FixEdit::RenameOperator { at: op.span, to: format!("ForAnyValue:{}", op.name) })),
                (Some(q), false) => out.push(Finding::new(
                    if q == SetQualifier::ForAllValues {
                        "forallvalues-single-valued-key"
                    } else {
                        "foranyvalue-single-valued-key"
                    },
                    op.span,
                    format!(
                        "{name} is single-valued: {} is not needed{}",
                        match q {
                            SetQualifier::ForAllValues => "ForAllValues",
                            SetQualifier::ForAnyValue => "ForAnyValue",
                        },
                        if q == SetQualifier::ForAllValues {
                            ", and ForAllValues also holds when the key is missing"
                        } else {
                            ""
                        }
                    ),
                ).with_fix(op.operator.base.name.to_string() + if op.operator.if_exists { "IfExists" } else { "" })
                .with_edit_if(lone, FixEdit::RenameOperator {
                    at: op.span,
                    to: op.operator.base.name.to_string() + if op.operator.if_exists { "IfExists" } else { "" },
                })),
                _ => {}
            }
            if st.effect == Effect::Allow
                && op.operator.set == Some(SetQualifier::ForAllValues)
                && !op.operator.base.negated
                && !null_guarded(st, &key.lower)
            {
                out.push(Finding::new(
                    "forallvalues-allow-without-null",
                    key.span,
                    format!(
                        "ForAllValues holds when {name} is missing or empty, so this Allow also applies to requests without it"
                    ),
                ).with_fix(format!("add \"Null\": {{\"{name}\": \"false\"}} to the Condition"))
                .with_edit(FixEdit::AddCondition {
                    statement: st.span,
                    operator: "Null".into(),
                    key: name.to_string(),
                    value: "false".into(),
                }));
            }
        }
    }
}

/// aws:SourceIp is a public address: requests from private networks come through a VPC
/// endpoint and carry aws:VpcSourceIp instead.
fn private_ranges(operator: &str, key: &ConditionKey, out: &mut Vec<Finding>) {
    use crate::policy::condition::CompiledValue;
    // Private, loopback and link-local blocks: a range is private when one holds it
    // whole.
    const PRIVATE: &[&str] = &[
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    ];
    let private = |net: &ipnet::IpNet| {
        PRIVATE.iter().any(|p| {
            p.parse::<ipnet::IpNet>()
                .is_ok_and(|block| block.contains(net))
        })
    };
    let nets: Vec<_> = key
        .values
        .iter()
        .filter_map(|v| match &v.compiled {
            CompiledValue::Ip(n) => Some(n),
            _ => None,
        })
        .collect();
    if !nets.is_empty() && nets.iter().all(|n| private(n)) {
        out.push(Finding::new(
            "private-source-ip",
            key.span,
            format!("{operator} on aws:SourceIp with private ranges only: aws:SourceIp never holds a private address (requests from a VPC come through an endpoint, with aws:VpcSourceIp)"),
        ).with_fix("use aws:VpcSourceIp (with aws:SourceVpc), or the public addresses"));
    }
}

fn family_word(f: Family) -> &'static str {
    match f {
        Family::String | Family::StringIgnoreCase | Family::StringLike => "string",
        Family::Numeric => "numeric",
        Family::Date => "date",
        Family::Bool => "boolean",
        Family::Binary => "binary",
        Family::Ip => "IP address",
        Family::Arn => "ARN",
        Family::Null => "presence",
    }
}

/// A `Null: false` on the key in the same statement.
fn null_guarded(st: &Statement, lower: &str) -> bool {
    st.conditions.iter().any(|op| {
        op.operator.base.family == Family::Null
            && op.keys.iter().any(|k| {
                k.lower == lower
                    && k.values
                        .iter()
                        .all(|v| v.text.eq_ignore_ascii_case("false"))
            })
    })
}

/// Whether any action of `service` (or any of its resource types) lists the key.
fn attached_anywhere(service: &Service<'static>, name: &str) -> bool {
    service.actions.iter().any(|a| {
        a.condition_keys.iter().any(|k| key_name_matches(k, name))
            || a.resource_types
                .iter()
                .any(|r| r.condition_keys.iter().any(|k| key_name_matches(k, name)))
    }) || service
        .resource_types
        .iter()
        .any(|t| t.condition_keys.iter().any(|k| key_name_matches(k, name)))
}

/// Is the key known, and supported by the statement's actions? Its type when known.
fn check_key_known(
    name: &str,
    key: &ConditionKey,
    matched: Option<&Matched<'static>>,
    out: &mut Vec<Finding>,
) -> Option<(KeyType, bool)> {
    let (prefix, _) = name.split_once(':')?;
    if prefix.eq_ignore_ascii_case("aws") {
        let found = key_type(name);
        if found.is_none() {
            let mut names: Vec<String> = crate::catalog::global_keys()
                .iter()
                .map(|k| k.name.clone())
                .collect();
            names.extend(["aws:RequestTag/".into(), "aws:ResourceTag/".into()]);
            let hint = did_you_mean(name, names.iter().map(String::as_str));
            out.push(Finding::new(
                "unknown-global-key",
                key.span,
                format!("{name} is not an AWS global condition key{hint}"),
            ));
        }
        return found;
    }
    let cat = catalog();
    let Some(service) = cat.service(prefix) else {
        // Identity-provider keys (accounts.google.com:aud, saml:sub) and the like.
        return key_type(name);
    };
    let Some(declared) = service
        .condition_key(name)
        .or_else(|| cat.condition_key(name))
    else {
        if let Some(note) = reference_note(NoteKind::Key, name) {
            out.push(super::actions::noted(note, key.span, name));
            return None;
        }
        let hint = did_you_mean(name, service.condition_keys.iter().map(|k| k.name));
        out.push(Finding::new(
            "unknown-condition-key",
            key.span,
            format!("{} defines no condition key {name}{hint}", service.prefix),
        ));
        return None;
    };
    // Keys AWS documents as usable with any service's actions: the credentials' source
    // (an EC2 instance, a Lambda function, a Glue job), not the action.
    const CROSS_SERVICE: &[&str] = &[
        "ec2:SourceInstanceARN",
        "lambda:SourceFunctionArn",
        "glue:RoleAssumedBy",
        "glue:CredentialIssuingService",
        "ssm:SourceInstanceARN",
    ];
    let cross_service = CROSS_SERVICE.iter().any(|k| k.eq_ignore_ascii_case(name));
    if let Some(actions) = matched.filter(|_| !cross_service) {
        // The action's own keys, its resource types' keys as the action lists them,
        // and the keys the service gives each of those resource types.
        let supported = actions.iter().any(|(s, a)| {
            a.condition_keys.iter().any(|k| key_name_matches(k, name))
                || a.resource_types.iter().any(|r| {
                    r.condition_keys.iter().any(|k| key_name_matches(k, name))
                        || s.resource_type(r.name).is_some_and(|t| {
                            t.condition_keys.iter().any(|k| key_name_matches(k, name))
                        })
                })
        });
        if !supported && !actions.is_empty() {
            let mut shown: Vec<String> = actions
                .iter()
                .take(3)
                .map(|(s, a)| format!("{}:{}", s.prefix, a.name))
                .collect();
            if actions.len() > 3 {
                shown.push(format!("… ({} actions)", actions.len()));
            }
            let shown = shown.join(", ");
            // A key the service defines but lists for none of its actions: the
            // reference does not say which requests carry it, so we cannot say the
            // condition never sees it.
            let partial =
                reference_note(NoteKind::Key, name).filter(|n| n.status == NoteStatus::Partial);
            out.push(if let Some(note) = partial {
                Finding::new(
                    "key-unlisted-for-actions",
                    key.span,
                    format!(
                        "the service reference does not list {name} for {shown}, but it is incomplete there ({}), so whether these requests carry it is not known",
                        note.note
                    ),
                )
            } else if !attached_anywhere(service, name) {
                Finding::new(
                    "key-unlisted-for-actions",
                    key.span,
                    format!(
                        "the service reference does not list {name} for {shown} (it defines the key but lists it for none of {}'s actions), so whether these requests carry it is not known",
                        service.prefix
                    ),
                )
            } else {
                Finding::new(
                    "key-not-for-actions",
                    key.span,
                    format!(
                        "{name} is not in the request context of {shown}: the condition never sees it"
                    ),
                )
            });
        }
    }
    Some((declared.key_type, declared.multi))
}
