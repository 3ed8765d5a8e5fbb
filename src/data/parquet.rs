//! Parquet, validated column by column: the file is typed already, so checking it is a matter
//! of compatible column types, nulls where a value is required, and enum values — done with
//! vectorized polars operations rather than cell by cell.

use std::collections::HashSet;
use std::path::Path;

use polars::prelude::*;

use super::event_table::{event_column, EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER};
use super::row_errors::RowErrors;
use super::table::{is_zone_or_empty, require_columns, Rules, TableReport, ZONE_EXPECTED};
use super::{event_id, LoadError, LoadOptions, RowError, RowPosition};
use crate::model::{BaseType, DataSchema, Table, Type};

fn engine(path: &Path) -> impl Fn(PolarsError) -> LoadError + '_ {
    move |e| LoadError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// The polars type a declared type is stored as.
pub fn storage_type(ty: &Type) -> DataType {
    match ty.base {
        BaseType::Int => DataType::Int64,
        BaseType::Float => DataType::Float64,
        BaseType::Bool => DataType::Boolean,
        BaseType::Date => DataType::Date,
        BaseType::DateTime => DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        BaseType::List(_) => DataType::List(Box::new(DataType::String)),
        _ => DataType::String,
    }
}

/// Whether a Parquet column of type `found` holds values of `ty` without loss or guessing.
fn compatible(found: &DataType, ty: &Type) -> bool {
    match (&ty.base, found) {
        (_, DataType::Null) => true,
        (BaseType::String | BaseType::Enum(_), DataType::String) => true,
        (BaseType::Int, d) => d.is_integer(),
        // A decimal is read as the nearest float (prices exported from a database).
        (BaseType::Float, d) => d.is_float() || d.is_integer() || d.is_decimal(),
        (BaseType::Bool, DataType::Boolean) => true,
        (BaseType::Date, DataType::Date) => true,
        (BaseType::DateTime, DataType::Datetime(_, zone)) => zone.as_ref().is_none_or(|z| z.as_str() == "UTC"),
        (BaseType::List(_), DataType::List(item)) => matches!(**item, DataType::String | DataType::Null),
        _ => false,
    }
}

/// Reports the rows where `mask` is true; returns how many there were.
fn report(
    mask: &BooleanChunked,
    column: &Column,
    name: &str,
    code: &'static str,
    expected: &str,
    bad: &mut RowErrors,
) -> usize {
    if !mask.any() {
        return 0;
    }
    let mut count = 0;
    for (row, hit) in mask.iter().enumerate() {
        if hit == Some(true) {
            let value = column
                .get(row)
                .map(|v| {
                    if v.is_null() {
                        String::new()
                    } else {
                        v.to_string().trim_matches('"').to_string()
                    }
                })
                .unwrap_or_default();
            bad.add(RowPosition::Row(row), code, name, value, expected.to_string());
            count += 1;
        }
    }
    count
}

/// A declared column read from `frame` and checked; `applies` limits the checks to some rows
/// (events of one type). Returns the column cast to its storage type and the rows found bad.
fn checked_column(
    frame: &DataFrame,
    source: &str,
    name: &str,
    ty: &Type,
    applies: Option<&BooleanChunked>,
    bad: &mut RowErrors,
) -> PolarsResult<(Column, BooleanChunked)> {
    let height = frame.height();
    let target = storage_type(ty);
    let none = BooleanChunked::full("bad".into(), false, height);
    let Ok(found) = frame.column(source) else {
        let absent = Column::full_null(name.into(), height, &target);
        // A missing column is all nulls: an error only where a value is required.
        if ty.nullable {
            return Ok((absent, none));
        }
        let required = applies
            .cloned()
            .unwrap_or_else(|| BooleanChunked::full("bad".into(), true, height));
        if required.any() {
            bad.add(
                RowPosition::Row(0),
                "data::missing-column",
                source,
                String::new(),
                "a column declared in the schema".into(),
            );
        }
        return Ok((absent, required));
    };
    if !compatible(found.dtype(), ty) {
        let expected = format!(
            "a column of {} (the file has {})",
            Type {
                nullable: false,
                ..ty.clone()
            },
            found.dtype()
        );
        bad.add(
            RowPosition::Row(0),
            "data::wrong-column-type",
            source,
            String::new(),
            expected,
        );
        return Ok((
            Column::full_null(name.into(), height, &target),
            BooleanChunked::full("bad".into(), true, height),
        ));
    }
    let cast = if found.dtype() == &target {
        found.clone()
    } else {
        found.cast(&target)?
    }
    .with_name(name.into());
    let applies_or_all = |mask: BooleanChunked| match applies {
        Some(rows) => &mask & rows,
        None => mask,
    };
    let mut bad_rows = none;
    if !ty.nullable {
        let missing = applies_or_all(cast.is_null());
        report(
            &missing,
            &cast,
            source,
            "data::bad-value",
            &format!("a value ({ty} is not nullable)"),
            bad,
        );
        bad_rows = &bad_rows | &missing;
    }
    if let BaseType::Enum(values) = &ty.base {
        let allowed: HashSet<&str> = values.iter().map(String::as_str).collect();
        let outside: BooleanChunked = cast
            .str()?
            .iter()
            .map(|v| Some(v.is_some_and(|v| !allowed.contains(v))))
            .collect();
        let outside = applies_or_all(outside);
        report(
            &outside,
            &cast,
            source,
            "data::bad-value",
            &format!("one of: {}", values.join(", ")),
            bad,
        );
        bad_rows = &bad_rows | &outside;
    }
    if ty.base == BaseType::Float {
        let infinite: BooleanChunked = cast
            .f64()?
            .iter()
            .map(|v| Some(v.is_some_and(|v| !v.is_finite())))
            .collect();
        let infinite = applies_or_all(infinite);
        report(&infinite, &cast, source, "data::bad-value", "a finite float", bad);
        bad_rows = &bad_rows | &infinite;
    }
    Ok((cast, bad_rows))
}

