//! Request presets (SPEC §5): set a request's context keys the way AWS would for a
//! direct call, a call a service makes on your behalf, a call through a VPC endpoint, a
//! service-linked role acting, or a service principal acting itself. The last two
//! change who is calling: the whole principal (the request's `principal` and every
//! `aws:` key that describes it), and so which of the scenario's policies apply
//! ([`policies_note`] says which). [`Caller`] keeps the caller from before such a
//! preset, so that going back to a caller's preset restores it.

use super::PolicySource;
use crate::eval::{ContextValue, Request, Scalar};
use crate::policy::principal::PrincipalRef;
use crate::policy::{BoundPrincipal, PolicyKind};

/// What `aws:SourceIp` holds in a call a service makes on the caller's behalf. AWS's
/// current documentation says the caller's IP; older pages and field reports (the
/// Client VPN case) show the service's address: iamtrace makes it a setting **(choice)**.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedSourceIp {
    /// The caller's own public IP is kept.
    CallerIp,
    /// The address of the AWS service making the call.
    ServiceAddress,
    /// No aws:SourceIp at all.
    Absent,
}

/// A preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// The caller's own call.
    DirectCall,
    /// A call a service makes on the caller's behalf (forward access session).
    OnBehalf(ForwardedSourceIp),
    /// A call through a VPC endpoint.
    VpcEndpoint,
    /// A service-linked role (or service role) acting as the principal: a session of
    /// the role makes the call.
    ServiceLinkedRole,
    /// A service principal acting itself (a bucket notification): `SERVICE.amazonaws.com`
    /// makes the call for a resource of the account.
    ServicePrincipal,
}

impl Preset {
    /// Every preset, in the order a user cycles through them.
    pub const ALL: [Preset; 7] = [
        Preset::DirectCall,
        Preset::OnBehalf(ForwardedSourceIp::CallerIp),
        Preset::OnBehalf(ForwardedSourceIp::ServiceAddress),
        Preset::OnBehalf(ForwardedSourceIp::Absent),
        Preset::VpcEndpoint,
        Preset::ServiceLinkedRole,
        Preset::ServicePrincipal,
    ];

    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Preset::DirectCall => "direct call",
            Preset::OnBehalf(ForwardedSourceIp::CallerIp) => {
                "on your behalf, your IP kept (choice)"
            }
            Preset::OnBehalf(ForwardedSourceIp::ServiceAddress) => {
                "on your behalf, from the service's address (choice)"
            }
            Preset::OnBehalf(ForwardedSourceIp::Absent) => "on your behalf, no source IP (choice)",
            Preset::VpcEndpoint => "through a VPC endpoint",
            Preset::ServiceLinkedRole => "service-linked role acting",
            Preset::ServicePrincipal => "service principal acting itself",
        }
    }

    /// True for the presets that change who is calling (the request's principal);
    /// the others keep the caller and set how the call is made.
    pub fn changes_caller(self) -> bool {
        matches!(self, Preset::ServiceLinkedRole | Preset::ServicePrincipal)
    }
}

/// Addresses and names a preset fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetValues {
    /// The caller's public IP.
    pub caller_ip: String,
    /// An address of the AWS service.
    pub service_address: String,
    /// The service acting (`ec2.amazonaws.com`): the one that calls on the caller's
    /// behalf, and whose service-linked role acts.
    pub service: String,
    /// VPC endpoint id.
    pub vpce: String,
    /// VPC id.
    pub vpc: String,
    /// The caller's private address inside the VPC.
    pub vpc_source_ip: String,
    /// The service principal that acts itself (`s3.amazonaws.com`, sending a bucket's
    /// notifications).
    pub source_service: String,
    /// The resource it acts for (`aws:SourceArn`).
    pub source_arn: String,
}

