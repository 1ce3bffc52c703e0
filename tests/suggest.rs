//! Suggest on the default knowledge base: the project's own tickets find their article, each
//! technique of ticket understanding makes its difference, out-of-scope tickets are not
//! confident, and the CLI prints the JSON contract (`spravka tune`: tests/tune.rs).

mod common;
use spravka::search::{Forgiveness, SearchEngine, SuggestOptions};
use std::path::Path;

fn engine() -> SearchEngine {
    common::default_engine()
}

/// The shipped article model knows the default base's articles; over a base of other
/// documents (a department's own, before `spravka tune`) it knows none and is left out, so
/// that every article there reads as unknown rather than as one no ticket was answered by:
/// the probability is then what the confidence model gives with the affinity at its mean.
#[test]
fn an_article_model_that_knows_no_page_of_the_base_is_left_out() {
    assert!(engine().model().articles.is_some());
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    let site = spravka::site::Site::load(&root, spravka::config::Config::default());
    let shipped = spravka::search::SuggestModel::default();
    let foreign = spravka::search::engine_in_ram(&site, shipped.clone()).unwrap();
    assert!(foreign.model().articles.is_none());
    let without = spravka::search::SuggestModel {
        articles: None,
        ..shipped
    };
    let by_hand = spravka::search::engine_in_ram(&site, without).unwrap();
    let ticket = "первый документ не открывается";
    assert_eq!(foreign.suggest(ticket, 3), by_hand.suggest(ticket, 3));
    assert!(!foreign.suggest(ticket, 3).suggestions.is_empty());
}

/// Asking for more suggestions never changes the first ones: only the pool (the first 20
/// found and the article model's nominees) gains by the article model and by the section
/// match, which is the pool tuning measures. (An article found 25th with a high affinity once
/// came first when 50 were asked for; a nominee found 25th once stayed out of the pool.)
#[test]
fn asking_for_more_suggestions_keeps_the_first_answer() {
    let engine = engine();
    for ticket in project_tickets("tickets.jsonl").iter().step_by(4) {
        let few = engine.suggest(&ticket.text, 5);
        let many = engine.suggest(&ticket.text, 50);
        // Their order and their probabilities.
        let firsts = |r: &spravka::search::SuggestResponse| -> Vec<(String, f32)> {
            r.suggestions
                .iter()
                .take(5)
                .map(|s| (s.hit.path.clone(), s.probability))
                .collect()
        };
        assert_eq!(firsts(&few), firsts(&many), "{}", ticket.id);
        assert_eq!(few.confident, many.confident, "{}", ticket.id);
    }
}

/// A sample of the project's tickets (every seventh) finds its article in the top 3 (the
/// shipped model was fitted on them: this guards against breaking suggest, while the honest,
/// cross-validated figures are in BENCHMARKS.md).
#[test]
fn project_tickets_find_their_article_in_the_top_three() {
    let engine = engine();
    let tickets = project_tickets("tickets.jsonl");
    let sample: Vec<_> = tickets
        .iter()
        .step_by(7)
        .filter(|t| !t.expected.is_empty())
        .collect();
    let found = sample
        .iter()
        .filter(|t| {
            engine
                .suggest(&t.text, 3)
                .suggestions
                .iter()
                .any(|s| t.expected.contains(&s.hit.path))
        })
        .count();
    assert!(
        found * 100 >= sample.len() * 85,
        "{found} of {}",
        sample.len()
    );
}

/// Suggestions come in the order of their search score (section pages aside), each with the
/// model's probability: ordering by the probability was measured and dropped (BENCHMARKS.md,
/// issue 13's second pass), and this pins the choice.
#[test]
fn suggestions_are_ordered_by_search_score() {
    let engine = engine();
    let tickets = project_tickets("tickets.jsonl");
    for t in tickets.iter().step_by(5) {
        let articles: Vec<_> = engine
            .suggest(&t.text, 5)
            .suggestions
            .into_iter()
            .filter(|s| !s.hit.path.ends_with("README.md"))
            .collect();
        for pair in articles.windows(2) {
            assert!(
                pair[0].hit.score >= pair[1].hit.score,
                "{}: {:?}",
                t.id,
                pair
            );
        }
    }
}

