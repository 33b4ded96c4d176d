//! Matching when a value holds a placeholder (`⟦GetAtt Bucket.Arn⟧`, a template value
//! that cannot be resolved offline). A placeholder stands for some text nobody knows
//! yet, so a pattern matches such a value *surely* only when it would match whatever
//! the placeholder turns out to be: a `*` may swallow a whole placeholder, and a
//! placeholder in the pattern matches the same placeholder in the value (equal
//! placeholders stand for equal text), but no letter, `?` or part of a `*` may stand
//! for part of one. A comparison that is not a sure match and touches a placeholder is
//! *unresolved*: the evaluator decides what it does with it (see `eval::unresolved`).

use super::pattern::{Pattern, Token};
use crate::iac::placeholder::{CLOSE, OPEN};

/// One unit of a value: a character, or a whole placeholder (brackets included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit<'a> {
    Char(char),
    Placeholder(&'a str),
}

/// One unit of a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatUnit<'a> {
    Is(Unit<'a>),
    Star,
    One,
}

/// Beyond this many pattern units × value units the matcher gives up and reports no
/// sure match (so the comparison counts as unresolved): no real ARN comes near it.
const WORK_LIMIT: usize = 4_000_000;

/// `text` cut into characters and whole placeholders.
fn units<'a>(text: &'a str, out: &mut Vec<Unit<'a>>) {
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        out.extend(rest[..start].chars().map(Unit::Char));
        let after = &rest[start..];
        let end = after
            .find(CLOSE)
            .map_or(after.len(), |e| e + CLOSE.len_utf8());
        out.push(Unit::Placeholder(&after[..end]));
        rest = &after[end..];
    }
    out.extend(rest.chars().map(Unit::Char));
}

/// True when the variable-free `pattern` matches `text` whatever the placeholders on
/// either side stand for (equal placeholders standing for equal text). Without
/// placeholders this is the plain match.
pub fn surely_matches(pattern: &Pattern, text: &str) -> bool {
    if pattern.is_match_all() {
        return true;
    }
    let mut pat = Vec::new();
    for t in pattern.tokens() {
        match t {
            Token::Star => pat.push(PatUnit::Star),
            Token::One => pat.push(PatUnit::One),
            Token::Lit(s) => {
                let mut u = Vec::new();
                units(s, &mut u);
                pat.extend(u.into_iter().map(PatUnit::Is));
            }
            // Unresolved variables are the caller's business: no sure match.
            Token::Var(_) => return false,
        }
    }
    let mut value = Vec::new();
    units(text, &mut value);
    let n = value.len();
    if pat.len().saturating_mul(n + 1) > WORK_LIMIT {
        return false;
    }
    // reach[j]: the pattern read so far can end just before value unit j.
    let mut reach = vec![false; n + 1];
    reach[0] = true;
    let mut next = vec![false; n + 1];
    for p in &pat {
        next.iter_mut().for_each(|x| *x = false);
        match p {
            PatUnit::Star => {
                let mut on = false;
                for j in 0..=n {
                    on |= reach[j];
                    next[j] = on;
                }
            }
            PatUnit::One => {
                for j in 0..n {
                    next[j + 1] = reach[j] && matches!(value[j], Unit::Char(_));
                }
            }
            PatUnit::Is(u) => {
                for j in 0..n {
                    next[j + 1] = reach[j] && value[j] == *u;
                }
            }
        }
        std::mem::swap(&mut reach, &mut next);
        if !reach.contains(&true) {
            return false;
        }
    }
    reach[n]
}

/// `text` with each placeholder replaced by `with`: the shape a check of the value's
/// form (an action, an ARN) reads.
pub fn stand_in(text: &str, with: &str) -> String {
    let mut u = Vec::new();
    units(text, &mut u);
    let mut out = String::with_capacity(text.len());
    for unit in u {
        match unit {
            Unit::Char(c) => out.push(c),
            Unit::Placeholder(_) => out.push_str(with),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::pattern::PatternOptions;

    fn pat(p: &str) -> Pattern {
        Pattern::compile(
            p,
            PatternOptions {
                wildcards: true,
                variables_from: None,
                lowercase: false,
            },
        )
    }

    #[test]
    fn only_what_matches_every_resolution_is_a_sure_match() {
        let v = "⟦GetAtt Bucket.Arn⟧/key";
        assert!(surely_matches(&pat("*"), v));
        assert!(surely_matches(&pat("⟦GetAtt Bucket.Arn⟧/*"), v));
        assert!(surely_matches(&pat("*/key"), v));
        assert!(surely_matches(&pat("⟦GetAtt Bucket.Arn⟧/?ey"), v));
        // The bucket's ARN may or may not be in s3: not sure.
        assert!(!surely_matches(&pat("arn:aws:s3:::*"), v));
        // Another placeholder may stand for other text.
        assert!(!surely_matches(&pat("⟦GetAtt Other.Arn⟧/*"), v));
        // No letter, `?` or part of a star may stand for part of a placeholder.
        assert!(!surely_matches(&pat("*Arn*"), v));
        assert!(!surely_matches(&pat("?GetAtt*"), v));
        assert!(!surely_matches(&pat("*⟧/key"), v));
        // A placeholder in the pattern never surely matches concrete text.
        assert!(!surely_matches(
            &pat("⟦GetAtt Bucket.Arn⟧/*"),
            "arn:aws:s3:::b/key"
        ));
        // Without placeholders it is the plain match.
        assert!(surely_matches(&pat("arn:aws:s3:::b/*"), "arn:aws:s3:::b/k"));
        assert!(!surely_matches(
            &pat("arn:aws:s3:::b/?"),
            "arn:aws:s3:::b/kk"
        ));
    }

    #[test]
    fn an_unclosed_bracket_is_one_unit_to_the_end() {
        assert!(surely_matches(&pat("a⟦b"), "a⟦b"));
        assert!(!surely_matches(&pat("a⟦*"), "a⟦b"));
    }
}
