//! Suggest measured on labelled tickets, and every number it uses tuned by k-fold
//! cross-validation over them: the figures a department can trust are the ones measured on
//! tickets the numbers were not chosen on.

use super::calibrate::{fit, ConfidenceModel, Features};
use super::index::Role;
use super::intent::{self, IntentModel};
use super::learned::Learned;
use super::model::{Ranking, SuggestModel};
use super::suggest::{
    is_confident, order, procedural_probability, understood, Candidate, SuggestOptions,
};
use super::SearchEngine;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How many suggestions are looked at: MRR@5 and the confidence model's rows.
const DEPTH: usize = 5;

/// One labelled ticket, as `eval/tickets.jsonl` holds them.
#[derive(Debug, Clone, Deserialize)]
pub struct Ticket {
    pub id: String,
    pub text: String,
    /// Paths under content/ that answer it; empty: nothing in the base does.
    pub expected: Vec<String>,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub style: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: cannot read: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Reads a JSON-lines ticket file; a bad line is an error naming it.
pub fn read_tickets(path: &Path) -> Result<Vec<Ticket>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|error| EvalError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let mut tickets = vec![];
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let ticket: Ticket = serde_json::from_str(line).map_err(|e| EvalError::Line {
            path: path.to_path_buf(),
            line: i + 1,
            message: e.to_string(),
        })?;
        tickets.push(ticket);
    }
    Ok(tickets)
}

/// What suggest found for one ticket under one ranking, before the model orders it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub candidates: Vec<Candidate>,
    /// Whether each candidate is an expected article.
    pub expected: Vec<bool>,
}

impl Outcome {
    /// Where this ticket's expected articles come, and whether suggest would be confident
    /// with `model`.
    pub fn ranked(
        &self,
        model: &ConfidenceModel,
        options: SuggestOptions,
        min_probability: f32,
    ) -> Ranked {
        let ordered = order(&self.candidates, options);
        Ranked {
            rank: self.first_expected(&ordered),
            confident: ordered.first().is_some_and(|&i| {
                let c = &self.candidates[i];
                is_confident(c, model.probability(&c.features), min_probability)
            }),
            expected_in_top3: ordered
                .iter()
                .take(3)
                .filter(|&&i| self.expected[i])
                .count(),
        }
    }

    /// The rank (0-based) of the first expected article among the top [`DEPTH`] of `ordered`.
    fn first_expected(&self, ordered: &[usize]) -> Option<usize> {
        ordered.iter().take(DEPTH).position(|&i| self.expected[i])
    }

    /// The rank of the first expected article as suggest orders the candidates.
    fn rank(&self, options: SuggestOptions) -> Option<usize> {
        self.first_expected(&order(&self.candidates, options))
    }

    /// The same candidates described for a ticket procedural with probability `procedural`.
    fn with_procedural(&self, procedural: f32) -> Outcome {
        let mut out = self.clone();
        for c in &mut out.candidates {
            c.set_procedural(procedural);
        }
        out
    }

    /// The model's training rows: every candidate with its label.
    fn rows(&self) -> impl Iterator<Item = (Features, bool)> + '_ {
        self.candidates
            .iter()
            .zip(&self.expected)
            .map(|(c, &e)| (c.features, e))
    }
}

/// What suggest finds for `ticket` under `model`.
pub fn outcome(
    engine: &SearchEngine,
    ticket: &Ticket,
    options: SuggestOptions,
    model: &SuggestModel,
) -> Outcome {
    outcome_learning(engine, ticket, options, model, &Learned::default())
}

/// [`outcome`] with what operators taught applied.
pub fn outcome_learning(
    engine: &SearchEngine,
    ticket: &Ticket,
    options: SuggestOptions,
    model: &SuggestModel,
    learned: &Learned,
) -> Outcome {
    let problem = understood(&ticket.text, options);
    let intent_text = engine.intent_text(&engine.searcher(), &problem, options);
    let procedural = procedural_probability(&model.intent, &intent_text, options);
    let at = Decision {
        problem: &problem,
        procedural,
        ranking: &model.ranking,
    };
    outcome_at(engine, ticket, &at, options, learned)
}

/// What a ticket is searched as: its problem part, how procedural it is, under which ranking.
struct Decision<'a> {
    problem: &'a str,
    procedural: f32,
    ranking: &'a Ranking,
}

