//! The checks, statement by statement: actions against the catalog, condition keys
//! against the actions and the global key table, operators against key types, and the
//! policy-language pitfalls.

use super::{Finding, LintContext};
use crate::catalog::services::{Action, Service, catalog, key_name_matches};
use crate::catalog::{KeyType, global_key};
use crate::policy::condition::{Family, SetQualifier};
use crate::policy::{ConditionKey, Effect, Policy, PolicyKind, PrincipalType, Statement, Version};
use crate::source::did_you_mean;

type Matched<'c> = Vec<(&'c Service<'static>, &'c Action<'static>)>;

/// Runs every check on `policy`.
pub fn run(policy: &Policy, ctx: LintContext) -> Vec<Finding> {
    let mut out = Vec::new();
    if !policy.explicit_version {
        out.push(Finding::new(
            "missing-version",
            policy.span,
            "no Version: the policy is read as 2008-10-17, where policy variables are literal text",
        ).with_fix("\"Version\": \"2012-10-17\""));
    }
    sids(policy, ctx, &mut out);
    for st in &policy.statements {
        let matched = actions(st, &mut out);
        conditions(st, matched.as_ref(), &mut out);
        effects(st, matched.as_ref(), ctx, &mut out);
        network_deny(st, &mut out);
        if policy.version == Version::V2008 {
            variables_2008(st, &mut out);
        }
    }
    out
}

/// Duplicate Sids; characters AWS does not take (IAM policies: letters and digits).
fn sids(policy: &Policy, ctx: LintContext, out: &mut Vec<Finding>) {
    // IAM's own policies take letters and digits only and need unique Sids; other
    // services set their own rules (a Sid is a sub-id of the policy's Id there).
    let iam = matches!(
        ctx.kind,
        PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
    ) || ctx.trust_policy;
    for (i, st) in policy.statements.iter().enumerate() {
        let (Some(sid), Some(span)) = (&st.sid, st.sid_span) else {
            continue;
        };
        if let Some(first) = policy.statements[..i]
            .iter()
            .find(|o| o.sid.as_deref() == Some(&**sid) && !sid.is_empty())
        {
            let at = first.sid_span.unwrap_or(first.span);
            let mut f = Finding::new(
                "duplicate-sid",
                span,
                format!(
                    "Sid \"{sid}\" is also the Sid of the statement at line {}, column {}; Sids {} be unique within a policy",
                    at.line,
                    at.column,
                    if iam { "must" } else { "should" }
                ),
            );
            if !iam {
                f.severity = super::Severity::Warning;
            }
            out.push(f);
        }
        if iam && !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            out.push(
                Finding::new(
                    "invalid-sid",
                    span,
                    format!(
                        "Sid \"{sid}\": an {} takes only ASCII letters and digits in a Sid",
                        if ctx.trust_policy {
                            "IAM role trust policy"
                        } else {
                            "IAM policy"
                        }
                    ),
                )
                .with_fix(
                    sid.chars()
                        .filter(char::is_ascii_alphanumeric)
                        .collect::<String>(),
                ),
            );
        }
    }
}

/// Every Action/NotAction entry against the catalog; the actions `Action` matches
/// (`None` for NotAction, `*` or anything unknown: nothing can be said about them).
fn actions(st: &Statement, out: &mut Vec<Finding>) -> Option<Matched<'static>> {
    let cat = catalog();
    let mut all: Matched<'static> = Vec::new();
    let mut complete = !st.action.negated;
    for (i, item) in st.action.items.iter().enumerate() {
        let text = &*item.text;
        if text == "*" {
            complete = false;
            continue;
        }
        let Some((svc, name)) = text.split_once(':') else {
            complete = false;
            continue;
        };
        let wild_service = svc.contains(['*', '?']);
        if !wild_service && cat.service(svc).is_none() {
            let hint = did_you_mean(svc, cat.services().iter().map(|s| s.prefix));
            out.push(Finding::new(
                "unknown-service",
                item.span,
                format!("\"{svc}\" is not an AWS service prefix{hint}"),
            ));
            complete = false;
            continue;
        }
        let matched = cat.expand(text);
        if matched.is_empty() {
            if name.contains(['*', '?']) || wild_service {
                out.push(Finding::new(
                    "no-matching-action",
                    item.span,
                    format!("\"{text}\" matches no action"),
                ));
            } else {
                let hint = cat
                    .service(svc)
                    .map(|s| did_you_mean(name, s.actions.iter().map(|a| a.name)))
                    .unwrap_or_default();
                out.push(Finding::new(
                    "unknown-action",
                    item.span,
                    format!("{svc} has no action \"{name}\"{hint}"),
                ));
            }
            complete = false;
            continue;
        }
        // Covered by another entry of the same statement? (Of two entries that cover
        // each other, the later one is reported.)
        if let Some(other) =
            st.action.items.iter().enumerate().find(|(j, o)| {
                *j != i && covers(&o.text, text) && !(covers(text, &o.text) && *j > i)
            })
        {
            out.push(Finding::new(
                "redundant-action",
                item.span,
                format!("\"{text}\" is already covered by \"{}\"", other.1.text),
            ));
        }
        all.extend(matched);
    }
    complete.then_some(all)
}

