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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Severity;
    use crate::source::Span;

    fn finding(line: u64) -> Finding {
        Finding {
            code: "unknown-action",
            severity: Severity::Warning,
            message: "m".into(),
            span: Span {
                line,
                ..Span::default()
            },
            fix: None,
            edit: None,
        }
    }

    #[test]
    fn the_selection_walks_every_policy_s_findings_and_enter_shows_one() {
        let mut v = LintView::default();
        v.set(None);
        assert!(!v.ready, "the catalog is still loading");
        v.set(Some(vec![
            vec![finding(3)],
            vec![],
            vec![finding(7), finding(9)],
        ]));
        assert!(v.ready);
        assert_eq!(v.count(), 3);
        for _ in 0..5 {
            v.handle(Action::Down);
        }
        assert_eq!(v.selected, 2);
        v.handle(Action::Up);
        let shown = v.handle(Action::JumpToSource);
        assert!(
            matches!(shown.as_slice(), [Effect::ShowInPolicy(2, s)] if s.line == 7),
            "{shown:?}"
        );
        // Fewer findings after an edit: the selection follows.
        v.set(Some(vec![vec![finding(3)]]));
        assert_eq!(v.selected, 0);
    }
}
