//! A valid scenario file's requests as a stream: each request is read, borrowing its
//! text from the file, prepared and handed over at once, so that a file of 50,000
//! requests never holds 50,000 `Request`s (`iamtrace eval --format summary` needs
//! each request once). The policies are read first by the position-keeping reader, as
//! in [`super::fast`]. Anything this reader does not take — the requests written
//! before the policies or the management account, a single `request`, a string it
//! cannot borrow where it must, any problem at all — makes it give up; since what it
//! handed over is only known to belong to a valid file at the end, the caller keeps
//! its results until then, and otherwise reads the file with [`crate::input::load`].

use super::fast::some;
use super::{Assembler, action_ok, principal_ok, resource_ok};
use crate::eval::{PreparedRequest, RequestParts, ValueRef};
use crate::json;
use crate::policy::PolicySet;
use crate::policy::principal::is_account_id;
use crate::source::LineIndex;
use crate::trace::Decision;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashSet;

/// One request of a file read as a stream.
pub struct StreamedRequest<'a> {
    /// Its place in the file (0-based).
    pub index: usize,
    /// Its `name`, if given.
    pub name: Option<&'a str>,
    /// Its `expect`, if given.
    pub expect: Option<Decision>,
    /// The request, prepared.
    pub request: PreparedRequest,
}

/// Reads `text` as a scenario file, calling `each` with the policies and each request
/// in file order. True when `text` is a valid scenario file that this reader took
/// whole: `each` then saw every request, exactly as a full load reads them. False
/// otherwise (an invalid file, or one only a full load reads): whatever `each` made of
/// the requests it saw must be dropped.
pub fn stream_requests(text: &str, mut each: impl FnMut(&PolicySet, StreamedRequest<'_>)) -> bool {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut top = TopVisitor {
        text,
        l: Assembler::new(false),
        each: &mut each,
        seen: [false; 6],
        names: HashSet::default(),
        vias: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_str(body);
    if de.deserialize_map(&mut top).is_err() || de.end().is_err() {
        return false;
    }
    top.vias.iter().all(|v| top.names.contains(v))
}

type Names<'t> = HashSet<Cow<'t, str>, foldhash::fast::RandomState>;

/// The top-level object; requests are handed over as they are read.
struct TopVisitor<'t, 'f, F> {
    text: &'t str,
    l: Assembler,
    each: &'f mut F,
    /// Which of the keys of [`KEYS`] were read.
    seen: [bool; 6],
    names: Names<'t>,
    vias: Vec<Cow<'t, str>>,
}

/// The scenario keys: the whole-file reader's.
const KEYS: [&str; 6] = super::TOP_KEYS;

impl<'de, F: FnMut(&PolicySet, StreamedRequest<'_>)> Visitor<'de> for &mut TopVisitor<'de, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a scenario object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Text<'de>>()? {
            let Some(k) = KEYS.iter().position(|k| *k == key.0) else {
                return Err(de::Error::custom("unknown key"));
            };
            if std::mem::replace(&mut self.seen[k], true) {
                return Err(de::Error::custom("repeated key"));
            }
            let requests_read = self.seen[4];
            match KEYS[k] {
                "name" | "description" => {
                    map.next_value::<String>()?;
                }
                // What the requests are evaluated against must be known before them.
                "managementAccount" if !requests_read => {
                    let m = map.next_value::<String>()?;
                    if !is_account_id(&m) {
                        return Err(de::Error::custom("not an account id"));
                    }
                    self.l.set.management_account = Some(m);
                }
                "policies" if !requests_read => {
                    let raw: &'de RawValue = map.next_value()?;
                    let index = LineIndex::new(self.text);
                    let start = raw.get().as_ptr() as usize - self.text.as_ptr() as usize;
                    let node = json::parse_part(self.text, &index, start..start + raw.get().len())
                        .map_err(|_| de::Error::custom("policies"))?;
                    self.l.policies(&node, self.text);
                    if !self.l.errors.is_empty() || !self.l.decoded_errors.is_empty() {
                        return Err(de::Error::custom("a policy has errors"));
                    }
                }
                "requests" if self.seen[3] => map.next_value_seed(RequestsSeed(self))?,
                _ => return Err(de::Error::custom("left to the full reader")),
            }
        }
        Ok(())
    }
}

/// The `requests` array.
struct RequestsSeed<'v, 't, 'f, F>(&'v mut TopVisitor<'t, 'f, F>);

