//! Action and NotAction entries against the catalog: unknown services and actions,
//! patterns that match nothing, and entries another entry of the statement already
//! covers. Linear in the number of entries (AWS managed policies list thousands): each
//! entry is expanded against the catalog once, and coverage is looked up, never found
//! by comparing every pair.

use super::super::Finding;
use super::Matched;
use crate::catalog::notes::{NoteKind, NoteStatus, ReferenceNote, reference_note};
use crate::catalog::services::{Service, catalog};
use crate::policy::Statement;
use crate::source::Span;
use crate::source::did_you_mean;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// What the catalog says a statement's Action entries match.
pub(super) struct Expanded {
    /// Every action `Action` matches (`None` for NotAction, `*` or anything unknown:
    /// nothing can be said about them).
    pub all: Option<Matched<'static>>,
    /// Entry by entry: the actions each matches (`None`: `*`, or unknown).
    pub per_item: Vec<Option<Matched<'static>>>,
}

/// Every Action/NotAction entry against the catalog, and what they match.
pub(super) fn actions(st: &Statement, out: &mut Vec<Finding>) -> Expanded {
    let cat = catalog();
    let items = &st.action.items;
    // The service of each entry with a literal prefix (`None`: unknown, or a wildcard
    // prefix). Long lists name one service after another: the previous entry's is
    // reused rather than searched for again.
    let mut last: Option<(&str, Option<&'static Service<'static>>)> = None;
    let services: Vec<Option<&'static Service<'static>>> = items
        .iter()
        .map(|item| {
            let (svc, _) = item.text.split_once(':')?;
            if svc.contains(['*', '?']) {
                return None;
            }
            match last {
                Some((prev, found)) if prev.eq_ignore_ascii_case(svc) => found,
                _ => {
                    let found = cat.service(svc);
                    last = Some((svc, found));
                    found
                }
            }
        })
        .collect();
    // Then the catalog actions each entry matches (`None`: a problem, reported below).
    let expanded: Vec<Option<Matched<'static>>> = items
        .iter()
        .zip(&services)
        .map(|(item, service)| {
            let text = &*item.text;
            let (svc, name) = text.split_once(':')?;
            if text == "*" {
                return None;
            }
            let matched: Matched<'static> = if svc.contains(['*', '?']) {
                expand_cached(text, || cat.expand(text))
            } else if name.contains(['*', '?']) {
                let service = (*service)?;
                expand_cached(text, || {
                    service
                        .expand(name)
                        .into_iter()
                        .map(|a| (service, a))
                        .collect()
                })
            } else {
                let service = (*service)?;
                vec![(service, service.action(name)?)]
            };
            (!matched.is_empty()).then_some(matched)
        })
        .collect();
    let cover = Coverage::new(st, &expanded);
    let mut all: Matched<'static> = Vec::new();
    let mut complete = !st.action.negated;
    for (i, item) in items.iter().enumerate() {
        let text = &*item.text;
        // An unresolved template value (`⟦Ref Action⟧`, `sqs:⟦Ref Verb⟧`): nothing can
        // be said of what it names until it is resolved.
        if text == "*" || crate::iac::placeholder::contains(text) {
            complete = false;
            continue;
        }
        let Some((svc, name)) = text.split_once(':') else {
            complete = false;
            continue;
        };
        let wild_service = svc.contains(['*', '?']);
        if !wild_service && services[i].is_none() {
            out.push(match reference_note(NoteKind::Service, svc) {
                Some(note) => noted(note, item.span, &format!("\"{svc}\"")),
                None => {
                    let hint = did_you_mean(svc, cat.services().iter().map(|s| s.prefix));
                    Finding::new(
                        "unknown-service",
                        item.span,
                        format!("\"{svc}\" is not an AWS service prefix{hint}"),
                    )
                }
            });
            complete = false;
            continue;
        }
        let Some(matched) = &expanded[i] else {
            if name.contains(['*', '?']) || wild_service {
                out.push(Finding::new(
                    "no-matching-action",
                    item.span,
                    format!("\"{text}\" matches no action"),
                ));
            } else if let Some(note) = reference_note(NoteKind::Action, text) {
                out.push(noted(note, item.span, text));
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
        };
        if let Some(j) = cover.covered_by(i, matched) {
            out.push(Finding::new(
                "redundant-action",
                item.span,
                format!("\"{text}\" is already covered by \"{}\"", items[j].text),
            ));
        }
        all.extend(matched.iter().copied());
    }
    Expanded {
        all: complete.then_some(all),
        per_item: expanded,
    }
}

