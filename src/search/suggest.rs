//! Ticket → articles. The ticket is first understood (`ticket`: quoted replies and signatures
//! removed, a procedural question recognised), its words become index terms (`vocabulary`),
//! a weighted OR across fields finds candidates (a regulation's score scaled by the ticket's
//! intent) and ordered by that score, section pages last; each is described by features that
//! do not grow with the base, from which the model (`calibrate`) gives its probability and
//! suggest its `confident`; each suggestion carries the
//! ticket words it matched, by field. Raw text never reaches a query parser.

mod candidates;
mod near_pairs;
mod ticket_query;

use super::article_model::Affinities;
use super::calibrate::Features;
use super::engine::{comparable, Hit, SearchEngine};
use super::features::{intent_fit, set_score, WordMatches, AFFINITY, EVIDENCE_WORDS};
use super::features::{INTENT_FIT, IN_SCOPE};
use super::index::Role;
use super::learned::Learned;
use super::model::SuggestModel;
use super::passages::HeadingLink;
use super::ticket::problem_text;
use super::vocabulary::{Forgiveness, QueryTerm};
use super::word_model::{TicketWords, WordModel};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tantivy::{DocAddress, Searcher};

/// How many candidates the first search keeps, at least, for the model to order.
const POOL: usize = 20;

/// Which techniques are on; `baseline()` turns them all off for the relevance benchmark.
#[derive(Debug, Clone, Copy)]
pub struct SuggestOptions {
    pub forgiveness: Forgiveness,
    /// Quoted replies, signatures, greetings and disclaimers removed before search.
    pub understanding: bool,
    /// Procedural questions recognised, regulations ranked for them.
    pub intent: bool,
    /// Section pages (a folder's README) come after every article.
    pub demote_sections: bool,
    /// The confidence model reads how likely the ticket's words are to be about something
    /// the base answers at all (`SuggestModel::scope`).
    pub scope: bool,
    /// An article's score gains by how likely the article model (learned from labelled
    /// tickets, `SuggestModel::articles`) finds it to answer the ticket.
    pub articles: bool,
    /// The articles the article model finds likely join the search's candidates even when
    /// the search does not find them among its first (`Affinities::nominated`).
    pub nominations: bool,
}

impl Default for SuggestOptions {
    fn default() -> Self {
        SuggestOptions {
            forgiveness: Forgiveness::default(),
            understanding: true,
            intent: true,
            demote_sections: true,
            scope: true,
            articles: true,
            nominations: true,
        }
    }
}

impl SuggestOptions {
    pub fn baseline() -> Self {
        SuggestOptions {
            forgiveness: Forgiveness {
                stemming: false,
                synonyms: false,
                fuzzy: false,
                transliteration: false,
            },
            understanding: false,
            intent: false,
            demote_sections: false,
            scope: false,
            articles: false,
            nominations: false,
        }
    }
}

/// Weight of a match in each field, on top of BM25 per field (a word in the title, the
/// «Симптомы» and the body already counts three times). Tuned by `spravka tune`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldBoosts {
    pub title: f32,
    pub symptoms: f32,
    pub headings: f32,
    pub tags: f32,
    pub body: f32,
}

/// The ticket's own words an article matched, by the field they were found in: a match in
/// the title or «Симптомы» is the problem, one only in the body may be a coincidence.
#[derive(Debug, Clone, Default, Serialize, PartialEq, utoipa::ToSchema)]
pub struct MatchedWords {
    pub title: Vec<String>,
    pub symptoms: Vec<String>,
    pub body: Vec<String>,
}

/// An article for a ticket: a hit, and how well it answers the ticket.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Suggestion {
    #[serde(flatten)]
    pub hit: Hit,
    /// The probability (0..1) that this article answers the ticket.
    #[schema(minimum = 0, maximum = 1)]
    pub probability: f32,
    /// The ticket's own words that matched this article.
    pub matched_terms: Vec<String>,
    /// The same words grouped by where they were found.
    pub matched: MatchedWords,
    /// The heading of the section that matched the ticket best, on a long page
    /// ([`LONG_PAGE_BYTES`](super::passages::LONG_PAGE_BYTES)) where it is not the top.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heading: Option<HeadingLink>,
}

