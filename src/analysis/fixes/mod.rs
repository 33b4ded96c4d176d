//! Why not, for policies: small edits of the policies that would give one request of a
//! scenario the decision wanted (its `expect`, or the opposite of what it gets), each
//! checked against every request of the scenario.
//!
//! Every candidate edit is made to the policy's own text, the text parsed again and the
//! scenario evaluated with it, so the decisions a suggestion reports are those the
//! edited text really produces. Ranking: the selected request gets the wanted decision
//! (required); no other request's `expect` breaks; requests without `expect` keep their
//! decision; edits that say how a call is made (`aws:ViaAWSService`, `aws:CalledVia`,
//! `aws:SourceVpce` guards) before edits that restructure, before edits that list
//! observed values (an address, an action); fewer failing expectations; then the
//! smallest change of text.

mod candidates;
pub mod lint_fix;
pub mod text;

use crate::eval::service_rules::decided_by_aws;
use crate::eval::{Detail, PreparedRequest, evaluate};
use crate::policy::PolicyKind;
use crate::scenario::{DocumentForm, Scenario, display_names};
use crate::trace::Decision;
use candidates::{Aims, Candidate, Inputs, candidates};
use serde::Serialize;

/// What kind of edit a suggestion makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    /// A condition added to a Deny that stops it for the way this call is made.
    AddGuard,
    /// A value added to a condition key's list.
    AddConditionValue,
    /// A value taken out of a condition key's list.
    RemoveConditionValue,
    /// A condition key taken out (its operator, or the Condition, when it was alone).
    RemoveConditionKey,
    /// `…IfExists` added to an operator (a missing key then passes).
    AddIfExists,
    /// `…IfExists` taken off an operator (a missing key then fails).
    DropIfExists,
    /// An action added to Action or NotAction.
    AddAction,
    /// An action taken out of Action or NotAction.
    RemoveAction,
    /// A resource added to Resource or NotResource.
    AddResource,
    /// A resource taken out of Resource or NotResource.
    RemoveResource,
    /// A statement added for exactly this request's action and resource.
    AddStatement,
    /// A statement removed.
    RemoveStatement,
}

/// How an edit decides who is let through, for ranking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditClass {
    /// It says how a call is made (directly, through a service, through an endpoint):
    /// it keeps working when addresses and services change.
    HowTheCallIsMade,
    /// It changes the policy's structure (a key, an entry, a statement taken out).
    Structure,
    /// It lists values observed in this request (an address, an action, a resource):
    /// it fixes this request and may break when those values change.
    ObservedValues,
}

/// A place in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Place {
    /// Byte offset where the range starts.
    pub start: usize,
    /// Byte offset one past its end.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column (in characters) of `start`.
    pub column: usize,
}

/// One request's decision with the edit made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestOutcome {
    /// 1-based position of the request in the scenario.
    pub request: usize,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// Its decision now.
    pub before: Decision,
    /// Its decision with the edit.
    pub after: Decision,
    /// Its `expect`.
    pub expected: Option<Decision>,
}

impl RequestOutcome {
    /// The expectation holds after the edit (`None`: there is none).
    pub fn holds(&self) -> Option<bool> {
        self.expected.map(|e| e == self.after)
    }
}

/// One suggested policy edit, with what it does to every request of the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyEdit {
    /// Index of the policy in the scenario (and its policy set).
    pub policy_index: usize,
    /// The policy's name as shown.
    pub policy: String,
    /// Its type.
    pub policy_kind: PolicyKind,
    /// Index of the statement edited in its policy; `None` for a statement added.
    pub statement_index: Option<usize>,
    /// The statement as people read it: `statement "Sid" #2`, or `a new statement`.
    pub statement: String,
    /// What kind of edit.
    pub kind: EditKind,
    /// How it decides who is let through.
    pub class: EditClass,
    /// The edit in words.
    pub description: String,
    /// The text replaced (in the policy's text as loaded: the document as written in
    /// its file, or decoded from its string).
    pub before: String,
    /// The text that replaces it, in the policy's own layout.
    pub after: String,
    /// Where `before` is in the policy's text.
    pub at: Place,
    /// Where `before` is in the file, for a document written inline in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_file: Option<Place>,
    /// Bytes changed (inserted plus deleted).
    pub changed_bytes: usize,
    /// Every request's decision with the edit.
    pub decisions: Vec<RequestOutcome>,
    /// The effect in a line: `fixes 2, 3, 4; 8 and 9 stay denied`.
    pub summary: String,
}