/// What a wildcard entry matches, remembered by its text: the catalog is one static
/// table, so the answer never changes, and the TUI lints the same entries on every
/// keystroke. Bounded by the number of actions held (a policy of many distinct
/// patterns cannot make it grow without end); past that, entries are computed anew.
fn expand_cached(text: &str, compute: impl FnOnce() -> Matched<'static>) -> Matched<'static> {
    /// At most this many matched actions in all (16 bytes each).
    const HELD: usize = 1 << 20;
    type Cache = (HashMap<Box<str>, Matched<'static>, Fast>, usize);
    static CACHE: std::sync::OnceLock<std::sync::Mutex<Cache>> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A panic elsewhere while the lock was held leaves a consistent map: use it.
    let lock = || cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = lock().0.get(text) {
        return found.clone();
    }
    let matched = compute();
    let mut held = lock();
    if held.1 + matched.len() <= HELD {
        held.1 += matched.len();
        held.0.insert(text.into(), matched.clone());
    }
    matched
}

/// A name the reference lacks for a known reason: retired (still an error: it grants
/// nothing) or a gap in the reference (a warning: AWS uses it).
pub(super) fn noted(note: &ReferenceNote, span: Span, what: &str) -> Finding {
    let version = catalog().source();
    match note.status {
        NoteStatus::Retired => Finding::new(
            match note.kind {
                NoteKind::Service => "unknown-service",
                NoteKind::Action => "unknown-action",
                NoteKind::Key => "unknown-condition-key",
            },
            span,
            format!(
                "{what} is retired (not in the service reference of catalog version {version}): {}",
                note.note
            ),
        ),
        NoteStatus::Gap | NoteStatus::Partial => Finding::new(
            "not-in-reference",
            span,
            format!(
                "{what} is not in the service reference of catalog version {version}, though AWS uses it ({}): a gap in the reference, not a mistake in the policy",
                note.note
            ),
        ),
    }
}

/// Which entry of a statement covers which: entry `j` covers entry `i` when `j`
/// matches every action `i` matches — `i` is one action that `j` matches, or `j` is
/// `PREFIX*` (no other wildcard) and `i` starts with `PREFIX`, ignoring case. Of two
/// entries that cover each other, the later one is the redundant one.
struct Coverage<'s> {
    items: &'s [crate::policy::PatternItem],
    /// Lower-cased entries without wildcards: the first index of each.
    literals: HashMap<String, usize, Fast>,
    /// `PREFIX*` entries (lower-cased prefix without wildcards): the first index of each.
    prefixes: HashMap<String, usize, Fast>,
    /// Catalog actions (by address) matched by an entry with wildcards: the first such
    /// entry. Only asked about entries without wildcards: empty when there are none.
    by_pattern: HashMap<*const (), usize, Fast>,
}

/// The hasher of the lookups: foldhash, seeded per map (much cheaper than SipHash on
/// these short keys; lint runs on every keystroke).
type Fast = foldhash::fast::RandomState;

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

impl<'s> Coverage<'s> {
    fn new(st: &'s Statement, expanded: &[Option<Matched<'static>>]) -> Self {
        let items = &st.action.items[..];
        let mut c = Coverage {
            items,
            literals: HashMap::with_capacity_and_hasher(items.len(), Fast::default()),
            prefixes: HashMap::default(),
            by_pattern: HashMap::default(),
        };
        let any_literal = items.iter().any(|i| !has_wildcard(&i.text));
        for (j, item) in items.iter().enumerate() {
            let lower = item.text.to_ascii_lowercase();
            if !has_wildcard(&lower) {
                c.literals.entry(lower).or_insert(j);
                continue;
            }
            if let Some(prefix) = lower.strip_suffix('*').filter(|p| !has_wildcard(p)) {
                c.prefixes.entry(prefix.to_string()).or_insert(j);
            }
            // (An entry the catalog cannot expand matches no catalog action; the
            // parser refuses entries without a colon other than `*`.)
            if !any_literal {
                continue;
            }
            for (_, action) in expanded[j].iter().flatten() {
                if let Entry::Vacant(v) = c.by_pattern.entry(action_key(action)) {
                    v.insert(j);
                }
            }
        }
        c
    }

    /// The first entry that covers entry `i` (which matches the catalog actions
    /// `matched`), if any.
    fn covered_by(&self, i: usize, matched: &Matched<'static>) -> Option<usize> {
        let lower = self.items[i].text.to_ascii_lowercase();
        let wild_at = lower.find(['*', '?']);
        let mut best: Option<usize> = None;
        let mut consider = |j: usize| {
            if j != i && best.is_none_or(|b| j < b) {
                best = Some(j);
            }
        };
        // `PREFIX*` entries whose prefix starts this entry (up to its first wildcard).
        // An entry of that very form covers it back: only an earlier one counts.
        let own_prefix = lower.strip_suffix('*').filter(|p| !has_wildcard(p));
        let end = wild_at.unwrap_or(lower.len());
        for k in (0..=end).filter(|&k| lower.is_char_boundary(k)) {
            if let Some(&j) = self.prefixes.get(&lower[..k]) {
                if own_prefix != Some(&lower[..k]) || j < i {
                    consider(j);
                }
            }
        }
        if wild_at.is_none() {
            // One action: the same action written earlier, or any pattern matching it.
            if let Some(&j) = self.literals.get(&lower) {
                if j < i {
                    consider(j);
                }
            }
            for (_, action) in matched {
                if let Some(&j) = self.by_pattern.get(&action_key(action)) {
                    consider(j);
                }
            }
        }
        best
    }
}

