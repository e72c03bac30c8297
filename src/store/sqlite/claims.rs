use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder, Sqlite};

use super::{
    Keyset, Page, PageRequest, Store, display_name, from_json, parse_column, push_ids, push_list,
    push_rank, search,
};
use crate::domain::{
    Appearance, AppearanceSummary, Assessment, CalendarDate, Claim, ClaimKind, ClaimStatus,
    ClaimantRef, EvidenceFilter, EvidenceSummary, Horizon, LanguageTag, LocalizedText, Measure,
    Quantity, Source,
};
use crate::search::{SearchQuery, best_passage};
use crate::store::ClaimDocument;

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
    fn filters_quantities(&self) -> bool {
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
    fn only_figures_and_dates(&self) -> bool {
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
    fn only_search(&self) -> bool {
        self.only(|f| ClaimFilter {
            search: f.search.clone(),
            ..ClaimFilter::default()
        })
    }
}

/// How a page of claims reaches its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// As SQLite plans it: from the most selective index, then sorted into the page's order.
    Planned,
    /// Down this index of the page's order, testing each claim, until the page is full.
    InOrder(&'static str),
    /// A search's matches in the search index's own order, which is by day (see
    /// [`search::DAY_SHIFT`]): a page's worth, then the rest of the last one's day, sorted.
    SearchByDay,
    /// A search's matches ranked once, and only the best of them read with their claims.
    SearchByRank,
}

/// Reading a claim by id and sorting it costs about as much as this many steps along an index
/// (measured at a million claims: 3.2 µs a claim of a figure filter's matches, 0.1 µs a step).
const LOOKUP_STEPS: i64 = 32;

/// How to read a page of claims. A search that is the only filter is read from the search
/// index's own order when sorted by date, and ranked once when sorted by relevance, instead of
/// joining every match to its claim. SQLite starts a figure filter from its figures, reads their
/// claims and sorts them; when the figures are many (a wide range), walking the claims in the
/// page's order and stopping at a full page reads far fewer. SQLite cannot tell the two apart
/// (it keeps no statistics on value ranges), so the figures are counted here and the expected
/// costs compared: walking passes about claims × (limit + 1) / figures rows, reading the
/// figures' claims costs figures × [`LOOKUP_STEPS`]. Walking wins once figures² exceeds
/// claims × (limit + 1) / [`LOOKUP_STEPS`], so the count stops there.
async fn access(
    store: &Store,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
) -> Result<Access, crate::store::Error> {
    let by_day = matches!(sort, ClaimSort::StatedOnDesc | ClaimSort::StatedOnAsc);
    if ranked(filter) && filter.only_search() {
        if by_day {
            return Ok(Access::SearchByDay);
        }
        let ranked_cursor = page.after.as_ref().is_none_or(|a| a.rank.is_some());
        if sort == ClaimSort::Relevance && ranked_cursor {
            return Ok(Access::SearchByRank);
        }
    }
    let Some(index) = sort.index() else {
        return Ok(Access::Planned);
    };
    if !filter.filters_quantities() || !filter.only_figures_and_dates() {
        return Ok(Access::Planned);
    }
    let mut conn = store.reader().acquire().await?;
    // The largest rowid: the number of claims, give or take deleted ones, without counting.
    let claims: Option<i64> = sqlx::query_scalar("select max(rowid) from claims")
        .fetch_one(&mut *conn)
        .await?;
    let work = claims
        .unwrap_or(0)
        .saturating_mul(i64::from(page.limit) + 1)
        / LOOKUP_STEPS;
    let enough = work.isqrt() + 1;
    let mut qb = QueryBuilder::<Sqlite>::new("select count(*) from (select 1");
    push_figures(&mut qb, filter);
    qb.push(" limit ").push_bind(enough).push(")");
    let figures: i64 = qb.build_query_scalar().fetch_one(&mut *conn).await?;
    Ok(if figures >= enough {
        Access::InOrder(index)
    } else {
        Access::Planned
    })
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

    /// The column, from an allow-list: sort keys never reach SQL as text from the client.
    fn column(self) -> &'static str {
        match self {
            ClaimSort::Relevance | ClaimSort::StatedOnDesc | ClaimSort::StatedOnAsc => {
                "c.stated_on"
            }
            ClaimSort::UpdatedAtDesc | ClaimSort::UpdatedAtAsc => "c.updated_at",
        }
    }

    /// The index that holds claims in this order.
    fn index(self) -> Option<&'static str> {
        match self {
            ClaimSort::Relevance => None,
            ClaimSort::StatedOnDesc | ClaimSort::StatedOnAsc => Some("claims_by_stated_on"),
            ClaimSort::UpdatedAtDesc | ClaimSort::UpdatedAtAsc => Some("claims_by_updated_at"),
        }
    }

    fn descending(self) -> bool {
        !matches!(self, ClaimSort::StatedOnAsc | ClaimSort::UpdatedAtAsc)
    }

    /// Whether `key`, a cursor's position, can be one that [`keyset_of`](Self::keyset_of)
    /// made: present, and for `stated_on` (which relevance breaks ties by) a date, as the
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

    /// The keyset position in this order of the claim `id`, stated on `stated_on` and last
    /// changed at `updated_at`.
    fn keyset_of(self, id: &str, stated_on: &str, updated_at: &str, rank: Option<f64>) -> Keyset {
        let key = match self {
            ClaimSort::Relevance | ClaimSort::StatedOnDesc | ClaimSort::StatedOnAsc => stated_on,
            ClaimSort::UpdatedAtDesc | ClaimSort::UpdatedAtAsc => updated_at,
        };
        Keyset {
            rank: rank.filter(|_| self == ClaimSort::Relevance),
            key: Some(key.to_owned()),
            ..Keyset::by_id(id)
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

const CLAIM_COLUMNS: &str = r#"
    select c.id, c.claimant_id, k.names as claimant_names, c.claimant_role, c.kind,
        c.stated_on, c.stated_precision, c.due_on, c.due_precision, c.status, c.supersedes,
        (select n.id from claims n where n.supersedes = c.id) as superseded_by,
        c.origin_source_id, c.note, c.created_at, c.updated_at, c.evidence,
        (select json_object(
                'verified', count(case s.verification when 'verified' then 1 end),
                'secondary', count(case s.verification when 'secondary' then 1 end),
                'unverified', count(case s.verification when 'unverified' then 1 end),
                'unrecorded', count(case when s.verification is null then 1 end))
            from appearances a join sources s on s.id = a.source_id where a.claim_id = c.id)
            as evidence_counts,
        (select json_group_object(lang, text) from claim_texts where claim_id = c.id) as texts,
        (select json_group_array(topic_id)
            from (select topic_id from claim_topics where claim_id = c.id order by topic_id)) as topics,
        (select json_group_array(json_object(
                'indicator', indicator_id, 'subject', subject,
                'comparison_subject', comparison_subject, 'value', value, 'lower', lower,
                'upper', upper, 'unit', unit, 'qualifier', qualifier, 'period', period,
                'label', label, 'value_si', value_si, 'lower_si', lower_si,
                'upper_si', upper_si, 'si_unit', si_unit))
            from (select * from quantities where claim_id = c.id order by position)) as quantities,
        (select count(*) from appearances where claim_id = c.id) as appearance_count,
        (select json_group_array(lang)
            from (select distinct lang from appearances where claim_id = c.id order by lang))
            as appearance_languages,
        (select count(*) from assessments where claim_id = c.id) as assessment_count
"#;

/// The claim index's word columns, and their weights in a match's relevance (a single
/// character, in `chars`, counts 1): a match in the claim's own text counts most, then quotes
/// and notes, then names.
const SEARCH_COLUMNS: &str = "{text quote names}";
const SEARCH_WEIGHTS: &[(&str, f64)] = &[("text", 10.0), ("quote", 4.0), ("names", 2.0)];

/// A claim of a page with its search rank.
#[derive(FromRow)]
struct RankedClaimRow {
    #[sqlx(flatten)]
    claim: ClaimRow,
    rank: Option<f64>,
}

#[derive(FromRow)]
struct ClaimRow {
    id: String,
    claimant_id: String,
    claimant_names: String,
    claimant_role: Option<String>,
    kind: String,
    stated_on: String,
    stated_precision: String,
    due_on: Option<String>,
    due_precision: Option<String>,
    status: String,
    supersedes: Option<String>,
    superseded_by: Option<String>,
    origin_source_id: Option<String>,
    note: Option<String>,
    created_at: String,
    updated_at: String,
    evidence: String,
    evidence_counts: String,
    texts: String,
    topics: String,
    quantities: String,
    appearance_count: i64,
    appearance_languages: String,
    assessment_count: i64,
}

impl TryFrom<ClaimRow> for Claim {
    type Error = sqlx::Error;

    fn try_from(row: ClaimRow) -> Result<Claim, sqlx::Error> {
        let claimant_names: LocalizedText = from_json("claimant_names", &row.claimant_names)?;
        let horizon = match (row.due_on, row.due_precision) {
            (Some(due_on), Some(precision)) => Some(Horizon {
                due_on,
                precision: parse_column("due_precision", &precision)?,
            }),
            _ => None,
        };
        let counts: EvidenceCounts = from_json("evidence_counts", &row.evidence_counts)?;
        Ok(Claim {
            claimant: ClaimantRef {
                name: display_name(&claimant_names, &row.claimant_id),
                id: row.claimant_id,
            },
            id: row.id,
            claimant_role: row.claimant_role,
            kind: parse_column("kind", &row.kind)?,
            text: from_json("texts", &row.texts)?,
            stated_on: row.stated_on,
            stated_precision: parse_column("stated_precision", &row.stated_precision)?,
            horizon,
            status: parse_column("status", &row.status)?,
            topics: from_json("topics", &row.topics)?,
            quantities: from_json::<Vec<Quantity>>("quantities", &row.quantities)?,
            supersedes: row.supersedes,
            superseded_by: row.superseded_by,
            origin_source: row.origin_source_id,
            note: row.note,
            appearance_summary: AppearanceSummary {
                count: row.appearance_count,
                languages: from_json("appearance_languages", &row.appearance_languages)?,
            },
            assessment_count: row.assessment_count,
            evidence: EvidenceSummary {
                rests_on: parse_column("evidence", &row.evidence)?,
                verified: counts.verified,
                secondary: counts.secondary,
                unverified: counts.unverified,
                unrecorded: counts.unrecorded,
            },
            appearances: None,
            assessments: None,
            sources: None,
            snippet: None,
            snippet_lang: None,
            matched_in: None,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A claim's appearances counted by how their sources were checked.
#[derive(serde::Deserialize)]
struct EvidenceCounts {
    verified: i64,
    secondary: i64,
    unverified: i64,
    unrecorded: i64,
}

/// Appends the condition on what the evidence of claim `c` rests on: `None` is every claim but
/// those resting only on unverified sources, which no listing shows unless asked. Those few are
/// named by their partial index, by id, so that a walk down an index of ids stays on the index
/// instead of reading each claim's row for its `evidence`.
pub(crate) fn push_evidence(qb: &mut QueryBuilder<Sqlite>, evidence: Option<EvidenceFilter>) {
    qb.push(match evidence {
        None => {
            " and c.id not in (select x.id from claims x indexed by claims_resting_on_unverified \
                 where x.evidence = 'unverified')"
        }
        Some(EvidenceFilter::Any) => "",
        Some(EvidenceFilter::Verified) => " and c.evidence = 'verified'",
        Some(EvidenceFilter::Secondary) => " and c.evidence in ('verified', 'secondary')",
        Some(EvidenceFilter::Unverified) => {
            " and c.id in (select x.id from claims x indexed by claims_resting_on_unverified \
             where x.evidence = 'unverified')"
        }
    });
}

/// The search index's docids of the claims default listings leave out, as a subquery.
const HIDDEN_DOCIDS: &str = "select h.docid from claims x indexed by claims_resting_on_unverified \
     join claim_search_docs h on h.claim_id = x.id where x.evidence = 'unverified'";

fn push_filters(qb: &mut QueryBuilder<Sqlite>, filter: &ClaimFilter) {
    qb.push(" where 1 = 1");
    push_evidence(qb, filter.evidence);
    if !filter.claimants.is_empty() {
        // An id, an alias (case-insensitive by the column's collation) or a name in any language.
        qb.push(" and c.claimant_id in (select id from claimants where id in ");
        push_list(qb, filter.claimants.iter().cloned());
        qb.push(" union select claimant_id from claimant_aliases where alias in ");
        push_list(qb, filter.claimants.iter().cloned());
        qb.push(" union select claimant_id from claimant_names where name in ");
        push_list(qb, filter.claimants.iter().cloned());
        qb.push(")");
    }
    if !filter.topics.is_empty() {
        qb.push(" and c.id in (select claim_id from claim_topics where topic_id in ");
        push_list(qb, filter.topics.iter().cloned());
        qb.push(")");
    }
    if !filter.kinds.is_empty() {
        qb.push(" and c.kind in ");
        push_list(qb, filter.kinds.iter().map(|k| k.as_str()));
    }
    if !filter.statuses.is_empty() {
        qb.push(" and c.status in ");
        push_list(qb, filter.statuses.iter().map(|s| s.as_str()));
    }
    if !filter.sources.is_empty() {
        qb.push(" and (c.origin_source_id in ");
        push_list(qb, filter.sources.iter().cloned());
        qb.push(" or c.id in (select claim_id from appearances where source_id in ");
        push_list(qb, filter.sources.iter().cloned());
        qb.push("))");
    }
    if !filter.langs.is_empty() {
        // BCP 47 basic filtering (RFC 4647): `zh` matches `zh`, `zh-CN`, `zh-Hant-TW`.
        let push_lang_match = |qb: &mut QueryBuilder<Sqlite>, column: &str| {
            qb.push("(");
            for (i, lang) in filter.langs.iter().enumerate() {
                if i > 0 {
                    qb.push(" or ");
                }
                // `zh-…` as a range ('.' follows '-'), which an index answers; LIKE is not.
                qb.push(format_args!("{column} = "));
                qb.push_bind(lang.as_str().to_owned());
                qb.push(format_args!(" or ({column} > "));
                qb.push_bind(format!("{}-", lang.as_str()));
                qb.push(format_args!(" and {column} < "));
                qb.push_bind(format!("{}.", lang.as_str()));
                qb.push(")");
            }
            qb.push(")");
        };
        qb.push(" and (c.id in (select claim_id from claim_texts t where ");
        push_lang_match(qb, "t.lang");
        qb.push(") or c.id in (select claim_id from appearances a where ");
        push_lang_match(qb, "a.lang");
        qb.push("))");
    }
    if let Some(d) = filter.stated_since {
        qb.push(" and c.stated_on >= ").push_bind(d.to_iso());
    }
    if let Some(d) = filter.stated_until {
        qb.push(" and c.stated_on <= ").push_bind(d.to_iso());
    }
    if let Some(d) = filter.due_before {
        qb.push(" and c.due_on < ").push_bind(d.to_iso());
    }
    if let Some(d) = filter.due_after {
        qb.push(" and c.due_on > ").push_bind(d.to_iso());
    }
    if filter.filters_quantities() {
        // From the figures to their claims (by the indicator index), not from every claim to
        // its figures: few claims have a figure of one indicator in a range.
        qb.push(" and c.id in (select q.claim_id");
        push_figures(qb, filter);
        qb.push(")");
    }
    match filter.current {
        Some(true) => {
            qb.push(" and not exists (select 1 from claims n where n.supersedes = c.id)");
        }
        Some(false) => {
            qb.push(" and exists (select 1 from claims n where n.supersedes = c.id)");
        }
        None => {}
    }
}

/// Appends FROM and WHERE of the figures (`q`) that match the filter's figure conditions.
fn push_figures(qb: &mut QueryBuilder<Sqlite>, filter: &ClaimFilter) {
    qb.push(" from quantities q where 1 = 1");
    if !filter.indicators.is_empty() {
        qb.push(" and q.indicator_id in ");
        push_list(qb, filter.indicators.iter().cloned());
    }
    if !filter.subjects.is_empty() {
        qb.push(" and q.subject in ");
        push_list(qb, filter.subjects.iter().cloned());
    }
    // Values compare in SI, and only with quantities of the same dimension.
    for (bound, op) in [(filter.value_min, ">="), (filter.value_max, "<=")] {
        if let Some(m) = bound {
            qb.push(format_args!(" and q.value_si {op} "))
                .push_bind(m.si())
                .push(" and q.si_unit = ")
                .push_bind(m.unit.dimension.si_unit());
        }
    }
}

/// Appends FROM and WHERE: the claims matching `filter`, joined to their search hits (ranked
/// as `h.rank`) when the search has terms to match.
fn push_from_where(qb: &mut QueryBuilder<Sqlite>, filter: &ClaimFilter, access: Access) {
    qb.push(" from claims c");
    if let Access::InOrder(index) = access {
        qb.push(format_args!(" indexed by {index}"));
    }
    let search = filter.search.as_ref();
    if let Some((q, expr)) = search.and_then(|q| Some((q, q.fts_match(SEARCH_COLUMNS)?))) {
        qb.push(" join (select d.claim_id, ");
        push_rank(
            qb,
            "claim_search",
            "claim_search.rowid",
            q.fts_scores(SEARCH_WEIGHTS),
        );
        qb.push(
            " as rank from claim_search join claim_search_docs d on d.docid = claim_search.rowid \
             where claim_search match ",
        )
        .push_bind(expr)
        .push(") h on h.claim_id = c.id");
    }
    push_filters(qb, filter);
    if let Some(q) = search.filter(|q| q.groups.is_empty()) {
        // Only exclusions: every claim but those that match them.
        qb.push(
            " and c.id not in (select d.claim_id from claim_search \
             join claim_search_docs d on d.docid = claim_search.rowid where claim_search match ",
        )
        .push_bind(q.fts_excluded(SEARCH_COLUMNS).unwrap_or_default())
        .push(")");
    }
}

fn ranked(filter: &ClaimFilter) -> bool {
    filter.search.as_ref().is_some_and(|q| !q.groups.is_empty())
}

/// The query of a page of claims: the ids and ranks of the page, in order, as a subquery the
/// claims are then read for; `explain` asks for its plan instead. The ids are selected first so
/// that a filter whose order needs a sort sorts ids, not whole claims with their texts; both are
/// one statement, so the page reads one snapshot in one round trip to SQLite's thread.
/// The claims are sorted again (a page of them), so their order is SQL's promise rather than
/// the join's habit.
fn list_query(
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
    access: Access,
    shape: Shape,
) -> QueryBuilder<Sqlite> {
    let mut qb = QueryBuilder::<Sqlite>::new(match shape {
        Shape::Plan => "explain query plan select d.body, p.rank as rank from (",
        Shape::Stored => "select c.id, c.stated_on, c.updated_at, d.body, p.rank as rank from (",
        Shape::Assembled => "",
    });
    if shape == Shape::Assembled {
        qb.push(CLAIM_COLUMNS).push(", p.rank as rank from (");
    }
    push_page_ids(&mut qb, filter, sort, page, access);
    qb.push(") p join claims c on c.id = p.id");
    qb.push(match shape {
        Shape::Assembled => " join claimants k on k.id = c.claimant_id",
        Shape::Stored | Shape::Plan => " join claim_documents d on d.claim_id = c.id",
    });
    push_order(&mut qb, sort, ranked(filter), "p.rank");
    qb
}

/// What a page of claims reads: the stored documents (what a page sends), the claims assembled
/// from their rows (to embed related records in), or the plan of the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Stored,
    Assembled,
    Plan,
}

/// A claim of a page as stored, with what orders it.
#[derive(FromRow)]
struct StoredRow {
    id: String,
    stated_on: String,
    updated_at: String,
    body: String,
    rank: Option<f64>,
}

/// Appends ORDER BY for `sort`: the search rank `rank` first when the order is by relevance.
fn push_order(qb: &mut QueryBuilder<Sqlite>, sort: ClaimSort, ranked: bool, rank: &str) {
    let dir = if sort.descending() { "desc" } else { "asc" };
    qb.push(" order by ");
    if ranked && sort == ClaimSort::Relevance {
        qb.push(format_args!("{rank}, "));
    }
    qb.push(format_args!("{} {dir}, c.id {dir}", sort.column()));
}

/// The ids and ranks of a page of claims, in order, with one row more than the page to tell
/// whether another follows.
fn push_page_ids(
    qb: &mut QueryBuilder<Sqlite>,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
    access: Access,
) {
    let search = filter.search.as_ref();
    match (
        access,
        search.and_then(|q| Some((q, q.fts_match(SEARCH_COLUMNS)?))),
    ) {
        (Access::SearchByDay, Some((_, expr))) => return push_search_by_day(qb, &expr, sort, page),
        (Access::SearchByRank, Some((q, expr))) => {
            return push_search_by_rank(qb, &expr, q.fts_scores(SEARCH_WEIGHTS), page);
        }
        _ => {}
    }
    let ranked = ranked(filter);
    qb.push(if ranked {
        "select c.id, h.rank as rank"
    } else {
        "select c.id, null as rank"
    });
    push_from_where(qb, filter, access);
    let column = sort.column();
    let cmp = if sort.descending() { "<" } else { ">" };
    if let Some(after) = &page.after {
        let key = after.key.clone().unwrap_or_default();
        match after
            .rank
            .filter(|_| ranked && sort == ClaimSort::Relevance)
        {
            Some(rank) => {
                qb.push(" and (h.rank > ")
                    .push_bind(rank)
                    .push(" or (h.rank = ")
                    .push_bind(rank)
                    .push(format_args!(" and ({column}, c.id) {cmp} ("))
                    .push_bind(key)
                    .push(", ")
                    .push_bind(after.id.clone())
                    .push(")))");
            }
            None => {
                qb.push(format_args!(" and ({column}, c.id) {cmp} ("))
                    .push_bind(key)
                    .push(", ")
                    .push_bind(after.id.clone())
                    .push(")");
            }
        }
    }
    push_order(qb, sort, ranked, "h.rank");
    qb.push(" limit ").push_bind(i64::from(page.limit) + 1);
}

/// The ids of a page of a search's matches by relevance (`Access::SearchByRank`). Each match's
/// rank is computed once (a materialized CTE). Scores take few values, so most matches tie on
/// rank and are ordered by date and id: both come from the index's own table, the date being
/// the day in the docid's high bits (as [`search::index_claims`] keys it), so only the page is
/// joined to its claims. Joining every tied match to its claim to sort by `stated_on` cost
/// twice the ranking itself.
fn push_search_by_rank(
    qb: &mut QueryBuilder<Sqlite>,
    expr: &str,
    scores: Vec<(String, f64)>,
    page: &PageRequest,
) {
    let shift = search::DAY_SHIFT;
    qb.push("with hits as materialized (select rowid as docid, ");
    push_rank(qb, "claim_search", "claim_search.rowid", scores);
    qb.push(" as rank from claim_search where claim_search match ")
        .push_bind(expr.to_owned())
        .push(format_args!(" and rowid not in ({HIDDEN_DOCIDS})"))
        .push(
            ") select d.claim_id as id, h.rank as rank from hits h \
             join claim_search_docs d on d.docid = h.docid",
        );
    if let Some((after, rank)) = page.after.as_ref().and_then(|a| Some((a, a.rank?))) {
        let date = after.key.clone().unwrap_or_default();
        qb.push(" where h.rank > ")
            .push_bind(rank)
            .push(" or (h.rank = ")
            .push_bind(rank)
            .push(format_args!(" and (h.docid >> {shift} < "));
        search::push_day(qb, date.clone());
        qb.push(format_args!(" or (h.docid >> {shift} = "));
        search::push_day(qb, date);
        qb.push(" and d.claim_id < ")
            .push_bind(after.id.clone())
            .push(")))");
    }
    qb.push(format_args!(
        " order by h.rank, h.docid >> {shift} desc, d.claim_id desc limit "
    ))
    .push_bind(i64::from(page.limit) + 1);
}

/// The ids of a page of a search's matches by date (`Access::SearchByDay`). Walking the index
/// in docid order, the first `limit + 1` matches after the cursor end on some day; every match
/// of a later day (earlier, ascending) is among them, and the rest of that day's are next in
/// the index. Those are sorted by (date, id), as every claim list is.
fn push_search_by_day(
    qb: &mut QueryBuilder<Sqlite>,
    expr: &str,
    sort: ClaimSort,
    page: &PageRequest,
) {
    let shift = search::DAY_SHIFT;
    let (cmp, dir, last_day) = if sort.descending() {
        ("<", "desc", "min")
    } else {
        (">", "asc", "max")
    };
    // The matches after the cursor, of the index `s` joined to its claim ids `d`.
    let push_matches = |qb: &mut QueryBuilder<Sqlite>, s: &str, d: &str| {
        qb.push(format_args!(
            " from claim_search {s} join claim_search_docs {d} on {d}.docid = {s}.rowid \
             where {s}.claim_search match "
        ))
        .push_bind(expr.to_owned())
        .push(format_args!(" and {s}.rowid not in ({HIDDEN_DOCIDS})"));
        if let Some(after) = &page.after {
            let date = after.key.clone().unwrap_or_default();
            let push_day = |qb: &mut QueryBuilder<Sqlite>| search::push_day(qb, date.clone());
            // The cursor's day and those beyond it, as a docid range FTS5 seeks to.
            qb.push(format_args!(" and {s}.rowid "));
            if sort.descending() {
                qb.push("< ((");
                push_day(qb);
                qb.push(format_args!(" + 1) << {shift})"));
            } else {
                qb.push(">= (");
                push_day(qb);
                qb.push(format_args!(" << {shift})"));
            }
            qb.push(format_args!(" and (({d}.docid >> {shift}) {cmp} "));
            push_day(qb);
            qb.push(format_args!(" or (({d}.docid >> {shift}) = "));
            push_day(qb);
            qb.push(format_args!(" and {d}.claim_id {cmp} "))
                .push_bind(after.id.clone())
                .push("))");
        }
    };
    let limit = i64::from(page.limit) + 1;
    qb.push("select d.claim_id as id, null as rank");
    push_matches(qb, "s", "d");
    qb.push(format_args!(
        " and s.rowid {} (select ",
        if sort.descending() { ">=" } else { "<" }
    ));
    if sort.descending() {
        qb.push(format_args!("({last_day}(t.docid) >> {shift}) << {shift}"));
    } else {
        qb.push(format_args!(
            "(({last_day}(t.docid) >> {shift}) + 1) << {shift}"
        ));
    }
    qb.push(" from (select m.docid");
    push_matches(qb, "n", "m");
    qb.push(format_args!(" order by n.rowid {dir} limit "))
        .push_bind(limit)
        .push(format_args!(
            ") t) order by d.docid >> {shift} {dir}, d.claim_id {dir} limit "
        ))
        .push_bind(limit);
}

/// A page of claims matching `filter`, in `sort` order. With a search, each claim carries the
/// passage that best matches it.
pub async fn list(
    store: &Store,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
    with_total: bool,
    expand: Expand,
) -> Result<Page<Claim>, crate::store::Error> {
    if filter.search.as_ref().is_some_and(SearchQuery::is_vacuous) {
        return Ok(Page::empty(with_total.then_some(0)));
    }
    let access = access(store, filter, sort, page).await?;
    let rows: Vec<RankedClaimRow> = list_query(filter, sort, page, access, Shape::Assembled)
        .build_query_as()
        .fetch_all(store.reader())
        .await?;
    let claims = rows
        .into_iter()
        .map(|row| {
            let claim = Claim::try_from(row.claim)?;
            let keyset = sort.keyset_of(&claim.id, &claim.stated_on, &claim.updated_at, row.rank);
            Ok((claim, keyset))
        })
        .collect::<Result<Vec<(Claim, Keyset)>, sqlx::Error>>()?;

    let total = total(store, filter, with_total).await?;
    let mut page = Page::from_rows(claims, page.limit, total);
    if let Some(query) = &filter.search {
        mark_matches(store, query, &mut page.items).await?;
    }
    embed(store, &mut page.items, expand).await?;
    Ok(page)
}

/// A page of claims matching `filter`, in `sort` order, as stored: what `list` returns without
/// expansions, read in one statement and never parsed. With a search, each carries the passage
/// that best matches it.
pub async fn list_documents(
    store: &Store,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<ClaimDocument>, crate::store::Error> {
    if filter.search.as_ref().is_some_and(SearchQuery::is_vacuous) {
        return Ok(Page::empty(with_total.then_some(0)));
    }
    let access = access(store, filter, sort, page).await?;
    let rows: Vec<StoredRow> = list_query(filter, sort, page, access, Shape::Stored)
        .build_query_as()
        .fetch_all(store.reader())
        .await?;
    let total = total(store, filter, with_total).await?;
    let marks = match &filter.search {
        Some(query) => {
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let mut conn = store.reader().acquire().await?;
            Some((query, search::material(&mut conn, &ids).await?))
        }
        None => None,
    };
    let documents = rows
        .into_iter()
        .map(|row| {
            let keyset = sort.keyset_of(&row.id, &row.stated_on, &row.updated_at, row.rank);
            let mut document = super::documents::stored(row.body)?;
            if let Some((query, material)) = &marks {
                let passage = material
                    .get(&row.id)
                    .and_then(|m| best_passage(query, m.passages()));
                if let Some(p) = passage {
                    document = document.with_marks(&Marks {
                        snippet: p.snippet,
                        snippet_lang: p.lang,
                        matched_in: p.field,
                    });
                }
            }
            Ok((document, keyset))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Page::from_rows(documents, page.limit, total))
}

/// What a search adds to a claim: the passage that best matches, as in [`Claim`].
#[derive(serde::Serialize)]
struct Marks {
    snippet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet_lang: Option<String>,
    matched_in: crate::domain::MatchedIn,
}

/// How many claims match `filter`, when asked.
async fn total(
    store: &Store,
    filter: &ClaimFilter,
    with_total: bool,
) -> Result<Option<i64>, crate::store::Error> {
    if !with_total {
        return Ok(None);
    }
    let mut count = QueryBuilder::<Sqlite>::new("select count(*)");
    push_from_where(&mut count, filter, Access::Planned);
    Ok(Some(
        count.build_query_scalar().fetch_one(store.reader()).await?,
    ))
}

/// Sets each claim's snippet from the passage that best matches the query.
async fn mark_matches(
    store: &Store,
    query: &SearchQuery,
    claims: &mut [Claim],
) -> Result<(), crate::store::Error> {
    let ids: Vec<String> = claims.iter().map(|c| c.id.clone()).collect();
    let mut conn = store.reader().acquire().await?;
    let material = search::material(&mut conn, &ids).await?;
    for claim in claims {
        let passage = material
            .get(&claim.id)
            .and_then(|m| best_passage(query, m.passages()));
        if let Some(p) = passage {
            claim.snippet = Some(p.snippet);
            claim.snippet_lang = p.lang;
            claim.matched_in = Some(p.field);
        }
    }
    Ok(())
}

/// The query plan SQLite chooses for a page of claims, one line per step.
pub async fn explain_list(
    store: &Store,
    filter: &ClaimFilter,
    sort: ClaimSort,
    page: &PageRequest,
) -> Result<Vec<String>, crate::store::Error> {
    let access = access(store, filter, sort, page).await?;
    let rows: Vec<(i64, i64, i64, String)> = list_query(filter, sort, page, access, Shape::Plan)
        .build_query_as()
        .fetch_all(store.reader())
        .await?;
    Ok(rows.into_iter().map(|(.., detail)| detail).collect())
}

/// One claim, or `None` when there is no claim with that id.
pub async fn get(
    store: &Store,
    id: &str,
    expand: Expand,
) -> Result<Option<Claim>, crate::store::Error> {
    let mut claims = fetch_by_ids(store, &[id.to_owned()]).await?;
    embed(store, &mut claims, expand).await?;
    Ok(claims.pop())
}

async fn fetch_by_ids(store: &Store, ids: &[String]) -> Result<Vec<Claim>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(fetch_on(&mut conn, ids).await?)
}

/// Claims by id on a given connection: a writer reads its own uncommitted changes this way.
pub(crate) async fn fetch_on(
    conn: &mut sqlx::SqliteConnection,
    ids: &[String],
) -> Result<Vec<Claim>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(CLAIM_COLUMNS);
    qb.push(" from claims c join claimants k on k.id = c.claimant_id where c.id in ");
    push_ids(&mut qb, ids);
    let rows: Vec<ClaimRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    rows.into_iter().map(Claim::try_from).collect()
}

/// Loads the requested related records for all claims at once: one query per kind of record,
/// however many claims there are.
async fn embed(
    store: &Store,
    claims: &mut [Claim],
    expand: Expand,
) -> Result<(), crate::store::Error> {
    if claims.is_empty() || expand == Expand::default() {
        return Ok(());
    }
    let ids: Vec<String> = claims.iter().map(|c| c.id.clone()).collect();
    if expand.appearances {
        let mut by_claim = group_by_claim(appearances_of(store, &ids).await?, |a| &a.claim_id);
        for claim in claims.iter_mut() {
            claim.appearances = Some(by_claim.remove(&claim.id).unwrap_or_default());
        }
    }
    if expand.assessments {
        let mut by_claim = group_by_claim(assessments_of(store, &ids).await?, |a| &a.claim_id);
        for claim in claims.iter_mut() {
            claim.assessments = Some(by_claim.remove(&claim.id).unwrap_or_default());
        }
    }
    if expand.sources {
        let rows: Vec<(String, String)> = {
            let mut qb = QueryBuilder::<Sqlite>::new(
                "select id, origin_source_id from claims where origin_source_id is not null and id in ",
            );
            push_ids(&mut qb, &ids);
            qb.push(" union select claim_id, source_id from appearances where claim_id in ");
            push_ids(&mut qb, &ids);
            qb.build_query_as().fetch_all(store.reader()).await?
        };
        let mut source_ids: Vec<String> = rows.iter().map(|(_, s)| s.clone()).collect();
        source_ids.sort();
        source_ids.dedup();
        let sources: HashMap<String, Source> = super::sources::get_many(store, &source_ids)
            .await?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        for claim in claims.iter_mut() {
            let mut mine: Vec<Source> = rows
                .iter()
                .filter(|(claim_id, _)| *claim_id == claim.id)
                .filter_map(|(_, source_id)| sources.get(source_id).cloned())
                .collect();
            mine.sort_by(|a, b| {
                (a.published_on.is_none(), &a.published_on, &a.id).cmp(&(
                    b.published_on.is_none(),
                    &b.published_on,
                    &b.id,
                ))
            });
            claim.sources = Some(mine);
        }
    }
    Ok(())
}

fn group_by_claim<T>(items: Vec<T>, key: impl Fn(&T) -> &String) -> HashMap<String, Vec<T>> {
    let mut map: HashMap<String, Vec<T>> = HashMap::new();
    for item in items {
        map.entry(key(&item).clone()).or_default().push(item);
    }
    map
}

#[derive(FromRow)]
struct AppearanceRow {
    id: String,
    claim_id: String,
    source_id: String,
    quote: Option<String>,
    lang: String,
    kind: Option<String>,
    translation_of: Option<String>,
    fidelity: Option<String>,
    note: Option<String>,
    locator: Option<String>,
    first_appearance: bool,
    created_at: String,
    updated_at: String,
}

impl TryFrom<AppearanceRow> for Appearance {
    type Error = sqlx::Error;

    fn try_from(row: AppearanceRow) -> Result<Appearance, sqlx::Error> {
        Ok(Appearance {
            id: row.id,
            claim_id: row.claim_id,
            source_id: row.source_id,
            quote: row.quote,
            lang: row.lang,
            kind: row.kind.map(|k| parse_column("kind", &k)).transpose()?,
            translation_of: row.translation_of,
            fidelity: row
                .fidelity
                .map(|f| parse_column("fidelity", &f))
                .transpose()?,
            note: row.note,
            locator: row.locator,
            first_appearance: row.first_appearance,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Appearances of the given claims: the first appearance first, then by the source's date
/// (undated sources last), then by id.
async fn appearances_of(
    store: &Store,
    claim_ids: &[String],
) -> Result<Vec<Appearance>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(appearances_on(&mut conn, claim_ids).await?)
}

/// A claim's appearances on a given connection: a writer reads its own changes this way.
pub(crate) async fn appearances_on(
    conn: &mut sqlx::SqliteConnection,
    claim_ids: &[String],
) -> Result<Vec<Appearance>, sqlx::Error> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "select a.id, a.claim_id, a.source_id, a.quote, a.lang, a.kind, a.translation_of, \
         a.fidelity, a.note, a.locator, a.first_appearance, a.created_at, a.updated_at \
         from appearances a join sources s on s.id = a.source_id where a.claim_id in ",
    );
    push_ids(&mut qb, claim_ids);
    qb.push(
        " order by a.claim_id, a.first_appearance desc, s.published_on is null, \
         s.published_on, a.id",
    );
    let rows: Vec<AppearanceRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    rows.into_iter().map(Appearance::try_from).collect()
}

#[derive(FromRow)]
struct AssessmentRow {
    id: String,
    claim_id: String,
    verdict: String,
    summary: String,
    evidence: String,
    assessed_on: String,
    assessor: String,
    created_at: String,
    updated_at: String,
}

impl TryFrom<AssessmentRow> for Assessment {
    type Error = sqlx::Error;

    fn try_from(row: AssessmentRow) -> Result<Assessment, sqlx::Error> {
        Ok(Assessment {
            id: row.id,
            claim_id: row.claim_id,
            verdict: parse_column("verdict", &row.verdict)?,
            summary: row.summary,
            evidence: from_json("evidence", &row.evidence)?,
            assessed_on: row.assessed_on,
            assessor: row.assessor,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

async fn assessments_of(
    store: &Store,
    claim_ids: &[String],
) -> Result<Vec<Assessment>, crate::store::Error> {
    let mut conn = store.reader().acquire().await?;
    Ok(assessments_on(&mut conn, claim_ids).await?)
}

/// A claim's assessments on a given connection: a writer reads its own changes this way.
pub(crate) async fn assessments_on(
    conn: &mut sqlx::SqliteConnection,
    claim_ids: &[String],
) -> Result<Vec<Assessment>, sqlx::Error> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "select id, claim_id, verdict, summary, evidence, assessed_on, assessor, created_at, \
         updated_at from assessments where claim_id in ",
    );
    push_ids(&mut qb, claim_ids);
    qb.push(" order by claim_id, assessed_on, created_at, id");
    let rows: Vec<AssessmentRow> = qb.build_query_as().fetch_all(&mut *conn).await?;
    rows.into_iter().map(Assessment::try_from).collect()
}

async fn exists(store: &Store, id: &str) -> Result<bool, crate::store::Error> {
    Ok(
        sqlx::query_scalar("select exists(select 1 from claims where id = ?)")
            .bind(id)
            .fetch_one(store.reader())
            .await?,
    )
}

/// A claim's appearances, or `None` when there is no such claim.
pub async fn appearances(
    store: &Store,
    id: &str,
) -> Result<Option<Vec<Appearance>>, crate::store::Error> {
    if !exists(store, id).await? {
        return Ok(None);
    }
    Ok(Some(appearances_of(store, &[id.to_owned()]).await?))
}

/// A claim's assessments, oldest first, or `None` when there is no such claim.
pub async fn assessments(
    store: &Store,
    id: &str,
) -> Result<Option<Vec<Assessment>>, crate::store::Error> {
    if !exists(store, id).await? {
        return Ok(None);
    }
    Ok(Some(assessments_of(store, &[id.to_owned()]).await?))
}

/// The whole revision chain that `id` belongs to, oldest first, or `None` when there is no such
/// claim. A claim that was never revised is a chain of one.
pub async fn revision_chain(
    store: &Store,
    id: &str,
) -> Result<Option<Vec<Claim>>, crate::store::Error> {
    // UNION (not UNION ALL) and the depth bound stop the recursion even on a cycle: a trigger
    // refuses cycles, but a database written by other means may still hold one.
    let chain: Vec<String> = sqlx::query_scalar(
        r#"
        with recursive
            up(id, supersedes, n) as (
                select id, supersedes, 0 from claims where id = ?1
                union
                select c.id, c.supersedes, up.n + 1 from claims c join up on c.id = up.supersedes
                where up.n < 10000
            ),
            root(id) as (select id from up where supersedes is null),
            chain(id, depth) as (
                select id, 0 from root
                union
                select c.id, chain.depth + 1 from claims c join chain on c.supersedes = chain.id
                where chain.depth < 10000
            )
        select id from chain order by depth
        "#,
    )
    .bind(id)
    .fetch_all(store.reader())
    .await?;
    if chain.is_empty() {
        return if exists(store, id).await? {
            // Only a cycle leaves a claim without a root.
            Err(super::Error::Other(
                format!("revision chain of {id} has no first claim").into(),
            ))
        } else {
            Ok(None)
        };
    }
    let mut by_id: HashMap<String, Claim> = fetch_by_ids(store, &chain)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    Ok(Some(
        chain.iter().filter_map(|id| by_id.remove(id)).collect(),
    ))
}

/// The languages claim texts are written in, for one CSV column each.
pub async fn text_languages(store: &Store) -> Result<Vec<String>, crate::store::Error> {
    Ok(
        sqlx::query_scalar("select distinct lang from claim_texts order by lang")
            .fetch_all(store.reader())
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::generate;

    /// Every page of `filter`, read through `access`: the ids in order.
    async fn all_ids(
        store: &Store,
        filter: &ClaimFilter,
        sort: ClaimSort,
        access: Access,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        let mut page = PageRequest {
            limit: 7,
            after: None,
        };
        loop {
            let rows: Vec<StoredRow> = list_query(filter, sort, &page, access, Shape::Stored)
                .build_query_as()
                .fetch_all(store.reader())
                .await
                .unwrap();
            let mut keysets: Vec<Keyset> = rows
                .into_iter()
                .map(|row| sort.keyset_of(&row.id, &row.stated_on, &row.updated_at, row.rank))
                .collect();
            let more = keysets.len() > page.limit as usize;
            keysets.truncate(page.limit as usize);
            ids.extend(keysets.iter().map(|k| k.id.clone()));
            match keysets.pop().filter(|_| more) {
                Some(last) => page.after = Some(last),
                None => return ids,
            }
        }
    }

    #[tokio::test]
    async fn a_search_reads_the_same_pages_from_the_index_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("search.db"), 1, None)
            .await
            .unwrap();
        generate::generate(&store, 3_000, 7, |_| {}).await.unwrap();
        // Move some claims to other days, as PATCH does: their entries must move too.
        let mut tx = store.writer().begin().await.unwrap();
        let moved: Vec<String> = (0..3_000).step_by(7).map(|n| format!("gen-{n}")).collect();
        for (n, id) in moved.iter().enumerate() {
            sqlx::query("update claims set stated_on = ? where id = ?")
                .bind(format!("2019-0{}-1{}", 1 + n % 9, n % 10))
                .bind(id)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        search::index_claims(&mut tx, &moved).await.unwrap();
        tx.commit().await.unwrap();

        for q in ["electricity", "电网", "analyst delays", "factor"] {
            let filter = ClaimFilter {
                search: Some(SearchQuery::parse(q).unwrap()),
                ..ClaimFilter::default()
            };
            let shapes = [
                (ClaimSort::StatedOnDesc, Access::SearchByDay),
                (ClaimSort::StatedOnAsc, Access::SearchByDay),
                (ClaimSort::Relevance, Access::SearchByRank),
            ];
            for (sort, chosen) in shapes {
                let page = PageRequest {
                    limit: 7,
                    after: None,
                };
                assert_eq!(access(&store, &filter, sort, &page).await.unwrap(), chosen);
                let planned = all_ids(&store, &filter, sort, Access::Planned).await;
                let from_index = all_ids(&store, &filter, sort, chosen).await;
                assert!(!planned.is_empty(), "{q} matches no claim");
                assert_eq!(planned, from_index, "{q} {sort:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_figure_filter_reads_the_same_pages_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("figures.db"), 1, None)
            .await
            .unwrap();
        generate::generate(&store, 3_000, 7, |_| {}).await.unwrap();
        let ranges = [("1GW", "600GW"), ("100GW", "300GW"), ("100GW", "102GW")];
        for (min, max) in ranges {
            let filter = ClaimFilter {
                indicators: vec!["spare-power-capacity".into()],
                value_min: Some(Measure::parse(min).unwrap()),
                value_max: Some(Measure::parse(max).unwrap()),
                ..ClaimFilter::default()
            };
            for sort in [ClaimSort::StatedOnDesc, ClaimSort::UpdatedAtAsc] {
                let planned = all_ids(&store, &filter, sort, Access::Planned).await;
                let index = sort.index().unwrap();
                let walked = all_ids(&store, &filter, sort, Access::InOrder(index)).await;
                assert!(!planned.is_empty(), "{min}..{max} matches no claim");
                assert_eq!(planned, walked, "{min}..{max} {sort:?}");
            }
        }
    }
}
