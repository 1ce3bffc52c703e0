//! Tuning: every number suggest uses chosen by k-fold cross-validation over labelled tickets,
//! for one base or for the same base at several sizes at once, from a neutral start.

use super::cuts::ByCut;
use super::grid::ascend;
use super::{outcome_at, Decision, Metrics, Outcome, Ticket};
use crate::search::article_model::{self, Affinities, ArticleModel, BaseTexts};
use crate::search::calibrate::{fit, Features};
use crate::search::index::Role;
use crate::search::model::{Ranking, SuggestModel};
use crate::search::suggest::{
    affinities, in_scope_probability, nominated, procedural_probability, understood, Reading,
    SuggestOptions,
};
use crate::search::word_model::{self, TicketWords, WordModel};
use crate::search::SearchEngine;
use std::collections::HashMap;

/// The result of tuning: the figures measured on held-out folds, and the model fitted on all.
pub struct Tuned {
    /// Per base tuned on (as [`tune`] was given them), the figures of the held-out folds.
    pub cross_validated: Vec<Metrics>,
    /// The same figures with `confident` cut at each value it could take.
    pub by_cut: ByCut,
    pub model: SuggestModel,
    pub folds: usize,
}

/// Fits the intent model, tunes the ranking and fits the scope, article and confidence models
/// with `folds`-fold cross-validation (folds stratified by style), measuring the held-out folds
/// at the site's cut and at each of [`CUTS`](super::cuts::CUTS), then fits all five on every
/// ticket for the model to ship. `bases` are the same knowledge base searched alone and among distractor
/// documents (the first is the one the model ships with): the ranking is chosen for all of
/// them at once and the confidence model fitted on all of their candidates, so that no
/// setting has to change as the base grows. The intent, scope and article models are fitted
/// once, on tickets as the first base reads them (its vocabulary decides how a Latin word is
/// re-read); each base reads its tickets with them as suggest would there. The article model
/// also reads `texts`, the first base's own articles (`BaseTexts::of` its site).
pub fn tune(
    bases: &[&SearchEngine],
    texts: &BaseTexts,
    tickets: &[Ticket],
    options: SuggestOptions,
    folds: usize,
) -> Tuned {
    assert!(!bases.is_empty(), "tuning needs a base to search");
    let folds = folds.clamp(2, tickets.len().max(2));
    let fold_of = stratified_folds(tickets, folds);
    let mut caches: Vec<OutcomeCache> = bases
        .iter()
        .map(|engine| OutcomeCache::new(engine, texts, tickets, options))
        .collect();
    let mut cross_validated = vec![Metrics::default(); bases.len()];
    let mut by_cut = ByCut::new(bases.len());
    for fold in 0..folds {
        let train: Vec<usize> = (0..tickets.len()).filter(|&i| fold_of[i] != fold).collect();
        let model = fit_model(&mut caches, &train);
        for (base, cache) in caches.iter_mut().enumerate() {
            let affinities = cache.affinities(&model);
            let procedural = cache.procedural(&model.intent);
            let in_scope = cache.in_scope(&model);
            let reading = (procedural.as_slice(), in_scope.as_slice());
            let outcomes = cache.described(&model.ranking, reading, &affinities);
            let min_probability = cache.engine.min_probability();
            for i in (0..tickets.len()).filter(|&i| fold_of[i] == fold) {
                let ranked = outcomes[i].ranked(&model.confidence, options, min_probability);
                cross_validated[base].add(&tickets[i], ranked);
                by_cut.add(
                    base,
                    &tickets[i],
                    &outcomes[i],
                    (&model.confidence, options),
                );
            }
        }
    }
    let all: Vec<usize> = (0..tickets.len()).collect();
    let model = fit_model(&mut caches, &all);
    Tuned {
        cross_validated,
        by_cut,
        model,
        folds,
    }
}

/// The cross-validation's folds and, per fold, the model fitted on the other folds (as
/// [`tune`] fits them on `engine` alone): for measuring something else held out, such as
/// operators' feedback.
pub fn fold_models(
    engine: &SearchEngine,
    texts: &BaseTexts,
    tickets: &[Ticket],
    options: SuggestOptions,
    folds: usize,
) -> (Vec<usize>, Vec<SuggestModel>) {
    let folds = folds.clamp(2, tickets.len().max(2));
    let fold_of = stratified_folds(tickets, folds);
    let mut caches = vec![OutcomeCache::new(engine, texts, tickets, options)];
    let models = (0..folds)
        .map(|fold| {
            let train: Vec<usize> = (0..tickets.len()).filter(|&i| fold_of[i] != fold).collect();
            fit_model(&mut caches, &train)
        })
        .collect();
    (fold_of, models)
}

