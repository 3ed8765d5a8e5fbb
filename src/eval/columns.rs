//! The names of the columns evaluation adds to the profile frame.

/// The column of segment `name` in the evaluated frame.
pub fn segment_column(name: &str) -> String {
    format!("segment.{name}")
}

/// The column of profile field `name` inside an event scope (after joining profiles).
pub fn user_column(name: &str) -> String {
    format!("user.{name}")
}

/// The column of persona model `name` in the evaluated frame.
pub fn persona_column(name: &str) -> String {
    format!("persona.{name}")
}

/// The column of score model `name` in the evaluated frame.
pub fn score_column(name: &str) -> String {
    format!("score.{name}")
}

/// The column of the consent rule's flags an engine hands back for `plan`.
pub fn consent_flags_column() -> &'static str {
    "__plan.consent"
}

/// The column of campaign `name`'s `audience:` flags (without the consent rule) an engine hands
/// back for `plan`.
pub fn audience_flags_column(name: &str) -> String {
    format!("__plan.audience.{name}")
}

/// The column of model `name`'s population flags an engine hands back for `plan`.
pub fn population_flags_column(name: &str) -> String {
    format!("__plan.population.{name}")
}
