//! Builds one typed column from text cells (CSV) or JSON values (NDJSON), validating each
//! value against its declared type.

use chrono::NaiveDate;
use polars::prelude::*;
use serde_json::Value as Json;

use super::json_cell::JsonCell;
use crate::model::{parse_datetime, BaseType, Type};

/// The values of one column, typed, each in the Arrow array it ends in: text straight into
/// string views (no string allocated per cell), numbers and times into their values and a
/// validity bit each (not an `Option` of twice the width, copied again when finished).
enum Values {
    Text(StringChunkedBuilder),
    Int(PrimitiveChunkedBuilder<Int64Type>),
    Float(PrimitiveChunkedBuilder<Float64Type>),
    Bool(BooleanChunkedBuilder),
    Date(PrimitiveChunkedBuilder<Int32Type>),
    DateTime(PrimitiveChunkedBuilder<Int64Type>),
    List(Vec<Option<Vec<String>>>),
}

/// A column under construction: push one value per row, then [`ColumnBuilder::finish`].
pub struct ColumnBuilder {
    ty: Type,
    values: Values,
}

impl std::fmt::Debug for ColumnBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ColumnBuilder")
            .field("ty", &self.ty)
            .finish_non_exhaustive()
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

impl ColumnBuilder {
    /// An empty column of type `ty`.
    pub fn new(ty: &Type, capacity: usize) -> ColumnBuilder {
        let name = PlSmallStr::EMPTY;
        let values = match ty.base {
            BaseType::Int => Values::Int(PrimitiveChunkedBuilder::new(name, capacity)),
            BaseType::Float => Values::Float(PrimitiveChunkedBuilder::new(name, capacity)),
            BaseType::Bool => Values::Bool(BooleanChunkedBuilder::new(name, capacity)),
            BaseType::Date => Values::Date(PrimitiveChunkedBuilder::new(name, capacity)),
            BaseType::DateTime => Values::DateTime(PrimitiveChunkedBuilder::new(name, capacity)),
            BaseType::List(_) => Values::List(Vec::with_capacity(capacity)),
            _ => Values::Text(StringChunkedBuilder::new(PlSmallStr::EMPTY, capacity)),
        };
        ColumnBuilder { ty: ty.clone(), values }
    }

    /// Holds the values pushed next to `nullable` (a column shared by properties of several
    /// event types, each with its own nullability, is held to each one's on its rows).
    pub fn hold_to(&mut self, nullable: bool) {
        self.ty.nullable = nullable;
    }

    /// Appends a null (for rows where the column does not apply, such as another event type's
    /// property).
    pub fn push_null(&mut self) {
        match &mut self.values {
            Values::Text(v) => v.append_null(),
            Values::Int(v) | Values::DateTime(v) => v.append_null(),
            Values::Float(v) => v.append_null(),
            Values::Bool(v) => v.append_null(),
            Values::Date(v) => v.append_null(),
            Values::List(v) => v.push(None),
        }
    }

    fn null_or_error(&mut self) -> Result<(), String> {
        self.push_null();
        if self.ty.nullable {
            Ok(())
        } else {
            Err(format!("a value ({} is not nullable)", self.ty))
        }
    }

    /// Appends a CSV cell: empty is null (the empty list for a list column), lists split on `;`.
    pub fn push_text(&mut self, cell: Option<&str>) -> Result<(), String> {
        match cell.filter(|c| !c.is_empty()) {
            None if matches!(self.values, Values::List(_)) => self.push_value(""),
            None => self.null_or_error(),
            Some(text) => self.push_value(text),
        }
    }

    /// Appends a present value written as text; on error a null stands in for it.
    fn push_value(&mut self, text: &str) -> Result<(), String> {
        let result = self.parse_into(text);
        if result.is_err() {
            self.push_null();
        }
        result
    }

