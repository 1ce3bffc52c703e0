//! `spravka tune`: it refits the model from a department's tickets, and chooses every number
//! for the base alone and for the base among distractor documents at once.

mod common;
use spravka::search::article_model::BaseTexts;
use spravka::search::eval::{self, Ticket};
use spravka::search::{Ranking, SearchEngine, SuggestModel, SuggestOptions};
use std::path::Path;

/// Every `step`-th of the project's tickets, written to the fixture's `tickets.jsonl`.
fn sample_of_own_tickets(f: &mut common::Fixture, step: usize) -> Vec<String> {
    let own =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/tickets.jsonl"))
            .unwrap();
    let sample: Vec<String> = own.lines().step_by(step).map(String::from).collect();
    f.write("tickets.jsonl", &sample.join("\n"));
    sample
}

/// `spravka tune` refits the model on a department's tickets, reports cross-validated
/// figures, writes `suggest-model.toml`, and suggest then reads that file; bad ticket files
/// are refused with the file and line.
#[test]
fn tune_refits_the_model_from_a_ticket_file() {
    let mut f = common::Fixture::default_content();
    let sample = sample_of_own_tickets(&mut f, 20);
    let tickets = f.root().join("tickets.jsonl").display().to_string();
    f.run(&["tune", "--tickets", &tickets, "--folds", "2"])
        .success();
    assert!(
        f.stdout().contains(&format!(
            "Cross-validated (2 folds, {} tickets)",
            sample.len()
        )),
        "{}",
        f.stdout()
    );
    // The figures at every cut `min_probability` could take, and the one recommended.
    assert!(
        f.stdout().contains("| 0.45 |")
            && f.stdout()
                .contains("90 % of out-of-scope tickets not confident in every base"),
        "{}",
        f.stdout()
    );
    assert!(
        !f.stderr().contains("narrow base"),
        "a sample of every article, some out of scope, draws no warning: {}",
        f.stderr()
    );
    let written = std::fs::read_to_string(f.root().join("suggest-model.toml")).unwrap();
    assert!(written.contains("[confidence]") && written.contains("[ranking.boosts]"));
    assert!(
        written.contains("[scope.words]"),
        "the scope model is refitted too"
    );
    assert!(
        written.contains("[articles.bias]") && written.contains("[articles.words."),
        "and the article model"
    );
    let probability = |f: &mut common::Fixture| {
        f.run(&[
            "suggest",
            "--json",
            "QR-код гостя не считывается турникетом",
        ])
        .success();
        let json: serde_json::Value = serde_json::from_str(&f.stdout()).unwrap();
        json["suggestions"][0]["probability"].as_f64().unwrap()
    };
    assert!(probability(&mut f) > 0.0);
    // Suggest reads the written file: a model that never believes anything is obeyed.
    let sceptic = regex_free_replace(&written, "bias = ", "bias = -80.0 # was ");
    f.write("suggest-model.toml", &sceptic);
    assert!(probability(&mut f) < 0.001);

    f.write(
        "tickets.jsonl",
        "{\"id\": \"x\", \"text\": \"шлагбаум\", \"expected\": []}\n{ not json\n",
    );
    f.run(&["tune", "--tickets", &tickets]);
    assert!(f.stderr().contains("tickets.jsonl:2:"), "{}", f.stderr());
    f.write(
        "tickets.jsonl",
        "{\"id\": \"q7\", \"text\": \"шлагбаум\", \"expected\": [\"Нет такого.md\"]}\n",
    );
    f.run(&["tune", "--tickets", &tickets]);
    assert!(
        f.stderr().contains("q7") && f.stderr().contains("Нет такого.md"),
        "{}",
        f.stderr()
    );
}

/// Tickets about one article and none out of scope are tuned on, with a warning naming what
/// they lack: such a model would favour that article and never learn to say «escalate».
#[test]
fn tune_warns_when_the_tickets_are_too_narrow() {
    let mut f = common::Fixture::default_content();
    let own =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/tickets.jsonl"))
            .unwrap();
    let one_article: Vec<&str> = own.lines().take(4).collect();
    assert!(one_article
        .iter()
        .all(|l| l.contains("QR-код пропуска не считывается.md")));
    f.write("narrow.jsonl", &one_article.join("\n"));
    let tickets = f.root().join("narrow.jsonl").display().to_string();
    let out = f.root().join("narrow-model.toml").display().to_string();
    f.run(&["tune", "--tickets", &tickets, "--folds", "2", "--out", &out])
        .success();
    let stderr = f.stderr();
    assert!(
        stderr.contains("narrow base to tune on")
            && stderr.contains("they name 1 of the base's 40 articles")
            && stderr.contains("0 of them are out of scope"),
        "{stderr}"
    );
    // And the table says there was nothing to measure rather than «0.000».
    assert!(f.stdout().contains("n/a (0/0)"), "{}", f.stdout());
}

