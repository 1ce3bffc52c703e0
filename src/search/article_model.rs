//! Which article a ticket's words point to, learned from labelled tickets: a softmax
//! regression over the ticket's word stems with one class per article of the base it was
//! fitted over (each named by tickets or read in its passages) and one for tickets the base
//! does not answer, fitted by `spravka tune`. Suggest adds
//! `Ranking::affinity` × the first score × an article's probability to its search score
//! (`suggest::add_affinities`), and the confidence model reads the probability.
//!
//! Why: BM25 hears the words an article shares with a ticket, not how people put the problem
//! the article solves. Customers write «не пускает во двор», «палка не поднимается»,
//! operators «клиент ждёт третий день, что делаем?»: words no article has, but tickets that
//! article answered do. Written by hand for the same reason as `word_model` (a sparse fit of a
//! few thousand weights is a few dozen lines; an outside crate would bring a linear-algebra
//! stack; the descent is `crates/softmax-descent`), and on the same reading of a ticket
//! (`word_model::signals`), so the two agree on what a word is.
//!
//! Beside the tickets, the fit reads the base's own articles, each passage a row of its
//! article's class at [`PASSAGE_WEIGHT`] (`BaseTexts`), and weighs a ticket's words by their
//! inverse document frequency over all rows, scaled to unit length: twenty tickets an
//! article do not use every word of its procedure, and a word every ticket has («клиент»)
//! says little of which one. Both measured on the project's tickets (BENCHMARKS.md, session
//! 30): regulations, told apart by the section about the procedure asked, gained most.

use super::passages::passage_texts;
use super::word_model::{signals, TicketWords};
use crate::site::Site;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use softmax_descent::{Descent, Fitted};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The class of tickets no article answers: out of scope. Not a path (paths end in `.md`).
pub const OUT_OF_SCOPE: &str = "(out of scope)";

/// L2 penalty on the mean log loss, the number of full-batch steps and their size: chosen on
/// the project's tickets by 5-fold cross-validation of the held-out ranking, among a few
/// (BENCHMARKS.md, sessions 27 and 30). Stopping before the fit's end keeps the weights
/// small, which ranked better held out. The learning rate is large beside the word model's:
/// a row's features are scaled to unit length, so each weight moves its logit by a fraction
/// of what a binary feature's would.
const DESCENT: Descent = Descent {
    l2: 1e-4,
    steps: 600,
    learning_rate: 30.0,
};
/// What a passage of an article counts in the fit, a ticket counting one: an article's own
/// words teach its vocabulary, tickets how people put its problem, and the tickets must win
/// where the two disagree.
const PASSAGE_WEIGHT: f64 = 0.3;
/// Weights smaller than this are left out of the model file: four in five of them, and the
/// cross-validated figures were as good or better without them (BENCHMARKS.md, session 27);
/// leaving out those under 0.3 as well cost procedural questions (session 30).
const KEEP_FROM: f64 = 0.1;

/// How many articles, at most, the model nominates to the search's pool, and how likely each
/// must be ([`Affinities::nominated`]). Among 10,000 other documents the search's first 20
/// miss the answer to one ticket in eight that the base alone finds: the words it shares with
/// the ticket are common ones, and documents that repeat them crowd it out. The model knows
/// the article from the tickets it answered; nominated, it is scored as any other candidate
/// and gains its affinity. Chosen by cross-validation among a few (BENCHMARKS.md, session 31).
pub const NOMINATED: usize = 3;
pub const NOMINATE_FROM: f32 = 0.05;

/// The fitted model: per class (an article's source path, or [`OUT_OF_SCOPE`]) a bias and a
/// weight per word stem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleModel {
    pub bias: BTreeMap<String, f32>,
    /// Per word the fit read, its inverse document frequency: a ticket's known words are
    /// weighted by it and scaled to unit length ([`unit_weights`]). Empty in a model written
    /// before it existed, which read each word as one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub idf: BTreeMap<String, f32>,
    /// Per class, the words that point to it (positive) or away from it.
    pub words: BTreeMap<String, BTreeMap<String, f32>>,
}

/// What the article model says of a ticket: per article path, the probability that the
/// article answers it (the classes sum to one with [`OUT_OF_SCOPE`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Affinities {
    pub by_article: HashMap<String, f32>,
    /// The value of an article the model has no class for: 0 (no ticket it was fitted on
    /// named it and no passage of it was read: a short page, or one added since), or, with
    /// no model to read, the confidence model's mean of the feature, so that it adds nothing
    /// (off means no signal, not «surely not this one»).
    pub otherwise: f32,
}

impl Affinities {
    /// No article model read: every article at `value`, and no score gains.
    pub fn neutral(value: f32) -> Affinities {
        Affinities {
            by_article: HashMap::new(),
            otherwise: value,
        }
    }

