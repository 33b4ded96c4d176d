//! Templates and plans read as one principal's scenario: the file's [`Inventory`]
//! (CloudFormation through [`crate::iac::cfn`], Terraform through
//! [`crate::iac::terraform`]) assembled for the user or role `--principal` names
//! ([`crate::iac::assemble`]). Without a principal the choices are listed.

use super::{Kind, LoadOptions, Loaded};
use crate::iac::assemble::{Assembled, Decoded, all_policies, assemble_decoded, choices};
use crate::iac::cfn::fragment::TemplateContext;
use crate::iac::{Document, Inventory, Side, terraform};
use crate::scenario::LoadError;
use crate::scenario::{DocumentForm, PolicySource};
use crate::source::{Diagnostic, SourceId, SourceMap};
use std::collections::HashSet;
use std::sync::Arc;

/// A template or plan read: its inventory, and the policies decoded from its strings.
pub struct Read {
    /// The principals, policies and notes.
    pub inventory: Inventory,
    /// The texts decoded from strings, by id (a template's policy strings).
    pub decoded: Vec<(SourceId, String)>,
    /// Where those strings are.
    pub map: SourceMap,
}

/// The inventory of a template or plan `text` of `kind`, for `options`' side and
/// parameters.
pub fn inventory(kind: Kind, text: &str, options: &LoadOptions) -> Result<Inventory, LoadError> {
    read(kind, text, options).map(|r| r.inventory)
}

/// A template or plan `text` of `kind` read, for `options`' side and parameters.
pub fn read(kind: Kind, text: &str, options: &LoadOptions) -> Result<Read, LoadError> {
    read_with(kind, text, options.side, cfn_options(options))
}

/// [`read`] with a template's pseudo parameters and parameter values all given.
pub fn read_with(
    kind: Kind,
    text: &str,
    side: Side,
    cfn: crate::iac::cfn::CfnOptions,
) -> Result<Read, LoadError> {
    match kind {
        Kind::TerraformPlan => terraform::read(text, side)
            .map(|inventory| Read {
                inventory,
                decoded: Vec::new(),
                map: SourceMap::default(),
            })
            .map_err(LoadError::in_file),
        Kind::CloudFormation => crate::iac::cfn::read(text, &cfn)
            .map(|t| Read {
                inventory: t.inventory,
                decoded: t.decoded,
                map: t.source_map,
            })
            .map_err(LoadError::in_file),
        _ => Err(LoadError::in_file(vec![Diagnostic::error(
            crate::iac::assemble::FILE_START,
            format!("{} is not a template or a plan", kind.describe()),
        )])),
    }
}

