//! A workspace's features and segments as one SQL query over its profiles and events tables,
//! with the polars engine's semantics: one row per profile, its key, every feature, segment
//! (`segment.<name>`, never null) and score (`score.<model>`), and each campaign's audience and
//! arm (`audience.<campaign>`, `arm.<campaign>`, [`super::arms`]) and when it is due
//! (`due.<campaign>`, [`super::due`]), in key order.
//!
//! The query is a chain of common table expressions a reviewer can read top to bottom: the
//! profiles with temporal fields in microseconds, the events up to `now`, one group-by per
//! event type for the aggregates that read no computed column, then the columns in levels
//! (each level reads only the levels before it), every column commented with its name.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::aggregate::{events_from, SqlAggregate};
use super::arms::{arm_column, arm_reads, audience_column, bucket_column, CampaignColumns};
use super::dialect::Dialect;
use super::due::{condition_due, due_column, schedule_due, variant_due_column, FiringEvents};
use super::expression::{SqlLowering, EVENTS_ALIAS, ID, TS, TYPE, USER};
use super::score::{log_odds, sigmoid};
use crate::check::{CheckedWorkspace, Step};
use crate::eval::aggregate::AggregateJob;
use crate::eval::columns::{score_column, segment_column};
use crate::eval::lower::Unsupported;
use crate::model::{BaseType, Campaign, DataSchema, Expr, Schedule, ScoreModel, Timing};

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

/// One column of the chain (a feature, a segment, a score, a campaign's audience or arm, or a
/// hidden helper), its SQL, and what it reads.
struct ChainColumn {
    /// The column's name.
    name: String,
    /// What the workspace calls it, for the comment above its step.
    title: String,
    /// Its value.
    value: String,
    /// Whether the result shows it (a helper, such as a score's log-odds, is not shown).
    shown: bool,
    /// The columns of the profiles it reads (outside its aggregates).
    reads: BTreeSet<String>,
}

/// The query computing every feature, segment and score of `workspace` at `now` in `dialect`,
/// and each campaign's audience and arm.
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
/// scope) under its name.
pub fn expressions_query(
    workspace: &CheckedWorkspace,
    expressions: &[(String, Expr)],
    now: DateTime<Utc>,
    dialect: Dialect,
    tables: &SqlTables,
) -> Result<String, Unsupported> {
    query(workspace, expressions, now, dialect, tables, false)
}

/// [`expressions_query`] returning every declared profile field too, before the computed
/// columns (temporal fields in microseconds): the whole evaluated profile, as an engine hands
/// it back to `plan` ([`crate::eval::engine`]).
pub fn evaluation_query(
    workspace: &CheckedWorkspace,
    expressions: &[(String, Expr)],
    now: DateTime<Utc>,
    dialect: Dialect,
    tables: &SqlTables,
) -> Result<String, Unsupported> {
    query(workspace, expressions, now, dialect, tables, true)
}

