//! The probability that an article answers the ticket (suggest's `confident` and each
//! suggestion's `probability`; the order is the search score's, see `suggest::order`): a
//! logistic regression over features that do not grow with the base (shares of the ticket's
//! own weight, ratios of scores), fitted by `spravka tune` on a department's labelled tickets.
//!
//! Written by hand rather than with linfa or smartcore: the model is fifteen weights, and the
//! fit needs sign constraints (more of the ticket covered must never lower the probability),
//! which neither crate's logistic regression offers; projected gradient descent does it in a
//! few lines and keeps the dependency tree small.

use super::features::{distinct_words, EVIDENCE_WORDS};
use serde::{Deserialize, Serialize};

/// How many features a suggestion is described by.
pub const FEATURE_COUNT: usize = 15;

/// Names of the features, in order, as they appear in the model file.
pub const FEATURE_NAMES: [&str; FEATURE_COUNT] = [
    "coverage",
    "title_coverage",
    "symptoms_coverage",
    "score_per_weight",
    "relative_score",
    "margin",
    "matched_words",
    "rarest_matched",
    "unknown_share",
    "ticket_words",
    "intent_fit",
    "title_share",
    "coverage_of_all_words",
    "in_scope",
    "affinity",
];

/// The direction the probability must move in as a feature grows: `1` never down, `-1` never
/// up, `0` free (a longer ticket is not in itself more or less answerable). Fitting projects the weights onto these signs.
pub const MONOTONE: [i8; FEATURE_COUNT] = [1, 1, 1, 1, 1, 1, 1, 1, -1, 0, 1, 1, 1, 1, 1];

/// One suggestion described for the model. See [`FEATURE_NAMES`] for the meaning of each slot.
pub type Features = [f32; FEATURE_COUNT];

/// A fitted model: standardisation, weights and bias, and what one matched word is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceModel {
    pub bias: f32,
    pub weights: Vec<f32>,
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    /// The most an article that matched fewer than two distinct words of the ticket may get:
    /// the share of such first candidates that answered their ticket where the model was
    /// fitted. One word is no evidence
    /// («спасибо, всё работает» matches every article that says «работает»), yet it can be
    /// the whole of a ticket's weight, which the weights read as full coverage. `None` in a
    /// model written before it existed: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_word: Option<f32>,
}

impl ConfidenceModel {
    /// The probability (0..1) that the described suggestion answers its ticket. Capped at
    /// [`ConfidenceModel::one_word`] below two matched words: the cap only ever lowers it, so
    /// the probability stays monotone in every constrained feature.
    pub fn probability(&self, features: &Features) -> f32 {
        let p = self.weighted(features);
        match self.one_word {
            Some(cap) if distinct_words(features) < EVIDENCE_WORDS => p.min(cap),
            _ => p,
        }
    }

    /// The logistic part.
    fn weighted(&self, features: &Features) -> f32 {
        let mut z = self.bias;
        for (i, &x) in features.iter().enumerate() {
            let w = self.weights.get(i).copied().unwrap_or(0.0);
            let m = self.mean.get(i).copied().unwrap_or(0.0);
            let s = self.scale.get(i).copied().unwrap_or(1.0);
            z += w * (x - m) / s;
        }
        sigmoid(z)
    }

    /// The model read by a spravka with more features than it was fitted on: each feature
    /// added since (they are appended) gets weight 0, so the probability is the one it was
    /// fitted to give. A model with more weights than features is left for `is_valid`.
    pub fn with_new_features(mut self) -> ConfidenceModel {
        let fitted = self.weights.len();
        if fitted < FEATURE_COUNT && self.mean.len() == fitted && self.scale.len() == fitted {
            self.weights.resize(FEATURE_COUNT, 0.0);
            self.mean.resize(FEATURE_COUNT, 0.0);
            self.scale.resize(FEATURE_COUNT, 1.0);
        }
        self
    }

