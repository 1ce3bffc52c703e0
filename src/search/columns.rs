//! What search reads of each segment's string columns (paths, sections, tags), decoded once
//! per segment: a segment never changes once written, and decoding a column's dictionary
//! decompresses a block per look-up (naming the sections and tags of 200 matches that way,
//! or reading them from the stored documents, was most of a search's time at 10,000 pages).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tantivy::columnar::StrColumn;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, Searcher, SegmentReader};

/// One string column of a segment: each document's values as ordinals, and the names.
#[derive(Default)]
struct Strings {
    /// Document `d`'s ordinals are `ords[starts[d]..starts[d + 1]]`.
    starts: Vec<u32>,
    ords: Vec<u32>,
    /// By ordinal.
    names: Vec<String>,
}

impl Strings {
    fn read(reader: &SegmentReader, field: &str) -> Strings {
        let mut out = Strings::default();
        let Ok(Some(column)) = reader.fast_fields().str(field) else {
            out.starts = vec![0; reader.max_doc() as usize + 1];
            return out;
        };
        out.starts.push(0);
        for doc in 0..reader.max_doc() {
            out.ords.extend(column.term_ords(doc).map(|o| o as u32));
            out.starts.push(out.ords.len() as u32);
        }
        out.names = all_names(&column);
        out
    }

    fn of(&self, doc: u32) -> &[u32] {
        let doc = doc as usize;
        match (self.starts.get(doc), self.starts.get(doc + 1)) {
            (Some(&from), Some(&to)) => &self.ords[from as usize..to as usize],
            _ => &[],
        }
    }

    fn first_name(&self, doc: u32) -> &str {
        self.of(doc)
            .first()
            .and_then(|&o| self.names.get(o as usize))
            .map_or("", String::as_str)
    }
}

/// Every value of `column`, by ordinal, in one pass over its dictionary.
fn all_names(column: &StrColumn) -> Vec<String> {
    let mut names = vec![];
    if let Ok(mut stream) = column.dictionary().stream() {
        while stream.advance() {
            names.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
    }
    names
}

/// The decoded columns of one segment.
struct Segment {
    paths: Strings,
    sections: Strings,
    tags: Strings,
}

/// Decoded columns per segment, forgetting segments merged away.
#[derive(Default)]
pub(super) struct SegmentColumns {
    cache: Mutex<HashMap<SegmentId, Arc<Segment>>>,
}

impl SegmentColumns {
    fn segment(&self, searcher: &Searcher, segment_ord: u32) -> Arc<Segment> {
        let reader = searcher.segment_reader(segment_ord);
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(segment) = cache.get(&reader.segment_id()) {
            return segment.clone();
        }
        let segment = Arc::new(Segment {
            paths: Strings::read(reader, "path"),
            sections: Strings::read(reader, "section_key"),
            tags: Strings::read(reader, "tag_key"),
        });
        let live: HashSet<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        cache.retain(|id, _| live.contains(id));
        cache.insert(reader.segment_id(), segment.clone());
        segment
    }

    /// The decoded columns of every segment `addresses` come from.
    fn segments_of(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
    ) -> HashMap<u32, Arc<Segment>> {
        let mut segments = HashMap::new();
        for a in addresses {
            segments
                .entry(a.segment_ord)
                .or_insert_with(|| self.segment(searcher, a.segment_ord));
        }
        segments
    }

    /// The source paths of found pages.
    pub(super) fn paths(&self, searcher: &Searcher, addresses: &[DocAddress]) -> Vec<String> {
        let segments = self.segments_of(searcher, addresses);
        addresses
            .iter()
            .map(|a| {
                segments[&a.segment_ord]
                    .paths
                    .first_name(a.doc_id)
                    .to_string()
            })
            .collect()
    }

    /// How many of the found pages are in each section, and carry each tag.
    pub(super) fn facets(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
    ) -> [BTreeMap<String, usize>; 2] {
        let segments = self.segments_of(searcher, addresses);
        let count = |column: fn(&Segment) -> &Strings| {
            // By (segment, ordinal) first: a name is copied once, not once per page.
            let mut by_ord: BTreeMap<(u32, u32), usize> = BTreeMap::new();
            for a in addresses {
                for &ord in column(&segments[&a.segment_ord]).of(a.doc_id) {
                    *by_ord.entry((a.segment_ord, ord)).or_default() += 1;
                }
            }
            let mut named: BTreeMap<String, usize> = BTreeMap::new();
            for ((segment, ord), n) in by_ord {
                if let Some(name) = column(&segments[&segment]).names.get(ord as usize) {
                    *named.entry(name.clone()).or_default() += n;
                }
            }
            named
        };
        [count(|s| &s.sections), count(|s| &s.tags)]
    }
}
