//! Saving a file without damaging it, for any front end (no UI here).
//!
//! [`save`] writes bytes to a path the way an editor should:
//! - it never writes without asking when the file changed on disk since it was opened
//!   or last saved (a [`Fingerprint`] says what it was), when it is read-only, when it
//!   is not a regular file (a FIFO, a device, a directory), or, for "save as", when it
//!   already exists: each is a [`Refusal`], an answer to put to the user, not an error,
//!   and the caller saves again with that refusal in [`Allow`] once the user says yes;
//! - it writes a temporary file beside the target, flushes it to disk and renames it
//!   over the target, so a crash leaves the old file or the new one, never a mix; a
//!   failure (missing parent, read-only directory, full disk) removes the temporary
//!   file, leaves the old file byte for byte as it was, and says which path and why;
//! - a symbolic link is saved through to its final target, and stays a link;
//! - an existing file keeps its mode, and its owner and group where the process may
//!   set them; a new file gets the usual mode (0666 less the umask).
//!
//! [`draft`] names and finds the drafts saved beside a file whose edits do not parse.

pub mod draft;
mod fingerprint;
mod sys;
mod temp;
#[cfg(test)]
mod tests;

pub use fingerprint::Fingerprint;
pub use sys::Special;
pub use temp::{stale_temp_files, temp_prefix};

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// What the file at the path is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect<'a> {
    /// The file that was opened or last saved: still as this fingerprint saw it.
    Unchanged(&'a Fingerprint),
    /// A name chosen now ("save as"): nothing there yet.
    Absent,
    /// Whatever is there may be replaced (a draft, a file the caller owns).
    Anything,
}

/// Why a save stopped to ask before writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Another program wrote the file since it was opened or last saved.
    Changed,
    /// "Save as" onto a file that already exists.
    Exists,
    /// The file's mode does not let us write it.
    ReadOnly,
    /// The path is not a regular file.
    NotRegular(Special),
}

/// The refusals the user has already said yes to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Allow {
    /// Overwrite a file changed on disk.
    pub changed: bool,
    /// Overwrite an existing file on "save as".
    pub exists: bool,
    /// Replace a read-only file (it keeps its mode).
    pub read_only: bool,
    /// Write into a FIFO or device in place (a directory still fails).
    pub not_regular: bool,
}

impl Allow {
    /// These, and `refusal` too.
    pub fn with(mut self, refusal: Refusal) -> Allow {
        match refusal {
            Refusal::Changed => self.changed = true,
            Refusal::Exists => self.exists = true,
            Refusal::ReadOnly => self.read_only = true,
            Refusal::NotRegular(_) => self.not_regular = true,
        }
        self
    }
}

/// How a save ended when nothing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written: the file as it is now.
    Saved(Fingerprint),
    /// Nothing written: ask the user first.
    Ask(Refusal),
}

/// A save that failed: the path, what was being done, and the system's reason
/// ("could not save PATH: REASON (STEP)"). The old file is as it was, and no temporary
/// file is left.
#[derive(Debug)]
pub struct SaveError {
    /// The path the save was for.
    pub path: PathBuf,
    /// The step that failed ("cannot create a temporary file in /x").
    pub step: String,
    /// The operating system's reason.
    pub source: io::Error,
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The reason before the step: a status bar that cuts the line keeps it.
        write!(
            f,
            "could not save {}: {} ({})",
            self.path.display(),
            self.source,
            self.step
        )
    }
}

