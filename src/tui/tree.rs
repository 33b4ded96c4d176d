//! The Trace flattened into rows for the tree view: policy → statement → element →
//! operator → key → value, each with ✔/✘, the reason in words, and where in the policy
//! text it comes from. Collapsing and the "only what decided" filter act here.

use crate::analysis::fixes::Suggestions;
use crate::analysis::whynot::{Question, WhyNot};
use crate::source::Span;
use crate::trace::{
    ConditionTrace, MatchTrace, PolicyTrace, StatementRef, StatementTrace, StepOutcome, Trace,
};
use std::collections::HashMap;

/// How a row came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Holds / matches / passes.
    Pass,
    /// Does not.
    Fail,
    /// Not applicable, not evaluated.
    Skip,
    /// A heading.
    None,
}

/// One row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// A stable path id (`p1/s0/c/o0/k1`), for collapse state across re-evaluations.
    pub id: String,
    /// Nesting depth.
    pub depth: u16,
    /// ✔ / ✘ / –.
    pub mark: Mark,
    /// The text.
    pub text: String,
    /// Where it is in a policy: (policy index, span).
    pub target: Option<(usize, Span)>,
    /// Has children (that may be collapsed).
    pub has_children: bool,
    /// Expanded (meaningful with children).
    pub expanded: bool,
    /// The rule behind the row, explained, and the AWS page that covers it.
    pub explain: Option<(&'static str, &'static str)>,
}

impl Row {
    fn explained(mut self, explain: &'static str, page: &'static str) -> Row {
        self.explain = Some((explain, page));
        self
    }
}

/// View options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeState {
    /// User overrides of the default expansion, by row id.
    pub expanded: HashMap<String, bool>,
    /// Show only the rules and the statements that decided.
    pub deciding_only: bool,
}

struct Builder<'a> {
    rows: Vec<Row>,
    state: &'a TreeState,
}

impl Builder<'_> {
    /// Adds a row; returns whether its children are shown.
    fn push(&mut self, mut row: Row, default_open: bool) -> bool {
        row.expanded =
            row.has_children && *self.state.expanded.get(&row.id).unwrap_or(&default_open);
        let expanded = row.expanded;
        self.rows.push(row);
        expanded
    }
}

/// A row, not yet placed.
fn row(
    id: String,
    depth: u16,
    mark: Mark,
    text: String,
    target: Option<(usize, Span)>,
    has_children: bool,
) -> Row {
    Row {
        id,
        depth,
        mark,
        text,
        target,
        has_children,
        expanded: false,
        explain: None,
    }
}

fn mark(ok: bool) -> Mark {
    if ok { Mark::Pass } else { Mark::Fail }
}

/// The rows of `trace` under `state`; `deciding` are the statements that decided.
pub fn rows(
    trace: &Trace,
    deciding: &[StatementRef],
    why: Option<&WhyNot>,
    fixes: Option<&Suggestions>,
    state: &TreeState,
) -> Vec<Row> {
    let mut b = Builder {
        rows: Vec::new(),
        state,
    };
    // Fixes toward a missed expectation come first and open; fixes that would only
    // flip the decision come after why-not, closed.
    let fixes = fixes.filter(|f| !f.edits.is_empty());
    if let Some(f) = fixes.filter(|f| f.aim_is_expect) {
        fix_rows(&mut b, f, true);
    }
    if let Some(w) = why.filter(|w| !w.items.is_empty()) {
        why_rows(&mut b, w);
    }
    if let Some(f) = fixes.filter(|f| !f.aim_is_expect) {
        fix_rows(&mut b, f, false);
    }
    if b.push(
        row("rules".into(), 0, Mark::None, "Rules".into(), None, true),
        true,
    ) {
        for (i, step) in trace.steps.iter().enumerate() {
            let m = match step.outcome {
                StepOutcome::Pass => Mark::Pass,
                StepOutcome::Fail => Mark::Fail,
                StepOutcome::NotApplicable => Mark::Skip,
            };
            if state.deciding_only && m == Mark::Skip {
                continue;
            }
            let rule = step.rule.label();
            b.push(
                row(
                    format!("rules/{i}"),
                    1,
                    m,
                    format!("{rule}: {}", step.message),
                    None,
                    false,
                )
                .explained(step.rule.explain(), step.doc),
                false,
            );
        }
    }
    if b.push(
        row(
            "policies".into(),
            0,
            Mark::None,
            "Policies".into(),
            None,
            true,
        ),
        true,
    ) {
        for (pi, p) in trace.policies.iter().enumerate() {
            let decides = deciding.iter().any(|d| d.policy == pi);
            if state.deciding_only && !decides {
                continue;
            }
            policy(&mut b, pi, p, deciding);
        }
    }
    b.rows
}

