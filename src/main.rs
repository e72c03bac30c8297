use anyhow::Context;
use clap::Parser;

use std::io::IsTerminal;

use claimtrail::config::{Cli, Command, ExportFormat, ServeArgs, TokenCommand};
use claimtrail::startup::Application;
use claimtrail::store::{Store, dataset, generate, tokens, writes};
use claimtrail::{api, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    match cli.command {
        None => serve(ServeArgs::default()).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Migrate(args)) => {
            let store = Store::open(&args.database, 1, args.max_bytes()).await?;
            store.close().await;
            tracing::info!(database = %args.database.display(), "schema is up to date");
            Ok(())
        }
        Some(Command::Reindex(args)) => {
            let store = Store::open(&args.database, 1, args.max_bytes()).await?;
            let claims = store
                .reindex()
                .await
                .context("rebuilding the search indexes")?;
            store.close().await;
            tracing::info!(claims, "search indexes rebuilt");
            Ok(())
        }
        Some(Command::Token { command, database }) => {
            let store = Store::open(&database.database, 1, database.max_bytes()).await?;
            let outcome = token_command(&store, command).await;
            store.close().await;
            outcome
        }
        Some(Command::Export { format, database }) => {
            let store = Store::open(&database.database, 1, database.max_bytes()).await?;
            let progress = Progress::new("exporting", None);
            let out = match format {
                ExportFormat::Json => dataset::export(&store)
                    .await
                    .context("reading the record")?
                    .to_json()?,
                ExportFormat::Ndjson => dataset::export_lines(&store)
                    .await
                    .context("reading the record")?
                    .join("\n"),
                ExportFormat::Csv => {
                    let claims = dataset::all_claims(&store)
                        .await
                        .context("reading the claims")?;
                    api::claims_csv(&claims).map_err(|e| anyhow::anyhow!("{e}"))?
                }
            };
            store.close().await;
            progress.finish("exported the record");
            // CSV rows end in CRLF already; the JSON formats get a final newline.
            if format == ExportFormat::Csv {
                print!("{out}");
            } else {
                println!("{out}");
            }
            Ok(())
        }
        Some(Command::Import { file, database }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let store = Store::open(&database.database, 1, database.max_bytes()).await?;
            let ndjson = file
                .extension()
                .is_some_and(|e| e == "ndjson" || e == "jsonl");
            let outcome = if ndjson {
                import_lines(&store, &text).await
            } else {
                import_dataset(&store, &text, &file).await
            };
            store.close().await;
            outcome
        }
        Some(Command::Generate {
            claims,
            seed,
            database,
        }) => {
            let store = Store::open(&database.database, 1, database.max_bytes()).await?;
            let progress = Progress::new("generating claims", Some(claims));
            let outcome = generate::generate(&store, claims, seed, |n| progress.set(n)).await;
            store.close().await;
            let generated = outcome?;
            progress.finish(&format!(
                "Generated {} claims, {} appearances, {} claimants and {} sources in {}.",
                generated.claims,
                generated.appearances,
                generated.claimants,
                generated.sources,
                database.database.display()
            ));
            Ok(())
        }
        Some(Command::Openapi) => {
            let doc = serde_json::to_string_pretty(&api::openapi())
                .context("serialising the document")?;
            println!("{doc}");
            Ok(())
        }
    }
}

async fn token_command(store: &Store, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { name, scope } => {
            let (info, token) = tokens::create(store, &name, scope).await?;
            eprintln!(
                "Created token {} ({:?}). It is shown only once:",
                info.id, info.scope
            );
            println!("{token}");
        }
        TokenCommand::List => {
            for t in tokens::list(store).await? {
                let state = t
                    .revoked_at
                    .map_or("live".to_owned(), |at| format!("revoked {at}"));
                println!(
                    "{}\t{:?}\t{}\t{}\t{state}",
                    t.id, t.scope, t.name, t.created_at
                );
            }
        }
        TokenCommand::Revoke { id } => {
            anyhow::ensure!(
                tokens::revoke(store, &id).await?,
                "no live token with id {id}"
            );
            eprintln!("Revoked token {id}.");
        }
    }
    Ok(())
}

/// Progress on standard error: a bar on a terminal, plain lines otherwise (logs, CI).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    label: &'static str,
    total: Option<u64>,
}

impl Progress {
    fn new(label: &'static str, total: Option<u64>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = match total {
                Some(n) => indicatif::ProgressBar::new(n),
                None => indicatif::ProgressBar::new_spinner(),
            };
            bar.set_message(label);
            bar
        });
        Progress { bar, label, total }
    }

    fn set(&self, done: u64) {
        match &self.bar {
            Some(bar) => bar.set_position(done),
            None if done.is_multiple_of(10_000) => {
                eprintln!("{}: {done}/{}", self.label, self.total.unwrap_or(0))
            }
            None => {}
        }
    }

    fn finish(&self, message: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(message.to_owned()),
            None => eprintln!("{message}"),
        }
    }
}

async fn import_dataset(store: &Store, text: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let parsed = dataset::Dataset::parse(text)?;
    match dataset::load(store, &parsed).await? {
        dataset::LoadOutcome::Loaded { claims, sources } => {
            eprintln!(
                "Imported {claims} claims and {sources} sources from {}.",
                file.display()
            );
            Ok(())
        }
        dataset::LoadOutcome::AlreadyPopulated => anyhow::bail!(
            "the database already holds records: a JSON export goes into an empty one \
             (serve --no-dataset makes one); NDJSON records go into any"
        ),
    }
}

async fn import_lines(store: &Store, text: &str) -> anyhow::Result<()> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let progress = Progress::new("validating", Some(lines.len() as u64));
    let mut records = Vec::with_capacity(lines.len());
    let mut problems = Vec::new();
    for (done, (i, line)) in lines.iter().enumerate() {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(map)) => match writes::ImportLine::parse(i + 1, map) {
                Ok(record) => records.push((i + 1, record)),
                Err(found) => problems.extend(
                    found
                        .into_iter()
                        .map(|p| format!("{}: {}", p.pointer, p.message)),
                ),
            },
            _ => problems.push(format!("/{}: is not a JSON object", i + 1)),
        }
        progress.set(done as u64 + 1);
    }
    progress.finish("validated");
    anyhow::ensure!(
        problems.is_empty(),
        "nothing was imported:\n{}",
        problems.join("\n")
    );
    // The operator, who holds the file, restores what a line carries: times, tokens, history.
    let report = writes::import(store, records, "", true)
        .await
        .map_err(|e| anyhow::anyhow!("nothing was imported: {e}"))?;
    eprintln!(
        "Imported: created {:?}, updated {:?}.",
        report.created, report.updated
    );
    Ok(())
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let app = Application::build(&args).await?;
    app.run_until_stopped().await?;
    Ok(())
}
