//! List filters with Shopify's semantics: a value that is not a list is taken as a list of
//! one (nil as an empty list), nested lists are flattened where Shopify flattens them, and a
//! property read from an item that cannot have properties is an error.

use std::cmp::Ordering;

use super::FilterResult;
use crate::template::budget::check_growth;
use crate::template::value::{LiquidValue, Number};

/// The items of `input` with nested lists flattened (nil input has none; nil items stay).
fn flat_items(input: &LiquidValue) -> Vec<LiquidValue> {
    let mut out = Vec::new();
    match input {
        LiquidValue::Nil => {}
        other => flatten_into(other, &mut out),
    }
    out
}

fn flatten_into(value: &LiquidValue, out: &mut Vec<LiquidValue>) {
    match value {
        LiquidValue::Array(items) => items.iter().for_each(|item| flatten_into(item, out)),
        LiquidValue::Range(..) => out.extend(value.items()),
        other => out.push(other.clone()),
    }
}

/// A property argument: nil (an undefined variable) is no property.
fn given(key: Option<LiquidValue>) -> Option<LiquidValue> {
    key.filter(|k| !k.is_nil())
}

/// The property `key` of `item`: a hash's entry; text "has" the key when it contains it (as in
/// Shopify); nil has none; numbers, lists and bools cannot have properties.
fn property(item: &LiquidValue, key: &LiquidValue) -> Result<LiquidValue, String> {
    match item {
        LiquidValue::Object(_) => Ok(item.index(key)),
        LiquidValue::Nil => Ok(LiquidValue::Nil),
        LiquidValue::Str(text) => Ok(if text.contains(key.to_text().as_ref()) {
            key.clone()
        } else {
            LiquidValue::Nil
        }),
        other => Err(format!("cannot read property `{}` of {}", key.to_text(), other.kind())),
    }
}

/// `default: value, allow_false: bool`: `value` when the input is nil, false or empty.
pub fn default(input: LiquidValue, fallback: LiquidValue, keywords: &[(&str, LiquidValue)]) -> LiquidValue {
    let allow_false = keywords
        .iter()
        .any(|(key, value)| *key == "allow_false" && value.is_truthy());
    let missing = match &input {
        LiquidValue::Nil => true,
        LiquidValue::Bool(false) => !allow_false,
        other => other.is_empty_value(),
    };
    if missing {
        fallback
    } else {
        input
    }
}

/// The first or last item of a list (or range); the first or last character of text.
pub fn first_or_last(input: &LiquidValue, first: bool) -> LiquidValue {
    match input {
        LiquidValue::Str(s) => {
            let ch = if first { s.chars().next() } else { s.chars().next_back() };
            ch.map_or(LiquidValue::Nil, |c| c.to_string().into())
        }
        other => other.get(if first { "first" } else { "last" }),
    }
}

/// `join: separator` (default a space), refused when the result would be too large.
pub fn join(input: &LiquidValue, separator: Option<LiquidValue>) -> FilterResult {
    let separator = separator.map_or_else(|| " ".to_string(), |s| s.to_text().into_owned());
    let items = flat_items(input);
    let size: usize = items.iter().map(|i| i.to_text().len() + separator.len()).sum();
    check_growth(size)?;
    let mut out = String::with_capacity(size);
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(&separator);
        }
        item.write_to(&mut out);
    }
    Ok(out.into())
}

/// The items in reverse order.
pub fn reverse(input: &LiquidValue) -> LiquidValue {
    let mut items = flat_items(input);
    items.reverse();
    items.into()
}

/// The input's items followed by the argument's (which must be a list).
pub fn concat(input: &LiquidValue, other: &LiquidValue) -> FilterResult {
    let LiquidValue::Array(more) = other else {
        return Err(format!("expects a list to add, not {}", other.kind()));
    };
    let mut items = flat_items(input);
    check_growth((items.len() + more.len()) * 8)?;
    items.extend(more.iter().cloned());
    Ok(items.into())
}

/// The items that are not nil (or whose `property` is not nil).
pub fn compact(input: &LiquidValue, key: Option<LiquidValue>) -> FilterResult {
    let key = given(key);
    let mut kept = Vec::new();
    for item in flat_items(input) {
        let value = match &key {
            Some(key) => property(&item, key)?,
            None => item.clone(),
        };
        if !value.is_nil() {
            kept.push(item);
        }
    }
    Ok(kept.into())
}

/// Each item's `property`.
pub fn map(input: &LiquidValue, key: &LiquidValue) -> FilterResult {
    let items = flat_items(input);
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        out.push(match item {
            LiquidValue::Object(_) | LiquidValue::Nil => item.index(key),
            other => return Err(format!("cannot read property `{}` of {}", key.to_text(), other.kind())),
        });
    }
    Ok(out.into())
}

/// Orders two values for `sort`: nil last; numbers with numbers, text with text; anything else
/// cannot be sorted together.
fn order(a: &LiquidValue, b: &LiquidValue, natural: bool) -> Result<Ordering, String> {
    match (a.is_nil(), b.is_nil()) {
        (true, true) => return Ok(Ordering::Equal),
        (true, false) => return Ok(Ordering::Greater),
        (false, true) => return Ok(Ordering::Less),
        _ => {}
    }
    if natural {
        return Ok(a.to_text().to_lowercase().cmp(&b.to_text().to_lowercase()));
    }
    match a.liquid_cmp(b) {
        Ok(Some(ordering)) => Ok(ordering),
        _ => Err(format!("cannot sort {} and {} together", a.kind(), b.kind())),
    }
}

