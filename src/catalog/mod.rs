//! What iamtrace knows about AWS beyond the policy language: the global condition keys
//! (type, single- or multi-valued, when AWS includes them), read from
//! `assets/catalog/global-keys.tsv`, and in [`services`] the service authorization
//! catalog (every service's actions, resource types and condition keys), in [`notes`]
//! what that catalog lacks and why, in [`regions`] the partitions and regions, and in
//! [`managed`] the AWS managed policies' documents.

pub mod managed;
pub mod notes;
pub mod regions;
pub mod services;

pub use services::{
    AccessLevel, Action, ActionResource, Catalog, CatalogError, ConditionKey, ResourceType,
    Service, catalog,
};

use std::sync::OnceLock;

/// The type of a condition key's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// Text.
    String,
    /// `true` / `false`.
    Bool,
    /// An IP address.
    Ip,
    /// An ARN.
    Arn,
    /// A number.
    Numeric,
    /// A date and time (or epoch seconds).
    Date,
}

impl KeyType {
    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            KeyType::String => "String",
            KeyType::Bool => "Bool",
            KeyType::Ip => "IP",
            KeyType::Arn => "ARN",
            KeyType::Numeric => "Numeric",
            KeyType::Date => "Date",
        }
    }

    /// Whether `value` parses as this type.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            KeyType::String => true,
            KeyType::Bool => crate::value::parse_bool(value).is_some(),
            KeyType::Ip => crate::value::parse_ip_addr(value).is_some(),
            KeyType::Arn => crate::policy::principal::split_arn(value).is_some(),
            KeyType::Numeric => crate::value::parse_number(value).is_some(),
            KeyType::Date => crate::value::parse_date(value).is_some(),
        }
    }
}

/// A global condition key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalKey {
    /// The name (for tag keys, the prefix ending in `/`).
    pub name: String,
    /// The value type.
    pub key_type: KeyType,
    /// Multi-valued.
    pub multi: bool,
    /// When AWS includes the key in a request.
    pub present: String,
}

/// Every global key of the table.
pub fn global_keys() -> &'static [GlobalKey] {
    static KEYS: OnceLock<Vec<GlobalKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        include_str!("../../assets/catalog/global-keys.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                let name = f.next()?.to_string();
                let key_type = match f.next()? {
                    "String" => KeyType::String,
                    "Bool" => KeyType::Bool,
                    "IP" => KeyType::Ip,
                    "ARN" => KeyType::Arn,
                    "Numeric" => KeyType::Numeric,
                    "Date" => KeyType::Date,
                    _ => return None,
                };
                let multi = f.next()? == "M";
                let present = f.next().unwrap_or_default().to_string();
                Some(GlobalKey {
                    name,
                    key_type,
                    multi,
                    present,
                })
            })
            .collect()
    })
}

/// The global key a context key name refers to (case-insensitive; tag keys by prefix).
pub fn global_key(name: &str) -> Option<&'static GlobalKey> {
    // Compared in place: linting looks up every key of a policy, so no allocation here.
    global_keys().iter().find(|k| {
        if k.name.ends_with('/') {
            name.len() > k.name.len()
                && name.as_bytes()[..k.name.len()].eq_ignore_ascii_case(k.name.as_bytes())
        } else {
            name.eq_ignore_ascii_case(&k.name)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_reads_and_looks_up() {
        assert!(global_keys().len() > 30);
        let ip = global_key("AWS:SOURCEIP").unwrap();
        assert_eq!(ip.key_type, KeyType::Ip);
        assert!(global_key("aws:CalledVia").unwrap().multi);
        assert_eq!(
            global_key("aws:PrincipalTag/team").unwrap().name,
            "aws:PrincipalTag/"
        );
        assert!(global_key("aws:PrincipalTag/").is_none());
        assert!(KeyType::Ip.accepts("2001:db8::1"));
        assert!(!KeyType::Ip.accepts("ec2.amazonaws.com"));
    }
}
