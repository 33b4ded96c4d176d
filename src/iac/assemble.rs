//! One principal's request context from what a template or plan declares: its identity
//! policies (its groups' too), its boundary, every trust policy on the role it names,
//! the file's resource policies on the ARNs their resources will have, and its SCPs and
//! RCPs at the root level. AWS managed policies attached by ARN come from the bundled
//! copy ([`crate::catalog::managed`]); a customer managed policy from the file's own
//! policy of that ARN. What cannot be evaluated (a policy known only after apply, a
//! managed policy found nowhere) is said in [`Assembled::notes`], never evaluated as an
//! empty policy.

use super::{Document, FoundPolicy, Inventory, Principal, PrincipalKind};
use crate::json::{Node, Value};
use crate::policy::PolicyKind;
use crate::scenario::{Assembler, LoadError, Scenario};
use crate::source::{Diagnostic, SourceId, SourceMap, Span, did_you_mean};

/// The start of the file: where a message about the whole file points.
pub const FILE_START: Span = Span {
    start: 0,
    end: 0,
    line: 1,
    column: 1,
    source: crate::source::SourceId::FILE,
};

/// The policies a reader decoded from strings of the file (a template's
/// `PolicyDocument` written as a JSON string): their texts by id, and where each string
/// is. Spans of such a policy are in its decoded text; the scenario places them at the
/// string, as it does a scenario file's policy strings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decoded<'a> {
    /// Each decoded text by the id its spans carry.
    pub texts: &'a [(SourceId, String)],
    /// Where each one's string is in the file.
    pub map: Option<&'a SourceMap>,
}

impl Decoded<'_> {
    /// `node` as the scenario is to read it: a node whose spans are in a decoded text
    /// becomes that text, held in a string at the literal's place (the scenario decodes
    /// it again, keeping both positions); any other node as it is.
    fn document(&self, node: &Node) -> Node {
        let id = node.span.source;
        if id == SourceId::FILE {
            return node.clone();
        }
        let literal = self.map.and_then(|m| m.get(id)).map(|d| d.literal);
        let text = self.texts.iter().find(|(i, _)| *i == id).map(|(_, t)| t);
        match (literal, text) {
            (Some(span), Some(text)) => Node {
                span,
                value: Value::String(text.clone()),
            },
            _ => node.clone(),
        }
    }
}

/// A principal's scenario, and what it could not include.
#[derive(Debug, Clone, PartialEq)]
pub struct Assembled {
    /// The scenario: the policies that apply, one starting request for the principal.
    pub scenario: Scenario,
    /// What is missing from it, and why, for people (shown as warnings).
    pub notes: Vec<String>,
    /// For every policy of the file ([`all_policies`]): each source's own errors,
    /// index-aligned with the scenario's sources (empty for a policy that parsed, which
    /// alone are in its policy set). One principal's scenario fails on any of them, and
    /// this is empty.
    pub policy_errors: Vec<Vec<Diagnostic>>,
}

/// `name (id)` as a choice is shown.
fn describe(p: &Principal) -> String {
    let kind = match p.kind {
        PrincipalKind::User => "user",
        PrincipalKind::Role => "role",
        PrincipalKind::Group => "group",
    };
    match &p.name {
        Some(n) if *n != p.id => format!("{kind} {} ({n})", p.id),
        _ => format!("{kind} {}", p.id),
    }
}

/// The users and roles of `inventory`, as choices: `role AppRole (app-role)`.
pub fn choices(inventory: &Inventory) -> Vec<String> {
    inventory
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
        .map(describe)
        .collect()
}

/// The principal `key` names (its id, IAM name or ARN), or why none does.
fn find<'a>(inventory: &'a Inventory, key: &str) -> Result<&'a Principal, String> {
    let found = inventory.principals_named(key);
    let list = || choices(inventory).join(", ");
    match found.as_slice() {
        [one] if one.kind == PrincipalKind::Group => Err(format!(
            "{} is a group, not a principal: choose one of its users ({})",
            describe(one),
            list()
        )),
        [one] => Ok(one),
        [] if inventory.principals.is_empty() => {
            Err("the file declares no user or role to evaluate as".into())
        }
        [] => {
            let names = inventory
                .principals
                .iter()
                .flat_map(|p| std::iter::once(p.id.as_str()).chain(p.name.as_deref()));
            Err(format!(
                "no user or role \"{key}\" in the file{}; there are: {}",
                did_you_mean(key, names),
                list()
            ))
        }
        _ => Err(format!(
            "\"{key}\" names several principals: give the logical ID or address ({})",
            list()
        )),
    }
}

