//! A claimant's track record: its predictions by status and those falling due, its figures by
//! indicator with their revisions, and how faithfully its claims were carried. Every statement
//! starts from the claimant's claims by index (`claims_by_claimant_kind`, `claims_by_claimant`),
//! so the cost grows with one claimant's claims, not with the record.

use std::collections::BTreeMap;

use sqlx::{FromRow, SqliteConnection};

use super::{Store, display_name, from_json, parse_column};
use crate::domain::{
    CalendarDate, ClaimantRef, DuePrediction, FidelityRecord, FigureChange, FigureMove,
    FigureRevision, Horizon, IndicatorRecord, LatestFigure, LocalizedText, PredictionRecord,
    Stated, StatusCounts, TrackRecord,
};

/// How many entries each list of a track record holds at most; its count has them all.
pub const LISTED: usize = 100;

// Claims resting on unverified sources alone are left out, as default listings leave them out.

const BY_STATUS: &str = "select c.status, count(*) from claims c where c.claimant_id = ?1 \
    and c.kind = 'prediction' and c.evidence <> 'unverified' group by c.status";

/// Pending predictions due from ?2 to ?3 (ISO dates, compared as text, which sorts as dates).
const DUE: &str = "select c.id, c.stated_on, c.due_on, c.due_precision, c.status, \
    (select json_group_object(lang, text) from claim_texts where claim_id = c.id) as texts \
    from claims c where c.claimant_id = ?1 and c.kind = 'prediction' and c.status = 'pending' \
    and c.evidence <> 'unverified' and c.due_on between ?2 and ?3 \
    order by c.due_on, c.id limit ?4";

const DUE_COUNT: &str = "select count(*) from claims c where c.claimant_id = ?1 \
    and c.kind = 'prediction' and c.status = 'pending' and c.evidence <> 'unverified' \
    and c.due_on between ?2 and ?3";

const FIGURES: &str = "select q.indicator_id, count(*), count(distinct q.claim_id) \
    from claims c join quantities q on q.claim_id = c.id \
    where c.claimant_id = ?1 and c.evidence <> 'unverified' \
    group by q.indicator_id order by q.indicator_id";

/// Down the claimant's claims, newest first, to the first with a figure of indicator ?2: not
/// from the indicator's figures, which are every claimant's.
const LATEST: &str = "select c.id, c.stated_on, json_object('indicator', q.indicator_id, \
        'subject', q.subject, 'comparison_subject', q.comparison_subject, 'value', q.value, \
        'lower', q.lower, 'upper', q.upper, 'unit', q.unit, 'qualifier', q.qualifier, \
        'period', q.period, 'label', q.label, 'value_si', q.value_si, 'lower_si', q.lower_si, \
        'upper_si', q.upper_si, 'si_unit', q.si_unit) \
    from claims c indexed by claims_by_claimant join quantities q on q.claim_id = c.id \
    where c.claimant_id = ?1 and c.evidence <> 'unverified' and q.indicator_id = ?2 \
    order by c.stated_on desc, c.id desc, q.position limit 1";

/// Each revision's headline figures: the revising claim's first figure of an indicator and
/// subject against the revised claim's first of the same, as `revision_steps` pairs them.
const REVISIONS: &str = "select c.id as to_claim, p.id as from_claim, c.stated_on, \
        q.indicator_id, q.subject, q.value, q.unit, q.value_si, \
        b.value as from_value, b.unit as from_unit, b.value_si as from_value_si \
    from claims c join claims p on p.id = c.supersedes \
    join quantities q on q.claim_id = c.id \
    join quantities b on b.claim_id = p.id and b.indicator_id = q.indicator_id \
        and b.subject = q.subject \
    where c.claimant_id = ?1 and c.supersedes is not null and c.evidence <> 'unverified' \
    and q.position = (select min(position) from quantities where claim_id = c.id \
        and indicator_id = q.indicator_id and subject = q.subject) \
    and b.position = (select min(position) from quantities where claim_id = p.id \
        and indicator_id = q.indicator_id and subject = q.subject) \
    order by q.indicator_id, c.stated_on, c.id, q.position";

