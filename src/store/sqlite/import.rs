//! NDJSON import: many records in one transaction, each created or replaced, through the same
//! saves as single writes; with the `admin` scope, a restore of another database's times,
//! tokens and history.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::Store;
use super::dataset::{self, HistoryRecord, TokenRecord};
use super::tokens::now;
use super::writes::{
    Change, TermKind, Tx, WriteError, check_references, problem, save_term, write_appearance,
    write_assessment, write_claim, write_claimant, write_source,
};
use super::{documents, search};
use crate::domain::{
    AppearanceInput, AssessmentInput, ClaimInput, ClaimantInput, FieldProblem, HistoryResource,
    SourceInput, TermInput,
};

/// One record of an import, parsed.
pub enum ImportRecord {
    Topic(TermInput),
    Indicator(TermInput),
    Claimant(ClaimantInput),
    Source(SourceInput),
    Claim(ClaimInput),
    Appearance {
        claim: String,
        input: AppearanceInput,
    },
    Assessment {
        claim: String,
        input: AssessmentInput,
    },
}

impl ImportRecord {
    fn resource(&self) -> &'static str {
        match self {
            ImportRecord::Topic(_) => "topic",
            ImportRecord::Indicator(_) => "indicator",
            ImportRecord::Claimant(_) => "claimant",
            ImportRecord::Source(_) => "source",
            ImportRecord::Claim(_) => "claim",
            ImportRecord::Appearance { .. } => "appearance",
            ImportRecord::Assessment { .. } => "assessment",
        }
    }

    /// Records that others refer to go first.
    fn order(&self) -> u8 {
        match self {
            ImportRecord::Topic(_) | ImportRecord::Indicator(_) => 0,
            ImportRecord::Claimant(_) => 1,
            ImportRecord::Source(_) => 2,
            ImportRecord::Claim(_) => 3,
            ImportRecord::Appearance { .. } => 4,
            ImportRecord::Assessment { .. } => 5,
        }
    }
}

impl ImportRecord {
    /// Parses line `line` of an import; problems point into it as `/<line>/<field>`.
    fn parse(
        line: usize,
        mut map: serde_json::Map<String, Value>,
    ) -> Result<ImportRecord, Vec<FieldProblem>> {
        let at = |problems: Vec<FieldProblem>| -> Vec<FieldProblem> {
            problems
                .into_iter()
                .map(|p| FieldProblem {
                    pointer: format!("/{line}{}", p.pointer),
                    message: p.message,
                })
                .collect()
        };
        let kind = map.remove("type");
        let kind = kind.as_ref().and_then(Value::as_str);
        let claim = match (kind, map.remove("claim")) {
            (Some("appearance" | "assessment"), Some(Value::String(claim))) => claim,
            (Some("appearance" | "assessment"), _) => {
                return Err(at(vec![problem(
                    "/claim",
                    "is required: the id of the claim it belongs to",
                )]));
            }
            _ => String::new(),
        };
        match kind {
            Some("topic") => TermInput::parse(&map, false)
                .map(ImportRecord::Topic)
                .map_err(at),
            Some("indicator") => TermInput::parse(&map, true)
                .map(ImportRecord::Indicator)
                .map_err(at),
            Some("claimant") => ClaimantInput::parse(&map)
                .map(ImportRecord::Claimant)
                .map_err(at),
            Some("source") => SourceInput::parse(&map)
                .map(ImportRecord::Source)
                .map_err(at),
            Some("claim") => ClaimInput::parse(&map).map(ImportRecord::Claim).map_err(at),
            Some("appearance") => AppearanceInput::parse(&map)
                .map(|input| ImportRecord::Appearance { claim, input })
                .map_err(at),
            Some("assessment") => AssessmentInput::parse(&map)
                .map(|input| ImportRecord::Assessment { claim, input })
                .map_err(at),
            _ => Err(at(vec![problem(
                "/type",
                "must be one of claim, appearance, assessment, claimant, source, topic, indicator",
            )])),
        }
    }
}

/// When a record was created and last changed, as a line of an export carries them.
#[derive(Debug, Clone)]
pub struct Stamps {
    created_at: String,
    updated_at: String,
}

