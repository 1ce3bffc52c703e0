//! What the server serves: one immutable snapshot (site model, search engine, problems, and
//! its files as content-addressed blobs), and the `Builder` that makes the next one,
//! incrementally where it can.
//!
//! A full build renders every file into the blob store (`serve::blobs`) and a new index into
//! `index-N` (opened from disk: its files are mapped, not held in memory). An edit of content
//! only re-parses the changed files, re-renders the jobs whose context changed
//! (`render::keys`) into new blobs and replaces the changed documents of the index. The next
//! snapshot shares every unchanged blob; nothing is written under one being served.
//! Content with errors is served as it is (broken links marked); the overlay lists them.

use super::blobs::{BlobOutput, BlobStore, SiteFiles};
use super::metrics::{BuildKind, Phase, PhaseTimer};
use crate::check::{LintMemo, Summary};
use crate::config::Config;
use crate::content::kept::SpillFile;
use crate::render::context::RenderEnv;
use crate::render::keys::JobKeys;
use crate::render::{Job, RenderOptions, Renderer};
use crate::search::update::IndexUpdater;
use crate::search::SearchEngine;
use crate::site::{DocumentCache, PageId, Reloaded, Site};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::broadcast;

/// One served version of the site. Never changed once made: the next version is another
/// snapshot, sharing what did not change.
pub struct Snapshot {
    pub site: Arc<Site>,
    pub engine: Arc<SearchEngine>,
    /// The rendered files, by output path.
    pub files: SiteFiles,
    /// Its errors in full, its warnings counted.
    pub summary: Arc<Summary>,
    pub generation: u64,
    /// What each render job of this snapshot read, to find what the next edit changes.
    pub keys: Arc<JobKeys>,
    /// The theme's compiled templates, for the pages made on request (`/stats/`).
    pub renderer: Arc<Renderer>,
    /// The files the feeds job wrote (feeds, sitemap, the client index): the next feeds
    /// replace them as a whole.
    feed_files: Arc<Vec<String>>,
    /// The folder the engine's index lives in, removed when nothing reads it any more.
    index_folder: Arc<IndexFolder>,
}

impl Snapshot {
    /// This snapshot with the files the feeds job wrote after it was swapped in.
    fn with_feeds(&self, files: SiteFiles, feed_files: Vec<String>) -> Snapshot {
        Snapshot {
            site: self.site.clone(),
            engine: self.engine.clone(),
            files,
            summary: self.summary.clone(),
            generation: self.generation,
            keys: self.keys.clone(),
            renderer: self.renderer.clone(),
            feed_files: Arc::new(feed_files),
            index_folder: self.index_folder.clone(),
        }
    }

    /// Where this snapshot's index lives.
    pub fn index_dir(&self) -> &Path {
        &self.index_folder.0
    }
}

/// Where the index of generation N of a full build lives: `index-N` in the cache folder.
pub fn index_dir(cache_dir: &Path, generation: u64) -> PathBuf {
    cache_dir.join(format!("index-{generation}"))
}

/// An index folder, removed once the builder and the last snapshot reading it are gone.
struct IndexFolder(PathBuf);

impl Drop for IndexFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Returns freed pages to the system (the texts just spilled, a replaced snapshot). The
/// binary's allocator is mimalloc (`main.rs`), which keeps a freed page until its heap
/// allocates again: without this, the 190 MB of texts spilled at 10,000 pages stayed resident
/// (RSS 497 MB after start, 249 MB with it; BENCHMARKS.md). Each thread has its own heaps and
/// `mi_collect` tidies the calling thread's: documents are parsed on rayon's threads, so
/// their freed pages wait there (RSS after start-up 211 → 196 MB when those collect too).
/// Under another allocator it only tidies mimalloc's empty heaps.
pub(crate) fn give_back_freed_memory() {
    // SAFETY: mi_collect takes a flag and touches only mimalloc's own heaps and arenas (it
    // is thread-safe); it collects the calling thread's heaps, hence the broadcast.
    let collect = || unsafe { libmimalloc_sys::mi_collect(true) };
    collect();
    rayon::broadcast(|_| collect());
}

/// A message to the browsers of writers: reload, or show these problems.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Reload,
    Problems(String),
}

