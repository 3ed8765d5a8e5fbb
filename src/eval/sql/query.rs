//! A workspace's features and segments as one SQL query over its profiles and events tables,
//! with the polars engine's semantics: one row per profile, its key, every feature, segment
//! (`segment.<name>`, never null) and score (`score.<model>`), and each campaign's audience and
//! arm (`audience.<campaign>`, `arm.<campaign>`, [`super::arms`]), in key order.
//!
//! The query is a chain of common table expressions a reviewer can read top to bottom: the
//! profiles with temporal fields in microseconds, the events up to `now`, one group-by per
//! event type for the aggregates that read only events, then one step per feature or segment
//! in the order of the workspace graph (each sees the ones before it).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;

use chrono::{DateTime, Utc};

use super::aggregate::{events_from, SqlAggregate};
use super::arms::{arm_column, arm_reads, audience_column, bucket_column, CampaignColumns};
use super::dialect::Dialect;
use super::expression::{SqlLowering, EVENTS_ALIAS, ID, TS, TYPE, USER};
use super::score::{log_odds, sigmoid};
use crate::check::{CheckedWorkspace, Step};
use crate::eval::aggregate::AggregateJob;
use crate::eval::columns::{score_column, segment_column};
use crate::eval::lower::Unsupported;
use crate::model::{BaseType, Expr, ScoreModel, Type};

/// The tables the query reads, as the engine names them (`schema.table` where it has schemas).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlTables {
    /// The profiles, one column per declared field.
    pub profiles: String,
    /// The events, one column per declared property name besides user, type, time and id.
    pub events: String,
}

impl Default for SqlTables {
    fn default() -> Self {
        SqlTables {
            profiles: "profiles".into(),
            events: "events".into(),
        }
    }
}

/// One column of the chain: a feature or a segment, its SQL, and the aggregates it found.
struct ChainColumn {
    /// The column's name.
    name: String,
    /// What the workspace calls it, for the comment above its step.
    title: String,
    /// Its value.
    value: String,
    /// The aggregates its lowering added.
    aggregates: Range<usize>,
    /// Whether the result shows it (a helper, such as a score's log-odds, is not shown).
    shown: bool,
    /// The columns of the profiles it reads (outside its aggregates).
    reads: BTreeSet<String>,
}

/// The query computing every feature and segment of `workspace` at `now` in `dialect`.
///
/// Scores apply the saved fits. Persona labels are not lowered yet (their fit reads the data):
/// a workspace whose features or segments read them is [`Unsupported`].
pub fn features_query(
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
    dialect: Dialect,
    tables: &SqlTables,
) -> Result<String, Unsupported> {
    expressions_query(workspace, &[], now, dialect, tables)
}

/// [`features_query`] with further columns: each of `expressions` (typed in the profile
/// scope) under its name, after every feature and segment.
pub fn expressions_query(
    workspace: &CheckedWorkspace,
    expressions: &[(String, Expr)],
    now: DateTime<Utc>,
    dialect: Dialect,
    tables: &SqlTables,
) -> Result<String, Unsupported> {
    let now_micros = now.timestamp_micros();
    let schema = &workspace.schema;
    let features: BTreeMap<String, Type> = workspace
        .features
        .iter()
        .map(|f| (f.name.clone(), f.ty.clone()))
        .collect();
    let mut lowering = SqlLowering::new(dialect, schema, &features, now_micros);
    let mut steps = Vec::new();
    for node in workspace.graph.nodes() {
        let start = lowering.aggregates.len();
        match node.step {
            Step::Feature => {
                let Some(feature) = workspace.features.iter().find(|f| f.name == node.name) else {
                    continue;
                };
                let value = lowering.lower(&feature.expr)?;
                steps.push(ChainColumn {
                    name: feature.name.clone(),
                    title: format!("feature {}", feature.name),
                    value,
                    aggregates: start..lowering.aggregates.len(),
                    shown: true,
                    reads: lowering.take_reads(),
                });
            }
            Step::Segment => {
                let Some(segment) = workspace.segments.iter().find(|s| s.name == node.name) else {
                    continue;
                };
                let value = format!("coalesce({}, FALSE)", lowering.lower(&segment.condition)?);
                steps.push(ChainColumn {
                    name: segment_column(&segment.name),
                    title: format!("segment {}", segment.name),
                    value,
                    aggregates: start..lowering.aggregates.len(),
                    shown: true,
                    reads: lowering.take_reads(),
                });
            }
            // A persona model's labels are read only through `persona.<model>`, which the
            // lowering refuses: its fit needs the data.
            Step::Persona => {}
            Step::Score => {
                let Some(model) = workspace.models.iter().find(|m| m.name == node.name) else {
                    continue;
                };
                steps.extend(score_steps(&mut lowering, model)?);
            }
            _ => {}
        }
    }
    steps.extend(campaign_steps(&mut lowering, workspace)?);
    for (name, expr) in expressions {
        let start = lowering.aggregates.len();
        let value = lowering.lower(expr)?;
        steps.push(ChainColumn {
            name: name.clone(),
            title: format!("expression {name}"),
            value,
            aggregates: start..lowering.aggregates.len(),
            shown: true,
            reads: lowering.take_reads(),
        });
    }
    let writer = QueryWriter {
        dialect,
        now: now_micros,
        key: &schema.key,
        jobs: &lowering.aggregates,
        reading_fields: &lowering.reading_fields,
        ctes: Vec::new(),
    };
    Ok(writer.write(workspace, tables, &steps))
}

