//! One request object (SPEC §6) read by hand from its bytes: strings borrowed from the
//! text unless they hold escapes, no intermediate tree or `serde_json::Value`, no
//! position kept. It takes exactly the JSON the strict reader ([`crate::json`], over
//! jsonc-parser with every extension off) takes — its whitespace (vertical tab, form
//! feed and Unicode spaces too), raw control characters in strings, its escapes and
//! surrogate rules, its number grammar — and a request object only in the shape the
//! strict reader accepts: known keys, each once, of the right types. What it refuses,
//! the strict reader reports with its position; what it takes, the strict reader
//! reads to the same request (tests/request_reader.rs checks both on generated and
//! mutated objects). The checks on the values themselves (principal, action, …) are
//! the caller's, shared with the strict reader.

use crate::eval::{RequestParts, ScalarKind, ValueRef};
use std::borrow::Cow;

/// A request object as written, borrowing from its text.
#[derive(Debug, Default)]
pub(super) struct RawRequest<'a> {
    pub name: Option<Cow<'a, str>>,
    pub via: Option<Cow<'a, str>>,
    pub principal: Cow<'a, str>,
    pub action: Cow<'a, str>,
    pub resource: Cow<'a, str>,
    pub resource_account: Option<Cow<'a, str>>,
    /// Context keys in file order, repeats included (the caller checks them).
    pub context: Vec<(Cow<'a, str>, RawValue<'a>)>,
    pub expect: Option<Cow<'a, str>>,
    pub notes: Vec<Cow<'a, str>>,
}

/// A context value as written.
#[derive(Debug)]
pub(super) enum RawValue<'a> {
    One(RawScalar<'a>),
    Many(Vec<RawScalar<'a>>),
}

/// A string, number (its text as written) or boolean (`true` or `false`).
#[derive(Debug)]
pub(super) struct RawScalar<'a> {
    pub text: Cow<'a, str>,
    pub kind: ScalarKind,
}

impl AsRef<str> for RawScalar<'_> {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// Reads `text` as one request object (a byte-order mark and whitespace around it
/// allowed, as the strict reader allows them), or `None` when it is not JSON, not an
/// object, or has a key that is unknown, repeated, missing (principal, action,
/// resource) or of the wrong type.
pub(super) fn request(text: &str) -> Option<RawRequest<'_>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut r = Reader {
        text: body,
        b: body.as_bytes(),
        p: 0,
    };
    r.ws();
    let request = r.request()?;
    r.ws();
    (r.p == r.b.len()).then_some(request)
}

/// A position in the text being read.
struct Reader<'a> {
    text: &'a str,
    b: &'a [u8],
    p: usize,
}

impl<'a> Reader<'a> {
    /// Skips whitespace as jsonc-parser does: the four JSON ones, vertical tab, form
    /// feed, and any other Unicode whitespace.
    #[inline(always)]
    fn ws(&mut self) {
        // Compact JSON has none: one comparison for the common case.
        if self.b.get(self.p).is_some_and(|&c| c > b' ' && c < 0x80) {
            return;
        }
        self.more_ws();
    }

