//! YAML text (a CloudFormation template) to the same positioned tree as [`crate::json`]:
//! every value and mapping key keeps its byte range, line and column in the file, so
//! the policy parser reports problems at their place in the template.
//!
//! CloudFormation's short-form tags become the long form they stand for, keeping the
//! position of the tagged value: `!Sub x` → `{"Fn::Sub": x}`, `!Ref x` → `{"Ref": x}`,
//! `!GetAtt A.B` → `{"Fn::GetAtt": ["A", "B"]}`. Plain scalars are typed as JSON would
//! have them, cautiously: `true`/`false`, `null`/`~`/empty and numbers written as JSON
//! writes numbers; everything else (`2012-10-17`, `012345678901`, `0x1F`, `yes`) stays
//! the string it is written as. Anchors and aliases are expanded (within a budget, so an
//! alias bomb is an error, not a hang); a second document, a mapping key that is not a
//! plain value and an unknown tag are positioned errors. The parser is saphyr-parser
//! (see docs/iac.md, "Reading YAML"); it hands out events, so the tree is built with an
//! explicit stack and nesting is capped: nothing here recurses on the input.

use crate::json::{Member, Node, Value};
use crate::source::{Diagnostic, LineIndex, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use std::borrow::Cow;

/// How deeply collections may nest. CloudFormation templates nest a dozen levels; the
/// cap keeps every recursive walk of the tree (the resolver, the policy parser, drop)
/// far from the stack's end.
pub const MAX_DEPTH: usize = 200;

/// How many nodes a document may expand to, aliases included: a few nested aliases can
/// otherwise stand for billions of nodes.
pub const MAX_NODES: usize = 1_000_000;

/// The CloudFormation intrinsic functions that have a short form, as `(tag, long
/// name)`. `!GetAtt A.B` is also split into `[A, B]`.
pub const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("Base64", "Fn::Base64"),
    ("GetAZs", "Fn::GetAZs"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("Cidr", "Fn::Cidr"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("ForEach", "Fn::ForEach"),
];

/// Parses `text` as one YAML document. A syntax error stops parsing; only that error is
/// reported.
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    let index = LineIndex::new(text);
    let mut b = Builder {
        text,
        index: &index,
        bytes: CharOffsets::new(text),
        stack: Vec::new(),
        anchors: Vec::new(),
        root: None,
        documents: 0,
        nodes: 0,
    };
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => b.event(event, span)?,
            Err(e) => {
                let at = b.bytes.byte(e.marker().index());
                return Err(Diagnostic::error(
                    index.span(text, at, at),
                    format!("invalid YAML: {}", e.info()),
                ));
            }
        }
    }
    b.root.ok_or_else(|| {
        Diagnostic::error(
            index.span(text, 0, 0),
            "empty input: expected a YAML document",
        )
    })
}

/// Byte offsets of character indices (saphyr's markers count characters).
struct CharOffsets {
    /// `None` for ASCII text, where they are equal.
    table: Option<Vec<usize>>,
    len: usize,
}