/// The scenario of the principal `key` names (its id, IAM name or ARN) in `inventory`,
/// read from `text` (the file, for the policies' own text), shown as `shown`.
pub fn assemble(
    inventory: &Inventory,
    text: &str,
    key: &str,
    shown: &str,
) -> Result<Assembled, LoadError> {
    assemble_decoded(inventory, text, Decoded::default(), key, shown)
}

/// [`assemble`] for a file some of whose policies were decoded from strings.
pub fn assemble_decoded(
    inventory: &Inventory,
    text: &str,
    decoded: Decoded<'_>,
    key: &str,
    shown: &str,
) -> Result<Assembled, LoadError> {
    let p = find(inventory, key)
        .map_err(|m| LoadError::in_file(vec![Diagnostic::error(FILE_START, m)]))?;
    build(inventory, text, decoded, Some(p), shown)
}

/// Every policy the file writes itself, each where it applies but for no principal in
/// particular, and no request: what `lint` checks. Managed policies attached by ARN
/// are AWS's or another file's, and are left out. A policy that does not parse or
/// validate does not fail the whole: its errors are in [`Assembled::policy_errors`], and
/// every other policy is in the scenario.
pub fn all_policies(
    inventory: &Inventory,
    text: &str,
    decoded: Decoded<'_>,
    shown: &str,
) -> Result<Assembled, LoadError> {
    build(inventory, text, decoded, None, shown)
}

/// The scenario of principal `p` (every policy of the file when `None`).
fn build(
    inventory: &Inventory,
    text: &str,
    decoded: Decoded<'_>,
    p: Option<&Principal>,
    shown: &str,
) -> Result<Assembled, LoadError> {
    let mut a = match p {
        Some(_) => Assembler::new(false),
        None => Assembler::keeping_policy_errors(),
    };
    let mut notes = Vec::new();
    let mut root: [Option<usize>; 2] = [None, None];
    for f in &inventory.policies {
        let mine = p.is_none_or(|p| f.reaches(p));
        let (kind, attached) = match f.kind {
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session if mine => {
                (f.kind, None)
            }
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session => continue,
            // A resource policy without a resource it is on: it would apply to every
            // request's resource, which no template means.
            PolicyKind::Resource if f.trust => (f.kind, Some(trust_target(inventory, f))),
            PolicyKind::Resource | PolicyKind::Endpoint => match &f.resource_arn {
                Some(arn) => (f.kind, Some(arn.clone())),
                None => {
                    notes.push(format!(
                        "{}: not evaluated: the resource it is on is not known",
                        f.name
                    ));
                    continue;
                }
            },
            PolicyKind::Scp | PolicyKind::Rcp => (f.kind, None),
        };
        let level = match kind {
            PolicyKind::Scp | PolicyKind::Rcp => {
                let slot = usize::from(kind == PolicyKind::Rcp);
                Some(*root[slot].get_or_insert_with(|| a.add_level(kind, "root".into())))
            }
            _ => None,
        };
        let node = match &f.document {
            Document::Inline(node) => decoded.document(node),
            // The file's own policy of that ARN, attached to this principal already;
            // or every policy of the file, where managed ones are not the file's.
            Document::Managed { arn, .. }
                if p.is_none_or(|p| {
                    inventory.policies.iter().any(|o| {
                        o.resource_arn.as_deref() == Some(arn.as_str())
                            && o.kind == PolicyKind::Identity
                            && o.reaches(p)
                    })
                }) =>
            {
                continue;
            }
            Document::Managed { arn, span } => match managed_document(inventory, arn, *span) {
                Some(node) => node,
                None => {
                    notes.push(format!(
                        "{}: managed policy {arn} is neither an AWS managed policy iamtrace knows nor a policy of this file: not evaluated",
                        f.name
                    ));
                    continue;
                }
            },
            Document::Unknown { reason, .. } => {
                notes.push(format!("{}: not evaluated: {reason}", f.name));
                continue;
            }
        };
        if let Some(c) = &f.condition {
            notes.push(format!(
                "{}: exists only when condition {c} holds; evaluated as if it does",
                f.name
            ));
        }
        // A bucket policy governs the bucket and its objects; an attachment is one ARN
        // pattern, and `arn:…:s3:::NAME*` would reach other buckets too: evaluated, it is
        // placed on both (lint, which reads each policy once, needs one).
        let objects = attached
            .as_deref()
            .filter(|_| p.is_some() && kind == PolicyKind::Resource)
            .and_then(bucket_objects);
        a.document(
            &node,
            kind,
            level,
            Some(f.name.clone()),
            attached,
            &f.name,
            text,
        );
        if let Some(objects) = objects {
            let name = format!("{} (on the objects)", f.name);
            a.document(
                &node,
                kind,
                level,
                Some(name.clone()),
                Some(objects),
                &name,
                text,
            );
        }
    }
    let (name, requests) = match p {
        Some(p) => {
            let role = p.kind == PrincipalKind::Role;
            let name = iam_name(p);
            let request = crate::input::starting_request_for(
                role,
                &name,
                &p.arn,
                &[],
                &format!(
                    "A starting point: the principal comes from {shown}; the action, resource and other context keys are placeholders to set."
                ),
            );
            (format!("{} from {shown}", describe(p)), vec![request])
        }
        None => (format!("every policy of {shown}"), Vec::new()),
    };
    let (scenario, policy_errors) = a.finish_keeping(Some(name), None, requests)?;
    if root.iter().any(Option::is_some) {
        notes.push(
            "the file's SCPs and RCPs are evaluated at the organization's root: every account is taken to be under them".into(),
        );
    }
    notes.extend(inventory.notes.iter().map(|d| d.message.clone()));
    Ok(Assembled {
        scenario,
        notes,
        policy_errors,
    })
}

