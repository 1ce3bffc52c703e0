//! A suggestion's candidate described for the confidence model: what the ticket's words are
//! worth ([`TicketFacts`]), which of them an article matched and where ([`WordMatches`]), and
//! the scale-free features made of both (`calibrate::FEATURE_NAMES`).

use super::calibrate::Features;
use super::engine::MatchFields;
use super::suggest::MatchedWords;
use super::vocabulary::{idf, informative_weight, Origin, QueryTerm, TextTerms};
use std::collections::BTreeMap;

/// The slot of the intent fit in [`Features`].
pub(super) const INTENT_FIT: usize = 10;

/// How well an article's role fits the ticket's intent: a regulation fits a procedural
/// question, anything else a customer's problem.
pub(super) fn intent_fit(procedural: f32, regulation: bool) -> f32 {
    if regulation {
        procedural
    } else {
        1.0 - procedural
    }
}

/// What the features need to know of the ticket itself.
pub(super) struct TicketFacts {
    total_weight: f32,
    /// The total weight with each word the base does not know counted as the rarest word
    /// there can be: a word no article has is the ticket's most telling one, and no article
    /// covers it («ветеринар», «Мосэнергосбыт», «коммерческое предложение»).
    weight_with_unknown: f32,
    unknown_share: f32,
    words: usize,
    ln_docs: f32,
}

impl TicketFacts {
    pub(super) fn new(vocabulary: &TextTerms, num_docs: u64) -> TicketFacts {
        let total_weight = informative_weight(&vocabulary.terms).max(f32::MIN_POSITIVE);
        let rarest_possible = idf(num_docs as f32, 0);
        TicketFacts {
            total_weight,
            weight_with_unknown: total_weight + vocabulary.unknown_words as f32 * rarest_possible,
            unknown_share: vocabulary.unknown_words as f32 / vocabulary.words.max(1) as f32,
            words: vocabulary.words,
            ln_docs: ((num_docs + 1) as f32).ln().max(1.0),
        }
    }

    /// See `calibrate::FEATURE_NAMES` for the order.
    pub(super) fn features(&self, m: &WordMatches, a: &ArticleFacts, procedural: f32) -> Features {
        let score = a.score.max(0.0);
        [
            m.weight_any / self.total_weight,
            m.weight_title / self.total_weight,
            m.weight_symptoms / self.total_weight,
            score / self.total_weight,
            (score / a.top_score).min(1.0),
            if score > 0.0 {
                ((score - a.next_score) / score).max(0.0)
            } else {
                0.0
            },
            (1.0 + m.all.len() as f32).ln(),
            m.rarest_idf / self.ln_docs,
            self.unknown_share,
            (1.0 + self.words as f32).ln(),
            intent_fit(procedural, a.regulation),
            (m.title_terms as f32 / a.title_terms.max(1) as f32).min(1.0),
            m.weight_any / self.weight_with_unknown,
        ]
    }
}

/// What the features need to know of one article.
pub(super) struct ArticleFacts {
    pub(super) score: f32,
    pub(super) top_score: f32,
    pub(super) next_score: f32,
    pub(super) regulation: bool,
    pub(super) title_terms: u64,
}

/// The ticket's own words one article matched, each counted once however many of its forms
/// (stem, typo correction, synonym) matched.
#[derive(Debug, Clone)]
pub(super) struct WordMatches {
    pub(super) all: Vec<String>,
    /// Distinct index terms found in the title.
    pub(super) title_terms: usize,
    pub(super) by_field: MatchedWords,
    pub(super) weight_any: f32,
    pub(super) weight_title: f32,
    pub(super) weight_symptoms: f32,
    pub(super) rarest_idf: f32,
}

impl WordMatches {
    pub(super) fn new(terms: &[QueryTerm], found: &[MatchFields]) -> WordMatches {
        let mut best: BTreeMap<&str, (usize, MatchFields, f32)> = BTreeMap::new();
        let title_terms = found.iter().filter(|m| m.has(MatchFields::TITLE)).count();
        for (i, (t, m)) in terms.iter().zip(found).enumerate() {
            let entry = best
                .entry(t.word.as_str())
                .or_insert((i, MatchFields(0), 0.0));
            entry.1 .0 |= m.0;
            if t.origin != Origin::Synonym {
                entry.2 = entry.2.max(t.idf);
            }
        }
        let mut ordered: Vec<(&str, (usize, MatchFields, f32))> =
            best.into_iter().filter(|(_, (_, m, _))| m.any()).collect();
        ordered.sort_by_key(|(_, (first, _, _))| *first);
        let mut out = WordMatches {
            all: vec![],
            title_terms,
            by_field: MatchedWords::default(),
            weight_any: 0.0,
            weight_title: 0.0,
            weight_symptoms: 0.0,
            rarest_idf: 0.0,
        };
        for (word, (_, m, idf)) in ordered {
            out.all.push(word.to_string());
            out.weight_any += idf;
            out.rarest_idf = out.rarest_idf.max(idf);
            if m.has(MatchFields::TITLE) {
                out.by_field.title.push(word.to_string());
                out.weight_title += idf;
            }
            if m.has(MatchFields::SYMPTOMS) {
                out.by_field.symptoms.push(word.to_string());
                out.weight_symptoms += idf;
            }
            if m.has(MatchFields::BODY) || m.has(MatchFields::TAGS) {
                out.by_field.body.push(word.to_string());
            }
        }
        out
    }
}