/// Ticket `i` goes to fold `fold_of[i]`: tickets sorted by style (then id) are dealt out in
/// turn, so that every fold has its share of each style. Deterministic.
fn stratified_folds(tickets: &[Ticket], folds: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..tickets.len()).collect();
    order.sort_by(|&a, &b| {
        (&tickets[a].style, &tickets[a].id).cmp(&(&tickets[b].style, &tickets[b].id))
    });
    let mut fold_of = vec![0; tickets.len()];
    for (n, i) in order.into_iter().enumerate() {
        fold_of[i] = n % folds;
    }
    fold_of
}

/// What a ticket's pool depends on besides the ranking: whether it is searched as a
/// procedural question, and the articles the fold's article model nominates.
type PoolKey = (bool, Vec<String>);

/// Each ticket's outcome under each ranking and intent decision, computed once: folds and
/// coordinate steps ask for the same rankings again and again, and most tickets are judged
/// procedural (or not) by every fold's intent model alike.
struct OutcomeCache<'a> {
    engine: &'a SearchEngine,
    /// The base's own articles, which the article model reads beside the tickets.
    texts: &'a BaseTexts,
    tickets: &'a [Ticket],
    options: SuggestOptions,
    /// Each ticket's problem part, as suggest searches it.
    problems: Vec<String>,
    /// Each problem as the intent model reads it.
    intent_texts: Vec<String>,
    /// Each problem's words as the intent, scope and article models read them.
    intent_words: Vec<TicketWords>,
    /// Whether a regulation answers each ticket: the intent model's label.
    procedural_labels: Vec<bool>,
    /// Whether any article answers each ticket: the scope model's label.
    answerable_labels: Vec<bool>,
    /// Per ranking, each ticket's outcome found as a customer's problem or as a procedural
    /// question, with the articles nominated by a fold's article model.
    by_ranking: HashMap<String, Vec<HashMap<PoolKey, Outcome>>>,
}

impl<'a> OutcomeCache<'a> {
    fn new(
        engine: &'a SearchEngine,
        texts: &'a BaseTexts,
        tickets: &'a [Ticket],
        options: SuggestOptions,
    ) -> Self {
        let searcher = engine.searcher();
        let problems: Vec<String> = tickets
            .iter()
            .map(|t| understood(&t.text, options))
            .collect();
        let intent_texts: Vec<String> = problems
            .iter()
            .map(|p| engine.intent_text(&searcher, p, options).into_owned())
            .collect();
        OutcomeCache {
            engine,
            texts,
            tickets,
            options,
            problems,
            intent_words: intent_texts.iter().map(|t| TicketWords::read(t)).collect(),
            intent_texts,
            procedural_labels: tickets
                .iter()
                .map(|t| {
                    t.expected
                        .iter()
                        .any(|path| engine.role_of_path(&searcher, path) == Some(Role::Regulation))
                })
                .collect(),
            answerable_labels: tickets.iter().map(|t| !t.expected.is_empty()).collect(),
            by_ranking: HashMap::new(),
        }
    }

    /// The intent model fitted on `subset`.
    fn fit_intent(&self, subset: &[usize]) -> WordModel {
        self.fit_words(subset, &self.procedural_labels)
    }

    /// The scope model fitted on `subset`, when scope is on.
    fn fit_scope(&self, subset: &[usize]) -> Option<WordModel> {
        self.options
            .scope
            .then(|| self.fit_words(subset, &self.answerable_labels))
    }

    fn fit_words(&self, subset: &[usize], labels: &[bool]) -> WordModel {
        let rows: Vec<(&str, bool)> = subset
            .iter()
            .map(|&i| (self.intent_texts[i].as_str(), labels[i]))
            .collect();
        word_model::fit(&rows)
    }

    /// Each ticket's probability of being in scope under `model`, as suggest reads it.
    fn in_scope(&self, model: &SuggestModel) -> Vec<f32> {
        self.intent_words
            .iter()
            .map(|w| in_scope_probability(model, w, self.options))
            .collect()
    }

