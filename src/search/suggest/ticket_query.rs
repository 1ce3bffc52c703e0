//! A ticket's query: every term in every boosted field, searched over the whole index, and
//! neighbouring words of the ticket found near each other in an article (`near_pairs`) as a
//! bonus over the first found only. A phrase scorer walks every article that holds both its
//! words to find the few where they stand together; over a long ticket's hundred pairs in a
//! large base that walk was a quarter of suggest's time (BENCHMARKS.md, session 33). Seeking
//! the first articles instead reads the positions of those alone.

use super::near_pairs::NearPair;
use super::POOL;
use crate::search::engine::{comparable, SearchEngine};
use crate::search::model::Ranking;
use crate::search::vocabulary::{Origin, QueryTerm};
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Searcher, SeekDangerResult, Term};

/// How many of the first found by the term clauses get the pairs' bonus (ten times the
/// pool): a pair lifts an article by a fraction of its term score, so one found further
/// down rarely overtakes the first (BENCHMARKS.md, session 33, measures how rarely).
const BONUS_SCORED: usize = 10 * POOL;

/// Weight of a pair of the ticket's words found within two positions of each other.
const PHRASE_BOOST: f32 = 1.5;

/// The weights of a ticket's query, read once and used for the search and for scoring any
/// article (the article model's nominees).
pub struct TicketQuery {
    terms: Box<dyn Weight>,
    pairs: Vec<NearPair>,
}

/// A ticket's clauses: each term in each field, and each pair of neighbouring words in each
/// field they are looked for together in.
struct Clauses {
    terms: Vec<(Occur, Box<dyn Query>)>,
    pairs: Vec<(Field, String, String)>,
}

impl SearchEngine {
    /// The ticket's query, its statistics read once. None when the index cannot read them.
    pub(super) fn ticket_query(
        &self,
        searcher: &Searcher,
        terms: &[QueryTerm],
        ranking: &Ranking,
    ) -> Option<TicketQuery> {
        let clauses = self.ticket_clauses(terms, ranking);
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let weight = |query: &dyn Query| match query.weight(scoring) {
            Ok(weight) => Some(weight),
            Err(e) => {
                tracing::warn!("suggest: the ticket's query could not be weighed: {e}");
                None
            }
        };
        let pairs = clauses.pairs.iter().map(|(field, first, second)| {
            NearPair::new(searcher, *field, (first, second), PHRASE_BOOST)
                .inspect_err(|e| tracing::warn!("suggest: a pair could not be weighed: {e}"))
                .ok()
        });
        Some(TicketQuery {
            terms: weight(&BooleanQuery::new(clauses.terms))?,
            pairs: pairs.collect::<Option<_>>()?,
        })
    }

    /// Every term in every boosted field, weighted by how it was found; neighbouring words of
    /// the ticket (not synonyms) as pairs in the body and «Симптомы».
    fn ticket_clauses(&self, terms: &[QueryTerm], ranking: &Ranking) -> Clauses {
        let boosts = ranking.boosts;
        let f = &self.fields;
        let fields = [
            (f.title, boosts.title),
            (f.symptoms, boosts.symptoms),
            (f.headings, boosts.headings),
            (f.tags, boosts.tags),
            (f.body, boosts.body),
        ];
        let mut clauses = Clauses {
            terms: Vec::new(),
            pairs: Vec::new(),
        };
        for qt in terms {
            for (field, boost) in fields {
                let term = Term::from_field_text(field, &qt.term);
                let query = TermQuery::new(term, IndexRecordOption::WithFreqs);
                let weight = boost * ranking.origin_weight(qt.origin);
                clauses.terms.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), weight)),
                ));
            }
        }
        let exact: Vec<&QueryTerm> = terms
            .iter()
            .filter(|t| t.origin != Origin::Synonym)
            .collect();
        for pair in exact.windows(2) {
            if pair[1].position == pair[0].position + 1 && pair[0].term != pair[1].term {
                for field in [f.body, f.symptoms] {
                    let (first, second) = (&pair[0].term, &pair[1].term);
                    clauses.pairs.push((field, first.clone(), second.clone()));
                }
            }
        }
        clauses
    }
}

impl TicketQuery {
    /// The `size` best articles and those tied with the last (the caller cuts them by path,
    /// `SearchEngine::order_ties_by_path`): by the term clauses' score
    /// over every article that matches one, the first [`BONUS_SCORED`] of them with the
    /// pairs' bonus, best first (equal scores in index order), then the rest, also with it,
    /// when more are asked for.
    /// Those that get the bonus first are the same however many are asked for, so asking for
    /// more never changes the first ones (`Candidate::beyond_pool`).
    pub fn top(&self, searcher: &Searcher, size: usize) -> Vec<(f32, DocAddress)> {
        let mut found = self.by_terms(searcher);
        let best_first =
            |a: &(f32, DocAddress), b: &(f32, DocAddress)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let keep = size.max(BONUS_SCORED);
        // Articles tied at a cut are kept together: which of them the index holds first
        // depends on how it was built, and must not decide an answer.
        if found.len() > keep {
            found.select_nth_unstable_by(keep - 1, best_first);
            let last = found[keep - 1].0;
            let tied: Vec<(f32, DocAddress)> = found[keep..]
                .iter()
                .filter(|f| ties(f.0, last))
                .copied()
                .collect();
            found.truncate(keep);
            found.extend(tied);
        }
        found.sort_by(best_first);
        let first = end_of_ties(&found, BONUS_SCORED);
        let addresses: Vec<DocAddress> = found.iter().map(|&(_, a)| a).collect();
        for (f, bonus) in found
            .iter_mut()
            .zip(sum_at(searcher, None, &self.pairs, &addresses))
        {
            f.0 += bonus;
        }
        let (head, rest) = found.split_at_mut(first);
        head.sort_by(best_first);
        rest.sort_by(best_first);
        found.truncate(end_of_ties(&found, size));
        found
    }

