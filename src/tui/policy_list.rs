//! The scenario's list of policies as the TUI edits it: adding, deleting, renaming, the
//! policy type and its placement (attachedTo, SCP/RCP level). The
//! [`App`] owns the scenario, so these are its methods; the policy
//! pane keeps the editors in step.

use super::action::Action;
use super::app::{App, KIND_CYCLE, Mode, NEW_POLICY};
use super::editor::PolicyEditor;
use super::history::{Change, PolicyList};
use super::pane::Effect;
use crate::policy::{BoundPrincipal, PolicyKind};
use crate::scenario::DocumentForm;

impl App {
    /// Carries out an action on the scenario's list of policies; `None` when `action`
    /// is the policy pane's own.
    pub fn handle_policy_list(&mut self, action: Action) -> Option<Vec<Effect>> {
        let n = self.policies.editors.len();
        let current = self.policies.current;
        let list = matches!(
            action,
            Action::AddPolicy
                | Action::DeletePolicy
                | Action::RenamePolicy
                | Action::CyclePolicyType
                | Action::PlacePolicy
        );
        if let Some(why) = self.policy_list_fixed().filter(|_| list) {
            return Some(vec![Effect::Message(why)]);
        }
        // Another file's policy (AWS's, a template's): not the scenario's to change.
        let derived = self
            .scenario
            .sources
            .get(current)
            .is_some_and(|s| !s.form.editable());
        if derived && list && action != Action::AddPolicy {
            return Some(vec![Effect::Message(format!(
                "\"{}\" is another file's policy: read-only here",
                self.policy_name(current)
            ))]);
        }
        Some(match action {
            Action::AddPolicy => {
                self.add_policy();
                vec![Effect::Evaluate]
            }
            Action::DeletePolicy if n > 0 => vec![Effect::Overlay(Mode::ConfirmDelete)],
            Action::RenamePolicy if current < n => {
                let name = self.scenario.sources[current]
                    .name
                    .clone()
                    .unwrap_or_default();
                vec![Effect::Overlay(Mode::Rename(name))]
            }
            Action::CyclePolicyType if current < n => {
                self.cycle_kind();
                vec![Effect::Evaluate]
            }
            Action::Reformat => self.reformat_policy(),
            Action::PlacePolicy => match self.placement_text() {
                Some(t) => vec![Effect::Overlay(Mode::Placement(t))],
                None => vec![Effect::Message(
                    "an endpoint policy has no placement (resource policies: attachedTo; SCPs/RCPs: level; identity, boundary and session policies: the principal they are for)"
                        .into(),
                )],
            },
            Action::DeletePolicy | Action::RenamePolicy | Action::CyclePolicyType => Vec::new(),
            _ => return None,
        })
    }

    /// The list of policies, for an undo step.
    fn policy_list(&self) -> PolicyList {
        PolicyList {
            sources: self.scenario.sources.clone(),
            scp_levels: self.scenario.set.scp_levels.clone(),
            rcp_levels: self.scenario.set.rcp_levels.clone(),
            current: self.policies.current,
        }
    }

    /// The list of policies changed from `before`: one undo step named `label`.
    fn list_changed(&mut self, label: String, before: PolicyList) {
        self.spans_follow_text = false;
        let after = self.policy_list();
        if after != before {
            self.history.record_step(
                label,
                Change::Policies {
                    before: Box::new(before),
                    after: Box::new(after),
                },
                std::time::Instant::now(),
            );
        }
        self.changed();
    }

    /// Puts the list of policies back as `list` was (undo, redo): the editors show
    /// the texts afresh.
    pub fn restore_policy_list(&mut self, list: &PolicyList) {
        self.spans_follow_text = false;
        self.scenario.sources.clone_from(&list.sources);
        self.scenario.set.scp_levels.clone_from(&list.scp_levels);
        self.scenario.set.rcp_levels.clone_from(&list.rcp_levels);
        self.policies.reload(&self.scenario.sources);
        self.policies.current = list
            .current
            .min(self.policies.editors.len().saturating_sub(1));
    }

    /// Adds a new identity policy after the others and edits it.
    pub fn add_policy(&mut self) {
        let before = self.policy_list();
        let n = self.scenario.sources.len() + 1;
        self.scenario.sources.push(crate::scenario::PolicySource {
            kind: PolicyKind::Identity,
            name: Some(format!("new policy {n}")),
            level: None,
            attached_to: None,
            principal: None,
            text: NEW_POLICY.to_string(),
            form: DocumentForm::Inline,
            at: None,
        });
        self.policies.editors.push(PolicyEditor::new(NEW_POLICY));
        self.policies.current = self.policies.editors.len() - 1;
        self.list_changed(format!("adding \"new policy {n}\""), before);
    }

    /// Deletes the policy being edited.
    pub fn delete_policy(&mut self) {
        if self.policies.current < self.policies.editors.len() {
            let before = self.policy_list();
            let label = format!("deleting \"{}\"", self.policy_name(self.policies.current));
            self.scenario.sources.remove(self.policies.current);
            self.policies.editors.remove(self.policies.current);
            self.policies.current = self
                .policies
                .current
                .min(self.policies.editors.len().saturating_sub(1));
            self.list_changed(label, before);
        }
    }

