//! AWS partitions and their regions, from `assets/catalog/regions.tsv`, which
//! `scripts/gen-regions.py` generates from the pinned botocore's endpoint data. Lint
//! checks the partition and region of resource ARNs against it.

use std::sync::OnceLock;

/// One region of a partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'static str,
    /// `us-east-1`, …
    pub name: &'static str,
}

/// Every region the table lists.
pub fn regions() -> &'static [Region] {
    static REGIONS: OnceLock<Vec<Region>> = OnceLock::new();
    REGIONS.get_or_init(|| {
        include_str!("../../assets/catalog/regions.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (partition, name) = l.split_once('\t')?;
                Some(Region { partition, name })
            })
            .collect()
    })
}

/// The region with this name, if the table lists it (exact: region names are lower-case).
pub fn region(name: &str) -> Option<&'static Region> {
    regions().iter().find(|r| r.name == name)
}

/// Whether a partition of this name holds regions in the table.
pub fn is_partition(name: &str) -> bool {
    regions().iter().any(|r| r.partition == name)
}

/// Whether `name` has the shape of a region name: lower-case words joined by `-`, the
/// first of two or more letters, ending in a number (`us-east-1`, `us-gov-west-1`,
/// `eusc-de-east-1`).
pub fn well_formed(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let Some((last, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words[0].len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.len() <= 2
        && last.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_and_its_names_are_well_formed() {
        assert!(regions().len() > 30, "{}", regions().len());
        for r in regions() {
            assert!(well_formed(r.name), "{}", r.name);
            assert!(is_partition(r.partition));
        }
        assert_eq!(region("us-east-1").map(|r| r.partition), Some("aws"));
        assert_eq!(region("cn-north-1").map(|r| r.partition), Some("aws-cn"));
        assert!(is_partition("aws-us-gov"));
        assert!(!is_partition("amazon"));
        for bad in [
            "useast1",
            "us-east",
            "US-EAST-1",
            "us-east-123",
            "-east-1",
            "u-east-1",
            "",
        ] {
            assert!(!well_formed(bad), "{bad}");
        }
        assert!(well_formed("xx-future-9"));
    }
}
