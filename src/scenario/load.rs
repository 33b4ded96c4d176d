//! Reading a scenario file: every problem reported with its position. What else can
//! become a scenario (a bare policy, AWS CLI output, recorded events) is
//! [`crate::input`]'s.

use super::{DocumentForm, PolicySource, RequestSpec, Scenario};
use crate::eval::{ContextValue, PreparedRequest, Request, Scalar, ScalarKind};
use crate::iac::placeholder;
use crate::json::{self, Member, Node, Value};
use crate::policy::principal::{PrincipalRef, is_account_id};
use crate::policy::{
    AttachedTo, BoundPrincipal, ParseContext, PolicyEntry, PolicyKind, PolicySet, parse_policy_node,
};
use crate::source::{
    DecodedText, Diagnostic, Encoding, IncludedFile, LineIndex, SourceId, SourceMap, Span,
    did_you_mean,
};
use crate::trace::Decision;
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// Every problem found in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// The problems, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The policies decoded from strings of the file, which the diagnostics' spans may
    /// be in: [`SourceMap::describe`] shows a diagnostic with its place.
    pub source_map: SourceMap,
}

impl LoadError {
    /// Problems all in the text that was read.
    pub fn in_file(diagnostics: Vec<Diagnostic>) -> Self {
        LoadError {
            diagnostics,
            source_map: SourceMap::default(),
        }
    }

    /// Each problem as `LINE:COLUMN: message`, placed by [`SourceMap::describe`].
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.diagnostics.iter().map(|d| self.source_map.describe(d))
    }
}

/// The keys a scenario object may have that the quick and streaming readers read too;
/// `policiesFrom` ([`STRICT_KEYS`]) is left to the strict reader, so that they refuse a
/// file that has it rather than evaluate without its policies.
const TOP_KEYS: [&str; 6] = [
    "name",
    "description",
    "managementAccount",
    "policies",
    "requests",
    "request",
];
/// Every key a scenario object may have.
const STRICT_KEYS: [&str; 7] = [
    "name",
    "description",
    "managementAccount",
    "policies",
    "policiesFrom",
    "requests",
    "request",
];
/// The keys of a `policiesFrom` entry.
const FROM_KEYS: &[&str] = &["file", "principal", "parameters", "side", "arn"];
const POLICY_KEYS: &[&str] = &[
    "identity", "boundary", "session", "resource", "endpoint", "scp", "rcp",
];
/// How many unresolved `via` names get a "did you mean" hint.
const VIA_HINTS: usize = 20;
const ENTRY_KEYS: &[&str] = &["name", "document", "attachedTo", "principal"];
const LEVEL_KEYS: &[&str] = &["level", "policies"];
const REQUEST_KEYS: &[&str] = &[
    "name",
    "via",
    "principal",
    "action",
    "resource",
    "resourceAccount",
    "context",
    "expect",
    "notes",
];

/// Builds a scenario from policy documents found in a JSON tree, keeping every problem
/// with its position: a scenario file's policies, and those [`crate::input`] finds in
/// other inputs (a bare policy, what the AWS CLI printed).
pub struct Assembler {
    errors: Vec<Diagnostic>,
    /// Errors inside policies held in JSON strings, with the file offset of their
    /// string (their own positions are in the decoded text and cannot be sorted with
    /// the others).
    /// Sorted by file (the scenario's first, then included files in order) and offset.
    decoded_errors: Vec<((u32, u64), Diagnostic)>,
    /// The policies decoded from strings, which their spans name.
    source_map: SourceMap,
    sources: Vec<PolicySource>,
    set: PolicySet,
    /// Errors inside policies held in JSON strings do not fail the load (see
    /// [`load_for_editing`]).
    keep_invalid_policy_text: bool,
    /// Policies of each type so far, for the names of unnamed ones.
    unnamed: [usize; PolicyKind::ALL.len()],
    /// Each policy's own errors, index-aligned with `sources`, when they are kept
    /// apart from the load's ([`Assembler::keeping_policy_errors`]).
    policy_errors: Option<Vec<Vec<Diagnostic>>>,
}

mod bytes;
mod fast;
mod stream;

pub use stream::{StreamedRequest, stream_requests};

/// One `policiesFrom` entry of a scenario file (docs/iac.md), its values checked
/// and their positions kept. Reading the file it names is [`crate::input`]'s (the one
/// module that decides what a file holds): see [`load_tree_including`].
#[derive(Debug, Clone, PartialEq)]
pub struct PoliciesFrom {
    /// `file`, as written, and where.
    pub file: (String, Span),
    /// `principal`, and where.
    pub principal: Option<(String, Span)>,
    /// `parameters`, in the order written: name, value, where the name is.
    pub parameters: Vec<(String, String, Span)>,
    /// Where `parameters` is written.
    pub parameters_at: Option<Span>,
    /// `side`, and where.
    pub side: Option<(crate::iac::Side, Span)>,
    /// `arn`, and where.
    pub arn: Option<(String, Span)>,
    /// The entry object.
    pub at: Span,
    /// The entry as written (its JSON text), to write it back.
    pub text: String,
}

/// What reads the files a scenario's `policiesFrom` names into the scenario being
/// loaded: given each entry, it adds the file's policies to the [`Assembler`] (with
/// [`Assembler::include_file`] for their positions) or records an error there.
pub type Include<'a> = dyn FnMut(&PoliciesFrom, &mut Assembler) + 'a;

/// A scenario file (SPEC §6) from its parsed JSON tree (`text` is the file's text, for
/// the policies' own text). `for_editing`: see [`load_for_editing`]. Which inputs are
/// scenario files is [`crate::input`]'s to decide. A `policiesFrom` is an error here:
/// [`load_tree_including`] reads it.
pub fn load_tree(node: &Node, text: &str, for_editing: bool) -> Result<Scenario, LoadError> {
    load_tree_including(node, text, for_editing, &mut |entry, a| {
        a.error(Diagnostic::error(
            entry.at,
            "policiesFrom is read only where the scenario's file is known (iamtrace::input::load)",
        ));
    })
}

