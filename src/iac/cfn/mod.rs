//! CloudFormation templates (JSON or YAML; CDK's `*.template.json` and SAM templates
//! too) read into an [`Inventory`]: the users, roles and groups they declare and every
//! policy document, intrinsic functions resolved ([`resolve`]) with the positions of
//! the template text. What is declared but not read (a SAM policy template, a transform,
//! a resource type whose policy is not IAM's grammar) is a note, never dropped
//! silently.

mod extract;
pub mod fragment;
mod lambda;
pub mod names;
pub mod resolve;
mod resources;
mod sam;

use super::Inventory;
use crate::json::{self, Node, Value};
use crate::source::{Diagnostic, Severity, SourceId, SourceMap, Span};
use std::collections::BTreeMap;

/// The values a template is read with: pseudo parameters and parameter values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CfnOptions {
    /// `AWS::AccountId` (default `123456789012`).
    pub account: String,
    /// `AWS::Region` (default `us-east-1`).
    pub region: String,
    /// `AWS::Partition` (default `aws`).
    pub partition: String,
    /// `AWS::StackName`, when known (else a placeholder).
    pub stack_name: Option<String>,
    /// `AWS::StackId`, when known (else a placeholder).
    pub stack_id: Option<String>,
    /// Parameter values given by the caller (`--parameter KEY=VALUE`); they win over
    /// the template's `Default`s. A list parameter's value is comma-separated.
    pub parameters: BTreeMap<String, String>,
}

impl Default for CfnOptions {
    fn default() -> Self {
        CfnOptions {
            account: "123456789012".into(),
            region: "us-east-1".into(),
            partition: "aws".into(),
            stack_name: None,
            stack_id: None,
            parameters: BTreeMap::new(),
        }
    }
}

/// The pseudo parameters a caller may set (with `--parameter`), besides the
/// template's own parameters.
pub const SETTABLE_PSEUDO: &[&str] = &[
    "AWS::AccountId",
    "AWS::Region",
    "AWS::Partition",
    "AWS::StackName",
    "AWS::StackId",
];

impl CfnOptions {
    /// The options `KEY=VALUE` pairs give, as `--parameter` takes them: a pseudo
    /// parameter's name (`AWS::AccountId`, `AWS::Region`, `AWS::Partition`,
    /// `AWS::StackName`, `AWS::StackId`) sets that pseudo parameter (a region gives its
    /// partition unless `AWS::Partition` is given too); any other name is a template
    /// parameter's value. What is not given keeps its default.
    pub fn from_values<'a>(values: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut o = CfnOptions::default();
        let mut partition = None;
        for (key, value) in values {
            let value = value.to_string();
            match key {
                "AWS::AccountId" => o.account = value,
                "AWS::Region" => o.region = value,
                "AWS::Partition" => partition = Some(value),
                "AWS::StackName" => o.stack_name = Some(value),
                "AWS::StackId" => o.stack_id = Some(value),
                _ => {
                    o.parameters.insert(key.to_string(), value);
                }
            }
        }
        // A region gives its partition (`cn-north-1` → `aws-cn`) unless the partition
        // is given too.
        o.partition = partition
            .or_else(|| crate::iac::partition_of_region(&o.region).map(String::from))
            .unwrap_or(o.partition);
        o
    }
}

/// How the template is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (CDK output, most generated templates).
    Json,
    /// YAML, short-form tags included.
    Yaml,
}

/// A template read: its inventory and where the policies decoded from strings are.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The principals, policies and notes.
    pub inventory: Inventory,
    /// The texts decoded from strings of the template (a `PolicyDocument` written as a
    /// JSON string), which spans other than [`SourceId::FILE`] name.
    pub source_map: SourceMap,
    /// Each decoded text, by its id: what its spans' offsets are in.
    pub decoded: Vec<(SourceId, String)>,
    /// JSON or YAML.
    pub format: Format,
}

/// Reads the template `text`. A syntax error, or a file that is not a template (no
/// `Resources` mapping), is an `Err` with positions; everything else that is not
/// understood is a note in [`Inventory::notes`].
pub fn read(text: &str, options: &CfnOptions) -> Result<Template, Vec<Diagnostic>> {
    let (root, format) = parse(text);
    let root = root.map_err(|e| vec![e])?;
    match get(&root, "Resources").map(|r| &r.value) {
        Some(Value::Object(_)) => {}
        Some(other) => {
            let at = get(&root, "Resources").map_or(root.span, |r| r.span);
            return Err(vec![Diagnostic::error(
                at,
                format!("Resources must be a mapping, not {}", other.kind_name()),
            )]);
        }
        None => {
            return Err(vec![Diagnostic::error(
                Span {
                    end: root.span.start,
                    ..root.span
                },
                "not a CloudFormation template: it has no Resources",
            )]);
        }
    }
    Ok(extract::Extractor::run(&root, format, options))
}

/// The template's syntax tree, and whether it is written as JSON or YAML (JSON when
/// its first character is `{`).
pub fn parse(text: &str) -> (Result<Node, Diagnostic>, Format) {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        (json::parse(text), Format::Json)
    } else {
        (crate::yaml::parse(text), Format::Yaml)
    }
}

/// The value of `key` in the object `node`, if any (the first, when repeated).
pub fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.value {
        Value::Object(m) => m.iter().find(|m| m.key == key).map(|m| &m.value),
        _ => None,
    }
}

/// A note: a warning at `span`.
pub fn warn(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        span,
        severity: Severity::Warning,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
