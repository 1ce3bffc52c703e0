//! What the server serves: one immutable snapshot (site model, search engine, problems), and
//! the `Builder` that makes the next one, incrementally where it can.
//!
//! A full build renders into a fresh `gen-N` folder and a new index in `index-N` beside it
//! (opened from disk: its files are mapped, not held in memory). An edit of content only
//! re-parses the changed files, re-renders the jobs whose context changed (`render::keys`) in
//! place (each file replaced atomically) and replaces the changed documents of the index.
//! Content with errors is served as it is (broken links marked); the overlay lists them.

use super::metrics::{BuildKind, Phase, PhaseTimer};
use crate::check::LintMemo;
use crate::config::Config;
use crate::content::kept::SpillFile;
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::render::context::RenderEnv;
use crate::render::keys::JobKeys;
use crate::render::output::{DiskOutput, Output};
use crate::render::{Job, RenderOptions, Renderer};
use crate::search::update::IndexUpdater;
use crate::search::SearchEngine;
use crate::site::{DocumentCache, Site};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::broadcast;

pub struct Snapshot {
    pub site: Site,
    pub engine: SearchEngine,
    /// Folder holding the rendered files.
    pub dir: PathBuf,
    pub diagnostics: Diagnostics,
    pub generation: u64,
    /// What each render job of this snapshot read, to find what the next edit changes.
    pub keys: JobKeys,
    /// Files of `dir` already read, served from memory.
    pub hot: super::hot::HotFiles,
    /// The theme's compiled templates, for the pages made on request (`/stats/`).
    pub renderer: Arc<Renderer>,
}

/// Where the index of the snapshot rendered into `dir` (`gen-N`) lives: `index-N` beside it,
/// outside the served folder, and removed with it.
pub fn index_dir(dir: &Path) -> PathBuf {
    let generation = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("gen-"))
        .unwrap_or("0");
    dir.with_file_name(format!("index-{generation}"))
}

/// Returns freed pages to the system (the texts just spilled, a replaced snapshot). The
/// binary's allocator is mimalloc (`main.rs`), which keeps a freed page until its heap
/// allocates again: without this, the 190 MB of texts spilled at 10,000 pages stayed resident
/// (RSS 497 MB after start, 249 MB with it; BENCHMARKS.md). Under another allocator it only
/// tidies mimalloc's empty heaps.
pub(crate) fn give_back_freed_memory() {
    // SAFETY: mi_collect takes a flag and touches only mimalloc's own heaps.
    unsafe { libmimalloc_sys::mi_collect(true) }
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
    pub builder: Mutex<Builder>,
    /// What the overlay shows (`overlay_text`): why the last rebuild failed, if it did, and the
    /// errors of the site being served; `None` when there is nothing to fix.
    pub problems: RwLock<Option<String>>,
    /// Operators' feedback and what suggest learned from it; unset when feedback is off (or
    /// in tests that do not [`crate::serve::start_feedback`]).
    pub feedback: std::sync::OnceLock<Arc<crate::feedback::Feedback>>,
}

/// Errors the overlay lists in full; `spravka check` lists them all.
const OVERLAY_ERRORS: usize = 100;