    /// Whether the model has one weight per feature, obeys [`MONOTONE`], and caps a one-word
    /// match at a probability.
    pub fn is_valid(&self) -> bool {
        self.one_word.is_none_or(|cap| (0.0..=1.0).contains(&cap))
            && self.weights.len() == FEATURE_COUNT
            && self.mean.len() == FEATURE_COUNT
            && self.scale.len() == FEATURE_COUNT
            && self.scale.iter().all(|&s| s > 0.0)
            && self
                .weights
                .iter()
                .zip(MONOTONE)
                .all(|(&w, sign)| w * f32::from(sign) >= 0.0)
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// L2 penalty of the fit: keeps weights small where the tickets do not separate, so that a
/// base of another size (where some features shift a little) is not read with extreme weights.
const L2: f64 = 0.01;
const STEPS: usize = 1000;
const LEARNING_RATE: f64 = 0.5;

/// Fits the model to `rows` labelled `true` (the suggestion answers the ticket) or `false`:
/// the weights on the rows of two matched words or more, by full-batch projected gradient
/// descent on the mean log loss plus [`L2`], and the one-word cap as the share of first
/// candidates of one matched word that are right (Laplace-smoothed: a handful of rows does
/// not make it 0 or 1). Deterministic.
pub fn fit(rows: &[Features], labels: &[bool]) -> ConfidenceModel {
    use super::features::is_first;
    let (mut several, mut several_labels) = (Vec::new(), Vec::new());
    let (mut one, mut one_right) = (0usize, 0usize);
    for (row, &label) in rows.iter().zip(labels) {
        if distinct_words(row) < EVIDENCE_WORDS {
            if is_first(row) {
                one += 1;
                one_right += usize::from(label);
            }
        } else {
            several.push(*row);
            several_labels.push(label);
        }
    }
    ConfidenceModel {
        one_word: Some((one_right as f32 + 1.0) / (one as f32 + 2.0)),
        ..fit_weights(&several, &several_labels)
    }
}

/// The logistic part of [`fit`].
fn fit_weights(rows: &[Features], labels: &[bool]) -> ConfidenceModel {
    let n = rows.len().max(1) as f64;
    let mut mean = [0.0f64; FEATURE_COUNT];
    let mut scale = [0.0f64; FEATURE_COUNT];
    for row in rows {
        for (m, &x) in mean.iter_mut().zip(row) {
            *m += f64::from(x) / n;
        }
    }
    for row in rows {
        for i in 0..FEATURE_COUNT {
            scale[i] += (f64::from(row[i]) - mean[i]).powi(2) / n;
        }
    }
    // A feature that never varies (scope switched off) tells nothing, and rounding would
    // otherwise leave it a weight of 1e-16 that a model file could not carry (`SuggestModel`
    // refuses a weight on `in_scope` without a scope model).
    let constant = scale.map(|v| v <= 1e-12);
    let scale = scale.map(|v| if v > 1e-12 { v.sqrt() } else { 1.0 });
    let standard: Vec<[f64; FEATURE_COUNT]> = rows
        .iter()
        .map(|row| std::array::from_fn(|i| (f64::from(row[i]) - mean[i]) / scale[i]))
        .collect();
    let mut weights = [0.0f64; FEATURE_COUNT];
    let positives = labels.iter().filter(|&&l| l).count() as f64;
    let prior = (positives / n).clamp(1e-3, 1.0 - 1e-3);
    let mut bias = (prior / (1.0 - prior)).ln();
    for _ in 0..STEPS {
        let mut gradient = [0.0f64; FEATURE_COUNT];
        let mut gradient_bias = 0.0;
        for (x, &label) in standard.iter().zip(labels) {
            let z = bias + x.iter().zip(&weights).map(|(a, b)| a * b).sum::<f64>();
            let error = 1.0 / (1.0 + (-z).exp()) - f64::from(u8::from(label));
            gradient_bias += error / n;
            for i in 0..FEATURE_COUNT {
                gradient[i] += error * x[i] / n;
            }
        }
        bias -= LEARNING_RATE * gradient_bias;
        for i in (0..FEATURE_COUNT).filter(|&i| !constant[i]) {
            weights[i] -= LEARNING_RATE * (gradient[i] + L2 * weights[i]);
            // The projection: a weight against its feature's direction becomes zero.
            if weights[i] * f64::from(MONOTONE[i]) < 0.0 {
                weights[i] = 0.0;
            }
        }
    }
    ConfidenceModel {
        bias: bias as f32,
        weights: weights.iter().map(|&w| w as f32).collect(),
        mean: mean.iter().map(|&m| m as f32).collect(),
        scale: scale.iter().map(|&s| s as f32).collect(),
        one_word: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A candidate that matched three distinct words.
    fn row(coverage: f32, unknown: f32) -> Features {
        let mut f = [0.5; FEATURE_COUNT];
        f[0] = coverage;
        f[6] = 4f32.ln();
        f[8] = unknown;
        f
    }

    /// Fifty candidates of three words labelled by their coverage (right above one half),
    /// with the unknown share `unknown(coverage)`.
    fn by_coverage(unknown: fn(f32) -> f32) -> (Vec<Features>, Vec<bool>) {
        (0..50)
            .map(|i| {
                let c = i as f32 / 50.0;
                (row(c, unknown(c)), c > 0.5)
            })
            .unzip()
    }

    #[test]
    fn fit_separates_and_respects_the_signs_even_against_the_data() {
        // Coverage predicts the label; unknown words are made to look *helpful* in the data,
        // which the sign constraint must refuse.
        let (rows, labels) = by_coverage(|c| c);
        let model = fit(&rows, &labels);
        assert!(model.is_valid(), "{model:?}");
        assert_eq!(model.weights[8], 0.0, "unknown_share may not raise it");
        assert!(model.probability(&row(0.9, 0.0)) > 0.8);
        assert!(model.probability(&row(0.1, 0.0)) < 0.2);
    }

    /// One matched word is no evidence: however much of the ticket it covers, its probability
    /// stays at the share of one-word candidates that were right, and a second word lifts the
    /// cap.
    #[test]
    fn one_matched_word_gets_the_share_of_one_word_matches_that_were_right() {
        let (mut rows, mut labels) = by_coverage(|_| 0.0);
        let without_one_word = fit(&rows, &labels);
        // Eight first candidates of one word covering the whole ticket, one of them right,
        // and a lower one (right) that does not count: the cap is about the first answer.
        let mut one_word = row(1.0, 0.0);
        one_word[4] = 1.0;
        one_word[6] = 2f32.ln();
        for i in 0..8 {
            rows.push(one_word);
            labels.push(i == 0);
        }
        let mut lower = one_word;
        lower[4] = 0.5;
        rows.push(lower);
        labels.push(true);
        let model = fit(&rows, &labels);
        assert_eq!(model.one_word, Some(0.2), "(1 + 1) / (8 + 2)");
        assert_eq!(
            (model.bias, &model.weights, &model.mean),
            (
                without_one_word.bias,
                &without_one_word.weights,
                &without_one_word.mean
            ),
            "one-word candidates are left out of the weights' fit"
        );
        assert!((model.probability(&one_word) - 0.2).abs() < 1e-6);
        assert!(
            model.probability(&row(1.0, 0.0)) > 0.8,
            "two words or more: the weights"
        );
    }

    #[test]
    fn probability_is_monotone_in_every_constrained_feature() {
        let model: ConfidenceModel = crate::search::model::SuggestModel::default().confidence;
        assert!(model.is_valid());
        assert!(
            model.one_word.is_some(),
            "the shipped model caps one-word matches"
        );
        // Around a candidate of one matched word (capped) and of two (the weights alone).
        for words in [1f32, 2.0] {
            let mut base = [0.4; FEATURE_COUNT];
            base[6] = words.ln_1p();
            for (i, sign) in MONOTONE.iter().enumerate().filter(|(_, &s)| s != 0) {
                let mut previous = None;
                for step in 0..=10 {
                    let mut f = base;
                    f[i] = step as f32 / 5.0;
                    let p = model.probability(&f);
                    if let Some(q) = previous {
                        let ok = if *sign > 0 { p >= q } else { p <= q };
                        assert!(ok, "{}: {q} then {p}", FEATURE_NAMES[i]);
                    }
                    previous = Some(p);
                }
            }
        }
    }
}