pub struct AppState {
    pub root: PathBuf,
    /// The served snapshot, swapped whole (requests never wait on a rebuild).
    pub snapshot: arc_swap::ArcSwap<Snapshot>,
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
pub fn overlay_text(failure: Option<&str>, served: &Summary) -> Option<String> {
    use std::fmt::Write;
    let errors = &served.errors.0;
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
        self.snapshot.load_full()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Render(String),
    #[error(transparent)]
    Index(#[from] crate::search::index::IndexError),
    #[error("{0}")]
    Synonyms(String),
    #[error(transparent)]
    Model(#[from] crate::search::model::ModelError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

fn render_error(errors: Vec<crate::render::RenderError>) -> SnapshotError {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    SnapshotError::Render(lines.join("\n"))
}

/// Everything a rebuild reuses: compiled templates, parsed documents, the index writer, the
/// blob store.
pub struct Builder {
    root: PathBuf,
    cache_dir: PathBuf,
    live_reload: bool,
    config: Config,
    renderer: Arc<Renderer>,
    documents: DocumentCache,
    lints: LintMemo,
    index: tantivy::Index,
    /// Behind a lock only so that an update runs beside a render, which borrows the builder.
    updater: Mutex<IndexUpdater>,
    blobs: Arc<BlobStore>,
    /// The last incremental rebuild left the feeds for after the swap (`finish`).
    feeds_pending: bool,
    /// The last `finish` failed: the served feeds are older than the keys say, so the next
    /// rebuild renders them whatever changed.
    feeds_stale: bool,
    /// Where documents' texts go once rendered and indexed (`content::kept`).
    spill: Option<Arc<SpillFile>>,
    /// The last rebuild succeeded with the watcher running: the next may take the watcher's
    /// word for which files changed (`DocumentCache::changed_only`), keep the engine's synonyms
    /// and model unless their file is named, and count the problems of touched pages only.
    /// False after start-up (a save during the first build has no event) and after a failure
    /// (what the builder last read may not be what is served).
    trusted: bool,
    /// Last, so that it is dropped (and the folder removed) after the index writer.
    index_folder: Arc<IndexFolder>,
}

/// Why feeds taken from the builder were not served ([`Builder::feeds_not_written`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedsLeft {
    /// A newer snapshot was swapped in while they were written for the one before.
    Superseded,
    /// Writing them failed.
    Failed,
}

/// Writes the feeds (feeds, sitemap, client index) into the blob store without borrowing
/// the builder: they cover every page (a tenth of a second at 10,000 documents), and a
/// change that comes meanwhile is rebuilt beside them rather than after them.
pub struct FeedsWriter {
    renderer: Arc<Renderer>,
    blobs: Arc<BlobStore>,
    options: RenderOptions,
}

impl FeedsWriter {
    /// `snapshot` completed with its feeds, in a snapshot of its own (the one served is
    /// never written to).
    pub fn complete(&self, snapshot: &Snapshot) -> Result<Snapshot, SnapshotError> {
        let mut files = snapshot.files.clone();
        let feed_files = self.render(&snapshot.site, &mut files, &snapshot.feed_files)?;
        Ok(snapshot.with_feeds(files, feed_files))
    }

    /// Renders the feeds of `site` into `files`, in place of `old_feed_files`; returns the
    /// paths written.
    fn render(
        &self,
        site: &Site,
        files: &mut SiteFiles,
        old_feed_files: &[String],
    ) -> Result<Vec<String>, SnapshotError> {
        let out = BlobOutput::new(&self.blobs);
        self.renderer
            .render(site, &[Job::Feeds], self.options, &out)
            .map_err(render_error)?;
        for path in old_feed_files {
            files.remove(path);
        }
        let written = out.written_paths();
        out.apply_to(files);
        Ok(written)
    }
}

/// What a render of a site made: the keys of its jobs and the files it serves.
struct Rendered {
    keys: JobKeys,
    files: SiteFiles,
    /// The feeds' key changed; they were left for after the swap (`Builder::finish`).
    feeds_changed: bool,
}

impl Builder {
    /// Serve's first build: opens the blob store in `cache_dir` (reusing the files an earlier
    /// run left that this site still has, removing the rest, and earlier runs' index
    /// folders), then loads, renders and indexes the site at `root` from scratch.
    pub fn full(
        root: &Path,
        cache_dir: &Path,
        generation: u64,
        live_reload: bool,
    ) -> Result<(Builder, Snapshot), SnapshotError> {
        std::fs::create_dir_all(cache_dir)?;
        for entry in std::fs::read_dir(cache_dir)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // `gen-N`: the rendered folders of versions before the blob store.
            if name.starts_with("index-") || name.starts_with("gen-") {
                std::fs::remove_dir_all(&path)?;
            }
        }
        let blobs = BlobStore::open(&cache_dir.join("files"))?;
        let built = Self::full_with(root, cache_dir, blobs.clone(), generation, live_reload)?;
        let removed = blobs.remove_unnamed()?;
        tracing::debug!("removed {removed} files of an earlier run");
        give_back_freed_memory();
        Ok(built)
    }

    /// A full rebuild (templates, config): the same blob store, a new index folder.
    pub fn full_again(&self, generation: u64) -> Result<(Builder, Snapshot), SnapshotError> {
        let (root, cache_dir) = (&self.root, &self.cache_dir);
        Self::full_with(
            root,
            cache_dir,
            self.blobs.clone(),
            generation,
            self.live_reload,
        )
    }

    fn full_with(
        root: &Path,
        cache_dir: &Path,
        blobs: Arc<BlobStore>,
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
        let summary = crate::check::summary_with(&site, crate::render::today(), &mut lints, None);
        timer.lap(Phase::Check);
        let index_folder = Arc::new(IndexFolder(index_dir(cache_dir, generation)));
        let index = crate::search::index::build_in_dir(&site, &index_folder.0)?;
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
            index_folder: index_folder.clone(),
            updater: Mutex::new(updater),
            blobs,
            feeds_pending: false,
            feeds_stale: false,
            trusted: false,
            spill: SpillFile::create_in(cache_dir)
                .inspect_err(|e| tracing::warn!("documents' texts stay in memory: {e}"))
                .ok(),
        };
        let engine = builder.engine(&site)?;
        timer.lap(Phase::Index);
        let Rendered {
            keys, mut files, ..
        } = builder.render(&site, None)?;
        let feed_files = builder.feeds_writer().render(&site, &mut files, &[])?;
        timer.lap(Phase::Render);
        builder.spill(&site);
        let snapshot = Snapshot {
            site: Arc::new(site),
            engine: Arc::new(engine),
            files,
            summary: Arc::new(summary),
            generation,
            keys: Arc::new(keys),
            renderer: builder.renderer.clone(),
            feed_files: Arc::new(feed_files),
            index_folder,
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
        let trusted = std::mem::replace(&mut self.trusted, false);
        let named = rel.iter().map(|(r, _)| r.as_str());
        if trusted {
            self.documents.changed_only(named);
        } else {
            self.documents.forget(named);
        }
        self.documents.keep_listing(
            &content_dir,
            rel.iter().map(|(r, p)| (r.as_str(), *p)),
            &self.config.synonyms_file,
            &self.config.fragments,
        );
        let mut timer = PhaseTimer::start(BuildKind::Incremental);
        let Reloaded { site, touched } = Site::reload(
            &self.root,
            self.config.clone(),
            &mut self.documents,
            &current.site,
        );
        let loaded = timer.lap(Phase::Load);
        let summary = crate::check::summary_with(
            &site,
            crate::render::today(),
            &mut self.lints,
            touched.as_deref().filter(|_| trusted),
        );
        let checked = timer.lap(Phase::Check);
        let (keys, files) = self.render_and_update(&site, current, touched.as_deref())?;
        let rendered = timer.lap(Phase::Render);
        // The model's file is not content: a change to it is a full rebuild.
        let synonyms = &self.config.synonyms_file;
        let names_synonyms = |r: &str| crate::content::walk::is_at_or_under(synonyms, r);
        let engine = if !trusted || rel.iter().any(|(r, _)| names_synonyms(r)) {
            self.engine(&site)?.sharing_columns_with(&current.engine)
        } else {
            current.engine.reopened(self.index.clone())?
        };
        let indexed = timer.lap(Phase::Index);
        tracing::debug!(
            "incremental: load {loaded:.0?}, check {checked:.0?}, render and index update {rendered:.0?}, engine {indexed:.0?}"
        );
        self.trusted = true;
        Ok(Snapshot {
            site: Arc::new(site),
            engine: Arc::new(engine),
            files,
            summary: Arc::new(summary),
            generation: current.generation + 1,
            keys: Arc::new(keys),
            renderer: self.renderer.clone(),
            feed_files: current.feed_files.clone(),
            index_folder: self.index_folder.clone(),
        })
    }

    /// Renders what changed since `current` and brings the index to `site`, at once: a
    /// one-page commit mostly waits on tantivy's own threads (an edit at 10,000 pages renders
    /// a few pages in about as long). Records the feeds as pending when they changed.
    fn render_and_update(
        &mut self,
        site: &Site,
        current: &Snapshot,
        touched: Option<&[PageId]>,
    ) -> Result<(JobKeys, SiteFiles), SnapshotError> {
        let (rendered, updated) = std::thread::scope(|scope| {
            let updating = scope.spawn(|| {
                // A panic here is raised again below, and the builder is not used after it.
                let mut updater = self.updater.lock().expect("the index updater's lock");
                updater.update(site, touched)
            });
            let rendered = self.render(site, Some((current, touched)));
            let updated = updating
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (rendered, updated)
        });
        let Rendered {
            keys,
            files,
            feeds_changed,
        } = rendered?;
        updated?;
        // Still pending: the last snapshot was not completed (a change was waiting).
        self.feeds_pending =
            feeds_changed || std::mem::take(&mut self.feeds_stale) || self.feeds_pending;
        Ok((keys, files))
    }

    fn options(&self) -> RenderOptions {
        RenderOptions {
            live_reload: self.live_reload,
            today: crate::render::today(),
        }
    }

    /// Renders every job of `site` but the feeds, or, given the snapshot it follows (and the
    /// pages it touched, when `site` is that snapshot's patched), only what changed since
    /// (the feeds are not rendered then: `feeds_changed` says whether `finish` must).
    fn render(
        &self,
        site: &Site,
        previous: Option<(&Snapshot, Option<&[PageId]>)>,
    ) -> Result<Rendered, SnapshotError> {
        let options = self.options();
        let env = RenderEnv::new(site, options.today, site.config.local_links);
        let all = Renderer::all_jobs(site);
        // Only what an edit can have changed is keyed again: after a patch, the jobs that read
        // a touched page; after an add, a rename or a delete, those that read a part of the
        // site that changed.
        let kept_keys = previous.and_then(|(old, touched)| match touched {
            Some(touched) => old.keys.after_patch(&env, &all, options, touched),
            None => old.keys.carried_over(&old.site, &env, &all, options),
        });
        let keys = kept_keys.unwrap_or_else(|| JobKeys::compute(&env, &all, options));
        let (jobs, remove, feeds_changed): (Vec<Job>, _, _) = match previous.map(|(old, _)| old) {
            Some(old) => {
                let changes = keys.changes_from(&old.keys);
                // The feeds and the client index cover every page (a tenth of a second at
                // 10,000 documents) and the edited page does not show them: they are written
                // after the swap, so the writer's browser reloads sooner.
                let feeds_changed = changes.render.contains(&Job::Feeds);
                let now = changes.render.into_iter().filter(|j| *j != Job::Feeds);
                (now.collect(), changes.remove, feeds_changed)
            }
            None => (
                all.iter().filter(|j| **j != Job::Feeds).cloned().collect(),
                vec![],
                false,
            ),
        };
        let out = BlobOutput::new(&self.blobs);
        self.renderer
            .render(site, &jobs, options, &out)
            .map_err(render_error)?;
        let mut files = previous
            .map(|(old, _)| old.files.clone())
            .unwrap_or_default();
        for path in &remove {
            files.remove(path);
        }
        out.apply_to(&mut files);
        tracing::debug!("rendered {} of {} jobs", jobs.len(), all.len());
        Ok(Rendered {
            keys,
            files,
            feeds_changed,
        })
    }

    fn feeds_writer(&self) -> FeedsWriter {
        FeedsWriter {
            renderer: self.renderer.clone(),
            blobs: self.blobs.clone(),
            options: self.options(),
        }
    }

    /// The snapshot that completes `snapshot` with what its rebuild left for after the swap
    /// (the feeds), or `None` when nothing was left.
    pub fn finish(&mut self, snapshot: &Snapshot) -> Result<Option<Snapshot>, SnapshotError> {
        let Some(writer) = self.take_feeds() else {
            return Ok(None);
        };
        let done = writer.complete(snapshot);
        if done.is_err() {
            self.feeds_not_written(FeedsLeft::Failed);
        }
        done.map(Some)
    }

    /// What writes the feeds the last rebuild left for after the swap, apart from the
    /// builder (so that the next change need not wait for them: `serve::watch::complete`),
    /// or `None` when nothing was left. The builder counts them as written from now on:
    /// [`Builder::feeds_not_written`] says otherwise.
    pub fn take_feeds(&mut self) -> Option<FeedsWriter> {
        std::mem::take(&mut self.feeds_pending).then(|| self.feeds_writer())
    }

    /// The feeds taken by [`Builder::take_feeds`] were not served: the next completion
    /// writes them again, or, when writing them failed, the next rebuild does whatever
    /// changed.
    pub fn feeds_not_written(&mut self, why: FeedsLeft) {
        match why {
            FeedsLeft::Superseded => self.feeds_pending = true,
            FeedsLeft::Failed => self.feeds_stale = true,
        }
    }

    /// A full rebuild is being tried: should it fail, the next incremental one reads
    /// everything again rather than trust what this builder read last.
    pub fn distrust(&mut self) {
        self.trusted = false;
    }

    /// Deletes the files no snapshot serves any more (run once a snapshot is completed).
    pub fn collect_garbage(&self) -> usize {
        self.blobs.collect_garbage()
    }

    /// Moves the texts of `site`'s documents (those not moved yet) into the spill file and
    /// gives the freed memory back; a failure (a full disk) keeps the rest in memory and says
    /// so once. After an incremental rebuild the watcher calls it once the snapshot is served
    /// (`watch::swap_in_next`): ~10 ms at 10,000 pages (mostly `mi_collect` on every thread)
    /// that were on an add's, rename's and delete's way to the browser (BENCHMARKS.md,
    /// session 29).
    pub(crate) fn spill(&mut self, site: &Site) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(snapshot: &Snapshot, path: &str) -> String {
        let blob = snapshot.files.get(path).expect(path);
        String::from_utf8(blob.read().unwrap().to_vec()).unwrap()
    }

    fn site_with_page(title: &str) -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(
            content.join("README.md"),
            "# Главная\n\nСм. [{#T}](а.md).\n",
        )
        .unwrap();
        let page = content.join("а.md");
        std::fs::write(&page, format!("# {title}\n\nТекст.\n")).unwrap();
        (root, page)
    }

    /// The index of a snapshot is outside what is served, and goes with the last snapshot and
    /// builder that read it.
    #[test]
    fn a_snapshots_index_is_not_served_and_goes_with_it() {
        let (root, _) = site_with_page("Страница");
        let cache = root.path().join(".cache");
        let (builder, snapshot) = Builder::full(root.path(), &cache, 7, false).unwrap();
        assert_eq!(snapshot.index_dir(), cache.join("index-7"));
        assert!(cache.join("index-7/meta.json").is_file());
        assert!(snapshot.files.get("meta.json").is_none());
        drop((builder, snapshot));
        assert!(!cache.join("index-7").exists());
    }

    /// Once rendered and indexed, documents' texts live in the spill file; a page rendered
    /// again after an edit of another (here: its link's title changed) reads its body back.
    #[test]
    fn documents_texts_leave_memory_and_come_back_for_a_render() {
        let (root, page) = site_with_page("Старое название");
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
        // As the watcher does once `next` is served.
        builder.spill(&next.site);
        assert!(spilled(&next));
        let home = text(&next, "index.html");
        assert!(home.contains("Новое название"), "{home}");
        assert!(home.contains("Главная"));
    }

    /// A snapshot never changes once made: the feeds written after the swap come in a
    /// snapshot of their own, and the files only the old snapshots named are deleted once
    /// those are gone.
    #[test]
    fn the_feeds_come_in_a_snapshot_of_their_own_and_old_files_go_with_old_snapshots() {
        let (root, page) = site_with_page("Старое название");
        let cache = root.path().join(".cache");
        let (mut builder, first) = Builder::full(root.path(), &cache, 0, false).unwrap();
        let stored = || {
            walkdir::WalkDir::new(cache.join("files"))
                .min_depth(2)
                .into_iter()
                .filter(|e| e.as_ref().unwrap().file_type().is_file())
                .count()
        };
        let distinct = |s: &Snapshot| {
            let mut tags: Vec<_> = s.files.read_all().unwrap().into_values().collect();
            tags.sort();
            tags.dedup();
            tags.len()
        };
        assert_eq!(stored(), distinct(&first));
        std::fs::write(&page, "# Новое название\n\nТекст.\n").unwrap();
        let next = builder.incremental(&first, &[page]).unwrap();
        let fragment = "search/f/1.js";
        assert!(text(&next, "index.html").contains("Новое название"));
        assert!(text(&next, fragment).contains("Старое название"), "not yet");
        let done = builder.finish(&next).unwrap().expect("the feeds changed");
        assert!(text(&done, fragment).contains("Новое название"));
        assert!(
            text(&next, fragment).contains("Старое название"),
            "unchanged"
        );
        assert_eq!(done.generation, next.generation);
        assert!(builder.finish(&done).unwrap().is_none());
        assert_eq!(builder.collect_garbage(), 0, "every snapshot is still held");
        drop((first, next));
        assert!(builder.collect_garbage() > 0);
        assert_eq!(stored(), distinct(&done));
    }
}
