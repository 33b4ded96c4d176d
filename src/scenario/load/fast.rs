//! The quick way through a valid scenario file. Requests are read with serde_json
//! straight into their types, without the position-keeping tree the strict reader builds
//! for every value (most of a large file is requests); policies still go through the
//! strict reader, since their positions are shown. Anything this reader does not accept
//! — a syntax error, an unknown or repeated key, a value of the wrong type, any problem
//! the strict reader reports — makes it give up, and the strict reader reads the file
//! again to report every problem with its line and column. So a file is valid or invalid
//! the same way on both paths, and a valid one loads to the same scenario.

use super::{
    super::{RequestSpec, Scenario},
    Assembler, action_ok, principal_ok, resource_ok,
};
use crate::eval::{ContextValue, Request, Scalar, ScalarKind};
use crate::json;
use crate::policy::principal::is_account_id;
use crate::source::LineIndex;
use crate::trace::Decision;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

mod scan;
use std::collections::HashSet;

/// A scenario file's top level, policies left unread.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Top<'a> {
    #[serde(default, deserialize_with = "some")]
    name: Option<String>,
    #[serde(default, deserialize_with = "some")]
    description: Option<String>,
    #[serde(default, rename = "managementAccount", deserialize_with = "some")]
    management_account: Option<String>,
    #[serde(borrow, default, deserialize_with = "some")]
    policies: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "some")]
    requests: Option<Vec<Req>>,
    #[serde(default, deserialize_with = "some")]
    request: Option<Req>,
}

/// One request as written (SPEC §6).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Req {
    #[serde(default, deserialize_with = "some")]
    name: Option<String>,
    #[serde(default, deserialize_with = "some")]
    via: Option<String>,
    principal: String,
    action: String,
    resource: String,
    #[serde(default, rename = "resourceAccount", deserialize_with = "some")]
    resource_account: Option<String>,
    #[serde(default)]
    context: Context,
    #[serde(default, deserialize_with = "some")]
    expect: Option<String>,
    #[serde(default)]
    notes: Vec<String>,
}

/// An optional key whose value, when present, must be a `T`: `null` is refused, as the
/// strict reader refuses it (plain `Option` would read `null` as absent).
pub(super) fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A request's context keys in file order; refuses a key repeated exactly or in
/// another letter case (both errors of the strict reader).
#[derive(Default)]
struct Context(Vec<(String, ContextValue)>);

impl<'de> Deserialize<'de> for Context {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ContextVisitor)
    }
}

struct ContextVisitor;

impl<'de> Visitor<'de> for ContextVisitor {
    type Value = Context;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of context keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Context, A::Error> {
        let mut out: Vec<(String, ContextValue)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let raw: &'de RawValue = map.next_value()?;
            let value =
                context_value(raw.get()).ok_or_else(|| de::Error::custom("not a context value"))?;
            out.push((key, value));
        }
        if repeats(&out) {
            return Err(de::Error::custom("a context key is repeated"));
        }
        Ok(Context(out))
    }
}

/// True when two keys of `entries` may be equal ignoring ASCII case. Keys are compared
/// by a hash of their folded text: equal hashes of different keys count as a repeat
/// here too (the strict reader then decides), so no repeat is ever missed.
fn repeats(entries: &[(String, ContextValue)]) -> bool {
    let mut hashes: Vec<u64> = entries.iter().map(|(k, _)| folded_hash(k)).collect();
    hashes.sort_unstable();
    hashes.windows(2).any(|w| w[0] == w[1])
}

/// A hash of `k` with ASCII letters lower-cased, eight bytes at a time.
fn folded_hash(k: &str) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut h = k.len() as u64;
    for chunk in k.as_bytes().chunks(8) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        let w = u64::from_le_bytes(b);
        // Bytes 'A'..='Z' (high bit clear) get 0x20 added: SWAR lower-casing.
        let low = w & (ONES * 0x7f);
        let above_z = low + ONES * (0x7f - b'Z' as u64);
        let from_a = low + ONES * (0x80 - b'A' as u64);
        let upper = from_a & !above_z & !w & (ONES * 0x80);
        let w = w | (upper >> 2);
        h = (h.rotate_left(26) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    h
}

/// A context value from its JSON text (already checked to be JSON): a string, number
/// or boolean, or an array of them.
fn context_value(raw: &str) -> Option<ContextValue> {
    if raw.starts_with('[') {
        let items: Vec<&RawValue> = serde_json::from_str(raw).ok()?;
        return items
            .iter()
            .map(|i| scalar(i.get()))
            .collect::<Option<Vec<_>>>()
            .map(ContextValue::Many);
    }
    scalar(raw).map(ContextValue::One)
}

