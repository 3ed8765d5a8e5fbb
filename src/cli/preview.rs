//! `tailor preview [DIR] CAMPAIGN --test NAME | --profile KEY`: render one recipient's message,
//! print it, write it to files, or send it as a proof (`--send-to`).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Args;

use super::run::environment;
use super::steps::{checked_workspace, data_failure, renderer, run_clock, workspace_data};
use super::{workspace_folder, ExitCode, Failure, Report};
use crate::check::CheckedWorkspace;
use crate::data::{load_catalog_only, test_dataset, Dataset};
use crate::diag::{suggestion_hint, Diagnostic};
use crate::eval::evaluate;
use crate::model::{assign, is_valid_address, Assignment, Campaign, Variant};
use crate::render::{render_message, Recipient, RenderedMessage, SECRET_VARIABLE};
use crate::run::transport::{Attempt, Outgoing};
use crate::run::{dkim_signer, proof, transport, unsubscribe_secret};

/// Arguments of `tailor preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The workspace folder (optional when it is the current one).
    #[arg(value_name = "DIR", required_unless_present = "watch")]
    pub dir_or_campaign: Option<String>,
    /// The campaign (when DIR is given).
    pub campaign: Option<String>,
    /// Render for the profile of this `kind: test` document.
    #[arg(long, conflicts_with = "profile", required_unless_present_any = ["profile", "watch"])]
    pub test: Option<String>,
    /// Render for this profile of the dataset.
    #[arg(long)]
    pub profile: Option<String>,
    /// Render this variant whatever the assignment says.
    #[arg(long)]
    pub variant: Option<String>,
    /// The clock (RFC 3339); default: the test's `now`, or the wall clock.
    #[arg(long)]
    pub now: Option<String>,
    /// Write `CAMPAIGN.VARIANT.eml`, `.html` and `.txt` here instead of printing the text part.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Send a proof (subject prefixed `[PROOF]`) to this address through the workspace's
    /// transport; the ledger is not touched.
    #[arg(long, value_name = "ADDRESS")]
    pub send_to: Option<String>,
    /// Serve every campaign's variants, rendered for sample recipients, on a page on localhost
    /// that re-renders and reloads when a template, document or dataset changes.
    #[arg(long, conflicts_with_all = ["test", "profile", "out", "send_to"])]
    pub watch: bool,
    /// The port of `--watch`'s page.
    #[arg(long, default_value_t = 7878, requires = "watch")]
    pub port: u16,
}

/// A preview that could not be made (exit 1).
fn fail(message: impl std::fmt::Display) -> Failure {
    Failure::failed(Diagnostic::error("preview::failed", message.to_string()))
}

