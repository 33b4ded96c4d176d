//! The Trace as an indented text tree for people: the decision, the rules applied,
//! then every policy → statement → element → operator → key → value compared, each
//! with ✔/✘ and the reason in words. Colour is optional (ANSI).
//!
//! Every name and value from the policies and the request is written through [`u`]
//! (escaped for the terminal: a Sid may hold an escape sequence); the only escape
//! sequences in the output are this module's colours.

use super::*;
use crate::safe_text::for_terminal as u;
use std::fmt::Write;

/// Rendering options.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Use ANSI colours.
    pub color: bool,
}

struct Out<'m> {
    s: String,
    color: bool,
    /// Where spans are, when known: a statement in another file (a template a scenario
    /// takes policies from) is said to be there.
    map: Option<&'m crate::source::SourceMap>,
}

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Out<'_> {
    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    fn mark(&self, ok: bool) -> String {
        if ok {
            self.paint(GREEN, "✔")
        } else {
            self.paint(RED, "✘")
        }
    }

    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.s.push_str("  ");
        }
        self.s.push_str(text);
        self.s.push('\n');
    }
}

/// The colour of a decision.
fn decision_style(d: Decision) -> &'static str {
    match d {
        Decision::Allow => GREEN,
        Decision::ExplicitDeny => RED,
        Decision::ImplicitDeny => YELLOW,
    }
}

/// Renders the decision line: `Explicit deny — Denied by …`.
pub fn decision_line(trace: &Trace, opts: TextOptions) -> String {
    let o = Out {
        s: String::new(),
        color: opts.color,
        map: None,
    };
    let badge = o.paint(
        &format!("{BOLD}{}", decision_style(trace.decision)),
        trace.decision.label(),
    );
    let mut line = format!("{badge} — {}", u(&trace.reason));
    if let Some(un) = trace.unresolved.as_ref().filter(|un| un.depends) {
        let _ = write!(
            line,
            " {}",
            o.paint(YELLOW, &format!("? {}", u(&un.describe())))
        );
    }
    line
}

/// Renders the whole trace, indented by `depth` levels.
pub fn render(trace: &Trace, opts: TextOptions, depth: usize) -> String {
    render_in(trace, opts, depth, None)
}

/// [`render`], each statement's line placed with `map` (the scenario's
/// [`crate::source::SourceMap`]): one in another file says that file's path.
pub fn render_in(
    trace: &Trace,
    opts: TextOptions,
    depth: usize,
    map: Option<&crate::source::SourceMap>,
) -> String {
    let mut o = Out {
        s: String::new(),
        color: opts.color,
        map,
    };
    let r = &trace.request;
    let account = |a: &Option<String>| a.clone().unwrap_or_else(|| "none".into());
    o.line(depth, &decision_line(trace, opts));
    if let Some(un) = trace.unresolved.as_ref().filter(|un| !un.depends) {
        let line = o.paint(DIM, &format!("? {}", u(&un.describe())));
        o.line(depth, &line);
    }
    o.line(
        depth,
        &format!(
            "{} ({}, account {}) → {} on {} (account {}, {}{})",
            u(&r.principal),
            r.principal_kind,
            u(&account(&r.principal_account)),
            u(&r.action),
            u(&r.resource),
            u(&account(&r.resource_account)),
            if r.resource_account_source == "principal_account" && r.resource.starts_with("arn:") {
                "taken to be the caller's, "
            } else {
                ""
            },
            r.relation.label()
        ),
    );
    o.line(depth, &o.paint(BOLD, "Rules"));
    for step in &trace.steps {
        let mark = match step.outcome {
            StepOutcome::Pass => o.mark(true),
            StepOutcome::Fail => o.mark(false),
            StepOutcome::NotApplicable => o.paint(DIM, "–"),
        };
        o.line(
            depth + 1,
            &format!("{mark} {}: {}", step.rule.label(), u(&step.message)),
        );
    }
    o.line(depth, &o.paint(BOLD, "Policies"));
    for p in &trace.policies {
        policy(&mut o, p, depth + 1);
    }
    cited(&mut o, trace, depth);
    o.s
}

/// Each rule the trace cites, once, explained, with the AWS page that covers it.
fn cited(o: &mut Out, trace: &Trace, depth: usize) {
    let mut seen: Vec<(&'static str, &'static str)> = Vec::new();
    for s in &trace.steps {
        if s.outcome != StepOutcome::NotApplicable {
            seen.push((s.rule.explain(), s.doc));
        }
    }
    for p in &trace.policies {
        for s in &p.statements {
            for op in s.condition.iter().flat_map(|c| &c.operators) {
                for k in &op.keys {
                    seen.push((k.rule.explain(), k.doc));
                }
            }
        }
    }
    let mut unique: Vec<(&str, &str)> = Vec::new();
    for r in seen {
        if !unique.contains(&r) {
            unique.push(r);
        }
    }
    if unique.is_empty() {
        return;
    }
    o.line(depth, &o.paint(BOLD, "Rules cited"));
    for (explain, doc) in unique {
        let page = o.paint(DIM, &format!("(AWS docs: {doc})"));
        o.line(depth + 1, &format!("• {explain} {page}"));
    }
}

