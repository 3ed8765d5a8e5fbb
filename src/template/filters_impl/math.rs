//! Arithmetic filters with Shopify's rules: integers stay integers (`divided_by` floors),
//! text reads as the number it holds (anything else as 0), and float results are rounded to
//! 15 significant digits, as Shopify's decimal arithmetic gives (`0.1 | plus: 0.2` is `0.3`).

use super::FilterResult;
use crate::template::value::{LiquidValue, Number};

/// Applies the arithmetic filter `name` to `input` and its argument, if any.
pub fn apply(name: &str, input: &LiquidValue, argument: Option<LiquidValue>) -> FilterResult {
    let a = input.to_number();
    let b = argument.as_ref().map(LiquidValue::to_number).unwrap_or(Number::Int(0));
    Ok(match name {
        "abs" => match a {
            Number::Int(i) => LiquidValue::Int(i.saturating_abs()),
            Number::Float(f) => LiquidValue::Float(f.abs()),
        },
        "ceil" => whole(a.as_f64().ceil()),
        "floor" => whole(a.as_f64().floor()),
        "round" => round(a, argument.as_ref())?,
        "at_least" => larger(a, b, true),
        "at_most" => larger(a, b, false),
        "plus" => operate(a, b, i64::checked_add, |x, y| x + y),
        "minus" => operate(a, b, i64::checked_sub, |x, y| x - y),
        "times" => operate(a, b, i64::checked_mul, |x, y| x * y),
        "divided_by" => {
            if b.as_f64() == 0.0 {
                return Err("cannot divide by zero".into());
            }
            let quotient = operate(a, b, i64::checked_div_euclid_floor, |x, y| x / y);
            // Shopify divides floats in binary (`20 | divided_by: 7.0` is 2.857142857142857).
            match quotient {
                LiquidValue::Float(_) => LiquidValue::Float(a.as_f64() / b.as_f64()),
                int => int,
            }
        }
        "modulo" => {
            if b.as_f64() == 0.0 {
                return Err("cannot take a remainder of a division by zero".into());
            }
            operate(a, b, i64::checked_rem_floor, |x, y| x - y * (x / y).floor())
        }
        other => return Err(format!("`{other}` is not an arithmetic filter")),
    })
}

/// Integer division and remainder that round toward negative infinity, as Ruby's do.
trait FloorDivision: Sized {
    fn checked_div_euclid_floor(self, other: Self) -> Option<Self>;
    fn checked_rem_floor(self, other: Self) -> Option<Self>;
}

impl FloorDivision for i64 {
    fn checked_div_euclid_floor(self, other: i64) -> Option<i64> {
        let quotient = self.checked_div(other)?;
        Some(if (self % other != 0) && ((self < 0) != (other < 0)) {
            quotient - 1
        } else {
            quotient
        })
    }

    fn checked_rem_floor(self, other: i64) -> Option<i64> {
        let rem = self.checked_rem(other)?;
        Some(if rem != 0 && ((rem < 0) != (other < 0)) {
            rem + other
        } else {
            rem
        })
    }
}

/// `a op b`: integer arithmetic for two integers (a float when it overflows), else float.
fn operate(a: Number, b: Number, int: fn(i64, i64) -> Option<i64>, float: fn(f64, f64) -> f64) -> LiquidValue {
    if let (Number::Int(x), Number::Int(y)) = (a, b) {
        if let Some(result) = int(x, y) {
            return LiquidValue::Int(result);
        }
    }
    LiquidValue::Float(decimal(float(a.as_f64(), b.as_f64())))
}

/// A float rounded to 15 significant digits, dropping binary noise (`0.30000000000000004`).
fn decimal(f: f64) -> f64 {
    if !f.is_finite() || f == 0.0 {
        return f;
    }
    format!("{f:.14e}").parse().unwrap_or(f)
}

/// A whole float as an integer (when it fits).
fn whole(f: f64) -> LiquidValue {
    if f.is_finite() && f.abs() < 9.2e18 {
        LiquidValue::Int(f as i64)
    } else {
        LiquidValue::Float(f)
    }
}

/// The larger (`at_least`) or smaller (`at_most`) of two numbers, as it was.
fn larger(a: Number, b: Number, at_least: bool) -> LiquidValue {
    let pick_b = if at_least {
        b.as_f64() > a.as_f64()
    } else {
        b.as_f64() < a.as_f64()
    };
    if pick_b {
        b.value()
    } else {
        a.value()
    }
}

/// `round`, to `digits` decimals (default 0, giving an integer); halves round away from zero.
fn round(a: Number, digits: Option<&LiquidValue>) -> FilterResult {
    let digits = match digits {
        None | Some(LiquidValue::Nil) => 0,
        Some(value) => match value.to_number() {
            Number::Int(i) => i,
            Number::Float(f) => f as i64,
        },
    };
    Ok(match a {
        Number::Int(i) if digits >= 0 => LiquidValue::Int(i),
        _ if digits <= 0 => {
            let scale = 10f64.powi(i32::try_from(-digits).unwrap_or(i32::MAX));
            whole((decimal(a.as_f64() / scale)).round() * scale)
        }
        _ => {
            let scale = 10f64.powi(i32::try_from(digits.min(15)).unwrap_or(15));
            LiquidValue::Float(decimal(decimal(a.as_f64() * scale).round() / scale))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, a: LiquidValue, b: Option<LiquidValue>) -> String {
        apply(name, &a, b).unwrap().to_text().into_owned()
    }

    #[test]
    fn follows_shopify() {
        use LiquidValue::{Float, Int};
        assert_eq!(run("divided_by", Int(10), Some(Int(-3))), "-4");
        assert_eq!(run("modulo", Int(-7), Some(Int(3))), "2");
        assert_eq!(run("plus", Float(0.1), Some(Float(0.2))), "0.3");
        assert_eq!(run("plus", "3".into(), Some(Int(2))), "5");
        assert_eq!(run("round", Float(2.5), None), "3");
        assert_eq!(run("round", Float(4.5612), Some(Int(2))), "4.56");
        assert_eq!(run("ceil", "1.2".into(), None), "2");
        assert_eq!(run("at_least", Int(4), Some(Float(5.5))), "5.5");
        assert!(apply("divided_by", &Int(1), Some(Int(0))).is_err());
    }
}
