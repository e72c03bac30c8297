//! The SQLite engine: every SQL statement of claimtrail, the migrations and the pools. One file
//! holds everything; a pool of readers and a single writer share it in WAL mode.

pub mod claimants;
pub mod claims;
pub mod dataset;
pub mod documents;
pub mod generate;
pub mod history;
pub mod import;
pub mod search;
pub mod sources;
pub mod taxonomy;
pub mod tokens;
pub mod track_record;
pub(super) mod version;
pub mod writes;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use super::{Error, FileGone, Keyset, Named, Page, PageRequest};
use crate::search::SearchQuery;
use anyhow::Context;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, QueryBuilder, Sqlite, SqliteConnection};

/// The database: a pool of readers and a single writer.
///
/// SQLite allows one writer at a time; a pool of one makes writers queue in the process, in
/// order, instead of racing for the file lock and failing with "database is locked". In WAL mode
/// readers never wait for the writer.
#[derive(Clone, Debug)]
pub struct Store {
    read: SqlitePool,
    write: SqlitePool,
    file: Arc<OpenedFile>,
}

/// The database file as it was opened: its path, and the file found there then.
#[derive(Debug)]
struct OpenedFile {
    path: PathBuf,
    handle: same_file::Handle,
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        if is_busy(&e) {
            Error::Busy(e.into())
        } else if is_full(&e) {
            Error::Full(e.into())
        } else {
            Error::Other(e.into())
        }
    }
}

/// Whether an error is SQLite's "database is locked": another connection (another process: an
/// import) held the write lock longer than `busy_timeout`. Extended codes carry the primary
/// code, SQLITE_BUSY (5), in their low byte.
fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 5)
}

