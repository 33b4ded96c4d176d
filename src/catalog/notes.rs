//! What the service reference lacks, and why: services and actions AWS retired (so the
//! reference dropped them) and names AWS still uses that the reference does not list,
//! read from `assets/catalog/reference-notes.tsv`. Lint says these as such instead of
//! guessing at a typo.

use std::sync::OnceLock;

/// Why the reference lacks a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteStatus {
    /// AWS withdrew it.
    Retired,
    /// AWS still uses it; the reference does not list it.
    Gap,
    /// A key the reference lists for fewer actions than AWS uses it with.
    Partial,
}

/// What kind of name a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// A service prefix.
    Service,
    /// `prefix:Action`.
    Action,
    /// A condition key.
    Key,
}

/// One entry of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceNote {
    /// Retired or a gap.
    pub status: NoteStatus,
    /// Service, action or key.
    pub kind: NoteKind,
    /// The name as the table writes it.
    pub name: &'static str,
    /// For people.
    pub note: &'static str,
}

/// Every entry of the table.
pub fn reference_notes() -> &'static [ReferenceNote] {
    static NOTES: OnceLock<Vec<ReferenceNote>> = OnceLock::new();
    NOTES.get_or_init(|| {
        include_str!("../../assets/catalog/reference-notes.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.splitn(4, '\t');
                let status = match f.next()? {
                    "retired" => NoteStatus::Retired,
                    "gap" => NoteStatus::Gap,
                    "partial" => NoteStatus::Partial,
                    _ => return None,
                };
                let kind = match f.next()? {
                    "service" => NoteKind::Service,
                    "action" => NoteKind::Action,
                    "key" => NoteKind::Key,
                    _ => return None,
                };
                Some(ReferenceNote {
                    status,
                    kind,
                    name: f.next()?,
                    note: f.next().unwrap_or_default(),
                })
            })
            .collect()
    })
}

/// The note about a name of this kind (case-insensitive), if any. An action note
/// `prefix:*` covers every action of that service the reference lacks.
pub fn reference_note(kind: NoteKind, name: &str) -> Option<&'static ReferenceNote> {
    let notes = reference_notes();
    notes
        .iter()
        .find(|n| n.kind == kind && n.name.eq_ignore_ascii_case(name))
        .or_else(|| {
            let (prefix, _) = name.split_once(':')?;
            notes.iter().find(|n| {
                n.kind == NoteKind::Action
                    && kind == NoteKind::Action
                    && n.name
                        .strip_suffix(":*")
                        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{catalog, global_key};

    #[test]
    fn every_line_reads_and_no_note_is_in_the_reference() {
        let text = include_str!("../../assets/catalog/reference-notes.tsv");
        let lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(reference_notes().len(), lines, "a line does not read");
        let cat = catalog();
        for n in reference_notes() {
            let listed = match n.kind {
                NoteKind::Service => cat.service(n.name).is_some(),
                NoteKind::Action => n.name.split_once(':').is_some_and(|(s, a)| {
                    // A whole service's gap: the service is there, with fewer actions.
                    if a == "*" {
                        cat.service(s).is_none()
                    } else {
                        cat.action(s, a).is_some()
                    }
                }),
                NoteKind::Key => {
                    cat.condition_key(n.name).is_some() || global_key(n.name).is_some()
                }
            };
            // Once the reference lists a name again, its note is wrong: take it off.
            // (A partial key is listed, for some actions.)
            assert_eq!(
                listed,
                n.status == NoteStatus::Partial,
                "{}: is it in the reference?",
                n.name
            );
            assert!(!n.note.is_empty(), "{} has no note", n.name);
        }
        assert_eq!(
            reference_note(NoteKind::Service, "EVIDENTLY").map(|n| n.status),
            Some(NoteStatus::Retired)
        );
        assert_eq!(
            reference_note(NoteKind::Action, "budgets:createbudget").map(|n| n.status),
            Some(NoteStatus::Gap)
        );
        assert_eq!(
            reference_note(NoteKind::Action, "payments:GetAccountBalance").map(|n| n.name),
            Some("payments:*")
        );
        assert!(reference_note(NoteKind::Key, "payments:Anything").is_none());
    }
}
