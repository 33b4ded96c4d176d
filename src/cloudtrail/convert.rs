//! One CloudTrail event to one request: the action from eventSource and eventName,
//! the principal from userIdentity, and the global context keys CloudTrail lets us
//! derive. What the record does not say is listed as a note, never guessed.

use super::event::{Event, Text};
use crate::eval::{ContextValue, Request, Scalar};
use std::net::IpAddr;

/// How the call ended, as CloudTrail recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// No error: AWS allowed it.
    Allowed,
    /// An access-denied error (in any of the spellings services use).
    Denied {
        /// The errorCode.
        code: String,
    },
    /// Another error: the call may or may not have passed authorization.
    Failed {
        /// The errorCode.
        code: String,
    },
}

impl Recorded {
    /// `allowed`, `denied` or `failed (CODE)`.
    pub fn describe(&self) -> String {
        match self {
            Recorded::Allowed => "allowed".into(),
            Recorded::Denied { code } => format!("denied ({code})"),
            Recorded::Failed { code } => format!("failed ({code})"),
        }
    }
}

/// An event turned into a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// The request.
    pub request: Request,
    /// How the call ended.
    pub recorded: Recorded,
    /// The caller for grouping: a role session's role, else the principal.
    pub caller: String,
    /// What could not be derived from the record (and so is missing).
    pub notes: Vec<String>,
    /// eventTime.
    pub time: Option<String>,
    /// eventID.
    pub event_id: Option<String>,
    /// The service that made the call on the caller's behalf, if any.
    pub via_service: Option<String>,
    /// eventSource (`ec2.amazonaws.com`).
    pub event_source: String,
    /// errorMessage, when the call failed.
    pub error_message: Option<String>,
}

/// Why an event was not turned into a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// A short reason, the same for every event skipped for it (used to count them).
    pub reason: String,
}

/// The reason given for a record that is not a CloudTrail event at all.
pub const NOT_AN_EVENT: &str = "not a CloudTrail event (no eventSource, no eventName)";

fn skip(reason: impl Into<String>) -> Skipped {
    Skipped {
        reason: reason.into(),
    }
}

/// The services AWS documents as setting aws:CalledVia when they call on.
const CALLED_VIA_SERVICES: &[&str] = &[
    "athena.amazonaws.com",
    "cloudformation.amazonaws.com",
    "dynamodb.amazonaws.com",
    "kms.amazonaws.com",
];

/// errorCodes that mean "not authorized" (compared without letter case, after a
/// `Client.` prefix is removed).
const DENIAL_CODES: &[&str] = &[
    "accessdenied",
    "accessdeniedexception",
    "unauthorizedoperation",
    "unauthorizedaccess",
    "unauthorizedexception",
    "unauthorized",
    "authorizationerror",
    "authorizationerrorexception",
    "authorizationexception",
    "forbidden",
    "forbiddenexception",
    "accessdeniedfault",
    "notauthorized",
];

/// How the call ended, from errorCode and errorMessage, for `action`: a denial whose
/// message names another action ("… not authorized to perform: iam:CreateServiceLinkedRole")
/// is a call this one made that was denied, so this one merely failed.
pub fn recorded_for(
    action: &str,
    error_code: Option<&str>,
    error_message: Option<&str>,
) -> Recorded {
    let outcome = recorded(error_code, error_message);
    let other = error_message
        .and_then(|m| m.split_once("perform: "))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(|a| a.trim_end_matches([',', '.', ';']))
        .filter(|a| a.contains(':') && !a.eq_ignore_ascii_case(action));
    match (outcome, other) {
        (Recorded::Denied { code }, Some(_)) => Recorded::Failed { code },
        (outcome, _) => outcome,
    }
}

