//! Loading datasets: every format, every kind of bad value, with file, line, column, value and
//! expected type; skipping bad rows; stable event ids.

use std::fs;
use std::path::Path;

use polars::prelude::*;
use tailor::check::{check_workspace, CheckedWorkspace};
use tailor::data::{
    load_dataset, LoadError, LoadOptions, RowError, RowPosition, EVENT_ID, EVENT_TS, EVENT_TYPE, EVENT_USER,
};
use tailor::load::load_workspace;

use crate::support::{small_demo, tailor, StarterWorkspace};

pub fn checked(root: &Path) -> CheckedWorkspace {
    let loaded = load_workspace(root).expect("load");
    let outcome = check_workspace(&loaded);
    outcome
        .workspace
        .unwrap_or_else(|| panic!("workspace does not check: {:?}", outcome.diagnostics.iter().next()))
}

fn bad_rows(root: &Path) -> Vec<RowError> {
    match load_dataset(&checked(root), LoadOptions::default()) {
        Err(LoadError::BadRows(errors)) => errors,
        Err(error @ (LoadError::Io { .. } | LoadError::MissingColumns { .. })) => panic!("not bad rows: {error}"),
        Ok(_) => panic!("expected bad rows"),
    }
}

fn describe(errors: &[RowError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            e.to_string()
                .replace(&e.file, Path::new(&e.file).file_name().unwrap().to_str().unwrap())
        })
        .collect()
}

