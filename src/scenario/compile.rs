//! Building a policy set from policy texts as an editor holds them: each text parsed on
//! its own (positions relative to that text), errors kept per policy.

use super::{DocumentForm, PolicySource, Scenario};
use crate::policy::{
    AttachedTo, BoundPrincipal, ParseContext, Policy, PolicyEntry, PolicyKind, PolicySet,
    parse_policy_text,
};
use crate::source::Diagnostic;

/// True when a resource policy attached to `attached_to` is a role trust policy.
pub fn is_trust_policy(kind: PolicyKind, attached_to: Option<&str>) -> bool {
    kind == PolicyKind::Resource
        && attached_to.is_some_and(|a| {
            a.starts_with("arn:") && a.split(':').nth(2) == Some("iam") && a.contains(":role/")
        })
}

/// True when a resource policy attached to `attached_to` may leave Resource out: a
/// role trust policy, or an ECR repository policy (whose statements never name one).
pub fn resource_implied(kind: PolicyKind, attached_to: Option<&str>) -> bool {
    is_trust_policy(kind, attached_to)
        || (kind == PolicyKind::Resource
            && attached_to.is_some_and(|a| {
                a.starts_with("arn:")
                    && a.split(':').nth(2) == Some("ecr")
                    && a.contains(":repository/")
            }))
}

impl PolicySource {
    /// `text` parsed as this source's policy: its type, and whether what it is attached
    /// to lets it omit Resource (positions relative to `text`).
    pub fn parse_text(&self, text: &str) -> Result<crate::policy::Policy, Vec<Diagnostic>> {
        parse_policy_text(
            text,
            ParseContext {
                kind: self.kind,
                resource_implied: resource_implied(self.kind, self.attached_to.as_deref()),
            },
        )
    }
}

/// Parses every source of `scenario` from its text. Returns the set built from the
/// valid ones and, index-aligned with `scenario.sources`, each one's errors.
pub fn compile_sources(scenario: &Scenario) -> (PolicySet, Vec<Vec<Diagnostic>>) {
    compile_with(scenario, |_, src, ctx| scenario.parse_source(src, ctx))
}

impl Scenario {
    /// Source `src`'s text parsed as its policy of context `ctx` (positions in the
    /// text): a template's document with its template, any other as JSON policy text.
    pub fn parse_source(
        &self,
        src: &PolicySource,
        ctx: ParseContext,
    ) -> Result<Policy, Vec<Diagnostic>> {
        match (src.form, &self.template) {
            (DocumentForm::Template, Some(t)) => t.parse(&src.text, ctx),
            (DocumentForm::Template, None) => Err(vec![Diagnostic::error(
                crate::iac::assemble::FILE_START,
                "a template's policy document, read without its template",
            )]),
            _ => parse_policy_text(&src.text, ctx),
        }
    }
}

/// The parse context of a source.
pub fn parse_context(src: &PolicySource) -> ParseContext {
    ParseContext {
        kind: src.kind,
        resource_implied: resource_implied(src.kind, src.attached_to.as_deref()),
    }
}

/// [`compile_sources`] with each source's parse from `parse` (source index, source,
/// its context), which may keep parses between calls ([`super::PolicyCache`]).
pub(super) fn compile_with(
    scenario: &Scenario,
    mut parse: impl FnMut(usize, &PolicySource, ParseContext) -> Result<Policy, Vec<Diagnostic>>,
) -> (PolicySet, Vec<Vec<Diagnostic>>) {
    let mut set = PolicySet {
        policies: Vec::with_capacity(scenario.sources.len()),
        scp_levels: scenario.set.scp_levels.clone(),
        rcp_levels: scenario.set.rcp_levels.clone(),
        management_account: scenario.set.management_account.clone(),
        rcp_services: scenario.set.rcp_services.clone(),
    };
    let mut errors = Vec::with_capacity(scenario.sources.len());
    let names = display_names(&scenario.sources);
    for (i, (src, name)) in scenario.sources.iter().zip(names).enumerate() {
        match parse(i, src, parse_context(src)) {
            Ok(policy) => {
                errors.push(Vec::new());
                set.policies.push(PolicyEntry {
                    kind: src.kind,
                    name: name.into(),
                    level: src.level,
                    attached_to: src.attached_to.as_deref().map(AttachedTo::new),
                    principal: src.principal.as_deref().and_then(BoundPrincipal::new),
                    policy,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    (set, errors)
}

/// [`display_name`] of every source, in one pass (calling it for each source would
/// count the earlier ones again each time).
pub fn display_names(sources: &[PolicySource]) -> Vec<String> {
    let mut seen = [0usize; PolicyKind::ALL.len()];
    sources
        .iter()
        .map(|src| {
            let n = &mut seen[src.kind as usize];
            *n += 1;
            src.name
                .clone()
                .unwrap_or_else(|| format!("{} {n}", src.kind.label()))
        })
        .collect()
}

/// The name shown for source `i`: its own, or its type and position among its type.
pub fn display_name(sources: &[PolicySource], i: usize) -> String {
    let src: &PolicySource = &sources[i];
    src.name.clone().unwrap_or_else(|| {
        let n = sources[..i].iter().filter(|s| s.kind == src.kind).count() + 1;
        format!("{} {n}", src.kind.label())
    })
}
