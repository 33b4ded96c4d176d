//! `privilege-escalation`: sets of actions that together let a principal gain
//! permissions it was not granted (write a new default version of a policy it has, pass
//! a role to a service and run code as it, …), read from
//! `assets/catalog/escalation.tsv`. A set is reported when a policy's Allow statements
//! grant every action of it (after wildcard expansion; NotAction grants what it does
//! not list), naming the statements that do; across the identity policies of a
//! scenario (one principal's) when no single policy grants it whole. An unconditional
//! Deny on `*` takes an action away. A policy that allows everything on everything
//! (AdministratorAccess) is not reported: escalating is moot there.
//!
//! An Allow with a Condition grants only when the condition holds, which lint cannot
//! know (MFA, a source network, a tag may well hold for the principal who escalates).
//! Such a grant still counts, but an unconditional grant of the same action is
//! preferred, and a set granted only with conditions is reported as granted "when the
//! conditions of statement N hold", naming them, so that the reader judges them.

use super::Finding;
use crate::catalog::services::wildcard_match;
use crate::policy::{Effect, Policy, Statement};
use crate::source::Span;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Which resources a set's actions must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Any.
    Any,
    /// One not limited to the caller's own user (`${aws:username}`).
    Others,
    /// Every resource of the type (`*`, or ending in `/*` or `:*`).
    Star,
}

/// One escalation set of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationSet {
    /// Its name, kebab-case.
    pub name: &'static str,
    /// The resources its actions must reach.
    pub scope: Scope,
    /// Every action needed, `prefix:Action`.
    pub actions: Vec<&'static str>,
    /// The public page that explains it.
    pub source: &'static str,
    /// What the principal can do with them.
    pub how: &'static str,
}

/// Every set of the table.
pub fn escalation_sets() -> &'static [EscalationSet] {
    static SETS: OnceLock<Vec<EscalationSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        include_str!("../../assets/catalog/escalation.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                let name = f.next()?;
                let scope = match f.next()? {
                    "any" => Scope::Any,
                    "others" => Scope::Others,
                    "star" => Scope::Star,
                    _ => return None,
                };
                let actions = f.next()?.split(' ').filter(|a| !a.is_empty()).collect();
                Some(EscalationSet {
                    name,
                    scope,
                    actions,
                    source: f.next()?,
                    how: f.next()?,
                })
            })
            .collect()
    })
}

/// Where one action is granted: the statement (0-based) and the entry that grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grant {
    /// The statement's index in its policy.
    pub statement: usize,
    /// The Action entry (or the NotAction element) that grants it.
    pub span: Span,
    /// The statement has a Condition: it grants only when that holds.
    pub conditional: bool,
}

/// Set by set (table order), action by action: where a policy grants it, and whether
/// an unconditional Deny in it takes the action away (then it grants nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grants {
    /// `grants[set][action]`.
    pub grants: Vec<Vec<Option<Grant>>>,
    /// `denied[set][action]`.
    pub denied: Vec<Vec<bool>>,
}

/// For every set (table order), for each of its actions, the first statement of the
/// policy granting it within the set's scope; `None` for a policy that allows
/// everything on everything (nothing to report).
pub(crate) fn grants(policy: &Policy) -> Option<Grants> {
    if policy.statements.iter().any(full_access) {
        return None;
    }
    // Each statement's entries looked up, not scanned per action: AWS managed policies
    // list thousands.
    let indexes: Vec<EntryIndex> = policy.statements.iter().map(EntryIndex::new).collect();
    let sets = escalation_sets();
    let mut out = Grants {
        grants: Vec::with_capacity(sets.len()),
        denied: Vec::with_capacity(sets.len()),
    };
    for set in sets {
        let (mut grants, mut denied) = (Vec::new(), Vec::new());
        for action in &set.actions {
            let listed = |k: usize| indexes[k].find(action);
            let deny_ok = |st: &Statement| st.effect == Effect::Deny && st.conditions.is_empty();
            let is_denied = policy
                .statements
                .iter()
                .enumerate()
                .any(|(k, st)| deny_ok(st) && denies(st, listed(k).is_some()));
            denied.push(is_denied);
            if is_denied {
                grants.push(None);
                continue;
            }
            // The first unconditional grant, else the first conditional one.
            let mut first_conditional = None;
            let mut found = None;
            for (k, st) in policy.statements.iter().enumerate() {
                if st.effect != Effect::Allow || (indexes[k].is_empty() && !st.action.negated) {
                    continue;
                }
                let Some(span) = grant_in(st, listed(k), set.scope) else {
                    continue;
                };
                let grant = Grant {
                    statement: k,
                    span,
                    conditional: !st.conditions.is_empty(),
                };
                if !grant.conditional {
                    found = Some(grant);
                    break;
                }
                first_conditional.get_or_insert(grant);
            }
            grants.push(found.or(first_conditional));
        }
        out.grants.push(grants);
        out.denied.push(denied);
    }
    Some(out)
}