#[test]
fn the_small_shop_loads_typed() {
    let demo = small_demo();
    let dataset = load_dataset(&checked(&demo.path().join("campaigns")), LoadOptions::default()).expect("load");
    assert_eq!(dataset.profiles.height(), 6);
    assert_eq!(dataset.events.height(), 11);
    assert_eq!(dataset.catalog.as_ref().map(DataFrame::height), Some(6));
    let schema = dataset.profiles.schema();
    assert_eq!(schema.get("email_opt_in"), Some(&DataType::Boolean));
    assert_eq!(
        schema.get("signup_at"),
        Some(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
    );
    assert_eq!(schema.get("birthday"), Some(&DataType::Date));
    assert_eq!(
        schema.get("interests"),
        Some(&DataType::List(Box::new(DataType::String)))
    );
    let interests = dataset
        .profiles
        .column("interests")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(2)
        .unwrap();
    assert_eq!(
        interests.str().unwrap().iter().flatten().collect::<Vec<_>>(),
        ["hiking", "travel"]
    );
    let events = dataset.events.schema();
    assert_eq!(events.get("add_to_cart.quantity"), Some(&DataType::Int64));
    assert_eq!(events.get("purchase.total"), Some(&DataType::Float64));
    for column in [EVENT_USER, EVENT_TYPE, EVENT_TS, EVENT_ID] {
        assert_eq!(dataset.events.column(column).unwrap().null_count(), 0, "{column}");
    }
    assert!(
        dataset.reports.iter().all(|r| r.skipped == 0 && r.warnings.is_empty()),
        "{:?}",
        dataset.reports
    );
}

#[test]
fn bad_csv_values_name_line_column_value_and_type() {
    let ws = StarterWorkspace::new();
    ws.write(
        "datasets/profiles.csv",
        "id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\n\
         u1,ana@example.com,Ana,,true,,2026-01-05T10:00:00Z\n\
         u2,bo@example.com,,,maybe,,2026-02-11T08:30:00Z\n\
         u3,cy@example.com,Cy,,false,yesterday,2026-03-20\n\
         u4,,Di,,true,,2026-03-20T10:00:00+02:00\n\
         u1,dup@example.com,Eve,,true,,2026-03-21T00:00:00Z\n",
    );
    let errors = bad_rows(&ws.path(""));
    assert_eq!(
        describe(&errors),
        [
            "profiles.csv: line 3: column `email_opt_in`: `maybe` is not `true` or `false`",
            "profiles.csv: line 4: column `unsubscribed_at`: `yesterday` is not a datetime (RFC 3339)",
            "profiles.csv: line 5: column `email` is empty; expected a value (string is not nullable)",
            "profiles.csv: line 6: column `id`: `u1` is not a key no earlier row has (keys are unique)",
        ]
    );
    assert_eq!(errors[0].position, RowPosition::Line(3));
    assert_eq!(errors[3].code, "data::duplicate-key");
}

#[test]
fn csv_rows_with_extra_fields_are_reported_at_their_line_and_can_be_skipped() {
    let ws = StarterWorkspace::new();
    ws.write(
        "datasets/profiles.csv",
        "id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\n\
         u1,ana@example.com,\"Ana, \nthe first\",,true,,2026-01-05T10:00:00Z\n\
         u2,bo@example.com,Bo,Smith,,true,,2026-02-11T08:30:00Z\n\
         u3,cy@example.com,Cy,,maybe,,2026-03-20T10:00:00Z\n",
    );
    // A quoted value holds a comma and a line break: row 1 spans lines 2-3, so row 2 (one
    // field too many) is on line 4 and row 3 on line 5.
    let errors = bad_rows(&ws.path(""));
    assert_eq!(
        describe(&errors),
        [
            "profiles.csv: line 4: 7 fields like the header (this row has 8; a comma inside a value needs quotes)",
            "profiles.csv: line 5: column `email_opt_in`: `maybe` is not `true` or `false`",
        ]
    );
    assert_eq!(errors[0].code, "data::bad-row");
    let dataset = load_dataset(&checked(&ws.path("")), LoadOptions { skip_bad_rows: true }).expect("load");
    assert_eq!((dataset.reports[0].rows, dataset.reports[0].skipped), (3, 2));
    let names = dataset
        .profiles
        .column("first_name")
        .expect("column")
        .str()
        .expect("text")
        .get(0)
        .map(str::to_string);
    assert_eq!(names.as_deref(), Some("Ana, \nthe first"));
}

#[test]
fn bad_ndjson_lines_are_reported_by_line() {
    let ws = StarterWorkspace::new();
    ws.write(
        "datasets/events.ndjson",
        "{\"user_id\":\"u1\",\"type\":\"page_view\",\"ts\":\"2026-11-20T14:00:00Z\",\"url\":\"/\"}\n\
         \n\
         {\"user_id\":\"u1\",\"type\":\"purchase\",\"ts\":\"2026-11-21T09:12:00Z\",\"order_id\":\"o1\",\"total\":\"89.5\"}\n\
         not json\n\
         {\"user_id\":\"u2\",\"type\":\"page_veiw\",\"ts\":\"2026-11-25T19:03:00Z\",\"url\":\"/\"}\n\
         {\"user_id\":\"u2\",\"type\":\"page_view\",\"ts\":\"late\",\"url\":\"/\"}\n\
         {\"user_id\":\"u2\",\"type\":\"page_view\",\"ts\":\"2026-11-25T19:03:00Z\"}\n",
    );
    let errors = bad_rows(&ws.path(""));
    let described = describe(&errors);
    assert_eq!(
        described[0],
        "events.ndjson: line 3: column `total`: `89.5` is not float"
    );
    assert!(
        described[1].starts_with("events.ndjson: line 4: valid JSON"),
        "{described:?}"
    );
    assert_eq!(
        described[2],
        "events.ndjson: line 5: column `type`: `page_veiw` is not a declared event type (page_view, purchase)"
    );
    assert_eq!(
        described[3],
        "events.ndjson: line 6: column `ts`: `late` is not a datetime (RFC 3339)"
    );
    assert_eq!(
        described[4],
        "events.ndjson: line 7: column `url` is empty; expected a value (string is not nullable)"
    );
    assert_eq!(described.len(), 5);
}

#[test]
fn a_property_two_event_types_share_is_held_to_each_types_nullability() {
    // `url` is required on page views and optional on purchases; CSV and NDJSON load it into
    // one shared column, which must still hold each type's rows to its own declaration.
    let ws = StarterWorkspace::new();
    ws.replace(
        "data.yaml",
        "      order_id: string\n",
        "      order_id: string\n      url: string?\n",
    );
    let line = |user: &str, kind: &str, ts: &str, extra: &str| {
        format!("{{\"user_id\":\"{user}\",\"type\":\"{kind}\",\"ts\":\"{ts}\"{extra}}}\n")
    };
    let good = [
        line("u1", "page_view", "2026-11-20T14:00:00Z", ",\"url\":\"/a\""),
        line(
            "u1",
            "purchase",
            "2026-11-21T09:12:00Z",
            ",\"order_id\":\"o1\",\"total\":5.0",
        ),
        line(
            "u1",
            "purchase",
            "2026-11-22T09:12:00Z",
            ",\"order_id\":\"o2\",\"total\":6.0,\"url\":\"/b\"",
        ),
    ]
    .concat();
    ws.write("datasets/events.ndjson", &good);
    let dataset = load_dataset(&checked(&ws.path("")), LoadOptions::default()).expect("load");
    let column = |name: &str| -> Vec<Option<String>> {
        let events = &dataset.events;
        let column = events.column(name).unwrap().str().unwrap().clone();
        let kinds = events.column(EVENT_TYPE).unwrap().str().unwrap().clone();
        let of_type = name.split('.').next().unwrap();
        kinds
            .iter()
            .zip(column.iter())
            .filter(|(kind, _)| *kind == Some(of_type))
            .map(|(_, value)| value.map(str::to_string))
            .collect()
    };
    assert_eq!(column("page_view.url"), [Some("/a".to_string())]);
    assert_eq!(column("purchase.url"), [None, Some("/b".to_string())]);

    let missing = line("u1", "page_view", "2026-11-23T09:12:00Z", ",\"category\":\"x\"");
    ws.write("datasets/events.ndjson", &(good + &missing));
    assert_eq!(
        describe(&bad_rows(&ws.path(""))),
        ["events.ndjson: line 4: column `url` is empty; expected a value (string is not nullable)"]
    );
}

#[test]
fn skipping_bad_rows_counts_them_and_keeps_the_rest() {
    let ws = StarterWorkspace::new();
    ws.write("datasets/profiles.csv", "id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\nu1,a@x.test,,,true,,2026-01-05T10:00:00Z\nu2,b@x.test,,,nope,,2026-01-05T10:00:00Z\n");
    let dataset = load_dataset(&checked(&ws.path("")), LoadOptions { skip_bad_rows: true }).expect("load");
    assert_eq!(dataset.profiles.height(), 1);
    let report = &dataset.reports[0];
    assert_eq!((report.rows, report.skipped), (2, 1));
    // Events of the dropped profile are kept out too, and said so.
    let events = &dataset.reports[1];
    assert_eq!(
        events.warnings,
        [(
            "data::unknown-user",
            "1 events belong to users that are not in the profiles and were left out".to_string()
        )]
    );
}

#[test]
fn a_missing_column_is_an_error_of_the_file_even_with_skip_bad_rows() {
    let ws = StarterWorkspace::new();
    ws.write(
        "datasets/profiles.csv",
        "id,email,first_name,tz,email_opt_in,unsubscribed_at,signed_up_at\nu1,a@x.test,,,true,,2026-01-05T10:00:00Z\n",
    );
    for extra in [&[][..], &["--skip-bad-rows"][..]] {
        let args = [&["plan", "ws", "--now", "2026-12-01T15:00:00Z"][..], extra].concat();
        let plan = tailor(ws.dir.path(), &args);
        assert_eq!(plan.code, 1, "{}", plan.stderr);
        assert!(
            plan.stderr.contains("error[data::missing-column]: `ws/datasets/profiles.csv` has no column `signup_at`, which the data schema declares"),
            "{}",
            plan.stderr
        );
        assert!(plan.stderr.contains("did you mean `signed_up_at`?"), "{}", plan.stderr);
        assert!(!plan.stderr.contains("query engine"), "{}", plan.stderr);
    }
}

#[test]
fn a_time_zone_that_is_not_one_is_a_row_error_in_csv_and_parquet() {
    let ws = StarterWorkspace::new();
    ws.write("datasets/profiles.csv", "id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\nu1,a@x.test,,Europe/Berlin,true,,2026-01-05T10:00:00Z\nu2,b@x.test,,CET+1,true,,2026-01-05T10:00:00Z\nu3,c@x.test,,,true,,2026-01-05T10:00:00Z\n");
    let plan = tailor(ws.dir.path(), &["plan", "ws", "--now", "2026-12-01T15:00:00Z"]);
    assert_eq!(plan.code, 1, "{}", plan.stderr);
    assert!(plan.stderr.contains("data::bad-timezone"), "{}", plan.stderr);
    assert!(plan.stderr.contains("CET+1"), "{}", plan.stderr);
    assert!(
        plan.stderr.contains("profiles.csv: line 3: column `tz`"),
        "{}",
        plan.stderr
    );
    // With --skip-bad-rows the row is dropped and counted, never sent at the workspace's time.
    let dataset = load_dataset(&checked(&ws.path("")), LoadOptions { skip_bad_rows: true }).expect("load");
    assert_eq!(dataset.profiles.height(), 2);
    assert_eq!((dataset.reports[0].rows, dataset.reports[0].skipped), (3, 1));
    assert_eq!(dataset.reports[0].dropped["u2"].code, "data::bad-timezone");
    // Previewing the dropped profile says it was dropped, and why.
    let preview = tailor(
        ws.dir.path(),
        &[
            "preview",
            "ws",
            "welcome",
            "--profile",
            "u2",
            "--now",
            "2026-12-01T15:00:00Z",
        ],
    );
    assert_eq!(preview.code, 1, "{}", preview.stderr);
    for expected in ["preview::dropped-profile", "left out", "line 3", "`CET+1`"] {
        assert!(preview.stderr.contains(expected), "{expected}: {}", preview.stderr);
    }

    // The same rule holds for Parquet.
    ws.write("datasets/profiles.csv", "id,email,first_name,tz,email_opt_in,unsubscribed_at,signup_at\nu1,a@x.test,,Europe/Berlin,true,,2026-01-05T10:00:00Z\nu2,b@x.test,,Europe/Paris,true,,2026-01-05T10:00:00Z\n");
    let mut profiles = load_dataset(&checked(&ws.path("")), LoadOptions::default())
        .expect("csv")
        .profiles;
    profiles
        .with_column(Series::new("tz".into(), ["Europe/Berlin", "CET+1"]).into())
        .unwrap();
    let file = fs::File::create(ws.path("datasets/profiles.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut profiles).unwrap();
    ws.replace("data.yaml", "profiles.csv", "profiles.parquet");
    let parquet = load_dataset(&checked(&ws.path("")), LoadOptions { skip_bad_rows: true }).expect("parquet");
    assert_eq!(parquet.profiles.height(), 1);
    assert_eq!(parquet.reports[0].skipped, 1);
    assert_eq!(parquet.reports[0].dropped["u2"].code, "data::bad-timezone");
}

#[test]
fn parquet_and_csv_give_the_same_table_and_event_ids_do_not_depend_on_the_format() {
    let ws = StarterWorkspace::new();
    let csv = load_dataset(&checked(&ws.path("")), LoadOptions::default()).expect("csv");
    // Write both files as Parquet with polars, point the schema at them, load again.
    let mut profiles = csv.profiles.clone();
    let file = fs::File::create(ws.path("datasets/profiles.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut profiles).unwrap();
    let mut events = df!(
        "user_id" => ["u1", "u1", "u2"],
        "type" => ["page_view", "purchase", "page_view"],
        "ts" => ["2026-11-20T14:00:00Z", "2026-11-21T09:12:00Z", "2026-11-25T19:03:00Z"],
        "url" => [Some("/p/boots"), None, Some("/")],
        "category" => [Some("boots"), None, None],
        "order_id" => [None, Some("o1"), None],
        "total" => [None, Some(89.5), None],
    )
    .unwrap();
    let micros: Vec<i64> = ["2026-11-20T14:00:00Z", "2026-11-21T09:12:00Z", "2026-11-25T19:03:00Z"]
        .iter()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp_micros())
        .collect();
    let ts = Series::new("ts".into(), micros)
        .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)))
        .unwrap();
    events.with_column(ts.into_column()).unwrap();
    let file = fs::File::create(ws.path("datasets/events.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut events).unwrap();
    ws.replace("data.yaml", "datasets/profiles.csv", "datasets/profiles.parquet");
    ws.replace("data.yaml", "datasets/events.ndjson", "datasets/events.parquet");
    let parquet = load_dataset(&checked(&ws.path("")), LoadOptions::default()).expect("parquet");
    assert!(parquet.profiles.equals_missing(&csv.profiles));
    let ids = |frame: &DataFrame| {
        frame
            .column(EVENT_ID)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&parquet.events), ids(&csv.events));
    assert!(parquet.events.equals_missing(&csv.events));
}

#[test]
fn bad_parquet_values_are_reported_by_row() {
    let ws = StarterWorkspace::new();
    let mut profiles = df!(
        "id" => ["u1", "u2", "u1"],
        "email" => [Some("a@x.test"), None, Some("c@x.test")],
        "first_name" => [None::<&str>, None, None],
        "tz" => [None::<&str>, None, None],
        "email_opt_in" => ["true", "false", "true"],
        "unsubscribed_at" => [None::<&str>, None, None],
        "signup_at" => [1i64, 2, 3],
    )
    .unwrap();
    let file = fs::File::create(ws.path("datasets/profiles.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut profiles).unwrap();
    ws.replace("data.yaml", "datasets/profiles.csv", "datasets/profiles.parquet");
    let errors = bad_rows(&ws.path(""));
    assert_eq!(
        describe(&errors),
        [
            "profiles.parquet: row 0: column `email_opt_in`: expected a column of bool (the file has str)",
            "profiles.parquet: row 0: column `signup_at`: expected a column of datetime (the file has i64)",
            "profiles.parquet: row 0: column `unsubscribed_at`: expected a column of datetime (the file has str)",
            "profiles.parquet: row 1: column `email` is empty; expected a value (string is not nullable)",
        ]
    );
}

/// A demo workspace with a shop of 8,000 profiles and about 20 events each generated by
/// `shopgen` with `extra` arguments, profiles and events in `format`.
fn generated_shop(format: &str, extra: &[&str]) -> tempfile::TempDir {
    let args = [
        &["--profiles", "8000", "--events-per-profile", "20", "--seed", "11"],
        extra,
    ]
    .concat();
    crate::support::generated_shop(format, &args)
}

#[test]
fn large_files_load_in_parallel_parts_exactly_as_in_one_pass() {
    // 160,000 events: several parts of at least 65,536 rows on a machine with several cores.
    let parquet = load_dataset(
        &checked(&generated_shop("parquet", &[]).path().join("campaigns")),
        LoadOptions::default(),
    )
    .expect("parquet loads");
    assert!(parquet.events.height() > 131_072, "{}", parquet.events.height());
    let core = [EVENT_USER, EVENT_TYPE, EVENT_TS, EVENT_ID];
    let mut loaded = Vec::new();
    for format in ["ndjson", "csv"] {
        let shop = generated_shop(format, &[]);
        let text = load_dataset(&checked(&shop.path().join("campaigns")), LoadOptions::default())
            .unwrap_or_else(|e| panic!("{format}: {e}"));
        // The parts are put together in file order: every event where Parquet (read whole) has
        // it. (Parquet keeps whatever its file holds in another type's property columns.)
        let columns = |d: &DataFrame| d.select(core).unwrap();
        assert!(
            columns(&text.events).equals_missing(&columns(&parquet.events)),
            "{format}: the events differ"
        );
        assert_eq!(text.reports[1].rows, parquet.reports[1].rows, "{format}");
        loaded.push(text.events);
    }
    // And every property the same from NDJSON as from CSV.
    assert!(
        loaded[0].equals_missing(&loaded[1]),
        "NDJSON and CSV give different event tables"
    );
    // Bad rows spread over the file are reported as one pass would: the first 50 in file order,
    // then one marker at the 51st.
    let broken = generated_shop("ndjson", &["--bad-rows", "80"]);
    let errors = bad_rows(&broken.path().join("campaigns"));
    assert_eq!(errors.len(), 51, "{errors:?}");
    let lines: Vec<usize> = errors
        .iter()
        .map(|e| match e.position {
            RowPosition::Line(line) => line,
            RowPosition::Row(row) => row,
        })
        .collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    assert!(errors[..50].iter().all(|e| e.code == "data::bad-row"), "{errors:?}");
    // Each is at the line of the file that holds it, whichever part of the file read it.
    let text = std::fs::read_to_string(broken.path().join("datasets/shop/events.ndjson")).unwrap();
    let file_lines: Vec<&str> = text.lines().collect();
    let not_objects: Vec<usize> = (1..=file_lines.len())
        .filter(|n| serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(file_lines[n - 1]).is_err())
        .collect();
    assert_eq!(not_objects.len(), 80);
    assert_eq!(lines, not_objects[..51], "the lines reported are the bad ones");
    assert!(text.len() > 16 << 20, "the file is read in more than one part");
    assert_eq!(errors[50].code, "data::too-many-errors");
    // Skipping them leaves every other event, counted once.
    let skipped = load_dataset(
        &checked(&broken.path().join("campaigns")),
        LoadOptions { skip_bad_rows: true },
    )
    .expect("loads without the bad rows");
    assert_eq!(skipped.reports[1].skipped, 80, "{:?}", skipped.reports[1]);
}

#[test]
fn csv_records_with_line_breaks_inside_quotes_load_in_parts_as_in_one_pass() {
    let shop = generated_shop("csv", &[]);
    let root = shop.path().join("campaigns");
    let plain = load_dataset(&checked(&root), LoadOptions::default()).expect("csv loads");
    // Every url becomes a long quoted value ending in a line break, so that each record spans
    // two lines and a part of the file most likely starts inside a quoted field; the last
    // record's time is bad.
    let path = shop.path().join("datasets/shop/events.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let (url, ts) = {
        let names: Vec<&str> = header.split(',').collect();
        let at = |name: &str| names.iter().position(|n| *n == name).unwrap();
        (at("url"), at("ts"))
    };
    let records: Vec<String> = lines
        .map(|line| {
            let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
            fields[url] = format!("\"{}{}\n\"", fields[url], "x".repeat(200));
            fields.join(",")
        })
        .collect();
    let last = records.len() - 1;
    let mut broken = records.clone();
    let mut fields: Vec<&str> = broken[last].split(',').collect();
    fields[ts] = "never";
    broken[last] = fields.join(",");
    std::fs::write(&path, format!("{header}\n{}\n", broken.join("\n"))).unwrap();
    assert!(
        std::fs::metadata(&path).unwrap().len() > 16 << 20,
        "read in more than one part"
    );
    let errors = bad_rows(&root);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].position,
        RowPosition::Line(2 + 2 * last),
        "two lines per record"
    );
    assert_eq!(errors[0].value, "never");

    std::fs::write(&path, format!("{header}\n{}\n", records.join("\n"))).unwrap();
    let quoted = load_dataset(&checked(&root), LoadOptions::default()).expect("quoted csv loads");
    let core = [EVENT_USER, EVENT_TYPE, EVENT_TS, EVENT_ID];
    let columns = |d: &DataFrame| d.select(core).unwrap();
    assert!(columns(&quoted.events).equals_missing(&columns(&plain.events)));
    assert_eq!(quoted.reports[1].rows, plain.reports[1].rows);
    let urls = |d: &DataFrame| -> Vec<Option<String>> {
        let urls = d.column("page_view.url").unwrap().str().unwrap().clone();
        urls.iter().map(|u| u.map(str::to_string)).collect()
    };
    for (plain, quoted) in urls(&plain.events).iter().zip(urls(&quoted.events)) {
        let expected = plain.as_ref().map(|u| format!("{u}{}\n", "x".repeat(200)));
        assert_eq!(quoted, expected);
    }
}

#[test]
fn large_profile_files_are_typed_in_parallel_parts_exactly_as_in_one_pass() {
    // 140,000 profiles: more than one part of at least 65,536 rows.
    let args = ["--profiles", "140000", "--events-per-profile", "1", "--seed", "5"];
    let parquet = crate::support::generated_shop("parquet", &args);
    let expected =
        load_dataset(&checked(&parquet.path().join("campaigns")), LoadOptions::default()).expect("parquet loads");
    let shop = crate::support::generated_shop("ndjson", &args);
    let root = shop.path().join("campaigns");
    let loaded = load_dataset(&checked(&root), LoadOptions::default()).expect("ndjson loads");
    assert_eq!(loaded.profiles.height(), 140_000);
    assert!(
        loaded.profiles.equals_missing(&expected.profiles),
        "the profiles typed in parts are Parquet's"
    );

    // A key repeated within the first part and across parts, and a bad value between them: the
    // errors of one pass, in file order.
    let path = shop.path().join("datasets/shop/profiles.ndjson");
    let text = fs::read_to_string(&path).unwrap();
    let mut lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let (early, later) = (lines[4]["id"].clone(), lines[9]["id"].clone());
    lines[19]["id"] = early;
    lines[49_999]["email_opt_in"] = "maybe".into();
    lines[129_999]["id"] = later.clone();
    let lines: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    let errors = bad_rows(&root);
    let found: Vec<(RowPosition, &str)> = errors.iter().map(|e| (e.position, e.code)).collect();
    assert_eq!(
        found,
        [
            (RowPosition::Line(20), "data::duplicate-key"),
            (RowPosition::Line(50_000), "data::bad-value"),
            (RowPosition::Line(130_000), "data::duplicate-key"),
        ]
    );
    assert_eq!(errors[2].value, later.as_str().unwrap());
    let skipped = load_dataset(&checked(&root), LoadOptions { skip_bad_rows: true }).expect("loads without them");
    assert_eq!(skipped.profiles.height(), 140_000 - 3);
    assert_eq!(skipped.reports[0].skipped, 3, "{:?}", skipped.reports[0]);
}