/// Whether an error is SQLite's "database or disk is full": the disk (or the file system the
/// database is on) has no room for the write, or the database reached its size limit
/// (`max_bytes` of [`Store::open`]). SQLITE_FULL is 13.
fn is_full(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|e| e.code())
        .and_then(|code| code.parse::<i32>().ok())
        .is_some_and(|code| code & 0xff == 13)
}

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date. Writes
    /// that would grow the file past `max_bytes` fail as the database being full.
    pub async fn open(
        path: &Path,
        read_connections: u32,
        max_bytes: Option<u64>,
    ) -> anyhow::Result<Store> {
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
            .after_connect(move |conn, _| Box::pin(limit_size(conn, max_bytes)))
            // A write that fails part-way is rolled back when its transaction is dropped. But
            // on some errors (a full disk above all) SQLite has already rolled it back itself,
            // the ROLLBACK then fails, and the driver still counts the connection as inside a
            // transaction: every later write would be refused ("begin_with at non-zero
            // transaction depth") until a restart. So a writer left in that state is closed
            // and a fresh one opened. The ping first lets a queued rollback finish.
            .test_before_acquire(false)
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    conn.ping().await?;
                    if conn.is_in_transaction() {
                        tracing::warn!(
                            "the writer connection was left inside a failed transaction; opening a new one"
                        );
                        return Ok(false);
                    }
                    Ok(true)
                })
            })
            .connect_with(options.clone())
            .await
            .with_context(|| format!("opening database {}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&write)
            .await
            .context("applying migrations")?;
        rekey_search(&write).await?;
        fill_documents(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(read_connections.max(1))
            // A connection to a local file does not go stale; the check is a round trip to the
            // connection's thread on every acquire, one in three of a claim read's.
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await
            .with_context(|| format!("opening database {} for reading", path.display()))?;
        let file = Arc::new(OpenedFile {
            path: path.to_owned(),
            handle: same_file::Handle::from_path(path)
                .with_context(|| format!("opening database {}", path.display()))?,
        });
        Ok(Store { read, write, file })
    }

    /// Whether the file at the database's path is still the one the server opened.
    pub fn check_file(&self) -> Result<(), FileGone> {
        match same_file::Handle::from_path(&self.file.path) {
            Ok(now) if now == self.file.handle => Ok(()),
            _ => Err(FileGone(self.file.path.clone())),
        }
    }

    /// A probe that tells, without a query, whether anything was committed since it last
    /// looked (by this process or any other): what lets a conditional GET answer 304 unread.
    pub async fn change_probe(&self) -> anyhow::Result<version::DataVersion> {
        version::DataVersion::open(&self.file.path).await
    }

    /// Whether the database file is still the one opened and answers a query that reads it.
    pub async fn ping(&self) -> Result<(), Error> {
        self.check_file()?;
        // `select 1` alone would not read the file at all.
        sqlx::query("select 1 from sqlite_schema limit 1")
            .execute(&self.read)
            .await
            .map_err(|e| Error::Unavailable(e.into()))?;
        Ok(())
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

/// Caps the database file at `max_bytes` (rounded down to whole pages) for writes on `conn`.
async fn limit_size(
    conn: &mut SqliteConnection,
    max_bytes: Option<u64>,
) -> Result<(), sqlx::Error> {
    let Some(max_bytes) = max_bytes else {
        return Ok(());
    };
    let page_size: i64 = sqlx::query_scalar("pragma page_size")
        .fetch_one(&mut *conn)
        .await?;
    let pages = max_bytes / page_size.max(512).unsigned_abs();
    // A pragma takes no bound parameters; the value is a number we computed.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "pragma max_page_count = {pages}"
    )))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rebuilds the claim search index once if its entries are keyed the old way (see
/// [`search::DAY_SHIFT`]); a database written by this version never needs it.
async fn rekey_search(write: &SqlitePool) -> anyhow::Result<()> {
    let mut tx = write.begin().await?;
    if !search::keyed_by_insertion(&mut tx).await? {
        return Ok(());
    }
    tracing::info!("re-keying the claim search index by date, once");
    let claims = search::rebuild(&mut tx)
        .await
        .context("re-keying the claim search index")?;
    tx.commit().await?;
    tracing::info!(claims, "claim search index re-keyed");
    Ok(())
}

/// Renders every claim's document once if some have none (a database from before documents);
/// a database written by this version always has them all.
async fn fill_documents(write: &SqlitePool) -> anyhow::Result<()> {
    let mut tx = write.begin().await?;
    if !documents::missing(&mut tx).await? {
        return Ok(());
    }
    tracing::info!("rendering every claim's document, once");
    let claims = documents::render_all(&mut tx)
        .await
        .context("rendering claim documents")?;
    tx.commit().await?;
    tracing::info!(claims, "claim documents rendered");
    Ok(())
}

/// Appends `(?, ?, …)` binding each value.
pub(crate) fn push_list<T>(qb: &mut QueryBuilder<Sqlite>, values: impl IntoIterator<Item = T>)
where
    T: 'static + for<'e> sqlx::Encode<'e, Sqlite> + sqlx::Type<Sqlite>,
{
    qb.push("(");
    let mut list = qb.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    list.push_unseparated(")");
}

/// Appends `(select value from json_each(?))` with the ids as one JSON array: the statement's
/// text is the same however many ids a page has, so each connection prepares it once and keeps
/// one copy in its statement cache (an IN list of n placeholders is a new statement for every n,
/// each tens of kilobytes of bytecode, cached per connection).
pub(crate) fn push_ids(qb: &mut QueryBuilder<Sqlite>, ids: &[String]) {
    // Serialising strings cannot fail.
    let json = serde_json::to_string(ids).unwrap_or_default();
    qb.push("(select value from json_each(")
        .push_bind(json)
        .push("))");
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

/// An FTS5 table that indexes the rows of a list, for `q`.
pub(crate) struct SearchTable {
    /// The FTS5 table.
    pub table: &'static str,
    /// Its column holding the indexed row's id.
    pub id_column: &'static str,
    /// Its word columns, each with its weight in a match's relevance.
    pub weights: &'static [(&'static str, f64)],
}

impl SearchTable {
    /// The word columns, in FTS5 column-filter syntax: `{title publisher}`.
    fn columns(&self) -> String {
        let names: Vec<&str> = self.weights.iter().map(|(column, _)| *column).collect();
        format!("{{{}}}", names.join(" "))
    }
}

/// Pushes the relevance rank of the row `key` of the FTS5 table `fts`: minus the weights of the
/// expressions of `scores` ([`SearchQuery::fts_scores`]) that it matches, so that the best match
/// ranks lowest. Each expression is looked up once, whatever the number of matches.
pub(crate) fn push_rank(
    qb: &mut QueryBuilder<Sqlite>,
    fts: &str,
    key: &str,
    scores: Vec<(String, f64)>,
) {
    qb.push("-(0.0");
    for (expr, weight) in scores {
        qb.push(format_args!(
            " + {weight:.1} * ({key} in (select rowid from {fts} where {fts} match "
        ))
        .push_bind(expr)
        .push("))");
    }
    qb.push(")");
}

/// Appends the FROM and WHERE clauses of a list of `table` (aliased `t`), restricted to the
/// matches of `search` (ranked as `hit.rank`) when given. Later conditions start with " and".
fn push_from_where(
    qb: &mut sqlx::QueryBuilder<sqlx::Sqlite>,
    table: &str,
    search: Option<(&SearchQuery, &SearchTable)>,
) {
    qb.push(format_args!(" from {table} t"));
    let Some((query, index)) = search else {
        qb.push(" where 1 = 1");
        return;
    };
    let (fts, id) = (index.table, index.id_column);
    match query.fts_match(&index.columns()) {
        Some(expr) => {
            qb.push(format_args!(" join (select {id}, "));
            push_rank(
                qb,
                fts,
                &format!("{fts}.rowid"),
                query.fts_scores(index.weights),
            );
            qb.push(format_args!(" as rank from {fts} where {fts} match "))
                .push_bind(expr)
                .push(format_args!(") hit on hit.{id} = t.id where 1 = 1"));
        }
        None => {
            qb.push(format_args!(
                " where t.id not in (select {id} from {fts} where {fts} match "
            ))
            .push_bind(query.fts_excluded(&index.columns()).unwrap_or_default())
            .push(")");
        }
    }
}

/// A page of a table listed in id order, or by relevance to `search` and then id.
/// `columns` is the row query's SELECT list, over the table aliased `t`.
async fn list_by_id<R, T>(
    store: &Store,
    columns: &'static str,
    table: &'static str,
    page: &PageRequest,
    with_total: bool,
    search: Option<(&SearchQuery, &SearchTable)>,
) -> Result<Page<T>, Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    T: TryFrom<R, Error = sqlx::Error>,
{
    use sqlx::Row;

    if search.is_some_and(|(q, _)| q.is_vacuous()) {
        return Ok(Page::empty(with_total.then_some(0)));
    }
    let ranked = search.is_some_and(|(q, _)| !q.groups.is_empty());
    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(columns);
    qb.push(if ranked {
        ", hit.rank as rank"
    } else {
        ", null as rank"
    });
    push_from_where(&mut qb, table, search);
    if let Some(after) = &page.after {
        match after.rank.filter(|_| ranked) {
            Some(rank) => {
                qb.push(" and (hit.rank > ")
                    .push_bind(rank)
                    .push(" or (hit.rank = ")
                    .push_bind(rank)
                    .push(" and t.id > ")
                    .push_bind(after.id.clone())
                    .push("))");
            }
            None => {
                qb.push(" and t.id > ").push_bind(after.id.clone());
            }
        }
    }
    qb.push(if ranked {
        " order by hit.rank, t.id"
    } else {
        " order by t.id"
    })
    .push(" limit ")
    .push_bind(i64::from(page.limit) + 1);
    let rows = qb.build().fetch_all(store.reader()).await?;
    let items = rows
        .iter()
        .map(|row| {
            let keyset = Keyset {
                rank: row.try_get("rank")?,
                ..Keyset::by_id(row.try_get("id")?)
            };
            Ok((T::try_from(R::from_row(row)?)?, keyset))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let total = if with_total {
        let mut count = sqlx::QueryBuilder::<sqlx::Sqlite>::new("select count(*)");
        push_from_where(&mut count, table, search);
        Some(count.build_query_scalar().fetch_one(store.reader()).await?)
    } else {
        None
    };
    Ok(Page::from_rows(items, page.limit, total))
}

/// The row of a table with this id, or `None`. `columns` is as for [`list_by_id`].
async fn get_by_id<R, T>(
    store: &Store,
    columns: &'static str,
    table: &'static str,
    id: &str,
) -> Result<Option<T>, Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    T: TryFrom<R, Error = sqlx::Error>,
{
    let mut conn = store.reader().acquire().await?;
    Ok(get_by_id_on::<R, T>(&mut conn, columns, table, id).await?)
}

/// As [`get_by_id`], on a given connection: a writer reads its own changes this way.
async fn get_by_id_on<R, T>(
    conn: &mut sqlx::SqliteConnection,
    columns: &'static str,
    table: &'static str,
    id: &str,
) -> Result<Option<T>, sqlx::Error>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    T: TryFrom<R, Error = sqlx::Error>,
{
    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(columns);
    qb.push(format_args!(" from {table} t where t.id = "))
        .push_bind(id.to_owned());
    let row: Option<R> = qb.build_query_as().fetch_optional(&mut *conn).await?;
    row.map(T::try_from).transpose()
}

/// The languages the names of a kind of record are given in, for one CSV column each.
pub async fn name_languages(
    store: &Store,
    named: Named,
) -> Result<Vec<String>, crate::store::Error> {
    let table = match named {
        Named::Claimants => "claimants",
        Named::Topics => "topics",
        Named::Indicators => "indicators",
    };
    let mut qb = QueryBuilder::<Sqlite>::new(format!(
        "select distinct j.key from {table} t, json_each(t.names) j order by j.key"
    ));
    Ok(qb.build_query_scalar().fetch_all(store.reader()).await?)
}
