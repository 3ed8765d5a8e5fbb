//! The registry of diagnostic codes: every code tailor reports, with its severity, the exit
//! code it leads to when it stops a command, and what it means. `docs/diagnostics.md` is
//! generated from it ([`markdown`]); a test keeps the two, and the codes used in `src/`, in
//! step.

use std::fmt::Write as _;

use super::Severity;

/// One diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// `stage::what`, for example `expr::unknown-field`.
    pub name: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The process's exit code when it stops a command: 1 for the input or the outcome, 2 for
    /// usage and the environment, 0 for a warning.
    pub exit: u8,
    /// What it means.
    pub summary: &'static str,
}

const fn error(name: &'static str, summary: &'static str) -> Code {
    Code {
        name,
        severity: Severity::Error,
        exit: 1,
        summary,
    }
}

const fn usage(name: &'static str, summary: &'static str) -> Code {
    Code {
        name,
        severity: Severity::Error,
        exit: 2,
        summary,
    }
}

const fn warning(name: &'static str, summary: &'static str) -> Code {
    Code {
        name,
        severity: Severity::Warning,
        exit: 0,
        summary,
    }
}

/// A group of codes: their prefix, what they are about, and which commands report them.
#[derive(Debug, Clone, Copy)]
pub struct Group {
    /// `expr::`, `run::`, ...
    pub prefix: &'static str,
    /// What the group is about.
    pub about: &'static str,
    /// The commands that report its codes.
    pub commands: &'static str,
}

/// Every group, in the order the pipeline meets them.
pub const GROUPS: &[Group] = &[
    Group {
        prefix: "workspace::",
        about: "finding the workspace",
        commands: "every command but `init` and `schema`",
    },
    Group {
        prefix: "yaml::",
        about: "YAML shape",
        commands: "`check` and every command that loads the workspace",
    },
    Group {
        prefix: "load::",
        about: "files and documents",
        commands: "`check` and every command that loads the workspace",
    },
    Group {
        prefix: "names::",
        about: "every `name:`",
        commands: "`check`",
    },
    Group {
        prefix: "schema::",
        about: "`kind: data`",
        commands: "`check`; `schema::io` from `schema`",
    },
    Group {
        prefix: "expr::",
        about: "expressions",
        commands: "`check`",
    },
    Group {
        prefix: "features::",
        about: "features",
        commands: "`check`",
    },
    Group {
        prefix: "segments::",
        about: "segments",
        commands: "`check`",
    },
    Group {
        prefix: "personas::",
        about: "persona models",
        commands: "`check`; `personas::evaluate` and `personas::bad-base` from `personas`",
    },
    Group {
        prefix: "model::",
        about: "score models (`kind: model`)",
        commands:
            "`check`; `model::train` from `train`; `model::missing`, `model::stale` (age) and `model::drift` from `plan` and `run`",
    },
    Group {
        prefix: "manifest::",
        about: "`tailor.yaml`",
        commands: "`check`",
    },
    Group {
        prefix: "campaign::",
        about: "campaigns",
        commands: "`check`",
    },
    Group {
        prefix: "template::",
        about: "Liquid templates",
        commands: "`check`",
    },
    Group {
        prefix: "test::",
        about: "`kind: test` documents",
        commands: "`check`; `test::io` from `test`",
    },
    Group {
        prefix: "cli::",
        about: "command-line arguments",
        commands: "any",
    },
    Group {
        prefix: "data::",
        about: "dataset files and rows",
        commands: "`plan`, `run`, `personas`, `preview`, `test`, `suppress import`",
    },
    Group {
        prefix: "plan::",
        about: "planning",
        commands: "`plan`, `run`",
    },
    Group {
        prefix: "render::",
        about: "rendering messages",
        commands: "`plan`, `run`, `preview`, `test`",
    },
    Group {
        prefix: "preview::",
        about: "previews and proofs",
        commands: "`preview`",
    },
    Group {
        prefix: "ledger::",
        about: "the send ledger (SQLite, or PostgreSQL shared by many senders)",
        commands: "`plan`, `run`, `suppress`",
    },
    Group {
        prefix: "run::",
        about: "running a plan",
        commands: "`run` (`no-secret`, `weak-secret`, `dkim`, `smtp-*`, `outbox` also from `preview --send-to`)",
    },
    Group {
        prefix: "suppress::",
        about: "the suppression list",
        commands: "`suppress`",
    },
    Group {
        prefix: "init::",
        about: "creating a workspace",
        commands: "`init`",
    },
    Group {
        prefix: "serve::",
        about: "the long-running service",
        commands: "`serve`; `tracking-plan` and `log` also from `events replay`",
    },
    Group {
        prefix: "events::",
        about: "the event log's quarantine",
        commands: "`events`",
    },
];

