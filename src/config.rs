//! Command-line and environment configuration. Every flag has a `CLAIMTRAIL_*` variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::CalendarDate;
use crate::store::tokens::Scope;

/// claimtrail: a REST API for sourced claims.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default). Loads the bundled dataset into an empty database first.
    Serve(ServeArgs),
    /// Create the database or bring its schema up to date, then exit.
    Migrate(DatabaseArgs),
    /// Print the OpenAPI document (what the server serves at /openapi.json).
    Openapi,
    /// Rebuild the full-text search indexes and the stored claim documents from the tables,
    /// then exit.
    Reindex(DatabaseArgs),
    /// Write the whole record to standard output.
    Export {
        /// `json`: the format of data/dataset.json, timestamps included, for `import` into an
        /// empty database. `ndjson`: one record a line, as POST /v1/import takes them, with
        /// their timestamps, then the history (and the tokens it names). `csv`: the
        /// claims, as GET /v1/claims?format=csv gives them (UTF-8 with a BOM).
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Load a file: a JSON export (or dataset file) into an empty database, or NDJSON records
    /// (`.ndjson`, `.jsonl`) into any database, each created or replaced, all or none.
    Import {
        /// The file to load.
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Write a synthetic database for benchmarks: the bundled dataset plus CLAIMS generated
    /// claims shaped like it, the same for the same seed. The database must be new.
    Generate {
        /// How many claims to generate.
        #[arg(long)]
        claims: u64,
        /// The random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Create, list and revoke API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Ndjson,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token and print it. It is shown only this once; only a hash is stored.
    Create {
        /// Who or what the token is for.
        #[arg(long)]
        name: String,
        /// What it may do.
        #[arg(long, value_enum, default_value = "write")]
        scope: Scope,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by its id.
    Revoke {
        /// The token's id (the part after `ct_`, before the second `_`).
        id: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// The SQLite database file; created if missing.
    #[arg(
        long,
        env = "CLAIMTRAIL_DATABASE",
        default_value = "claimtrail.db",
        global = true
    )]
    pub database: PathBuf,
    /// How many connections read the database at once.
    #[arg(long, env = "CLAIMTRAIL_READ_CONNECTIONS", default_value_t = 8, global = true,
          value_parser = clap::value_parser!(u32).range(1..=256))]
    pub read_connections: u32,
    /// The largest the database file may grow to, in MiB. A write that needs more is refused
    /// (over HTTP: 507 `storage_full`) and nothing of it is kept, as when the disk is full;
    /// without it, only the disk limits the file. A file already larger stays as it is.
    #[arg(long, env = "CLAIMTRAIL_MAX_DATABASE_MIB", global = true,
          value_parser = clap::value_parser!(u64).range(1..=(1 << 24)))]
    pub max_database_mib: Option<u64>,
}

impl DatabaseArgs {
    /// [`Self::max_database_mib`] in bytes.
    pub fn max_bytes(&self) -> Option<u64> {
        self.max_database_mib.map(|mib| mib << 20)
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; port 0 picks a free one.
    #[arg(long, env = "CLAIMTRAIL_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// HTTP worker threads; defaults to the number of cores.
    #[arg(long, env = "CLAIMTRAIL_WORKERS", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,
    /// Start with an empty database instead of loading the bundled dataset into it.
    #[arg(long, env = "CLAIMTRAIL_NO_DATASET")]
    pub no_dataset: bool,
    /// Whether reads need no token; `false` asks every /v1 read for one (any scope).
    #[arg(long, env = "CLAIMTRAIL_PUBLIC_READS", default_value_t = true, action = clap::ArgAction::Set)]
    pub public_reads: bool,
    /// The day to take as today (YYYY-MM-DD) for what is due or overdue, instead of the system
    /// clock's UTC date: for tests and reproducible examples.
    #[arg(long, env = "CLAIMTRAIL_TODAY", value_parser = CalendarDate::parse)]
    pub today: Option<CalendarDate>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// What one request may use. Requests over a limit get a 4xx problem+json (413, 414, 431, 408,
/// 429) or, past the request timeout, 503.
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest JSON request body, in bytes.
    #[arg(long, env = "CLAIMTRAIL_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Largest POST /v1/import body, in bytes.
    #[arg(long, env = "CLAIMTRAIL_MAX_IMPORT_BYTES", default_value_t = 64 << 20)]
    pub max_import_bytes: usize,
    /// Longest path and query string, in bytes (room for a 2,000-character Chinese `q`,
    /// percent-encoded).
    #[arg(long, env = "CLAIMTRAIL_MAX_URI_BYTES", default_value_t = 32 << 10)]
    pub max_uri_bytes: usize,
    /// Largest sum of header names and values, in bytes. (A request head over 128 KiB is cut
    /// off earlier, by the HTTP layer, with a bare 431.)
    #[arg(long, env = "CLAIMTRAIL_MAX_HEADER_BYTES", default_value_t = 16 << 10)]
    pub max_header_bytes: usize,
    /// Seconds a client has to send the request head.
    #[arg(long, env = "CLAIMTRAIL_HEADER_TIMEOUT", default_value_t = 5)]
    pub header_timeout: u64,
    /// Seconds a client has to send the request body.
    #[arg(long, env = "CLAIMTRAIL_BODY_TIMEOUT", default_value_t = 10)]
    pub body_timeout: u64,
    /// Seconds the server may take to start answering a request.
    #[arg(long, env = "CLAIMTRAIL_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Seconds an idle keep-alive connection stays open.
    #[arg(long, env = "CLAIMTRAIL_KEEP_ALIVE", default_value_t = 15)]
    pub keep_alive: u64,
    /// Writes (POST, PATCH, DELETE) a client address may make a minute, in bursts of as many;
    /// 0 for no limit.
    #[arg(long, env = "CLAIMTRAIL_WRITE_RATE", default_value_t = 120)]
    pub write_rate: u32,
    /// Searches (reads with `q`) a client address may make a minute, in bursts of as many;
    /// 0 for no limit.
    #[arg(long, env = "CLAIMTRAIL_SEARCH_RATE", default_value_t = 600)]
    pub search_rate: u32,
}

impl Default for LimitArgs {
    /// The limits of a server started with no flags and no `CLAIMTRAIL_*` limit variables.
    fn default() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            limits: LimitArgs,
        }
        Defaults::parse_from(["claimtrail"]).limits
    }
}

impl Default for ServeArgs {
    /// The settings of a plain `claimtrail` with no subcommand, read from the environment.
    fn default() -> Self {
        #[derive(Parser)]
        struct Defaults {
            #[command(flatten)]
            serve: ServeArgs,
        }
        // Only environment variables can make this fail, and clap reports those and exits,
        // as it does for a bad flag.
        Defaults::parse_from(["claimtrail"]).serve
    }
}
