//! Watching content/, themes/ and spravka.toml: bursts of events are coalesced, the site is
//! rebuilt into a new snapshot and browsers are told to reload. Errors in the content never
//! hold a save back: the new snapshot is served, the overlay lists them. Only a rebuild that
//! fails outright (a template or config error) keeps the last good snapshot.

use super::metrics::BuildKind;
use super::state::{overlay_text, AppState, Builder, FeedsLeft, FeedsWriter, LiveEvent};
use super::state::{Snapshot, SnapshotError};
use notify::{RecursiveMode, Watcher};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Quiet time that ends a burst: editors save as temp file + rename, or in several writes.
/// A burst ends sooner when a save is complete (`ends_burst`): after this
/// much quiet, which still gathers what a save does right after the close (vim removes its
/// backup file) and the other files of a "save all".
const DEBOUNCE: Duration = Duration::from_millis(30);
const AFTER_SAVE: Duration = Duration::from_millis(5);

/// What a change must touch to matter: content, the site's themes, the config file and the
/// tuned suggest model beside it. The
/// serve cache lives elsewhere (`.spravka/`), so its own writes never trigger a rebuild.
struct Watched {
    content: PathBuf,
    themes: PathBuf,
    config: PathBuf,
    model: PathBuf,
}

impl Watched {
    fn is_relevant(&self, event: &notify::Event) -> bool {
        use notify::EventKind::{Create, Modify, Remove};
        matches!(event.kind, Create(_) | Modify(_) | Remove(_))
            && event.paths.iter().any(|p| self.covers(p))
    }

    fn covers(&self, path: &std::path::Path) -> bool {
        path.starts_with(&self.content)
            || path.starts_with(&self.themes)
            || path == self.config
            || path == self.model
    }

    /// Whether `event` says a save is complete: a markdown file of content/ (not an editor's
    /// temporary or hidden file) closed after writing, as editors that write in place do, or
    /// an editor's temporary file renamed onto a document, as editors that write a temporary
    /// file first do. The burst then ends after `AFTER_SAVE` of quiet, which still gathers the
    /// rest of a "save all". Waiting out the whole quiet time after it was a fifth of an edit's
    /// way to the browser at 10,000 pages. A document renamed or removed keeps the full quiet:
    /// editors rewrite the links to a moved document right after, and a tool may write a
    /// removed file anew.
    fn ends_burst(&self, event: &notify::Event) -> bool {
        use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
        let document = |p: &PathBuf| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or(".");
            // As `content::walk` lists them: no hidden file or folder.
            let hidden = p.strip_prefix(&self.content).map_or(true, |rel| {
                rel.components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            });
            !hidden && name.to_lowercase().ends_with(".md")
        };
        match (event.kind, event.paths.as_slice()) {
            (EventKind::Access(AccessKind::Close(AccessMode::Write)), paths) => {
                !paths.is_empty() && paths.iter().all(document)
            }
            (EventKind::Modify(ModifyKind::Name(RenameMode::Both)), [from, to]) => {
                !document(from) && document(to)
            }
            _ => false,
        }
    }
}

/// What a burst of events asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Templates, theme files, the config or the suggest model changed: everything is rebuilt.
    Full,
    /// These content files changed (or appeared, or went away).
    Content(Vec<PathBuf>),
}

impl Change {
    fn add(&mut self, watched: &Watched, event: &notify::Event) {
        // Events were lost (the kernel's queue overflowed): what changed is unknown, and the
        // kept listing of content/, patched event by event, may miss files. Build it all.
        if event.need_rescan() {
            *self = Change::Full;
            return;
        }
        if !watched.is_relevant(event) {
            return;
        }
        let full = event.paths.iter().any(|p| !p.starts_with(&watched.content));
        match self {
            Change::Full => {}
            _ if full => *self = Change::Full,
            Change::Content(paths) => paths.extend(event.paths.iter().cloned()),
        }
    }
}