    fn more_ws(&mut self) {
        while let Some(&c) = self.b.get(self.p) {
            match c {
                b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c => self.p += 1,
                0x80.. => match self.text[self.p..].chars().next() {
                    Some(ch) if ch.is_whitespace() => self.p += ch.len_utf8(),
                    _ => return,
                },
                _ => return,
            }
        }
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.p).copied()
    }

    /// Consumes `c` (after whitespace) or fails.
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.p += 1)
    }

    /// After an object member or array item: true at `,` (consumed), false at
    /// `close` (consumed), `None` otherwise.
    fn more(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.p += 1;
                Some(true)
            }
            c if c == close => {
                self.p += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// Calls `member` for each key of the object at the cursor (whitespace skipped);
    /// `member` reads the value.
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, Cow<'a, str>) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.p += 1;
            return Some(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.eat(b':')?;
            self.ws();
            member(self, key)?;
            if !self.more(b'}')? {
                return Some(());
            }
        }
    }

    /// Calls `item` for each item of the array at the cursor (whitespace skipped).
    fn array(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.p += 1;
            return Some(());
        }
        loop {
            self.ws();
            item(self)?;
            if !self.more(b']')? {
                return Some(());
            }
        }
    }

    fn request(&mut self) -> Option<RawRequest<'a>> {
        let mut out = RawRequest::default();
        let mut seen = 0u16;
        self.object(|r, key| {
            let k = match key.as_ref() {
                "name" => 0,
                "via" => 1,
                "principal" => 2,
                "action" => 3,
                "resource" => 4,
                "resourceAccount" => 5,
                "context" => 6,
                "expect" => 7,
                "notes" => 8,
                _ => return None,
            };
            if seen & (1 << k) != 0 {
                return None;
            }
            seen |= 1 << k;
            match k {
                0 => out.name = Some(r.string()?),
                1 => out.via = Some(r.string()?),
                2 => out.principal = r.string()?,
                3 => out.action = r.string()?,
                4 => out.resource = r.string()?,
                5 => out.resource_account = Some(r.string()?),
                6 => {
                    // Most requests carry a dozen or more keys: no growing from one.
                    out.context.reserve(16);
                    let context = &mut out.context;
                    r.object(|r, key| {
                        let value = if r.b.get(r.p) == Some(&b'[') {
                            let mut items = Vec::new();
                            r.array(|r| {
                                items.push(r.scalar()?);
                                Some(())
                            })?;
                            RawValue::Many(items)
                        } else {
                            RawValue::One(r.scalar()?)
                        };
                        context.push((key, value));
                        Some(())
                    })?;
                }
                7 => out.expect = Some(r.string()?),
                _ => {
                    let notes = &mut out.notes;
                    r.array(|r| {
                        notes.push(r.string()?);
                        Some(())
                    })?;
                }
            }
            Some(())
        })?;
        // principal, action and resource are required.
        (seen & 0b11100 == 0b11100).then_some(out)
    }

    /// The string, number or boolean at the cursor.
    fn scalar(&mut self) -> Option<RawScalar<'a>> {
        let start = self.p;
        let (text, kind) = match *self.b.get(start)? {
            b'"' => (self.string()?, ScalarKind::String),
            b't' => (self.word("true")?, ScalarKind::Bool),
            b'f' => (self.word("false")?, ScalarKind::Bool),
            b'-' | b'0'..=b'9' => (self.number()?, ScalarKind::Number),
            _ => return None,
        };
        Some(RawScalar { text, kind })
    }

    /// `word` at the cursor.
    fn word(&mut self, word: &'static str) -> Option<Cow<'a, str>> {
        self.b[self.p..].starts_with(word.as_bytes()).then(|| {
            self.p += word.len();
            Cow::Borrowed(word)
        })
    }

    /// The number at the cursor, as written: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)?
    /// ([eE] [+-]? [0-9]+)?.
    fn number(&mut self) -> Option<Cow<'a, str>> {
        let start = self.p;
        let b = self.b;
        let digits = |p: &mut usize| {
            let from = *p;
            while b.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p > from
        };
        let mut p = start + usize::from(b.get(start) == Some(&b'-'));
        match b.get(p)? {
            b'0' => p += 1,
            b'1'..=b'9' => {
                digits(&mut p);
            }
            _ => return None,
        }
        if b.get(p) == Some(&b'.') {
            p += 1;
            if !digits(&mut p) {
                return None;
            }
        }
        if matches!(b.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if !digits(&mut p) {
                return None;
            }
        }
        self.p = p;
        Some(Cow::Borrowed(&self.text[start..p]))
    }

    /// The string at the cursor, decoded: borrowed when it holds no escape. Raw
    /// control characters are taken, as jsonc-parser takes them.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let b = self.b;
        if b.get(self.p) != Some(&b'"') {
            return None;
        }
        let start = self.p + 1;
        let stop = quote_or_backslash(b, start)?;
        if b[stop] == b'"' {
            self.p = stop + 1;
            return Some(Cow::Borrowed(&self.text[start..stop]));
        }
        let mut out = String::with_capacity(stop - start + 8);
        out.push_str(&self.text[start..stop]);
        let mut p = stop;
        loop {
            // At a backslash.
            let c = *b.get(p + 1)?;
            p += 2;
            match c {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let first = hex4(b, p)?;
                    p += 4;
                    let code = match first {
                        0xd800..=0xdbff => {
                            if b.get(p..p + 2) != Some(b"\\u") {
                                return None;
                            }
                            let second = hex4(b, p + 2)?;
                            if !(0xdc00..=0xdfff).contains(&second) {
                                return None;
                            }
                            p += 6;
                            ((first - 0xd800) << 10) + (second - 0xdc00) + 0x10000
                        }
                        0xdc00..=0xdfff => return None,
                        _ => first,
                    };
                    out.push(char::from_u32(code)?);
                }
                _ => return None,
            }
            let next = quote_or_backslash(b, p)?;
            out.push_str(&self.text[p..next]);
            p = next;
            if b[p] == b'"' {
                self.p = p + 1;
                return Some(Cow::Owned(out));
            }
        }
    }
}

