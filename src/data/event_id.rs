//! Stable ids for events without an id column (SPEC §2).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

/// The first 16 bytes (hex) of SHA-256 over the user, the type, the UTC time in RFC 3339 and
/// the properties as JSON with sorted keys, joined by newlines. The same event gets the same id
/// on every run and machine, whatever file format it came from.
pub fn event_id(user: &str, event_type: &str, ts: DateTime<Utc>, properties: &BTreeMap<String, Json>) -> String {
    let properties = serde_json::to_string(properties).unwrap_or_default();
    let time = ts.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let digest = Sha256::new()
        .chain_update(user.as_bytes())
        .chain_update(b"\n")
        .chain_update(event_type.as_bytes())
        .chain_update(b"\n")
        .chain_update(time.as_bytes())
        .chain_update(b"\n")
        .chain_update(properties.as_bytes())
        .finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_depend_on_every_part() {
        let ts = DateTime::parse_from_rfc3339("2026-11-29T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let properties: BTreeMap<String, Json> = [("url".to_string(), Json::from("/p/p1"))].into();
        let id = event_id("u1", "page_view", ts, &properties);
        // printf 'u1\npage_view\n2026-11-29T10:00:00Z\n{"url":"/p/p1"}' | sha256sum | cut -c1-32
        assert_eq!(id.len(), 32);
        assert_eq!(id, "8f13ee4f60937b7cb55a700e567b5f67");
        assert_ne!(id, event_id("u2", "page_view", ts, &properties));
    }
}
