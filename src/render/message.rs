//! Rendering one recipient's message: subject, preheader, HTML (auto-escaped) and text.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use super::context::{recipient_globals, Recipient};
use super::header::{single_line, MAX_TEXT_CHARS, MAX_URL_CHARS};
use super::mime::{build_message, message_hash, Envelope};
use super::mjml::{compile_mjml, compile_mjml_once};
use super::recommend::products_by_key;
use super::template_css::{css_inliner, inline_once};
use super::text_part::text_from_html;
use super::tracking::{track_html, TrackingPayload};
use super::unsubscribe::unsubscribe_token;
use crate::check::CheckedWorkspace;
use crate::data::Dataset;
use crate::diag::SourceMap;
use crate::load::LoadedWorkspace;
use crate::model::{Campaign, Variant};
use crate::template::{
    object_from_json, partial_files, Engine, LiquidValue, Object, ProductCatalog, ProductRows, Template, TemplateLocale,
};

/// Width of a text part derived from HTML.
const TEXT_WIDTH: usize = 78;

/// A rendered message, before MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMessage {
    /// The variant rendered.
    pub variant: String,
    /// The subject, on one line.
    pub subject: String,
    /// The preheader, on one line.
    pub preheader: Option<String>,
    /// The HTML part.
    pub html: String,
    /// The text part (the text template, or derived from the HTML).
    pub text: String,
    /// The one-click unsubscribe URL.
    pub unsubscribe_url: String,
    /// The complete message (CRLF line endings).
    pub eml: String,
    /// H of its Message-ID ([`super::mime::message_hash`]).
    pub hash: String,
}

/// Engines for a workspace's HTML and text templates, built once and used for every message;
/// each template is prepared and parsed once, on first use. Shared by rendering threads.
pub struct Renderer<'w> {
    sources: &'w SourceMap,
    html: Engine,
    text: Engine,
    /// Parsed templates by source: HTML ones (escaped) and text ones.
    parsed: [RwLock<HashMap<String, Arc<Template>>>; 2],
    /// HTML message templates by source, HTML ones then MJML ones, compiled and CSS-inlined
    /// once where possible.
    pages: [RwLock<HashMap<String, Arc<Page>>>; 2],
    /// The HTML partials' sources by name, as written.
    html_partials: BTreeMap<String, String>,
    /// Inlines CSS ([`css_inliner`]).
    inliner: css_inline::CSSInliner<'static>,
    /// The catalog the `product` filter reads, filled from the data on the first render.
    catalog: ProductCatalog,
}

/// An HTML message template, prepared and parsed.
struct Page {
    /// The source parsed: MJML compiled when [`compile_mjml_once`] could, CSS inlined when
    /// [`inline_once`] could.
    source: String,
    template: Template,
    /// Each rendered message still needs compiling from MJML.
    compile_each: bool,
    /// Each rendered message still needs its CSS inlined.
    inline_each: bool,
}

