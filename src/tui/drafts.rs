//! Drafts in the TUI: Ctrl+S on a scenario file while a policy does not parse offers
//! to save the edits as `NAME.draft.json` beside the file instead of over it (a
//! scenario with an invalid policy could not be opened again); opening the file while
//! a newer draft exists offers the draft. Naming and finding drafts:
//! [`crate::save::draft`].

use super::app::{App, Mode};
use crate::save::draft::{draft_path, newer_draft};
use crate::scenario::compile_sources;
use std::path::{Path, PathBuf};

impl App {
    /// Whether the file open is a scenario file (drafts are for those: a bare policy
    /// is saved as typed, it is the user's file).
    fn is_scenario_file(&self) -> bool {
        self.path.is_some()
            && self
                .file
                .as_ref()
                .is_none_or(|f| f.shape == super::file::Shape::Scenario)
    }

    /// On Ctrl+S of `file`: when a policy does not parse, asks whether to save a draft
    /// instead (and says true). The texts are the editors' (the caller synced them).
    pub fn offer_draft(&mut self, file: &Path) -> bool {
        if !self.is_scenario_file() {
            return false;
        }
        let (_, errors) = compile_sources(&self.scenario);
        let Some((i, d)) = errors
            .iter()
            .enumerate()
            .find_map(|(i, e)| e.first().map(|d| (i, d)))
        else {
            return false;
        };
        let Some(draft) = draft_path(file) else {
            return false;
        };
        let (line, column) = self.file_position(i, &d.span);
        let about = format!(
            "policy \"{}\" does not parse ({line}:{column}: {})",
            self.policy_name(i),
            d.message
        );
        self.mode = Mode::ConfirmDraft(about, draft);
        true
    }

    /// At open, after what a killed session left: asks whether to open the file's
    /// draft when there is one newer than the file. True when it asked.
    pub fn offer_newer_draft(&mut self) -> bool {
        // Drafts are scenario files: never offered over a template or a policy file.
        if !self.is_scenario_file() {
            return false;
        }
        let Some(draft) = self.path.as_deref().and_then(newer_draft) else {
            return false;
        };
        self.mode = Mode::ConfirmOpenDraft(draft);
        true
    }

    /// The draft `draft` holds the same policies, named and placed the same way.
    fn same_policies(&self, draft: &crate::scenario::Scenario) -> bool {
        self.file
            .as_ref()
            .is_some_and(|f| f.shape == super::file::Shape::Scenario)
            && draft.sources.len() == self.scenario.sources.len()
            && draft
                .sources
                .iter()
                .zip(&self.scenario.sources)
                .all(|(d, s)| {
                    d.kind == s.kind
                        && d.name == s.name
                        && d.level == s.level
                        && d.attached_to == s.attached_to
                        && d.principal == s.principal
                })
    }

    /// Opens the draft `draft` as unsaved edits of the file (Ctrl+S still saves to the
    /// file, and still notices a change of the file on disk). The draft is left as it
    /// is.
    pub fn open_draft(&mut self, draft: PathBuf) {
        let loaded = std::fs::read(&draft)
            .map_err(|e| e.to_string())
            .and_then(crate::input::decode)
            .and_then(|text| {
                crate::input::load_for_editing(&text)
                    .map(|scenario| (text, scenario))
                    .map_err(|e| {
                        e.diagnostics
                            .first()
                            .map(|d| format!("{}:{}: {}", d.span.line, d.span.column, d.message))
                            .unwrap_or_else(|| "not a scenario".into())
                    })
            });
        match loaded {
            // The draft of this very file: its policy texts become edits of the file
            // open (so the file's own formatting and forms stay, and undo takes them
            // back).
            Ok((_, scenario)) if self.same_policies(&scenario) => {
                let now = std::time::Instant::now();
                for (i, src) in scenario.sources.iter().enumerate() {
                    let was = &self.scenario.sources[i];
                    let text = if src.form != was.form {
                        // A policy that did not parse, kept in the draft as a string of
                        // the text without the spaces the editor puts before it.
                        let pad = crate::scenario::splice::pad(was);
                        format!("{}{}", " ".repeat(pad), src.text)
                    } else {
                        crate::scenario::splice::editor_text(src)
                    };
                    let Some(change) = super::history::text_change(i, &was.text, &text) else {
                        continue;
                    };
                    self.history
                        .record_step("opening the draft".into(), change, now);
                    self.policies.editors[i].set_text(&text, 0);
                    self.scenario.sources[i].text = text;
                }
                self.scenario.requests = scenario.requests;
                self.spans_follow_text = false;
                // Not what the file holds, whatever undo does.
                self.history.mark_unsaved();
                self.changed();
                self.message = Some(format!(
                    "opened the draft {} as unsaved edits",
                    draft.display()
                ));
            }
            Ok((text, scenario)) => {
                // The draft is the file's text with the edits spliced in: saving
                // splices further edits into it, and writes the result to the file.
                let mut opened = App::new(scenario, self.path.take())
                    .with_file(text, super::file::Shape::Scenario);
                opened.disk = self.disk.take();
                opened.origin =
                    std::mem::replace(&mut self.origin, super::recover::Origin::Unnamed);
                opened.test_panic = self.test_panic;
                opened.baseline = self.baseline.take();
                opened.dirty = true;
                opened.message = Some(format!(
                    "opened the draft {} as unsaved edits",
                    draft.display()
                ));
                opened.refresh_analysis();
                *self = opened;
            }
            Err(e) => {
                self.message = Some(format!(
                    "the draft {} could not be opened ({e})",
                    draft.display()
                ))
            }
        }
    }
}
