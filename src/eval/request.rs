//! Requests: what is asked (principal, action, resource, context keys), and the same
//! prepared once for fast evaluation (keys lower-cased and sorted, values pre-parsed
//! for every operator family).

use crate::policy::pattern::VarLookup;
use crate::policy::principal::{PrincipalRef, split_arn};
use crate::value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// A context value's JSON type, kept so a saved scenario reads as it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    /// A JSON string.
    String,
    /// A JSON number.
    Number,
    /// A JSON boolean.
    Bool,
}

/// One context value (AWS delivers all values as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value as text.
    pub text: String,
    /// How it was written.
    pub kind: ScalarKind,
}

impl Scalar {
    /// A string value.
    pub fn string(text: impl Into<String>) -> Self {
        Scalar {
            text: text.into(),
            kind: ScalarKind::String,
        }
    }
}

/// A context key's value: one value, or a JSON array (multi-valued, whatever its
/// length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContextValue {
    /// Single-valued.
    One(Scalar),
    /// Multi-valued.
    Many(Vec<Scalar>),
}

/// An authorization request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    /// An ARN, a service principal name, or `anonymous`.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// A resource ARN or `*`.
    pub resource: String,
    /// The resource's account, when given.
    pub resource_account: Option<String>,
    /// Context keys as given (names as written) with their values.
    pub context: Vec<(String, ContextValue)>,
}

/// A request's parts as [`PreparedRequest::from_parts`] reads them: an owned
/// [`Request`], or one borrowed from the text it was read from (a scenario file read as
/// a stream, which never builds the `Request`).
pub trait RequestParts {
    /// A value of a multi-valued key.
    type Item: AsRef<str>;
    /// The principal as given.
    fn principal(&self) -> &str;
    /// The action as given.
    fn action(&self) -> &str;
    /// The resource as given.
    fn resource(&self) -> &str;
    /// The resource's account, when given.
    fn resource_account(&self) -> Option<&str>;
    /// How many context keys, as written (repeats included).
    fn context_len(&self) -> usize;
    /// Context entry `i`: its key as written and its value.
    fn entry(&self, i: usize) -> (&str, ValueRef<'_, Self::Item>);
}

/// A context value as [`RequestParts`] gives it.
pub enum ValueRef<'a, T> {
    /// Single-valued.
    One(&'a str),
    /// Multi-valued (a JSON array).
    Many(&'a [T]),
}

impl AsRef<str> for Scalar {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl RequestParts for Request {
    type Item = Scalar;
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
    fn entry(&self, i: usize) -> (&str, ValueRef<'_, Scalar>) {
        let (k, v) = &self.context[i];
        let v = match v {
            ContextValue::One(s) => ValueRef::One(&s.text),
            ContextValue::Many(items) => ValueRef::Many(items),
        };
        (k, v)
    }
}

/// A context value pre-parsed for every operator family. Shared: a value that many
/// requests carry (an account id, a region, `true`) is parsed once (see [`intern`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedValue(Arc<ParsedValue>);

/// What [`PreparedValue`] holds.
#[derive(Debug, PartialEq)]
pub struct ParsedValue {
    /// As given.
    pub text: String,
    /// Lower-cased, for IgnoreCase operators, when that differs from `text` (most
    /// values are lower case already: no second copy for them).
    lower: Option<String>,
    /// As a number, if it is one.
    pub number: Option<value::Decimal>,
    /// As a date (ns since the epoch), if it is one.
    pub date: Option<i128>,
    /// As a boolean, if it is one.
    pub boolean: Option<bool>,
    /// As an IP address, if it is one.
    pub ip: Option<IpAddr>,
    /// Holds a placeholder (an unresolved template value, `⟦…⟧`).
    pub placeholder: bool,
}

impl std::ops::Deref for PreparedValue {
    type Target = ParsedValue;

    fn deref(&self) -> &ParsedValue {
        &self.0
    }
}

impl ParsedValue {
    /// Lower-cased, for IgnoreCase operators.
    pub fn lower(&self) -> &str {
        self.lower.as_deref().unwrap_or(&self.text)
    }
}

impl PreparedValue {
    /// `text` parsed for every operator family.
    pub fn new(text: &str) -> Self {
        let starts_digit = text
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || c == '-');
        let could_be_ip = text
            .trim_start()
            .starts_with(|c: char| c.is_ascii_hexdigit() || c == ':');
        let number = if starts_digit {
            value::parse_number(text)
        } else {
            None
        };
        PreparedValue(Arc::new(ParsedValue {
            placeholder: crate::iac::placeholder::contains(text),
            text: text.to_string(),
            lower: text
                .bytes()
                .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
                .then(|| text.to_lowercase())
                .filter(|l| l != text),
            date: if starts_digit {
                value::parse_date_given(text, number.as_ref())
            } else {
                None
            },
            number,
            boolean: value::parse_bool(text),
            // An address has a '.' (IPv4) or a ':' (IPv6): no parse for the many
            // words that merely start with a hex letter.
            ip: if could_be_ip && text.bytes().any(|b| b == b'.' || b == b':') {
                value::parse_ip_addr(text)
            } else {
                None
            },
        }))
    }
}

/// A context key's values: one without a heap allocation of its own, or a list.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// A single value.
    One(PreparedValue),
    /// A JSON array's values (possibly none).
    Many(Vec<PreparedValue>),
}

impl std::ops::Deref for Values {
    type Target = [PreparedValue];