    /// Gives the edited policy the next type (identity → resource → boundary → …). An
    /// SCP or RCP goes to the first level (made `r-root` when there is none).
    pub fn cycle_kind(&mut self) {
        let before = self.policy_list();
        let label = format!(
            "changing the type of \"{}\"",
            self.policy_name(self.policies.current)
        );
        let Some(src) = self.scenario.sources.get_mut(self.policies.current) else {
            return;
        };
        let i = KIND_CYCLE.iter().position(|k| *k == src.kind).unwrap_or(0);
        src.kind = KIND_CYCLE[(i + 1) % KIND_CYCLE.len()];
        src.level = None;
        if src.kind != PolicyKind::Resource {
            src.attached_to = None;
        }
        // Only identity, boundary and session policies are bound to a principal.
        if !matches!(
            src.kind,
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
        ) {
            src.principal = None;
        }
        let levels = match src.kind {
            PolicyKind::Scp => Some(&mut self.scenario.set.scp_levels),
            PolicyKind::Rcp => Some(&mut self.scenario.set.rcp_levels),
            _ => None,
        };
        if let Some(levels) = levels {
            if levels.is_empty() {
                levels.push("r-root".into());
            }
            src.level = Some(0);
        }
        self.list_changed(label, before);
    }

    /// Renames the edited policy (an empty name removes it).
    pub fn rename_policy(&mut self, name: &str) {
        let before = self.policy_list();
        let label = format!("renaming \"{}\"", self.policy_name(self.policies.current));
        if let Some(src) = self.scenario.sources.get_mut(self.policies.current) {
            let name = name.trim();
            src.name = (!name.is_empty()).then(|| name.to_string());
            self.list_changed(label, before);
        }
    }

    /// What the placement prompt starts with for the edited policy.
    pub fn placement_text(&self) -> Option<String> {
        let src = self.scenario.sources.get(self.policies.current)?;
        match src.kind {
            PolicyKind::Resource => Some(src.attached_to.clone().unwrap_or_default()),
            PolicyKind::Scp => Some(
                src.level
                    .and_then(|l| self.scenario.set.scp_levels.get(l).cloned())
                    .unwrap_or_default(),
            ),
            PolicyKind::Rcp => Some(
                src.level
                    .and_then(|l| self.scenario.set.rcp_levels.get(l).cloned())
                    .unwrap_or_default(),
            ),
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session => {
                Some(src.principal.clone().unwrap_or_default())
            }
            PolicyKind::Endpoint => None,
        }
    }

    /// Why the edited identity, boundary or session policy cannot be bound to `text`
    /// (empty: unbound, for every principal); `None` when it can.
    fn binding_refused(&self, text: &str) -> Option<String> {
        let current = self.policies.current;
        let src = self.scenario.sources.get(current)?;
        if !matches!(
            src.kind,
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session
        ) {
            return None;
        }
        let new = if text.is_empty() {
            None
        } else {
            match BoundPrincipal::new(text) {
                Some(b) => Some(b),
                None => {
                    return Some(format!(
                        "\"{text}\" is not the ARN of one user, role, role session, federated user or account root (no wildcards)"
                    ));
                }
            }
        };
        if src.kind != PolicyKind::Boundary {
            return None;
        }
        // At most one permissions boundary per principal.
        let clash = self.scenario.sources.iter().enumerate().any(|(i, other)| {
            i != current
                && other.kind == PolicyKind::Boundary
                && match (
                    &new,
                    other.principal.as_deref().and_then(BoundPrincipal::new),
                ) {
                    (Some(a), Some(b)) => a.overlaps(&b),
                    _ => true,
                }
        });
        clash.then(|| {
            "a principal has at most one permissions boundary: another boundary already applies to it"
                .to_string()
        })
    }

    /// Sets the edited policy's `attachedTo` (resource policies; empty: every request),
    /// level (SCPs and RCPs; a new name adds a level below the others) or principal.
    /// Identity, boundary and session policies: binds the policy to the principal
    /// `text` (empty: unbound), or says why it cannot be.
    pub fn set_placement(&mut self, text: &str) -> Option<String> {
        let before = self.policy_list();
        let label = format!("placing \"{}\"", self.policy_name(self.policies.current));
        let text = text.trim();
        if let Some(why) = self.binding_refused(text) {
            return Some(why);
        }
        let src = self.scenario.sources.get_mut(self.policies.current)?;
        match src.kind {
            PolicyKind::Resource => {
                src.attached_to = (!text.is_empty()).then(|| text.to_string());
            }
            PolicyKind::Scp | PolicyKind::Rcp if !text.is_empty() => {
                let levels = if src.kind == PolicyKind::Scp {
                    &mut self.scenario.set.scp_levels
                } else {
                    &mut self.scenario.set.rcp_levels
                };
                let i = match levels.iter().position(|l| l == text) {
                    Some(i) => i,
                    None => {
                        levels.push(text.to_string());
                        levels.len() - 1
                    }
                };
                src.level = Some(i);
            }
            PolicyKind::Identity | PolicyKind::Boundary | PolicyKind::Session => {
                src.principal = (!text.is_empty()).then(|| text.to_string());
            }
            _ => return None,
        }
        self.list_changed(label, before);
        None
    }
}