/// What suggest finds for `ticket` decided as `at`.
fn outcome_at(
    engine: &SearchEngine,
    ticket: &Ticket,
    at: &Decision,
    options: SuggestOptions,
    learned: &Learned,
) -> Outcome {
    let searcher = engine.searcher();
    let pool = engine.pool(
        &searcher,
        at.problem,
        at.procedural,
        DEPTH,
        options,
        at.ranking,
        learned,
    );
    let expected = pool
        .candidates
        .iter()
        .map(|c| {
            ticket
                .expected
                .contains(&engine.path_of(&searcher, c.address))
        })
        .collect();
    Outcome {
        candidates: pool.candidates,
        expected,
    }
}

/// One ticket as a model ranks it.
#[derive(Debug, Clone, Copy)]
pub struct Ranked {
    /// Rank (0-based) of the first expected article among the top [`DEPTH`].
    pub rank: Option<usize>,
    /// Whether suggest would call the top suggestion confident.
    pub confident: bool,
    /// How many expected articles are in the top 3.
    pub expected_in_top3: usize,
}

/// Counts over a set of tickets; the figures are shares of them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    pub answerable: usize,
    pub first: usize,
    pub top3: usize,
    pub reciprocal_rank: f64,
    pub answerable_confident: usize,
    /// Confident tickets whose top suggestion is right (answerable or not).
    pub confident: usize,
    pub confident_right: usize,
    pub out_of_scope: usize,
    pub out_of_scope_not_confident: usize,
    /// Tickets that expect two or more articles, and those with all of them in the top 3.
    pub several_expected: usize,
    pub all_expected_in_top3: usize,
    /// Per style: tickets, top-1 hits, confident.
    pub by_style: BTreeMap<String, (usize, usize, usize)>,
}

impl Metrics {
    pub fn add(&mut self, ticket: &Ticket, ranked: Ranked) {
        let (rank, confident) = (ranked.rank, ranked.confident);
        if ticket.expected.len() > 1 {
            self.several_expected += 1;
            self.all_expected_in_top3 +=
                usize::from(ranked.expected_in_top3 >= ticket.expected.len().min(3));
        }
        let style = self.by_style.entry(ticket.style.clone()).or_default();
        style.0 += 1;
        style.2 += usize::from(confident);
        if confident {
            self.confident += 1;
            self.confident_right += usize::from(rank == Some(0));
        }
        if ticket.expected.is_empty() {
            self.out_of_scope += 1;
            self.out_of_scope_not_confident += usize::from(!confident);
            return;
        }
        self.answerable += 1;
        self.answerable_confident += usize::from(confident);
        if let Some(rank) = rank {
            self.reciprocal_rank += 1.0 / (rank as f64 + 1.0);
            self.top3 += usize::from(rank < 3);
            self.first += usize::from(rank == 0);
            style.1 += usize::from(rank == 0);
        }
    }

    fn share(part: usize, whole: usize) -> f64 {
        if whole == 0 {
            0.0
        } else {
            part as f64 / whole as f64
        }
    }

    pub fn recall_at_1(&self) -> f64 {
        Self::share(self.first, self.answerable)
    }
    pub fn recall_at_3(&self) -> f64 {
        Self::share(self.top3, self.answerable)
    }
    pub fn mrr_at_5(&self) -> f64 {
        self.reciprocal_rank / self.answerable.max(1) as f64
    }
    pub fn answerable_confident_share(&self) -> f64 {
        Self::share(self.answerable_confident, self.answerable)
    }
    pub fn out_of_scope_rejected_share(&self) -> f64 {
        Self::share(self.out_of_scope_not_confident, self.out_of_scope)
    }
    pub fn all_expected_in_top3_share(&self) -> f64 {
        Self::share(self.all_expected_in_top3, self.several_expected)
    }
    /// The header of [`Metrics::table_row`]'s table (markdown).
    pub fn table_header() -> String {
        "| method | Recall@1 | Recall@3 | MRR@5 | answerable confident | out-of-scope not confident | right when confident | several expected: all in top 3 |\n\
         |---|---|---|---|---|---|---|---|"
            .to_string()
    }