    fn deref(&self) -> &[PreparedValue] {
        match self {
            Values::One(v) => std::slice::from_ref(v),
            Values::Many(v) => v,
        }
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = &'a PreparedValue;
    type IntoIter = std::slice::Iter<'a, PreparedValue>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One context key, prepared.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextEntry {
    /// As written in the request.
    pub key: Arc<str>,
    /// Lower-cased (key names are case-insensitive).
    pub lower: Arc<str>,
    /// Given as an array.
    pub multi: bool,
    /// The values (empty for `[]`, which counts as absent).
    pub values: Values,
}

/// Prepared keys and values seen before on this thread, so that what many requests
/// share is lower-cased and parsed once, and the order of a request's keys is worked
/// out once for a run of requests with the same keys. Bounded: emptied, between two
/// requests, when it would grow past [`INTERN_LIMIT`] entries or [`INTERN_BYTES`]
/// bytes.
#[derive(Default)]
struct Interned {
    /// Key text to its index in `key_list`.
    keys: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
    /// Each key as written and lower-cased.
    key_list: Vec<(Arc<str>, Arc<str>)>,
    values: HashMap<Box<str>, PreparedValue, foldhash::fast::RandomState>,
    /// The keys of the request being prepared, as indices into `key_list`.
    scratch: Vec<u32>,
    /// For a request's keys (indices into `key_list`, in request order), the order of
    /// its entries: positions in the request, sorted by lower-cased key, case repeats
    /// dropped.
    orders: HashMap<Box<[u32]>, Arc<[u32]>, foldhash::fast::RandomState>,
    /// The previous request's keys (indices into `key_list`) and their order: requests
    /// come in runs with the same keys, which then cost a comparison each instead of
    /// a hash and a lookup.
    last_keys: Vec<u32>,
    last_order: Option<Arc<[u32]>>,
    /// The previous request's single values by their place in it, for the same reason
    /// (a run of requests shares most values: account, region, `true`).
    last_values: Vec<Option<PreparedValue>>,
    /// The previous request's principal, parsed (runs of requests share a caller).
    last_principal: Option<(Arc<str>, PrincipalRef)>,
    /// Bytes of key text in `key_list`.
    key_bytes: usize,
    /// Indices held by `orders`' keys.
    order_entries: usize,
}

/// The prepared value of `text`, parsed now if `values` does not hold it yet.
fn value(
    values: &mut HashMap<Box<str>, PreparedValue, foldhash::fast::RandomState>,
    text: &str,
) -> PreparedValue {
    // A long value is seldom shared, and a cache of long values would hold whole
    // megabytes per entry: parse it for this request only.
    if text.len() > INTERN_MAX_LEN {
        return PreparedValue::new(text);
    }
    if let Some(v) = values.get(text) {
        return v.clone();
    }
    if values.len() >= VALUE_LIMIT {
        values.clear();
    }
    let v = PreparedValue::new(text);
    values.insert(text.into(), v.clone());
    v
}

/// How many keys or values [`Interned`] keeps.
const INTERN_LIMIT: usize = 1 << 16;

/// How many values [`Interned`] keeps: fewer than keys, since most values of a stream
/// of requests (event IDs, times, object keys) are met once, and each thread holds its
/// own cache (a cache of 65,536 values held about 17 MB per thread, more than the rest
/// of a streamed `eval` or `replay`). Shared values (accounts, regions, `true`) come
/// back into it soon after it is emptied.
const VALUE_LIMIT: usize = 1 << 12;

/// The longest value [`Interned`] keeps (longer ones are parsed for their request
/// only), so the cache stays within [`VALUE_LIMIT`] × this many bytes of text.
const INTERN_MAX_LEN: usize = 256;

/// How many bytes of key text, and how many order entries, [`Interned`] keeps before
/// it starts afresh.
const INTERN_BYTES: usize = 1 << 22;

thread_local! {
    static INTERNED: RefCell<Interned> = RefCell::new(Interned::default());
}

impl Interned {
    /// `key`'s index in `key_list`, added if new. Never empties the cache: indices
    /// handed out for the request being prepared must stay valid until it is done
    /// (see [`Self::make_room`]).
    fn key(&mut self, key: &str) -> u32 {
        if let Some(&k) = self.keys.get(key) {
            return k;
        }
        self.key_bytes += key.len();
        let lower = if key.is_ascii() {
            key.to_ascii_lowercase()
        } else {
            key.to_lowercase()
        };
        let k = self.key_list.len() as u32;
        self.key_list.push((key.into(), lower.into()));
        self.keys.insert(key.into(), k);
        k
    }

