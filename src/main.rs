use clap::Parser;

use claimtrail::config::Cli;
use claimtrail::{cli, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    cli::run(cli).await
}
