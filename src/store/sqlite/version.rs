//! Whether the database changed, without a query: the header of SQLite's WAL index.
//!
//! In WAL mode every commit, by this process or any other, rewrites the header at the start of
//! the `-shm` file (<https://sqlite.org/walformat.html>, "The WAL-Index Header"): its change
//! counter, frame count, last frame's checksum and salts change with each transaction. Reading
//! those 48 bytes is one `pread`, where `PRAGMA data_version` is a round trip to a connection's
//! thread, about what a small query costs.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use anyhow::{Context, ensure};
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// The WAL index header's bytes: equal values mean no transaction committed in between.
pub type Version = [u8; HEADER_LEN];

const HEADER_LEN: usize = 48;
/// `isInit`: nonzero once a connection has built the index.
const IS_INIT: usize = 12;

/// Reads the data version of one database file.
#[derive(Debug)]
pub struct DataVersion {
    shm: File,
    /// Held open for the probe's lifetime: SQLite deletes the `-shm` file when the last
    /// connection to the database closes (the pools may close all theirs when idle), and a new
    /// one would not be the file read here.
    _connection: SqliteConnection,
}

impl DataVersion {
    /// Opens the probe of the database at `path`, which must be in WAL mode (`Store::open` puts
    /// it there).
    pub async fn open(path: &Path) -> anyhow::Result<DataVersion> {
        let mut connection = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .connect()
            .await
            .with_context(|| format!("opening {} to watch for changes", path.display()))?;
        let mode: String = sqlx::query_scalar("pragma journal_mode")
            .fetch_one(&mut connection)
            .await?;
        ensure!(mode == "wal", "the database is in {mode} mode, not WAL");
        // A read transaction maps the index and builds it if no connection has yet.
        sqlx::query("select count(*) from sqlite_schema")
            .execute(&mut connection)
            .await?;
        let mut shm_path = path.as_os_str().to_owned();
        shm_path.push("-shm");
        let shm = File::open(&shm_path)
            .with_context(|| format!("opening {}", Path::new(&shm_path).display()))?;
        let probe = DataVersion {
            shm,
            _connection: connection,
        };
        ensure!(
            probe.current().is_some(),
            "the WAL index of {} has no header",
            path.display()
        );
        Ok(probe)
    }

    /// The current version, or `None` when the header cannot be read (then nothing may be
    /// assumed unchanged).
    pub fn current(&self) -> Option<Version> {
        let mut header = [0; HEADER_LEN];
        self.shm.read_exact_at(&mut header, 0).ok()?;
        (header[IS_INIT] != 0).then_some(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[tokio::test]
    async fn every_commit_changes_the_version_and_reads_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        let store = Store::open(&path, 1, None).await.unwrap();
        let probe = DataVersion::open(&path).await.unwrap();
        let first = probe.current().unwrap();
        sqlx::query("select count(*) from claims")
            .execute(store.reader())
            .await
            .unwrap();
        assert_eq!(probe.current().unwrap(), first, "a read is not a change");
        let mut seen = vec![first];
        for n in 0..3 {
            sqlx::query(
                "insert into topics (id, names, created_at, updated_at) \
                 values (?, '{\"en\":\"t\"}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            )
            .bind(format!("topic-{n}"))
            .execute(store.writer())
            .await
            .unwrap();
            let now = probe.current().unwrap();
            assert!(
                !seen.contains(&now),
                "commit {n} left the version as it was"
            );
            seen.push(now);
        }
        // A writer outside the store: another connection, as another process would open.
        let mut other = SqliteConnectOptions::new()
            .filename(&path)
            .connect()
            .await
            .unwrap();
        sqlx::query("delete from topics where id = 'topic-0'")
            .execute(&mut other)
            .await
            .unwrap();
        assert!(!seen.contains(&probe.current().unwrap()));
    }
}
