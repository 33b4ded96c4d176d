//! Which kind of input a text is, decided in one order (docs/inputs.md): a text that
//! parses as one JSON value is read by its keys; one that does not is CloudTrail when
//! its first record is a CloudTrail event (JSON Lines), else a scenario whose syntax
//! error is reported.

use super::aws;
use crate::json::{self, Member, Node, Value};

/// What an input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A scenario file (or something that is not one of the others: its errors are
    /// reported as a scenario's).
    Scenario,
    /// A bare policy document.
    Policy,
    /// What an AWS CLI command printed for a policy.
    AwsCli,
    /// The output of `aws iam get-account-authorization-details`.
    AccountDetails,
    /// CloudTrail records: a delivered file (`{"Records": […]}`), JSON Lines of
    /// events, one event, or `aws cloudtrail lookup-events` output.
    CloudTrail,
    /// A CloudFormation template (JSON or YAML; CDK output, SAM).
    CloudFormation,
    /// `terraform show -json` of a plan or a state.
    TerraformPlan,
}

impl Kind {
    /// For messages: "a scenario", "CloudTrail records", ….
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Scenario => "a scenario",
            Kind::Policy => "a policy document",
            Kind::AwsCli => "AWS CLI output",
            Kind::AccountDetails => "account authorization details",
            Kind::CloudTrail => "CloudTrail records",
            Kind::CloudFormation => "a CloudFormation template",
            Kind::TerraformPlan => "a Terraform plan",
        }
    }
}

/// The member `key` of an object's members.
pub(super) fn get<'a>(members: &'a [Member], key: &str) -> Option<&'a Node> {
    members.iter().find(|m| m.key == key).map(|m| &m.value)
}

/// What `text` holds.
pub fn kind(text: &str) -> Kind {
    match json::parse(text) {
        Ok(node) => classify(&node),
        Err(_) if looks_like_cloudtrail(text) => Kind::CloudTrail,
        Err(_) if looks_like_yaml_template(text) => Kind::CloudFormation,
        Err(_) => Kind::Scenario,
    }
}

/// What a text that parsed as one JSON value holds, by its keys. Scenario keys win
/// over policy keys, policy keys over the rest, so that a misspelt key is reported
/// in the kind the file was meant to be.
pub fn classify(node: &Node) -> Kind {
    let Value::Object(members) = &node.value else {
        return Kind::Scenario;
    };
    let has = |k: &str| members.iter().any(|m| m.key == k);
    // Policy keys and no scenario keys: a misspelt "Statment" beside "Version" is
    // still read, and reported, as a policy.
    let policy_like = has("Statement") || has("Version") || has("Id");
    let scenario_like =
        has("policies") || has("policiesFrom") || has("requests") || has("request") || has("name");
    if scenario_like {
        Kind::Scenario
    } else if policy_like {
        Kind::Policy
    } else if matches!(
        get(members, "Resources").map(|n| &n.value),
        Some(Value::Object(_))
    ) {
        Kind::CloudFormation
    } else if has("format_version")
        && (has("planned_values") || has("resource_changes") || has("values") || has("prior_state"))
    {
        Kind::TerraformPlan
    } else if has("Records") || (has("eventSource") && has("eventName")) || lookup_events(members) {
        Kind::CloudTrail
    } else if aws::is_account_details(members) {
        Kind::AccountDetails
    } else if aws::cli_output(members).is_some() {
        Kind::AwsCli
    } else {
        Kind::Scenario
    }
}

/// `aws cloudtrail lookup-events` output: `{"Events": [{"CloudTrailEvent": "…"}, …]}`.
fn lookup_events(members: &[Member]) -> bool {
    match get(members, "Events").map(|n| &n.value) {
        Some(Value::Array(items)) => items.first().is_some_and(|i| match &i.value {
            Value::Object(m) => m.iter().any(|m| m.key == "CloudTrailEvent"),
            _ => false,
        }),
        _ => false,
    }
}

