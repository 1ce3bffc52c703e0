//! Ticket → articles: the ticket's informative terms (corrected for layout, transliteration
//! and typos, expanded by synonyms) as a weighted OR across fields, plus phrase bonuses, and a
//! calibrated `confident` flag. Raw text never reaches a query parser.

use super::analyzer::{analyze, normalize, AnalyzedTerm};
use super::engine::{Hit, SearchEngine};
use crate::text::translit::{fix_keyboard_layout, latin_to_cyrillic};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// At most this many distinct terms of a ticket are searched: the most informative ones.
const MAX_TERMS: usize = 48;
/// Only the head of a huge paste (a log) is analysed.
const MAX_TICKET_BYTES: usize = 64 * 1024;

/// Which techniques are on; `baseline()` turns them all off for the relevance benchmark.
#[derive(Debug, Clone, Copy)]
pub struct SuggestOptions {
    pub stemming: bool,
    pub synonyms: bool,
    pub fuzzy: bool,
    pub transliteration: bool,
    pub boosts: FieldBoosts,
}

/// Weight of a match in each field (on top of BM25 per field, so a word in the title, the
/// "Симптомы" and the body already counts three times). Chosen with the relevance example's
/// `--tune` grid on the dev tickets (BENCHMARKS.md): every setting ranked them all first, and
/// equal weights separated answerable from out-of-scope tickets best.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldBoosts {
    pub title: f32,
    pub symptoms: f32,
    pub headings: f32,
    pub tags: f32,
    pub body: f32,
}

impl Default for FieldBoosts {
    fn default() -> Self {
        FieldBoosts {
            title: 1.0,
            symptoms: 1.0,
            headings: 1.0,
            tags: 1.0,
            body: 1.0,
        }
    }
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            stemming: true,
            synonyms: true,
            fuzzy: true,
            transliteration: true,
            boosts: FieldBoosts::default(),
        }
    }
}