impl<'w> Renderer<'w> {
    /// Engines with the workspace's partials (HTML ones auto-escaped) and its locale and
    /// currency (for `money` and `date`).
    pub fn new(loaded: &'w LoadedWorkspace, workspace: &CheckedWorkspace) -> Result<Renderer<'w>, String> {
        let manifest = &workspace.manifest;
        let locale = TemplateLocale::new(&manifest.locale, &manifest.currency)?;
        let partials = |html: bool| -> BTreeMap<String, String> {
            partial_files(&loaded.templates, html)
                .into_iter()
                .map(|(name, file)| (name, loaded.sources.file(file).text.clone()))
                .collect()
        };
        let (html_partials, text_partials) = (partials(true), partials(false));
        let catalog = ProductCatalog::default();
        Ok(Renderer {
            sources: &loaded.sources,
            html: Engine::with_catalog(&html_partials, &locale, true, Arc::clone(&catalog)),
            text: Engine::with_catalog(&text_partials, &locale, false, Arc::clone(&catalog)),
            catalog,
            parsed: Default::default(),
            pages: Default::default(),
            html_partials,
            inliner: css_inliner(),
        })
    }

    /// Fills the `product` filter's catalog from `dataset` the first time ([`render_message`]
    /// does it; one renderer renders from one dataset's catalog).
    pub fn load_catalog(&self, dataset: &Dataset, workspace: &CheckedWorkspace) {
        self.catalog.get_or_init(|| {
            let key = workspace.schema.catalog_key.as_deref().unwrap_or("id");
            let fields = workspace
                .schema
                .catalog
                .as_ref()
                .map(|c| c.names().collect())
                .unwrap_or_default();
            ProductRows::new(
                products_by_key(dataset, key)
                    .into_iter()
                    .map(|(key, row)| (key, LiquidValue::from_json(&row))),
                fields,
            )
        });
    }

    /// The engine for HTML (outputs escaped) or text templates.
    fn engine(&self, html: bool) -> &Engine {
        if html {
            &self.html
        } else {
            &self.text
        }
    }

    /// `source` parsed (outputs marked for escaping when `html`), from the cache after the
    /// first time.
    fn template(&self, source: &str, html: bool) -> Result<Arc<Template>, String> {
        let cache = &self.parsed[usize::from(html)];
        if let Some(template) = read(cache).get(source) {
            return Ok(Arc::clone(template));
        }
        let template = Arc::new(self.engine(html).parse(source)?);
        write(cache).insert(source.to_string(), Arc::clone(&template));
        Ok(template)
    }

    /// Renders `source` (an HTML template when `html`: outputs escaped) with `globals`.
    pub fn render(&self, source: &str, html: bool, globals: &Object) -> Result<String, String> {
        Ok(self.engine(html).render(&*self.template(source, html)?, globals)?)
    }

    /// The HTML message template `source` (MJML when `mjml`), prepared and parsed once:
    /// compiled from MJML and its CSS inlined now when that gives what doing it for each message
    /// would ([`compile_mjml_once`], [`inline_once`]).
    fn page(&self, source: &str, mjml: bool) -> Result<Arc<Page>, String> {
        let cache = &self.pages[usize::from(mjml)];
        if let Some(page) = read(cache).get(source) {
            return Ok(Arc::clone(page));
        }
        let compiled: Option<Cow<str>> = if mjml {
            compile_mjml_once(source).map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(source))
        };
        let inlined = compiled
            .as_deref()
            .and_then(|html| inline_once(&self.inliner, html, &self.html_partials));
        let liquid = inlined.as_deref().or(compiled.as_deref()).unwrap_or(source);
        let page = Arc::new(Page {
            template: self.html.parse(liquid)?,
            source: liquid.to_string(),
            compile_each: compiled.is_none(),
            inline_each: inlined.is_none(),
        });
        write(cache).insert(source.to_string(), Arc::clone(&page));
        Ok(page)
    }

    /// Whether messages of the HTML template `source` (MJML when `mjml`) are only rendered:
    /// compiling and inlining were done once for the template.
    pub fn renders_only(&self, source: &str, mjml: bool) -> Result<bool, String> {
        let page = self.page(source, mjml)?;
        Ok(!page.compile_each && !page.inline_each)
    }

    /// The source an HTML message template is rendered from (see [`Renderer::render_html`]).
    pub fn page_source(&self, source: &str, mjml: bool) -> Result<String, String> {
        Ok(self.page(source, mjml)?.source.clone())
    }

    /// Renders the HTML message template `source` (MJML when `mjml`) with `globals` to a
    /// message's HTML part: outputs escaped, MJML compiled, CSS inlined.
    pub fn render_html(&self, source: &str, mjml: bool, globals: &Object) -> Result<String, String> {
        let page = self.page(source, mjml)?;
        let mut html = self.html.render(&page.template, globals)?;
        if page.compile_each {
            html = compile_mjml(&html)?;
        }
        if page.inline_each {
            // Email clients ignore <style> blocks more often than inline styles.
            html = self
                .inliner
                .inline(&html)
                .map_err(|e| format!("CSS inlining failed: {e}"))?;
        }
        Ok(html)
    }
}