    /// The order of a request's entries whose keys are `keys` (indices into
    /// `key_list`, in request order): positions sorted by lower-cased key, of keys
    /// equal but for letter case only the later one (as in a JSON object read by AWS).
    fn order_of(&self, keys: &[u32]) -> Vec<u32> {
        let lower = |i: u32| &self.key_list[keys[i as usize] as usize].1;
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_by(|&a, &b| lower(a).cmp(lower(b)));
        if order.windows(2).any(|w| lower(w[0]) == lower(w[1])) {
            // dedup keeps the first of a run: reversed, that is the later one.
            order.reverse();
            order.dedup_by(|later, kept| lower(*later) == lower(*kept));
            order.reverse();
        }
        order
    }

    /// Empties the key cache, before a request is prepared, if that request's keys
    /// could take it past its bounds. Done here and not key by key, so that no
    /// index of the request being prepared is dropped half-way through it.
    fn make_room<R: RequestParts + ?Sized>(&mut self, request: &R) {
        let count = request.context_len();
        let bytes: usize = (0..count).map(|i| request.entry(i).0.len()).sum();
        if self.key_list.len() + count > INTERN_LIMIT
            || self.key_bytes + bytes > INTERN_BYTES
            || self.order_entries + count > INTERN_BYTES
            || self.orders.len() >= INTERN_LIMIT
        {
            self.keys.clear();
            self.key_list.clear();
            self.orders.clear();
            self.last_keys.clear();
            self.last_order = None;
            self.key_bytes = 0;
            self.order_entries = 0;
        }
    }

    /// `text` as a principal, and the text shared.
    fn principal(&mut self, text: &str) -> (Arc<str>, PrincipalRef) {
        match &self.last_principal {
            Some((last, parsed)) if **last == *text => (last.clone(), parsed.clone()),
            _ => {
                let parsed = PrincipalRef::parse(text);
                let text: Arc<str> = text.into();
                self.last_principal = Some((text.clone(), parsed.clone()));
                (text, parsed)
            }
        }
    }

    /// `request`'s context entries sorted by lower-cased key.
    fn context<R: RequestParts + ?Sized>(&mut self, request: &R) -> Vec<ContextEntry> {
        self.make_room(request);
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        for i in 0..request.context_len() {
            let k = request.entry(i).0;
            let same = self
                .last_keys
                .get(i)
                .copied()
                .filter(|&j| *self.key_list[j as usize].0 == *k);
            let index = match same {
                Some(j) => j,
                None => self.key(k),
            };
            scratch.push(index);
        }
        let order = match &self.last_order {
            Some(order) if self.last_keys == scratch => order.clone(),
            _ => {
                let order = match self.orders.get(scratch.as_slice()) {
                    Some(order) => order.clone(),
                    None => {
                        let order: Arc<[u32]> = self.order_of(&scratch).into();
                        self.order_entries += scratch.len();
                        self.orders.insert(scratch.as_slice().into(), order.clone());
                        order
                    }
                };
                self.last_keys.clone_from(&scratch);
                self.last_order = Some(order.clone());
                order
            }
        };
        let (key_list, values, last_values) =
            (&self.key_list, &mut self.values, &mut self.last_values);
        last_values.resize(request.context_len(), None);
        let context = order
            .iter()
            .map(|&i| {
                let i = i as usize;
                let (key, lower) = key_list[scratch[i] as usize].clone();
                let (multi, values) = match request.entry(i).1 {
                    ValueRef::One(text) => {
                        let v = match &last_values[i] {
                            Some(last) if last.text == text => last.clone(),
                            _ => {
                                let v = value(values, text);
                                last_values[i] = Some(v.clone());
                                v
                            }
                        };
                        (false, Values::One(v))
                    }
                    ValueRef::Many(v) => (
                        true,
                        Values::Many(v.iter().map(|s| value(values, s.as_ref())).collect()),
                    ),
                };
                ContextEntry {
                    key,
                    lower,
                    multi,
                    values,
                }
            })
            .collect();
        self.scratch = scratch;
        context
    }
}

/// A request prepared once for many evaluations.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRequest {
    /// The principal as given.
    pub principal_text: Arc<str>,
    /// What the principal is.
    pub principal: PrincipalRef,
    /// The action as given.
    pub action: Arc<str>,
    /// The action lower-cased (action names are case-insensitive).
    pub action_lower: String,
    /// The resource as given.
    pub resource: Arc<str>,
    /// The resource's account (given, else from the ARN, else the request's
    /// `aws:ResourceAccount`, else the principal's).
    pub resource_account: Option<String>,
    /// Where [`Self::resource_account`] came from.
    pub resource_account_source: &'static str,
    /// Context entries sorted by lower-cased key.
    pub context: Vec<ContextEntry>,
    /// The principal, action, resource or a context value holds a placeholder (an
    /// unresolved template value): worked out once here, so evaluation takes the
    /// marked path only then.
    pub placeholders: bool,
}

impl PreparedRequest {
    /// Prepares `request`.
    pub fn new(request: &Request) -> Self {
        Self::from_parts(request)
    }

