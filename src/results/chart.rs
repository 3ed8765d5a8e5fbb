//! The results as an SVG chart: on the left each arm's rate with its 95% interval, on the right
//! each arm's cumulative rate by day. Written by hand rather than with a plotting crate, so that
//! the file has no fonts to embed, no dependencies to build, and is byte-for-byte deterministic.

use std::fmt::Write as _;

use super::analysis::{CampaignResults, DayPoint};

const WIDTH: f64 = 880.0;
const HEIGHT: f64 = 360.0;
const TOP: f64 = 56.0;
const BOTTOM: f64 = 300.0;
const LEFT_PANEL: (f64, f64) = (70.0, 400.0);
const RIGHT_PANEL: (f64, f64) = (480.0, 850.0);
const COLORS: [&str; 6] = ["#6b7280", "#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed"];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A scale from [0, top] to the plot's height.
fn y(value: f64, top: f64) -> f64 {
    BOTTOM - (value / top).clamp(0.0, 1.0) * (BOTTOM - TOP)
}

/// A round upper bound for the axis.
fn axis_top(max: f64) -> f64 {
    let max = max.max(0.01);
    for step in [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0] {
        if max <= step {
            return step;
        }
    }
    1.0
}

fn axis(out: &mut String, (left, right): (f64, f64), top: f64) {
    for i in 0..=4 {
        let value = top * f64::from(i) / 4.0;
        let at = y(value, top);
        let _ = writeln!(
            out,
            r##"<line x1="{left}" y1="{at:.1}" x2="{right}" y2="{at:.1}" stroke="#e5e7eb"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="11" fill="#374151">{:.1}%</text>"##,
            left - 6.0,
            at + 4.0,
            value * 100.0
        );
    }
}

/// The chart of `results`.
pub fn render_svg(results: &CampaignResults) -> String {
    let metric = &results.metric;
    let rate = |name: &str| {
        let arm = results.arms.iter().find(|a| a.name == name)?;
        Some(if metric == "click" { arm.click } else { arm.conversion })
    };
    let highest = results
        .arms
        .iter()
        .filter_map(|a| rate(&a.name))
        .map(|r| r.interval.high)
        .chain(results.timeline.iter().map(|p| ratio(p)))
        .fold(0.0, f64::max);
    let top = axis_top(highest);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">"##
    );
    let _ = writeln!(out, r##"<rect width="100%" height="100%" fill="white"/>"##);
    let _ = writeln!(
        out,
        r##"<text x="20" y="24" font-size="15" font-weight="bold" fill="#111827">{} · {metric} rate by arm (95% CI)</text>"##,
        escape(&results.campaign)
    );
    let _ = writeln!(
        out,
        r##"<text x="{}" y="24" font-size="15" font-weight="bold" fill="#111827">cumulative {metric} rate</text>"##,
        RIGHT_PANEL.0
    );
    axis(&mut out, LEFT_PANEL, top);
    let slot = (LEFT_PANEL.1 - LEFT_PANEL.0) / results.arms.len().max(1) as f64;
    for (i, arm) in results.arms.iter().enumerate() {
        let Some(r) = rate(&arm.name) else { continue };
        let color = COLORS[i % COLORS.len()];
        let x = LEFT_PANEL.0 + slot * (i as f64 + 0.5);
        let (low, high, at) = (y(r.interval.low, top), y(r.interval.high, top), y(r.rate, top));
        let _ = writeln!(
            out,
            r##"<rect x="{:.1}" y="{at:.1}" width="{:.1}" height="{:.1}" fill="{color}" opacity="0.25"/>"##,
            x - slot * 0.3,
            slot * 0.6,
            BOTTOM - at
        );
        let _ = writeln!(
            out,
            r##"<line x1="{x:.1}" y1="{low:.1}" x2="{x:.1}" y2="{high:.1}" stroke="{color}" stroke-width="2"/><line x1="{:.1}" y1="{low:.1}" x2="{:.1}" y2="{low:.1}" stroke="{color}" stroke-width="2"/><line x1="{:.1}" y1="{high:.1}" x2="{:.1}" y2="{high:.1}" stroke="{color}" stroke-width="2"/><circle cx="{x:.1}" cy="{at:.1}" r="4" fill="{color}"/>"##,
            x - 8.0,
            x + 8.0,
            x - 8.0,
            x + 8.0
        );
        let _ = writeln!(
            out,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#111827">{}</text><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#374151">{:.1}% · n={}</text>"##,
            BOTTOM + 18.0,
            escape(&arm.name),
            BOTTOM + 33.0,
            r.rate * 100.0,
            r.count.trials
        );
    }
    axis(&mut out, RIGHT_PANEL, top);
    timeline(&mut out, results, top);
    if let Some(line) = results.verdict.first() {
        let _ = writeln!(
            out,
            r##"<text x="20" y="{:.1}" font-size="12" fill="#111827">{}</text>"##,
            HEIGHT - 8.0,
            escape(line)
        );
    }
    out.push_str("</svg>\n");
    out
}

fn ratio(point: &DayPoint) -> f64 {
    if point.units == 0 {
        0.0
    } else {
        point.successes as f64 / point.units as f64
    }
}

fn timeline(out: &mut String, results: &CampaignResults, top: f64) {
    let days: Vec<&str> = {
        let mut days: Vec<&str> = results.timeline.iter().map(|p| p.day.as_str()).collect();
        days.dedup();
        days
    };
    let (left, right) = RIGHT_PANEL;
    let x = |day: &str| {
        let index = days.iter().position(|d| *d == day).unwrap_or(0) as f64;
        if days.len() < 2 {
            (left + right) / 2.0
        } else {
            left + (right - left) * index / (days.len() - 1) as f64
        }
    };
    for (i, arm) in results.arms.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let points: Vec<String> = results
            .timeline
            .iter()
            .filter(|p| p.arm == arm.name)
            .map(|p| format!("{:.1},{:.1}", x(&p.day), y(ratio(p), top)))
            .collect();
        if points.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            r##"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"/>"##,
            points.join(" ")
        );
        let _ = writeln!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="{color}"/><text x="{:.1}" y="{:.1}" font-size="11" fill="#111827">{}</text>"##,
            left + 10.0 + 110.0 * i as f64,
            TOP - 22.0,
            left + 24.0 + 110.0 * i as f64,
            TOP - 13.0,
            escape(&arm.name)
        );
    }
    for (label, day) in [("start", days.first()), ("end", days.last())] {
        if let Some(day) = day {
            let anchor = if label == "start" { "start" } else { "end" };
            let _ = writeln!(
                out,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-size="11" fill="#374151">{day}</text>"##,
                if label == "start" { left } else { right },
                BOTTOM + 18.0
            );
        }
    }
}
