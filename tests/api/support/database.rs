//! Checks of the database file, made from a connection of the test's own.

use std::path::Path;

use sqlx::SqlitePool;

/// The bytes a database file holds: its pages, those still in the WAL included.
pub async fn bytes_of(db: &SqlitePool) -> u64 {
    let pages: i64 = sqlx::query_scalar("pragma page_count")
        .fetch_one(db)
        .await
        .unwrap();
    let page_size: i64 = sqlx::query_scalar("pragma page_size")
        .fetch_one(db)
        .await
        .unwrap();
    (pages * page_size).unsigned_abs()
}

/// Asserts that SQLite finds the file sound.
pub async fn assert_sound(db: &SqlitePool) {
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
}

/// The claims in the database file at `path`, read by a connection of its own.
pub async fn claims_in(path: &Path) -> i64 {
    let db = SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let n = sqlx::query_scalar("select count(*) from claims")
        .fetch_one(&db)
        .await
        .unwrap();
    db.close().await;
    n
}
