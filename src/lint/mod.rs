//! Policy lint: what AWS would reject or what is likely a mistake, found with the
//! service catalog (unknown actions, condition keys the actions do not support,
//! operators that do not fit a key's type) and with the policy language's pitfalls
//! (ForAllValues on a missing key, a `NotIpAddress aws:SourceIp` Deny that also stops
//! calls AWS services make for you). Findings are graded as IAM Access Analyzer grades
//! its own: error, security warning, warning, suggestion.

mod checks;
pub mod escalation;
pub mod help;

use crate::policy::{Policy, PolicyKind};
use crate::scenario::{Scenario, compile_sources, display_names, is_trust_policy};
use crate::source::Span;
use serde::Serialize;

/// How serious a finding is (Access Analyzer's grades).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// AWS rejects the policy, or the policy cannot do what it says.
    Error,
    /// The policy grants more than it seems to, or denies more than meant.
    SecurityWarning,
    /// Likely a mistake.
    Warning,
    /// Could be written better.
    Suggestion,
}

impl Severity {
    /// For people: `error`, `security warning`, `warning`, `suggestion`.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::SecurityWarning => "security warning",
            Severity::Warning => "warning",
            Severity::Suggestion => "suggestion",
        }
    }
}

/// A kind of finding: its code, grade and a one-line summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable code, `kebab-case`.
    pub code: &'static str,
    /// Its grade.
    pub severity: Severity,
    /// What it finds, in one line.
    pub summary: &'static str,
}

const fn rule(code: &'static str, severity: Severity, summary: &'static str) -> Rule {
    Rule {
        code,
        severity,
        summary,
    }
}

use Severity::{Error as E, SecurityWarning as SW, Suggestion as S, Warning as W};

/// Every rule, in the order the checks run.
pub const RULES: &[Rule] = &[
    rule("invalid-policy", E, "the policy does not parse or validate"),
    rule(
        "unknown-service",
        E,
        "the action's service prefix is not an AWS service",
    ),
    rule("unknown-action", E, "the service has no such action"),
    rule(
        "not-in-reference",
        W,
        "a service, action or key AWS uses that the service reference lacks (a gap in the reference)",
    ),
    rule(
        "no-matching-action",
        E,
        "an action pattern matches no action",
    ),
    rule(
        "redundant-action",
        S,
        "an action is already covered by another entry of the statement",
    ),
    rule(
        "unknown-global-key",
        E,
        "an aws: condition key that AWS does not define",
    ),
    rule(
        "unknown-condition-key",
        E,
        "a service condition key that the service does not define",
    ),
    rule(
        "key-not-for-actions",
        W,
        "a condition key that none of the statement's actions supports",
    ),
    rule(
        "key-unlisted-for-actions",
        S,
        "a condition key the service reference does not list for the statement's actions, where the reference is known to be incomplete",
    ),
    rule(
        "operator-type-mismatch",
        W,
        "an operator whose type does not fit the key's type",
    ),
    rule(
        "wildcard-without-like",
        W,
        "* or ? in a StringEquals value (they are compared as themselves)",
    ),
    rule(
        "private-source-ip",
        E,
        "aws:SourceIp compared with private ranges only (it never holds one)",
    ),
    rule(
        "plain-operator-multivalued-key",
        E,
        "a plain operator on a multi-valued key (use ForAnyValue or ForAllValues)",
    ),
    rule(
        "forallvalues-single-valued-key",
        SW,
        "ForAllValues on a single-valued key (it also holds when the key is missing)",
    ),
    rule(
        "foranyvalue-single-valued-key",
        S,
        "ForAnyValue on a single-valued key (not needed)",
    ),
    rule(
        "forallvalues-allow-without-null",
        SW,
        "ForAllValues in an Allow holds when the key is missing: add a Null guard",
    ),
    rule(
        "allow-not-action",
        SW,
        "Allow with NotAction allows every other action, of every service",
    ),
    rule(
        "allow-not-resource",
        SW,
        "Allow with NotResource allows every other resource",
    ),
    rule(
        "resource-star",
        W,
        "Resource \"*\" where every action can be limited to resources",
    ),
    rule("passrole-star", SW, "iam:PassRole on every role"),
    rule(
        "privilege-escalation",
        SW,
        "actions that together let a principal gain permissions it was not granted (a known escalation path)",
    ),
    rule(
        "resource-type-mismatch",
        W,
        "an action none of the statement's resources can serve (the wrong resource type, or resources named for an action that takes only \"*\")",
    ),
    rule(
        "arn-format",
        E,
        "a resource ARN whose partition, region or account cannot be (a well-formed region AWS's table does not list is a warning)",
    ),
    rule(
        "deny-source-network-without-service-guard",
        SW,
        "a Deny on the caller's network also stops calls AWS services make for you",
    ),
    rule(
        "principal-star-allow",
        SW,
        "a resource policy allows everyone, with no condition",
    ),
    rule(
        "missing-version",
        W,
        "no Version: the policy is read as 2008-10-17",
    ),
    rule(
        "duplicate-sid",
        E,
        "two statements share a Sid (an error in IAM policies, a warning elsewhere)",
    ),
    rule(
        "invalid-sid",
        E,
        "a Sid with characters AWS does not accept here",
    ),
    rule(
        "policy-too-large",
        E,
        "the policy is larger than AWS allows for its type (a warning for identity policies, whose limit depends on how they are attached)",
    ),
    rule(
        "rcp-allow",
        E,
        "an RCP statement with Allow (AWS's full-access RCP is the only Allow)",
    ),
    rule("rcp-not-action", E, "an RCP statement with NotAction"),
    rule(
        "variables-in-2008-policy",
        E,
        "a policy variable under Version 2008-10-17 (or none) is literal text",
    ),
];

