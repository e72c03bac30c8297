//! Integration tests: the real server on a random port, over real HTTP, against a real SQLite
//! file in a temporary directory. One binary, so the crate links once.

mod bounds;
#[path = "../common/bundled.rs"]
mod bundled;
mod caching;
mod claims;
mod codes;
mod compression;
mod curation;
mod cursors;
mod dataset;
mod documents;
mod errors;
mod faults;
mod figures;
mod formats;
mod hostile;
#[path = "../common/hostile_values.rs"]
mod hostile_values;
mod limits;
mod openapi;
mod refusals;
mod resources;
mod roundtrip;
mod routes;
mod search;
mod support;
mod trust;
