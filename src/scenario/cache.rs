//! Each policy's parse and its statements' lint findings, kept between evaluations of a
//! scenario being edited: a keystroke in a policy of a thousand statements parses and
//! lints the statement it is in, not the thousand (see [`crate::policy::incremental`]).
//! What comes out is what [`compile_sources`](super::compile_sources) and
//! [`lint_compiled`](crate::lint::lint_compiled) give on the same scenario.

use super::compile::compile_with;
use super::{PolicySource, Scenario};
use crate::lint::{Finding, FixEdit, StatementFindings};
use crate::policy::incremental::{ParsedPolicy, Reuse};
use crate::policy::{PolicyKind, PolicySet};
use crate::source::Diagnostic;

/// One source's kept parse and findings.
#[derive(Debug, Clone)]
struct Entry {
    /// What the findings depend on besides the text.
    kind: PolicyKind,
    attached_to: Option<String>,
    parsed: ParsedPolicy,
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
            match self.entries.get_mut(i) {
                Some(e) if same_place(e, src) && e.parsed.context() == ctx => {
                    let findings = &mut self.findings[i];
                    match e.parsed.update(&src.text) {
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
                    e.parsed.result()
                }
                _ => {
                    self.counts.1 += 1;
                    let entry = Entry {
                        kind: src.kind,
                        attached_to: src.attached_to.clone(),
                        parsed: ParsedPolicy::new(&src.text, ctx),
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