impl Default for PresetValues {
    fn default() -> Self {
        PresetValues {
            caller_ip: "203.0.113.5".into(),
            service_address: "52.95.4.1".into(),
            service: "ec2.amazonaws.com".into(),
            vpce: "vpce-0abc123def4567890".into(),
            vpc: "vpc-0a1b2c3d".into(),
            vpc_source_ip: "10.0.1.25".into(),
            source_service: "s3.amazonaws.com".into(),
            source_arn: "arn:aws:s3:::amzn-s3-demo-bucket".into(),
        }
    }
}

/// The unique id shown in `aws:userid` for the service-linked role (`AROA…`, a
/// role's id, then `:SESSION`); an example value, as AWS documents them.
const SERVICE_ROLE_ID: &str = "AROAEXAMPLESERVICEROL";
/// The account used when the request names none.
const EXAMPLE_ACCOUNT: &str = "111122223333";

fn set(r: &mut Request, key: &str, value: ContextValue) {
    match r
        .context
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
    {
        Some(entry) => entry.1 = value,
        None => r.context.push((key.to_string(), value)),
    }
}

fn one(text: &str) -> ContextValue {
    ContextValue::One(Scalar::string(text))
}

fn remove(r: &mut Request, keys: &[&str]) {
    r.context
        .retain(|(k, _)| !keys.iter().any(|x| x.eq_ignore_ascii_case(k)));
}

fn get<'a>(r: &'a Request, key: &str) -> Option<&'a ContextValue> {
    r.context
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

const VIA: [&str; 3] = ["aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"];
const VPC: [&str; 3] = ["aws:SourceVpce", "aws:SourceVpc", "aws:VpcSourceIp"];
/// The keys that describe who is calling (SPEC §5), besides `aws:PrincipalTag/…`:
/// a preset that changes the caller sets or removes every one of them.
const PRINCIPAL_KEYS: [&str; 14] = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:SourceArn",
    "aws:SourceAccount",
];

/// True for a context key that describes who is calling.
fn is_principal_key(key: &str) -> bool {
    PRINCIPAL_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
        || key
            .get(..17)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:PrincipalTag/"))
}

/// Removes every key that describes the caller.
fn remove_principal_keys(r: &mut Request) {
    r.context.retain(|(k, _)| !is_principal_key(k));
}

/// The account a caller-changing preset acts in: the principal's, or — once a
/// service principal calls, which has none — the account it acts for; so applying
/// the preset again gives the same request.
fn acting_account(r: &Request) -> String {
    let text = |key: &str| match get(r, key) {
        Some(ContextValue::One(s)) if crate::policy::principal::is_account_id(&s.text) => {
            Some(s.text.clone())
        }
        _ => None,
    };
    PrincipalRef::parse(&r.principal)
        .account()
        .map(str::to_string)
        .or_else(|| text("aws:SourceAccount"))
        .or_else(|| r.resource_account.clone())
        .unwrap_or_else(|| EXAMPLE_ACCOUNT.to_string())
}

/// `ec2.amazonaws.com` → `EC2`, the suffix of its service-linked role's name.
fn role_suffix(service: &str) -> String {
    service
        .trim_end_matches(".amazonaws.com")
        .to_ascii_uppercase()
}