    /// Each ticket's probability of being in scope as the confidence model will be fitted on
    /// it: held out for a ticket of `train` (as [`procedural_held_out`](Self::procedural_held_out)
    /// is), from `fitted` for any other. Without a scope model, one constant for all, which
    /// the confidence fit gives no weight.
    fn in_scope_held_out(&self, train: &[usize], fitted: Option<&WordModel>) -> Vec<f32> {
        let Some(fitted) = fitted else {
            return vec![1.0; self.intent_texts.len()];
        };
        let mut in_scope: Vec<f32> = self
            .intent_words
            .iter()
            .map(|w| fitted.probability_of(w))
            .collect();
        let held_out = word_model::held_out(&self.intent_texts, &self.answerable_labels, train);
        for (&i, p) in train.iter().zip(held_out) {
            in_scope[i] = p;
        }
        in_scope
    }

    /// The article model fitted on `subset`, when the article model is on.
    fn fit_articles(&self, subset: &[usize]) -> Option<ArticleModel> {
        self.options.articles.then(|| {
            let rows: Vec<(&str, &[String])> = subset
                .iter()
                .map(|&i| {
                    (
                        self.intent_texts[i].as_str(),
                        self.tickets[i].expected.as_slice(),
                    )
                })
                .collect();
            article_model::fit(&rows, self.texts)
        })
    }

    /// Each ticket's affinities under `model`, as suggest reads them.
    fn affinities(&self, model: &SuggestModel) -> Vec<Affinities> {
        self.intent_words
            .iter()
            .map(|w| affinities(model, w, self.options))
            .collect()
    }

    /// Each ticket's affinities as the ranking and the confidence model will meet them: held
    /// out ([`article_model::held_out`]) for a ticket of `train`, from `fitted` for any other.
    fn affinities_held_out(
        &self,
        train: &[usize],
        fitted: Option<&ArticleModel>,
    ) -> Vec<Affinities> {
        let Some(fitted) = fitted else {
            return vec![Affinities::neutral(0.0); self.intent_texts.len()];
        };
        let mut out: Vec<Affinities> = self
            .intent_words
            .iter()
            .map(|w| fitted.probabilities_of(w))
            .collect();
        let answers: Vec<Vec<String>> = self.tickets.iter().map(|t| t.expected.clone()).collect();
        let held_out = article_model::held_out(&self.intent_texts, &answers, train, self.texts);
        for (&i, a) in train.iter().zip(held_out) {
            out[i] = a;
        }
        out
    }

    /// Each ticket's probability of being procedural under `intent`.
    fn procedural(&self, intent: &WordModel) -> Vec<f32> {
        self.intent_words
            .iter()
            .map(|w| procedural_probability(intent, w, self.options))
            .collect()
    }

    /// Each ticket's probability of being procedural as the ranking and the confidence model
    /// will meet it: held out ([`word_model::held_out`]) for a ticket of `train`, from `fitted`
    /// (the intent model of all of `train`) for any other.
    fn procedural_held_out(&self, train: &[usize], fitted: &WordModel) -> Vec<f32> {
        let mut procedural = self.procedural(fitted);
        if self.options.intent {
            let held_out = word_model::held_out(&self.intent_texts, &self.procedural_labels, train);
            for (&i, p) in train.iter().zip(held_out) {
                procedural[i] = p;
            }
        }
        procedural
    }

    /// Every ticket's outcome under `ranking`, the intent decision `procedural` makes and the
    /// articles its `affinities` nominate, as found: its candidates' order, not yet their
    /// intent and scope features ([`described`](Self::described) sets them).
    fn found(
        &mut self,
        ranking: &Ranking,
        procedural: &[f32],
        affinities: &[Affinities],
    ) -> Vec<&Outcome> {
        // The affinity is added to what is found (`Outcome::described`): one pool for all.
        let key = format!(
            "{:?}",
            Ranking {
                affinity: 0.0,
                ..*ranking
            }
        );
        let (engine, tickets, options) = (self.engine, self.tickets, self.options);
        let problems = &self.problems;
        let cached = self
            .by_ranking
            .entry(key)
            .or_insert_with(|| vec![HashMap::new(); tickets.len()]);
        cached
            .iter_mut()
            .enumerate()
            .map(|(i, slots)| {
                let decision = ranking.reads_procedural(procedural[i]);
                let nominated = nominated(&affinities[i], options);
                slots
                    .entry((decision, nominated))
                    .or_insert_with_key(|(_, nominated)| {
                        // Any probability on the same side of the cut finds the same pool.
                        let at = Decision {
                            problem: &problems[i],
                            // Neither changes the pool; `described` sets both per fold.
                            reading: Reading {
                                procedural: if decision { 1.0 } else { 0.0 },
                                in_scope: 1.0,
                            },
                            nominated,
                            ranking,
                        };
                        outcome_at(engine, &tickets[i], &at, options, None)
                    }) as &Outcome
            })
            .collect()
    }

