//! The SQL of a page of claims: filters, the access path the planner is told, keyset pages
//! and the search index's own orders.

use super::*;

/// How a page of claims reaches its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
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
pub(super) const LOOKUP_STEPS: i64 = 32;

/// How to read a page of claims. A search that is the only filter is read from the search
/// index's own order when sorted by date, and ranked once when sorted by relevance, instead of
/// joining every match to its claim. SQLite starts a figure filter from its figures, reads their
/// claims and sorts them; when the figures are many (a wide range), walking the claims in the
/// page's order and stopping at a full page reads far fewer. SQLite cannot tell the two apart
/// (it keeps no statistics on value ranges), so the figures are counted here and the expected
/// costs compared: walking passes about claims × (limit + 1) / figures rows, reading the
/// figures' claims costs figures × [`LOOKUP_STEPS`]. Walking wins once figures² exceeds
/// claims × (limit + 1) / [`LOOKUP_STEPS`], so the count stops there.
pub(super) async fn access(
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
pub(super) const HIDDEN_DOCIDS: &str = "select h.docid from claims x indexed by claims_resting_on_unverified \
     join claim_search_docs h on h.claim_id = x.id where x.evidence = 'unverified'";

pub(super) fn push_filters(qb: &mut QueryBuilder<Sqlite>, filter: &ClaimFilter) {
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
pub(super) fn push_figures(qb: &mut QueryBuilder<Sqlite>, filter: &ClaimFilter) {
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
pub(super) fn push_from_where(qb: &mut QueryBuilder<Sqlite>, filter: &ClaimFilter, access: Access) {
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

pub(super) fn ranked(filter: &ClaimFilter) -> bool {
    filter.search.as_ref().is_some_and(|q| !q.groups.is_empty())
}

/// The query of a page of claims: the ids and ranks of the page, in order, as a subquery the
/// claims are then read for; `explain` asks for its plan instead. The ids are selected first so
/// that a filter whose order needs a sort sorts ids, not whole claims with their texts; both are
/// one statement, so the page reads one snapshot in one round trip to SQLite's thread.
/// The claims are sorted again (a page of them), so their order is SQL's promise rather than
/// the join's habit.
pub(super) fn list_query(
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
pub(super) enum Shape {
    Stored,
    Assembled,
    Plan,
}

/// Appends ORDER BY for `sort`: the search rank `rank` first when the order is by relevance.
pub(super) fn push_order(qb: &mut QueryBuilder<Sqlite>, sort: ClaimSort, ranked: bool, rank: &str) {
    let dir = if sort.descending() { "desc" } else { "asc" };
    qb.push(" order by ");
    if ranked && sort == ClaimSort::Relevance {
        qb.push(format_args!("{rank}, "));
    }
    qb.push(format_args!("{} {dir}, c.id {dir}", sort.column()));
}

/// The ids and ranks of a page of claims, in order, with one row more than the page to tell
/// whether another follows.
pub(super) fn push_page_ids(
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
pub(super) fn push_search_by_rank(
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
pub(super) fn push_search_by_day(
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

/// What the SQL of a page needs to know of its order: its column, its index, a row's keyset.
pub(super) trait SortSql {
    fn column(self) -> &'static str;
    fn index(self) -> Option<&'static str>;
    fn keyset_of(self, id: &str, stated_on: &str, updated_at: &str, rank: Option<f64>) -> Keyset;
}

impl SortSql for ClaimSort {
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
