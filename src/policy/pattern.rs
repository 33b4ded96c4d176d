//! Wildcard patterns (`*` any run of characters, `?` exactly one) with optional policy
//! variables (`${aws:username}`, `${key, 'default'}`, `${*}`), compiled once and matched
//! in time linear in the text for each segment between stars.

use serde::Serialize;

/// One piece of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Literal text (already lower-cased where the match is case-insensitive).
    Lit(String),
    /// `*`: any run of characters, empty included.
    Star,
    /// `?`: exactly one character.
    One,
    /// `${key}` or `${key, 'default'}`.
    Var(Variable),
}

/// A policy variable inside a pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variable {
    /// The key as written.
    pub key: String,
    /// The key lower-cased, for lookup (key names are case-insensitive).
    pub key_lower: String,
    /// The default used when the key is missing.
    pub default: Option<String>,
}

/// How the request side answers a variable lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarLookup<'a> {
    /// The key has one value.
    Single(&'a str),
    /// The key is multi-valued: it cannot be a variable.
    Multi,
    /// The key is not in the request.
    Missing,
}

/// Why a pattern with variables could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unresolved {
    /// `${key}` with no default and the key missing from the request.
    Missing {
        /// The key as written.
        key: String,
    },
    /// `${key}` naming a multi-valued key.
    MultiValued {
        /// The key as written.
        key: String,
    },
}

/// Options for compiling a pattern.
#[derive(Debug, Clone, Copy)]
pub struct PatternOptions {
    /// `*` and `?` are wildcards (otherwise literal).
    pub wildcards: bool,
    /// `${…}` is a variable from this byte offset on (`None`: never).
    pub variables_from: Option<usize>,
    /// Lower-case literal text (for case-insensitive matching).
    pub lowercase: bool,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    has_vars: bool,
    all_stars: bool,
    /// Holds a placeholder (`⟦…⟧`, an unresolved template value): worked out once here
    /// so matching takes the placeholder-aware path only when it must.
    placeholder: bool,
}

/// True when a literal token holds a placeholder.
fn tokens_hold_placeholder(tokens: &[Token]) -> bool {
    tokens
        .iter()
        .any(|t| matches!(t, Token::Lit(s) if crate::iac::placeholder::contains(s)))
}

impl Pattern {
    /// Compiles `text`, in time linear in its length (however many `${` it holds).
    pub fn compile(text: &str, opts: PatternOptions) -> Pattern {
        Self::compile_counting(text, opts).0
    }