/// Sets `r`'s context keys as `preset` says, keeping every other key. A preset that
/// changes the caller ([`Preset::changes_caller`]) replaces the principal and every
/// key describing it; the others keep the caller (see [`Caller`] to bring one back).
pub fn apply(preset: Preset, r: &mut Request, v: &PresetValues) {
    match preset {
        Preset::DirectCall => {
            remove(r, &VIA);
            remove(r, &VPC);
            set(r, "aws:ViaAWSService", one("false"));
            set(r, "aws:SourceIp", one(&v.caller_ip));
        }
        Preset::OnBehalf(ip) => {
            remove(r, &VPC);
            set(r, "aws:ViaAWSService", one("true"));
            set(
                r,
                "aws:CalledVia",
                ContextValue::Many(vec![Scalar::string(&v.service)]),
            );
            set(r, "aws:CalledViaFirst", one(&v.service));
            set(r, "aws:CalledViaLast", one(&v.service));
            // Kept as the caller had it; false when the caller had none.
            if get(r, "aws:MultiFactorAuthPresent").is_none() {
                set(r, "aws:MultiFactorAuthPresent", one("false"));
            }
            match ip {
                ForwardedSourceIp::CallerIp => set(r, "aws:SourceIp", one(&v.caller_ip)),
                ForwardedSourceIp::ServiceAddress => {
                    set(r, "aws:SourceIp", one(&v.service_address))
                }
                ForwardedSourceIp::Absent => remove(r, &["aws:SourceIp"]),
            }
        }
        Preset::VpcEndpoint => {
            remove(r, &VIA);
            remove(r, &["aws:SourceIp"]);
            set(r, "aws:ViaAWSService", one("false"));
            set(r, "aws:SourceVpce", one(&v.vpce));
            set(r, "aws:SourceVpc", one(&v.vpc));
            set(r, "aws:VpcSourceIp", one(&v.vpc_source_ip));
        }
        Preset::ServiceLinkedRole => {
            let account = acting_account(r);
            let suffix = role_suffix(&v.service);
            let name = format!("AWSServiceRoleFor{suffix}");
            // The role acts through a session of it: the request's principal is the
            // session; aws:PrincipalArn is the role's ARN (with its path).
            let role = format!(
                "arn:aws:iam::{account}:role/aws-service-role/{}/{name}",
                v.service
            );
            r.principal = format!("arn:aws:sts::{account}:assumed-role/{name}/{suffix}");
            remove(r, &VIA);
            remove(r, &VPC);
            // The caller's keys (its name, tags, MFA) are not the role's; its
            // organization is the same account's, kept.
            r.context.retain(|(k, _)| {
                !is_principal_key(k)
                    || k.eq_ignore_ascii_case("aws:PrincipalOrgID")
                    || k.eq_ignore_ascii_case("aws:PrincipalOrgPaths")
            });
            set(r, "aws:ViaAWSService", one("false"));
            set(r, "aws:PrincipalIsAWSService", one("false"));
            set(r, "aws:PrincipalArn", one(&role));
            set(r, "aws:PrincipalAccount", one(&account));
            set(r, "aws:PrincipalType", one("AssumedRole"));
            set(r, "aws:userid", one(&format!("{SERVICE_ROLE_ID}:{suffix}")));
            // A role session's temporary credentials, without MFA.
            set(r, "aws:MultiFactorAuthPresent", one("false"));
            set(r, "aws:SourceIp", one(&v.service_address));
        }
        Preset::ServicePrincipal => {
            let account = acting_account(r);
            r.principal = v.source_service.clone();
            remove(r, &VIA);
            remove(r, &VPC);
            // A service principal is no IAM principal: no ARN, account, type, user id,
            // tags or organization of a caller.
            remove_principal_keys(r);
            set(r, "aws:ViaAWSService", one("false"));
            set(r, "aws:PrincipalIsAWSService", one("true"));
            set(r, "aws:PrincipalServiceName", one(&v.source_service));
            set(r, "aws:SourceArn", one(&v.source_arn));
            set(r, "aws:SourceAccount", one(&account));
            set(r, "aws:SourceIp", one(&v.service_address));
        }
    }
}

/// The preset a request's context matches, if any. The context's order does not
/// count (a preset that adds a key puts it last; applied again, it finds it in place).
pub fn detect(r: &Request, v: &PresetValues) -> Option<Preset> {
    fn sorted(r: &Request) -> Vec<&(String, ContextValue)> {
        let mut c: Vec<&(String, ContextValue)> = r.context.iter().collect();
        c.sort_by(|a, b| a.0.cmp(&b.0));
        c
    }
    let mine = sorted(r);
    Preset::ALL.into_iter().find(|p| {
        let mut copy = r.clone();
        apply(*p, &mut copy, v);
        copy.principal == r.principal
            && copy.action == r.action
            && copy.resource == r.resource
            && copy.resource_account == r.resource_account
            && sorted(&copy) == mine
    })
}