/// Loads a profiles or catalog table from Parquet, held to `rules`.
pub fn load_table(
    path: &Path,
    frame: DataFrame,
    table: &Table,
    rules: Rules,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let required: Vec<&str> = table
        .fields
        .iter()
        .filter(|f| !f.ty.nullable)
        .map(|f| f.name.as_str())
        .collect();
    require_columns(path, &required, |n| frame.column(n).is_ok(), || column_names(&frame))?;
    let mut bad = RowErrors::new(path, options, errors);
    if let Some(key) = rules.unique.and_then(|k| frame.column(k).ok()) {
        let keys = key.cast(&DataType::String).map_err(engine(path))?;
        let keys = keys.str().map_err(engine(path))?;
        bad.with_keys(keys.iter().map(|k| k.map(str::to_string)).collect());
    }
    let height = frame.height();
    let mut bad_rows = BooleanChunked::full("bad".into(), false, height);
    let mut columns = Vec::with_capacity(table.fields.len());
    for field in &table.fields {
        let (column, rows) =
            checked_column(&frame, &field.name, &field.name, &field.ty, None, &mut bad).map_err(engine(path))?;
        bad_rows = &bad_rows | &rows;
        columns.push(column);
    }
    if let Some(zones) = rules.zone.and_then(|z| columns.iter().find(|c| c.name().as_str() == z)) {
        let unknown: BooleanChunked = zones
            .str()
            .map_err(engine(path))?
            .iter()
            .map(|z| Some(z.is_some_and(|z| !is_zone_or_empty(z))))
            .collect();
        let unknown = &unknown & &!&bad_rows;
        report(
            &unknown,
            zones,
            zones.name(),
            "data::bad-timezone",
            ZONE_EXPECTED,
            &mut bad,
        );
        bad_rows = &bad_rows | &unknown;
    }
    if let Some(key) = rules
        .unique
        .and_then(|k| columns.iter().find(|c| c.name().as_str() == k))
    {
        let mut seen = HashSet::with_capacity(height);
        let keys = key.str().map_err(engine(path))?;
        let repeated: BooleanChunked = keys.iter().map(|k| Some(!seen.insert(k))).collect();
        let repeated = &repeated & &!&bad_rows;
        report(
            &repeated,
            key,
            key.name(),
            "data::duplicate-key",
            "a key no earlier row has (keys are unique)",
            &mut bad,
        );
        bad_rows = &bad_rows | &repeated;
    }
    let skipped = bad_rows.sum().unwrap_or(0) as usize;
    let file = bad.file().to_string();
    let dropped = bad.into_dropped();
    let frame = DataFrame::new(height, columns).map_err(engine(path))?;
    let frame = if skipped > 0 {
        frame.filter(&!&bad_rows).map_err(engine(path))?
    } else {
        frame
    };
    reports.push(TableReport {
        file,
        rows: height,
        skipped,
        warnings: Vec::new(),
        dropped,
    });
    Ok(frame)
}

/// A frame's column names, for a message.
fn column_names(frame: &DataFrame) -> Vec<String> {
    frame.get_column_names().iter().map(|n| n.to_string()).collect()
}

