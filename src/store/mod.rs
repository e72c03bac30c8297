//! Every SQL statement lives here, behind functions the API calls. A server database would be a
//! second module with the same functions, not a rewrite of the API.

pub mod claimants;
pub mod claims;
pub mod dataset;
pub mod sources;
pub mod taxonomy;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The database: a pool of readers and a single writer.
///
/// SQLite allows one writer at a time; a pool of one makes writers queue in the process, in
/// order, instead of racing for the file lock and failing with "database is locked". In WAL mode
/// readers never wait for the writer.
#[derive(Clone, Debug)]
pub struct Store {
    read: SqlitePool,
    write: SqlitePool,
}

/// A position in a list ordered by `(key, id)`: the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    /// The sort column's value; absent for lists ordered by id alone.
    pub key: Option<String>,
    pub id: String,
}

/// A page of a list: up to `limit` rows after `after`.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Keyset>,
}

/// Rows of a page, whether more follow, and the total when it was asked for.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_more: bool,
    pub total: Option<i64>,
}

impl<T> Page<T> {
    /// Trims the extra row a query fetched to learn whether another page follows.
    fn from_rows(mut items: Vec<T>, limit: u32, total: Option<i64>) -> Page<T> {
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        Page {
            items,
            has_more,
            total,
        }
    }
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub async fn open(path: &Path, read_connections: u32) -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL in WAL mode survives a crash of the process (a committed transaction is in
            // the WAL before the write returns); only a power loss can undo the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&write)
            .await
            .context("applying migrations")?;
        let read = SqlitePoolOptions::new()
            .max_connections(read_connections.max(1))
            .connect_with(options.read_only(true))
            .await
            .with_context(|| format!("opening database {} for reading", path.display()))?;
        Ok(Store { read, write })
    }

    /// Whether the database answers a query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("select 1")
            .execute(&self.read)
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    pub(crate) fn reader(&self) -> &SqlitePool {
        &self.read
    }

    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.write
    }
}

/// Decodes a JSON column built by `json_group_array`/`json_object` in SQL. The database wrote
/// it, so a failure is a bug, reported as a decode error rather than a panic.
fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(text).map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(e),
    })
}

/// Parses an enum stored as text. The CHECK constraints keep the values valid.
fn parse_column<T: FromStr>(column: &str, text: &str) -> Result<T, sqlx::Error>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse().map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: Box::new(e),
    })
}

/// Picks a display name: English first, then any.
fn display_name(names: &std::collections::BTreeMap<String, String>, fallback: &str) -> String {
    names
        .get("en")
        .or_else(|| names.values().next())
        .cloned()
        .unwrap_or_else(|| fallback.to_owned())
}

/// A page of a table listed in id order: `select` is the row query without a where clause,
/// `id_column` its id column, `table` the table to count.
async fn list_by_id<R, T>(
    store: &Store,
    select: &'static str,
    id_column: &'static str,
    table: &'static str,
    page: &PageRequest,
    with_total: bool,
) -> Result<Page<T>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    T: TryFrom<R, Error = sqlx::Error>,
{
    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(select);
    if let Some(after) = &page.after {
        qb.push(format_args!(" where {id_column} > "))
            .push_bind(after.id.clone());
    }
    qb.push(format_args!(" order by {id_column} limit "))
        .push_bind(i64::from(page.limit) + 1);
    let rows: Vec<R> = qb.build_query_as().fetch_all(store.reader()).await?;
    let items = rows
        .into_iter()
        .map(T::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let total = if with_total {
        let mut count =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("select count(*) from {table}"));
        Some(count.build_query_scalar().fetch_one(store.reader()).await?)
    } else {
        None
    };
    Ok(Page::from_rows(items, page.limit, total))
}

/// The row of a table with this id, or `None`.
async fn get_by_id<R, T>(
    store: &Store,
    select: &'static str,
    id_column: &'static str,
    id: &str,
) -> Result<Option<T>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    T: TryFrom<R, Error = sqlx::Error>,
{
    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(select);
    qb.push(format_args!(" where {id_column} = "))
        .push_bind(id.to_owned());
    let row: Option<R> = qb.build_query_as().fetch_optional(store.reader()).await?;
    row.map(T::try_from).transpose()
}