/// An action name compared and hashed ignoring ASCII case.
#[derive(Clone, Copy)]
struct Ci<'a>(&'a str);

impl PartialEq for Ci<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Ci<'_> {}

impl std::hash::Hash for Ci<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // Lower-cased a chunk at a time: one write per chunk, not per byte (AWS
        // managed policies list thousands of entries).
        let mut buf = [0u8; 64];
        for chunk in self.0.as_bytes().chunks(buf.len()) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            h.write(lower);
        }
    }
}

/// A statement's Action/NotAction entries. A few are scanned; many (AWS managed
/// policies list thousands) are looked up: the literal ones by name (the first entry
/// of each), the wildcard ones scanned in order.
struct EntryIndex<'s> {
    /// The entries that can match an action of some set (by service prefix).
    items: Vec<&'s crate::policy::PatternItem>,
    literals: Option<HashMap<Ci<'s>, Span, foldhash::fast::RandomState>>,
    wildcards: Vec<(&'s str, Span)>,
}

/// The service prefixes the sets' actions belong to.
fn set_services() -> &'static [&'static str] {
    static SERVICES: OnceLock<Vec<&'static str>> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let mut all: Vec<&'static str> = escalation_sets()
            .iter()
            .flat_map(|s| &s.actions)
            .filter_map(|a| a.split(':').next())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    })
}

/// Above this many entries a statement's literal entries are hashed.
const SCAN_LIMIT: usize = 48;

fn entry_matches(pattern: &str, action: &str) -> bool {
    if pattern.contains(['*', '?']) {
        wildcard_match(pattern.as_bytes(), action.as_bytes())
    } else {
        pattern.eq_ignore_ascii_case(action)
    }
}

impl<'s> EntryIndex<'s> {
    fn new(st: &'s Statement) -> Self {
        // Entries of services no set names cannot matter (most of a policy).
        let services = set_services();
        let items: Vec<&crate::policy::PatternItem> = st
            .action
            .items
            .iter()
            .filter(|i| {
                let service = i.text.split(':').next().unwrap_or_default();
                service.contains(['*', '?'])
                    || services.iter().any(|s| s.eq_ignore_ascii_case(service))
            })
            .collect();
        if items.len() <= SCAN_LIMIT {
            return EntryIndex {
                items,
                literals: None,
                wildcards: Vec::new(),
            };
        }
        let mut literals = HashMap::with_capacity_and_hasher(items.len(), Default::default());
        let mut wildcards = Vec::new();
        for &item in &items {
            if item.text.contains(['*', '?']) {
                wildcards.push((&*item.text, item.span));
            } else {
                literals.entry(Ci(&item.text)).or_insert(item.span);
            }
        }
        EntryIndex {
            items,
            literals: Some(literals),
            wildcards,
        }
    }

    /// No entry can match an action of a set.
    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The first entry, in text order, that matches the action.
    fn find(&self, action: &str) -> Option<Span> {
        let Some(literals) = &self.literals else {
            return self
                .items
                .iter()
                .find(|i| entry_matches(&i.text, action))
                .map(|i| i.span);
        };
        let literal = literals.get(&Ci(action)).copied();
        let wild = self
            .wildcards
            .iter()
            .find(|(p, _)| wildcard_match(p.as_bytes(), action.as_bytes()))
            .map(|&(_, span)| span);
        match (literal, wild) {
            (Some(a), Some(b)) => Some(if a.start <= b.start { a } else { b }),
            (a, b) => a.or(b),
        }
    }
}

/// Allow `*` on `*` with no condition.
fn full_access(st: &Statement) -> bool {
    st.effect == Effect::Allow
        && st.conditions.is_empty()
        && !st.action.negated
        && st.action.items.iter().any(|i| &*i.text == "*")
        && st
            .resource
            .as_ref()
            .is_some_and(|r| !r.negated && r.items.iter().any(|i| &*i.text == "*"))
}

/// An unconditional Deny of the action (`listed`: an Action entry matches it) on every
/// resource.
fn denies(st: &Statement, listed: bool) -> bool {
    st.effect == Effect::Deny
        && st.conditions.is_empty()
        && !st.action.negated
        && listed
        && st
            .resource
            .as_ref()
            .is_none_or(|r| !r.negated && r.items.iter().any(|i| &*i.text == "*"))
}

