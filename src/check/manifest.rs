//! The manifest (`tailor.yaml`): time zone, locale, sender, the consent rule, caps and
//! delivery settings.
//!
//! **Why**: these apply to every message; a wrong sender or a missing consent rule is a legal
//! problem, not a cosmetic one.
//!
//! **Example**: no `policy.consent` → `manifest::missing-consent`.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use super::context::{Context, Names};
use super::names::check_name_shape;
use super::templates::{check_inline, Partials};
use crate::diag::{suggestion_hint, Diagnostic};
use crate::load::raw::{RawDelivery, RawManifest};
use crate::load::{Document, Located};
use crate::model::{
    currency_codes, is_currency_code, parse_zone, postgres_url_holds_password, LedgerLocation, Tracking, Transport,
};
use crate::model::{
    is_valid_address, parse_mailbox, DataSchema, Delivery, Dkim, Duration, FrequencyCap, LocalTimeRange, Manifest,
    Percent, Smtp,
};
use crate::template::{ContextBuilder, SUPPORTED_LOCALES};

fn locale(text: &String) -> Result<String, String> {
    if SUPPORTED_LOCALES.contains(&text.as_str()) {
        Ok(text.clone())
    } else {
        Err(format!(
            "`{text}` is not a locale tailor formats money and dates for; use one of {}",
            SUPPORTED_LOCALES.join(", ")
        ))
    }
}

fn currency(text: &String) -> Result<String, String> {
    if is_currency_code(text) {
        return Ok(text.clone());
    }
    let hint = suggestion_hint(&text.to_uppercase(), currency_codes()).map_or(String::new(), |h| format!("; {h}"));
    Err(format!("`{text}` is not an ISO 4217 currency code such as `USD`{hint}"))
}

fn address(text: &String) -> Result<String, String> {
    is_valid_address(text)
        .then(|| text.clone())
        .ok_or_else(|| format!("`{text}` is not a valid email address"))
}

