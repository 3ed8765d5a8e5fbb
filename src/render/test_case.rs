//! Running a `kind: test` document (SPEC §7): the profile and its events go through the same
//! evaluation, bucketing and rendering as real recipients.

use polars::prelude::DataFrame;

use super::context::Recipient;
use super::golden::{is_exact_golden, readable_message};
use super::message::{render_message, Renderer};
use crate::check::CheckedWorkspace;
use crate::data::test_dataset;
use crate::eval::evaluate;
use crate::load::{Confinement, Refusal};
use crate::model::{assign, Assignment, Bucket, SendState, Test};
use crate::plan::{plan_campaign_alone, CampaignReport, History, PastSend};

/// What a test found: nothing when it passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The test's name.
    pub name: String,
    /// The campaign it tests.
    pub campaign: String,
    /// Each unmet expectation, in words.
    pub failures: Vec<String>,
}

/// The bucket the test's one profile landed in; `None` outside the audience.
fn bucket_of(report: &CampaignReport) -> Option<String> {
    if report.audience == 0 {
        return None;
    }
    if let Some((bucket, _)) = report.suppressed.iter().find(|(_, n)| *n > 0) {
        return Some(bucket.name().to_string());
    }
    if report.holdout > 0 {
        return Some(Bucket::Holdout.name().to_string());
    }
    // Outside a rollout's test share, before the decision: not due until the winner is known.
    if report.rollout.as_ref().is_some_and(|r| r.pending > 0) {
        return Some(Bucket::NotDue.name().to_string());
    }
    let variant = report.variants.iter().find(|v| v.count > 0)?;
    if variant.due > 0 {
        return Some(Bucket::Due.name().to_string());
    }
    variant
        .held
        .iter()
        .find(|(_, n)| *n > 0)
        .map(|(bucket, _)| bucket.name().to_string())
}

/// The unsubscribe secret tests sign with, whatever the environment says: golden files must
/// not depend on who runs them.
pub const TEST_SECRET: &[u8] = b"tailor-test";

/// Runs one test; `catalog` is the workspace's (for recommendations). With `bless`, golden
/// files are (re)written instead of compared.
pub fn run_test(
    workspace: &CheckedWorkspace,
    renderer: &Renderer,
    test: &Test,
    catalog: Option<&DataFrame>,
    bless: bool,
) -> TestOutcome {
    let mut outcome = TestOutcome {
        name: test.name.clone(),
        campaign: test.campaign.clone(),
        failures: Vec::new(),
    };
    if let Err(failure) = check_expectations(workspace, renderer, test, catalog, bless, &mut outcome.failures) {
        outcome.failures.push(failure);
    }
    outcome
}

