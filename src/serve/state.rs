//! What the server serves: one immutable snapshot (site on disk, search engine, problems),
//! swapped whole after each successful rebuild, so a request sees the old or the new site,
//! never a mix.

use crate::diagnostics::Diagnostics;
use crate::render::{RenderOptions, Renderer};
use crate::search::SearchEngine;
use crate::site::Site;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use tokio::sync::broadcast;

pub struct Snapshot {
    pub site: Site,
    pub engine: SearchEngine,
    /// Folder holding this snapshot's rendered files.
    pub dir: PathBuf,
    pub diagnostics: Diagnostics,
    pub generation: u64,
}

/// A message to the browsers of writers: reload, or show these problems.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Reload,
    Problems(String),
}

pub struct AppState {
    pub root: PathBuf,
    pub snapshot: RwLock<Arc<Snapshot>>,
    pub events: broadcast::Sender<LiveEvent>,
    pub cache_dir: PathBuf,
    pub live_reload: bool,
    /// The problems of the last failed rebuild, shown as an overlay until fixed.
    pub problems: RwLock<Option<String>>,
}

impl AppState {
    pub fn current(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("snapshot lock").clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Render(String),
    #[error("{0}")]
    Index(#[from] crate::search::index::IndexError),
    #[error("{0}")]
    Synonyms(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Loads, renders into `cache_dir/gen-N` and indexes the site at `root`.
pub fn make_snapshot(
    root: &Path,
    cache_dir: &Path,
    generation: u64,
    live_reload: bool,
) -> Result<Snapshot, SnapshotError> {
    let config = crate::config::Config::load(root)?;
    let renderer =
        Renderer::new(root, &config.theme).map_err(|e| SnapshotError::Render(e.to_string()))?;
    let site = Site::load(root, config);
    let today = crate::render::today();
    let diagnostics = crate::check::diagnostics(&site, today);
    let dir = cache_dir.join(format!("gen-{generation}"));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let out = crate::render::output::DiskOutput::new(&dir);
    renderer
        .render(
            &site,
            &Renderer::all_jobs(&site),
            RenderOptions { live_reload, today },
            &out,
        )
        .map_err(|errors| {
            SnapshotError::Render(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?;
    let synonyms = crate::search::load_synonyms(&site).map_err(SnapshotError::Synonyms)?;
    let engine = SearchEngine::new(crate::search::index::build_in_ram(&site)?, synonyms)?;
    Ok(Snapshot {
        site,
        engine,
        dir,
        diagnostics,
        generation,
    })
}
