//! The lint view's state: every policy's findings and the selected one.

use super::Effect;
use crate::lint::Finding;
use crate::tui::action::Action;

/// The lint view.
#[derive(Debug, Clone, Default)]
pub struct LintView {
    /// Each policy's findings (index-aligned with the scenario's policies).
    pub findings: Vec<Vec<Finding>>,
    /// The selected row.
    pub selected: usize,
    /// `findings` is for the current text (false while the catalog loads).
    pub ready: bool,
}

impl LintView {
    /// Carries out `action`.
    pub fn handle(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(self.count().saturating_sub(1)),
            Action::JumpToSource => {
                if let Some((pi, f)) = self.rows().get(self.selected) {
                    return vec![Effect::ShowInPolicy(*pi, f.span)];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Takes new findings (`None`: the catalog is still loading).
    pub fn set(&mut self, findings: Option<Vec<Vec<Finding>>>) {
        self.ready = findings.is_some();
        self.findings = findings.unwrap_or_default();
        self.selected = self.selected.min(self.count().saturating_sub(1));
    }

    /// How many findings the policies have.
    pub fn count(&self) -> usize {
        self.findings.iter().map(Vec::len).sum()
    }

    /// The findings in list order: (policy index, finding).
    pub fn rows(&self) -> Vec<(usize, &Finding)> {
        self.findings
            .iter()
            .enumerate()
            .flat_map(|(i, fs)| fs.iter().map(move |f| (i, f)))
            .collect()
    }
}
