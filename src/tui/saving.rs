//! Saving from the TUI: what is saved ([`bytes_to_save`], the one place that decides
//! the content), and the flow around [`crate::save`]: a save that stops to ask (the
//! file changed on disk, is read-only, is not a regular file, or "save as" names a
//! file that exists) becomes a y/n question ([`Mode::ConfirmSave`]); a failed save
//! says why in the status bar and changes nothing (the edits, "unsaved", the path);
//! Ctrl+S on a scenario file with a policy that does not parse offers a draft instead
//! (see [`super::drafts`]).

use super::action::Action;
use super::app::{App, Mode};
use super::file::ToSave;
use super::keymap::{Scope, key_label};
use super::recover::Origin;
use crate::save::{Allow, Expect, Outcome, Refusal, save};
use std::path::{Path, PathBuf};

/// Where a save goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The file open (Ctrl+S): compared with what was opened or last saved.
    Open,
    /// A name typed in the save-as prompt: asks before replacing a file.
    NewName,
    /// The draft beside the file (its edits do not parse): replaced freely.
    Draft,
    /// The whole scenario under a name typed (Ctrl+E): asks before replacing a file;
    /// the scenario file is what is open from then on.
    Scenario,
}

/// One save to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveJob {
    /// The file to write.
    pub path: PathBuf,
    /// What it is to the app.
    pub target: Target,
    /// What the user already said yes to.
    pub allow: Allow,
}

impl SaveJob {
    /// A first attempt (nothing allowed yet).
    pub fn new(path: PathBuf, target: Target) -> SaveJob {
        SaveJob {
            path,
            target,
            allow: Allow::default(),
        }
    }
}

/// A save that stopped to ask: the save, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveQuestion {
    /// The save, to carry out again with the refusal allowed on yes.
    pub job: SaveJob,
    /// Why it asks.
    pub refusal: Refusal,
}

/// What every save writes (the file, save as, a draft): the one
/// function that decides what is saved (see [`App::to_save`]: a scenario with its
/// edits spliced in, a bare policy as the document). `Err` says why the file cannot be
/// written as what it is.
pub fn bytes_to_save(app: &mut App, target: Target) -> Result<ToSave, String> {
    if target == Target::Draft {
        return Ok(ToSave {
            text: app.draft_text(),
            note: None,
            in_place: false,
        });
    }
    if target == Target::Scenario && app.scenario.template.is_some() {
        // Saving a template's session as a scenario is its own save (see
        // `App::save_template_scenario`): the policies stay in the template.
        return Err(
            "a template's policies are saved into the template (Ctrl+S); a scenario file takes them from it with \"policiesFrom\"".into(),
        );
    }
    if target == Target::Scenario {
        return Ok(ToSave {
            text: crate::scenario::to_json(&app.scenario),
            note: None,
            in_place: false,
        });
    }
    app.to_save()
}

/// The same file, links followed (for "save as" onto the file that is open).
fn same_file(a: &Path, b: &Path) -> bool {
    let full = |p: &Path| {
        let p = crate::save::resolve(p).unwrap_or_else(|_| p.to_path_buf());
        std::path::absolute(&p).unwrap_or(p)
    };
    full(a) == full(b)
}

impl App {
    /// Carries out `job`: saves, asks (a question overlay), or says why it failed.
    pub fn save(&mut self, job: SaveJob) {
        if job.target == Target::Scenario && self.scenario.template.is_some() {
            return self.save_template_scenario(job);
        }
        let to_save = match bytes_to_save(self, job.target) {
            Ok(t) => t,
            Err(why) => {
                self.message = Some(format!("could not save {}: {why}", job.path.display()));
                return;
            }
        };
        if job.target == Target::Open && self.offer_draft(&job.path) {
            return;
        }
        let open_file = match job.target {
            Target::Open => true,
            Target::NewName | Target::Scenario => self
                .path
                .as_deref()
                .is_some_and(|p| same_file(p, &job.path)),
            Target::Draft => false,
        };
        let bare = self
            .file
            .as_ref()
            .is_some_and(|f| f.shape == super::file::Shape::Policy);
        if job.target == Target::Scenario && open_file && bare {
            self.message = Some(format!(
                "{} is the policy document itself: save the scenario under another name",
                job.path.display()
            ));
            return;
        }
        let expect = match (&self.disk, job.target) {
            (_, Target::Draft) => Expect::Anything,
            (Some(seen), _) if open_file => Expect::Unchanged(seen),
            _ => Expect::Absent,
        };
        let save_as = key_label(Action::SaveAs, Scope::Global);
        match save(&job.path, to_save.text.as_bytes(), expect, job.allow) {
            Ok(Outcome::Saved(_)) if job.target == Target::Draft => {
                let file = self
                    .path
                    .as_ref()
                    .map_or(String::new(), |p| format!("; {} is as it was", p.display()));
                self.message = Some(format!("saved a draft to {}{file}", job.path.display()));
                // The draft holds the edits (and is offered on the next open).
                self.forget_recovery();
            }
            Ok(Outcome::Saved(seen)) => {
                if job.target == Target::Scenario {
                    // The scenario file is what is open from now on.
                    self.file = Some(super::file::OpenedFile {
                        text: to_save.text.clone(),
                        shape: super::file::Shape::Scenario,
                        loaded: self.scenario.clone(),
                        options: None,
                    });
                }
                // The file's text is now what was written: the next save splices into it.
                self.saved_as(&to_save);
                self.message = Some(match &to_save.note {
                    Some(n) => format!("saved {} ({n})", job.path.display()),
                    None => format!("saved {}", job.path.display()),
                });
                if !open_file {
                    // Unsaved edits of the new file go beside it if a signal comes.
                    self.origin = Origin::File(job.path.clone());
                }
                self.path = Some(job.path);
                self.disk = Some(seen);
                self.history.mark_saved();
                self.dirty = false;
                self.forget_recovery();
                // The changes view now compares against what was saved.
                self.baseline = self.set.clone();
                self.refresh_analysis();
            }
            Ok(Outcome::Ask(refusal)) if job.target == Target::Draft => {
                self.message = Some(format!(
                    "the draft was not saved: {}; {save_as} saves elsewhere",
                    refusal_text(&job.path, refusal)
                ));
            }
            Ok(Outcome::Ask(refusal)) => {
                self.mode = Mode::ConfirmSave(SaveQuestion { job, refusal });
            }
            Err(e) => self.message = Some(format!("{e} ({save_as}: save as)")),
        }
    }
}

/// Why a save of `path` asks, as a sentence start: "x.json is read-only".
pub fn refusal_text(path: &Path, refusal: Refusal) -> String {
    let shown = path.display();
    match refusal {
        Refusal::Changed => format!("{shown} changed on disk since it was opened or saved"),
        Refusal::Exists => format!("{shown} already exists"),
        Refusal::ReadOnly => format!("{shown} is read-only"),
        Refusal::NotRegular(what) => format!("{shown} is {}, not a regular file", what.describe()),
    }
}
