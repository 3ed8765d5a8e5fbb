"""Runs a query `tailor plan --emit-sql` wrote on a real SQL engine, over a generated shop's
Parquet files loaded as the tables `profiles` and `events`, and prints each result row as a
JSON object, one per line.

usage: sql_engines.py ENGINE DATA SQL_FILE
  ENGINE  duckdb, postgres (a server reached through the usual PG* environment) or spark
          (Spark SQL in local mode, pyspark)
   or: sql_engines.py load-postgres DATA SCHEMA
  loads the shop into the tables SCHEMA.profiles and SCHEMA.events (replacing the schema) and
  prints nothing: for the tests of PostgreSQL sources.
"""
import json
import os
import sys

import duckdb

engine, data = sys.argv[1], sys.argv[2]
if engine != "load-postgres":
    with open(sys.argv[3], encoding="utf-8") as file:
        query = file.read()
TABLES = ("profiles", "events")


def parquet(table):
    return f"read_parquet('{data}/{table}.parquet')"


def emit(names, rows):
    for row in rows:
        print(json.dumps(dict(zip(names, row))))


def run_duckdb():
    con = duckdb.connect()
    for table in TABLES:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM {parquet(table)}")
    cursor = con.execute(query)
    emit([d[0] for d in cursor.description], cursor.fetchall())


# DuckDB's types of the Parquet columns, as PostgreSQL declares them.
POSTGRES_TYPES = {
    "VARCHAR": "TEXT",
    "VARCHAR[]": "TEXT[]",
    "BIGINT": "BIGINT",
    "INTEGER": "BIGINT",
    "DOUBLE": "DOUBLE PRECISION",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
    "TIMESTAMP": "TIMESTAMP",
}


def load_postgres(pg, schema):
    """Creates `schema` (replacing it) with the shop's tables, typed as the Parquet files are."""
    source = duckdb.connect()
    source.execute("SET TimeZone = 'UTC'")
    pg.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    pg.execute(f"CREATE SCHEMA {schema}")
    for table in TABLES:
        described = source.execute(f"DESCRIBE SELECT * FROM {parquet(table)}").fetchall()
        columns = [(name, POSTGRES_TYPES[kind]) for name, kind, *_ in described]
        declared = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        pg.execute(f"CREATE TABLE {schema}.{table} ({declared})")
        # Times travel as text, which PostgreSQL reads exactly.
        selected = ", ".join(
            f'CAST("{name}" AS VARCHAR)' if kind.startswith(("TIMESTAMP", "DATE")) else f'"{name}"'
            for name, kind in columns
        )
        rows = source.execute(f"SELECT {selected} FROM {parquet(table)}").fetchall()
        with pg.cursor() as cursor:
            with cursor.copy(f"COPY {schema}.{table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def run_postgres():
    import psycopg

    schema = f"tailor_test_{os.getpid()}"
    with psycopg.connect(autocommit=True) as pg:
        load_postgres(pg, schema)
        try:
            pg.execute(f"SET search_path TO {schema}")
            cursor = pg.execute(query)
            emit([d.name for d in cursor.description], cursor.fetchall())
        finally:
            pg.execute(f"DROP SCHEMA {schema} CASCADE")


def run_spark():
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for table in TABLES:
        spark.read.parquet(f"{data}/{table}.parquet").createOrReplaceTempView(table)
    frame = spark.sql(query)
    emit(frame.columns, [tuple(row) for row in frame.collect()])
    spark.stop()


def load_only():
    import psycopg

    with psycopg.connect(autocommit=True) as pg:
        load_postgres(pg, sys.argv[3])


{"duckdb": run_duckdb, "postgres": run_postgres, "spark": run_spark, "load-postgres": load_only}[engine]()