impl CharOffsets {
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut t: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            t.push(text.len());
            t
        });
        CharOffsets {
            table,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(t) => t.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// Where a block scalar spanning `start..end` (up to the next token) ends: after its
/// last line with content, trailing spaces of that line included (they are content);
/// the blank lines and the next line's indentation after it are not its.
fn block_scalar_end(text: &str, start: usize, end: usize) -> usize {
    let mut e = end.min(text.len());
    loop {
        let Some(line) = text.get(..e).and_then(|t| t.rfind('\n')) else {
            return e;
        };
        let rest = &text[line + 1..e];
        if line < start || !rest.bytes().all(|b| b == b' ' || b == b'\t' || b == b'\r') {
            return e;
        }
        // A line of nothing but indentation: it and its line break are after the scalar.
        e = if line > 0 && text.as_bytes()[line - 1] == b'\r' {
            line - 1
        } else {
            line
        };
    }
}

/// A collection being read.
struct Frame {
    /// Where it starts (byte offset; the tag or anchor included).
    start: usize,
    tag: Option<Tag>,
    anchor: usize,
    kind: FrameKind,
    /// Where the last value read in it ends in the text (an alias: the alias itself,
    /// not the anchored value it stands for, which is elsewhere).
    last: usize,
}

enum FrameKind {
    Sequence(Vec<Node>),
    /// The members so far and the key waiting for its value.
    Mapping(Vec<Member>, Option<(String, Span)>),
}

/// What a value pushed into its parent can be used as.
enum Pushed {
    /// A scalar: its text as written, usable as a mapping key.
    Scalar(Node, String, Option<Tag>),
    /// A collection or an alias: not a key.
    Other(Node),
}

struct Builder<'a> {
    text: &'a str,
    index: &'a LineIndex,
    bytes: CharOffsets,
    stack: Vec<Frame>,
    /// Anchored nodes by id (saphyr numbers anchors from 1) and their node counts.
    anchors: Vec<Option<(Node, usize)>>,
    root: Option<Node>,
    documents: usize,
    nodes: usize,
}

