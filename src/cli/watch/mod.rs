//! `tailor preview [DIR] --watch`: a live-reloading page on localhost. The page ([`gallery`]) is
//! rebuilt whenever a file of the workspace or one of its datasets changes ([`changes`]), and
//! every open browser reloads itself (tower-livereload).

mod changes;
mod gallery;
mod host;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use tower_livereload::LiveReloadLayer;

use super::{ExitCode, Failure};
use crate::check::check_workspace;
use crate::diag::Diagnostic;
use crate::load::load_workspace;
use crate::model::is_table_source;
use changes::ContentChanges;
pub use gallery::gallery;

/// The folders holding the workspace's datasets, when it checks (they often live outside it).
fn dataset_folders(root: &Path) -> Vec<PathBuf> {
    let Ok(loaded) = load_workspace(root) else {
        return Vec::new();
    };
    let Some(workspace) = check_workspace(&loaded).workspace else {
        return Vec::new();
    };
    let sources = &workspace.schema.sources;
    let mut folders: Vec<PathBuf> = [
        Some(&sources.profiles),
        sources.events.as_ref(),
        sources.catalog.as_ref(),
    ]
    .into_iter()
    .flatten()
    // A database table is not watched: the page renders it as it was when loaded.
    .filter(|source| !is_table_source(&source.to_string_lossy()))
    .filter_map(|file| file.parent().map(Path::to_path_buf))
    .filter(|folder| !folder.starts_with(root))
    .collect();
    folders.sort();
    folders.dedup();
    folders
}

/// Serves the preview of the workspace at `root` on `127.0.0.1:port` until interrupted. The
/// page shows `now` when given, else the wall clock at each rebuild.
pub fn serve(root: &Path, now: Option<DateTime<Utc>>, port: u16) -> Result<ExitCode, Failure> {
    let root = root.to_path_buf();
    let clock = move || now.unwrap_or_else(Utc::now);
    let page = Arc::new(RwLock::new(gallery(&root, clock())));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| {
            Failure::usage(Diagnostic::error(
                "preview::serve",
                format!("cannot start the server: {error}"),
            ))
        })?;
    let livereload = LiveReloadLayer::new();
    let reloader = livereload.reloader();
    let folders: Vec<PathBuf> = std::iter::once(root.clone()).chain(dataset_folders(&root)).collect();
    let changes = ContentChanges::watch(&folders)
        .map_err(|what| Failure::usage(Diagnostic::error("preview::watch", format!("cannot watch {what}"))))?;
    let rebuilt = Arc::clone(&page);
    let watched = root.clone();
    std::thread::spawn(move || {
        while changes.next_save().is_some() {
            let html = gallery(&watched, clock());
            *rebuilt.write().unwrap_or_else(|p| p.into_inner()) = html;
            reloader.reload();
        }
    });
    let app = Router::new()
        .route(
            "/",
            get(move || {
                let page = Arc::clone(&page);
                async move { Html(page.read().unwrap_or_else(|p| p.into_inner()).clone()) }
            }),
        )
        .layer(livereload)
        // Outermost, so the live-reload endpoint is guarded too.
        .layer(axum::middleware::from_fn(host::loopback_hosts_only));
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        eprintln!(
            "previewing {} at http://127.0.0.1:{port}/ — edits re-render live; Ctrl-C stops",
            root.display()
        );
        axum::serve(listener, app).await
    });
    served.map(|()| ExitCode::Success).map_err(|error| {
        Failure::usage(Diagnostic::error(
            "preview::serve",
            format!("http://127.0.0.1:{port}/: {error}"),
        ))
    })
}