/// [`load_tree`], the files `policiesFrom` names read by `include` after the
/// scenario's own policies (so that their SCPs and RCPs can join its levels).
pub fn load_tree_including(
    node: &Node,
    text: &str,
    for_editing: bool,
    include: &mut Include<'_>,
) -> Result<Scenario, LoadError> {
    let mut l = Assembler::new(for_editing);
    let Value::Object(members) = &node.value else {
        return Err(LoadError::in_file(vec![Diagnostic::error(
            node.span,
            format!(
                "a scenario must be a JSON object, not {}",
                node.value.kind_name()
            ),
        )]));
    };
    json::duplicate_keys(members, &mut l.errors);
    unknown(members, &STRICT_KEYS, "scenario key", &mut l.errors);
    let name = l.opt_string(members, "name");
    let description = l.opt_string(members, "description");
    l.set.management_account = l.opt_string(members, "managementAccount");
    if let (Some(m), Some(node)) = (&l.set.management_account, get(members, "managementAccount")) {
        if !is_account_id(m) {
            l.errors.push(Diagnostic::error(
                node.span,
                "managementAccount must be a 12-digit account id",
            ));
        }
    }
    if let Some(p) = get(members, "policies") {
        l.policies(p, text);
    }
    if let Some(from) = get(members, "policiesFrom") {
        for entry in l.policies_from(from, text) {
            include(&entry, &mut l);
        }
    }
    let requests = l.requests(members);
    l.finish(name, description, requests)
}

/// A scenario file opened in an editor (or a recovery file the TUI wrote mid-edit):
/// a policy with errors — an inline document that is not a valid policy, or a JSON
/// string whose text does not parse — is loaded as its text, to be shown with its
/// errors in the editor, rather than failing the load. Every other error still does.
pub fn load_for_editing(text: &str) -> Result<Scenario, LoadError> {
    let node = json::parse(text).map_err(|d| LoadError::in_file(vec![d]))?;
    load_tree(&node, text, true)
}

/// The quick reader alone: the scenario when `text` is a valid scenario file it can
/// read whole, `None` when only the strict reader can say what `text` is.
pub fn load_quick(text: &str) -> Option<Scenario> {
    fast::load(text)
}

/// One request object of a scenario file (SPEC §6), read on its own by the quick
/// reader: the request, or `None` when it holds a problem ([`read_request_strict`]
/// reports it with its position). Takes and refuses exactly what the strict reader
/// does.
pub fn read_request(json: &str) -> Option<RequestSpec> {
    let raw = bytes::request(json)?;
    let expect = checked(&raw)?;
    if bytes::case_repeats(raw.context.iter().map(|(k, _)| k.as_ref())) {
        return None;
    }
    let context = raw
        .context
        .into_iter()
        .map(|(k, v)| {
            let scalar = |s: bytes::RawScalar<'_>| Scalar {
                text: s.text.into_owned(),
                kind: s.kind,
            };
            let v = match v {
                bytes::RawValue::One(s) => ContextValue::One(scalar(s)),
                bytes::RawValue::Many(items) => {
                    ContextValue::Many(items.into_iter().map(scalar).collect())
                }
            };
            (k.into_owned(), v)
        })
        .collect();
    Some(RequestSpec {
        name: raw.name.map(Cow::into_owned),
        via: raw.via.map(Cow::into_owned),
        request: Request {
            principal: raw.principal.into_owned(),
            action: raw.action.into_owned(),
            resource: raw.resource.into_owned(),
            resource_account: raw.resource_account.map(Cow::into_owned),
            context,
        },
        expect,
        span: crate::source::Span::default(),
        notes: raw.notes.into_iter().map(Cow::into_owned).collect(),
    })
}

/// One request object read by the strict reader: the request, or every problem in it
/// with its line and column (in `json`). Its `via` is not resolved (that takes the
/// other requests of a scenario).
pub fn read_request_strict(json: &str) -> Result<RequestSpec, LoadError> {
    let node = json::parse(json).map_err(|d| LoadError::in_file(vec![d]))?;
    let mut l = Assembler::new(false);
    match l.request(&node) {
        Some(spec) if l.errors.is_empty() => Ok(spec),
        _ => Err(LoadError::in_file(l.errors)),
    }
}

/// One request object read and prepared, borrowing its text where it can.
#[derive(Debug)]
pub struct ReadRequest<'a> {
    /// Its `name`, if given.
    pub name: Option<Cow<'a, str>>,
    /// Its `via`, if given.
    pub via: Option<Cow<'a, str>>,
    /// Its `expect`, if given.
    pub expect: Option<Decision>,
    /// The request, prepared: what [`PreparedRequest::new`] makes of
    /// [`read_request`]'s request.
    pub request: PreparedRequest,
}

/// One request object read and prepared without building its [`Request`] (the
/// quickest way from a request's text to its decision), or `None` when it holds a
/// problem (as [`read_request`], which takes and refuses the same texts).
pub fn read_prepared(json: &str) -> Option<ReadRequest<'_>> {
    let raw = bytes::request(json)?;
    let expect = checked_but_principal(&raw)?;
    let request = PreparedRequest::from_parts(&raw);
    // Preparing parsed the principal (once for a run of requests by one caller).
    if !principal_parsed_ok(&raw.principal, &request.principal) {
        return None;
    }
    // Preparing keeps one of keys equal but for letter case: fewer entries than keys
    // means such keys, which the strict reader refuses when they differ in ASCII
    // letters only (it takes "É" beside "é", which preparing also folds).
    if request.context.len() != raw.context.len()
        && bytes::case_repeats(raw.context.iter().map(|(k, _)| k.as_ref()))
    {
        return None;
    }
    Some(ReadRequest {
        name: raw.name,
        via: raw.via,
        expect,
        request,
    })
}

/// The checks of a request's values that the strict reader makes (principal, action,
/// resource, resource account, expect): `Some(expect)` when they pass.
fn checked(raw: &bytes::RawRequest<'_>) -> Option<Option<Decision>> {
    if !principal_ok(&raw.principal) {
        return None;
    }
    checked_but_principal(raw)
}

/// [`checked`] but for the principal.
fn checked_but_principal(raw: &bytes::RawRequest<'_>) -> Option<Option<Decision>> {
    let ok = action_ok(&raw.action)
        && resource_ok(&raw.resource)
        && raw.resource_account.as_deref().is_none_or(is_account_id);
    if !ok {
        return None;
    }
    match &raw.expect {
        Some(word) => Decision::from_word(word).map(Some),
        None => Some(None),
    }
}