impl<'de, F: FnMut(&PolicySet, StreamedRequest<'_>)> DeserializeSeed<'de>
    for RequestsSeed<'_, 'de, '_, F>
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(&PolicySet, StreamedRequest<'_>)> Visitor<'de> for RequestsSeed<'_, 'de, '_, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of requests")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let top = self.0;
        let mut index = 0;
        // The previous request's principal, found valid: runs of requests share one.
        let mut last_principal: Option<Cow<'de, str>> = None;
        while let Some(r) = seq.next_element::<Req<'de>>()? {
            let same_principal = last_principal.as_ref() == Some(&r.principal.0);
            let ok = (same_principal || principal_ok(&r.principal.0))
                && action_ok(&r.action.0)
                && resource_ok(&r.resource.0)
                && r.resource_account
                    .as_ref()
                    .is_none_or(|a| is_account_id(&a.0));
            // Some(None): an expect word that is not a decision.
            let expect = r.expect.as_ref().map(|word| Decision::from_word(&word.0));
            if !ok || expect == Some(None) {
                return Err(de::Error::custom("an invalid request"));
            }
            if !same_principal {
                last_principal = Some(r.principal.0.clone());
            }
            let request = PreparedRequest::from_parts(&r);
            // Keys equal but for letter case (or repeated) leave fewer entries than
            // keys: the full reader reports them.
            if request.context.len() != r.context.0.len() {
                return Err(de::Error::custom("a context key is repeated"));
            }
            if let Some(name) = &r.name {
                if !top.names.insert(name.0.clone()) {
                    return Err(de::Error::custom("a repeated name"));
                }
            }
            if let Some(via) = r.via {
                top.vias.push(via.0);
            }
            (top.each)(
                &top.l.set,
                StreamedRequest {
                    index,
                    name: r.name.as_ref().map(|n| n.0.as_ref()),
                    expect: expect.flatten(),
                    request,
                },
            );
            index += 1;
        }
        Ok(())
    }
}

/// A JSON string, borrowed from the file unless it holds escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor(std::marker::PhantomData))
    }
}

struct TextVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'a>, E> {
        Ok(Text(Cow::Owned(v.to_string())))
    }
}

/// One request as written (SPEC §6), borrowing from the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Req<'a> {
    #[serde(borrow, default, deserialize_with = "some")]
    name: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    via: Option<Text<'a>>,
    #[serde(borrow)]
    principal: Text<'a>,
    #[serde(borrow)]
    action: Text<'a>,
    #[serde(borrow)]
    resource: Text<'a>,
    #[serde(borrow, default, rename = "resourceAccount", deserialize_with = "some")]
    resource_account: Option<Text<'a>>,
    #[serde(borrow, default)]
    context: Context<'a>,
    #[serde(borrow, default, deserialize_with = "some")]
    expect: Option<Text<'a>>,
    /// Read to check that each note is a string; not shown in a summary.
    #[allow(dead_code)]
    #[serde(borrow, default)]
    notes: Vec<Text<'a>>,
}

/// A context value: one scalar's text, or an array's.
enum Value<'a> {
    One(Cow<'a, str>),
    Many(Vec<Cow<'a, str>>),
}

/// A request's context keys in file order (repeats are found once it is prepared).
#[derive(Default)]
struct Context<'a>(Vec<(Cow<'a, str>, Value<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Context<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // serde_json checks that it is JSON (strings, escapes, numbers) and finds its
        // end; the object is then read by a plain scan, values kept as written.
        let raw: &'de RawValue = Deserialize::deserialize(d)?;
        context(raw.get())
            .map(Context)
            .ok_or_else(|| de::Error::custom("not an object of context values"))
    }
}

