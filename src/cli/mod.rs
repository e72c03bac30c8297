//! The command line: each `claimtrail` command, run to its end. `serve` (the default) runs the
//! server; the others open the database, do one thing and close it.

mod progress;
mod tokens;
mod transfer;

use anyhow::Context;

use crate::api;
use crate::config::{Cli, Command, ServeArgs};
use crate::startup::Application;
use crate::store::{Store, generate};
use progress::Progress;

/// Runs the command `cli` names.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
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
                .context("rebuilding the search indexes and claim documents")?;
            store.close().await;
            tracing::info!(claims, "search indexes and claim documents rebuilt");
            Ok(())
        }
        Some(Command::Token { command, database }) => {
            let store = Store::open(&database.database, 1, database.max_bytes()).await?;
            let outcome = tokens::run(&store, command).await;
            store.close().await;
            outcome
        }
        Some(Command::Export { format, database }) => transfer::export(format, &database).await,
        Some(Command::Import { file, database }) => transfer::import(&file, &database).await,
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

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let app = Application::build(&args).await?;
    app.run_until_stopped().await?;
    Ok(())
}