fn get<'a>(members: &'a [Member], key: &str) -> Option<&'a Node> {
    members.iter().find(|m| m.key == key).map(|m| &m.value)
}

fn unknown(members: &[Member], allowed: &[&str], what: &str, errors: &mut Vec<Diagnostic>) {
    for m in members {
        if !allowed.contains(&m.key.as_str()) {
            let hint = did_you_mean(&m.key, allowed.iter().copied());
            errors.push(Diagnostic::error(
                m.key_span,
                format!("unknown {what} \"{}\"{hint}", m.key),
            ));
        }
    }
}

fn kind_of(key: &str) -> Option<PolicyKind> {
    Some(match key {
        "identity" => PolicyKind::Identity,
        "boundary" => PolicyKind::Boundary,
        "session" => PolicyKind::Session,
        "resource" => PolicyKind::Resource,
        "endpoint" => PolicyKind::Endpoint,
        "scp" => PolicyKind::Scp,
        "rcp" => PolicyKind::Rcp,
        _ => return None,
    })
}

impl Assembler {
    /// An empty scenario. `keep_invalid_policy_text`: a policy held in a JSON string
    /// whose text does not parse is kept as text rather than failing the load.
    pub fn new(keep_invalid_policy_text: bool) -> Self {
        Assembler {
            errors: Vec::new(),
            decoded_errors: Vec::new(),
            source_map: SourceMap::default(),
            sources: Vec::new(),
            set: PolicySet::new(),
            keep_invalid_policy_text,
            unnamed: [0; PolicyKind::ALL.len()],
            policy_errors: None,
        }
    }

    /// An empty scenario whose policies' own errors (a document that does not parse or
    /// validate) do not fail the load: such a policy is kept as a source without a
    /// parsed policy, and its errors are returned by [`Self::finish_keeping`] — what
    /// `lint` needs to report them and still check every other policy of a template.
    pub fn keeping_policy_errors() -> Self {
        Assembler {
            policy_errors: Some(Vec::new()),
            ..Self::new(false)
        }
    }

    /// Records a problem.
    pub fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    /// The policies so far, as written.
    pub fn sources(&self) -> &[PolicySource] {
        &self.sources
    }

    /// Records another file whose policies join the scenario; the id their spans are
    /// to carry (see [`crate::source::IncludedFile`]).
    pub fn include_file(&mut self, file: IncludedFile) -> SourceId {
        self.source_map.add_file(file)
    }

    /// Notes that the SCP (or RCP) level `index` was created for the included file
    /// `id`'s policies (it is not the scenario's own, and is not written back).
    pub fn level_added_for(&mut self, id: SourceId, kind: PolicyKind, index: usize) {
        if let Some(f) = self.source_map.file_mut(id) {
            match kind {
                PolicyKind::Scp => f.added_levels.scp = Some(index),
                _ => f.added_levels.rcp = Some(index),
            }
        }
    }

    /// The first SCP (or RCP) level so far: the organization's root, as levels are
    /// listed from the root.
    pub fn root_level(&self, kind: PolicyKind) -> Option<usize> {
        let levels = if kind == PolicyKind::Scp {
            &self.set.scp_levels
        } else {
            &self.set.rcp_levels
        };
        (!levels.is_empty()).then_some(0)
    }

    /// Adds an SCP or RCP level named `name`; its index.
    pub fn add_level(&mut self, kind: PolicyKind, name: String) -> usize {
        let levels = if kind == PolicyKind::Scp {
            &mut self.set.scp_levels
        } else {
            &mut self.set.rcp_levels
        };
        levels.push(name);
        levels.len() - 1
    }

    /// [`Self::finish`] for an assembler [`Self::keeping_policy_errors`]: the scenario
    /// and each source's own errors (index-aligned with its sources; empty for a policy
    /// that parsed, which alone are in its policy set).
    #[allow(clippy::type_complexity)]
    pub fn finish_keeping(
        mut self,
        name: Option<String>,
        description: Option<String>,
        requests: Vec<RequestSpec>,
    ) -> Result<(Scenario, Vec<Vec<Diagnostic>>), LoadError> {
        let errors = self.policy_errors.take().unwrap_or_default();
        self.finish(name, description, requests)
            .map(|s| (s, errors))
    }

    /// The scenario, or every problem found, in file order.
    pub fn finish(
        self,
        name: Option<String>,
        description: Option<String>,
        requests: Vec<RequestSpec>,
    ) -> Result<Scenario, LoadError> {
        let decoded_fail = !self.decoded_errors.is_empty() && !self.keep_invalid_policy_text;
        if !self.errors.is_empty() || decoded_fail {
            let map = &self.source_map;
            let mut keyed: Vec<((u32, u64), Diagnostic)> = self
                .errors
                .into_iter()
                .map(|d| ((map.file_id_of(&d.span).number(), d.span.start), d))
                .chain(self.decoded_errors)
                .collect();
            // Stable: errors at one place keep the order they were found in.
            keyed.sort_by_key(|(k, _)| *k);
            return Err(LoadError {
                diagnostics: keyed.into_iter().map(|(_, d)| d).collect(),
                source_map: self.source_map,
            });
        }
        Ok(Scenario {
            name,
            description,
            sources: self.sources,
            set: self.set,
            requests,
            source_map: self.source_map,
            template: None,
        })
    }

    fn opt_string(&mut self, members: &[Member], key: &str) -> Option<String> {
        let node = get(members, key)?;
        match &node.value {
            Value::String(s) => Some(s.clone()),
            other => {
                self.errors.push(Diagnostic::error(
                    node.span,
                    format!("{key} must be a string, not {}", other.kind_name()),
                ));
                None
            }
        }
    }