/// How the call ended, from errorCode and errorMessage.
pub fn recorded(error_code: Option<&str>, error_message: Option<&str>) -> Recorded {
    let Some(code) = error_code.filter(|c| !c.is_empty()) else {
        return Recorded::Allowed;
    };
    let bare = code.strip_prefix("Client.").unwrap_or(code);
    let by_code = DENIAL_CODES.iter().any(|d| bare.eq_ignore_ascii_case(d));
    let by_message = error_message.is_some_and(|m| {
        m.contains("is not authorized to perform") || m.contains("not authorized to perform:")
    });
    if by_code || by_message {
        Recorded::Denied { code: code.into() }
    } else {
        Recorded::Failed { code: code.into() }
    }
}

/// The IAM service prefix for an eventSource, where the two differ.
const PREFIX_EXCEPTIONS: &[(&str, &str)] = &[
    ("monitoring", "cloudwatch"),
    ("email", "ses"),
    ("tagging", "tag"),
    ("models.lex", "lex"),
    ("runtime.lex", "lex"),
    ("runtime.sagemaker", "sagemaker"),
    ("api.sagemaker", "sagemaker"),
    ("streams.dynamodb", "dynamodb"),
    ("data.iot", "iot"),
    ("api.ecr", "ecr"),
    ("execute-api", "execute-api"),
    ("apigateway", "apigateway"),
    ("s3-object-lambda", "s3-object-lambda"),
    ("sso-directory", "sso-directory"),
    ("elasticfilesystem", "elasticfilesystem"),
];

/// CloudTrail event names that differ from the IAM action that authorizes them.
const S3_ACTIONS: &[(&str, &str)] = &[
    ("ListObjects", "ListBucket"),
    ("ListObjectsV2", "ListBucket"),
    ("ListObjectVersions", "ListBucketVersions"),
    ("HeadObject", "GetObject"),
    ("HeadBucket", "ListBucket"),
    ("ListMultipartUploads", "ListBucketMultipartUploads"),
    ("ListParts", "ListMultipartUploadParts"),
    ("CreateMultipartUpload", "PutObject"),
    ("UploadPart", "PutObject"),
    ("UploadPartCopy", "PutObject"),
    ("CompleteMultipartUpload", "PutObject"),
    ("CopyObject", "PutObject"),
    ("DeleteObjects", "DeleteObject"),
    ("GetBucketPolicyStatus", "GetBucketPolicyStatus"),
];

/// `service:Action` for an eventSource and eventName, with a note when the mapping is
/// not the obvious one.
pub fn action_for(source: &str, name: &str, notes: &mut Vec<String>) -> Option<String> {
    let host = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    if host.is_empty() || name.is_empty() || host.contains(char::is_whitespace) {
        return None;
    }
    let prefix = PREFIX_EXCEPTIONS
        .iter()
        .find(|(h, _)| *h == host)
        .map_or(host, |(_, p)| p);
    let mut action = name;
    if prefix == "lambda" {
        // Lambda names events after versioned operations: CreateFunction20150331,
        // UpdateFunctionConfiguration20150331v2; and Invoke is lambda:InvokeFunction.
        action = strip_api_version(name);
        if action == "Invoke" {
            action = "InvokeFunction";
        }
    }
    if prefix == "s3" {
        if let Some((_, a)) = S3_ACTIONS.iter().find(|(e, _)| *e == name) {
            if *a != name {
                notes.push(format!("CloudTrail's {name} is authorized as s3:{a}"));
            }
            action = a;
        }
    }
    Some(format!("{prefix}:{action}"))
}