    /// [`Self::compile`] with the number of steps it took (bytes read): for tests that
    /// check variable scanning stays linear.
    #[doc(hidden)]
    pub fn compile_counting(text: &str, opts: PatternOptions) -> (Pattern, u64) {
        let mut tokens: Vec<Token> = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, tokens: &mut Vec<Token>| {
            if !lit.is_empty() {
                let s = std::mem::take(lit);
                tokens.push(Token::Lit(if opts.lowercase {
                    s.to_lowercase()
                } else {
                    s
                }));
            }
        };
        let mut scanner = VariableScanner::new(text);
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            scanner.steps += 1;
            if opts.variables_from.is_some_and(|from| i >= from) && rest.starts_with("${") {
                if let Some((consumed, var)) = scanner.parse_at(i) {
                    match var {
                        ParsedVar::Literal(c) => lit.push(c),
                        ParsedVar::Var(v) => {
                            flush(&mut lit, &mut tokens);
                            tokens.push(Token::Var(v));
                        }
                    }
                    i += consumed;
                    continue;
                }
            }
            let c = rest.chars().next().unwrap_or('\0');
            match c {
                '*' if opts.wildcards => {
                    flush(&mut lit, &mut tokens);
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                }
                '?' if opts.wildcards => {
                    flush(&mut lit, &mut tokens);
                    tokens.push(Token::One);
                }
                _ => lit.push(c),
            }
            i += c.len_utf8();
        }
        flush(&mut lit, &mut tokens);
        let has_vars = tokens.iter().any(|t| matches!(t, Token::Var(_)));
        let all_stars = !tokens.is_empty() && tokens.iter().all(|t| *t == Token::Star);
        let placeholder = tokens_hold_placeholder(&tokens);
        let pattern = Pattern {
            tokens,
            has_vars,
            all_stars,
            placeholder,
        };
        (pattern, scanner.steps)
    }

    /// A pattern from tokens that hold no variable.
    pub fn from_tokens(tokens: Vec<Token>) -> Pattern {
        let has_vars = tokens.iter().any(|t| matches!(t, Token::Var(_)));
        let all_stars = !tokens.is_empty() && tokens.iter().all(|t| *t == Token::Star);
        let placeholder = tokens_hold_placeholder(&tokens);
        Pattern {
            tokens,
            has_vars,
            all_stars,
            placeholder,
        }
    }

    /// True when the pattern holds a variable.
    pub fn has_variables(&self) -> bool {
        self.has_vars
    }

    /// True when the pattern holds a placeholder (an unresolved template value).
    pub fn has_placeholder(&self) -> bool {
        self.placeholder
    }

    /// True when the pattern is `*` (or `**`…): it matches every text.
    pub fn is_match_all(&self) -> bool {
        self.all_stars
    }

    /// True when the pattern is made of wildcards alone (`*`, `?`).
    pub fn is_wildcards_only(&self) -> bool {
        !self.tokens.is_empty()
            && self
                .tokens
                .iter()
                .all(|t| matches!(t, Token::Star | Token::One))
    }

    /// The tokens.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The literal text when the pattern has no wildcard and no variable.
    pub fn as_literal(&self) -> Option<&str> {
        match self.tokens.as_slice() {
            [] => Some(""),
            [Token::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// Matches a pattern without variables against `text`.
    pub fn matches_plain(&self, text: &str) -> bool {
        if self.all_stars {
            return true;
        }
        glob(&self.tokens, text, &mut 0)
    }

    /// [`Self::matches_plain`] with the number of steps it took (bytes compared or
    /// skipped, tokens tried): for tests that check the matcher stays linear.
    #[doc(hidden)]
    pub fn matches_counting(&self, text: &str) -> (bool, u64) {
        let mut steps = 0;
        let matched = self.all_stars || glob(&self.tokens, text, &mut steps);
        (matched, steps)
    }

    /// Matches like [`Self::matches_plain`] but a `*` may not match `:` or `/` unless
    /// it ends the pattern: the narrow reading of AWS's documentation. Used to tell
    /// when the broad reading (SPEC choice) decided a match. Quadratic: call it only
    /// for a trace, on matches that already succeeded.
    pub fn matches_without_crossing(&self, text: &str) -> bool {
        let toks = &self.tokens;
        // Nothing to cross, or only a final star (which may cross anyway): the readings
        // agree, no need for the quadratic check.
        let inner_star = toks
            .iter()
            .take(toks.len().saturating_sub(1))
            .any(|t| matches!(t, Token::Star));
        if !inner_star || !text.contains([':', '/']) {
            return self.matches_plain(text);
        }
        let chars: Vec<char> = text.chars().collect();
        if toks.len().saturating_mul(chars.len()) > 4_000_000 {
            return true;
        }
        // reach[j]: the pattern prefix so far can end at character j.
        let mut reach = vec![false; chars.len() + 1];
        reach[0] = true;
        for (ti, t) in toks.iter().enumerate() {
            let mut next = vec![false; chars.len() + 1];
            match t {
                Token::Lit(s) => {
                    let lit: Vec<char> = s.chars().collect();
                    for j in 0..=chars.len() {
                        if reach[j] && chars[j..].starts_with(&lit) {
                            next[j + lit.len()] = true;
                        }
                    }
                }
                Token::One => {
                    for j in 0..chars.len() {
                        next[j + 1] |= reach[j];
                    }
                }
                Token::Star => {
                    let last = ti + 1 == toks.len();
                    let mut on = false;
                    for j in 0..=chars.len() {
                        on |= reach[j];
                        next[j] = on;
                        if j < chars.len() && !last && matches!(chars[j], ':' | '/') {
                            on = false;
                        }
                    }
                }
                Token::Var(_) => return false,
            }
            reach = next;
        }
        reach[chars.len()]
    }

    /// Substitutes variables: a pattern whose variables all resolved, or why one did
    /// not. Substituted text is literal (a `*` in a tag value is not a wildcard).
    pub fn resolve<'a>(
        &self,
        lookup: &dyn Fn(&str) -> VarLookup<'a>,
    ) -> Result<Pattern, Unresolved> {
        let mut tokens = Vec::with_capacity(self.tokens.len());
        for t in &self.tokens {
            match t {
                Token::Var(v) => {
                    let value = match lookup(&v.key_lower) {
                        VarLookup::Single(s) => s.to_string(),
                        VarLookup::Multi => {
                            return Err(Unresolved::MultiValued { key: v.key.clone() });
                        }
                        VarLookup::Missing => match &v.default {
                            Some(d) => d.clone(),
                            None => return Err(Unresolved::Missing { key: v.key.clone() }),
                        },
                    };
                    // A variable that resolves to "" adds nothing: no empty literal
                    // (the segment searches take a literal to hold a character).
                    match tokens.last_mut() {
                        Some(Token::Lit(prev)) => prev.push_str(&value),
                        _ if value.is_empty() => {}
                        _ => tokens.push(Token::Lit(value)),
                    }
                }
                Token::Lit(s) => match tokens.last_mut() {
                    Some(Token::Lit(prev)) => prev.push_str(s),
                    _ => tokens.push(Token::Lit(s.clone())),
                },
                other => tokens.push(other.clone()),
            }
        }
        let all_stars = !tokens.is_empty() && tokens.iter().all(|t| *t == Token::Star);
        // A substituted value may bring a placeholder with it (a context value that is
        // one).
        let placeholder = tokens_hold_placeholder(&tokens);
        Ok(Pattern {
            tokens,
            has_vars: false,
            all_stars,
            placeholder,
        })
    }

    /// Lower-cases the literal parts (after substitution, for case-insensitive use).
    pub fn lowercased(mut self) -> Pattern {
        for t in &mut self.tokens {
            if let Token::Lit(s) = t {
                *s = s.to_lowercase();
            }
        }
        self
    }

    /// The pattern written back as text (variables as `${…}`, substituted text as is).
    pub fn display(&self) -> String {
        let mut out = String::new();
        for t in &self.tokens {
            match t {
                Token::Lit(s) => out.push_str(s),
                Token::Star => out.push('*'),
                Token::One => out.push('?'),
                Token::Var(v) => {
                    out.push_str("${");
                    out.push_str(&v.key);
                    if let Some(d) = &v.default {
                        out.push_str(", '");
                        out.push_str(d);
                        out.push('\'');
                    }
                    out.push('}');
                }
            }
        }
        out
    }
}

enum ParsedVar {
    Literal(char),
    Var(Variable),
}

/// Reads `${…}` forms from one text. Scanning forward, it remembers where the next `}`
/// is (and where the text before it ends, blanks trimmed), so a text made of many `${`
/// that share one `}` (or have none) is read once, not once per `${`: linear in the
/// text's length.
struct VariableScanner<'a> {
    text: &'a str,
    /// Bytes read, for the tests' step counts.
    steps: u64,
    /// The last `}` search: searched from this byte, found this one (`None`: no `}`
    /// after it).
    close: Option<(usize, Option<usize>)>,
    /// For the `}` found: the length of the text before it without trailing blanks.
    trimmed_before_close: Option<usize>,
}

