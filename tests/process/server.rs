//! The claimtrail binary as a separate process: started, killed and restarted on one database
//! file, as an operator would. It is always the release binary, the one users run: these tests
//! measure memory and survive crashes, and a debug build's figures say nothing about either.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The release binary. Under `cargo test --release` it is the one cargo built for the tests;
/// under a plain `cargo test` it is built here, once, with the same cargo (a no-op when it is
/// up to date).
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let built = PathBuf::from(env!("CARGO_BIN_EXE_claimtrail"));
        if !cfg!(debug_assertions) {
            return built;
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--release", "--locked", "--bin", "claimtrail"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "cargo build --release failed: {status}");
        // target/debug/claimtrail -> target/release/claimtrail
        let target = built.parent().and_then(Path::parent).unwrap();
        target.join("release").join("claimtrail")
    })
}

/// Held by each process test for its whole run, so that they run one at a time whatever the
/// harness's thread count: each measures one server's memory or load on a 2-core machine.
pub async fn alone() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().await
}

/// [`alone`], for a test that runs outside an async runtime.
pub fn alone_blocking() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.blocking_lock()
}

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Server {
    child: Child,
    pub url: String,
}

/// Runs a claimtrail subcommand on `db` and returns its standard output.
pub fn claimtrail(db: &Path, args: &[&str]) -> String {
    let output = Command::new(binary())
        .args(args)
        .env("CLAIMTRAIL_DATABASE", db)
        .output()
        .expect("claimtrail runs");
    assert!(
        output.status.success(),
        "claimtrail {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A token that may write, made with the CLI.
pub fn write_token(db: &Path) -> String {
    claimtrail(db, &["token", "create", "--name", "process-tests"])
        .trim()
        .to_owned()
}

impl Server {
    /// Starts `claimtrail serve` on `db` on a free port, with no rate limits, and waits until
    /// it is ready. Its log goes to `log`.
    pub fn start(db: &Path, log: &Path) -> Server {
        let log_file = std::fs::File::create(log).unwrap();
        let child = Command::new(binary())
            .arg("serve")
            .env("CLAIMTRAIL_DATABASE", db)
            .env("CLAIMTRAIL_BIND", "127.0.0.1:0")
            .env("CLAIMTRAIL_WRITE_RATE", "0")
            .env("CLAIMTRAIL_SEARCH_RATE", "0")
            .env("RUST_LOG", "warn,claimtrail::startup=info")
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("the server starts");
        let started = Instant::now();
        let port = loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let port = text
                .lines()
                .filter(|l| l.contains("listening"))
                .find_map(|l| l.split("port=").nth(1))
                .and_then(|p| p.trim().parse::<u16>().ok());
            if let Some(port) = port {
                break port;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start: {text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Starts `claimtrail serve` on `db` logging every request to `/dev/full`, where every
    /// write fails with ENOSPC as on a full disk, and waits until it accepts connections. The
    /// port is picked here: the log line that would name it cannot be written.
    pub fn start_logging_to_full_disk(db: &Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full opens");
        let mut child = Command::new(binary())
            .arg("serve")
            .env("CLAIMTRAIL_DATABASE", db)
            .env("CLAIMTRAIL_BIND", format!("127.0.0.1:{port}"))
            .env("CLAIMTRAIL_WRITE_RATE", "0")
            .env("CLAIMTRAIL_SEARCH_RATE", "0")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(full)
            .spawn()
            .expect("the server starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the server exited with {status} before it listened");
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start listening on port {port}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown, no flush, no destructors.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for the graceful exit.
    pub fn stop(mut self) {
        let status = Command::new("kill")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "the server exited with {exit}");
    }
}

/// A resident-set figure of a process, in KiB: `VmRSS` (now) or `VmHWM` (peak).
pub fn memory_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| {
            v.trim_start_matches(':')
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
}

/// Checks the database file with SQLite itself, outside the server: integrity, foreign keys,
/// and that the search index has one document for every claim and no other.
pub async fn assert_consistent(db: &Path) {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
    let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(db))
        .await
        .unwrap();
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let violations: Vec<(String,)> = sqlx::query_as("pragma foreign_key_check")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert!(violations.is_empty(), "{violations:?}");
    sqlx::query("insert into claim_search (claim_search) values ('integrity-check')")
        .execute(&pool)
        .await
        .expect("the FTS5 index passes its own integrity check");
    let unindexed: i64 = sqlx::query_scalar(
        "select count(*) from claims c \
         where not exists (select 1 from claim_search_docs d where d.claim_id = c.id)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unindexed, 0, "claims missing from the search index");
    let (docs, claims): (i64, i64) = sqlx::query_as(
        "select (select count(*) from claim_search_docs), (select count(*) from claims)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(docs, claims, "search documents without a claim");
    pool.close().await;
}

pub fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("claimtrail.db");
    (dir, db)
}
