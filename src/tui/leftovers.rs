//! What an earlier session left behind, offered when a file is opened: temporary
//! files of saves that were killed half-way (they may hold the only copy of the edits
//! being saved) and the recovery file a signal wrote. Nothing is deleted without the
//! user saying so.

use super::app::{App, Mode};
use super::file::Shape;
use super::recover::Origin;
use std::path::PathBuf;
use std::time::Duration;

/// A temporary file of a save older than this is not a save in progress.
const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

impl App {
    /// At start: offers the temporary files a killed save of this file left behind
    /// (they may hold the only copy of the edits being saved, so nothing is deleted
    /// without asking), then the recovery file of an earlier session, if there is one.
    pub fn check_leftovers(&mut self) {
        // Only files this user's iamtrace could have written (regular, owned by this
        // user, 0600, as recovery files): anything else beside the file may have been
        // planted by someone else to be opened as the user's edits.
        let stale = match &self.origin {
            Origin::File(file) => crate::scenario::stale_temp_files(file, STALE_TEMP_AGE)
                .into_iter()
                .filter(|p| super::recover::is_ours(p))
                .collect(),
            _ => Vec::new(),
        };
        if self.mode == Mode::Normal {
            self.offer_leftovers(stale);
        }
    }

    /// Asks about the first of `temp_files`, or, when none is left, about the
    /// recovery file.
    pub fn offer_leftovers(&mut self, mut temp_files: Vec<PathBuf>) {
        if !temp_files.is_empty() {
            let first = temp_files.remove(0);
            self.mode = Mode::ConfirmTempFile(first, temp_files);
        } else if let Some(p) = super::recover::find(&self.origin) {
            self.mode = Mode::ConfirmRestore(p);
        } else {
            self.offer_newer_draft();
        }
    }

    /// Loads the recovery file `p` as unsaved edits of the file opened (the changes
    /// view still compares with the file). The recovery file stays until the edits are
    /// saved, so a second interruption loses nothing.
    pub fn restore_recovery(&mut self, p: PathBuf) {
        if self
            .file
            .as_ref()
            .is_some_and(|f| f.shape == Shape::Template)
        {
            return self.restore_template_recovery(p);
        }
        let loaded = std::fs::read(&p)
            .map_err(|e| e.to_string())
            .and_then(crate::input::decode)
            .and_then(|text| {
                crate::input::load_for_editing(&text)
                    .map(|s| (text, s))
                    .map_err(|e| {
                        e.diagnostics
                            .first()
                            .map(|d| e.source_map.describe(d))
                            .unwrap_or_else(|| "not a scenario".into())
                    })
            });
        match loaded {
            Ok((text, scenario)) => {
                let baseline = self.baseline.take();
                // What the recovered text is decides what saving writes; a bare policy
                // file is never overwritten with a scenario (saving then asks where).
                let was = self.file.as_ref().map(|f| f.shape);
                let shape = match crate::input::kind(&text) {
                    crate::input::Kind::Policy => Some(Shape::Policy),
                    _ if was != Some(Shape::Policy) => Some(Shape::Scenario),
                    _ => None,
                };
                let path = self.path.take().filter(|_| shape.is_some());
                let mut restored = App::new(scenario, path);
                if let Some(shape) = shape {
                    restored = restored.with_file(text, shape);
                }
                restored.baseline = baseline;
                self.hand_over(&mut restored, p);
                if let Some(view) = self.trail.take() {
                    // A large trail keeps its records: the policies are what is restored
                    // (the trail's requests in the recovery file have no record numbers).
                    let at = view.record_of(self.request).unwrap_or(view.window.start);
                    restored.trail = Some(view);
                    restored.move_window(at);
                    if let Some(m) = &mut restored.message {
                        m.push_str(" (the policies: the trail's records are read from the trail)");
                    }
                }
                restored.refresh_analysis();
                *self = restored;
            }
            Err(e) => {
                self.message = Some(format!(
                    "{} could not be restored ({e}); it is kept",
                    p.display()
                ))
            }
        }
    }

    /// [`Self::restore_recovery`] of a template: the recovery file holds the template
    /// with the edits, read again for the same principal.
    fn restore_template_recovery(&mut self, p: PathBuf) {
        let text = std::fs::read(&p)
            .map_err(|e| e.to_string())
            .and_then(crate::input::decode);
        let Some(mut restored) = text.ok().and_then(|t| self.restore_template(&t)) else {
            self.message = Some(format!(
                "{} could not be restored (it does not read as the template); it is kept",
                p.display()
            ));
            return;
        };
        self.hand_over(&mut restored, p);
        *self = restored;
    }

    /// What `restored`, the edits of recovery file `p`, takes from this app: the file
    /// as it was opened (Ctrl+S still compares with it), where edits go on a signal;
    /// and it is unsaved, the recovery file its own.
    fn hand_over(&mut self, restored: &mut App, p: PathBuf) {
        restored.disk = self.disk.take();
        restored.origin = std::mem::replace(&mut self.origin, Origin::Unnamed);
        restored.test_panic = self.test_panic;
        restored.history.mark_unsaved();
        restored.dirty = true;
        restored.message = Some(format!(
            "restored the unsaved edits of {}: save to keep them",
            p.display()
        ));
        restored.recovery = Some(p);
    }

    /// Deletes the recovery file (or a killed save's temporary file) `p`: the user
    /// answered no.
    pub fn discard_recovery(&mut self, p: &std::path::Path) {
        self.message = Some(match std::fs::remove_file(p) {
            Ok(()) => format!("deleted {}", p.display()),
            Err(e) => format!("could not delete {}: {e}", p.display()),
        });
    }

    /// Leaves the recovery file (or a killed save's temporary file) `p` where it is:
    /// the user put the question away without answering; it is offered again on the
    /// next open.
    pub fn keep_recovery(&mut self, p: &std::path::Path) {
        self.message = Some(format!(
            "kept {}: it is offered again the next time this file is opened",
            p.display()
        ));
    }

    /// Removes the recovery file of the edits shown (they were saved, or discarded on
    /// quitting).
    pub fn forget_recovery(&mut self) {
        if let Some(p) = self.recovery.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}