/// Who was calling before a preset changed the caller: the principal and every key
/// describing it, where they were in the context. [`Caller::restore`] puts them back.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    principal: String,
    /// The caller's keys with their places in the context.
    keys: Vec<(usize, String, ContextValue)>,
    /// The principal the preset made (the caller is restored only while the request is
    /// still made by it).
    acting: Option<String>,
}

impl Caller {
    /// The caller of `r`.
    pub fn of(r: &Request) -> Self {
        Caller {
            principal: r.principal.clone(),
            keys: r
                .context
                .iter()
                .enumerate()
                .filter(|(_, (k, _))| is_principal_key(k))
                .map(|(i, (k, v))| (i, k.clone(), v.clone()))
                .collect(),
            acting: None,
        }
    }

    /// The principal the caller was.
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// Notes that a preset made `r`'s principal the one acting in the caller's place.
    pub fn acting_as(mut self, r: &Request) -> Self {
        self.acting = Some(r.principal.clone());
        self
    }

    /// True when `r` is still made by the principal a preset put in the caller's
    /// place (a principal typed since is the user's, not the preset's).
    pub fn replaced_in(&self, r: &Request) -> bool {
        self.acting.as_deref() == Some(r.principal.as_str())
    }

    /// `r` made by the caller again: its principal, and the keys describing it where
    /// they were (those of the acting principal removed).
    pub fn restore(&self, r: &mut Request) {
        r.principal = self.principal.clone();
        remove_principal_keys(r);
        for (i, k, v) in &self.keys {
            let at = (*i).min(r.context.len());
            r.context.insert(at, (k.clone(), v.clone()));
        }
    }
}

/// Which of the scenario's identity, boundary and session policies apply to requests
/// by `principal`, in words for the status line: those bound to it, those bound to no
/// principal (which apply to every caller: said, so a preset that changes the caller
/// does not pretend they stop applying) and those bound to others.
pub fn policies_note(sources: &[PolicySource], principal: &str) -> String {
    let who = PrincipalRef::parse(principal);
    if !who.is_iam() {
        return format!(
            "{} has no identity policies: only resource policies can allow it",
            describe_principal(&who)
        );
    }
    let (mut bound, mut unbound, mut others) = (0, 0, 0);
    for s in sources.iter().filter(|s| {
        matches!(
            s.kind,
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
        )
    }) {
        match s.principal.as_deref().and_then(BoundPrincipal::new) {
            None => unbound += 1,
            Some(b) if b.covers(&who) => bound += 1,
            Some(_) => others += 1,
        }
    }
    // "1 … applies", "2 … apply".
    let n = |count: usize, one: &str, many: &str| {
        format!("{count} {}", if count == 1 { one } else { many })
    };
    let mut parts = Vec::new();
    if bound > 0 {
        parts.push(n(bound, "bound to it applies", "bound to it apply"));
    }
    if others > 0 {
        parts.push(n(
            others,
            "bound to another principal does not",
            "bound to other principals do not",
        ));
    }
    if unbound > 0 {
        parts.push(format!(
            "{} (with no \"principal\" a policy applies to every caller: bind it to its principal to tell callers apart)",
            n(unbound, "unbound still applies to it", "unbound still apply to it")
        ));
    }
    if parts.is_empty() {
        return "the scenario has no identity, boundary or session policy".to_string();
    }
    format!("identity/boundary/session policies: {}", parts.join("; "))
}

