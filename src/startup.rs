use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::api::auth::PublicReads;
use crate::api::claimants::Clock;
use crate::api::limits::{self, Limits};
use crate::api::middleware::Validators;
use crate::api::{self, middleware};
use crate::config::ServeArgs;
use crate::store::{Store, dataset};

/// How many recent answers' ETags are remembered for conditional GETs (about 200 bytes each).
const VALIDATORS: usize = 20_000;

/// A server bound to its port and ready to run. Binding here, before running, lets tests ask
/// for port 0 and learn which port they got.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub async fn build(args: &ServeArgs) -> anyhow::Result<Application> {
        let store = Store::open(
            &args.database.database,
            args.database.read_connections,
            args.database.max_bytes(),
        )
        .await?;
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
        let validators = match store.change_probe().await {
            Ok(version) => Some(web::Data::new(Validators::new(version, VALIDATORS))),
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "conditional GETs will run their queries: the data version cannot be read"
                );
                None
            }
        };
        let store = web::Data::new(store);
        let public_reads = web::Data::new(PublicReads(args.public_reads));
        let clock = web::Data::new(Clock(args.today));
        let limits = web::Data::new(Limits::new(&args.limits));
        tokio::spawn(forget_idle_clients(limits.clone()));
        let mut server = HttpServer::new(move || {
            let app = App::new();
            let app = match &validators {
                Some(validators) => app.app_data(validators.clone()),
                None => app,
            };
            app.app_data(store.clone())
                .app_data(public_reads.clone())
                .app_data(clock.clone())
                .app_data(limits.clone())
                .configure(|cfg| api::mount(cfg, &doc))
                .wrap(from_fn(middleware::conditional_get))
                .wrap(from_fn(middleware::head_as_get))
                .wrap(from_fn(limits::enforce))
                .wrap(from_fn(middleware::trace_requests))
        })
        .client_request_timeout(Duration::from_secs(args.limits.header_timeout))
        .keep_alive(Duration::from_secs(args.limits.keep_alive));
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

/// Drops, once a minute, the rate-limit state of clients whose allowance is whole again.
async fn forget_idle_clients(limits: web::Data<Limits>) {
    let mut every_minute = tokio::time::interval(Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        limits.forget_idle_clients();
    }
}
