//! A lint finding's mechanical fix ([`FixEdit`]) as a byte edit of the policy's text,
//! in the text's own layout: what the TUI's one-key fix applies for a finding. The
//! positions come from the JSON tree of the text, found again from the finding's spans,
//! so a fix computed on an older text does not land on a newer one.

use super::text::{NewValue, TextEdit, insert_member, member};
use crate::json::{Node, Value};
use crate::lint::FixEdit;
use crate::source::Span;

/// The edit that makes `fix` in `text` (the policy's text the finding was made on);
/// `None` when the text does not parse or does not hold what the fix refers to.
pub fn edit(text: &str, fix: &FixEdit) -> Option<TextEdit> {
    let root = crate::json::parse(text).ok()?;
    match fix {
        FixEdit::RenameOperator { at, to } => {
            let key = find_member_key(&root, at)?;
            let mut written = String::new();
            crate::json::write_string(to, &mut written);
            Some(TextEdit {
                range: key.range(),
                text: written,
            })
        }
        FixEdit::AddCondition {
            statement,
            operator,
            key,
            value,
        } => {
            let st = find_node(&root, statement)?;
            add_condition(text, st, operator, key, value)
        }
        FixEdit::ReplaceString { at, to } => {
            let node = find_node(&root, at)?;
            if !matches!(node.value, Value::String(_)) {
                return None;
            }
            let mut written = String::new();
            crate::json::write_string(to, &mut written);
            Some(TextEdit {
                range: node.span.range(),
                text: written,
            })
        }
        FixEdit::SetVersion => set_version(text, &root),
    }
}

/// `"operator": {"key": "value"}` added to statement `st`'s Condition, or the key to the
/// operator's object when the Condition has the operator (nothing when it has the key).
fn add_condition(
    text: &str,
    st: &Node,
    operator: &str,
    key: &str,
    value: &str,
) -> Option<TextEdit> {
    let value = NewValue::Str(value.to_string());
    match member(st, "Condition") {
        Some((_, condition)) => match member(&condition.value, operator) {
            Some((_, op)) => {
                let Value::Object(keys) = &op.value.value else {
                    return None;
                };
                if keys.iter().any(|k| k.key.eq_ignore_ascii_case(key)) {
                    return None;
                }
                insert_member(text, &op.value, key, &value)
            }
            None => insert_member(
                text,
                &condition.value,
                operator,
                &NewValue::Object(vec![(key.to_string(), value)]),
            ),
        },
        None => insert_member(
            text,
            st,
            "Condition",
            &NewValue::Object(vec![(
                operator.to_string(),
                NewValue::Object(vec![(key.to_string(), value)]),
            )]),
        ),
    }
}

/// The root's `"Version"` made `"2012-10-17"`: its value replaced, or the member added
/// before the first one, on its own line when the members are one a line.
fn set_version(text: &str, root: &Node) -> Option<TextEdit> {
    const VERSION: &str = "\"2012-10-17\"";
    if let Some((_, m)) = member(root, "Version") {
        return Some(TextEdit {
            range: m.value.span.range(),
            text: VERSION.into(),
        });
    }
    let Value::Object(members) = &root.value else {
        return None;
    };
    let Some(first) = members.first() else {
        return Some(TextEdit {
            range: root.span.range(),
            text: format!("{{\"Version\": {VERSION}}}"),
        });
    };
    let at = first.key_span.start as usize;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..at];
    let separator = if before.trim().is_empty() && line_start > root.span.start as usize {
        // One member a line: the same indentation on a line of its own.
        format!(",\n{before}")
    } else {
        ", ".to_string()
    };
    let colon = if text.contains("\": ") { ": " } else { ":" };
    Some(TextEdit {
        range: at..at,
        text: format!("\"Version\"{colon}{VERSION}{separator}"),
    })
}

/// The node written exactly at `span` (its start and end), searched depth first.
fn find_node<'n>(node: &'n Node, span: &Span) -> Option<&'n Node> {
    if node.span.start == span.start && node.span.end == span.end {
        return Some(node);
    }
    if node.span.start > span.start || node.span.end < span.end {
        return None;
    }
    match &node.value {
        Value::Object(members) => members.iter().find_map(|m| find_node(&m.value, span)),
        Value::Array(items) => items.iter().find_map(|i| find_node(i, span)),
        _ => None,
    }
}

