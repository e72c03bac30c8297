use std::fmt::Write as _;
use std::io::IsTerminal;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Where actix-http logs what it refuses or drops before a request reaches the app.
const HTTP_LAYER: &str = "actix_http::h1";

/// Logs to stderr (stdout carries command output such as `claimtrail openapi`), filtered by
/// `RUST_LOG`, `info` by default.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,actix_server=warn"))
        // Said again at warn by `HttpLayerRefusals`, not at error.
        .add_directive(
            format!("{HTTP_LAYER}=off")
                .parse()
                .expect("a valid directive"),
        );
    let output = tracing_subscriber::fmt::layer()
        // Colour codes only for a terminal: a log file or a pipe gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        // A log line that cannot be written (stderr on a full disk, a closed pipe) is lost,
        // not reported: the report goes to stderr too, and a failed eprintln panics, which
        // would take the request being logged down with it.
        .log_internal_errors(false)
        .with_filter(filter);
    // A second initialisation (tests start many apps in one process) keeps the first.
    let _ = tracing_subscriber::registry()
        .with(output)
        .with(HttpLayerRefusals.with_filter(Targets::new().with_target(HTTP_LAYER, Level::ERROR)))
        .try_init();
}

/// actix-http logs at error each connection it refuses or drops before the app sees a request:
/// bytes that are not HTTP, a bad Content-Length, a head over its 128 KiB buffer, a client gone
/// mid-response. Each is the client's doing and leaves the server as it was, so an error (which
/// pages someone) is wrong; a hostile client could fill the log with them. Each is said again
/// here at warn, under the target `claimtrail::http`.
struct HttpLayerRefusals;

impl<S: Subscriber> Layer<S> for HttpLayerRefusals {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        tracing::warn!(
            target: "claimtrail::http",
            cause = %message.0,
            "the HTTP layer closed a connection without passing a request on"
        );
    }
}

/// The text of an event: its message and any other fields.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let separator = if self.0.is_empty() { "" } else { " " };
        if field.name() == "message" {
            let _ = write!(self.0, "{separator}{value:?}");
        } else {
            let _ = write!(self.0, "{separator}{}={value:?}", field.name());
        }
    }
}