/// What a search aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aim {
    /// Exactly this decision (the request's `expect`, which it misses).
    Decision(Decision),
    /// Any deny (the request is allowed and expects so, or has no expect).
    Denied,
}

impl Aim {
    fn met_by(self, d: Decision) -> bool {
        match self {
            Aim::Decision(want) => d == want,
            Aim::Denied => d != Decision::Allow,
        }
    }

    /// The machine word: a decision's word, or `deny` for any deny.
    pub fn word(self) -> &'static str {
        match self {
            Aim::Decision(d) => d.word(),
            Aim::Denied => "deny",
        }
    }

    /// In words: `Allow`, `a deny`.
    pub fn label(self) -> &'static str {
        match self {
            Aim::Decision(d) => d.label(),
            Aim::Denied => "a deny",
        }
    }
}

/// The result of a search for one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestions {
    /// 1-based position of the request.
    pub request: usize,
    /// What the edits aim at.
    pub aim: Aim,
    /// The aim is the request's `expect` (otherwise: the opposite of its decision).
    pub aim_is_expect: bool,
    /// The edits that reach it, best first.
    pub edits: Vec<PolicyEdit>,
    /// Candidate edits tried.
    pub tried: usize,
    /// Why there are none, where that is not simply that no small edit does it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Bounds of a search, so a huge scenario never hangs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Candidate edits tried at most.
    pub candidates: usize,
    /// Statements looked at, at most, for edits that make one apply.
    pub statements: usize,
    /// Evaluations of other requests at most (candidates that reach the aim times
    /// the scenario's requests); past it, fewer candidates are checked.
    pub evaluations: usize,
    /// Suggestions returned at most.
    pub results: usize,
    /// Bytes of edited policy text parsed at most (each candidate parses its whole
    /// policy again): a huge policy gets fewer candidates, never a long wait.
    pub parsed_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            candidates: 48,
            statements: 400,
            evaluations: 20_000,
            results: 5,
            parsed_bytes: 4 << 20,
        }
    }
}

/// Small policy edits that give request `selected` (0-based) of `scenario` its wanted
/// decision, each checked against every request of the scenario, best first.
pub fn suggest(scenario: &Scenario, selected: usize, limits: Limits) -> Suggestions {
    let prepared: Vec<PreparedRequest> = scenario
        .requests
        .iter()
        .map(|r| PreparedRequest::new(&r.request))
        .collect();
    let before: Vec<Decision> = prepared
        .iter()
        .map(|p| evaluate(&scenario.set, p, Detail::Decision).decision)
        .collect();
    suggest_prepared(scenario, &prepared, &before, selected, limits)
}

