//! Where a dataset lives: a file named relative to its document, or a table in PostgreSQL
//! named by a URL, `postgres://[user@]host[:port]/database?table=name`. The URL's shape is
//! shared with a ledger kept in PostgreSQL ([`super::LedgerLocation`]).

/// The URL schemes of a PostgreSQL source.
const POSTGRES_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

/// Whether a dataset source names a PostgreSQL table rather than a file.
pub fn is_postgres_source(source: &str) -> bool {
    POSTGRES_SCHEMES.iter().any(|scheme| source.starts_with(scheme))
}

/// A PostgreSQL source split into the connection URL (without `table=`) and the table's name
/// (`table` or `schema.table`), or why it is not one.
pub fn split_postgres_source(source: &str) -> Result<(String, String), String> {
    let (url, table) = split_postgres_url(source, "table")?;
    let table = table.ok_or("the URL names no table: add `?table=NAME`")?;
    let is_name = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !table.split('.').all(is_name) || table.split('.').count() > 2 {
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
}
