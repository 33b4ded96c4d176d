//! One policy document of a template parsed on its own, as an editor holds it: the
//! document's text cut out of the template (YAML or JSON, short-form tags and intrinsic
//! functions included), read with the template around it — its parameters, conditions,
//! mappings, resources and pseudo parameters — so that `!Sub`, `!Ref` and `!If` resolve
//! as they do when the whole template is read. Positions are in the text given: an
//! editor that shows the document on the template's own lines and columns gets every
//! error and statement at its place in the template.

use super::extract::as_text;
use super::resolve::Resolver;
use super::{CfnOptions, Format};
use crate::json::{self, Node, Value};
use crate::policy::{ParseContext, Policy, parse_policy_node};
use crate::source::{Diagnostic, Span};

/// A template as its policy documents are parsed against: its syntax tree (for what the
/// documents refer to) and the values it is read with.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateContext {
    root: Node,
    options: CfnOptions,
    format: Format,
}

impl TemplateContext {
    /// The context of the template `text`, read with `options`. `Err` when the text
    /// does not parse (the reader says so the same way).
    pub fn new(text: &str, options: CfnOptions) -> Result<Self, Vec<Diagnostic>> {
        let (root, format) = super::parse(text);
        Ok(TemplateContext {
            root: root.map_err(|e| vec![e])?,
            options,
            format,
        })
    }

    /// JSON or YAML: how the template's documents are written.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The values the template is read with.
    pub fn options(&self) -> &CfnOptions {
        &self.options
    }

    /// `text`, a policy document of this template as written there (an object, or a
    /// string holding JSON policy text), parsed as a policy of `ctx`. A document
    /// written as a string is decoded; positions inside it are not the template's, so
    /// everything in it is placed at the string.
    pub fn parse(&self, text: &str, ctx: ParseContext) -> Result<Policy, Vec<Diagnostic>> {
        let written = match self.format {
            Format::Json => json::parse(text),
            Format::Yaml => crate::yaml::parse(text),
        }
        .map_err(|e| vec![e])?;
        let mut resolver = Resolver::new(&self.root, &self.options);
        let Some(resolved) = resolver.resolve(&written) else {
            return Err(vec![Diagnostic::error(
                written.span,
                "the document is removed here (Ref AWS::NoValue): there is no policy to read",
            )]);
        };
        let mut node = match &resolved.value {
            Value::Object(_) => resolved,
            Value::String(s) if s.trim_start().starts_with('{') => match json::parse(s) {
                Ok(mut inner) => {
                    place_at(&mut inner, resolved.span);
                    inner
                }
                Err(e) => {
                    return Err(vec![Diagnostic::error(
                        resolved.span,
                        format!("the policy string is not valid JSON: {}", e.message),
                    )]);
                }
            },
            Value::String(s) if crate::iac::placeholder::contains(s) => {
                return Err(vec![Diagnostic::error(
                    resolved.span,
                    format!("the policy document is {s}, unknown offline"),
                )]);
            }
            other => {
                return Err(vec![Diagnostic::error(
                    resolved.span,
                    format!(
                        "the policy document is {}, not an object",
                        other.kind_name()
                    ),
                )]);
            }
        };
        as_text(&mut node);
        let mut errors = Vec::new();
        match parse_policy_node(&node, ctx, &mut errors) {
            Some(policy) if errors.is_empty() => Ok(policy),
            _ => Err(errors),
        }
    }
}

/// Every position in `node` set to `span` (a document decoded from a string is placed
/// at the string).
fn place_at(node: &mut Node, span: Span) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        n.span = span;
        match &mut n.value {
            Value::Array(items) => todo.extend(items.iter_mut()),
            Value::Object(members) => {
                for m in members.iter_mut() {
                    m.key_span = span;
                    todo.push(&mut m.value);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyKind;

    const TEMPLATE: &str = "Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub 'data-${Env}'}
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub '${Data.Arn}/*'
";

    fn context() -> TemplateContext {
        TemplateContext::new(TEMPLATE, CfnOptions::default()).expect("parses")
    }

    fn identity() -> ParseContext {
        ParseContext::new(PolicyKind::Identity)
    }

    #[test]
    fn a_document_resolves_against_the_template_with_its_own_positions() {
        let text = "            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: s3:GetObject
                Resource: !Sub '${Data.Arn}/*'
              - !If [IsProd, {Effect: Deny, Action: s3:DeleteObject, Resource: '*'}, !Ref AWS::NoValue]";
        let policy = context().parse(text, identity()).expect("valid");
        assert_eq!(
            policy.statements.len(),
            2,
            "IsProd holds with Env's default"
        );
        let s = &policy.statements[0];
        assert_eq!((s.span.line, s.span.column), (3, 17));
        let resource = format!("{:?}", s.resource);
        assert!(resource.contains("arn:aws:s3:::data-prod/*"), "{resource}");
    }

    #[test]
    fn errors_point_into_the_text_given() {
        let text = "  Version: '2012-10-17'\n  Statement:\n    - Efect: Allow\n      Action: '*'\n      Resource: '*'";
        let errors = context().parse(text, identity()).expect_err("typo");
        assert!(errors.iter().any(|e| e.span.line == 3), "{errors:?}");
        let syntax = context()
            .parse("  Version: [unclosed", identity())
            .expect_err("syntax");
        assert_eq!(syntax[0].span.line, 1);
    }

    #[test]
    fn a_string_document_is_decoded_and_placed_at_the_string() {
        let text = "'{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sqs:*\", \"Resource\": \"*\"}]}'";
        let policy = context().parse(text, identity()).expect("valid");
        assert_eq!(policy.statements[0].span.column, 1);
        let bad = context()
            .parse("'{\"Version\": '", identity())
            .expect_err("not JSON");
        assert!(bad[0].message.contains("not valid JSON"), "{bad:?}");
    }

    #[test]
    fn what_is_no_document_says_so() {
        for (text, says) in [
            ("!Ref AWS::NoValue", "removed"),
            ("[1, 2]", "not an object"),
            ("!Ref Env", "string, not an object"),
            ("!GetAtt Role.Arn", "unknown offline"),
        ] {
            let e = context().parse(text, identity()).expect_err(text);
            assert!(e[0].message.contains(says), "{text}: {e:?}");
        }
    }

    #[test]
    fn a_json_template_reads_json_documents() {
        let t = TemplateContext::new(
            r#"{"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}}"#,
            CfnOptions::default(),
        )
        .expect("parses");
        assert_eq!(t.format(), Format::Json);
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["B", "Arn"]}, "/*"]]}}]}"#;
        let p = t.parse(text, identity()).expect("valid");
        let resource = format!("{:?}", p.statements[0].resource);
        assert!(resource.contains("arn:aws:s3:::b/*"), "{resource}");
    }
}