/// [`suggest`] with every request prepared and decided already.
pub fn suggest_prepared(
    scenario: &Scenario,
    prepared: &[PreparedRequest],
    before: &[Decision],
    selected: usize,
    limits: Limits,
) -> Suggestions {
    let (Some(spec), Some(&current)) = (scenario.requests.get(selected), before.get(selected))
    else {
        return Suggestions {
            request: selected + 1,
            aim: Aim::Decision(Decision::Allow),
            aim_is_expect: false,
            edits: Vec::new(),
            tried: 0,
            note: Some("there is no such request".into()),
        };
    };
    let (aim, aim_is_expect) = match spec.expect {
        Some(e) if e != current => (Aim::Decision(e), true),
        _ => match current {
            Decision::Allow => (Aim::Denied, false),
            _ => (Aim::Decision(Decision::Allow), false),
        },
    };
    let mut out = Suggestions {
        request: selected + 1,
        aim,
        aim_is_expect,
        edits: Vec::new(),
        tried: 0,
        note: None,
    };
    let req = &prepared[selected];
    if let Some(rule) = decided_by_aws(req) {
        out.note = Some(format!(
            "{} decides this request whatever the policies say",
            rule.label()
        ));
        return out;
    }
    if scenario.sources.len() != scenario.set.policies.len()
        || prepared.len() != scenario.requests.len()
        || before.len() != scenario.requests.len()
    {
        out.note = Some("the policies' texts are not all at hand".into());
        return out;
    }
    let ev = evaluate(&scenario.set, req, Detail::Decision);
    let aims = Aims {
        stop_denies: current == Decision::ExplicitDeny,
        grant: current == Decision::ImplicitDeny && aim.met_by(Decision::Allow),
        fire_deny: current != Decision::ExplicitDeny && aim.met_by(Decision::ExplicitDeny),
        narrow_allows: current == Decision::Allow && aim.met_by(Decision::ImplicitDeny),
    };
    let inputs = Inputs {
        sources: &scenario.sources,
        set: &scenario.set,
        request: req,
        determined_by: ev
            .determined_by
            .iter()
            .map(|r| (r.policy, r.statement))
            .collect(),
        limit: limits.candidates,
        statement_limit: limits.statements,
    };
    let mut list = candidates(&inputs, aims);
    // Cheapest-looking first, so the evaluation bound keeps the likeliest ones.
    list.sort_by_key(|c| {
        (
            c.class,
            c.preference,
            changed_bytes(c, &scenario.sources[c.policy].text),
        )
    });
    let names = display_names(&scenario.sources);
    let mut work = scenario.set.clone();
    let others = scenario.requests.len().max(1);
    let mut budget = limits.evaluations;
    let mut found: Vec<(RankKey, PolicyEdit)> = Vec::new();
    let mut parsed = 0usize;
    for (order, c) in list.iter().enumerate() {
        let src = &scenario.sources[c.policy];
        // A template's document is not JSON policy text, and a derived one is
        // read-only: neither is edited.
        if matches!(src.form, DocumentForm::Template | DocumentForm::Derived) {
            continue;
        }
        parsed += src.text.len();
        if parsed > limits.parsed_bytes && out.tried > 0 {
            break;
        }
        out.tried += 1;
        let Some(edited) = c.edit.apply(&src.text) else {
            continue;
        };
        let Ok(policy) = src.parse_text(&edited) else {
            continue;
        };
        let original = std::mem::replace(&mut work.policies[c.policy].policy, policy);
        let after_selected = evaluate(&work, req, Detail::Decision).decision;
        if aim.met_by(after_selected) && budget >= others {
            budget -= others;
            let after: Vec<Decision> = prepared
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if i == selected {
                        after_selected
                    } else {
                        evaluate(&work, p, Detail::Decision).decision
                    }
                })
                .collect();
            let edit = describe(scenario, &names, c, &edited, before, &after, selected);
            found.push((rank(c, &edit, selected, order), edit));
        }
        let _ = std::mem::replace(&mut work.policies[c.policy].policy, original);
    }
    found.sort_by_key(|a| a.0);
    let denies = ev.determined_by.len();
    if found.is_empty() && current == Decision::ExplicitDeny && denies > 1 {
        out.note = Some(format!(
            "{denies} Deny statements fired: one edit changes one of them, so each must be stopped on its own"
        ));
    }
    out.edits = found
        .into_iter()
        .take(limits.results)
        .map(|(_, e)| e)
        .collect();
    out
}

/// Lower is better: (other expectations broken, requests without expect changed,
/// class, expectations failing after, preference, bytes changed, order tried).
type RankKey = (usize, usize, EditClass, usize, u8, usize, usize);