/// The overlay's text: why the last rebuild failed (the last good version stays served), then
/// the errors of the served site with file:line and help ("did you mean"); `None` when there
/// is neither.
pub fn overlay_text(failure: Option<&str>, served: &Diagnostics) -> Option<String> {
    use std::fmt::Write;
    let errors: Vec<&Diagnostic> = served
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if failure.is_none() && errors.is_empty() {
        return None;
    }
    let mut text = String::new();
    if let Some(failure) = failure {
        let _ = write!(
            text,
            "последняя правка не применена, на сайте прежняя версия:\n\n{failure}\n\n"
        );
    }
    if !errors.is_empty() {
        let _ = writeln!(
            text,
            "ошибок в содержимом: {} (страницы показаны с ними, битые ссылки отмечены):\n",
            errors.len()
        );
        for d in errors.iter().take(OVERLAY_ERRORS) {
            let _ = writeln!(text, "{}", d.render_human(false));
        }
        if errors.len() > OVERLAY_ERRORS {
            let _ = writeln!(
                text,
                "… и ещё {}: `spravka check` покажет все.",
                errors.len() - OVERLAY_ERRORS
            );
        }
    }
    Some(text.trim_end().to_string())
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
    #[error(transparent)]
    Model(#[from] crate::search::model::ModelError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn render_error(errors: Vec<crate::render::RenderError>) -> SnapshotError {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    SnapshotError::Render(lines.join("\n"))
}

/// Everything a rebuild reuses: compiled templates, parsed documents, the index writer.
pub struct Builder {
    root: PathBuf,
    cache_dir: PathBuf,
    live_reload: bool,
    config: Config,
    renderer: Arc<Renderer>,
    documents: DocumentCache,
    lints: LintMemo,
    index: tantivy::Index,
    updater: IndexUpdater,
    /// Jobs of the last incremental rebuild left for after the swap (`finish`).
    deferred: Vec<Job>,
    /// Where documents' texts go once rendered and indexed (`content::kept`).
    spill: Option<Arc<SpillFile>>,
}

impl Builder {
    /// Loads, renders into `cache_dir/gen-N` and indexes the site at `root` from scratch.
    pub fn full(
        root: &Path,
        cache_dir: &Path,
        generation: u64,
        live_reload: bool,
    ) -> Result<(Builder, Snapshot), SnapshotError> {
        let mut timer = PhaseTimer::start(BuildKind::Full);
        let config = Config::load(root)?;
        let renderer =
            Renderer::new(root, &config.theme).map_err(|e| SnapshotError::Render(e.to_string()))?;
        let mut documents = DocumentCache::default();
        let site = Site::load_with_cache(root, config.clone(), &mut documents);
        timer.lap(Phase::Load);
        let mut lints = LintMemo::default();
        let diagnostics = crate::check::diagnostics_with(&site, crate::render::today(), &mut lints);
        timer.lap(Phase::Check);
        let dir = cache_dir.join(format!("gen-{generation}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let index = crate::search::index::build_in_dir(&site, &index_dir(&dir))?;
        let updater = IndexUpdater::new(&index, &site)?;
        let mut builder = Builder {
            root: root.to_path_buf(),
            cache_dir: cache_dir.to_path_buf(),
            live_reload,
            config,
            renderer: Arc::new(renderer),
            documents,
            lints,
            index,
            updater,
            deferred: vec![],
            spill: SpillFile::create_in(cache_dir)
                .inspect_err(|e| tracing::warn!("documents' texts stay in memory: {e}"))
                .ok(),
        };
        let engine = builder.engine(&site)?;
        timer.lap(Phase::Index);
        let keys = builder.render(&site, &dir, None)?;
        timer.lap(Phase::Render);
        builder.spill(&site);
        let snapshot = Snapshot {
            site,
            engine,
            dir,
            diagnostics,
            generation,
            keys,
            hot: Default::default(),
            renderer: builder.renderer.clone(),
        };
        Ok((builder, snapshot))
    }

    /// The next snapshot after content changed: only `changed` files (absolute paths) are
    /// surely re-read; others are re-read when their size or time changed. Errors in the
    /// content never stop it: a rename or a delete is served at once, its broken links marked.
    pub fn incremental(
        &mut self,
        current: &Snapshot,
        changed: &[PathBuf],
    ) -> Result<Snapshot, SnapshotError> {
        let content_dir = self.root.join(&self.config.content_dir);
        let rel: Vec<(String, &Path)> = changed
            .iter()
            .filter(|p| p.starts_with(&content_dir))
            .map(|p| (crate::content::walk::relative(&content_dir, p), p.as_path()))
            .collect();
        self.documents.forget(rel.iter().map(|(r, _)| r.as_str()));
        self.documents
            .keep_listing(rel.iter().map(|(r, p)| (r.as_str(), *p)));
        let mut timer = PhaseTimer::start(BuildKind::Incremental);
        let site = Site::load_with_cache(&self.root, self.config.clone(), &mut self.documents);
        let loaded = timer.lap(Phase::Load);
        let diagnostics =
            crate::check::diagnostics_with(&site, crate::render::today(), &mut self.lints);
        let checked = timer.lap(Phase::Check);
        let keys = self.render(&site, &current.dir, Some(&current.keys))?;
        let rendered = timer.lap(Phase::Render);
        self.updater.update(&site)?;
        let engine = self.engine(&site)?;
        let indexed = timer.lap(Phase::Index);
        self.spill(&site);
        tracing::debug!(
            "incremental: load {loaded:.0?}, check {checked:.0?}, render {rendered:.0?}, index {indexed:.0?}"
        );
        Ok(Snapshot {
            site,
            engine,
            dir: current.dir.clone(),
            diagnostics,
            generation: current.generation + 1,
            keys,
            hot: Default::default(),
            renderer: self.renderer.clone(),
        })
    }

    /// Renders every job of `site` into `dir`, or, given the keys of the site already there,
    /// only what changed since; returns the keys of `site`.
    fn render(
        &mut self,
        site: &Site,
        dir: &Path,
        previous: Option<&JobKeys>,
    ) -> Result<JobKeys, SnapshotError> {
        let options = RenderOptions {
            live_reload: self.live_reload,
            today: crate::render::today(),
        };
        let env = RenderEnv::new(site, options.today, site.config.local_links);
        let all = Renderer::all_jobs(site);
        let keys = JobKeys::compute(&env, &all, options);
        // A full build goes to a fresh folder that is served only after the swap.
        let out = match previous {
            Some(_) => DiskOutput::new(dir),
            None => DiskOutput::staging(dir),
        };
        let (jobs, remove) = match previous {
            Some(old) => {
                let changes = keys.changes_from(old);
                // The feeds and the client index cover every page (a tenth of a second at
                // 10,000 documents) and the edited page does not show them: they are written
                // after the swap, so the writer's browser reloads sooner.
                let (later, now) = changes.render.into_iter().partition(|j| *j == Job::Feeds);
                self.deferred = later;
                (now, changes.remove)
            }
            None => (all.clone(), vec![]),
        };
        self.renderer
            .render(site, &jobs, options, &out)
            .map_err(render_error)?;
        for path in remove {
            out.remove(&path)?;
        }
        tracing::debug!("rendered {} of {} jobs", jobs.len(), all.len());
        Ok(keys)
    }

    /// Renders what the last incremental rebuild left for after the swap.
    pub fn finish(&mut self, snapshot: &Snapshot) -> Result<(), SnapshotError> {
        let jobs = std::mem::take(&mut self.deferred);
        if jobs.is_empty() {
            return Ok(());
        }
        let options = RenderOptions {
            live_reload: self.live_reload,
            today: crate::render::today(),
        };
        self.renderer
            .render(
                &snapshot.site,
                &jobs,
                options,
                &DiskOutput::new(&snapshot.dir),
            )
            .map(drop)
            .map_err(render_error)?;
        snapshot.hot.clear();
        Ok(())
    }

    /// Moves the texts of documents new to this site out of memory; a failure (a full disk)
    /// keeps the rest in memory and says so once.
    fn spill(&mut self, site: &Site) {
        let Some(file) = &self.spill else { return };
        if let Err(e) = site.pages.iter().try_for_each(|p| p.doc.spill(file)) {
            tracing::warn!("documents' texts stay in memory: {e}");
            self.spill = None;
        }
        give_back_freed_memory();
    }

    fn engine(&self, site: &Site) -> Result<SearchEngine, SnapshotError> {
        let synonyms = crate::search::load_synonyms(site).map_err(SnapshotError::Synonyms)?;
        let model = crate::search::SuggestModel::load(&self.root)?;
        Ok(SearchEngine::new(self.index.clone(), synonyms)?
            .with_suggest(site.config.suggest.clone(), model))
    }

    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    pub fn live_reload(&self) -> bool {
        self.live_reload
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index of a snapshot is beside its folder, never inside what is served.
    #[test]
    fn a_snapshots_index_lives_beside_its_folder() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("content")).unwrap();
        std::fs::write(root.path().join("content/README.md"), "# Главная\n").unwrap();
        let cache = root.path().join(".cache");
        let (_, snapshot) = Builder::full(root.path(), &cache, 7, false).unwrap();
        assert_eq!(index_dir(&snapshot.dir), cache.join("index-7"));
        assert!(cache.join("index-7/meta.json").is_file());
        assert!(!snapshot.dir.join("meta.json").exists());
    }

    /// Once rendered and indexed, documents' texts live in the spill file; a page rendered
    /// again after an edit of another (here: its link's title changed) reads its body back.
    #[test]
    fn documents_texts_leave_memory_and_come_back_for_a_render() {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(
            content.join("README.md"),
            "# Главная\n\nСм. [{#T}](а.md).\n",
        )
        .unwrap();
        let page = content.join("а.md");
        std::fs::write(&page, "# Старое название\n\nТекст.\n").unwrap();
        let cache = root.path().join(".cache");
        let (mut builder, first) = Builder::full(root.path(), &cache, 0, false).unwrap();
        let spilled = |s: &Snapshot| {
            s.site.pages.iter().all(|p| {
                let d = &p.doc;
                d.source.is_spilled() && d.rendered.plain_text.is_spilled()
            })
        };
        assert!(spilled(&first));
        std::fs::write(&page, "# Новое название\n\nТекст.\n").unwrap();
        let next = builder.incremental(&first, &[page]).unwrap();
        assert!(spilled(&next));
        let home = std::fs::read_to_string(next.dir.join("index.html")).unwrap();
        assert!(home.contains("Новое название"), "{home}");
        assert!(home.contains("Главная"));
    }

    /// A file served between the swap and the feeds written after it must not stay in memory.
    #[test]
    fn finish_forgets_files_read_before_the_feeds_were_rewritten() {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(content.join("README.md"), "# Главная\n\n[а](а.md)\n").unwrap();
        let page = content.join("а.md");
        std::fs::write(&page, "# Старое название\n\nТекст.\n").unwrap();
        let cache = root.path().join(".cache");
        let (mut builder, first) = Builder::full(root.path(), &cache, 0, false).unwrap();
        std::fs::write(&page, "# Новое название\n\nТекст.\n").unwrap();
        let next = builder.incremental(&first, &[page]).unwrap();
        let stale = super::super::hot::HotFile {
            bytes: std::fs::read(next.dir.join("search/index.js"))
                .unwrap()
                .into(),
            etag: axum::http::HeaderValue::from_static("\"old\""),
            last_modified: None,
            content_type: "application/json",
        };
        next.hot.insert("/search/index.js", stale, next.hot.epoch());
        builder.finish(&next).unwrap();
        assert!(next.hot.get("/search/index.js").is_none());
        let fragment = std::fs::read_to_string(next.dir.join("search/f/1.js")).unwrap();
        assert!(
            fragment.contains("Новое название"),
            "the feeds were written after the swap"
        );
    }
}
