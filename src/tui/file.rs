//! The file being edited, as it was read (or last saved): what Ctrl+S writes back.
//! A scenario file gets its edited policy texts and requests spliced into their places,
//! every other byte kept; a bare policy document stays a bare policy document. Only
//! what the file's layout cannot take in place (SCP or RCP levels changing, a single
//! `"request"` object becoming several) writes a scenario anew.

use super::app::App;
use crate::scenario::{Scenario, splice, to_json};

/// What the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A scenario file.
    Scenario,
    /// A bare policy document (the scenario's first policy).
    Policy,
    /// A CloudFormation template: its edited documents are written back in place.
    Template,
}

/// The file as read or last saved.
#[derive(Debug, Clone)]
pub struct OpenedFile {
    /// Its text.
    pub text: String,
    /// What it is.
    pub shape: Shape,
    /// The scenario as read from `text`, its policy texts as the editor shows them.
    pub loaded: Scenario,
    /// For a template: what it was read with (the principal, parameters), to read it
    /// again.
    pub options: Option<crate::input::LoadOptions>,
}

/// What saving writes, and what the status bar adds to "saved FILE".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToSave {
    /// The file's new text.
    pub text: String,
    /// Said after "saved FILE" (what was not kept, what was left out).
    pub note: Option<String>,
    /// The new text is the old one with edits in place (positions of everything not
    /// edited are kept).
    pub in_place: bool,
}

impl App {
    /// Remembers the file the scenario was read from (`text`): saving writes back
    /// into it.
    pub fn with_file(mut self, text: String, shape: Shape) -> Self {
        self.file = Some(OpenedFile {
            text,
            shape,
            loaded: self.scenario.clone(),
            options: None,
        });
        self
    }

    /// What Ctrl+S writes: `Err` says why the file cannot be written as what it is.
    pub fn to_save(&self) -> Result<ToSave, String> {
        if let Some(view) = &self.trail {
            // The trail stays where it is: its policies are saved, with the requests
            // edited in the form.
            let mut scenario = self.scenario.clone();
            let mut edited: Vec<_> = view.edited.iter().collect();
            edited.sort_by_key(|(n, _)| **n);
            scenario.requests = edited.into_iter().map(|(_, r)| r.clone()).collect();
            let n = scenario.requests.len();
            return Ok(ToSave {
                text: to_json(&scenario),
                note: Some(format!(
                    "the policies{}; the trail's records stay in {}",
                    match n {
                        0 => String::new(),
                        1 => " and the 1 request edited".into(),
                        n => format!(" and the {n} requests edited"),
                    },
                    view.shown
                )),
                in_place: false,
            });
        }
        let Some(file) = &self.file else {
            return Ok(ToSave {
                text: to_json(&self.scenario),
                note: None,
                in_place: false,
            });
        };
        match file.shape {
            Shape::Template => self.template_to_save(file),
            Shape::Policy => {
                // The document is the first policy, at its place (another one there
                // means it was deleted).
                let was = file.loaded.sources.first();
                let now =
                    (self.scenario.sources.first()).filter(|n| was.is_some_and(|w| w.at == n.at));
                let (Some(was), Some(now)) = (was, now) else {
                    return Err("the policy document was deleted: nothing to write into it".into());
                };
                let text = splice::splice_bare(&file.text, was, now)
                    .ok_or("the policy's place in the file is unknown")?;
                let others = self.scenario.sources.len() - 1;
                let requests = self.scenario.requests.len();
                let count = |n: usize, one: &str, many: &str| {
                    format!("{n} {}", if n == 1 { one } else { many })
                };
                let note = (others > 0 || requests > 0).then(|| {
                    format!(
                        "the policy only: {} and {} stay unsaved in the scenario around it",
                        count(others, "other policy", "other policies"),
                        count(requests, "request", "requests"),
                    )
                });
                Ok(ToSave {
                    text,
                    note,
                    in_place: true,
                })
            }
            Shape::Scenario => Ok(
                match splice::edit_in_place(&file.text, &file.loaded, &self.scenario) {
                    Some((text, in_place)) => ToSave {
                        text,
                        note: None,
                        in_place,
                    },
                    None => ToSave {
                        text: to_json(&self.scenario),
                        note: Some(
                            "written anew: the file's layout cannot take these edits in place (such as SCP or RCP levels changed, or its one \"request\" made several)".into(),
                        ),
                        in_place: false,
                    },
                },
            ),
        }
    }