    fn array<'a>(&mut self, node: &'a Node, what: &str) -> &'a [Node] {
        match &node.value {
            Value::Array(items) => items,
            other => {
                self.errors.push(Diagnostic::error(
                    node.span,
                    format!("{what} must be an array, not {}", other.kind_name()),
                ));
                &[]
            }
        }
    }

    fn policies(&mut self, node: &Node, text: &str) {
        let Value::Object(members) = &node.value else {
            self.errors.push(Diagnostic::error(
                node.span,
                format!("policies must be an object, not {}", node.value.kind_name()),
            ));
            return;
        };
        json::duplicate_keys(members, &mut self.errors);
        unknown(members, POLICY_KEYS, "policy type", &mut self.errors);
        for m in members {
            let Some(kind) = kind_of(&m.key) else {
                continue;
            };
            let items = self.array(&m.value, &format!("policies.{}", m.key));
            match kind {
                PolicyKind::Scp | PolicyKind::Rcp => {
                    for (li, level) in items.iter().enumerate() {
                        self.level(level, kind, &format!("policies.{}[{li}]", m.key), text);
                    }
                }
                _ => {
                    if kind == PolicyKind::Boundary {
                        self.one_boundary_each(items);
                    }
                    for (i, item) in items.iter().enumerate() {
                        self.policy_entry(
                            item,
                            kind,
                            None,
                            &format!("policies.{}[{i}]", m.key),
                            text,
                        );
                    }
                }
            }
        }
    }

    /// At most one boundary per principal (SPEC §6): no two boundary entries may apply
    /// to one request's principal. An entry without `principal` applies to every
    /// principal, so it must be the only boundary; bound ones must name principals no
    /// request is made by both of (a role and a session of it are one such pair).
    /// Each clash is reported at the later entry (its `principal`, or the entry).
    fn one_boundary_each(&mut self, items: &[Node]) {
        // The principal each entry is bound to (`None`: unbound), with where to report.
        let bound: Vec<(Option<BoundPrincipal>, crate::source::Span)> = items
            .iter()
            .map(|n| match &n.value {
                Value::Object(m) if m.iter().any(|m| ENTRY_KEYS.contains(&m.key.as_str())) => {
                    match get(m, "principal") {
                        Some(Node {
                            value: Value::String(p),
                            span,
                        }) => (BoundPrincipal::new(p), *span),
                        // Reported as the entry's own error.
                        Some(_) => (None, n.span),
                        None => (None, n.span),
                    }
                }
                _ => (None, n.span),
            })
            .collect();
        // A `principal` that names nothing was reported already; it binds nothing here.
        let invalid = |i: usize| {
            matches!(&items[i].value, Value::Object(m) if get(m, "principal").is_some())
                && bound[i].0.is_none()
        };
        let mut unbound: Option<crate::source::Span> = None;
        let mut first_bound: Option<crate::source::Span> = None;
        // Hashed, so a file of many boundaries is not compared pairwise: each bound
        // principal by what it names, and roles and role sessions by their role.
        let mut exact: HashMap<String, (&str, crate::source::Span)> = HashMap::new();
        let mut roles: HashMap<(&str, &str), (&str, crate::source::Span)> = HashMap::new();
        let mut sessions: HashMap<(&str, &str), (&str, crate::source::Span)> = HashMap::new();
        let at = |s: &crate::source::Span| format!("line {}, column {}", s.line, s.column);
        for (i, (b, span)) in bound.iter().enumerate() {
            if invalid(i) {
                continue;
            }
            let Some(p) = b else {
                let clash = match (unbound, first_bound) {
                    (Some(other), _) => Some(format!("as does the one at {}", at(&other))),
                    (None, Some(other)) => Some(format!(
                        "including the one the boundary at {} is for",
                        at(&other)
                    )),
                    (None, None) => None,
                };
                if let Some(clash) = clash {
                    self.errors.push(Diagnostic::error(
                        *span,
                        format!(
                            "a principal has at most one permissions boundary: this boundary has no \"principal\", so it applies to every principal, {clash} (give each boundary the \"principal\" it is for)"
                        ),
                    ));
                }
                unbound.get_or_insert(*span);
                continue;
            };
            if let Some(other) = unbound {
                self.errors.push(Diagnostic::error(
                    *span,
                    format!(
                        "a principal has at most one permissions boundary: the boundary at {} has no \"principal\", so it applies to {} too (give it the \"principal\" it is for)",
                        at(&other),
                        p.text
                    ),
                ));
            }
            first_bound.get_or_insert(*span);
            use crate::policy::PrincipalRef as P;
            let (key, role) = match &p.parsed {
                P::Account { account } => (format!("root\0{account}"), None),
                P::User { account, name } => (format!("user\0{account}\0{name}"), None),
                P::Role { account, name, .. } => (
                    format!("role\0{account}\0{name}"),
                    Some((account.as_str(), name.as_str(), true)),
                ),
                P::RoleSession {
                    account,
                    role,
                    session,
                } => (
                    format!("session\0{account}\0{role}\0{session}"),
                    Some((account.as_str(), role.as_str(), false)),
                ),
                P::FederatedUser { account, name } => (format!("fed\0{account}\0{name}"), None),
                _ => continue,
            };
            let clash = exact.get(&key).copied().or_else(|| match role {
                // A role covers its sessions: a boundary for the role and one for a
                // session of it would both apply to that session's requests.
                Some((a, r, true)) => sessions.get(&(a, r)).copied(),
                Some((a, r, false)) => roles.get(&(a, r)).copied(),
                None => None,
            });
            if let Some((other_text, other)) = clash {
                let what = if other_text == p.text {
                    format!("{} already has the boundary at {}", p.text, at(&other))
                } else {
                    format!(
                        "{} and {} (the boundary at {}) cover the same requests (a role ARN covers its sessions)",
                        p.text,
                        other_text,
                        at(&other)
                    )
                };
                self.errors.push(Diagnostic::error(
                    *span,
                    format!("a principal has at most one permissions boundary: {what}"),
                ));
            }
            exact.entry(key).or_insert((&p.text, *span));
            match role {
                Some((a, r, true)) => {
                    roles.entry((a, r)).or_insert((&p.text, *span));
                }
                Some((a, r, false)) => {
                    sessions.entry((a, r)).or_insert((&p.text, *span));
                }
                None => {}
            }
        }
    }

    fn level(&mut self, node: &Node, kind: PolicyKind, path: &str, text: &str) {
        let Value::Object(members) = &node.value else {
            self.errors.push(Diagnostic::error(
                node.span,
                format!(
                    "{path} must be an object {{\"level\": …, \"policies\": […]}}, not {}",
                    node.value.kind_name()
                ),
            ));
            return;
        };
        json::duplicate_keys(members, &mut self.errors);
        unknown(members, LEVEL_KEYS, "level key", &mut self.errors);
        let name = match get(members, "level") {
            Some(Node {
                value: Value::String(s),
                ..
            }) if !s.is_empty() => s.clone(),
            Some(n) => {
                self.errors.push(Diagnostic::error(
                    n.span,
                    "level must be a non-empty string",
                ));
                return;
            }
            None => {
                self.errors.push(Diagnostic::error(
                    node.span,
                    format!("{path} needs a \"level\" name (r-root, ou-…, or the account id)"),
                ));
                return;
            }
        };
        let index = self.add_level(kind, name);
        if let Some(p) = get(members, "policies") {
            let items = self.array(p, &format!("{path}.policies"));
            for (i, item) in items.iter().enumerate() {
                self.policy_entry(
                    item,
                    kind,
                    Some(index),
                    &format!("{path}.policies[{i}]"),
                    text,
                );
            }
        }
    }

    /// One policy entry (`{"name", "document", "attachedTo"}`) or bare document at
    /// `node`; `path` names it in messages.
    pub fn policy_entry(
        &mut self,
        node: &Node,
        kind: PolicyKind,
        level: Option<usize>,
        path: &str,
        text: &str,
    ) {
        let Value::Object(members) = &node.value else {
            self.errors.push(Diagnostic::error(
                node.span,
                format!(
                    "{path} must be a policy document or {{\"name\", \"document\"}}, not {}",
                    node.value.kind_name()
                ),
            ));
            return;
        };
        let is_entry = members.iter().any(|m| ENTRY_KEYS.contains(&m.key.as_str()));
        let (name, attached, principal, doc) = if is_entry {
            json::duplicate_keys(members, &mut self.errors);
            unknown(members, ENTRY_KEYS, "policy entry key", &mut self.errors);
            let name = self.opt_string(members, "name");
            let attached = self.opt_string(members, "attachedTo");
            if let (Some(a), Some(n)) = (&attached, get(members, "attachedTo")) {
                if a != "*" && !a.starts_with("arn:") && !a.starts_with(placeholder::OPEN) {
                    self.errors.push(Diagnostic::error(
                        n.span,
                        format!(
                            "attachedTo \"{a}\" must be a resource ARN (wildcards allowed) or \"*\""
                        ),
                    ));
                }
            }
            if attached.is_some() && kind != PolicyKind::Resource {
                if let Some(m) = members.iter().find(|m| m.key == "attachedTo") {
                    self.errors.push(Diagnostic::error(
                        m.key_span,
                        "attachedTo is only for resource policies",
                    ));
                }
            }
            let principal = self.bound_principal(members, kind);
            let Some(doc) = get(members, "document") else {
                self.errors.push(Diagnostic::error(
                    node.span,
                    format!("{path} needs a \"document\""),
                ));
                return;
            };
            (name, attached, principal, doc)
        } else {
            (None, None, None, node)
        };
        self.document_bound(doc, kind, level, name, attached, principal, path, text);
    }

    /// An entry's `principal` (SPEC §6), checked: only identity, boundary and session
    /// policies are bound to a principal, and only to one an ARN names.
    fn bound_principal(&mut self, members: &[Member], kind: PolicyKind) -> Option<String> {
        let principal = self.opt_string(members, "principal")?;
        let m = members.iter().find(|m| m.key == "principal")?;
        if !matches!(
            kind,
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
        ) {
            let instead = match kind {
                PolicyKind::Resource => {
                    ": a resource policy names its resource with attachedTo and who it lets in with its statements' Principal"
                }
                PolicyKind::Scp | PolicyKind::Rcp => {
                    ": an SCP or RCP applies to its level's accounts"
                }
                PolicyKind::Endpoint => {
                    ": an endpoint policy applies to the requests through its VPC endpoint"
                }
                _ => "",
            };
            self.errors.push(Diagnostic::error(
                m.key_span,
                format!("principal is only for identity, boundary and session policies{instead}"),
            ));
            return None;
        }
        if BoundPrincipal::new(&principal).is_none() {
            self.errors.push(Diagnostic::error(
                m.value.span,
                format!(
                    "principal \"{principal}\" must be the ARN of one IAM user, role, role session, federated user or account root (arn:aws:iam::ACCOUNT:user/NAME, arn:aws:iam::ACCOUNT:role/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, …), without wildcards"
                ),
            ));
            return None;
        }
        Some(principal)
    }

    /// How many policies were added so far.
    pub fn policy_count(&self) -> usize {
        self.sources.len()
    }

    /// The policies added from index `from` on are another file's (`policiesFrom`):
    /// shown as `text` (the JSON they were read as) and read-only, since the scenario
    /// has no place to save them. What is evaluated is unchanged.
    pub fn show_as_derived(&mut self, from: usize, text: &str) {
        for s in self.sources.iter_mut().skip(from) {
            s.text = text.to_string();
            s.form = DocumentForm::Derived;
        }
    }

    /// One policy document (an object, or a string holding the policy text) with its
    /// entry's name and placement.
    #[allow(clippy::too_many_arguments)]
    pub fn document(
        &mut self,
        doc: &Node,
        kind: PolicyKind,
        level: Option<usize>,
        name: Option<String>,
        attached: Option<String>,
        path: &str,
        text: &str,
    ) {
        self.document_bound(doc, kind, level, name, attached, None, path, text);
    }

    /// [`Self::document`] for an entry bound to `principal` (checked by the caller:
    /// [`crate::policy::BoundPrincipal::new`] takes it).
    #[allow(clippy::too_many_arguments)]
    pub fn document_bound(
        &mut self,
        doc: &Node,
        kind: PolicyKind,
        level: Option<usize>,
        name: Option<String>,
        attached: Option<String>,
        principal: Option<String>,
        path: &str,
        text: &str,
    ) {
        let ctx = ParseContext {
            kind,
            resource_implied: super::compile::resource_implied(kind, attached.as_deref()),
        };
        let apart = self.policy_errors.is_some();
        let mut own = Vec::new();
        let (policy, source_text, form) = match &doc.value {
            Value::String(s) => {
                let (decoded, form) = decode_document(s);
                let encoding = match form {
                    DocumentForm::UrlEncoded => Encoding::UrlEncoded,
                    _ => Encoding::JsonString,
                };
                // Spans in the decoded text name it: they are placed at its string.
                let id = self.source_map.add(DecodedText {
                    literal: doc.span,
                    name: name.clone(),
                    path: path.to_string(),
                    encoding,
                });
                let index = LineIndex::in_source(&decoded, id);
                let mut errs = Vec::new();
                let parsed = match json::parse_part(&decoded, &index, 0..decoded.len()) {
                    Ok(n) => parse_policy_node(&n, ctx, &mut errs),
                    Err(e) => {
                        errs.push(e);
                        None
                    }
                };
                if apart {
                    own.extend(errs);
                } else {
                    // Sorted with the others by where their string is.
                    let key = (
                        self.source_map.file_id_of(&doc.span).number(),
                        doc.span.start,
                    );
                    self.decoded_errors
                        .extend(errs.into_iter().map(|e| (key, e)));
                }
                (parsed, decoded, form)
            }
            // Opened for editing, a policy with errors is shown with them in the editor
            // (which parses each policy again) rather than failing the load.
            _ if self.keep_invalid_policy_text => (
                parse_policy_node(doc, ctx, &mut Vec::new()),
                text.get(doc.span.range()).unwrap_or_default().to_string(),
                DocumentForm::Inline,
            ),
            _ => (
                parse_policy_node(doc, ctx, if apart { &mut own } else { &mut self.errors }),
                text.get(doc.span.range()).unwrap_or_default().to_string(),
                DocumentForm::Inline,
            ),
        };
        // Kept apart, a policy with errors is a source without a parsed policy.
        let policy = match &mut self.policy_errors {
            Some(list) => {
                if policy.is_none() && own.is_empty() {
                    own.push(Diagnostic::error(doc.span, "the policy could not be read"));
                }
                let policy = policy.filter(|_| own.is_empty());
                // In the order they are written, as a failed load lists them.
                own.sort_by_key(|d| d.span.start);
                list.push(own);
                policy
            }
            None => policy,
        };
        self.sources.push(PolicySource {
            kind,
            name: name.clone(),
            level,
            attached_to: attached.clone(),
            principal: principal.clone(),
            text: source_text,
            form,
            at: Some(doc.span),
        });
        // Counted as they come: display_name would count the earlier ones each time.
        let n = &mut self.unnamed[kind as usize];
        *n += 1;
        let display_name = name
            .clone()
            .unwrap_or_else(|| format!("{} {n}", kind.label()));
        if let Some(policy) = policy {
            self.set.policies.push(PolicyEntry {
                kind,
                name: display_name.into(),
                level,
                attached_to: attached.as_deref().map(AttachedTo::new),
                principal: principal.as_deref().and_then(BoundPrincipal::new),
                policy,
            });
        }
    }

    /// The `policiesFrom` entries (one object, or an array of them), checked; each
    /// problem recorded at its place, and an entry with one left out.
    fn policies_from(&mut self, node: &Node, text: &str) -> Vec<PoliciesFrom> {
        let items: Vec<&Node> = match &node.value {
            Value::Array(items) => items.iter().collect(),
            Value::Object(_) => vec![node],
            other => {
                self.errors.push(Diagnostic::error(
                    node.span,
                    format!(
                        "policiesFrom must be an object {{\"file\": …, \"principal\": …}} or an array of them, not {}",
                        other.kind_name()
                    ),
                ));
                return Vec::new();
            }
        };
        items
            .into_iter()
            .filter_map(|n| self.policies_from_entry(n, text))
            .collect()
    }

    fn policies_from_entry(&mut self, node: &Node, text: &str) -> Option<PoliciesFrom> {
        let Value::Object(members) = &node.value else {
            self.errors.push(Diagnostic::error(
                node.span,
                format!(
                    "a policiesFrom entry must be an object {{\"file\": …, \"principal\": …}}, not {}",
                    node.value.kind_name()
                ),
            ));
            return None;
        };
        let before = self.errors.len();
        json::duplicate_keys(members, &mut self.errors);
        unknown(members, FROM_KEYS, "policiesFrom key", &mut self.errors);
        let at = |key: &str, errors: &mut Vec<Diagnostic>| -> Option<(String, Span)> {
            match get(members, key)? {
                Node {
                    value: Value::String(s),
                    span,
                } if !s.is_empty() => Some((s.clone(), *span)),
                n => {
                    errors.push(Diagnostic::error(
                        n.span,
                        format!(
                            "policiesFrom {key} must be a non-empty string, not {}",
                            match &n.value {
                                Value::String(_) => "an empty string",
                                v => v.kind_name(),
                            }
                        ),
                    ));
                    None
                }
            }
        };
        let file = at("file", &mut self.errors);
        if file.is_none() && get(members, "file").is_none() {
            self.errors.push(Diagnostic::error(
                node.span,
                "policiesFrom needs \"file\": the CloudFormation template or Terraform plan, relative to the scenario's directory",
            ));
        }
        let principal = at("principal", &mut self.errors);
        let arn = at("arn", &mut self.errors);
        let side = at("side", &mut self.errors).and_then(|(s, span)| match s.as_str() {
            "before" => Some((crate::iac::Side::Before, span)),
            "after" => Some((crate::iac::Side::After, span)),
            _ => {
                let hint = did_you_mean(&s, ["before", "after"]);
                self.errors.push(Diagnostic::error(
                    span,
                    format!("policiesFrom side must be \"before\" or \"after\", not \"{s}\"{hint}"),
                ));
                None
            }
        });
        let mut parameters = Vec::new();
        let parameters_at = get(members, "parameters").map(|p| p.span);
        if let Some(p) = get(members, "parameters") {
            match &p.value {
                Value::Object(params) => {
                    json::duplicate_keys(params, &mut self.errors);
                    for m in params {
                        match &m.value.value {
                            Value::String(v) => {
                                parameters.push((m.key.clone(), v.clone(), m.key_span))
                            }
                            other => self.errors.push(Diagnostic::error(
                                m.value.span,
                                format!(
                                    "parameter {} must be a string (as CloudFormation passes parameter values; a list is comma-separated), not {}",
                                    m.key,
                                    other.kind_name()
                                ),
                            )),
                        }
                    }
                }
                other => self.errors.push(Diagnostic::error(
                    p.span,
                    format!(
                        "policiesFrom parameters must be an object of strings {{\"Env\": \"prod\"}}, not {}",
                        other.kind_name()
                    ),
                )),
            }
        }
        if self.errors.len() != before {
            return None;
        }
        Some(PoliciesFrom {
            file: file?,
            principal,
            parameters,
            parameters_at,
            side,
            arn,
            at: node.span,
            text: text.get(node.span.range()).unwrap_or_default().to_string(),
        })
    }

    fn requests(&mut self, members: &[Member]) -> Vec<RequestSpec> {
        let one = get(members, "request");
        let many = get(members, "requests");
        let nodes: Vec<&Node> = match (one, many) {
            (Some(o), Some(_)) => {
                self.errors.push(Diagnostic::error(
                    o.span,
                    "give \"request\" or \"requests\", not both",
                ));
                return Vec::new();
            }
            (Some(o), None) => vec![o],
            (None, Some(m)) => self.array(m, "requests").iter().collect(),
            (None, None) => Vec::new(),
        };
        // Names and `via` of every request, valid or not: a request with an error
        // elsewhere is still a request that others may name.
        let string_at = |n: &Node, key: &str| -> Option<(String, crate::source::Span)> {
            match &n.value {
                Value::Object(m) => match get(m, key) {
                    Some(Node {
                        value: Value::String(s),
                        span,
                    }) => Some((s.clone(), *span)),
                    _ => None,
                },
                _ => None,
            }
        };
        let names: Vec<Option<(String, crate::source::Span)>> =
            nodes.iter().map(|n| string_at(n, "name")).collect();
        // Hashed: a file of 50,000 requests must not compare every name with every other.
        let mut first: HashMap<&str, crate::source::Span> = HashMap::with_capacity(names.len());
        for (name, span) in names.iter().flatten() {
            match first.entry(name.as_str()) {
                Entry::Occupied(f) => {
                    let f = f.get();
                    self.errors.push(Diagnostic::error(
                        *span,
                        format!(
                            "another request is already named \"{name}\" (line {}, column {}); requests are picked by name",
                            f.line, f.column
                        ),
                    ));
                }
                Entry::Vacant(v) => {
                    v.insert(*span);
                }
            }
        }
        let mut hints = 0;
        for n in &nodes {
            let Some((via, span)) = string_at(n, "via") else {
                continue;
            };
            if !first.contains_key(via.as_str()) {
                // A hint compares with every name: only for the first few, so that a
                // file whose every `via` is wrong is not quadratic.
                hints += 1;
                let hint = if hints <= VIA_HINTS {
                    did_you_mean(&via, names.iter().flatten().map(|(n, _)| n.as_str()))
                } else {
                    String::new()
                };
                self.errors.push(Diagnostic::error(
                    span,
                    format!("via names no request of this scenario: \"{via}\"{hint}"),
                ));
            }
        }
        nodes.into_iter().filter_map(|n| self.request(n)).collect()
    }

    fn request(&mut self, node: &Node) -> Option<RequestSpec> {
        let before = self.errors.len();
        let Value::Object(members) = &node.value else {
            self.errors.push(Diagnostic::error(
                node.span,
                format!(
                    "a request must be an object, not {}",
                    node.value.kind_name()
                ),
            ));
            return None;
        };
        json::duplicate_keys(members, &mut self.errors);
        unknown(members, REQUEST_KEYS, "request key", &mut self.errors);
        let name = self.opt_string(members, "name");
        let via = self.opt_string(members, "via");
        let required =
            |key: &str, errors: &mut Vec<Diagnostic>| -> Option<(String, crate::source::Span)> {
                match get(members, key) {
                    Some(Node {
                        value: Value::String(s),
                        span,
                    }) => Some((s.clone(), *span)),
                    Some(n) => {
                        errors.push(Diagnostic::error(
                            n.span,
                            format!("{key} must be a string, not {}", n.value.kind_name()),
                        ));
                        None
                    }
                    None => {
                        errors.push(Diagnostic::error(
                            node.span,
                            format!("request needs \"{key}\""),
                        ));
                        None
                    }
                }
            };
        let principal = required("principal", &mut self.errors);
        let action = required("action", &mut self.errors);
        let resource = required("resource", &mut self.errors);
        // Opened for editing, a request being written (a principal, action or resource
        // not filled in yet, as the TUI saves it) is kept for its form to show: the
        // editor evaluates only what is complete.
        let mut value_errors = Vec::new();
        let checked = if self.keep_invalid_policy_text {
            &mut value_errors
        } else {
            &mut self.errors
        };
        if let Some((p, span)) = &principal {
            let ok = principal_ok(p);
            if !ok {
                checked.push(Diagnostic::error(
                    *span,
                    format!("principal \"{p}\" must be an ARN (arn:aws:iam::ACCOUNT:user/NAME, …:root, …), a service principal (NAME.amazonaws.com) or \"anonymous\""),
                ));
            }
        }
        if let Some((a, span)) = &action {
            if !action_ok(a) {
                checked.push(Diagnostic::error(
                    *span,
                    format!("action \"{a}\" must be one action, service:ActionName (no wildcards)"),
                ));
            }
        }
        if let Some((r, span)) = &resource {
            if !resource_ok(r) {
                checked.push(Diagnostic::error(
                    *span,
                    format!("resource \"{r}\" must be an ARN or \"*\""),
                ));
            }
        }
        let resource_account = self.opt_string(members, "resourceAccount");
        if let (Some(a), Some(n)) = (&resource_account, get(members, "resourceAccount")) {
            if !is_account_id(a) {
                self.errors.push(Diagnostic::error(
                    n.span,
                    "resourceAccount must be a 12-digit account id",
                ));
            }
        }
        let context = match get(members, "context") {
            Some(c) => self.context(c),
            None => Vec::new(),
        };
        let expect = match get(members, "expect") {
            None => None,
            Some(n) => match &n.value {
                Value::String(s) => match Decision::from_word(s) {
                    Some(d) => Some(d),
                    None => {
                        let hint = did_you_mean(s, ["allow", "explicit_deny", "implicit_deny"]);
                        self.errors.push(Diagnostic::error(
                            n.span,
                            format!("expect must be allow, explicit_deny or implicit_deny, not \"{s}\"{hint}"),
                        ));
                        None
                    }
                },
                other => {
                    self.errors.push(Diagnostic::error(
                        n.span,
                        format!("expect must be a string, not {}", other.kind_name()),
                    ));
                    None
                }
            },
        };
        let notes = match get(members, "notes") {
            None => Vec::new(),
            Some(n) => self
                .array(n, "notes")
                .iter()
                .filter_map(|item| match &item.value {
                    Value::String(s) => Some(s.clone()),
                    other => {
                        self.errors.push(Diagnostic::error(
                            item.span,
                            format!("a note must be a string, not {}", other.kind_name()),
                        ));
                        None
                    }
                })
                .collect(),
        };
        if self.errors.len() != before {
            return None;
        }
        Some(RequestSpec {
            name,
            via,
            request: Request {
                principal: principal?.0,
                action: action?.0,
                resource: resource?.0,
                resource_account,
                context,
            },
            expect,
            span: node.span,
            notes,
        })
    }

    fn context(&mut self, node: &Node) -> Vec<(String, ContextValue)> {
        let Value::Object(members) = &node.value else {
            self.errors.push(Diagnostic::error(
                node.span,
                format!(
                    "context must be an object of keys, not {}",
                    node.value.kind_name()
                ),
            ));
            return Vec::new();
        };
        json::duplicate_keys(members, &mut self.errors);
        let mut out: Vec<(String, ContextValue)> = Vec::new();
        case_repeats(members, |first, m| {
            self.errors.push(Diagnostic::error(
                m.key_span,
                format!(
                    "context key \"{}\" repeats \"{}\" (line {}, column {}): key names are case-insensitive",
                    m.key, first.key, first.key_span.line, first.key_span.column
                ),
            ));
        });
        for m in members {
            let value = match &m.value.value {
                Value::Array(items) => {
                    let scalars: Vec<Scalar> =
                        items.iter().filter_map(|i| self.scalar(i)).collect();
                    ContextValue::Many(scalars)
                }
                _ => match self.scalar(&m.value) {
                    Some(s) => ContextValue::One(s),
                    None => continue,
                },
            };
            out.push((m.key.clone(), value));
        }
        out
    }

    fn scalar(&mut self, node: &Node) -> Option<Scalar> {
        match &node.value {
            Value::String(s) => Some(Scalar {
                text: s.clone(),
                kind: ScalarKind::String,
            }),
            Value::Number(n) => Some(Scalar {
                text: n.clone(),
                kind: ScalarKind::Number,
            }),
            Value::Bool(b) => Some(Scalar {
                text: b.to_string(),
                kind: ScalarKind::Bool,
            }),
            other => {
                self.errors.push(Diagnostic::error(
                    node.span,
                    format!(
                        "a context value must be a string, number, boolean or an array of them, not {}",
                        other.kind_name()
                    ),
                ));
                None
            }
        }
    }
}

