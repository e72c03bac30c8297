use anyhow::Context;
use clap::Parser;

use claimtrail::config::{Cli, Command, ServeArgs};
use claimtrail::startup::Application;
use claimtrail::store::Store;
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
        Some(Command::Openapi) => {
            let doc = api::openapi()
                .to_pretty_json()
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
