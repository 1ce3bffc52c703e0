//! Two neighbouring words of a ticket found near each other in an article, scored as tantivy
//! scores a phrase (BM25 over how often the pair occurs, the idf of both words) but counted
//! by hand, in the order the ticket gives the words.
//!
//! Why not tantivy's `PhraseQuery` with a slop: its scorer counts a sloppy phrase from the
//! positions of whichever word is rarer *in the segment* (its intersection sorts the words'
//! lists by cost, and the sloppy count is not symmetric: quickwit-oss/tantivy#1934, #2580).
//! The same article then scored 2.07 or 3.23 for «1 2» depending on how the index happened
//! to be cut into segments (a build on two threads, or edit by edit), and the answer to one
//! of the project's 805 tickets changed in one build of six to eight (BENCHMARKS.md,
//! session 34).

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, FieldType, IndexRecordOption};
use tantivy::{DocId, DocSet, Searcher, SegmentReader, TantivyError, Term};

/// How far the second word may stand from the place the phrase gives it (one after the
/// first word): 2, so «шлагбаум не открывается» finds «открывается шлагбаум» too.
pub const SLOP: u32 = 2;

/// A pair of neighbouring words of a ticket in one field, with its BM25 weight.
pub struct NearPair {
    first: Term,
    second: Term,
    weight: Bm25Weight,
}

impl NearPair {
    /// The pair `first second` in `field`, weighted by `boost` over the searcher's
    /// statistics; an error when the field keeps no positions (as tantivy's phrase gives).
    pub fn new(
        searcher: &Searcher,
        field: Field,
        (first, second): (&str, &str),
        boost: f32,
    ) -> tantivy::Result<NearPair> {
        let entry = searcher.schema().get_field_entry(field);
        let positions = match entry.field_type() {
            FieldType::Str(options) => options
                .get_indexing_options()
                .is_some_and(|o| o.index_option().has_positions()),
            _ => false,
        };
        if !positions {
            let name = entry.name();
            return Err(TantivyError::SchemaError(format!(
                "field {name} keeps no positions: words near each other cannot be found"
            )));
        }
        let first = Term::from_field_text(field, first);
        let second = Term::from_field_text(field, second);
        let weight = Bm25Weight::for_terms(searcher, &[first.clone(), second.clone()])?;
        Ok(NearPair {
            first,
            second,
            weight: weight.boost_by(boost),
        })
    }

    /// The pair's score at each of `docs` (ascending, distinct, one segment) where its words
    /// stand near each other, by their index in `docs`.
    pub fn scores_at_docs(
        &self,
        reader: &SegmentReader,
        docs: &[DocId],
    ) -> tantivy::Result<Vec<(usize, f32)>> {
        let mut scores = Vec::new();
        let field = self.first.field();
        let index = reader.inverted_index(field)?;
        let positions = IndexRecordOption::WithFreqsAndPositions;
        let (Some(mut first), Some(mut second)) = (
            index.read_postings(&self.first, positions)?,
            index.read_postings(&self.second, positions)?,
        ) else {
            return Ok(scores);
        };
        let Some(norms) = reader.fieldnorms_readers().get_field(field)? else {
            return Ok(scores);
        };
        let (mut first_at, mut second_at) = (Vec::new(), Vec::new());
        for (at, &doc) in docs.iter().enumerate() {
            if !reach(&mut first, doc) || !reach(&mut second, doc) {
                continue;
            }
            first.positions(&mut first_at);
            second.positions(&mut second_at);
            let count = near_count(&first_at, &second_at);
            if count > 0 {
                scores.push((at, self.weight.score(norms.fieldnorm_id(doc), count)));
            }
        }
        Ok(scores)
    }
}

/// Moves `postings` to `doc` unless it is already past it; whether it holds `doc`.
fn reach(postings: &mut SegmentPostings, doc: DocId) -> bool {
    if postings.doc() < doc {
        postings.seek(doc);
    }
    postings.doc() == doc
}