/// The keys that make a record a CloudTrail event (or a lookup-events entry, or a
/// delivered file); serde skips every other key without building it.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(rename = "eventSource")]
    event_source: Option<serde::de::IgnoredAny>,
    #[serde(rename = "eventName")]
    event_name: Option<serde::de::IgnoredAny>,
    #[serde(rename = "CloudTrailEvent")]
    lookup: Option<serde::de::IgnoredAny>,
    #[serde(rename = "Records")]
    records: Option<serde::de::IgnoredAny>,
}

/// True when `text`, which is not one JSON value, is CloudTrail records: a file
/// whose start is a `Records` or lookup-events object (cut short or followed by
/// another file), or JSON Lines one of whose first lines is an event, a lookup-events
/// entry or a delivered file — each read whole, so a record of any length counts.
pub fn looks_like_cloudtrail(text: &str) -> bool {
    let mut end = text.len().min(4096);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let t = head.trim_start_matches('\u{feff}').trim_start();
    let records = t.starts_with('{')
        && (t[1..].trim_start().starts_with("\"Records\"")
            || (t[1..].trim_start().starts_with("\"Events\"")
                && head.contains("\"CloudTrailEvent\"")));
    if records || (head.contains("\"eventSource\"") && head.contains("\"eventName\"")) {
        return true;
    }
    // The first few lines, not only the first: a malformed first record (skipped when
    // read) must not make the whole file a scenario's syntax error.
    let body = text.trim_start_matches('\u{feff}');
    body.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(PROBED_LINES)
        .any(|line| {
            serde_json::from_str::<Probe>(line).is_ok_and(|p| {
                (p.event_source.is_some() && p.event_name.is_some())
                    || p.lookup.is_some()
                    || p.records.is_some()
            })
        })
}

/// True when `text`, which is not one JSON value, is a CloudFormation template in YAML:
/// a line that starts (in column 1) with `Resources:` or `AWSTemplateFormatVersion:`.
pub fn looks_like_yaml_template(text: &str) -> bool {
    text.lines().any(|l| {
        let key = l.split(['#']).next().unwrap_or_default().trim_end();
        matches!(
            key.split_once(':')
                .map(|(k, _)| k.trim_matches(['"', '\''])),
            Some("Resources" | "AWSTemplateFormatVersion")
        ) && !l.starts_with([' ', '\t'])
    })
}

/// How many lines of a text that is not one JSON value are tried as CloudTrail records.
const PROBED_LINES: usize = 8;

/// True when `head`, the first bytes of an input read as a stream, starts CloudTrail
/// records that can be read record by record: a delivered file (`{"Records": [`),
/// `aws cloudtrail lookup-events` output, or JSON Lines whose first line is a whole
/// event (or lookup entry). Stricter than [`looks_like_cloudtrail`]: only the shapes
/// that open the way no other input does, so a scenario or policy is never streamed.
pub fn cloudtrail_head(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // Cut inside a character at the end of the head.
        Err(e) => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(t) if head.len() - e.valid_up_to() < 4 => t,
            _ => return false,
        },
    };
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if let Some(rest) = t.strip_prefix('{') {
        let rest = rest.trim_start();
        if rest.starts_with("\"Records\"") {
            return true;
        }
        if rest.starts_with("\"Events\"") && text.contains("\"CloudTrailEvent\"") {
            return true;
        }
    }
    // JSON Lines: one of the first whole lines is an event (a line cut by the head's
    // end is not tried; if none is whole, the input is read whole).
    let Some((lines, _)) = t.rsplit_once('\n') else {
        return false;
    };
    lines
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(PROBED_LINES)
        .any(|line| {
            serde_json::from_str::<Probe>(line).is_ok_and(|p| {
                (p.event_source.is_some() && p.event_name.is_some()) || p.lookup.is_some()
            })
        })
}
