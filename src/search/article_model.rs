//! Which article a ticket's words point to, learned from labelled tickets: a softmax
//! regression over the ticket's word stems with one class per article a ticket was answered
//! by and one for tickets the base does not answer, fitted by `spravka tune`. Suggest adds
//! `Ranking::affinity` × the first score × an article's probability to its search score
//! (`suggest::add_affinities`), and the confidence model reads the probability.
//!
//! Why: BM25 hears the words an article shares with a ticket, not how people put the problem
//! the article solves. Customers write «не пускает во двор», «палка не поднимается»,
//! operators «клиент ждёт третий день, что делаем?»: words no article has, but tickets that
//! article answered do. Written by hand for the same reason as `word_model` (a sparse fit of a
//! few thousand weights is a few dozen lines; a crate would bring a linear-algebra stack),
//! and on the same reading of a ticket (`word_model::signals`), so the two agree on what a
//! word is.

use super::word_model::{signals, TicketWords};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The class of tickets no article answers: out of scope. Not a path (paths end in `.md`).
pub const OUT_OF_SCOPE: &str = "(out of scope)";

/// L2 penalty on the mean log loss, the number of full-batch steps and their size: chosen on
/// the project's tickets by 5-fold cross-validation of the held-out ranking, among a few
/// (BENCHMARKS.md, session 27). Few steps from zero keep the weights small, which ranked
/// better held out than fitting to the end.
const L2: f64 = 1e-4;
const STEPS: usize = 300;
const LEARNING_RATE: f64 = 2.0;
/// Weights smaller than this are left out of the model file: about half of them, and the
/// cross-validated figures were as good or better without them (BENCHMARKS.md, session 27).
const KEEP_FROM: f64 = 0.1;

/// The fitted model: per class (an article's source path, or [`OUT_OF_SCOPE`]) a bias and a
/// weight per word stem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleModel {
    pub bias: BTreeMap<String, f32>,
    /// Per class, the words that point to it (positive) or away from it.
    pub words: BTreeMap<String, BTreeMap<String, f32>>,
}

/// What the article model says of a ticket: per article path, the probability that the
/// article answers it (the classes sum to one with [`OUT_OF_SCOPE`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Affinities {
    pub by_article: HashMap<String, f32>,
    /// The value of an article the model has no class for: 0 (no ticket it was fitted on
    /// was answered by it), or, with no model to read, the confidence model's mean of the
    /// feature, so that it adds nothing (off means no signal, not «surely not this one»).
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
}