/// The steps computing each campaign's `audience.<campaign>` (its `audience:` and the consent
/// rule; never null) and `arm.<campaign>` (`holdout` or a variant's name for its audience, null
/// for the rest), after everything they read.
fn campaign_steps(lowering: &mut SqlLowering, workspace: &CheckedWorkspace) -> Result<Vec<ChainColumn>, Unsupported> {
    if workspace.campaigns.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = lowering.dialect;
    let start = lowering.aggregates.len();
    let consent = lowering.lower(&workspace.manifest.consent)?;
    let mut steps = vec![ChainColumn {
        name: CONSENT.into(),
        title: "the consent rule".into(),
        value: format!("coalesce({consent}, FALSE)"),
        aggregates: start..lowering.aggregates.len(),
        shown: false,
        reads: lowering.take_reads(),
    }];
    for campaign in &workspace.campaigns {
        let start = lowering.aggregates.len();
        let audience = campaign.audience.as_ref().map(|a| lowering.lower(a)).transpose()?;
        let mut reads = lowering.take_reads();
        reads.insert(CONSENT.into());
        let columns = CampaignColumns::new(
            dialect,
            campaign,
            audience,
            &dialect.ident(CONSENT),
            &workspace.schema.key,
        );
        steps.push(ChainColumn {
            name: audience_column(&campaign.name),
            title: format!("campaign {}: its audience, consenting", campaign.name),
            value: columns.audience,
            aggregates: start..lowering.aggregates.len(),
            shown: true,
            reads,
        });
        if let Some((bucket, arm)) = columns.bucket_and_arm {
            steps.push(ChainColumn {
                name: bucket_column(&campaign.name),
                title: format!("campaign {}: each profile's bucket", campaign.name),
                value: bucket,
                aggregates: 0..0,
                shown: false,
                reads: BTreeSet::new(),
            });
            steps.push(ChainColumn {
                name: arm_column(&campaign.name),
                title: format!("campaign {}: each member's arm", campaign.name),
                value: arm,
                aggregates: 0..0,
                shown: true,
                reads: arm_reads(&campaign.name),
            });
        }
    }
    Ok(steps)
}

/// The hidden column of the consent rule.
const CONSENT: &str = "__consent";

/// The steps computing `score.<model>`: its log-odds for the profiles of its population, then
/// the probability (null outside the population, and for a model never trained).
fn score_steps(lowering: &mut SqlLowering, model: &ScoreModel) -> Result<Vec<ChainColumn>, Unsupported> {
    let dialect = lowering.dialect;
    let name = score_column(&model.name);
    let Some(saved) = &model.saved else {
        return Ok(vec![ChainColumn {
            value: dialect.cast("NULL", dialect.double()),
            title: format!("score {} (not trained)", model.name),
            name,
            aggregates: 0..0,
            shown: true,
            reads: BTreeSet::new(),
        }]);
    };
    let start = lowering.aggregates.len();
    let population = match &model.population {
        Some(population) => format!("coalesce({}, FALSE)", lowering.lower(population)?),
        None => "TRUE".into(),
    };
    let log_odds = log_odds(dialect, &saved.fit, &saved.columns, &model.inputs)?;
    let z = format!("__log_odds.{}", model.name);
    let mut reads = lowering.take_reads();
    reads.extend(model.inputs.iter().map(|input| input.name.clone()));
    Ok(vec![
        ChainColumn {
            value: format!("CASE WHEN {population} THEN {log_odds} END"),
            title: format!("log-odds of score {} for its population", model.name),
            name: z.clone(),
            aggregates: start..lowering.aggregates.len(),
            shown: false,
            reads,
        },
        ChainColumn {
            value: sigmoid(&dialect.ident(&z)),
            title: format!("score {}", model.name),
            name,
            aggregates: 0..0,
            shown: true,
            reads: BTreeSet::from([z]),
        },
    ])
}