const FIDELITY: &str = "select a.fidelity, count(*) \
    from claims c join appearances a on a.claim_id = c.id \
    where c.claimant_id = ?1 and c.evidence <> 'unverified' group by a.fidelity";

#[derive(FromRow)]
struct DueRow {
    id: String,
    stated_on: String,
    due_on: String,
    due_precision: String,
    status: String,
    texts: String,
}

#[derive(FromRow)]
struct RevisionRow {
    to_claim: String,
    from_claim: String,
    stated_on: String,
    indicator_id: String,
    subject: String,
    value: f64,
    unit: String,
    value_si: f64,
    from_value: f64,
    from_unit: String,
    from_value_si: f64,
}

/// The track record of claimant `id` as of `today`, with `due_soon` reaching `due_within` days
/// ahead; `None` when there is no such claimant. One read transaction: every figure is of one
/// snapshot.
pub async fn track_record(
    store: &Store,
    id: &str,
    today: CalendarDate,
    due_within: i64,
) -> Result<Option<TrackRecord>, crate::store::Error> {
    let mut tx = store.reader().begin().await?;
    let names: Option<String> = sqlx::query_scalar("select names from claimants where id = ?")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(names) = names else {
        return Ok(None);
    };
    let names: LocalizedText = from_json("names", &names)?;
    let predictions = predictions(&mut tx, id, today, due_within).await?;
    let estimates = estimates(&mut tx, id).await?;
    let appearances = fidelity(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Some(TrackRecord {
        claimant: ClaimantRef {
            name: display_name(&names, id),
            id: id.to_owned(),
        },
        as_of: today.to_iso(),
        predictions,
        estimates,
        appearances,
    }))
}

async fn predictions(
    conn: &mut SqliteConnection,
    id: &str,
    today: CalendarDate,
    due_within: i64,
) -> Result<PredictionRecord, sqlx::Error> {
    let mut by_status = StatusCounts::default();
    let counts: Vec<(String, i64)> = sqlx::query_as(BY_STATUS)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut total = 0;
    for (status, count) in counts {
        *by_status.of_mut(parse_column("status", &status)?) += count;
        total += count;
    }
    let correct = by_status.correct;
    let resolved = correct + by_status.partly_correct + by_status.incorrect;
    // Overdue: due before today; the empty text sorts before every date.
    let overdue = (String::new(), today.plus_days(-1).to_iso());
    let due_soon = (today.to_iso(), today.plus_days(due_within).to_iso());
    let (overdue, overdue_count) = due(conn, id, overdue).await?;
    let (due_soon, due_soon_count) = due(conn, id, due_soon).await?;
    Ok(PredictionRecord {
        total,
        resolved,
        hit_rate: (resolved > 0).then(|| correct as f64 / resolved as f64),
        by_status,
        overdue,
        overdue_count,
        due_within_days: due_within,
        due_soon,
        due_soon_count,
    })
}

