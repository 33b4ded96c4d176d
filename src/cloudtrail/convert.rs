//! One CloudTrail event to one request: the action from eventSource and eventName,
//! the principal from userIdentity, and the global context keys CloudTrail lets us
//! derive. What the record does not say is listed as a note, never guessed.

use super::event::{Event, Text};
use super::mapping::{self, Fill, Resolved};
use crate::eval::{ContextValue, Request, Scalar};
use crate::policy::principal::is_account_id;
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

/// Services whose role sessions with invokedBy are read as the service using a service
/// role it was given (CloudFormation's stack role, AWS Config's recorder role) rather
/// than as calls it forwarded for the session.
const SERVICE_ROLE_USERS: &[&str] = &["cloudformation.amazonaws.com", "config.amazonaws.com"];

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

/// The action authorizing an event of `source` (`s3.amazonaws.com`) named `name`, from
/// the generated map ([`mapping`]), or why no IAM action authorizes it.
pub fn action_for(source: &str, name: &str) -> Result<Resolved<'static>, Skipped> {
    let host = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    if host.is_empty()
        || name.is_empty()
        || host.contains(|c: char| c.is_whitespace() || c == ':' || c == '/')
    {
        return Err(skip("eventSource is not a service endpoint"));
    }
    mapping::map().resolve(host, name).map_err(skip)
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
    let resolved = action_for(source, name)?;
    let action = resolved.action.clone();
    let entry = resolved.entry;
    if entry.is_some_and(|e| !e.verbs.is_empty()) {
        b.note(format!(
            "API Gateway authorizes {name} as the HTTP method {action} on the API's path"
        ));
    } else if action
        .split_once(':')
        .is_some_and(|(_, a)| !a.eq_ignore_ascii_case(&resolved.operation))
    {
        b.note(format!("CloudTrail's {name} is authorized as {action}"));
    }
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

    // From where, and through whom (docs/semantics.md, "CloudTrail events as
    // requests"). The console and AWS-internal shapes are the caller's own calls.
    let console = |s: &str| {
        matches!(
            s,
            "signin.amazonaws.com" | "console.amazonaws.com" | "AWS Internal"
        )
    };
    let by_console = invoked_by.is_some_and(console) || source_ip.is_some_and(console);
    let service = invoked_by
        .filter(|s| is_service_name(s) && !console(s))
        .or_else(|| source_ip.filter(|s| is_service_name(s) && !console(s)));
    // A role session a service calls with: the service acting with a role of its own
    // (its service-linked role, or a service role it was given) makes no forwarded
    // call, and AWS sets aws:ViaAWSService false; a person's or workload's session that
    // the service forwards (S3 decrypting with KMS for the caller) is a forward access
    // session. The record does not say which: service-linked roles are known by their
    // path, and the services in SERVICE_ROLE_USERS are read as using a service role.
    let service_linked = id
        .session_context
        .as_ref()
        .and_then(|s| s.session_issuer.as_ref())
        .and_then(|i| text(&i.arn))
        .is_some_and(|a| a.contains(":role/aws-service-role/"));
    let session_service = service.filter(|_| kind == "AssumedRole" && !by_console);
    let own_role =
        session_service.is_some_and(|s| service_linked || SERVICE_ROLE_USERS.contains(&s));
    match session_service {
        Some(s) if own_role && !service_linked => b.note(format!(
            "a role session that {s} calls with is read as {s} using a service role (aws:ViaAWSService false); were it the caller's own session that {s} forwarded, aws:ViaAWSService would be true"
        )),
        Some(s) if !own_role => b.note(format!(
            "a role session that {s} calls with is read as a call {s} forwarded for the role's session (aws:ViaAWSService true); were the role a service role {s} assumed itself, aws:ViaAWSService would be false"
        )),
        _ => {}
    }
    let direct = kind == "AWSService" || own_role || by_console;
    let via_service = service.filter(|_| !direct);
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
        None if direct => b.set("aws:ViaAWSService", "false"),
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
    let (resource, resource_account) = pick_resource(e, &resolved, &mut b.notes);
    if let Some(a) = &resource_account {
        b.set("aws:ResourceAccount", a);
    }
    // Parameters that are the action's condition keys (iam:PolicyARN of AttachRolePolicy).
    if let Some(p) = e.request_parameters.as_ref() {
        for (key, param) in mapping::map().keys(&action) {
            if let Some(v) = p.get(param) {
                b.set(key, v);
            }
        }
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

/// The resource of the request: of the action's resource types in the catalog, the
/// recorded resource that is one; else the resource a denial message names; else the
/// one the request parameters name; else `*` with a note. An action without resource
/// types acts on `*`.
fn pick_resource(
    e: &Event,
    resolved: &Resolved,
    notes: &mut Vec<String>,
) -> (String, Option<String>) {
    let action = resolved.action.as_str();
    let types = mapping::resource_types(action);
    if types.is_empty() {
        return ("*".into(), None);
    }
    let recorded: Vec<_> = e
        .resources
        .iter()
        .flatten()
        .filter_map(|r| text(&r.arn).map(|a| (a, r)))
        .collect();
    // The recorded resources of a type the action acts on; of those, one whose recorded
    // type (AWS::S3::Object) names the catalog's (object) first: an object ARN is also
    // a bucket ARN's shape.
    let named_type = |kind: Option<&str>, arn: &str| {
        let kind = kind.and_then(|k| k.rsplit("::").next()).unwrap_or_default();
        types.iter().any(|t| {
            t.name.replace('-', "").eq_ignore_ascii_case(kind)
                && t.arn_formats().any(|f| mapping::arn_matches(f, arn))
        })
    };
    let fitting: Vec<_> = recorded
        .iter()
        .filter(|(a, _)| mapping::fits(action, a))
        .collect();
    let chosen = fitting
        .iter()
        .find(|(a, r)| named_type(text(&r.kind), a))
        .or(fitting.first());
    if let Some((arn, r)) = chosen {
        if recorded.len() > 1 {
            notes.push(format!(
                "{} resources were recorded; the request uses {arn}",
                recorded.len()
            ));
        }
        let account = text(&r.account_id)
            .filter(|a| is_account_id(a))
            .map(str::to_string)
            .or_else(|| arn_account(arn));
        return (arn.to_string(), account);
    }
    if !recorded.is_empty() {
        notes.push(format!(
            "the recorded resources ({}) are of no type {action} acts on",
            recorded
                .iter()
                .map(|(a, _)| *a)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // A denial's message names the resource: "… is not authorized to perform: A on
    // resource: ARN because …" (or "with an explicit deny …"). Only when the message is
    // about this event's action: a call can fail because a call it made was denied
    // (Client VPN's service-linked role).
    let named = text(&e.error_message)
        .and_then(|m| m.split_once("perform: "))
        .and_then(|(_, rest)| rest.split_once(" on resource: "))
        .filter(|(denied, _)| denied.eq_ignore_ascii_case(action))
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .map(|r| r.trim_end_matches([',', '.', ';']))
        .filter(|r| mapping::fits(action, r));
    if let Some(arn) = named {
        return (arn.to_string(), arn_account(arn));
    }
    if let Some(arn) = from_parameters(e, resolved, notes) {
        let account = arn_account(&arn);
        return (arn, account);
    }
    notes.push(format!(
        "resource is *: the record names no resource of a type {action} acts on; set the ARN if your policies name resources"
    ));
    ("*".into(), None)
}

/// Where a resource named (not given by ARN) in the parameters is: the caller's
/// partition, the event's region, and the caller's account (a name alone can only
/// name a resource of the account that calls).
struct Place<'x> {
    partition: &'x str,
    region: Option<&'x str>,
    account: Option<&'x str>,
}

impl<'x> Place<'x> {
    fn of(e: &'x Event) -> Place<'x> {
        let id = e.user_identity.as_ref();
        let partition = id
            .and_then(|u| text(&u.arn))
            .and_then(|a| a.strip_prefix("arn:"))
            .and_then(|a| a.split(':').next())
            .filter(|p| !p.is_empty())
            .unwrap_or("aws");
        let account = id
            .and_then(|u| text(&u.account_id))
            .filter(|a| is_account_id(a))
            .or_else(|| text(&e.recipient_account_id).filter(|a| is_account_id(a)));
        Place {
            partition,
            region: text(&e.aws_region),
            account,
        }
    }
}

/// The resource's ARN built from the request parameters the map names for the event
/// (HTTP paths for API Gateway), checked to be of one of the action's resource types,
/// with a note where part of it is not in the record.
fn from_parameters(e: &Event, resolved: &Resolved, notes: &mut Vec<String>) -> Option<String> {
    // `"requestParameters": null` is a call without parameters.
    let none = super::event::RequestParameters::default();
    let p = e.request_parameters.as_ref().unwrap_or(&none);
    let action = resolved.action.as_str();
    let place = Place::of(e);
    let entry = resolved.entry;
    if let Some(entry) = entry.filter(|e| !e.verbs.is_empty()) {
        let method = action.split_once(':').map_or("", |(_, m)| m);
        let region = place.region?;
        return entry
            .verbs
            .iter()
            .filter(|(m, _)| m.eq_ignore_ascii_case(method))
            .filter_map(|(_, path)| fill_path(path, |name| p.get(name)))
            .map(|path| format!("arn:{}:apigateway:{region}::{path}", place.partition))
            .find(|arn| mapping::fits(action, arn));
    }
    let types = mapping::resource_types(action);
    for spec in entry.map_or(&[][..], |e| e.resources.as_slice()) {
        let Some(rt) = types.iter().find(|t| t.name == spec.type_name) else {
            continue;
        };
        for format in rt.arn_formats() {
            if let Some((arn, note)) = fill_format(format, &spec.fill, p, &place) {
                if mapping::arn_matches(format, &arn) {
                    notes.extend(note);
                    return Some(arn);
                }
            }
        }
    }
    // IAM's user calls without userName act on the calling user ("If you do not
    // specify a user name, IAM determines the user name implicitly based on the access
    // key ID used to sign the request": IAM API reference, GetUser and others).
    let caller = e
        .user_identity
        .as_ref()
        .filter(|u| text(&u.kind) == Some("IAMUser"));
    if action.starts_with("iam:") && p.get("userName").is_none() {
        if let Some(arn) = caller.and_then(|u| text(&u.arn)) {
            if mapping::fits(action, arn) && types.iter().any(|t| t.name == "user") {
                notes.push(
                    "no userName: IAM acts on the calling user, whose ARN is the resource".into(),
                );
                return Some(arn.to_string());
            }
        }
    }
    // SQS names its queue by URL: https://sqs.REGION.amazonaws.com/ACCOUNT/NAME.
    if action.starts_with("sqs:") {
        let url = p.get("queueUrl")?;
        let mut parts = url.trim_end_matches('/').rsplit('/');
        let (name, account) = (parts.next()?, parts.next()?);
        let arn = format!(
            "arn:{}:sqs:{}:{account}:{name}",
            place.partition, place.region?
        );
        return mapping::fits(action, &arn).then_some(arn);
    }
    None
}

/// `/restapis/{restApiId}/deployments` with its parameters filled in.
fn fill_path<'p>(path: &str, get: impl Fn(&str) -> Option<&'p str>) -> Option<String> {
    let mut out = String::with_capacity(path.len() + 16);
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let end = rest[start..].find('}')? + start;
        let value = get(&rest[start + 1..end])?;
        if value.contains('/') {
            return None;
        }
        out.push_str(&rest[..start]);
        out.push_str(value);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// An ARN format filled from the parameters, with a note on what the record leaves out.
fn fill_format(
    format: &str,
    fill: &Fill,
    p: &super::event::RequestParameters,
    place: &Place,
) -> Option<(String, Option<String>)> {
    let vars = match fill {
        Fill::Whole(param) => {
            let arn = p.get(param).filter(|a| a.starts_with("arn:"))?;
            return Some((arn.to_string(), None));
        }
        Fill::Vars(vars) => vars,
    };
    let mut out = String::with_capacity(format.len() + 32);
    let mut note = None;
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        let end = rest[start..].find('}')? + start;
        let var = &rest[start + 2..end];
        out.push_str(&rest[..start]);
        rest = &rest[end + 1..];
        let value = match var {
            "Partition" => place.partition,
            "Region" => place.region?,
            "Account" => place.account?,
            _ => {
                let param = vars.iter().find(|(v, _)| *v == var)?.1;
                let value = p.get(param)?;
                if value.starts_with("arn:") {
                    // A name parameter that also takes an ARN (Lambda's functionName,
                    // KMS's keyId, Secrets Manager's secretId): the ARN is the resource.
                    return rest.is_empty().then(|| (value.to_string(), None));
                }
                if value.contains(':') || value.starts_with("alias/") {
                    // A partial ARN or a KMS alias: not a name this format takes.
                    return None;
                }
                // SSM's parameter ARN holds the name without its leading slash.
                let value = if var.ends_with("WithoutLeadingSlash") {
                    value.strip_prefix('/').unwrap_or(value)
                } else {
                    value
                };
                if var.ends_with("WithPath") {
                    note = Some(format!(
                        "the ARN is built from {param}: a path, if the resource has one, is not in the record"
                    ));
                }
                if format.contains(":secretsmanager:") && var == "SecretId" {
                    out.push_str(value);
                    out.push_str("-??????");
                    note = Some("the secret is named, not given by ARN: its ARN ends in six random characters, written here as ??????".into());
                    continue;
                }
                value
            }
        };
        out.push_str(value);
    }
    out.push_str(rest);
    Some((out, note))
}

/// The 12-digit account of an ARN, when it has one.
fn arn_account(arn: &str) -> Option<String> {
    crate::policy::principal::split_arn(arn)
        .map(|p| p[4].to_string())
        .filter(|a| is_account_id(a))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn event_sources_map_to_actions() {
        let a = |s: &str, n: &str| action_for(s, n).map(|r| r.action);
        assert_eq!(
            a("monitoring.amazonaws.com", "GetMetricData").unwrap(),
            "cloudwatch:GetMetricData"
        );
        assert_eq!(
            a("s3.amazonaws.com", "ListObjectsV2").unwrap(),
            "s3:ListBucket"
        );
        assert!(a("AWS Internal", "X").is_err());
        assert!(a("aws:s3", "event-type").is_err());
    }
}
