//! Inputs: the one place that decides what a file holds and reads it as a scenario.
//! Bytes become text ([`decode`]: gzip by its magic bytes, UTF-8 checked with the
//! position of a bad byte); [`detect`] says which kind of input the text is; each kind
//! goes to its reader — scenario files to [`crate::scenario`], CloudTrail to
//! [`crate::cloudtrail`], AWS CLI output and account authorization details to
//! [`aws`]. `scenario` and `cloudtrail` do not know each other; this module sits
//! above both. The kinds and the order of detection: docs/inputs.md.

mod aws;
pub mod bare;
pub mod detect;
pub mod from;
pub mod iac;

pub use aws::PrincipalChoice;
pub(crate) use aws::starting_request_for;
pub use bare::{BareKind, KIND_WORDS, ReadAs};
pub use detect::{Kind, cloudtrail_head, kind, looks_like_cloudtrail};

use crate::json::{self, Value};
use crate::policy::{PolicyKind, PolicySet};
use crate::scenario::{Assembler, LoadError, Scenario};
use crate::source::Diagnostic;

/// Choices some inputs need before they become a scenario.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// For account authorization details: the user or role (name or ARN).
    pub principal: Option<String>,
    /// For a bare policy document: what to read it as (`--kind`) instead of guessing.
    /// Any other input given a kind is an error.
    pub kind: Option<BareKind>,
    /// For a Terraform plan: which side of the change (`--side`, after by default).
    pub side: crate::iac::Side,
    /// For a CloudFormation template: parameter values (`--parameter KEY=VALUE`), over
    /// the template's defaults.
    pub parameters: Vec<(String, String)>,
    /// For a template or plan given no principal: every policy it writes, for no
    /// principal in particular and with no request (what `lint` checks), rather than an
    /// error listing the principals to choose from.
    pub all_policies: bool,
    /// The file the input was read from, when it was: a scenario's `policiesFrom` paths
    /// are relative to its directory (to the current directory without one: standard
    /// input, a text).
    pub path: Option<std::path::PathBuf>,
}

/// An input read as a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// What the input was.
    pub kind: Kind,
    /// The scenario it became.
    pub scenario: Scenario,
    /// Records skipped as malformed (CloudTrail), each `record N: …` at its position:
    /// the rest was read. Callers report them and count them as a problem.
    pub skipped: Vec<Diagnostic>,
    /// For a bare policy document: what it was read as (say so where it is shown).
    pub read_as: Option<ReadAs>,
    /// What the input holds that the scenario leaves out, and why (a template's policy
    /// known only after apply, a transform not run): callers show them as warnings.
    pub notes: Vec<String>,
    /// A template or plan read for every policy ([`LoadOptions::all_policies`]): each
    /// source's own errors, index-aligned with the scenario's sources (empty for one that
    /// parsed); a policy with errors is a source without a parsed policy, so that the
    /// others are still read. Empty for every other input, which fails on such errors.
    pub policy_errors: Vec<Vec<Diagnostic>>,
}

/// One line about records skipped as malformed, for a status line:
/// `FILE:LINE:COLUMN: record N: …` for the first, and how many there were.
pub fn skipped_message(shown: &str, skipped: &[Diagnostic]) -> Option<String> {
    let first = skipped.first()?;
    let more = match skipped.len() {
        1 => String::new(),
        n => format!(" ({n} malformed records skipped)"),
    };
    Some(format!(
        "{shown}:{}:{}: {}{more}",
        first.span.line, first.span.column, first.message
    ))
}

/// Input bytes as text: gzip is decompressed (CloudTrail files as delivered to S3) up
/// to [`crate::read::DEFAULT_MAX_INPUT`], and anything that is not UTF-8 is refused
/// with the position of its first bad byte. (Reading a file or a stream bounded from
/// the start: [`crate::read::read_text`].)
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    if crate::read::is_gzip(&bytes) {
        return crate::read::read_text(bytes.as_slice(), crate::read::DEFAULT_MAX_INPUT);
    }
    crate::read::utf8(bytes)
}

/// Reads any input as a scenario: a scenario file, a bare policy document (one
/// identity policy, no requests), what the AWS CLI prints for a policy, or CloudTrail
/// records (one request per event). Account authorization details need a principal:
/// see [`load_with`]. Malformed CloudTrail records are skipped (see [`load`]).
pub fn load_str(text: &str) -> Result<Scenario, LoadError> {
    load_with(text, &LoadOptions::default())
}

