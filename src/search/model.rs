//! Every tuned number of suggest in one value: the field boosts, the re-ranking factors, the
//! intent model and the confidence model. `spravka tune` writes it as `suggest-model.toml` beside `spravka.toml`;
//! without that file the model fitted on the project's own tickets (`eval/tickets.jsonl`) is used.

use super::article_model::ArticleModel;
use super::calibrate::ConfidenceModel;
use super::features::{AFFINITY, IN_SCOPE};
use super::suggest::FieldBoosts;
use super::word_model::WordModel;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file `spravka tune` writes, beside `spravka.toml`.
pub const MODEL_FILE: &str = "suggest-model.toml";

/// The model shipped with spravka: `spravka tune --tickets eval/tickets.jsonl --distractors
/// /tmp/gen10k --out src/search/suggest-model.toml` on the default base, the distractors
/// written by `cargo run --release --example gen_corpus -- --docs 10000 --out /tmp/gen10k`.
const DEFAULT_MODEL: &str = include_str!("suggest-model.toml");

/// How candidates are scored and re-ranked before the confidence model sees them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranking {
    pub boosts: FieldBoosts,
    /// Score factor of a regulation when the ticket is an operator's procedural question.
    pub procedural_regulation: f32,
    /// Score factor of a regulation when the ticket is a customer's problem.
    pub customer_regulation: f32,
    /// A ticket is an operator's procedural question from this probability of the intent
    /// model on (the model's probability is calibrated; where to cut it is a ranking choice).
    pub procedural_from: f32,
    /// Weight of a match through a typo correction, against the word as written.
    pub fuzzy_weight: f32,
    /// Weight of a match through a synonym, against the word as written.
    pub synonym_weight: f32,
    /// For a procedural question, how much a regulation's best section adds, as a share of
    /// the highest score found, scaled by how it compares with the best section of any
    /// regulation found (`suggest::candidates`). 0 in a model written before it existed.
    #[serde(default)]
    pub procedural_section: f32,
    /// How much the article model's probability that an article answers the ticket adds, as
    /// a share of the highest score found (`suggest::add_affinities`). 0 in a model written
    /// before it existed.
    #[serde(default)]
    pub affinity: f32,
}

impl Ranking {
    /// Where tuning starts: no field, role or match kind favoured, the intent cut at even odds.
    /// The start is not one chosen on the tickets being tuned (the shipped ranking was), so a
    /// fold cannot inherit a choice its held-out tickets made.
    pub const NEUTRAL: Ranking = Ranking {
        boosts: FieldBoosts {
            title: 1.0,
            symptoms: 1.0,
            headings: 1.0,
            tags: 1.0,
            body: 1.0,
        },
        procedural_regulation: 1.0,
        customer_regulation: 1.0,
        procedural_from: 0.5,
        fuzzy_weight: 0.7,
        synonym_weight: 0.5,
        procedural_section: 0.0,
        affinity: 0.0,
    };

    /// Whether a ticket whose intent model says `procedural` is read as an operator's
    /// procedural question (its regulations favoured). Suggest, the pool and tuning share it.
    pub fn reads_procedural(&self, procedural: f32) -> bool {
        procedural >= self.procedural_from
    }

