//! A learner's progress: which lessons are done and how many predictions were right,
//! kept in one small JSON file in the user's data directory (XDG:
//! `$XDG_DATA_HOME/iamtrace/progress.json`, else `~/.local/share/iamtrace/…`). Built-in
//! lessons are keyed by their file name, others by their path. A file that cannot be
//! read is reported and treated as no progress; it is replaced only by a save (written
//! to a temporary file, then renamed), never half-written.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How far the learner got in one lesson.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Every goal was met once.
    #[serde(default)]
    pub done: bool,
    /// Predictions answered right, the last time the lesson's predictions were made.
    #[serde(default)]
    pub right: u32,
    /// Predictions answered then.
    #[serde(default)]
    pub predicted: u32,
}

/// Every lesson's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// By lesson key ([`key_for_builtin`], [`key_for_file`]).
    #[serde(default)]
    pub lessons: BTreeMap<String, Entry>,
}

/// The key of a built-in lesson: `builtin:01-allow-and-deny.json`.
pub fn key_for_builtin(file: &str) -> String {
    format!("builtin:{file}")
}

/// The key of a lesson file: `file:` and its path made absolute when it can be.
pub fn key_for_file(path: &Path) -> String {
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file:{}", abs.display())
}

/// Where progress is kept: `$XDG_DATA_HOME/iamtrace/progress.json`, else
/// `$HOME/.local/share/iamtrace/progress.json`; `None` when neither is set (progress is
/// then kept only while the program runs). A relative `XDG_DATA_HOME` is ignored, as
/// the XDG specification says.
pub fn default_path() -> Option<PathBuf> {
    let from = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let base = from("XDG_DATA_HOME").or_else(|| from("HOME").map(|h| h.join(".local/share")))?;
    Some(base.join("iamtrace").join("progress.json"))
}

impl Progress {
    /// The progress saved at `path`: none when there is no file yet; `Err` with the
    /// reason when there is one that cannot be read (it is left as it is).
    pub fn load(path: &Path) -> Result<Progress, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("{}: not a progress file ({e})", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// Writes the progress to `path` (its folder made if missing): a temporary file in
    /// the same folder, then renamed over the old one.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        text.push('\n');
        let mut tmp =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        tmp.persist(path)
            .map(|_| ())
            .map_err(|e| format!("{}: {}", path.display(), e.error))
    }

    /// Another session's progress taken in: a lesson done in either is done; the
    /// predictions of a lesson this one has none of are taken.
    pub fn merge(&mut self, other: &Progress) {
        for (k, e) in &other.lessons {
            let mine = self.lessons.entry(k.clone()).or_default();
            mine.done |= e.done;
            if mine.predicted == 0 {
                mine.right = e.right;
                mine.predicted = e.predicted;
            }
        }
    }

    /// The lesson's entry (a default one when it has none).
    pub fn get(&self, key: &str) -> Entry {
        self.lessons.get(key).copied().unwrap_or_default()
    }

    /// Records that the lesson's goals were all met.
    pub fn mark_done(&mut self, key: &str) {
        self.lessons.entry(key.to_string()).or_default().done = true;
    }

    /// Records the lesson's predictions: `right` of `predicted`.
    pub fn record_predictions(&mut self, key: &str, right: u32, predicted: u32) {
        let e = self.lessons.entry(key.to_string()).or_default();
        e.right = right;
        e.predicted = predicted;
    }

    /// How many lessons of `keys` are done.
    pub fn done_count<'a>(&self, keys: impl IntoIterator<Item = &'a str>) -> usize {
        keys.into_iter().filter(|k| self.get(k).done).count()
    }
}

/// Forgets all progress: removes the file at `path` (no file is no progress).
pub fn reset(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_save_and_a_reset_forgets_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deep/iamtrace/progress.json");
        assert_eq!(Progress::load(&path).unwrap(), Progress::default());
        let mut p = Progress::default();
        let k = key_for_builtin("01-allow-and-deny.json");
        p.mark_done(&k);
        p.record_predictions(&k, 1, 2);
        p.save(&path).unwrap();
        let back = Progress::load(&path).unwrap();
        assert_eq!(
            back.get(&k),
            Entry {
                done: true,
                right: 1,
                predicted: 2
            }
        );
        assert_eq!(back.done_count([k.as_str(), "builtin:other"]), 1);
        reset(&path).unwrap();
        assert_eq!(Progress::load(&path).unwrap(), Progress::default());
        reset(&path).unwrap();
    }

    #[test]
    fn another_sessions_progress_is_kept_when_merged() {
        let mut mine = Progress::default();
        mine.mark_done("builtin:a");
        mine.record_predictions("builtin:b", 1, 2);
        let mut theirs = Progress::default();
        theirs.mark_done("builtin:b");
        theirs.record_predictions("builtin:b", 2, 2);
        theirs.record_predictions("builtin:c", 0, 1);
        mine.merge(&theirs);
        assert!(mine.get("builtin:a").done && mine.get("builtin:b").done);
        // Mine stand where I have some; theirs fill the rest.
        assert_eq!(
            (mine.get("builtin:b").right, mine.get("builtin:b").predicted),
            (1, 2)
        );
        assert_eq!(mine.get("builtin:c").predicted, 1);
    }

    #[test]
    fn a_damaged_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("progress.json");
        std::fs::write(&path, "{not json").unwrap();
        let e = Progress::load(&path).unwrap_err();
        assert!(e.contains("not a progress file"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json");
    }
}
