//! What the API tests share, written once: a server on a fresh database file (`app`), tokens and
//! requests (`requests`), the refusals they get (`problems`) and checks of the database file
//! (`database`).

mod app;
mod database;
mod problems;
mod requests;

pub use app::*;
pub use database::*;
pub use problems::*;
pub use requests::*;
