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
use crate::policy::{BoundPrincipal, PolicyKind};
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

/// How a principal's policies join a scenario being loaded (its `policiesFrom`).
#[derive(Debug, Clone)]
pub struct Join {
    /// The id the file's spans carry in the scenario (its
    /// [`crate::source::IncludedFile`]).
    pub file: SourceId,
    /// The deployed principal's ARN, which replaces the one the file gives (a
    /// generated name's placeholder) wherever the file writes it.
    pub arn: Option<String>,
}

/// Why a principal's policies could not join a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    /// No principal, or several, of that name (the choices listed).
    Principal(String),
    /// The ARN given does not fit the principal.
    Arn(String),
}

/// Adds the policies of the principal `key` names in `inventory` (read from `text`)
/// to the scenario `a` is loading, as `join` says: its identity policies, boundary and
/// session policies bound to its ARN, the file's trust and resource policies on their
/// resources, its SCPs and RCPs in the scenario's root level (the first), or in a
/// level `r-root` of their own when the scenario has none. Every span of the file's
/// policies is in `join.file`. No request is added. The notes, for people.
pub fn assemble_into(
    a: &mut Assembler,
    inventory: &Inventory,
    text: &str,
    decoded: Decoded<'_>,
    key: &str,
    join: &Join,
) -> Result<Vec<String>, JoinError> {
    let p = find(inventory, key).map_err(JoinError::Principal)?;
    let renamed;
    let (inventory, decoded, p) = match &join.arn {
        Some(arn) => {
            renamed = rename(inventory, decoded, p, arn).map_err(JoinError::Arn)?;
            let p = renamed
                .0
                .principals
                .iter()
                .find(|q| q.id == p.id)
                .ok_or_else(|| JoinError::Principal(format!("{} is gone", p.id)))?;
            let decoded = Decoded {
                texts: &renamed.1,
                map: decoded.map,
            };
            (&renamed.0, decoded, p)
        }
        None => (inventory, decoded, p),
    };
    let mut notes = Vec::new();
    let bound = BoundPrincipal::new(&p.arn).map(|_| p.arn.clone());
    if bound.is_none() {
        notes.push(format!(
            "{}'s ARN {} is not known: its identity policies apply to every request's principal (give \"arn\" to bind them to it)",
            describe(p),
            p.arn
        ));
    } else if super::placeholder::contains(&p.arn) {
        notes.push(format!(
            "{}'s ARN is {} (a name CloudFormation generates): its policies apply to requests made by that ARN as written; give \"arn\" to name the deployed one",
            describe(p),
            p.arn
        ));
    }
    let mut root = [a.root_level(PolicyKind::Scp), a.root_level(PolicyKind::Rcp)];
    let had = root;
    let place = Placement {
        file: Some(join.file),
        bind: bound,
        root_name: "r-root",
    };
    fill(
        a,
        inventory,
        text,
        decoded,
        Some(p),
        &place,
        &mut root,
        &mut notes,
    );
    for (i, kind) in [PolicyKind::Scp, PolicyKind::Rcp].into_iter().enumerate() {
        match (had[i], root[i]) {
            (None, Some(index)) => {
                a.level_added_for(join.file, kind, index);
                notes.push(format!(
                    "the file's {}s are evaluated at a level r-root of their own, as the scenario has no {} levels{}",
                    kind.label().to_uppercase(),
                    kind.label().to_uppercase(),
                    if kind == PolicyKind::Scp {
                        ": if they are deny lists, add AWS's FullAWSAccess at the scenario's root level, which they then join"
                    } else {
                        ""
                    }
                ));
            }
            (Some(_), Some(_)) if inventory.policies.iter().any(|f| f.kind == kind) => {
                notes.push(format!(
                    "the file's {}s join the scenario's root {} level (its first)",
                    kind.label().to_uppercase(),
                    kind.label().to_uppercase()
                ));
            }
            _ => {}
        }
    }
    notes.extend(inventory.notes.iter().map(|d| d.message.clone()));
    Ok(notes)
}

/// Where [`fill`] puts what it reads.
struct Placement {
    /// The id the file's spans are to carry (`None`: the file is the text read).
    file: Option<SourceId>,
    /// The ARN identity, boundary and session policies are bound to.
    bind: Option<String>,
    /// The name of a root level created for SCPs or RCPs.
    root_name: &'static str,
}

