//! A Spark cluster reached through Spark Connect (`sc://host[:port][/;option=value...]`, the
//! protocol Databricks Connect uses), and how tailor runs a query on it: the answer streams back
//! as Arrow batches, each appended to typed columns and dropped.
//!
//! A token is never written in the workspace: `TAILOR_SPARK_TOKEN` adds it to the URL (Spark
//! Connect then sends it only over TLS, `;use_ssl=true`, or to a server on this host).

// `SparkError` is the client's own (large) error type, passed through as the client returns it.
#![allow(clippy::result_large_err)]

use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use polars::prelude::DataFrame;
use spark_connect::row::{Row, Value};
use spark_connect::types::{DataType as SparkType, StructField};
use spark_connect::{SparkError, SparkSession};

use super::streamed_column::StreamedColumn;
use crate::model::ColumnKind;

/// The environment variable holding the token a Spark Connect server asks for.
const TOKEN_VARIABLE: &str = "TAILOR_SPARK_TOKEN";

/// Spark Connect's port when the URL names none.
const DEFAULT_PORT: u16 = 15002;

/// How long reaching the server may take before it counts as unreachable.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

/// A Spark Connect server to run queries on.
#[derive(Debug, Clone)]
pub struct SparkServer {
    url: String,
}

/// What Spark said, on one line, without the server's stack trace.
pub fn described(error: &SparkError) -> String {
    error.to_string().lines().next().unwrap_or("failed").trim().to_string()
}

impl SparkServer {
    /// The server `url` names (without `?table=`), its token from the environment.
    pub fn new(url: &str) -> SparkServer {
        let mut url = url.to_string();
        if let Ok(token) = std::env::var(TOKEN_VARIABLE) {
            if !url.contains("/;") {
                url.push('/');
            }
            url.push_str(&format!(";token={token}"));
        }
        SparkServer { url }
    }

    /// A new session, or why none could be opened. The server is first reached over TCP:
    /// Spark Connect's client retries an unreachable server with backoff for minutes, where a
    /// server that is down should be said at once.
    pub fn connect(&self) -> Result<SparkSession, String> {
        let cannot = |why: String| format!("cannot connect to Spark Connect: {why}");
        self.reachable().map_err(cannot)?;
        SparkSession::builder()
            .remote(&self.url)
            .get_or_create()
            .map_err(|e| cannot(described(&e)))
    }

    /// Whether the URL's host accepts a TCP connection on its port (15002 by default) within
    /// [`REACH_TIMEOUT`].
    fn reachable(&self) -> Result<(), String> {
        let authority = self.url.trim_start_matches("sc://");
        let authority = authority.split(['/', ';']).next().unwrap_or_default();
        let address = if authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
        {
            authority.to_string()
        } else {
            format!("{authority}:{DEFAULT_PORT}")
        };
        let addresses = address.to_socket_addrs().map_err(|e| format!("`{address}`: {e}"))?;
        let mut last = format!("`{address}` resolves to no address");
        for candidate in addresses {
            match TcpStream::connect_timeout(&candidate, REACH_TIMEOUT) {
                Ok(_) => return Ok(()),
                Err(e) => last = format!("`{address}`: {e}"),
            }
        }
        Err(last)
    }
}

/// The rows of `queries`, one after the other, as one set of typed columns, one per
/// `(name, kind)` in the order selected: each answer's Arrow batches are appended to the
/// columns and dropped before the next query is asked (each query is made when its turn
/// comes, so it may first set up what it reads).
pub fn spark_frame(
    session: &SparkSession,
    queries: impl IntoIterator<Item = Result<String, String>>,
    columns: &[(String, ColumnKind)],
) -> Result<DataFrame, String> {
    let mut values: Vec<StreamedColumn> = columns.iter().map(|(_, kind)| StreamedColumn::new(*kind)).collect();
    for query in queries {
        let batches = session
            .sql(&query?)
            .and_then(|frame| frame.collect_record_batches())
            .map_err(|e| described(&e))?;
        for batch in batches {
            if batch.num_columns() != values.len() {
                return Err(format!(
                    "{} columns came back where {} were asked for",
                    batch.num_columns(),
                    values.len()
                ));
            }
            for ((name, _), (column, array)) in columns.iter().zip(values.iter_mut().zip(batch.columns())) {
                column
                    .extend_arrow(array.as_ref())
                    .map_err(|e| format!("column `{name}`: {e}"))?;
            }
        }
    }
    let finished = columns
        .iter()
        .zip(values)
        .map(|((name, _), column)| column.finish(name))
        .collect::<Result<Vec<_>, _>>()?;
    DataFrame::new_infer_height(finished).map_err(|e| e.to_string())
}

/// Makes `keys` the session's temporary view `view` (one column, `key`): how a query selects the
/// rows of given profiles without writing the keys, which come from data, into its text.
pub fn keys_view(session: &SparkSession, view: &str, keys: &[String]) -> Result<(), String> {
    let column = "key".to_string();
    let schema = SparkType::Struct {
        fields: vec![StructField {
            name: column.clone(),
            data_type: SparkType::String {
                collation: "UTF8_BINARY".into(),
            },
            nullable: false,
            metadata: Default::default(),
        }],
    };
    let rows = keys
        .iter()
        .map(|key| Row::new(vec![column.clone()], vec![Value::String(key.clone())]))
        .collect();
    session
        .create_dataframe(rows, schema)
        .and_then(|frame| frame.create_or_replace_temp_view(view))
        .map_err(|e| described(&e))
}
