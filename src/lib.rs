//! claimtrail: a REST API for sourced claims.

pub mod api;
pub mod cli;
pub mod config;
pub mod domain;
pub mod search;
pub mod service;
pub mod startup;
pub mod store;
pub mod telemetry;