/// What `POST /api/suggest` answers.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct SuggestResponse {
    /// At most `limit` articles, in the search's order (score, section pages last).
    pub suggestions: Vec<Suggestion>,
    /// The top suggestion answers the ticket: its probability reaches `[suggest]
    /// min_probability` (`is_confident`). False: no sure answer (the answer may still be
    /// listed; check them, escalate when none fits).
    pub confident: bool,
    pub intent: Intent,
}

/// What the ticket is: a customer's problem, or an operator's question about the support
/// process (then regulations are ranked for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    Problem,
    Procedural,
}

/// One article found for a ticket, described for the model before it is ordered.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub address: DocAddress,
    /// Its source path, as the index stores it.
    pub path: String,
    /// Found past the first [`POOL`] by the search: there only because more suggestions were
    /// asked for, so it gains nothing after the search and comes after the pool ([`order`]):
    /// asking for more never changes the first ones (tuning measures a pool of [`POOL`]).
    pub beyond_pool: bool,
    /// BM25 with the ranking's role factor, a procedural question's section gain
    /// (`candidates`), what operators taught and the article model's affinity
    /// ([`add_affinities`]).
    pub score: f32,
    pub role: Role,
    pub features: Features,
    matches: WordMatches,
}

impl Candidate {
    /// Describes the candidate for a ticket read as `reading` (tuning reuses a pool found
    /// under one intent decision for every fold's reading).
    pub fn set_reading(&mut self, reading: Reading) {
        self.features[INTENT_FIT] = intent_fit(reading.procedural, self.role == Role::Regulation);
        self.features[IN_SCOPE] = reading.in_scope;
    }
}

/// What a ticket's words say before any article is found (`word_model`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// The probability that it is an operator's procedural question.
    pub procedural: f32,
    /// The probability that it is about something the base answers.
    pub in_scope: f32,
}

/// The candidates of a ticket, and its searchable terms.
pub struct Pool {
    pub candidates: Vec<Candidate>,
    terms: Vec<QueryTerm>,
}

impl Pool {
    /// Scales each candidate's score by what operators taught (`learned`: how closely the
    /// ticket resembles those an article was confirmed or rejected for), after the article
    /// model's affinity: the department's own verdicts weigh on the whole score. Only the
    /// pool, as the affinity.
    pub fn apply_learned(&mut self, learned: &Learned) {
        if learned.is_empty() {
            return;
        }
        let factor = learned.factors(&self.terms);
        rescore(&mut self.candidates, |c| match c.beyond_pool {
            false => c.score * factor(&c.path),
            true => c.score,
        });
    }
}

/// The part of `text` that is the problem, as suggest searches it.
pub fn understood(text: &str, options: SuggestOptions) -> String {
    if options.understanding {
        problem_text(text)
    } else {
        text.to_string()
    }
}

/// The probability that a ticket is an operator's procedural question (none when intent is
/// off), from the words of its [`intent_text`](SearchEngine::intent_text). Suggest and
/// tuning share it.
pub fn procedural_probability(
    intent: &WordModel,
    words: &TicketWords,
    options: SuggestOptions,
) -> f32 {
    if options.intent {
        intent.probability_of(words)
    } else {
        0.0
    }
}

/// How a ticket's words (of its [`intent_text`](SearchEngine::intent_text)) read under
/// `model`. Suggest and tuning share it.
pub fn reading(model: &SuggestModel, words: &TicketWords, options: SuggestOptions) -> Reading {
    Reading {
        procedural: procedural_probability(&model.intent, words, options),
        in_scope: in_scope_probability(model, words, options),
    }
}

/// The probability that a ticket is about something the base answers. With scope off, or a
/// model without a scope model, the ticket reads as the average ticket the confidence model
/// was fitted on (the feature's mean), so the scope term adds nothing: switched off means no
/// scope, not «surely in scope».
pub fn in_scope_probability(
    model: &SuggestModel,
    words: &TicketWords,
    options: SuggestOptions,
) -> f32 {
    match (&model.scope, options.scope) {
        (Some(scope), true) => scope.probability_of(words),
        _ => model.confidence.mean.get(IN_SCOPE).copied().unwrap_or(0.0),
    }
}