/// Checks the manifest; `None` when it is missing or broken.
pub fn check_manifest(
    cx: &mut Context,
    schema: &DataSchema,
    names: &Names,
    context: &ContextBuilder,
) -> Option<Manifest> {
    let doc = cx.loaded.manifest.clone()?;
    let raw: &RawManifest = &doc.value;
    check_name_shape(cx, doc.span(&raw.name), &raw.name.value, "workspace");
    let timezone = match &raw.timezone {
        Some(zone) => cx.value(&doc, zone, "manifest::bad-timezone", |z| parse_zone(z)),
        None => Some(Tz::UTC),
    };
    let locale = raw.locale.as_ref().map_or(Some("en-US".to_string()), |l| {
        cx.value(&doc, l, "manifest::bad-locale", locale)
    });
    let currency = raw.currency.as_ref().map_or(Some("USD".to_string()), |c| {
        cx.value(&doc, c, "manifest::bad-currency", currency)
    });
    let sender = &raw.sender;
    let from = cx.value(&doc, &sender.from, "manifest::bad-address", |f| {
        parse_mailbox(f).map(|_| f.clone())
    });
    let reply_to = optional(cx, &doc, &sender.reply_to, "manifest::bad-address", address);
    if sender.postal_address.value.trim().is_empty() {
        let d = Diagnostic::error("manifest::missing-postal-address", "`postal_address` is empty")
            .at(doc.span(&sender.postal_address))
            .with_hint("commercial email must carry a physical postal address (CAN-SPAM)");
        cx.report(d);
    }
    let unsubscribe = &sender.unsubscribe;
    check_inline(
        cx,
        &doc,
        &unsubscribe.url,
        &context.unsubscribe(),
        &Partials::new(cx, false),
    );
    if !unsubscribe.url.value.contains("unsubscribe_token") {
        let d = Diagnostic::warning(
            "manifest::unsubscribe-without-token",
            "the unsubscribe URL does not use `unsubscribe_token`",
        )
        .at(doc.span(&unsubscribe.url))
        .with_hint("add `t={{ unsubscribe_token }}` so that nobody can unsubscribe someone else");
        cx.report(d);
    }
    if !unsubscribe.url.value.starts_with("https://") {
        let d = Diagnostic::warning(
            "manifest::insecure-unsubscribe",
            "the one-click unsubscribe URL should use https",
        )
        .at(doc.span(&unsubscribe.url))
        .with_hint("RFC 8058 requires an HTTPS URI for List-Unsubscribe-Post");
        cx.report(d);
    }
    let mailto = optional(cx, &doc, &unsubscribe.mailto, "manifest::bad-address", address);
    let policy = raw.policy.as_ref();
    let consent = match policy.and_then(|p| p.consent.as_ref()) {
        Some(consent) => cx
            .expression(&doc, consent, names.scope(schema), Some("`policy.consent`"))
            .map(|c| (c.references.uses(), c.expr)),
        None => {
            let d = Diagnostic::error("manifest::missing-consent", "the manifest has no `policy.consent` rule")
                .at(doc.span(&raw.name))
                .with_hint("add `policy: { consent: email_opt_in and unsubscribed_at is null }` (your fields): marketing mail needs consent");
            cx.report(d);
            None
        }
    };
    let frequency_cap = policy
        .and_then(|p| p.frequency_cap.as_ref())
        .and_then(|c| cx.value(&doc, c, "manifest::bad-cap", |c| FrequencyCap::parse(c)));
    let quiet_hours = policy
        .and_then(|p| p.quiet_hours.as_ref())
        .and_then(|q| cx.value(&doc, q, "manifest::bad-time-range", |q| LocalTimeRange::parse(q)));
    let root = cx.loaded.root.clone();
    let delivery = delivery(cx, &doc, raw.delivery.as_ref(), &root);
    let tracking = match &raw.tracking {
        Some(tracking) => Some(cx.value(&doc, &tracking.base_url, "manifest::bad-tracking-url", |url| {
            tracking_base(url).map(|base_url| Tracking {
                base_url,
                opens: tracking.opens.unwrap_or(true),
                clicks: tracking.clicks.unwrap_or(true),
            })
        })?),
        None => None,
    };
    Some(Manifest {
        name: raw.name.value.clone(),
        timezone: timezone?,
        locale: locale?,
        currency: currency?,
        from: from?,
        reply_to,
        postal_address: sender.postal_address.value.clone(),
        unsubscribe_url: unsubscribe.url.value.clone(),
        unsubscribe_mailto: mailto,
        consent_uses: consent.as_ref()?.0.clone(),
        consent: consent?.1,
        frequency_cap,
        quiet_hours,
        delivery: delivery?,
        tracking,
    })
}

