//! Storage, behind one boundary. This module holds what every engine shares: the error type the
//! API maps to statuses, and keyset pages. Each engine is a folder that holds all of its SQL,
//! migrations, planner hints and data-version mechanism: `sqlite/` is the one there is. A second
//! engine (PostgreSQL) goes in `postgres/`, and `Store` becomes an enum over the two: a few
//! backends known at compile time, dispatched with a `match` rather than a trait object, so that
//! the async functions need no boxing and each backend keeps its own concrete types.

mod sqlite;

pub use sqlite::version::{DataVersion as ChangeProbe, Version};
pub use sqlite::{
    Store, claimants, claims, dataset, documents, generate, history, import, name_languages,
    search, sources, taxonomy, tokens, track_record, writes,
};

/// The database file was removed or replaced while the server had it open. SQLite goes on
/// reading and writing the file it opened, in WAL mode without a word, so every write
/// acknowledged from then on would be gone at the next start.
#[derive(Debug, thiserror::Error)]
#[error(
    "the database file {} was removed or replaced after the server opened it; writes made now \
     would be lost when it stops, so none are taken until it is restarted",
    .0.display()
)]
pub struct FileGone(pub std::path::PathBuf);

/// Why storage failed, in the terms a caller acts on (a status, a retry) without knowing the
/// engine underneath: the API maps these, not a driver's errors.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another writer (another process: an import) held the database longer than a write waits.
    #[error("the database is busy: {0}")]
    Busy(#[source] Cause),
    /// No room for the write: the disk is full, or the database reached its size limit.
    #[error("no room to store the write: {0}")]
    Full(#[source] Cause),
    #[error(transparent)]
    Gone(#[from] FileGone),
    /// The database does not answer a query that reads it.
    #[error("the database does not answer: {0}")]
    Unavailable(#[source] Cause),
    #[error(transparent)]
    Other(Cause),
}

/// What went wrong underneath, kept for the log.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// A position in a list ordered by `(rank, key, id)`: the last row of the previous page.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyset {
    /// The search rank, for lists ordered by relevance.
    pub rank: Option<f64>,
    /// The sort column's value; absent for lists ordered by id alone.
    pub key: Option<String>,
    pub id: String,
    /// The position within the row, for lists of a row's parts (a claim's quantities).
    pub position: Option<i64>,
}

/// A page of a list: up to `limit` rows after `after`.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Keyset>,
}

/// Rows of a page, the position to read the next page from, and the total when asked for.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The last row's position, when another page follows.
    pub next: Option<Keyset>,
    pub total: Option<i64>,
}

impl<T> Page<T> {
    /// Trims the extra row a query fetched to learn whether another page follows.
    fn from_rows(rows: Vec<(T, Keyset)>, limit: u32, total: Option<i64>) -> Page<T> {
        let has_more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len().min(limit as usize));
        let mut next = None;
        for (item, keyset) in rows.into_iter().take(limit as usize) {
            items.push(item);
            next = Some(keyset);
        }
        Page {
            items,
            next: next.filter(|_| has_more),
            total,
        }
    }

    pub fn empty(total: Option<i64>) -> Page<T> {
        Page {
            items: Vec::new(),
            next: None,
            total: total.map(|_| 0),
        }
    }
}

impl Keyset {
    pub fn by_id(id: &str) -> Keyset {
        Keyset {
            rank: None,
            key: None,
            id: id.to_owned(),
            position: None,
        }
    }
}

/// The records whose names are given per language, each language a CSV column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Claimants,
    Topics,
    Indicators,
}

/// A claim as stored: the JSON of GET /v1/claims/{id}, which the server writes out as it is,
/// never turned into values.
#[derive(Debug, Clone)]
pub struct ClaimDocument(pub(crate) Box<serde_json::value::RawValue>);

impl ClaimDocument {
    /// The document with a search's fields for it (`snippet`, `snippet_lang`, `matched_in`),
    /// placed where a claim has them: before `created_at`, the second last of its members.
    pub fn with_marks<T: serde::Serialize>(self, marks: &T) -> ClaimDocument {
        let Ok(marks) = serde_json::to_string(marks) else {
            return self;
        };
        let members = marks.strip_prefix('{').and_then(|m| m.strip_suffix('}'));
        let body = self.0.get();
        // Inside a JSON string a quote is escaped, so this is the member itself.
        let (Some(members), Some(at)) = (members, body.rfind(",\"created_at\":")) else {
            return self;
        };
        if members.is_empty() {
            return self;
        }
        let spliced = format!("{},{members}{}", &body[..at], &body[at..]);
        match serde_json::value::RawValue::from_string(spliced) {
            Ok(raw) => ClaimDocument(raw),
            Err(_) => self,
        }
    }
}

impl serde::Serialize for ClaimDocument {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}
