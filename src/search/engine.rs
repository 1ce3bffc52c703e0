//! The search engine over one index: a reader, the fields, the synonyms, and the shared
//! pieces of `search` and `suggest` (term statistics, matched terms, snippets, hits).

use super::analyzer::text_analyzer;
use super::index::{schema, Fields, IndexError};
use super::synonyms::Synonyms;
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocSet, Index, IndexReader, Searcher, TantivyDocument, Term};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

pub struct SearchEngine {
    index: Index,
    reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) synonyms: Synonyms,
}

/// A found page, as both APIs return it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    /// Source path relative to content/, NFC.
    pub path: String,
    pub title: String,
    pub url: String,
    pub section: String,
    pub score: f32,
    /// Escaped text with `<mark>` around the matched words.
    pub snippet: String,
}

impl SearchEngine {
    pub fn new(index: Index, synonyms: Synonyms) -> Result<SearchEngine, IndexError> {
        let reader = super::index::reader(&index)?;
        Ok(SearchEngine {
            index,
            reader,
            fields: schema().1,
            synonyms,
        })
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Makes the last commit visible to searches.
    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// In how many documents the index term occurs in the body or the title.
    pub(super) fn doc_freq(&self, searcher: &Searcher, term: &str) -> u64 {
        [self.fields.body, self.fields.title, self.fields.tags]
            .iter()
            .map(|&f| {
                searcher
                    .doc_freq(&Term::from_field_text(f, term))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    /// Whether the document contains the index term in its body, title or tags.
    pub(super) fn doc_has_term(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        term: &str,
    ) -> bool {
        let segment = searcher.segment_reader(address.segment_ord);
        [self.fields.body, self.fields.title, self.fields.tags]
            .iter()
            .any(|&field| {
                let Ok(inverted) = segment.inverted_index(field) else {
                    return false;
                };
                let term = Term::from_field_text(field, term);
                match inverted.read_postings(&term, IndexRecordOption::Basic) {
                    Ok(Some(mut postings)) => {
                        // `seek` only moves forward: a list that starts past the doc lacks it.
                        postings.doc() <= address.doc_id
                            && postings.seek(address.doc_id) == address.doc_id
                    }
                    _ => false,
                }
            })
    }

    /// Index terms starting with `prefix` (for search-as-you-type), at most `limit`.
    pub(super) fn terms_with_prefix(
        &self,
        searcher: &Searcher,
        prefix: &str,
        limit: usize,
    ) -> Vec<String> {
        let mut out = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            for field in [self.fields.title, self.fields.body] {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream()
                else {
                    continue;
                };
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if !term.starts_with(prefix) || out.len() >= limit * 4 {
                        break;
                    }
                    out.insert(term.to_string());
                }
            }
        }
        out.into_iter().take(limit).collect()
    }

    /// The stored fields of a hit, with a snippet around the given index terms.
    pub(super) fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        terms: &BTreeMap<String, f32>,
    ) -> Option<Hit> {
        let doc: TantivyDocument = searcher.doc(address).ok()?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let body = text(self.fields.body);
        let generator = SnippetGenerator::new(
            terms.clone(),
            text_analyzer(),
            self.fields.body,
            SNIPPET_CHARS,
        );
        let mut snippet = generator.snippet(&body);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        let mut html = snippet.to_html();
        if html.trim().is_empty() {
            html = crate::content::markdown::escape_html(&truncate_chars(
                &text(self.fields.summary),
                SNIPPET_CHARS,
            ));
        }
        Some(Hit {
            path: text(self.fields.path),
            title: text(self.fields.title),
            url: text(self.fields.url),
            section: text(self.fields.section),
            score: (score * 1000.0).round() / 1000.0,
            snippet: html.trim().to_string(),
        })
    }
}

pub(super) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