/// The key span of the member whose key starts at `span`'s start and whose value ends at
/// its end (a member's whole span, as the policy parser records operators).
fn find_member_key<'n>(node: &'n Node, span: &Span) -> Option<&'n Span> {
    if node.span.start > span.start || node.span.end < span.end {
        return None;
    }
    match &node.value {
        Value::Object(members) => members.iter().find_map(|m| {
            if m.key_span.start == span.start && m.value.span.end == span.end {
                Some(&m.key_span)
            } else {
                find_member_key(&m.value, span)
            }
        }),
        Value::Array(items) => items.iter().find_map(|i| find_member_key(i, span)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{Finding, LintContext, lint_policy};
    use crate::policy::{ParseContext, PolicyKind, parse_policy_text};

    /// The findings of `text` as an identity policy.
    fn lint_policy_text(text: &str) -> Vec<Finding> {
        let policy = parse_policy_text(text, ParseContext::new(PolicyKind::Identity))
            .expect("the policy parses");
        let ctx = LintContext {
            kind: PolicyKind::Identity,
            trust_policy: false,
        };
        lint_policy(&policy, text, ctx)
    }

    /// The text after applying the fix of the first finding with `code`.
    fn fixed(text: &str, code: &str) -> String {
        let findings = lint_policy_text(text);
        let f = findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("no {code} in {findings:#?}"));
        let fix = f.edit.as_ref().expect("a mechanical fix");
        edit(text, fix).expect("applies").apply(text).unwrap()
    }

    fn codes(text: &str) -> Vec<&'static str> {
        lint_policy_text(text).iter().map(|f| f.code).collect()
    }

    #[test]
    fn the_service_guard_goes_into_the_deny_in_its_layout() {
        let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}
      }
    }
  ]
}"#;
        let after = fixed(text, "deny-source-network-without-service-guard");
        assert_eq!(
            after,
            text.replace(
                r#"["203.0.113.0/24"]}
      }"#,
                r#"["203.0.113.0/24"]},
        "Bool": {
          "aws:ViaAWSService": "false"
        }
      }"#
            )
        );
        assert!(!codes(&after).contains(&"deny-source-network-without-service-guard"));
    }

    #[test]
    fn operators_are_renamed_in_place() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
  "Condition": {"StringEquals": {"s3:prefix": "home/*"}}}}"#;
        let after = fixed(text, "wildcard-without-like");
        assert_eq!(after, text.replace("\"StringEquals\"", "\"StringLike\""));
        assert!(!codes(&after).contains(&"wildcard-without-like"));
    }

    #[test]
    fn a_missing_version_is_added_first_on_its_own_line() {
        let text = "{\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/${aws:username}\"}]\n}";
        let after = fixed(text, "missing-version");
        assert_eq!(
            after,
            "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/${aws:username}\"}]\n}"
        );
        assert!(!codes(&after).contains(&"missing-version"));
        assert!(!codes(&after).contains(&"variables-in-2008-policy"));
        let compact = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        assert_eq!(
            fixed(compact, "missing-version"),
            r#"{"Version":"2012-10-17", "Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
        );
    }

    #[test]
    fn an_old_version_is_replaced() {
        let text = r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}"}]}"#;
        let after = fixed(text, "variables-in-2008-policy");
        assert_eq!(after, text.replace("2008-10-17", "2012-10-17"));
    }

    #[test]
    fn a_sid_keeps_its_letters_and_digits() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Sid": "allow-reads_1", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
        let after = fixed(text, "invalid-sid");
        assert_eq!(after, text.replace("allow-reads_1", "allowreads1"));
    }

    #[test]
    fn a_fix_refers_to_its_own_text() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
  "Condition": {"StringEquals": {"s3:prefix": "home/*"}}}}"#;
        let f = lint_policy_text(text)
            .into_iter()
            .find(|f| f.code == "wildcard-without-like")
            .unwrap();
        // The text moved on: the operator is no longer where the finding saw it.
        let moved = format!(" {text}");
        assert_eq!(edit(&moved, f.edit.as_ref().unwrap()), None);
        assert_eq!(edit("{", f.edit.as_ref().unwrap()), None);
    }

    #[test]
    fn a_set_qualifier_is_not_renamed_for_other_keys() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
  "Condition": {"ForAllValues:StringEquals": {"aws:username": "a", "aws:TagKeys": ["x"]}}}}"#;
        let f = lint_policy_text(text)
            .into_iter()
            .find(|f| f.code == "forallvalues-single-valued-key")
            .expect("the finding");
        assert!(f.fix.is_some());
        assert_eq!(f.edit, None, "only a lone key's operator is renamed");
    }
}
