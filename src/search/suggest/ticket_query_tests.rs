//! The phrase bonus over the first found gives what one query of every clause gives, and
//! the index's order of the articles tied at a cut decides nothing.

use super::*;
use crate::search::model::SuggestModel;
use crate::search::vocabulary::Forgiveness;
use tantivy::collector::TopDocs;
use tantivy::query::PhraseQuery;

/// Words of a department's base, the filler of the generated pages.
const WORDS: [&str; 24] = [
    "шлагбаум",
    "пропуск",
    "охрана",
    "камера",
    "номер",
    "въезд",
    "гость",
    "жилец",
    "двор",
    "ворота",
    "парковка",
    "брелок",
    "домофон",
    "подъезд",
    "консьерж",
    "турникет",
    "квитанция",
    "диспетчер",
    "курьер",
    "такси",
    "доставка",
    "калитка",
    "забор",
    "лифт",
];

/// The next number of a linear congruential generator: the same pages on every run.
fn next(seed: &mut u32) -> u32 {
    *seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
    *seed >> 16
}

/// A base of 300 pages, page `n` with the body `body(n, seed)`.
fn pages(
    mut seed: u32,
    mut body: impl FnMut(usize, &mut u32) -> String,
) -> crate::testing::TempSite {
    let site = crate::testing::TempSite::new();
    for page in 0..300 {
        let body = body(page, &mut seed);
        site.write(
            &format!("Статьи/Страница {page}.md"),
            &format!("# Страница {page}\n\n{body}\n"),
        );
    }
    site
}

/// A base of 300 pages, many more than the phrase bonus reads for the three asked for,
/// where the pages with the ticket's words together are not those with the most of them.
fn base() -> crate::testing::TempSite {
    pages(7, |page, seed| {
        let mut body = String::new();
        for _ in 0..40 {
            body.push_str(WORDS[next(seed) as usize % 7]);
            body.push(' ');
        }
        if page % 37 == 5 {
            body.push_str("\n\nНе открывается шлагбаум на въезде.\n");
        }
        body
    })
}

#[test]
fn the_phrase_bonus_over_the_first_found_ranks_as_every_clause_at_once() {
    let site_dir = base();
    let site = crate::site::Site::load(site_dir.root(), crate::config::Config::default());
    let engine = crate::search::engine_in_ram(&site, SuggestModel::default()).unwrap();
    let searcher = engine.searcher();
    let ranking = SuggestModel::default().ranking;
    let text = "шлагбаум не открывается на въезде, гость ждёт";
    let terms = engine
        .text_terms(&searcher, text, Forgiveness::default())
        .terms;
    let clauses = engine.ticket_clauses(&terms, &ranking);
    assert!(
        !clauses.pairs.is_empty(),
        "the ticket has neighbouring words"
    );
    let terms_alone = BooleanQuery::new(
        clauses
            .terms
            .iter()
            .map(|(o, q)| (*o, q.box_clone()))
            .collect(),
    );
    let by_terms = searcher
        .search(&terms_alone, &TopDocs::with_limit(3).order_by_score())
        .unwrap();
    let mut all = clauses.terms;
    // Tantivy's sloppy phrases count as the pairs do in this base: a pair's words stand in
    // every page (neither is the rarer, so tantivy keeps the ticket's order) or one of them
    // at most once in a page (`near_pairs` says where they differ).
    all.extend(clauses.pairs.iter().map(|(field, first, second)| {
        let mut phrase = PhraseQuery::new(vec![
            Term::from_field_text(*field, first),
            Term::from_field_text(*field, second),
        ]);
        phrase.set_slop(super::super::near_pairs::SLOP);
        let boosted = BoostQuery::new(Box::new(phrase), PHRASE_BOOST);
        (Occur::Should, Box::new(boosted) as Box<dyn Query>)
    }));
    let expected = searcher
        .search(
            &BooleanQuery::new(all),
            &TopDocs::with_limit(3).order_by_score(),
        )
        .unwrap();
    let query = engine.ticket_query(&searcher, &terms, &ranking).unwrap();
    let mut found = query.top(&searcher, 3);
    found.truncate(expected.len());
    let addresses = |hits: &[(f32, DocAddress)]| hits.iter().map(|h| h.1).collect::<Vec<_>>();
    assert_eq!(
        addresses(&found),
        addresses(&expected),
        "{found:?} against {expected:?}"
    );
    for ((score, _), (reference, _)) in found.iter().zip(&expected) {
        assert!(
            (score - reference).abs() < 1e-4 * reference,
            "{score} against {reference}"
        );
    }
    assert_ne!(
        addresses(&by_terms),
        addresses(&expected),
        "the phrases must reorder"
    );
    let paths = engine.paths(&searcher, &addresses(&found));
    let with_the_sentence = |p: &String| {
        let page: u32 = p
            .trim_start_matches("Статьи/Страница ")
            .trim_end_matches(".md")
            .parse()
            .unwrap();
        page % 37 == 5
    };
    assert!(paths.iter().all(with_the_sentence), "{paths:?}");
    let at = query.scores_at(&searcher, &addresses(&expected));
    for (score, (reference, _)) in at.iter().zip(&expected) {
        assert!(
            (score - reference).abs() < 1e-4 * reference,
            "{score} against {reference}"
        );
    }
}

