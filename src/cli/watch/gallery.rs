//! The page `preview --watch` serves: every campaign, each variant rendered side by side for
//! sample recipients — the first due recipient with each persona label, then in each segment —
//! with subject, preheader, HTML and text part; or, when the workspace does not check, its
//! diagnostics.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::check::{check_workspace, CheckedWorkspace};
use crate::cli::format::{render_diagnostics, Format};
use crate::data::{load_dataset, LoadOptions};
use crate::eval::{evaluate, persona_column, segment_column, Evaluation};
use crate::ledger::Ledger;
use crate::load::load_workspace;
use crate::model::Campaign;
use crate::plan::{build_plan, DueSend, History};
use crate::render::{render_message, PlanInputs, Renderer};
use crate::template::escape_html;

/// Recipients shown per variant at most.
const SAMPLES: usize = 6;

/// The HTML part's width in the desktop and mobile views (a common email body width, and a
/// phone's).
const WIDTHS: [(&str, u32); 2] = [("desktop", 600), ("mobile", 375)];

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;background:#f6f6f4;color:#222}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ccc}
.variants{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}.sample{background:#fff;
border:1px solid #ddd;border-radius:6px;padding:.6rem;width:min-content;max-width:100%}
.meta{font-size:.8rem;color:#666}.subject{font-weight:600;margin:.3rem 0}
.sent{color:#7a5b00;background:#fff6d6;border-radius:3px;padding:0 .3rem}
.widths button{font-size:.75rem;margin:.3rem .3rem .3rem 0}.widths button[aria-pressed=true]{font-weight:700}
iframe{display:block;height:20rem;border:1px solid #eee}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem;background:#fafafa;padding:.4rem;max-width:100%}
.error{color:#a00}.diagnostics{background:#fff0f0;border:1px solid #e99;padding:1rem}";

/// Switches a sample's HTML view between the widths of [`WIDTHS`].
const SCRIPT: &str = "function tailorWidth(button,width){const sample=button.closest('.sample');
sample.querySelector('iframe').style.width=width+'px';
for(const b of sample.querySelectorAll('.widths button'))b.setAttribute('aria-pressed',b===button)}";

/// A whole page around `body`.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style><script>{SCRIPT}</script></head>\n<body>\n{body}</body></html>\n",
        escape_html(title)
    )
}

/// The page for the workspace at `root` at `now`.
pub fn gallery(root: &Path, now: DateTime<Utc>) -> String {
    let stamp = now.to_rfc3339_opts(SecondsFormat::Secs, true);
    let loaded = match load_workspace(root) {
        Ok(loaded) => loaded,
        Err(error) => {
            let body = format!(
                "<h1>tailor preview</h1><pre class=\"diagnostics\">{}</pre>",
                escape_html(&error.to_string())
            );
            return page("tailor preview: error", &body);
        }
    };
    let outcome = check_workspace(&loaded);
    let Some(workspace) = outcome.workspace else {
        let diagnostics = outcome.diagnostics.into_sorted();
        let report = render_diagnostics(Format::Human, &diagnostics, &loaded.sources, false);
        let body = format!(
            "<h1>tailor preview — the workspace does not check</h1>\n<pre class=\"diagnostics\" id=\"diagnostics\">{}</pre>\n",
            escape_html(&report)
        );
        return page("tailor preview: errors", &body);
    };
    let mut body = format!(
        "<h1>tailor preview — {}</h1>\n<p class=\"meta\">at {stamp}; {} campaigns</p>\n",
        escape_html(&workspace.manifest.name),
        workspace.campaigns.len()
    );
    match campaigns(&loaded, &workspace, now) {
        Ok(html) => body.push_str(&html),
        Err(error) => {
            let _ = write!(body, "<pre class=\"diagnostics\">{}</pre>", escape_html(&error));
        }
    }
    page(&format!("tailor preview: {}", workspace.manifest.name), &body)
}

/// Each campaign's section.
fn campaigns(
    loaded: &crate::load::LoadedWorkspace,
    workspace: &CheckedWorkspace,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let dataset = load_dataset(workspace, LoadOptions { skip_bad_rows: true }).map_err(|e| e.to_string())?;
    let evaluation = evaluate(workspace, &dataset, now).map_err(|e| e.to_string())?;
    let history = Ledger::history(&workspace.manifest.delivery.ledger).unwrap_or_default();
    let inputs = PlanInputs {
        workspace,
        dataset: &dataset,
        evaluation: &evaluation,
        now,
    };
    let facts = inputs.local_facts();
    let plan = build_plan(workspace, &evaluation, &facts, &history, None, now).map_err(|e| e.to_string())?;
    let renderer = Renderer::new(loaded, workspace)?;
    let secret = std::env::var(crate::render::SECRET_VARIABLE).unwrap_or_else(|_| "preview".into());
    // Who would be due had nothing been sent, planned only when a variant has nobody due: after
    // a run, a variant whose recipients all got their message is still shown, for one of them,
    // marked as sent.
    let unsent = std::cell::OnceCell::new();
    let mut out = String::new();
    for campaign in &workspace.campaigns {
        let sends = due_sends(&plan, &campaign.name);
        let _ = writeln!(
            out,
            "<h2 id=\"{0}\">{0}</h2>\n<p class=\"meta\">{1} due now</p>\n<div class=\"variants\">",
            escape_html(&campaign.name),
            sends.len()
        );
        for (index, variant) in campaign.variants.iter().enumerate() {
            let mut chosen = samples(&evaluation, sends, index);
            if chosen.is_empty() {
                let unsent = match unsent.get() {
                    Some(plan) => plan,
                    None => {
                        let plan = build_plan(workspace, &evaluation, &facts, &History::default(), None, now)
                            .map_err(|e| e.to_string())?;
                        unsent.get_or_init(|| plan)
                    }
                };
                chosen = samples(&evaluation, due_sends(unsent, &campaign.name), index);
                chosen.truncate(1);
                for (send, group) in &mut chosen {
                    let key = inputs.recipient(send).key();
                    let note = if history.of(&campaign.name, &key).is_empty() {
                        "not due now (capped, quiet hours or deferred)"
                    } else {
                        "already sent"
                    };
                    *group = format!("{group} · <span class=\"sent\">{note}</span>");
                }
            }
            if chosen.is_empty() {
                let _ = writeln!(
                    out,
                    "<div class=\"sample\"><div class=\"meta\">variant <b>{}</b></div><p>nobody is due for this variant now</p></div>",
                    escape_html(&variant.name)
                );
            }
            for (send, group) in chosen {
                out.push_str(&sample(
                    &renderer,
                    &inputs,
                    campaign,
                    index,
                    send,
                    &group,
                    secret.as_bytes(),
                ));
            }
        }
        out.push_str("</div>\n");
    }
    Ok(out)
}

/// Campaign `name`'s due sends in `plan` (none when it has none).
fn due_sends<'p>(plan: &'p crate::plan::Plan, name: &str) -> &'p [DueSend] {
    plan.due
        .iter()
        .find(|(campaign, _)| campaign == name)
        .map_or(&[][..], |(_, sends)| sends.as_slice())
}

