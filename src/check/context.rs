//! What every check shares: the loaded workspace, the diagnostics, and helpers to validate
//! located values and expressions.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::expr::{parse, References, Scope, TypeChecker};
use crate::load::raw::*;
use crate::load::{Document, LoadedWorkspace, Located};
use crate::model::Expr;
use crate::model::{DataSchema, PersonaLabels, Type};

/// The state threaded through the checks.
pub struct Context<'w> {
    /// The loaded workspace.
    pub loaded: &'w LoadedWorkspace,
    /// Everything found so far.
    pub diagnostics: Diagnostics,
}

/// The names declared in the workspace, known before any expression is checked.
#[derive(Debug, Default)]
pub struct Names {
    /// Feature types (`None` while unknown or broken).
    pub features: BTreeMap<String, Option<Type>>,
    /// Segment names.
    pub segments: Vec<String>,
    /// Persona model names.
    pub personas: Vec<String>,
    /// The labels each well-formed persona model can give.
    pub persona_labels: BTreeMap<String, PersonaLabels>,
    /// Score model names.
    pub models: Vec<String>,
    /// Campaign names.
    pub campaigns: Vec<String>,
}

impl Names {
    /// The expression scope over profiles for these names.
    pub fn scope<'a>(&'a self, schema: &'a DataSchema) -> Scope<'a> {
        Scope {
            schema,
            features: &self.features,
            segments: &self.segments,
            personas: &self.personas,
            persona_labels: &self.persona_labels,
            scores: &self.models,
            event: None,
            aggregates: true,
        }
    }
}

/// A checked expression and what it refers to.
pub struct CheckedExpr {
    /// The syntax tree.
    pub expr: Expr,
    /// Its type, when it checked.
    pub ty: Option<Type>,
    /// The names it uses.
    pub references: References,
}

macro_rules! documents_of_kind {
    ($name:ident, $variant:ident, $ty:ty) => {
        /// The documents of this kind, in load order.
        pub fn $name(&self) -> Vec<Document<&'w $ty>> {
            self.loaded
                .documents
                .iter()
                .filter_map(|d| match &d.value {
                    RawDocument::$variant(raw) => Some(d.with(&**raw)),
                    _ => None,
                })
                .collect()
        }
    };
}

impl<'w> Context<'w> {
    documents_of_kind!(data_documents, Data, RawData);
    documents_of_kind!(feature_documents, Features, RawFeatures);
    documents_of_kind!(segment_documents, Segment, RawSegment);
    documents_of_kind!(persona_documents, Personas, RawPersonas);
    documents_of_kind!(model_documents, Model, RawModel);
    documents_of_kind!(campaign_documents, Campaign, RawCampaign);
    documents_of_kind!(test_documents, Test, RawTest);

    /// Names of documents of `kind` that failed to parse (their errors are already reported).
    pub fn unparsed_names(&self, kind: &str) -> impl Iterator<Item = String> + '_ {
        let kind = kind.to_string();
        self.loaded
            .unparsed
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, n)| n.clone())
    }

    /// Runs `check` (of a template file) and notes `used_at`, the field that uses the file, on
    /// each problem it reports in another file: a template used twice gives one problem with
    /// both uses.
    pub fn noting_use<T>(&mut self, used_at: Span, check: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.diagnostics.len();
        let result = check(self);
        for diagnostic in self.diagnostics.since(mark) {
            if diagnostic.span.is_some_and(|s| s.file != used_at.file) {
                diagnostic.used_at.push(used_at);
            }
        }
        result
    }

    /// Reports a diagnostic.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Parses a located value with `parse`, reporting `code` with the parser's message on failure.
    pub fn value<T, D, V>(
        &mut self,
        doc: &Document<D>,
        located: &Located<V>,
        code: &'static str,
        parse: impl FnOnce(&V) -> Result<T, String>,
    ) -> Option<T> {
        match parse(&located.value) {
            Ok(value) => Some(value),
            Err(message) => {
                self.report(Diagnostic::error(code, message).at(doc.span(located)));
                None
            }
        }
    }

    /// Parses and type-checks an expression in `scope`; `condition` names a boolean context.
    pub fn expression<D>(
        &mut self,
        doc: &Document<D>,
        located: &Located<String>,
        scope: Scope<'_>,
        condition: Option<&str>,
    ) -> Option<CheckedExpr> {
        let map = doc.string_map(located, &self.loaded.sources);
        let source = located.value.as_str();
        let expr = match parse(source) {
            Ok(expr) => expr,
            Err(error) => {
                self.report(error.placed(|at| map.span(at.start, at.end)));
                return None;
            }
        };
        let mut checker = TypeChecker::new(scope, source, &map, &mut self.diagnostics);
        let ty = match condition {
            Some(what) => checker.check_condition(&expr, what),
            None => checker.check(&expr),
        };
        let references = checker.references;
        Some(CheckedExpr { expr, ty, references })
    }
}