/// Per article, the probability that it answers a ticket by the model's article model, from
/// the words of its [`intent_text`](SearchEngine::intent_text); neutral when the option is
/// off or the model has none (as [`in_scope_probability`] is). Suggest and tuning share it.
pub fn affinities(
    model: &SuggestModel,
    words: &TicketWords,
    options: SuggestOptions,
) -> Affinities {
    match (&model.articles, options.articles) {
        (Some(articles), true) => articles.probabilities_of(words),
        _ => Affinities::neutral(model.confidence.mean.get(AFFINITY).copied().unwrap_or(0.0)),
    }
}

/// The articles the article model nominates to the pool ([`Affinities::nominated`]), when
/// the option is on. Suggest and tuning share it.
pub fn nominated(affinities: &Affinities, options: SuggestOptions) -> Vec<String> {
    match options.nominations {
        true => affinities.nominated(),
        false => Vec::new(),
    }
}

/// Describes each candidate by the probability that it answers the ticket by the article
/// model (`affinities`), and adds to its score `weight` × the highest score found × that
/// probability, then describes anew what reads the score. The search finds the candidates by the words an article shares with the
/// ticket; the article model knows how tickets it answered put the problem («палка не
/// поднимается», «клиент ждёт третий день, что делаем?»), which the article's own words may
/// not. Relative to the first score, so that it weighs the same in a base of 43 documents
/// and of 10,000. Only the pool gains (`Candidate::beyond_pool`). Suggest and tuning share
/// it.
pub fn add_affinities(candidates: &mut [Candidate], affinities: &Affinities, weight: f32) {
    for c in candidates.iter_mut() {
        c.features[AFFINITY] = affinities.of(&c.path);
    }
    if weight <= 0.0 || affinities.by_article.is_empty() || candidates.is_empty() {
        return;
    }
    // The pool's first: what more suggestions bring must not change the gain.
    let first = candidates
        .iter()
        .filter(|c| !c.beyond_pool)
        .map(|c| c.score)
        .fold(0.0, f32::max);
    rescore(candidates, |c| match c.beyond_pool {
        false => c.score + weight * first * affinities.of(&c.path),
        true => c.score,
    });
}

/// Gives each candidate the score `new` makes of it, and describes anew what reads the score
/// (as `features::TicketFacts` described the found ones).
fn rescore(candidates: &mut [Candidate], new: impl Fn(&Candidate) -> f32) {
    if candidates.is_empty() {
        return;
    }
    let before: Vec<f32> = candidates.iter().map(|c| c.score).collect();
    for c in candidates.iter_mut() {
        c.score = new(c);
    }
    // As `describe` orders them: the pool first, each group by score.
    let mut by_score: Vec<usize> = (0..candidates.len()).collect();
    by_score.sort_by(|&a, &b| {
        (candidates[a].beyond_pool.cmp(&candidates[b].beyond_pool))
            .then(comparable(candidates[b].score).cmp(&comparable(candidates[a].score)))
            .then(a.cmp(&b))
    });
    let top = candidates[by_score[0]].score;
    for (n, &i) in by_score.iter().enumerate() {
        let next = by_score
            .get(n + 1)
            .filter(|&&j| candidates[j].beyond_pool == candidates[i].beyond_pool)
            .map_or(0.0, |&j| candidates[j].score);
        let c = &mut candidates[i];
        set_score(&mut c.features, (before[i], c.score), top, next);
    }
}

/// Orders candidates by their search score (the tuned field boosts and role factor), section
/// pages after every article (when `demote_sections`), what was found past the pool after
/// the pool (`Candidate::beyond_pool`); the model gives each its probability
/// afterwards. `suggest` and the tuning share it, so that what is measured is what is served.
///
/// Ordering by the probability itself was measured twice and dropped (BENCHMARKS.md). First
/// it ranked no better (MRR@5 0.867 against 0.866) and its top, the highest of twenty noisy
/// probabilities, was confident on more out-of-scope tickets; in session 32 it gained Recall@3
/// (0.973 → 0.976) but lost first answers (Recall@1 0.895 → 0.892, 0.881 → 0.877 among 10,217
/// documents), most of them operators' questions about a concrete problem, whose customer
/// article the model finds likelier than the regulation the score puts first.
pub fn order(candidates: &[Candidate], options: SuggestOptions) -> Vec<usize> {
    let mut ordered: Vec<usize> = (0..candidates.len()).collect();
    let last = |i: usize| options.demote_sections && candidates[i].role == Role::SectionPage;
    let extra = |i: usize| candidates[i].beyond_pool;
    ordered.sort_by(|&a, &b| {
        last(a)
            .cmp(&last(b))
            .then(extra(a).cmp(&extra(b)))
            .then(comparable(candidates[b].score).cmp(&comparable(candidates[a].score)))
            .then(a.cmp(&b))
    });
    ordered
}

