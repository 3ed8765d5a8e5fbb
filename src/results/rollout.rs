//! A rollout's decision from its test's analysis: the variant most likely to beat the first one
//! if that probability reaches `min_probability`, else the first variant — and none while the
//! arm sizes do not fit the weights.

use super::analysis::{p_text, points, CampaignResults};
use crate::model::{Rollout, RolloutDecision};

/// The decision at `now` (Unix seconds), or why none can be taken.
pub fn decision(results: &CampaignResults, rollout: &Rollout, now: i64) -> Result<RolloutDecision, String> {
    if results.sample_ratio_mismatch {
        return Err(format!(
            "no decision while the test's arm sizes do not fit the weights (sample ratio mismatch, {})",
            p_text(results.sample_ratio.map_or(1.0, |s| s.p_value))
        ));
    }
    let control = results.control.clone();
    let metric = &results.metric;
    let best = results
        .comparisons
        .iter()
        .max_by(|a, b| a.bayes.probability_to_beat.total_cmp(&b.bayes.probability_to_beat));
    let units: u64 = results.arms.iter().map(|a| a.units).sum();
    let reason = match best {
        Some(best) if best.bayes.probability_to_beat >= rollout.min_probability => {
            return Ok(RolloutDecision {
                winner: best.arm.clone(),
                decided_at: now,
                reason: format!(
                    "`{}` beats `{control}` on {metric} with probability {:.1}% (at least {:.0}% asked): {} (95% CI {:.1} to {:.1}) over {units} test recipients",
                    best.arm,
                    best.bayes.probability_to_beat * 100.0,
                    rollout.min_probability * 100.0,
                    points(best.lift_observed),
                    best.lift.low * 100.0,
                    best.lift.high * 100.0,
                ),
            });
        }
        Some(best) => format!(
            "no variant beats `{control}` on {metric} with probability {:.0}% or more (best: `{}` at {:.1}%) over {units} test recipients: keeping the first variant",
            rollout.min_probability * 100.0,
            best.arm,
            best.bayes.probability_to_beat * 100.0
        ),
        None => format!("no difference in {metric} was measured over {units} test recipients: keeping the first variant"),
    };
    Ok(RolloutDecision {
        winner: control,
        decided_at: now,
        reason,
    })
}