/// Whether action pattern `a` matches every action `b` matches: `b` is one action
/// that `a` matches, or `a` is `PREFIX*` and `b` starts with `PREFIX` (ignoring case).
fn covers(a: &str, b: &str) -> bool {
    let wild = |s: &str| s.contains(['*', '?']);
    if !wild(b) {
        return crate::policy::Pattern::compile(
            &a.to_ascii_lowercase(),
            crate::policy::pattern::PatternOptions {
                wildcards: true,
                variables_from: None,
                lowercase: true,
            },
        )
        .matches_plain(&b.to_ascii_lowercase());
    }
    match a.strip_suffix('*') {
        Some(prefix) if !wild(prefix) => {
            b.len() >= prefix.len()
                && b.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        }
        _ => a == "*",
    }
}

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
fn conditions(st: &Statement, matched: Option<&Matched<'static>>, out: &mut Vec<Finding>) {
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
                ).with_fix(op.name.replace("StringEquals", "StringLike").replace("StringNotEquals", "StringNotLike")));
            }
            if key.lower == "aws:sourceip" && family == Family::Ip {
                private_ranges(op.name.as_ref(), key, out);
            }
            match (op.operator.set, multi) {
                (None, true) => out.push(Finding::new(
                    "plain-operator-multivalued-key",
                    key.span,
                    format!(
                        "{name} is multi-valued: {} without ForAnyValue or ForAllValues does not match a request with a list of values",
                        op.name
                    ),
                ).with_fix(format!("ForAnyValue:{}", op.name))),
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
                ).with_fix(op.operator.base.name.to_string() + if op.operator.if_exists { "IfExists" } else { "" })),
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
                ).with_fix(format!("add \"Null\": {{\"{name}\": \"false\"}} to the Condition")));
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
            out.push(Finding::new(
                "key-not-for-actions",
                key.span,
                format!(
                    "{name} is not in the request context of {}: the condition never sees it",
                    shown.join(", ")
                ),
            ));
        }
    }
    Some((declared.key_type, declared.multi))
}

/// Allow with NotAction / NotResource; Resource "*" where the actions take resources;
/// PassRole on every role; everyone allowed by a resource policy; RCP rules.
fn effects(
    st: &Statement,
    matched: Option<&Matched<'static>>,
    ctx: LintContext,
    out: &mut Vec<Finding>,
) {
    if ctx.kind == PolicyKind::Rcp {
        // AWS's own RCPFullAWSAccess: Allow everything to everyone, the one Allow an RCP
        // may hold.
        let full_access = st.action.items.iter().any(|i| &*i.text == "*")
            && !st.action.negated
            && st
                .resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.items.iter().any(|i| &*i.text == "*"))
            && st.conditions.is_empty();
        if st.effect == Effect::Allow && !full_access {
            out.push(Finding::new(
                "rcp-allow",
                st.effect_span,
                "an RCP allows nothing: AWS's RCPFullAWSAccess is the only Allow at every level, and AWS rejects other Allow statements",
            ));
        }
        if st.action.negated {
            out.push(Finding::new(
                "rcp-not-action",
                st.action.span,
                "AWS rejects NotAction in RCPs: list the actions to deny",
            ));
        }
    }
    if st.effect != Effect::Allow {
        return;
    }
    let unconditioned = st.conditions.is_empty();
    if st.action.negated && ctx.kind != PolicyKind::Rcp {
        out.push(Finding::new(
            "allow-not-action",
            st.action.span,
            "Allow with NotAction allows every action not listed, of every service, including ones AWS adds later",
        ));
    }
    if let Some(r) = &st.resource {
        if r.negated {
            out.push(Finding::new(
                "allow-not-resource",
                r.span,
                "Allow with NotResource allows every resource not listed, including ones created later",
            ));
        }
        let star = r.items.iter().find(|i| &*i.text == "*");
        let identity_like = matches!(ctx.kind, PolicyKind::Identity | PolicyKind::Session);
        if let (Some(star), false, true) = (star, r.negated, identity_like) {
            if let Some(actions) = matched.filter(|a| !a.is_empty()) {
                if actions.iter().all(|(_, a)| a.supports_resource_level()) {
                    let (s, a) = actions[0];
                    // The plainest of its resource types (s3:GetObject: the object,
                    // not the object through an access point).
                    let example = a
                        .resource_types
                        .iter()
                        .min_by_key(|t| t.arn_format.len())
                        .map(|t| format!(" (e.g. {}:{} on {})", s.prefix, a.name, t.arn_format))
                        .unwrap_or_default();
                    out.push(Finding::new(
                        "resource-star",
                        star.span,
                        format!(
                            "every action of this statement can be limited to resources{example}: \"*\" grants them on every resource"
                        ),
                    ));
                }
            }
            // Listed by any entry that matches it (also beside an unknown entry).
            let passrole = st
                .action
                .items
                .iter()
                .any(|i| i.pattern.matches_plain("iam:passrole"));
            if passrole && unconditioned && !st.action.negated {
                out.push(Finding::new(
                    "passrole-star",
                    star.span,
                    "iam:PassRole on every role lets the principal hand any role (an admin role too) to a service",
                ).with_fix("list the roles, or add an iam:PassedToService condition"));
            }
        }
    }
    if ctx.kind == PolicyKind::Resource && unconditioned {
        if let Some(p) = &st.principal {
            let everyone = p.items.iter().find(|i| {
                !p.negated
                    && (i.principal_type == PrincipalType::Wildcard
                        || (i.principal_type == PrincipalType::Aws && &*i.text == "*"))
            });
            if let Some(item) = everyone {
                let message = if ctx.trust_policy {
                    "this trust policy lets any AWS principal, in any account, assume the role: there is no condition"
                } else {
                    "this Allow applies to everyone, anonymous callers included, with no condition"
                };
                out.push(Finding::new("principal-star-allow", item.span, message).with_fix(
                    "name the principals, or add a condition such as aws:PrincipalOrgID or aws:SourceVpce",
                ));
            }
        }
    }
}

