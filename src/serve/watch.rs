//! Watching content/, themes/ and spravka.toml: bursts of events are coalesced, the site is
//! rebuilt into a new snapshot, browsers are told to reload, or shown the problems while the
//! last good snapshot keeps being served.

use super::state::{make_snapshot, AppState, LiveEvent};
use crate::diagnostics::Severity;
use notify::{RecursiveMode, Watcher};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

/// Quiet time that ends a burst: editors save as temp file + rename, or in several writes.
const DEBOUNCE: Duration = Duration::from_millis(30);

pub fn spawn(state: Arc<AppState>) -> notify::Result<()> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = tx.send(event);
        }
    })?;
    let config = state.current().site.config.clone();
    let content = state.root.join(&config.content_dir);
    watcher.watch(&content, RecursiveMode::Recursive)?;
    let themes = state.root.join("themes");
    if themes.is_dir() {
        watcher.watch(&themes, RecursiveMode::Recursive)?;
    }
    // The root itself (not recursive) catches spravka.toml being created, edited or renamed.
    watcher.watch(&state.root, RecursiveMode::NonRecursive)?;
    std::thread::Builder::new()
        .name("spravka-watch".into())
        .spawn(move || {
            let _watcher = watcher; // lives as long as the thread
            let cache = state.cache_dir.clone();
            while let Ok(first) = rx.recv() {
                let mut relevant = is_relevant(&state, &first, &cache);
                while let Ok(event) = rx.recv_timeout(DEBOUNCE) {
                    relevant |= is_relevant(&state, &event, &cache);
                }
                if relevant {
                    rebuild(&state);
                }
            }
        })?;
    Ok(())
}

fn is_relevant(state: &AppState, event: &notify::Event, cache: &std::path::Path) -> bool {
    matches!(
        event.kind,
        notify::EventKind::Create(_) | notify::EventKind::Modify(_) | notify::EventKind::Remove(_)
    ) && event.paths.iter().any(|p| {
        !p.starts_with(cache)
            && !p.starts_with(state.root.join(".spravka"))
            && (p.starts_with(state.root.join("content"))
                || p.starts_with(state.root.join("themes"))
                || p.file_name()
                    .is_some_and(|n| n == crate::config::CONFIG_FILE))
    })
}

/// Rebuilds into the next generation; swaps it in unless it brought errors.
pub fn rebuild(state: &AppState) {
    let current = state.current();
    let generation = current.generation + 1;
    let started = std::time::Instant::now();
    let result = make_snapshot(&state.root, &state.cache_dir, generation, state.live_reload);
    let problems = match &result {
        Err(e) => Some(e.to_string()),
        Ok(snapshot) => {
            let errors: Vec<String> = snapshot
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| d.render_human(false))
                .collect();
            let had = current.diagnostics.errors();
            // A site that already had errors keeps updating; a new error keeps the last good one.
            (!errors.is_empty() && errors.len() > had).then(|| errors.join("\n"))
        }
    };
    match (result, problems) {
        (Ok(snapshot), None) => {
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
        (result, Some(text)) => {
            if let Ok(snapshot) = result {
                let _ = std::fs::remove_dir_all(&snapshot.dir);
            }
            tracing::warn!("rebuild failed; serving the last good version:\n{text}");
            *state.problems.write().expect("problems lock") = Some(text.clone());
            let _ = state.events.send(LiveEvent::Problems(text));
        }
        (Err(_), None) => unreachable!("an error always has problems"),
    }
}