/// One line of an import: a record to create or replace, with the times it was created and last
/// changed when the line carries them; or, from an export, a token its history names or an entry
/// of that history. Times, tokens and history are a copy of another database's past, and only
/// an import with the `admin` scope keeps them (`claimtrail import` does).
pub enum ImportLine {
    Record(ImportRecord, Option<Stamps>),
    Token(TokenRecord),
    History(HistoryRecord),
}

/// The instant an RFC 3339 timestamp names (strings compare wrongly once fractions of a second
/// appear: `…00.5Z` sorts before `…00Z`).
fn instant(timestamp: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339).ok()
}

/// What is said of a time, a token or a history line in an import without the `admin` scope.
const RESTORE_ONLY: &str = "is kept only by an import made with an admin token (a copy of \
                            another database); leave it out, and the import stamps and records \
                            the write now";

impl ImportLine {
    /// Parses line `line` of an import; problems point into it as `/<line>/<field>`.
    pub fn parse(
        line: usize,
        mut map: serde_json::Map<String, Value>,
    ) -> Result<ImportLine, Vec<FieldProblem>> {
        let at =
            |pointer: &str, message: String| vec![problem(&format!("/{line}{pointer}"), message)];
        let past = |kind: &str, map: serde_json::Map<String, Value>| {
            let mut map = map;
            map.remove("type");
            match kind {
                "token" => serde_json::from_value(Value::Object(map)).map(ImportLine::Token),
                _ => serde_json::from_value(Value::Object(map)).map(ImportLine::History),
            }
            .map_err(|e| at("", format!("is not a {kind} as an export writes it: {e}")))
        };
        let kind = map.get("type").and_then(Value::as_str).map(str::to_owned);
        if let Some(kind @ ("token" | "history")) = kind.as_deref() {
            return past(kind, map);
        }
        let mut problems = Vec::new();
        let mut stamp = |key: &str| match map.remove(key) {
            None => None,
            Some(Value::String(s)) => crate::domain::parse_timestamp(&s)
                .map_err(|e| problems.extend(at(&format!("/{key}"), e.0)))
                .ok(),
            Some(_) => {
                problems.extend(at(&format!("/{key}"), "must be a string".into()));
                None
            }
        };
        let created_at = stamp("created_at");
        let updated_at = stamp("updated_at");
        let stamps = match (created_at, updated_at) {
            (Some(created_at), Some(updated_at)) if instant(&updated_at) < instant(&created_at) => {
                problems.extend(at("/updated_at", "must not be before created_at".into()));
                None
            }
            (Some(created_at), Some(updated_at)) => Some(Stamps {
                created_at,
                updated_at,
            }),
            (None, None) => None,
            (Some(_), None) => {
                problems.extend(at("/updated_at", "is required with created_at".into()));
                None
            }
            (None, Some(_)) => {
                problems.extend(at("/created_at", "is required with updated_at".into()));
                None
            }
        };
        match ImportRecord::parse(line, map) {
            Ok(record) if problems.is_empty() => Ok(ImportLine::Record(record, stamps)),
            Ok(_) => Err(problems),
            Err(mut more) => {
                more.append(&mut problems);
                Err(more)
            }
        }
    }

    /// The field that only an import with the `admin` scope may send, if the line has one.
    fn restoring(&self) -> Option<&'static str> {
        match self {
            ImportLine::Record(_, None) => None,
            ImportLine::Record(_, Some(_)) => Some("/created_at"),
            ImportLine::Token(_) | ImportLine::History(_) => Some("/type"),
        }
    }
}

/// How many records of each kind an import created and updated.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    #[schema(example = json!({"claim": 2, "appearance": 3}))]
    pub created: std::collections::BTreeMap<&'static str, u64>,
    #[schema(example = json!({"claimant": 1}))]
    pub updated: std::collections::BTreeMap<&'static str, u64>,
}

/// Prefixes the pointers of a record's problems with its line: `/3/kind`.
fn at_line(line: usize, e: WriteError) -> WriteError {
    match e {
        WriteError::Invalid(problems) => WriteError::Invalid(
            problems
                .into_iter()
                .map(|p| FieldProblem {
                    pointer: format!("/{line}{}", p.pointer),
                    message: p.message,
                })
                .collect(),
        ),
        WriteError::Conflict(why) => WriteError::Conflict(format!("line {line}: {why}")),
        other => other,
    }
}

