//! `claimtrail token create|list|revoke`.

use crate::config::TokenCommand;
use crate::store::{Store, tokens};

pub(super) async fn run(store: &Store, command: TokenCommand) -> anyhow::Result<()> {
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