fn policy(o: &mut Out, p: &PolicyTrace, depth: usize) {
    let mut title = format!("{} \"{}\"", p.kind.label(), u(&p.name));
    if let Some(l) = &p.level {
        let _ = write!(title, " at level {}", u(l));
    }
    if let Some(a) = &p.attached_to {
        let _ = write!(title, " attached to {}", u(a));
    } else if p.kind == PolicyKind::Resource {
        // No attachedTo (a bare document, or AWS output that does not name its
        // resource): it takes part in every request, as the resource's own policy.
        title.push_str(" on the request's resource (no attachedTo)");
    }
    if let Some(b) = &p.bound_to {
        let _ = write!(title, " for {}", u(b));
    }
    if let Some(why) = &p.not_applied_because {
        let line = o.paint(
            DIM,
            &format!(
                "– {title}: not applied ({}){}",
                u(why),
                u(&unresolved_mark(&p.unresolved))
            ),
        );
        o.line(depth, &line);
        return;
    }
    o.line(depth, &title);
    for s in &p.statements {
        statement(o, s, depth + 1);
    }
}

fn statement(o: &mut Out, s: &StatementTrace, depth: usize) {
    let effect = s.effect.word();
    let verdict = if s.applies {
        format!("applies → {effect}")
    } else {
        "does not apply".to_string()
    };
    // A policy decoded from a string of the file: the line is in the decoded text.
    let file = o
        .map
        .and_then(|m| m.file_of(&s.span))
        .map(|f| format!("{} ", u(&f.path)))
        .unwrap_or_default();
    let decoded = if s.span.source.is_file() || o.map.and_then(|m| m.file(s.span.source)).is_some()
    {
        ""
    } else {
        "decoded "
    };
    let head = format!(
        "{} {} ({effect}, {file}{decoded}line {}): {verdict}",
        o.mark(s.applies),
        u(&s.title()),
        s.span.line
    );
    o.line(depth, &head);
    element(o, &s.action, depth + 1);
    if let Some(r) = &s.resource {
        element(o, r, depth + 1);
    }
    if let Some(p) = &s.principal {
        element(o, p, depth + 1);
    }
    if let Some(c) = &s.condition {
        let head = format!("{} Condition (all operators must hold)", o.mark(c.holds));
        o.line(depth + 1, &head);
        for op in &c.operators {
            operator(o, op, depth + 2);
        }
    } else if let Some(why) = s.condition_skipped {
        let line = o.paint(DIM, &format!("– Condition {why}"));
        o.line(depth + 1, &line);
    }
}

fn element(o: &mut Out, m: &MatchTrace, depth: usize) {
    let negated = m.element.starts_with("Not");
    let matched_entries: Vec<&EntryTrace> = m.entries.iter().filter(|e| e.matched).collect();
    let summary = if negated {
        if matched_entries.is_empty() {
            format!(
                "{} lists nothing matching {} → applies",
                m.element,
                u(&m.request_value)
            )
        } else if m.matched {
            // Listed, yet applies: the NotPrincipal-with-boundary rule (see the entry note).
            format!(
                "{} lists {}, but cannot exempt it → applies",
                m.element,
                u(&m.request_value)
            )
        } else {
            format!(
                "{} lists {} → does not apply",
                m.element,
                u(&m.request_value)
            )
        }
    } else if matched_entries.is_empty() {
        format!("{}: nothing matches {}", m.element, u(&m.request_value))
    } else {
        format!("{}: matches {}", m.element, u(&m.request_value))
    };
    o.line(depth, &format!("{} {summary}", o.mark(m.matched)));
    for e in &m.entries {
        let mut text = format!("{} {}", o.mark(e.matched), u(&e.describe()));
        if let Some(c) = e.choice {
            let _ = write!(text, " {}", o.paint(DIM, c.describe()));
        }
        o.line(depth + 1, &text);
    }
}

fn operator(o: &mut Out, op: &OperatorTrace, depth: usize) {
    let head = format!(
        "{} {} (all keys must hold)",
        o.mark(op.holds),
        u(&op.operator)
    );
    o.line(depth, &head);
    for k in &op.keys {
        let values = match &k.request_values {
            None => "missing from the request".to_string(),
            Some(_) => format!("= {}", u(&k.values_text())),
        };
        let head = format!(
            "{} {} {values} → {}{}",
            o.mark(k.holds),
            u(&k.key),
            u(k.rule.describe()),
            u(&unresolved_mark(&k.unresolved))
        );
        o.line(depth + 1, &head);
        if let Some(c) = k.choice {
            let line = o.paint(DIM, c.describe());
            o.line(depth + 2, &line);
        }
        for c in &k.comparisons {
            let mut text = u(&c.describe()).into_owned();
            if let Some(ch) = c.choice {
                let _ = write!(text, " {}", o.paint(DIM, ch.describe()));
            }
            o.line(depth + 2, &text);
        }
    }
}
