//! Each policy's parse and its statements' lint findings, kept between evaluations of a
//! scenario being edited: a keystroke in a policy of a thousand statements parses and
//! lints the statement it is in, not the thousand (see [`crate::policy::incremental`]).
//! What comes out is what [`compile_sources`](super::compile_sources) and
//! [`lint_compiled`](crate::lint::lint_compiled) give on the same scenario.

use super::compile::compile_with;
use super::{DocumentForm, PolicySource, Scenario};
use crate::lint::{Finding, FixEdit, StatementFindings};
use crate::policy::incremental::{ParsedPolicy, Reuse};
use crate::policy::{ParseContext, Policy, PolicyKind, PolicySet};
use crate::source::Diagnostic;

/// One source's kept parse and findings.
#[derive(Debug, Clone)]
struct Entry {
    /// What the findings depend on besides the text.
    kind: PolicyKind,
    attached_to: Option<String>,
    parsed: Parsed,
}

/// A kept parse: JSON policy text statement by statement, or a template's document
/// whole (it is read with the template, and small).
#[derive(Debug, Clone)]
enum Parsed {
    Json(ParsedPolicy),
    Template {
        text: String,
        context: ParseContext,
        result: Result<Policy, Vec<Diagnostic>>,
    },
}

impl Parsed {
    fn new(scenario: &Scenario, src: &PolicySource, ctx: ParseContext) -> Self {
        if src.form == DocumentForm::Template {
            Parsed::Template {
                text: src.text.clone(),
                context: ctx,
                result: scenario.parse_source(src, ctx),
            }
        } else {
            Parsed::Json(ParsedPolicy::new(&src.text, ctx))
        }
    }

    fn context(&self) -> ParseContext {
        match self {
            Parsed::Json(p) => p.context(),
            Parsed::Template { context, .. } => *context,
        }
    }

    fn result(&self) -> Result<Policy, Vec<Diagnostic>> {
        match self {
            Parsed::Json(p) => p.result(),
            Parsed::Template { result, .. } => result.clone(),
        }
    }
}

/// Parses and statement findings kept per source (index-aligned with a scenario's
/// sources); a source whose type or placement changed is parsed anew.
#[derive(Debug, Clone, Default)]
pub struct PolicyCache {
    entries: Vec<Entry>,
    /// Each entry's statements' own lint findings.
    findings: Vec<StatementFindings>,
    /// Statements parsed on their own and policies parsed whole, for tests that count
    /// work.
    counts: (usize, usize),
}

impl PolicyCache {
    /// [`compile_sources`](super::compile_sources), parsing again only what changed
    /// since the last call.
    pub fn compile(&mut self, scenario: &Scenario) -> (PolicySet, Vec<Vec<Diagnostic>>) {
        let n = scenario.sources.len();
        self.entries.truncate(n);
        self.findings.truncate(n);
        compile_with(scenario, |i, src, ctx| {
            let kept = self
                .entries
                .get_mut(i)
                .filter(|e| same_place(e, src) && e.parsed.context() == ctx);
            match kept.map(|e| &mut e.parsed) {
                Some(Parsed::Json(parsed)) if src.form != DocumentForm::Template => {
                    let findings = &mut self.findings[i];
                    match parsed.update(&src.text) {
                        Reuse::Unchanged => {}
                        Reuse::Statement { index, shift } => {
                            self.counts.0 += 1;
                            // That statement's findings are found again; the later
                            // ones' move with their statements.
                            if let Some(kept) = findings.get_mut(index) {
                                *kept = None;
                            }
                            for kept in findings.iter_mut().skip(index + 1).flatten() {
                                for f in kept {
                                    shift.apply(&mut f.span);
                                    // The fix's own places move too (Ctrl+R edits
                                    // there).
                                    match &mut f.edit {
                                        Some(
                                            FixEdit::RenameOperator { at, .. }
                                            | FixEdit::ReplaceString { at, .. },
                                        ) => shift.apply(at),
                                        Some(FixEdit::AddCondition { statement, .. }) => {
                                            shift.apply(statement)
                                        }
                                        Some(FixEdit::SetVersion) | None => {}
                                    }
                                }
                            }
                        }
                        Reuse::Whole => {
                            self.counts.1 += 1;
                            findings.clear();
                        }
                    }
                    parsed.result()
                }
                Some(Parsed::Template { text, result, .. })
                    if src.form == DocumentForm::Template && *text == src.text =>
                {
                    result.clone()
                }
                _ => {
                    self.counts.1 += 1;
                    let entry = Entry {
                        kind: src.kind,
                        attached_to: src.attached_to.clone(),
                        parsed: Parsed::new(scenario, src, ctx),
                    };
                    let result = entry.parsed.result();
                    if i < self.entries.len() {
                        self.entries[i] = entry;
                        self.findings[i] = Vec::new();
                    } else {
                        self.entries.push(entry);
                        self.findings.push(Vec::new());
                    }
                    result
                }
            }
        })
    }

    /// [`lint_compiled`](crate::lint::lint_compiled) on what [`Self::compile`] just
    /// returned for `scenario`, linting again only the statements parsed again.
    pub fn lint(
        &mut self,
        scenario: &Scenario,
        set: &PolicySet,
        errors: &[Vec<Diagnostic>],
    ) -> Vec<Vec<Finding>> {
        crate::lint::lint_compiled_kept(scenario, set, errors, &mut self.findings)
    }

    /// How many times a statement was parsed on its own, and a policy whole.
    pub fn counts(&self) -> (usize, usize) {
        self.counts
    }
}

fn same_place(e: &Entry, src: &PolicySource) -> bool {
    e.kind == src.kind && e.attached_to == src.attached_to
}
