//! Completion in the policy editor: what the string under the cursor is (an action, a
//! resource, a condition operator or key, an Effect), found with a forgiving scan of
//! the text before it (the text is often invalid while typing), and the candidates for
//! it from the service catalog and the global key table.

use crate::catalog::services::catalog;
use crate::catalog::{KeyType, global_keys};
use crate::policy::condition::{Family, OPERATORS};

/// What is being completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteKind {
    /// An Action / NotAction entry.
    Action,
    /// A Resource / NotResource entry (ARN templates of the statement's actions).
    Resource,
    /// An operator name under Condition.
    Operator,
    /// A condition key under an operator.
    Key,
    /// The Effect.
    Effect,
}

/// The string under the cursor and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// What it is.
    pub kind: SiteKind,
    /// What is typed so far (between the opening quote and the cursor).
    pub prefix: String,
    /// The actions the enclosing statement lists (for resources and keys).
    pub actions: Vec<String>,
}

/// One candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The text to insert.
    pub text: String,
    /// A hint: access level, type, service name.
    pub detail: String,
}

/// An open completion list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What is completed.
    pub site: Site,
    /// The candidates.
    pub items: Vec<Candidate>,
    /// The selected one.
    pub selected: usize,
}

impl Completion {
    /// ↑ and ↓ move the selection within the candidates; true when `action` was one
    /// of them (the list's other keys are its owner's).
    pub fn step(&mut self, action: crate::tui::action::Action) -> bool {
        use crate::tui::action::Action;
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.items.len().saturating_sub(1))
            }
            _ => return false,
        }
        true
    }
}

#[derive(Debug, Clone)]
enum Frame {
    Object {
        key: Option<String>,
        expecting_key: bool,
        start: usize,
    },
    Array,
}

/// The frames open at byte `end` of `text`, and the string being typed there if the
/// cursor is inside one.
fn scan(text: &str, end: usize) -> (Vec<Frame>, Option<String>) {
    let mut stack: Vec<Frame> = Vec::new();
    let bytes = text.as_bytes();
    // An offset past the end means the end.
    let end = end.min(bytes.len());
    let mut i = 0;
    while i < end.min(bytes.len()) {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut closed = false;
                while j < end {
                    match bytes[j] {
                        b'\\' => j += 2,
                        b'"' => {
                            closed = true;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                let s = text.get(start..j.min(end)).unwrap_or("").to_string();
                if !closed {
                    return (stack, Some(s));
                }
                if let Some(Frame::Object {
                    key, expecting_key, ..
                }) = stack.last_mut()
                {
                    if *expecting_key {
                        *key = Some(s);
                    }
                }
                i = j + 1;
                continue;
            }
            b'{' => stack.push(Frame::Object {
                key: None,
                expecting_key: true,
                start: i,
            }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object {
                    key, expecting_key, ..
                }) = stack.last_mut()
                {
                    *key = None;
                    *expecting_key = true;
                }
            }
            b':' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (stack, None)
}

/// The keys leading to the cursor (for a value: ending with its own key).
fn path(stack: &[Frame]) -> Vec<&str> {
    stack
        .iter()
        .filter_map(|f| match f {
            Frame::Object { key, .. } => key.as_deref(),
            Frame::Array => None,
        })
        .collect()
}

/// What the string at byte `offset` of `text` is, if it is something to complete.
pub fn site_at(text: &str, offset: usize) -> Option<Site> {
    let (stack, typing) = scan(text, offset);
    let prefix = typing?;
    let in_key = matches!(
        stack.last(),
        Some(Frame::Object {
            expecting_key: true,
            ..
        })
    );
    let keys = path(&stack);
    let statement_start = stack.iter().rev().find_map(|f| match f {
        Frame::Object { start, .. } => Some(*start),
        _ => None,
    });
    let kind = if in_key {
        match keys.as_slice() {
            [.., "Condition"] => SiteKind::Operator,
            [.., "Condition", _] => SiteKind::Key,
            _ => return None,
        }
    } else {
        match keys.last().copied() {
            Some("Action" | "NotAction") => SiteKind::Action,
            Some("Resource" | "NotResource") => SiteKind::Resource,
            Some("Effect") => SiteKind::Effect,
            _ => return None,
        }
    };
    // The statement: the object holding Action/Resource/Condition.
    let depth_of_statement = match kind {
        SiteKind::Key => 3,
        SiteKind::Operator => 2,
        _ => 1,
    };
    let statement = stack
        .iter()
        .rev()
        .filter_map(|f| match f {
            Frame::Object { start, .. } => Some(*start),
            _ => None,
        })
        .nth(depth_of_statement - 1)
        .or(statement_start);
    let actions = statement
        .map(|s| statement_actions(text, s))
        .unwrap_or_default();
    Some(Site {
        kind,
        prefix,
        actions,
    })
}

/// The strings listed under Action in the statement object starting at `start`.
fn statement_actions(text: &str, start: usize) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut key: Option<String> = None;
    let mut expecting_key = true;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let s = text
                    .get(i + 1..j.min(bytes.len()))
                    .unwrap_or("")
                    .to_string();
                if depth == 1 && expecting_key {
                    key = Some(s);
                } else if key.as_deref() == Some("Action") && depth <= 2 {
                    out.push(s);
                }
                i = j + 1;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => {
                expecting_key = true;
                key = None;
            }
            b':' if depth == 1 => expecting_key = false,
            _ => {}
        }
        i += 1;
    }
    out
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// At most this many candidates are listed.
const MAX: usize = 300;