/// [`load_str`] with the choices of `options`.
pub fn load_with(text: &str, options: &LoadOptions) -> Result<Scenario, LoadError> {
    load(text, options).map(|l| l.scenario)
}

/// Reads any input: its kind, the scenario and the records skipped as malformed. The
/// quick scenario reader is tried first (most files are valid scenarios).
pub fn load(text: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
    if options.kind.is_none() {
        if let Some(scenario) = crate::scenario::load_quick(text) {
            return Ok(Loaded {
                kind: Kind::Scenario,
                scenario,
                skipped: Vec::new(),
                read_as: None,
                notes: Vec::new(),
                policy_errors: Vec::new(),
            });
        }
    }
    load_inner(text, options, false)
}

/// [`load_with`] without the quick scenario reader: every value through the
/// position-keeping tree. The quick reader must agree with it on every file.
pub fn load_strict(text: &str, options: &LoadOptions) -> Result<Scenario, LoadError> {
    load_inner(text, options, false).map(|l| l.scenario)
}

/// Reads any input as the TUI saved it mid-edit (a recovery file): a policy whose
/// text does not parse is written as a JSON string, and is loaded as that text rather
/// than failing the load (see [`crate::scenario::load_for_editing`]).
pub fn load_for_editing(text: &str) -> Result<Scenario, LoadError> {
    load_inner(text, &LoadOptions::default(), true).map(|l| l.scenario)
}

/// True when `text` is a scenario file that takes policies from another file
/// (`policiesFrom`).
pub fn takes_policies_from(text: &str) -> bool {
    match json::parse(text).map(|n| n.value) {
        Ok(Value::Object(members)) => members.iter().any(|m| m.key == "policiesFrom"),
        _ => false,
    }
}

/// The users and roles to choose from, when `text` is the output of
/// `aws iam get-account-authorization-details`.
pub fn account_principals(text: &str) -> Option<Vec<PrincipalChoice>> {
    let node = json::parse(text).ok()?;
    let Value::Object(members) = &node.value else {
        return None;
    };
    aws::is_account_details(members).then(|| aws::principals(members))
}

fn load_inner(text: &str, options: &LoadOptions, for_editing: bool) -> Result<Loaded, LoadError> {
    let loaded = |kind, scenario| Loaded {
        kind,
        scenario,
        skipped: Vec::new(),
        read_as: None,
        notes: Vec::new(),
        policy_errors: Vec::new(),
    };
    let node = match json::parse(text) {
        Ok(n) => n,
        // JSON Lines of CloudTrail events are not one JSON value.
        Err(_) if looks_like_cloudtrail(text) => {
            not_bare(options, Kind::CloudTrail, FIRST)?;
            return cloudtrail(text);
        }
        Err(_) if detect::looks_like_yaml_template(text) => {
            not_bare(options, Kind::CloudFormation, FIRST)?;
            return iac::load(Kind::CloudFormation, text, options);
        }
        Err(d) => return Err(LoadError::in_file(vec![d])),
    };
    let kind = detect::classify(&node);
    if kind != Kind::Policy {
        not_bare(options, kind, node.span)?;
    }
    let mut a = Assembler::new(for_editing);
    let members = match &node.value {
        Value::Object(m) => m.as_slice(),
        _ => &[],
    };
    match kind {
        Kind::Scenario => {
            let mut notes = Vec::new();
            let path = options.path.as_deref();
            crate::scenario::load_tree_including(&node, text, for_editing, &mut |entry, a| {
                from::include(path, entry, a, &mut notes)
            })
            .map(|s| Loaded {
                notes,
                ..loaded(kind, s)
            })
        }
        Kind::Policy => {
            let read_as = match options.kind {
                Some(k) => ReadAs {
                    kind: k,
                    guessed: false,
                    ambiguous: None,
                },
                None => bare::guess(&node),
            };
            let (policy_kind, attached) = read_as.kind.placement();
            // An ECR repository policy names no Resource: it is placed on every
            // repository, where the repository is implied (as a trust policy is placed
            // on every role).
            let attached = attached.or_else(|| {
                (policy_kind == PolicyKind::Resource && bare::is_repository_policy(&node))
                    .then_some(bare::ANY_REPOSITORY)
            });
            let level = matches!(policy_kind, PolicyKind::Scp | PolicyKind::Rcp)
                .then(|| a.add_level(policy_kind, ROOT.into()));
            let attached = attached.map(String::from);
            a.document(&node, policy_kind, level, None, attached, "policy", text);
            a.finish(None, None, Vec::new()).map(|scenario| Loaded {
                read_as: Some(read_as),
                ..loaded(kind, scenario)
            })
        }
        Kind::CloudTrail => cloudtrail(text),
        Kind::CloudFormation | Kind::TerraformPlan => iac::load(kind, text, options),
        Kind::AccountDetails => {
            let (name, description, requests) =
                a.account(&node, members, options.principal.as_deref(), text);
            a.finish(name, description, requests)
                .map(|s| loaded(kind, s))
        }
        Kind::AwsCli => match aws::cli_output(members) {
            Some(out) => {
                let (name, description) = a.cli(out, text);
                a.finish(name, description, Vec::new())
                    .map(|s| loaded(kind, s))
            }
            // classify said it is one.
            None => crate::scenario::load_tree(&node, text, for_editing)
                .map(|s| loaded(Kind::Scenario, s)),
        },
    }
}

