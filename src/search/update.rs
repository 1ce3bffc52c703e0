//! Keeping an index in step with a changing site (serve): only the documents whose indexed
//! facts changed are replaced, and pages that are gone are deleted.

use super::index::{page_document, schema, Fields, IndexError};
use crate::site::{PageId, Site};
use std::sync::Arc;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

/// One writer thread is plenty for a writer's edits; its budget bounds serve's memory.
const UPDATE_BUDGET: usize = 30_000_000;

/// An index of at most this many pages is merged into one segment after every update.
/// Until tantivy merges a segment, the replaced versions of edited pages still count in BM25's
/// statistics (document frequencies, average lengths), so scores drift from those of a fresh
/// index and close suggestions can swap places (`tests/incremental_props.rs` found it). The
/// merge is what a save pays for exact answers: measured on generated bases, an update took
/// 10–16 ms at 59 pages and 7 ms at 509 without it, 20–24 ms and 46–56 ms with it, and 118–128
/// ms at 2,042 pages (12 ms without). Above this size the drift (a fraction of a score) is
/// left to tantivy's merge policy rather than spend that on every save.
const MERGE_UP_TO_PAGES: usize = 200;

pub struct IndexUpdater {
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
    /// Source path → what its index document is made from, and the last update that saw it.
    indexed: foldhash::HashMap<String, Indexed>,
    /// Counts updates, to find the pages an update did not see (deleted).
    updates: u64,
}

struct Indexed {
    key: u64,
    seen_by: u64,
}

/// What the index document of a page is made from: the document (by its shared `Arc`, which
/// `site::DocumentCache` keeps while the file is unchanged), its URL and its section's title.
fn page_key(site: &Site, id: usize) -> u64 {
    let page = &site.pages[id];
    crate::fingerprint::of((
        Arc::as_ptr(&page.doc) as usize,
        &page.url,
        &site.sections[page.section].title,
    ))
}

impl IndexUpdater {
    /// Merges every segment into one, purging replaced and deleted versions, when the base is
    /// small and there is something to purge or join.
    fn merge_if_small(&mut self, pages: usize) -> Result<(), IndexError> {
        let metas = self.writer.index().searchable_segment_metas()?;
        let untidy = metas.len() > 1 || metas.iter().any(|m| m.has_deletes());
        if pages <= MERGE_UP_TO_PAGES && untidy {
            let segments: Vec<_> = metas.iter().map(|m| m.id()).collect();
            self.writer.merge(&segments).wait()?;
        }
        Ok(())
    }

    /// An updater for `index`, which already holds every page of `site`.
    pub fn new(index: &Index, site: &Site) -> Result<IndexUpdater, IndexError> {
        let writer = index.writer_with_num_threads(1, UPDATE_BUDGET)?;
        let indexed = (0..site.pages.len())
            .map(|id| {
                let key = page_key(site, id);
                (
                    site.pages[id].doc.rel_path.clone(),
                    Indexed { key, seen_by: 0 },
                )
            })
            .collect();
        Ok(IndexUpdater {
            writer,
            fields: schema().1,
            indexed,
            updates: 0,
        })
    }

    /// Brings the index to `site` and commits; returns how many documents were replaced,
    /// added or deleted. Readers opened before keep seeing the old version. Given the pages a
    /// patch touched (`site::Reloaded::touched`: `site` is the one last indexed with only those
    /// changed), only theirs are looked at: keying 10,000 pages was a fifth of an edit's update.
    pub fn update(&mut self, site: &Site, touched: Option<&[PageId]>) -> Result<usize, IndexError> {
        // Kept in place rather than rebuilt: a map of 10,000 paths made again after every
        // save was a quarter of updating the index at 10,000 pages.
        self.updates += 1;
        let update = self.updates;
        let mut replaced = vec![];
        let (mut seen, known_before) = (0, self.indexed.len());
        let ids: Vec<PageId> =
            touched.map_or_else(|| (0..site.pages.len()).collect(), <[_]>::to_vec);
        for id in ids {
            let path = &site.pages[id].doc.rel_path;
            let key = page_key(site, id);
            if let Some(entry) = self.indexed.get_mut(path.as_str()) {
                seen += 1;
                entry.seen_by = update;
                if entry.key == key {
                    continue;
                }
            }
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, path));
            self.writer
                .add_document(page_document(site, id, &self.fields))?;
            replaced.push((id, key));
        }
        let gone: Vec<String> = if touched.is_none() && seen < known_before {
            let unseen = self.indexed.iter().filter(|(_, e)| e.seen_by != update);
            unseen.map(|(path, _)| path.clone()).collect()
        } else {
            vec![]
        };
        for path in &gone {
            self.writer
                .delete_term(Term::from_field_text(self.fields.path, path));
        }
        let changed = replaced.len() + gone.len();
        if changed > 0 {
            self.writer.commit()?;
        }
        // Recorded once committed: after a failure the map still says what the index holds,
        // and the next update replaces the same pages again.
        for path in &gone {
            self.indexed.remove(path);
        }
        for (id, key) in replaced {
            let entry = Indexed {
                key,
                seen_by: update,
            };
            self.indexed
                .insert(site.pages[id].doc.rel_path.clone(), entry);
        }
        if changed > 0 {
            self.merge_if_small(site.pages.len())?;
        }
        Ok(changed)
    }
}
