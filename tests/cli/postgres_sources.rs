//! Datasets kept in PostgreSQL (`source: postgres://…?table=…`): the demo workspace over a shop
//! loaded into a real server plans byte for byte as over the same shop's Parquet files; a bad
//! row is reported with its table, row and column; an unreachable server and a missing table
//! are clear errors, and a URL without a table is a check error at its span. `check --online`
//! reports a missing or retyped column at the line declaring it. Over TLS, a table is read only
//! from a server whose certificate checks. The server tests
//! run when `TAILOR_TEST_POSTGRES` is set (a server in the `PG*` environment; `.ci/run` starts
//! one), and otherwise say they were skipped.

use std::process::Command;

use crate::postgres_server::{postgres_available, psql, psql_rows, says, Schema};
use crate::support::{generated_shop, replace_in, repo, small_demo, tailor, tailor_with_env};

const NOW: &str = "2026-12-01T15:00:00Z";

/// The demo over a shop `shopgen` makes with `args` (Parquet), the same shop loaded into the
/// server as the tables `<schema>.profiles` and `<schema>.events`, and the demo's plan from the
/// files (`plan --format json`).
pub fn shop_in_postgres(args: &[&str], prefix: &str) -> (tempfile::TempDir, Schema, String) {
    let dir = generated_shop("parquet", args);
    let schema = load_into_postgres(&dir.path().join("datasets/shop"), prefix);
    let from_files = tailor(dir.path(), &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(from_files.code, 0, "{}", from_files.stderr);
    (dir, schema, from_files.stdout)
}

/// The Parquet files `profiles.parquet` and `events.parquet` in `shop`, loaded into the server
/// as tables of the schema `prefix_<process>`.
pub fn load_into_postgres(shop: &std::path::Path, prefix: &str) -> Schema {
    let schema = Schema(format!("{prefix}_{}", std::process::id()));
    let loaded = Command::new("python3")
        .arg(repo().join("tests/cli/sql_engines.py"))
        .arg("load-postgres")
        .arg(shop)
        .arg(&schema.0)
        .output()
        .expect("python3 runs");
    assert!(loaded.status.success(), "{}", String::from_utf8_lossy(&loaded.stderr));
    schema
}

/// The URL of `table` in `schema` of the test server's database.
pub fn table_url(schema: &Schema, table: &str) -> String {
    let database = std::env::var("PGDATABASE").unwrap_or_default();
    format!("postgres:///{database}?table={}.{table}", schema.0)
}

/// Points the workspace in `dir` at the shop's tables in `schema` instead of its Parquet files.
pub fn read_from_tables(dir: &std::path::Path, schema: &Schema) {
    let data_yaml = dir.join("campaigns/data.yaml");
    replace_in(
        &data_yaml,
        "../datasets/shop/profiles.parquet",
        &table_url(schema, "profiles"),
    );
    replace_in(
        &data_yaml,
        "../datasets/shop/events.parquet",
        &table_url(schema, "events"),
    );
}

#[test]
fn a_shop_in_postgres_plans_exactly_as_the_same_shop_in_parquet_files() {
    if !postgres_available() {
        return;
    }
    let (dir, schema, from_files) = shop_in_postgres(
        &["--profiles", "300", "--events-per-profile", "12", "--seed", "5"],
        "tailor_sources",
    );
    let plan = |dir: &std::path::Path| tailor(dir, &["plan", "campaigns", "--now", NOW, "--format", "json"]);

    // The same shop as two tables (the catalog stays a CSV file beside them).
    let data_yaml = dir.path().join("campaigns/data.yaml");
    let url = |table: &str| table_url(&schema, table);
    read_from_tables(dir.path(), &schema);
    let checked = tailor(dir.path(), &["check", "campaigns", "--deny-warnings"]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    let from_postgres = plan(dir.path());
    assert_eq!(from_postgres.code, 0, "{}", from_postgres.stderr);
    says(&from_postgres.stdout, &["\"name\": \"nyc_offer\""]);
    assert_eq!(from_postgres.stdout, from_files, "the same plan from the same rows");

    // `plan --emit-sql` reads the workspace's own tables by default; run in the same server, it
    // finds every segment as large as the plan does.
    let emitted = tailor(dir.path(), &["plan", "campaigns", "--now", NOW, "--emit-sql"]);
    assert_eq!(emitted.code, 0, "{}", emitted.stderr);
    says(&emitted.stdout, &[format!("FROM {}.events e", schema.0).as_str()]);
    let plan: serde_json::Value = serde_json::from_str(&from_postgres.stdout).unwrap();
    let segments = plan["segments"].as_array().unwrap();
    let counts: Vec<String> = segments
        .iter()
        .map(|s| format!("count(*) FILTER (WHERE \"segment.{}\")", s["name"].as_str().unwrap()))
        .collect();
    let sizes = psql_rows(&format!(
        "SELECT {} FROM ({}) q",
        counts.join(" || ',' || "),
        emitted.stdout
    ));
    let expected: Vec<String> = segments.iter().map(|s| s["size"].to_string()).collect();
    assert_eq!(
        sizes.trim(),
        expected.join(","),
        "segment sizes in PostgreSQL and in the plan"
    );

    // `check --online` holds the schema to the tables: they fit (the generated events have no
    // `message_id` column, an optional property: a warning at each declaration).
    let online = tailor(dir.path(), &["check", "campaigns", "--online"]);
    assert_eq!(online.code, 0, "{}", online.stderr);
    says(&online.stderr, &[": 0 errors, 2 warnings", "schema::absent-column"]);
    // A renamed column and a retyped one are errors at the lines declaring them.
    psql(&format!(
        "ALTER TABLE {0}.profiles RENAME COLUMN email TO mail; ALTER TABLE {0}.events ALTER COLUMN price TYPE text",
        schema.0
    ));
    let drifted = tailor(dir.path(), &["check", "campaigns", "--online", "--format", "json"]);
    assert_eq!(drifted.code, 1, "{}", drifted.stderr);
    let found: serde_json::Value = serde_json::from_str(&drifted.stdout).expect("JSON diagnostics");
    let at = |code: &str| -> (String, u64, u64, String) {
        let d = found
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("no {code} in {found}"));
        let hints = d["hints"].as_array().map(|h| h[0].as_str().unwrap_or("").to_string());
        let (line, column) = (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap());
        (
            d["message"].as_str().unwrap().to_string(),
            line,
            column,
            hints.unwrap_or_default(),
        )
    };
    let (message, line, column, hint) = at("schema::missing-column");
    assert!(
        message.ends_with("has no column `email`, which the schema requires"),
        "{message}"
    );
    assert_eq!((line, column, hint.as_str()), (10, 5, "did you mean `mail`?"));
    let (message, line, column, _) = at("schema::column-type");
    assert!(message.starts_with("column `price` of `postgres:///"), "{message}");
    assert!(message.ends_with("is `text`, which does not hold float"), "{message}");
    assert_eq!((line, column), (33, 14));
    psql(&format!(
        "ALTER TABLE {0}.profiles RENAME COLUMN mail TO email; ALTER TABLE {0}.events ALTER COLUMN price TYPE float8 USING price::float8",
        schema.0
    ));

    // A bad row is reported like a bad row of a file, and nothing is planned.
    psql(&format!(
        "INSERT INTO {}.profiles (id, email, tier, interests, signup_at, email_opt_in) \
         VALUES ('zz-bad', NULL, 'platinum', '{{}}', '2026-01-01T00:00:00Z', true)",
        schema.0
    ));
    let bad = tailor(dir.path(), &["plan", "campaigns", "--now", NOW]);
    assert_eq!(bad.code, 1, "{}", bad.stderr);
    assert!(bad.stdout.is_empty(), "{}", bad.stdout);
    says(
        &bad.stderr,
        &[
            &format!("error[data::bad-value]: {}", url("profiles")),
            &format!("table={}.profiles: row 300:", schema.0),
            "column `email` is empty; expected a value (string is not nullable)",
            "column `tier`: `platinum` is not one of: bronze, silver, gold",
        ],
    );
    // `--skip-bad-rows` leaves it out and plans the rest, as for a file.
    let skipped = tailor(
        dir.path(),
        &["plan", "campaigns", "--now", NOW, "--format", "json", "--skip-bad-rows"],
    );
    assert_eq!(skipped.code, 0, "{}", skipped.stderr);

    // A table that is not there, and a server that is not there.
    replace_in(&data_yaml, &url("events"), &url("no_such_events"));
    let missing = tailor(dir.path(), &["plan", "campaigns", "--now", NOW]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    says(
        &missing.stderr,
        &[&format!("relation \"{}.no_such_events\" does not exist", schema.0)],
    );
    let unreachable = tailor_with_env(dir.path(), &["plan", "campaigns", "--now", NOW], &[("PGPORT", "1")]);
    assert_eq!(unreachable.code, 2, "{}", unreachable.stderr);
    says(
        &unreachable.stderr,
        &["cannot connect to PostgreSQL", "TAILOR_PG_PASSWORD"],
    );
}

#[test]
fn a_postgres_source_without_a_table_or_with_a_password_is_a_check_error_at_its_span() {
    let demo = small_demo();
    let data_yaml = demo.path().join("campaigns/data.yaml");
    replace_in(
        &data_yaml,
        "../datasets/shop/profiles.csv",
        "postgres://db.internal/crm",
    );
    let checked = tailor(demo.path(), &["check", "campaigns"]);
    assert_eq!(checked.code, 1, "{}", checked.stderr);
    says(
        &checked.stderr,
        &[
            "schema::bad-source",
            "the URL names no table: add `?table=NAME`",
            "campaigns/data.yaml:4:11",
        ],
    );
    replace_in(
        &data_yaml,
        "postgres://db.internal/crm",
        "postgres://me:hunter2@db.internal/crm?table=profiles",
    );
    let checked = tailor(demo.path(), &["check", "campaigns"]);
    assert_eq!(checked.code, 1, "{}", checked.stderr);
    says(
        &checked.stderr,
        &["the URL holds a password", "campaigns/data.yaml:4:11"],
    );
    // The password is not repeated, nor the line holding it.
    assert!(!checked.stderr.contains("hunter2"), "{}", checked.stderr);
}

/// The host name the PostgreSQL server's certificate names, and the certificate, when the
/// server is Debian's (its "snakeoil" certificate, made when the package was installed).
fn server_certificate() -> Option<(String, std::path::PathBuf)> {
    let certificate = std::path::PathBuf::from("/etc/ssl/certs/ssl-cert-snakeoil.pem");
    let output = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
        .arg(&certificate)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let host = text.split("DNS:").nth(1)?.split([',', '\n']).next()?.trim().to_string();
    Some((host, certificate))
}

#[test]
fn a_table_over_tls_is_read_only_from_a_server_whose_certificate_checks() {
    if !postgres_available() {
        return;
    }
    let Some((host, certificate)) = server_certificate() else {
        eprintln!("skipped: the server's certificate (Debian's /etc/ssl/certs/ssl-cert-snakeoil.pem) is not there");
        return;
    };
    let (dir, schema, from_files) = shop_in_postgres(
        &["--profiles", "200", "--events-per-profile", "10", "--seed", "3"],
        "tailor_tls",
    );

    // Over TCP the server asks for a password: the test's own, for its own role.
    psql("ALTER ROLE CURRENT_USER PASSWORD 'tailor-test'");
    let database = std::env::var("PGDATABASE").unwrap_or_default();
    let url = |table: &str, root: &str| {
        format!(
            "postgres://{host}/{database}?table={}.{table}&sslmode=verify-full{root}",
            schema.0
        )
    };
    let root = format!("&sslrootcert={}", certificate.display());
    let data_yaml = dir.path().join("campaigns/data.yaml");
    replace_in(&data_yaml, "../datasets/shop/profiles.parquet", &url("profiles", &root));
    replace_in(&data_yaml, "../datasets/shop/events.parquet", &url("events", &root));
    let password = [("TAILOR_PG_PASSWORD", "tailor-test")];
    let plan = |dir: &std::path::Path| {
        tailor_with_env(dir, &["plan", "campaigns", "--now", NOW, "--format", "json"], &password)
    };
    let encrypted = plan(dir.path());
    assert_eq!(encrypted.code, 0, "{}", encrypted.stderr);
    assert_eq!(encrypted.stdout, from_files, "the same plan over TLS");

    // Without the server's CA, the certificate does not check and nothing is read.
    replace_in(&data_yaml, &root, "");
    let refused = plan(dir.path());
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    says(&refused.stderr, &["cannot connect to PostgreSQL", "UnknownIssuer"]);
}
