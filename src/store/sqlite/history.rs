//! The history of writes: what each write changed, newest first.

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::{Keyset, Page, PageRequest, Store, from_json};
use crate::domain::{HistoryFilter, HistoryResource};

/// One recorded write.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// Increases with every write.
    #[schema(example = 42)]
    pub seq: i64,
    /// `claim`, `appearance`, `assessment`, `topic` or `indicator`.
    #[schema(example = "claim")]
    pub resource: String,
    #[schema(example = "musk-china-ai-compute")]
    pub resource_id: String,
    /// `create`, `update` or `delete`.
    #[schema(example = "update")]
    pub action: String,
    /// The id of the token that made the write; null for the command line.
    #[schema(example = "3f9a1c0b7d2e4a55")]
    pub token_id: Option<String>,
    /// When (RFC 3339, UTC).
    #[schema(example = "2026-11-29T12:00:00Z")]
    pub at: String,
    /// What changed, as an RFC 6902 JSON Patch from before to after.
    #[schema(value_type = Vec<Object>, example = json!([{"op": "replace", "path": "/note", "value": "Checked against the recording."}]))]
    pub diff: Value,
}

/// seq, resource, resource_id, action, token_id, at, diff.
type HistoryRow = (i64, String, String, String, Option<String>, String, String);

/// History entries, newest first; with `with_total`, how many match in all.
pub async fn history(
    store: &Store,
    filter: &HistoryFilter,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<HistoryEntry>, crate::store::Error> {
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    for (column, value) in [
        ("claim_id", filter.claim.as_deref()),
        ("resource", filter.resource.map(HistoryResource::as_str)),
        ("resource_id", filter.id.as_deref()),
    ] {
        if let Some(value) = value {
            conditions.push(format!("{column} = ?"));
            values.push(value);
        }
    }
    let condition = if conditions.is_empty() {
        "true".to_owned()
    } else {
        conditions.join(" and ")
    };
    let before = page
        .after
        .as_ref()
        .and_then(|k| k.position)
        .unwrap_or(i64::MAX);
    let sql = format!(
        "select seq, resource, resource_id, action, token_id, at, diff from history \
         where {condition} and seq < ? order by seq desc limit ?"
    );
    let mut query = sqlx::query_as::<_, HistoryRow>(sqlx::AssertSqlSafe(sql));
    for value in &values {
        query = query.bind(*value);
    }
    let rows = query
        .bind(before)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(store.reader())
        .await?;
    let total = if with_total {
        let sql = format!("select count(*) from history where {condition}");
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for value in &values {
            count = count.bind(*value);
        }
        Some(count.fetch_one(store.reader()).await?)
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|(seq, resource, resource_id, action, token_id, at, diff)| {
            let keyset = Keyset {
                position: Some(seq),
                ..Keyset::by_id(&resource_id)
            };
            Ok((
                HistoryEntry {
                    seq,
                    resource,
                    resource_id,
                    action,
                    token_id,
                    at,
                    diff: from_json("diff", &diff)?,
                },
                keyset,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Page::from_rows(items, page.limit, total))
}