/// The rule with this code.
pub fn rule_for(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's code.
    pub code: &'static str,
    /// Its grade.
    pub severity: Severity,
    /// What is wrong here, and why.
    pub message: String,
    /// Where (in the policy text).
    pub span: Span,
    /// What to write instead, when there is one thing to say.
    pub fix: Option<String>,
    /// The fix as an edit the TUI can make by itself (Ctrl+R), when it is mechanical.
    #[serde(skip)]
    pub edit: Option<FixEdit>,
}

/// A finding's fix as an edit of the policy's text, in terms of the parsed policy;
/// `analysis::fixes::lint_fix` turns it into bytes of the text, keeping its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixEdit {
    /// The condition operator member written at `at` renamed `to`.
    RenameOperator {
        /// The operator's member (key and value).
        at: Span,
        /// The new operator name.
        to: String,
    },
    /// `"operator": {"key": "value"}` added to the Condition of the statement at
    /// `statement` (into the operator's object when the Condition has it already).
    AddCondition {
        /// The statement object.
        statement: Span,
        /// The operator.
        operator: String,
        /// The condition key.
        key: String,
        /// Its one value.
        value: String,
    },
    /// The JSON string written at `at` replaced by the string `to`.
    ReplaceString {
        /// The string token (quotes included).
        at: Span,
        /// The new string's value.
        to: String,
    },
    /// The document's `"Version"` set to `"2012-10-17"` (added first when missing).
    SetVersion,
}

impl Finding {
    fn new(code: &'static str, span: Span, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: rule_for(code).map_or(Severity::Warning, |r| r.severity),
            message: message.into(),
            span,
            fix: None,
            edit: None,
        }
    }

    fn with_fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    fn with_edit(self, edit: FixEdit) -> Finding {
        self.with_edit_if(true, edit)
    }

    fn with_edit_if(mut self, when: bool, edit: FixEdit) -> Finding {
        if when {
            self.edit = Some(edit);
        }
        self
    }
}

/// Where a policy is used, for the checks that depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LintContext {
    /// The policy type.
    pub kind: PolicyKind,
    /// A role trust policy.
    pub trust_policy: bool,
}

impl LintContext {
    /// Where a scenario's policy is used.
    pub fn of(src: &crate::scenario::PolicySource) -> LintContext {
        LintContext {
            kind: src.kind,
            trust_policy: is_trust_policy(src.kind, src.attached_to.as_deref()),
        }
    }
}

