//! JSON text to a tree that keeps the position of every value and every object key,
//! duplicates included (serde_json keeps neither). Strict JSON: no comments, trailing
//! commas or other JSON5 extensions.

use crate::source::{Diagnostic, LineIndex, Span};
use jsonc_parser::ast;

/// A JSON value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Where the value is written.
    pub span: Span,
    /// The value.
    pub value: Value,
}

/// A JSON value whose children keep positions.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Node>),
    /// An object's members in source order, duplicates kept.
    Object(Vec<Member>),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The key, unescaped.
    pub key: String,
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Value {
    /// What kind of JSON value this is, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Parses `text` as strict JSON. A syntax error stops parsing; only that error is
/// reported (what follows it cannot be read reliably).
pub fn parse(text: &str) -> Result<Node, Diagnostic> {
    parse_part(text, &LineIndex::new(text), 0..text.len())
}

/// Parses the part `range` of `text` (one JSON value somewhere inside a larger file)
/// with positions in the whole text; `index` is `text`'s line index.
pub fn parse_part(
    text: &str,
    index: &LineIndex,
    range: std::ops::Range<usize>,
) -> Result<Node, Diagnostic> {
    let part = text.get(range.clone()).unwrap_or_default();
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = jsonc_parser::CollectOptions::default();
    // A byte-order mark is invisible in editors: accept it rather than report it.
    let (body, base) = match part.strip_prefix('\u{feff}') {
        Some(b) => (b, range.start + '\u{feff}'.len_utf8()),
        None => (part, range.start),
    };
    let at = At { text, index, base };
    match jsonc_parser::parse_to_ast(body, &collect, &options) {
        Ok(result) => match result.value {
            Some(value) => Ok(convert(&value, &at)),
            None => Err(Diagnostic::error(
                index.span(text, range.start, range.start),
                "empty input: expected a JSON value",
            )),
        },
        Err(err) => {
            let range = err.range();
            Err(Diagnostic::error(
                index.span(text, base + range.start, base + range.end),
                format!("invalid JSON: {}", lowercase_first(&err.kind().to_string())),
            ))
        }
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where the parsed text sits: the whole text (for lines and columns) and the byte
/// offset of the parsed part in it.
struct At<'a> {
    text: &'a str,
    index: &'a LineIndex,
    base: usize,
}

fn convert(value: &ast::Value<'_>, at: &At<'_>) -> Node {
    let span = |r: &jsonc_parser::common::Range| {
        at.index.span(at.text, at.base + r.start, at.base + r.end)
    };
    match value {
        ast::Value::StringLit(s) => Node {
            span: span(&s.range),
            value: Value::String(s.value.to_string()),
        },
        ast::Value::NumberLit(n) => Node {
            span: span(&n.range),
            value: Value::Number(n.value.to_string()),
        },
        ast::Value::BooleanLit(b) => Node {
            span: span(&b.range),
            value: Value::Bool(b.value),
        },
        ast::Value::NullKeyword(n) => Node {
            span: span(&n.range),
            value: Value::Null,
        },
        ast::Value::Array(a) => Node {
            span: span(&a.range),
            value: Value::Array(a.elements.iter().map(|e| convert(e, at)).collect()),
        },
        ast::Value::Object(o) => Node {
            span: span(&o.range),
            value: Value::Object(
                o.properties
                    .iter()
                    .map(|p| {
                        let (key, key_range) = match &p.name {
                            ast::ObjectPropName::String(s) => (s.value.to_string(), s.range),
                            ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                        };
                        Member {
                            key,
                            key_span: span(&key_range),
                            value: convert(&p.value, at),
                        }
                    })
                    .collect(),
            ),
        },
    }
}

/// Reports every key that appears more than once in `members`, at each repeat, naming
/// the first occurrence.
pub fn duplicate_keys(members: &[Member], errors: &mut Vec<Diagnostic>) {
    for_repeats(
        members,
        |m| m.key.as_str(),
        |first, m| {
            errors.push(Diagnostic::error(
                m.key_span,
                format!(
                    "duplicate key \"{}\" (first at line {}, column {}); IAM rejects repeated keys",
                    m.key, first.key_span.line, first.key_span.column
                ),
            ));
        },
    );
}

/// Calls `found(first, repeat)` for every item of `items` whose `key` an earlier item
/// already has, in order; linear in the number of items (a hostile object may have
/// many thousands of keys).
pub fn for_repeats<'a, T, K: std::hash::Hash + Eq + 'a>(
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
    mut found: impl FnMut(&'a T, &'a T),
) {
    // Most objects are small: a scan without allocation beats hashing.
    if items.len() <= 16 {
        for (i, m) in items.iter().enumerate() {
            let k = key(m);
            if let Some(first) = items[..i].iter().find(|f| key(f) == k) {
                found(first, m);
            }
        }
        return;
    }
    let mut firsts: std::collections::HashMap<K, &T> =
        std::collections::HashMap::with_capacity(items.len());
    for m in items {
        match firsts.entry(key(m)) {
            std::collections::hash_map::Entry::Occupied(e) => found(e.get(), m),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(m);
            }
        }
    }
}

/// Writes `node` as indented JSON (two spaces a level), keeping key order, numbers as
/// written and short scalar arrays on one line. `indent` is the current level.
pub fn write_pretty(node: &Node, indent: usize, out: &mut String) {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(n),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            let scalars = items
                .iter()
                .all(|i| !matches!(i.value, Value::Array(_) | Value::Object(_)));
            if scalars {
                let mut line = String::from("[");
                for (k, i) in items.iter().enumerate() {
                    if k > 0 {
                        line.push_str(", ");
                    }
                    write_pretty(i, 0, &mut line);
                }
                line.push(']');
                if line.len() + indent * 2 <= 90 {
                    out.push_str(&line);
                    return;
                }
            }
            out.push('[');
            for (k, i) in items.iter().enumerate() {
                out.push_str(if k > 0 { ",\n" } else { "\n" });
                push_indent(indent + 1, out);
                write_pretty(i, indent + 1, out);
            }
            out.push('\n');
            push_indent(indent, out);
            out.push(']');
        }
        Value::Object(members) => {
            if members.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (k, m) in members.iter().enumerate() {
                out.push_str(if k > 0 { ",\n" } else { "\n" });
                push_indent(indent + 1, out);
                write_string(&m.key, out);
                out.push_str(": ");
                write_pretty(&m.value, indent + 1, out);
            }
            out.push('\n');
            push_indent(indent, out);
            out.push('}');
        }
    }
}