impl Builder<'_> {
    fn span(&self, start: usize, end: usize) -> Span {
        self.index.span(self.text, start, end.max(start))
    }

    fn event(&mut self, event: Event<'_>, at: saphyr_parser::Span) -> Result<(), Diagnostic> {
        let start = self.bytes.byte(at.start.index());
        let end = self.bytes.byte(at.end.index());
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::error(
                        self.span(start, end),
                        "a second YAML document starts here: a template is one document",
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                // A block scalar (`|`, `>`) ends at its last line's content, not at the
                // next token: the line breaks and indentation after it are the next
                // line's.
                let end = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    block_scalar_end(self.text, start, end)
                } else {
                    end
                };
                self.read_to(end);
                self.count(1, start, end)?;
                let tag = tag.map(Cow::into_owned);
                let span = self.span(start, end);
                let node = scalar(&value, style, tag.as_ref(), span)?;
                let node = self.tagged(node, tag.as_ref(), start, end)?;
                self.remember(anchor, &node, 1);
                self.push(Pushed::Scalar(node, value.into_owned(), tag))?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if self.stack.len() >= MAX_DEPTH {
                    return Err(Diagnostic::error(
                        self.span(start, end),
                        format!("the template nests deeper than {MAX_DEPTH} levels"),
                    ));
                }
                self.count(1, start, end)?;
                let kind = match event {
                    Event::SequenceStart(..) => FrameKind::Sequence(Vec::new()),
                    _ => FrameKind::Mapping(Vec::new(), None),
                };
                self.stack.push(Frame {
                    start,
                    tag: tag.as_ref().map(|t| t.clone().into_owned()),
                    anchor,
                    kind,
                    last: start,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let value = match frame.kind {
                    FrameKind::Sequence(items) => Value::Array(items),
                    FrameKind::Mapping(members, _) => Value::Object(members),
                };
                // A block collection ends where the next token starts (an empty span
                // there): it is cut at its last value instead, so that it does not hold
                // the blank lines and comments that follow it.
                let stop = if start == end {
                    frame.last.max(frame.start)
                } else {
                    end
                };
                self.read_to(stop);
                let node = Node {
                    span: self.span(frame.start, stop),
                    value,
                };
                let size = count_nodes(&node);
                let node = self.tagged(node, frame.tag.as_ref(), frame.start, stop)?;
                self.remember(frame.anchor, &node, size);
                self.push(Pushed::Other(node))?;
            }
            Event::Alias(id) => {
                let Some(Some((_, size))) = self.anchors.get(id) else {
                    return Err(Diagnostic::error(
                        self.span(start, end),
                        "this alias names no anchor defined before it",
                    ));
                };
                let size = *size;
                self.read_to(end);
                self.count(size, start, end)?;
                let node = self.anchors[id].as_ref().map(|(n, _)| n.clone());
                if let Some(node) = node {
                    self.push(Pushed::Other(node))?;
                }
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    /// The collection being read has read a value up to byte `end`.
    fn read_to(&mut self, end: usize) {
        if let Some(frame) = self.stack.last_mut() {
            frame.last = frame.last.max(end);
        }
    }

    fn count(&mut self, n: usize, start: usize, end: usize) -> Result<(), Diagnostic> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(Diagnostic::error(
                self.span(start, end),
                format!("the document expands to more than {MAX_NODES} values (aliases included)"),
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node, size: usize) {
        if anchor == 0 {
            return;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some((node.clone(), size));
    }

    /// The long form of a CloudFormation short-form tag; other tags were handled with
    /// the scalar or are refused here.
    fn tagged(
        &self,
        node: Node,
        tag: Option<&Tag>,
        start: usize,
        end: usize,
    ) -> Result<Node, Diagnostic> {
        let Some(tag) = tag else { return Ok(node) };
        if tag.is_yaml_core_schema() {
            return match (tag.suffix.as_str(), &node.value) {
                ("map", Value::Object(_)) | ("seq", Value::Array(_)) => Ok(node),
                (_, Value::Object(_) | Value::Array(_)) => Err(Diagnostic::error(
                    self.span(start, end),
                    format!("the tag !!{} does not fit a collection", tag.suffix),
                )),
                _ => Ok(node),
            };
        }
        let long = (tag.handle == "!")
            .then(|| SHORT_FORMS.iter().find(|(s, _)| *s == tag.suffix))
            .flatten();
        let Some((short, long)) = long else {
            return Err(Diagnostic::error(
                self.span(start, end),
                format!(
                    "unknown tag {tag}: CloudFormation reads !Ref, !Sub, !GetAtt and the other short forms of its functions"
                ),
            ));
        };
        let whole = self.span(start, end.max(node.span.end as usize));
        let tag_text = format!("!{short}");
        let key_span = if self
            .text
            .get(start..)
            .is_some_and(|t| t.starts_with(&tag_text))
        {
            self.span(start, start + tag_text.len())
        } else {
            node.span
        };
        let value = match (*short, &node.value) {
            // `!GetAtt Resource.Attribute`: the attribute may itself hold dots.
            ("GetAtt", Value::String(s)) => {
                let (resource, attribute) = s.split_once('.').unwrap_or((s, ""));
                let part = |t: &str| Node {
                    span: node.span,
                    value: Value::String(t.to_string()),
                };
                Node {
                    span: node.span,
                    value: Value::Array(vec![part(resource), part(attribute)]),
                }
            }
            _ => node,
        };
        Ok(Node {
            span: whole,
            value: Value::Object(vec![Member {
                key: (*long).to_string(),
                key_span,
                value,
            }]),
        })
    }

    fn push(&mut self, pushed: Pushed) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.last_mut() else {
            let (Pushed::Scalar(node, ..) | Pushed::Other(node)) = pushed;
            self.root = Some(node);
            return Ok(());
        };
        match &mut frame.kind {
            FrameKind::Sequence(items) => {
                let (Pushed::Scalar(node, ..) | Pushed::Other(node)) = pushed;
                items.push(node);
            }
            FrameKind::Mapping(members, pending) => match pending.take() {
                Some((key, key_span)) => {
                    let (Pushed::Scalar(value, ..) | Pushed::Other(value)) = pushed;
                    members.push(Member {
                        key,
                        key_span,
                        value,
                    });
                }
                None => match pushed {
                    Pushed::Scalar(node, text, tag)
                        if tag.as_ref().is_none_or(|t| t.is_yaml_core_schema()) =>
                    {
                        *pending = Some((text, node.span));
                    }
                    Pushed::Scalar(node, ..) | Pushed::Other(node) => {
                        return Err(Diagnostic::error(
                            node.span,
                            "a mapping key must be a plain value, not a collection, alias or function",
                        ));
                    }
                },
            },
        }
        Ok(())
    }
}

/// A scalar as JSON would have it (see the module's description).
fn scalar(
    value: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    span: Span,
) -> Result<Node, Diagnostic> {
    let typed = |value: Value| Ok(Node { span, value });
    let string = || Value::String(value.to_string());
    if let Some(tag) = tag.filter(|t| t.is_yaml_core_schema()) {
        return match tag.suffix.as_str() {
            "str" => typed(string()),
            "null" => typed(Value::Null),
            "bool" => match value {
                "true" | "True" | "TRUE" => typed(Value::Bool(true)),
                "false" | "False" | "FALSE" => typed(Value::Bool(false)),
                _ => Err(Diagnostic::error(
                    span,
                    format!("\"{value}\" is not a boolean"),
                )),
            },
            "int" | "float" if is_json_number(value) => typed(Value::Number(value.to_string())),
            "int" | "float" => Err(Diagnostic::error(
                span,
                format!("\"{value}\" is not a number as JSON writes numbers"),
            )),
            other => Err(Diagnostic::error(
                span,
                format!("unsupported tag !!{other} on a scalar"),
            )),
        };
    }
    if style != ScalarStyle::Plain || tag.is_some() {
        return typed(string());
    }
    typed(match value {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        v if is_json_number(v) => Value::Number(v.to_string()),
        _ => string(),
    })
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: a number JSON would write the
/// same way. Leading zeros (`012345678901`, an account) are not numbers here.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// How many nodes `node` holds, itself included (iteratively: an anchored collection
/// may be wide).
fn count_nodes(node: &Node) -> usize {
    let mut n = 0;
    let mut todo = vec![node];
    while let Some(x) = todo.pop() {
        n += 1;
        match &x.value {
            Value::Array(items) => todo.extend(items),
            Value::Object(members) => todo.extend(members.iter().map(|m| &m.value)),
            _ => {}
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        match &node.value {
            Value::Object(members) => match members.iter().find(|m| m.key == key) {
                Some(m) => &m.value,
                None => panic!("no key {key}"),
            },
            other => panic!("not an object: {other:?}"),
        }
    }

    fn at<'a>(text: &'a str, span: &Span) -> &'a str {
        &text[span.range()]
    }

    #[test]
    fn scalars_are_typed_as_json_would_have_them() {
        let text = "v: 2012-10-17\nb: true\nn: 12\nacct: 012345678901\nq: \"12\"\nz: ~\ne:\ny: yes\nf: 1.5e3\nh: 0x1F\ns: !!str 12\n";
        let root = parse(text).unwrap();
        assert_eq!(get(&root, "v").value, Value::String("2012-10-17".into()));
        assert_eq!(get(&root, "b").value, Value::Bool(true));
        assert_eq!(get(&root, "n").value, Value::Number("12".into()));
        assert_eq!(
            get(&root, "acct").value,
            Value::String("012345678901".into())
        );
        assert_eq!(get(&root, "q").value, Value::String("12".into()));
        assert_eq!(get(&root, "z").value, Value::Null);
        assert_eq!(get(&root, "e").value, Value::Null);
        assert_eq!(get(&root, "y").value, Value::String("yes".into()));
        assert_eq!(get(&root, "f").value, Value::Number("1.5e3".into()));
        assert_eq!(get(&root, "h").value, Value::String("0x1F".into()));
        assert_eq!(get(&root, "s").value, Value::String("12".into()));
    }

    #[test]
    fn keys_and_values_keep_their_positions() {
        let text = "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Name: \"é x\"\n";
        let root = parse(text).unwrap();
        let Value::Object(top) = &root.value else {
            panic!()
        };
        assert_eq!((top[0].key_span.line, top[0].key_span.column), (1, 1));
        let role = get(&root, "Resources");
        let Value::Object(members) = &role.value else {
            panic!()
        };
        assert_eq!(at(text, &members[0].key_span), "Role");
        let name = get(get(role, "Role"), "Name");
        assert_eq!(at(text, &name.span), "\"é x\"");
        assert_eq!((name.span.line, name.span.column), (4, 11));
        let ty = get(get(role, "Role"), "Type");
        assert_eq!(at(text, &ty.span), "AWS::IAM::Role");
        // A block mapping ends at its last value, not at what follows.
        assert!(at(text, &get(role, "Role").span).ends_with("\"é x\""));
    }

    #[test]
    fn short_forms_become_long_forms_with_positions() {
        let text = "a: !Sub 'arn:${AWS::Partition}:s3:::b'\nb: !GetAtt Role.Arn\nc: !Join\n  - ''\n  - [x, !Ref y]\nd: !GetAtt [R, A.B]\ne: !GetAZs ''\n";
        let root = parse(text).unwrap();
        let a = get(&root, "a");
        assert_eq!(at(text, &a.span), "!Sub 'arn:${AWS::Partition}:s3:::b'");
        let Value::Object(m) = &a.value else { panic!() };
        assert_eq!(m[0].key, "Fn::Sub");
        assert_eq!(at(text, &m[0].key_span), "!Sub");
        assert_eq!(
            m[0].value.value,
            Value::String("arn:${AWS::Partition}:s3:::b".into())
        );
        let b = get(get(&root, "b"), "Fn::GetAtt");
        let Value::Array(parts) = &b.value else {
            panic!()
        };
        assert_eq!(parts[0].value, Value::String("Role".into()));
        assert_eq!(parts[1].value, Value::String("Arn".into()));
        let c = get(get(&root, "c"), "Fn::Join");
        let Value::Array(parts) = &c.value else {
            panic!()
        };
        let Value::Array(list) = &parts[1].value else {
            panic!()
        };
        assert_eq!(get(&list[1], "Ref").value, Value::String("y".into()));
        assert!(
            matches!(get(get(&root, "d"), "Fn::GetAtt").value, Value::Array(ref v) if v.len() == 2)
        );
        assert_eq!(
            get(get(&root, "e"), "Fn::GetAZs").value,
            Value::String(String::new())
        );
    }

    #[test]
    fn anchors_flow_mappings_and_block_scalars() {
        let text = "x: &doc {\"Version\": \"2012-10-17\", \"Statement\": []}\ny: *doc\nz: |\n  {\"a\": 1}\n";
        let root = parse(text).unwrap();
        assert_eq!(get(&root, "x"), get(&root, "y"));
        assert_eq!(
            get(get(&root, "x"), "Version").value,
            Value::String("2012-10-17".into())
        );
        assert_eq!(get(&root, "z").value, Value::String("{\"a\": 1}\n".into()));
    }

    #[test]
    fn problems_are_positioned_errors() {
        for (text, line, needle) in [
            ("a: 1\n---\nb: 2\n", 2, "second YAML document"),
            ("a: !Foo x\n", 1, "unknown tag !Foo"),
            ("a: *nope\n", 1, "invalid YAML"),
            ("? [a]\n: b\n", 1, "mapping key"),
            ("a: [1, 2\n", 2, "invalid YAML"),
            ("", 1, "empty input"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.message.contains(needle), "{text:?}: {}", e.message);
            assert_eq!(e.span.line, line, "{text:?}: {}", e.message);
        }
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let list = [prev.as_str(); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{list}]\n"));
        }
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("expands to more than"), "{}", e.message);
        let deep = "[".repeat(MAX_DEPTH + 5);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn json_numbers_only() {
        for ok in ["0", "-1", "12", "1.5", "1e5", "-0.5E-3"] {
            assert!(is_json_number(ok), "{ok}");
        }
        for no in [
            "", "-", "01", "1.", ".5", "1e", "+1", "1_000", "0x1", ".inf",
        ] {
            assert!(!is_json_number(no), "{no}");
        }
    }
}
