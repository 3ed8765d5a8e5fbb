//! `tailor check --online`: the data schema held to the tables its PostgreSQL and Spark sources
//! name, and the ledger in PostgreSQL reached.
//!
//! What it does: for each source that is a `postgres://` or `sc://` table, compares the declared fields
//! (event columns and properties) with the table's columns: a required field the table lacks,
//! a column whose type cannot hold the declared one, and (a warning) an optional field the
//! table lacks, which reads as null everywhere. A `delivery.ledger` in PostgreSQL must answer.
//!
//! Why: a renamed or retyped warehouse column otherwise surfaces only when `plan` or `run`
//! loads the data; in CI it can fail the pull request that needs the change, at the line that
//! declares the field.
//!
//! The check itself reads no network: the caller passes what each table's columns are, and
//! whether the ledger answers.

use super::context::Context;
use crate::diag::{Diagnostic, Span};
use crate::load::raw::{RawData, RawFields};
use crate::load::{Document, LoadedWorkspace, Located};
use crate::model::{is_spark_source, is_table_source, BaseType, DataSchema, LedgerLocation, Table, TableColumn, Type};

/// The hint of a PostgreSQL server (a source's, the ledger's) that cannot be reached.
pub const UNREACHABLE_POSTGRES_HINT: &str =
    "check the URL, that the server is reachable, and the `PG*` environment (the password in `TAILOR_PG_PASSWORD`)";

/// The hint of a Spark Connect server (a source's) that cannot be reached.
const UNREACHABLE_SPARK_HINT: &str =
    "check the URL, that the Spark Connect server is reachable and the table exists (a token in `TAILOR_SPARK_TOKEN`)";

/// What a table's columns are, by source URL; the error says why they could not be read.
pub type ColumnsOf<'f> = dyn FnMut(&str) -> Result<Vec<TableColumn>, String> + 'f;

/// Whether a ledger answers; the error says why not.
pub type ReachLedger<'f> = dyn FnMut(&LedgerLocation) -> Result<(), String> + 'f;

/// The diagnostic of a ledger in PostgreSQL (`ledger`, as checked from `loaded`'s manifest)
/// that `reach` cannot reach, at the line naming it.
pub fn check_ledger_online(
    loaded: &LoadedWorkspace,
    ledger: &LedgerLocation,
    reach: &mut ReachLedger,
) -> Option<Diagnostic> {
    if !ledger.is_shared() {
        return None;
    }
    let manifest = loaded.manifest.as_ref()?;
    let named = manifest.value.delivery.as_ref()?.ledger.as_ref()?;
    let why = reach(ledger).err()?;
    Some(
        Diagnostic::error(
            "manifest::unreachable-ledger",
            format!("cannot reach the ledger `{ledger}`: {why}"),
        )
        .at(manifest.span(named))
        .with_hint(UNREACHABLE_POSTGRES_HINT),
    )
}

/// The diagnostics of comparing `schema` (checked from `loaded`) with the tables its PostgreSQL
/// and Spark sources name, as `columns_of` reads them.
pub fn check_online(loaded: &LoadedWorkspace, schema: &DataSchema, columns_of: &mut ColumnsOf) -> Vec<Diagnostic> {
    let cx = Context {
        loaded,
        diagnostics: Default::default(),
    };
    let Some(doc) = cx.data_documents().into_iter().next() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let raw: &RawData = doc.value;
    let mut compare = |source: &Located<String>, expected: Vec<Expected>| {
        if !is_table_source(&source.value) {
            return;
        }
        let hint = if is_spark_source(&source.value) {
            UNREACHABLE_SPARK_HINT
        } else {
            UNREACHABLE_POSTGRES_HINT
        };
        match columns_of(&source.value) {
            Ok(columns) => found.extend(expected.iter().filter_map(|e| e.problem(&source.value, &columns))),
            Err(why) => found.push(
                Diagnostic::error(
                    "schema::unreachable-source",
                    format!("cannot read the columns of `{}`: {why}", source.value),
                )
                .at(doc.span(source))
                .with_hint(hint),
            ),
        }
    };
    compare(
        &raw.profiles.source,
        fields(&doc, &raw.profiles.fields, &schema.profiles),
    );
    if let (Some(catalog), Some(table)) = (&raw.catalog, &schema.catalog) {
        compare(&catalog.source, fields(&doc, &catalog.fields, table));
    }
    if let Some(events) = &raw.events {
        let text = Type {
            base: BaseType::String,
            nullable: false,
        };
        let mut expected = vec![
            Expected::column(&doc, &events.user, text.clone()),
            Expected::column(&doc, &events.type_column, text.clone()),
            Expected::column(
                &doc,
                &events.time,
                Type {
                    base: BaseType::DateTime,
                    nullable: false,
                },
            ),
        ];
        expected.extend(events.id.iter().map(|id| Expected::column(&doc, id, text.clone())));
        for (name, properties) in events.types.iter() {
            if let Some(event) = schema.event(&name.value) {
                expected.extend(fields(&doc, properties, &event.properties));
            }
        }
        compare(&events.source, expected);
    }
    found
}

/// A column a table must have: its name, its declared type, and where each is written.
struct Expected {
    name: String,
    ty: Type,
    name_span: Span,
    type_span: Span,
}

impl Expected {
    /// A column named by a value of the schema (`user: user_id`), of type `ty`.
    fn column(doc: &Document<&RawData>, name: &Located<String>, ty: Type) -> Expected {
        Expected {
            name: name.value.clone(),
            ty,
            name_span: doc.span(name),
            type_span: doc.span(name),
        }
    }

    /// What is wrong with the column in `columns` of the table `source`, if anything.
    fn problem(&self, source: &str, columns: &[TableColumn]) -> Option<Diagnostic> {
        let Some(column) = columns.iter().find(|c| c.name == self.name) else {
            let present: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
            let hint = crate::diag::suggestion_hint(&self.name, present.iter().copied())
                .unwrap_or_else(|| format!("the table has: {}", present.join(", ")));
            return Some(if self.ty.nullable {
                Diagnostic::warning(
                    "schema::absent-column",
                    format!("`{source}` has no column `{}`: it reads as null everywhere", self.name),
                )
                .at(self.name_span)
                .with_hint(hint)
            } else {
                Diagnostic::error(
                    "schema::missing-column",
                    format!("`{source}` has no column `{}`, which the schema requires", self.name),
                )
                .at(self.name_span)
                .with_hint(hint)
            });
        };
        (!column.kind.holds(&self.ty.base)).then(|| {
            Diagnostic::error(
                "schema::column-type",
                format!(
                    "column `{}` of `{source}` is `{}`, which does not hold {}",
                    self.name,
                    column.sql_type,
                    Type {
                        nullable: false,
                        ..self.ty.clone()
                    }
                ),
            )
            .at_labeled(self.type_span, format!("the table has `{}`", column.sql_type))
            .with_hint("declare the type the table has, or cast the column in a view and name the view")
        })
    }
}

/// The declared fields of `raw` with their checked types from `table`.
fn fields(doc: &Document<&RawData>, raw: &RawFields, table: &Table) -> Vec<Expected> {
    raw.iter()
        .filter_map(|(name, ty)| {
            let field = table.field(&name.value)?;
            Some(Expected {
                name: name.value.clone(),
                ty: field.ty.clone(),
                name_span: doc.span(name),
                type_span: doc.span(ty),
            })
        })
        .collect()
}