impl<'a> VariableScanner<'a> {
    fn new(text: &'a str) -> Self {
        VariableScanner {
            text,
            steps: 0,
            close: None,
            trimmed_before_close: None,
        }
    }

    /// The first `}` at or after byte `from`. Calls come with `from` never decreasing,
    /// so a previous answer at or after `from` is still the answer.
    fn close_from(&mut self, from: usize) -> Option<usize> {
        if let Some((searched, found)) = self.close {
            if searched <= from && found.is_none_or(|c| c >= from) {
                return found;
            }
        }
        let found = memchr::memchr(b'}', &self.text.as_bytes()[from..]).map(|k| from + k);
        self.steps += found.map_or(self.text.len() - from, |c| c + 1 - from) as u64;
        self.close = Some((from, found));
        self.trimmed_before_close = None;
        found
    }

    /// Parses `${…}` at byte `i` (the text there starts with `${`): the bytes consumed
    /// and what it stands for. Anything malformed is left as literal text (`None`).
    /// The key runs to the first `,` or `}`; the default, `'…'` with blanks around it
    /// allowed, to the first `}`.
    fn parse_at(&mut self, i: usize) -> Option<(usize, ParsedVar)> {
        let text = self.text;
        let rest = &text[i..];
        for (form, c) in [("${*}", '*'), ("${?}", '?'), ("${$}", '$')] {
            if rest.starts_with(form) {
                return Some((form.len(), ParsedVar::Literal(c)));
            }
        }
        // The key, stopping at the first character no key may hold: the scan never
        // reads past the next `$`, so no byte is read for two different `${`.
        let bytes = text.as_bytes();
        let mut j = i + 2;
        loop {
            self.steps += 1;
            match bytes.get(j)? {
                b',' | b'}' => break,
                b'$' | b'{' | b'\'' | b'*' | b'?' => return None,
                _ => j += 1,
            }
        }
        let key = text[i + 2..j].trim();
        if key.is_empty() || key.chars().any(char::is_whitespace) {
            return None;
        }
        let (consumed, default) = if bytes[j] == b'}' {
            (j + 1 - i, None)
        } else {
            let close = self.close_from(j + 1)?;
            let region = &text[j + 1..close];
            let opened = region.trim_start();
            self.steps += (region.len() - opened.len()) as u64 + 1;
            let open_quote = close - opened.len();
            let end = match self.trimmed_before_close {
                Some(end) => end,
                None => {
                    let end = text[..close].trim_end().len();
                    self.steps += (close - end) as u64 + 1;
                    self.trimmed_before_close = Some(end);
                    end
                }
            };
            // `'…'`: an opening quote, then a closing one after it, blanks to the `}`.
            if !opened.starts_with('\'') || end < open_quote + 2 || bytes[end - 1] != b'\'' {
                return None;
            }
            let default = text[open_quote + 1..end - 1].to_string();
            self.steps += default.len() as u64;
            (close + 1 - i, Some(default))
        };
        Some((
            consumed,
            ParsedVar::Var(Variable {
                key: key.to_string(),
                key_lower: key.to_lowercase(),
                default,
            }),
        ))
    }
}

