//! Each campaign's audience and its members' arms (SPEC §5) as SQL: who is in the campaign's
//! audience and consents, and where the deterministic split puts them —
//! `bucket = first 8 bytes, big-endian, of SHA-256("{salt}:{key}") mod 10000`, then the
//! holdout below `holdout × 10000` and the variants by cumulative weight, in integers.
//!
//! What stays with `plan` and `run`, which own the ledger: the address checks, the suppression
//! list, frequency caps, what was already sent, quiet hours, and a staged rollout's arms (they
//! follow decisions recorded in the ledger, so a rollout campaign gets no arm column here).
//! When each profile is due is [`super::due`]'s.

use std::collections::BTreeSet;

use super::dialect::Dialect;
use crate::model::Campaign;

/// The name of the column saying whether a profile is in `campaign`'s audience and consents.
pub fn audience_column(campaign: &str) -> String {
    format!("audience.{campaign}")
}

/// The name of the column of a profile's arm in `campaign`.
pub fn arm_column(campaign: &str) -> String {
    format!("arm.{campaign}")
}

/// The name of the hidden column of a profile's bucket in `campaign`.
pub fn bucket_column(campaign: &str) -> String {
    format!("__bucket.{campaign}")
}

/// What a campaign adds to the query: its audience (the lowered `audience:` condition and
/// consent rule) and, unless it is a staged rollout, each profile's bucket and its arm.
pub struct CampaignColumns {
    /// The audience column's value.
    pub audience: String,
    /// The bucket column's value and the arm column's (reading the audience and the bucket).
    pub bucket_and_arm: Option<(String, String)>,
}

impl CampaignColumns {
    /// The columns of `campaign`, whose `audience:` lowered to `audience` (none: everyone)
    /// and the consent rule to the column `consent`; `key` is the profile key's column.
    pub fn new(dialect: Dialect, campaign: &Campaign, audience: Option<String>, consent: &str, key: &str) -> Self {
        let audience = match audience {
            Some(condition) => format!("(coalesce({condition}, FALSE) AND {consent})"),
            None => consent.to_string(),
        };
        let bucket_and_arm = campaign.rollout.is_none().then(|| {
            let bucket = dialect.ident(&bucket_column(&campaign.name));
            let holdout = i64::from(campaign.holdout.hundredths);
            let total: i64 = campaign.variants.iter().map(|v| i64::from(v.weight)).sum();
            let mut arms = format!("CASE WHEN {bucket} < {holdout} THEN 'holdout'");
            let mut cumulative = 0i64;
            for (index, variant) in campaign.variants.iter().enumerate() {
                cumulative += i64::from(variant.weight);
                let name = dialect.string(&variant.name);
                if index + 1 == campaign.variants.len() {
                    arms.push_str(&format!(" ELSE {name} END"));
                } else {
                    arms.push_str(&format!(
                        " WHEN ({bucket} - {holdout}) * {total} < {} * {cumulative} THEN {name}",
                        10_000 - holdout
                    ));
                }
            }
            let arm = format!(
                "CASE WHEN {} THEN {arms} END",
                dialect.ident(&audience_column(&campaign.name))
            );
            (dialect.bucket(&campaign.salt, &dialect.ident(key)), arm)
        });
        CampaignColumns {
            audience,
            bucket_and_arm,
        }
    }
}

/// The columns an arm reads: its campaign's audience and bucket.
pub fn arm_reads(campaign: &str) -> BTreeSet<String> {
    BTreeSet::from([audience_column(campaign), bucket_column(campaign)])
}