/// Two spaces per level.
pub fn push_indent(level: usize, out: &mut String) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// A JSON string literal.
pub fn write_string(s: &str, out: &mut String) {
    // serde_json's escaping cannot fail for a &str.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duplicates_and_positions() {
        let node = parse("{\n  \"a\": 1,\n  \"a\": [true, null]\n}").unwrap();
        let Value::Object(members) = node.value else {
            panic!("object expected")
        };
        assert_eq!(members.len(), 2);
        assert_eq!(
            (members[1].key_span.line, members[1].key_span.column),
            (3, 3)
        );
        let mut errors = Vec::new();
        duplicate_keys(&members, &mut errors);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("first at line 2, column 3"));
    }

    #[test]
    fn rejects_json5_and_reports_position() {
        let err = parse("{\"a\": 1,}").unwrap_err();
        assert_eq!(err.span.line, 1);
        assert!(err.message.starts_with("invalid JSON"), "{}", err.message);
        assert!(parse("// c\n{}").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn byte_order_mark_is_accepted_and_positions_stay_right() {
        let node = parse("\u{feff}{\"a\": 1}").unwrap();
        let Value::Object(members) = node.value else {
            panic!("object expected")
        };
        assert_eq!(members[0].key_span.column, 3);
        assert_eq!(members[0].key_span.start, 4);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse(&text).is_err());
    }
}
