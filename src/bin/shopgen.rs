//! `shopgen`: writes a realistic synthetic shop (profiles, events, products) for the demo
//! workspace's schema, deterministically from a seed, as CSV, NDJSON or Parquet.
//!
//! Activity is heavy-tailed (a few people do most of the browsing and buying), sessions cluster
//! in time, people favour a category, time zones follow cities, and some rows can be made bad on
//! request to exercise validation.
//!
//! ```text
//! shopgen --profiles 300 --seed 7 --now 2026-12-01T15:00:00Z --format csv --out datasets/shop
//! ```
//!
//! With `--outcomes`, the week after `now` is added for the demo's A/B campaigns, so that
//! `tailor report` has something true to find: `nyc_offer`'s `free_shipping` variant converts
//! at 30% against 8% for `standard` and 6% for the holdout (a real effect), while `winback`'s
//! arms all convert at 10% (none). Arms follow SPEC §5's hash, the audiences the demo's
//! segments (active in the last 30 days; bought in the last year but unseen for 60 days).

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::{Parser, ValueEnum};
use polars::prelude::*;
use tailor::data::SeededRng;

/// The output format of the profile and event files (products are always CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Ndjson,
    Parquet,
}

/// Writes a synthetic shop.
#[derive(Debug, Parser)]
#[command(name = "shopgen", about)]
struct Args {
    /// Number of profiles.
    #[arg(long, default_value_t = 300)]
    profiles: usize,
    /// Mean events per profile (the distribution is heavy-tailed around it).
    #[arg(long, default_value_t = 20.0)]
    events_per_profile: f64,
    /// Random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The newest event is just before this time.
    #[arg(long, default_value = "2026-12-01T15:00:00Z")]
    now: String,
    /// File format of profiles and events.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Rows to make invalid in each file (bad booleans, times, types).
    #[arg(long, default_value_t = 0)]
    bad_rows: usize,
    /// Also write what happened after `now` to the recipients of the demo's two A/B campaigns
    /// (opens, clicks, purchases), with a known true effect in one and none in the other.
    #[arg(long)]
    outcomes: bool,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
}

const FIRST_NAMES: [&str; 16] = [
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kai", "Lena", "Mateo", "Noor",
    "Omar", "Priya",
];
const CITIES: [(&str, &str, u32); 8] = [
    ("New York", "America/New_York", 18),
    ("Boston", "America/New_York", 8),
    ("Chicago", "America/Chicago", 10),
    ("Austin", "America/Chicago", 7),
    ("Los Angeles", "America/Los_Angeles", 12),
    ("Berlin", "Europe/Berlin", 8),
    ("London", "Europe/London", 9),
    ("Tokyo", "Asia/Tokyo", 5),
];
const CATEGORIES: [&str; 6] = ["sneakers", "boots", "outerwear", "accessories", "running", "hiking"];
const ADJECTIVES: [&str; 7] = ["Trail", "City", "Ridge", "Harbor", "Summit", "Canyon", "Metro"];
const NOUNS: [&str; 6] = ["Runner", "Boot", "Parka", "Beanie", "Racer", "Hiker"];
const CAMPAIGNS: [&str; 4] = ["nyc_offer", "sneaker_nudge", "early_access", "winback"];

struct Profile {
    id: String,
    email: String,
    first_name: Option<String>,
    city: Option<String>,
    tz: Option<String>,
    tier: &'static str,
    interests: Vec<&'static str>,
    signup_at: DateTime<Utc>,
    birthday: Option<String>,
    email_opt_in: bool,
    unsubscribed_at: Option<DateTime<Utc>>,
}

