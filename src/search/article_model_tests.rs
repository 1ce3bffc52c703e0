//! Tests of `article_model`: the fit, the base's texts, held-out probabilities.

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
    let rows: Vec<(&str, &[String])> = tickets.iter().map(|(t, a)| (*t, a.as_slice())).collect();
    fit(&rows, &BaseTexts::none())
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
    let p = model.probabilities("снегоуборщик завалил дорогу");
    assert!(p.by_article.values().all(|&v| v < 0.6), "{p:?}");
    let empty = ArticleModel::default().probabilities("шлагбаум");
    assert!(empty.by_article.is_empty() && empty.of("Шлагбаум.md") == 0.0);
}

/// The base's own text teaches an article's words no ticket used: «контроллер» and
/// «питание» are only in the barrier article's troubleshooting, and point there once the
/// fit reads it. Without it the ticket reads as the priors.
#[test]
fn the_bases_passages_teach_an_articles_own_words() {
    let tickets = tickets();
    let rows: Vec<(&str, &[String])> = tickets.iter().map(|(t, a)| (*t, a.as_slice())).collect();
    let base = BaseTexts(vec![(
        signals("Проверьте питание контроллера и его связь с сервером"),
        "Шлагбаум.md".to_string(),
    )]);
    let ticket = "контроллер без питания";
    let with = fit(&rows, &base).probabilities(ticket);
    let without = fit(&rows, &BaseTexts::none()).probabilities(ticket);
    assert!(with.of("Шлагбаум.md") > 2.0 * with.of("СМС.md"), "{with:?}");
    assert!(
        with.of("Шлагбаум.md") > without.of("Шлагбаум.md") + 0.1,
        "{without:?}"
    );
}

/// A site's texts are its articles' passages, each with its page's path; a section's
/// index page (README) is never suggested, so it teaches nothing.
#[test]
fn base_texts_are_the_passages_of_every_article_and_no_index_page() {
    let site_dir = crate::testing::TempSite::new();
    site_dir.write(
        "Раздел/README.md",
        "# Раздел\n\nСтатьи о шлагбаумах и пропусках в этом разделе.\n",
    );
    site_dir.write(
        "Раздел/Шлагбаум.md",
        "# Шлагбаум\n\nВступление о том, когда шлагбаум не открывается.\n\n## Причины\n\nКонтроллер без питания или без связи с сервером.\n\n## Коротко\n\nДва слова.\n",
    );
    let site = Site::load(site_dir.root(), crate::config::Config::default());
    let texts = BaseTexts::of(&site);
    let paths: BTreeSet<&str> = texts.0.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(paths, BTreeSet::from(["Раздел/Шлагбаум.md"]), "{texts:?}");
    assert_eq!(
        texts.0.len(),
        2,
        "the lead and «Причины»; «Коротко» has too few words: {texts:?}"
    );
    assert_eq!(
        texts.0[1].0,
        signals("Причины Контроллер без питания или без связи с сервером.")
    );
}

/// A held-out probability comes from a model that never saw its ticket: relabelling it
/// leaves its own probabilities alone.
#[test]
fn a_held_out_probability_does_not_know_its_own_answer() {
    let tickets = tickets();
    let texts: Vec<String> = tickets.iter().map(|t| t.0.to_string()).collect();
    let mut labels: Vec<Vec<String>> = tickets.iter().map(|t| t.1.clone()).collect();
    let train: Vec<usize> = (0..texts.len()).rev().collect();
    let before = held_out(&texts, &labels, &train, &BaseTexts::none());
    assert_eq!(before.len(), train.len());
    assert!(
        before.iter().all(|a| !a.by_article.is_empty()),
        "{before:?}"
    );
    labels[0] = answers("СМС.md");
    let after = held_out(&texts, &labels, &train, &BaseTexts::none());
    let at = train.iter().position(|&i| i == 0).unwrap();
    assert_eq!(before[at], after[at]);
    // The models that did see it follow its new answer.
    assert!(
        (0..train.len()).any(|n| n != at && before[n] != after[n]),
        "relabelling changed nothing"
    );
}

