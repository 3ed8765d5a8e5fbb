//! The event table: one row per event with its user, type, time and id, and a `TYPE.prop`
//! column per declared property. A `TYPE.prop` column means something only on rows of that
//! type: every reader selects a type's rows first (the other rows hold whatever the file has
//! under that name, or null; properties of several types with one name and base type share one
//! stored column). Its columns, its order, and what it says about the export's freshness.

use std::path::Path;

use polars::prelude::*;

use super::{ColumnBuilder, LoadError};
use crate::model::{BaseType, DataSchema, Type};

/// The event table's user column.
pub const EVENT_USER: &str = "__user";
/// The event table's type column.
pub const EVENT_TYPE: &str = "__type";
/// The event table's time column (UTC microseconds).
pub const EVENT_TS: &str = "__ts";
/// The event table's id column.
pub const EVENT_ID: &str = "__id";

/// The column holding property `property` of events of type `event_type`.
pub fn event_column(event_type: &str, property: &str) -> String {
    format!("{event_type}.{property}")
}

/// The typed columns of the event table, in order.
pub(crate) fn event_columns(schema: &DataSchema) -> Vec<(String, Type)> {
    let mut columns = vec![
        (EVENT_USER.to_string(), Type::required(BaseType::String)),
        (EVENT_TYPE.to_string(), Type::required(BaseType::String)),
        (EVENT_TS.to_string(), Type::required(BaseType::DateTime)),
        (EVENT_ID.to_string(), Type::required(BaseType::String)),
    ];
    for event in &schema.events {
        for field in &event.properties.fields {
            columns.push((event_column(&event.name, &field.name), field.ty.clone().or_null(true)));
        }
    }
    columns
}

/// An event table with no rows.
pub fn empty_events(schema: &DataSchema) -> Result<DataFrame, LoadError> {
    let columns: Vec<Column> = event_columns(schema)
        .iter()
        .map(|(name, ty)| ColumnBuilder::new(ty, 0).finish(name, None))
        .collect::<PolarsResult<_>>()
        .map_err(|e| LoadError::io(Path::new("events"), e))?;
    DataFrame::new_infer_height(columns).map_err(|e| LoadError::io(Path::new("events"), e))
}

/// The events sorted by time, then id (aggregates such as `first` and `last_n` rely on it;
/// events equal in both keep their file order); a file already in that order is checked in
/// one pass and not sorted again. The sorted table is gathered one column at a time, each
/// column let go once its sorted copy is made: beside the table, one column is copied at a
/// time, not the whole table (twice, as a frame sort that first puts the parts' chunks
/// together does).
pub fn in_time_order(events: DataFrame) -> PolarsResult<DataFrame> {
    let ts = events.column(EVENT_TS)?.cast(&DataType::Int64)?;
    let ts = ts.i64()?;
    let ids = events.column(EVENT_ID)?.str()?;
    let mut previous: Option<(Option<i64>, Option<&str>)> = None;
    let mut ordered = true;
    for pair in ts.iter().zip(ids.iter()) {
        if previous.is_some_and(|p| p > pair) {
            ordered = false;
            break;
        }
        previous = Some(pair);
    }
    if ordered {
        return Ok(events);
    }
    let keys = [events.column(EVENT_TS)?.clone(), events.column(EVENT_ID)?.clone()];
    let order = sort::arg_sort(&keys, SortMultipleOptions::default().with_maintain_order(true))?;
    drop(keys);
    let height = events.height();
    let mut columns = events.into_columns();
    for column in &mut columns {
        *column = column.take(&order)?;
        if column.name() == EVENT_TS {
            column.set_sorted_flag(polars::series::IsSorted::Ascending);
        }
    }
    DataFrame::new(height, columns)
}

/// The time of the newest event (microseconds since the epoch), if there is any event: how
/// fresh the export is.
pub fn newest_event(events: &DataFrame) -> PolarsResult<Option<i64>> {
    let ts = events.column(EVENT_TS)?.cast(&DataType::Int64)?;
    Ok(ts.i64()?.max())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(rows: &[(i64, &str, &str)]) -> DataFrame {
        df!(
            EVENT_TS => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            EVENT_ID => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "page_view.url" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )
        .unwrap()
    }

    #[test]
    fn events_are_sorted_by_time_then_id_across_parts_keeping_ties_in_file_order() {
        let mut table = events(&[(30, "b", "p1"), (10, "z", "p2"), (30, "a", "p3")]);
        table
            .vstack_mut_owned(events(&[(10, "z", "p4"), (20, "c", "p5")]))
            .unwrap();
        let sorted = in_time_order(table).unwrap();
        assert_eq!(
            sorted,
            events(&[
                (10, "z", "p2"),
                (10, "z", "p4"),
                (20, "c", "p5"),
                (30, "a", "p3"),
                (30, "b", "p1")
            ])
        );
        assert_eq!(
            sorted.column(EVENT_TS).unwrap().is_sorted_flag(),
            polars::series::IsSorted::Ascending
        );
        let ordered = events(&[(1, "a", "x"), (1, "b", "y")]);
        assert_eq!(in_time_order(ordered.clone()).unwrap(), ordered);
    }
}