/// Whether the top suggestion is "this is it": its probability reaches the site's threshold,
/// and it matched at least [`EVIDENCE_WORDS`] distinct words of the ticket (the model's
/// one-word cap says the same, but a model file written before the cap has none). Suggest and
/// tuning share it.
pub fn is_confident(top: &Candidate, probability: f32, min_probability: f32) -> bool {
    probability >= min_probability && top.matches.all.len() >= EVIDENCE_WORDS
}

impl SearchEngine {
    /// What the intent model reads of a ticket's problem: its Latin chunks re-read as Russian
    /// when transliteration is on, as the search reads them.
    pub fn intent_text<'t>(
        &self,
        searcher: &Searcher,
        problem: &'t str,
        options: SuggestOptions,
    ) -> std::borrow::Cow<'t, str> {
        if options.forgiveness.transliteration {
            self.readable(searcher, problem)
        } else {
            problem.into()
        }
    }

    pub fn suggest(&self, text: &str, limit: usize) -> SuggestResponse {
        self.suggest_learning(text, limit, &Learned::default())
    }

    /// Suggest with what operators taught ([`Learned`]) applied to the candidates' scores.
    pub fn suggest_learning(&self, text: &str, limit: usize, learned: &Learned) -> SuggestResponse {
        self.respond(text, limit, SuggestOptions::default(), &self.model, learned)
    }

    pub fn suggest_with(
        &self,
        text: &str,
        limit: usize,
        options: SuggestOptions,
        model: &SuggestModel,
    ) -> SuggestResponse {
        self.respond(text, limit, options, model, &Learned::default())
    }

    fn respond(
        &self,
        text: &str,
        limit: usize,
        options: SuggestOptions,
        model: &SuggestModel,
        learned: &Learned,
    ) -> SuggestResponse {
        let searcher = self.searcher();
        let problem = understood(text, options);
        // Read once for the intent, scope and article models.
        let words = TicketWords::read(&self.intent_text(&searcher, &problem, options));
        let reading = reading(model, &words, options);
        let affinities = affinities(model, &words, options);
        let nominated = nominated(&affinities, options);
        let decided = (reading, nominated.as_slice());
        let mut pool = self.pool(&searcher, &problem, decided, limit, options, &model.ranking);
        add_affinities(&mut pool.candidates, &affinities, model.ranking.affinity);
        pool.apply_learned(learned);
        let intent = if model.ranking.reads_procedural(reading.procedural) {
            Intent::Procedural
        } else {
            Intent::Problem
        };
        let ordered = order(&pool.candidates, options);
        let probability = |i: usize| model.confidence.probability(&pool.candidates[i].features);
        let confident = ordered.first().is_some_and(|&i| {
            is_confident(
                &pool.candidates[i],
                probability(i),
                self.settings.min_probability,
            )
        });
        let snippet_terms: BTreeMap<String, f32> =
            pool.terms.iter().map(|t| (t.term.clone(), t.idf)).collect();
        let snippets = super::snippet::Snippets::new(&snippet_terms);
        let shown: Vec<usize> = ordered.into_iter().take(limit.max(1)).collect();
        let addresses: Vec<DocAddress> =
            shown.iter().map(|&i| pool.candidates[i].address).collect();
        let passages = self.best_passages(&searcher, &addresses, &pool.terms, |t| {
            model.ranking.origin_weight(t.origin)
        });
        let suggestions: Vec<Suggestion> = shown
            .into_iter()
            .zip(passages)
            .filter_map(|(i, passage)| {
                let c = &pool.candidates[i];
                let hit = self.hit(&searcher, c.address, c.score, &snippets)?;
                Some(Suggestion {
                    hit,
                    probability: (probability(i) * 1000.0).round() / 1000.0,
                    matched_terms: c.matches.all.clone(),
                    matched: c.matches.by_field.clone(),
                    heading: passage.and_then(|p| self.heading_link(&searcher, c.address, p.index)),
                })
            })
            .collect();
        SuggestResponse {
            suggestions,
            confident,
            intent,
        }
    }
}