fn regex_free_replace(text: &str, from: &str, to: &str) -> String {
    text.lines()
        .map(|l| {
            if l.starts_with(from) {
                l.replacen(from, to, 1)
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The engine of the markdown files `docs` (path, text), with the shipped model.
fn engine_of(docs: &[(&str, &str)]) -> (tempfile::TempDir, SearchEngine) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in docs {
        let file = dir.path().join("content").join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    let site = spravka::site::Site::load(dir.path(), spravka::config::Config::default());
    let engine = spravka::search::engine_in_ram(&site, SuggestModel::default()).unwrap();
    (dir, engine)
}

const BARRIER: (&str, &str) = (
    "Шлагбаум не открывается.md",
    "# Шлагбаум не открывается\n\nПроверьте питание пульта и связь контроллера.\n",
);

/// A page that says the ticket's word thirty times in its body and never in its title: with
/// every field weighted alike it outscores the title that names the problem.
const DISTRACTOR: (&str, &str) = (
    "Журнал событий.md",
    "# Журнал событий\n\nшлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум \
     шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум \
     шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум шлагбаум \
     шлагбаум шлагбаум\n",
);

/// Tuning starts from [`Ranking::NEUTRAL`] and chooses for every base it is given: alone, the
/// barrier article is first whatever the weights, so nothing moves; among a distractor only a
/// heavier title keeps it first, and the tune over both bases must find that.
#[test]
fn tune_chooses_for_the_base_alone_and_among_distractors() {
    let (_a, alone) = engine_of(&[BARRIER]);
    let (_g, grown) = engine_of(&[BARRIER, DISTRACTOR]);
    // The last ticket names the distractor's title too: first alone, never first among it.
    let tickets: Vec<Ticket> = [
        "шлагбаум",
        "шлагбаум!",
        "шлагбаум?",
        "шлагбаум...",
        "шлагбаум!!",
        "журнал событий: шлагбаум",
    ]
    .iter()
    .enumerate()
    .map(|(i, text)| Ticket {
        id: format!("t{i}"),
        text: text.to_string(),
        expected: vec![BARRIER.0.to_string()],
        channel: String::new(),
        style: String::new(),
    })
    .collect();
    let outcome_under = |engine: &SearchEngine, ranking: Ranking| {
        let mut model = engine.model().clone();
        model.ranking = ranking;
        eval::outcome(engine, &tickets[0], SuggestOptions::default(), &model)
    };
    let neutral = outcome_under(&grown, Ranking::NEUTRAL);
    assert_eq!(
        spravka::search::order(&neutral.candidates, SuggestOptions::default())
            .first()
            .map(|&i| neutral.expected[i]),
        Some(false),
        "the distractor must win with every field alike, or this test shows nothing"
    );

    let tuned_alone = eval::tune(
        &[&alone],
        &BaseTexts::none(),
        &tickets,
        SuggestOptions::default(),
        2,
    );
    assert_eq!(tuned_alone.model.ranking, Ranking::NEUTRAL);
    let tuned = eval::tune(
        &[&alone, &grown],
        &BaseTexts::none(),
        &tickets,
        SuggestOptions::default(),
        2,
    );
    assert_eq!(tuned.cross_validated.len(), 2);
    let title = tuned.model.ranking.boosts.title;
    assert!(title > Ranking::NEUTRAL.boosts.title, "title boost {title}");
    let chosen = outcome_under(&grown, tuned.model.ranking);
    assert!(
        chosen.expected[spravka::search::order(&chosen.candidates, SuggestOptions::default())[0]]
    );
    let firsts: Vec<usize> = tuned.cross_validated.iter().map(|m| m.first).collect();
    assert_eq!(
        firsts,
        [tickets.len(), tickets.len() - 1],
        "held out, in the order of the bases"
    );
}

/// `spravka tune --distractors DIR` reports the cross-validated figures for the base alone
/// and among DIR's documents, writes the model, leaves content/ as it was, and names a
/// distractor folder that is not there.
#[test]
fn tune_with_distractors_reports_both_bases_and_leaves_the_content_alone() {
    let mut f = common::Fixture::default_content();
    sample_of_own_tickets(&mut f, 25);
    for n in 0..12 {
        f.write(
            &format!("more/content/Раздел/Заметка {n}.md"),
            &format!("# Заметка {n}\n\nШлагбаум, пропуск и гостевой доступ: заметка номер {n}.\n"),
        );
    }
    let listing = |f: &common::Fixture| {
        walkdir::WalkDir::new(f.root().join("content"))
            .sort_by_file_name()
            .into_iter()
            .map(|e| {
                let path = e.unwrap().into_path();
                (path.display().to_string(), std::fs::read(&path).ok())
            })
            .collect::<Vec<_>>()
    };
    let before = listing(&f);
    let tickets = f.root().join("tickets.jsonl").display().to_string();
    let more = f.root().join("more").display().to_string();
    f.run(&[
        "tune",
        "--tickets",
        &tickets,
        "--folds",
        "2",
        "--distractors",
        &more,
    ])
    .success();
    let rows: Vec<String> = f
        .stdout()
        .lines()
        .filter(|l| l.starts_with("| spravka, "))
        .map(String::from)
        .collect();
    assert_eq!(rows.len(), 2, "{}", f.stdout());
    let size = |row: &str| -> usize {
        row["| spravka, ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(size(&rows[1]) >= size(&rows[0]) + 12, "{rows:?}");
    let written = std::fs::read_to_string(f.root().join("suggest-model.toml")).unwrap();
    assert!(
        written.lines().next().unwrap().contains("--distractors"),
        "the model says how it was tuned"
    );
    assert_eq!(listing(&f), before, "content/ is untouched");

    let missing = f.root().join("nowhere").display().to_string();
    f.run(&["tune", "--tickets", &tickets, "--distractors", &missing]);
    assert_ne!(f.code(), Some(0));
    assert!(f.stderr().contains("nowhere"), "{}", f.stderr());
}

/// The distinct lowercase Cyrillic words (three letters or more) of `text`.
fn cyrillic_words(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|w| {
            w.chars().count() >= 3 && w.chars().all(|c| ('а'..='я').contains(&c) || c == 'ё')
        })
        .collect()
}

/// The words of every markdown file under `dir` but the section indexes.
fn articles_words(dir: &Path) -> Vec<std::collections::BTreeSet<String>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("README.md"))
        .map(|p| cyrillic_words(&std::fs::read_to_string(p).unwrap()))
        .collect()
}

/// `gen_corpus --topical` (the second kind of distractors tuning is measured among) writes
/// documents each about one real article: the median document shares far more of its words
/// with its closest article than a document of words drawn from the whole vocabulary does.
#[test]
fn a_topical_corpus_keeps_each_document_to_one_article() {
    let generator = common::example("gen_corpus");
    let real = articles_words(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"));
    let median_closeness = |extra: &[&str]| -> f64 {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new(&generator)
            .args(["--docs", "60", "--out"])
            .arg(dir.path())
            .args(extra)
            .status()
            .unwrap();
        assert!(status.success());
        let mut closeness: Vec<f64> = articles_words(&dir.path().join("content"))
            .iter()
            .map(|doc| {
                let shared = real.iter().map(|a| doc.intersection(a).count()).max();
                shared.unwrap() as f64 / doc.len() as f64
            })
            .collect();
        assert_eq!(closeness.len(), 60);
        closeness.sort_by(f64::total_cmp);
        closeness[30]
    };
    let (drawn, topical) = (median_closeness(&[]), median_closeness(&["--topical"]));
    assert!(
        topical >= drawn + 0.1,
        "topical {topical:.2}, drawn from the whole vocabulary {drawn:.2}"
    );
}

/// Tuning measures the held-out folds at every cut `min_probability` could take: the row at the
/// site's own cut is the cross-validated figure, and raising the cut never makes more tickets
/// confident. The scope model is fitted with the rest.
#[test]
fn the_figures_at_each_cut_agree_with_the_sites_cut() {
    let engine = common::default_engine();
    let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/tickets.jsonl");
    let tickets: Vec<Ticket> = eval::read_tickets(&own)
        .unwrap()
        .into_iter()
        .step_by(8)
        .collect();
    assert!(tickets.iter().any(|t| t.expected.is_empty()));
    let tuned = eval::tune(
        &[&engine],
        &BaseTexts::none(),
        &tickets,
        SuggestOptions::default(),
        2,
    );
    assert!(tuned.model.scope.is_some());
    let rows: Vec<(f32, &[eval::Metrics])> = tuned.by_cut.rows().collect();
    let at_site = rows
        .iter()
        .find(|(cut, _)| *cut == engine.min_probability())
        .expect("the site's cut is one of the cuts measured");
    let (site, cv) = (&at_site.1[0], &tuned.cross_validated[0]);
    assert_eq!(
        (
            site.answerable_confident,
            site.out_of_scope_not_confident,
            site.first
        ),
        (
            cv.answerable_confident,
            cv.out_of_scope_not_confident,
            cv.first
        )
    );
    for pair in rows.windows(2) {
        let (lower, higher) = (&pair[0].1[0], &pair[1].1[0]);
        assert!(higher.answerable_confident <= lower.answerable_confident);
        assert!(higher.out_of_scope_not_confident >= lower.out_of_scope_not_confident);
    }
}
