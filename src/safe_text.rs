//! Untrusted text made safe to show on a terminal.
//!
//! Everything iamtrace shows comes from somebody else's file: a policy's Sid, a request
//! name, a CloudTrail `userAgent` that any API caller chooses, a file name. Written raw, an
//! escape sequence in any of them would drive the user's terminal (retitle it, wipe the
//! screen, recolour it, or forge output). Every such string passes through
//! [`for_terminal`] (one line) or [`for_terminal_lines`] (text whose line breaks are
//! kept) before it reaches the screen; the result has no character a terminal acts on.
//! Machine formats (JSON, SARIF) stay exact JSON and do not use this.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character would make a terminal do something rather than show a glyph, or
/// reorder what is shown: C0 controls (tab and newline included), DEL, C1 controls,
/// bidirectional overrides and isolates, and the line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{200e}' | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{061c}'
    )
}

/// `text` with every unsafe character (see [`is_unsafe`]) written as a visible escape:
/// `\n`, `\t`, `\r` for those three, `\u{1b}` for the others. Borrows when nothing needs
/// escaping, so the common case costs one scan.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// As [`for_terminal`], but line feeds are kept (for multi-line text such as a policy or
/// a rendered trace); a carriage return is still escaped, so no line can overwrite
/// another.
pub fn for_terminal_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    // Printable ASCII is safe: most text is, and a byte test is cheaper than chars.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Cow::Borrowed(text);
    }
    let needs = |c: char| is_unsafe(c) && !(keep_newlines && c == '\n');
    let Some(first) = text.find(needs) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        if !needs(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(for_terminal("Sid AllowAll é ✔"), Cow::Borrowed(_)));
    }

    #[test]
    fn escapes_osc_and_csi() {
        let hostile = "a\u{1b}]0;PWNED\u{7}\u{1b}[2Jb";
        let shown = for_terminal(hostile);
        assert_eq!(shown, "a\\u{1b}]0;PWNED\\u{7}\\u{1b}[2Jb");
        assert!(!shown.chars().any(is_unsafe));
    }

    #[test]
    fn escapes_c1_del_and_bidi() {
        let shown = for_terminal("x\u{9b}31m\u{7f}\u{202e}gpj.exe\u{2066}");
        assert_eq!(shown, "x\\u{9b}31m\\u{7f}\\u{202e}gpj.exe\\u{2066}");
    }

    #[test]
    fn line_breaks() {
        assert_eq!(for_terminal("a\nb\tc\rd"), "a\\nb\\tc\\rd");
        assert_eq!(for_terminal_lines("a\nb\r\nc"), "a\nb\\r\nc");
    }

    #[test]
    fn nothing_unsafe_survives_any_character() {
        for cp in 0u32..0x3000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let s = format!("<{c}>");
            assert!(!for_terminal(&s).chars().any(is_unsafe), "U+{cp:04X}");
            let lines = for_terminal_lines(&s);
            assert!(
                !lines.chars().any(|c| c != '\n' && is_unsafe(c)),
                "U+{cp:04X}"
            );
        }
    }
}
