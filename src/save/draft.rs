//! Drafts: when the edits of a scenario file do not parse, they are saved beside it as
//! `NAME.draft.json` instead of over it (a scenario with an invalid policy could not be
//! opened again), and opening `NAME.json` while a newer draft exists offers the draft.

use std::path::{Path, PathBuf};

/// `NAME.draft.json` beside `file` (`NAME.json`, or `NAME` with any other ending).
pub fn draft_path(file: &Path) -> Option<PathBuf> {
    let name = file.file_name()?.to_string_lossy();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    Some(file.with_file_name(format!("{stem}.draft.json")))
}

/// The draft of `file` when there is one newer than the file (or the file is gone):
/// a regular file, and on Unix one owned by this user (a draft someone else put in a
/// shared directory is not offered as the user's edits).
pub fn newer_draft(file: &Path) -> Option<PathBuf> {
    let draft = draft_path(file)?;
    let meta = std::fs::metadata(&draft).ok()?;
    if !meta.is_file() || !ours(&meta) {
        return None;
    }
    let drafted = meta.modified().ok()?;
    match std::fs::metadata(file).and_then(|m| m.modified()) {
        Ok(saved) if saved >= drafted => None,
        _ => Some(draft),
    }
}

#[cfg(unix)]
fn ours(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn ours(_meta: &std::fs::Metadata) -> bool {
    true
}