/// The query of [`expressions_query`], with the declared fields when `with_fields`.
fn query(
    workspace: &CheckedWorkspace,
    expressions: &[(String, Expr)],
    now: DateTime<Utc>,
    dialect: Dialect,
    tables: &SqlTables,
    with_fields: bool,
) -> Result<String, Unsupported> {
    let now_micros = now.timestamp_micros();
    let schema = &workspace.schema;
    let features = workspace.feature_types();
    let mut lowering = SqlLowering::new(dialect, schema, &features, now_micros);
    let mut steps = Vec::new();
    for node in workspace.graph.nodes() {
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
    let mut firing = Vec::new();
    steps.extend(campaign_steps(&mut lowering, workspace, now, &mut firing)?);
    for (name, expr) in expressions {
        let value = lowering.lower(expr)?;
        steps.push(ChainColumn {
            name: name.clone(),
            title: format!("expression {name}"),
            value,
            shown: true,
            reads: lowering.take_reads(),
        });
    }
    if let Some(limit) = dialect.identifier_limit() {
        // Internal names add at most 30 bytes to an event type's name.
        let names = steps.iter().map(|s| (s.name.clone(), s.name.len()));
        let types = lowering
            .aggregates
            .iter()
            .map(|j| (j.event_type.clone(), j.event_type.len() + 30));
        if let Some((name, _)) = names.chain(types).find(|(_, length)| *length > limit) {
            return Err(Unsupported(format!(
                "`{name}` is too long a name for {dialect}, which keeps only the first {limit} bytes of a name: shorten it"
            )));
        }
    }
    let shown_fields: Vec<&str> = match with_fields {
        true => schema.profiles.fields.iter().map(|f| f.name.as_str()).collect(),
        false => vec![schema.key.as_str()],
    };
    let writer = QueryWriter {
        dialect,
        now: now_micros,
        key: &schema.key,
        shown_fields: &shown_fields,
        jobs: &lowering.aggregates,
        reading_fields: &lowering.reading_fields,
        where_reads: &lowering.where_reads,
        firing: &firing,
        ctes: Vec::new(),
    };
    Ok(writer.write(workspace, tables, &steps))
}

/// The steps computing each campaign's `audience.<campaign>` (its `audience:` and the consent
/// rule; never null) and `arm.<campaign>` (`holdout` or a variant's name for its audience, null
/// for the rest), after everything they read.
fn campaign_steps(
    lowering: &mut SqlLowering,
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
    firing: &mut Vec<FiringEvents>,
) -> Result<Vec<ChainColumn>, Unsupported> {
    if workspace.campaigns.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = lowering.dialect;
    let consent = lowering.lower(&workspace.manifest.consent)?;
    let mut steps = vec![ChainColumn {
        name: CONSENT.into(),
        title: "the consent rule".into(),
        value: format!("coalesce({consent}, FALSE)"),
        shown: false,
        reads: lowering.take_reads(),
    }];
    for campaign in &workspace.campaigns {
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
            shown: true,
            reads,
        });
        steps.extend(due_steps(lowering, workspace, campaign, now, firing)?);
        if let Some((bucket, arm)) = columns.bucket_and_arm {
            steps.push(ChainColumn {
                name: bucket_column(&campaign.name),
                title: format!("campaign {}: each profile's bucket", campaign.name),
                value: bucket,
                shown: false,
                reads: BTreeSet::new(),
            });
            steps.push(ChainColumn {
                name: arm_column(&campaign.name),
                title: format!("campaign {}: each member's arm", campaign.name),
                value: arm,
                shown: true,
                reads: arm_reads(&campaign.name),
            });
        }
    }
    Ok(steps)
}

/// The steps computing when `campaign` is due for each profile ([`super::due`]): its own
/// schedule or condition trigger, and each variant's own schedule; an event trigger's firing
/// events go to `firing`, joined after every level (nothing reads them).
fn due_steps(
    lowering: &mut SqlLowering,
    workspace: &CheckedWorkspace,
    campaign: &Campaign,
    now: DateTime<Utc>,
    firing: &mut Vec<FiringEvents>,
) -> Result<Vec<ChainColumn>, Unsupported> {
    let dialect = lowering.dialect;
    let zone_field = workspace.schema.timezone.as_deref();
    let zone = zone_field.map(|field| dialect.ident(field));
    let scheduled = |name: String, title: String, schedule: &Schedule| ChainColumn {
        name,
        title,
        value: schedule_due(dialect, schedule, zone.as_deref(), workspace.manifest.timezone, now),
        shown: true,
        reads: zone_field.map(str::to_string).into_iter().collect(),
    };
    let mut steps = Vec::new();
    match &campaign.timing {
        Timing::Schedule(schedule) => steps.push(scheduled(
            due_column(&campaign.name),
            format!("campaign {}: when its schedule is due", campaign.name),
            schedule,
        )),
        Timing::Condition(trigger) => {
            let condition = lowering.lower(&trigger.when)?;
            steps.push(ChainColumn {
                name: due_column(&campaign.name),
                title: format!("campaign {}: when its condition fires", campaign.name),
                value: condition_due(dialect, &condition, now),
                shown: true,
                reads: lowering.take_reads(),
            });
        }
        Timing::Event(trigger) => {
            let event = workspace
                .schema
                .event(&trigger.on)
                .ok_or_else(|| Unsupported(format!("unknown event type `{}`", trigger.on)))?;
            let (condition, reads) = match &trigger.condition {
                Some(condition) => {
                    let (condition, reads) = lowering.lower_for_event(event, condition)?;
                    (Some(condition), reads)
                }
                None => (None, BTreeSet::new()),
            };
            firing.push(FiringEvents {
                column: due_column(&campaign.name),
                event_type: trigger.on.clone(),
                condition,
                reads_profile: !reads.is_empty(),
                after: trigger.after.micros(),
                expire: trigger.expire.micros(),
                unless: trigger.unless.clone(),
            });
        }
    }
    for variant in &campaign.variants {
        if let Some(schedule) = &variant.schedule {
            steps.push(scheduled(
                variant_due_column(&campaign.name, &variant.name),
                format!(
                    "campaign {}: when variant {}'s schedule is due",
                    campaign.name, variant.name
                ),
                schedule,
            ));
        }
    }
    Ok(steps)
}

