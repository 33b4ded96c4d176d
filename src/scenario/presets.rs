//! Request presets (SPEC §5): set a request's context keys the way AWS would for a
//! direct call, a call a service makes on your behalf, a call through a VPC endpoint, a
//! service-linked role acting, or a service principal acting itself.

use crate::eval::{ContextValue, Request, Scalar};
use crate::policy::principal::PrincipalRef;

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
    /// A service-linked role (or service role) acting as the principal.
    ServiceLinkedRole,
}

impl Preset {
    /// Every preset, in the order a user cycles through them.
    pub const ALL: [Preset; 6] = [
        Preset::DirectCall,
        Preset::OnBehalf(ForwardedSourceIp::CallerIp),
        Preset::OnBehalf(ForwardedSourceIp::ServiceAddress),
        Preset::OnBehalf(ForwardedSourceIp::Absent),
        Preset::VpcEndpoint,
        Preset::ServiceLinkedRole,
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
        }
    }
}

/// Addresses and names a preset fills in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetValues {
    /// The caller's public IP.
    pub caller_ip: String,
    /// An address of the AWS service.
    pub service_address: String,
    /// The service acting (`ec2.amazonaws.com`).
    pub service: String,
    /// VPC endpoint id.
    pub vpce: String,
    /// VPC id.
    pub vpc: String,
    /// The caller's private address inside the VPC.
    pub vpc_source_ip: String,
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
        }
    }
}

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

/// Sets `r`'s context keys as `preset` says, keeping every other key.
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
            remove(r, &VIA);
            remove(r, &VPC);
            let account = PrincipalRef::parse(&r.principal)
                .account()
                .unwrap_or("111122223333")
                .to_string();
            let service = v.service.trim_end_matches(".amazonaws.com");
            let role = format!(
                "arn:aws:iam::{account}:role/aws-service-role/{}/AWSServiceRoleFor{}",
                v.service,
                service.to_ascii_uppercase()
            );
            r.principal = role.clone();
            set(r, "aws:ViaAWSService", one("false"));
            set(r, "aws:PrincipalIsAWSService", one("false"));
            set(r, "aws:PrincipalArn", one(&role));
            set(r, "aws:PrincipalType", one("AssumedRole"));
            set(r, "aws:SourceIp", one(&v.service_address));
        }
    }
}

/// The preset a request's context matches, if any.
pub fn detect(r: &Request, v: &PresetValues) -> Option<Preset> {
    Preset::ALL.into_iter().find(|p| {
        let mut copy = r.clone();
        apply(*p, &mut copy, v);
        copy == *r
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