/// `sort` and `sort_natural` (case-insensitive), by the items or by their `property`; a
/// stable sort, nils last.
pub fn sort(input: &LiquidValue, key: Option<LiquidValue>, natural: bool) -> FilterResult {
    let key = given(key);
    let items = flat_items(input);
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        let by = match &key {
            Some(key) => property(&item, key)?,
            None => item.clone(),
        };
        keyed.push((by, item));
    }
    let mut problem = None;
    keyed.sort_by(|(a, _), (b, _)| {
        order(a, b, natural).unwrap_or_else(|why| {
            problem.get_or_insert(why);
            Ordering::Equal
        })
    });
    match problem {
        Some(why) => Err(why),
        None => Ok(keyed.into_iter().map(|(_, item)| item).collect::<Vec<_>>().into()),
    }
}

/// The items without repeats (by the items or by their `property`), first ones kept.
pub fn uniq(input: &LiquidValue, key: Option<LiquidValue>) -> FilterResult {
    let key = given(key);
    let mut seen: Vec<LiquidValue> = Vec::new();
    let mut kept = Vec::new();
    for item in flat_items(input) {
        let by = match &key {
            Some(key) => property(&item, key)?,
            None => item.clone(),
        };
        if !seen.iter().any(|s| same(s, &by)) {
            seen.push(by);
            kept.push(item);
        }
    }
    Ok(kept.into())
}

/// Equal and of the same kind (`1` and `1.0` are different items for `uniq`).
fn same(a: &LiquidValue, b: &LiquidValue) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && a.liquid_eq(b)
}

/// The sum of the items (or of their `property`), each read as a number.
pub fn sum(input: &LiquidValue, key: Option<LiquidValue>) -> FilterResult {
    let key = given(key);
    let (mut int, mut float, mut is_float) = (0i64, 0f64, false);
    for item in flat_items(input) {
        let value = match &key {
            Some(key) => property(&item, key)?,
            None => item,
        };
        let number = match value {
            LiquidValue::Int(_) | LiquidValue::Float(_) | LiquidValue::Str(_) => value.to_number(),
            _ => Number::Int(0),
        };
        match number {
            Number::Int(i) => match int.checked_add(i) {
                Some(total) => int = total,
                None => {
                    is_float = true;
                    float += i as f64;
                }
            },
            Number::Float(f) => {
                is_float = true;
                float += f;
            }
        }
    }
    Ok(if is_float {
        LiquidValue::Float(float + int as f64)
    } else {
        LiquidValue::Int(int)
    })
}

/// `where`, `reject`, `has`, `find` and `find_index`: the items whose `property` equals
/// `target` (or, without a target or with nil, is truthy). As in Shopify, an item that cannot
/// have properties (nil, a bool) ends the search with no result, and an undefined property
/// finds nothing.
pub fn select(name: &str, input: &LiquidValue, key: &LiquidValue, target: Option<LiquidValue>) -> FilterResult {
    let nothing = || match name {
        "where" | "reject" => LiquidValue::from(Vec::new()),
        _ => LiquidValue::Nil,
    };
    if key.is_nil() {
        return Ok(if name == "has" {
            LiquidValue::Bool(false)
        } else {
            nothing()
        });
    }
    let target = given(target);
    let items = flat_items(input);
    let mut matches = Vec::with_capacity(items.len());
    for item in &items {
        let value = match item {
            LiquidValue::Nil | LiquidValue::Bool(_) => return Ok(nothing()),
            // Shopify reads an integer's bits: `1[2]` is 0, which is truthy.
            LiquidValue::Int(i) => match key {
                LiquidValue::Int(bit) => LiquidValue::Int((i >> bit.clamp(&0, &63)) & 1),
                _ => return Err(format!("cannot read property `{}` of an integer", key.to_text())),
            },
            other => property(other, key)?,
        };
        let matched = match &target {
            Some(target) => value.liquid_eq(target),
            None => value.is_truthy(),
        };
        // `find`, `find_index` and `has` stop at the first match.
        if matched {
            match name {
                "find" => return Ok(item.clone()),
                "find_index" => return Ok(LiquidValue::Int(matches.len() as i64)),
                "has" => return Ok(LiquidValue::Bool(true)),
                _ => {}
            }
        }
        matches.push(matched);
    }
    let picked = |keep: bool| -> LiquidValue {
        items
            .iter()
            .zip(&matches)
            .filter(|(_, m)| **m == keep)
            .map(|(item, _)| item.clone())
            .collect::<Vec<_>>()
            .into()
    };
    Ok(match name {
        "where" => picked(true),
        "reject" => picked(false),
        "has" => LiquidValue::Bool(false),
        _ => LiquidValue::Nil,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::Object;

    fn product(title: &str, price: i64) -> LiquidValue {
        let mut object = Object::new();
        object.insert("title".into(), title.into());
        object.insert("price".into(), LiquidValue::Int(price));
        object.into()
    }

    #[test]
    fn follows_shopify() {
        let list: LiquidValue = vec![product("b", 2), product("a", 1), LiquidValue::Nil].into();
        let titles = |v: FilterResult| join(&map(&v.unwrap(), &"title".into()).unwrap(), Some(",".into()));
        assert_eq!(
            titles(sort(&list, Some("title".into()), false)).unwrap().to_text(),
            "a,b,"
        );
        assert_eq!(sum(&list, Some("price".into())).unwrap().to_text(), "3");
        assert_eq!(
            select("find_index", &list, &"title".into(), Some("a".into()))
                .unwrap()
                .to_text(),
            "1"
        );
        assert!(map(&vec![LiquidValue::Int(5)].into(), &"title".into()).is_err());
        assert!(sort(&vec![LiquidValue::Int(1), "4".into()].into(), None, false).is_err());
        let falsy = default(
            LiquidValue::Bool(false),
            "x".into(),
            &[("allow_false", LiquidValue::Bool(true))],
        );
        assert_eq!(falsy.to_text(), "false");
    }
}
