//! What a file was when it was opened or last saved: its size, modification time and a
//! hash of its bytes, so a later save can tell whether another program wrote it since.

use std::hash::Hasher;
use std::io::{self, Read};
use std::path::Path;
use std::time::SystemTime;

/// A file as it was read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Its length in bytes.
    pub size: u64,
    /// When it was last modified, where the file system says.
    pub modified: Option<SystemTime>,
    /// A hash of its bytes (std's `DefaultHasher::new()`: the same for the same bytes
    /// within a build, which is all a comparison in one process needs).
    pub hash: u64,
}

/// The hash of `bytes` that fingerprints use.
fn hash(bytes: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(bytes);
    h.finish()
}

impl Fingerprint {
    /// The fingerprint of `bytes`, the content of the file at `path` (its modification
    /// time is read from there, following links).
    pub fn of_bytes(path: &Path, bytes: &[u8]) -> Fingerprint {
        Fingerprint {
            size: bytes.len() as u64,
            modified: std::fs::metadata(path).and_then(|m| m.modified()).ok(),
            hash: hash(bytes),
        }
    }

    /// The fingerprint of the regular file at `path` (following links). Nothing else is
    /// read: a FIFO or a device could block or never end.
    pub fn of_file(path: &Path) -> io::Result<Fingerprint> {
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        std::fs::File::open(path)?.read_to_end(&mut bytes)?;
        Ok(Fingerprint {
            size: bytes.len() as u64,
            modified: meta.modified().ok(),
            hash: hash(&bytes),
        })
    }

    /// Whether the file at `path` no longer holds what this fingerprint saw: its size
    /// or its bytes differ (a file written again with the same bytes, or only touched,
    /// has not changed). A file that cannot be read counts as changed when its size or
    /// time differ; a file that is gone has not changed (saving recreates it and
    /// loses nothing).
    pub fn changed(&self, path: &Path) -> bool {
        let Ok(meta) = std::fs::metadata(path) else {
            return false;
        };
        if meta.len() != self.size {
            return true;
        }
        match Fingerprint::of_file(path) {
            Ok(now) => now.hash != self.hash,
            Err(_) => meta.modified().ok() != self.modified,
        }
    }
}