    /// The affinity of the article at `path`.
    pub fn of(&self, path: &str) -> f32 {
        self.by_article.get(path).copied().unwrap_or(self.otherwise)
    }

    /// The articles the model finds likely enough to be searched for even when the search
    /// does not find them among its first: at most [`NOMINATED`], each at least
    /// [`NOMINATE_FROM`], most likely first (equal ones by path). Deterministic.
    pub fn nominated(&self) -> Vec<String> {
        let mut likely: Vec<(&String, f32)> = self
            .by_article
            .iter()
            .filter(|(path, &p)| path.as_str() != OUT_OF_SCOPE && p >= NOMINATE_FROM)
            .map(|(path, &p)| (path, p))
            .collect();
        likely.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        likely
            .into_iter()
            .take(NOMINATED)
            .map(|(path, _)| path.clone())
            .collect()
    }
}

impl ArticleModel {
    /// Whether every bias and weight is a number and every inverse document frequency a
    /// positive one (a hand-edited file may hold `nan` or `inf`, which would make every
    /// probability one or none).
    pub fn is_finite(&self) -> bool {
        self.bias.values().all(|b| b.is_finite())
            && self.idf.values().all(|f| f.is_finite() && *f > 0.0)
            && self
                .words
                .values()
                .flat_map(|w| w.values())
                .all(|w| w.is_finite())
    }

    /// Each class's probability for `ticket` (its problem part, as the intent model reads it).
    pub fn probabilities(&self, ticket: &str) -> Affinities {
        self.probabilities_of(&TicketWords::read(ticket))
    }

    /// [`probabilities`](Self::probabilities) of a ticket's words read already.
    pub fn probabilities_of(&self, words: &TicketWords) -> Affinities {
        let words = unit_weights(&words.0, &self.idf);
        let logits: Vec<(&String, f32)> = self
            .bias
            .iter()
            .map(|(class, bias)| {
                let weights = self.words.get(class);
                let sum: f32 = weights
                    .map(|w| words.iter().filter_map(|(s, x)| Some(w.get(*s)? * x)).sum())
                    .unwrap_or(0.0);
                (class, bias + sum)
            })
            .collect();
        let max = logits.iter().map(|l| l.1).fold(f32::NEG_INFINITY, f32::max);
        let total: f32 = logits.iter().map(|l| (l.1 - max).exp()).sum();
        let by_article = logits
            .into_iter()
            .map(|(class, z)| (class.clone(), (z - max).exp() / total))
            .collect();
        Affinities {
            by_article,
            otherwise: 0.0,
        }
    }
}

/// The weighted words of a text (each known word by its inverse document frequency, scaled
/// to unit length); every word one when `idf` is empty (a model written before it existed).
/// The fit reads its rows and suggest its tickets through this one function.
fn unit_weights<'w>(
    words: &'w BTreeSet<String>,
    idf: &BTreeMap<String, f32>,
) -> Vec<(&'w str, f32)> {
    if idf.is_empty() {
        return words.iter().map(|w| (w.as_str(), 1.0)).collect();
    }
    let known: Vec<(&str, f32)> = words
        .iter()
        .filter_map(|w| Some((w.as_str(), *idf.get(w)?)))
        .collect();
    let length = known.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
    known.into_iter().map(|(w, x)| (w, x / length)).collect()
}

/// The texts of a base's articles the fit reads beside the tickets: each passage of every page
/// suggest can answer with (section index pages left out), as the models read a text
/// ([`signals`], once for the many fits of a tune), with its page's source path.
#[derive(Debug, Clone, Default)]
pub struct BaseTexts(Vec<(BTreeSet<String>, String)>);

impl BaseTexts {
    /// The passages of `site`'s articles.
    pub fn of(site: &Site) -> BaseTexts {
        let mut out = Vec::new();
        for page in site.pages.iter().filter(|p| !p.is_index) {
            let plain = page.doc.rendered.plain_text.read();
            for text in passage_texts(&page.doc, &plain) {
                out.push((signals(text), page.doc.rel_path.clone()));
            }
        }
        BaseTexts(out)
    }

    /// Fitting on tickets alone (the technique switched off, or tests of the tickets' part).
    pub fn none() -> BaseTexts {
        BaseTexts(Vec::new())
    }
}

/// One row of the fit: a text's words (a passage's borrowed from `BaseTexts`, which a tune
/// fits on many times), its class and what it counts.
struct Row<'t> {
    words: Cow<'t, BTreeSet<String>>,
    label: &'t str,
    weight: f64,
}