fn rank(c: &Candidate, e: &PolicyEdit, selected: usize, order: usize) -> RankKey {
    let others = e.decisions.iter().filter(|d| d.request != selected + 1);
    let broken = others
        .clone()
        .filter(|d| d.expected == Some(d.before) && d.holds() == Some(false))
        .count();
    let changed = others
        .filter(|d| d.expected.is_none() && d.before != d.after)
        .count();
    let failing = e
        .decisions
        .iter()
        .filter(|d| d.holds() == Some(false))
        .count();
    (
        broken,
        changed,
        c.class,
        failing,
        c.preference,
        e.changed_bytes,
        order,
    )
}

fn changed_bytes(c: &Candidate, text: &str) -> usize {
    let removed = text.get(c.edit.range.clone()).map_or(0, |s| s.len());
    removed + c.edit.text.len()
}

/// Line and column (1-based, columns in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let head = &text[..at.min(text.len())];
    let line = head.matches('\n').count() + 1;
    let column = head.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[allow(clippy::too_many_arguments)]
fn describe(
    scenario: &Scenario,
    names: &[String],
    c: &Candidate,
    edited: &str,
    before: &[Decision],
    after: &[Decision],
    selected: usize,
) -> PolicyEdit {
    let src = &scenario.sources[c.policy];
    let text = &src.text;
    let ctx = c.context.clone();
    let grown = c.edit.text.len() as isize - c.edit.range.len() as isize;
    let after_end = (ctx.end as isize + grown) as usize;
    let before_text = text.get(ctx.clone()).unwrap_or_default().to_string();
    let after_text = edited
        .get(ctx.start..after_end)
        .unwrap_or_default()
        .to_string();
    let (line, column) = line_column(text, ctx.start);
    let at = Place {
        start: ctx.start,
        end: ctx.end,
        line,
        column,
    };
    let in_file = match (src.form, src.at) {
        (DocumentForm::Inline, Some(doc)) if doc.source.is_file() => {
            let first_line = line == 1;
            Some(Place {
                start: doc.start as usize + ctx.start,
                end: doc.start as usize + ctx.end,
                line: doc.line as usize + line - 1,
                column: if first_line {
                    doc.column as usize + column - 1
                } else {
                    column
                },
            })
        }
        _ => None,
    };
    let statement = match c.statement {
        Some(si) => {
            let sid = scenario.set.policies[c.policy]
                .policy
                .statements
                .get(si)
                .and_then(|s| s.sid.as_deref())
                .map(|x| format!("\"{x}\" "))
                .unwrap_or_default();
            format!("statement {sid}#{}", si + 1)
        }
        None => "a new statement".into(),
    };
    let decisions: Vec<RequestOutcome> = scenario
        .requests
        .iter()
        .enumerate()
        .map(|(i, r)| RequestOutcome {
            request: i + 1,
            name: r.name.clone(),
            before: before[i],
            after: after[i],
            expected: r.expect,
        })
        .collect();
    let summary = summarize(&decisions, selected);
    PolicyEdit {
        policy_index: c.policy,
        policy: names[c.policy].clone(),
        policy_kind: src.kind,
        statement_index: c.statement,
        statement,
        kind: c.kind,
        class: c.class,
        description: c.description.clone(),
        changed_bytes: changed_bytes(c, text),
        before: before_text,
        after: after_text,
        at,
        in_file,
        decisions,
        summary,
    }
}