/// The first byte at or after `p` that is not JSON whitespace.
fn ws(b: &[u8], mut p: usize) -> usize {
    while matches!(b.get(p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        p += 1;
    }
    p
}

/// The context object `raw` (valid JSON): its keys and values in file order, or
/// `None` when it is not an object of strings, numbers, booleans and arrays of them.
fn context(raw: &str) -> Option<Vec<(Cow<'_, str>, Value<'_>)>> {
    let b = raw.as_bytes();
    let mut p = ws(b, 0);
    if b.get(p) != Some(&b'{') {
        return None;
    }
    // Most requests carry a dozen or more keys: no growing from one.
    let mut out = Vec::with_capacity(16);
    p = ws(b, p + 1);
    if b.get(p) == Some(&b'}') {
        return Some(out);
    }
    loop {
        let (key, end) = string(raw, p)?;
        p = ws(b, end);
        if b.get(p) != Some(&b':') {
            return None;
        }
        p = ws(b, p + 1);
        let (value, end) = if b.get(p) == Some(&b'[') {
            let mut items = Vec::new();
            p = ws(b, p + 1);
            if b.get(p) == Some(&b']') {
                (Value::Many(items), p + 1)
            } else {
                loop {
                    let (item, end) = scalar(raw, p)?;
                    items.push(item);
                    p = ws(b, end);
                    match b.get(p)? {
                        b',' => p = ws(b, p + 1),
                        b']' => break (Value::Many(items), p + 1),
                        _ => return None,
                    }
                }
            }
        } else {
            let (one, end) = scalar(raw, p)?;
            (Value::One(one), end)
        };
        out.push((key, value));
        p = ws(b, end);
        match b.get(p)? {
            b',' => p = ws(b, p + 1),
            b'}' => return Some(out),
            _ => return None,
        }
    }
}

/// The scalar at `p` of valid JSON `raw` as text (a number as written, a boolean's
/// word) and where it ends; `None` for anything else (null, an object, an array).
fn scalar(raw: &str, p: usize) -> Option<(Cow<'_, str>, usize)> {
    let b = raw.as_bytes();
    match b.get(p)? {
        b'"' => string(raw, p),
        b't' if raw[p..].starts_with("true") => Some((Cow::Borrowed("true"), p + 4)),
        b'f' if raw[p..].starts_with("false") => Some((Cow::Borrowed("false"), p + 5)),
        b'-' | b'0'..=b'9' => {
            let len = b[p..]
                .iter()
                .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                .unwrap_or(b.len() - p);
            Some((Cow::Borrowed(&raw[p..p + len]), p + len))
        }
        _ => None,
    }
}

/// The string at `p` of valid JSON `raw`, decoded (borrowed when it has no escapes),
/// and where it ends.
fn string(raw: &str, p: usize) -> Option<(Cow<'_, str>, usize)> {
    let b = raw.as_bytes();
    if b.get(p) != Some(&b'"') {
        return None;
    }
    let first = p + 1 + memchr::memchr2(b'"', b'\\', b.get(p + 1..)?)?;
    if b[first] == b'"' {
        return Some((Cow::Borrowed(&raw[p + 1..first]), first + 1));
    }
    // Escapes: find the closing quote, and let serde_json decode the string.
    let mut i = first;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'\\' {
            i += 2;
        } else {
            break;
        }
    }
    let decoded: String = serde_json::from_str(raw.get(p..=i)?).ok()?;
    Some((Cow::Owned(decoded), i + 1))
}

impl<'a> RequestParts for Req<'a> {
    type Item = Cow<'a, str>;
    fn principal(&self) -> &str {
        &self.principal.0
    }
    fn action(&self) -> &str {
        &self.action.0
    }
    fn resource(&self) -> &str {
        &self.resource.0
    }
    fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_ref().map(|a| a.0.as_ref())
    }
    fn context_len(&self) -> usize {
        self.context.0.len()
    }
    fn entry(&self, i: usize) -> (&str, ValueRef<'_, Cow<'a, str>>) {
        let (k, v) = &self.context.0[i];
        let v = match v {
            Value::One(s) => ValueRef::One(s),
            Value::Many(items) => ValueRef::Many(items),
        };
        (k, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(raw: &str) -> Option<Vec<(String, Vec<String>, bool)>> {
        let entries = context(raw)?;
        Some(
            entries
                .into_iter()
                .map(|(k, v)| match v {
                    Value::One(s) => (k.into_owned(), vec![s.into_owned()], false),
                    Value::Many(items) => (
                        k.into_owned(),
                        items.into_iter().map(Cow::into_owned).collect(),
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
            r#" { "n" : -1.50e+2 , "b":true,"f" :false, "e":"a\"b\u00e9", "k\n": "x",
                "m": [ "x" , 2 ,false ], "z": [ ] } "#,
        )
        .unwrap();
        let want = [
            ("n", vec!["-1.50e+2"], false),
            ("b", vec!["true"], false),
            ("f", vec!["false"], false),
            ("e", vec!["a\"bé"], false),
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
        ] {
            assert!(texts(refused).is_none(), "{refused}");
        }
    }
}
