//! Recovery files: when a signal (SIGTERM, SIGHUP, SIGINT) ends the TUI with unsaved
//! edits, the scenario is written to a recovery file, and the next open of the same
//! file offers to restore it.
//!
//! Where: `.NAME.iamtrace-recover` beside the file (mode 0600); when that directory is
//! not writable, for standard input and for the built-in scenario, under the state
//! directory (`$XDG_STATE_HOME/iamtrace/recover/`, by default
//! `~/.local/state/iamtrace/recover/`).

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// Where the scenario being edited came from: decides where its recovery file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file (a scenario, a policy, or AWS output assembled into a scenario).
    File(PathBuf),
    /// The built-in scenario.
    BuiltIn,
    /// Standard input, or anything else that cannot be opened again: its recovery
    /// file gets a fresh name in the state directory and is never offered.
    Unnamed,
}

/// The end of a recovery file's name.
pub const SUFFIX: &str = ".iamtrace-recover";

/// `.NAME.iamtrace-recover` beside `file`.
pub fn beside(file: &Path) -> Option<PathBuf> {
    let name = file.file_name()?;
    let mut hidden = OsString::from(".");
    hidden.push(name);
    hidden.push(SUFFIX);
    Some(file.with_file_name(hidden))
}

/// The recovery directory, from the values of `XDG_STATE_HOME` and `HOME`: the XDG
/// base directory rules (a relative `XDG_STATE_HOME` is ignored).
pub fn state_dir_from(xdg_state_home: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let base = match xdg_state_home.map(PathBuf::from) {
        Some(p) if p.is_absolute() => p,
        _ => {
            let home = PathBuf::from(home.filter(|h| !h.is_empty())?);
            home.join(".local").join("state")
        }
    };
    Some(base.join("iamtrace").join("recover"))
}

/// The recovery directory of this process's environment.
pub fn state_dir() -> Option<PathBuf> {
    state_dir_from(std::env::var_os("XDG_STATE_HOME"), std::env::var_os("HOME"))
}

/// FNV-1a: a hash that stays the same from one build to the next (std's does not
/// promise it), for shortening long names.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A recovery file's name in the state directory: for a file, its absolute path with
/// `%` escapes (two files of the same name in different directories get different
/// names; a long path keeps its end and a hash of the whole); `built-in`; for
/// anything else a fresh name from `unique` (time and process id).
pub fn state_name(origin: &Origin, unique: &str) -> String {
    let stem = match origin {
        Origin::File(path) => {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            let text = absolute.to_string_lossy();
            let mut escaped = String::with_capacity(text.len());
            for c in text.chars() {
                match c {
                    '%' => escaped.push_str("%25"),
                    '/' => escaped.push_str("%2F"),
                    '\\' => escaped.push_str("%5C"),
                    c if c.is_control() => escaped.push_str(&format!("%{:02X}", c as u32 & 0xFF)),
                    c => escaped.push(c),
                }
            }
            // File names are limited to 255 bytes.
            if escaped.len() > 180 {
                let mut cut = escaped.len() - 150;
                while !escaped.is_char_boundary(cut) {
                    cut += 1;
                }
                format!("{:016x}-{}", fnv1a(text.as_bytes()), &escaped[cut..])
            } else {
                escaped
            }
        }
        Origin::BuiltIn => "built-in".to_string(),
        Origin::Unnamed => format!("standard-input-{unique}"),
    };
    format!("{stem}{SUFFIX}")
}

/// A fresh part of a name: the time and this process's id.
fn unique() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{secs}-{}", std::process::id())
}

/// Writes `text` to `path` readable by its owner only (0600), all or nothing: a
/// temporary file beside it (created 0600), then a rename.
fn write_private(path: &Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(&crate::scenario::temp_prefix(path))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes the unsaved scenario `text` of `origin` to its recovery file: beside the
/// file when possible, else in the state directory. The path written, or why none
/// could be.
pub fn write(origin: &Origin, text: &str) -> io::Result<PathBuf> {
    write_in(origin, text, state_dir())
}

/// [`write`] with the state directory given.
pub fn write_in(origin: &Origin, text: &str, state: Option<PathBuf>) -> io::Result<PathBuf> {
    let mut first_error = None;
    if let Origin::File(file) = origin {
        if let Some(path) = beside(file) {
            match write_private(&path, text) {
                Ok(()) => return Ok(path),
                Err(e) => first_error = Some(e),
            }
        }
    }
    let Some(dir) = state else {
        return Err(first_error.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no state directory (neither XDG_STATE_HOME nor HOME is set)",
            )
        }));
    };
    create_private_dir(&dir)?;
    let path = dir.join(state_name(origin, &unique()));
    write_private(&path, text)?;
    Ok(path)
}

/// Creates `dir` and its parents, the new ones readable by their owner only.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// The recovery file waiting for `origin`, if there is one: beside the file first,
/// then in the state directory. Only files this program could have written count
/// (see [`is_ours`]).
pub fn find(origin: &Origin) -> Option<PathBuf> {
    find_in(origin, state_dir())
}

/// Whether `p` looks like a recovery file this user's iamtrace wrote: a regular file
/// (a link is not followed: it could point anywhere), owned by this user, readable and
/// writable by its owner only (0600). Anything else in a shared directory could have
/// been planted by someone else to be "restored" into the user's scenario.
pub fn is_ours(p: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(p) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me || meta.mode() & 0o077 != 0 {
            return false;
        }
    }
    true
}

