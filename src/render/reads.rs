//! What a render job's context read of the site's pages, noted where it is read: after an
//! edit that moved no page (`site::Reloaded::touched`), only the jobs that read a touched page
//! are keyed again (`render::keys`), instead of building and hashing all 13,855 contexts of a
//! 10,000-page site to find the one or two that changed.
//!
//! The notes are taken by the code that reads (`RenderEnv`'s helpers, `Body`), not listed
//! beside it, so a template that shows one more field of another page is re-keyed the moment
//! its context reads it: `render::keys::tests::keys_after_a_patch_are_the_keys_of_a_full_keying`
//! fails for a read that is not noted.
//!
//! The recorder is a thread-local rather than a parameter of every context helper: contexts are
//! built through a dozen borrowed helpers and `Hash` impls, and a job's context is built and
//! hashed start to end on one rayon thread (nothing it is made from is made in parallel, so no
//! other job is stolen onto the thread meanwhile; `recorded` asserts it in debug builds).

use crate::site::PageId;
use std::cell::RefCell;
use std::sync::Arc;

/// What one job read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// These pages (sorted, each once), and otherwise only what an edit that moves no page
    /// keeps: the site's structure (URLs, sections, tags, titles) and its configuration.
    Pages(Arc<[PageId]>),
    /// Every page (the home page's «recently updated», the feeds) or something outside the
    /// site model (an asset's file): keyed again after every edit.
    Everything,
}

/// A reading in progress.
enum Recording {
    Pages(Vec<PageId>),
    Everything,
}

thread_local! {
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Runs `f`, returning what it noted.
pub fn recorded<T>(f: impl FnOnce() -> T) -> (T, Reading) {
    RECORDING.with(|r| {
        let previous = r.replace(Some(Recording::Pages(Vec::new())));
        debug_assert!(
            previous.is_none(),
            "a job's reads recorded inside another's"
        );
    });
    let value = f();
    let reading = match RECORDING.with(|r| r.take()) {
        Some(Recording::Pages(mut pages)) => {
            pages.sort_unstable();
            pages.dedup();
            Reading::Pages(pages.into())
        }
        Some(Recording::Everything) | None => Reading::Everything,
    };
    (value, reading)
}

/// Notes that the job being recorded read page `page` (its document, links or backlinks).
pub fn page(page: PageId) {
    RECORDING.with(|r| {
        if let Some(Recording::Pages(pages)) = &mut *r.borrow_mut() {
            pages.push(page);
        }
    });
}

/// Notes that the job being recorded read every page, or something outside the site model.
pub fn everything() {
    RECORDING.with(|r| {
        if let Some(reading) = &mut *r.borrow_mut() {
            *reading = Recording::Everything;
        }
    });
}