/// Asking for more never changes the first ones, even where an article below the first
/// [`BONUS_SCORED`] by its words would overtake them by its phrases: 296 pages of 24 words
/// (each in two pages of three) and the words of a phrase (each in one of two, apart), and
/// four short pages that hold the phrase the ticket ends with.
#[test]
fn asking_for_more_articles_keeps_the_first() {
    const PHRASE: &str = "зелёный свет горит ярко мигает";
    let site = pages(11, |page, seed| {
        let mut body = String::from("текст ");
        for word in WORDS {
            if page < 296 && !next(seed).is_multiple_of(3) {
                body.push_str(word);
                body.push(' ');
            }
        }
        if page >= 296 {
            body.push_str(PHRASE);
        }
        for word in PHRASE.split(' ').filter(|_| page < 296) {
            if next(seed).is_multiple_of(2) {
                // Too far from each other to be a phrase.
                body.push_str(&format!("{word} текст текст текст "));
            }
        }
        body
    });
    let site = crate::site::Site::load(site.root(), crate::config::Config::default());
    let engine = crate::search::engine_in_ram(&site, SuggestModel::default()).unwrap();
    let searcher = engine.searcher();
    let ranking = SuggestModel::default().ranking;
    // «бла» is no word of the base: the ticket's words are not neighbours but the phrase's.
    let text = format!("{} {PHRASE}", WORDS.join(" бла "));
    let terms = engine
        .text_terms(&searcher, &text, Forgiveness::default())
        .terms;
    let query = engine.ticket_query(&searcher, &terms, &ranking).unwrap();
    let path = |address: DocAddress| engine.paths(&searcher, &[address]).remove(0);
    let lifted = |p: &String| {
        p.ends_with(" 296.md")
            || p.ends_with(" 297.md")
            || p.ends_with(" 298.md")
            || p.ends_with(" 299.md")
    };
    let mut by_terms = query.by_terms(&searcher);
    by_terms.sort_by(|a, b| b.0.total_cmp(&a.0));
    let rank = by_terms.iter().position(|f| lifted(&path(f.1))).unwrap();
    assert!(
        rank >= BONUS_SCORED,
        "the phrase's pages come {rank}th by their words"
    );
    let first = query.top(&searcher, POOL);
    let all = query.top(&searcher, 300);
    assert!(
        lifted(&path(all[BONUS_SCORED].1)),
        "the bonus lifts the phrase's pages among the rest"
    );
    assert!(
        first.iter().all(|f| !lifted(&path(f.1))),
        "found below the first {BONUS_SCORED}"
    );
    let first_of_all: Vec<DocAddress> = all[..first.len()].iter().map(|f| f.1).collect();
    assert_eq!(first.iter().map(|f| f.1).collect::<Vec<_>>(), first_of_all);
}

