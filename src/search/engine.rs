//! The search engine over one index: a reader, the fields, the synonyms, and the shared
//! pieces of `search` and `suggest` (term statistics, matched terms, snippets, hits).

use super::index::{schema, Fields, IndexError};
use super::snippet::{truncate_chars, Snippets, SUMMARY_CHARS};
use super::synonyms::Synonyms;
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use serde::Serialize;
use std::sync::{Arc, OnceLock};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, Index, IndexReader, Searcher, TantivyDocument, Term};

pub struct SearchEngine {
    reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) synonyms: Arc<Synonyms>,
    pub(super) settings: crate::config::SuggestConfig,
    pub(super) model: Arc<super::model::SuggestModel>,
    /// Paths, sections and tags per segment, decoded once (learning needs the path of every
    /// candidate, search the sections and tags of 200 matches).
    pub(super) columns: Arc<super::columns::SegmentColumns>,
}

/// The fields of a page a term occurs in, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchFields(pub u8);

impl MatchFields {
    pub const TITLE: u8 = 1;
    pub const SYMPTOMS: u8 = 2;
    pub const BODY: u8 = 4;
    pub const TAGS: u8 = 8;

    pub fn any(self) -> bool {
        self.0 != 0
    }

    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// A found page, as both APIs return it.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Hit {
    /// Source path relative to content/, NFC.
    pub path: String,
    /// The page's title.
    pub title: String,
    /// The page's URL on the site, from its root (`/razdel/stranitsa/`).
    pub url: String,
    /// The title of the page's section.
    pub section: String,
    /// The search score (BM25 with the field weights): only for ordering.
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
            synonyms: Arc::new(synonyms),
            settings: Default::default(),
            model: Default::default(),
            columns: Default::default(),
        })
    }

    /// The site's `[suggest]` settings and tuned model instead of the defaults. An article
    /// model that knows none of this base's pages (the shipped model over a department's own
    /// content, before `spravka tune`) is left out: it would read every article as one no
    /// ticket was answered by, where it simply knows nothing.
    pub fn with_suggest(
        mut self,
        settings: crate::config::SuggestConfig,
        mut model: super::model::SuggestModel,
    ) -> SearchEngine {
        if let Some(articles) = &model.articles {
            let searcher = self.searcher();
            let knows_a_page = articles
                .bias
                .keys()
                .any(|path| self.role_of_path(&searcher, path).is_some());
            if !knows_a_page {
                model.articles = None;
            }
        }
        self.settings = settings;
        self.model = Arc::new(model);
        self
    }

    /// This engine reading the columns `previous` already decoded: the engine after an edit
    /// of one page shares every segment but the new one with the engine before it, and
    /// decoding the large segment's columns again made the first search after each edit
    /// the slowest (segments never change, so what is decoded stays true).
    pub fn sharing_columns_with(mut self, previous: &SearchEngine) -> SearchEngine {
        self.columns = previous.columns.clone();
        self
    }

    /// A new reader of `index` (the same index, updated) with this engine's synonyms,
    /// settings, tuned model and decoded columns: after an edit that changed neither the
    /// synonyms file nor the model, reading and parsing them again was 2 ms of every save at
    /// 10,000 pages.
    pub fn reopened(&self, index: Index) -> Result<SearchEngine, IndexError> {
        Ok(SearchEngine {
            reader: super::index::reader(&index)?,
            fields: self.fields,
            synonyms: self.synonyms.clone(),
            settings: self.settings.clone(),
            model: self.model.clone(),
            columns: self.columns.clone(),
        })
    }

    /// `[suggest] min_probability`: the top suggestion's probability that makes `confident`.
    pub fn min_probability(&self) -> f32 {
        self.settings.min_probability
    }

    /// The tuned model suggest uses.
    pub fn model(&self) -> &super::model::SuggestModel {
        &self.model
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// The fields in which a word of a text counts as known: its document frequency is read
    /// from these.
    fn word_fields(&self) -> [tantivy::schema::Field; 3] {
        [self.fields.body, self.fields.title, self.fields.tags]
    }

    /// In how many documents the index term occurs in the body, the title or the tags.
    pub(super) fn doc_freq(&self, searcher: &Searcher, term: &str) -> u64 {
        self.word_fields()
            .iter()
            .map(|&f| {
                searcher
                    .doc_freq(&Term::from_field_text(f, term))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    /// For each of `addresses`, in which fields ([`MatchFields`]) each of `terms` occurs. One
    /// postings list per term, field and segment, walked forward through the sorted documents
    /// (a lookup per document and term cost a quarter of a suggest at 10,000 documents).
    pub(super) fn field_matches(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
        terms: &[&str],
    ) -> Vec<Vec<MatchFields>> {
        let mut found = vec![vec![MatchFields::default(); terms.len()]; addresses.len()];
        let mut order: Vec<usize> = (0..addresses.len()).collect();
        order.sort_by_key(|&i| (addresses[i].segment_ord, addresses[i].doc_id));
        let fields = [
            (self.fields.title, MatchFields::TITLE),
            (self.fields.symptoms, MatchFields::SYMPTOMS),
            (self.fields.body, MatchFields::BODY),
            (self.fields.tags, MatchFields::TAGS),
        ];
        for group in order.chunk_by(|&a, &b| addresses[a].segment_ord == addresses[b].segment_ord) {
            let segment = searcher.segment_reader(addresses[group[0]].segment_ord);
            for (field, bit) in fields {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                for (t, term) in terms.iter().enumerate() {
                    let term = Term::from_field_text(field, term);
                    let Ok(Some(mut postings)) =
                        inverted.read_postings(&term, IndexRecordOption::Basic)
                    else {
                        continue;
                    };
                    for &i in group {
                        let doc = addresses[i].doc_id;
                        // `seek` only moves forward, and the documents are in order.
                        if postings.doc() <= doc && postings.seek(doc) == doc {
                            found[i][t].0 |= bit;
                        }
                    }
                }
            }
        }
        found
    }

    /// The role ([`Role`](super::index::Role)) and the title's distinct term count of each of
    /// `addresses`, from their fast fields (each column opened once per segment).
    pub(super) fn roles(
        &self,
        searcher: &Searcher,
        addresses: &[DocAddress],
    ) -> Vec<(super::index::Role, u64)> {
        let mut columns = std::collections::HashMap::new();
        addresses
            .iter()
            .map(|a| {
                let (role, title_terms) = columns.entry(a.segment_ord).or_insert_with(|| {
                    let fast = searcher.segment_reader(a.segment_ord).fast_fields();
                    (fast.u64("role").ok(), fast.u64("title_terms").ok())
                });
                let read = |column: &Option<tantivy::columnar::Column<u64>>| {
                    column.as_ref().and_then(|c| c.first(a.doc_id)).unwrap_or(0)
                };
                (super::index::Role::from_u64(read(role)), read(title_terms))
            })
            .collect()
    }

    /// The source paths of found pages.
    pub(super) fn paths(&self, searcher: &Searcher, addresses: &[DocAddress]) -> Vec<String> {
        self.columns.paths(searcher, addresses)
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

    /// Index terms of the title or body that begin with `term`'s first letter and are within
    /// `distance` edits (transpositions count one) of it, other than `term` itself.
    ///
    /// The dictionary is walked only under that first letter: the automaton alone would also
    /// explore every other letter's subtree for a first-letter typo, a third of suggest's
    /// time at 10,000 pages, for candidates that are dropped anyway.
    pub(super) fn terms_within(
        &self,
        searcher: &Searcher,
        term: &str,
        distance: u8,
    ) -> Vec<String> {
        let Some(first) = term.chars().next() else {
            return vec![];
        };
        let mut from = [0u8; 4];
        let from = first.encode_utf8(&mut from).as_bytes();
        // The bytes after every term that begins with `first`: its last byte + 1 (a UTF-8
        // character's last byte is at most 0xBF, so this never overflows).
        let mut until = from.to_vec();
        if let Some(last) = until.last_mut() {
            *last += 1;
        }
        let dfa = levenshtein_builder(distance).build_dfa(term);
        let mut out = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            for field in [self.fields.title, self.fields.body] {
                let Ok(inverted) = segment.inverted_index(field) else {
                    continue;
                };
                let walk = inverted.terms().search(Dfa(&dfa)).ge(from).lt(&until);
                let Ok(mut stream) = walk.into_stream() else {
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

    /// The source path of a found page.
    pub fn path_of(&self, searcher: &Searcher, address: DocAddress) -> String {
        searcher
            .doc::<TantivyDocument>(address)
            .ok()
            .and_then(|d| {
                d.get_first(self.fields.path)
                    .and_then(|v| v.as_str().map(String::from))
            })
            .unwrap_or_default()
    }

    /// The role of the page at source path `path`, if the index has it.
    pub fn role_of_path(&self, searcher: &Searcher, path: &str) -> Option<super::index::Role> {
        let address = self.address_of_path(searcher, path)?;
        self.roles(searcher, &[address]).first().map(|r| r.0)
    }

    /// Where the page at source path `path` is in the index, if it has it.
    pub(super) fn address_of_path(&self, searcher: &Searcher, path: &str) -> Option<DocAddress> {
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.path, path),
            IndexRecordOption::Basic,
        );
        let found = searcher
            .search(
                &query,
                &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
            )
            .ok()?;
        found.first().map(|&(_, address)| address)
    }

    /// The stored fields of a hit, with a snippet of the query's terms.
    pub(super) fn hit(
        &self,
        searcher: &Searcher,
        address: DocAddress,
        score: f32,
        snippets: &Snippets,
    ) -> Option<Hit> {
        let doc: TantivyDocument = searcher.doc(address).ok()?;
        let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
        let snippet = snippets.html(text(self.fields.body)).unwrap_or_else(|| {
            crate::content::markdown::escape_html(&truncate_chars(
                text(self.fields.summary),
                SUMMARY_CHARS,
            ))
            .trim()
            .to_string()
        });
        Some(Hit {
            path: text(self.fields.path).to_string(),
            title: text(self.fields.title).to_string(),
            url: text(self.fields.url).to_string(),
            section: text(self.fields.section).to_string(),
            score: (score * 1000.0).round() / 1000.0,
            snippet,
        })
    }
}

/// The order of found pages: by score, highest first, and equal scores by path. The order of
/// documents in an index depends on how it was built (edit by edit in `serve`, or whole), and
/// answers must not (`tests/incremental_props.rs`).
pub(super) fn by_score_then_path(scores: &[f32], paths: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        comparable(scores[b])
            .cmp(&comparable(scores[a]))
            .then_with(|| paths[a].cmp(&paths[b]))
    });
    order
}

/// A score as ranking compares it: to four decimals. Two pages that tie exactly in
/// arithmetic can differ in the last bit of a float: tantivy sums a document's clause scores
/// in an order that depends on where the documents sit in the segments (block-WAND sorts its
/// scorers by their current document), so an index built edit by edit and one built whole
/// gave 1.640311480 and 1.640311360 to the same page (`tests/incremental_props.rs` found it).
/// Rarer, not impossible: two such scores either side of a rounding edge still differ, and
/// the top-N cut inside tantivy is made on the raw scores.
pub(super) fn comparable(score: f32) -> i64 {
    (f64::from(score) * 1e4).round() as i64
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