/// One of the project's ticket files under eval/.
fn project_tickets(file: &str) -> Vec<spravka::search::eval::Ticket> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("eval")
        .join(file);
    spravka::search::eval::read_tickets(&path).unwrap()
}

/// The held-out operators' questions (never tuned on; `examples/relevance` measures them)
/// each expect only regulations that exist, every regulation is expected, and the shipped
/// model still puts a regulation first for 34 or more of them and the expected one for 30 %
/// (floors under today's figures, not the target).
#[test]
fn held_out_operators_questions_expect_regulations() {
    use spravka::search::index::Role;
    let engine = engine();
    let searcher = engine.searcher();
    let tickets = project_tickets("operator-questions.jsonl");
    assert_eq!(tickets.len(), 60);
    let mut expected = std::collections::BTreeSet::new();
    for t in &tickets {
        assert_eq!(t.style, "regulation", "{}", t.id);
        for p in &t.expected {
            assert_eq!(
                engine.role_of_path(&searcher, p),
                Some(Role::Regulation),
                "{}: {p}",
                t.id
            );
            expected.insert(p.clone());
        }
    }
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let regulations: std::collections::BTreeSet<String> = walkdir::WalkDir::new(&content)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            p.strip_prefix(&content)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|p| engine.role_of_path(&searcher, p) == Some(Role::Regulation))
        .collect();
    assert_eq!(
        expected, regulations,
        "every regulation answers some question"
    );
    let regulation_first = tickets
        .iter()
        .filter(|t| {
            let top = engine.suggest(&t.text, 1).suggestions;
            top.first().is_some_and(|s| {
                engine.role_of_path(&searcher, &s.hit.path) == Some(Role::Regulation)
            })
        })
        .count();
    assert!(regulation_first >= 34, "{regulation_first} of 60");
    let metrics = spravka::search::eval::measure(&engine, &tickets, SuggestOptions::default());
    assert!(metrics.recall_at_1() >= 0.3, "{metrics:?}");
}

/// `eval/operator-voices.jsonl` (never tuned on): three more writers' operators' questions,
/// each labelled with what answers it: the procedural ones with regulations, the relayed
/// customer problems with customer articles. The shipped model answers every relayed problem
/// with an article and puts the expected regulation first for a third of the procedural ones
/// (floors under today's figures, not the target).
#[test]
fn held_out_operator_voices_expect_their_kind_of_answer() {
    use spravka::search::index::Role;
    let engine = engine();
    let searcher = engine.searcher();
    let tickets = project_tickets("operator-voices.jsonl");
    assert_eq!(tickets.len(), 120);
    let (procedural, relayed): (Vec<_>, Vec<_>) =
        tickets.into_iter().partition(|t| t.style == "regulation");
    assert_eq!((procedural.len(), relayed.len()), (75, 45));
    for (set, regulation) in [(&procedural, true), (&relayed, false)] {
        for t in set.iter() {
            assert_eq!(t.channel, "operator", "{}", t.id);
            for p in &t.expected {
                let role = engine.role_of_path(&searcher, p);
                assert!(role.is_some(), "{}: {p} is not a document", t.id);
                assert_eq!(role == Some(Role::Regulation), regulation, "{}: {p}", t.id);
            }
        }
    }
    let measured = |set: &[spravka::search::eval::Ticket]| {
        spravka::search::eval::measure(&engine, set, SuggestOptions::default()).recall_at_1()
    };
    let (procedural, relayed) = (measured(&procedural), measured(&relayed));
    assert!(relayed >= 0.9, "relayed customer problems: R@1 {relayed}");
    assert!(procedural >= 0.3, "procedural questions: R@1 {procedural}");
}