    fn parse_into(&mut self, text: &str) -> Result<(), String> {
        let ColumnBuilder { ty, values } = self;
        let expected = || ty.base.to_string();
        match (values, &ty.base) {
            (Values::Text(_), BaseType::Enum(values)) if !values.iter().any(|x| x == text) => {
                return Err(format!("one of: {}", values.join(", ")));
            }
            (Values::Text(v), _) => v.append_value(text),
            (Values::Int(v), _) => v.append_value(text.parse().map_err(|_| expected())?),
            (Values::Float(v), _) => {
                let value: f64 = text.parse().map_err(|_| expected())?;
                if !value.is_finite() {
                    return Err("a finite float".into());
                }
                v.append_value(value);
            }
            (Values::Bool(v), _) => v.append_value(match text {
                "true" => true,
                "false" => false,
                _ => return Err("`true` or `false`".into()),
            }),
            (Values::Date(v), _) => {
                let date =
                    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| "a date (YYYY-MM-DD)".to_string())?;
                v.append_value((date - epoch()).num_days() as i32);
            }
            (Values::DateTime(v), _) => {
                let at = parse_datetime(text).ok_or_else(|| "a datetime (RFC 3339)".to_string())?;
                v.append_value(at.timestamp_micros());
            }
            (Values::List(v), _) => {
                let items = if text.is_empty() {
                    Vec::new()
                } else {
                    text.split(';').map(str::to_string).collect()
                };
                v.push(Some(items));
            }
        }
        Ok(())
    }

    /// Appends a JSON value: absent or `null` is null.
    pub fn push_json(&mut self, value: Option<&Json>) -> Result<(), String> {
        self.push_cell(value.map(JsonCell::of).as_ref())
    }

    /// Appends an NDJSON cell: absent or `null` is null.
    pub fn push_cell(&mut self, value: Option<&JsonCell>) -> Result<(), String> {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return self.null_or_error();
        };
        let pushed = match (&mut self.values, value) {
            (Values::Text(_) | Values::Date(_) | Values::DateTime(_), JsonCell::Text(s)) => return self.push_value(s),
            (Values::Int(v), JsonCell::Number(n)) => n.as_i64().map(|n| v.append_value(n)),
            (Values::Float(v), JsonCell::Number(n)) => n.as_f64().map(|n| v.append_value(n)),
            (Values::Bool(v), JsonCell::Bool(b)) => {
                v.append_value(*b);
                Some(())
            }
            (Values::List(v), JsonCell::List(items)) => {
                let strings: Option<Vec<String>> = items
                    .iter()
                    .map(|item| match item {
                        JsonCell::Text(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect();
                strings.map(|s| v.push(Some(s)))
            }
            _ => None,
        };
        pushed.ok_or_else(|| {
            self.push_null();
            Type {
                nullable: false,
                ..self.ty.clone()
            }
            .to_string()
        })
    }

    /// The finished column, keeping only rows where `keep` is true (all when `None`).
    pub fn finish(self, name: &str, keep: Option<&[bool]>) -> PolarsResult<Column> {
        let series = match self.values {
            Values::Text(v) => v.finish().into_series(),
            Values::Int(v) => v.finish().into_series(),
            Values::Float(v) => v.finish().into_series(),
            Values::Bool(v) => v.finish().into_series(),
            Values::Date(v) => v.finish().into_series().cast(&DataType::Date)?,
            Values::DateTime(v) => v
                .finish()
                .into_series()
                .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))?,
            Values::List(v) => {
                let lists: ListChunked = v
                    .into_iter()
                    .map(|l| l.map(|items| Series::new(PlSmallStr::EMPTY, items)))
                    .collect();
                lists.into_series()
            }
        };
        let mut series = match keep {
            Some(mask) => series.filter(&BooleanChunked::from_slice(PlSmallStr::EMPTY, mask))?,
            None => series,
        };
        series.rename(name.into());
        Ok(series.into_column())
    }
}

/// A polars datetime value in microseconds since the epoch; `None` for other values.
pub(crate) fn datetime_micros(value: &AnyValue) -> Option<i64> {
    let (AnyValue::Datetime(t, unit, _) | AnyValue::DatetimeOwned(t, unit, _)) = value else {
        return None;
    };
    Some(match unit {
        TimeUnit::Nanoseconds => t / 1_000,
        TimeUnit::Microseconds => *t,
        TimeUnit::Milliseconds => t.saturating_mul(1_000),
    })
}

/// A polars value as the JSON an NDJSON file would hold (dates and times as RFC 3339 text);
/// the value's type name when it has no such form.
pub(crate) fn any_to_json(value: AnyValue) -> Result<Json, String> {
    Ok(match value {
        AnyValue::Null => Json::Null,
        AnyValue::Boolean(b) => Json::Bool(b),
        AnyValue::String(s) => Json::String(s.to_string()),
        AnyValue::StringOwned(s) => Json::String(s.to_string()),
        AnyValue::Int8(n) => n.into(),
        AnyValue::Int16(n) => n.into(),
        AnyValue::Int32(n) => n.into(),
        AnyValue::Int64(n) => n.into(),
        AnyValue::UInt8(n) => n.into(),
        AnyValue::UInt16(n) => n.into(),
        AnyValue::UInt32(n) => n.into(),
        AnyValue::UInt64(n) => n.into(),
        AnyValue::Float32(f) => f64::from(f).into(),
        AnyValue::Float64(f) => f.into(),
        AnyValue::Date(days) => {
            let date = epoch()
                .checked_add_signed(chrono::TimeDelta::days(i64::from(days)))
                .ok_or("a date out of range")?;
            Json::String(date.format("%Y-%m-%d").to_string())
        }
        AnyValue::Datetime(..) | AnyValue::DatetimeOwned(..) => {
            let micros = datetime_micros(&value).unwrap_or_default();
            let at = chrono::DateTime::from_timestamp_micros(micros).ok_or("a datetime out of range")?;
            Json::String(at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        }
        AnyValue::List(series) => Json::Array(
            series
                .iter()
                .map(|v| v.get_str().map_or(Json::Null, |s| Json::String(s.to_string())))
                .collect(),
        ),
        other => return Err(other.dtype().to_string()),
    })
}

/// Microseconds in a day.
pub const DAY_MICROS: i64 = 86_400_000_000;