/// A tracking base URL: absolute http(s), no query or fragment; without its trailing slash.
fn tracking_base(text: &str) -> Result<String, String> {
    let url = url::Url::parse(text).map_err(|e| format!("not an absolute URL ({e})"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err("an http(s) URL with a host, where `tailor serve` answers".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("a base URL without `?query` or `#fragment`".into());
    }
    Ok(text.trim_end_matches('/').to_string())
}

fn optional<D>(
    cx: &mut Context,
    doc: &Document<D>,
    value: &Option<Located<String>>,
    code: &'static str,
    parse: fn(&String) -> Result<String, String>,
) -> Option<String> {
    value.as_ref().and_then(|v| cx.value(doc, v, code, parse))
}

/// The embedded default ledger, relative to the workspace folder.
const DEFAULT_LEDGER: &str = ".tailor/ledger.sqlite";

fn delivery<D>(cx: &mut Context, doc: &Document<D>, raw: Option<&RawDelivery>, root: &Path) -> Option<Delivery> {
    let path = |p: Option<&Located<String>>, default: &str| root.join(p.map_or(default, |p| p.value.as_str()));
    let Some(raw) = raw else {
        return Some(Delivery {
            transport: Transport::Outbox,
            outbox: path(None, ".tailor/outbox"),
            ledger: LedgerLocation::File(path(None, DEFAULT_LEDGER)),
            smtp: None,
            max_failure_rate: Percent { hundredths: 500 },
            max_data_age: None,
            dkim: None,
        });
    };
    let transport = raw.transport.as_ref().map_or(Transport::Outbox, |t| t.value);
    let smtp = match &raw.smtp {
        Some(smtp) => {
            if url::Url::parse(&smtp.url.value).is_ok_and(|parsed| parsed.password().is_some()) {
                cx.report(
                    Diagnostic::error("manifest::secret-in-url", "the SMTP URL holds a password")
                        .at(doc.span(&smtp.url))
                        .with_hint(
                            "remove it from the URL and set TAILOR_SMTP_PASSWORD instead: secrets never live in YAML",
                        )
                        .concealed(),
                );
            }
            let url = cx.value(doc, &smtp.url, "manifest::bad-smtp-url", |u| {
                let rest = u.strip_prefix("smtp://").or_else(|| u.strip_prefix("smtps://"));
                match rest {
                    Some(host) if !host.is_empty() => Ok(u.clone()),
                    _ => Err(format!(
                        "`{u}` is not an SMTP URL such as `smtp://127.0.0.1:2525` or `smtps://mail.example.com`"
                    )),
                }
            });
            let pool = smtp.pool.as_ref().map_or(Some(8), |p| {
                cx.value(doc, p, "manifest::bad-number", |p| {
                    if *p >= 1 {
                        Ok(*p)
                    } else {
                        Err("`pool` must be at least 1".into())
                    }
                })
            });
            let rate = smtp.rate_per_second.as_ref().map_or(Some(200.0), |r| {
                cx.value(doc, r, "manifest::bad-number", |r| {
                    if r.is_finite() && *r >= 0.0 {
                        Ok(*r)
                    } else {
                        Err("`rate_per_second` must be a positive number, or 0 for no limit".into())
                    }
                })
            });
            let timeout = smtp.timeout.as_ref().map_or(Some(Duration { seconds: 30 }), |t| {
                cx.value(doc, t, "manifest::bad-duration", |t| Duration::parse(t))
            });
            let retries = smtp.retries.as_ref().map_or(3, |r| r.value);
            Some(Smtp {
                url: url?,
                pool: pool?,
                rate_per_second: rate?,
                timeout: timeout?,
                retries,
            })
        }
        None if transport == Transport::Smtp => {
            let span = raw.transport.as_ref().map(|t| doc.span(t)).unwrap_or(doc.whole);
            cx.report(
                Diagnostic::error("manifest::missing-smtp", "`transport: smtp` needs `delivery.smtp`")
                    .at(span)
                    .with_hint("add `smtp: { url: \"smtp://host:port\" }`"),
            );
            return None;
        }
        None => None,
    };
    let max_failure_rate = raw
        .max_failure_rate
        .as_ref()
        .map_or(Some(Percent { hundredths: 500 }), |p| {
            cx.value(doc, p, "manifest::bad-percent", |p| Percent::parse(p))
        });
    let max_data_age = raw
        .max_data_age
        .as_ref()
        .and_then(|a| cx.value(doc, a, "manifest::bad-duration", |a| Duration::parse(a)));
    let ledger = match &raw.ledger {
        Some(ledger) => {
            match LedgerLocation::parse(&ledger.value, root) {
                Ok(location) => Some(location),
                Err(why) => {
                    let d = Diagnostic::error("manifest::bad-ledger", format!("`delivery.ledger`: {why}"))
                    .at(doc.span(ledger))
                    .with_hint("write `postgres://host/database[?schema=NAME]`; the password comes from `TAILOR_PG_PASSWORD`");
                    // A password is never shown again, not even the line holding it.
                    cx.report(if postgres_url_holds_password(&ledger.value) {
                        d.concealed()
                    } else {
                        d
                    });
                    None
                }
            }
        }
        None => Some(LedgerLocation::File(path(None, DEFAULT_LEDGER))),
    };
    let dkim = raw.dkim.as_ref().map(|dkim| {
        let key_file: PathBuf = root.join(&dkim.key_file.value);
        if !key_file.is_file() {
            let d = Diagnostic::error(
                "manifest::missing-file",
                format!("DKIM key `{}` does not exist", dkim.key_file.value),
            )
            .at(doc.span(&dkim.key_file))
            .with_hint("the path is relative to the workspace folder");
            cx.report(d);
        }
        Dkim {
            domain: dkim.domain.value.clone(),
            selector: dkim.selector.value.clone(),
            key_file,
        }
    });
    Some(Delivery {
        transport,
        outbox: path(raw.outbox.as_ref(), ".tailor/outbox"),
        ledger: ledger?,
        smtp,
        max_failure_rate: max_failure_rate?,
        max_data_age,
        dkim,
    })
}