pub fn spawn(state: Arc<AppState>) -> notify::Result<()> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = tx.send(event);
        }
    })?;
    let watched = Watched {
        content: state.current().site.content_dir.clone(),
        themes: state.root.join("themes"),
        config: state.root.join(crate::config::CONFIG_FILE),
        model: state.root.join(crate::search::model::MODEL_FILE),
    };
    watcher.watch(&watched.content, RecursiveMode::Recursive)?;
    if watched.themes.is_dir() {
        watcher.watch(&watched.themes, RecursiveMode::Recursive)?;
    }
    // The root itself (not recursive) catches spravka.toml being created, edited or renamed.
    watcher.watch(&state.root, RecursiveMode::NonRecursive)?;
    let completer = completer(state.clone())?;
    std::thread::Builder::new()
        .name("spravka-watch".into())
        .spawn(move || {
            let _watcher = watcher; // lives as long as the thread
            let mut completion = Completion::default();
            let mut queued: Vec<notify::Event> = Vec::new();
            loop {
                if queued.is_empty() {
                    match rx.recv() {
                        Ok(event) => queued.push(event),
                        Err(_) => break,
                    }
                }
                let change = burst(&watched, std::mem::take(&mut queued), &rx);
                if change != Change::Content(vec![]) {
                    swap_in(&state, &change);
                    completion.pending = true;
                }
                // What came while that was built: the server's own reads come too (inotify
                // reports opening a file), so every queued event is looked at.
                queued.extend(rx.try_iter());
                if completion.due(waiting_change(&watched, &queued)) {
                    // Ends only with serve: the completer outlives nothing it needs.
                    let _ = completer.send(());
                }
            }
        })?;
    Ok(())
}

/// A thread that [`complete`]s the served snapshot whenever it is sent a request (several
/// waiting requests are one): the watcher goes on gathering and rebuilding the next change
/// meanwhile, so a rename right after an add no longer waits for the add's feeds.
fn completer(state: Arc<AppState>) -> std::io::Result<mpsc::Sender<()>> {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("spravka-complete".into())
        .spawn(move || {
            while rx.recv().is_ok() {
                rx.try_iter().for_each(drop);
                complete(&state);
            }
        })?;
    Ok(tx)
}

/// How long the feeds may wait for the changes that keep coming (a writer saving every
/// few hundred milliseconds) before they are written anyway.
const MOST_DEFERRAL: Duration = Duration::from_secs(2);

/// One burst of events, from those already `queued` on until `rx` is quiet: what changed.
fn burst(
    watched: &Watched,
    queued: Vec<notify::Event>,
    rx: &mpsc::Receiver<notify::Event>,
) -> Change {
    let mut change = Change::Content(vec![]);
    let mut quiet = DEBOUNCE;
    let mut next = queued.into_iter();
    while let Some(event) = next.next().or_else(|| rx.recv_timeout(quiet).ok()) {
        change.add(watched, &event);
        if watched.ends_burst(&event) {
            quiet = AFTER_SAVE;
        }
    }
    change
}

/// Whether one of `queued` changes what serve serves.
fn waiting_change(watched: &Watched, queued: &[notify::Event]) -> bool {
    queued
        .iter()
        .any(|e| e.need_rescan() || watched.is_relevant(e))
}

/// Whether the snapshot swapped in last still waits for its completion (`complete`).
#[derive(Default)]
struct Completion {
    pending: bool,
    /// Since when it has been put off.
    put_off_since: Option<Instant>,
}

impl Completion {
    /// Whether to ask for the snapshot swapped in now to be completed: not while a change is
    /// already waiting (the feeds and the client index, 100–150 ms at 10,000 pages, would
    /// share the two cores with its rebuild and be dropped once it is swapped in); the
    /// builder keeps them pending (`Builder::incremental`) for the completion after the
    /// first pause, or `MOST_DEFERRAL` after the first time it was put off (dropped again if
    /// a change is swapped in while they are written).
    fn due(&mut self, change_waiting: bool) -> bool {
        if !self.pending {
            return false;
        }
        let since = *self.put_off_since.get_or_insert_with(Instant::now);
        if change_waiting && since.elapsed() < MOST_DEFERRAL {
            return false;
        }
        *self = Completion::default();
        true
    }
}

/// Makes the next snapshot, swaps it in and completes it: what the watcher does when no
/// other change is waiting. Errors in the content never hold it back: browsers reload and
/// the overlay lists the errors of what is now served. An incremental rebuild that fails (a
/// template error on one page) is retried as a full one; if that fails too, the last good
/// snapshot stays and browsers are shown why.
pub fn rebuild(state: &AppState, change: &Change) {
    swap_in(state, change);
    complete(state);
}

/// `rebuild` without completing: the feeds are left for [`complete`] or the next rebuild.
pub fn swap_in(state: &AppState, change: &Change) {
    let started = Instant::now();
    let (kind, ok) = swap_in_next(state, change, started);
    super::metrics::rebuild(kind, ok, started.elapsed());
}