/// `Name20150331` and `Name20150331v2` → `Name`.
fn strip_api_version(name: &str) -> &str {
    let bytes = name.as_bytes();
    let mut end = bytes.len();
    // An optional v + digits.
    let mut i = end;
    while i > 0 && bytes[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i < end && i > 0 && bytes[i - 1] == b'v' {
        end = i - 1;
    }
    let digits = bytes[..end]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 8 && end > 8 {
        &name[..end - 8]
    } else {
        name
    }
}

struct Builder {
    context: Vec<(String, ContextValue)>,
    notes: Vec<String>,
}

impl Builder {
    fn set(&mut self, key: &str, value: &str) {
        self.context
            .push((key.to_string(), ContextValue::One(Scalar::string(value))));
    }
    fn set_many(&mut self, key: &str, values: &[&str]) {
        self.context.push((
            key.to_string(),
            ContextValue::Many(values.iter().map(|v| Scalar::string(*v)).collect()),
        ));
    }
    fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

fn text<'x>(t: &'x Option<Text<'_>>) -> Option<&'x str> {
    t.as_deref().filter(|s| !s.is_empty())
}

fn is_service_name(s: &str) -> bool {
    s.ends_with(".amazonaws.com") && !s.contains(char::is_whitespace)
}

/// `arn:aws:sts::A:assumed-role/R/S` → `arn:aws:iam::A:role/R` (without the role's
/// path, which the session ARN does not carry).
fn role_of_session(arn: &str) -> Option<String> {
    let (head, rest) = arn.split_once(":assumed-role/")?;
    let role = rest.split('/').next()?;
    let (partition_part, account) = head.rsplit_once(':')?;
    let partition = partition_part.strip_prefix("arn:")?.split(':').next()?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

/// Turns one event into a request, or says why it cannot be one.
pub fn convert(e: &Event) -> Result<Converted, Skipped> {
    if let Some(t) = text(&e.event_type) {
        if t != "AwsApiCall" {
            return Err(skip(format!("not an API call ({t})")));
        }
    }
    if e.event_source.is_none() && e.event_name.is_none() {
        return Err(skip(NOT_AN_EVENT));
    }
    let mut b = Builder {
        context: Vec::with_capacity(14),
        notes: Vec::new(),
    };
    let source = text(&e.event_source).ok_or_else(|| skip("no eventSource"))?;
    let name = text(&e.event_name).ok_or_else(|| skip("no eventName"))?;
    let action = action_for(source, name, &mut b.notes)
        .ok_or_else(|| skip("eventSource is not a service endpoint"))?;
    let id = e
        .user_identity
        .as_ref()
        .ok_or_else(|| skip("no userIdentity"))?;
    let kind = text(&id.kind).unwrap_or("");
    let arn = text(&id.arn);
    let account = text(&id.account_id);
    let invoked_by = text(&id.invoked_by);
    let source_ip = text(&e.source_ip_address);

    // Who asked.
    let (principal, caller) = match kind {
        "IAMUser" | "Root" | "FederatedUser" => {
            let arn = arn.ok_or_else(|| skip(format!("{kind} identity without an ARN")))?;
            b.set("aws:PrincipalArn", arn);
            let ptype = match kind {
                "IAMUser" => "User",
                "Root" => "Account",
                _ => "FederatedUser",
            };
            b.set("aws:PrincipalType", ptype);
            if kind == "IAMUser" {
                if let Some(n) = text(&id.user_name) {
                    b.set("aws:username", n);
                }
            }
            (arn.to_string(), arn.to_string())
        }
        "AssumedRole" => {
            let arn = arn.ok_or_else(|| skip("AssumedRole identity without an ARN"))?;
            let issuer = id
                .session_context
                .as_ref()
                .and_then(|s| s.session_issuer.as_ref())
                .and_then(|i| text(&i.arn));
            let role = match issuer {
                Some(r) => r.to_string(),
                None => {
                    b.note("sessionIssuer is not recorded: aws:PrincipalArn is the role ARN rebuilt from the session ARN, without the role's path");
                    role_of_session(arn).unwrap_or_else(|| arn.to_string())
                }
            };
            b.set("aws:PrincipalArn", &role);
            b.set("aws:PrincipalType", "AssumedRole");
            (arn.to_string(), role)
        }
        "AWSService" => {
            let svc = invoked_by
                .filter(|s| is_service_name(s))
                .ok_or_else(|| skip("AWSService identity without invokedBy"))?;
            b.set("aws:PrincipalIsAWSService", "true");
            b.set("aws:PrincipalServiceName", svc);
            b.note("aws:SourceArn and aws:SourceAccount (the resource the service acted for) are not recorded");
            (svc.to_string(), svc.to_string())
        }
        // S3 writes "anonymous"; other documents show ANONYMOUS_PRINCIPAL.
        "AWSAccount"
            if account.is_some_and(|a| {
                a.eq_ignore_ascii_case("anonymous") || a == "ANONYMOUS_PRINCIPAL"
            }) =>
        {
            ("anonymous".to_string(), "anonymous".to_string())
        }
        "AWSAccount" => {
            return Err(skip(
                "caller in another account (AWSAccount: CloudTrail records only its account)",
            ));
        }
        "SAMLUser" | "WebIdentityUser" => {
            let provider = text(&id.identity_provider)
                .ok_or_else(|| skip(format!("{kind} identity without identityProvider")))?;
            // The token's claims as the trust policy sees them: PROVIDER:sub, :aud.
            let host = provider
                .rsplit_once(":oidc-provider/")
                .map_or(provider, |(_, h)| h);
            if let Some(r) = e.response_elements.as_ref() {
                if kind == "WebIdentityUser" {
                    if let Some(sub) = r.subject_from_web_identity_token.get() {
                        b.set(&format!("{host}:sub"), sub);
                    }
                    if let Some(aud) = r.audience.get() {
                        b.set(&format!("{host}:aud"), aud);
                    }
                }
            }
            if kind == "SAMLUser" {
                b.note("the SAML assertion's keys (saml:sub, saml:aud, …) are not recorded");
            }
            (provider.to_string(), provider.to_string())
        }
        "" => return Err(skip("userIdentity without a type")),
        other => return Err(skip(format!("identity type {other} is not modelled"))),
    };
    let signed = !matches!(
        kind,
        "AWSService" | "AWSAccount" | "SAMLUser" | "WebIdentityUser"
    );
    if signed {
        if let Some(a) = account {
            b.set("aws:PrincipalAccount", a);
        }
        if let Some(p) = text(&id.principal_id) {
            b.set("aws:userid", p);
        }
        b.set("aws:PrincipalIsAWSService", "false");
    }

    // From where, and through whom. A service-linked role's session acts for its
    // service itself: invokedBy names the service, but no one's call is forwarded.
    let service_linked = kind == "AssumedRole"
        && id
            .session_context
            .as_ref()
            .and_then(|s| s.session_issuer.as_ref())
            .and_then(|i| text(&i.arn))
            .is_some_and(|a| a.contains(":role/aws-service-role/"));
    let forwards = kind != "AWSService" && !service_linked;
    if forwards && kind == "AssumedRole" && invoked_by.is_some_and(is_service_name) {
        b.note("a role session with invokedBy is read as a call a service made on the role's behalf (aws:ViaAWSService true); if the role is a service role the service assumed itself, AWS sets aws:ViaAWSService false");
    }
    let via_service = invoked_by
        .filter(|s| is_service_name(s) && forwards)
        .or_else(|| source_ip.filter(|s| is_service_name(s) && forwards));
    let ip = source_ip.and_then(|s| s.parse::<IpAddr>().ok());
    let vpce = text(&e.vpc_endpoint_id);
    match (ip, vpce) {
        (Some(ip), Some(vpce)) => {
            b.set("aws:VpcSourceIp", &ip.to_string());
            b.set("aws:SourceVpce", vpce);
            b.note("aws:SourceVpc is not recorded (only the endpoint id)");
        }
        (Some(ip), None) => b.set("aws:SourceIp", &ip.to_string()),
        (None, Some(vpce)) => {
            b.set("aws:SourceVpce", vpce);
            b.note("aws:SourceVpc and aws:VpcSourceIp are not recorded");
        }
        (None, None) => match source_ip {
            Some(s) if is_service_name(s) => b.note(format!(
                "aws:SourceIp is missing: the call came from {s}, and CloudTrail records no caller address for it"
            )),
            Some(s) => b.note(format!(
                "aws:SourceIp is missing: sourceIPAddress is \"{s}\", not an address"
            )),
            None => b.note("aws:SourceIp is missing: no sourceIPAddress"),
        },
    }
    match via_service {
        Some(svc) => {
            b.set("aws:ViaAWSService", "true");
            if CALLED_VIA_SERVICES.contains(&svc) {
                b.set_many("aws:CalledVia", &[svc]);
                b.set("aws:CalledViaFirst", svc);
                b.set("aws:CalledViaLast", svc);
            } else {
                b.note(format!(
                    "aws:CalledVia is missing: AWS documents it only for calls made through {}, not {svc}",
                    CALLED_VIA_SERVICES.join(", ")
                ));
            }
        }
        None if !forwards => b.set("aws:ViaAWSService", "false"),
        None if ip.is_some() => b.set("aws:ViaAWSService", "false"),
        None => b.note(
            "aws:ViaAWSService is missing: the record names neither an address nor a service",
        ),
    }

    // How.
    if let Some(attrs) = id
        .session_context
        .as_ref()
        .and_then(|s| s.attributes.as_ref())
    {
        match text(&attrs.mfa_authenticated) {
            Some(m) => b.set("aws:MultiFactorAuthPresent", m),
            None => b.note("aws:MultiFactorAuthPresent is missing: the session's mfaAuthenticated is not recorded"),
        }
    }
    match &e.tls_details {
        // S3 records plain-HTTP requests with tlsDetails that name only the host.
        Some(tls) => b.set(
            "aws:SecureTransport",
            if text(&tls.tls_version).is_some() {
                "true"
            } else {
                "false"
            },
        ),
        // S3 data events may carry only the cipher suite: HTTPS.
        None if e
            .additional_event_data
            .as_ref()
            .is_some_and(|a| text(&a.cipher_suite).is_some()) =>
        {
            b.set("aws:SecureTransport", "true")
        }
        None => b.note("aws:SecureTransport is missing: no tlsDetails in the record"),
    }
    if let Some(r) = text(&e.aws_region) {
        b.set("aws:RequestedRegion", r);
    }
    let time = text(&e.event_time);
    if let Some(t) = time {
        b.set("aws:CurrentTime", t);
        if let Ok(ts) = t.parse::<jiff::Timestamp>() {
            b.set("aws:EpochTime", &ts.as_second().to_string());
        }
    }
    if let Some(ua) = text(&e.user_agent) {
        b.set("aws:UserAgent", ua);
    }

    // On what.
    let (resource, resource_account) = pick_resource(e, &action, &mut b.notes);
    if let Some(a) = &resource_account {
        b.set("aws:ResourceAccount", a);
    }

    let (code, message) = (text(&e.error_code), text(&e.error_message));
    let outcome = recorded_for(&action, code, message);
    if matches!(recorded(code, message), Recorded::Denied { .. })
        && matches!(outcome, Recorded::Failed { .. })
    {
        b.note("the call failed because another action it needs was denied (iam:PassRole, or a call it made on to another service; see the message): it is not compared as a denial of this action");
    }
    Ok(Converted {
        request: Request {
            principal,
            action,
            resource,
            resource_account,
            context: b.context,
        },
        recorded: outcome,
        caller,
        notes: b.notes,
        time: time.map(str::to_string),
        event_id: text(&e.event_id).map(str::to_string),
        via_service: via_service.map(str::to_string),
        event_source: source.to_string(),
        error_message: text(&e.error_message).map(str::to_string),
    })
}

/// The resource of the request: the recorded resource that fits the action best, or
/// `*` with a note when CloudTrail recorded none.
fn pick_resource(e: &Event, action: &str, notes: &mut Vec<String>) -> (String, Option<String>) {
    let with_arn: Vec<_> = e
        .resources
        .iter()
        .flatten()
        .filter(|r| text(&r.arn).is_some())
        .collect();
    let Some(first) = with_arn.first() else {
        // A denial's message names the resource: "… is not authorized to perform: A on
        // resource: ARN because …" (or "with an explicit deny …").
        // Only when the message is about this event's action: a call can fail because
        // a call it made was denied (Client VPN's service-linked role).
        let named = text(&e.error_message)
            .and_then(|m| m.split_once("perform: "))
            .and_then(|(_, rest)| rest.split_once(" on resource: "))
            .filter(|(denied, _)| denied.eq_ignore_ascii_case(action))
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .map(|r| r.trim_end_matches([',', '.', ';']))
            .filter(|r| r.starts_with("arn:"));
        if let Some(arn) = named {
            return (arn.to_string(), arn_account(arn));
        }
        if let Some((arn, note)) = from_parameters(e, action) {
            if let Some(n) = note {
                notes.push(n);
            }
            let account = arn_account(&arn);
            return (arn, account);
        }
        notes.push(
            "resource is *: CloudTrail recorded no resources[] for this event; set the ARN if your policies name resources"
                .into(),
        );
        return ("*".into(), None);
    };
    // S3 records the bucket and the object: object operations are authorized on the
    // object, bucket operations on the bucket.
    let wants_object = s3_object_action(action);
    let chosen = with_arn
        .iter()
        .find(|r| {
            let is_object = text(&r.kind) == Some("AWS::S3::Object");
            is_object == wants_object
        })
        .unwrap_or(first);
    if with_arn.len() > 1 {
        notes.push(format!(
            "{} resources were recorded; the request uses {}",
            with_arn.len(),
            text(&chosen.arn).unwrap_or_default()
        ));
    }
    (
        text(&chosen.arn).unwrap_or_default().to_string(),
        text(&chosen.account_id)
            .filter(|a| crate::policy::principal::is_account_id(a))
            .map(str::to_string),
    )
}

/// The resource's ARN built from the parameters that name it (bucket and key, function,
/// role, user, policy, secret, queue, topic, table, key), with a note when part of it
/// cannot be known.
fn from_parameters(e: &Event, action: &str) -> Option<(String, Option<String>)> {
    let p = e.request_parameters.as_ref()?;
    let region = text(&e.aws_region).unwrap_or("*");
    let account = text(&e.recipient_account_id).unwrap_or("*");
    let (service, _) = action.split_once(':')?;
    let (arn, note) = from_parameters_in(p, action, service, region, account)?;
    // The partition of the caller's ARN (aws-us-gov, aws-cn), when it is not aws.
    let partition = e
        .user_identity
        .as_ref()
        .and_then(|u| text(&u.arn))
        .and_then(|a| a.strip_prefix("arn:"))
        .and_then(|a| a.split(':').next())
        .filter(|p| !p.is_empty() && *p != "aws");
    let arn = match partition {
        Some(p) => arn.replacen("arn:aws:", &format!("arn:{p}:"), 1),
        None => arn,
    };
    let note = match (note, arn.contains(":*:")) {
        (Some(n), _) => Some(n),
        (None, true) => Some(format!(
            "the resource {arn} is built from the request's parameters; the record does not say its region or account (*)"
        )),
        (None, false) => None,
    };
    Some((arn, note))
}

/// The 12-digit account of an ARN, when it has one.
fn arn_account(arn: &str) -> Option<String> {
    crate::policy::principal::split_arn(arn)
        .map(|p| p[4].to_string())
        .filter(|a| crate::policy::principal::is_account_id(a))
}

/// S3 actions authorized on the object rather than the bucket.
fn s3_object_action(action: &str) -> bool {
    action.starts_with("s3:")
        && (action.contains("Object")
            || matches!(
                action,
                "s3:AbortMultipartUpload" | "s3:ListMultipartUploadParts"
            ))
}

fn from_parameters_in(
    p: &super::event::RequestParameters,
    action: &str,
    service: &str,
    region: &str,
    account: &str,
) -> Option<(String, Option<String>)> {
    let arn = |s: &str| s.starts_with("arn:").then(|| s.to_string());
    Some(match service {
        "s3" => {
            let bucket = p.bucket_name.get()?;
            match p.key.get().filter(|_| s3_object_action(action)) {
                Some(key) => (format!("arn:aws:s3:::{bucket}/{key}"), None),
                None => (format!("arn:aws:s3:::{bucket}"), None),
            }
        }
        "lambda" => {
            let f = p.function_name.get()?;
            (
                arn(f).unwrap_or_else(|| format!("arn:aws:lambda:{region}:{account}:function:{f}")),
                None,
            )
        }
        "iam" => {
            if let Some(a) = p.policy_arn.get().and_then(arn) {
                (a, None)
            } else if let Some(r) = p.role_name.get() {
                (
                    format!("arn:aws:iam::{account}:role/{r}"),
                    Some("the role's ARN is built from roleName: a path, if the role has one, is not in the record".into()),
                )
            } else {
                let u = p.user_name.get()?;
                (
                    format!("arn:aws:iam::{account}:user/{u}"),
                    Some("the user's ARN is built from userName: a path, if the user has one, is not in the record".into()),
                )
            }
        }
        "secretsmanager" => {
            let id = p.secret_id.get()?;
            match arn(id) {
                Some(a) => (a, None),
                None => (
                    format!("arn:aws:secretsmanager:{region}:{account}:secret:{id}-??????"),
                    Some("the secret is named, not given by ARN: its ARN ends in six random characters, written here as ??????".into()),
                ),
            }
        }
        "sqs" => {
            let url = p.queue_url.get()?;
            let mut parts = url.trim_end_matches('/').rsplit('/');
            let (name, acct) = (parts.next()?, parts.next()?);
            (format!("arn:aws:sqs:{region}:{acct}:{name}"), None)
        }
        "sns" => (p.topic_arn.get().and_then(arn)?, None),
        "dynamodb" => {
            let t = p.table_name.get()?;
            (
                arn(t).unwrap_or_else(|| format!("arn:aws:dynamodb:{region}:{account}:table/{t}")),
                None,
            )
        }
        "kms" => (p.key_id.get().and_then(arn)?, None),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_versions_are_stripped() {
        assert_eq!(
            strip_api_version("CreateFunction20150331"),
            "CreateFunction"
        );
        assert_eq!(
            strip_api_version("UpdateFunctionConfiguration20150331v2"),
            "UpdateFunctionConfiguration"
        );
        assert_eq!(strip_api_version("Invoke"), "Invoke");
        assert_eq!(strip_api_version("GetPolicy2"), "GetPolicy2");
    }

    #[test]
    fn denial_spellings() {
        for code in [
            "AccessDenied",
            "AccessDeniedException",
            "Client.UnauthorizedOperation",
            "UnauthorizedOperation",
            "AuthorizationError",
            "ForbiddenException",
        ] {
            assert!(
                matches!(recorded(Some(code), None), Recorded::Denied { .. }),
                "{code}"
            );
        }
        assert_eq!(recorded(None, None), Recorded::Allowed);
        assert!(matches!(
            recorded(Some("NoSuchEntity"), None),
            Recorded::Failed { .. }
        ));
        assert!(matches!(
            recorded(
                Some("InvalidParameterValue"),
                Some(
                    "User: arn:aws:iam::111122223333:user/a is not authorized to perform: iam:CreateServiceLinkedRole"
                )
            ),
            Recorded::Denied { .. }
        ));
    }

    #[test]
    fn session_arn_to_role() {
        assert_eq!(
            role_of_session("arn:aws:sts::111122223333:assumed-role/deploy/ci-42").as_deref(),
            Some("arn:aws:iam::111122223333:role/deploy")
        );
    }

    #[test]
    fn event_sources_map_to_prefixes() {
        let mut notes = Vec::new();
        assert_eq!(
            action_for("monitoring.amazonaws.com", "GetMetricData", &mut notes).as_deref(),
            Some("cloudwatch:GetMetricData")
        );
        assert_eq!(
            action_for("s3.amazonaws.com", "ListObjectsV2", &mut notes).as_deref(),
            Some("s3:ListBucket")
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(action_for("AWS Internal", "X", &mut notes), None);
    }
}
