//! A claimant's track record: predictions by status, those falling due, figures and how they
//! moved, and how faithfully they were quoted.

use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::domain::{ClaimStatus, RevisionDirection};

/// What a reader asks first of a claimant: how its forecasts held up, how its figures moved,
/// and how faithfully its words were carried. Computed from the record as of `as_of`; claims
/// resting on unverified sources alone are left out, as default listings leave them out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackRecord {
    pub claimant: ClaimantRef,
    /// The day the record was computed for: today (UTC) on the server's clock.
    #[schema(example = "2026-12-02", format = Date)]
    pub as_of: String,
    pub predictions: PredictionRecord,
    /// The claimant's figures, one entry per indicator, by indicator id.
    pub estimates: Vec<IndicatorRecord>,
    pub appearances: FidelityRecord,
}

/// A claimant's predictions (claims of kind `prediction`) by status.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PredictionRecord {
    /// Every prediction.
    #[schema(example = 3)]
    pub total: i64,
    /// How many have each status.
    pub by_status: StatusCounts,
    /// Predictions judged `correct`, `partly_correct` or `incorrect`.
    #[schema(example = 0)]
    pub resolved: i64,
    /// `correct` ÷ `resolved`; null while none is resolved. A `partly_correct` one counts as
    /// resolved but not as a hit.
    #[schema(example = json!(null))]
    #[schema(required = true)]
    pub hit_rate: Option<f64>,
    /// Still `pending` after their due date (before `as_of`), earliest due first: at most 100;
    /// `overdue_count` has them all.
    pub overdue: Vec<DuePrediction>,
    #[schema(example = 0)]
    pub overdue_count: i64,
    /// The window of `due_soon`, in days from `as_of`.
    #[schema(example = 90)]
    pub due_within_days: i64,
    /// Still `pending` and due from `as_of` to `due_within_days` later, earliest due first: at
    /// most 100; `due_soon_count` has them all.
    pub due_soon: Vec<DuePrediction>,
    #[schema(example = 1)]
    pub due_soon_count: i64,
}

/// A count for each status a claim can have.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StatusCounts {
    #[schema(example = 3)]
    pub pending: i64,
    #[schema(example = 0)]
    pub correct: i64,
    #[schema(example = 0)]
    pub incorrect: i64,
    #[schema(example = 0)]
    pub partly_correct: i64,
    #[schema(example = 0)]
    pub unresolvable: i64,
    #[schema(example = 0)]
    pub not_applicable: i64,
}

impl StatusCounts {
    /// The count of `status`, to add to.
    pub fn of_mut(&mut self, status: ClaimStatus) -> &mut i64 {
        match status {
            ClaimStatus::Pending => &mut self.pending,
            ClaimStatus::Correct => &mut self.correct,
            ClaimStatus::Incorrect => &mut self.incorrect,
            ClaimStatus::PartlyCorrect => &mut self.partly_correct,
            ClaimStatus::Unresolvable => &mut self.unresolvable,
            ClaimStatus::NotApplicable => &mut self.not_applicable,
        }
    }
}

/// A prediction that is due, or overdue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuePrediction {
    #[schema(example = "musk-china-3x-us-generation-by-2026")]
    pub claim_id: String,
    /// The claim in each language it is recorded in.
    #[schema(example = json!({"en": "China's electricity generation could reach about three times that of the US by 2026."}))]
    pub text: LocalizedText,
    #[schema(example = "2026-01-06", format = Date)]
    pub stated_on: String,
    pub horizon: Horizon,
    pub status: ClaimStatus,
}

/// A claimant's figures of one indicator, and how it revised them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorRecord {
    #[schema(example = "datacenter-power-shortfall")]
    pub indicator: String,
    /// How many figures of this indicator the claimant's claims state.
    #[schema(example = 5)]
    pub figures: i64,
    /// How many of its claims state one.
    #[schema(example = 3)]
    pub claims: i64,
    /// Each revision of a figure of this indicator along the claimant's revision chains,
    /// oldest first: from the revised claim's headline figure to the revising one's (as
    /// `GET /v1/claims/{id}/revisions` compares them). At most 100, the newest.
    pub revisions: Vec<FigureRevision>,
    /// Every such revision.
    #[schema(example = 2)]
    pub revision_count: i64,
    /// The figure of the claimant's most recent claim with one of this indicator.
    pub latest: LatestFigure,
}

/// One revision of a figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureRevision {
    /// The claim revised.
    #[schema(example = "morgan-stanley-us-shortfall-44gw")]
    pub from_claim: String,
    /// The claim that revises it.
    #[schema(example = "morgan-stanley-us-shortfall-47gw")]
    pub to_claim: String,
    /// When the revising claim was made.
    #[schema(example = "2025-12-01", format = Date)]
    pub stated_on: String,
    #[serde(flatten)]
    pub change: FigureChange,
    pub direction: RevisionDirection,
}

/// The latest figure of an indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LatestFigure {
    #[schema(example = "morgan-stanley-us-shortfall-47gw")]
    pub claim_id: String,
    #[schema(example = "2025-12-01", format = Date)]
    pub stated_on: String,
    pub quantity: Quantity,
}

/// How faithfully a claimant's claims were carried: its claims' appearances by fidelity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FidelityRecord {
    /// Every appearance of the claimant's claims.
    #[schema(example = 22)]
    pub total: i64,
    #[schema(example = 13)]
    pub faithful: i64,
    #[schema(example = 4)]
    pub reworded: i64,
    #[schema(example = 3)]
    pub mistranslated: i64,
    #[schema(example = 1)]
    pub hardened: i64,
    /// Appearances whose fidelity nobody judged.
    #[schema(example = 1)]
    pub unjudged: i64,
    /// `mistranslated + hardened`: the claimant was made to say something else.
    #[schema(example = 4)]
    pub misquoted: i64,
    /// `misquoted` ÷ the judged appearances; null when none is judged.
    #[schema(example = 0.19047619047619047)]
    #[schema(required = true)]
    pub misquote_rate: Option<f64>,
}