/// A catalog action's identity (the catalog is one static table).
fn action_key(action: &crate::catalog::services::Action<'static>) -> *const () {
    (action as *const crate::catalog::services::Action<'static>).cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::PatternOptions;
    use crate::policy::{ParseContext, Pattern, PolicyKind, parse_policy_text};

    /// The definition, pair by pair (what the lookup must agree with).
    fn covers(a: &str, b: &str) -> bool {
        if !has_wildcard(b) {
            return Pattern::compile(
                &a.to_ascii_lowercase(),
                PatternOptions {
                    wildcards: true,
                    variables_from: None,
                    lowercase: true,
                },
            )
            .matches_plain(&b.to_ascii_lowercase());
        }
        match a.strip_suffix('*') {
            Some(prefix) if !has_wildcard(prefix) => {
                b.len() >= prefix.len()
                    && b.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            }
            _ => a == "*",
        }
    }

    const ENTRIES: &[&str] = &[
        "*",
        "s3:*",
        "S3:Get*",
        "s3:GetObject",
        "s3:getobject",
        "s3:GetObject*",
        "s3:Get?bject",
        "s3:*Object",
        "*:GetObject",
        "s?:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "ec2:Describe*",
        "ec2:DescribeInstances",
        "ec2:describe*",
        "iam:PassRole",
        "iam:Pass*",
        "nosuch:Thing",
        "s3:NoSuchAction",
        "s3:Zz*",
    ];

    #[test]
    fn wildcard_expansions_are_remembered_and_unchanged() {
        let cat = catalog();
        let pattern = "s3:GetObj*ct*";
        let names = |m: &Matched<'static>| -> Vec<String> {
            m.iter()
                .map(|(s, a)| format!("{}:{}", s.prefix, a.name))
                .collect()
        };
        let first = expand_cached(pattern, || cat.expand(pattern));
        assert_eq!(names(&first), names(&cat.expand(pattern)));
        assert!(!first.is_empty());
        // The second time the catalog is not asked.
        let mut asked = false;
        let again = expand_cached(pattern, || {
            asked = true;
            Vec::new()
        });
        assert!(!asked);
        assert_eq!(names(&again), names(&first));
    }

    #[test]
    fn lookup_agrees_with_the_pairwise_definition() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..400 {
            let n = 1 + (next() % 8) as usize;
            let picked: Vec<&str> = (0..n)
                .map(|_| ENTRIES[(next() % ENTRIES.len() as u64) as usize])
                .collect();
            let list = picked
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(",");
            let text = format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Action": [{list}], "Resource": "*"}}]}}"#
            );
            let ctx = ParseContext {
                kind: PolicyKind::Identity,
                resource_implied: false,
            };
            let policy = parse_policy_text(&text, ctx).expect("parses");
            let mut out = Vec::new();
            actions(&policy.statements[0], &mut out);
            let got: Vec<String> = out
                .iter()
                .filter(|f| f.code == "redundant-action")
                .map(|f| f.message.clone())
                .collect();
            // Only entries the catalog knows reach the redundancy check.
            let cat = catalog();
            let want: Vec<String> = picked
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    **t != "*"
                        && t.split_once(':')
                            .is_some_and(|(s, _)| has_wildcard(s) || cat.service(s).is_some())
                        && !cat.expand(t).is_empty()
                })
                .filter_map(|(i, t)| {
                    picked
                        .iter()
                        .enumerate()
                        .find(|(j, o)| *j != i && covers(o, t) && !(covers(t, o) && *j > i))
                        .map(|(_, o)| format!("\"{t}\" is already covered by \"{o}\""))
                })
                .collect();
            assert_eq!(got, want, "{picked:?}");
        }
    }
}
