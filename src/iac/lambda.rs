//! A Lambda permission (CloudFormation's `AWS::Lambda::Permission`, Terraform's
//! `aws_lambda_permission`) has no document: it adds one statement to the function's
//! resource policy, as Lambda's `AddPermission` does. Both readers describe the
//! permission as a [`Permission`] and get the statement from here, built the way Lambda
//! writes it (the Lambda developer guide's resource-based policy examples):
//!
//! ```json
//! {"Sid": "…", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
//!  "Action": "lambda:InvokeFunction",
//!  "Resource": "arn:aws:lambda:REGION:ACCOUNT:function:NAME",
//!  "Condition": {"StringEquals": {"AWS:SourceAccount": "…"},
//!                "ArnLike": {"AWS:SourceArn": "…"}}}
//! ```
//!
//! An account principal becomes `{"AWS": "arn:PARTITION:iam::ACCOUNT:root"}`, an ARN
//! `{"AWS": ARN}`, `*` stays `*`, anything else with a dot is a service; the principal
//! organization, function URL auth type and event source token are `StringEquals` on
//! `aws:PrincipalOrgID`, `lambda:FunctionUrlAuthType` and `lambda:EventSourceToken`.
//! Every node has the position of the value it comes from.

use super::placeholder;
use crate::json::{Member, Node, Value};
use crate::source::Span;

/// A value of the permission and where it is written.
pub type Spanned = (String, Span);

/// What a Lambda permission says, each value with its position.
#[derive(Debug, Clone)]
pub struct Permission {
    /// The statement id (`Sid`), when there is one.
    pub sid: Option<Spanned>,
    /// The action allowed (`lambda:InvokeFunction`…).
    pub action: Spanned,
    /// The ARN of the function (or of its version or alias): see [`function_arn`].
    pub function: Spanned,
    /// Who is allowed: a service, an account id, an ARN or `*`.
    pub principal: Spanned,
    /// `ArnLike AWS:SourceArn`.
    pub source_arn: Option<Spanned>,
    /// `StringEquals AWS:SourceAccount`.
    pub source_account: Option<Spanned>,
    /// `StringEquals aws:PrincipalOrgID`.
    pub principal_org_id: Option<Spanned>,
    /// `StringEquals lambda:FunctionUrlAuthType`.
    pub function_url_auth_type: Option<Spanned>,
    /// `StringEquals lambda:EventSourceToken`.
    pub event_source_token: Option<Spanned>,
    /// The partition an account principal's root ARN is written in.
    pub partition: String,
    /// The whole permission: the position of what no single value gives.
    pub span: Span,
}

/// The ARN Lambda puts in `Resource` for `function` as a permission names it: a name
/// (`my-function`, or `my-function:v1` with an alias or version), a full ARN, or a
/// partial ARN (`ACCOUNT:function:NAME`); `qualifier` (a version or alias given apart,
/// as Terraform's `qualifier`) is added when the name does not carry one.
pub fn function_arn(
    function: &str,
    qualifier: Option<&str>,
    partition: &str,
    region: &str,
    account: &str,
) -> String {
    let arn = if function.starts_with("arn:") {
        function.to_string()
    } else if let Some((acct, rest)) = function.split_once(":function:") {
        format!("arn:{partition}:lambda:{region}:{acct}:function:{rest}")
    } else {
        format!("arn:{partition}:lambda:{region}:{account}:function:{function}")
    };
    // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME has 7 parts; a qualified one 8.
    match qualifier.filter(|q| !q.is_empty()) {
        Some(q) if arn.split(':').count() == 7 => format!("{arn}:{q}"),
        _ => arn,
    }
}

fn s(span: Span, text: impl Into<String>) -> Node {
    Node {
        span,
        value: Value::String(text.into()),
    }
}

fn obj(span: Span, members: Vec<(&str, Node)>) -> Node {
    Node {
        span,
        value: Value::Object(
            members
                .into_iter()
                .map(|(k, v)| Member {
                    key: k.to_string(),
                    key_span: v.span,
                    value: v,
                })
                .collect(),
        ),
    }
}