/// The inventory and decoded texts with principal `p`'s ARN replaced by `arn` (and a
/// name the file leaves to CloudFormation or to apply by the ARN's name), wherever
/// the file writes them; or why `arn` cannot be `p`'s.
fn rename(
    inventory: &Inventory,
    decoded: Decoded<'_>,
    p: &Principal,
    arn: &str,
) -> Result<(Inventory, Vec<(SourceId, String)>), String> {
    use crate::policy::PrincipalRef;
    let parsed = PrincipalRef::parse(arn);
    let name = match (&parsed, p.kind) {
        (PrincipalRef::Role { name, .. }, PrincipalKind::Role)
        | (PrincipalRef::User { name, .. }, PrincipalKind::User)
            if !arn.contains(['*', '?']) && !super::placeholder::contains(arn) =>
        {
            name.clone()
        }
        _ => {
            let want = match p.kind {
                PrincipalKind::User => "an IAM user's ARN (arn:aws:iam::ACCOUNT:user/NAME)",
                _ => "an IAM role's ARN (arn:aws:iam::ACCOUNT:role/NAME)",
            };
            return Err(format!(
                "arn \"{arn}\" must be {want}, without wildcards, for {}",
                describe(p)
            ));
        }
    };
    if !super::placeholder::contains(&p.arn) && p.arn != arn {
        return Err(format!(
            "{} has the ARN {} in the file; arn \"{arn}\" names another (arn is for an ARN the file cannot know)",
            describe(p),
            p.arn
        ));
    }
    if let Some(n) = p
        .name
        .as_deref()
        .filter(|n| !super::placeholder::contains(n))
    {
        if *n != name {
            return Err(format!(
                "{} is named \"{n}\" in the file; arn \"{arn}\" names \"{name}\"",
                describe(p)
            ));
        }
    }
    let mut pairs = vec![(p.arn.clone(), arn.to_string())];
    match p.name.as_deref() {
        Some(n) if super::placeholder::contains(n) => pairs.push((n.to_string(), name.clone())),
        Some(_) => {}
        None => pairs.push((
            super::placeholder::make(&format!("name of {}", p.id)),
            name.clone(),
        )),
    }
    let swap = |s: &str| -> String {
        pairs.iter().fold(s.to_string(), |acc, (from, to)| {
            acc.replace(from.as_str(), to)
        })
    };
    let mut inv = inventory.clone();
    for q in &mut inv.principals {
        if q.id == p.id {
            q.arn = arn.to_string();
            q.name = Some(name.clone());
        } else {
            q.arn = swap(&q.arn);
        }
    }
    for f in &mut inv.policies {
        f.resource_arn = f.resource_arn.as_deref().map(swap);
        match &mut f.document {
            Document::Inline(node) => rewrite_strings(node, &swap),
            Document::Managed { arn, .. } => *arn = swap(arn),
            Document::Unknown { .. } => {}
        }
    }
    // A decoded text's columns after a replacement move by the difference in length:
    // they are columns of a text CloudFormation would build, not of the file.
    let texts = decoded.texts.iter().map(|(id, t)| (*id, swap(t))).collect();
    Ok((inv, texts))
}

/// Every string value of `node` passed through `f` (keys are left as they are).
fn rewrite_strings(node: &mut Node, f: &dyn Fn(&str) -> String) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &mut n.value {
            Value::String(s) if super::placeholder::contains(s) || s.contains("arn:") => {
                *s = f(s);
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(members) => stack.extend(members.iter_mut().map(|m| &mut m.value)),
            _ => {}
        }
    }
}

/// `node` with every span in the file that was read moved to `file` (an included
/// file's id): the same offsets, lines and columns, in that file.
fn reroot(node: &Node, file: SourceId) -> Node {
    let mut node = node.clone();
    let mut stack = vec![&mut node];
    let fix = |span: &mut Span| {
        if span.source == SourceId::FILE {
            span.source = file;
        }
    };
    while let Some(n) = stack.pop() {
        fix(&mut n.span);
        match &mut n.value {
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(members) => {
                for m in members.iter_mut() {
                    fix(&mut m.key_span);
                    stack.push(&mut m.value);
                }
            }
            _ => {}
        }
    }
    node
}