/// One column a table joined to the profiles gives: its name there, its name in the step, and
/// the value of a profile without a row in the table (null when `None`).
struct JoinedColumn<'n> {
    source: &'n str,
    name: &'n str,
    missing: Option<String>,
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
            shown: true,
            reads: BTreeSet::new(),
        }]);
    };
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
            shown: false,
            reads,
        },
        ChainColumn {
            value: sigmoid(&dialect.ident(&z)),
            title: format!("score {}", model.name),
            name,
            shown: true,
            reads: BTreeSet::from([z]),
        },
    ])
}

/// One level of the chain: the aggregates joined at its start, and its columns.
type LevelColumns<'a, 's> = (Vec<&'a AggregateJob<String>>, Vec<&'s ChainColumn>);

/// Builds the chain of table expressions.
struct QueryWriter<'a> {
    dialect: Dialect,
    now: i64,
    key: &'a str,
    /// The declared fields the result shows before the computed columns (at least the key).
    shown_fields: &'a [&'a str],
    jobs: &'a [AggregateJob<String>],
    /// The aggregates that read the profile's declared fields.
    reading_fields: &'a BTreeSet<String>,
    /// What each aggregate reading computed columns reads, by its column.
    where_reads: &'a BTreeMap<String, BTreeSet<String>>,
    /// Each event trigger's firing events.
    firing: &'a [FiringEvents],
    /// (comment, name, query) of each table expression so far.
    ctes: Vec<(String, String, String)>,
}