    /// How much a match through a term of `origin` counts in the ticket's query.
    pub fn origin_weight(&self, origin: super::vocabulary::Origin) -> f32 {
        use super::vocabulary::Origin;
        match origin {
            Origin::Exact => 1.0,
            Origin::Fuzzy => self.fuzzy_weight,
            Origin::Synonym => self.synonym_weight,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuggestModel {
    pub ranking: Ranking,
    /// Tells an operator's procedural question from a customer's problem.
    pub intent: WordModel,
    /// Tells a ticket the base answers from one about something else (another service's
    /// SMS, a job application, a sales offer): the confidence model's `in_scope` feature.
    /// `None` in a model written before it existed; its confidence model then reads the
    /// feature with weight 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<WordModel>,
    pub confidence: ConfidenceModel,
    /// Which article a ticket's words point to, learned from the tickets tuned on. `None` in
    /// a model written before it existed (or tuned with it off): no article gains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub articles: Option<ArticleModel>,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: cannot read: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}: the confidence model needs {count} weights that respect their signs, a one-word cap between 0 and 1, and no weight on `in_scope` without a `[scope]` model nor on `affinity` without an `[articles]` model, and finite numbers in `[articles]` (refit it with `spravka tune`)", count = super::calibrate::FEATURE_COUNT)]
    Invalid { path: PathBuf },
}

impl Default for SuggestModel {
    /// The shipped model, parsed once per process: its article model is some 35,000 lines
    /// (1 MB), and every engine starts from it.
    fn default() -> Self {
        static SHIPPED: std::sync::LazyLock<SuggestModel> = std::sync::LazyLock::new(|| {
            SuggestModel::parse(DEFAULT_MODEL, Path::new("src/search/suggest-model.toml"))
                .expect("the embedded model parses and is valid (tested)")
        });
        SHIPPED.clone()
    }
}

impl SuggestModel {
    /// `suggest-model.toml` under `root` when there is one, the shipped model otherwise.
    pub fn load(root: &Path) -> Result<SuggestModel, ModelError> {
        let path = root.join(MODEL_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => SuggestModel::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SuggestModel::default()),
            Err(error) => Err(ModelError::Read { path, error }),
        }
    }

    fn parse(text: &str, path: &Path) -> Result<SuggestModel, ModelError> {
        let mut model: SuggestModel = toml::from_str(text).map_err(|e| ModelError::Parse {
            path: path.to_path_buf(),
            line: e.span().map_or(0, |s| {
                text[..s.start.min(text.len())].lines().count().max(1)
            }),
            message: e.message().to_string(),
        })?;
        model.confidence = model.confidence.with_new_features();
        let weight = |slot: usize| model.confidence.weights.get(slot).copied();
        let unread = (model.scope.is_none() && weight(IN_SCOPE) != Some(0.0))
            || (model.articles.is_none() && weight(AFFINITY) != Some(0.0));
        let finite = model.articles.as_ref().is_none_or(ArticleModel::is_finite);
        if !model.confidence.is_valid() || unread || !finite {
            return Err(ModelError::Invalid {
                path: path.to_path_buf(),
            });
        }
        Ok(model)
    }

    /// The model as `spravka tune` writes it, with a comment saying where it came from.
    pub fn to_toml(&self, comment: &str) -> String {
        let mut out = String::new();
        for line in comment.lines() {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&toml::to_string(self).expect("a model serialises"));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_model_parses_and_round_trips() {
        let model = SuggestModel::default();
        let text = model.to_toml("test");
        assert_eq!(SuggestModel::parse(&text, Path::new("x")).unwrap(), model);
    }

    #[test]
    fn a_broken_model_file_names_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MODEL_FILE), "[ranking]\nboosts = 3\n").unwrap();
        let e = SuggestModel::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains("suggest-model.toml:2"), "{e}");
        // Each model is refused with a message that names what is wrong.
        let refused = |wrong: &SuggestModel| -> String {
            std::fs::write(dir.path().join(MODEL_FILE), wrong.to_toml("")).unwrap();
            SuggestModel::load(dir.path()).unwrap_err().to_string()
        };
        let mut wrong = SuggestModel::default();
        wrong.confidence.weights[0] = -1.0;
        let e = refused(&wrong);
        assert!(e.contains("spravka tune"), "{e}");
        let mut wrong = SuggestModel::default();
        wrong.confidence.one_word = Some(1.5);
        let e = refused(&wrong);
        assert!(e.contains("one-word cap"), "{e}");
        // A weight on the scope feature with no scope model to give it a value.
        let mut wrong = SuggestModel {
            scope: None,
            ..SuggestModel::default()
        };
        wrong.confidence.weights[IN_SCOPE] = 0.5;
        let e = refused(&wrong);
        assert!(e.contains("in_scope"), "{e}");
        // A weight on the affinity with no article model to give it a value.
        let mut wrong = SuggestModel {
            articles: None,
            ..SuggestModel::default()
        };
        wrong.confidence.weights[AFFINITY] = 0.5;
        let e = refused(&wrong);
        assert!(e.contains("affinity"), "{e}");
        // An article model with a number that is none.
        let mut wrong = SuggestModel::default();
        let articles = wrong.articles.as_mut().expect("the shipped model has one");
        *articles.bias.values_mut().next().unwrap() = f32::NAN;
        let e = refused(&wrong);
        assert!(e.contains("finite"), "{e}");
    }

    /// A model file written before the scope model existed (thirteen weights, no `[scope]`,
    /// no `[articles]`, no `affinity`) still loads, and gives every suggestion the probability
    /// it was fitted to give: the new features are read with weight 0, and no article gains.
    #[test]
    fn a_model_file_from_before_the_scope_feature_loads_unchanged() {
        let mut old = SuggestModel {
            scope: None,
            articles: None,
            ..SuggestModel::default()
        };
        old.ranking.affinity = 0.0;
        for column in [
            &mut old.confidence.weights,
            &mut old.confidence.mean,
            &mut old.confidence.scale,
        ] {
            column.truncate(IN_SCOPE);
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MODEL_FILE), old.to_toml("")).unwrap();
        let loaded = SuggestModel::load(dir.path()).unwrap();
        assert_eq!(loaded.confidence.weights[IN_SCOPE], 0.0);
        assert_eq!(loaded.confidence.weights[AFFINITY], 0.0);
        assert!(loaded.articles.is_none());
        // Nor did the section match or the affinity: their weights read 0, the ranking the
        // model was fitted with.
        let text = old.to_toml("");
        let without_section: String = text
            .lines()
            .filter(|l| !l.starts_with("procedural_section") && !l.starts_with("affinity"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(!text.contains("[articles"), "{text}");
        assert_ne!(text, without_section, "the field is written");
        std::fs::write(dir.path().join(MODEL_FILE), without_section).unwrap();
        let loaded = SuggestModel::load(dir.path()).unwrap();
        assert_eq!(loaded.ranking.procedural_section, 0.0);
        assert_eq!(loaded.ranking.affinity, 0.0);
        let mut features = [0.5; super::super::calibrate::FEATURE_COUNT];
        features[6] = 3f32.ln();
        let thirteen = |confidence: &ConfidenceModel, in_scope: f32| {
            let mut f = features;
            f[IN_SCOPE] = in_scope;
            confidence.probability(&f)
        };
        for in_scope in [0.0, 0.5, 1.0] {
            let p = thirteen(&loaded.confidence, in_scope);
            assert!((p - thirteen(&loaded.confidence, 1.0)).abs() < 1e-6);
        }
        // And the same as the thirteen weights alone, computed by hand.
        let c = &old.confidence;
        let z: f32 = c.bias
            + (0..IN_SCOPE)
                .map(|i| c.weights[i] * (features[i] - c.mean[i]) / c.scale[i])
                .sum::<f32>();
        let by_hand = 1.0 / (1.0 + (-z).exp());
        assert!((thirteen(&loaded.confidence, 0.3) - by_hand).abs() < 1e-6);
    }

    /// A model file written before the one-word cap existed still loads, uncapped.
    #[test]
    fn a_model_file_without_the_one_word_cap_loads() {
        let dir = tempfile::tempdir().unwrap();
        let mut old = SuggestModel::default();
        old.confidence.one_word = None;
        let text = old.to_toml("");
        assert!(!text.contains("one_word"), "{text}");
        std::fs::write(dir.path().join(MODEL_FILE), text).unwrap();
        assert_eq!(SuggestModel::load(dir.path()).unwrap(), old);
    }

    /// The default `[suggest] min_probability` is the cut the shipped tune recommended: a
    /// refit that moves the probabilities must move the default with it.
    #[test]
    fn the_default_cut_is_the_one_the_shipped_tune_recommends() {
        let line = DEFAULT_MODEL
            .lines()
            .find(|l| l.starts_with("# Lowest cut that keeps"))
            .expect("the shipped model's header names its recommended cut");
        let cut: f32 = line
            .split_once("in every base: ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a number in {line}"));
        assert_eq!(cut, crate::config::DEFAULT_MIN_PROBABILITY, "{line}");
    }
}