/// `2`, `2 and 3`, `2, 3, 4`.
fn list(numbers: &[usize]) -> String {
    match numbers {
        [a, b] => format!("{a} and {b}"),
        _ => numbers
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The effect on every request in a line.
fn summarize(decisions: &[RequestOutcome], selected: usize) -> String {
    let pick = |f: &dyn Fn(&RequestOutcome) -> bool| -> Vec<usize> {
        decisions
            .iter()
            .filter(|d| f(d))
            .map(|d| d.request)
            .collect()
    };
    let was_failing = |d: &RequestOutcome| d.expected.is_some_and(|e| e != d.before);
    let mut parts = Vec::new();
    let fixes = pick(&|d| was_failing(d) && d.holds() == Some(true));
    if !fixes.is_empty() {
        parts.push(format!("fixes {}", list(&fixes)));
    }
    let sel = &decisions[selected];
    if !was_failing(sel) {
        parts.push(format!("turns {} into {}", sel.request, sel.after.label()));
    }
    let breaks = pick(&|d| !was_failing(d) && d.expected.is_some() && d.holds() == Some(false));
    let breaks: Vec<usize> = breaks.into_iter().filter(|&r| r != sel.request).collect();
    if !breaks.is_empty() {
        parts.push(format!("breaks {}", list(&breaks)));
    }
    for to in [
        Decision::Allow,
        Decision::ExplicitDeny,
        Decision::ImplicitDeny,
    ] {
        let changed = pick(&|d| {
            d.expected.is_none() && d.before != d.after && d.after == to && d.request != sel.request
        });
        if !changed.is_empty() {
            parts.push(format!("turns {} into {}", list(&changed), to.label()));
        }
    }
    let still = pick(&|d| was_failing(d) && d.holds() == Some(false) && d.request != sel.request);
    if !still.is_empty() {
        parts.push(format!("{} still miss their expect", list(&still)));
    }
    let same = |allowed: bool| {
        pick(&|d| {
            d.before == d.after
                && (d.after == Decision::Allow) == allowed
                && !was_failing(d)
                && d.request != sel.request
        })
    };
    let denied = same(false);
    if !denied.is_empty() {
        let verb = if denied.len() == 1 { "stays" } else { "stay" };
        parts.push(format!("{} {verb} denied", list(&denied)));
    }
    let allowed = same(true);
    if !allowed.is_empty() {
        let verb = if allowed.len() == 1 { "stays" } else { "stay" };
        parts.push(format!("{} {verb} allowed", list(&allowed)));
    }
    parts.join("; ")
}

impl Suggestions {
    /// The top `n` suggestions as indented text for people (untrusted text included:
    /// the caller escapes it for a terminal).
    pub fn to_text(&self, n: usize) -> String {
        let mut out = String::new();
        let aim = if self.aim_is_expect {
            format!("{} (its expect)", self.aim.label())
        } else {
            self.aim.label().to_string()
        };
        out.push_str(&format!(
            "Policy edits that would make request {} {aim}, each checked against every request:\n",
            self.request
        ));
        if self.edits.is_empty() {
            match &self.note {
                Some(note) => out.push_str(&format!(
                    "  none found among {} small edits tried: {note}\n",
                    self.tried
                )),
                None => out.push_str(&format!(
                    "  none found among {} small edits tried\n",
                    self.tried
                )),
            }
        }
        for (i, e) in self.edits.iter().take(n).enumerate() {
            let (line, column) = e
                .in_file
                .map_or((e.at.line, e.at.column), |p| (p.line, p.column));
            out.push_str(&format!(
                "  {}. {} of {} \"{}\" (line {line}, column {column}): {}\n",
                i + 1,
                e.statement,
                e.policy_kind.label(),
                e.policy,
                e.description
            ));
            for l in diff_lines(&e.before, &e.after) {
                out.push_str(&format!("       {l}\n"));
            }
            out.push_str(&format!("     → {}\n", e.summary));
        }
        out
    }
}

/// The lines that differ between `before` and `after`, as `- old` / `+ new`: the
/// whole lines around the bytes that differ.
fn diff_lines(before: &str, after: &str) -> Vec<String> {
    let (a, b) = (before.as_bytes(), after.as_bytes());
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - head;
    let tail = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    // Cut at line breaks only ('\n' is one byte, never inside a character), so a
    // common prefix ending inside a character does not matter.
    let start = a[..head]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let end = |text: &str| {
        let from = text.len() - tail;
        text.as_bytes()[from..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(text.len(), |i| from + i)
    };
    let mut out = Vec::new();
    if start < end(before) {
        out.extend(
            before[start..end(before)]
                .split('\n')
                .map(|l| format!("- {l}")),
        );
    }
    if start < end(after) {
        out.extend(
            after[start..end(after)]
                .split('\n')
                .map(|l| format!("+ {l}")),
        );
    }
    out
}

#[cfg(test)]
mod tests;