fn policy(b: &mut Builder<'_>, pi: usize, p: &PolicyTrace, deciding: &[StatementRef]) {
    let mut title = format!("{} \"{}\"", p.kind.label(), p.name);
    if let Some(l) = &p.level {
        title.push_str(&format!(" · level {l}"));
    }
    if let Some(a) = &p.attached_to {
        title.push_str(&format!(" · on {a}"));
    }
    if let Some(b) = &p.bound_to {
        // The ARN's resource part (`user/alice`, `role/App`): the account is the
        // request's in nearly every scenario, and the row is narrow.
        let short = crate::policy::principal::split_arn(b).map_or(b.as_str(), |p| p[5]);
        title.push_str(&format!(" · for {short}"));
    }
    if let Some(why) = &p.not_applied_because {
        b.push(
            row(
                format!("p{pi}"),
                1,
                Mark::Skip,
                format!(
                    "{title}: not applied ({why}){}",
                    crate::trace::unresolved_mark(&p.unresolved)
                ),
                None,
                false,
            ),
            false,
        );
        return;
    }
    let any = p.statements.iter().any(|s| s.applies);
    if !b.push(
        row(
            format!("p{pi}"),
            1,
            mark(any),
            title,
            None,
            !p.statements.is_empty(),
        ),
        true,
    ) {
        return;
    }
    for s in &p.statements {
        let decides = deciding
            .iter()
            .any(|d| d.policy == pi && d.statement == s.index);
        if b.state.deciding_only && !decides {
            continue;
        }
        statement(b, pi, s, decides);
    }
}

fn statement(b: &mut Builder<'_>, pi: usize, s: &StatementTrace, decides: bool) {
    let effect = s.effect.word();
    let verdict = if s.applies {
        "applies"
    } else {
        "does not apply"
    };
    let star = if decides { " ★ decided" } else { "" };
    let id = format!("p{pi}/s{}", s.index);
    let text = format!("{} {effect}: {verdict}{star}", s.title());
    if !b.push(
        row(
            id.clone(),
            2,
            mark(s.applies),
            text,
            Some((pi, s.span)),
            true,
        ),
        s.applies || decides,
    ) {
        return;
    }
    element(b, &format!("{id}/a"), pi, &s.action);
    if let Some(r) = &s.resource {
        element(b, &format!("{id}/r"), pi, r);
    }
    if let Some(p) = &s.principal {
        element(b, &format!("{id}/p"), pi, p);
    }
    match (&s.condition, s.condition_skipped) {
        (Some(c), _) => condition(b, &format!("{id}/c"), pi, c),
        (None, Some(why)) => {
            b.push(
                row(
                    format!("{id}/c"),
                    3,
                    Mark::Skip,
                    format!("Condition {why}"),
                    None,
                    false,
                ),
                false,
            );
        }
        _ => {}
    }
}

fn element(b: &mut Builder<'_>, id: &str, pi: usize, m: &MatchTrace) {
    let text = format!("{} vs {}", m.element, m.request_value);
    if !b.push(
        row(
            id.to_string(),
            3,
            mark(m.matched),
            text,
            Some((pi, m.span)),
            !m.entries.is_empty(),
        ),
        !m.matched,
    ) {
        return;
    }
    for (i, e) in m.entries.iter().enumerate() {
        let mut text = e.describe();
        if let Some(c) = e.choice {
            text.push_str(&format!(" {}", c.describe()));
        }
        b.push(
            row(
                format!("{id}/{i}"),
                4,
                mark(e.matched),
                text,
                Some((pi, e.span)),
                false,
            ),
            false,
        );
    }
}