impl SuggestOptions {
    pub fn baseline() -> Self {
        SuggestOptions {
            stemming: false,
            synonyms: false,
            fuzzy: false,
            transliteration: false,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    #[serde(flatten)]
    pub hit: Hit,
    /// The ticket's own words that matched this article.
    pub matched_terms: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SuggestResponse {
    pub suggestions: Vec<Suggestion>,
    pub confident: bool,
    /// Share of the ticket's informative weight the top article covers (for calibration).
    #[serde(skip)]
    pub coverage: f32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    Exact,
    Fuzzy,
    Synonym,
}

/// One index term searched for, and the ticket word it came from.
#[derive(Debug, Clone)]
struct QueryTerm {
    term: String,
    word: String,
    origin: Origin,
    position: u32,
    idf: f32,
}

fn field_boosts(engine: &SearchEngine, b: FieldBoosts) -> [(Field, f32); 5] {
    let f = &engine.fields;
    [
        (f.title, b.title),
        (f.symptoms, b.symptoms),
        (f.headings, b.headings),
        (f.tags, b.tags),
        (f.body, b.body),
    ]
}

impl SearchEngine {
    pub fn suggest(&self, text: &str, limit: usize) -> SuggestResponse {
        self.suggest_with(text, limit, SuggestOptions::default())
    }

    pub fn suggest_with(
        &self,
        text: &str,
        limit: usize,
        options: SuggestOptions,
    ) -> SuggestResponse {
        let searcher = self.searcher();
        let terms = self.ticket_terms(&searcher, text, options);
        if terms.is_empty() {
            return SuggestResponse {
                suggestions: vec![],
                confident: false,
                coverage: 0.0,
            };
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for qt in &terms {
            let weight = match qt.origin {
                Origin::Exact => 1.0,
                Origin::Fuzzy => 0.7,
                Origin::Synonym => 0.5,
            };
            for (field, boost) in field_boosts(self, options.boosts) {
                let query = TermQuery::new(
                    Term::from_field_text(field, &qt.term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(query), boost * weight)),
                ));
            }
        }
        // Neighbouring words of the ticket found together in the article weigh more.
        let exact: Vec<&QueryTerm> = terms
            .iter()
            .filter(|t| t.origin != Origin::Synonym)
            .collect();
        for pair in exact.windows(2) {
            if pair[1].position == pair[0].position + 1 && pair[0].term != pair[1].term {
                for field in [self.fields.body, self.fields.symptoms] {
                    let mut phrase = PhraseQuery::new(vec![
                        Term::from_field_text(field, &pair[0].term),
                        Term::from_field_text(field, &pair[1].term),
                    ]);
                    phrase.set_slop(2);
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(phrase), 1.5)),
                    ));
                }
            }
        }
        let query = BooleanQuery::new(clauses);
        let top = searcher
            .search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .unwrap_or_default();
        let snippet_terms: BTreeMap<String, f32> =
            terms.iter().map(|t| (t.term.clone(), t.idf)).collect();
        let snippets = super::snippet::Snippets::new(&snippet_terms, self.fields.body);
        let total_idf: f32 = informative_weight(&terms);
        let mut suggestions = Vec::new();
        let mut top_coverage = 0.0;
        let words: Vec<&str> = terms.iter().map(|t| t.term.as_str()).collect();
        let addresses: Vec<_> = top.iter().map(|&(_, address)| address).collect();
        let present = self.terms_in_docs(&searcher, &addresses, &words);
        for (rank, ((score, address), present)) in top.into_iter().zip(present).enumerate() {
            let Some(hit) = self.hit(&searcher, address, score, &snippets) else {
                continue;
            };
            let mut matched: Vec<String> = Vec::new();
            let mut covered = 0.0;
            let mut covered_words: Vec<&str> = Vec::new();
            for (qt, _) in terms.iter().zip(present).filter(|(_, has)| *has) {
                if !matched.contains(&qt.word) {
                    matched.push(qt.word.clone());
                }
                // A word counts once towards coverage, however many of its forms matched.
                if !covered_words.contains(&qt.word.as_str()) {
                    covered += qt.idf;
                    covered_words.push(&qt.word);
                }
            }
            if rank == 0 {
                top_coverage = if total_idf > 0.0 {
                    covered / total_idf
                } else {
                    0.0
                };
            }
            suggestions.push(Suggestion {
                hit,
                matched_terms: matched,
            });
        }
        let confident = suggestions
            .first()
            .is_some_and(|s| self.is_confident(s.hit.score, top_coverage, s.matched_terms.len()));
        SuggestResponse {
            suggestions,
            confident,
            coverage: top_coverage,
        }
    }

    /// The ticket's searchable terms, most informative first, at most `MAX_TERMS`.
    fn ticket_terms(
        &self,
        searcher: &Searcher,
        text: &str,
        options: SuggestOptions,
    ) -> Vec<QueryTerm> {
        let text = &text[..floor_char_boundary(text, MAX_TICKET_BYTES)];
        let num_docs = searcher.num_docs().max(1) as f32;
        let idf = |df: u64| ((num_docs + 1.0) / (df as f32 + 0.5)).ln().max(0.05);
        let mut raw = analyze(text);
        if options.transliteration {
            raw = self.correct_latin(searcher, text, raw);
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut terms: Vec<QueryTerm> = Vec::new();
        for t in raw {
            let term = if options.stemming {
                t.term.clone()
            } else {
                normalize(&t.original)
            };
            if seen.contains_key(&term) {
                continue;
            }
            let df = self.doc_freq(searcher, &term);
            seen.insert(term.clone(), terms.len());
            if df > 0 {
                terms.push(QueryTerm {
                    idf: idf(df),
                    term,
                    word: t.original.clone(),
                    origin: Origin::Exact,
                    position: t.position,
                });
            } else if options.fuzzy
                && term.chars().count() >= 4
                && !term.chars().any(|c| c.is_ascii_digit())
            {
                // A misspelt word stems unpredictably ("шлагбам" → "шлагб"), so the word as
                // written is tried too: it is usually one edit from the right stem.
                let mut candidates = self.fuzzy_candidates(searcher, &term);
                if candidates.is_empty() {
                    candidates = self.fuzzy_candidates(searcher, &normalize(&t.original));
                }
                for (candidate, df) in candidates {
                    if !seen.contains_key(&candidate) {
                        seen.insert(candidate.clone(), terms.len());
                        terms.push(QueryTerm {
                            idf: idf(df),
                            term: candidate,
                            word: t.original.clone(),
                            origin: Origin::Fuzzy,
                            position: t.position,
                        });
                    }
                }
            }
        }
        if options.synonyms {
            let words: Vec<String> = terms.iter().map(|t| t.term.clone()).collect();
            let mut extra = Vec::new();
            for expansion in self.synonyms.expand_all(&words) {
                let source = &terms[expansion.start];
                for alternative in expansion.alternatives {
                    for alt in alternative {
                        let df = self.doc_freq(searcher, &alt);
                        if df > 0 && !seen.contains_key(&alt) {
                            seen.insert(alt.clone(), usize::MAX);
                            extra.push(QueryTerm {
                                idf: idf(df),
                                term: alt,
                                word: source.word.clone(),
                                origin: Origin::Synonym,
                                position: source.position,
                            });
                        }
                    }
                }
            }
            terms.extend(extra);
        }
        if terms.len() > MAX_TERMS {
            terms.sort_by(|a, b| b.idf.total_cmp(&a.idf));
            terms.truncate(MAX_TERMS);
            terms.sort_by_key(|t| t.position);
        }
        terms
    }

    /// Latin words the index does not know are re-read as Russian typed in the wrong keyboard
    /// layout ("ikfu,fev") or transliterated ("shlagbaum"); the reading with known terms wins.
    fn correct_latin(
        &self,
        searcher: &Searcher,
        text: &str,
        terms: Vec<AnalyzedTerm>,
    ) -> Vec<AnalyzedTerm> {
        let mut out = Vec::with_capacity(terms.len());
        let mut done_until = 0;
        for t in terms {
            if t.offset_from < done_until {
                continue;
            }
            let latin = t.original.chars().any(|c| c.is_ascii_alphabetic());
            if !latin || self.doc_freq(searcher, &t.term) > 0 {
                out.push(t);
                continue;
            }
            // Past the whitespace character itself: it may be wider than a byte (U+00A0).
            let start = text[..t.offset_from]
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
                .map_or(0, |(i, c)| i + c.len_utf8());
            let end = text[t.offset_to..]
                .find(char::is_whitespace)
                .map_or(text.len(), |i| t.offset_to + i);
            let chunk = &text[start..end];
            let best = [fix_keyboard_layout(chunk), latin_to_cyrillic(chunk)]
                .into_iter()
                .flatten()
                .map(|variant| {
                    let analyzed = analyze(&variant);
                    let known = analyzed
                        .iter()
                        .filter(|a| self.doc_freq(searcher, &a.term) > 0)
                        .count();
                    (known, analyzed)
                })
                .filter(|(known, _)| *known > 0)
                .max_by_key(|(known, _)| *known);
            match best {
                Some((_, analyzed)) => {
                    done_until = end;
                    out.extend(analyzed.into_iter().map(|a| {
                        AnalyzedTerm {
                            position: t.position,
                            offset_from: start,
                            offset_to: end,
                            original: chunk
                                .trim_matches(|c: char| c.is_ascii_punctuation())
                                .to_lowercase(),
                            ..a
                        }
                    }));
                }
                None => out.push(t),
            }
        }
        out
    }

    /// Known index terms within a small edit distance of a misspelt one, found by a
    /// Levenshtein automaton over the term dictionary; the same first letter is required,
    /// since people rarely get it wrong and it keeps short words from drifting.
    fn fuzzy_candidates(&self, searcher: &Searcher, term: &str) -> Vec<(String, u64)> {
        let len = term.chars().count();
        let max_distance = if len >= 8 { 2 } else { 1 };
        let first = term.chars().next();
        let mut found: Vec<(usize, u64, String)> = self
            .terms_within(searcher, term, max_distance)
            .into_iter()
            .filter(|c| c.chars().next() == first)
            .map(|c| {
                let d = strsim::damerau_levenshtein(term, &c);
                (d, self.doc_freq(searcher, &c), c)
            })
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        found
            .into_iter()
            .take(2)
            .map(|(_, df, c)| (c, df))
            .collect()
    }
}

/// The weight of all the ticket's own (non-synonym) words, counted once per word.
fn informative_weight(terms: &[QueryTerm]) -> f32 {
    let mut best: HashMap<&str, f32> = HashMap::new();
    for t in terms.iter().filter(|t| t.origin != Origin::Synonym) {
        let e = best.entry(t.word.as_str()).or_insert(0.0);
        *e = e.max(t.idf);
    }
    best.values().sum()
}

impl SearchEngine {
    /// An article answers the ticket when it covers a good share of the ticket's informative
    /// words and scores well. The defaults (`SuggestConfig`) were calibrated on the dev tickets
    /// with `--tune`: out-of-scope tickets topped out at 25.3, answerable ones started at 29.2.
    fn is_confident(&self, score: f32, coverage: f32, matched: usize) -> bool {
        matched >= 2
            && score >= self.confidence.confident_min_score
            && coverage >= self.confidence.confident_min_coverage
    }
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}
