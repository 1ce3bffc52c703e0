//! The search engine over one index: a reader, the fields, the synonyms, and the shared
//! pieces of `search` and `suggest` (term statistics, matched terms, snippets, hits).

use super::analyzer::text_analyzer;
use super::index::{schema, Fields, IndexError};
use super::synonyms::Synonyms;
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocSet, Index, IndexReader, Searcher, TantivyDocument, Term};

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

pub struct SearchEngine {
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
            reader,
            fields: schema().1,
            synonyms,
        })
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
                // The first `limit` of each sorted stream are enough for the first `limit` overall.
                let mut taken = 0;
                while taken < limit && stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if !term.starts_with(prefix) {
                        break;
                    }
                    out.insert(term.to_string());
                    taken += 1;
                }
            }
        }
        out.into_iter().take(limit).collect()
    }

    /// Index terms of the title or body within `distance` edits (transpositions count one)
    /// of `term`, other than `term` itself.
    pub(super) fn terms_within(
        &self,
        searcher: &Searcher,
        term: &str,
        distance: u8,
    ) -> Vec<String> {
        let dfa = levenshtein_builder(distance).build_dfa(term);
        let mut out = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            for field in [self.fields.title, self.fields.body] {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let Ok(mut stream) = inverted.terms().search(Dfa(&dfa)).into_stream() else {
                    continue;
                };
                while stream.advance() {
                    if let Ok(found) = std::str::from_utf8(stream.key()) {
                        if found != term {
                            out.insert(found.to_string());
                        }
                    }
                }
            }
        }
        out.into_iter().collect()
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
        let mut snippet = generator.snippet(best_window(
            &body,
            &text(self.fields.body_folded),
            terms,
            SNIPPET_CHARS * 3,
        ));
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

/// The automaton builders for distances 1 and 2: pure tables, costly to make (milliseconds)
/// and the same for every index, so they are made once per process rather than per rebuild.
fn levenshtein_builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: OnceLock<[LevenshteinAutomatonBuilder; 2]> = OnceLock::new();
    let builders =
        BUILDERS.get_or_init(|| [1, 2].map(|d| LevenshteinAutomatonBuilder::new(d, true)));
    &builders[usize::from(distance.clamp(1, 2) - 1)]
}

/// The Levenshtein DFA as an automaton over the term dictionary's bytes.
struct Dfa<'a>(&'a DFA);

impl tantivy_fst::Automaton for Dfa<'_> {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != levenshtein_automata::SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

/// Lowercase with ё→е, keeping every character's byte length, so that offsets in the folded
/// text are offsets in the original. Done once per document at index time.
pub fn fold_for_snippets(text: &str) -> String {
    text.chars()
        .map(|c| {
            let lower = if c == 'Ё' || c == 'ё' {
                'е'
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            if lower.len_utf8() == c.len_utf8() {
                lower
            } else {
                c
            }
        })
        .collect()
}

/// The part of `text` (about `window` bytes) where the most, and the rarest, query terms
/// occur; `folded` is `fold_for_snippets(text)`. Russian Snowball stems are prefixes of their word forms once lowercased and ё→е
/// folded, so a substring scan finds candidates; only this window is then analysed for exact
/// highlighting. Analysing whole bodies for every hit cost most of suggest's time.
pub(super) fn best_window<'a>(
    text: &'a str,
    folded: &str,
    terms: &BTreeMap<String, f32>,
    window: usize,
) -> &'a str {
    if text.len() <= window {
        return text;
    }
    if folded.len() != text.len() {
        return &text[..floor_boundary(text, window)];
    }
    let mut hits: Vec<(usize, &str, f32)> = Vec::new();
    for (term, weight) in terms {
        for (at, _) in folded.match_indices(term.as_str()) {
            let word_start = folded[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            if word_start {
                hits.push((at, term.as_str(), *weight));
            }
        }
    }
    if hits.is_empty() {
        return &text[..floor_boundary(text, window)];
    }
    hits.sort_by_key(|h| h.0);
    let (mut best_start, mut best_score) = (hits[0].0, f32::MIN);
    for (i, &(start, _, _)) in hits.iter().enumerate() {
        let mut seen: Vec<&str> = Vec::new();
        let mut score = 0.0;
        for &(_, term, weight) in hits[i..].iter().take_while(|h| h.0 < start + window) {
            if !seen.contains(&term) {
                seen.push(term);
                score += weight;
            }
        }
        if score > best_score {
            (best_start, best_score) = (start, score);
        }
    }
    // Start a little before the first hit, at a line or word break, for context.
    let from = floor_boundary(text, best_start.saturating_sub(window / 6));
    let from = text[..best_start]
        .rfind('\n')
        .filter(|&n| n >= from)
        .map_or(from, |n| n + 1);
    let to = floor_boundary(text, (from + window).min(text.len()));
    &text[from..to]
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub(super) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_window_finds_the_dense_part() {
        let text = format!(
            "{}Шлагбаум не открывается: камера не видит номер. {}",
            "вступление ".repeat(100),
            "хвост ".repeat(100)
        );
        let terms: BTreeMap<String, f32> = [("шлагбаум", 1.0), ("камер", 1.0), ("номер", 1.0)]
            .iter()
            .map(|(t, w)| (t.to_string(), *w))
            .collect();
        let w = best_window(&text, &fold_for_snippets(&text), &terms, 200);
        assert!(
            w.contains("Шлагбаум") && w.contains("камера") && w.contains("номер"),
            "{w}"
        );
        assert!(w.len() <= 200);
        assert_eq!(best_window("коротко", "коротко", &terms, 200), "коротко");
    }
}