impl Permission {
    /// The `Principal` element for the permission's principal.
    fn principal_node(&self) -> Node {
        let (principal, span) = (&self.principal.0, self.principal.1);
        if principal == "*" {
            s(span, "*")
        } else if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
            let root = format!("arn:{}:iam::{principal}:root", self.partition);
            obj(span, vec![("AWS", s(span, root))])
        } else if principal.starts_with("arn:")
            || !principal.contains('.')
            || placeholder::contains(principal)
        {
            obj(span, vec![("AWS", s(span, principal.clone()))])
        } else {
            obj(span, vec![("Service", s(span, principal.clone()))])
        }
    }

    /// The resource policy holding the statement Lambda writes for this permission.
    pub fn document(&self) -> Node {
        let span = self.span;
        let mut equals = Vec::new();
        for (value, key) in [
            (&self.source_account, "AWS:SourceAccount"),
            (&self.principal_org_id, "aws:PrincipalOrgID"),
            (&self.function_url_auth_type, "lambda:FunctionUrlAuthType"),
            (&self.event_source_token, "lambda:EventSourceToken"),
        ] {
            if let Some((v, at)) = value {
                equals.push((key, s(*at, v.clone())));
            }
        }
        let mut condition = Vec::new();
        if !equals.is_empty() {
            condition.push(("StringEquals", obj(span, equals)));
        }
        if let Some((v, at)) = &self.source_arn {
            condition.push((
                "ArnLike",
                obj(*at, vec![("AWS:SourceArn", s(*at, v.clone()))]),
            ));
        }
        let mut statement = Vec::new();
        if let Some((sid, at)) = &self.sid {
            statement.push(("Sid", s(*at, sid.clone())));
        }
        statement.extend([
            ("Effect", s(span, "Allow")),
            ("Principal", self.principal_node()),
            ("Action", s(self.action.1, self.action.0.clone())),
            ("Resource", s(self.function.1, self.function.0.clone())),
        ]);
        if !condition.is_empty() {
            statement.push(("Condition", obj(span, condition)));
        }
        obj(
            span,
            vec![
                ("Version", s(span, "2012-10-17")),
                (
                    "Statement",
                    Node {
                        span,
                        value: Value::Array(vec![obj(span, statement)]),
                    },
                ),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_arns_from_names_partial_arns_and_qualifiers() {
        let arn =
            |f: &str, q: Option<&str>| function_arn(f, q, "aws-cn", "cn-north-1", "111122223333");
        assert_eq!(
            arn("fn", None),
            "arn:aws-cn:lambda:cn-north-1:111122223333:function:fn"
        );
        assert_eq!(
            arn("fn", Some("live")),
            "arn:aws-cn:lambda:cn-north-1:111122223333:function:fn:live"
        );
        assert_eq!(
            arn("fn:3", Some("live")),
            "arn:aws-cn:lambda:cn-north-1:111122223333:function:fn:3"
        );
        assert_eq!(
            arn("444455556666:function:fn", None),
            "arn:aws-cn:lambda:cn-north-1:444455556666:function:fn"
        );
        assert_eq!(
            arn(
                "arn:aws:lambda:us-east-1:444455556666:function:fn",
                Some("1")
            ),
            "arn:aws:lambda:us-east-1:444455556666:function:fn:1"
        );
        assert_eq!(arn("fn", Some("")), arn("fn", None));
    }

    #[test]
    fn principals_are_written_as_lambda_writes_them() {
        let at = Span::default();
        let p = |principal: &str| {
            let doc = Permission {
                sid: None,
                action: ("lambda:InvokeFunction".into(), at),
                function: (
                    "arn:aws:lambda:us-east-1:111122223333:function:f".into(),
                    at,
                ),
                principal: (principal.into(), at),
                source_arn: None,
                source_account: None,
                principal_org_id: None,
                function_url_auth_type: None,
                event_source_token: None,
                partition: "aws-us-gov".into(),
                span: at,
            }
            .document();
            let mut out = String::new();
            crate::json::write_pretty(&doc, 0, &mut out);
            out.replace([' ', '\n'], "")
        };
        assert!(p("*").contains(r#""Principal":"*""#), "{}", p("*"));
        assert!(p("111122223333").contains(r#"{"AWS":"arn:aws-us-gov:iam::111122223333:root"}"#));
        assert!(p("s3.amazonaws.com").contains(r#"{"Service":"s3.amazonaws.com"}"#));
        let role = "arn:aws:iam::111122223333:role/r";
        assert!(p(role).contains(&format!(r#"{{"AWS":"{role}"}}"#)));
        let unknown = placeholder::make("x.principal");
        assert!(p(&unknown).contains(r#"{"AWS":"⟦"#));
    }
}