    /// One markdown table row of the figures, named `name`.
    pub fn table_row(&self, name: &str) -> String {
        format!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} ({}/{}) | {:.3} ({}/{}) | {:.3} | {}/{} |",
            self.recall_at_1(),
            self.recall_at_3(),
            self.mrr_at_5(),
            self.answerable_confident_share(),
            self.answerable_confident,
            self.answerable,
            self.out_of_scope_rejected_share(),
            self.out_of_scope_not_confident,
            self.out_of_scope,
            self.precision_when_confident(),
            self.all_expected_in_top3,
            self.several_expected,
        )
    }

    pub fn precision_when_confident(&self) -> f64 {
        Self::share(self.confident_right, self.confident)
    }
}

/// Measures `tickets` with the engine's own model and settings.
pub fn measure(engine: &SearchEngine, tickets: &[Ticket], options: SuggestOptions) -> Metrics {
    let mut metrics = Metrics::default();
    let model = engine.model();
    for ticket in tickets {
        let o = outcome(engine, ticket, options, model);
        metrics.add(
            ticket,
            o.ranked(&model.confidence, options, engine.min_probability()),
        );
    }
    metrics
}

/// The result of tuning: the figures measured on held-out folds, and the model fitted on all.
pub struct Tuned {
    /// Per base tuned on (as [`tune`] was given them), the figures of the held-out folds.
    pub cross_validated: Vec<Metrics>,
    pub model: SuggestModel,
    pub folds: usize,
}

/// Fits the intent model, tunes the ranking and fits the confidence model with `folds`-fold
/// cross-validation (folds stratified by style), then fits all three on every ticket for the
/// model to ship. `bases` are the same knowledge base searched alone and among distractor
/// documents (the first is the one the model ships with): the ranking is chosen for all of
/// them at once and the confidence model fitted on all of their candidates, so that no
/// setting has to change as the base grows. The intent model reads tickets as the first base
/// does (its vocabulary decides how a Latin word is re-read) and is fitted once.
pub fn tune(
    bases: &[&SearchEngine],
    tickets: &[Ticket],
    options: SuggestOptions,
    folds: usize,
) -> Tuned {
    assert!(!bases.is_empty(), "tuning needs a base to search");
    let folds = folds.clamp(2, tickets.len().max(2));
    let fold_of = stratified_folds(tickets, folds);
    let mut caches: Vec<OutcomeCache> = bases
        .iter()
        .map(|engine| OutcomeCache::new(engine, tickets, options))
        .collect();
    let mut cross_validated = vec![Metrics::default(); bases.len()];
    for fold in 0..folds {
        let train: Vec<usize> = (0..tickets.len()).filter(|&i| fold_of[i] != fold).collect();
        let model = fit_model(&mut caches, &train);
        for (cache, metrics) in caches.iter_mut().zip(&mut cross_validated) {
            let procedural = cache.procedural(&model.intent);
            let outcomes = cache.described(&model.ranking, &procedural);
            let min_probability = cache.engine.min_probability();
            for i in (0..tickets.len()).filter(|&i| fold_of[i] == fold) {
                let ranked = outcomes[i].ranked(&model.confidence, options, min_probability);
                metrics.add(&tickets[i], ranked);
            }
        }
    }
    let all: Vec<usize> = (0..tickets.len()).collect();
    let model = fit_model(&mut caches, &all);
    Tuned {
        cross_validated,
        model,
        folds,
    }
}

/// The cross-validation's folds and, per fold, the model fitted on the other folds (as
/// [`tune`] fits them on `engine` alone): for measuring something else held out, such as
/// operators' feedback.
pub fn fold_models(
    engine: &SearchEngine,
    tickets: &[Ticket],
    options: SuggestOptions,
    folds: usize,
) -> (Vec<usize>, Vec<SuggestModel>) {
    let folds = folds.clamp(2, tickets.len().max(2));
    let fold_of = stratified_folds(tickets, folds);
    let mut caches = vec![OutcomeCache::new(engine, tickets, options)];
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

/// Each ticket's outcome under each ranking and intent decision, computed once: folds and
/// coordinate steps ask for the same rankings again and again, and most tickets are judged
/// procedural (or not) by every fold's intent model alike.
struct OutcomeCache<'a> {
    engine: &'a SearchEngine,
    tickets: &'a [Ticket],
    options: SuggestOptions,
    /// Each ticket's problem part, as suggest searches it.
    problems: Vec<String>,
    /// Each problem as the intent model reads it.
    intent_texts: Vec<String>,
    /// Whether a regulation answers each ticket: the intent model's label.
    procedural_labels: Vec<bool>,
    /// Per ranking, each ticket's outcome found as a customer's problem and as a procedural question.
    by_ranking: HashMap<String, Vec<[Option<Outcome>; 2]>>,
}