fn condition(b: &mut Builder<'_>, id: &str, pi: usize, c: &ConditionTrace) {
    if !b.push(
        row(
            id.to_string(),
            3,
            mark(c.holds),
            "Condition: every operator must hold".into(),
            None,
            true,
        ),
        true,
    ) {
        return;
    }
    for (oi, op) in c.operators.iter().enumerate() {
        let oid = format!("{id}/o{oi}");
        if !b.push(
            row(
                oid.clone(),
                4,
                mark(op.holds),
                format!("{}: every key must hold", op.operator),
                Some((pi, op.span)),
                true,
            ),
            true,
        ) {
            continue;
        }
        for (ki, k) in op.keys.iter().enumerate() {
            let mut text = format!(
                "{} = {} → {}{}",
                k.key,
                k.values_text(),
                k.rule.describe(),
                crate::trace::unresolved_mark(&k.unresolved)
            );
            if let Some(ch) = k.choice {
                text.push_str(&format!(" {}", ch.describe()));
            }
            let kid = format!("{oid}/k{ki}");
            if !b.push(
                row(
                    kid.clone(),
                    5,
                    mark(k.holds),
                    text,
                    Some((pi, k.span)),
                    !k.comparisons.is_empty(),
                )
                .explained(k.rule.explain(), k.doc),
                true,
            ) {
                continue;
            }
            for (ci, cmp) in k.comparisons.iter().enumerate() {
                let mut text = cmp.describe();
                if let Some(ch) = cmp.choice {
                    text.push_str(&format!(" {}", ch.describe()));
                }
                b.push(
                    row(
                        format!("{kid}/{ci}"),
                        6,
                        // "=" or "≠" is in the text: a ✔/✘ here would read as the
                        // key's verdict, which negation can turn around.
                        Mark::None,
                        text,
                        Some((pi, cmp.span)),
                        false,
                    ),
                    false,
                );
            }
        }
    }
}

/// The id of fix `i`'s row (the apply key applies the fix whose row is selected).
fn fix_row_id(i: usize) -> String {
    format!("fix/{i}")
}

/// The fix a row belongs to (its own row or one of its text rows), from the row's id.
pub fn fix_of_row(id: &str) -> Option<usize> {
    let rest = id.strip_prefix("fix/")?;
    rest.split('/').next()?.parse().ok()
}

/// The policy edits that give the request its wanted decision, best first: each with
/// what it does to every request, and the text it replaces and puts in.
fn fix_rows(b: &mut Builder<'_>, f: &Suggestions, open: bool) {
    let title = format!(
        "Fix: policy edits that give it {}{}",
        f.aim.label(),
        if f.aim_is_expect {
            " (its expected decision)"
        } else {
            ""
        }
    );
    if !b.push(row("fix".into(), 0, Mark::None, title, None, true), open) {
        return;
    }
    for (i, e) in f.edits.iter().enumerate() {
        let id = fix_row_id(i);
        let target = Some((
            e.policy_index,
            Span {
                start: e.at.start as u64,
                end: e.at.end as u64,
                line: e.at.line as u64,
                column: u32::try_from(e.at.column).unwrap_or(u32::MAX),
                source: crate::source::SourceId::FILE,
            },
        ));
        let text = format!(
            "{}. {} ({} {}): {}",
            i + 1,
            e.description,
            e.policy,
            e.statement,
            e.summary
        );
        if !b.push(row(id.clone(), 1, Mark::None, text, target, true), false) {
            continue;
        }
        let one_line = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
        for (k, (word, t)) in [("was", &e.before), ("now", &e.after)]
            .into_iter()
            .enumerate()
        {
            b.push(
                row(
                    format!("{id}/{k}"),
                    2,
                    Mark::None,
                    format!("{word}: {}", one_line(t)),
                    target,
                    false,
                ),
                false,
            );
        }
    }
}

/// The why-not report as rows, above the rules.
fn why_rows(b: &mut Builder<'_>, w: &WhyNot) {
    let title = match w.question {
        Question::ClosestAllows => "Why not: the Allows that came closest",
        Question::DeniesThatFired => "Why not: the Denies that fired",
        Question::DeniesThatCouldFire => "What would deny it",
        Question::AwsRule => "Why: an AWS rule decides, whatever the policies say",
    };
    if !b.push(
        row("why".into(), 0, Mark::None, title.into(), None, true),
        true,
    ) {
        return;
    }
    for (i, item) in w.items.iter().enumerate() {
        let id = format!("why/{i}");
        let text = match item.decision_with_all {
            Some(d) => format!("{} — with all changes: {}", item.label, d.label()),
            None => item.label.clone(),
        };
        let target = Some((item.statement.policy, item.statement.span));
        if !b.push(row(id.clone(), 1, Mark::None, text, target, true), i == 0) {
            continue;
        }
        for (fi, f) in item.findings.iter().enumerate() {
            let after = f
                .decision_after
                .map(|d| format!(" ⇒ {}", d.label()))
                .unwrap_or_default();
            b.push(
                row(
                    format!("{id}/{fi}"),
                    2,
                    Mark::None,
                    format!("{}: {} — change: {}{after}", f.part, f.found, f.suggestion),
                    target,
                    false,
                ),
                false,
            );
        }
    }
}