    /// Every live article that matches a term clause, with its score. `for_each` and not a
    /// top-docs collector: a union of only term clauses takes tantivy's block-WAND, slower
    /// than the plain union over a long ticket's hundreds of term scorers (BENCHMARKS.md,
    /// session 28).
    fn by_terms(&self, searcher: &Searcher) -> Vec<(f32, DocAddress)> {
        let mut found = Vec::new();
        for (segment_ord, reader) in searcher.segment_readers().iter().enumerate() {
            let alive = reader.alive_bitset();
            let collected = self.terms.for_each(reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    found.push((score, DocAddress::new(segment_ord as u32, doc)));
                }
            });
            if let Err(e) = collected {
                tracing::warn!("suggest: a segment could not be searched: {e}");
            }
        }
        found
    }

    /// The score of each article at `addresses` (live ones, as the index names them by
    /// path; 0 where it matches none of the words).
    pub fn scores_at(&self, searcher: &Searcher, addresses: &[DocAddress]) -> Vec<f32> {
        sum_at(searcher, Some(self.terms.as_ref()), &self.pairs, addresses)
    }
}

/// Whether two scores are equal as answers compare them (`engine::comparable`).
fn ties(a: f32, b: f32) -> bool {
    comparable(a) == comparable(b)
}

/// Where a cut of the first `at` of `found` (best first) ends with the articles tied with
/// the last one kept: which of two tied articles the index holds first depends on how it
/// was built (on how many threads, edit by edit), and must not decide what an answer holds.
fn end_of_ties(found: &[(f32, DocAddress)], at: usize) -> usize {
    let mut end = at.min(found.len());
    while end > 0 && end < found.len() && ties(found[end - 1].0, found[end].0) {
        end += 1;
    }
    end
}

/// The articles of `found` (best first) tied with each other across a cut of the first
/// `at`: empty when the cut parts no tie.
pub(super) fn tied_across(found: &[(f32, DocAddress)], at: usize) -> std::ops::Range<usize> {
    let end = end_of_ties(found, at);
    if at == 0 || end <= at {
        return at..at;
    }
    let mut start = at - 1;
    while start > 0 && ties(found[start - 1].0, found[at - 1].0) {
        start -= 1;
    }
    start..end
}

/// The sum of the scores of `terms` (when given) and of the pairs at each of `addresses`
/// (distinct): each scorer seeks the articles of its segment in ascending order, without
/// walking the others.
fn sum_at(
    searcher: &Searcher,
    terms: Option<&dyn Weight>,
    pairs: &[NearPair],
    addresses: &[DocAddress],
) -> Vec<f32> {
    let mut sums = vec![0.0; addresses.len()];
    let mut by_segment: Vec<usize> = (0..addresses.len()).collect();
    by_segment.sort_by_key(|&i| addresses[i]);
    by_segment.dedup_by_key(|i| addresses[*i]);
    for group in by_segment.chunk_by(|&a, &b| addresses[a].segment_ord == addresses[b].segment_ord)
    {
        let reader = searcher.segment_reader(addresses[group[0]].segment_ord);
        let docs: Vec<DocId> = group.iter().map(|&i| addresses[i].doc_id).collect();
        for (at, score) in terms.map_or_else(Vec::new, |t| scores_at_docs(t, reader, &docs)) {
            sums[group[at]] += score;
        }
        for pair in pairs {
            match pair.scores_at_docs(reader, &docs) {
                Ok(scores) => {
                    for (at, score) in scores {
                        sums[group[at]] += score;
                    }
                }
                Err(e) => tracing::warn!("suggest: a segment could not be read: {e}"),
            }
        }
    }
    sums
}

/// The weight's score at each of `docs` (ascending, distinct, one segment) where it
/// matches, by their index in `docs`.
fn scores_at_docs(
    weight: &dyn Weight,
    reader: &tantivy::SegmentReader,
    docs: &[DocId],
) -> Vec<(usize, f32)> {
    let mut scores = Vec::new();
    let Some(&first) = docs.first() else {
        return scores;
    };
    let (mut result, mut scorer) = match weight.scorer_danger(reader, first, 1.0) {
        Ok(scorer) => scorer,
        Err(e) => {
            tracing::warn!("suggest: a segment could not be scored: {e}");
            return scores;
        }
    };
    for (at, &doc) in docs.iter().enumerate() {
        if at > 0 {
            // A scorer that missed must only seek further (tantivy's danger contract), and
            // one that is already past `doc` need not.
            result = match result {
                SeekDangerResult::SeekLowerBound(past) if past > doc => result,
                _ => scorer.seek_danger(doc),
            };
        }
        if result == SeekDangerResult::Found {
            scores.push((at, scorer.score()));
        }
    }
    scores
}

#[cfg(test)]
#[path = "ticket_query_tests.rs"]
mod tests;
