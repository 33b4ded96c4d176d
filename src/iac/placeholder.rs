//! Placeholders: how a value a template or plan cannot resolve offline is written into
//! a policy or a request — `⟦GetAtt AppRole.Arn⟧`, `⟦known after apply⟧`. The brackets
//! are not ASCII, so a placeholder can never be read as a policy variable (`${…}`), a
//! wildcard or part of an ARN; what is inside says where the value comes from, with
//! `*`, `?`, `$` and the brackets themselves removed so that it cannot act as one
//! either. How the engine treats them (they match only what matches every resolution:
//! `*`, or the same placeholder; comparisons that touch one are marked, and decisions
//! that depend on them say so) is in `policy::unresolved`, `eval::unresolved` and
//! docs/semantics.md, "Unresolved values".

/// Opens a placeholder.
pub const OPEN: char = '⟦';
/// Closes a placeholder.
pub const CLOSE: char = '⟧';

/// The placeholder for a value described by `what` (`GetAtt AppRole.Arn`).
pub fn make(what: &str) -> String {
    let inner: String = what
        .chars()
        .filter(|&c| !matches!(c, '*' | '?' | '$') && c != OPEN && c != CLOSE && !c.is_control())
        .collect();
    let inner = inner.trim();
    let inner = if inner.is_empty() {
        "unresolved"
    } else {
        inner
    };
    format!("{OPEN}{inner}{CLOSE}")
}

/// Whether `s` holds a placeholder.
pub fn contains(s: &str) -> bool {
    s.contains(OPEN)
}

/// The placeholders in `s`, brackets included, in order.
pub fn find(s: &str) -> impl Iterator<Item = &str> + '_ {
    let mut rest = s;
    std::iter::from_fn(move || {
        let start = rest.find(OPEN)?;
        let after = &rest[start..];
        let end = after
            .find(CLOSE)
            .map_or(after.len(), |e| e + CLOSE.len_utf8());
        let found = &after[..end];
        rest = &after[end..];
        Some(found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_placeholder_cannot_act_as_a_wildcard_or_variable() {
        let p = make("Sub ${Bucket}/* ?");
        assert_eq!(p, "⟦Sub {Bucket}/⟧");
        assert!(!p.contains(['*', '?', '$']));
        assert_eq!(make("  "), "⟦unresolved⟧");
    }

    #[test]
    fn placeholders_are_found_in_order() {
        let s = format!("arn:aws:s3:::{}/{}", make("Ref Bucket"), make("x"));
        let found: Vec<_> = find(&s).collect();
        assert_eq!(found, ["⟦Ref Bucket⟧", "⟦x⟧"]);
        assert!(contains(&s));
        assert_eq!(find("arn:aws:s3:::b").count(), 0);
        // An unclosed bracket (a user typed one) is found to the end, not lost.
        assert_eq!(find("a⟦b").collect::<Vec<_>>(), ["⟦b"]);
    }
}
