//! The SQL dialects tailor writes: where PostgreSQL, Spark SQL and DuckDB spell the same thing
//! differently. Everything else in the lowering is standard SQL that all three read alike.

use crate::model::BaseType;

/// A SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// PostgreSQL 14 or later.
    Postgres,
    /// Spark SQL 3.4 or later (Databricks reads the same).
    Spark,
    /// DuckDB 1.0 or later.
    Duckdb,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Spark, Dialect::Duckdb];

    /// The dialect called `name` (`postgres`, `spark`, `duckdb`).
    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The dialect's name as `--dialect` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Spark => "spark",
            Dialect::Duckdb => "duckdb",
        }
    }

    /// The most bytes of a name the engine keeps, where it cuts longer ones (PostgreSQL's
    /// `NAMEDATALEN - 1`): two long names alike at the start would become one.
    pub fn identifier_limit(self) -> Option<usize> {
        match self {
            Dialect::Postgres => Some(63),
            Dialect::Spark | Dialect::Duckdb => None,
        }
    }

    /// `name` as a quoted identifier (column names such as `segment.loyal` hold dots).
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::Postgres | Dialect::Duckdb => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// `text` as a string literal. Spark reads backslash escapes inside literals; the others
    /// read a backslash as itself.
    pub fn string(self, text: &str) -> String {
        match self {
            Dialect::Spark => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
            Dialect::Postgres | Dialect::Duckdb => format!("'{}'", text.replace('\'', "''")),
        }
    }

    /// The type of 64-bit floats.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::Spark | Dialect::Duckdb => "DOUBLE",
        }
    }

    /// The type of a column of `base` values (lists as arrays).
    pub fn type_of(self, base: &BaseType) -> String {
        match base {
            BaseType::Int => "BIGINT".into(),
            BaseType::Float => self.double().into(),
            BaseType::Bool => "BOOLEAN".into(),
            BaseType::DateTime => match self {
                Dialect::Postgres | Dialect::Duckdb => "TIMESTAMPTZ".into(),
                Dialect::Spark => "TIMESTAMP".into(),
            },
            BaseType::Date => "DATE".into(),
            BaseType::List(item) => match self {
                Dialect::Spark => format!("ARRAY<{}>", self.type_of(item)),
                Dialect::Postgres | Dialect::Duckdb => format!("{}[]", self.type_of(item)),
            },
            _ => match self {
                Dialect::Postgres => "TEXT".into(),
                Dialect::Spark => "STRING".into(),
                Dialect::Duckdb => "VARCHAR".into(),
            },
        }
    }

    /// `n` as a 64-bit integer literal (a bare `5` is a 32-bit integer in all three).
    pub fn int(self, n: i64) -> String {
        match self {
            Dialect::Spark => format!("{n}L"),
            Dialect::Postgres | Dialect::Duckdb => format!("CAST({n} AS BIGINT)"),
        }
    }

    /// `expr` cast to `ty`.
    pub fn cast(self, expr: &str, ty: &str) -> String {
        format!("CAST({expr} AS {ty})")
    }

    /// A timestamp column as integer microseconds since the Unix epoch (exact).
    pub fn timestamp_micros(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("CAST(EXTRACT(EPOCH FROM {expr}) * 1000000 AS BIGINT)"),
            Dialect::Spark => format!("unix_micros({expr})"),
            Dialect::Duckdb => format!("epoch_us({expr})"),
        }
    }

    /// A date column as integer microseconds since the Unix epoch (its midnight, UTC).
    pub fn date_micros(self, expr: &str) -> String {
        let days = match self {
            Dialect::Spark => format!("CAST(unix_date({expr}) AS BIGINT)"),
            Dialect::Postgres | Dialect::Duckdb => format!("CAST({expr} - DATE '1970-01-01' AS BIGINT)"),
        };
        format!("({days} * {})", crate::data::DAY_MICROS)
    }

    /// A column of `base` values as tailor computes with them: dates and times as integer
    /// microseconds, other values as they are.
    pub fn computable(self, column: &str, base: &BaseType) -> String {
        match base {
            BaseType::DateTime => self.timestamp_micros(column),
            BaseType::Date => self.date_micros(column),
            _ => column.to_string(),
        }
    }

    /// The number of characters of a string.
    pub fn char_length(self, expr: &str) -> String {
        let length = match self {
            Dialect::Postgres | Dialect::Spark => format!("char_length({expr})"),
            Dialect::Duckdb => format!("length({expr})"),
        };
        self.cast(&length, "BIGINT")
    }

    /// The number of items of a list (null for a null list).
    pub fn list_length(self, expr: &str) -> String {
        let length = match self {
            Dialect::Postgres => format!("cardinality({expr})"),
            // `size(null)` is -1 unless ANSI mode is on.
            Dialect::Spark => format!("CASE WHEN {expr} IS NULL THEN NULL ELSE size({expr}) END"),
            Dialect::Duckdb => format!("len({expr})"),
        };
        self.cast(&length, "BIGINT")
    }

    /// Whether string `haystack` holds `needle`.
    pub fn text_contains(self, haystack: &str, needle: &str) -> String {
        match self {
            Dialect::Postgres => format!("(strpos({haystack}, {needle}) > 0)"),
            Dialect::Spark => format!("(instr({haystack}, {needle}) > 0)"),
            Dialect::Duckdb => format!("contains({haystack}, {needle})"),
        }
    }

    /// Whether list `list` holds `item`.
    pub fn list_contains(self, list: &str, item: &str) -> String {
        match self {
            Dialect::Postgres => format!("({item} = ANY({list}))"),
            Dialect::Spark => format!("array_contains({list}, {item})"),
            Dialect::Duckdb => format!("list_contains({list}, {item})"),
        }
    }

    /// Whether string `text` starts with `prefix`.
    pub fn starts_with(self, text: &str, prefix: &str) -> String {
        match self {
            Dialect::Spark => format!("startswith({text}, {prefix})"),
            Dialect::Postgres | Dialect::Duckdb => format!("starts_with({text}, {prefix})"),
        }
    }

    /// Whether string `text` ends with `suffix`.
    pub fn ends_with(self, text: &str, suffix: &str) -> String {
        match self {
            Dialect::Postgres => format!("(right({text}, char_length({suffix})) = {suffix})"),
            Dialect::Spark => format!("endswith({text}, {suffix})"),
            Dialect::Duckdb => format!("ends_with({text}, {suffix})"),
        }
    }

    /// `expr` ordered by byte value where it is a string (PostgreSQL otherwise follows the
    /// database's collation, which is not how tailor orders text).
    pub fn bytewise(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("{expr} COLLATE \"C\""),
            Dialect::Spark | Dialect::Duckdb => expr.to_string(),
        }
    }

    /// The value of `value` on the first row in the order of `keys` (compared in turn;
    /// the last row instead when `last`), among the rows `filter` selects (all of them for
    /// none); null values count as values.
    pub fn first_value(self, value: &str, keys: &[String], last: bool, filter: Option<&str>) -> String {
        let filter = filter.map(|f| format!(" FILTER (WHERE {f})")).unwrap_or_default();
        let fields = || keys.iter().enumerate().map(|(i, key)| (format!("k{i}"), key));
        match self {
            Dialect::Postgres => {
                let direction = if last { " DESC" } else { "" };
                let order: Vec<String> = keys.iter().map(|key| format!("{key}{direction}")).collect();
                format!("(array_agg({value} ORDER BY {}){filter})[1]", order.join(", "))
            }
            // The `_null` forms keep a null value of the row with the least or greatest key.
            Dialect::Duckdb => {
                let key: Vec<String> = fields().map(|(name, key)| format!("{name} := {key}")).collect();
                let function = if last { "arg_max_null" } else { "arg_min_null" };
                format!("{function}({value}, struct_pack({})){filter}", key.join(", "))
            }
            // `max_by` keeps the value of the greatest key, null values included.
            Dialect::Spark => {
                let key: Vec<String> = fields().map(|(name, key)| format!("{key} AS {name}")).collect();
                let function = if last { "max_by" } else { "min_by" };
                format!("{function}({value}, struct({})){filter}", key.join(", "))
            }
        }
    }

    /// The values of `value` (never null) in the order of `rank` (an integer), as an array.
    pub fn ordered_array(self, value: &str, rank: &str) -> String {
        match self {
            Dialect::Postgres | Dialect::Duckdb => format!("array_agg({value} ORDER BY {rank})"),
            Dialect::Spark => {
                format!("transform(array_sort(collect_list(struct({rank} AS r, {value} AS v))), x -> x.v)")
            }
        }
    }

    /// The profile's bucket in `0..10000` for a campaign salted `salt` (SPEC §5): the first 8
    /// bytes of SHA-256(`salt:key`), big-endian, mod 10000, computed from its two 32-bit
    /// halves (`2^32 mod 10000 = 7296`) so that no step leaves a signed 64-bit integer.
    pub fn bucket(self, salt: &str, key: &str) -> String {
        let input = format!("concat({}, {key})", self.string(&format!("{salt}:")));
        let digest = match self {
            Dialect::Postgres => format!("encode(sha256(convert_to({input}, 'UTF8')), 'hex')"),
            Dialect::Spark => format!("sha2({input}, 256)"),
            Dialect::Duckdb => format!("sha256({input})"),
        };
        let half = |start: usize| match self {
            Dialect::Postgres => format!("('x' || lpad(substr({digest}, {start}, 8), 16, '0'))::bit(64)::bigint"),
            Dialect::Spark => format!("CAST(conv(substr({digest}, {start}, 8), 16, 10) AS BIGINT)"),
            Dialect::Duckdb => format!("CAST('0x' || substr({digest}, {start}, 8) AS BIGINT)"),
        };
        format!("((({} % 10000) * 7296 + {}) % 10000)", half(1), half(9))
    }

    /// An empty array of `item` values.
    pub fn empty_array(self, item: &BaseType) -> String {
        match self {
            Dialect::Postgres => format!(
                "CAST(ARRAY[] AS {})",
                self.type_of(&BaseType::List(Box::new(item.clone())))
            ),
            Dialect::Spark => format!(
                "CAST(array() AS {})",
                self.type_of(&BaseType::List(Box::new(item.clone())))
            ),
            Dialect::Duckdb => format!("CAST([] AS {})", self.type_of(&BaseType::List(Box::new(item.clone())))),
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
