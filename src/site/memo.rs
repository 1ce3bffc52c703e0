//! Link resolutions kept between loads (`serve`): a document that did not change keeps its
//! resolved links and their diagnostics as long as nothing a link can point at changed (the
//! pages, their URLs, heading ids and anchors, the sections, the assets, the base path). Resolving every link again
//! was the largest step of a live rebuild at 10,000 documents.

use super::{LinkTarget, Site};
use crate::content::Document;
use crate::diagnostics::Diagnostic;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What one document's links resolved to.
#[derive(Clone)]
pub struct Resolved {
    pub targets: Arc<Vec<LinkTarget>>,
    pub diagnostics: Arc<Vec<Diagnostic>>,
}

#[derive(Default)]
pub struct LinkMemo {
    /// `Site::link_environment` of the load the entries were made in.
    environment: u64,
    /// By document identity; the `Arc` held here keeps the address from being reused.
    by_doc: HashMap<usize, (Arc<Document>, Resolved)>,
}

fn identity(doc: &Arc<Document>) -> usize {
    Arc::as_ptr(doc) as usize
}

impl LinkMemo {
    /// The resolution of `doc` from the last load, if it is still valid in `environment`.
    pub fn get(&self, environment: u64, doc: &Arc<Document>) -> Option<Resolved> {
        if environment != self.environment {
            return None;
        }
        self.by_doc
            .get(&identity(doc))
            .filter(|(kept, _)| Arc::ptr_eq(kept, doc))
            .map(|(_, resolved)| resolved.clone())
    }

    /// The problems `doc`'s links had at the last load, whatever has changed since: the lines
    /// they quote are lines of this same document.
    pub fn last_problems(&self, doc: &Arc<Document>) -> &[Diagnostic] {
        self.by_doc
            .get(&identity(doc))
            .filter(|(kept, _)| Arc::ptr_eq(kept, doc))
            .map_or(&[], |(_, resolved)| resolved.diagnostics.as_slice())
    }

    /// The environment the kept resolutions were made in.
    pub fn environment(&self) -> u64 {
        self.environment
    }

    /// Keeps `resolved` for `doc` in place of `before`'s, in the same environment.
    pub fn replace(&mut self, before: &Arc<Document>, doc: &Arc<Document>, resolved: Resolved) {
        self.by_doc.remove(&identity(before));
        self.by_doc.insert(identity(doc), (doc.clone(), resolved));
    }

    /// Replaces the memo with this load's resolutions.
    pub fn keep(&mut self, environment: u64, entries: Vec<(Arc<Document>, Resolved)>) {
        self.environment = environment;
        self.by_doc = entries
            .into_iter()
            .map(|(doc, resolved)| (identity(&doc), (doc, resolved)))
            .collect();
    }
}

impl Site {
    /// A hash of everything a link's resolution reads besides its own document, a
    /// `crate::fingerprint`: SipHash over every page's paths and heading ids was 3 % of an edit's
    /// rebuild at 10,000 pages.
    pub(super) fn link_environment(&self) -> u64 {
        let mut h = crate::fingerprint::hasher();
        self.config.base_path().hash(&mut h);
        for page in &self.pages {
            (page.doc.link_targets(), &page.url, page.is_index).hash(&mut h);
        }
        for section in &self.sections {
            (&section.dir, section.index).hash(&mut h);
        }
        for asset in &self.assets {
            (&asset.rel_path, &asset.url).hash(&mut h);
        }
        h.finish()
    }
}