fn required_id(id: Option<&crate::domain::Slug>) -> Result<String, WriteError> {
    id.map(|s| s.as_str().to_owned())
        .ok_or_else(|| WriteError::Invalid(vec![problem("/id", "is required in an import")]))
}

/// Applies every line in one transaction: each record is created, or replaced when its id
/// exists. The first failure undoes everything and names its line. With `restore` (the `admin`
/// scope), the times a line carries are kept, and its tokens and history are copied in; the
/// history then stands for the import's own, which is not recorded.
pub async fn import(
    store: &Store,
    lines: Vec<(usize, ImportLine)>,
    token: &str,
    restore: bool,
) -> Result<ImportReport, WriteError> {
    if !restore {
        let problems: Vec<FieldProblem> = lines
            .iter()
            .filter_map(|(line, l)| {
                l.restoring()
                    .map(|field| problem(&format!("/{line}{field}"), RESTORE_ONLY))
            })
            .collect();
        if !problems.is_empty() {
            return Err(WriteError::Invalid(problems));
        }
    }
    let mut records = Vec::new();
    let mut tokens = Vec::new();
    let mut history = Vec::new();
    for (line, l) in lines {
        match l {
            ImportLine::Record(record, stamps) => records.push((line, record, stamps)),
            ImportLine::Token(t) => tokens.push((line, t)),
            ImportLine::History(h) => history.push((line, h)),
        }
    }
    records.sort_by_key(|(line, r, _)| (r.order(), *line));
    let mut tx = Tx::begin(store).await?;
    // Records may name ones later in the same import (a translation, a revision).
    sqlx::query("pragma defer_foreign_keys = on")
        .execute(tx.conn())
        .await?;
    let mut report = ImportReport::default();
    let mut claims = Vec::new();
    let mut revisions = Vec::new();
    let mut citations = Vec::new();
    let mut stamps_of = Vec::new();
    for (line, item, stamps) in &records {
        let resource = item.resource();
        let outcome: Result<(String, Option<String>, bool), WriteError> = async {
            Ok(match item {
                ImportRecord::Topic(input) | ImportRecord::Indicator(input) => {
                    let (kind, term) = if resource == "topic" {
                        (HistoryResource::Topic, TermKind::Topic)
                    } else {
                        (HistoryResource::Indicator, TermKind::Indicator)
                    };
                    let id = required_id(input.id.as_ref())?;
                    let create = !tx.exists(kind, &id).await?;
                    save_term(&mut tx, term, &id, input, create).await?;
                    (id, None, create)
                }
                ImportRecord::Claimant(input) => {
                    let id = required_id(input.id.as_ref())?;
                    let create = !tx.exists(HistoryResource::Claimant, &id).await?;
                    write_claimant(tx.conn(), &id, input, create).await?;
                    (id, None, create)
                }
                ImportRecord::Source(input) => {
                    let id = required_id(input.id.as_ref())?;
                    let create = !tx.exists(HistoryResource::Source, &id).await?;
                    // Citations are linked once every source is in: the one cited may come later.
                    let unlinked = SourceInput {
                        cites: Vec::new(),
                        ..input.clone()
                    };
                    write_source(tx.conn(), &id, &unlinked, create).await?;
                    if !input.cites.is_empty() {
                        citations.push((*line, id.clone(), input.clone()));
                    }
                    (id, None, create)
                }
                ImportRecord::Claim(input) => {
                    let id = required_id(input.id.as_ref())?;
                    let create = !tx.exists(HistoryResource::Claim, &id).await?;
                    // Revisions are linked once every claim is in: the one revised may come later.
                    let unlinked = ClaimInput {
                        supersedes: None,
                        ..input.clone()
                    };
                    check_references(tx.conn(), &unlinked, Some(&id)).await?;
                    write_claim(tx.conn(), &id, &unlinked, &now(), create).await?;
                    if input.supersedes.is_some() {
                        revisions.push((*line, id.clone(), input.clone()));
                    }
                    claims.push(id.clone());
                    (id.clone(), Some(id), create)
                }
                ImportRecord::Appearance { claim, input } => {
                    let id = required_id(input.id.as_ref())?;
                    if !tx.exists(HistoryResource::Claim, claim).await? {
                        return Err(WriteError::Invalid(vec![problem(
                            "/claim",
                            format!("there is no claim {claim:?}"),
                        )]));
                    }
                    let create = !tx.exists(HistoryResource::Appearance, &id).await?;
                    write_appearance(tx.conn(), claim, &id, input, create).await?;
                    claims.push(claim.clone());
                    (id, Some(claim.clone()), create)
                }
                ImportRecord::Assessment { claim, input } => {
                    let id = required_id(input.id.as_ref())?;
                    if !tx.exists(HistoryResource::Claim, claim).await? {
                        return Err(WriteError::Invalid(vec![problem(
                            "/claim",
                            format!("there is no claim {claim:?}"),
                        )]));
                    }
                    let create = !tx.exists(HistoryResource::Assessment, &id).await?;
                    write_assessment(tx.conn(), claim, &id, input, create).await?;
                    (id, Some(claim.clone()), create)
                }
            })
        }
        .await;
        let (id, claim_id, create) = outcome.map_err(|e| at_line(*line, e))?;
        if let Some(stamps) = stamps {
            stamps_of.push((resource, id.clone(), stamps));
        }
        // A copied history stands for the import's own.
        if history.is_empty() {
            let action = if create { "create" } else { "update" };
            let change = Change {
                resource,
                resource_id: &id,
                claim_id: claim_id.as_deref().unwrap_or(""),
                action,
            };
            tx.record(
                change,
                token,
                &Value::Null,
                &Value::String(format!("imported from line {line}")),
            )
            .await?;
        }
        *(if create {
            &mut report.created
        } else {
            &mut report.updated
        })
        .entry(resource)
        .or_default() += 1;
    }
    for (line, id, input) in &citations {
        write_source(tx.conn(), id, input, false)
            .await
            .map_err(|e| at_line(*line, e))?;
    }
    for (line, id, input) in &revisions {
        check_references(tx.conn(), input, Some(id))
            .await
            .map_err(|e| at_line(*line, e))?;
        write_claim(tx.conn(), id, input, &now(), false)
            .await
            .map_err(|e| at_line(*line, e))?;
    }
    // Each claim is indexed once, with all its appearances: indexing it again per appearance
    // would leave deleted entries that skew its relevance against a freshly built index.
    claims.sort_unstable();
    claims.dedup();
    search::index_claims(tx.conn(), &claims).await?;
    // Last, so that no write above stamps a record again; a claim shows its times, so its
    // document is rendered again with them.
    let restamped: Vec<String> = stamps_of
        .iter()
        .filter(|(resource, ..)| *resource == "claim")
        .map(|(_, id, _)| id.clone())
        .collect();
    for (resource, id, stamps) in stamps_of {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "update {resource}s set created_at = ?, updated_at = ? where id = ?"
        )))
        .bind(&stamps.created_at)
        .bind(&stamps.updated_at)
        .bind(&id)
        .execute(tx.conn())
        .await?;
    }
    let restamped: Vec<&str> = restamped.iter().map(String::as_str).collect();
    documents::render(tx.conn(), &restamped).await?;
    let revoked_now = now();
    for (line, t) in &tokens {
        dataset::insert_token(tx.conn(), t, &revoked_now)
            .await
            .map_err(|e| at_line(*line, e.into()))?;
    }
    for (line, h) in &history {
        let taken: bool = sqlx::query_scalar("select exists (select 1 from history where seq = ?)")
            .bind(h.seq)
            .fetch_one(tx.conn())
            .await?;
        if taken {
            return Err(WriteError::Conflict(format!(
                "line {line}: this database has a history entry {} already; history is copied \
                 only into a database that does not have it",
                h.seq
            )));
        }
        dataset::insert_history(tx.conn(), h)
            .await
            .map_err(|e| at_line(*line, e.into()))?;
    }
    tx.commit().await?;
    Ok(report)
}