/// The outside dev tickets exist only on the project's machines; they are measured (never
/// tuned on) when present.
#[test]
fn outside_dev_tickets_when_present() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/dev-tickets.jsonl");
    if !path.exists() {
        // Past the harness's capture, so that `cargo test` shows it although the test passes.
        let line = format!(
            "outside dev tickets skipped: {} does not exist (only the project's machines have it)\n",
            path.display()
        );
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        return;
    }
    let engine = engine();
    let tickets = spravka::search::eval::read_tickets(&path).unwrap();
    let metrics = spravka::search::eval::measure(&engine, &tickets, SuggestOptions::default());
    eprintln!(
        "outside dev tickets checked: Recall@3 {:.3} over {} answerable",
        metrics.recall_at_3(),
        metrics.answerable
    );
    assert!(metrics.recall_at_3() >= 0.9, "{metrics:?}");
}

#[test]
fn messy_tickets_still_match() {
    let engine = engine();
    for (text, expected) in [
        (
            "шлагбам не открываеться по номеру машины",
            "Шлагбаум не открывается по номеру автомобиля",
        ),
        (
            "ne prihodit sms s kodom",
            "Не приходит SMS с кодом подтверждения",
        ),
        (
            "ghbkj;tybt yt pfgecrftncz yf fylhjbl",
            "Приложение не запускается на Android",
        ),
        (
            "Добрый день! Охранник на КПП не видит заявку на гостя. С уважением, кв. 12",
            "Охрана не видит пропуск на посту",
        ),
    ] {
        let response = engine.suggest(text, 3);
        let titles: Vec<&str> = response
            .suggestions
            .iter()
            .map(|s| s.hit.title.as_str())
            .collect();
        assert!(titles.contains(&expected), "{text}: {titles:?}");
    }
}

#[test]
fn out_of_scope_tickets_are_not_confident() {
    let engine = engine();
    for text in [
        "Спасибо за помощь, всё заработало!",
        "спасибо, всё работает",
        "Предлагаем услуги по продвижению сайта в поисковых системах",
        "В подъезде не работает лифт",
    ] {
        assert!(!engine.suggest(text, 5).confident, "{text}");
    }
}

/// The CLI's words for a ticket below the threshold are the suggest page's: «no article» only
/// when nothing was found, else a request to check what is listed.
#[test]
fn cli_says_no_article_only_when_nothing_was_found() {
    let mut f = common::Fixture::default_content();
    f.run(&["suggest", "спасибо, всё работает"]).success();
    let weak = f.stdout().to_string();
    assert!(weak.contains("Уверенного совпадения нет"), "{weak}");
    assert!(!weak.contains("Подходящей статьи нет"), "{weak}");
    f.run(&["suggest", "ъъъ ыыы"]).success();
    let none = f.stdout().to_string();
    assert!(none.contains("Подходящей статьи нет"), "{none}");
    assert!(!none.contains("Уверенного совпадения нет"), "{none}");
}

#[test]
fn cli_json_matches_the_contract() {
    let mut f = common::Fixture::default_content();
    f.run(&[
        "suggest",
        "--json",
        "--limit",
        "2",
        "QR-код гостя не считывается турникетом",
    ])
    .success();
    let json: serde_json::Value = serde_json::from_str(&f.stdout()).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["confident", "intent", "suggestions"]);
    assert_eq!(json["intent"], "problem");
    let first = json["suggestions"][0].as_object().unwrap();
    for key in [
        "path",
        "title",
        "url",
        "score",
        "snippet",
        "matched_terms",
        "matched",
        "probability",
    ] {
        assert!(first.contains_key(key), "{key}");
    }
    let p = first["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p), "{p}");
    let matched = first["matched"].as_object().unwrap();
    let fields: Vec<&str> = matched.keys().map(String::as_str).collect();
    assert_eq!(fields, ["body", "symptoms", "title"]);
    assert!(
        matched["title"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "qr"),
        "{matched:?}"
    );
    assert_eq!(
        first["path"],
        "База типичных запросов/QR-код пропуска не считывается.md"
    );
}