/// Writes what the last swap left for after it (the feeds and the client index) as a
/// snapshot of its own (the one swapped in is never written to), then deletes the files no
/// snapshot serves any more: the previous snapshots are gone by now, unless a request still
/// reads one (their files go at a later collection). The feeds are written without the
/// builder's lock: a change swapped in meanwhile is not held up. Their completion is then
/// dropped and left pending, for the completion the watcher asks for after every swap (not
/// retried here: under saves faster than the feeds, each retry would be dropped too).
pub fn complete(state: &AppState) {
    if let Some((served, writer)) = feeds_to_write(state) {
        let done = writer.complete(&served);
        serve_completed(state, &served, done);
    }
    let removed = state
        .builder
        .lock()
        .expect("builder lock")
        .collect_garbage();
    tracing::debug!("removed {removed} files no snapshot serves");
    super::state::give_back_freed_memory();
}

/// The served snapshot and what writes the feeds its rebuild left, if it left any.
pub fn feeds_to_write(state: &AppState) -> Option<(Arc<Snapshot>, FeedsWriter)> {
    let mut builder = state.builder.lock().expect("builder lock");
    // Under the lock: a swap cannot come between reading the snapshot and taking its feeds.
    let served = state.current();
    builder.take_feeds().map(|writer| (served, writer))
}

/// Serves `done`, the completion of `served`, unless another snapshot was swapped in since;
/// returns whether `served` was still served (its completion done, or failed and shown).
pub fn serve_completed(
    state: &AppState,
    served: &Arc<Snapshot>,
    done: Result<Snapshot, SnapshotError>,
) -> bool {
    let mut builder = state.builder.lock().expect("builder lock");
    serve_completed_locked(state, &mut builder, served, done)
}

/// [`serve_completed`] with the builder's lock already held (`builder` is its guard's).
pub fn serve_completed_locked(
    state: &AppState,
    builder: &mut Builder,
    served: &Arc<Snapshot>,
    done: Result<Snapshot, SnapshotError>,
) -> bool {
    // Under the lock, as swaps are: none can come between this check and the store. After a
    // full rebuild the fresh builder is told so too, and writes the feeds its snapshot has
    // again: rare, and the same blobs.
    if !Arc::ptr_eq(&state.current(), served) {
        builder.feeds_not_written(FeedsLeft::Superseded);
        return false;
    }
    match done {
        Ok(done) => state.snapshot.store(Arc::new(done)),
        Err(e) => {
            builder.feeds_not_written(FeedsLeft::Failed);
            show_failure(state, served, e.to_string());
        }
    }
    true
}

/// `swap_in` but for its metric: which build it tried last, and whether it succeeded (a
/// failure to write the feeds after the swap is shown by `complete`).
fn swap_in_next(state: &AppState, change: &Change, started: Instant) -> (BuildKind, bool) {
    let mut builder = state.builder.lock().expect("builder lock");
    // Read under the lock, as the completer stores: a completion stored between the read
    // and the lock would be built upon without its feeds, which nothing would write again.
    let current = state.current();
    let (snapshot, kind) = match next_snapshot(&current, &mut builder, change) {
        Ok(next) => next,
        Err(e) => {
            show_failure(state, &current, e.to_string());
            return (BuildKind::Full, false);
        }
    };
    let generation = snapshot.generation;
    let snapshot = Arc::new(snapshot);
    state.snapshot.store(snapshot.clone());
    // Before the reload: the reloaded pages ask for the problems as they connect.
    let problems = overlay_text(None, &snapshot.summary);
    *state.problems.write().expect("problems lock") = problems;
    tracing::info!(
        "rebuilt generation {generation} ({}) in {:.0?}{}",
        kind.label(),
        started.elapsed(),
        match snapshot.summary.errors.0.len() {
            0 => String::new(),
            n => format!(", served with {n} errors"),
        }
    );
    let _ = state.events.send(LiveEvent::Reload);
    if kind == BuildKind::Incremental {
        // Off the way to the browser: the snapshot is served with its new texts in memory.
        builder.spill(&snapshot.site);
    }
    (kind, true)
}

/// The snapshot after `change`: incremental when only content changed and that succeeds,
/// else a full build (then `builder` is replaced).
fn next_snapshot(
    current: &Snapshot,
    builder: &mut Builder,
    change: &Change,
) -> Result<(Snapshot, BuildKind), SnapshotError> {
    if let Change::Content(paths) = change {
        if let Ok(snapshot) = builder.incremental(current, paths) {
            return Ok((snapshot, BuildKind::Incremental));
        }
    }
    builder.distrust();
    let (fresh, snapshot) = builder.full_again(current.generation + 1)?;
    *builder = fresh;
    Ok((snapshot, BuildKind::Full))
}