struct Event {
    id: String,
    user: String,
    kind: &'static str,
    ts: DateTime<Utc>,
    /// Property name and JSON value.
    properties: Vec<(&'static str, serde_json::Value)>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn profiles(rng: &mut SeededRng, count: usize, now: DateTime<Utc>) -> Vec<Profile> {
    let total_weight: u32 = CITIES.iter().map(|c| c.2).sum();
    let mut made: Vec<Profile> = Vec::with_capacity(count);
    for n in 0..count {
        let profile = {
            let first = *rng.pick(&FIRST_NAMES);
            let mut roll = rng.index(total_weight as usize) as u32;
            let (city, tz, _) = *CITIES
                .iter()
                .find(|c| {
                    let hit = roll < c.2;
                    roll = roll.saturating_sub(c.2);
                    hit
                })
                .unwrap_or(&CITIES[0]);
            let known_city = rng.chance(0.9);
            let signup_at = now - Duration::minutes((rng.unit() * 3.0 * 365.0 * 1440.0) as i64 + 60);
            let tier = match rng.unit() {
                u if u < 0.6 => "bronze",
                u if u < 0.9 => "silver",
                _ => "gold",
            };
            let interests = (0..rng.index(3)).map(|_| *rng.pick(&CATEGORIES)).collect::<Vec<_>>();
            let mut email = format!("{}.{n}@example.test", first.to_lowercase());
            if n > 0 && rng.chance(0.01) {
                // Shares an earlier profile's address, in other letter case.
                email = made[rng.index(n)].email.to_uppercase();
            }
            if rng.chance(0.01) {
                email = format!("{}{n}-at-example.test", first.to_lowercase()); // an invalid address
            }
            Profile {
                id: format!("u{n:07}"),
                email,
                first_name: rng.chance(0.85).then(|| first.to_string()),
                city: known_city.then(|| city.to_string()),
                tz: (known_city && rng.chance(0.95)).then(|| tz.to_string()),
                tier,
                interests,
                signup_at,
                birthday: rng.chance(0.6).then(|| {
                    format!(
                        "{}-{:02}-{:02}",
                        1960 + rng.index(45),
                        1 + rng.index(12),
                        1 + rng.index(28)
                    )
                }),
                email_opt_in: rng.chance(0.88),
                unsubscribed_at: rng
                    .chance(0.05)
                    .then(|| signup_at + Duration::days(rng.index(300) as i64 + 1))
                    .filter(|t| *t < now),
            }
        };
        made.push(profile);
    }
    made
}

fn events(rng: &mut SeededRng, profiles: &[Profile], mean: f64, now: DateTime<Utc>, products: usize) -> Vec<Event> {
    let mut events = Vec::new();
    let product = |rng: &mut SeededRng, category: usize| {
        format!(
            "p{:03}",
            category * (products / CATEGORIES.len()) + rng.index(products / CATEGORIES.len())
        )
    };
    for profile in profiles {
        let budget = rng.pareto(mean, 1.6).min(mean * 200.0) as usize;
        let favourite = rng.index(CATEGORIES.len());
        let age_minutes = (now - profile.signup_at).num_minutes().max(1);
        let mut made = 0;
        while made < budget {
            // A session: a few page views around one moment, sometimes a cart and a purchase.
            let recency = rng.unit().powf(2.0); // recent sessions are likelier
            let start = now - Duration::minutes(((recency * age_minutes as f64) as i64).max(1) + 1);
            let category = if rng.chance(0.7) {
                favourite
            } else {
                rng.index(CATEGORIES.len())
            };
            let mut t = start;
            let views = 1 + rng.index(6);
            let mut last_product = product(rng, category);
            for _ in 0..views {
                t += Duration::seconds(20 + rng.index(240) as i64);
                last_product = product(rng, category);
                let url = format!("/p/{last_product}");
                events.push(Event {
                    id: String::new(),
                    user: profile.id.clone(),
                    kind: "page_view",
                    ts: t,
                    properties: vec![
                        ("url", url.into()),
                        ("category", CATEGORIES[category].into()),
                        ("product_id", last_product.clone().into()),
                    ],
                });
            }
            made += views;
            if rng.chance(0.25) {
                t += Duration::seconds(30 + rng.index(120) as i64);
                let price = (20 + rng.index(230)) as f64 - 0.01;
                let quantity = 1 + rng.index(2) as i64;
                events.push(Event {
                    id: String::new(),
                    user: profile.id.clone(),
                    kind: "add_to_cart",
                    ts: t,
                    properties: vec![
                        ("product_id", last_product.clone().into()),
                        ("price", price.into()),
                        ("quantity", quantity.into()),
                    ],
                });
                made += 1;
                if rng.chance(0.45) {
                    t += Duration::minutes(5 + rng.index(90) as i64);
                    let order = format!("o{:08}", events.len());
                    let total = ((price * quantity as f64) * 100.0).round() / 100.0;
                    events.push(Event {
                        id: String::new(),
                        user: profile.id.clone(),
                        kind: "purchase",
                        ts: t,
                        properties: vec![
                            ("order_id", order.into()),
                            ("total", total.into()),
                            ("product_id", last_product.clone().into()),
                        ],
                    });
                    made += 1;
                }
            }
            if rng.chance(0.15) {
                let campaign = *rng.pick(&CAMPAIGNS);
                let variant = serde_json::Value::from("default");
                events.push(Event {
                    id: String::new(),
                    user: profile.id.clone(),
                    kind: "email_open",
                    ts: t + Duration::hours(2),
                    properties: vec![("campaign", campaign.into()), ("variant", variant.clone())],
                });
                made += 1;
                if rng.chance(0.3) {
                    let url = serde_json::Value::from(format!("https://acme.test/{}", CATEGORIES[category]));
                    events.push(Event {
                        id: String::new(),
                        user: profile.id.clone(),
                        kind: "email_click",
                        ts: t + Duration::hours(2) + Duration::seconds(40),
                        properties: vec![("campaign", campaign.into()), ("variant", variant), ("url", url)],
                    });
                    made += 1;
                }
            }
        }
    }
    events.retain(|e| e.ts < now);
    events.sort_by(|a, b| a.ts.cmp(&b.ts).then_with(|| a.user.cmp(&b.user)));
    for (n, event) in events.iter_mut().enumerate() {
        event.id = format!("e{n:09}");
    }
    events
}

const PROFILE_COLUMNS: [&str; 11] = [
    "id",
    "email",
    "first_name",
    "city",
    "tz",
    "tier",
    "interests",
    "signup_at",
    "birthday",
    "email_opt_in",
    "unsubscribed_at",
];
const EVENT_PROPERTIES: [&str; 11] = [
    "url",
    "category",
    "product_id",
    "price",
    "quantity",
    "order_id",
    "total",
    "campaign",
    "variant",
    "url",
    "machine",
];

/// One of the demo's A/B campaigns as `--outcomes` simulates it: who is in its audience, its
/// arms, and each arm's chances.
struct Experiment {
    name: &'static str,
    holdout: u32,
    /// Per variant in listed order: (name, weight, purchase, open, click) chances; the holdout's
    /// purchase chance is `holdout_purchase`.
    arms: [(&'static str, u32, f64, f64, f64); 2],
    holdout_purchase: f64,
    audience: fn(&Activity) -> bool,
}

/// What the audiences read of a profile: days since last seen, orders in the last year.
struct Activity {
    days_since_seen: i64,
    orders_365d: usize,
}

const EXPERIMENTS: [Experiment; 2] = [
    Experiment {
        name: "nyc_offer",
        holdout: 1000,
        arms: [
            ("standard", 1, 0.08, 0.45, 0.10),
            ("free_shipping", 1, 0.30, 0.45, 0.18),
        ],
        holdout_purchase: 0.06,
        audience: |a| a.days_since_seen <= 30,
    },
    Experiment {
        name: "winback",
        holdout: 1500,
        arms: [("gentle", 1, 0.10, 0.40, 0.08), ("offer", 1, 0.10, 0.40, 0.08)],
        holdout_purchase: 0.10,
        audience: |a| a.orders_365d >= 1 && a.days_since_seen >= 60,
    },
];

/// The week after `now` for the recipients of the demo's A/B campaigns: opens (some by
/// machines), clicks and purchases, by arm.
fn outcomes(
    rng: &mut SeededRng,
    profiles: &[Profile],
    events: &[Event],
    now: DateTime<Utc>,
    products: usize,
) -> Vec<Event> {
    use tailor::model::{assign, Assignment, Percent};
    let mut out = Vec::new();
    let mut next_id = events.len();
    let mut push =
        |user: &str, kind: &'static str, ts: DateTime<Utc>, properties: Vec<(&'static str, serde_json::Value)>| {
            out.push(Event {
                id: format!("e{next_id:09}"),
                user: user.to_string(),
                kind,
                ts,
                properties,
            });
            next_id += 1;
        };
    let mut by_user: std::collections::HashMap<&str, Vec<&Event>> = std::collections::HashMap::new();
    for e in events.iter().filter(|e| e.ts <= now) {
        by_user.entry(e.user.as_str()).or_default().push(e);
    }
    for p in profiles
        .iter()
        .filter(|p| p.email_opt_in && p.unsubscribed_at.is_none())
    {
        let own = by_user.get(p.id.as_str()).map_or(&[][..], Vec::as_slice);
        let seen = own
            .iter()
            .filter(|e| e.kind == "page_view")
            .map(|e| e.ts)
            .max()
            .unwrap_or(p.signup_at);
        let activity = Activity {
            days_since_seen: (now - seen).num_days(),
            orders_365d: own
                .iter()
                .filter(|e| e.kind == "purchase" && now - e.ts <= Duration::days(365))
                .count(),
        };
        for experiment in EXPERIMENTS.iter().filter(|x| (x.audience)(&activity)) {
            let weights: Vec<u32> = experiment.arms.iter().map(|a| a.1).collect();
            let holdout = Percent {
                hundredths: experiment.holdout,
            };
            let (purchase, engagement) = match assign(experiment.name, &p.id, holdout, &weights) {
                Assignment::Holdout => (experiment.holdout_purchase, None),
                Assignment::Variant(i) => {
                    let (name, _, purchase, open, click) = experiment.arms[i];
                    (purchase, Some((name, open, click)))
                }
            };
            let later =
                |rng: &mut SeededRng, hours: f64| now + Duration::seconds((rng.unit() * hours * 3600.0) as i64 + 600);
            if let Some((variant, open, click)) = engagement {
                let campaign = || {
                    vec![
                        ("campaign", serde_json::json!(experiment.name)),
                        ("variant", serde_json::json!(variant)),
                    ]
                };
                if rng.chance(0.15) {
                    let mut properties = campaign();
                    properties.push(("machine", true.into()));
                    push(&p.id, "email_open", now + Duration::seconds(30), properties);
                }
                if rng.chance(open) {
                    push(&p.id, "email_open", later(rng, 48.0), campaign());
                }
                if rng.chance(click) {
                    let mut properties = campaign();
                    properties.push(("url", serde_json::json!("https://acme.test/deals")));
                    push(&p.id, "email_click", later(rng, 72.0), properties);
                }
            }
            if rng.chance(purchase) {
                let product = rng.index(products);
                push(
                    &p.id,
                    "purchase",
                    later(rng, 6.0 * 24.0),
                    vec![
                        ("order_id", serde_json::json!(format!("o-{}-{}", experiment.name, p.id))),
                        ("total", serde_json::json!((40.0 + rng.unit() * 160.0).round())),
                        ("product_id", serde_json::json!(format!("p{product:03}"))),
                    ],
                );
            }
        }
    }
    out
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn profile_cells(p: &Profile) -> [String; 11] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        p.id.clone(),
        p.email.clone(),
        opt(&p.first_name),
        opt(&p.city),
        opt(&p.tz),
        p.tier.to_string(),
        p.interests.join(";"),
        rfc3339(p.signup_at),
        opt(&p.birthday),
        p.email_opt_in.to_string(),
        p.unsubscribed_at.map(rfc3339).unwrap_or_default(),
    ]
}

fn write_csv(path: &PathBuf, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> std::io::Result<()> {
    let mut out = BufWriter::new(fs::File::create(path)?);
    writeln!(out, "{}", header.join(","))?;
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        writeln!(out, "{}", cells.join(","))?;
    }
    out.flush()
}

fn event_properties() -> Vec<&'static str> {
    let mut names: Vec<&str> = EVENT_PROPERTIES.to_vec();
    names.sort();
    names.dedup();
    names
}

