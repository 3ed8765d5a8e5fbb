//! `tailor personas --format svg`: each persona model as a chart — per label, its share of the
//! labelled profiles as a bar, each input's mean against all labelled profiles as a bar either
//! side of 100 (the index: 100 = as common as in the population), and the traits that set it
//! apart. Written by hand, as the results chart is: no fonts to embed, no plotting crate, and
//! byte-for-byte deterministic.

use std::fmt::Write as _;

use super::personas::{describe, settings, Traits};
use crate::eval::PersonaSummary;
use crate::model::PersonaModel;
use crate::template::escape_html;

const MARGIN: f64 = 20.0;
const LABEL_WIDTH: f64 = 130.0;
const SHARE_WIDTH: f64 = 200.0;
const INPUT_WIDTH: f64 = 150.0;
const ROW_HEIGHT: f64 = 66.0;
const HEADER_HEIGHT: f64 = 70.0;
/// An index this far from 100 fills half an input's panel.
const INDEX_SPAN: f64 = 200.0;
const ABOVE: &str = "#2563eb";
const BELOW: &str = "#d97706";

/// The chart of every model, one under the other.
pub fn persona_svg(models: &[(&PersonaModel, &PersonaSummary, &Traits)]) -> String {
    let width = models
        .iter()
        .map(|(model, ..)| chart_width(model))
        .fold(560.0, f64::max);
    let height: f64 = models
        .iter()
        .map(|(_, summary, _)| HEADER_HEIGHT + ROW_HEIGHT * summary.clusters.len() as f64 + MARGIN)
        .sum::<f64>()
        + MARGIN;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"##
    );
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="white"/>"##);
    let mut top = MARGIN;
    for (model, summary, traits) in models {
        top = model_chart(&mut out, model, summary, traits, top);
    }
    out.push_str("</svg>\n");
    out
}

fn chart_width(model: &PersonaModel) -> f64 {
    2.0 * MARGIN + LABEL_WIDTH + SHARE_WIDTH + INPUT_WIDTH * model.features.len() as f64
}

/// One model's chart from `top`; returns where the next starts.
fn model_chart(out: &mut String, model: &PersonaModel, summary: &PersonaSummary, traits: &Traits, top: f64) -> f64 {
    let labelled = summary.labelled().max(1) as f64;
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="{:.1}" font-size="15" font-weight="bold" fill="#111827">persona {} · {}</text>"##,
        top + 16.0,
        escape_html(&model.name),
        escape_html(&settings(model))
    );
    let _ = writeln!(
        out,
        r##"<text x="{MARGIN}" y="{:.1}" font-size="11" fill="#4b5563">{} of {} profiles labelled · bars: share of the labelled profiles; each input's mean against all labelled profiles (index, 100 = as common)</text>"##,
        top + 34.0,
        summary.labelled(),
        summary.population
    );
    // Each input's mean over every labelled profile: what an index compares with.
    let population_means: Vec<f64> = (0..model.features.len())
        .map(|i| {
            let total: f64 = summary.clusters.iter().map(|c| c.size as f64 * c.centroid[i]).sum();
            total / labelled
        })
        .collect();
    let inputs_left = MARGIN + LABEL_WIDTH + SHARE_WIDTH;
    for (i, input) in model.features.iter().enumerate() {
        let _ = writeln!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11" font-weight="bold" fill="#374151">{}</text>"##,
            inputs_left + INPUT_WIDTH * (i as f64 + 0.5),
            top + HEADER_HEIGHT - 10.0,
            escape_html(input)
        );
    }
    let mut row_top = top + HEADER_HEIGHT;
    for cluster in &summary.clusters {
        let middle = row_top + 18.0;
        let share = cluster.size as f64 / labelled;
        let _ = writeln!(
            out,
            r##"<text x="{MARGIN}" y="{:.1}" font-size="13" font-weight="bold" fill="#111827">{}</text>"##,
            middle + 4.0,
            escape_html(&cluster.label)
        );
        let bar = (SHARE_WIDTH - 70.0) * share;
        let _ = writeln!(
            out,
            r##"<rect class="share" x="{:.1}" y="{:.1}" width="{bar:.1}" height="14" fill="#6b7280"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#374151">{} · {:.0}%</text>"##,
            MARGIN + LABEL_WIDTH,
            middle - 7.0,
            MARGIN + LABEL_WIDTH + bar + 6.0,
            middle + 4.0,
            cluster.size,
            share * 100.0
        );
        for (i, (mean, population)) in cluster.centroid.iter().zip(&population_means).enumerate() {
            index_bar(out, inputs_left + INPUT_WIDTH * i as f64, middle, *mean, *population);
        }
        let described: Vec<String> = traits
            .get(&cluster.label)
            .into_iter()
            .flatten()
            .take(2)
            .map(describe)
            .collect();
        if !described.is_empty() {
            let _ = writeln!(
                out,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#4b5563">{}</text>"##,
                MARGIN + LABEL_WIDTH,
                middle + 38.0,
                escape_html(&described.join("; "))
            );
        }
        row_top += ROW_HEIGHT;
    }
    row_top + MARGIN
}

/// One input's panel: a line at 100 and a bar to the persona's index, with its raw mean.
fn index_bar(out: &mut String, left: f64, middle: f64, mean: f64, population: f64) {
    let center = left + INPUT_WIDTH / 2.0;
    let half = INPUT_WIDTH / 2.0 - 12.0;
    let index = if population.abs() > f64::EPSILON {
        100.0 * mean / population
    } else {
        100.0
    };
    let offset = ((index - 100.0) / INDEX_SPAN).clamp(-1.0, 1.0) * half;
    let (x, width, color) = if offset >= 0.0 {
        (center, offset, ABOVE)
    } else {
        (center + offset, -offset, BELOW)
    };
    let _ = writeln!(
        out,
        r##"<rect class="index" x="{x:.1}" y="{:.1}" width="{width:.1}" height="12" fill="{color}"/><line x1="{center:.1}" y1="{:.1}" x2="{center:.1}" y2="{:.1}" stroke="#111827"/><text x="{center:.1}" y="{:.1}" text-anchor="middle" font-size="10" fill="#374151">{mean:.2} ({index:.0})</text>"##,
        middle - 6.0,
        middle - 10.0,
        middle + 10.0,
        middle + 22.0
    );
}