/// A group a sample stands for, and how to tell its members by row.
type Group<'e> = (String, Box<dyn Fn(usize) -> bool + 'e>);

/// Up to [`SAMPLES`] due sends of variant `variant`, each with the group it stands for (as
/// HTML): the
/// first with each persona label (model by model, labels in order), then the first in each
/// segment, in segment order, else the first due.
fn samples<'s>(evaluation: &Evaluation, sends: &'s [DueSend], variant: usize) -> Vec<(&'s DueSend, String)> {
    let of_variant: Vec<&DueSend> = sends.iter().filter(|s| s.variant == variant).collect();
    let frame = &evaluation.frame;
    let mut groups: Vec<Group> = Vec::new();
    for persona in &evaluation.personas {
        let model = &persona.model;
        if let Ok(column) = frame.column(&persona_column(model)).and_then(|c| c.str().cloned()) {
            for label in persona.clusters.iter().map(|c| &c.label) {
                // A chunked column's clone shares its buffers.
                let column = column.clone();
                let in_group = move |row| column.get(row) == Some(label.as_str());
                groups.push((escape_html(&format!("persona {model}: {label}")), Box::new(in_group)));
            }
        }
    }
    for (segment, _) in &evaluation.segment_sizes {
        if let Ok(column) = frame.column(&segment_column(segment)).and_then(|c| c.bool().cloned()) {
            let in_group = move |row| column.get(row) == Some(true);
            groups.push((escape_html(&format!("segment {segment}")), Box::new(in_group)));
        }
    }
    let mut chosen: Vec<(&DueSend, String)> = Vec::new();
    let mut rows = HashSet::new();
    for (group, in_group) in groups {
        if let Some(send) = of_variant.iter().find(|s| in_group(s.row)) {
            if rows.insert(send.row) {
                chosen.push((send, group));
            }
        }
        if chosen.len() == SAMPLES {
            return chosen;
        }
    }
    if chosen.is_empty() {
        chosen.extend(of_variant.first().map(|send| (*send, "first due".to_string())));
    }
    chosen
}

/// One rendered sample (saying which group it stands for, given as HTML), or why it did not
/// render.
#[allow(clippy::too_many_arguments)]
fn sample(
    renderer: &Renderer,
    inputs: &PlanInputs,
    campaign: &Campaign,
    variant: usize,
    send: &DueSend,
    group: &str,
    secret: &[u8],
) -> String {
    let recipient = inputs.recipient(send);
    let variant = &campaign.variants[variant];
    let head = format!(
        "<div class=\"sample\"><div class=\"meta\">variant <b>{}</b> · profile <code>{}</code> · {group}</div>",
        escape_html(&variant.name),
        escape_html(&recipient.key()),
    );
    let widths: String = WIDTHS
        .iter()
        .enumerate()
        .map(|(i, (name, px))| {
            format!("<button type=\"button\" data-width=\"{px}\" aria-pressed=\"{}\" onclick=\"tailorWidth(this,{px})\">{name} {px}px</button>", i == 0)
        })
        .collect();
    match render_message(renderer, inputs.workspace, &recipient, campaign, variant, secret) {
        Ok(message) => format!(
            "{head}<div class=\"subject\">{}</div><div class=\"meta\">{}</div><div class=\"widths\">{widths}</div><iframe sandbox style=\"width:{}px\" srcdoc=\"{}\"></iframe><pre>{}</pre></div>\n",
            escape_html(&message.subject),
            escape_html(message.preheader.as_deref().unwrap_or("")),
            WIDTHS[0].1,
            escape_html(&message.html),
            escape_html(&message.text)
        ),
        Err(error) => format!("{head}<p class=\"error\">does not render: {}</p></div>\n", escape_html(&error)),
    }
}
