//! A softmax regression over sparse rows, fitted by full-batch gradient descent: the numeric
//! core of spravka's article model (`spravka::search::article_model`).
//!
//! Why a crate of its own: `spravka tune` and the tests that drive it fit this model dozens
//! of times, and in a debug build (`cargo test`) the loop below ran unoptimised: 95 % of the
//! samples of `tests/tune.rs`' twelve minutes (72 seconds optimised). A crate can be given its
//! own optimisation level (`[profile.dev.package.softmax-descent]` in the top-level
//! Cargo.toml); a module cannot, and optimising all of spravka in debug builds made every
//! build of its tests over three times slower (BENCHMARKS.md, session 35). Floating-point results do not depend on
//! the optimisation level (no fast-math, no FMA contraction), so the model a debug build fits
//! is the release build's, bit for bit.
//!
//! Written by hand: a sparse fit of a few thousand weights is a few dozen lines, and an
//! outside crate for it would bring a linear-algebra stack.

/// One training row: its (feature, value) pairs, its class and its weight in the loss.
#[derive(Clone, Copy, Debug)]
pub struct Row<'f> {
    pub features: &'f [(usize, f64)],
    pub class: usize,
    pub weight: f64,
}

/// How the descent runs: its number of full-batch steps, their size, and the L2 penalty on
/// the weights (the biases free).
#[derive(Clone, Copy, Debug)]
pub struct Descent {
    pub steps: usize,
    pub learning_rate: f64,
    pub l2: f64,
}

/// A fitted model: `weights[feature × classes + class]` (feature-major) and a bias per class.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub weights: Vec<f64>,
    pub bias: Vec<f64>,
}

impl Descent {
    /// The weights and biases of a softmax regression over `rows` (`features` columns,
    /// `classes` classes) minimising the weighted mean log loss plus L2/2 × the squared weights,
    /// from zero weights and the classes' log priors. Deterministic.
    pub fn fit(&self, rows: &[Row], features: usize, classes: usize) -> Fitted {
        let n: f64 = rows
            .iter()
            .map(|r| r.weight)
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
        let mut bias = vec![0.0f64; classes];
        for row in rows {
            bias[row.class] += row.weight / n;
        }
        bias.iter_mut().for_each(|b| *b = b.max(1e-6).ln());
        let mut weights = vec![0.0f64; features * classes];
        let mut logits = vec![0.0f64; classes];
        for _ in 0..self.steps {
            let mut gradient = vec![0.0f64; weights.len()];
            let mut gradient_bias = vec![0.0f64; classes];
            for row in rows {
                logits.copy_from_slice(&bias);
                for &(i, x) in row.features {
                    let w = &weights[i * classes..(i + 1) * classes];
                    logits.iter_mut().zip(w).for_each(|(z, w)| *z += w * x);
                }
                let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                logits.iter_mut().for_each(|z| *z = (*z - max).exp());
                let total: f64 = logits.iter().sum();
                for (k, p) in logits.iter_mut().enumerate() {
                    *p = row.weight * (*p / total - f64::from(u8::from(k == row.class))) / n;
                    gradient_bias[k] += *p;
                }
                for &(i, x) in row.features {
                    let g = &mut gradient[i * classes..(i + 1) * classes];
                    g.iter_mut().zip(&logits).for_each(|(g, e)| *g += e * x);
                }
            }
            for (b, g) in bias.iter_mut().zip(&gradient_bias) {
                *b -= self.learning_rate * g;
            }
            for (w, g) in weights.iter_mut().zip(&gradient) {
                *w -= self.learning_rate * (g + self.l2 * *w);
            }
        }
        Fitted { weights, bias }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED: [u64; 9] = [
        4610336632632160379,
        13836818194894379810,
        4607548484192306635,
        13835808101878786610,
        4603621708112119864,
        4610462867337211978,
        13828472009703430147,
        13828513842593805792,
        13835835190697405492,
    ];

    const DESCENT: Descent = Descent {
        steps: 300,
        learning_rate: 1.0,
        l2: 1e-3,
    };

    fn row(features: &[(usize, f64)], class: usize, weight: f64) -> Row<'_> {
        Row {
            features,
            class,
            weight,
        }
    }

