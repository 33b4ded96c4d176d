//! The temporary file a save writes before renaming it over the target, how it is
//! named, and finding the ones a killed save left behind.

use std::path::{Path, PathBuf};

/// The directory `path` is in (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The start of the name of a temporary file written for `target`:
/// `.iamtrace-NAME.` (then random letters and `.tmp`), so a temporary file left by a
/// save that was killed half-way can be told apart and cleaned up by the next open of
/// `target` (see [`stale_temp_files`]).
pub fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".iamtrace-{name}.")
}

/// Temporary files beside `target` left by saves of it that never finished (the
/// process was killed between writing and renaming): the ones named for `target`
/// and not changed for `older_than` (a save in progress in another window is
/// younger than that). A save through a symbolic link writes beside the link's
/// target, so that is where they are looked for.
pub fn stale_temp_files(target: &Path, older_than: std::time::Duration) -> Vec<PathBuf> {
    let target = super::resolve(target).unwrap_or_else(|_| target.to_path_buf());
    let dir = parent_dir(&target);
    let prefix = temp_prefix(&target);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            let random = name
                .strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_suffix(".tmp"));
            // tempfile's random part: letters and digits only.
            random.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_alphanumeric()))
        })
        .filter(|e| {
            e.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age >= older_than)
            })
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    stale
}

/// A new temporary file beside `target`, named by [`temp_prefix`]. It is created
/// with mode 0666 less the umask (so its mode tells the mode a new file should get),
/// and removed when dropped unless renamed.
pub fn create_beside(target: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = temp_prefix(target);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(parent_dir(target))
}
