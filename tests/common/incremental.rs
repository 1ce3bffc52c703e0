//! Helpers of the incremental-rebuild tests (`tests/incremental.rs`,
//! `tests/incremental_props.rs`): `serve`'s state over a fixture, edits rebuilt as the watcher
//! reports them, and the comparison with a full build of the same content.

use super::Fixture;
use spravka::serve::{rebuild, AppState, Builder, Change};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// `files` without the parts of the static search index its entry no longer names: serve
/// keeps the chunks of earlier entries (named by their hash) for browsers that loaded one,
/// and the fragments of pages that are gone.
fn reachable(mut files: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    let entry = String::from_utf8(files["search/index.js"].clone()).unwrap();
    let json = entry
        .split_once(',')
        .and_then(|(_, rest)| rest.trim_end().strip_suffix(");"))
        .expect("the entry is a __spravkaSearch call");
    let entry: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut named = vec![
        "index.js".to_string(),
        entry["meta"].as_str().unwrap().to_string(),
    ];
    named.extend(
        entry["letters"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_str().unwrap().to_string()),
    );
    named.extend(
        entry["chunks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c[1].as_str().unwrap().to_string()),
    );
    named.extend((0..entry["docs"].as_u64().unwrap()).map(|i| format!("f/{i}.js")));
    named.extend((0..entry["tag_buckets"].as_u64().unwrap()).map(|i| format!("g/{i}.js")));
    files.retain(|name, _| {
        name.strip_prefix("search/")
            .is_none_or(|part| named.iter().any(|n| n == part))
    });
    files
}

/// The served folder equals a from-scratch build of the same content, file for file, the
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
    let served = reachable(files_under(&state.current().dir));
    let expected = files_under(&fresh.dir);
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
        spravka::serve::state::overlay_text(None, &fresh.diagnostics),
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
        self.f.write(&format!("content/{rel}"), &edit(text));
        self.rebuild(&[rel])
    }

    /// Rebuilds after changes to `rels`; returns how many jobs were re-rendered.
    pub fn rebuild(&mut self, rels: &[&str]) -> usize {
        let before = self.state.current();
        let paths = rels.iter().map(|r| self.path(r)).collect();
        rebuild(&self.state, &Change::Content(paths));
        let after = self.state.current();
        assert_eq!(
            after.generation,
            before.generation + 1,
            "the rebuild was swapped in"
        );
        assert_eq!(after.dir, before.dir, "an edit of content renders in place");
        after.keys.changes_from(&before.keys).render.len()
    }
}
