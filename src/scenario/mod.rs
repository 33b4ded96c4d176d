//! Scenario files (SPEC §6): policies by type plus requests, loaded with positions for
//! every error, written back as JSON (saved safely by [`crate::save`]). Other inputs that
//! become scenarios are read by [`crate::input`].

mod cache;
mod compile;
mod load;
pub mod presets;
mod restructure;
mod save;
pub mod splice;

pub use crate::save::{save_atomic, stale_temp_files, temp_prefix};
pub use cache::PolicyCache;
pub use compile::{
    compile_sources, display_name, display_names, is_trust_policy, parse_context, resource_implied,
};
pub use load::{
    Assembler, Include, LoadError, PoliciesFrom, ReadRequest, StreamedRequest, load_for_editing,
    load_quick, load_tree, load_tree_including, read_prepared, read_request, read_request_strict,
    stream_requests,
};
pub use save::to_json;

use crate::eval::Request;
use crate::iac::cfn::fragment::TemplateContext;
use crate::policy::{PolicyKind, PolicySet};
use crate::source::{SourceMap, Span};
use crate::trace::Decision;
use std::sync::Arc;

/// How a policy document was written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentForm {
    /// A JSON object.
    Inline,
    /// A JSON string holding the policy text.
    String,
    /// A JSON string holding URL-encoded policy text.
    UrlEncoded,
    /// A policy document of a CloudFormation template, as written there (YAML or
    /// JSON, intrinsic functions included): parsed with the template around it
    /// ([`Scenario::template`]), saved back into the template in place.
    Template,
    /// A document the file does not write, shown as JSON: an AWS managed policy the
    /// file attaches by ARN (from the bundled copy), or the statement a Lambda
    /// permission adds. Evaluated like any other; read-only where the file is edited,
    /// since there is nowhere in the file to save it.
    Derived,
}

impl DocumentForm {
    /// Whether an editor of the file may change the text (a derived document has no
    /// place in the file).
    pub fn editable(self) -> bool {
        self != DocumentForm::Derived
    }
}

/// One policy as written: what the editor shows and what is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicySource {
    /// Policy type.
    pub kind: PolicyKind,
    /// The entry's `name`, if given.
    pub name: Option<String>,
    /// SCP/RCP level index into the scenario's level list.
    pub level: Option<usize>,
    /// `attachedTo`, for resource policies.
    pub attached_to: Option<String>,
    /// `principal`, for identity, boundary and session policies bound to one principal.
    pub principal: Option<String>,
    /// The policy text (for a string document, the decoded text).
    pub text: String,
    /// How the document was written.
    pub form: DocumentForm,
    /// Where the document is written in the file it was read from (the object, or the
    /// string holding it); `None` for a policy added since.
    pub at: Option<Span>,
}

/// One request of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestSpec {
    /// `name`, if given.
    pub name: Option<String>,
    /// The name of the request that caused this one.
    pub via: Option<String>,
    /// The request.
    pub request: Request,
    /// The expected decision.
    pub expect: Option<Decision>,
    /// Where the request object is written.
    pub span: Span,
    /// Remarks shown with the request (where it came from, what could not be known).
    pub notes: Vec<String>,
}

impl RequestSpec {
    /// The name, or `#N` (1-based) when it has none.
    pub fn label(&self, index: usize) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("#{}", index + 1))
    }
}

/// A loaded scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Title.
    pub name: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The policies as written, in file order (index-aligned with `set.policies`).
    pub sources: Vec<PolicySource>,
    /// The parsed, ready-to-evaluate policies.
    pub set: PolicySet,
    /// The requests.
    pub requests: Vec<RequestSpec>,
    /// The policies decoded from strings of the file, which spans of their policies
    /// name ([`crate::source::SourceId`]): [`SourceMap::place`] places any span.
    pub source_map: SourceMap,
    /// The template the [`DocumentForm::Template`] policies are parsed with (when the
    /// scenario is a template's, opened for editing).
    pub template: Option<Arc<TemplateContext>>,
}

impl Scenario {
    /// A message for each policy larger than AWS allows for its type.
    pub fn size_warnings(&self) -> Vec<String> {
        self.sources
            .iter()
            .zip(display_names(&self.sources))
            .filter_map(|(s, name)| {
                let trust = is_trust_policy(s.kind, s.attached_to.as_deref());
                crate::policy::limits::over_limit(&s.text, s.kind, trust)
                    .map(|m| format!("{} \"{name}\" is {m}", s.kind.label()))
            })
            .collect()
    }

    /// Each request's label (its name, or `#N`), in order: what a message listing the
    /// valid request names shows.
    pub fn request_labels(&self) -> Vec<String> {
        self.requests
            .iter()
            .enumerate()
            .map(|(i, r)| r.label(i))
            .collect()
    }

    /// Finds a request by name, or by 1-based position written as a number.
    pub fn find_request(&self, selector: &str) -> Option<usize> {
        if let Some(i) = self
            .requests
            .iter()
            .position(|r| r.name.as_deref() == Some(selector))
        {
            return Some(i);
        }
        selector
            .parse::<usize>()
            .ok()
            .filter(|&n| n >= 1 && n <= self.requests.len())
            .map(|n| n - 1)
    }
}