    /// [`found`](Self::found), each described with its ticket's own probabilities of being
    /// procedural and in scope, and its articles gaining their affinity.
    fn described(
        &mut self,
        ranking: &Ranking,
        (procedural, in_scope): (&[f32], &[f32]),
        affinities: &[Affinities],
    ) -> Vec<Outcome> {
        let found = self.found(ranking, procedural, affinities);
        found
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                let reading = Reading {
                    procedural: procedural[i],
                    in_scope: in_scope[i],
                };
                o.described(reading, (&affinities[i], ranking.affinity))
            })
            .collect()
    }

    /// The MRR@5 of the answerable tickets of `subset` under `ranking`.
    fn mrr(
        &mut self,
        ranking: &Ranking,
        (procedural, affinities): (&[f32], &[Affinities]),
        subset: &[usize],
    ) -> f64 {
        let (tickets, options) = (self.tickets, self.options);
        let outcomes = self.found(ranking, procedural, affinities);
        let answerable: Vec<usize> = subset
            .iter()
            .copied()
            .filter(|&i| !tickets[i].expected.is_empty())
            .collect();
        let sum: f64 = answerable
            .iter()
            .filter_map(|&i| outcomes[i].rank((&affinities[i], ranking.affinity), options))
            .map(|r| 1.0 / (r as f64 + 1.0))
            .sum();
        sum / answerable.len().max(1) as f64
    }

    /// The confidence model's training rows of `subset` under `ranking`: every candidate of
    /// each ticket, labelled whether it is expected.
    fn confidence_rows(
        &mut self,
        ranking: &Ranking,
        reading: (&[f32], &[f32]),
        affinities: &[Affinities],
        subset: &[usize],
    ) -> Vec<(Features, bool)> {
        let outcomes = self.described(ranking, reading, affinities);
        subset.iter().flat_map(|&i| outcomes[i].rows()).collect()
    }
}

/// The intent, scope and article models fitted on `train`, then the ranking with the best
/// MRR@5 on `train` averaged over the bases (coordinate ascent from [`Ranking::NEUTRAL`]), each
/// training ticket read with its held-out intent and affinities, then the confidence model
/// fitted on `train`'s candidates in every base under that ranking (the scope moves no order,
/// and is held out for the fit the same way).
fn fit_model(caches: &mut [OutcomeCache], train: &[usize]) -> SuggestModel {
    let intent = caches[0].fit_intent(train);
    let scope = caches[0].fit_scope(train);
    let articles = caches[0].fit_articles(train);
    let affinities: Vec<Vec<Affinities>> = caches
        .iter()
        .map(|cache| cache.affinities_held_out(train, articles.as_ref()))
        .collect();
    let in_scope: Vec<Vec<f32>> = caches
        .iter()
        .map(|cache| cache.in_scope_held_out(train, scope.as_ref()))
        .collect();
    let procedural: Vec<Vec<f32>> = caches
        .iter()
        .map(|cache| cache.procedural_held_out(train, &intent))
        .collect();
    let mut mean_mrr = |ranking: &Ranking| {
        let sum: f64 = caches
            .iter_mut()
            .zip(procedural.iter().zip(&affinities))
            .map(|(cache, (procedural, affinities))| {
                cache.mrr(ranking, (procedural, affinities), train)
            })
            .sum();
        sum / caches.len() as f64
    };
    let ranking = ascend(Ranking::NEUTRAL, &mut mean_mrr);
    let (rows, labels): (Vec<Features>, Vec<bool>) = caches
        .iter_mut()
        .zip(procedural.iter().zip(&in_scope).zip(&affinities))
        .flat_map(|(cache, ((procedural, in_scope), affinities))| {
            cache.confidence_rows(&ranking, (procedural, in_scope), affinities, train)
        })
        .unzip();
    SuggestModel {
        ranking,
        intent,
        scope,
        confidence: fit(&rows, &labels),
        articles,
    }
}

#[cfg(test)]
#[path = "tune_tests.rs"]
mod tests;
