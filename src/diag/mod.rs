//! Stage 0, diag (used by every stage): where a problem is ([`Span`], [`SourceMap`]), what it is ([`Diagnostic`]),
//! and how the stages collect them ([`Diagnostics`]).
//!
//! Every stage reports problems as values of [`Diagnostic`] with a stable code such as
//! `expr::unknown-field`; rendering them (miette's graphical report, JSON, GitHub annotations,
//! SARIF) is the CLI's business, with [`render`] as the bridge to miette. Every code is
//! registered in [`codes`], which generates `docs/diagnostics.md`.

pub mod codes;
mod diagnostic;
mod excerpt;
pub mod render;
mod sink;
mod source_map;
mod span;
mod suggest;
mod text_error;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use excerpt::{excerpt, MAX_EXCERPT_CHARS};
pub use sink::Diagnostics;
pub use source_map::{LineColumn, SourceFile, SourceMap};
pub use span::{FileId, Span};
pub use suggest::{did_you_mean, not_one_of, suggestion_hint};
pub use text_error::TextError;