/// Lints one parsed policy; `text` is its text (for the size check). Findings are in
/// text order.
pub fn lint_policy(policy: &Policy, text: &str, ctx: LintContext) -> Vec<Finding> {
    lint_one(policy, text, ctx).0
}

/// Each statement's own findings (the checks that look at one statement), kept
/// between lints of an edited policy: index-aligned with its statements, `None` where
/// not found yet. [`crate::scenario::PolicyCache`] moves them through edits.
pub type StatementFindings = Vec<Option<Vec<Finding>>>;

/// [`lint_policy`], and what the policy grants of the escalation sets (see
/// [`checks::run_kept`]), so that the check across policies does not look again.
fn lint_one(
    policy: &Policy,
    text: &str,
    ctx: LintContext,
) -> (Vec<Finding>, Option<Option<escalation::Grants>>) {
    lint_one_kept(policy, text, ctx, &mut Vec::new())
}

/// [`lint_one`], each statement's own findings taken from (and kept in) `kept`.
fn lint_one_kept(
    policy: &Policy,
    text: &str,
    ctx: LintContext,
    kept: &mut StatementFindings,
) -> (Vec<Finding>, Option<Option<escalation::Grants>>) {
    let (mut out, grants) = checks::run_kept(policy, ctx, kept);
    if let Some(m) = crate::policy::limits::over_limit(text, ctx.kind, ctx.trust_policy) {
        let identity = matches!(ctx.kind, PolicyKind::Identity | PolicyKind::Boundary);
        let message = if identity {
            // The 6,144 limit binds customer managed policies; AWS managed ones are
            // larger at times, and inline policies have their own per-principal limits.
            format!(
                "the policy is {}: AWS would refuse it as a customer managed policy (AWS managed policies are not bound by this limit; inline policies have lower, per-principal limits)",
                m.split(" and would reject it")
                    .next()
                    .unwrap_or(&m)
                    .replace("for a managed policy", "for a customer managed policy")
            )
        } else {
            format!("the policy is {m}")
        };
        let mut f = Finding::new("policy-too-large", policy.span, message);
        // Access Analyzer warns for identity policies (the quota depends on whether
        // the policy is managed or inline, and on the principal) and errs for SCPs.
        if identity {
            f.severity = Severity::Warning;
        }
        out.push(f);
    }
    out.sort_by_key(|f| (f.span.start, f.severity));
    (out, grants)
}

/// An AWS managed policy (named by its ARN, `arn:aws:iam::aws:policy/…`): AWS's own
/// size limit for customer managed policies does not bind it, so say so.
fn note_aws_managed(src: &crate::scenario::PolicySource, findings: &mut [Finding]) {
    let aws_managed = [src.name.as_deref(), src.attached_to.as_deref()]
        .into_iter()
        .flatten()
        .any(|n| n.contains(":iam::aws:policy/"));
    if !aws_managed {
        return;
    }
    for f in findings.iter_mut().filter(|f| f.code == "policy-too-large") {
        if let Some((size, _)) = f.message.split_once(": AWS would refuse") {
            f.message = format!(
                "{size}: an AWS managed policy, which AWS's limit for customer managed policies does not bind (a copy made into a customer managed policy would be refused)"
            );
        }
    }
}

/// The findings of one policy of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyFindings {
    /// Index into the scenario's sources.
    pub policy: usize,
    /// The policy's name for people.
    pub name: String,
    /// Its findings (parse errors as `invalid-policy` errors).
    pub findings: Vec<Finding>,
}

/// Lints every policy of a loaded scenario. Positions are those of the loader: in the
/// file for inline documents, in the decoded text for documents held in strings.
pub fn lint_scenario(scenario: &Scenario) -> Vec<PolicyFindings> {
    let mut policies: Vec<Option<escalation::Granting>> = Vec::new();
    let mut found: Vec<PolicyFindings> = scenario
        .sources
        .iter()
        .zip(&scenario.set.policies)
        .zip(display_names(&scenario.sources))
        .enumerate()
        .map(|(i, ((src, entry), name))| {
            let (mut findings, grants) = lint_one(&entry.policy, &src.text, LintContext::of(src));
            policies.push(grants.map(|g| (&entry.policy, g)));
            note_aws_managed(src, &mut findings);
            PolicyFindings {
                policy: i,
                name,
                findings,
            }
        })
        .collect();
    let names: Vec<String> = found.iter().map(|p| p.name.clone()).collect();
    for (i, f) in escalation::across(&policies, &names) {
        found[i].findings.push(f);
        found[i]
            .findings
            .sort_by_key(|f| (f.span.start, f.severity));
    }
    found
}

