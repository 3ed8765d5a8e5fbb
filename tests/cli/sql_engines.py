"""Runs a query `tailor plan --emit-sql` wrote on a real SQL engine, over a generated shop's
Parquet files loaded as the tables `profiles` and `events`.

usage:
  sql_engines.py run ENGINE DATA SQL_FILE
      prints each result row as a JSON object, one per line
  sql_engines.py time ENGINE DATA SQL_FILE RUNS
      prints three numbers: seconds to load the tables, the median seconds of RUNS runs of the
      query with its result stored in the engine (a table; nothing fetched), and its rows
  sql_engines.py load-postgres DATA SCHEMA
      loads the shop into SCHEMA.profiles and SCHEMA.events (replacing the schema)

ENGINE: duckdb, postgres (a server reached through the usual PG* environment; psycopg loads
the data) or spark (Spark SQL in local mode, pyspark).
"""
import json
import os
import statistics
import sys
import time

import duckdb

TABLES = ("profiles", "events")

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


def parquet(data, table):
    return f"read_parquet('{data}/{table}.parquet')"


def load_postgres(pg, data, schema):
    """Creates `schema` (replacing it) with the shop's tables, typed as the Parquet files are."""
    source = duckdb.connect()
    source.execute("SET TimeZone = 'UTC'")
    pg.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    pg.execute(f"CREATE SCHEMA {schema}")
    for table in TABLES:
        described = source.execute(f"DESCRIBE SELECT * FROM {parquet(data, table)}").fetchall()
        columns = [(name, POSTGRES_TYPES[kind]) for name, kind, *_ in described]
        declared = ", ".join(f'"{name}" {kind}' for name, kind in columns)
        pg.execute(f"CREATE TABLE {schema}.{table} ({declared})")
        # Times travel as text, which PostgreSQL reads exactly.
        selected = ", ".join(
            f'CAST("{name}" AS VARCHAR)' if kind.startswith(("TIMESTAMP", "DATE")) else f'"{name}"'
            for name, kind in columns
        )
        cursor = source.execute(f"SELECT {selected} FROM {parquet(data, table)}")
        with pg.cursor() as writer:
            with writer.copy(f"COPY {schema}.{table} FROM STDIN") as copy:
                while batch := cursor.fetchmany(50_000):
                    for row in batch:
                        copy.write_row(row)
        pg.execute(f"ANALYZE {schema}.{table}")


class DuckDb:
    def __init__(self, data):
        self.con = duckdb.connect()
        for table in TABLES:
            self.con.execute(f"CREATE TABLE {table} AS SELECT * FROM {parquet(data, table)}")

    def query(self, sql):
        cursor = self.con.execute(sql)
        return [d[0] for d in cursor.description], cursor.fetchall()

    def store(self, sql):
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE result AS {sql}")
        return self.con.execute("SELECT count(*) FROM result").fetchone()[0]

    def close(self):
        self.con.close()


class Postgres:
    def __init__(self, data):
        import psycopg

        self.schema = f"tailor_test_{os.getpid()}"
        self.pg = psycopg.connect(autocommit=True)
        load_postgres(self.pg, data, self.schema)
        self.pg.execute(f"SET search_path TO {self.schema}")

    def query(self, sql):
        cursor = self.pg.execute(sql)
        return [d.name for d in cursor.description], cursor.fetchall()

    def store(self, sql):
        self.pg.execute("DROP TABLE IF EXISTS result")
        self.pg.execute(f"CREATE TEMP TABLE result AS {sql}")
        return self.pg.execute("SELECT count(*) FROM result").fetchone()[0]

    def close(self):
        self.pg.execute(f"DROP SCHEMA {self.schema} CASCADE")
        self.pg.close()


class Spark:
    def __init__(self, data):
        from pyspark.sql import SparkSession

        self.spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")
        for table in TABLES:
            frame = self.spark.read.parquet(f"{data}/{table}.parquet").cache()
            frame.count()
            frame.createOrReplaceTempView(table)

    def query(self, sql):
        frame = self.spark.sql(sql)
        return frame.columns, [tuple(row) for row in frame.collect()]

    def store(self, sql):
        frame = self.spark.sql(sql).cache()
        rows = frame.count()
        frame.unpersist()
        return rows

    def close(self):
        self.spark.stop()


ENGINES = {"duckdb": DuckDb, "postgres": Postgres, "spark": Spark}


def main():
    mode = sys.argv[1]
    if mode == "load-postgres":
        import psycopg

        with psycopg.connect(autocommit=True) as pg:
            load_postgres(pg, sys.argv[2], sys.argv[3])
        return
    engine, data, sql_file = sys.argv[2], sys.argv[3], sys.argv[4]
    with open(sql_file, encoding="utf-8") as file:
        sql = file.read()
    start = time.perf_counter()
    tables = ENGINES[engine](data)
    loaded = time.perf_counter() - start
    try:
        if mode == "run":
            names, rows = tables.query(sql)
            for row in rows:
                print(json.dumps(dict(zip(names, row))))
        else:
            runs, rows = [], 0
            for _ in range(int(sys.argv[5])):
                start = time.perf_counter()
                rows = tables.store(sql)
                runs.append(time.perf_counter() - start)
            print(f"{loaded:.3f} {statistics.median(runs):.3f} {rows}")
    finally:
        tables.close()


main()