/// Adds principal `p`'s policies (every policy of the file when `None`) to `a`, placed
/// as `place` says; SCPs and RCPs go to the levels `root` holds (created when `None`).
#[allow(clippy::too_many_arguments)]
fn fill(
    a: &mut Assembler,
    inventory: &Inventory,
    text: &str,
    decoded: Decoded<'_>,
    p: Option<&Principal>,
    place: &Placement,
    root: &mut [Option<usize>; 2],
    notes: &mut Vec<String>,
) {
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
                Some(*root[slot].get_or_insert_with(|| a.add_level(kind, place.root_name.into())))
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
        let node = match place.file {
            Some(file) => reroot(&node, file),
            None => node,
        };
        let bound = match kind {
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session => place.bind.clone(),
            _ => None,
        };
        // A bucket policy governs the bucket and its objects; an attachment is one ARN
        // pattern, and `arn:…:s3:::NAME*` would reach other buckets too: evaluated, it is
        // placed on both (lint, which reads each policy once, needs one).
        let objects = attached
            .as_deref()
            .filter(|_| p.is_some() && kind == PolicyKind::Resource)
            .and_then(bucket_objects);
        let added = a.policy_count();
        a.document_bound(
            &node,
            kind,
            level,
            Some(f.name.clone()),
            attached,
            bound,
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
        if place.file.is_some() {
            // Another file's policy in a scenario: shown as the JSON it reads as (a
            // document written as a string: the JSON in it).
            let shown = match &node.value {
                Value::String(s) => crate::json::parse(s).ok(),
                _ => Some(node.clone()),
            };
            if let Some(shown) = shown {
                let mut json = String::new();
                crate::json::write_pretty(&shown, 0, &mut json);
                a.show_as_derived(added, &json);
            }
        }
    }
}

/// The scenario of principal `p` (every policy of the file when `None`).
fn build(
    inventory: &Inventory,
    text: &str,
    decoded: Decoded<'_>,
    p: Option<&Principal>,
    shown: &str,
) -> Result<Assembled, LoadError> {
    // Every policy of the file (what lint reads): one that does not parse is kept
    // apart with its errors, so that the others are still checked.
    let mut a = match p {
        Some(_) => Assembler::new(false),
        None => Assembler::keeping_policy_errors(),
    };
    let mut notes = Vec::new();
    let mut root: [Option<usize>; 2] = [None, None];
    let place = Placement {
        file: None,
        bind: None,
        root_name: "root",
    };
    fill(
        &mut a, inventory, text, decoded, p, &place, &mut root, &mut notes,
    );
    if let (Some(_), Some(level)) = (p, root[0]) {
        full_access_beside_deny_list(&mut a, inventory, level, text, &mut notes);
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

/// AWS's `FullAWSAccess` SCP, which Organizations attaches to the root, every OU and
/// every account by default.
const FULL_AWS_ACCESS: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

/// An SCP allows nothing by itself: a deny-list SCP works beside `FullAWSAccess`, which
/// AWS attaches by default and an organization that only denies keeps (else nothing
/// would be allowed in it). When every SCP of the file is read and none has an Allow
/// statement, `FullAWSAccess` is placed at the root `level` beside them, and a note
/// says so. When one allows (an allow-list), or one is not known, nothing is added: it
/// could allow less than everything.
fn full_access_beside_deny_list(
    a: &mut Assembler,
    inventory: &Inventory,
    level: usize,
    text: &str,
    notes: &mut Vec<String>,
) {
    let allows = |doc: &Node| {
        let effect = |s: &Node| {
            super::cfn::get(s, "Effect")
                .is_some_and(|e| matches!(&e.value, Value::String(v) if v == "Allow"))
        };
        match super::cfn::get(doc, "Statement").map(|s| &s.value) {
            Some(Value::Array(items)) => items.iter().any(effect),
            Some(Value::Object(_)) => super::cfn::get(doc, "Statement").is_some_and(effect),
            _ => false,
        }
    };
    let mut scps = inventory
        .policies
        .iter()
        .filter(|f| f.kind == PolicyKind::Scp)
        .peekable();
    if scps.peek().is_none() {
        return;
    }
    let deny_list = scps.all(|f| matches!(&f.document, Document::Inline(n) if !allows(n)));
    if !deny_list {
        return;
    }
    let node = Node {
        span: FILE_START,
        value: Value::String(FULL_AWS_ACCESS.into()),
    };
    let name = "FullAWSAccess (AWS's, attached by default)";
    a.document(
        &node,
        PolicyKind::Scp,
        Some(level),
        Some(name.into()),
        None,
        name,
        text,
    );
    notes.push(
        "the file's SCPs only deny: AWS's FullAWSAccess, attached to the root by default, is evaluated beside them (an organization with deny-list SCPs keeps it)".into(),
    );
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
