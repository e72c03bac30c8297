use anyhow::Context;
use clap::Parser;

use claimtrail::config::{Cli, Command, ServeArgs, TokenCommand};
use claimtrail::startup::Application;
use claimtrail::store::{Store, dataset, tokens};
use claimtrail::{api, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    match cli.command {
        None => serve(ServeArgs::default()).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Migrate(args)) => {
            let store = Store::open(&args.database, 1).await?;
            store.close().await;
            tracing::info!(database = %args.database.display(), "schema is up to date");
            Ok(())
        }
        Some(Command::Reindex(args)) => {
            let store = Store::open(&args.database, 1).await?;
            let claims = store
                .reindex()
                .await
                .context("rebuilding the search indexes")?;
            store.close().await;
            tracing::info!(claims, "search indexes rebuilt");
            Ok(())
        }
        Some(Command::Token { command, database }) => {
            let store = Store::open(&database.database, 1).await?;
            let outcome = token_command(&store, command).await;
            store.close().await;
            outcome
        }
        Some(Command::Export(args)) => {
            let store = Store::open(&args.database, 1).await?;
            let dataset = dataset::export(&store)
                .await
                .context("reading the record")?;
            store.close().await;
            println!("{}", dataset.to_json()?);
            Ok(())
        }
        Some(Command::Import { file, database }) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let parsed = dataset::Dataset::parse(&text)?;
            let store = Store::open(&database.database, 1).await?;
            let outcome = dataset::load(&store, &parsed).await;
            store.close().await;
            match outcome? {
                dataset::LoadOutcome::Loaded { claims, sources } => {
                    eprintln!(
                        "Imported {claims} claims and {sources} sources from {}.",
                        file.display()
                    );
                    Ok(())
                }
                dataset::LoadOutcome::AlreadyPopulated => anyhow::bail!(
                    "{} already holds records; import into an empty database (serve --no-dataset creates one)",
                    database.database.display()
                ),
            }
        }
        Some(Command::Openapi) => {
            let doc = api::openapi()
                .to_pretty_json()
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

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let app = Application::build(&args).await?;
    app.run_until_stopped().await?;
    Ok(())
}