/// Every code tailor reports.
pub const CODES: &[Code] = &[
    usage(
        "workspace::not-found",
        "no `tailor.yaml` in the folder given or in any parent of the current one",
    ),
    error("yaml::syntax", "the file is not valid YAML"),
    error(
        "yaml::unknown-key",
        "a key the document's kind does not have (the hint suggests the nearest)",
    ),
    error("yaml::unknown-value", "a value outside the allowed set"),
    error("yaml::missing-key", "a required key is absent"),
    error(
        "yaml::wrong-type",
        "a value of the wrong YAML type (a list where a string belongs, ...)",
    ),
    error("yaml::duplicate-key", "a key given twice in one mapping"),
    error(
        "yaml::too-complex",
        "nesting deeper than 64, or alias expansion beyond its budget",
    ),
    error("load::not-utf8", "a file that is not UTF-8 text"),
    error("load::missing-kind", "a document without `kind:`"),
    error("load::unknown-kind", "a `kind:` tailor does not know"),
    usage("load::io", "a workspace file or folder that cannot be read"),
    error(
        "load::outside-workspace",
        "a file, or a link, whose real location is outside the workspace (datasets named inside it too)",
    ),
    error("load::not-a-file", "a FIFO, device or folder where a file belongs"),
    error("load::unreadable", "a file that exists but cannot be read"),
    error(
        "names::invalid",
        "a name that is not lowercase letters, digits and `_`, starting with a letter",
    ),
    error("names::duplicate", "two documents of one kind with one name"),
    error("schema::missing", "no `kind: data` document"),
    error(
        "schema::duplicate",
        "a second `kind: data` document, or a field declared twice",
    ),
    error("schema::bad-type", "a field type tailor does not know"),
    error(
        "schema::unknown-column",
        "a column the schema refers to but does not declare",
    ),
    error(
        "schema::reserved-name",
        "an event property named like one of the event's own columns (user, time, id)",
    ),
    error("schema::not-text", "a key or id column that is not text"),
    error("schema::nullable-key", "a profile key that may be null"),
    error(
        "schema::bad-source",
        "a dataset path with an unknown format, or a PostgreSQL or Spark URL without a table (or with a secret)",
    ),
    error("schema::missing-source", "a dataset path that does not exist"),
    error(
        "schema::unreachable-source",
        "`check --online`: the columns of a PostgreSQL or Spark source cannot be read",
    ),
    error(
        "schema::missing-column",
        "`check --online`: a PostgreSQL or Spark table lacks a column the schema requires",
    ),
    warning(
        "schema::absent-column",
        "`check --online`: a PostgreSQL or Spark table lacks an optional column (it reads as null)",
    ),
    error(
        "schema::column-type",
        "`check --online`: a PostgreSQL or Spark column's type does not hold the declared type",
    ),
    usage("schema::io", "`tailor schema` cannot write its output folder"),
    error("expr::syntax", "an expression that does not parse"),
    error(
        "expr::unterminated-string",
        "a string literal without its closing quote",
    ),
    error("expr::bad-number", "a number that does not parse or does not fit"),
    error("expr::bad-duration", "a duration literal such as `7x`"),
    error(
        "expr::bad-literal",
        "a `date`/`datetime` literal that is not a valid date or time",
    ),
    error("expr::too-deep", "an expression nested more than 64 deep"),
    error("expr::too-large", "an expression with more than 512 operators"),
    error("expr::unknown-field", "a profile field or feature that does not exist"),
    error("expr::unknown-function", "a function tailor does not have"),
    error(
        "expr::wrong-arity",
        "a function called with the wrong number of arguments",
    ),
    error("expr::type-mismatch", "operands or arguments of the wrong type"),
    error("expr::not-boolean", "a condition that is not true or false"),
    error(
        "expr::unknown-event-type",
        "an aggregate over an event type the schema does not declare",
    ),
    error(
        "expr::unknown-property",
        "an event property the event type does not declare",
    ),
    error(
        "expr::unknown-segment",
        "`segment.<name>` of a segment that does not exist",
    ),
    error(
        "expr::unknown-persona",
        "`persona.<name>` of a persona model that does not exist",
    ),
    error(
        "expr::unknown-score",
        "`score.<name>` of a score model (`kind: model`) that does not exist",
    ),
    error(
        "expr::unknown-enum-value",
        "a comparison with a value outside a field's `enum`",
    ),
    error(
        "expr::unknown-persona-label",
        "a comparison of `persona.<model>` with a label the model never gives",
    ),
    error(
        "expr::nested-aggregate",
        "an aggregate inside an aggregate, or inside a trigger's `where`",
    ),
    error("features::cycle", "features that refer to each other in a loop"),
    error("features::shadows-field", "a feature with the name of a profile field"),
    error("segments::cycle", "segments that refer to each other in a loop"),
    error(
        "personas::missing-parameter",
        "`k` (K-Means) or `eps`/`min_points` (DBSCAN) is missing",
    ),
    error(
        "personas::bad-parameter",
        "a parameter out of range, or a prototype value that is not finite",
    ),
    error("personas::no-features", "a persona model without features"),
    error(
        "personas::unknown-feature",
        "a clustering input that is no feature or profile field",
    ),
    error("personas::not-numeric", "a clustering input that is not a number"),
    error("personas::duplicate-feature", "a clustering input listed twice"),
    error(
        "personas::too-many-prototypes",
        "more named prototypes than K-Means clusters",
    ),
    error("personas::evaluate", "a persona model cannot be fitted on the data"),
    error(
        "personas::bad-base",
        "`--base` is not a `personas --format json` file with members",
    ),
    error("model::no-features", "a score model without inputs"),
    error(
        "model::unknown-feature",
        "a model input that is no feature or profile field",
    ),
    error("model::bad-input", "a model input that is a list, a date or an instant"),
    error("model::duplicate-feature", "a model input listed twice"),
    error(
        "model::label-reads-feature",
        "a label that reads a feature, segment or persona (computed as of the cut-off)",
    ),
    error("model::label-without-events", "a label that reads no events"),
    error(
        "model::bad-duration",
        "a `horizon` or `max_age` that is not a positive duration",
    ),
    warning(
        "model::untrained",
        "a score model without a saved fit: `tailor train` writes one",
    ),
    warning(
        "model::bad-saved",
        "a saved fit (`models/<name>.json`) that does not read",
    ),
    warning(
        "model::stale",
        "a saved fit trained on other inputs or by another algorithm, or older than `max_age`",
    ),
    warning(
        "model::drift",
        "an input whose distribution moved since the saved fit was trained",
    ),
    error(
        "model::missing",
        "a score read by the workspace without a usable saved fit",
    ),
    error(
        "model::cycle",
        "a score model whose inputs or population read its own score",
    ),
    error(
        "model::train",
        "a model cannot be trained: too little history, or one outcome only",
    ),
    error("manifest::missing-consent", "no `policy.consent` rule"),
    error("manifest::bad-timezone", "a time zone that is not an IANA name"),
    error("manifest::bad-locale", "a locale tailor has no data for"),
    error("manifest::bad-currency", "a currency that is not an ISO 4217 code"),
    error(
        "manifest::bad-address",
        "a sender or reply-to that is not an email address",
    ),
    error(
        "manifest::missing-postal-address",
        "no postal address for the footer (CAN-SPAM)",
    ),
    error("manifest::bad-cap", "a frequency cap that is not `N per DURATION`"),
    error("manifest::bad-time-range", "quiet hours that are not `HH:MM-HH:MM`"),
    error("manifest::bad-duration", "a duration that does not parse"),
    error(
        "manifest::unreachable-ledger",
        "`check --online`: the PostgreSQL ledger `delivery.ledger` names does not answer",
    ),
    error(
        "manifest::bad-ledger",
        "a `delivery.ledger` PostgreSQL URL with a password or a bad schema name",
    ),
    error(
        "manifest::bad-percent",
        "a percentage that does not parse or is out of range",
    ),
    error(
        "manifest::bad-number",
        "a number out of range (pool size, rate, retries)",
    ),
    error(
        "manifest::bad-smtp-url",
        "an SMTP URL that is not `smtp://` or `smtps://` with a host",
    ),
    error(
        "manifest::secret-in-url",
        "a password in the SMTP URL (the line is not echoed)",
    ),
    error("manifest::missing-smtp", "`transport: smtp` without `smtp:` settings"),
    error("manifest::missing-file", "a DKIM key file that does not exist"),
    warning(
        "manifest::unsubscribe-without-token",
        "an unsubscribe URL without `{token}`: links cannot be checked",
    ),
    warning(
        "manifest::insecure-unsubscribe",
        "an unsubscribe URL that is not HTTPS (RFC 8058 wants HTTPS)",
    ),
    error(
        "manifest::bad-tracking-url",
        "`tracking.base_url` is not an absolute http(s) URL without query or fragment",
    ),
    error("campaign::timing", "both or neither of `schedule:` and `trigger:`"),
    error("campaign::bad-time", "a schedule time that does not parse"),
    error(
        "campaign::bad-timezone",
        "a schedule time zone that is not an IANA name",
    ),
    error("campaign::bad-duration", "a trigger duration that does not parse"),
    error(
        "campaign::bad-trigger",
        "a trigger with both or neither of `on:` and `when:`, or keys of the other kind",
    ),
    error("campaign::missing-once-per", "a condition trigger without `once_per`"),
    error(
        "campaign::unknown-event-type",
        "a trigger on an event type the schema does not declare",
    ),
    error("campaign::bad-template", "a template path that is not a `.liquid` file"),
    error("campaign::missing-template", "a template file that does not exist"),
    error("campaign::no-variants", "an empty `variants:` list"),
    error(
        "campaign::bad-weight",
        "a variant weight that is not a positive whole number",
    ),
    error("campaign::reserved-variant", "a variant named `holdout`"),
    error("campaign::bad-holdout", "a holdout that is not a percentage below 100%"),
    error(
        "campaign::bad-percent",
        "a `goal.baseline` or `goal.min_detectable_lift` that is not a percentage",
    ),
    warning(
        "plan::underpowered",
        "a campaign whose arm sizes cannot detect its `goal.min_detectable_lift`",
    ),
    error(
        "campaign::bad-rollout",
        "a `rollout:` with one variant, a bad test share, metric or probability",
    ),
    error(
        "campaign::variant-schedule",
        "a variant with its own `schedule:` in a triggered campaign",
    ),
    error(
        "campaign::bad-goal-value",
        "a `goal.value` that is not a numeric property of the goal event",
    ),
    error("campaign::bad-salt", "an empty salt"),
    error("campaign::empty-subject", "a subject that is empty"),
    error(
        "campaign::bad-address",
        "a `from` or `reply_to` that is not an email address",
    ),
    error(
        "campaign::recommend-without-catalog",
        "`recommend:` in a workspace without a catalog",
    ),
    error(
        "schema::bad-role",
        "an `events.roles` entry naming an event type or property the schema does not declare",
    ),
    error(
        "campaign::bad-recommend",
        "a `recommend:` `exclude` or `category` that is not text known per recipient",
    ),
    error(
        "campaign::recommend-needs-events",
        "`recommend:` without the view and purchase events it reads",
    ),
    error(
        "campaign::bad-limit",
        "a recommendation `limit` that is not a whole number of at least 1",
    ),
    error("template::syntax", "Liquid that does not parse"),
    error("template::too-deep", "blocks nested more than 100 deep"),
    error("template::unclosed-block", "an `if`, `for`, ... without its end tag"),
    error("template::unexpected-tag", "an end or branch tag where none is open"),
    error("template::unknown-tag", "a tag tailor does not have"),
    error("template::unknown-variable", "a variable the context does not have"),
    error("template::unknown-filter", "a filter tailor does not have"),
    error("template::filter-arity", "a filter given the wrong number of arguments"),
    error(
        "template::unknown-partial",
        "a `render`/`include` of a partial that does not exist",
    ),
    error("template::partial-cycle", "partials that render each other in a loop"),
    error(
        "template::unknown-enum-value",
        "a comparison with a value outside a field's `enum`",
    ),
    error(
        "template::missing-unsubscribe-link",
        "an HTML template that shows no `{{ unsubscribe_url }}` link, directly or through a partial",
    ),
    error(
        "template::product-without-catalog",
        "the `product` filter in a workspace whose data schema declares no catalog",
    ),
    error(
        "template::filter-argument",
        "a filter argument of the wrong type, or a currency code, strftime format or time zone that does not exist",
    ),
    error(
        "template::compare-types",
        "a template comparison of a number, a string or a bool with a value of another kind",
    ),
    error(
        "template::unknown-persona-label",
        "a comparison of `user.persona.<model>` with a label the model never gives",
    ),
    warning(
        "template::filter-type",
        "a filter applied to a value of a type it does not expect",
    ),
    warning(
        "template::nullable-without-default",
        "a value that may be missing, output without `default`",
    ),
    warning("template::raw-output", "output marked `raw`: not escaped"),
    error("test::unknown-campaign", "a test of a campaign that does not exist"),
    error(
        "test::unknown-variant",
        "a test forcing or expecting a variant the campaign does not have",
    ),
    error(
        "test::unknown-field",
        "a test profile field the schema does not declare",
    ),
    error("test::missing-field", "a test profile without a required field"),
    error("test::bad-value", "a test value that does not fit its field"),
    error("test::bad-time", "a test time that does not parse"),
    error(
        "test::unknown-event-type",
        "a test event of a type the schema does not declare",
    ),
    error(
        "test::bad-expectation",
        "an expectation that contradicts itself or names a reason that does not exist",
    ),
    error("test::golden-outside", "a golden file path outside the workspace"),
    usage("test::io", "`tailor test --junit` cannot write its report"),
    usage("cli::bad-now", "`--now` is not an RFC 3339 time"),
    usage("cli::usage", "options that do not go together"),
    usage(
        "cli::unknown-campaign",
        "`--campaign` names a campaign that does not exist",
    ),
    usage(
        "cli::chart-needs-campaign",
        "`tailor report --format svg` without a campaign to chart",
    ),
    usage("data::io", "a dataset file that cannot be read or parsed"),
    error("data::bad-value", "a value that does not fit its column's type"),
    error(
        "data::bad-timezone",
        "a recipient time zone in the data that is not an IANA name",
    ),
    error(
        "data::bad-row",
        "a row with too few or too many cells, or that does not parse",
    ),
    error("data::missing-column", "a declared column the file does not have"),
    error(
        "data::wrong-column-type",
        "a typed (Parquet) column of another type than declared",
    ),
    error("data::duplicate-key", "two profiles with one key"),
    error(
        "data::unknown-event-type",
        "an event of a type the schema does not declare",
    ),
    error(
        "data::too-many-errors",
        "more than 50 bad rows in one file: the rest are not listed",
    ),
    warning("data::skipped-rows", "rows left out by `--skip-bad-rows`"),
    warning(
        "data::incomplete-profile",
        "profiles known only from `serve`'s identify calls that lack a required field (left out until set)",
    ),
    warning("data::unknown-user", "events of users who have no profile"),
    error("plan::evaluate", "the workspace cannot be evaluated on the data"),
    error("plan::bad-base", "`--base` is not a plan saved with `--format json`"),
    error(
        "plan::sql-unsupported",
        "`--emit-sql`: the workspace reads something not lowered to SQL yet (persona labels, scores)",
    ),
    usage("plan::io", "`--base` cannot be read"),
    error(
        "plan::engine-unsupported",
        "`--engine`: the workspace reads something the engine does not compute yet (persona labels in a segment), its data is not in the engine, or this build has no Spark client",
    ),
    usage("plan::engine", "`--engine`: the engine cannot be reached or its query failed"),
    warning(
        "plan::engine-event-log",
        "`--engine`: events `tailor serve` received on this host are not in the engine's events table",
    ),
    error(
        "render::failed",
        "a message that does not render (the hint gives the `preview` that reproduces it)",
    ),
    error("render::partials", "the workspace's partials cannot be compiled"),
    usage(
        "preview::unknown-campaign",
        "`preview` of a campaign that does not exist",
    ),
    usage(
        "preview::unknown-test",
        "`--test` names no test, or a test of another campaign",
    ),
    error(
        "preview::dropped-profile",
        "`preview --profile` of a profile whose row was left out as bad, with the reason",
    ),
    error(
        "preview::failed",
        "the preview cannot be made (no such profile or variant, a holdout, a write that failed)",
    ),
    error(
        "preview::proof-failed",
        "the server did not accept the proof (exit 2 when it was never sent)",
    ),
    usage("preview::bad-address", "`--send-to` is not an email address"),
    usage("preview::serve", "`--watch` cannot start its page"),
    usage("preview::watch", "`--watch` cannot watch the workspace's files"),
    warning(
        "preview::no-secret",
        "no unsubscribe secret: the preview's token is signed with a placeholder",
    ),
    usage(
        "ledger::unreadable",
        "a ledger that cannot be read: not a SQLite file written by tailor, or a PostgreSQL server that cannot be reached",
    ),
    usage("ledger::write", "the ledger cannot be written"),
    error("run::stale-data", "the newest event is older than `max_data_age`"),
    error("run::too-many", "more sends due than `--max-sends`: nothing was sent"),
    error("run::locked", "another live run holds a lease of the ledger that excludes this one"),
    usage(
        "run::no-secret",
        "SMTP without `TAILOR_UNSUBSCRIBE_SECRET` (or with an empty one)",
    ),
    usage("run::weak-secret", "an unsubscribe secret shorter than 32 bytes"),
    usage("run::dkim", "the DKIM key cannot be read"),
    usage(
        "run::smtp-setup",
        "the SMTP settings cannot be used (a password in the URL, a missing variable)",
    ),
    usage("run::smtp-unreachable", "the SMTP server does not answer"),
    usage("run::outbox", "the outbox folder cannot be created"),
    warning(
        "run::unsafe",
        "the crash test's switch that disables reservations is set",
    ),
    error(
        "suppress::bad-address",
        "an address that is not an email address (exit 2 for `add`)",
    ),
    error("suppress::bad-row", "an import row that does not parse"),
    error("suppress::no-email-column", "an import file without an `email` column"),
    error("suppress::format", "an import file that is not CSV"),
    error("suppress::not-listed", "`remove` of an address not on the list"),
    usage("init::exists", "the folder already holds a workspace"),
    usage("init::io", "the starter files cannot be written"),
    usage(
        "serve::no-write-keys",
        "`TAILOR_WRITE_KEYS` is not set, so the event endpoints would take anyone's events",
    ),
    usage("serve::listen", "the address cannot be listened on"),
    usage("serve::log", "the event log cannot be opened or written"),
    usage(
        "serve::tracking-plan",
        "the tracking plan generated from the data schema does not compile (a defect)",
    ),
    usage("events::io", "the quarantine cannot be read or rewritten"),
    usage(
        "cli::bad-duration",
        "a duration option that is not a duration such as `15m`",
    ),
];

