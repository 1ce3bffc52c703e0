//! Search-as-you-type: short queries with suggest's forgiveness (typos, transliteration, the
//! wrong keyboard layout, synonyms: one `vocabulary`), the last word as a prefix, filters by
//! section and tag, facet counts over the matches.

use super::analyzer::normalize;
#[cfg(test)]
use super::engine::by_score_then_path;
use super::engine::{comparable, Hit, SearchEngine};
use super::vocabulary::Forgiveness;
use crate::content::metadata::tag_name;
use crate::text::translit::{fix_keyboard_layout, latin_to_cyrillic};
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

/// How many matches the facet counts look at.
const FACET_WINDOW: usize = 200;
/// How many sections and how many tags the facets name: a search box shows a few (the
/// theme's four and six); every section of 200 matches was most of a response at 10,000
/// pages.
pub const FACET_VALUES: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub section: Option<String>,
    pub tag: Option<String>,
}

/// How many of the matches are in one section or carry one tag.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct FacetCount {
    pub name: String,
    pub count: usize,
}

/// Counts over the first 200 matches: the ten most frequent sections and tags, most frequent
/// first (equal counts by name).
#[derive(Debug, Clone, Serialize, PartialEq, Default, utoipa::ToSchema)]
pub struct Facets {
    pub sections: Vec<FacetCount>,
    pub tags: Vec<FacetCount>,
}

/// What `GET /api/search` answers.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SearchResponse {
    /// At most `limit` pages, best first.
    pub hits: Vec<Hit>,
    /// How many pages match.
    pub total: usize,
    pub facets: Facets,
}

impl SearchEngine {
    pub fn search(&self, request: &SearchRequest) -> SearchResponse {
        let searcher = self.searcher();
        let f = self.fields;
        let vocabulary = self.text_terms(&searcher, &request.query, Forgiveness::default());
        // The word being typed: every index term it begins, besides its own analysis; a Latin
        // word is also read in the Russian layout and as transliteration while it is typed.
        let typing = !request.query.ends_with(char::is_whitespace);
        let last_raw = request
            .query
            .split_whitespace()
            .last()
            .map(normalize)
            .unwrap_or_default();
        let mut prefix_terms: Vec<String> = vec![];
        if typing && last_raw.chars().count() >= 2 {
            let readings = [
                Some(last_raw.clone()),
                fix_keyboard_layout(&last_raw),
                latin_to_cyrillic(&last_raw),
            ];
            for reading in readings.into_iter().flatten() {
                for term in self.terms_with_prefix(&searcher, &normalize(&reading), 12) {
                    if !prefix_terms.contains(&term) {
                        prefix_terms.push(term);
                    }
                }
            }
        }
        let mut should: Vec<(Occur, Box<dyn Query>)> = vec![];
        let fields = [
            (f.title, 4.0),
            (f.headings, 2.0),
            (f.tags, 2.0),
            (f.symptoms, 1.5),
            (f.body, 1.0),
        ];
        for (term, weight) in vocabulary
            .terms
            .iter()
            .map(|t| (&t.term, t.origin.weight()))
            .chain(prefix_terms.iter().map(|w| (w, 0.6)))
        {
            for (field, boost) in fields {
                let q = TermQuery::new(
                    Term::from_field_text(field, term),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), boost * weight)),
                ));
            }
        }
        if should.is_empty() {
            return SearchResponse {
                hits: vec![],
                total: 0,
                facets: Facets::default(),
            };
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        if let Some(section) = request.section.as_deref().filter(|s| !s.is_empty()) {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.section_key, section),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(tag) = request.tag.as_deref().and_then(tag_name) {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.tag_key, &tag),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let (top, total) = searcher
            .search(
                &query,
                &(
                    TopDocs::with_limit(FACET_WINDOW.max(request.limit)).order_by_score(),
                    Count,
                ),
            )
            .unwrap_or_default();
        let snippet_terms: BTreeMap<String, f32> = vocabulary
            .terms
            .iter()
            .map(|t| &t.term)
            .chain(&prefix_terms)
            .map(|t| (t.clone(), 1.0))
            .collect();
        let snippets = super::snippet::Snippets::new(&snippet_terms);
        let addresses: Vec<DocAddress> = top.iter().map(|&(_, a)| a).collect();
        // Over the first 200 matches, from the columns (a stored document holds the body).
        let [sections, tags] = self.columns.facets(&searcher, &addresses, FACET_VALUES);
        let facets = Facets {
            sections: counts(sections),
            tags: counts(tags),
        };
        let scores: Vec<f32> = top.iter().map(|&(score, _)| score).collect();
        let order = first_by_score_then_path(&scores, request.limit, |i| {
            self.paths(&searcher, &addresses[i..=i]).remove(0)
        });
        let hits = order
            .into_iter()
            .filter_map(|i| self.hit(&searcher, top[i].1, top[i].0, &snippets))
            .collect();
        SearchResponse {
            hits,
            total,
            facets,
        }
    }
}

fn counts(counted: Vec<(String, usize)>) -> Vec<FacetCount> {
    counted
        .into_iter()
        .map(|(name, count)| FacetCount { name, count })
        .collect()
}

/// The first `limit` of hits in tantivy's order (by score, highest first) as
/// [`super::engine::by_score_then_path`] orders them: paths are looked up only for a run of equal scores
/// that reaches into the first `limit`, not for all 200 hits the facets count.
fn first_by_score_then_path(
    scores: &[f32],
    limit: usize,
    path: impl Fn(usize) -> String,
) -> Vec<usize> {
    debug_assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let mut order: Vec<usize> = (0..scores.len()).collect();
    let mut start = 0;
    while start < limit.min(scores.len()) {
        let run = comparable(scores[start]);
        let end = start
            + scores[start..]
                .iter()
                .take_while(|&&s| comparable(s) == run)
                .count();
        if end - start > 1 {
            order[start..end].sort_by_cached_key(|&i| path(i));
        }
        start = end;
    }
    order.truncate(limit);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_hits_are_ordered_as_by_score_then_path() {
        let scores = [9.0, 7.00001, 7.0, 7.0, 5.0, 5.0, 5.0, 1.0];
        let paths = ["z", "y", "b", "a", "q", "c", "p", "a"].map(String::from);
        let full = by_score_then_path(&scores, &paths);
        for limit in 0..=scores.len() + 1 {
            let looked_up = std::cell::RefCell::new(vec![]);
            let first = first_by_score_then_path(&scores, limit, |i| {
                looked_up.borrow_mut().push(i);
                paths[i].clone()
            });
            assert_eq!(first, full[..limit.min(full.len())], "limit {limit}");
            if limit <= 1 {
                assert!(looked_up.borrow().is_empty(), "no tie to break at {limit}");
            }
        }
    }
}