/// The first `"` or `\\` at or after `p`. Eight bytes at a time: most strings of a
/// request are shorter than a vector search's set-up.
#[inline]
fn quote_or_backslash(b: &[u8], mut p: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    while let Some(chunk) = b.get(p..p + 8) {
        let w = u64::from_le_bytes(chunk.try_into().ok()?);
        let q = w ^ (ONES * u64::from(b'"'));
        let s = w ^ (ONES * u64::from(b'\\'));
        // A zero byte of q or s: the classic "has a zero byte" test, exact for the
        // lowest one, which is the one wanted.
        let found = (q.wrapping_sub(ONES) & !q | s.wrapping_sub(ONES) & !s) & HIGH;
        if found != 0 {
            return Some(p + (found.trailing_zeros() / 8) as usize);
        }
        p += 8;
    }
    b.get(p..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|i| p + i)
}

/// The four hex digits at `p`.
fn hex4(b: &[u8], p: usize) -> Option<u32> {
    let digits = b.get(p..p + 4)?;
    digits
        .iter()
        .try_fold(0u32, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
}

impl<'a> RequestParts for RawRequest<'a> {
    type Item = RawScalar<'a>;
    fn principal(&self) -> &str {
        &self.principal
    }
    fn action(&self) -> &str {
        &self.action
    }
    fn resource(&self) -> &str {
        &self.resource
    }
    fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }
    fn context_len(&self) -> usize {
        self.context.len()
    }
    fn entry(&self, i: usize) -> (&str, ValueRef<'_, RawScalar<'a>>) {
        let (k, v) = &self.context[i];
        let v = match v {
            RawValue::One(s) => ValueRef::One(&s.text),
            RawValue::Many(items) => ValueRef::Many(items),
        };
        (k, v)
    }
}

