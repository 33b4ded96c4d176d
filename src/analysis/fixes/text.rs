//! Edits of a policy's text in its own layout: a member added to an object after its
//! last member (on its own line, in the object's indentation, when the members are one
//! a line; inline otherwise), an item added to or removed from an array, a member
//! removed. Positions come from the JSON tree of the policy text itself, so every edit
//! is a byte range of that text and the text that replaces it.

use crate::json::{Member, Node, Value};
use std::ops::Range;

/// One replacement in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// The bytes replaced.
    pub range: Range<usize>,
    /// What replaces them.
    pub text: String,
}

impl TextEdit {
    /// `text` with the edit applied; `None` when the range is not in it.
    pub fn apply(&self, text: &str) -> Option<String> {
        let (before, after) = (text.get(..self.range.start)?, text.get(self.range.end..)?);
        Some(format!("{before}{}{after}", self.text))
    }
}

/// A JSON value to write into a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewValue {
    /// A string.
    Str(String),
    /// An array of strings (always written on one line: they are short).
    Strings(Vec<String>),
    /// An object, written in the layout of the object it goes into.
    Object(Vec<(String, NewValue)>),
}

/// How the text around an insertion is laid out.
struct Layout<'t> {
    /// Members (items) one a line.
    multiline: bool,
    /// The whitespace before each member on its line.
    indent: &'t str,
    /// One level of indentation.
    step: String,
    /// What stands between a key and its value (`": "` or `":"`).
    colon: &'t str,
    /// What stands between two members on one line (`", "` or `","`).
    comma: &'t str,
}

/// The whitespace the line holding byte `at` of `text` starts with.
fn indent_at(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The text's indentation step: the smallest step by which one line's indentation
/// goes deeper than the line before it (two spaces when none does). The first line's
/// indentation says nothing: a document cut out of a file starts mid-line.
fn indent_step(text: &str) -> String {
    let indents: Vec<&str> = text
        .lines()
        .map(|l| &l[..l.len() - l.trim_start_matches([' ', '\t']).len()])
        .collect();
    indents
        .windows(2)
        .filter_map(|w| w[1].strip_prefix(w[0]).filter(|d| !d.is_empty()))
        .min_by_key(|d| d.len())
        .unwrap_or("  ")
        .to_string()
}

/// The layout of a container starting at `open` whose entries start at `starts` (at
/// least one) with `seps` the texts between consecutive entries.
fn layout<'t>(
    text: &'t str,
    open: usize,
    first: usize,
    colon: &'t str,
    comma: &'t str,
) -> Layout<'t> {
    let multiline = text.get(open..first).is_some_and(|s| s.contains('\n'));
    let indent = if multiline {
        indent_at(text, first)
    } else {
        ""
    };
    let outer = indent_at(text, open);
    let step = match indent.strip_prefix(outer) {
        Some(extra) if multiline && !extra.is_empty() => extra.to_string(),
        _ => indent_step(text),
    };
    Layout {
        multiline,
        indent,
        step,
        colon,
        comma,
    }
}

fn object_layout<'t>(text: &'t str, obj: &Node, members: &[Member]) -> Layout<'t> {
    let first = &members[0];
    let colon = text
        .get(first.key_span.end as usize..first.value.span.start as usize)
        .filter(|s| !s.contains('\n'))
        .unwrap_or(": ");
    let comma = members
        .get(1)
        .and_then(|m| text.get(first.value.span.end as usize..m.key_span.start as usize))
        .filter(|s| !s.contains('\n'))
        .unwrap_or(if colon == ":" { "," } else { ", " });
    layout(
        text,
        obj.span.start as usize,
        first.key_span.start as usize,
        colon,
        comma,
    )
}

/// The colon style of the whole text, for values written where no object shows it.
fn text_colon(text: &str) -> &'static str {
    if text.contains("\": ") || !text.contains("\":") {
        ": "
    } else {
        ":"
    }
}

fn write(value: &NewValue, l: &Layout<'_>, indent: &str, out: &mut String) {
    match value {
        NewValue::Str(s) => crate::json::write_string(s, out),
        NewValue::Strings(items) => {
            out.push('[');
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(l.comma);
                }
                crate::json::write_string(s, out);
            }
            out.push(']');
        }
        NewValue::Object(members) => {
            out.push('{');
            let inner = format!("{indent}{}", l.step);
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(if l.multiline { "," } else { l.comma });
                }
                if l.multiline {
                    out.push('\n');
                    out.push_str(&inner);
                }
                crate::json::write_string(k, out);
                out.push_str(l.colon);
                write(v, l, &inner, out);
            }
            if l.multiline {
                out.push('\n');
                out.push_str(indent);
            }
            out.push('}');
        }
    }
}