impl std::error::Error for SaveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The final target of `path`: symbolic links followed, however many (up to 40, as
/// the kernel does), even to a file that does not exist yet. A path that cannot be
/// looked at is returned as it is (writing it then says why); a loop of links is an
/// error.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
                // `join` keeps an absolute link as it is.
                Ok(link) => p = temp::parent_dir(&p).join(link),
                Err(_) => return Ok(p),
            },
            _ => return Ok(p),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Saves `bytes` to `path` (see the module's description): `expect` says what should
/// be there, `allow` which refusals the user already accepted.
pub fn save(
    path: &Path,
    bytes: &[u8],
    expect: Expect<'_>,
    allow: Allow,
) -> Result<Outcome, SaveError> {
    let target = resolve(path).map_err(|source| SaveError {
        path: path.to_path_buf(),
        step: "cannot follow the symbolic link".into(),
        source,
    })?;
    let old = std::fs::metadata(&target).ok();
    if let Some(meta) = &old {
        if let Some(special) = Special::of(meta) {
            if !allow.not_regular {
                return Ok(Outcome::Ask(Refusal::NotRegular(special)));
            }
            return write_special(path, &target, bytes).map(Outcome::Saved);
        }
        if expect == Expect::Absent && !allow.exists {
            return Ok(Outcome::Ask(Refusal::Exists));
        }
        if sys::read_only(meta) && !allow.read_only {
            return Ok(Outcome::Ask(Refusal::ReadOnly));
        }
        if let Expect::Unchanged(seen) = expect {
            if !allow.changed && seen.changed(&target) {
                return Ok(Outcome::Ask(Refusal::Changed));
            }
        }
    }
    write_replacing(path, &target, bytes, old.as_ref()).map(Outcome::Saved)
}

/// Saves `text` to `path` whatever is there (a regular file, or nothing): a
/// temporary file, then a rename, the mode kept. The same as
/// `save(path, text, Expect::Anything, …)` with read-only files replaced too.
pub fn save_atomic(path: &Path, text: &str) -> io::Result<()> {
    let allow = Allow {
        read_only: true,
        ..Allow::default()
    };
    match save(path, text.as_bytes(), Expect::Anything, allow) {
        Ok(Outcome::Saved(_)) => Ok(()),
        Ok(Outcome::Ask(_)) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        )),
        Err(e) => Err(io::Error::new(e.source.kind(), e.to_string())),
    }
}

/// Writes a temporary file beside `target` and renames it over `target`, giving it
/// the mode and owner of `old` (the file replaced), or the usual mode of a new file.
fn write_replacing(
    path: &Path,
    target: &Path,
    bytes: &[u8],
    old: Option<&std::fs::Metadata>,
) -> Result<Fingerprint, SaveError> {
    let fail = |step: String| {
        move |source: io::Error| SaveError {
            path: path.to_path_buf(),
            step,
            source,
        }
    };
    let dir = temp::parent_dir(target);
    let mut tmp = temp::create_beside(target).map_err(fail(format!(
        "cannot create a temporary file in {}",
        dir.display()
    )))?;
    let tmp_shown = tmp.path().display().to_string();
    // Created 0666 less the umask: that is a new file's mode.
    let mode = match old {
        Some(meta) => sys::mode_of(meta),
        None => tmp
            .as_file()
            .metadata()
            .map(|m| sys::mode_of(&m))
            .map_err(fail(format!("cannot read the mode of {tmp_shown}")))?,
    };
    // Private while it is written: a killed save's leftover holds the edits, and the
    // next open offers it only if it is private (see `stale_temp_files`' users).
    sys::set_mode(tmp.as_file(), 0o600)
        .map_err(fail(format!("cannot set the mode of {tmp_shown}")))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(fail(format!("cannot write {tmp_shown}")))?;
    if let Some(meta) = old {
        sys::copy_owner(tmp.as_file(), meta);
    }
    // After the owner: changing it clears the set-id bits.
    sys::set_mode(tmp.as_file(), mode)
        .map_err(fail(format!("cannot set the mode of {tmp_shown}")))?;
    tmp.persist(target)
        .map_err(|e| e.error)
        .map_err(fail(format!(
            "cannot rename {tmp_shown} to {}",
            target.display()
        )))?;
    sys::sync_dir(dir);
    Ok(Fingerprint::of_bytes(target, bytes))
}

/// Writes `bytes` into the FIFO or device `target`, in place (renaming over it would
/// replace it with a regular file).
fn write_special(path: &Path, target: &Path, bytes: &[u8]) -> Result<Fingerprint, SaveError> {
    let fail = |step: &str, source| SaveError {
        path: path.to_path_buf(),
        step: format!("{step} {}", target.display()),
        source,
    };
    let mut f = sys::open_special(target).map_err(|e| fail("cannot open", e))?;
    f.write_all(bytes)
        .and_then(|()| f.flush())
        .map_err(|e| fail("cannot write", e))?;
    Ok(Fingerprint::of_bytes(target, bytes))
}