/// Thirty pages that answer a ticket alike, more than the pool holds: whether the index holds
/// them first to last or last to first, the pool holds them all and the answer is the same
/// (the first five by path).
#[test]
fn articles_tied_at_the_pool_cut_answer_alike_in_any_index_order() {
    let dir = crate::testing::TempSite::new();
    for page in 0..30 {
        dir.write(
            &format!("Статьи/Страница {page:02}.md"),
            &format!("# Страница {page:02}\n\nНе открывается шлагбаум на въезде.\n"),
        );
    }
    let site = crate::site::Site::load(dir.root(), crate::config::Config::default());
    let answer = |index: tantivy::Index| {
        let synonyms = crate::search::load_synonyms(&site).unwrap();
        let engine = SearchEngine::new(index, synonyms)
            .unwrap()
            .with_suggest(site.config.suggest.clone(), SuggestModel::default());
        let response = engine.suggest("не открывается шлагбаум", 5);
        let paths = response.suggestions.iter().map(|s| s.hit.path.clone());
        paths.collect::<Vec<String>>()
    };
    let forward: Vec<usize> = (0..site.pages.len()).collect();
    let backward: Vec<usize> = forward.iter().rev().copied().collect();
    let build = |order| crate::search::index::build_in_ram_in_segments(&site, &[order]).unwrap();
    let (forward, backward) = (answer(build(forward)), answer(build(backward)));
    let first_five: Vec<String> = (0..5)
        .map(|page| format!("Статьи/Страница {page:02}.md"))
        .collect();
    assert_eq!(forward, first_five);
    assert_eq!(backward, first_five);
}

/// The same article scores the same for a pair of the ticket's words in every segment, even
/// where one word is the rarer in one segment and the other in the next (tantivy's sloppy
/// phrase counted this article's pair once or twice by which: `near_pairs`).
#[test]
fn a_pair_scores_alike_in_segments_where_either_word_is_the_rarer() {
    let dir = crate::testing::TempSite::new();
    let pair = "пропуск шлагбаум пропуск гость шлагбаум гость";
    dir.write("Статьи/Первая.md", &format!("# Первая\n\n{pair}\n"));
    dir.write("Статьи/Вторая.md", &format!("# Вторая\n\n{pair}\n"));
    for n in 0..3 {
        dir.write(
            &format!("Пропуска/{n}.md"),
            &format!("# Пропуск {n}\n\nпропуск\n"),
        );
        dir.write(&format!("Гости/{n}.md"), &format!("# Гость {n}\n\nгость\n"));
    }
    let site = crate::site::Site::load(dir.root(), crate::config::Config::default());
    let ids = |prefix: &str| -> Vec<usize> {
        (0..site.pages.len())
            .filter(|&i| site.pages[i].doc.rel_path.starts_with(prefix))
            .collect()
    };
    let first = [ids("Статьи/Первая"), ids("Пропуска/")].concat();
    let second = [ids("Статьи/Вторая"), ids("Гости/")].concat();
    let index = crate::search::index::build_in_ram_in_segments(&site, &[first, second]).unwrap();
    let engine = SearchEngine::new(index, crate::search::synonyms::Synonyms::default()).unwrap();
    let searcher = engine.searcher();
    assert_eq!(searcher.segment_readers().len(), 2);
    let ranking = SuggestModel::default().ranking;
    let terms = engine
        .text_terms(&searcher, "пропуск гость", Forgiveness::default())
        .terms;
    let query = engine.ticket_query(&searcher, &terms, &ranking).unwrap();
    let articles = ["Статьи/Первая.md", "Статьи/Вторая.md"]
        .map(|path| engine.address_of_path(&searcher, path).unwrap());
    let pairs = sum_at(&searcher, None, &query.pairs, &articles);
    assert!(pairs[0] > 0.0, "the pair stands in the articles");
    assert_eq!(pairs[0], pairs[1]);
    let scores = query.scores_at(&searcher, &articles);
    assert!(ties(scores[0], scores[1]), "{scores:?}");
}
