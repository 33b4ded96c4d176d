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

#[cfg(test)]
mod decisions {
    use crate::eval::{Detail, Evaluation, PreparedRequest, evaluate};
    use crate::trace::Decision;

    /// Each request of a scenario evaluated, with and without the trace (they must
    /// agree, unresolved values included).
    fn run(text: &str) -> Vec<Evaluation> {
        let s = crate::input::load_str(text).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        s.requests
            .iter()
            .map(|r| {
                let p = PreparedRequest::new(&r.request);
                let quick = evaluate(&s.set, &p, Detail::Decision);
                let full = evaluate(&s.set, &p, Detail::Trace);
                assert_eq!(quick.decision, full.decision);
                assert_eq!(quick.unresolved, full.unresolved);
                assert_eq!(
                    full.trace.as_ref().map(|t| &t.unresolved),
                    Some(&full.unresolved)
                );
                full
            })
            .collect()
    }

    fn scenario(statements: &str, requests: &str) -> String {
        format!(
            r#"{{"policies": {{"identity": [{{"Version": "2012-10-17", "Statement": [{statements}]}}]}}, "requests": [{requests}]}}"#
        )
    }

    const APP: &str = r#""principal": "arn:aws:iam::111122223333:role/App""#;

    #[test]
    fn without_placeholders_nothing_is_unresolved() {
        let evs = run(&scenario(
            r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}"#,
            &format!(r#"{{{APP}, "action": "s3:GetObject", "resource": "arn:aws:s3:::c/k"}}"#),
        ));
        assert_eq!(evs[0].decision, Decision::ImplicitDeny);
        assert_eq!(evs[0].unresolved, None);
    }

    #[test]
    fn the_bounds_follow_the_effect_of_each_statement() {
        // An Allow and a Deny on the same placeholder: the Allow can only make it more
        // permissive, the Deny only less, so the range spans both.
        let evs = run(&scenario(
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "⟦Ref A⟧"},
               {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "⟦Ref D⟧"}"#,
            &format!(r#"{{{APP}, "action": "s3:GetObject", "resource": "arn:aws:s3:::c/k"}}"#),
        ));
        let u = evs[0]
            .unresolved
            .as_ref()
            .expect("unresolved values took part");
        assert_eq!(evs[0].decision, Decision::ImplicitDeny);
        assert!(u.depends);
        assert_eq!(u.most_permissive, Decision::Allow);
        assert_eq!(u.least_permissive, Decision::ExplicitDeny);
        assert_eq!(u.values, ["⟦Ref A⟧", "⟦Ref D⟧"]);
        assert!(
            !evs[0].meets(Decision::ImplicitDeny),
            "a dependent result meets no expect"
        );
    }

    #[test]
    fn a_negated_operator_settles_the_other_way() {
        // StringNotEquals in an Allow: no match makes it hold (the plain reading
        // allows); the least permissive reading matches, so the Allow fails.
        let evs = run(&scenario(
            r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "⟦Ref Blocked⟧"}}}"#,
            &format!(
                r#"{{{APP}, "action": "s3:GetObject", "resource": "arn:aws:s3:::c/k", "context": {{"aws:PrincipalTag/team": "red"}}}}"#
            ),
        ));
        let u = evs[0].unresolved.as_ref().expect("unresolved");
        assert_eq!(evs[0].decision, Decision::Allow);
        assert_eq!(
            (u.least_permissive, u.most_permissive),
            (Decision::ImplicitDeny, Decision::Allow)
        );
    }

    #[test]
    fn a_trust_policy_naming_a_placeholder_role() {
        let text = r#"{"policies": {
            "identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}],
            "resource": [{"attachedTo": "arn:aws:iam::111122223333:role/Target", "document": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "⟦GetAtt AppRole.Arn⟧"}, "Action": "sts:AssumeRole"}]}}]},
          "requests": [
            {"principal": "arn:aws:iam::111122223333:role/App", "action": "sts:AssumeRole", "resource": "arn:aws:iam::111122223333:role/Target"},
            {"principal": "⟦GetAtt AppRole.Arn⟧", "action": "sts:AssumeRole", "resource": "arn:aws:iam::111122223333:role/Target"}]}"#;
        let evs = run(text);
        let u = evs[0].unresolved.as_ref().expect("unresolved");
        assert_eq!(evs[0].decision, Decision::ImplicitDeny);
        assert_eq!(u.most_permissive, Decision::Allow);
        // The same placeholder names the same principal; but a principal that is wholly
        // a placeholder has no known kind: any decision is possible.
        let u = evs[1].unresolved.as_ref().expect("unresolved");
        assert!(u.principal_unknown && u.depends);
    }

    #[test]
    fn placeholders_are_accepted_where_values_of_their_kind_are_expected() {
        // Request action, principal and resource; condition values of every family;
        // a Service principal. None of it is a load error.
        let text = r#"{"policies": {"identity": [{"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["s3:⟦Ref Verb⟧", "⟦Ref Action⟧"], "Resource": ["⟦GetAtt B.Arn⟧/*", "arn:aws:s3:::⟦Ref Name⟧/*"],
               "Condition": {"IpAddress": {"aws:SourceIp": "⟦Ref Cidr⟧"}, "NumericLessThan": {"aws:MultiFactorAuthAge": "⟦Ref Age⟧"},
                             "DateGreaterThan": {"aws:CurrentTime": "⟦Ref Start⟧"}, "Bool": {"aws:SecureTransport": "⟦Ref Tls⟧"},
                             "ArnLike": {"aws:SourceArn": "⟦GetAtt Topic.Arn⟧"}, "Null": {"aws:TagKeys": "⟦Ref Tagged⟧"}}}]}],
            "resource": [{"attachedTo": "⟦GetAtt B.Arn⟧", "document": {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Principal": {"Service": "⟦Sub events.URLSuffix⟧", "AWS": "⟦GetAtt R.Arn⟧"}, "Action": "s3:GetObject", "Resource": "*"}]}}]},
          "requests": [{"principal": "⟦GetAtt R.Arn⟧", "action": "s3:⟦Ref Verb⟧", "resource": "⟦GetAtt B.Arn⟧/k"}]}"#;
        let evs = run(text);
        assert_eq!(evs.len(), 1);
        for bad in [r#""action": "s3""#, r#""action": "s3:*""#] {
            let t = format!(r#"{{"requests": [{{{APP}, {bad}, "resource": "*"}}]}}"#);
            assert!(
                crate::input::load_str(&t).is_err(),
                "{bad} must still be refused"
            );
        }
    }
}