/// How many times the second word stands at most [`SLOP`] positions from where the phrase
/// puts it (one after the first), each occurrence of either word counted once; where
/// several occurrences of the first word could pair with one of the second, the nearest
/// before it does. The count is tantivy's `intersection_count_with_slop` with the words
/// always in the ticket's order.
fn near_count(first: &[u32], second: &[u32]) -> u32 {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < first.len() && j < second.len() {
        let expected = first[i] + 1;
        if expected.abs_diff(second[j]) <= SLOP {
            while i + 1 < first.len() && first[i + 1] < second[j] {
                i += 1;
            }
            count += 1;
            i += 1;
            j += 1;
        } else if expected < second[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BoostQuery, PhraseQuery};

    /// Where the first word of the pair is the rarer in the segment, tantivy's sloppy phrase
    /// counts in the ticket's order too: there the pair scores exactly as tantivy's phrase.
    fn scores_as_tantivys_phrase(words: &[u8]) {
        let dir = crate::testing::TempSite::new();
        let vocabulary = ["пропуск", "гость", "шлагбаум"];
        let text: Vec<&str> = words.iter().map(|&w| vocabulary[w as usize % 3]).collect();
        dir.write(
            "Статьи/Пара.md",
            &format!("# Статья\n\n{}\n", text.join(" ")),
        );
        for n in 0..3 {
            dir.write(
                &format!("Гости/{n}.md"),
                &format!("# Запись {n}\n\nгость\n"),
            );
        }
        let site = crate::site::Site::load(dir.root(), crate::config::Config::default());
        let index = crate::search::index::build_in_ram(&site).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let body = crate::search::index::schema().1.body;
        let stem = |word: &str| crate::search::analyzer::analyze(word).remove(0).term;
        let (first, second) = (stem("пропуск"), stem("гость"));
        let mut phrase = PhraseQuery::new(vec![
            Term::from_field_text(body, &first),
            Term::from_field_text(body, &second),
        ]);
        phrase.set_slop(SLOP);
        let tantivys = searcher
            .search(
                &BoostQuery::new(Box::new(phrase), 1.5),
                &TopDocs::with_limit(1).order_by_score(),
            )
            .unwrap();
        let pair = NearPair::new(&searcher, body, (&first, &second), 1.5).unwrap();
        let mut ours = Vec::new();
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            let docs: Vec<DocId> = (0..reader.max_doc()).collect();
            for (at, score) in pair.scores_at_docs(reader, &docs).unwrap() {
                ours.push((score, tantivy::DocAddress::new(segment as u32, docs[at])));
            }
        }
        assert_eq!(ours, tantivys, "{text:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn a_pair_scores_as_tantivys_phrase_where_its_first_word_is_the_rarer(
            words in prop::collection::vec(0u8..3, 1..30)
        ) {
            scores_as_tantivys_phrase(&words);
        }
    }

    #[test]
    fn a_field_without_positions_is_refused() {
        let dir = crate::testing::TempSite::new();
        dir.write("Статья.md", "# Статья\n\nпропуск гость\n");
        let site = crate::site::Site::load(dir.root(), crate::config::Config::default());
        let index = crate::search::index::build_in_ram(&site).unwrap();
        let searcher = index.reader().unwrap().searcher();
        let path = crate::search::index::schema().1.path;
        assert!(NearPair::new(&searcher, path, ("пропуск", "гость"), 1.0).is_err());
    }

    #[test]
    fn a_pair_is_counted_in_the_tickets_order() {
        // «пропуск шлагбаум пропуск гость шлагбаум гость»: tantivy counted 1 with «пропуск»
        // first and 2 with «гость» first.
        assert_eq!(near_count(&[0, 2], &[3, 5]), 1);
        assert_eq!(near_count(&[0], &[1]), 1, "side by side");
        assert_eq!(near_count(&[0], &[3]), 1, "two words between");
        assert_eq!(near_count(&[0], &[4]), 0, "three words between");
        assert_eq!(near_count(&[2], &[1]), 1, "the other way round");
        assert_eq!(near_count(&[0, 10], &[1, 11]), 2, "twice");
        assert_eq!(near_count(&[], &[1]), 0);
    }
}
