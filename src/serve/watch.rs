//! Watching content/, themes/ and spravka.toml: bursts of events are coalesced, the site is
//! rebuilt into a new snapshot, browsers are told to reload, or shown the problems while the
//! last good snapshot keeps being served.

use super::state::{make_snapshot, AppState, LiveEvent};
use crate::diagnostics::Severity;
use notify::{RecursiveMode, Watcher};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// Quiet time that ends a burst: editors save as temp file + rename, or in several writes.
const DEBOUNCE: Duration = Duration::from_millis(30);

/// What a change must touch to matter: content, the site's themes, the config file. The
/// serve cache lives elsewhere (`.spravka/`), so its own writes never trigger a rebuild.
struct Watched {
    content: PathBuf,
    themes: PathBuf,
    config: PathBuf,
}

impl Watched {
    fn is_relevant(&self, event: &notify::Event) -> bool {
        use notify::EventKind::{Create, Modify, Remove};
        matches!(event.kind, Create(_) | Modify(_) | Remove(_))
            && event.paths.iter().any(|p| {
                p.starts_with(&self.content) || p.starts_with(&self.themes) || *p == self.config
            })
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
    };
    watcher.watch(&watched.content, RecursiveMode::Recursive)?;
    if watched.themes.is_dir() {
        watcher.watch(&watched.themes, RecursiveMode::Recursive)?;
    }
    // The root itself (not recursive) catches spravka.toml being created, edited or renamed.
    watcher.watch(&state.root, RecursiveMode::NonRecursive)?;
    std::thread::Builder::new()
        .name("spravka-watch".into())
        .spawn(move || {
            let _watcher = watcher; // lives as long as the thread
            while let Ok(first) = rx.recv() {
                let mut relevant = watched.is_relevant(&first);
                while let Ok(event) = rx.recv_timeout(DEBOUNCE) {
                    relevant |= watched.is_relevant(&event);
                }
                if relevant {
                    rebuild(&state);
                }
            }
        })?;
    Ok(())
}

/// Rebuilds into the next generation and swaps it in, unless it failed or brought new errors:
/// then the last good snapshot stays and browsers are shown the problems.
pub fn rebuild(state: &AppState) {
    let current = state.current();
    let generation = current.generation + 1;
    let started = std::time::Instant::now();
    let snapshot = match make_snapshot(&state.root, &state.cache_dir, generation, state.live_reload)
    {
        Ok(snapshot) => snapshot,
        Err(e) => return show_problems(state, e.to_string()),
    };
    let errors: Vec<String> = snapshot
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.render_human(false))
        .collect();
    // A site that already had errors keeps updating; a new error keeps the last good one.
    if errors.len() > current.diagnostics.errors() {
        let _ = std::fs::remove_dir_all(&snapshot.dir);
        return show_problems(state, errors.join("\n"));
    }
    let old_dir = current.dir.clone();
    *state.snapshot.write().expect("snapshot lock") = Arc::new(snapshot);
    *state.problems.write().expect("problems lock") = None;
    tracing::info!(
        "rebuilt generation {generation} in {:.0?}",
        started.elapsed()
    );
    let _ = state.events.send(LiveEvent::Reload);
    // Requests still holding the old snapshot finish within the request timeout.
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(30));
        let _ = std::fs::remove_dir_all(old_dir);
    });
}

fn show_problems(state: &AppState, text: String) {
    tracing::warn!("rebuild failed; serving the last good version:\n{text}");
    *state.problems.write().expect("problems lock") = Some(text.clone());
    let _ = state.events.send(LiveEvent::Problems(text));
}
