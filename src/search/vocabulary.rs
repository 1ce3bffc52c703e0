//! One search vocabulary for suggest and search: a text's words as index terms, with the
//! forgiveness both need — the wrong keyboard layout and transliteration re-read, typos
//! matched by a Levenshtein automaton over the term dictionary, and the writers' synonyms.

use super::analyzer::{analyze, normalize, AnalyzedTerm};
use super::engine::SearchEngine;
use super::synonyms::Expansion;
use crate::text::translit::{fix_keyboard_layout, latin_to_cyrillic};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use tantivy::Searcher;

/// At most this many distinct terms of a text are searched: the most informative ones.
const MAX_TERMS: usize = 48;
/// Only the head of a huge paste (a log) is analysed.
const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Which kinds of forgiveness are on (the relevance example turns each off in turn).
#[derive(Debug, Clone, Copy)]
pub struct Forgiveness {
    pub stemming: bool,
    pub synonyms: bool,
    pub fuzzy: bool,
    pub transliteration: bool,
}

impl Default for Forgiveness {
    fn default() -> Self {
        Forgiveness {
            stemming: true,
            synonyms: true,
            fuzzy: true,
            transliteration: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Origin {
    Exact,
    Fuzzy,
    Synonym,
}

impl Origin {
    /// How much a match through this term counts against a match of the word as written.
    pub fn weight(self) -> f32 {
        match self {
            Origin::Exact => 1.0,
            Origin::Fuzzy => 0.7,
            Origin::Synonym => 0.5,
        }
    }
}

/// One index term searched for, and the word of the text it came from.
#[derive(Debug, Clone)]
pub struct QueryTerm {
    pub term: String,
    /// The word as written (normalised); several terms may share it.
    pub word: String,
    pub origin: Origin,
    pub position: u32,
    pub idf: f32,
}

/// The analysed words of a text and how many of them the index does not know at all.
#[derive(Debug, Clone, Default)]
pub struct TextTerms {
    pub terms: Vec<QueryTerm>,
    /// Words of the text (after corrections) with no term in the index, nor a near one.
    pub unknown_words: usize,
    /// All analysed words of the text.
    pub words: usize,
}

impl SearchEngine {
    /// The text's searchable terms, most informative first, at most `MAX_TERMS`.
    pub fn text_terms(&self, searcher: &Searcher, text: &str, options: Forgiveness) -> TextTerms {
        let text = &text[..crate::text::floor_char_boundary(text, MAX_TEXT_BYTES)];
        let mut raw = analyze(text);
        if options.transliteration {
            raw = self.correct_latin(searcher, text, raw);
        }
        let sequence: Vec<String> = raw
            .iter()
            .map(|t| {
                if options.stemming {
                    t.term.clone()
                } else {
                    normalize(&t.original)
                }
            })
            .collect();
        let mut gathered = Gathered {
            engine: self,
            searcher,
            num_docs: searcher.num_docs().max(1) as f32,
            seen: HashSet::new(),
            out: TextTerms::default(),
        };
        // Once per distinct word: a long e-mail repeats its words, and each lookup reads three
        // fields of every segment.
        let mut looked_up: HashMap<&str, u64> = HashMap::new();
        let dfs: Vec<u64> = (sequence.iter())
            .map(|term| {
                *looked_up
                    .entry(term)
                    .or_insert_with(|| self.doc_freq(searcher, term))
            })
            .collect();
        let named = match options.synonyms {
            true => self.groups_in(searcher, &sequence),
            false => Vec::new(),
        };
        let mut in_a_group = vec![false; sequence.len()];
        for e in &named {
            in_a_group[e.start..e.start + e.len].fill(true);
        }
        for (i, t) in raw.iter().enumerate() {
            gathered.own_word(t, &sequence[i], dfs[i], in_a_group[i], options.fuzzy);
        }
        // A word no article uses is still searched through the group that names it, so a
        // writer's entry for the customers' slang («смсочка») works before any article says
        // it. Its group's words are its own: they go to it before the synonyms of the words
        // the index knows (expanded with their typos' corrections) take theirs.
        for expansion in named {
            if dfs[expansion.start..expansion.start + expansion.len].contains(&0) {
                gathered.add_alternatives(&raw[expansion.start], &expansion.alternatives);
            }
        }
        if options.synonyms {
            gathered.synonyms_of_known_terms();
        }
        let mut terms = gathered.out;
        if terms.terms.len() > MAX_TERMS {
            terms.terms.sort_by(|a, b| b.idf.total_cmp(&a.idf));
            terms.terms.truncate(MAX_TERMS);
            terms.terms.sort_by_key(|t| t.position);
        }
        terms
    }

    /// The synonym groups' entries in a text's `terms`, each with a word of the base to
    /// search for it.
    fn groups_in(&self, searcher: &Searcher, terms: &[String]) -> Vec<Expansion> {
        let mut named = self.synonyms.expand_all(terms);
        named.retain(|e| {
            let mut alternatives = e.alternatives.iter().flatten();
            alternatives.any(|alt| self.doc_freq(searcher, alt) > 0)
        });
        named
    }

    /// Latin words the index does not know are re-read as Russian typed in the wrong keyboard
    /// layout ("ikfu,fev") or transliterated ("shlagbaum"); each keeps the word as written, so
    /// that an explanation shows the operator the ticket's own word.
    fn correct_latin(
        &self,
        searcher: &Searcher,
        text: &str,
        terms: Vec<AnalyzedTerm>,
    ) -> Vec<AnalyzedTerm> {
        let rereadings = self.rereadings(searcher, text, &terms);
        let (mut next, mut skip_until) = (0, 0);
        let mut out = Vec::with_capacity(terms.len());
        for t in terms {
            if t.offset_from < skip_until {
                continue;
            }
            while next < rereadings.len() && rereadings[next].end <= t.offset_from {
                next += 1;
            }
            let Some(r) = rereadings.get(next).filter(|r| r.start <= t.offset_from) else {
                out.push(t);
                continue;
            };
            // The chunk's reading takes the place of its first word; its other words go.
            skip_until = r.end;
            let written = text[r.start..r.end]
                .trim_matches(|c: char| c.is_ascii_punctuation())
                .to_lowercase();
            out.extend(r.analyzed.iter().map(|a| AnalyzedTerm {
                offset_from: r.start,
                offset_to: r.end,
                original: written.clone(),
                ..a.clone()
            }));
        }
        // Positions count kept words, as the analyzer counts them: a re-read chunk's stop
        // words go and the words of «ghb[jlbn» are one, so that a phrase typed on the wrong
        // layout is as near together as the same phrase typed right.
        for (position, t) in out.iter_mut().enumerate() {
            t.position = position as u32;
        }
        out
    }

    /// `text` with its Latin chunks re-read as [`correct_latin`](Self::correct_latin) reads
    /// them: what the intent model reads, so that «xnj ltkfnm&» asks «что делать?» (on the
    /// wrong layout `&` is the question mark and `?` a comma).
    pub fn readable<'t>(&self, searcher: &Searcher, text: &'t str) -> Cow<'t, str> {
        let rereadings = self.rereadings(searcher, text, &analyze(text));
        if rereadings.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() * 2);
        let mut at = 0;
        for r in rereadings {
            out.push_str(&text[at..r.start]);
            out.push_str(&r.reading);
            at = r.end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// The whitespace-delimited chunks of `text` holding a Latin word the index does not know,
    /// each with the reading (wrong layout or transliteration) that has the most known terms,
    /// in text order. A chunk whose reading is only stop words («yt», «xnj», «tuj»: «не»,
    /// «что», «его» on the wrong layout) is re-read too: kept as written it would be a word
    /// the base has never seen, and a ticket typed on the wrong layout would look half
    /// unanswerable.
    fn rereadings(
        &self,
        searcher: &Searcher,
        text: &str,
        terms: &[AnalyzedTerm],
    ) -> Vec<Rereading> {
        let mut out: Vec<Rereading> = Vec::new();
        for t in terms {
            if out.last().is_some_and(|r| t.offset_from < r.end) {
                continue;
            }
            let latin = t.original.chars().any(|c| c.is_ascii_alphabetic());
            if !latin || self.doc_freq(searcher, &t.term) > 0 {
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
            let readings = [fix_keyboard_layout(chunk), latin_to_cyrillic(chunk)]
                .into_iter()
                .flatten()
                .map(|reading| {
                    let analyzed = analyze(&reading);
                    let known = analyzed
                        .iter()
                        .filter(|a| self.doc_freq(searcher, &a.term) > 0)
                        .count();
                    (known, reading, analyzed)
                });
            let best = readings
                .filter(|(known, _, analyzed)| *known > 0 || analyzed.is_empty())
                .max_by_key(|(known, _, _)| *known);
            if let Some((_, reading, analyzed)) = best {
                out.push(Rereading {
                    start,
                    end,
                    reading,
                    analyzed,
                });
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
        let mut found: Vec<(usize, u64, String)> = self
            .terms_within(searcher, term, max_distance)
            .into_iter()
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

/// The terms of one text as [`SearchEngine::text_terms`] gathers them, each index term once.
struct Gathered<'e> {
    engine: &'e SearchEngine,
    searcher: &'e Searcher,
    num_docs: f32,
    seen: HashSet<String>,
    out: TextTerms,
}

impl Gathered<'_> {
    fn push(&mut self, term: String, df: u64, word: &str, origin: Origin, position: u32) {
        self.out.terms.push(QueryTerm {
            idf: idf(self.num_docs, df),
            term,
            word: word.to_string(),
            origin,
            position,
        });
    }

    /// One analysed word of the text (`df`: its term's document frequency): its term if the
    /// index knows it, else its near terms
    /// (a typo), else nothing — and the word counts as unknown unless a synonym group names
    /// it (its group's words are searched for it).
    fn own_word(&mut self, t: &AnalyzedTerm, term: &str, df: u64, in_a_group: bool, fuzzy: bool) {
        if !self.seen.insert(term.to_string()) {
            return;
        }
        self.out.words += 1;
        if df > 0 {
            self.push(term.to_string(), df, &t.original, Origin::Exact, t.position);
            return;
        }
        if in_a_group {
            return; // searched through its group's other words (see `text_terms`)
        }
        if fuzzy && term.chars().count() >= 4 && !term.chars().any(|c| c.is_ascii_digit()) {
            // A misspelt word stems unpredictably ("шлагбам" → "шлагб"), so the word as
            // written is tried too: it is usually one edit from the right stem.
            let mut candidates = self.engine.fuzzy_candidates(self.searcher, term);
            if candidates.is_empty() {
                candidates = self
                    .engine
                    .fuzzy_candidates(self.searcher, &normalize(&t.original));
            }
            if candidates.is_empty() {
                self.out.unknown_words += 1;
            }
            for (candidate, df) in candidates {
                if self.seen.insert(candidate.clone()) {
                    self.push(candidate, df, &t.original, Origin::Fuzzy, t.position);
                }
            }
        } else {
            self.out.unknown_words += 1;
        }
    }

    /// The synonyms of the terms gathered so far (a corrected typo's too).
    fn synonyms_of_known_terms(&mut self) {
        let known: Vec<QueryTerm> = (self.out.terms.iter())
            .filter(|t| t.origin != Origin::Synonym)
            .cloned()
            .collect();
        let terms: Vec<&str> = known.iter().map(|t| t.term.as_str()).collect();
        for expansion in self.engine.synonyms.expand_all(&terms) {
            let source = &known[expansion.start];
            for alt in expansion.alternatives.into_iter().flatten() {
                self.add_synonym(alt, &source.word, source.position);
            }
        }
    }

    fn add_alternatives(&mut self, source: &AnalyzedTerm, alternatives: &[Vec<String>]) {
        for alt in alternatives.iter().flatten() {
            self.add_synonym(alt.clone(), &source.original, source.position);
        }
    }

    fn add_synonym(&mut self, alt: String, word: &str, position: u32) {
        let df = self.engine.doc_freq(self.searcher, &alt);
        if df > 0 && self.seen.insert(alt.clone()) {
            self.push(alt, df, word, Origin::Synonym, position);
        }
    }
}

/// A Latin chunk of a text read as Russian.
struct Rereading {
    start: usize,
    end: usize,
    reading: String,
    analyzed: Vec<AnalyzedTerm>,
}

/// The vocabulary the static search client reads from the built index (`search/index.js`),
/// so that a site opened from disk or from a plain web server drops the same stop words,
/// expands the same synonyms (as index terms) and re-reads the wrong layout and
/// transliteration as the server.
pub fn client_vocabulary(synonyms: &super::synonyms::Synonyms) -> serde_json::Value {
    let (keyboard, spellings) = crate::text::translit::client_tables();
    serde_json::json!({
        "stop": super::analyzer::stop_words().collect::<Vec<_>>(),
        "synonyms": synonyms.groups(),
        "layout": keyboard.iter().map(|(q, r)| [q.to_string(), r.to_string()]).collect::<Vec<_>>(),
        "translit": spellings,
        "lookalikes": super::analyzer::lookalikes().iter().map(|(l, c)| [l.to_string(), c.to_string()]).collect::<Vec<_>>(),
    })
}

/// The inverse document frequency of a term found in `df` of `num_docs` documents (`df` 0:
/// the rarest a term can be).
pub fn idf(num_docs: f32, df: u64) -> f32 {
    ((num_docs + 1.0) / (df as f32 + 0.5)).ln().max(0.05)
}

/// Each word of the text with the weight it carries: the IDF of its rarest own term (as
/// written, or a typo's correction), or for a word the index knows only through its synonym
/// group, of its rarest synonym.
pub fn word_weights(terms: &[QueryTerm]) -> BTreeMap<&str, f32> {
    // Ordered, so that a sum over it (a feature of the model) is the same bits on every run.
    let mut own: BTreeMap<&str, f32> = BTreeMap::new();
    let mut through_group: BTreeMap<&str, f32> = BTreeMap::new();
    for t in terms {
        let map = match t.origin {
            Origin::Synonym => &mut through_group,
            Origin::Exact | Origin::Fuzzy => &mut own,
        };
        let e = map.entry(t.word.as_str()).or_insert(0.0);
        *e = e.max(t.idf);
    }
    for (word, weight) in through_group {
        own.entry(word).or_insert(weight);
    }
    own
}

/// The weight of all the text's words, counted once per word.
pub fn informative_weight(terms: &[QueryTerm]) -> f32 {
    word_weights(terms).values().sum()
}