/// The confidence threshold is the site's own (`[suggest] min_probability` in spravka.toml),
/// for the CLI, the server and the operator page's «likely» badge alike.
#[test]
fn the_confidence_threshold_comes_from_spravka_toml() {
    // A match the defaults trust but not blindly (probability about 0.6): the shipped model
    // is sure of a plainer ticket past any cut short of one.
    let ticket = "гость не может пройти по коду";
    let confident = |f: &mut common::Fixture| {
        f.run(&["suggest", "--json", ticket]).success();
        let json: serde_json::Value = serde_json::from_str(&f.stdout()).unwrap();
        assert_eq!(
            json["suggestions"][0]["path"],
            "База типичных запросов/QR-код пропуска не считывается.md"
        );
        json["confident"].as_bool().unwrap()
    };
    let mut f = common::Fixture::default_content();
    assert!(confident(&mut f), "the defaults trust this match");
    f.write("spravka.toml", "[suggest]\nmin_probability = 0.95\n");
    assert!(!confident(&mut f), "a stricter site threshold does not");
    let state = spravka::serve::state(f.root(), &f.root().join(".cache"), false).unwrap();
    assert!(
        !state.current().engine.suggest(ticket, 3).confident,
        "serve reads it too"
    );
    f.run(&["build"]).success();
    let page = std::fs::read_to_string(f.root().join("public/podbor/index.html")).unwrap();
    assert!(
        page.contains(r#"data-min-probability="0.95""#),
        "the operator page marks a suggestion likely from the same threshold"
    );
    f.write("spravka.toml", "[suggest]\nmin_probabilty = 0.5\n");
    f.run(&["suggest", ticket]);
    assert!(f.stderr().contains("spravka.toml:2:"), "{}", f.stderr());
}

/// Each correction proves itself: with it off the misspelt ticket finds nothing, with it on the
/// right article comes first and the ticket's own misspelt word is shown as matched.
#[test]
fn each_correction_is_what_makes_the_match() {
    let engine = engine();
    let without = |forgiveness| SuggestOptions {
        forgiveness,
        ..Default::default()
    };
    for (text, off, expected_title) in [
        (
            "шлагбам",
            without(Forgiveness {
                fuzzy: false,
                ..Default::default()
            }),
            "Шлагбаум",
        ),
        (
            "shlagbaum",
            without(Forgiveness {
                transliteration: false,
                ..Default::default()
            }),
            "Шлагбаум",
        ),
        (
            "ikfu,fev",
            without(Forgiveness {
                transliteration: false,
                ..Default::default()
            }),
            "Шлагбаум",
        ),
        // «приложение не запускается»: the word alone is vague (the regulation for a cause
        // that is not obvious may come first), the problem is not.
        (
            "ghbkj;tybt yt pfgecrftncz",
            without(Forgiveness {
                transliteration: false,
                ..Default::default()
            }),
            "Приложение не запускается",
        ),
    ] {
        assert!(
            engine
                .suggest_with(text, 3, off, engine.model())
                .suggestions
                .is_empty(),
            "{text} matched without the correction"
        );
        let on = engine.suggest(text, 3);
        let first = on
            .suggestions
            .first()
            .unwrap_or_else(|| panic!("{text}: nothing"));
        assert!(
            first
                .hit
                .title
                .to_lowercase()
                .contains(&expected_title.to_lowercase()),
            "{text}: {}",
            first.hit.title
        );
        let misspelt = text.split(' ').next().unwrap();
        assert!(
            first.matched_terms.iter().any(|t| t == misspelt),
            "{text}: {:?}",
            first.matched_terms
        );
    }
    // The word alone names no problem (the regulation for an unclear cause may come first), but
    // read through the layout it still brings the app's articles into the first three.
    let vague = engine.suggest("ghbkj;tybt", 3);
    assert!(
        vague
            .suggestions
            .iter()
            .any(|s| s.hit.title.starts_with("Приложение")),
        "{:?}",
        vague
            .suggestions
            .iter()
            .map(|s| &s.hit.title)
            .collect::<Vec<_>>()
    );
}

/// Snippets show the article's own text: never its H1 again, never the metadata table, even
/// when the query's words are those of the title.
#[test]
fn snippets_skip_the_title_and_the_metadata_table() {
    let engine = engine();
    let request = spravka::search::SearchRequest {
        query: "шлагбаум не открывается из приложения".into(),
        limit: 10,
        section: None,
        tag: None,
    };
    let hits = engine.search(&request).hits;
    assert!(hits.len() >= 3);
    let ticket = engine.suggest("Не открывается шлагбаум из приложения, жму кнопку", 5);
    let snippets = hits.iter().map(|h| (&h.title, &h.snippet)).chain(
        ticket
            .suggestions
            .iter()
            .map(|s| (&s.hit.title, &s.hit.snippet)),
    );
    for (title, snippet) in snippets {
        assert!(
            !snippet.contains("Метаданные документа") && !snippet.contains("Дата создания"),
            "{title}: {snippet}"
        );
        assert!(
            !snippet
                .replace("<mark>", "")
                .replace("</mark>", "")
                .starts_with(title.as_str()),
            "{title}: {snippet}"
        );
    }
}

/// Found by the `ticket_analysis` fuzz target: a transliterated word after a no-break space
/// (two bytes in UTF-8) sliced the ticket inside that character and panicked.
#[test]
fn a_latin_word_after_a_no_break_space_is_read_as_russian() {
    let engine = engine();
    for space in ['\u{a0}', '\u{2003}', '\u{3000}'] {
        let ticket = format!("Здравствуйте,{space}shlagbaum ne otkryvaetsya po nomeru");
        let response = engine.suggest(&ticket, 3);
        let top = &response.suggestions.first().expect("an answer").hit.path;
        assert!(top.contains("Шлагбаум"), "{space:?}: {top}");
    }
}

/// «yt», «lkz», «xnj» are «не», «для», «что» typed on the wrong layout: stop words, not words
/// the base has never seen. Counted as unknown they made a ticket typed on the wrong layout
/// look half unanswerable, and suggest was rarely confident on one.
#[test]
fn stop_words_on_the_wrong_layout_are_not_unknown_words() {
    let engine = engine();
    let searcher = engine.searcher();
    let russian = "не приходит код для входа, что делать";
    let wrong_layout = "yt ghb[jlbn rjl lkz d[jlf? xnj ltkfnm";
    let read = |text| engine.text_terms(&searcher, text, Forgiveness::default());
    let (a, b) = (read(russian), read(wrong_layout));
    assert_eq!(a.unknown_words, 0);
    assert_eq!((b.unknown_words, b.words), (a.unknown_words, a.words));
    let top = |text| engine.suggest(text, 1).suggestions[0].clone();
    let (a, b) = (top(russian), top(wrong_layout));
    assert_eq!(a.hit.path, b.hit.path);
    assert!(
        (a.probability - b.probability).abs() < 0.02,
        "{} against {}",
        a.probability,
        b.probability
    );
}

/// More suggestions than the model's usual pool of 20 can be asked for (the API allows 50).
#[test]
fn a_limit_past_the_pool_is_honoured() {
    let ticket = "пропуск шлагбаум приложение охрана смс код житель обращение клиент отчёт";
    let count = engine().suggest(ticket, 30).suggestions.len();
    assert!(count > 20, "{count}");
}

/// A long page names the section whose words matched best, with a link to its heading; a
/// short article, read whole, names none. Without the heading's boost the regulation's
/// «Краткое описание», which mentions every topic, was named instead.
#[test]
fn a_long_page_names_the_section_that_matched() {
    let engine = engine();
    let response = engine.suggest("какие коды закрытия бывают и какой ставить", 3);
    let top = &response.suggestions[0];
    assert_eq!(top.hit.path, "Регламенты/Закрытие обращения.md");
    let heading = top.heading.as_ref().expect("a regulation is a long page");
    assert_eq!(heading.title, "Коды закрытия");
    assert_eq!(heading.url, format!("{}#коды-закрытия", top.hit.url));
    let response = engine.suggest("не приходит смс с кодом", 3);
    let top = &response.suggestions[0];
    assert_eq!(
        top.hit.path,
        "База типичных запросов/Не приходит SMS с кодом подтверждения.md"
    );
    assert_eq!(top.heading, None, "a typical article is read whole");
    let json = serde_json::to_value(&response).unwrap();
    assert!(json["suggestions"][0].get("heading").is_none(), "{json}");
}
