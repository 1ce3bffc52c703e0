//! A suggestion's candidate described for the confidence model: what the ticket's words are
//! worth ([`TicketFacts`]), which of them an article matched and where ([`WordMatches`]), and
//! the scale-free features made of both (`calibrate::FEATURE_NAMES`).

use super::calibrate::Features;
use super::engine::MatchFields;
use super::suggest::{MatchedWords, Reading};
use super::vocabulary::{informative_weight, word_weights, QueryTerm, TextTerms};
use std::collections::BTreeMap;

/// The slot of the intent fit in [`Features`].
pub(super) const INTENT_FIT: usize = 10;
/// The slot of the ticket's probability of being in scope in [`Features`].
pub(super) const IN_SCOPE: usize = 13;
/// The slot of the article model's probability that the article answers the ticket in
/// [`Features`] (`suggest::add_affinities` sets it; described as 0 before).
pub(super) const AFFINITY: usize = 14;
/// The slot of the score as a share of the ticket's weight in [`Features`].
const SCORE_SHARE: usize = 3;
/// The slot of the score relative to the first candidate's in [`Features`].
const RELATIVE_SCORE: usize = 4;
/// The slot of the margin to the next candidate's score in [`Features`].
const MARGIN: usize = 5;
/// The slot of the distinct matched words, `ln(1 + n)`, in [`Features`].
const MATCHED_WORDS: usize = 6;

/// Whether the described article scored as high as any candidate: it is the first (or tied
/// with it).
pub(super) fn is_first(features: &Features) -> bool {
    features[RELATIVE_SCORE] >= 1.0
}

/// An article must match at least this many distinct words of the ticket for its match to be
/// evidence: one word is none («спасибо, всё работает» matches every article that says
/// «работает»). The confidence model caps the probability below it, and `suggest` is never
/// confident below it; both read it here.
pub const EVIDENCE_WORDS: usize = 2;

/// Describes anew what reads an article's search score once it changed from `old` to `new`
/// (the highest now `top`, the next below it `next`): its share of the ticket's weight, its
/// share of the first's and its margin to the next, as [`TicketFacts::features`] writes them.
pub(super) fn set_score(features: &mut Features, (old, new): (f32, f32), top: f32, next: f32) {
    let (old, new) = (old.max(0.0), new.max(0.0));
    if old > 0.0 {
        features[SCORE_SHARE] *= new / old;
    }
    features[RELATIVE_SCORE] = (new / top.max(f32::MIN_POSITIVE)).min(1.0);
    features[MARGIN] = if new > 0.0 {
        ((new - next) / new).max(0.0)
    } else {
        0.0
    };
}

/// How many distinct words of the ticket the described article matched (the inverse of how
/// [`TicketFacts::features`] writes them).
pub(super) fn distinct_words(features: &Features) -> usize {
    features[MATCHED_WORDS].exp_m1().round().max(0.0) as usize
}

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
    /// The total weight with each word the base does not know counted as the ticket's
    /// rarest known word: a word no article has is among the ticket's most telling, and no
    /// article covers it («ветеринар», «Мосэнергосбыт», «коммерческое предложение»). (Not as
    /// the rarest word a base of this size can have: that grows with the base, and the
    /// feature fell with it.)
    weight_with_unknown: f32,
    unknown_share: f32,
    words: usize,
    /// The IDF of the ticket's rarest own word the base knows.
    rarest_known: f32,
}

impl TicketFacts {
    pub(super) fn new(vocabulary: &TextTerms) -> TicketFacts {
        let total_weight = informative_weight(&vocabulary.terms).max(f32::MIN_POSITIVE);
        let rarest_known = word_weights(&vocabulary.terms)
            .into_values()
            .fold(f32::MIN_POSITIVE, f32::max);
        TicketFacts {
            total_weight,
            weight_with_unknown: total_weight + vocabulary.unknown_words as f32 * rarest_known,
            unknown_share: vocabulary.unknown_words as f32 / vocabulary.words.max(1) as f32,
            words: vocabulary.words,
            rarest_known,
        }
    }