/// `arn:PARTITION:s3:::BUCKET/*` for a bucket's ARN `arn:PARTITION:s3:::BUCKET`; `None`
/// for any other ARN (an object, a wildcard, another service).
fn bucket_objects(arn: &str) -> Option<String> {
    let parts = crate::policy::principal::split_arn(arn)?;
    let [_, _, service, region, account, bucket] = parts;
    let plain = !bucket.is_empty() && !bucket.contains(['/', '*', '?']);
    (service == "s3" && region.is_empty() && account.is_empty() && plain)
        .then(|| format!("{arn}/*"))
}

/// The IAM name principal `p` is requested with: its own, else the one its ARN ends
/// with — a placeholder when CloudFormation generates it (`⟦name of AppRole⟧`, as in
/// the ARN, the trust policy's place and wherever the template refers to it) — never
/// its logical ID or address, which would read as a real name it does not have.
fn iam_name(p: &Principal) -> String {
    if let Some(name) = &p.name {
        return name.clone();
    }
    let from_arn = p
        .arn
        .split_once(":role/")
        .or_else(|| p.arn.split_once(":user/"))
        .and_then(|(_, path)| path.rsplit('/').next())
        .filter(|n| !n.is_empty());
    from_arn.map_or_else(
        || super::placeholder::make(&format!("name of {}", p.id)),
        str::to_string,
    )
}

/// What a trust policy is on: its role's ARN, written as a role ARN even when the file
/// cannot resolve it (`arn:aws:iam::⟦…⟧:role/NAME`), so that it is read as a trust
/// policy (its statements need no Resource) and decides calls on that role.
fn trust_target(inventory: &Inventory, f: &FoundPolicy) -> String {
    let arn = f.resource_arn.clone().unwrap_or_default();
    if crate::scenario::is_trust_policy(PolicyKind::Resource, Some(&arn)) {
        return arn;
    }
    let role = inventory
        .principals
        .iter()
        .find(|p| p.kind == PrincipalKind::Role && (p.arn == arn || p.id == f.origin));
    let name = role
        .and_then(|p| p.name.clone())
        .unwrap_or_else(|| super::placeholder::make(&format!("name of {}", f.origin)));
    let account = arn
        .split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .map_or_else(|| super::placeholder::make("account"), str::to_string);
    format!("arn:{}:iam::{account}:role/{name}", partition_of(&arn))
}

/// The partition of `arn` (`aws` when it is not an ARN with one).
fn partition_of(arn: &str) -> &str {
    arn.split(':')
        .nth(1)
        .filter(|p| arn.starts_with("arn:") && p.starts_with("aws"))
        .unwrap_or("aws")
}

/// The document of managed policy `arn`: the file's own policy of that ARN, else the
/// bundled AWS managed policy, held as a string at `span` (where the ARN is written, so
/// that its problems point there).
fn managed_document(inventory: &Inventory, arn: &str, span: Span) -> Option<Node> {
    let own = inventory
        .policies
        .iter()
        .find(|f| f.kind == PolicyKind::Identity && f.resource_arn.as_deref() == Some(arn));
    if let Some(Document::Inline(node)) = own.map(|f| &f.document) {
        return Some(node.clone());
    }
    let bundled = crate::catalog::managed::lookup(arn)?;
    Some(Node {
        span,
        value: Value::String(bundled.document.to_string()),
    })
}