/// Loads events from Parquet into the event table's shape.
pub fn load_events(
    path: &Path,
    frame: DataFrame,
    schema: &DataSchema,
    profiles: &DataFrame,
    options: LoadOptions,
    errors: &mut Vec<RowError>,
    reports: &mut Vec<TableReport>,
) -> Result<DataFrame, LoadError> {
    let names = &schema.event_columns;
    let required = [names.user.as_str(), names.event_type.as_str(), names.time.as_str()];
    require_columns(path, &required, |n| frame.column(n).is_ok(), || column_names(&frame))?;
    let mut bad = RowErrors::new(path, options, errors);
    let height = frame.height();
    let string = Type::required(BaseType::String);
    let (user, mut bad_rows) =
        checked_column(&frame, &names.user, EVENT_USER, &string, None, &mut bad).map_err(engine(path))?;
    let (kind, rows) =
        checked_column(&frame, &names.event_type, EVENT_TYPE, &string, None, &mut bad).map_err(engine(path))?;
    bad_rows = &bad_rows | &rows;
    let (ts, rows) = checked_column(
        &frame,
        &names.time,
        EVENT_TS,
        &Type::required(BaseType::DateTime),
        None,
        &mut bad,
    )
    .map_err(engine(path))?;
    bad_rows = &bad_rows | &rows;
    let kinds = kind.str().map_err(engine(path))?;
    let of_types: Vec<BooleanChunked> = schema
        .events
        .iter()
        .map(|event| kinds.equal(event.name.as_str()))
        .collect();
    let declared = of_types
        .iter()
        .fold(BooleanChunked::full("declared".into(), false, height), |all, one| {
            &all | one
        });
    let unknown = !&declared;
    let expected = format!(
        "a declared event type ({})",
        schema.event_names().collect::<Vec<_>>().join(", ")
    );
    report(
        &unknown,
        &kind,
        &names.event_type,
        "data::unknown-event-type",
        &expected,
        &mut bad,
    );
    bad_rows = &bad_rows | &unknown;
    let mut columns = vec![user.clone(), kind.clone(), ts.clone()];
    let mut properties = Vec::new();
    for (event, of_type) in schema.events.iter().zip(&of_types) {
        for field in &event.properties.fields {
            let name = event_column(&event.name, &field.name);
            // Checked on this type's rows only; readers select a type's rows before reading its
            // `TYPE.prop` columns, so the column is stored as read, without a masked copy.
            let (values, rows) =
                checked_column(&frame, &field.name, &name, &field.ty, Some(of_type), &mut bad).map_err(engine(path))?;
            bad_rows = &bad_rows | &rows;
            properties.push(values);
        }
    }
    let id = match &names.id {
        Some(id) => {
            checked_column(&frame, id, EVENT_ID, &string, None, &mut bad)
                .map_err(engine(path))?
                .0
        }
        None => hashed_ids(&user, &kind, &ts, &properties, schema).map_err(engine(path))?,
    };
    columns.push(id);
    columns.extend(properties);
    let keys = profiles
        .column(&schema.key)
        .map_err(engine(path))?
        .as_materialized_series()
        .clone();
    let lookup = DataFrame::new(height, vec![user.clone()]).map_err(engine(path))?.lazy();
    let known = super::streaming::collect_streaming(
        lookup.select([col(EVENT_USER).is_in(lit(keys).implode(false), false).alias("known")]),
    )
    .map_err(engine(path))?;
    let unknown_user = !known
        .column("known")
        .map_err(engine(path))?
        .bool()
        .map_err(engine(path))?;
    let unknown_user = &unknown_user & &!&bad_rows;
    let unknown_users = unknown_user.sum().unwrap_or(0) as usize;
    let skipped = bad_rows.sum().unwrap_or(0) as usize;
    let drop = &bad_rows | &unknown_user;
    let file = bad.file().to_string();
    let frame = DataFrame::new(height, columns).map_err(engine(path))?;
    let frame = if skipped + unknown_users > 0 {
        frame.filter(&!&drop).map_err(engine(path))?
    } else {
        frame
    };
    reports.push(TableReport::for_events(file, height, skipped, unknown_users));
    Ok(frame)
}

/// Ids for events without an id column (SPEC §2), hashed row by row.
fn hashed_ids(
    user: &Column,
    kind: &Column,
    ts: &Column,
    properties: &[Column],
    schema: &DataSchema,
) -> PolarsResult<Column> {
    let height = user.len();
    let mut ids = Vec::with_capacity(height);
    for row in 0..height {
        let text = |c: &Column| {
            c.get(row)
                .ok()
                .and_then(|v| v.get_str().map(str::to_string))
                .unwrap_or_default()
        };
        let (user, kind) = (text(user), text(kind));
        let micros = match ts.get(row)? {
            AnyValue::Datetime(t, _, _) | AnyValue::DatetimeOwned(t, _, _) => t,
            _ => 0,
        };
        let at = chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default();
        let prefix = format!("{kind}.");
        let mut values = std::collections::BTreeMap::new();
        if let Some(event) = schema.event(&kind) {
            for column in properties.iter().filter(|c| c.name().starts_with(&prefix)) {
                let property = &column.name()[prefix.len()..];
                if event.properties.field(property).is_some() {
                    values.insert(
                        property.to_string(),
                        super::column::any_to_json(column.get(row)?).unwrap_or_default(),
                    );
                }
            }
        }
        ids.push(event_id(&user, &kind, at, &values));
    }
    Ok(Column::new(EVENT_ID.into(), ids))
}