/// The pending predictions due from `from` to `to`, both included: the first [`LISTED`], and
/// how many there are.
async fn due(
    conn: &mut SqliteConnection,
    id: &str,
    (from, to): (String, String),
) -> Result<(Vec<DuePrediction>, i64), sqlx::Error> {
    let rows: Vec<DueRow> = sqlx::query_as(DUE)
        .bind(id)
        .bind(&from)
        .bind(&to)
        .bind(LISTED as i64)
        .fetch_all(&mut *conn)
        .await?;
    let count: i64 = if rows.len() < LISTED {
        rows.len() as i64
    } else {
        sqlx::query_scalar(DUE_COUNT)
            .bind(id)
            .bind(&from)
            .bind(&to)
            .fetch_one(&mut *conn)
            .await?
    };
    let listed = rows
        .into_iter()
        .map(|row| {
            Ok(DuePrediction {
                text: from_json("texts", &row.texts)?,
                stated_on: row.stated_on,
                horizon: Horizon {
                    due_on: row.due_on,
                    precision: parse_column("due_precision", &row.due_precision)?,
                },
                status: parse_column("status", &row.status)?,
                claim_id: row.id,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok((listed, count))
}

async fn estimates(
    conn: &mut SqliteConnection,
    id: &str,
) -> Result<Vec<IndicatorRecord>, sqlx::Error> {
    let figures: Vec<(String, i64, i64)> = sqlx::query_as(FIGURES)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let revisions: Vec<RevisionRow> = sqlx::query_as(REVISIONS)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let mut by_indicator: BTreeMap<String, Vec<FigureRevision>> = BTreeMap::new();
    for row in revisions {
        let moved = FigureMove::between(
            Stated::of(row.from_value, &row.from_unit, row.from_value_si),
            Stated::of(row.value, &row.unit, row.value_si),
        );
        by_indicator
            .entry(row.indicator_id.clone())
            .or_default()
            .push(FigureRevision {
                from_claim: row.from_claim,
                to_claim: row.to_claim,
                stated_on: row.stated_on,
                direction: moved.direction(),
                change: FigureChange {
                    indicator: row.indicator_id.clone(),
                    subject: row.subject,
                    from: moved.from,
                    to: row.value,
                    unit: row.unit,
                    absolute: moved.absolute,
                    relative: moved.relative,
                },
            });
    }
    let mut records = Vec::with_capacity(figures.len());
    for (indicator, figures, claims) in figures {
        let (claim_id, stated_on, quantity): (String, String, String) = sqlx::query_as(LATEST)
            .bind(id)
            .bind(&indicator)
            .fetch_one(&mut *conn)
            .await?;
        let mut revisions = by_indicator.remove(&indicator).unwrap_or_default();
        let revision_count = revisions.len() as i64;
        // The newest are kept: the rows come oldest first.
        revisions.drain(..revisions.len().saturating_sub(LISTED));
        records.push(IndicatorRecord {
            indicator,
            figures,
            claims,
            revisions,
            revision_count,
            latest: LatestFigure {
                claim_id,
                stated_on,
                quantity: from_json("quantity", &quantity)?,
            },
        });
    }
    Ok(records)
}

async fn fidelity(conn: &mut SqliteConnection, id: &str) -> Result<FidelityRecord, sqlx::Error> {
    let counts: Vec<(Option<String>, i64)> = sqlx::query_as(FIDELITY)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    let count = |fidelity: Option<&str>| {
        counts
            .iter()
            .filter(|(f, _)| f.as_deref() == fidelity)
            .map(|(_, n)| n)
            .sum::<i64>()
    };
    let (mistranslated, hardened) = (count(Some("mistranslated")), count(Some("hardened")));
    let unjudged = count(None);
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    let judged = total - unjudged;
    Ok(FidelityRecord {
        total,
        faithful: count(Some("faithful")),
        reworded: count(Some("reworded")),
        mistranslated,
        hardened,
        unjudged,
        misquoted: mistranslated + hardened,
        misquote_rate: (judged > 0).then(|| (mistranslated + hardened) as f64 / judged as f64),
    })
}

/// The query plan of every statement of a track record, for the plan tests: `(statement, plan)`.
pub async fn explain(
    store: &Store,
    id: &str,
) -> Result<Vec<(String, Vec<String>)>, crate::store::Error> {
    // (name, statement, its parameters after the claimant's id)
    let statements: [(&str, &str, &[&str]); 7] = [
        ("by status", BY_STATUS, &[]),
        ("due", DUE, &["2026-12-02", "2027-03-02", "100"]),
        ("due count", DUE_COUNT, &["2026-12-02", "2027-03-02"]),
        ("figures", FIGURES, &[]),
        ("latest", LATEST, &["datacenter-power-shortfall"]),
        ("revisions", REVISIONS, &[]),
        ("fidelity", FIDELITY, &[]),
    ];
    let mut plans = Vec::new();
    for (name, sql, params) in statements {
        let sql = format!("explain query plan {sql}");
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id);
        for param in params {
            query = query.bind(*param);
        }
        let rows: Vec<(i64, i64, i64, String)> = query.fetch_all(store.reader()).await?;
        plans.push((
            name.to_owned(),
            rows.into_iter().map(|(.., detail)| detail).collect(),
        ));
    }
    Ok(plans)
}