/// The values a template is read with, from `options`.
pub fn cfn_options(options: &LoadOptions) -> crate::iac::cfn::CfnOptions {
    crate::iac::cfn::CfnOptions::from_values(
        options
            .parameters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// A template or plan as the scenario of `options.principal`.
pub(super) fn load(kind: Kind, text: &str, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let read = read(kind, text, options)?;
    load_read(kind, text, &read, options)
}

/// A template or plan opened to edit, as the scenario of `options.principal`
/// ([`Loaded::scenario`]'s policies as an editor is to show them). A template's own
/// documents are its text as written ([`DocumentForm::Template`], parsed with the
/// template, which the scenario holds); what the template does not write — an AWS
/// managed policy it attaches by ARN, the statement a Lambda permission adds — is
/// pretty-printed JSON, read-only ([`DocumentForm::Derived`]). A plan's documents are
/// the JSON decoded from its strings (one-line JSON pretty-printed), to try changes on:
/// nothing is ever written back into a plan.
pub fn load_for_editing(
    kind: Kind,
    text: &str,
    options: &LoadOptions,
) -> Result<Loaded, LoadError> {
    let read = read(kind, text, options)?;
    let mut loaded = load_read(kind, text, &read, options)?;
    let sources = &mut loaded.scenario.sources;
    let inventory = &read.inventory;
    if kind != Kind::CloudFormation {
        // A plan's documents are JSON in strings: the JSON, pretty-printed (one line
        // as Terraform writes it is hard to edit), to try changes on.
        for src in sources.iter_mut() {
            src.text = derived_text(inventory, src);
            src.form = DocumentForm::String;
        }
        return Ok(loaded);
    }
    // Where the template writes each of its documents: the object, or the string
    // holding it.
    let written: HashSet<(u64, u64)> = inventory
        .policies
        .iter()
        .filter(|f| !inventory.synthesised.contains(&f.name))
        .filter_map(|f| match &f.document {
            Document::Inline(node) if node.span.source.is_file() => Some(node.span),
            Document::Inline(node) => read.map.get(node.span.source).map(|d| d.literal),
            _ => None,
        })
        .map(|span| (span.start, span.end))
        .collect();
    for src in sources.iter_mut() {
        let at = src.at.filter(|at| at.source.is_file());
        match at.and_then(|at| {
            text.get(at.range())
                .filter(|_| written.contains(&(at.start, at.end)))
        }) {
            Some(as_written) => {
                // Held as the editor shows it, on the template's columns: a YAML
                // document parses only with its first line indented like the rest.
                src.form = DocumentForm::Inline;
                src.text = as_written.to_string();
                src.text = crate::scenario::splice::editor_text(src);
                src.form = DocumentForm::Template;
            }
            None => {
                src.text = derived_text(inventory, src);
                src.form = DocumentForm::Derived;
            }
        }
    }
    let context = TemplateContext::new(text, cfn_options(options)).map_err(LoadError::in_file)?;
    // A document that does not read on its own (a YAML alias of an anchor outside it)
    // is shown as the whole template reads it, read-only.
    for src in sources.iter_mut() {
        let ctx = crate::scenario::parse_context(src);
        if src.form == DocumentForm::Template && context.parse(&src.text, ctx).is_err() {
            src.form = DocumentForm::Inline;
            src.text = derived_text(inventory, src);
            src.form = DocumentForm::Derived;
        }
    }
    loaded.scenario.template = Some(Arc::new(context));
    Ok(loaded)
}

/// The JSON an editor shows for a document the template does not write: the bundled
/// managed policy's text, or the statement built for a Lambda permission,
/// pretty-printed.
fn derived_text(inventory: &Inventory, src: &PolicySource) -> String {
    // The policy it is: the one written at its place (a bucket policy is placed twice,
    // on the bucket and on its objects, under two names), else the one of its name.
    let inline = |f: &crate::iac::FoundPolicy| match &f.document {
        Document::Inline(node) => Some(node.clone()),
        _ => None,
    };
    let node = match src.form {
        DocumentForm::Inline => inventory
            .policies
            .iter()
            .filter_map(inline)
            .find(|node| Some(node.span) == src.at)
            .or_else(|| {
                inventory
                    .policies
                    .iter()
                    .find(|f| src.name.as_deref() == Some(f.name.as_str()))
                    .and_then(inline)
            }),
        _ => crate::json::parse(&src.text).ok(),
    };
    let Some(node) = node else {
        return src.text.clone();
    };
    let mut pretty = String::new();
    crate::json::write_pretty(&node, 0, &mut pretty);
    pretty
}

fn load_read(
    kind: Kind,
    text: &str,
    read: &Read,
    options: &LoadOptions,
) -> Result<Loaded, LoadError> {
    let inv = &read.inventory;
    let decoded = Decoded {
        texts: &read.decoded,
        map: Some(&read.map),
    };
    let shown = format!(
        "the {}{}",
        kind.describe().trim_start_matches("a "),
        match (kind, options.side) {
            (Kind::TerraformPlan, Side::Before) => " (before the change)",
            (Kind::TerraformPlan, Side::After) => " (after the change)",
            _ => "",
        }
    );
    let loaded = |a: Assembled| Loaded {
        kind,
        scenario: a.scenario,
        skipped: Vec::new(),
        read_as: None,
        notes: a.notes,
        policy_errors: a.policy_errors,
    };
    if options.principal.is_none() && options.all_policies {
        return all_policies(inv, text, decoded, &shown).map(loaded);
    }
    let Some(principal) = options.principal.as_deref() else {
        let what = match kind {
            Kind::TerraformPlan => "a Terraform plan",
            _ => "a CloudFormation template",
        };
        let list = choices(inv);
        let message = if list.is_empty() {
            format!(
                "this is {what} with no user or role: nothing to evaluate as (iamtrace lint reads its policies)"
            )
        } else {
            format!(
                "this is {what}: choose whose policies to evaluate (--principal LOGICAL_ID|ADDRESS|NAME): {}",
                list.join(", ")
            )
        };
        return Err(LoadError::in_file(vec![Diagnostic::error(
            crate::iac::assemble::FILE_START,
            message,
        )]));
    };
    assemble_decoded(inv, text, decoded, principal, &shown).map(loaded)
}