/// A scalar from its JSON text; numbers keep their text as written.
fn scalar(raw: &str) -> Option<Scalar> {
    let (text, kind) = match raw.as_bytes().first()? {
        b'"' => {
            let text = match raw.get(1..raw.len() - 1) {
                Some(inner) if !inner.contains('\\') => inner.to_string(),
                _ => serde_json::from_str::<String>(raw).ok()?,
            };
            (text, ScalarKind::String)
        }
        b't' | b'f' => (raw.to_string(), ScalarKind::Bool),
        b'-' | b'0'..=b'9' => (raw.to_string(), ScalarKind::Number),
        _ => return None,
    };
    Some(Scalar { text, kind })
}

/// Where `part` (a slice of `text`) starts in `text`.
fn offset_in(text: &str, part: &str) -> usize {
    part.as_ptr() as usize - text.as_ptr() as usize
}

/// Loads `text` if it is a valid scenario file this reader can take whole; `None`
/// otherwise (then the strict reader must read it).
pub(super) fn load(text: &str) -> Option<Scenario> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let top: Top = serde_json::from_str(body).ok()?;
    if top.request.is_some() && top.requests.is_some() {
        return None;
    }
    if let Some(m) = &top.management_account {
        if !is_account_id(m) {
            return None;
        }
    }
    let index = LineIndex::new(text);
    let mut l = Assembler::new(false);
    l.set.management_account = top.management_account;
    if let Some(raw) = top.policies {
        let start = offset_in(text, raw.get());
        let node = json::parse_part(text, &index, start..start + raw.get().len()).ok()?;
        l.policies(&node, text);
        if !l.errors.is_empty() || !l.decoded_errors.is_empty() {
            return None;
        }
    }
    // Where each request is written: found by a structural scan (the text is valid
    // JSON by now), cheaper than keeping each request's raw text while parsing.
    let (key, reqs) = match (top.request, top.requests) {
        (Some(one), _) => ("request", vec![one]),
        (None, Some(many)) => ("requests", many),
        (None, None) => ("requests", Vec::new()),
    };
    let spans = if reqs.is_empty() {
        Vec::new()
    } else {
        scan::element_ranges(body, key, key == "request")?
    };
    if spans.len() != reqs.len() {
        return None;
    }
    let base = offset_in(text, body);
    let mut requests = Vec::with_capacity(reqs.len());
    for (r, (start, end)) in reqs.into_iter().zip(spans) {
        let mut spec = checked(r)?;
        spec.span = index.span(text, base + start, base + end);
        requests.push(spec);
    }
    if !names_resolve(&requests) {
        return None;
    }
    l.finish(top.name, top.description, requests).ok()
}

/// A request as read, or `None` when the strict reader would report a problem in it.
fn checked(r: Req) -> Option<RequestSpec> {
    let ok = principal_ok(&r.principal)
        && action_ok(&r.action)
        && resource_ok(&r.resource)
        && r.resource_account.as_deref().is_none_or(is_account_id);
    if !ok {
        return None;
    }
    let expect = match &r.expect {
        Some(word) => Some(Decision::from_word(word)?),
        None => None,
    };
    Some(RequestSpec {
        name: r.name,
        via: r.via,
        request: Request {
            principal: r.principal,
            action: r.action,
            resource: r.resource,
            resource_account: r.resource_account,
            context: r.context.0,
        },
        expect,
        span: crate::source::Span::default(),
        notes: r.notes,
    })
}

/// True when no two requests share a name and every `via` names a request.
fn names_resolve(requests: &[RequestSpec]) -> bool {
    let mut names =
        HashSet::with_capacity_and_hasher(requests.len(), foldhash::fast::RandomState::default());
    let unique = requests
        .iter()
        .filter_map(|r| r.name.as_deref())
        .all(|n| names.insert(n));
    unique
        && requests
            .iter()
            .filter_map(|r| r.via.as_deref())
            .all(|v| names.contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_hash_ignores_ascii_case_only() {
        assert_eq!(folded_hash("aws:SourceIp"), folded_hash("AWS:sourceip"));
        assert_eq!(folded_hash("[@`{Zz"), folded_hash("[@`{zz"));
        assert_ne!(folded_hash("[@`{"), folded_hash("{`@["));
        assert_ne!(folded_hash("aws:a"), folded_hash("aws:b"));
        assert_ne!(folded_hash("ab"), folded_hash("ab\0"));
        // Non-ASCII bytes are left alone (AWS folds ASCII only, as the strict reader).
        assert_ne!(folded_hash("É"), folded_hash("é"));
    }
}
