//! Suggest measured on labelled tickets, and every number it uses tuned by k-fold
//! cross-validation over them (`tune`): the figures a department can trust are the ones
//! measured on tickets the numbers were not chosen on.

use super::article_model::Affinities;
use super::calibrate::{ConfidenceModel, Features};
use super::learned::Learned;
use super::model::{Ranking, SuggestModel};
use super::suggest::{
    add_affinities, affinities, is_confident, nominated, order, reading, understood, Candidate,
    Reading, SuggestOptions,
};
use super::word_model::TicketWords;
use super::SearchEngine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod cuts;
mod grid;
mod tune;
pub use cuts::{ByCut, Recommended, OUT_OF_SCOPE_NOT_CONFIDENT};
pub use tune::{fold_models, tune, Tuned};

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

    /// The rank of the first expected article as suggest orders the candidates, each gaining
    /// `weight` of its affinity ([`add_affinities`]).
    fn rank(
        &self,
        (affinities, weight): (&Affinities, f32),
        options: SuggestOptions,
    ) -> Option<usize> {
        if weight <= 0.0 || affinities.by_article.is_empty() {
            return self.first_expected(&order(&self.candidates, options));
        }
        let mut candidates = self.candidates.clone();
        add_affinities(&mut candidates, affinities, weight);
        self.first_expected(&order(&candidates, options))
    }

    /// The same candidates described for a ticket read as `reading`, each gaining `weight` of
    /// its affinity.
    fn described(&self, reading: Reading, (affinities, weight): (&Affinities, f32)) -> Outcome {
        let mut out = self.clone();
        for c in &mut out.candidates {
            c.set_reading(reading);
        }
        add_affinities(&mut out.candidates, affinities, weight);
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
    let words = TicketWords::read(&engine.intent_text(&engine.searcher(), &problem, options));
    let affinities = affinities(model, &words, options);
    let nominated = nominated(&affinities, options);
    let at = Decision {
        problem: &problem,
        reading: reading(model, &words, options),
        nominated: &nominated,
        ranking: &model.ranking,
    };
    let taught = (&affinities, learned);
    outcome_at(engine, ticket, &at, options, Some(taught))
}

/// What a ticket is searched as: its problem part, how its words read, the articles the
/// article model nominates, under which ranking.
struct Decision<'a> {
    problem: &'a str,
    reading: Reading,
    nominated: &'a [String],
    ranking: &'a Ranking,
}

/// What suggest finds for `ticket` decided as `at`, with the article model's affinities and
/// what operators taught applied as suggest applies them (`taught`), or as found (tuning
/// applies the affinities of each fold itself: [`Outcome::described`]).
fn outcome_at(
    engine: &SearchEngine,
    ticket: &Ticket,
    at: &Decision,
    options: SuggestOptions,
    taught: Option<(&Affinities, &Learned)>,
) -> Outcome {
    let searcher = engine.searcher();
    let decided = (at.reading, at.nominated);
    let mut pool = engine.pool(&searcher, at.problem, decided, DEPTH, options, at.ranking);
    if let Some((affinities, learned)) = taught {
        add_affinities(&mut pool.candidates, affinities, at.ranking.affinity);
        pool.apply_learned(learned);
    }
    let expected = pool
        .candidates
        .iter()
        .map(|c| ticket.expected.contains(&c.path))
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
        let [answerable, out_of_scope, right] = self.share_texts();
        format!(
            "| {name} | {:.3} | {:.3} | {:.3} | {answerable} ({}/{}) | {out_of_scope} ({}/{}) | {right} | {}/{} |",
            self.recall_at_1(),
            self.recall_at_3(),
            self.mrr_at_5(),
            self.answerable_confident,
            self.answerable,
            self.out_of_scope_not_confident,
            self.out_of_scope,
            self.all_expected_in_top3,
            self.several_expected,
        )
    }

    /// [`share_text`] of the answerable tickets marked confident, of the out-of-scope ones
    /// not, and of the confident ones that were right.
    pub fn share_texts(&self) -> [String; 3] {
        [
            share_text(self.answerable_confident, self.answerable),
            share_text(self.out_of_scope_not_confident, self.out_of_scope),
            share_text(self.confident_right, self.confident),
        ]
    }
}

/// `part` of `whole` to three places, or «n/a» when there is no whole: a set without
/// out-of-scope tickets says so rather than «0.000».
pub fn share_text(part: usize, whole: usize) -> String {
    match whole {
        0 => "n/a".to_string(),
        _ => format!("{:.3}", part as f64 / whole as f64),
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
