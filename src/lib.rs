//! tailor compiles campaigns-as-code and runs them.
//!
//! # Steps
//! A campaign flows one way, and each step is a module that hands the next a richer type:
//!
//! 1. **load** ([`load`]): find the workspace (`tailor.yaml`), read every YAML document and
//!    Liquid template, and parse each document into a raw, spanned type of its `kind`.
//! 2. **model** ([`model`]): the typed values every later stage uses (durations, percentages,
//!    field types, the data schema).
//! 3. **expr** ([`expr`]) and **template** ([`template`]): the expression language and the
//!    Liquid syntax, parsed with spans that point into the YAML files.
//! 4. **check** ([`check`]): resolve every name, type-check every expression and template
//!    against the data schema, and collect every problem as a [`diag::Diagnostic`]. Only check
//!    builds a [`check::CheckedWorkspace`].
//! 5. **data** ([`data`]): load the datasets a checked workspace declares into typed polars
//!    DataFrames, every row checked against the schema.
//! 6. **plan** ([`plan`]): the execution graph and, evaluated on the data and the ledger's
//!    history, what every campaign would do now: the buckets of every audience member and the
//!    sends that are due.
//! 7. **run** ([`run`]): each due send rendered to a complete message, reserved in the ledger,
//!    delivered (outbox or SMTP) and recorded — the only stage that writes.
//! 8. **cli** ([`cli`]): the `tailor` command; reads the clock once and renders diagnostics.

#![warn(missing_docs)]

pub mod check;
pub mod cli;
pub mod data;
pub mod diag;
pub mod expr;
pub mod load;
pub mod model;
pub mod plan;
pub mod run;
pub mod template;