fn check_expectations(
    workspace: &CheckedWorkspace,
    renderer: &Renderer,
    test: &Test,
    catalog: Option<&DataFrame>,
    bless: bool,
    failures: &mut Vec<String>,
) -> Result<(), String> {
    let campaign = workspace
        .campaigns
        .iter()
        .find(|c| c.name == test.campaign)
        .ok_or("the campaign did not check")?;
    let dataset = test_dataset(&workspace.schema, &test.profile, &test.events, catalog.cloned())?;
    let evaluation = evaluate(workspace, &dataset, test.now).map_err(|e| e.to_string())?;
    let history = test_history(workspace, test);
    let report = plan_campaign_alone(workspace, &dataset, &evaluation, campaign, &history, test.now)
        .map_err(|e| e.to_string())?;
    let bucket = bucket_of(&report);
    let shown = bucket.clone().unwrap_or_else(|| "outside the audience".into());
    let due = bucket.as_deref() == Some(Bucket::Due.name());
    let expect = &test.expect;
    // `audience: true` means "due now": in the audience, not held out, suppressed, capped or
    // quiet, and scheduled or triggered at `now`.
    if expect.audience && !due {
        failures.push(format!(
            "expected the message to be due now (`audience: true`), but the profile is {shown}"
        ));
    }
    if !expect.audience && due {
        failures.push("expected no message now (`audience: false`), but it is due".to_string());
    }
    if let Some(reason) = expect.reason {
        if bucket.as_deref() != Some(reason.name()) {
            failures.push(format!("expected reason `{reason}`, but the profile is {shown}"));
        }
    }
    let key = test
        .profile
        .get(&workspace.schema.key)
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    let weights: Vec<u32> = campaign.variants.iter().map(|v| v.weight).collect();
    let assigned = match assign(&campaign.salt, key, campaign.holdout, &weights) {
        Assignment::Variant(index) => Some(&campaign.variants[index]),
        Assignment::Holdout => None,
    };
    // Without `force:`, `variant:` asserts the hash's assignment; with it, the variant rendered
    // is the forced one (the check makes sure the two name the same variant).
    if let (Some(expected), None) = (&expect.variant, &test.force) {
        let got = assigned.map_or("the holdout", |v| v.name.as_str());
        if got != expected {
            failures.push(format!(
                "expected variant `{expected}`, but the hash assigns {got} (add `force: {expected}` to render it anyway)"
            ));
        }
    }
    if !expect.contains.is_empty() || expect.golden.is_some() {
        let variant = match &test.force {
            Some(name) => campaign.variants.iter().find(|v| &v.name == name),
            None => assigned,
        };
        let Some(variant) = variant else {
            failures.push("nothing to render: the profile is in the holdout (use `force:`)".to_string());
            return Ok(());
        };
        let recipient = Recipient {
            workspace,
            dataset: &dataset,
            evaluation: &evaluation,
            row: 0,
            now: test.now,
            occurrence: None,
        };
        let message = render_message(renderer, workspace, &recipient, campaign, variant, TEST_SECRET)?;
        let rendered = [
            message.subject.as_str(),
            message.preheader.as_deref().unwrap_or(""),
            &message.text,
            &message.html,
        ]
        .join("\n");
        for needle in &expect.contains {
            if !rendered.contains(needle.as_str()) {
                failures.push(format!("the message does not contain {needle:?}"));
            }
        }
        if let Some(golden) = &expect.golden {
            // Stored with LF line endings so that golden files diff cleanly in review: readable
            // (decoded headers and parts), or the exact message for a golden file named `.eml`.
            let actual = if is_exact_golden(golden) {
                message.eml.replace("\r\n", "\n")
            } else {
                readable_message(&message.eml)
            };
            // A golden file is read or written only where it really is inside the workspace.
            let confinement = Confinement::new(&workspace.root).map_err(|e| e.to_string())?;
            let refused = |refusal: Refusal| format!("{refusal} [{}]: {}", refusal.code(), refusal.hint());
            if bless {
                // Its nearest existing folder is inside; the folders made below it are real ones.
                confinement.writable(golden).map_err(refused)?;
                std::fs::create_dir_all(golden.parent().unwrap_or(golden)).map_err(|e| e.to_string())?;
                std::fs::write(golden, &actual).map_err(|e| format!("cannot write `{}`: {e}", golden.display()))?;
            } else if std::fs::symlink_metadata(golden).is_err() {
                failures.push(format!(
                    "golden file `{}` does not exist (run `tailor test --bless`)",
                    golden.display()
                ));
            } else {
                confinement.inside(golden).map_err(refused)?;
                match std::fs::read_to_string(golden) {
                    Ok(expected) if expected == actual => {}
                    Ok(expected) => failures.push(format!(
                        "the message differs from `{}`:\n{}",
                        golden.display(),
                        line_diff(&expected, &actual)
                    )),
                    Err(e) => failures.push(format!("cannot read golden file `{}`: {e}", golden.display())),
                }
            }
        }
    }
    Ok(())
}

/// A unified diff from the golden file to the rendered message (two lines of context), cut after
/// [`DIFF_LINES`] lines.
fn line_diff(expected: &str, actual: &str) -> String {
    let diff = similar::TextDiff::from_lines(expected, actual);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("golden", "rendered")
        .to_string();
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.len() > DIFF_LINES {
        lines.truncate(DIFF_LINES);
        lines.push("...");
    }
    lines.join("\n")
}

/// The most diff lines a failure shows.
const DIFF_LINES: usize = 60;

/// The test's `history:` as ledger rows of its profile (sends up to the test's `now`).
fn test_history(workspace: &CheckedWorkspace, test: &Test) -> History {
    let key = test
        .profile
        .get(&workspace.schema.key)
        .and_then(|k| k.as_str())
        .unwrap_or_default();
    let rows = test
        .history
        .iter()
        .filter(|h| h.at <= test.now)
        .map(|h| PastSend {
            campaign: h.campaign.clone(),
            key: key.to_string(),
            occurrence: format!("history:{}", h.at.timestamp()),
            state: SendState::Sent,
            at: h.at.timestamp(),
        })
        .collect();
    History::from_rows("the test's history", rows, Default::default())
}
