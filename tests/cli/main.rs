//! The one integration-test binary: every test drives the real `tailor` executable or the
//! library on real files in temporary folders.

mod architecture;
mod broken;
mod clustering;
mod conformance;
mod crash;
mod data;
mod diagnostic_codes;
mod differential;
mod engine_plan;
mod errors;
mod escaping;
mod evaluate;
mod messages;
mod no_panic;
mod outputs;
mod personas;
mod plan;
mod postgres_server;
mod postgres_sources;
mod preview;
mod reference;
mod render_once;
mod results;
mod run;
mod security;
mod serve;
mod shared_ledger;
mod smtp_server;
#[cfg(feature = "spark")]
mod spark_tables;
mod sql;
mod statistics;
mod support;
mod testing;
mod training;
mod watch;
mod workspace;