/// The variable that limits a user resource to the caller's own user.
const OWN_USER: &[u8] = b"${aws:username}";

/// Where an Allow statement grants an action within `scope`, if it does; `listed`:
/// the statement's entry that matches the action, if one does.
fn grant_in(st: &Statement, listed: Option<Span>, scope: Scope) -> Option<Span> {
    if st.effect != Effect::Allow {
        return None;
    }
    let span = match (st.action.negated, listed) {
        (true, Some(_)) | (false, None) => return None,
        (true, None) => st.action.span,
        (false, Some(span)) => span,
    };
    let reaches = match &st.resource {
        // A trust policy's statement, or a NotResource: not limited to one resource.
        None => true,
        Some(r) if r.negated => true,
        Some(r) => r.items.iter().any(|i| match scope {
            Scope::Any => true,
            Scope::Others => !i
                .text
                .as_bytes()
                .windows(OWN_USER.len())
                .any(|w| w.eq_ignore_ascii_case(OWN_USER)),
            Scope::Star => &*i.text == "*" || i.text.ends_with("/*") || i.text.ends_with(":*"),
        }),
    };
    reaches.then_some(span)
}

/// How a statement is named in a message: its number (1-based) and Sid.
pub(crate) fn statement_name(policy: &Policy, index: usize) -> String {
    match policy.statements.get(index).and_then(|s| s.sid.as_deref()) {
        Some(sid) => format!("statement {} (\"{sid}\")", index + 1),
        None => format!("statement {}", index + 1),
    }
}

/// `a`, `a and b`, `a, b and c`, each named once; and how many there are.
fn and_list(names: &[&String]) -> (String, usize) {
    let mut unique: Vec<&String> = Vec::new();
    for &w in names {
        if !unique.contains(&w) {
            unique.push(w);
        }
    }
    let text = match unique.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!(
            "{} and {last}",
            rest.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => String::new(),
    };
    (text, unique.len())
}

/// The finding for a set granted whole; `where_` names the statements, each with
/// whether its grant is conditional.
pub(crate) fn finding(set: &EscalationSet, span: Span, where_: &[(String, bool)]) -> Finding {
    let all: Vec<&String> = where_.iter().map(|(w, _)| w).collect();
    let conditional: Vec<&String> = where_.iter().filter(|(_, c)| *c).map(|(w, _)| w).collect();
    let when = if conditional.is_empty() {
        String::new()
    } else {
        let (names, n) = and_list(&conditional);
        let grant = if n == 1 { "it grants" } else { "they grant" };
        format!(
            " when the conditions of {names} hold (lint cannot tell whether they do for this principal; {grant} nothing otherwise)"
        )
    };
    Finding::new(
        "privilege-escalation",
        span,
        format!(
            "privilege escalation \"{}\" ({}), granted by {}{when}: a principal with these can {} (see {})",
            set.name,
            set.actions.join(" + "),
            and_list(&all).0,
            set.how,
            set.source
        ),
    )
}

/// The sets one policy grants whole; what it grants of each set (for [`across`]),
/// `None` when it allows everything.
pub(crate) fn check(policy: &Policy, out: &mut Vec<Finding>) -> Option<Grants> {
    let grants = grants(policy)?;
    for (set, found) in escalation_sets().iter().zip(&grants.grants) {
        let Some(all) = found.iter().copied().collect::<Option<Vec<Grant>>>() else {
            continue;
        };
        let names: Vec<(String, bool)> = all
            .iter()
            .map(|g| (statement_name(policy, g.statement), g.conditional))
            .collect();
        out.push(finding(set, all[0].span, &names));
    }
    Some(grants)
}

/// One identity policy and what [`check`] found it grants (`None`: it allows
/// everything).
pub(crate) type Granting<'p> = (&'p Policy, Option<Grants>);

