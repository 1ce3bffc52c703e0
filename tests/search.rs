//! Search-as-you-type over the default content: the facet counts and the filters they lead to.

mod common;
use spravka::search::{SearchEngine, SearchRequest};

fn search(
    engine: &SearchEngine,
    query: &str,
    section: Option<&str>,
    tag: Option<&str>,
) -> spravka::search::SearchResponse {
    engine.search(&SearchRequest {
        query: query.into(),
        limit: 10,
        section: section.map(String::from),
        tag: tag.map(String::from),
    })
}

/// The facets are read from the index's columns, not from the stored pages: each count must
/// still be what its filter keeps, for every section shown and for the tags shown first.
#[test]
fn each_facet_counts_the_matches_its_filter_keeps() {
    let engine = common::default_engine();
    let all = search(&engine, "пропуск", None, None);
    assert!(all.total > 10, "a common word: {} matches", all.total);
    let in_sections: usize = all.facets.sections.iter().map(|f| f.count).sum();
    assert_eq!(in_sections, all.total, "every match is in one section");
    assert!(all.facets.sections.len() >= 2, "{:?}", all.facets.sections);
    assert!(all.facets.tags.len() >= 5, "{:?}", all.facets.tags);
    let counts: Vec<usize> = all.facets.tags.iter().map(|f| f.count).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first: {counts:?}"
    );
    for facet in &all.facets.sections {
        let kept = search(&engine, "пропуск", Some(&facet.name), None);
        assert_eq!(kept.total, facet.count, "section «{}»", facet.name);
        assert!(kept.hits.iter().all(|h| h.section == facet.name));
    }
    let shown = &all.facets.tags[..5];
    assert!(
        shown.iter().any(|f| f.name.contains('е')),
        "a tag to type with ё: {shown:?}"
    );
    for facet in shown {
        let kept = search(&engine, "пропуск", None, Some(&facet.name));
        assert_eq!(kept.total, facet.count, "tag «{}»", facet.name);
        // Typed as a writer may: capitals, ё for е. Tags are read that way too.
        let typed = facet.name.to_uppercase().replace('Е', "Ё");
        let kept = search(&engine, "пропуск", None, Some(&typed));
        assert_eq!(kept.total, facet.count, "tag typed «{typed}»");
    }
}

/// A search box shows a few facets, so the response names only the most frequent
/// (`FACET_VALUES`), and they are the most frequent: every tag of the base, counted through
/// its filter, and the top of that list must be what the facets say.
#[test]
fn the_facets_name_only_the_most_frequent() {
    let engine = common::default_engine();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = spravka::site::Site::load(root, spravka::config::Config::default());
    let all = search(&engine, "пропуск", None, None);
    let mut counted: Vec<(String, usize)> = site
        .tags
        .keys()
        .map(|tag| {
            (
                tag.clone(),
                search(&engine, "пропуск", None, Some(tag)).total,
            )
        })
        .filter(|&(_, n)| n > 0)
        .collect();
    assert!(
        counted.len() > spravka::search::FACET_VALUES,
        "the content has more tags among the matches ({}) than are shown",
        counted.len()
    );
    // Most first, equal counts by name.
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted.truncate(spravka::search::FACET_VALUES);
    let shown: Vec<(String, usize)> = all
        .facets
        .tags
        .iter()
        .map(|f| (f.name.clone(), f.count))
        .collect();
    assert_eq!(shown, counted);
}

/// A synonym group may name a word no page uses (the customers' or the staff's own word:
/// «барьер», «грз», «тачка»): the word is searched through its group's other words, in search
/// and in suggest, and does not count as a word the base has never seen. Before, the word
/// was dropped as unknown before the groups were read, and such an entry did nothing.
#[test]
fn a_synonym_no_page_uses_is_searched_through_its_group() {
    use spravka::search::vocabulary::Origin;
    let engine = common::default_engine();
    let searcher = engine.searcher();
    // What the first answer's title says (the barrier articles are several).
    for (word, ticket, article) in [
        ("барьер", "барьер не поднимается", "шлагбаум"),
        (
            "грз",
            "грз не распознаётся камерой",
            "номер автомобиля распознается с ошибками",
        ),
    ] {
        let read = engine.text_terms(&searcher, ticket, Default::default());
        let own: Vec<_> = read.terms.iter().filter(|t| t.word == word).collect();
        assert!(!own.is_empty(), "{word}: searched through its group");
        assert!(
            own.iter().all(|t| t.origin == Origin::Synonym),
            "the premise: no page says «{word}»: {own:?}"
        );
        assert_eq!(read.unknown_words, 0, "{ticket}");
        let found = search(&engine, word, None, None);
        assert!(found.total > 0, "«{word}» finds its group's pages");
        // Without the article model, which knows how tickets put these problems: the
        // synonym alone must find the article.
        let options = spravka::search::SuggestOptions {
            articles: false,
            ..Default::default()
        };
        let response = engine.suggest_with(ticket, 3, options, engine.model());
        let first = &response.suggestions.first().expect("an answer").hit.title;
        assert!(first.to_lowercase().contains(article), "{ticket}: {first}");
    }
}