/// `"key": value` added to object `obj` after its last member.
pub fn insert_member(text: &str, obj: &Node, key: &str, value: &NewValue) -> Option<TextEdit> {
    let Value::Object(members) = &obj.value else {
        return None;
    };
    let Some(last) = members.last() else {
        // `{}`: written on one line.
        let l = Layout {
            multiline: false,
            indent: "",
            step: indent_step(text),
            colon: text_colon(text),
            comma: ", ",
        };
        let mut out = String::from("{");
        crate::json::write_string(key, &mut out);
        out.push_str(l.colon);
        write(value, &l, "", &mut out);
        out.push('}');
        return Some(TextEdit {
            range: obj.span.range(),
            text: out,
        });
    };
    let l = object_layout(text, obj, members);
    let mut out = String::from(",");
    if l.multiline {
        out.push('\n');
        out.push_str(l.indent);
    } else {
        out.push_str(l.comma.strip_prefix(',').unwrap_or(" "));
    }
    crate::json::write_string(key, &mut out);
    out.push_str(l.colon);
    write(value, &l, l.indent, &mut out);
    let at = last.value.span.end as usize;
    Some(TextEdit {
        range: at..at,
        text: out,
    })
}

/// `item` added after the last item of array `node`; a single value (a string, or one
/// statement object) becomes an array of it and `item`.
pub fn insert_item(text: &str, node: &Node, item: &NewValue) -> Option<TextEdit> {
    match &node.value {
        Value::Array(items) => {
            let last = items.last()?;
            let first = &items[0];
            let comma = items
                .get(1)
                .and_then(|m| text.get(first.span.end as usize..m.span.start as usize))
                .filter(|s| !s.contains('\n'))
                .unwrap_or(", ");
            let l = layout(
                text,
                node.span.start as usize,
                first.span.start as usize,
                text_colon(text),
                comma,
            );
            let mut out = String::from(",");
            if l.multiline {
                out.push('\n');
                out.push_str(l.indent);
            } else {
                out.push_str(l.comma.strip_prefix(',').unwrap_or(" "));
            }
            // A new object among multi-line objects is laid out like them.
            let inner = Layout {
                multiline: l.multiline
                    || text
                        .get(last.span.range())
                        .is_some_and(|s| s.contains('\n')),
                ..l
            };
            let indent = if inner.multiline && !l.multiline {
                indent_at(text, last.span.start as usize)
            } else {
                inner.indent
            };
            write(item, &inner, indent, &mut out);
            let at = last.span.end as usize;
            Some(TextEdit {
                range: at..at,
                text: out,
            })
        }
        Value::String(_) | Value::Object(_) => {
            let old = text.get(node.span.range())?;
            let multiline = old.contains('\n');
            let l = Layout {
                multiline,
                indent: "",
                step: indent_step(text),
                colon: text_colon(text),
                comma: ", ",
            };
            let mut out = format!("[{old}, ");
            write(
                item,
                &l,
                indent_at(text, node.span.start as usize),
                &mut out,
            );
            out.push(']');
            Some(TextEdit {
                range: node.span.range(),
                text: out,
            })
        }
        _ => None,
    }
}

/// Item `index` of array `node` removed (with the comma and space that separated it);
/// `None` when it is the only one.
pub fn remove_item(node: &Node, index: usize) -> Option<TextEdit> {
    let Value::Array(items) = &node.value else {
        return None;
    };
    if items.len() < 2 || index >= items.len() {
        return None;
    }
    let range = if index > 0 {
        items[index - 1].span.end as usize..items[index].span.end as usize
    } else {
        items[0].span.start as usize..items[1].span.start as usize
    };
    Some(TextEdit {
        range,
        text: String::new(),
    })
}

/// Member `index` of object `obj` removed; `None` when it is the only one.
pub fn remove_member(obj: &Node, index: usize) -> Option<TextEdit> {
    let Value::Object(members) = &obj.value else {
        return None;
    };
    if members.len() < 2 || index >= members.len() {
        return None;
    }
    let range = if index > 0 {
        members[index - 1].value.span.end as usize..members[index].value.span.end as usize
    } else {
        members[0].key_span.start as usize..members[1].key_span.start as usize
    };
    Some(TextEdit {
        range,
        text: String::new(),
    })
}