/// Across the identity policies of one principal (`policies[i]`: the i-th source's
/// parsed policy with its grants, `None` for other kinds or unparsed ones): the sets no
/// single policy grants whole but the policies do together, each as (index of the
/// policy holding the first action's grant, finding). `names[i]` is how policy i is
/// called.
pub(crate) fn across(policies: &[Option<Granting>], names: &[String]) -> Vec<(usize, Finding)> {
    if policies.iter().flatten().count() < 2 {
        return Vec::new();
    }
    let mut per_policy: Vec<(usize, &Policy, &Grants)> = Vec::new();
    for (i, p) in policies.iter().enumerate() {
        let Some((p, g)) = p else { continue };
        match g {
            Some(g) => per_policy.push((i, p, g)),
            // One of them allows everything: nothing to add.
            None => return Vec::new(),
        }
    }
    if per_policy.len() < 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, set) in escalation_sets().iter().enumerate() {
        if per_policy
            .iter()
            .any(|(_, _, g)| g.grants[k].iter().all(Option::is_some))
        {
            continue; // reported with that policy
        }
        let mut chosen: Vec<(usize, &Policy, Grant)> = Vec::new();
        for a in 0..set.actions.len() {
            // An unconditional Deny in any of them takes the action away from all.
            if per_policy.iter().any(|(_, _, g)| g.denied[k][a]) {
                break;
            }
            // An unconditional grant in any policy first, else a conditional one.
            let candidates = || {
                per_policy
                    .iter()
                    .filter_map(|(i, p, g)| g.grants[k][a].map(|grant| (*i, *p, grant)))
            };
            if let Some(c) = candidates()
                .find(|(_, _, g)| !g.conditional)
                .or_else(|| candidates().next())
            {
                chosen.push(c);
            }
        }
        if chosen.len() != set.actions.len() {
            continue;
        }
        let where_: Vec<(String, bool)> = chosen
            .iter()
            .map(|(i, p, g)| {
                let name = format!(
                    "{} of \"{}\"",
                    statement_name(p, g.statement),
                    names.get(*i).map_or("", String::as_str)
                );
                (name, g.conditional)
            })
            .collect();
        let (first, _, grant) = chosen[0];
        out.push((first, finding(set, grant.span, &where_)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::catalog;

    #[test]
    fn every_set_reads_and_names_catalog_actions() {
        let text = include_str!("../../assets/catalog/escalation.tsv");
        let lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        let sets = escalation_sets();
        assert_eq!(sets.len(), lines, "a line does not read");
        let mut names = std::collections::HashSet::new();
        for set in sets {
            assert!(names.insert(set.name), "{} twice", set.name);
            assert!(set.source.starts_with("https://"), "{}", set.name);
            assert!(!set.actions.is_empty() && !set.how.is_empty());
            for action in &set.actions {
                let (svc, name) = action.split_once(':').expect("prefix:Action");
                assert!(catalog().action(svc, name).is_some(), "{action}");
            }
        }
    }

    fn parse(statements: &str) -> Policy {
        let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
        let ctx = crate::policy::ParseContext {
            kind: crate::policy::PolicyKind::Identity,
            resource_implied: false,
        };
        crate::policy::parse_policy_text(&text, ctx).expect("parses")
    }

    const MFA: &str = r#""Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#;

    #[test]
    fn across_policies_an_unconditional_grant_is_preferred() {
        let lambda = parse(
            r#"{"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}"#,
        );
        let pass_with_mfa = parse(&format!(
            r#"{{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", {MFA}}}"#
        ));
        let pass = parse(r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}"#);
        let names: Vec<String> = ["lambda", "pass-mfa", "pass"].map(String::from).to_vec();
        let messages = |policies: &[&Policy]| -> Vec<String> {
            let mut out = Vec::new();
            let granting: Vec<Option<Granting>> = policies
                .iter()
                .map(|p| Some((*p, check(p, &mut out))))
                .collect();
            across(&granting, &names)
                .into_iter()
                .filter(|(_, f)| f.message.contains("passrole-lambda-invoke"))
                .map(|(_, f)| f.message)
                .collect()
        };
        // Only the conditional grant: said so, naming the statement of "pass-mfa".
        let only = messages(&[&lambda, &pass_with_mfa]);
        assert_eq!(only.len(), 1, "{only:?}");
        assert!(
            only[0].contains("when the conditions of statement 1 of \"pass-mfa\" hold"),
            "{}",
            only[0]
        );
        // With an unconditional grant in a third policy, that one is named instead.
        let both = messages(&[&lambda, &pass_with_mfa, &pass]);
        assert_eq!(both.len(), 1, "{both:?}");
        assert!(
            both[0].contains("statement 1 of \"pass\"") && !both[0].contains("when the conditions"),
            "{}",
            both[0]
        );
    }

    #[test]
    fn a_conditional_deny_takes_nothing_away_and_a_conditional_allow_is_said() {
        let mut out = Vec::new();
        let policy = parse(&format!(
            r#"{{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "*", {MFA}}},
               {{"Effect": "Deny", "Action": "iam:CreatePolicyVersion", "Resource": "*", {MFA}}}"#
        ));
        check(&policy, &mut out);
        let found: Vec<&Finding> = out
            .iter()
            .filter(|f| f.message.contains("\"create-policy-version\""))
            .collect();
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .message
                .contains("when the conditions of statement 1 hold")
        );
    }
}