/// [`find`] with the state directory given.
pub fn find_in(origin: &Origin, state: Option<PathBuf>) -> Option<PathBuf> {
    let candidates = match origin {
        Origin::File(file) => vec![beside(file), state.map(|d| d.join(state_name(origin, "")))],
        Origin::BuiltIn => vec![state.map(|d| d.join(state_name(origin, "")))],
        Origin::Unnamed => Vec::new(),
    };
    candidates.into_iter().flatten().find(|p| is_ours(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_directory_follows_xdg_rules() {
        let d = state_dir_from(Some("/x/state".into()), Some("/home/u".into()));
        assert_eq!(d, Some(PathBuf::from("/x/state/iamtrace/recover")));
        // Relative or empty XDG_STATE_HOME: ignored, as the XDG rules say.
        for xdg in [Some("rel/state".into()), Some("".into()), None] {
            let d = state_dir_from(xdg, Some("/home/u".into()));
            assert_eq!(
                d,
                Some(PathBuf::from("/home/u/.local/state/iamtrace/recover"))
            );
        }
        assert_eq!(state_dir_from(None, None), None);
        assert_eq!(state_dir_from(None, Some("".into())), None);
    }

    #[test]
    fn names_beside_and_in_the_state_directory() {
        assert_eq!(
            beside(Path::new("/w/s.json")),
            Some(PathBuf::from("/w/.s.json.iamtrace-recover"))
        );
        let a = state_name(&Origin::File("/a/s.json".into()), "");
        let b = state_name(&Origin::File("/b/s.json".into()), "");
        assert_eq!(a, "%2Fa%2Fs.json.iamtrace-recover");
        assert_ne!(a, b, "same name, different directories");
        assert_eq!(
            state_name(&Origin::BuiltIn, "x"),
            "built-in.iamtrace-recover"
        );
        assert_ne!(
            state_name(&Origin::Unnamed, "1-2"),
            state_name(&Origin::Unnamed, "1-3")
        );
        let long = format!("/{}/s.json", "d".repeat(400));
        let name = state_name(&Origin::File(long.into()), "");
        assert!(name.len() < 255, "{} bytes", name.len());
        assert!(name.ends_with("s.json.iamtrace-recover"));
    }

    #[test]
    fn written_beside_the_file_with_mode_0600_and_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.json");
        let origin = Origin::File(file.clone());
        assert_eq!(find_in(&origin, Some(state.path().into())), None);
        let written = write_in(&origin, "{}", Some(state.path().into())).unwrap();
        assert_eq!(written, dir.path().join(".s.json.iamtrace-recover"));
        assert_eq!(std::fs::read_to_string(&written).unwrap(), "{}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&written).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(find_in(&origin, Some(state.path().into())), Some(written));
        // No temporary file is left beside it.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [".s.json.iamtrace-recover"]);
    }

    #[cfg(unix)]
    #[test]
    fn unwritable_directory_built_in_and_standard_input_go_to_the_state_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let recover = state.path().join("iamtrace/recover");
        let locked = dir.path().join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let origin = Origin::File(locked.join("s.json"));
        let written = write_in(&origin, "{}", Some(recover.clone()));
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        let written = written.unwrap();
        // Root writes anywhere: then the file is beside the original, as it should be.
        if written.parent() != Some(locked.as_path()) {
            assert_eq!(written.parent(), Some(recover.as_path()));
            assert_eq!(find_in(&origin, Some(recover.clone())), Some(written));
            let mode = std::fs::metadata(&recover).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let builtin = write_in(&Origin::BuiltIn, "{}", Some(recover.clone())).unwrap();
        assert_eq!(builtin, recover.join("built-in.iamtrace-recover"));
        assert_eq!(
            find_in(&Origin::BuiltIn, Some(recover.clone())),
            Some(builtin)
        );
        let stdin = write_in(&Origin::Unnamed, "{}", Some(recover.clone())).unwrap();
        assert_eq!(stdin.parent(), Some(recover.as_path()));
        assert!(
            stdin
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("standard-input-"))
        );
        // Standard input cannot be opened again: nothing is offered.
        assert_eq!(find_in(&Origin::Unnamed, Some(recover)), None);
        // No state directory and no file: an error, not a panic.
        assert!(write_in(&Origin::Unnamed, "{}", None).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn only_a_private_regular_file_of_this_user_is_offered() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.json");
        let origin = Origin::File(file.clone());
        let written = write_in(&origin, "{}", None).unwrap();
        assert_eq!(find_in(&origin, None), Some(written.clone()));
        // Readable by the group or others: not something we wrote.
        for mode in [0o640, 0o604, 0o660, 0o644] {
            std::fs::set_permissions(&written, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(find_in(&origin, None), None, "mode {mode:o}");
        }
        std::fs::set_permissions(&written, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(find_in(&origin, None), Some(written.clone()));
        // A link, even to a private file of ours, is not followed.
        let target = dir.path().join("elsewhere");
        std::fs::rename(&written, &target).unwrap();
        std::os::unix::fs::symlink(&target, &written).unwrap();
        assert_eq!(find_in(&origin, None), None, "a symlink");
        std::fs::remove_file(&written).unwrap();
        // A directory of that name.
        std::fs::create_dir(&written).unwrap();
        assert_eq!(find_in(&origin, None), None, "a directory");
        std::fs::remove_dir(&written).unwrap();
        // Owned by someone else (only root can make one to test with).
        std::fs::rename(&target, &written).unwrap();
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&written, Some(65534), None).unwrap();
            assert_eq!(find_in(&origin, None), None, "another user's file");
        }
    }
}