fn describe_principal(who: &PrincipalRef) -> &'static str {
    match who {
        PrincipalRef::Service { .. } => "a service principal",
        PrincipalRef::Anonymous => "an anonymous caller",
        _ => "this principal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: &Request, key: &str) -> Option<String> {
        match get(r, key)? {
            ContextValue::One(s) => Some(s.text.clone()),
            ContextValue::Many(v) => Some(
                v.iter()
                    .map(|s| s.text.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        }
    }

    /// Alice as a scenario states her: her name, id, tags and MFA.
    fn alice_in_full() -> Request {
        let mut r = alice();
        for (k, v) in [
            ("aws:PrincipalArn", "arn:aws:iam::111122223333:user/alice"),
            ("aws:PrincipalAccount", "111122223333"),
            ("aws:PrincipalType", "User"),
            ("aws:userid", "AIDAEXAMPLEALICE00001"),
            ("aws:username", "alice"),
            ("aws:PrincipalTag/team", "blue"),
            ("aws:PrincipalOrgID", "o-example"),
            ("aws:MultiFactorAuthPresent", "true"),
            ("aws:MultiFactorAuthAge", "300"),
        ] {
            r.context.push((k.into(), one(v)));
        }
        apply(Preset::DirectCall, &mut r, &PresetValues::default());
        r
    }

    #[test]
    fn a_service_linked_role_replaces_the_whole_principal() {
        let v = PresetValues::default();
        let mut r = alice_in_full();
        apply(Preset::ServiceLinkedRole, &mut r, &v);
        assert_eq!(
            r.principal,
            "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForEC2/EC2"
        );
        assert!(PrincipalRef::parse(&r.principal).is_service_linked_role());
        assert_eq!(
            text(&r, "aws:PrincipalArn").as_deref(),
            Some(
                "arn:aws:iam::111122223333:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2"
            )
        );
        assert_eq!(
            text(&r, "aws:PrincipalAccount").as_deref(),
            Some("111122223333")
        );
        assert_eq!(
            text(&r, "aws:PrincipalType").as_deref(),
            Some("AssumedRole")
        );
        assert_eq!(
            text(&r, "aws:userid").as_deref(),
            Some("AROAEXAMPLESERVICEROL:EC2")
        );
        assert_eq!(
            text(&r, "aws:PrincipalIsAWSService").as_deref(),
            Some("false")
        );
        assert_eq!(text(&r, "aws:ViaAWSService").as_deref(), Some("false"));
        assert_eq!(
            text(&r, "aws:MultiFactorAuthPresent").as_deref(),
            Some("false")
        );
        // Alice's own keys are gone; the organization (the same account's) stays.
        for gone in [
            "aws:username",
            "aws:PrincipalTag/team",
            "aws:MultiFactorAuthAge",
            "aws:CalledVia",
        ] {
            assert_eq!(text(&r, gone), None, "{gone}");
        }
        assert_eq!(text(&r, "aws:PrincipalOrgID").as_deref(), Some("o-example"));
        assert_eq!(
            text(&r, "aws:RequestedRegion").as_deref(),
            Some("ca-central-1")
        );
        assert_eq!(detect(&r, &v), Some(Preset::ServiceLinkedRole));
    }

    #[test]
    fn a_service_principal_acting_itself_has_no_caller_keys() {
        let v = PresetValues::default();
        let mut r = alice_in_full();
        apply(Preset::ServicePrincipal, &mut r, &v);
        assert_eq!(r.principal, "s3.amazonaws.com");
        assert_eq!(
            text(&r, "aws:PrincipalIsAWSService").as_deref(),
            Some("true")
        );
        assert_eq!(
            text(&r, "aws:PrincipalServiceName").as_deref(),
            Some("s3.amazonaws.com")
        );
        assert_eq!(
            text(&r, "aws:SourceArn").as_deref(),
            Some("arn:aws:s3:::amzn-s3-demo-bucket")
        );
        assert_eq!(
            text(&r, "aws:SourceAccount").as_deref(),
            Some("111122223333")
        );
        assert_eq!(text(&r, "aws:ViaAWSService").as_deref(), Some("false"));
        for gone in [
            "aws:PrincipalArn",
            "aws:PrincipalAccount",
            "aws:PrincipalType",
            "aws:userid",
            "aws:username",
            "aws:PrincipalTag/team",
            "aws:PrincipalOrgID",
            "aws:MultiFactorAuthPresent",
        ] {
            assert_eq!(text(&r, gone), None, "{gone}");
        }
        // Applied again (the account now from aws:SourceAccount): the same request.
        assert_eq!(detect(&r, &v), Some(Preset::ServicePrincipal));
    }

    #[test]
    fn the_caller_comes_back_exactly() {
        let v = PresetValues::default();
        let original = alice_in_full();
        let mut r = original.clone();
        let caller = Caller::of(&r);
        apply(Preset::ServiceLinkedRole, &mut r, &v);
        apply(Preset::ServicePrincipal, &mut r, &v);
        let caller = caller.acting_as(&r);
        assert!(caller.replaced_in(&r));
        caller.restore(&mut r);
        apply(Preset::DirectCall, &mut r, &v);
        assert_eq!(r, original);
        // A principal typed since is the user's: not the preset's to replace.
        r.principal = "arn:aws:iam::111122223333:user/bob".into();
        assert!(!caller.replaced_in(&r));
    }

    #[test]
    fn the_note_says_which_policies_apply_and_that_unbound_ones_still_do() {
        let src = |kind, principal: Option<&str>| PolicySource {
            kind,
            name: None,
            level: None,
            attached_to: None,
            principal: principal.map(str::to_string),
            text: String::new(),
            form: super::super::DocumentForm::Inline,
            at: None,
        };
        let alice = "arn:aws:iam::111122223333:user/alice";
        let slr = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForEC2/EC2";
        let old = [
            src(PolicyKind::Identity, None),
            src(PolicyKind::Identity, None),
        ];
        let note = policies_note(&old, slr);
        assert!(note.contains("2 unbound still apply to it"), "{note}");
        let bound = [
            src(PolicyKind::Identity, Some(alice)),
            src(PolicyKind::Boundary, Some(alice)),
            src(
                PolicyKind::Identity,
                Some(
                    "arn:aws:iam::111122223333:role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2",
                ),
            ),
            src(PolicyKind::Resource, None),
        ];
        let note = policies_note(&bound, slr);
        assert_eq!(
            note,
            "identity/boundary/session policies: 1 bound to it applies; 2 bound to other principals do not"
        );
        let note = policies_note(&bound, alice);
        assert!(
            note.contains("2 bound to it apply; 1 bound to another principal does not"),
            "{note}"
        );
        let note = policies_note(&bound, "s3.amazonaws.com");
        assert!(
            note.starts_with("a service principal has no identity policies"),
            "{note}"
        );
    }

    fn alice() -> Request {
        Request {
            principal: "arn:aws:iam::111122223333:user/alice".into(),
            action: "kms:DescribeKey".into(),
            resource: "*".into(),
            resource_account: None,
            context: vec![("aws:RequestedRegion".into(), one("ca-central-1"))],
        }
    }

    #[test]
    fn on_behalf_sets_the_forward_access_keys_and_keeps_the_rest() {
        let v = PresetValues::default();
        let mut r = alice();
        apply(
            Preset::OnBehalf(ForwardedSourceIp::ServiceAddress),
            &mut r,
            &v,
        );
        assert_eq!(get(&r, "aws:ViaAWSService"), Some(&one("true")));
        assert_eq!(get(&r, "aws:SourceIp"), Some(&one("52.95.4.1")));
        assert!(matches!(
            get(&r, "aws:CalledVia"),
            Some(ContextValue::Many(_))
        ));
        assert_eq!(get(&r, "aws:RequestedRegion"), Some(&one("ca-central-1")));
        assert_eq!(
            detect(&r, &v),
            Some(Preset::OnBehalf(ForwardedSourceIp::ServiceAddress))
        );
        apply(Preset::DirectCall, &mut r, &v);
        assert!(get(&r, "aws:CalledVia").is_none());
        assert_eq!(get(&r, "aws:SourceIp"), Some(&one("203.0.113.5")));
        apply(Preset::VpcEndpoint, &mut r, &v);
        assert!(get(&r, "aws:SourceIp").is_none());
        assert!(get(&r, "aws:SourceVpce").is_some());
    }
}
