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

const KEYS: [&str; 6] = [
    "name",
    "description",
    "managementAccount",
    "policies",
    "requests",
    "request",
];

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
        while let Some(r) = seq.next_element::<Req<'de>>()? {
            let ok = principal_ok(&r.principal.0)
                && action_ok(&r.action.0)
                && resource_ok(&r.resource.0)
                && r.resource_account
                    .as_ref()
                    .is_none_or(|a| is_account_id(&a.0));
            let expect = match &r.expect {
                Some(word) => Some(Decision::from_word(&word.0)),
                None => None,
            };
            if !ok || expect == Some(None) {
                return Err(de::Error::custom("an invalid request"));
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
        d.deserialize_map(ContextVisitor(std::marker::PhantomData))
    }
}

struct ContextVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ContextVisitor<'a> {
    type Value = Context<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of context keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Context<'a>, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Text<'a>>()? {
            let raw: &'de RawValue = map.next_value()?;
            let value = value(raw.get()).ok_or_else(|| de::Error::custom("not a context value"))?;
            out.push((key.0, value));
        }
        Ok(Context(out))
    }
}

/// A context value from its JSON text (already checked to be JSON).
fn value(raw: &str) -> Option<Value<'_>> {
    if raw.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
        return items
            .iter()
            .map(|i| scalar(i.get()))
            .collect::<Option<Vec<_>>>()
            .map(Value::Many);
    }
    scalar(raw).map(Value::One)
}

/// A scalar's text (a number's as written, a boolean's word), borrowed unless it is a
/// string with escapes.
fn scalar(raw: &str) -> Option<Cow<'_, str>> {
    match raw.as_bytes().first()? {
        b'"' => match raw.get(1..raw.len() - 1) {
            Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
            _ => serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
        },
        b't' | b'f' | b'-' | b'0'..=b'9' => Some(Cow::Borrowed(raw)),
        _ => None,
    }
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
