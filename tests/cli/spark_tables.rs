//! A generated shop loaded into a real Spark Connect server (PyPI `pyspark`, local mode; `.ci/run`
//! starts one and sets `TAILOR_TEST_SPARK_CONNECT=sc://localhost:15002`): each test's tables in a
//! database of its own, created from the shop's Parquet files by Spark itself and dropped after.

use std::path::Path;

use spark_connect::SparkSession;

/// The test server's Spark Connect URL, when the Spark tests run; says why not when they do not.
pub fn spark_url() -> Option<String> {
    let url = std::env::var("TAILOR_TEST_SPARK_CONNECT").ok();
    if url.is_none() {
        eprintln!(
            "skipped: set TAILOR_TEST_SPARK_CONNECT=sc://localhost:15002 with a Spark Connect server running (.ci/run starts one)"
        );
    }
    url
}

/// A database of the test server holding a shop's `profiles` and `events`, dropped with it.
pub struct SparkDatabase {
    url: String,
    /// Its name.
    pub name: String,
}

/// A session on the server at `url`.
fn session(url: &str) -> SparkSession {
    SparkSession::builder()
        .remote(url)
        .get_or_create()
        .unwrap_or_else(|e| panic!("no Spark Connect server at {url}: {e}"))
}

/// Runs `statement` on the server at `url`.
fn execute(url: &str, statement: &str) {
    session(url)
        .sql(statement)
        .and_then(|frame| frame.collect())
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

impl SparkDatabase {
    /// The Parquet files `profiles.parquet` and `events.parquet` in `shop`, copied by Spark into
    /// tables of the database `prefix_<process>` on the server at `url`.
    pub fn load(url: &str, shop: &Path, prefix: &str) -> SparkDatabase {
        let name = format!("{prefix}_{}", std::process::id());
        execute(url, &format!("DROP DATABASE IF EXISTS {name} CASCADE"));
        execute(url, &format!("CREATE DATABASE {name}"));
        for table in ["profiles", "events"] {
            let file = shop.join(format!("{table}.parquet"));
            execute(
                url,
                &format!(
                    "CREATE TABLE {name}.{table} USING parquet AS SELECT * FROM parquet.`{}`",
                    file.display()
                ),
            );
        }
        SparkDatabase {
            url: url.to_string(),
            name,
        }
    }

    /// The source URL of `table` in the database.
    pub fn table_url(&self, table: &str) -> String {
        format!("{}?table={}.{table}", self.url, self.name)
    }
}

impl Drop for SparkDatabase {
    fn drop(&mut self) {
        let _ = session(&self.url)
            .sql(&format!("DROP DATABASE IF EXISTS {} CASCADE", self.name))
            .and_then(|frame| frame.collect());
    }
}