    /// Prepares a request given by its parts (borrowed or owned).
    pub fn from_parts<R: RequestParts + ?Sized>(request: &R) -> Self {
        let (principal_text, principal, context) = INTERNED.with(|cell| {
            let mut interned = cell.borrow_mut();
            let (text, principal) = interned.principal(request.principal());
            (text, principal, interned.context(request))
        });
        // Only a 12-digit account counts: `arn:aws:iam::aws:policy/…` (an AWS managed
        // policy) belongs to no customer account.
        let arn_account = split_arn(request.resource())
            .map(|p| p[4])
            .filter(|a| crate::policy::principal::is_account_id(a));
        let mut prepared = PreparedRequest {
            principal_text,
            principal,
            action: request.action().into(),
            action_lower: request.action().to_lowercase(),
            resource: request.resource().into(),
            resource_account: None,
            resource_account_source: "none",
            placeholders: false,
            context,
        };
        use crate::iac::placeholder::contains;
        prepared.placeholders = contains(&prepared.principal_text)
            || contains(&prepared.action)
            || contains(&prepared.resource)
            || prepared
                .context
                .iter()
                .any(|e| e.values.iter().any(|v| v.placeholder));
        // Where the ARN names no account (S3), the request's aws:ResourceAccount says
        // whose the resource is (CloudTrail conversion sets it); only then is the
        // principal's account assumed.
        let from_context = || {
            prepared
                .entry("aws:resourceaccount")
                .filter(|e| !e.multi)
                .and_then(|e| e.values.first())
                .map(|v| v.text.clone())
                .filter(|a| crate::policy::principal::is_account_id(a))
        };
        let (resource_account, resource_account_source) =
            match (request.resource_account(), arn_account) {
                (Some(a), _) if !a.is_empty() => (Some(a.to_string()), "given"),
                (_, Some(a)) => (Some(a.to_string()), "resource_arn"),
                _ => match from_context() {
                    Some(a) => (Some(a), "context"),
                    None => match prepared.principal.account() {
                        Some(a) => (Some(a.to_string()), "principal_account"),
                        None => (None, "none"),
                    },
                },
            };
        prepared.resource_account = resource_account;
        prepared.resource_account_source = resource_account_source;
        prepared
    }

    /// The entry for a lower-cased key, present or not (an empty array is returned
    /// as present; callers treat it as absent).
    pub fn entry(&self, lower: &str) -> Option<&ContextEntry> {
        self.context
            .binary_search_by(|e| e.lower.as_ref().cmp(lower))
            .ok()
            .map(|i| &self.context[i])
    }

    /// A policy variable's value.
    pub fn variable(&self, lower: &str) -> VarLookup<'_> {
        match self.entry(lower) {
            None => VarLookup::Missing,
            Some(e) if e.multi => {
                if e.values.is_empty() {
                    VarLookup::Missing
                } else {
                    VarLookup::Multi
                }
            }
            Some(e) => match e.values.first() {
                Some(v) => VarLookup::Single(&v.text),
                None => VarLookup::Missing,
            },
        }
    }