/// Runs `tailor preview`.
pub fn run(args: &PreviewArgs, report: &mut Report) -> Result<ExitCode, Failure> {
    if args.watch {
        // `preview --watch [DIR]`: the one positional is the folder.
        let dir = args.dir_or_campaign.as_ref().map(PathBuf::from);
        let root = workspace_folder(dir.as_ref())?;
        let now = match &args.now {
            Some(_) => Some(run_clock(args.now.as_deref())?),
            None => None,
        };
        return super::watch::serve(&root, now, args.port);
    }
    let first = args.dir_or_campaign.clone().unwrap_or_default();
    let (dir, campaign_name) = match &args.campaign {
        Some(campaign) => (Some(PathBuf::from(first)), campaign.clone()),
        None => (None, first),
    };
    let (loaded, workspace) = checked_workspace(dir.as_ref())?;
    let campaign = named_campaign(&workspace, &campaign_name)?;
    let (dataset, now, forced) = recipient_data(args, &workspace, campaign, report)?;
    let evaluation = evaluate(&workspace, &dataset, now).map_err(fail)?;
    let keys = evaluation
        .frame
        .column(&workspace.schema.key)
        .and_then(|c| c.str().cloned())
        .map_err(fail)?;
    let row = match &args.profile {
        Some(key) => keys
            .iter()
            .position(|k| k == Some(key.as_str()))
            .ok_or_else(|| missing_profile(&dataset, key))?,
        None => 0,
    };
    let key = keys.get(row).unwrap_or_default().to_string();
    let variant = variant_for(campaign, &key, args.variant.clone().or(forced))?;
    if let Some(address) = &args.send_to {
        if !is_valid_address(address) {
            return Err(Failure::usage(Diagnostic::error(
                "preview::bad-address",
                format!("`{address}` is not an email address"),
            )));
        }
    }
    let secret = match (std::env::var(SECRET_VARIABLE), &args.send_to) {
        // A proof leaves the machine: its links must be real ones, signed with a strong secret.
        (_, Some(_)) => unsubscribe_secret(&workspace, environment(SECRET_VARIABLE).as_deref(), false)?,
        (Ok(secret), None) => secret,
        (Err(_), None) => {
            report.warn(Diagnostic::warning(
                "preview::no-secret",
                format!("{SECRET_VARIABLE} is not set: the unsubscribe token is signed with a placeholder"),
            ));
            "preview".to_string()
        }
    };
    let renderer = renderer(&loaded, &workspace)?;
    let recipient = Recipient {
        workspace: &workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        row,
        now,
        occurrence: None,
    };
    let message =
        render_message(&renderer, &workspace, &recipient, campaign, variant, secret.as_bytes()).map_err(fail)?;
    if let Some(address) = &args.send_to {
        let outgoing = proof(&workspace, &campaign.name, variant, &key, &message, address, now);
        return send_proof(&workspace, outgoing, address);
    }
    match &args.out {
        Some(out) => write_message(out, &campaign.name, &message)?,
        None => print_message(&message),
    }
    Ok(ExitCode::Success)
}

/// The campaign called `name`.
fn named_campaign<'w>(workspace: &'w CheckedWorkspace, name: &str) -> Result<&'w Campaign, Failure> {
    workspace.campaigns.iter().find(|c| c.name == name).ok_or_else(|| {
        let names: Vec<&str> = workspace.campaigns.iter().map(|c| c.name.as_str()).collect();
        Failure::usage(
            Diagnostic::error(
                "preview::unknown-campaign",
                format!("there is no campaign `{name}` (campaigns: {})", names.join(", ")),
            )
            .with_optional_hint(suggestion_hint(name, names.iter().copied())),
        )
    })
}

/// The data to render from, the clock, and the variant a test forces: a test's one profile
/// and events (`--test`), or the workspace's datasets (`--profile`).
fn recipient_data(
    args: &PreviewArgs,
    workspace: &CheckedWorkspace,
    campaign: &Campaign,
    report: &mut Report,
) -> Result<(Dataset, DateTime<Utc>, Option<String>), Failure> {
    let Some(name) = &args.test else {
        let now = run_clock(args.now.as_deref())?;
        return Ok((workspace_data(workspace, true, report)?, now, None));
    };
    let Some(test) = workspace.tests.iter().find(|t| &t.name == name) else {
        let names = workspace.tests.iter().map(|t| t.name.as_str());
        return Err(Failure::usage(
            Diagnostic::error("preview::unknown-test", format!("there is no test `{name}`"))
                .with_optional_hint(suggestion_hint(name, names)),
        ));
    };
    if test.campaign != campaign.name {
        return Err(Failure::usage(Diagnostic::error(
            "preview::unknown-test",
            format!(
                "test `{name}` is about campaign `{}`, not `{}`",
                test.campaign, campaign.name
            ),
        )));
    }
    let now = match &args.now {
        Some(_) => run_clock(args.now.as_deref())?,
        None => test.now,
    };
    let catalog = load_catalog_only(workspace).map_err(data_failure)?;
    let dataset = test_dataset(&workspace.schema, &test.profile, &test.events, catalog).map_err(fail)?;
    Ok((dataset, now, test.force.clone()))
}

