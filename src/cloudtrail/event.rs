//! The parts of a CloudTrail record that say who asked for what, from where, and how
//! it ended. Deserialized borrowing from the input where the text has no escapes, so
//! replaying a large file allocates little; every other field is skipped.

use serde::Deserialize;
use std::borrow::Cow;

/// A string field: borrowed from the record when it has no escapes, owned otherwise.
/// (serde borrows `Cow<str>` only as a bare field, not inside `Option`, hence this.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
            // CloudTrail writes some flags as JSON booleans in older records.
            fn visit_bool<E>(self, v: bool) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(if v { "true" } else { "false" })))
            }
        }
        d.deserialize_str(Visit)
    }
}

/// One CloudTrail event record.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Event<'a> {
    /// Who made the call.
    #[serde(borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    /// When (ISO 8601, UTC).
    #[serde(borrow)]
    pub event_time: Option<Text<'a>>,
    /// The service endpoint, `ec2.amazonaws.com`.
    #[serde(borrow)]
    pub event_source: Option<Text<'a>>,
    /// The API operation.
    #[serde(borrow)]
    pub event_name: Option<Text<'a>>,
    /// The region the call was made to.
    #[serde(borrow)]
    pub aws_region: Option<Text<'a>>,
    /// The caller's address, or a service's name for calls a service made.
    #[serde(borrow, rename = "sourceIPAddress")]
    pub source_ip_address: Option<Text<'a>>,
    /// The caller's user agent.
    #[serde(borrow)]
    pub user_agent: Option<Text<'a>>,
    /// Set when the call failed.
    #[serde(borrow)]
    pub error_code: Option<Text<'a>>,
    /// The failure's message.
    #[serde(borrow)]
    pub error_message: Option<Text<'a>>,
    /// The event's id.
    #[serde(borrow, rename = "eventID")]
    pub event_id: Option<Text<'a>>,
    /// The resources the call touched, when CloudTrail records them.
    #[serde(borrow)]
    pub resources: Option<Vec<Resource<'a>>>,
    /// The account that received the event.
    #[serde(borrow)]
    pub recipient_account_id: Option<Text<'a>>,
    /// TLS of the connection, when recorded.
    #[serde(borrow)]
    pub tls_details: Option<TlsDetails<'a>>,
    /// The VPC endpoint the call came through.
    #[serde(borrow)]
    pub vpc_endpoint_id: Option<Text<'a>>,
    /// `AwsApiCall`, `AwsConsoleSignIn`, `AwsServiceEvent`, …
    #[serde(borrow)]
    pub event_type: Option<Text<'a>>,
    /// The call's parameters: the few that name its resource are read.
    #[serde(borrow)]
    pub request_parameters: Tolerant<RequestParameters<'a>>,
    /// What the call returned: the few elements that feed context keys are read.
    #[serde(borrow)]
    pub response_elements: Tolerant<ResponseElements<'a>>,
    /// What S3 (and a few others) add: the cipher suite of the connection.
    #[serde(borrow)]
    pub additional_event_data: Option<AdditionalEventData<'a>>,
}

/// `additionalEventData`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdditionalEventData<'a> {
    /// The TLS cipher suite (S3 data events), present for HTTPS requests.
    #[serde(borrow, rename = "CipherSuite")]
    pub cipher_suite: Option<Text<'a>>,
}

/// `userIdentity`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity<'a> {
    /// `IAMUser`, `AssumedRole`, `Root`, `AWSService`, `FederatedUser`, `AWSAccount`, …
    #[serde(borrow, rename = "type")]
    pub kind: Option<Text<'a>>,
    /// `AIDA…` for a user, `AROA…:session` for a role session.
    #[serde(borrow)]
    pub principal_id: Option<Text<'a>>,
    /// The caller's ARN (a session ARN for role sessions).
    #[serde(borrow)]
    pub arn: Option<Text<'a>>,
    /// The caller's account.
    #[serde(borrow)]
    pub account_id: Option<Text<'a>>,
    /// `AKIA…` (long-term) or `ASIA…` (temporary).
    #[serde(borrow)]
    pub access_key_id: Option<Text<'a>>,
    /// The user's name (IAM users, root).
    #[serde(borrow)]
    pub user_name: Option<Text<'a>>,
    /// Present for temporary credentials.
    #[serde(borrow)]
    pub session_context: Option<SessionContext<'a>>,
    /// The service that made the call for the caller.
    #[serde(borrow)]
    pub invoked_by: Option<Text<'a>>,
    /// The identity provider (SAML and web identity users).
    #[serde(borrow)]
    pub identity_provider: Option<Text<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionContext<'a> {
    /// The role (or user) the session was issued for.
    #[serde(borrow)]
    pub session_issuer: Option<SessionIssuer<'a>>,
    /// When the session was created and whether MFA was used.
    #[serde(borrow)]
    pub attributes: Option<SessionAttributes<'a>>,
}