/// The candidates for `site`, best first.
pub fn candidates(site: &Site) -> Vec<Candidate> {
    let cat = catalog();
    let p = site.prefix.as_str();
    let mut out: Vec<Candidate> = Vec::new();
    match site.kind {
        SiteKind::Effect => {
            for e in ["Allow", "Deny"] {
                if starts_with_ci(e, p) {
                    out.push(Candidate {
                        text: e.into(),
                        detail: String::new(),
                    });
                }
            }
        }
        SiteKind::Action => match p.split_once(':') {
            None => {
                for s in cat.services() {
                    if starts_with_ci(s.prefix, p) {
                        out.push(Candidate {
                            text: format!("{}:", s.prefix),
                            detail: s.name.to_string(),
                        });
                    }
                }
            }
            Some((svc, name)) => {
                if let Some(s) = cat.service(svc) {
                    for a in &s.actions {
                        if starts_with_ci(a.name, name) {
                            out.push(Candidate {
                                text: format!("{}:{}", s.prefix, a.name),
                                detail: a.access.label().to_string(),
                            });
                        }
                    }
                }
            }
        },
        SiteKind::Resource => {
            for action in &site.actions {
                for (s, a) in cat.expand(action).into_iter().take(50) {
                    for rt in &a.resource_types {
                        for format in rt.arn_formats() {
                            if starts_with_ci(format, p) && !out.iter().any(|c| c.text == format) {
                                out.push(Candidate {
                                    text: format.to_string(),
                                    detail: format!("{} of {}:{}", rt.name, s.prefix, a.name),
                                });
                            }
                        }
                    }
                }
            }
            if starts_with_ci("*", p) {
                out.push(Candidate {
                    text: "*".into(),
                    detail: "every resource".into(),
                });
            }
        }
        SiteKind::Operator => {
            for o in OPERATORS {
                let mut names = vec![o.name.to_string()];
                if o.family != Family::Null {
                    names.push(format!("{}IfExists", o.name));
                    names.push(format!("ForAnyValue:{}", o.name));
                    names.push(format!("ForAllValues:{}", o.name));
                }
                for n in names {
                    if starts_with_ci(&n, p) {
                        out.push(Candidate {
                            text: n,
                            detail: format!("{:?}", o.family),
                        });
                    }
                }
            }
        }
        SiteKind::Key => {
            let type_label = |t: KeyType, multi: bool| {
                format!("{}{}", t.label(), if multi { ", multi-valued" } else { "" })
            };
            // The statement's actions' own keys first: they are the ones it can see.
            for action in &site.actions {
                for (_, a) in cat.expand(action).into_iter().take(50) {
                    let keys = a.condition_keys.iter().chain(
                        a.resource_types
                            .iter()
                            .flat_map(|r| r.condition_keys.iter()),
                    );
                    for k in keys {
                        if starts_with_ci(k, p) && !out.iter().any(|c| c.text == *k) {
                            let detail = cat
                                .condition_key(k)
                                .map(|d| type_label(d.key_type, d.multi))
                                .unwrap_or_default();
                            out.push(Candidate {
                                text: k.to_string(),
                                detail,
                            });
                        }
                    }
                }
            }
            for g in global_keys() {
                let text = if g.name.ends_with('/') {
                    format!("{}${{TagKey}}", g.name)
                } else {
                    g.name.clone()
                };
                if starts_with_ci(&text, p) && !out.iter().any(|c| c.text == text) {
                    out.push(Candidate {
                        text,
                        detail: type_label(g.key_type, g.multi),
                    });
                }
            }
        }
    }
    out.truncate(MAX);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text_with_cursor: &str) -> Option<Site> {
        let at = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replace('|', "");
        site_at(&text, at)
    }

    #[test]
    fn finds_what_is_typed() {
        let s = site(r#"{"Statement": [{"Effect": "Allow", "Action": ["s3:Get|"#).unwrap();
        assert_eq!(s.kind, SiteKind::Action);
        assert_eq!(s.prefix, "s3:Get");
        let s = site(
            r#"{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:|"#,
        )
        .unwrap();
        assert_eq!(s.kind, SiteKind::Resource);
        assert_eq!(s.actions, ["s3:GetObject"]);
        let s =
            site(r#"{"Statement": {"Action": ["ec2:RunInstances"], "Condition": {"Str|"#).unwrap();
        assert_eq!(s.kind, SiteKind::Operator);
        let s = site(r#"{"Statement": {"Action": ["ec2:RunInstances"], "Condition": {"StringEquals": {"aws:Req|"#).unwrap();
        assert_eq!(s.kind, SiteKind::Key);
        assert_eq!(s.actions, ["ec2:RunInstances"]);
        let s = site(r#"{"Statement": {"Effect": "D|"#).unwrap();
        assert_eq!(s.kind, SiteKind::Effect);
        assert!(site(r#"{"Statement": {"Sid": "x|"#).is_none());
        assert!(
            site(r#"{"Statement": {"Action": "s3:GetObject"|"#).is_none(),
            "outside a string"
        );
        // Offsets past the end, or inside a character, are no trouble.
        for offset in [0, 1, 2, 5, usize::MAX] {
            let _ = site_at("\"", offset);
            let _ = site_at("{\"Action\": \"é", offset);
        }
    }

    #[test]
    fn candidates_come_from_the_catalog() {
        let s = site(r#"{"Statement": {"Action": "s3:GetObj|"#).unwrap();
        let c = candidates(&s);
        assert!(
            c.iter()
                .any(|c| c.text == "s3:GetObject" && c.detail == "Read")
        );
        assert!(c.iter().all(|c| c.text.starts_with("s3:GetObj")));
        let s = site(r#"{"Statement": {"Action": "s3:GetObject", "Resource": "|"#).unwrap();
        assert!(
            candidates(&s)
                .iter()
                .any(|c| c.text.contains(":s3:::${BucketName}/${ObjectName}"))
        );
        let s = site(
            r#"{"Statement": {"Action": "s3:GetObject", "Condition": {"StringEquals": {"s3:Ex|"#,
        )
        .unwrap();
        assert!(
            candidates(&s)
                .iter()
                .any(|c| c.text.starts_with("s3:ExistingObjectTag"))
        );
        let s = site(r#"{"Statement": {"Action": "s3:GetObject", "Condition": {"StringEquals": {"aws:SourceI|"#).unwrap();
        assert!(
            candidates(&s)
                .iter()
                .any(|c| c.text == "aws:SourceIp" && c.detail == "IP")
        );
        let s = site(r#"{"Statement": {"Condition": {"ForAllValues:Str|"#).unwrap();
        assert!(
            candidates(&s)
                .iter()
                .any(|c| c.text == "ForAllValues:StringLike")
        );
    }
}