fn event_json(e: &Event) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    map.insert("event_id".into(), e.id.clone().into());
    map.insert("user_id".into(), e.user.clone().into());
    map.insert("type".into(), e.kind.into());
    map.insert("ts".into(), rfc3339(e.ts).into());
    for (k, v) in &e.properties {
        map.insert((*k).into(), v.clone());
    }
    serde_json::Value::Object(map)
}

fn parquet_profiles(profiles: &[Profile]) -> PolarsResult<DataFrame> {
    let micros = |t: DateTime<Utc>| t.timestamp_micros();
    let datetime = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
    let interests: ListChunked = profiles
        .iter()
        .map(|p| Some(Series::new(PlSmallStr::EMPTY, p.interests.clone())))
        .collect();
    let birthdays: Vec<Option<i32>> = profiles
        .iter()
        .map(|p| {
            p.birthday
                .as_ref()
                .and_then(|b| chrono::NaiveDate::parse_from_str(b, "%Y-%m-%d").ok())
                .map(|d| (d - chrono::NaiveDate::default()).num_days() as i32)
        })
        .collect();
    let columns = vec![
        Column::new("id".into(), profiles.iter().map(|p| p.id.clone()).collect::<Vec<_>>()),
        Column::new(
            "email".into(),
            profiles.iter().map(|p| p.email.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "first_name".into(),
            profiles.iter().map(|p| p.first_name.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "city".into(),
            profiles.iter().map(|p| p.city.clone()).collect::<Vec<_>>(),
        ),
        Column::new("tz".into(), profiles.iter().map(|p| p.tz.clone()).collect::<Vec<_>>()),
        Column::new("tier".into(), profiles.iter().map(|p| p.tier).collect::<Vec<_>>()),
        interests.with_name("interests".into()).into_series().into_column(),
        Column::new(
            "signup_at".into(),
            profiles.iter().map(|p| micros(p.signup_at)).collect::<Vec<_>>(),
        )
        .cast(&datetime)?,
        Column::new("birthday".into(), birthdays).cast(&DataType::Date)?,
        Column::new(
            "email_opt_in".into(),
            profiles.iter().map(|p| p.email_opt_in).collect::<Vec<_>>(),
        ),
        Column::new(
            "unsubscribed_at".into(),
            profiles
                .iter()
                .map(|p| p.unsubscribed_at.map(micros))
                .collect::<Vec<_>>(),
        )
        .cast(&datetime)?,
    ];
    DataFrame::new_infer_height(columns)
}

fn parquet_events(events: &[Event]) -> PolarsResult<DataFrame> {
    let datetime = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
    let mut columns = vec![
        Column::new(
            "event_id".into(),
            events.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
        ),
        Column::new(
            "user_id".into(),
            events.iter().map(|e| e.user.clone()).collect::<Vec<_>>(),
        ),
        Column::new("type".into(), events.iter().map(|e| e.kind).collect::<Vec<_>>()),
        Column::new(
            "ts".into(),
            events.iter().map(|e| e.ts.timestamp_micros()).collect::<Vec<_>>(),
        )
        .cast(&datetime)?,
    ];
    for name in event_properties() {
        let values = events
            .iter()
            .map(|e| e.properties.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()));
        let column = match name {
            "price" | "total" => Column::new(
                name.into(),
                values.map(|v| v.and_then(|v| v.as_f64())).collect::<Vec<_>>(),
            ),
            "quantity" => Column::new(
                name.into(),
                values.map(|v| v.and_then(|v| v.as_i64())).collect::<Vec<_>>(),
            ),
            "machine" => Column::new(
                name.into(),
                values.map(|v| v.and_then(|v| v.as_bool())).collect::<Vec<_>>(),
            ),
            _ => Column::new(
                name.into(),
                values
                    .map(|v| v.and_then(|v| v.as_str().map(str::to_string)))
                    .collect::<Vec<_>>(),
            ),
        };
        columns.push(column);
    }
    DataFrame::new_infer_height(columns)
}

fn write_parquet(path: &PathBuf, mut frame: DataFrame) -> Result<(), String> {
    let file = fs::File::create(path).map_err(|e| e.to_string())?;
    ParquetWriter::new(file)
        .finish(&mut frame)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn main() {
    let args = Args::parse();
    if let Err(error) = run(&args) {
        eprintln!("error: {error}");
        std::process::exit(2);
    }
}

fn run(args: &Args) -> Result<(), String> {
    let now = DateTime::parse_from_rfc3339(&args.now)
        .map_err(|e| format!("--now: {e}"))?
        .to_utc();
    let mut rng = SeededRng(args.seed);
    let products = 120;
    let profiles = profiles(&mut rng, args.profiles, now);
    let mut events = events(&mut rng, &profiles, args.events_per_profile, now, products);
    if args.outcomes {
        let more = outcomes(&mut SeededRng(args.seed ^ 0x0a_b7e5), &profiles, &events, now, products);
        events.extend(more);
    }
    fs::create_dir_all(&args.out).map_err(|e| e.to_string())?;
    let product_rows = (0..products).map(|n| {
        let category = CATEGORIES[n / (products / CATEGORIES.len())];
        let price = format!("{}.00", 15 + (n * 37) % 240);
        let image = if n % 4 == 0 {
            String::new()
        } else {
            format!("https://acme.test/img/p{n:03}.jpg")
        };
        let name = format!(
            "{} {} {}",
            ADJECTIVES[n % ADJECTIVES.len()],
            NOUNS[n / (products / CATEGORIES.len())],
            n % 7 + 1
        );
        vec![
            format!("p{n:03}"),
            name,
            price,
            category.to_string(),
            format!("https://acme.test/p/p{n:03}"),
            image,
        ]
    });
    write_csv(
        &args.out.join("products.csv"),
        &["id", "name", "price", "category", "url", "image_url"],
        product_rows,
    )
    .map_err(|e| e.to_string())?;
    let properties = event_properties();
    match args.format {
        Format::Csv => {
            let mut rows: Vec<Vec<String>> = profiles.iter().map(|p| profile_cells(p).to_vec()).collect();
            for i in 0..args.bad_rows.min(rows.len()) {
                let row = rows.len() * (i + 1) / (args.bad_rows + 1);
                rows[row][9] = "maybe".into();
            }
            write_csv(&args.out.join("profiles.csv"), &PROFILE_COLUMNS, rows.into_iter()).map_err(|e| e.to_string())?;
            let header: Vec<&str> = ["event_id", "user_id", "type", "ts"]
                .into_iter()
                .chain(properties.iter().copied())
                .collect();
            // Rows are written as they are made: a million profiles' events do not fit in memory
            // as cells.
            let bad: std::collections::HashSet<usize> = (0..args.bad_rows.min(events.len()))
                .map(|i| events.len() * (i + 1) / (args.bad_rows + 1))
                .collect();
            let rows = events.iter().enumerate().map(|(index, e)| {
                let ts = if bad.contains(&index) {
                    "yesterday".to_string()
                } else {
                    rfc3339(e.ts)
                };
                let mut row = vec![e.id.clone(), e.user.clone(), e.kind.to_string(), ts];
                for name in &properties {
                    row.push(
                        e.properties
                            .iter()
                            .find(|(k, _)| k == name)
                            .map(|(_, v)| v.as_str().map_or(v.to_string(), str::to_string))
                            .unwrap_or_default(),
                    );
                }
                row
            });
            write_csv(&args.out.join("events.csv"), &header, rows).map_err(|e| e.to_string())?;
        }
        Format::Ndjson => {
            let mut out = String::new();
            for p in &profiles {
                let cells = profile_cells(p);
                let mut map = serde_json::Map::new();
                for (name, cell) in PROFILE_COLUMNS.iter().zip(cells) {
                    let value = match *name {
                        "email_opt_in" => serde_json::Value::Bool(cell == "true"),
                        "interests" => serde_json::Value::from(p.interests.clone()),
                        _ if cell.is_empty() => serde_json::Value::Null,
                        _ => cell.into(),
                    };
                    map.insert((*name).into(), value);
                }
                let _ = writeln!(out, "{}", serde_json::Value::Object(map));
            }
            fs::write(args.out.join("profiles.ndjson"), out).map_err(|e| e.to_string())?;
            let file = fs::File::create(args.out.join("events.ndjson")).map_err(|e| e.to_string())?;
            let mut out = BufWriter::new(file);
            for (n, e) in events.iter().enumerate() {
                let line = if args.bad_rows > 0
                    && n % (events.len() / args.bad_rows).max(1) == 0
                    && n / (events.len() / args.bad_rows).max(1) < args.bad_rows
                {
                    format!("{{\"event_id\": \"{}\", \"user_id\": ", e.id)
                } else {
                    event_json(e).to_string()
                };
                std::io::Write::write_all(&mut out, line.as_bytes())
                    .and_then(|()| std::io::Write::write_all(&mut out, b"\n"))
                    .map_err(|e| e.to_string())?;
            }
            std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
        }
        Format::Parquet => {
            write_parquet(
                &args.out.join("profiles.parquet"),
                parquet_profiles(&profiles).map_err(|e| e.to_string())?,
            )?;
            write_parquet(
                &args.out.join("events.parquet"),
                parquet_events(&events).map_err(|e| e.to_string())?,
            )?;
        }
    }
    eprintln!(
        "wrote {} profiles, {} events and {products} products to {}",
        profiles.len(),
        events.len(),
        args.out.display()
    );
    Ok(())
}