/// The member of object `obj` named `key` (exactly), with its index.
pub fn member<'n>(obj: &'n Node, key: &str) -> Option<(usize, &'n Member)> {
    match &obj.value {
        Value::Object(members) => members.iter().enumerate().find(|(_, m)| m.key == key),
        _ => None,
    }
}

/// The statement objects of a policy's tree, in order.
pub fn statements(root: &Node) -> Vec<&Node> {
    match member(root, "Statement").map(|(_, m)| &m.value) {
        Some(Node {
            value: Value::Array(items),
            ..
        }) => items.iter().collect(),
        Some(
            n @ Node {
                value: Value::Object(_),
                ..
            },
        ) => vec![n],
        _ => Vec::new(),
    }
}

/// The whole `"key": value` range of a member.
pub fn member_range(m: &Member) -> Range<usize> {
    m.key_span.start as usize..m.value.span.end as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(text: &str) -> Node {
        crate::json::parse(text).unwrap()
    }

    #[test]
    fn a_member_goes_on_its_own_line_in_the_objects_indentation() {
        let text = "{\n    \"A\": {\n        \"k\": \"v\"\n    }\n}";
        let root = obj(text);
        let e = insert_member(
            text,
            &root,
            "B",
            &NewValue::Object(vec![("x".into(), NewValue::Str("y".into()))]),
        )
        .unwrap();
        assert_eq!(
            e.apply(text).unwrap(),
            "{\n    \"A\": {\n        \"k\": \"v\"\n    },\n    \"B\": {\n        \"x\": \"y\"\n    }\n}"
        );
    }

    #[test]
    fn a_member_of_a_compact_object_stays_compact() {
        let text = "{\"A\":{\"k\":\"v\"},\"C\":1}";
        let root = obj(text);
        let e = insert_member(
            text,
            &root,
            "B",
            &NewValue::Object(vec![("x".into(), NewValue::Str("y".into()))]),
        )
        .unwrap();
        assert_eq!(
            e.apply(text).unwrap(),
            "{\"A\":{\"k\":\"v\"},\"C\":1,\"B\":{\"x\":\"y\"}}"
        );
    }

    #[test]
    fn items_are_added_and_removed_with_their_separators() {
        let text = "{\"a\": [\"x\", \"y\"], \"b\": \"z\"}";
        let root = obj(text);
        let a = &member(&root, "a").unwrap().1.value;
        let b = &member(&root, "b").unwrap().1.value;
        let add = insert_item(text, a, &NewValue::Str("w".into())).unwrap();
        assert_eq!(
            add.apply(text).unwrap(),
            "{\"a\": [\"x\", \"y\", \"w\"], \"b\": \"z\"}"
        );
        let one = insert_item(text, b, &NewValue::Str("w".into())).unwrap();
        assert_eq!(
            one.apply(text).unwrap(),
            "{\"a\": [\"x\", \"y\"], \"b\": [\"z\", \"w\"]}"
        );
        assert_eq!(
            remove_item(a, 0).unwrap().apply(text).unwrap(),
            "{\"a\": [\"y\"], \"b\": \"z\"}"
        );
        assert_eq!(
            remove_item(a, 1).unwrap().apply(text).unwrap(),
            "{\"a\": [\"x\"], \"b\": \"z\"}"
        );
        assert_eq!(
            remove_member(&root, 1).unwrap().apply(text).unwrap(),
            "{\"a\": [\"x\", \"y\"]}"
        );
        assert_eq!(
            remove_member(&root, 0).unwrap().apply(text).unwrap(),
            "{\"b\": \"z\"}"
        );
        assert!(remove_item(b, 0).is_none());
    }

    #[test]
    fn the_step_is_the_smallest_deepening() {
        assert_eq!(
            indent_step("{\n        \"a\": {\n          \"b\": 1\n        }"),
            "  "
        );
        assert_eq!(indent_step("{\n\t\"a\": 1\n}"), "\t");
        assert_eq!(indent_step("{\"a\": 1}"), "  ");
    }

    #[test]
    fn tabs_are_kept() {
        let text = "{\n\t\"A\": 1\n}";
        let root = obj(text);
        let e = insert_member(text, &root, "B", &NewValue::Str("v".into())).unwrap();
        assert_eq!(e.apply(text).unwrap(), "{\n\t\"A\": 1,\n\t\"B\": \"v\"\n}");
    }
}