/// Builds the chain of table expressions.
struct QueryWriter<'a> {
    dialect: Dialect,
    now: i64,
    key: &'a str,
    jobs: &'a [AggregateJob<String>],
    /// The aggregates that read the profile's declared fields.
    reading_fields: &'a BTreeSet<String>,
    /// (comment, name, query) of each table expression so far.
    ctes: Vec<(String, String, String)>,
}

impl QueryWriter<'_> {
    fn ident(&self, name: &str) -> String {
        self.dialect.ident(name)
    }

    fn aggregate<'j>(&self, job: &'j AggregateJob<String>) -> SqlAggregate<'j> {
        SqlAggregate {
            job,
            dialect: self.dialect,
            now: self.now,
        }
    }

    fn push(&mut self, comment: String, name: &str, query: String) {
        self.ctes.push((comment, name.to_string(), query));
    }

    /// The name of the last table expression.
    fn last(&self) -> String {
        self.ctes.last().map(|(_, name, _)| name.clone()).unwrap_or_default()
    }

    fn write(mut self, workspace: &CheckedWorkspace, tables: &SqlTables, steps: &[ChainColumn]) -> String {
        let dialect = self.dialect;
        let schema = &workspace.schema;
        // The profiles, temporal fields in microseconds as in every expression.
        let fields: Vec<String> = schema
            .profiles
            .fields
            .iter()
            .map(|field| {
                let column = self.ident(&field.name);
                let value = match field.ty.base {
                    BaseType::DateTime => dialect.timestamp_micros(&column),
                    BaseType::Date => dialect.date_micros(&column),
                    _ => column.clone(),
                };
                format!("{value} AS {column}")
            })
            .collect();
        self.push(
            "the profiles; dates and times as microseconds since 1970-01-01 UTC".into(),
            "__profiles",
            format!("SELECT {} FROM {}", fields.join(", "), tables.profiles),
        );
        // The events up to `now`, with their user, type, time and id under fixed names.
        let columns = &schema.event_columns;
        let ts = dialect.timestamp_micros(&format!("{EVENTS_ALIAS}.{}", self.ident(&columns.time)));
        let id = match &columns.id {
            Some(id) => format!("{EVENTS_ALIAS}.{}", self.ident(id)),
            None => dialect.cast("NULL", &dialect.type_of(&BaseType::String)),
        };
        self.push(
            format!("the events up to now ({})", chrono_text(self.now)),
            "__events",
            format!(
                "SELECT {EVENTS_ALIAS}.*, {EVENTS_ALIAS}.{} AS {}, {EVENTS_ALIAS}.{} AS {}, {ts} AS {}, {id} AS {} FROM {} {EVENTS_ALIAS} WHERE {ts} <= {}",
                self.ident(&columns.user),
                self.ident(USER),
                self.ident(&columns.event_type),
                self.ident(TYPE),
                self.ident(TS),
                self.ident(ID),
                tables.events,
                dialect.int(self.now),
            ),
        );
        // Aggregates that read no computed column: one group-by per event type, `last_n` apart;
        // the events are joined to their profile where a `where` reads its fields.
        let mut joined: Vec<(String, Vec<&AggregateJob<String>>)> = Vec::new();
        let mut batches: BTreeMap<&str, Vec<&AggregateJob<String>>> = BTreeMap::new();
        let events = |jobs: &[&AggregateJob<String>]| {
            let fields = jobs.iter().any(|j| self.reading_fields.contains(&j.column));
            events_from(dialect, "__events", fields.then_some(("__profiles", self.key)))
        };
        let mut last_n = Vec::new();
        for job in self.jobs.iter().filter(|j| !j.uses_profile) {
            if self.aggregate(job).reduction().is_some() {
                batches.entry(job.event_type.as_str()).or_default().push(job);
            } else {
                let name = format!("{}_rows", job.column);
                last_n.push((name.clone(), self.aggregate(job).last_n_table(&events(&[job]))));
                joined.push((name, vec![job]));
            }
        }
        for (name, query) in last_n {
            let column = name.trim_end_matches("_rows").to_string();
            self.push(format!("last_n into {column}"), &name, query);
        }
        for (event_type, jobs) in batches {
            let name = format!("__{event_type}_aggregates");
            let query = self.group_by(&jobs, event_type, &events(&jobs));
            self.push(format!("aggregates over {event_type} events"), &name, query);
            joined.push((name, jobs));
        }
        let first = self.joined_step("__profiles", &joined);
        self.push(
            "each profile with its aggregates (their values for no events where not null)".into(),
            "__with_aggregates",
            first,
        );
        // Features and segments in graph order; an aggregate whose `where` reads the profile
        // is computed just before the column that uses it, over the profiles as they are then.
        // Columns that read none of each other share a step: engines resolve a long chain of
        // steps slowly (Spark gives up after 100), and a reviewer reads fewer of them.
        let mut group: Vec<&ChainColumn> = Vec::new();
        for step in steps {
            let jobs = &self.jobs[step.aggregates.clone()];
            let needs_rows = jobs.iter().any(|j| j.uses_profile);
            let reads_group = group.iter().any(|g| step.reads.contains(&g.name));
            if needs_rows || reads_group {
                self.push_group(&mut group);
            }
            for job in jobs.iter().filter(|j| j.uses_profile) {
                let profiles = self.last();
                let events = events_from(dialect, "__events", Some((&profiles, self.key)));
                let query = match self.aggregate(job).reduction() {
                    Some(_) => self.group_by(&[job], &job.event_type, &events),
                    None => self.aggregate(job).last_n_table(&events),
                };
                let rows = format!("{}_rows", job.column);
                self.push(format!("{} (its `where` reads the profile)", job.column), &rows, query);
                let with = self.joined_step(&profiles, &[(rows, vec![job])]);
                self.push(format!("with {}", job.column), &format!("{}_joined", job.column), with);
            }
            group.push(step);
        }
        self.push_group(&mut group);
        self.finish(steps)
    }

    /// One step adding the columns of `group` (which read none of each other), emptying it.
    fn push_group(&mut self, group: &mut Vec<&ChainColumn>) {
        if group.is_empty() {
            return;
        }
        let mut select = String::from("SELECT *");
        for column in group.iter() {
            let _ = write!(
                select,
                ",\n  -- {}\n  {} AS {}",
                column.title,
                column.value,
                self.ident(&column.name)
            );
        }
        let _ = write!(select, "\n  FROM {}", self.ident(&self.last()));
        let titles: Vec<&str> = group.iter().map(|c| c.title.as_str()).collect();
        let name = format!("__step{}", self.ctes.len());
        let comment = if titles.len() == 1 {
            titles[0].to_string()
        } else {
            format!("{} columns that read none of each other", titles.len())
        };
        self.push(comment, &name, select);
        group.clear();
    }

    /// A group-by of the events of `event_type` computing `jobs`.
    fn group_by(&self, jobs: &[&AggregateJob<String>], event_type: &str, events: &str) -> String {
        let user = format!("{EVENTS_ALIAS}.{}", self.ident(USER));
        let mut select = vec![format!("{user} AS {}", self.ident(USER))];
        for job in jobs {
            if let Some(reduction) = self.aggregate(job).reduction() {
                select.push(format!("{reduction} AS {}", self.ident(&job.column)));
            }
        }
        format!(
            "SELECT {} FROM {events} WHERE {EVENTS_ALIAS}.{} = {} GROUP BY {user}",
            select.join(", "),
            self.ident(TYPE),
            self.dialect.string(event_type),
        )
    }

    /// `profiles` left-joined to each table of aggregates, by user.
    fn joined_step(&self, profiles: &str, tables: &[(String, Vec<&AggregateJob<String>>)]) -> String {
        let mut select = vec!["p.*".to_string()];
        let mut from = format!("{} p", self.ident(profiles));
        for (index, (table, jobs)) in tables.iter().enumerate() {
            let alias = format!("a{index}");
            for job in jobs {
                let column = format!("{alias}.{}", self.ident(&job.column));
                let value = match self.aggregate(job).empty() {
                    Some(empty) => format!("coalesce({column}, {empty})"),
                    None => column,
                };
                select.push(format!("{value} AS {}", self.ident(&job.column)));
            }
            let _ = write!(
                from,
                " LEFT JOIN {} {alias} ON {alias}.{} = p.{}",
                self.ident(table),
                self.ident(USER),
                self.ident(self.key)
            );
        }
        format!("SELECT {} FROM {from}", select.join(", "))
    }

    /// The whole query: the table expressions, then the key, features and segments by key.
    fn finish(self, steps: &[ChainColumn]) -> String {
        let mut text = String::from("WITH\n");
        for (index, (comment, name, query)) in self.ctes.iter().enumerate() {
            let separator = if index + 1 == self.ctes.len() { "" } else { "," };
            let _ = writeln!(text, "-- {comment}\n{} AS (\n  {query}\n){separator}", self.ident(name));
        }
        let mut columns = vec![self.ident(self.key)];
        columns.extend(steps.iter().filter(|s| s.shown).map(|s| self.ident(&s.name)));
        let _ = write!(
            text,
            "SELECT {}\nFROM {}\nORDER BY {}\n",
            columns.join(", "),
            self.ident(&self.last()),
            self.dialect.bytewise(&self.ident(self.key))
        );
        text
    }
}

/// `micros` as an RFC 3339 time, for comments.
fn chrono_text(micros: i64) -> String {
    DateTime::<Utc>::from_timestamp_micros(micros).map_or_else(|| micros.to_string(), |t| t.to_rfc3339())
}
