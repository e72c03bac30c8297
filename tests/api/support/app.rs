use std::path::PathBuf;

use claimtrail::config::{DatabaseArgs, LimitArgs, ServeArgs};
use claimtrail::domain::CalendarDate;
use claimtrail::startup::Application;
use claimtrail::store::Store;
use claimtrail::store::import::{ImportLine, import};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

/// Elon Musk's claims in the bundled dataset.
pub const MUSK: [&str; 5] = [
    "musk-china-3x-us-generation-by-2026",
    "musk-china-ai-compute",
    "musk-china-figure-out-chips",
    "musk-electricity-limiting-factor",
    "musk-underestimating-electricity",
];

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db_path: PathBuf,
    // Dropped with the app: removes the database file.
    _dir: tempfile::TempDir,
}

/// Starts the server with the bundled dataset on a fresh database file.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db_path = dir.path().join("claimtrail.db");
    let address = start(&db_path).await;
    TestApp {
        address,
        client: reqwest::Client::new(),
        db_path,
        _dir: dir,
    }
}

/// Starts the server like `spawn_app`, with its clock set to `today` (YYYY-MM-DD).
pub async fn spawn_app_on(today: &str) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db_path = dir.path().join("claimtrail.db");
    let today = CalendarDate::parse(today).expect("a date");
    let address = start_configured(&db_path, true, unlimited(), Some(today), None).await;
    TestApp {
        address,
        client: reqwest::Client::new(),
        db_path,
        _dir: dir,
    }
}

/// Starts the server like `spawn_app`, with the given limits.
pub async fn spawn_limited(limits: LimitArgs) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db_path = dir.path().join("claimtrail.db");
    let address = start_limited(&db_path, true, limits).await;
    TestApp {
        address,
        client: reqwest::Client::new(),
        db_path,
        _dir: dir,
    }
}

/// Starts the server like `spawn_app`, with its database file held to `mib` MiB.
pub async fn spawn_app_limited_to(mib: u64) -> TestApp {
    let dir = tempfile::tempdir().expect("temporary directory");
    let db_path = dir.path().join("claimtrail.db");
    let address = start_configured(&db_path, true, unlimited(), None, Some(mib)).await;
    TestApp {
        address,
        client: reqwest::Client::new(),
        db_path,
        _dir: dir,
    }
}

/// Starts a server on `db_path` and returns its base URL.
pub async fn start(db_path: &std::path::Path) -> String {
    start_with(db_path, true).await
}

/// Starts a server on `db_path`, with reads public or not, and returns its base URL. Rates are
/// not limited: tests of other things send many requests from one address.
pub async fn start_with(db_path: &std::path::Path, public_reads: bool) -> String {
    start_limited(db_path, public_reads, unlimited()).await
}

/// The default limits, but no rate limits.
pub fn unlimited() -> LimitArgs {
    LimitArgs {
        write_rate: 0,
        search_rate: 0,
        ..LimitArgs::default()
    }
}

/// Starts a server on `db_path` with the given limits, and returns its base URL.
pub async fn start_limited(
    db_path: &std::path::Path,
    public_reads: bool,
    limits: LimitArgs,
) -> String {
    start_configured(db_path, public_reads, limits, None, None).await
}

/// Starts a server on `db_path` with the given settings, clock and database size limit, and
/// returns its base URL.
async fn start_configured(
    db_path: &std::path::Path,
    public_reads: bool,
    limits: LimitArgs,
    today: Option<CalendarDate>,
    max_database_mib: Option<u64>,
) -> String {
    if std::env::var_os("TEST_LOG").is_some() {
        claimtrail::telemetry::init();
    }
    let args = ServeArgs {
        bind: "127.0.0.1:0".into(),
        database: DatabaseArgs {
            database: db_path.to_owned(),
            read_connections: 4,
            max_database_mib,
        },
        workers: Some(2),
        no_dataset: false,
        public_reads,
        today,
        limits,
    };
    let app = Application::build(&args).await.expect("the app starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

impl TestApp {
    pub async fn get(&self, path_and_query: &str) -> Response {
        self.client
            .get(format!("{}{}", self.address, path_and_query))
            .send()
            .await
            .expect("request sent")
    }

    /// GETs a path that must answer 200 with JSON, and returns the JSON.
    pub async fn get_json(&self, path_and_query: &str) -> Value {
        let response = self.get(path_and_query).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "GET {path_and_query}: {body}");
        serde_json::from_str(&body).expect("JSON body")
    }

    /// The ids of a list response's items.
    pub async fn ids(&self, path_and_query: &str) -> Vec<String> {
        ids_of(&self.get_json(path_and_query).await)
    }

    /// A second connection to the same database file, as another writer would have.
    pub async fn db(&self) -> SqlitePool {
        let options = SqliteConnectOptions::new()
            .filename(&self.db_path)
            .foreign_keys(true);
        SqlitePool::connect_with(options)
            .await
            .expect("database opens")
    }

    /// Inserts `n` claims by OpenAI (`bulk-1` …), stated over `days` days from 2020-01-01, each
    /// with an English text of its own, the way another writer would.
    pub async fn insert_bulk(&self, n: u32, days: u32) {
        let mut rng = fastrand::Rng::with_seed(u64::from(n));
        let first = time::macros::date!(2020 - 01 - 01);
        let lines = (1..=n).map(|i| {
            let stated_on = first + time::Duration::days(i64::from(i % days));
            // Text that does not compress, so that an export of them is long when coded too.
            let noise: String = (0..40).map(|_| format!("{:02X}", rng.u8(..))).collect();
            let text = format!("Bulk claim bulk-{i} about power for AI compute, {noise}");
            claim_line(
                &format!("bulk-{i}"),
                "openai",
                &stated_on.to_string(),
                &text,
            )
        });
        self.import_as_another_writer(lines.collect()).await;
    }

    /// Inserts a claim by Musk the way another writer would.
    pub async fn insert_claim(&self, id: &str, stated_on: &str) {
        let line = claim_line(id, "elon-musk", stated_on, "A test claim.");
        self.import_as_another_writer(vec![line]).await;
    }

    /// Imports `lines` as another process would: through a store of its own on the same file,
    /// keeping the times the lines carry.
    async fn import_as_another_writer(&self, lines: Vec<Value>) {
        let store = Store::open(&self.db_path, 1, None)
            .await
            .expect("database opens");
        let lines = lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| {
                let Value::Object(map) = line else {
                    unreachable!("a line is an object")
                };
                (i + 1, ImportLine::parse(i + 1, map).expect("a valid line"))
            })
            .collect();
        import(&store, lines, "", true).await.expect("imported");
        store.close().await;
    }
}

/// An import line of an assertion by `claimant`, created and changed at one fixed time.
fn claim_line(id: &str, claimant: &str, stated_on: &str, text: &str) -> Value {
    serde_json::json!({
        "type": "claim", "id": id, "claimant": claimant, "kind": "assertion",
        "stated_on": stated_on, "text": {"en": text},
        "created_at": "2026-11-29T01:00:00Z", "updated_at": "2026-11-29T01:00:00Z"
    })
}

/// `data[].id` of a list body.
pub fn ids_of(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data array in {body}"))
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

/// URL-encodes a query value (reqwest sends what it is given).
pub fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