impl<'a> QueryWriter<'a> {
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
                format!("{} AS {column}", dialect.computable(&column, &field.ty.base))
            })
            .collect();
        self.push(
            "the profiles; dates and times as microseconds since 1970-01-01 UTC".into(),
            "__profiles",
            format!("SELECT {} FROM {}", fields.join(", "), tables.profiles),
        );
        // The events up to `now`, with their user, type, time and id under fixed names (read
        // only when an aggregate needs them: a workspace may have no events at all).
        if !self.jobs.is_empty() || !self.firing.is_empty() {
            self.push_events(schema, tables);
        }
        self.push_event_aggregates();
        for (level, (jobs, columns)) in self.levels(steps) {
            self.push_profile_aggregates(&jobs);
            self.push_level(level, &columns);
        }
        self.push_firing_events();
        self.finish(steps)
    }

    /// Each event trigger's firing events (over the profiles as finally computed, which its
    /// `where` may read), then one step joining them as the campaigns' `due.` columns.
    fn push_firing_events(&mut self) {
        if self.firing.is_empty() {
            return;
        }
        let profiles = self.last();
        let mut tables = Vec::with_capacity(self.firing.len());
        for (index, firing) in self.firing.iter().enumerate() {
            let name = format!("__firing{index}");
            let table = firing.table(self.dialect, self.now, "__events", &profiles, self.key);
            self.push(format!("the events that fire {}", firing.column), &name, table);
            tables.push(name);
        }
        let tables: Vec<(&str, Vec<JoinedColumn>)> = tables
            .iter()
            .zip(self.firing)
            .map(|(table, firing)| {
                let occurrence = JoinedColumn {
                    source: ID,
                    name: &firing.column,
                    missing: None,
                };
                (table.as_str(), vec![occurrence])
            })
            .collect();
        let joined = self.left_joined(&profiles, "f", &tables);
        self.push("with each event trigger's occurrence".into(), "__with_triggers", joined);
    }

    /// The aggregates that read no computed column, over the events (joined to their profile
    /// where a `where` reads its fields): one group-by per event type, `last_n` apart, then the
    /// profiles with all of them.
    fn push_event_aggregates(&mut self) {
        let mut tables: Vec<(String, Vec<&AggregateJob<String>>)> = Vec::new();
        let mut batches: BTreeMap<&str, Vec<&AggregateJob<String>>> = BTreeMap::new();
        let mut ranked = Vec::new();
        for job in self.jobs.iter().filter(|j| !j.uses_profile) {
            if self.aggregate(job).reduction().is_some() {
                batches.entry(job.event_type.as_str()).or_default().push(job);
            } else {
                ranked.push(job);
            }
        }
        for job in ranked {
            let name = format!("{}_rows", job.column);
            let query = self.aggregate(job).last_n_table(&self.events_for(&[job]));
            self.push(format!("last_n into {}", job.column), &name, query);
            tables.push((name, vec![job]));
        }
        for (event_type, jobs) in batches {
            let name = format!("__{event_type}_aggregates");
            let query = self.group_by(&jobs, event_type, &self.events_for(&jobs));
            self.push(format!("aggregates over {event_type} events"), &name, query);
            tables.push((name, jobs));
        }
        let joined = self.joined_step("__profiles", &tables);
        self.push(
            "each profile with its aggregates (their values for no events where not null)".into(),
            "__with_aggregates",
            joined,
        );
    }

    /// The events `jobs` read: joined to their profile as loaded when a `where` reads its
    /// declared fields.
    fn events_for(&self, jobs: &[&AggregateJob<String>]) -> String {
        let fields = jobs.iter().any(|j| self.reading_fields.contains(&j.column));
        events_from(self.dialect, "__events", fields.then_some(("__profiles", self.key)))
    }

    /// The columns of `steps` in levels, each one level after the columns it reads, so that
    /// the columns of a level share one step (engines resolve a long chain of steps slowly,
    /// and Spark gives up after 100); with each level, the aggregates whose `where` reads
    /// computed columns, joined at its start over the profiles as they are then.
    fn levels<'s>(&self, steps: &'s [ChainColumn]) -> BTreeMap<usize, LevelColumns<'a, 's>> {
        let mut level_of: BTreeMap<&str, usize> = BTreeMap::new();
        let mut job_level: BTreeMap<&str, usize> = BTreeMap::new();
        let mut levels: BTreeMap<usize, LevelColumns> = BTreeMap::new();
        for step in steps {
            let mut level = 1;
            for read in &step.reads {
                if let Some(at) = level_of.get(read.as_str()) {
                    level = level.max(at + 1);
                } else if let Some(job) = self.jobs.iter().find(|j| j.uses_profile && &j.column == read) {
                    let at = match job_level.get(read.as_str()) {
                        Some(at) => *at,
                        None => {
                            let after = self
                                .where_reads
                                .get(read)
                                .into_iter()
                                .flatten()
                                .filter_map(|r| level_of.get(r.as_str()))
                                .max()
                                .map_or(1, |l| l + 1);
                            job_level.insert(job.column.as_str(), after);
                            levels.entry(after).or_default().0.push(job);
                            after
                        }
                    };
                    level = level.max(at);
                }
            }
            level_of.insert(step.name.as_str(), level);
            levels.entry(level).or_default().1.push(step);
        }
        levels
    }

    /// The events up to `now` from `tables.events`, with their user, type, time (in
    /// microseconds) and id under fixed names.
    fn push_events(&mut self, schema: &DataSchema, tables: &SqlTables) {
        let dialect = self.dialect;
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
    }

    /// The aggregates `jobs`, whose `where` clauses read computed columns, over the events
    /// joined to the profiles as they are now: one group-by per event type (`last_n` apart),
    /// then one step joining them to the profiles.
    fn push_profile_aggregates(&mut self, jobs: &[&AggregateJob<String>]) {
        if jobs.is_empty() {
            return;
        }
        let dialect = self.dialect;
        let profiles = self.last();
        let events = events_from(dialect, "__events", Some((&profiles, self.key)));
        let mut batches: BTreeMap<&str, Vec<&AggregateJob<String>>> = BTreeMap::new();
        let mut tables = Vec::new();
        for job in jobs {
            if self.aggregate(job).reduction().is_some() {
                batches.entry(job.event_type.as_str()).or_default().push(job);
            } else {
                let name = format!("{}_rows", job.column);
                let query = self.aggregate(job).last_n_table(&events);
                self.push(
                    format!("last_n into {} (its `where` reads the profile)", job.column),
                    &name,
                    query,
                );
                tables.push((name, vec![*job]));
            }
        }
        for (event_type, batch) in batches {
            let name = format!("{profiles}_{event_type}_aggregates");
            let query = self.group_by(&batch, event_type, &events);
            let comment = format!("aggregates over {event_type} events whose `where` reads the profile");
            self.push(comment, &name, query);
            tables.push((name, batch));
        }
        let joined = self.joined_step(&profiles, &tables);
        self.push(
            "with the aggregates that read the profile".into(),
            &format!("{profiles}_with_aggregates"),
            joined,
        );
    }

    /// The step adding the columns of level `level` (which read none of each other).
    fn push_level(&mut self, level: usize, columns: &[&ChainColumn]) {
        if columns.is_empty() {
            return;
        }
        let mut select = String::from("SELECT *");
        for column in columns {
            let _ = write!(
                select,
                ",\n  -- {}\n  {} AS {}",
                column.title,
                column.value,
                self.ident(&column.name)
            );
        }
        let _ = write!(select, "\n  FROM {}", self.ident(&self.last()));
        let comment = match columns {
            [only] => format!("level {level}: {}", only.title),
            _ => format!("level {level}: {} columns reading only earlier levels", columns.len()),
        };
        self.push(comment, &format!("__level{level}"), select);
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
        let tables: Vec<(&str, Vec<JoinedColumn>)> = tables
            .iter()
            .map(|(table, jobs)| {
                let columns = jobs
                    .iter()
                    .map(|job| JoinedColumn {
                        source: &job.column,
                        name: &job.column,
                        missing: self.aggregate(job).empty(),
                    })
                    .collect();
                (table.as_str(), columns)
            })
            .collect();
        self.left_joined(profiles, "a", &tables)
    }

    /// `profiles` (as `p`) left-joined by user to each of `tables` (as `{prefix}0`,
    /// `{prefix}1`, …), with the columns each gives.
    fn left_joined(&self, profiles: &str, prefix: &str, tables: &[(&str, Vec<JoinedColumn>)]) -> String {
        let mut select = vec!["p.*".to_string()];
        let mut from = format!("{} p", self.ident(profiles));
        for (index, (table, columns)) in tables.iter().enumerate() {
            let alias = format!("{prefix}{index}");
            for column in columns {
                let value = format!("{alias}.{}", self.ident(column.source));
                let value = match &column.missing {
                    Some(missing) => format!("coalesce({value}, {missing})"),
                    None => value,
                };
                select.push(format!("{value} AS {}", self.ident(column.name)));
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
        let mut columns: Vec<String> = self.shown_fields.iter().map(|f| self.ident(f)).collect();
        columns.extend(steps.iter().filter(|s| s.shown).map(|s| self.ident(&s.name)));
        columns.extend(self.firing.iter().map(|f| self.ident(&f.column)));
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
