//! The engines `plan`, `run` and `report` can evaluate a workspace on (`--engine`): tailor's own
//! over the datasets in memory, or a database holding the workspace's tables.

/// Where `plan` evaluates the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// tailor's own engine, over the datasets loaded into memory.
    #[default]
    Polars,
    /// The PostgreSQL server holding the workspace's profiles and events tables.
    Postgres,
    /// The Spark cluster holding them, through Spark Connect.
    Spark,
}

impl Engine {
    /// Every engine, in the order `--engine` lists them.
    pub const ALL: [Engine; 3] = [Engine::Polars, Engine::Postgres, Engine::Spark];

    /// The engine's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Polars => "polars",
            Engine::Postgres => "postgres",
            Engine::Spark => "spark",
        }
    }
}