/// Byte length of the UTF-8 character starting with byte `b`.
fn char_len(b: u8) -> usize {
    match b {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Matches `seg` (literals and `?`, no stars) at byte `pos`: the end offset.
fn match_at(seg: &[Token], text: &str, mut pos: usize, steps: &mut u64) -> Option<usize> {
    let bytes = text.as_bytes();
    for t in seg {
        *steps += 1;
        match t {
            Token::Lit(s) => {
                *steps += s.len() as u64;
                if bytes.len() - pos < s.len() || &bytes[pos..pos + s.len()] != s.as_bytes() {
                    return None;
                }
                pos += s.len();
            }
            Token::One => {
                if pos >= bytes.len() {
                    return None;
                }
                pos += char_len(bytes[pos]);
            }
            Token::Star | Token::Var(_) => return None,
        }
    }
    Some(pos)
}

/// Matches `seg` so that it ends exactly at the end of `text`: its start offset.
fn match_suffix(seg: &[Token], text: &str, steps: &mut u64) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut end = bytes.len();
    for t in seg.iter().rev() {
        *steps += 1;
        match t {
            Token::Lit(s) => {
                *steps += s.len() as u64;
                if end < s.len() || &bytes[end - s.len()..end] != s.as_bytes() {
                    return None;
                }
                end -= s.len();
            }
            Token::One => {
                if end == 0 {
                    return None;
                }
                end -= 1;
                while end > 0 && !text.is_char_boundary(end) {
                    end -= 1;
                }
            }
            Token::Star | Token::Var(_) => return None,
        }
    }
    Some(end)
}

/// All (overlapping) byte offsets where `needle` occurs in `hay`, by
/// Knuth–Morris–Pratt: linear in both lengths.
fn occurrences(hay: &[u8], needle: &[u8], steps: &mut u64) -> Vec<usize> {
    if needle.is_empty() {
        // The empty text occurs everywhere.
        *steps += hay.len() as u64 + 1;
        return (0..=hay.len()).collect();
    }
    let mut fail = vec![0usize; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = fail[k - 1];
            *steps += 1;
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        fail[i] = k;
        *steps += 1;
    }
    let mut out = Vec::new();
    let mut k = 0;
    for (i, &b) in hay.iter().enumerate() {
        while k > 0 && b != needle[k] {
            k = fail[k - 1];
            *steps += 1;
        }
        if b == needle[k] {
            k += 1;
        }
        *steps += 1;
        if k == needle.len() {
            out.push(i + 1 - needle.len());
            k = fail[k - 1];
        }
    }
    out
}

/// The leftmost match of a segment holding `?` in `text[from..limit]`, in time
/// proportional to the window times the number of `?`-separated pieces (not times the
/// segment's length): each literal piece's occurrences are found once, by KMP, and a
/// start survives only if every piece occurs at its offset from it.
fn find_segment_by_pieces(
    seg: &[Token],
    text: &str,
    from: usize,
    limit: usize,
    steps: &mut u64,
) -> Option<usize> {
    *steps += 1;
    let window = &text[from..limit];
    // Char starts of the window, and the char index of each byte.
    let starts: Vec<usize> = window.char_indices().map(|(i, _)| i).collect();
    let n = starts.len();
    let mut char_at = vec![u32::MAX; window.len()];
    for (ci, &b) in starts.iter().enumerate() {
        char_at[b] = ci as u32;
    }
    // Pieces and their offsets (in chars) from the segment's start.
    let mut pieces: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for t in seg {
        match t {
            Token::Lit(l) if l.is_empty() => {}
            Token::Lit(l) => {
                pieces.push((offset, l.as_str()));
                offset += l.chars().count();
            }
            _ => offset += 1,
        }
    }
    let width = offset;
    if width > n {
        return None;
    }
    let mut alive = vec![true; n - width + 1];
    let mut hit = vec![false; n + 1];
    for (off, piece) in pieces {
        hit.iter_mut().for_each(|h| *h = false);
        for b in occurrences(window.as_bytes(), piece.as_bytes(), steps) {
            if let Some(&c) = char_at.get(b).filter(|c| **c != u32::MAX) {
                hit[c as usize] = true;
            }
        }
        for (s, a) in alive.iter_mut().enumerate() {
            *a &= hit[s + off];
        }
        *steps += alive.len() as u64;
    }
    let s = alive.iter().position(|a| *a)?;
    let end = starts.get(s + width).copied().unwrap_or(window.len());
    Some(from + end)
}

/// The leftmost match of a segment holding `?` in `text[from..limit]` by shift-and
/// (Baeza-Yates–Gonnet): bit `k` of the state says the segment's first `k + 1`
/// characters end at the current character of the text, and one shift and one mask per
/// 64 characters of the segment move every candidate start at once. The work is the
/// text's characters times ⌈segment characters / 64⌉, and it stops at the first match.
fn find_segment_by_shift_and(
    seg: &[Token],
    text: &str,
    from: usize,
    limit: usize,
    steps: &mut u64,
) -> Option<usize> {
    // Each character position of the segment: a character, or `None` for `?`.
    let positions: Vec<Option<char>> = seg
        .iter()
        .flat_map(|t| match t {
            Token::Lit(l) => l.chars().map(Some).collect::<Vec<_>>(),
            _ => vec![None],
        })
        .collect();
    let width = positions.len();
    if width == 0 {
        return Some(from);
    }
    let words = width.div_ceil(64);
    // The mask of a character: the positions it may stand at (its own and every `?`).
    let mut any = vec![0u64; words];
    for (k, c) in positions.iter().enumerate() {
        if c.is_none() {
            any[k / 64] |= 1 << (k % 64);
        }
    }
    let mut ascii: Vec<u64> = any.repeat(128);
    let mut others: std::collections::HashMap<char, Vec<u64>> = Default::default();
    for (k, c) in positions.iter().enumerate() {
        let Some(c) = *c else { continue };
        let row = if c.is_ascii() {
            &mut ascii[c as usize * words..(c as usize + 1) * words]
        } else {
            others
                .entry(c)
                .or_insert_with(|| any.clone())
                .as_mut_slice()
        };
        row[k / 64] |= 1 << (k % 64);
    }
    *steps += (width + 128 * words) as u64;
    let (last_word, last_bit) = ((width - 1) / 64, 1u64 << ((width - 1) % 64));
    let mut state = vec![0u64; words];
    for (offset, c) in text[from..limit].char_indices() {
        let mask = if c.is_ascii() {
            &ascii[c as usize * words..(c as usize + 1) * words]
        } else {
            others.get(&c).unwrap_or(&any).as_slice()
        };
        // state = ((state << 1) | 1) & mask, across the words.
        let mut carry = 1u64;
        for (word, m) in state.iter_mut().zip(mask) {
            let shifted = (*word << 1) | carry;
            carry = *word >> 63;
            *word = shifted & m;
        }
        *steps += words as u64;
        if state[last_word] & last_bit != 0 {
            return Some(from + offset + c.len_utf8());
        }
    }
    None
}

/// Finds the leftmost match of `seg` in `text[from..limit]`: its end offset.
fn find_segment(
    seg: &[Token],
    text: &str,
    from: usize,
    limit: usize,
    steps: &mut u64,
) -> Option<usize> {
    // Long segments with `?` over long texts: the piece-wise search keeps the work
    // linear in the text for each piece.
    let has_one = seg.iter().any(|t| matches!(t, Token::One));
    let seg_len: usize = seg
        .iter()
        .map(|t| match t {
            Token::Lit(l) => l.len(),
            _ => 1,
        })
        .sum();
    if has_one && seg_len > 16 && limit - from > 256 {
        // Two ways, each linear in the text: shift-and costs a word per 64 characters
        // of the segment for each character of text, the piece-wise search about one
        // pass per literal piece. Take the cheaper.
        let words = seg_len.div_ceil(64);
        let pieces = seg.iter().filter(|t| matches!(t, Token::Lit(_))).count();
        return if words <= pieces {
            find_segment_by_shift_and(seg, text, from, limit, steps)
        } else {
            find_segment_by_pieces(seg, text, from, limit, steps)
        };
    }
    let window = &text[..limit];
    let mut pos = from;
    while pos <= limit {
        if let Some(Token::Lit(first)) = seg.first() {
            // The substring search reads the bytes it skips.
            let skip = window[pos..].find(first.as_str());
            *steps += skip.map_or(limit - pos, |k| k + 1) as u64;
            pos += skip?;
        }
        if let Some(end) = match_at(seg, window, pos, steps) {
            return Some(end);
        }
        if pos >= limit {
            return None;
        }
        pos += char_len(text.as_bytes()[pos]);
    }
    None
}

/// Glob match of variable-free `tokens` against `text`. Each segment between stars is
/// placed at its leftmost possible position, which is optimal, so the work is linear
/// in the text for each segment.
fn glob(tokens: &[Token], text: &str, steps: &mut u64) -> bool {
    let is_star = |t: &Token| matches!(t, Token::Star);
    let Some(first_star) = tokens.iter().position(is_star) else {
        return match_at(tokens, text, 0, steps) == Some(text.len());
    };
    let last_star = tokens.iter().rposition(is_star).unwrap_or(first_star);
    let Some(mut pos) = match_at(&tokens[..first_star], text, 0, steps) else {
        return false;
    };
    let Some(suffix_start) = match_suffix(&tokens[last_star + 1..], text, steps) else {
        return false;
    };
    if suffix_start < pos {
        return false;
    }
    let middle = if last_star > first_star {
        &tokens[first_star + 1..last_star]
    } else {
        &[]
    };
    for seg in middle.split(is_star) {
        if seg.is_empty() {
            continue;
        }
        match find_segment(seg, text, pos, suffix_start, steps) {
            Some(end) => pos = end,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(p: &str) -> Pattern {
        Pattern::compile(
            p,
            PatternOptions {
                wildcards: true,
                variables_from: Some(0),
                lowercase: false,
            },
        )
    }

    #[test]
    fn wildcards() {
        let cases = [
            ("*", "", true),
            ("*", "anything/at:all", true),
            ("", "", true),
            ("", "a", false),
            ("a*", "abc", true),
            ("*c", "abc", true),
            ("a*c", "ac", true),
            ("a*c", "ab", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a?c", "aéc", true),
            ("*a*a*b", "aaaaab", true),
            ("*a*a*b", "aaaaaa", false),
            ("s3:Get*", "s3:GetObject", true),
            ("s3:Get*", "s3:PutObject", false),
            ("arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a/b/x", true),
            ("ab*ba", "aba", false),
            ("a*b?d", "abxbcd", true),
            ("*?", "", false),
            ("*?", "x", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(pat(p).matches_plain(t), want, "{p} ~ {t}");
        }
    }

    /// A variable that resolves to "" next to a long run of `?` (the piece-wise
    /// search) or of literals (shift-and), over a long text: no empty literal reaches
    /// the searches, and the result is the plain matcher's.
    #[test]
    fn empty_variable_values_in_long_segments() {
        let questions = "?".repeat(70);
        let text = "x".repeat(300);
        for written in [
            format!("*${{aws:username}}{questions}*"),
            format!("*${{aws:username}}a?{}*", "b".repeat(20)),
            format!("*{questions}${{aws:username}}*"),
            format!("${{aws:username}}*{questions}${{aws:username}}*"),
            format!("*${{x, ''}}{questions}*"),
        ] {
            let r = pat(&written)
                .resolve(&|k| {
                    if k == "aws:username" {
                        VarLookup::Single("")
                    } else {
                        VarLookup::Missing
                    }
                })
                .unwrap();
            assert!(
                !r.tokens().iter().any(|t| *t == Token::Lit(String::new())),
                "{written}"
            );
            let long = format!("{text}a-{}", "b".repeat(20));
            for t in [text.as_str(), "short", long.as_str()] {
                let (got, _) = r.matches_counting(t);
                let plain = pat(&r.display().replace('$', "")).matches_plain(t);
                assert_eq!(got, plain, "{written} ~ {} chars", t.len());
            }
        }
        // An empty needle occurs everywhere (found by no caller now, kept total).
        assert_eq!(occurrences(b"ab", b"", &mut 0), vec![0, 1, 2]);
    }

    #[test]
    fn variables_and_literals() {
        let p = pat("home/${aws:username}/${*}${?}${$}");
        let r = p
            .resolve(&|k| {
                if k == "aws:username" {
                    VarLookup::Single("bob*")
                } else {
                    VarLookup::Missing
                }
            })
            .unwrap();
        assert_eq!(r.display(), "home/bob*/*?$");
        // Substituted text and ${*} are literal, not wildcards.
        assert!(r.matches_plain("home/bob*/*?$"));
        assert!(!r.matches_plain("home/bobby/x?$"));
        let missing = pat("${aws:PrincipalTag/team}").resolve(&|_| VarLookup::Missing);
        assert_eq!(
            missing,
            Err(Unresolved::Missing {
                key: "aws:PrincipalTag/team".into()
            })
        );
        let defaulted = pat("${aws:PrincipalTag/team, 'none'}")
            .resolve(&|_| VarLookup::Missing)
            .unwrap();
        assert_eq!(defaulted.display(), "none");
        let multi = pat("${aws:CalledVia}").resolve(&|_| VarLookup::Multi);
        assert!(matches!(multi, Err(Unresolved::MultiValued { .. })));
    }

    #[test]
    fn variables_only_where_allowed() {
        let p = Pattern::compile(
            "arn:aws:s3:::${x}/${aws:username}",
            PatternOptions {
                wildcards: true,
                variables_from: Some(14),
                lowercase: false,
            },
        );
        assert!(p.has_variables());
        let lit = Pattern::compile(
            "${aws:username}",
            PatternOptions {
                wildcards: true,
                variables_from: None,
                lowercase: false,
            },
        );
        assert!(!lit.has_variables());
        assert!(lit.matches_plain("${aws:username}"));
    }

    #[test]
    fn narrow_reading_of_star() {
        assert!(pat("arn:aws:s3:::b/*").matches_without_crossing("arn:aws:s3:::b/x/y"));
        assert!(!pat("arn:aws:s3:::b/*/z").matches_without_crossing("arn:aws:s3:::b/x/y/z"));
        assert!(pat("arn:aws:s3:::b/*/z").matches_without_crossing("arn:aws:s3:::b/x/z"));
        assert!(!pat("arn:*:s3:::b").matches_without_crossing("arn:aws:x:s3:::b"));
    }

    #[test]
    fn piecewise_search_agrees_with_the_plain_one() {
        let texts = [
            format!("{}b", "a".repeat(300)),
            format!("x{}éb{}", "a".repeat(40), "a".repeat(300)),
            "zz".repeat(200),
            format!("{}{}", "ab".repeat(200), "a".repeat(20)),
        ];
        let segments = [
            format!("{}?b", "a".repeat(20)),
            format!("?{}b", "a".repeat(20)),
            format!("a?{}?", "a".repeat(18)),
            format!("{}??", "ab".repeat(10)),
            "?a".repeat(40),
            format!("?é{}", "?a".repeat(70)),
        ];
        for t in &texts {
            for seg in &segments {
                let p = pat(&format!("*{seg}*"));
                let tokens: Vec<Token> = p.tokens()[1..p.tokens().len() - 1].to_vec();
                let plain = {
                    // The character-by-character search, for comparison.
                    let mut pos = 0;
                    let mut found = None;
                    while pos <= t.len() {
                        if let Some(end) = match_at(&tokens, t, pos, &mut 0) {
                            found = Some(end);
                            break;
                        }
                        if pos == t.len() {
                            break;
                        }
                        pos += char_len(t.as_bytes()[pos]);
                    }
                    found
                };
                let pieces = find_segment_by_pieces(&tokens, t, 0, t.len(), &mut 0);
                assert_eq!(pieces, plain, "{seg} in {t}");
                let shift_and = find_segment_by_shift_and(&tokens, t, 0, t.len(), &mut 0);
                assert_eq!(shift_and, plain, "shift-and: {seg} in {t}");
                // A window inside the text, as between two stars.
                let (from, limit) = (1, t.len() - 1);
                assert_eq!(
                    find_segment_by_shift_and(&tokens, t, from, limit, &mut 0),
                    find_segment_by_pieces(&tokens, t, from, limit, &mut 0),
                    "window: {seg} in {t}"
                );
            }
        }
    }

    #[test]
    fn long_literal_with_question_mark_stays_linear() {
        let p = pat(&format!("*{}?b*", "a".repeat(1000)));
        let (m1, small) = p.matches_counting(&"a".repeat(10_000));
        let (m2, large) = p.matches_counting(&"a".repeat(100_000));
        assert!(!m1 && !m2);
        assert!(large <= 12 * small, "{small} steps, then {large}");
    }

    #[test]
    fn linear_segments_do_not_blow_up() {
        let p = pat("*a*a*a*a*a*a*a*a*b");
        let (m1, small) = p.matches_counting(&"a".repeat(10_000));
        let (m2, large) = p.matches_counting(&"a".repeat(100_000));
        assert!(!m1 && !m2);
        assert!(
            large <= 12 * small,
            "{small} steps, then {large}: not linear"
        );
    }
}

#[cfg(test)]
mod variable_scan_tests {
    use super::*;

    const OPTS: PatternOptions = PatternOptions {
        wildcards: true,
        variables_from: Some(0),
        lowercase: false,
    };

    /// The reading of one `${…}` before the scanner (a search for `}` per `${`):
    /// quadratic, kept here as the reference the scanner must agree with.
    fn reference_parse(text: &str) -> Option<(usize, ParsedVar)> {
        let close = text.find('}')?;
        let inner = &text[2..close];
        let consumed = close + 1;
        match inner {
            "*" => return Some((consumed, ParsedVar::Literal('*'))),
            "?" => return Some((consumed, ParsedVar::Literal('?'))),
            "$" => return Some((consumed, ParsedVar::Literal('$'))),
            _ => {}
        }
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => {
                let d = d.trim();
                let d = d.strip_prefix('\'')?.strip_suffix('\'')?;
                (k.trim(), Some(d.to_string()))
            }
            None => (inner.trim(), None),
        };
        let valid_key = !key.is_empty()
            && key
                .chars()
                .all(|c| !c.is_whitespace() && !matches!(c, '$' | '{' | '}' | '\'' | '*' | '?'));
        if !valid_key {
            return None;
        }
        Some((
            consumed,
            ParsedVar::Var(Variable {
                key: key.to_string(),
                key_lower: key.to_lowercase(),
                default,
            }),
        ))
    }

    fn reference_compile(text: &str) -> Vec<Token> {
        let mut tokens: Vec<Token> = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, tokens: &mut Vec<Token>| {
            if !lit.is_empty() {
                tokens.push(Token::Lit(std::mem::take(lit)));
            }
        };
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            if rest.starts_with("${") {
                if let Some((consumed, var)) = reference_parse(rest) {
                    match var {
                        ParsedVar::Literal(c) => lit.push(c),
                        ParsedVar::Var(v) => {
                            flush(&mut lit, &mut tokens);
                            tokens.push(Token::Var(v));
                        }
                    }
                    i += consumed;
                    continue;
                }
            }
            let c = rest.chars().next().unwrap_or('\0');
            match c {
                '*' => {
                    flush(&mut lit, &mut tokens);
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                }
                '?' => {
                    flush(&mut lit, &mut tokens);
                    tokens.push(Token::One);
                }
                _ => lit.push(c),
            }
            i += c.len_utf8();
        }
        flush(&mut lit, &mut tokens);
        tokens
    }

    #[test]
    fn scanner_reads_variables_as_the_reference_does() {
        // Every short text over the characters that matter, plus random longer ones.
        let alphabet = [
            '$', '{', '}', ',', '\'', ' ', 'a', '*', '?', 'é', '\u{3000}',
        ];
        let mut texts: Vec<String> = vec![
            "${a}".into(),
            "${ a , 'x' }".into(),
            "${a,'x'y'}".into(),
            "${a,'}".into(),
            "${a, ''}".into(),
            "${a, '${b}'}".into(),
            "${a,'x' ${b}".into(),
            "x${aws:username}/${*}${?}${$}".into(),
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 14) as usize;
            let s: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            texts.push(format!("${{{s}"));
            texts.push(s);
        }
        for t in &texts {
            assert_eq!(
                Pattern::compile(t, OPTS).tokens(),
                reference_compile(t).as_slice(),
                "{t:?}"
            );
        }
    }

    /// Steps to compile texts of 10k and 100k bytes made by `make`: linear (10× the
    /// text, at most 12× the steps) and a few steps per byte.
    fn assert_linear_compile(label: &str, make: impl Fn(usize) -> String) {
        let counts: Vec<(usize, u64)> = [10_000, 100_000]
            .into_iter()
            .map(|n| {
                let t = make(n);
                let (_, steps) = Pattern::compile_counting(&t, OPTS);
                println!("{label}: {} bytes, {steps} steps", t.len());
                (t.len(), steps)
            })
            .collect();
        for (len, steps) in &counts {
            assert!(
                *steps <= 8 * *len as u64,
                "{label}: {steps} steps on {len} bytes"
            );
        }
        assert!(
            counts[1].1 <= 12 * counts[0].1,
            "{label}: {counts:?}: not linear"
        );
    }

    #[test]
    fn many_unclosed_variables_compile_in_linear_steps() {
        assert_linear_compile("${ without }", |n| "${".repeat(n / 2));
        assert_linear_compile("${ then one } at the end", |n| {
            format!("{}}}", "${".repeat(n / 2))
        });
        assert_linear_compile("${a,' then one }", |n| {
            format!("{}x}}", "${a,'".repeat(n / 5))
        });
        assert_linear_compile("${a,' then blanks and }", |n| {
            format!("{}x{}}}", "${a,'".repeat(n / 10), " ".repeat(n / 2))
        });
        assert_linear_compile("${key then blanks", |n| {
            format!("{}}}", "${k ".repeat(n / 4))
        });
    }
}