    /// The probabilities the fitted model gives `features`.
    fn probabilities(fitted: &Fitted, features: &[(usize, f64)]) -> Vec<f64> {
        let classes = fitted.bias.len();
        let mut z = fitted.bias.clone();
        for &(i, x) in features {
            for (k, z) in z.iter_mut().enumerate() {
                *z += fitted.weights[i * classes + k] * x;
            }
        }
        let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = z.iter().map(|z| (z - max).exp()).collect();
        let total: f64 = e.iter().sum();
        e.iter().map(|e| e / total).collect()
    }

    #[test]
    fn each_feature_comes_to_point_to_its_class() {
        let (a, b, c) = ([(0, 1.0)], [(1, 1.0)], [(2, 1.0)]);
        let rows = [row(&a, 0, 1.0), row(&b, 1, 1.0), row(&c, 2, 1.0)];
        let fitted = DESCENT.fit(&rows, 3, 3);
        for (features, class) in [(&a, 0), (&b, 1), (&c, 2)] {
            let p = probabilities(&fitted, features);
            assert!(p[class] > 0.8, "{class}: {p:?}");
        }
    }

    #[test]
    fn the_biases_start_from_the_weighted_priors_and_the_steps_keep_them_without_features() {
        let none: [(usize, f64); 0] = [];
        let rows = [row(&none, 0, 3.0), row(&none, 1, 1.0)];
        let still = Descent {
            steps: 0,
            ..DESCENT
        }
        .fit(&rows, 1, 2);
        assert_eq!(still.bias, vec![0.75f64.ln(), 0.25f64.ln()]);
        assert_eq!(still.weights, vec![0.0, 0.0]);
        // Without features the priors are already the optimum: the steps keep them.
        let fitted = DESCENT.fit(&rows, 1, 2);
        let p = probabilities(&fitted, &none);
        assert!((p[0] - 0.75).abs() < 1e-9, "{p:?}");
    }

    #[test]
    fn a_class_of_rows_without_features_is_learned_through_the_biases() {
        let (none, a): ([(usize, f64); 0], _) = ([], [(0, 1.0)]);
        let rows = [row(&none, 0, 1.0), row(&a, 1, 1.0), row(&a, 1, 1.0)];
        let fitted = DESCENT.fit(&rows, 1, 2);
        let p = probabilities(&fitted, &none);
        assert!(p[0] > 0.5, "the prior says 1/3, the rows say 1: {p:?}");
    }

    #[test]
    fn weights_are_laid_out_feature_by_feature() {
        let (a, b, c) = ([(0, 1.0)], [(1, 1.0)], [(2, 1.0)]);
        let rows = [row(&a, 0, 1.0), row(&b, 0, 1.0), row(&c, 1, 1.0)];
        let fitted = DESCENT.fit(&rows, 3, 2);
        assert_eq!(fitted.weights.len(), 6);
        let weight = |feature: usize, class: usize| fitted.weights[feature * 2 + class];
        assert!(weight(2, 1) > 0.0 && weight(2, 0) < 0.0, "{fitted:?}");
        assert!(weight(0, 0) > 0.0 && weight(0, 1) < 0.0, "{fitted:?}");
    }

    /// The fit's arithmetic, pinned: the shipped model is refitted with it, and a fit whose
    /// float operations come in another order (or scale the loss otherwise) is another model.
    #[test]
    fn a_small_fit_is_the_same_to_the_last_bit() {
        let (a, b, ab) = ([(0, 1.0)], [(1, 0.6)], [(0, 0.8), (1, 0.6)]);
        let rows = [
            row(&a, 0, 1.0),
            row(&b, 1, 0.3),
            row(&ab, 2, 1.0),
            row(&ab, 0, 0.5),
        ];
        let fitted = Descent {
            steps: 50,
            learning_rate: 3.0,
            l2: 1e-2,
        }
        .fit(&rows, 2, 3);
        let bits: Vec<u64> = fitted
            .weights
            .iter()
            .chain(&fitted.bias)
            .map(|x| x.to_bits())
            .collect();
        assert_eq!(bits, PINNED, "{fitted:?}");
    }

    #[test]
    fn the_penalty_keeps_weights_smaller() {
        let (a, b) = ([(0, 1.0)], [(1, 1.0)]);
        let rows = [row(&a, 0, 1.0), row(&b, 1, 1.0)];
        let free = Descent { l2: 0.0, ..DESCENT }.fit(&rows, 2, 2);
        let held = Descent { l2: 0.1, ..DESCENT }.fit(&rows, 2, 2);
        let size = |f: &Fitted| f.weights.iter().map(|w| w * w).sum::<f64>();
        assert!(size(&held) < size(&free), "{held:?} {free:?}");
    }
}
