//! What search reads of each segment's string columns (paths, sections, tags), decoded once
//! per segment: a segment never changes once written, and decoding a column's dictionary
//! decompresses a block per look-up (naming the sections and tags of 200 matches that way,
//! or reading them from the stored documents, was most of a search's time at 10,000 pages).

use std::collections::{HashMap, HashSet};
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
        // Facets rely on it: an ordinal's order is its name's.
        debug_assert!(out.names.is_sorted(), "{field}: ordinals out of name order");
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

    /// The `keep` sections and tags most of the found pages are in or carry, with how many,
    /// most first (equal counts by name).
    pub(super) fn facets(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
        keep: usize,
    ) -> [Vec<(String, usize)>; 2] {
        let segments = self.segments_of(searcher, addresses);
        let count = |column: fn(&Segment) -> &Strings| {
            // By (segment, ordinal), sorted and counted in runs: a segment's ordinals are in
            // its names' order, so each segment's counts come out sorted by name and the
            // segments merge without sorting names (sorting 600 tags by name, or hashing
            // them, was a sixth of a search at 10,000 pages).
            let mut ords: Vec<(u32, u32)> = addresses
                .iter()
                .flat_map(|a| {
                    let strings = column(&segments[&a.segment_ord]);
                    strings.of(a.doc_id).iter().map(|&o| (a.segment_ord, o))
                })
                .collect();
            ords.sort_unstable();
            let mut counted: Vec<(&str, usize)> = vec![];
            for in_segment in ords.chunk_by(|a, b| a.0 == b.0) {
                let strings = column(&segments[&in_segment[0].0]);
                let named = in_segment.chunk_by(|a, b| a == b).filter_map(|run| {
                    let name = strings.names.get(run[0].1 as usize)?;
                    Some((name.as_str(), run.len()))
                });
                counted = merge_by_name(counted, named);
            }
            // Most first; equal counts stay in name order.
            counted.sort_by_key(|c| std::cmp::Reverse(c.1));
            counted.truncate(keep);
            counted
                .into_iter()
                .map(|(name, n)| (name.to_string(), n))
                .collect()
        };
        [count(|s| &s.sections), count(|s| &s.tags)]
    }
}

/// Two lists of counts sorted by name merged into one, a name in both counted once.
fn merge_by_name<'a>(
    left: Vec<(&'a str, usize)>,
    right: impl Iterator<Item = (&'a str, usize)>,
) -> Vec<(&'a str, usize)> {
    let mut merged = Vec::with_capacity(left.len());
    let mut left = left.into_iter().peekable();
    for (name, n) in right {
        while let Some(l) = left.next_if(|l| l.0 < name) {
            merged.push(l);
        }
        match left.next_if(|l| l.0 == name) {
            Some((_, m)) => merged.push((name, n + m)),
            None => merged.push((name, n)),
        }
    }
    merged.extend(left);
    merged
}

#[cfg(test)]
mod tests {
    use super::merge_by_name;

    #[test]
    fn counts_sorted_by_name_merge_with_a_name_once() {
        let left = vec![("а", 1), ("в", 2), ("д", 1)];
        let right = [("б", 1), ("в", 3), ("е", 2)];
        assert_eq!(
            merge_by_name(left, right.into_iter()),
            [("а", 1), ("б", 1), ("в", 5), ("д", 1), ("е", 2)]
        );
        assert_eq!(merge_by_name(vec![], right.into_iter()), right);
    }
}