    /// See `calibrate::FEATURE_NAMES` for the order.
    pub(super) fn features(&self, m: &WordMatches, a: &ArticleFacts, reading: Reading) -> Features {
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
            (m.rarest_idf / self.rarest_known).min(1.0),
            self.unknown_share,
            (1.0 + self.words as f32).ln(),
            intent_fit(reading.procedural, a.regulation),
            (m.title_terms as f32 / a.title_terms.max(1) as f32).min(1.0),
            m.weight_any / self.weight_with_unknown,
            reading.in_scope,
            0.0,
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
        let weights = word_weights(terms);
        let mut best: BTreeMap<&str, (usize, MatchFields, f32)> = BTreeMap::new();
        let title_terms = found.iter().filter(|m| m.has(MatchFields::TITLE)).count();
        for (i, (t, m)) in terms.iter().zip(found).enumerate() {
            let word = t.word.as_str();
            let entry = best
                .entry(word)
                .or_insert((i, MatchFields(0), weights[word]));
            entry.1 .0 |= m.0;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::vocabulary::Origin;

    fn ticket(idfs: &[f32]) -> TextTerms {
        let terms = idfs
            .iter()
            .enumerate()
            .map(|(i, &idf)| QueryTerm {
                term: format!("t{i}"),
                word: format!("w{i}"),
                origin: Origin::Exact,
                position: i as u32,
                idf,
            })
            .collect();
        // One more word the base does not know at all.
        TextTerms {
            terms,
            unknown_words: 1,
            words: idfs.len() + 1,
        }
    }

    fn slot(name: &str) -> usize {
        let names = crate::search::calibrate::FEATURE_NAMES;
        names.iter().position(|n| *n == name).unwrap()
    }

    /// The slots read back by name are the ones written there.
    #[test]
    fn the_slots_read_back_are_the_named_ones() {
        assert_eq!(RELATIVE_SCORE, slot("relative_score"));
        assert_eq!(MATCHED_WORDS, slot("matched_words"));
        assert_eq!(INTENT_FIT, slot("intent_fit"));
        assert_eq!(IN_SCOPE, slot("in_scope"));
        assert_eq!(SCORE_SHARE, slot("score_per_weight"));
        assert_eq!(MARGIN, slot("margin"));
        assert_eq!(AFFINITY, slot("affinity"));
        let mut f = [0.0; crate::search::calibrate::FEATURE_COUNT];
        for n in 0..40 {
            f[MATCHED_WORDS] = (1.0 + n as f32).ln();
            assert_eq!(distinct_words(&f), n);
        }
    }

    /// The features of an article that matched the ticket's second and third words (the
    /// second in its title), where the ticket's words have `idfs`.
    fn described(idfs: &[f32]) -> Features {
        let vocabulary = ticket(idfs);
        let found = [
            MatchFields(0),
            MatchFields(MatchFields::TITLE | MatchFields::BODY),
            MatchFields(MatchFields::BODY),
            MatchFields(0),
        ];
        let matches = WordMatches::new(&vocabulary.terms, &found);
        let weight: f32 = idfs.iter().sum();
        let article = ArticleFacts {
            score: weight,
            top_score: weight,
            next_score: weight / 2.0,
            regulation: false,
            title_terms: 3,
        };
        let reading = Reading {
            procedural: 0.0,
            in_scope: 0.7,
        };
        TicketFacts::new(&vocabulary).features(&matches, &article, reading)
    }

    /// A score raised above the first (by the article model's affinity) reads as the first:
    /// 1 of the highest, its margin to the one below, its share of the ticket's weight grown
    /// with it; the former first then reads as half of the highest.
    #[test]
    fn a_changed_score_is_described_anew() {
        let mut raised = described(&[3.0, 2.0, 1.5, 0.5]);
        let (share, weight) = (raised[SCORE_SHARE], 7.0);
        set_score(&mut raised, (weight, 2.0 * weight), 2.0 * weight, 10.0);
        assert_eq!(raised[RELATIVE_SCORE], 1.0);
        assert!((raised[MARGIN] - (14.0 - 10.0) / 14.0).abs() < 1e-6);
        assert!((raised[SCORE_SHARE] - 2.0 * share).abs() < 1e-5);
        let mut former = described(&[3.0, 2.0, 1.5, 0.5]);
        set_score(&mut former, (weight, weight), 2.0 * weight, 3.0);
        assert!((former[RELATIVE_SCORE] - 0.5).abs() < 1e-6);
        assert!((former[SCORE_SHARE] - share).abs() < 1e-6);
    }

    /// A base that grows around the same articles makes every word commoner: the ticket's
    /// words keep their order of rarity, each worth less. The features read shares of the
    /// ticket's own weight, so they stay where they were, and one confidence threshold holds
    /// at both sizes. (The rarest matched word, and an unknown word's weight, were once read
    /// against the rarest word a base of that size can have: they fell by half from 43
    /// documents to 10,000, and with them the probability of right answers.)
    #[test]
    fn features_do_not_move_when_every_word_gets_commoner() {
        let small = described(&[3.0, 2.0, 1.5, 0.5]);
        let grown = described(&[1.5, 1.0, 0.75, 0.25]);
        let rarest = slot("rarest_matched");
        assert!(
            small[rarest] > 0.0 && small[rarest] < 1.0,
            "the article has not the ticket's rarest word: {small:?}"
        );
        for (i, name) in crate::search::calibrate::FEATURE_NAMES.iter().enumerate() {
            assert!(
                (small[i] - grown[i]).abs() < 1e-5,
                "{name}: {} at 43 documents, {} at 10,217",
                small[i],
                grown[i]
            );
        }
    }
}
