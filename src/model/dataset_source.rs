//! Where a dataset lives: a file named relative to its document, a table in PostgreSQL named
//! by a URL, `postgres://[user@]host[:port]/database?table=name`, or a table of a Spark cluster
//! reached through Spark Connect, `sc://host[:port][/;option=value...]?table=name`. The
//! PostgreSQL URL's shape is shared with a ledger kept there ([`super::LedgerLocation`]).

/// The URL schemes of a PostgreSQL source.
const POSTGRES_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

/// The URL scheme of a Spark Connect source.
const SPARK_SCHEME: &str = "sc://";

/// Whether a dataset source names a PostgreSQL table rather than a file.
pub fn is_postgres_source(source: &str) -> bool {
    POSTGRES_SCHEMES.iter().any(|scheme| source.starts_with(scheme))
}

/// Whether a dataset source names a table of a Spark cluster (Spark Connect) rather than a file.
pub fn is_spark_source(source: &str) -> bool {
    source.starts_with(SPARK_SCHEME)
}

/// Whether a dataset source names a table in a database (PostgreSQL or Spark) rather than a
/// file: it is read by a server, never from the workspace's disk.
pub fn is_table_source(source: &str) -> bool {
    is_postgres_source(source) || is_spark_source(source)
}

/// Whether `table` is a table's name of at most `parts` dot-separated parts of letters, digits
/// and `_` (nothing that could end the name inside a query).
fn is_table_name(table: &str, parts: usize) -> bool {
    let is_part = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    table.split('.').all(is_part) && table.split('.').count() <= parts
}

/// A PostgreSQL or Spark source split into its server's URL and the table's name, or why it
/// is not one.
pub fn split_table_source(source: &str) -> Result<(String, String), String> {
    if is_spark_source(source) {
        split_spark_source(source)
    } else {
        split_postgres_source(source)
    }
}

/// Whether the Spark Connect URL `url` holds a token (`;token=`): a diagnostic about it must
/// then neither quote it nor show its line.
pub fn spark_url_holds_token(url: &str) -> bool {
    url.to_ascii_lowercase().contains(";token=")
}

/// A Spark source split into the Spark Connect URL (without `?table=`) and the table's name
/// (`table`, `database.table` or `catalog.database.table`), or why it is not one. A token in
/// the URL is refused, so that none is ever written in the workspace: it comes from
/// `TAILOR_SPARK_TOKEN`.
pub fn split_spark_source(source: &str) -> Result<(String, String), String> {
    let (url, query) = source.split_once('?').unwrap_or((source, ""));
    if spark_url_holds_token(source) {
        return Err("the URL holds a token: set `TAILOR_SPARK_TOKEN` instead".into());
    }
    let table = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("table="))
        .ok_or("the URL names no table: add `?table=NAME`")?;
    if !is_table_name(table, 3) {
        return Err(format!(
            "`{table}` is not a table name (letters, digits and `_`, with an optional `catalog.` and `database.`)"
        ));
    }
    if let Some(other) = query.split('&').find(|p| !p.is_empty() && !p.starts_with("table=")) {
        return Err(format!(
            "`{other}` is not an option of a Spark source: Spark Connect's own options go after `/;` in the URL"
        ));
    }
    Ok((url.to_string(), table.to_string()))
}

/// A PostgreSQL source split into the connection URL (without `table=`) and the table's name
/// (`table` or `schema.table`), or why it is not one.
pub fn split_postgres_source(source: &str) -> Result<(String, String), String> {
    let (url, table) = split_postgres_url(source, "table")?;
    let table = table.ok_or("the URL names no table: add `?table=NAME`")?;
    if !is_table_name(&table, 2) {
        return Err(format!(
            "`{table}` is not a table name (letters, digits and `_`, with an optional `schema.`)"
        ));
    }
    Ok((url, table))
}

/// Whether the PostgreSQL URL `url` holds a password (`user:password@host`): a diagnostic about
/// it must then neither quote it nor show its line.
pub fn postgres_url_holds_password(url: &str) -> bool {
    let base = url.split_once('?').map_or(url, |(base, _)| base);
    let authority = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    authority.rsplit_once('@').is_some_and(|(user, _)| user.contains(':'))
}

/// A PostgreSQL URL split into the connection URL (without `option=`) and that option's value,
/// or why it is not one: a URL holding a password is refused, so that none is ever written in
/// the workspace.
pub fn split_postgres_url(source: &str, option: &str) -> Result<(String, Option<String>), String> {
    let (base, query) = source.split_once('?').unwrap_or((source, ""));
    let mut value = None;
    let mut options = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some((key, given)) if key == option => value = Some(given.to_string()),
            _ => options.push(pair),
        }
    }
    if postgres_url_holds_password(base) {
        return Err("the URL holds a password: set `TAILOR_PG_PASSWORD` (or `PGPASSWORD`) instead".into());
    }
    let url = if options.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", options.join("&"))
    };
    Ok((url, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_source_names_its_table_and_keeps_its_other_options() {
        assert!(is_postgres_source("postgres://db.internal/crm?table=profiles"));
        assert!(!is_postgres_source("../datasets/shop/profiles.csv"));
        assert_eq!(
            split_postgres_source("postgres://db/crm?connect_timeout=5&table=crm.profiles"),
            Ok(("postgres://db/crm?connect_timeout=5".into(), "crm.profiles".into()))
        );
        assert!(split_postgres_source("postgres://db/crm")
            .unwrap_err()
            .contains("no table"));
        assert!(split_postgres_source("postgres://db/crm?table=a;drop")
            .unwrap_err()
            .contains("not a table name"));
        assert!(split_postgres_source("postgres://me:secret@db/crm?table=t")
            .unwrap_err()
            .contains("password"));
        assert!(split_postgres_source("postgres://me@db/crm?table=t").is_ok());
    }

    #[test]
    fn a_spark_source_names_its_table_and_keeps_spark_connects_options() {
        assert!(is_spark_source("sc://spark:15002?table=shop.profiles"));
        assert!(is_table_source("sc://spark:15002?table=shop.profiles"));
        assert!(!is_table_source("profiles.parquet"));
        assert_eq!(
            split_spark_source("sc://spark:15002/;use_ssl=true?table=main.shop.events"),
            Ok(("sc://spark:15002/;use_ssl=true".into(), "main.shop.events".into()))
        );
        assert!(split_spark_source("sc://spark").unwrap_err().contains("no table"));
        assert!(split_spark_source("sc://spark?table=a`b")
            .unwrap_err()
            .contains("not a table name"));
        assert!(split_spark_source("sc://spark?table=a.b.c.d")
            .unwrap_err()
            .contains("not a table name"));
        assert!(split_spark_source("sc://spark/;token=abc?table=t")
            .unwrap_err()
            .contains("token"));
        assert!(split_spark_source("sc://spark?table=t&x=1")
            .unwrap_err()
            .contains("`x=1`"));
    }
}
