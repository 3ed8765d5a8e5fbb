//! tailor compiles campaigns-as-code and runs them.
//!
//! # Steps
//! A campaign flows one way, and each step is a module that hands the next a richer type. A
//! module imports only those listed before it (a test, `architecture`, holds every file to that,
//! and to no import loops between files).
//!
//! 0. **diag** ([`diag`]): spans, source maps and [`diag::Diagnostic`]s, used by every stage.
//! 1. **model** ([`model`]): the typed values every stage shares (durations, percentages, the
//!    expression tree, the data schema, the checked documents); no I/O.
//!    **stats** ([`stats`]): the A/B statistics and power, and the measures of predictions
//!    (AUC, log loss, calibration); pure functions, no I/O.
//! 2. **load** ([`load`]): find the workspace (`tailor.yaml`), read every YAML document and
//!    Liquid template, and parse each document into a raw, spanned type of its `kind`.
//! 3. **expr** ([`expr`]) and **template** ([`template`]): the expression language and the
//!    Liquid syntax, parsed with spans that point into the YAML files.
//! 4. **check** ([`check`]): resolve every name, type-check every expression and template
//!    against the data schema, and collect every problem as a [`diag::Diagnostic`]. Only check
//!    builds a [`check::CheckedWorkspace`].
//! 5. **data** ([`data`]): load the datasets a checked workspace declares into typed polars
//!    DataFrames, every row checked against the schema.
//! 6. **eval** ([`eval`]): features, segments, persona models and scores computed on the data,
//!    each once, as columns of the profile frame; score models trained by time travel over the
//!    same evaluation.
//! 7. **plan** ([`plan`]): the execution graph and, on the evaluation and the ledger's history,
//!    what every campaign would do now: the buckets of every audience member and the sends that
//!    are due.
//! 8. **render** ([`render`]): one recipient's complete message (context, HTML, text, MIME),
//!    and `kind: test` documents against their golden files.
//! 9. **ledger** ([`ledger`]): the record of every send and suppressed address (SQLite, or
//!    PostgreSQL shared by many senders), and the leases that say which runs may write it.
//!    **results** ([`results`]): what each campaign achieved — opens, clicks, conversions
//!    and exits attributed to arms from the ledger and the events, compared with `stats`.
//! 10. **run** ([`run`]): each due send rendered, reserved in the ledger, delivered (outbox or
//!     SMTP) and recorded — the only stage that sends.
//! 11. **serve** ([`serve`]): the long-running service — events in over HTTP (Segment's API),
//!     checked against the tracking plan and logged durably; event triggers fired as they fall
//!     due through `run`'s delivery; one-click unsubscribes, bounces and complaints suppressed.
//! 12. **cli** ([`cli`]): the `tailor` command; reads the clock once and renders diagnostics.

#![warn(missing_docs)]

pub mod check;
pub mod cli;
pub mod data;
pub mod diag;
pub mod eval;
pub mod expr;
pub mod ledger;
pub mod load;
pub mod model;
pub mod plan;
pub mod render;
pub mod results;
pub mod run;
pub mod serve;
pub mod stats;
pub mod template;