/// A Deny on the caller's network (NotIpAddress aws:SourceIp, aws:SourceVpc/Vpce not
/// equal) with no `aws:ViaAWSService: false` guard: it also fires
/// for the calls AWS services make on the caller's behalf (the Client VPN case).
fn network_deny(st: &Statement, out: &mut Vec<Finding>) {
    if st.effect != Effect::Deny {
        return;
    }
    // The guard: the Deny only for calls the caller makes itself (ViaAWSService
    // false). PrincipalIsAWSService false is no guard here: a call a service makes on
    // the caller's behalf keeps the caller as principal, so it is false there too.
    let guarded = st.conditions.iter().any(|op| {
        op.operator.base.family == Family::Bool
            && op.keys.iter().any(|k| {
                k.lower == "aws:viaawsservice"
                    && k.values
                        .iter()
                        .all(|v| v.text.eq_ignore_ascii_case("false"))
            })
    });
    if guarded {
        return;
    }
    for op in &st.conditions {
        let negated = op.operator.base.negated;
        for key in &op.keys {
            let network = match key.lower.as_str() {
                "aws:sourceip" | "aws:vpcsourceip" => {
                    op.operator.base.family == Family::Ip && negated
                }
                "aws:sourcevpc" | "aws:sourcevpce" => negated,
                _ => false,
            };
            if network {
                out.push(Finding::new(
                    "deny-source-network-without-service-guard",
                    key.span,
                    format!(
                        "this Deny also fires when an AWS service calls another service on the caller's behalf (creating a Client VPN endpoint creates a service-linked role, for example): such calls may carry the service's address or no {} at all, so {} holds and the call is denied although the caller is on the right network",
                        key.name, op.name
                    ),
                ).with_fix("add \"Bool\": {\"aws:ViaAWSService\": \"false\"} to this Condition"));
            }
        }
    }
}

/// `${…}` in a policy whose Version is 2008-10-17 (or missing): literal text.
fn variables_2008(st: &Statement, out: &mut Vec<Finding>) {
    let resources = st
        .resource
        .iter()
        .flat_map(|r| r.items.iter().map(|i| (&i.text, i.span)));
    let values = st
        .conditions
        .iter()
        .flat_map(|op| op.keys.iter())
        .flat_map(|k| k.values.iter().map(|v| (&v.text, v.span)));
    for (text, span) in resources.chain(values) {
        if text.contains("${") {
            out.push(Finding::new(
                "variables-in-2008-policy",
                span,
                format!("\"{text}\" is compared as written: policy variables need \"Version\": \"2012-10-17\""),
            ).with_fix("\"Version\": \"2012-10-17\""));
        }
    }
}