impl<'a> OutcomeCache<'a> {
    fn new(engine: &'a SearchEngine, tickets: &'a [Ticket], options: SuggestOptions) -> Self {
        let searcher = engine.searcher();
        let problems: Vec<String> = tickets
            .iter()
            .map(|t| understood(&t.text, options))
            .collect();
        let intent_texts = problems
            .iter()
            .map(|p| engine.intent_text(&searcher, p, options).into_owned())
            .collect();
        OutcomeCache {
            engine,
            tickets,
            options,
            problems,
            intent_texts,
            procedural_labels: tickets
                .iter()
                .map(|t| {
                    t.expected
                        .iter()
                        .any(|path| engine.role_of_path(&searcher, path) == Some(Role::Regulation))
                })
                .collect(),
            by_ranking: HashMap::new(),
        }
    }

    /// The intent model fitted on `subset`.
    fn fit_intent(&self, subset: &[usize]) -> IntentModel {
        let rows: Vec<(&str, bool)> = subset
            .iter()
            .map(|&i| (self.intent_texts[i].as_str(), self.procedural_labels[i]))
            .collect();
        intent::fit(&rows)
    }

    /// Each ticket's probability of being procedural under `intent`.
    fn procedural(&self, intent: &IntentModel) -> Vec<f32> {
        self.intent_texts
            .iter()
            .map(|p| procedural_probability(intent, p, self.options))
            .collect()
    }

    /// Each ticket's probability of being procedural as the ranking and the confidence model
    /// will meet it: held out ([`intent::held_out`]) for a ticket of `train`, from `fitted`
    /// (the intent model of all of `train`) for any other.
    fn procedural_held_out(&self, train: &[usize], fitted: &IntentModel) -> Vec<f32> {
        let mut procedural = self.procedural(fitted);
        if self.options.intent {
            let held_out = intent::held_out(&self.intent_texts, &self.procedural_labels, train);
            for (&i, p) in train.iter().zip(held_out) {
                procedural[i] = p;
            }
        }
        procedural
    }

    /// Every ticket's outcome under `ranking` and the intent decision `procedural` makes, as
    /// found: its candidates' order, not yet their intent feature.
    fn found(&mut self, ranking: &Ranking, procedural: &[f32]) -> Vec<&Outcome> {
        let key = format!("{ranking:?}");
        let (engine, tickets, options) = (self.engine, self.tickets, self.options);
        let problems = &self.problems;
        let cached = self
            .by_ranking
            .entry(key)
            .or_insert_with(|| vec![[None, None]; tickets.len()]);
        cached
            .iter_mut()
            .enumerate()
            .map(|(i, slots)| {
                let decision = usize::from(procedural[i] >= ranking.procedural_from);
                slots[decision].get_or_insert_with(|| {
                    // Any probability on the same side of the cut finds the same pool.
                    let p = if decision == 1 { 1.0 } else { 0.0 };
                    let at = Decision {
                        problem: &problems[i],
                        procedural: p,
                        ranking,
                    };
                    outcome_at(engine, &tickets[i], &at, options, &Learned::default())
                }) as &Outcome
            })
            .collect()
    }

    /// [`found`](Self::found), each described with its ticket's own probability of being
    /// procedural.
    fn described(&mut self, ranking: &Ranking, procedural: &[f32]) -> Vec<Outcome> {
        let found = self.found(ranking, procedural);
        found
            .into_iter()
            .zip(procedural)
            .map(|(o, &p)| o.with_procedural(p))
            .collect()
    }