/// A model written before the inverse document frequencies (no `idf`) reads each word of a
/// ticket as one, as it was fitted; with them, the known words share a unit length and the
/// unknown ones are left out.
#[test]
fn a_model_without_idf_reads_each_word_as_one() {
    let stems = |t: &str| TicketWords::read(t).0;
    let words: BTreeSet<String> = stems("палка на въезде");
    let (stick, entry) = (stems("палка"), stems("въезде"));
    let (stick, entry) = (stick.first().unwrap(), entry.first().unwrap());
    let weights = BTreeMap::from([(stick.clone(), 1.0f32), (entry.clone(), 1.0)]);
    let mut model = ArticleModel {
        bias: BTreeMap::from([
            ("Шлагбаум.md".to_string(), 0.0),
            ("СМС.md".to_string(), 0.0),
        ]),
        idf: BTreeMap::new(),
        words: BTreeMap::from([("Шлагбаум.md".to_string(), weights)]),
    };
    let old = model.probabilities("палка на въезде").of("Шлагбаум.md");
    let logistic = |z: f32| 1.0 / (1.0 + (-z).exp());
    assert!((old - logistic(2.0)).abs() < 1e-5, "{old}");
    model.idf = BTreeMap::from([(stick.clone(), 1.0), (entry.clone(), 1.0)]);
    let new = model.probabilities("палка на въезде").of("Шлагбаум.md");
    assert!((new - logistic(2f32.sqrt())).abs() < 1e-5, "{new}");
    let unit = unit_weights(&words, &model.idf);
    let length: f32 = unit.iter().map(|(_, x)| x * x).sum();
    assert_eq!(unit.len(), 2, "«на» is unknown: {unit:?}");
    assert!((length - 1.0).abs() < 1e-6);
    assert!(unit_weights(&stems("снегоуборщик"), &model.idf).is_empty());
}

/// A hand-edited frequency that is not a positive number would make every probability
/// `NaN` (or turn a word's sign): the model is refused as one with a `nan` weight is.
#[test]
fn a_frequency_that_is_not_a_positive_number_is_refused() {
    let mut model = fitted();
    assert!(model.is_finite() && !model.idf.is_empty());
    for bad in [f32::INFINITY, 0.0, -1.0, f32::NAN] {
        let word = model.idf.keys().next().unwrap().clone();
        model.idf.insert(word, bad);
        assert!(!model.is_finite(), "{bad}");
    }
}

/// The nominated are the likeliest articles, at most [`NOMINATED`] of them, none under
/// [`NOMINATE_FROM`], never the out-of-scope class however likely, in a fixed order.
#[test]
fn the_nominated_are_the_likeliest_articles_above_the_floor() {
    let at = |pairs: &[(&str, f32)]| Affinities {
        by_article: pairs.iter().map(|&(p, x)| (p.to_string(), x)).collect(),
        otherwise: 0.0,
    };
    let affinities = at(&[
        (OUT_OF_SCOPE, 0.5),
        ("b.md", 0.2),
        ("a.md", 0.2),
        ("c.md", 0.06),
        ("d.md", 0.05),
        ("e.md", NOMINATE_FROM / 2.0),
    ]);
    assert_eq!(NOMINATED, 3, "the test's premise");
    assert_eq!(affinities.nominated(), ["a.md", "b.md", "c.md"]);
    let few = at(&[(OUT_OF_SCOPE, 0.9), ("e.md", NOMINATE_FROM / 2.0)]);
    assert!(few.nominated().is_empty());
    assert!(
        Affinities::neutral(0.3).nominated().is_empty(),
        "no model, no nominees"
    );
    let model = fitted();
    let nominated = model
        .probabilities("палка опять не поднимается")
        .nominated();
    assert_eq!(nominated.first().map(String::as_str), Some("Шлагбаум.md"));
}