/// Fits the model to tickets, each with the articles that answer it (none: out of scope; a
/// ticket with two answers is a row for each), and to the base's passages, by full-batch
/// gradient descent on the weighted mean log loss plus L2/2 × the squared weights (the
/// biases free; [`DESCENT`]). Deterministic.
pub fn fit(tickets: &[(&str, &[String])], base: &BaseTexts) -> ArticleModel {
    let rows = rows(tickets, base);
    let idf = inverse_document_frequencies(&rows);
    let vocabulary: BTreeMap<&str, usize> = idf
        .keys()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    let mut classes: BTreeMap<&str, usize> = rows.iter().map(|r| (r.label, 0)).collect();
    for (n, index) in classes.values_mut().enumerate() {
        *index = n;
    }
    let c = classes.len();
    let features: Vec<Vec<(usize, f64)>> = rows
        .iter()
        .map(|r| {
            unit_weights(&r.words, &idf)
                .into_iter()
                .map(|(w, x)| (vocabulary[w], f64::from(x)))
                .collect()
        })
        .collect();
    let labelled: Vec<softmax_descent::Row> = rows
        .iter()
        .zip(&features)
        .map(|(r, f)| softmax_descent::Row {
            features: f,
            class: classes[r.label],
            weight: r.weight,
        })
        .collect();
    let Fitted { weights, bias } = DESCENT.fit(&labelled, vocabulary.len(), c);
    let mut model = ArticleModel::default();
    for (class, &k) in &classes {
        model.bias.insert(class.to_string(), bias[k] as f32);
        let kept: BTreeMap<String, f32> = vocabulary
            .iter()
            .filter(|&(_, &i)| weights[i * c + k].abs() >= KEEP_FROM)
            .map(|(w, &i)| (w.to_string(), weights[i * c + k] as f32))
            .collect();
        if !kept.is_empty() {
            model.words.insert(class.to_string(), kept);
        }
    }
    model.idf = idf;
    model
}

/// The rows of the fit: a ticket's for each article that answers it (or out of scope), each
/// counting one, and a passage's of its article at [`PASSAGE_WEIGHT`].
fn rows<'t>(tickets: &[(&'t str, &'t [String])], base: &'t BaseTexts) -> Vec<Row<'t>> {
    let mut rows = Vec::new();
    for (text, answers) in tickets {
        let words = signals(text);
        let labels: Vec<&str> = match answers.is_empty() {
            true => vec![OUT_OF_SCOPE],
            false => answers.iter().map(String::as_str).collect(),
        };
        for label in labels {
            rows.push(Row {
                words: Cow::Owned(words.clone()),
                label,
                weight: 1.0,
            });
        }
    }
    for (words, path) in &base.0 {
        rows.push(Row {
            words: Cow::Borrowed(words),
            label: path,
            weight: PASSAGE_WEIGHT,
        });
    }
    rows
}

/// Each word's inverse document frequency over `rows` (smoothed, as scikit-learn's:
/// ln((1 + n) / (1 + df)) + 1, so that a word in every row still counts).
fn inverse_document_frequencies(rows: &[Row]) -> BTreeMap<String, f32> {
    let mut df: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        for w in row.words.iter() {
            *df.entry(w).or_default() += 1;
        }
    }
    let n = rows.len() as f64;
    df.into_iter()
        .map(|(w, d)| {
            (
                w.to_string(),
                (((1.0 + n) / (1.0 + d as f64)).ln() + 1.0) as f32,
            )
        })
        .collect()
}

/// The folds of [`held_out`], as `word_model`'s.
const HELD_OUT_FOLDS: usize = 5;

/// Each ticket of `train`'s probabilities (in its order), each from a model fitted on the rest
/// of `train`: a model asked about its own training tickets is sure of each one's article,
/// and a weight tuned on that would trust it far more than a new ticket warrants.
pub fn held_out(
    texts: &[String],
    answers: &[Vec<String>],
    train: &[usize],
    base: &BaseTexts,
) -> Vec<Affinities> {
    let folds: Vec<Vec<(usize, Affinities)>> = (0..HELD_OUT_FOLDS.min(train.len()))
        .into_par_iter()
        .map(|inner| {
            let rows: Vec<(&str, &[String])> = (0..train.len())
                .filter(|n| n % HELD_OUT_FOLDS != inner)
                .map(|n| (texts[train[n]].as_str(), answers[train[n]].as_slice()))
                .collect();
            let model = fit(&rows, base);
            (inner..train.len())
                .step_by(HELD_OUT_FOLDS)
                .map(|n| (n, model.probabilities(&texts[train[n]])))
                .collect()
        })
        .collect();
    let mut out = vec![Affinities::default(); train.len()];
    for (n, affinities) in folds.into_iter().flatten() {
        out[n] = affinities;
    }
    out
}

#[cfg(test)]
#[path = "article_model_tests.rs"]
mod tests;
