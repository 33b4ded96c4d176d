//! Comparisons that touch a placeholder (an unresolved template value, `⟦…⟧`): how
//! each evaluation pass settles them and which placeholders took part.
//!
//! The plain pass takes every unresolved comparison as "no match" (then negation,
//! `IfExists` and the set operators apply as usual) and marks it in the trace. When
//! one took part, two more passes bound the decision: in the most permissive pass
//! each unresolved comparison goes the way that makes an Allow statement apply and a
//! Deny statement not apply; in the least permissive pass the other way. Statements
//! that apply only move a decision towards Allow (Allow statements) or towards an
//! explicit Deny (Deny statements), so every way the placeholders could resolve gives
//! a decision between the two bounds.

use crate::iac::placeholder;
use crate::policy::Effect;

/// Which way an evaluation pass settles unresolved comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Every unresolved comparison is "no match" (what the trace shows).
    Plain,
    /// Each goes the way that makes Allow statements apply and Deny statements not.
    MostPermissive,
    /// Each goes the way that makes Deny statements apply and Allow statements not.
    LeastPermissive,
}

/// The state of one evaluation pass: how it settles unresolved comparisons, the
/// effect of the statement being evaluated, and the placeholders met so far.
#[derive(Debug)]
pub struct Marks {
    /// How this pass settles unresolved comparisons.
    pub bound: Bound,
    /// The effect of the statement being evaluated.
    pub effect: Effect,
    /// The placeholders that took part in an unresolved comparison, in the order met,
    /// each once.
    pub found: Vec<String>,
}

impl Marks {
    /// A pass that settles unresolved comparisons as `bound` says.
    pub fn new(bound: Bound) -> Self {
        Marks {
            bound,
            effect: Effect::Allow,
            found: Vec::new(),
        }
    }

    /// Whether this pass wants the current statement to apply (`None`: the plain pass
    /// wants nothing).
    pub fn wants_apply(&self, effect: Effect) -> Option<bool> {
        match self.bound {
            Bound::Plain => None,
            Bound::MostPermissive => Some(effect == Effect::Allow),
            Bound::LeastPermissive => Some(effect == Effect::Deny),
        }
    }

    /// Records the placeholders of an unresolved comparison between `texts` and
    /// returns the outcome this pass gives it. `positive`: a match makes the current
    /// statement more likely to apply (Action, Resource, Principal, a plain condition
    /// operator); false where a match keeps it from applying (NotAction, NotResource,
    /// NotPrincipal, a negated operator).
    pub fn settle(&mut self, positive: bool, texts: &[&str]) -> bool {
        self.record(texts);
        match self.wants_apply(self.effect) {
            None => false,
            Some(want) => want == positive,
        }
    }

    /// Records the placeholders in `texts`.
    pub fn record(&mut self, texts: &[&str]) {
        for t in texts {
            for p in placeholder::find(t) {
                if !self.found.iter().any(|f| f == p) {
                    self.found.push(p.to_string());
                }
            }
        }
    }
}

/// The placeholders in `texts`, each once, for a trace row's mark.
pub fn placeholders_in(texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in texts {
        for p in placeholder::find(t) {
            if !out.iter().any(|f| f == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bound_settles_towards_its_side() {
        let mut m = Marks::new(Bound::Plain);
        assert!(!m.settle(true, &["⟦a⟧"]));
        assert!(!m.settle(false, &["⟦a⟧", "x⟦b⟧"]));
        assert_eq!(m.found, ["⟦a⟧", "⟦b⟧"]);
        let mut m = Marks::new(Bound::MostPermissive);
        m.effect = Effect::Allow;
        assert!(m.settle(true, &["⟦a⟧"]), "an Allow's Resource matches");
        assert!(
            !m.settle(false, &["⟦a⟧"]),
            "an Allow's NotResource lists nothing"
        );
        m.effect = Effect::Deny;
        assert!(!m.settle(true, &["⟦a⟧"]), "a Deny's Resource misses");
        assert!(
            m.settle(false, &["⟦a⟧"]),
            "a Deny's negated operator matches"
        );
        let mut m = Marks::new(Bound::LeastPermissive);
        m.effect = Effect::Deny;
        assert!(m.settle(true, &["⟦a⟧"]));
        m.effect = Effect::Allow;
        assert!(!m.settle(true, &["⟦a⟧"]));
        assert!(m.settle(false, &["⟦a⟧"]));
    }
}