/// A cache for reading; a thread that panicked while holding it left nothing half-written (an
/// insert is one call).
fn read<T>(cache: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    cache.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A cache for writing (see [`read`]).
fn write<T>(cache: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    cache.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Subjects and preheaders are one line: a line break or control character in data cannot
/// add a header ([`super::header`] encodes what is left).
fn one_line(text: &str) -> String {
    single_line(text, MAX_TEXT_CHARS)
}

/// What the headers of `variant`'s message to `to` need: the sender (the variant's, else the
/// manifest's), Reply-To, the unsubscribe targets and the postal address.
pub(crate) fn envelope<'a>(
    workspace: &'a CheckedWorkspace,
    variant: &'a Variant,
    to: &'a str,
    to_name: Option<&'a str>,
    unsubscribe_url: &'a str,
    now: chrono::DateTime<chrono::Utc>,
) -> Envelope<'a> {
    let manifest = &workspace.manifest;
    Envelope {
        from: variant.from.as_deref().unwrap_or(&manifest.from),
        to,
        to_name,
        reply_to: manifest.reply_to.as_deref(),
        unsubscribe_url,
        unsubscribe_mailto: manifest.unsubscribe_mailto.as_deref(),
        postal_address: &manifest.postal_address,
        now,
    }
}

/// Renders `campaign`'s `variant` for `recipient`; `secret` signs the unsubscribe token.
pub fn render_message(
    renderer: &Renderer,
    workspace: &CheckedWorkspace,
    recipient: &Recipient,
    campaign: &Campaign,
    variant: &Variant,
    secret: &[u8],
) -> Result<RenderedMessage, String> {
    renderer.load_catalog(recipient.dataset, workspace);
    let mut globals = object_from_json(&recipient_globals(recipient, campaign, variant)?);
    let key = recipient.key();
    // The unsubscribe URL is rendered with the token added to the globals (its template may
    // use `user` and `unsubscribe_token`; the checker allows nothing else).
    globals.insert(
        "unsubscribe_token".into(),
        LiquidValue::from(unsubscribe_token(secret, &key)),
    );
    let unsubscribe_url = renderer.render(&workspace.manifest.unsubscribe_url, false, &globals)?;
    let url_length = unsubscribe_url.chars().count();
    if url_length > MAX_URL_CHARS {
        return Err(format!(
            "the unsubscribe URL is {url_length} characters long (at most {MAX_URL_CHARS}): a profile field it uses is too long"
        ));
    }
    globals.shift_remove("unsubscribe_token");
    globals.insert("unsubscribe_url".into(), LiquidValue::from(unsubscribe_url.as_str()));
    let subject = one_line(
        &renderer
            .render(&variant.subject, false, &globals)
            .map_err(|e| format!("in the subject: {e}"))?,
    );
    let preheader = match &variant.preheader {
        Some(preheader) => Some(one_line(
            &renderer
                .render(preheader, false, &globals)
                .map_err(|e| format!("in the preheader: {e}"))?,
        )),
        None => None,
    };
    let html_file = renderer.sources.file(variant.html.file);
    let html = renderer
        .render_html(&html_file.text, variant.html.mjml, &globals)
        .map_err(|e| format!("in `{}`: {e}", html_file.display_path))?;
    let text = match &variant.text {
        Some(template) => {
            let file = renderer.sources.file(template.file);
            renderer
                .render(&file.text, false, &globals)
                .map_err(|e| format!("in `{}`: {e}", file.display_path))?
        }
        None => text_from_html(&html, TEXT_WIDTH),
    };
    let hash = message_hash(&campaign.name, &key, &recipient.occurrence(campaign)?);
    // Links are tracked after the text part is derived, so the text keeps the real links.
    let html = match &workspace.manifest.tracking {
        Some(tracking) => {
            let payload = TrackingPayload {
                campaign: campaign.name.clone(),
                variant: variant.name.clone(),
                message: hash.clone(),
                key: key.to_string(),
                sent_at: recipient.now.timestamp(),
                url: None,
            };
            track_html(&html, tracking, &payload, &unsubscribe_url, secret)
        }
        None => html,
    };
    let (email, name) = (recipient.email(), recipient.display_name());
    let envelope = envelope(
        workspace,
        variant,
        &email,
        name.as_deref(),
        &unsubscribe_url,
        recipient.now,
    );
    let eml = build_message(&envelope, &hash, &subject, preheader.as_deref(), &text, &html);
    Ok(RenderedMessage {
        variant: variant.name.clone(),
        subject,
        preheader,
        html,
        text,
        unsubscribe_url,
        eml,
        hash,
    })
}

#[cfg(test)]
mod tests {
    /// Rendering threads share one renderer.
    #[test]
    fn the_renderer_can_be_shared_between_threads() {
        fn shared<T: Sync + Send>() {}
        shared::<super::Renderer>();
    }
}
