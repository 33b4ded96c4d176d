//! AWS's size limits for policies (SPEC §1), so that an oversized policy is reported
//! rather than silently evaluated as if AWS would take it.

use super::PolicyKind;

/// A size limit: characters allowed, and whether whitespace counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit {
    /// Characters allowed.
    pub max: usize,
    /// Whitespace counts toward the limit (SCPs and RCPs).
    pub whitespace_counts: bool,
    /// What the limit is for, for the message.
    pub what: &'static str,
}

/// The limit for a policy of `kind` (a role trust policy when `trust`). Identity
/// policies get the managed-policy limit (inline limits are per principal and lower).
pub fn size_limit(kind: PolicyKind, trust: bool) -> Option<SizeLimit> {
    let (max, whitespace_counts, what) = match kind {
        PolicyKind::Identity | PolicyKind::Boundary => (6_144, false, "a managed policy"),
        PolicyKind::Resource if trust => (2_048, false, "a role trust policy"),
        PolicyKind::Session => (2_048, false, "a session policy"),
        PolicyKind::Scp => (5_120, true, "an SCP"),
        PolicyKind::Rcp => (5_120, true, "an RCP"),
        PolicyKind::Resource | PolicyKind::Endpoint => return None,
    };
    Some(SizeLimit {
        max,
        whitespace_counts,
        what,
    })
}

/// `Some(message)` when `text` is over the limit for its kind.
pub fn over_limit(text: &str, kind: PolicyKind, trust: bool) -> Option<String> {
    let limit = size_limit(kind, trust)?;
    // Lint asks on every keystroke: no more bytes than the limit is no more characters;
    // ASCII text (the usual) is counted byte by byte.
    if text.len() <= limit.max {
        return None;
    }
    let size = if limit.whitespace_counts {
        text.chars().count()
    } else {
        non_whitespace_chars(text)
    };
    (size > limit.max).then(|| {
        format!(
            "{size} characters{}: AWS allows {} for {} and would reject it",
            if limit.whitespace_counts {
                ""
            } else {
                " (whitespace not counted)"
            },
            limit.max,
            limit.what
        )
    })
}

/// `text.chars().filter(|c| !c.is_whitespace()).count()`, counted without decoding:
/// the bytes that start a character and are not ASCII whitespace, less the non-ASCII
/// whitespace (whose kinds all start with one of four bytes). The editor asks on every
/// keystroke, of policies of megabytes.
pub fn non_whitespace_chars(text: &str) -> usize {
    let bytes = text.as_bytes();
    // Counted in byte-sized sums over blocks of 255 bytes, which vectorize well.
    let counted = |b: u8| (b as i8) >= -0x40 && b != b' ' && !(b'\t'..=b'\r').contains(&b);
    let kept: usize = bytes
        .chunks(255)
        .map(|block| usize::from(block.iter().fold(0u8, |n, &b| n + u8::from(counted(b)))))
        .sum();
    // U+0085, U+00A0 (0xC2 …), U+1680 (0xE1 …), U+2000–U+205F (0xE2 …), U+3000 (0xE3 …).
    let other_space = memchr::memchr3_iter(0xc2, 0xe1, 0xe2, bytes)
        .chain(memchr::memchr_iter(0xe3, bytes))
        .filter(|&i| text[i..].chars().next().is_some_and(char::is_whitespace))
        .count();
    kept - other_space
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_kind() {
        let big = format!("{{\"a\": \"{}\"}}", "x".repeat(7_000));
        assert!(over_limit(&big, PolicyKind::Identity, false).is_some());
        assert!(over_limit(&big, PolicyKind::Resource, false).is_none());
        let spaced = format!("{{{}}}", " ".repeat(6_000));
        assert!(over_limit(&spaced, PolicyKind::Identity, false).is_none());
        assert!(over_limit(&spaced, PolicyKind::Scp, false).is_some());
    }

    #[test]
    fn the_ascii_count_is_the_character_count() {
        // Every ASCII whitespace character Rust's `char::is_whitespace` knows (vertical
        // tab and form feed too) is left out by the byte count, as by the char count.
        let ws = " \t\n\u{0b}\u{0c}\r";
        let text = format!("{{\"a\": \"{}{}\"}}", "x".repeat(6_140), ws.repeat(200));
        let slow = text.chars().filter(|c| !c.is_whitespace()).count();
        assert_eq!(slow, 6_148);
        assert!(
            over_limit(&text, PolicyKind::Identity, false).is_some_and(|m| m.starts_with("6148 "))
        );
        // Non-ASCII whitespace (a no-break space) is not counted either.
        let wide = format!(
            "{{\"a\": \"{}{}\"}}",
            "x".repeat(6_136),
            "\u{a0}".repeat(500)
        );
        assert!(over_limit(&wide, PolicyKind::Identity, false).is_none());
    }

    #[test]
    fn the_quick_count_is_the_character_count() {
        // Every whitespace character of Unicode, and others sharing their first bytes.
        let every: String = (0..=0x3100u32)
            .chain([0xfeff, 0x1f600])
            .filter_map(char::from_u32)
            .collect();
        for text in [every.as_str(), "", "a b", "\u{2028}x\u{3000}\u{e2}\u{205f}"] {
            let slow = text.chars().filter(|c| !c.is_whitespace()).count();
            assert_eq!(non_whitespace_chars(text), slow, "{text:?}");
        }
    }
}