    /// Pretty-prints the policy shown (Ctrl+F), one undo step: two spaces a level,
    /// nested under the line its document starts on in the file, its first line where
    /// it was.
    pub fn reformat_policy(&mut self) -> Vec<super::pane::Effect> {
        use super::pane::Effect;
        let pi = self.policies.current;
        let Some(src) = self.scenario.sources.get(pi) else {
            return Vec::new();
        };
        if let Some(why) = self.tool_edit_refused(pi) {
            return vec![Effect::Message(why)];
        }
        let node = match crate::json::parse(&src.text) {
            Ok(n) => n,
            Err(e) => {
                let (line, column) = self.file_position(pi, &e.span);
                return vec![Effect::Message(format!(
                    "cannot pretty-print: {line}:{column}: {}",
                    e.message
                ))];
            }
        };
        // The indentation of the file's line the document starts on.
        let base = match (&self.file, src.at, src.form) {
            (Some(f), Some(at), crate::scenario::DocumentForm::Inline) => {
                f.text
                    .lines()
                    .nth(at.line.saturating_sub(1) as usize)
                    .map_or(0, |l| l.len() - l.trim_start_matches(' ').len())
                    / 2
            }
            _ => 0,
        };
        let lead = src.text.len() - src.text.trim_start().len();
        let mut text = src.text[..lead].to_string();
        crate::json::write_pretty(&node, base, &mut text);
        let trail = src.text.trim_end();
        text.push_str(&src.text[trail.len()..]);
        if text == src.text {
            return vec![Effect::Message(
                "the policy is pretty-printed already".into(),
            )];
        }
        let label = format!("pretty-printing \"{}\"", self.policy_name(pi));
        if !self.replace_policy_text(pi, text, label, 0) {
            return Vec::new();
        }
        vec![Effect::Evaluate]
    }

    /// Puts `text` in place of policy `pi`'s text as one undo step named `label` (the
    /// editor shows it, its cursor at byte `cursor`). False when nothing changed.
    pub fn replace_policy_text(
        &mut self,
        pi: usize,
        text: String,
        label: String,
        cursor: usize,
    ) -> bool {
        let Some(src) = self
            .scenario
            .sources
            .get_mut(pi)
            .filter(|s| s.form.editable())
        else {
            return false;
        };
        let Some(change) = super::history::text_change(pi, &src.text, &text) else {
            return false;
        };
        self.history
            .record_step(label, change, std::time::Instant::now());
        if let Some(e) = self.policies.editors.get_mut(pi) {
            e.set_text(&text, cursor);
        }
        src.text = text;
        self.spans_follow_text = false;
        self.changed();
        true
    }

    /// What a draft holds (Ctrl+S while a policy does not parse): the file with the
    /// edits spliced in, each policy that does not parse written as a JSON string of
    /// its text, so the draft is JSON that opens again.
    pub fn draft_text(&self) -> String {
        let invalid: Vec<bool> = (0..self.scenario.sources.len())
            .map(|i| self.errors.get(i).is_some_and(|e| !e.is_empty()))
            .collect();
        self.file
            .as_ref()
            .filter(|f| f.shape == Shape::Scenario)
            .and_then(|f| splice::splice_as(&f.text, &f.loaded, &self.scenario, &invalid))
            .unwrap_or_else(|| to_json(&self.scenario))
    }

    /// What a recovery file holds for the unsaved edits: the file as saving would
    /// write it when that can be read back, else the scenario with every policy text
    /// kept (one that does not parse, as a JSON string).
    pub fn recovery_text(&self) -> String {
        let template = self
            .file
            .as_ref()
            .is_some_and(|f| f.shape == Shape::Template);
        if let Some(f) = self.file.as_ref().filter(|_| template) {
            // A template's edits are kept in the template, read again on restoring
            // (as typed: a document being written need not read yet).
            if let Ok((text, _)) = splice::splice_template(&f.text, &f.loaded, &self.scenario) {
                return text;
            }
        }
        match self.to_save() {
            Ok(t) if crate::input::load_for_editing(&t.text).is_ok() => t.text,
            _ => to_json(&self.scenario),
        }
    }

    /// Takes note that `saved` (from [`App::to_save`]) is now the file's text: the
    /// policies' places are read again from it, so the next save splices into it.
    pub fn saved_as(&mut self, saved: &ToSave) {
        if self
            .file
            .as_ref()
            .is_some_and(|f| f.shape == Shape::Template)
        {
            return self.template_saved(saved);
        }
        let Some(file) = &mut self.file else {
            return;
        };
        match file.shape {
            Shape::Template => {}
            Shape::Policy => {
                if let (Some(now), Some(was)) = (
                    self.scenario.sources.first_mut(),
                    file.loaded.sources.first(),
                ) {
                    if let Some(mut at) = was.at {
                        at.end = at.start + splice::document_text(now).len() as u64;
                        now.at = Some(at);
                    }
                    file.loaded.sources = vec![now.clone()];
                }
            }
            Shape::Scenario => {
                let Ok(mut read) = crate::input::load_for_editing(&saved.text) else {
                    // Not readable as a scenario (a policy that does not parse, saved
                    // as a draft): the next save writes it anew.
                    file.loaded = Scenario {
                        sources: Vec::new(),
                        ..self.scenario.clone()
                    };
                    file.text = saved.text.clone();
                    return;
                };
                for src in &mut read.sources {
                    src.text = splice::editor_text(src);
                }
                if !saved.in_place {
                    // Written anew: the editors show the file's new text.
                    self.scenario.sources = read.sources.clone();
                    self.policies.reload(&self.scenario.sources);
                } else {
                    for (now, r) in self.scenario.sources.iter_mut().zip(&read.sources) {
                        now.at = r.at;
                    }
                    for (e, src) in self.policies.editors.iter_mut().zip(&self.scenario.sources) {
                        e.set_first_line(splice::first_line(src));
                    }
                }
                for (now, r) in self.scenario.requests.iter_mut().zip(&read.requests) {
                    now.span = r.span;
                }
                file.loaded = self.scenario.clone();
            }
        }
        file.text = saved.text.clone();
    }
}
