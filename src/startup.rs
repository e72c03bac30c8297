use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::api::auth::PublicReads;
use crate::api::{self, middleware};
use crate::config::ServeArgs;
use crate::store::{Store, dataset};

/// A server bound to its port and ready to run. Binding here, before running, lets tests ask
/// for port 0 and learn which port they got.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub async fn build(args: &ServeArgs) -> anyhow::Result<Application> {
        let store = Store::open(&args.database.database, args.database.read_connections).await?;
        if !args.no_dataset {
            let outcome = dataset::load_bundled(&store)
                .await
                .context("loading the bundled dataset")?;
            tracing::info!(?outcome, "bundled dataset");
        }
        let listener =
            TcpListener::bind(&args.bind).with_context(|| format!("binding {}", args.bind))?;
        let port = listener.local_addr()?.port();
        let doc = api::openapi();
        let store = web::Data::new(store);
        let public_reads = web::Data::new(PublicReads(args.public_reads));
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(store.clone())
                .app_data(public_reads.clone())
                .configure(|cfg| api::mount(cfg, &doc))
                .wrap(from_fn(middleware::conditional_get))
                .wrap(from_fn(middleware::head_as_get))
                .wrap(from_fn(middleware::trace_requests))
        });
        if let Some(workers) = args.workers {
            server = server.workers(workers.into());
        }
        let server = server.listen(listener)?.run();
        tracing::info!(address = %args.bind, port, "listening");
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
