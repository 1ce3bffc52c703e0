//! The phrase bonus over the first found gives what one query of every clause gives.

use super::*;
use crate::search::model::SuggestModel;
use crate::search::vocabulary::Forgiveness;
use tantivy::collector::TopDocs;

/// A base of 300 pages, many more than the phrase bonus reads for the three asked for,
/// where the pages with the ticket's words together are not those with the most of them.
fn base() -> crate::testing::TempSite {
    let site = crate::testing::TempSite::new();
    let words = [
        "шлагбаум",
        "пропуск",
        "охрана",
        "камера",
        "номер",
        "въезд",
        "гость",
    ];
    let mut seed: u32 = 7;
    for page in 0..300 {
        let mut body = String::new();
        for _ in 0..40 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            body.push_str(words[(seed >> 16) as usize % words.len()]);
            body.push(' ');
        }
        if page % 37 == 5 {
            body.push_str("\n\nНе открывается шлагбаум на въезде.\n");
        }
        site.write(
            &format!("Статьи/Страница {page}.md"),
            &format!("# Страница {page}\n\n{body}\n"),
        );
    }
    site
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
        !clauses.phrases.is_empty(),
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
    all.extend(
        clauses
            .phrases
            .into_iter()
            .map(|p| (Occur::Should, Box::new(p) as Box<dyn Query>)),
    );
    let expected = searcher
        .search(
            &BooleanQuery::new(all),
            &TopDocs::with_limit(3).order_by_score(),
        )
        .unwrap();
    let query = engine.ticket_query(&searcher, &terms, &ranking).unwrap();
    let found = query.top(&searcher, 3);
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