    /// The MRR@5 of the answerable tickets of `subset` under `ranking`.
    fn mrr(&mut self, ranking: &Ranking, procedural: &[f32], subset: &[usize]) -> f64 {
        let (tickets, options) = (self.tickets, self.options);
        let outcomes = self.found(ranking, procedural);
        let answerable: Vec<usize> = subset
            .iter()
            .copied()
            .filter(|&i| !tickets[i].expected.is_empty())
            .collect();
        let sum: f64 = answerable
            .iter()
            .filter_map(|&i| outcomes[i].rank(options))
            .map(|r| 1.0 / (r as f64 + 1.0))
            .sum();
        sum / answerable.len().max(1) as f64
    }

    /// The confidence model's training rows of `subset` under `ranking`: every candidate of
    /// each ticket, labelled whether it is expected.
    fn confidence_rows(
        &mut self,
        ranking: &Ranking,
        procedural: &[f32],
        subset: &[usize],
    ) -> Vec<(Features, bool)> {
        let outcomes = self.described(ranking, procedural);
        subset.iter().flat_map(|&i| outcomes[i].rows()).collect()
    }
}

/// The candidate values of each tuned ranking number; coordinate ascent moves one at a time.
const GRID: [(&str, &[f32]); 8] = [
    ("title", &[1.0, 1.5, 2.0, 3.0]),
    ("symptoms", &[1.0, 1.5, 2.0, 3.0]),
    ("headings", &[0.5, 1.0, 1.5]),
    ("procedural_regulation", &[1.0, 1.5, 2.0, 3.0, 4.0]),
    ("customer_regulation", &[0.5, 0.75, 1.0]),
    ("procedural_from", &[0.2, 0.3, 0.4, 0.5]),
    ("fuzzy_weight", &[0.5, 0.7, 0.9]),
    ("synonym_weight", &[0.25, 0.5, 0.75]),
];

fn with_value(mut ranking: Ranking, name: &str, value: f32) -> Ranking {
    match name {
        "title" => ranking.boosts.title = value,
        "symptoms" => ranking.boosts.symptoms = value,
        "headings" => ranking.boosts.headings = value,
        "procedural_regulation" => ranking.procedural_regulation = value,
        "procedural_from" => ranking.procedural_from = value,
        "fuzzy_weight" => ranking.fuzzy_weight = value,
        "synonym_weight" => ranking.synonym_weight = value,
        _ => ranking.customer_regulation = value,
    }
    ranking
}

/// The intent model fitted on `train`, then the ranking with the best MRR@5 on `train` averaged
/// over the bases (coordinate ascent from [`Ranking::NEUTRAL`]), then the confidence model
/// fitted on `train`'s candidates in every base under that ranking (the order does not depend
/// on it).
fn fit_model(caches: &mut [OutcomeCache], train: &[usize]) -> SuggestModel {
    let intent = caches[0].fit_intent(train);
    let procedural: Vec<Vec<f32>> = caches
        .iter()
        .map(|cache| cache.procedural_held_out(train, &intent))
        .collect();
    let mut mean_mrr = |ranking: &Ranking| {
        let sum: f64 = caches
            .iter_mut()
            .zip(&procedural)
            .map(|(cache, procedural)| cache.mrr(ranking, procedural, train))
            .sum();
        sum / caches.len() as f64
    };
    let ranking = ascend(Ranking::NEUTRAL, &mut mean_mrr);
    let (rows, labels): (Vec<Features>, Vec<bool>) = caches
        .iter_mut()
        .zip(&procedural)
        .flat_map(|(cache, procedural)| cache.confidence_rows(&ranking, procedural, train))
        .unzip();
    SuggestModel {
        ranking,
        intent,
        confidence: fit(&rows, &labels),
    }
}

/// Two rounds of coordinate ascent over [`GRID`] from `start`, moving only on a strict gain of
/// `objective`. The start is not one chosen on tickets: starting from the shipped ranking
/// (as tuning once did) let a fold keep choices its held-out tickets had made.
fn ascend(start: Ranking, objective: &mut impl FnMut(&Ranking) -> f64) -> Ranking {
    let mut ranking = start;
    let mut best = objective(&ranking);
    for _ in 0..2 {
        for (name, values) in GRID {
            for &value in values {
                let candidate = with_value(ranking, name, value);
                let score = objective(&candidate);
                if score > best + 1e-9 {
                    (best, ranking) = (score, candidate);
                }
            }
        }
    }
    ranking
}
