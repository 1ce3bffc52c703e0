//! Helpers of the incremental-rebuild tests (`tests/incremental.rs`,
//! `tests/incremental_props.rs`): `serve`'s state over a fixture, edits rebuilt as the watcher
//! reports them, and the comparison with a full build of the same content.

use super::Fixture;
use spravka::serve::{rebuild, swap_in, AppState, Builder, Change};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every file a snapshot serves, by output path.
pub fn files_of(snapshot: &spravka::serve::Snapshot) -> BTreeMap<String, Vec<u8>> {
    let files = snapshot.files.read_all().unwrap();
    files.into_iter().map(|(k, v)| (k, v.to_vec())).collect()
}

/// The served files equal a from-scratch build of the same content, file for file, the
/// overlay shows what it would show after that build, and search answers each of `queries` as
/// that build's index does.
pub fn assert_same_as_full_build_searching(
    f: &Fixture,
    state: &AppState,
    step: &str,
    queries: &[&str],
) {
    let fresh_cache = tempfile::tempdir().unwrap();
    let (_, fresh) = Builder::full(f.root(), fresh_cache.path(), 0, true).unwrap();
    let served = files_of(&state.current());
    let expected = files_of(&fresh);
    let served_names: Vec<_> = served.keys().collect();
    let expected_names: Vec<_> = expected.keys().collect();
    assert_eq!(
        served_names, expected_names,
        "{step}: the file lists differ"
    );
    for (name, bytes) in &expected {
        assert!(
            served[name] == *bytes,
            "{step}: {name} differs from a full build:\n{}",
            String::from_utf8_lossy(&served[name])
        );
    }
    assert_eq!(
        *state.problems.read().unwrap(),
        spravka::serve::state::overlay_text(None, &fresh.summary),
        "{step}: the problems shown"
    );
    for query in queries {
        assert_eq!(
            search_paths(state, query),
            paths_found(&fresh.engine, query),
            "{step}: search for {query}"
        );
    }
    if !queries.is_empty() {
        let ticket = format!("Здравствуйте, {} не работает", queries.join(" и "));
        let suggested = |engine: &spravka::search::SearchEngine| -> Vec<String> {
            let response = engine.suggest(&ticket, 5);
            response
                .suggestions
                .into_iter()
                .map(|s| s.hit.path)
                .collect()
        };
        assert_eq!(
            suggested(&state.current().engine),
            suggested(&fresh.engine),
            "{step}: suggest for {ticket}"
        );
    }
}

/// [`assert_same_as_full_build_searching`] without queries.
pub fn assert_same_as_full_build(f: &Fixture, state: &AppState, step: &str) {
    assert_same_as_full_build_searching(f, state, step, &[]);
}

/// Whether the served sitemap lists the page at source path `rel`: the feeds were written
/// since it was added.
pub fn sitemap_lists(state: &AppState, rel: &str) -> bool {
    let current = state.current();
    let Some(page) = current.site.page_by_path(rel) else {
        return false;
    };
    let file = current.files.get("sitemap.xml").expect("a sitemap");
    String::from_utf8_lossy(&file.read().unwrap()).contains(page.url.as_str())
}

pub fn search_paths(state: &AppState, query: &str) -> Vec<String> {
    paths_found(&state.current().engine, query)
}

fn paths_found(engine: &spravka::search::SearchEngine, query: &str) -> Vec<String> {
    let request = spravka::search::SearchRequest {
        query: query.into(),
        limit: 10,
        section: None,
        tag: None,
    };
    engine
        .search(&request)
        .hits
        .into_iter()
        .map(|h| h.path)
        .collect()
}

pub struct Session {
    pub f: Fixture,
    pub state: Arc<AppState>,
}

impl Session {
    /// `serve`'s state over `f`, built once.
    pub fn new(f: Fixture) -> Session {
        let state = spravka::serve::state(f.root(), &f.root().join(".cache"), true).unwrap();
        Session { f, state }
    }

    pub fn path(&self, rel: &str) -> std::path::PathBuf {
        self.f.root().join("content").join(rel)
    }

    pub fn edit(&mut self, rel: &str, edit: impl FnOnce(String) -> String) -> usize {
        let text = std::fs::read_to_string(self.path(rel)).unwrap_or_default();
        self.write(rel, &edit(text));
        self.rebuild(&[rel])
    }

    /// Writes content/`rel` without rebuilding (no event tells the builder).
    pub fn write(&mut self, rel: &str, text: &str) {
        self.f.write(&format!("content/{rel}"), text);
    }

    /// Rebuilds after changes to `rels`; returns how many jobs were re-rendered.
    pub fn rebuild(&mut self, rels: &[&str]) -> usize {
        self.rebuild_with(rels, rebuild)
    }

    /// [`Session::rebuild`] as the watcher does it when another change is already waiting:
    /// swapped in, the feeds left (`spravka::serve::complete` writes them).
    pub fn swap_in(&mut self, rels: &[&str]) -> usize {
        self.rebuild_with(rels, swap_in)
    }

    /// A new page swapped in with its feeds left (as the watcher does when a change is
    /// waiting); returns its path.
    pub fn add_page_leaving_the_feeds(&mut self) -> &'static str {
        let page = "База типичных запросов/Новая статья.md";
        self.write(page, "# Новая статья\n\nКвазипростокваша.\n");
        self.swap_in(&[page]);
        page
    }

    /// Writes an image: a change that leaves the feeds as they were. Returns its path.
    pub fn write_image(&mut self) -> &'static str {
        let image = "Регламенты/схема.png";
        std::fs::write(self.path(image), [0x89, b'P', b'N', b'G']).unwrap();
        image
    }

    fn rebuild_with(&mut self, rels: &[&str], how: fn(&AppState, &Change)) -> usize {
        let before = self.state.current();
        let paths = rels.iter().map(|r| self.path(r)).collect();
        how(&self.state, &Change::Content(paths));
        let after = self.state.current();
        assert_eq!(
            after.generation,
            before.generation + 1,
            "the rebuild was swapped in"
        );
        assert_eq!(
            after.index_dir(),
            before.index_dir(),
            "an edit of content updates the index in place"
        );
        after.keys.changes_from(&before.keys).render.len()
    }
}
