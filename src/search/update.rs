//! Keeping an index in step with a changing site (serve): only the documents whose indexed
//! facts changed are replaced, and pages that are gone are deleted.

use super::index::{page_document, schema, Fields, IndexError};
use crate::site::Site;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

/// One writer thread is plenty for a writer's edits; its budget bounds serve's memory.
const UPDATE_BUDGET: usize = 30_000_000;

pub struct IndexUpdater {
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
    /// Source path → hash of what its index document is made from.
    indexed: HashMap<String, u64>,
}

/// What the index document of a page is made from: the document (by its shared `Arc`, which
/// `site::DocumentCache` keeps while the file is unchanged), its URL and its section's title.
fn page_key(site: &Site, id: usize) -> u64 {
    let page = &site.pages[id];
    let mut h = DefaultHasher::new();
    (
        Arc::as_ptr(&page.doc) as usize,
        &page.url,
        &site.sections[page.section].title,
    )
        .hash(&mut h);
    h.finish()
}

impl IndexUpdater {
    /// An updater for `index`, which already holds every page of `site`.
    pub fn new(index: &Index, site: &Site) -> Result<IndexUpdater, IndexError> {
        let writer = index.writer_with_num_threads(1, UPDATE_BUDGET)?;
        let indexed = (0..site.pages.len())
            .map(|id| (site.pages[id].doc.rel_path.clone(), page_key(site, id)))
            .collect();
        Ok(IndexUpdater {
            writer,
            fields: schema().1,
            indexed,
        })
    }

    /// Brings the index to `site` and commits; returns how many documents were replaced,
    /// added or deleted. Readers opened before keep seeing the old version.
    pub fn update(&mut self, site: &Site) -> Result<usize, IndexError> {
        let mut now = HashMap::with_capacity(site.pages.len());
        let mut changed = 0;
        for id in 0..site.pages.len() {
            let path = &site.pages[id].doc.rel_path;
            let key = page_key(site, id);
            if self.indexed.get(path) != Some(&key) {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.path, path));
                self.writer
                    .add_document(page_document(site, id, &self.fields))?;
                changed += 1;
            }
            now.insert(path.clone(), key);
        }
        for gone in self.indexed.keys().filter(|p| !now.contains_key(*p)) {
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, gone));
            changed += 1;
        }
        if changed > 0 {
            self.writer.commit()?;
        }
        self.indexed = now;
        Ok(changed)
    }
}