/// True when `p` may stand as a request's principal.
fn principal_ok(p: &str) -> bool {
    principal_parsed_ok(p, &PrincipalRef::parse(p))
}

/// [`principal_ok`] for `p` already parsed.
fn principal_parsed_ok(p: &str, parsed: &PrincipalRef) -> bool {
    match parsed {
        PrincipalRef::Service { .. } | PrincipalRef::Anonymous => true,
        // An identity provider: an ARN (saml-provider, oidc-provider) or a web
        // identity provider's name (accounts.google.com).
        PrincipalRef::Other { .. } => {
            // A template value that cannot be resolved offline: the whole principal
            // (`⟦GetAtt AppRole.Arn⟧`) or an ARN with one in it.
            (placeholder::contains(p)
                && (p.starts_with(placeholder::OPEN) || p.starts_with("arn:")))
                || crate::policy::principal::split_arn(p).is_some_and(|a| !a[2].is_empty())
                || (p.contains('.')
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
        }
        PrincipalRef::Everyone => false,
        _ => p.starts_with("arn:"),
    }
}

/// True when `a` is one action, `service:ActionName`, without wildcards.
fn action_ok(a: &str) -> bool {
    if placeholder::contains(a) {
        // `⟦Ref Action⟧`, or `s3:⟦Ref Verb⟧`: read with a letter for each placeholder.
        let shape = crate::policy::unresolved::stand_in(a, "x");
        return shape == "x" || (shape != a && action_ok(&shape));
    }
    a.split_once(':').is_some_and(|(s, n)| {
        !s.is_empty() && !n.is_empty() && !a.contains('*') && !a.contains('?')
    })
}

/// True when `r` may stand as a request's resource.
fn resource_ok(r: &str) -> bool {
    // A placeholder may stand for the whole ARN (`⟦GetAtt Bucket.Arn⟧/key`).
    r == "*" || r.starts_with("arn:") || r.starts_with(placeholder::OPEN)
}

/// Calls `found(first, repeat)` for each context key that an earlier key of `members`
/// repeats in another letter case (exact repeats are duplicate keys, reported apart),
/// naming the earliest such key; linear in the number of keys.
fn case_repeats<'a>(members: &'a [Member], mut found: impl FnMut(&'a Member, &'a Member)) {
    // Per lower-cased key: its first member, and the first whose spelling differs.
    let mut groups: HashMap<String, (&Member, Option<&Member>)> = HashMap::new();
    for m in members {
        match groups.entry(m.key.to_ascii_lowercase()) {
            Entry::Vacant(v) => {
                v.insert((m, None));
            }
            Entry::Occupied(mut o) => {
                let (first, other) = o.get_mut();
                if m.key != first.key {
                    found(first, m);
                    other.get_or_insert(m);
                } else if let Some(other) = other {
                    found(other, m);
                }
            }
        }
    }
}

/// Decodes a policy held in a JSON string: URL-encoded when it does not start with
/// `{` but decodes to text that does.
fn decode_document(s: &str) -> (String, DocumentForm) {
    let trimmed = s.trim_start();
    if !trimmed.starts_with('{') && trimmed.starts_with('%') {
        if let Ok(decoded) = percent_encoding::percent_decode_str(s).decode_utf8() {
            if decoded.trim_start().starts_with('{') {
                return (decoded.into_owned(), DocumentForm::UrlEncoded);
            }
        }
    }
    (s.to_string(), DocumentForm::String)
}