/// The start of a text, for messages about the whole input.
const FIRST: crate::source::Span = crate::source::Span {
    start: 0,
    end: 0,
    line: 1,
    column: 1,
    source: crate::source::SourceId::FILE,
};

/// The level an SCP or RCP read bare is placed at: the organization root.
const ROOT: &str = "r-root";

/// An error when `options` give a `--kind` for an input that is not a bare policy.
fn not_bare(options: &LoadOptions, kind: Kind, at: crate::source::Span) -> Result<(), LoadError> {
    match options.kind {
        Some(k) => Err(LoadError::in_file(vec![Diagnostic::error(
            crate::source::Span {
                end: at.start,
                ..at
            },
            format!(
                "--kind {} is for a bare policy document; this is {}",
                k.word(),
                kind.describe()
            ),
        )])),
        None => Ok(()),
    }
}

/// What a policy document being written (its JSON not valid yet) opens as: one policy
/// holding the text, of the kind `kind` or an identity policy, so that an editor can
/// show it with its errors; `None` when the text does not look like a policy.
pub fn draft_policy(text: &str, kind: Option<BareKind>) -> Option<Scenario> {
    let looks_like_policy = text.contains("\"Statement\"") || text.contains("\"Version\"");
    let is_scenario = text.contains("\"policies\"") || text.contains("\"requests\"");
    let (kind, attached) = kind.unwrap_or(BareKind::Identity).placement();
    let mut set = PolicySet::new();
    let level = matches!(kind, PolicyKind::Scp | PolicyKind::Rcp).then(|| {
        let levels = if kind == PolicyKind::Scp {
            &mut set.scp_levels
        } else {
            &mut set.rcp_levels
        };
        levels.push(ROOT.into());
        0
    });
    (looks_like_policy && !is_scenario).then(|| Scenario {
        name: None,
        description: None,
        sources: vec![crate::scenario::PolicySource {
            kind,
            name: None,
            level,
            attached_to: attached.map(String::from),
            principal: None,
            text: text.to_string(),
            form: crate::scenario::DocumentForm::Inline,
            // The whole text, as written: saving writes it back as it is.
            at: Some(crate::source::Span {
                start: 0,
                end: text.len() as u64,
                line: 1,
                column: 1,
                source: crate::source::SourceId::FILE,
            }),
        }],
        set,
        requests: Vec::new(),
        source_map: Default::default(),
        template: None,
    })
}

/// CloudTrail records as a scenario: no policies, one request per event; malformed
/// records skipped and returned.
fn cloudtrail(text: &str) -> Result<Loaded, LoadError> {
    let trail = crate::cloudtrail::requests_from_text(text).map_err(LoadError::in_file)?;
    Ok(Loaded {
        kind: Kind::CloudTrail,
        scenario: Scenario {
            name: Some("CloudTrail events".into()),
            description: Some(trail.description),
            sources: Vec::new(),
            set: PolicySet::new(),
            requests: trail.requests,
            source_map: Default::default(),
            template: None,
        },
        skipped: trail.malformed,
        read_as: None,
        notes: Vec::new(),
        policy_errors: Vec::new(),
    })
}
