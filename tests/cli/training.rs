//! `tailor train`: score models fitted by time travel on a generated shop, held to
//! scikit-learn's `LogisticRegression` and `HistGradientBoostingClassifier` on the same matrices
//! (`training_reference.py`), saved
//! byte-identically on a second run, and refused with a reason when the data cannot teach them.

use std::process::Command;

use serde_json::Value;

use crate::support::{generated_shop, python_has, small_demo, tailor};

const NOW: &str = "2026-12-01T15:00:00Z";

#[test]
fn a_logistic_churn_model_agrees_with_scikit_learn_and_is_saved_the_same_way_twice() {
    let saved = train_and_compare("logistic");
    assert!(saved.contains("\"intercept\""), "{saved}");
}

#[test]
fn a_boosted_churn_model_agrees_with_scikit_learn_and_is_saved_the_same_way_twice() {
    let saved = train_and_compare("gradient_boosting");
    let model: Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(model["algorithm"], "gradient_boosting");
    assert_eq!(model["fit"]["trees"].as_array().unwrap().len(), 100);
    // One tree node per line, for review.
    assert!(
        saved.contains("{\"column\": ") && saved.contains("{\"value\": "),
        "{}",
        &saved[..2000]
    );
    let shares: f64 = model["report"]["influence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["weight"].as_f64().unwrap())
        .sum();
    assert!(shares > 0.0 && shares <= 1.0 + 1e-9, "{shares}");
}

/// Trains the generated shop's churn model with `algorithm`, checks that a second run saves the
/// same bytes and that scikit-learn's model of that kind, fitted on the exported held-out
/// matrices, scores the later slice as well (AUC and log loss within 0.01); returns the saved
/// fit.
fn train_and_compare(algorithm: &str) -> String {
    let shop = generated_shop("parquet", &["--profiles", "3000", "--seed", "5"]);
    let workspace = shop.path().join("campaigns");
    crate::support::replace_in(
        &workspace.join("models.yaml"),
        "algorithm: logistic",
        &format!("algorithm: {algorithm}"),
    );
    let exported = tempfile::tempdir().unwrap();
    let export = exported.path().to_str().unwrap();
    let first = tailor(
        shop.path(),
        &[
            "train",
            "campaigns",
            "--now",
            NOW,
            "--format",
            "json",
            "--export",
            export,
        ],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let saved = std::fs::read_to_string(workspace.join("models/churn.json")).unwrap();
    let model: Value = serde_json::from_str(&saved).unwrap();
    let check = &model["report"]["validation"];
    let (auc, log_loss) = (check["auc"].as_f64().unwrap(), check["log_loss"].as_f64().unwrap());
    // The generated shop's heavy buyers keep buying: the model learns something real.
    assert!(auc > 0.6, "{check}");
    assert!(check["scored"].as_u64().unwrap() > 300, "{check}");
    let printed: Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(printed["models"][0], model);

    let again = tailor(shop.path(), &["train", "campaigns", "--now", NOW]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(workspace.join("models/churn.json")).unwrap(),
        saved
    );
    assert!(again.stdout.contains("held-out check"), "{}", again.stdout);
    // The saved fit scores the plan.
    let plan = tailor(shop.path(), &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let planned: Value = serde_json::from_str(&plan.stdout).unwrap();
    assert!(
        planned["scores"][0]["scored"].as_u64().unwrap() > 300,
        "{}",
        planned["scores"]
    );

    if !python_has("sklearn") {
        eprintln!("skipped the scikit-learn comparison: pip install scikit-learn (.ci/run does)");
        return saved;
    }
    let reference = Command::new("python3")
        .arg(crate::support::repo().join("tests/cli/training_reference.py"))
        .arg(exported.path().join("churn.fitted.csv"))
        .arg(exported.path().join("churn.scored.csv"))
        .arg(algorithm)
        .output()
        .expect("python3 runs");
    assert!(
        reference.status.success(),
        "{}",
        String::from_utf8_lossy(&reference.stderr)
    );
    let theirs: Value = serde_json::from_slice(&reference.stdout).unwrap();
    let their_auc = theirs["auc"].as_f64().unwrap();
    let their_loss = theirs["log_loss"].as_f64().unwrap();
    eprintln!("{algorithm}: AUC {auc} against scikit-learn's {their_auc}, log loss {log_loss} against {their_loss}");
    assert!(
        (auc - their_auc).abs() <= 0.01,
        "AUC {auc} against scikit-learn's {their_auc}"
    );
    assert!(
        (log_loss - their_loss).abs() <= 0.01,
        "log loss {log_loss} against scikit-learn's {their_loss}"
    );
    saved
}

#[test]
fn a_horizon_longer_than_the_history_is_refused_with_the_counts() {
    let demo = small_demo();
    let saved = demo.path().join("campaigns/models/churn.json");
    let before = std::fs::read(&saved).unwrap();
    crate::support::replace_in(
        &demo.path().join("campaigns/models.yaml"),
        "horizon: 60d",
        "horizon: 2000d",
    );
    let out = tailor(demo.path(), &["train", "campaigns", "--now", NOW]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stderr.contains("model::train"), "{}", out.stderr);
    assert!(out.stderr.contains("each outcome needs at least 5"), "{}", out.stderr);
    // The saved model is left as it was.
    assert_eq!(std::fs::read(&saved).unwrap(), before);
}

#[test]
fn a_label_must_read_events_after_the_cut_off_not_features() {
    let demo = small_demo();
    let models = demo.path().join("campaigns/models.yaml");
    crate::support::replace_in(&models, "label: count(purchase) == 0", "label: orders_90d == 0");
    let out = tailor(demo.path(), &["check", "campaigns"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(out.stderr.contains("model::label-reads-feature"), "{}", out.stderr);
    assert!(
        out.stderr.contains("the label reads feature `orders_90d`"),
        "{}",
        out.stderr
    );
    crate::support::replace_in(&models, "label: orders_90d == 0", "label: tier == \"gold\"");
    let out = tailor(demo.path(), &["check", "campaigns"]);
    assert!(out.stderr.contains("model::label-without-events"), "{}", out.stderr);
    crate::support::replace_in(&models, "label: tier == \"gold\"", "label: count(purchase) == 0");
    crate::support::replace_in(&models, "tier]", "recent_products]");
    let out = tailor(demo.path(), &["check", "campaigns"]);
    assert!(out.stderr.contains("model::bad-input"), "{}", out.stderr);
}

#[test]
fn a_score_read_without_a_usable_fit_stops_the_plan_and_an_old_fit_is_a_warning() {
    let demo = small_demo();
    let saved = demo.path().join("campaigns/models/churn.json");
    let kept = std::fs::read(&saved).unwrap();
    std::fs::remove_file(&saved).unwrap();
    let check = tailor(demo.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stderr.contains("model::untrained"), "{}", check.stderr);
    let plan = tailor(demo.path(), &["plan", "campaigns", "--now", NOW]);
    assert_eq!(plan.code, 1, "{}", plan.stdout);
    assert!(
        plan.stderr
            .contains("`score.churn` is read by segment.likely_to_lapse but model `churn` has no usable saved fit"),
        "{}",
        plan.stderr
    );

    // A fit trained on inputs the model no longer declares cannot be applied either.
    std::fs::write(&saved, &kept).unwrap();
    let models = demo.path().join("campaigns/models.yaml");
    crate::support::replace_in(&models, "opened_email_30d, tier]", "opened_email_30d]");
    let check = tailor(demo.path(), &["check", "campaigns"]);
    assert!(check.stderr.contains("model::stale"), "{}", check.stderr);
    let plan = tailor(demo.path(), &["plan", "campaigns", "--now", NOW]);
    assert!(plan.stderr.contains("model::missing"), "{}", plan.stderr);

    // The fit as trained: scores are computed; two months on, it is older than `max_age`.
    crate::support::replace_in(&models, "opened_email_30d]", "opened_email_30d, tier]");
    // A fit of another algorithm on the same inputs still scores, with a warning.
    crate::support::replace_in(&models, "algorithm: logistic", "algorithm: gradient_boosting");
    let check = tailor(demo.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check
            .stderr
            .contains("the saved fit of `churn` is logistic, but the model declares gradient_boosting"),
        "{}",
        check.stderr
    );
    crate::support::replace_in(&models, "algorithm: gradient_boosting", "algorithm: logistic");
    let plan = tailor(demo.path(), &["plan", "campaigns", "--now", NOW, "--format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let report: Value = serde_json::from_str(&plan.stdout).unwrap();
    let score = &report["scores"][0];
    assert_eq!(score["model"], "churn");
    assert!(score["scored"].as_u64().unwrap() >= 1, "{score}");
    let later = tailor(demo.path(), &["plan", "campaigns", "--now", "2027-02-01T15:00:00Z"]);
    assert_eq!(later.code, 0, "{}", later.stderr);
    assert!(
        later
            .stderr
            .contains("the saved fit of `churn` was trained 62 days before now"),
        "{}",
        later.stderr
    );
}

#[test]
fn a_model_whose_inputs_read_its_own_score_is_a_check_error() {
    let demo = small_demo();
    let features = demo.path().join("campaigns/features.yaml");
    let text = std::fs::read_to_string(&features).unwrap();
    std::fs::write(&features, format!("{text}  churn_band: score.churn * 10\n")).unwrap();
    crate::support::replace_in(
        &demo.path().join("campaigns/models.yaml"),
        "opened_email_30d, tier]",
        "opened_email_30d, tier, churn_band]",
    );
    let check = tailor(demo.path(), &["check", "campaigns"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check
            .stderr
            .contains("model `churn` reads its own score: score.churn reads feature.churn_band reads score.churn"),
        "{}",
        check.stderr
    );
}
