//! Arrow arrays from Spark Connect appended to a [`StreamedColumn`]: a batch at a time, as the
//! server sends them. The queries cast every column to one of the few Arrow types read here
//! (64-bit integers, doubles, booleans, strings, dates, microsecond timestamps, arrays of
//! strings), so any other type is a query's fault, reported as such.

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType as ArrowType, Date32Type, Float64Type, Int64Type, TimeUnit, TimestampMicrosecondType};

use polars::prelude::{ChunkedBuilder, ListBuilderTrait};

use super::streamed_column::StreamedColumn;

impl StreamedColumn {
    /// Appends every value of `array`, or says why its type is not this column's.
    pub fn extend_arrow(&mut self, array: &dyn Array) -> Result<(), String> {
        let unexpected = || {
            format!(
                "a column of Arrow type {} where tailor expects another",
                array.data_type()
            )
        };
        match (self, array.data_type()) {
            (StreamedColumn::Text(builder), ArrowType::Utf8) => {
                array.as_string::<i32>().iter().for_each(|v| builder.append_option(v))
            }
            (StreamedColumn::Text(builder), ArrowType::LargeUtf8) => {
                array.as_string::<i64>().iter().for_each(|v| builder.append_option(v))
            }
            (StreamedColumn::Text(builder), ArrowType::Utf8View) => {
                array.as_string_view().iter().for_each(|v| builder.append_option(v))
            }
            (StreamedColumn::Int(builder), ArrowType::Int64) => array
                .as_primitive::<Int64Type>()
                .iter()
                .for_each(|v| builder.append_option(v)),
            (StreamedColumn::Float(builder), ArrowType::Float64) => array
                .as_primitive::<Float64Type>()
                .iter()
                .for_each(|v| builder.append_option(v)),
            (StreamedColumn::Bool(builder), ArrowType::Boolean) => {
                array.as_boolean().iter().for_each(|v| builder.append_option(v))
            }
            (StreamedColumn::Date(builder), ArrowType::Date32) => array
                .as_primitive::<Date32Type>()
                .iter()
                .for_each(|v| builder.append_option(v)),
            // A Spark TIMESTAMP is an instant (the zone only says how to show it); a TIMESTAMP_NTZ
            // has none: either way the value is microseconds since the epoch.
            (StreamedColumn::Timestamp(builder, _), ArrowType::Timestamp(TimeUnit::Microsecond, _)) => array
                .as_primitive::<TimestampMicrosecondType>()
                .iter()
                .for_each(|v| builder.append_option(v)),
            (StreamedColumn::TextList(builder), ArrowType::List(_)) => {
                let lists = array.as_list::<i32>();
                for index in 0..lists.len() {
                    if lists.is_null(index) {
                        builder.append_null();
                        continue;
                    }
                    let items = lists.value(index);
                    let items = items.as_string_opt::<i32>().ok_or_else(unexpected)?;
                    let items: Vec<Option<&str>> = items.iter().collect();
                    builder.append_trusted_len_iter(items.iter().copied());
                }
            }
            _ => return Err(unexpected()),
        }
        Ok(())
    }
}