/// True when two of `keys` are equal ignoring ASCII letter case (the strict reader's
/// repeated and case-repeated context keys; other letters are compared as written,
/// as AWS and the strict reader compare them).
pub(super) fn case_repeats<'k>(keys: impl ExactSizeIterator<Item = &'k str> + Clone) -> bool {
    if keys.len() <= 24 {
        let mut rest = keys.clone();
        while let Some(k) = rest.next() {
            if rest.clone().any(|o| o.eq_ignore_ascii_case(k)) {
                return true;
            }
        }
        return false;
    }
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.into_iter()
        .any(|k| !seen.insert(k.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(raw: &str) -> Option<Vec<(String, Vec<String>, bool)>> {
        let text =
            format!(r#"{{"principal": "p", "action": "a", "resource": "r", "context": {raw}}}"#);
        let r = request(&text)?;
        Some(
            r.context
                .into_iter()
                .map(|(k, v)| match v {
                    RawValue::One(s) => (k.into_owned(), vec![s.text.into_owned()], false),
                    RawValue::Many(items) => (
                        k.into_owned(),
                        items.into_iter().map(|s| s.text.into_owned()).collect(),
                        true,
                    ),
                })
                .collect(),
        )
    }

    /// Values keep their text as written (numbers too), escapes are decoded, and
    /// anything but scalars and arrays of scalars is refused.
    #[test]
    fn context_values_as_written() {
        let got = texts(
            r#" { "n" : -1.50e+2 , "b":true,"f" :false, "e":"a\"b\u00e9\ud83d\ude00", "k\n": "x",
                "m": [ "x" , 2 ,false ], "z": [ ] } "#,
        )
        .unwrap();
        let want = [
            ("n", vec!["-1.50e+2"], false),
            ("b", vec!["true"], false),
            ("f", vec!["false"], false),
            ("e", vec!["a\"bé😀"], false),
            ("k\n", vec!["x"], false),
            ("m", vec!["x", "2", "false"], true),
            ("z", vec![], true),
        ];
        assert_eq!(got.len(), want.len());
        for ((k, v, multi), (wk, wv, wmulti)) in got.iter().zip(want) {
            assert_eq!((k.as_str(), multi), (wk, &wmulti));
            assert_eq!(v, &wv);
        }
        assert_eq!(texts("{}").unwrap().len(), 0);
        for refused in [
            "null",
            "[]",
            r#"{"a": null}"#,
            r#"{"a": {}}"#,
            r#"{"a": [["x"]]}"#,
            r#"{"a": [null]}"#,
            r#"{"a": "\ud800"}"#,
            r#"{"a": "\udc00"}"#,
            r#"{"a": "\ud800\u0041"}"#,
            r#"{"a": "\'"}"#,
            r#"{"a": "\x41"}"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": .5}"#,
            r#"{"a": +1}"#,
            r#"{"a": 1e}"#,
            r#"{"a": truex}"#,
            r#"{"a": 1,}"#,
            r#"{"a": [1,]}"#,
        ] {
            assert!(texts(refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn whitespace_as_the_strict_reader_reads_it() {
        let text = "\u{feff}\u{a0}{\u{b}\"principal\"\u{c}:\u{2028}\"p\", \"action\": \"a\", \"resource\": \"r\"}\u{3000}";
        assert!(request(text).is_some());
        assert!(
            request("{\"principal\": \"p\", \"action\": \"a\", \"resource\": \"r\"} x").is_none()
        );
        // A raw control character in a string is taken.
        assert!(
            request("{\"principal\": \"p\u{1}\", \"action\": \"a\", \"resource\": \"r\"}")
                .is_some()
        );
    }

    /// The eight-at-a-time search finds what a plain search finds, wherever it is.
    #[test]
    fn quote_or_backslash_as_a_plain_search() {
        let alphabet = [
            b'a',
            b'"',
            b'\\',
            0x22 ^ 0x80,
            b'\\' | 0x80,
            0,
            0xff,
            b'!',
            b']',
        ];
        let mut seed = 7u64;
        for len in 0..40 {
            for _ in 0..200 {
                let text: Vec<u8> = (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        alphabet[(seed >> 33) as usize % alphabet.len()]
                    })
                    .collect();
                for from in 0..=len {
                    let want = text[from..]
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\')
                        .map(|i| from + i);
                    assert_eq!(
                        quote_or_backslash(&text, from),
                        want,
                        "{text:?} from {from}"
                    );
                }
            }
        }
    }

    #[test]
    fn case_repeats_ascii_only() {
        let few = ["aws:SourceIp", "AWS:sourceip"];
        assert!(case_repeats(few.iter().copied()));
        assert!(!case_repeats(["É", "é"].iter().copied()));
        let many: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        assert!(!case_repeats(many.iter().map(String::as_str)));
        let mut repeat = many.clone();
        repeat.push("K7".into());
        assert!(case_repeats(repeat.iter().map(String::as_str)));
    }
}
