//! How a score model's inputs become the numbers it reads: each number or flag rounded to nine
//! significant digits and standardised (a missing value takes the training mean, so it reads as
//! 0), each text or enum one column per category seen in training (one-hot; an unseen or missing
//! category is all zeros).

use polars::prelude::*;

use super::EvalError;
use crate::model::{EncodedColumn, ScoreInput};

/// Numbers enter the model rounded to this many significant digits: the engine's parallel sums
/// (an `avg` of prices) can differ in the last bit from run to run, and a saved model must come
/// out byte for byte the same.
const SIGNIFICANT_DIGITS: i32 = 9;

/// Categories kept per text input: the most frequent in training (ties by name).
const MAX_CATEGORIES: usize = 20;

/// The value of `column` for one row of its input's values.
fn encoded_value(column: &EncodedColumn, values: &RawValues, row: usize) -> f64 {
    match (column, values) {
        (EncodedColumn::Standardised { mean, scale, .. }, RawValues::Numbers(numbers)) => numbers[row]
            .filter(|x| x.is_finite())
            .map_or(0.0, |x| (x - mean) / scale),
        (EncodedColumn::OneHot { category, .. }, RawValues::Texts(texts)) => {
            f64::from(u8::from(texts[row].as_deref() == Some(category.as_str())))
        }
        // The input changed kind since the model was saved: it reads as missing.
        _ => 0.0,
    }
}

/// The raw values of one input for the rows of a frame.
enum RawValues {
    Numbers(Vec<Option<f64>>),
    Texts(Vec<Option<String>>),
}

fn raw_values(input: &ScoreInput, frame: &DataFrame) -> Result<RawValues, EvalError> {
    let column = frame.column(&input.name)?;
    Ok(if input.is_categorical() {
        let text = column.cast(&DataType::String)?;
        RawValues::Texts(text.str()?.iter().map(|v| v.map(str::to_string)).collect())
    } else {
        let number = column.cast(&DataType::Float64)?;
        RawValues::Numbers(number.f64()?.iter().map(|v| v.map(significant)).collect())
    })
}

/// `value` rounded to [`SIGNIFICANT_DIGITS`].
fn significant(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let scale = 10f64.powi(SIGNIFICANT_DIGITS - 1 - value.abs().log10().floor() as i32);
    let rounded = (value * scale).round() / scale;
    if rounded.is_finite() {
        rounded
    } else {
        value
    }
}

/// The encoding of `inputs` learnt from the rows `rows` of `frame`.
pub fn fit_encoding(inputs: &[ScoreInput], frame: &DataFrame, rows: &[usize]) -> Result<Vec<EncodedColumn>, EvalError> {
    let mut columns = Vec::new();
    for input in inputs {
        match raw_values(input, frame)? {
            RawValues::Numbers(values) => {
                let known: Vec<f64> = rows
                    .iter()
                    .filter_map(|r| values[*r])
                    .filter(|v| v.is_finite())
                    .collect();
                let mean = if known.is_empty() {
                    0.0
                } else {
                    known.iter().sum::<f64>() / known.len() as f64
                };
                let variance = if known.is_empty() {
                    0.0
                } else {
                    known.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / known.len() as f64
                };
                let scale = if variance > 0.0 { variance.sqrt() } else { 1.0 };
                columns.push(EncodedColumn::Standardised {
                    input: input.name.clone(),
                    mean,
                    scale,
                });
            }
            RawValues::Texts(values) => {
                let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
                for value in rows.iter().filter_map(|r| values[*r].as_deref()) {
                    *counts.entry(value).or_default() += 1;
                }
                let mut categories: Vec<(&str, usize)> = counts.into_iter().collect();
                categories.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                categories.truncate(MAX_CATEGORIES);
                categories.sort();
                columns.extend(categories.into_iter().map(|(category, count)| EncodedColumn::OneHot {
                    input: input.name.clone(),
                    category: category.to_string(),
                    share: count as f64 / rows.len().max(1) as f64,
                }));
            }
        }
    }
    Ok(columns)
}

/// The design matrix: one row per entry of `rows`, one value per column of `encoding`.
pub fn encode(
    inputs: &[ScoreInput],
    encoding: &[EncodedColumn],
    frame: &DataFrame,
    rows: &[usize],
) -> Result<Vec<Vec<f64>>, EvalError> {
    let mut raw = std::collections::BTreeMap::new();
    for input in inputs {
        raw.insert(input.name.as_str(), raw_values(input, frame)?);
    }
    let mut matrix = vec![Vec::with_capacity(encoding.len()); rows.len()];
    for column in encoding {
        let input = column.input();
        let values = raw.get(input).ok_or_else(|| {
            EvalError::Training(format!(
                "the saved model reads `{input}`, which is no longer one of the model's inputs: train it again"
            ))
        })?;
        for (out, row) in matrix.iter_mut().zip(rows) {
            out.push(encoded_value(column, values, *row));
        }
    }
    Ok(matrix)
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn numbers_keep_nine_significant_digits_and_lose_last_bit_noise() {
        assert_eq!(significant(198.059_424_019_607_66), 198.059_424);
        assert_eq!(significant(198.059_424_019_607_66), significant(198.059_424_019_607_63));
        assert_eq!(significant(0.000_123_456_789_123), 0.000_123_456_789);
        assert_eq!(significant(-3.0), -3.0);
        assert_eq!(significant(0.0), 0.0);
    }
}