    /// True when the request came through a VPC endpoint (carries aws:SourceVpce).
    pub fn via_vpc_endpoint(&self) -> bool {
        self.entry("aws:sourcevpce")
            .is_some_and(|e| !e.values.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(keys: &[(&str, &str)]) -> Request {
        Request {
            principal: "arn:aws:iam::111122223333:user/a".into(),
            action: "s3:GetObject".into(),
            resource: "*".into(),
            resource_account: None,
            context: keys
                .iter()
                .map(|(k, v)| (k.to_string(), ContextValue::One(Scalar::string(*v))))
                .collect(),
        }
    }

    fn pairs(prepared: &PreparedRequest) -> Vec<(String, String)> {
        prepared
            .context
            .iter()
            .map(|e| (e.key.to_string(), e.values[0].text.clone()))
            .collect()
    }

    /// A request whose new keys take the cache past its bound is prepared from a
    /// cache emptied before it, never half-way through (which left indices pointing
    /// at other keys, or past the end).
    #[test]
    fn cache_full_between_requests_keeps_every_key() {
        for i in 0..INTERN_LIMIT - 1 {
            let key = format!("k{i}");
            PreparedRequest::new(&request(&[(&key, "v")]));
        }
        let r = request(&[
            ("aws:SourceIp", "10.0.0.1"),
            ("aws:ViaAWSService", "false"),
            ("Zed", "z"),
        ]);
        let prepared = PreparedRequest::new(&r);
        assert_eq!(
            pairs(&prepared),
            vec![
                ("aws:SourceIp".to_string(), "10.0.0.1".to_string()),
                ("aws:ViaAWSService".to_string(), "false".to_string()),
                ("Zed".to_string(), "z".to_string()),
            ]
        );
        assert!(prepared.entry("aws:viaawsservice").is_some());
        // The same request again (from the emptied cache) reads the same.
        assert_eq!(pairs(&PreparedRequest::new(&r)), pairs(&prepared));
    }

    /// Keys of a request bigger than the whole bound are all kept for that request.
    #[test]
    fn request_with_more_keys_than_the_bound() {
        let keys: Vec<(String, String)> = (0..INTERN_LIMIT + 5)
            .map(|i| (format!("key{i:06}"), format!("{i}")))
            .collect();
        let borrowed: Vec<(&str, &str)> =
            keys.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let prepared = PreparedRequest::new(&request(&borrowed));
        assert_eq!(prepared.context.len(), INTERN_LIMIT + 5);
        let last = prepared
            .entry(&format!("key{:06}", INTERN_LIMIT + 4))
            .unwrap();
        assert_eq!(last.values[0].text, format!("{}", INTERN_LIMIT + 4));
    }

    /// A run of requests with the same keys, and requests whose keys differ from the
    /// previous one's in order, letter case or values: each reads as its own.
    #[test]
    fn runs_and_changes_of_keys_and_values() {
        let cases: Vec<Vec<(&str, &str)>> = vec![
            vec![("b", "1"), ("A", "2"), ("c", "3")],
            vec![("b", "1"), ("A", "2"), ("c", "3")],
            vec![("b", "9"), ("A", "2"), ("c", "3")],
            vec![("A", "2"), ("b", "1"), ("c", "3")],
            vec![("B", "1"), ("a", "2")],
            vec![("b", "1"), ("B", "later wins"), ("c", "3")],
            vec![],
            vec![("b", "1"), ("A", "2"), ("c", "3"), ("d", "4")],
        ];
        for _ in 0..2 {
            for keys in &cases {
                let prepared = PreparedRequest::new(&request(keys));
                let mut want: Vec<(String, String)> = Vec::new();
                for (k, v) in keys {
                    want.retain(|(w, _)| !w.eq_ignore_ascii_case(k));
                    want.push((k.to_string(), v.to_string()));
                }
                want.sort_by_key(|(k, _)| k.to_lowercase());
                assert_eq!(pairs(&prepared), want, "{keys:?}");
            }
        }
    }

    /// Short values are shared between requests; long ones are not kept (but for
    /// the previous request's, reused at the same place).
    #[test]
    fn long_values_are_not_interned() {
        let long = "x".repeat(INTERN_MAX_LEN + 1);
        let a = PreparedRequest::new(&request(&[("k", "short"), ("l", &long)]));
        // Another value in between, so the previous request's values do not serve.
        PreparedRequest::new(&request(&[("k", "other"), ("l", "other")]));
        let b = PreparedRequest::new(&request(&[("k", "short"), ("l", &long)]));
        assert!(Arc::ptr_eq(
            &a.context[0].values[0].0,
            &b.context[0].values[0].0
        ));
        assert!(!Arc::ptr_eq(
            &a.context[1].values[0].0,
            &b.context[1].values[0].0
        ));
        assert_eq!(a.context[1].values[0].text, long);
    }
}