/// The registered code called `name`.
pub fn code(name: &str) -> Option<&'static Code> {
    CODES.iter().find(|code| code.name == name)
}

/// `docs/diagnostics.md`: every group and its codes.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from src/diag/codes.rs; `TAILOR_BLESS=1 cargo test diagnostic_codes` rewrites it. -->\n\n\
         Every problem tailor reports has a stable code, `stage::what`. `check` prints them with\n\
         `--format human|json|github|sarif` (machine formats on stdout); every other command prints\n\
         them on stderr, as `--diagnostic-format` says (JSON by default when the command's own output\n\
         is JSON). Errors from `check` exit 1; warnings do too with `--deny-warnings`. The exit column\n\
         is what a command returns when the code stops it: 1 for the input or the outcome, 2 for usage\n\
         and the environment.\n\n\
         Examples of each, with the exact report, are the snapshots in `tests/cli/snapshots/`.\n",
    );
    for group in GROUPS {
        let _ = write!(
            out,
            "\n## `{}` {}\n\nReported by {}.\n\n| code | severity | exit | meaning |\n|---|---|---|---|\n",
            group.prefix, group.about, group.commands
        );
        for code in CODES.iter().filter(|code| code.name.starts_with(group.prefix)) {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                code.name,
                code.severity.as_str(),
                code.exit,
                code.summary
            );
        }
    }
    out
}