/// [`lint_scenario`] for a scenario some of whose sources did not parse (a template or
/// plan read for every policy, [`crate::input::Loaded::policy_errors`]): `errors` is
/// index-aligned with the sources, and a source with errors has no policy in the set.
/// Its errors are `invalid-policy` findings at their positions in the file; every other
/// policy is linted as [`lint_scenario`] lints it. No errors at all: [`lint_scenario`].
pub fn lint_scenario_with_errors(
    scenario: &Scenario,
    errors: &[Vec<crate::source::Diagnostic>],
) -> Vec<PolicyFindings> {
    if errors.len() != scenario.sources.len() || errors.iter().all(Vec::is_empty) {
        return lint_scenario(scenario);
    }
    named(scenario, lint_compiled(scenario, &scenario.set, errors))
}

/// Each source's `findings` (index-aligned with the sources) with its name.
fn named(scenario: &Scenario, findings: Vec<Vec<Finding>>) -> Vec<PolicyFindings> {
    findings
        .into_iter()
        .zip(display_names(&scenario.sources))
        .enumerate()
        .map(|(i, (findings, name))| PolicyFindings {
            policy: i,
            name,
            findings,
        })
        .collect()
}

/// Lints the policies an editor holds, each parsed from its own text (positions in
/// that text); a policy that does not parse gets its errors as `invalid-policy`.
pub fn lint_sources(scenario: &Scenario) -> Vec<PolicyFindings> {
    let (set, errors) = compile_sources(scenario);
    named(scenario, lint_compiled(scenario, &set, &errors))
}

/// [`lint_sources`] on what [`compile_sources`] returned (the TUI compiles once for
/// evaluation and lint): each source's findings, index-aligned with the sources.
pub fn lint_compiled(
    scenario: &Scenario,
    set: &crate::policy::PolicySet,
    errors: &[Vec<crate::source::Diagnostic>],
) -> Vec<Vec<Finding>> {
    let mut kept = vec![Vec::new(); scenario.sources.len()];
    lint_compiled_kept(scenario, set, errors, &mut kept)
}

/// [`lint_compiled`], each valid policy's statements' own findings taken from (and
/// kept in) `kept` (index-aligned with the sources).
pub fn lint_compiled_kept(
    scenario: &Scenario,
    set: &crate::policy::PolicySet,
    errors: &[Vec<crate::source::Diagnostic>],
    kept: &mut [StatementFindings],
) -> Vec<Vec<Finding>> {
    let mut parsed = set.policies.iter();
    let mut policies: Vec<Option<escalation::Granting>> =
        Vec::with_capacity(scenario.sources.len());
    let mut found: Vec<Vec<Finding>> = scenario
        .sources
        .iter()
        .zip(errors)
        .zip(
            kept.iter_mut()
                .map(Some)
                .chain(std::iter::repeat_with(|| None)),
        )
        .map(|((src, errs), kept)| {
            if errs.is_empty() {
                let Some(entry) = parsed.next() else {
                    policies.push(None);
                    return Vec::new();
                };
                let ctx = LintContext::of(src);
                let (mut found, grants) = match kept {
                    Some(kept) => lint_one_kept(&entry.policy, &src.text, ctx, kept),
                    None => lint_one(&entry.policy, &src.text, ctx),
                };
                policies.push(grants.map(|g| (&entry.policy, g)));
                note_aws_managed(src, &mut found);
                found
            } else {
                policies.push(None);
                errs.iter()
                    .map(|d| Finding::new("invalid-policy", d.span, d.message.clone()))
                    .collect()
            }
        })
        .collect();
    let names = display_names(&scenario.sources);
    for (i, f) in escalation::across(&policies, &names) {
        found[i].push(f);
        found[i].sort_by_key(|f| (f.span.start, f.severity));
    }
    found
}
