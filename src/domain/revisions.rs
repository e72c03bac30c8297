use super::{Claim, FigureChange, Quantity, RevisionDirection, RevisionStep};

/// Pairs each step of a revision chain (oldest first) with how its figures moved from the step
/// before. A figure is compared with the previous step's first figure of the same indicator and
/// subject: a revision restates the headline number, and later figures of the same indicator are
/// scenarios around it (before and after mitigation).
pub fn revision_steps(chain: Vec<Claim>) -> Vec<RevisionStep> {
    let mut steps: Vec<RevisionStep> = Vec::with_capacity(chain.len());
    for claim in chain {
        let changes = match steps.last() {
            Some(previous) => changes_between(&previous.claim.quantities, &claim.quantities),
            None => Vec::new(),
        };
        steps.push(RevisionStep { claim, changes });
    }
    steps
}

fn changes_between(before: &[Quantity], after: &[Quantity]) -> Vec<FigureChange> {
    let mut changes: Vec<FigureChange> = Vec::new();
    for q in after {
        let already_compared = changes
            .iter()
            .any(|c| c.indicator == q.indicator && c.subject == q.subject);
        let previous = before
            .iter()
            .find(|p| p.indicator == q.indicator && p.subject == q.subject);
        let Some(previous) = previous.filter(|_| !already_compared) else {
            continue;
        };
        let moved = FigureMove::between(
            Stated::of(previous.value, &previous.unit, previous.value_si),
            Stated::of(q.value, &q.unit, q.value_si),
        );
        changes.push(FigureChange {
            indicator: q.indicator.clone(),
            subject: q.subject.clone(),
            from: moved.from,
            to: q.value,
            unit: q.unit.clone(),
            absolute: moved.absolute,
            relative: moved.relative,
        });
    }
    changes
}

/// A figure as stated, with its value in SI.
#[derive(Debug, Clone, Copy)]
pub struct Stated<'a> {
    value: f64,
    unit: &'a str,
    value_si: f64,
}

impl<'a> Stated<'a> {
    pub fn of(value: f64, unit: &'a str, value_si: f64) -> Stated<'a> {
        Stated {
            value,
            unit,
            value_si,
        }
    }
}

/// How a figure moved from one statement of it to the next, in the later one's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureMove {
    /// The earlier value, in the later one's unit.
    pub from: f64,
    pub absolute: f64,
    /// `absolute / from`; `None` when `from` is 0.
    pub relative: Option<f64>,
}

impl FigureMove {
    pub fn between(before: Stated, after: Stated) -> FigureMove {
        // Compare in the new figure's unit; the SI values make mixed units (MW then GW) comparable.
        let from = if before.unit == after.unit || after.value_si == 0.0 {
            before.value
        } else {
            before.value_si * after.value / after.value_si
        };
        let absolute = after.value - from;
        FigureMove {
            from,
            absolute,
            relative: (from != 0.0).then(|| absolute / from),
        }
    }

    pub fn direction(&self) -> RevisionDirection {
        if self.absolute > 0.0 {
            RevisionDirection::Up
        } else if self.absolute < 0.0 {
            RevisionDirection::Down
        } else {
            RevisionDirection::Unchanged
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        AppearanceSummary, ClaimKind, ClaimStatus, ClaimantRef, DatePrecision, EvidenceLevel,
        EvidenceSummary, Qualifier,
    };

    fn quantity(value: f64, unit: &str, factor: f64) -> Quantity {
        Quantity {
            indicator: "datacenter-power-shortfall".into(),
            subject: "US".into(),
            comparison_subject: None,
            value,
            lower: None,
            upper: None,
            unit: unit.into(),
            qualifier: Qualifier::Exactly,
            period: None,
            label: None,
            value_si: value * factor,
            lower_si: None,
            upper_si: None,
            si_unit: "W".into(),
        }
    }

    fn claim(id: &str, quantities: Vec<Quantity>) -> Claim {
        Claim {
            id: id.into(),
            claimant: ClaimantRef {
                id: "morgan-stanley".into(),
                name: "Morgan Stanley".into(),
            },
            claimant_role: None,
            kind: ClaimKind::Estimate,
            text: Default::default(),
            stated_on: "2025-11-10".into(),
            stated_precision: DatePrecision::Day,
            horizon: None,
            status: ClaimStatus::Pending,
            topics: vec![],
            quantities,
            supersedes: None,
            superseded_by: None,
            origin_source: None,
            note: None,
            appearance_summary: AppearanceSummary {
                count: 0,
                languages: vec![],
            },
            assessment_count: 0,
            evidence: EvidenceSummary {
                rests_on: EvidenceLevel::None,
                verified: 0,
                secondary: 0,
                unverified: 0,
                unrecorded: 0,
            },
            appearances: None,
            assessments: None,
            sources: None,
            snippet: None,
            snippet_lang: None,
            matched_in: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn each_step_reports_the_move_of_its_headline_figure() {
        let chain = vec![
            claim(
                "a",
                vec![quantity(44.0, "GW", 1e9), quantity(13.0, "GW", 1e9)],
            ),
            claim("b", vec![quantity(47.0, "GW", 1e9)]),
            claim("c", vec![quantity(55_000.0, "MW", 1e6)]),
        ];
        let steps = revision_steps(chain);
        assert!(steps[0].changes.is_empty());
        let step = &steps[1].changes;
        assert_eq!(step.len(), 1, "the 13 GW scenario is not the headline");
        assert_eq!(
            (step[0].from, step[0].to, step[0].absolute),
            (44.0, 47.0, 3.0)
        );
        assert!((step[0].relative.unwrap() - 3.0 / 44.0).abs() < 1e-12);
        let mixed = &steps[2].changes[0];
        assert_eq!(
            (mixed.from, mixed.to, mixed.unit.as_str()),
            (47_000.0, 55_000.0, "MW")
        );
    }

    #[test]
    fn a_zero_figure_has_no_relative_change() {
        let steps = revision_steps(vec![
            claim("a", vec![quantity(0.0, "GW", 1e9)]),
            claim("b", vec![quantity(5.0, "GW", 1e9)]),
        ]);
        assert_eq!(steps[1].changes[0].relative, None);
    }
}
