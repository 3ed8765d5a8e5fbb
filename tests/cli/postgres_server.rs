//! The PostgreSQL server the tests share (the `PG*` environment; `.ci/run` starts one): psql,
//! a schema of a test's own, and whether the server tests run at all.

use std::process::Command;

/// Runs `sql` with psql in the `PG*` environment.
pub fn psql(sql: &str) {
    let output = Command::new("psql")
        .args(["-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(
        output.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What psql prints for `sql` (unaligned, tuples only).
pub fn psql_rows(sql: &str) -> String {
    let output = Command::new("psql")
        .args(["-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A schema of the test's own in the server, dropped when the test ends, however it ends.
pub struct Schema(pub String);

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-qc", &format!("DROP SCHEMA IF EXISTS {} CASCADE", self.0)])
            .output();
    }
}

/// Whether the server tests run; says why not when they do not.
pub fn postgres_available() -> bool {
    let available = std::env::var_os("TAILOR_TEST_POSTGRES").is_some();
    if !available {
        eprintln!("skipped: set TAILOR_TEST_POSTGRES=1 with a server in the PG* environment (.ci/run starts one)");
    }
    available
}

/// Asserts that `text` says each of `expected`.
pub fn says(text: &str, expected: &[&str]) {
    for part in expected {
        assert!(text.contains(part), "no {part:?} in {text}");
    }
}