/// `sessionContext.sessionIssuer`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionIssuer<'a> {
    /// `Role`, `IAMUser`, `Root`.
    #[serde(borrow, rename = "type")]
    pub kind: Option<Text<'a>>,
    /// The issuer's ARN (the role's ARN for a role session).
    #[serde(borrow)]
    pub arn: Option<Text<'a>>,
    /// The issuer's name.
    #[serde(borrow)]
    pub user_name: Option<Text<'a>>,
}

/// `sessionContext.attributes`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionAttributes<'a> {
    /// `"true"` or `"false"`.
    #[serde(borrow)]
    pub mfa_authenticated: Option<Text<'a>>,
    /// When the session's credentials were issued.
    #[serde(borrow)]
    pub creation_date: Option<Text<'a>>,
}

/// One of `resources`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Resource<'a> {
    /// The resource's ARN.
    #[serde(borrow, rename = "ARN")]
    pub arn: Option<Text<'a>>,
    /// Its account.
    #[serde(borrow, rename = "accountId")]
    pub account_id: Option<Text<'a>>,
    /// `AWS::S3::Object`, `AWS::KMS::Key`, …
    #[serde(borrow, rename = "type")]
    pub kind: Option<Text<'a>>,
}

/// `tlsDetails`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TlsDetails<'a> {
    /// `TLSv1.2`, `TLSv1.3`.
    #[serde(borrow)]
    pub tls_version: Option<Text<'a>>,
}

/// A string where services write one, and nothing for any other JSON value (DynamoDB's
/// `key` is an object, for example): a parameter of another shape must not make the
/// whole record unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loose<'a>(pub Option<Text<'a>>);

impl<'a> Loose<'a> {
    /// The text, when it was a non-empty string.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Loose<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Loose<'de>, E> {
                Ok(Loose(Some(Text(Cow::Borrowed(v)))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose<'de>, E> {
                Ok(Loose(Some(Text(Cow::Owned(v.to_string())))))
            }
            fn visit_string<E>(self, v: String) -> Result<Loose<'de>, E> {
                Ok(Loose(Some(Text(Cow::Owned(v)))))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Loose<'de>, E> {
                Ok(Loose(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Loose<'de>, E> {
                Ok(Loose(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Loose<'de>, E> {
                Ok(Loose(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Loose<'de>, E> {
                Ok(Loose(None))
            }
            fn visit_unit<E>(self) -> Result<Loose<'de>, E> {
                Ok(Loose(None))
            }
            fn visit_none<E>(self) -> Result<Loose<'de>, E> {
                Ok(Loose(None))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Loose<'de>, D::Error> {
                d.deserialize_any(Visit)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Loose<'de>, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Loose(None))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Loose<'de>, A::Error> {
                while map
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(Loose(None))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// `requestParameters`: its top-level string members (the names of the call's
/// resources are among them); members of any other shape are skipped.
#[derive(Debug, Default)]
pub struct RequestParameters<'a>(pub Vec<(Text<'a>, Text<'a>)>);

impl RequestParameters<'_> {
    /// The non-empty string value of a member.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| &**v)
            .filter(|v| !v.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RequestParameters<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = RequestParameters<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RequestParameters<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    if let Loose(Some(value)) = map.next_value::<Loose<'de>>()? {
                        out.push((key, value));
                    }
                }
                Ok(RequestParameters(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// An object read as `T` when it is an object, and nothing when it is any other JSON
/// value: services put all sorts in requestParameters and responseElements, and an
/// unexpected shape there must not make the record unreadable.
#[derive(Debug, Default)]
pub struct Tolerant<T>(pub Option<T>);

impl<T> Tolerant<T> {
    /// The object, when there was one.
    pub fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Tolerant<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
            type Value = Tolerant<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Tolerant<T>, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|t| Tolerant(Some(t)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Tolerant<T>, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Tolerant(None))
            }
            fn visit_borrowed_str<E>(self, _: &'de str) -> Result<Tolerant<T>, E> {
                Ok(Tolerant(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Tolerant<T>, E> {
                Ok(Tolerant(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Tolerant<T>, E> {
                Ok(Tolerant(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Tolerant<T>, E> {
                Ok(Tolerant(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Tolerant<T>, E> {
                Ok(Tolerant(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Tolerant<T>, E> {
                Ok(Tolerant(None))
            }
            fn visit_unit<E>(self) -> Result<Tolerant<T>, E> {
                Ok(Tolerant(None))
            }
        }
        d.deserialize_any(Visit(std::marker::PhantomData))
    }
}

/// `responseElements`: what AssumeRoleWithWebIdentity returns about the token.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResponseElements<'a> {
    /// The token's `sub`.
    #[serde(borrow)]
    pub subject_from_web_identity_token: Loose<'a>,
    /// The token's `aud`.
    #[serde(borrow)]
    pub audience: Loose<'a>,
}
