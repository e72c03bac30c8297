//! What a list of records is asked for: filters and orders, as the API parses them and every
//! storage engine reads them.

use super::{
    CalendarDate, ClaimKind, ClaimStatus, EvidenceFilter, HistoryResource, LanguageTag, Measure,
};
use crate::search::SearchQuery;

/// Filters on `GET /v1/claims`. Different fields combine with AND; the values of one field with OR.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimFilter {
    /// Claimant ids, aliases or names.
    pub claimants: Vec<String>,
    pub topics: Vec<String>,
    pub kinds: Vec<ClaimKind>,
    pub statuses: Vec<ClaimStatus>,
    /// Sources the claim appears in or originates from.
    pub sources: Vec<String>,
    /// Languages of the claim's text or appearances; `zh` also matches `zh-CN` and `zh-TW`.
    pub langs: Vec<LanguageTag>,
    pub stated_since: Option<CalendarDate>,
    pub stated_until: Option<CalendarDate>,
    pub due_before: Option<CalendarDate>,
    pub due_after: Option<CalendarDate>,
    /// `Some(true)`: only the latest claim of each revision chain; `Some(false)`: only revised ones.
    pub current: Option<bool>,
    /// Full-text search over claim texts, appearance quotes and notes, and claimant names.
    pub search: Option<SearchQuery>,
    /// Claims with a quantity of one of these indicators, ...
    pub indicators: Vec<String>,
    /// ... about one of these subjects, ...
    pub subjects: Vec<String>,
    /// ... at least this large ...
    pub value_min: Option<Measure>,
    /// ... and at most this large: all conditions hold for one and the same quantity.
    pub value_max: Option<Measure>,
    /// What the claims' evidence must rest on; `None`, as default listings have it: anything
    /// but unverified sources alone.
    pub evidence: Option<EvidenceFilter>,
}

impl ClaimFilter {
    /// Whether the filter has conditions on figures.
    pub fn filters_quantities(&self) -> bool {
        !self.indicators.is_empty()
            || !self.subjects.is_empty()
            || self.value_min.is_some()
            || self.value_max.is_some()
    }

    /// Whether the filter's conditions are all among those `kept` copies into a default filter.
    fn only(&self, kept: impl FnOnce(&ClaimFilter) -> ClaimFilter) -> bool {
        kept(self) == *self
    }

    /// Whether the filter has conditions on figures and dates only.
    pub fn only_figures_and_dates(&self) -> bool {
        self.only(|f| ClaimFilter {
            indicators: f.indicators.clone(),
            subjects: f.subjects.clone(),
            value_min: f.value_min,
            value_max: f.value_max,
            stated_since: f.stated_since,
            stated_until: f.stated_until,
            ..ClaimFilter::default()
        })
    }

    /// Whether the filter is a search and nothing else.
    pub fn only_search(&self) -> bool {
        self.only(|f| ClaimFilter {
            search: f.search.clone(),
            ..ClaimFilter::default()
        })
    }
}

/// The orders a claim list can be read in. Each is a keyset over `(column, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimSort {
    /// Best match first (the highest score of `SearchQuery::fts_scores`), then newest, then
    /// id; only with a search.
    Relevance,
    StatedOnDesc,
    StatedOnAsc,
    UpdatedAtDesc,
    UpdatedAtAsc,
}

impl ClaimSort {
    pub const ALL: &'static [ClaimSort] = &[
        ClaimSort::Relevance,
        ClaimSort::StatedOnDesc,
        ClaimSort::StatedOnAsc,
        ClaimSort::UpdatedAtDesc,
        ClaimSort::UpdatedAtAsc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimSort::Relevance => "-relevance",
            ClaimSort::StatedOnDesc => "-stated_on",
            ClaimSort::StatedOnAsc => "stated_on",
            ClaimSort::UpdatedAtDesc => "-updated_at",
            ClaimSort::UpdatedAtAsc => "updated_at",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimSort> {
        ClaimSort::ALL
            .iter()
            .copied()
            .find(|sort| sort.as_str() == s)
    }

    /// Whether the order is newest (or best) first.
    pub fn descending(self) -> bool {
        !matches!(self, ClaimSort::StatedOnAsc | ClaimSort::UpdatedAtAsc)
    }

    /// Whether `key`, a cursor's position, can be one that a page in this order made: present, and for `stated_on` (which relevance breaks ties by) a date, as the
    /// schema holds them. The search index reads that key as a day and the table compares it
    /// as text; only a date means the same to both. `updated_at` is only compared as text.
    pub fn takes_key(self, key: Option<&str>) -> bool {
        let Some(key) = key else {
            return false;
        };
        match self {
            ClaimSort::Relevance | ClaimSort::StatedOnDesc | ClaimSort::StatedOnAsc => {
                time::Date::parse(
                    key,
                    time::macros::format_description!("[year]-[month]-[day]"),
                )
                .is_ok()
            }
            ClaimSort::UpdatedAtDesc | ClaimSort::UpdatedAtAsc => true,
        }
    }
}

/// Related records to embed in each claim instead of summarising them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Expand {
    pub appearances: bool,
    pub assessments: bool,
    pub sources: bool,
}

impl Expand {
    pub const ALL: Expand = Expand {
        appearances: true,
        assessments: true,
        sources: true,
    };
}

/// Filters on an indicator's estimates.
#[derive(Debug, Clone, Default)]
pub struct EstimateFilter {
    pub subjects: Vec<String>,
    pub stated_since: Option<CalendarDate>,
    pub stated_until: Option<CalendarDate>,
    /// What the figures' claims must rest on; `None`: anything but unverified sources alone.
    pub evidence: Option<EvidenceFilter>,
}

/// Which history entries to list: every filter given holds for each.
#[derive(Debug, Default)]
pub struct HistoryFilter {
    /// Writes to a claim and to its appearances and assessments.
    pub claim: Option<String>,
    pub resource: Option<HistoryResource>,
    pub id: Option<String>,
}
