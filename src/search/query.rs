//! Search-as-you-type: short queries with suggest's forgiveness (typos, transliteration, the
//! wrong keyboard layout, synonyms: one `vocabulary`), the last word as a prefix, filters by
//! section and tag, facet counts over the matches.

use super::analyzer::normalize;
use super::engine::{by_score_then_path, Hit, SearchEngine};
use super::vocabulary::Forgiveness;
use crate::text::translit::{fix_keyboard_layout, latin_to_cyrillic};
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

/// How many matches the facet counts look at.
const FACET_WINDOW: usize = 200;

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

/// Counts over the first 200 matches, most frequent first.
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
        if let Some(tag) = request.tag.as_deref().filter(|s| !s.is_empty()) {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.tag_key, &tag.to_lowercase()),
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
        let snippets = super::snippet::Snippets::new(&snippet_terms, f.body);
        let addresses: Vec<DocAddress> = top.iter().map(|&(_, a)| a).collect();
        // Over the first 200 matches, from the columns (a stored document holds the body).
        let [sections, tags] = self.columns.facets(&searcher, &addresses);
        let facets = Facets {
            sections: counts(sections),
            tags: counts(tags),
        };
        let scores: Vec<f32> = top.iter().map(|&(score, _)| score).collect();
        let order = by_score_then_path(&scores, &self.paths(&searcher, &addresses));
        let hits = order
            .into_iter()
            .take(request.limit)
            .filter_map(|i| self.hit(&searcher, top[i].1, top[i].0, &snippets))
            .collect();
        SearchResponse {
            hits,
            total,
            facets,
        }
    }
}

fn counts(map: BTreeMap<String, usize>) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = map
        .into_iter()
        .map(|(name, count)| FacetCount { name, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v
}