/// Why there is no profile `key` to preview: it was left out as a bad row (and why), or the data
/// has no such key.
fn missing_profile(dataset: &Dataset, key: &str) -> Failure {
    let dropped = dataset.reports.iter().find_map(|report| report.dropped.get(key));
    let diagnostic = match dropped {
        Some(problem) => Diagnostic::error(
            "preview::dropped-profile",
            format!("profile `{key}` was left out of the data as a bad row: {problem}"),
        )
        .with_hint("fix the row; `tailor plan` without `--skip-bad-rows` lists every bad row"),
        None => Diagnostic::error("preview::failed", format!("there is no profile `{key}`")),
    };
    Failure::failed(diagnostic)
}

/// The variant `wanted` names, or the one `key` is assigned to (a holdout gets none).
fn variant_for<'c>(campaign: &'c Campaign, key: &str, wanted: Option<String>) -> Result<&'c Variant, Failure> {
    if let Some(name) = wanted {
        return campaign
            .variants
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| fail(format!("`{}` has no variant `{name}`", campaign.name)));
    }
    let weights: Vec<u32> = campaign.variants.iter().map(|v| v.weight).collect();
    match assign(&campaign.salt, key, campaign.holdout, &weights) {
        Assignment::Variant(index) => Ok(&campaign.variants[index]),
        Assignment::Holdout => Err(fail(format!(
            "`{key}` is in `{}`'s holdout and gets nothing; pass --variant to render one anyway",
            campaign.name
        ))),
    }
}

/// Writes `CAMPAIGN.VARIANT.eml`, `.html` and `.txt` into `out`.
fn write_message(out: &Path, campaign: &str, message: &RenderedMessage) -> Result<(), Failure> {
    std::fs::create_dir_all(out).map_err(|e| fail(format!("cannot create `{}`: {e}", out.display())))?;
    let stem = format!("{campaign}.{}", message.variant);
    for (extension, contents) in [("html", &message.html), ("txt", &message.text), ("eml", &message.eml)] {
        let path = out.join(format!("{stem}.{extension}"));
        std::fs::write(&path, contents).map_err(|e| fail(format!("cannot write `{}`: {e}", path.display())))?;
    }
    eprintln!("wrote {stem}.eml, {stem}.html and {stem}.txt to {}", out.display());
    Ok(())
}

/// Prints the subject, preheader, variant and unsubscribe link, then the text part.
fn print_message(message: &RenderedMessage) {
    println!("Subject: {}", message.subject);
    if let Some(preheader) = &message.preheader {
        println!("Preheader: {preheader}");
    }
    println!("Variant: {}", message.variant);
    println!("List-Unsubscribe: <{}>", message.unsubscribe_url);
    println!();
    print!("{}", message.text);
}

/// Signs (when DKIM is set up) and sends a proof through the workspace's transport.
fn send_proof(workspace: &CheckedWorkspace, mut outgoing: Outgoing, address: &str) -> Result<ExitCode, Failure> {
    let transport = transport(workspace, environment)?;
    if let Some(signer) = dkim_signer(workspace)? {
        outgoing.bytes = signer.sign(&outgoing.bytes);
    }
    match transport.deliver(&outgoing) {
        Attempt::Delivered(reply) => {
            eprintln!("sent a proof to {address}: {reply}");
            Ok(ExitCode::Success)
        }
        Attempt::Temporary(reply) | Attempt::Permanent(reply) | Attempt::Unsendable(reply) => {
            Err(Failure::failed(Diagnostic::error(
                "preview::proof-failed",
                format!("the proof to {address} was not accepted: {reply}"),
            )))
        }
        Attempt::LocalFailure(reply) => Err(Failure::usage(Diagnostic::error("preview::proof-failed", reply))),
    }
}
