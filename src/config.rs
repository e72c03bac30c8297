//! Command-line and environment configuration. Every flag has a `CLAIMTRAIL_*` variable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    /// Rebuild the full-text search indexes from the tables, then exit.
    Reindex(DatabaseArgs),
    /// Write the whole record to standard output.
    Export {
        /// `json`: the format of data/dataset.json, timestamps included, for `import` into an
        /// empty database. `ndjson`: one record a line, as POST /v1/import takes them. `csv`: the
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