/// A rebuild failed: `served` stays, and browsers are shown why, with its own errors.
fn show_failure(state: &AppState, served: &Snapshot, failure: String) {
    tracing::warn!("rebuild failed; serving the last good version:\n{failure}");
    let text = overlay_text(Some(&failure), &served.summary).unwrap_or(failure);
    *state.problems.write().expect("problems lock") = Some(text.clone());
    let _ = state.events.send(LiveEvent::Problems(text));
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, EventKind, ModifyKind};
    use notify::event::{RemoveKind, RenameMode};

    fn watched() -> Watched {
        Watched {
            content: "/site/content".into(),
            themes: "/site/themes".into(),
            config: "/site/spravka.toml".into(),
            model: "/site/suggest-model.toml".into(),
        }
    }

    #[test]
    fn a_document_saved_in_place_or_through_a_temporary_file_ends_the_burst_and_nothing_else_does()
    {
        let watched = watched();
        let event = |kind, path: &str| notify::Event::new(kind).add_path(path.into());
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        assert!(watched.ends_burst(&event(closed, "/site/content/Раздел/Статья.md")));
        let saved_by_rename = event(renamed, "/site/content/.Статья.md.tmp")
            .add_path("/site/content/Статья.md".into());
        assert!(watched.ends_burst(&saved_by_rename));
        for (from, to, why) in [
            ("Статья.md", "Статья.md~", "a backup made: the save goes on"),
            (
                "Статья.md",
                "Новая.md",
                "a document moved: links to it are rewritten next",
            ),
        ] {
            let moved = event(renamed, &format!("/site/content/{from}"))
                .add_path(format!("/site/content/{to}").into());
            assert!(!watched.ends_burst(&moved), "{why}");
        }
        let removed = event(
            EventKind::Remove(RemoveKind::File),
            "/site/content/Статья.md",
        );
        assert!(
            !watched.ends_burst(&removed),
            "a removed file may be written anew"
        );
        for (kind, path) in [
            // Still being written, or only created.
            (written, "/site/content/Раздел/Статья.md"),
            (
                EventKind::Create(CreateKind::File),
                "/site/content/Статья.md",
            ),
            // Editors' temporary files: the save ends with a rename still to come.
            (closed, "/site/content/.Статья.md.swp"),
            (closed, "/site/content/.git/Статья.md"),
            (closed, "/site/content/Статья.md~"),
            (closed, "/site/content/Статья.md___jb_tmp___"),
            // Not content: themes and the config keep the quiet time.
            (closed, "/site/themes/default/page.html"),
            (closed, "/site/spravka.toml"),
        ] {
            assert!(!watched.ends_burst(&event(kind, path)), "{kind:?} {path}");
        }
    }

    /// The server's own reads come as events too (inotify reports a file opened): a save
    /// queued behind one is still a change waiting, and the completion waits for it, but
    /// never longer than `MOST_DEFERRAL`.
    #[test]
    fn a_waiting_save_puts_the_completion_off_and_nothing_else_does() {
        let watched = watched();
        let event = |kind, path: &str| notify::Event::new(kind).add_path(path.into());
        let opened = event(
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            "/site/content/Статья.md",
        );
        let saved = event(
            EventKind::Modify(ModifyKind::Data(DataChange::Content)),
            "/site/content/Статья.md",
        );
        assert!(!waiting_change(&watched, std::slice::from_ref(&opened)));
        assert!(waiting_change(&watched, &[opened, saved]));

        let mut completion = Completion::default();
        assert!(!completion.due(false), "nothing swapped in");
        completion.pending = true;
        assert!(!completion.due(true), "put off while a change waits");
        assert!(completion.due(false), "due at the first pause");
        assert!(!completion.due(false), "once");
        completion.pending = true;
        completion.put_off_since = Some(Instant::now() - MOST_DEFERRAL);
        assert!(completion.due(true), "not put off for ever");
    }

    #[test]
    fn lost_events_rebuild_everything() {
        let watched = watched();
        let mut change = Change::Content(vec![]);
        let saved = notify::Event::new(EventKind::Modify(ModifyKind::Data(DataChange::Content)))
            .add_path("/site/content/Статья.md".into());
        change.add(&watched, &saved);
        assert_eq!(
            change,
            Change::Content(vec!["/site/content/Статья.md".into()])
        );
        let overflow = notify::Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        change.add(&watched, &overflow);
        assert_eq!(change, Change::Full);
    }
}