impl ArticleModel {
    /// Whether every bias and weight is a number (a hand-edited file may hold `nan` or `inf`,
    /// which would make every probability one).
    pub fn is_finite(&self) -> bool {
        self.bias.values().all(|b| b.is_finite())
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
        let words = &words.0;
        let logits: Vec<(&String, f32)> = self
            .bias
            .iter()
            .map(|(class, bias)| {
                let weights = self.words.get(class);
                let sum: f32 = weights
                    .map(|w| words.iter().filter_map(|s| w.get(s)).sum())
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

/// Fits the model to tickets, each with the articles that answer it (none: out of scope; a
/// ticket with two answers is a row for each), by full-batch gradient descent on the mean
/// log loss plus [`L2`]/2 × the squared weights (the biases free). Deterministic.
pub fn fit(tickets: &[(&str, &[String])]) -> ArticleModel {
    let mut vocabulary: BTreeMap<String, usize> = BTreeMap::new();
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rows: Vec<(Vec<usize>, &str)> = Vec::new();
    for (text, answers) in tickets {
        let features: Vec<usize> = signals(text)
            .into_iter()
            .map(|w| {
                let next = vocabulary.len();
                *vocabulary.entry(w).or_insert(next)
            })
            .collect();
        let labels: Vec<&str> = match answers.is_empty() {
            true => vec![OUT_OF_SCOPE],
            false => answers.iter().map(String::as_str).collect(),
        };
        for label in labels {
            classes.insert(label, 0);
            rows.push((features.clone(), label));
        }
    }
    for (n, index) in classes.values_mut().enumerate() {
        *index = n;
    }
    let c = classes.len();
    let labelled: Vec<(&[usize], usize)> = rows
        .iter()
        .map(|(features, label)| (features.as_slice(), classes[label]))
        .collect();
    let (weights, bias) = descend(&labelled, vocabulary.len(), c);
    let mut model = ArticleModel::default();
    for (class, &k) in &classes {
        model.bias.insert(class.to_string(), bias[k] as f32);
        let kept: BTreeMap<String, f32> = vocabulary
            .iter()
            .filter(|&(_, &i)| weights[i * c + k].abs() >= KEEP_FROM)
            .map(|(w, &i)| (w.clone(), weights[i * c + k] as f32))
            .collect();
        if !kept.is_empty() {
            model.words.insert(class.to_string(), kept);
        }
    }
    model
}

/// The weights (feature-major: `weights[feature × classes + class]`) and biases of a softmax
/// regression over binary `rows` (each its features and its class), starting from zero
/// weights and the classes' log priors.
fn descend(rows: &[(&[usize], usize)], features: usize, classes: usize) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    let mut bias = vec![0.0f64; classes];
    for &(_, k) in rows {
        bias[k] += 1.0 / n;
    }
    bias.iter_mut().for_each(|b| *b = b.max(1e-6).ln());
    let mut weights = vec![0.0f64; features * classes];
    let mut logits = vec![0.0f64; classes];
    for _ in 0..STEPS {
        let mut gradient = vec![0.0f64; weights.len()];
        let mut gradient_bias = vec![0.0f64; classes];
        for &(row, label) in rows {
            logits.copy_from_slice(&bias);
            for &i in row {
                let w = &weights[i * classes..(i + 1) * classes];
                logits.iter_mut().zip(w).for_each(|(z, w)| *z += w);
            }
            let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            logits.iter_mut().for_each(|z| *z = (*z - max).exp());
            let total: f64 = logits.iter().sum();
            for (k, p) in logits.iter_mut().enumerate() {
                *p = (*p / total - f64::from(u8::from(k == label))) / n;
                gradient_bias[k] += *p;
            }
            for &i in row {
                let g = &mut gradient[i * classes..(i + 1) * classes];
                g.iter_mut().zip(&logits).for_each(|(g, e)| *g += e);
            }
        }
        for (b, g) in bias.iter_mut().zip(&gradient_bias) {
            *b -= LEARNING_RATE * g;
        }
        for (w, g) in weights.iter_mut().zip(&gradient) {
            *w -= LEARNING_RATE * (g + L2 * *w);
        }
    }
    (weights, bias)
}

/// The folds of [`held_out`], as `word_model`'s.
const HELD_OUT_FOLDS: usize = 5;

/// Each ticket of `train`'s probabilities (in its order), each from a model fitted on the rest
/// of `train`: a model asked about its own training tickets is sure of each one's article,
/// and a weight tuned on that would trust it far more than a new ticket warrants.
pub fn held_out(texts: &[String], answers: &[Vec<String>], train: &[usize]) -> Vec<Affinities> {
    let folds: Vec<Vec<(usize, Affinities)>> = (0..HELD_OUT_FOLDS.min(train.len()))
        .into_par_iter()
        .map(|inner| {
            let rows: Vec<(&str, &[String])> = (0..train.len())
                .filter(|n| n % HELD_OUT_FOLDS != inner)
                .map(|n| (texts[train[n]].as_str(), answers[train[n]].as_slice()))
                .collect();
            let model = fit(&rows);
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
mod tests {
    use super::*;

    fn answers(path: &str) -> Vec<String> {
        vec![path.to_string()]
    }

    fn tickets() -> Vec<(&'static str, Vec<String>)> {
        let gate = answers("Шлагбаум.md");
        let sms = answers("СМС.md");
        vec![
            ("палка не поднимается на въезде", gate.clone()),
            ("не пускает во двор, палка стоит", gate.clone()),
            ("на въезде не поднимается палка третий день", gate),
            ("код не приходит на телефон", sms.clone()),
            ("не приходит код, телефон верный", sms.clone()),
            ("код для входа так и не пришёл", sms),
            ("продаёте ли вы домофоны?", vec![]),
            ("ищу работу охранником", vec![]),
        ]
    }

    fn fitted() -> ArticleModel {
        let tickets = tickets();
        let rows: Vec<(&str, &[String])> =
            tickets.iter().map(|(t, a)| (*t, a.as_slice())).collect();
        fit(&rows)
    }

    /// Words no article has («палка», «пускает») point to the article whose tickets used
    /// them; the probabilities of the classes sum to one.
    #[test]
    fn the_fit_learns_how_tickets_put_an_articles_problem() {
        let model = fitted();
        let p = model.probabilities("опять палка не поднимается");
        assert!(p.of("Шлагбаум.md") > 0.5, "{p:?}");
        assert!(p.of("Шлагбаум.md") > 3.0 * p.of("СМС.md"), "{p:?}");
        let q = model.probabilities("не приходит код");
        assert!(q.of("СМС.md") > q.of("Шлагбаум.md"), "{q:?}");
        assert_eq!(q.of("Другая статья.md"), 0.0);
        let total: f32 = q.by_article.values().sum();
        assert!((total - 1.0).abs() < 1e-4, "{total}");
        assert_eq!(model, fitted(), "deterministic");
    }

    /// A ticket with none of the learned words leans to the classes' priors; a model with
    /// no class (nothing fitted) says nothing.
    #[test]
    fn an_unknown_ticket_reads_as_the_priors_and_an_empty_model_as_nothing() {
        let model = fitted();
        let p = model.probabilities("снегоуборщик завалил въезд");
        assert!(p.by_article.values().all(|&v| v < 0.6), "{p:?}");
        let empty = ArticleModel::default().probabilities("шлагбаум");
        assert!(empty.by_article.is_empty() && empty.of("Шлагбаум.md") == 0.0);
    }

    /// A held-out probability comes from a model that never saw its ticket: relabelling it
    /// leaves its own probabilities alone.
    #[test]
    fn a_held_out_probability_does_not_know_its_own_answer() {
        let tickets = tickets();
        let texts: Vec<String> = tickets.iter().map(|t| t.0.to_string()).collect();
        let mut labels: Vec<Vec<String>> = tickets.iter().map(|t| t.1.clone()).collect();
        let train: Vec<usize> = (0..texts.len()).rev().collect();
        let before = held_out(&texts, &labels, &train);
        assert_eq!(before.len(), train.len());
        assert!(
            before.iter().all(|a| !a.by_article.is_empty()),
            "{before:?}"
        );
        labels[0] = answers("СМС.md");
        let after = held_out(&texts, &labels, &train);
        let at = train.iter().position(|&i| i == 0).unwrap();
        assert_eq!(before[at], after[at]);
        // The models that did see it follow its new answer.
        assert!(
            (0..train.len()).any(|n| n != at && before[n] != after[n]),
            "relabelling changed nothing"
        );
    }
}
