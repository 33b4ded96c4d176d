//! A policy held in a JSON string of the plan (`"policy": "{\"Version\": …}"`) parsed
//! with positions in the plan file itself: the string is decoded while recording, for
//! every decoded byte, the file offset of the character or escape it came from, and
//! each span of the decoded policy is carried back through that map. An error inside
//! the policy is then reported at the plan file's line and column, where an editor
//! jumping there lands on the escaped text.

use crate::json::{self, Node, Value};
use crate::source::{Diagnostic, LineIndex, Span};

/// A string literal of the file, decoded, with where each decoded byte came from.
struct Decoded {
    text: String,
    /// `origin[i]`: the file offset of the character or escape that produced decoded
    /// byte `i`; `origin[text.len()]` is the closing quote.
    origin: Vec<usize>,
}

/// Decodes the JSON string literal at `literal` (quotes included) of `file`. `None`
/// when it is not a well-formed literal (the file's parser checked it already).
fn decode(file: &str, literal: Span) -> Option<Decoded> {
    let raw = file.get(literal.range())?;
    let base = literal.range().start;
    let body = raw.strip_prefix('"')?.strip_suffix('"')?;
    let bytes = body.as_bytes();
    let mut text = String::with_capacity(body.len());
    let mut origin = Vec::with_capacity(body.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        let at = base + 1 + i;
        if bytes[i] != b'\\' {
            let c = body[i..].chars().next()?;
            for k in 0..c.len_utf8() {
                origin.push(at + k);
            }
            text.push(c);
            i += c.len_utf8();
            continue;
        }
        let (c, used) = match *bytes.get(i + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let hi = hex4(body.get(i + 2..i + 6)?)?;
                if (0xD800..0xDC00).contains(&hi) && body.get(i + 6..i + 8) == Some("\\u") {
                    let lo = hex4(body.get(i + 8..i + 12)?)?;
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                    (char::from_u32(code)?, 12)
                } else {
                    // A lone surrogate is not a character: Rust strings cannot hold it.
                    (char::from_u32(hi)?, 6)
                }
            }
            _ => return None,
        };
        for _ in 0..c.len_utf8() {
            origin.push(at);
        }
        text.push(c);
        i += used;
    }
    origin.push(base + 1 + bytes.len());
    Some(Decoded { text, origin })
}

fn hex4(s: &str) -> Option<u32> {
    if s.len() != 4 {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Parses the JSON text held in the string `literal` of `file` (`index` is the file's
/// line index): the tree, or the syntax error, with spans in the file.
pub(super) fn parse_in_file(
    file: &str,
    index: &LineIndex,
    literal: Span,
) -> Result<Node, Diagnostic> {
    let Some(decoded) = decode(file, literal) else {
        return Err(Diagnostic::error(literal, "not a JSON string literal"));
    };
    let place = |s: &Span| {
        let at = |o: u64| {
            decoded
                .origin
                .get(o as usize)
                .copied()
                .unwrap_or(literal.range().end)
        };
        index.span(file, at(s.start), at(s.end))
    };
    match json::parse(&decoded.text) {
        Ok(mut node) => {
            relocate(&mut node, &place);
            Ok(node)
        }
        Err(mut e) => {
            e.span = place(&e.span);
            Err(e)
        }
    }
}

/// The decoded text of a policy parsed by [`parse_in_file`], from the span of its root
/// (the escaped text between the string's quotes): what the policy says, as JSON, for
/// an editor. `None` when the span is not such a part of `file`.
pub(super) fn decoded_text(file: &str, root: Span) -> Option<String> {
    let raw = file.get(root.range())?;
    serde_json::from_str(&format!("\"{raw}\"")).ok()
}

/// Moves every span of `node` (in the decoded text) to the file.
fn relocate(node: &mut Node, place: &dyn Fn(&Span) -> Span) {
    node.span = place(&node.span);
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|n| relocate(n, place)),
        Value::Object(members) => {
            for m in members {
                m.key_span = place(&m.key_span);
                relocate(&mut m.value, place);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line index of `file` and the span of its string literal starting `"{`
    /// and ending with the last `"` before `end`.
    fn literal(file: &str, end: usize) -> (LineIndex, Span) {
        let index = LineIndex::new(file);
        let start = file.find("\"{").unwrap();
        let end = file[..end].rfind('"').unwrap() + 1;
        let span = index.span(file, start, end);
        (index, span)
    }

    #[test]
    fn spans_land_on_the_escaped_text_in_the_file() {
        let file = r#"{"policy": "{\"Action\":\"s3:Get\\u002a\",\n\"Resource\":\"\u00e9\ud83d\ude00x\"}"}"#;
        // The literal is the last string of the line: find it by its opening.
        let (index, span) = literal(file, file.len() - 1);
        let node = parse_in_file(file, &index, span).expect("parses");
        let Value::Object(members) = &node.value else {
            panic!("an object")
        };
        assert_eq!(members[0].key, "Action");
        assert_eq!(&file[members[0].key_span.range()], r#"\"Action\""#);
        let Value::String(action) = &members[0].value.value else {
            panic!()
        };
        assert_eq!(action, "s3:Get*");
        assert_eq!(&file[members[0].value.span.range()], r#"\"s3:Get\\u002a\""#);
        let Value::String(res) = &members[1].value.value else {
            panic!()
        };
        assert_eq!(res, "é😀x");
        assert_eq!(
            &file[members[1].value.span.range()],
            r#"\"\u00e9\ud83d\ude00x\""#
        );
        assert_eq!(
            decoded_text(file, node.span).as_deref(),
            Some("{\"Action\":\"s3:Get\\u002a\",\n\"Resource\":\"é😀x\"}")
        );
        // Columns count the file's characters.
        let col = members[1].key_span.column as usize;
        assert_eq!(file.chars().nth(col - 1), Some('\\'));
    }

    #[test]
    fn a_syntax_error_in_the_string_is_placed_in_the_file() {
        let file = "{\n  \"policy\": \"{\\\"Version\\\": \\\"2012-10-17\\\",, }\"\n}";
        let (index, span) = literal(file, file.len());
        let err = parse_in_file(file, &index, span).expect_err("two commas");
        assert_eq!(err.span.line, 2);
        assert_eq!(&file[err.span.range()][..1], ",");
    }
}
