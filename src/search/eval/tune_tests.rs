//! Tests of tuning: what it measures is what suggest serves.

use super::*;
use crate::search::suggest::order;

/// What tuning measures is what suggest serves: a ticket's outcome as the tuning
/// describes it (a pool found once per ranking and set of nominees, then each fold's reading
/// and affinities applied) has the same order and the same features as suggest's, for the
/// shipped model; the third ticket's answer is in the pool only as the article model's
/// nominee.
#[test]
fn tuning_describes_a_ticket_as_suggest_serves_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = crate::site::Site::load(root, crate::config::Config::default());
    let model = SuggestModel::default();
    let engine = crate::search::engine_in_ram(&site, model.clone()).unwrap();
    let tickets: Vec<Ticket> = [
        "клиент пишет, что на андроиде приложение закрывается сразу при запуске. какие \
         данные у него запросить?",
        "камера путает буквы в номере машины, шлагбаум не поднимается",
        "можно ли главному инженеру УК отвечать техническим языком, без упрощений?",
        "Продаёте ли вы видеодомофоны для частного дома?",
    ]
    .iter()
    .map(|text| Ticket {
        id: String::new(),
        text: text.to_string(),
        expected: vec![],
        channel: String::new(),
        style: String::new(),
    })
    .collect();
    let options = SuggestOptions::default();
    let texts = BaseTexts::none();
    let mut cache = OutcomeCache::new(&engine, &texts, &tickets, options);
    let procedural = cache.procedural(&model.intent);
    let in_scope = cache.in_scope(&model);
    let affinities = cache.affinities(&model);
    assert!(affinities.iter().all(|a| !a.by_article.is_empty()));
    let reading = (procedural.as_slice(), in_scope.as_slice());
    let tuned = cache.described(&model.ranking, reading, &affinities);
    for (ticket, outcome) in tickets.iter().zip(tuned) {
        let served = super::super::outcome(&engine, ticket, options, &model);
        let described = |o: &Outcome| -> Vec<(String, Features)> {
            order(&o.candidates, options)
                .into_iter()
                .map(|i| (o.candidates[i].path.clone(), o.candidates[i].features))
                .collect()
        };
        assert_eq!(described(&outcome), described(&served), "{}", ticket.text);
        let first = &served.candidates[order(&served.candidates, options)[0]];
        let response = engine.suggest(&ticket.text, 5);
        assert_eq!(response.suggestions[0].hit.path, first.path);
        let probability = model.confidence.probability(&first.features);
        assert!((response.suggestions[0].probability - probability).abs() < 0.001);
    }
    let nominee = "Регламенты/Коммуникация с клиентом.md";
    let tuned = cache.described(&model.ranking, reading, &affinities);
    assert!(tuned[2].candidates.iter().any(|c| c.path == nominee));
    let without = SuggestOptions {
        nominations: false,
        ..options
    };
    let searched = super::super::outcome(&engine, &tickets[2], without, &model);
    assert!(
        !searched.candidates.iter().any(|c| c.path == nominee),
        "the premise: the search alone does not find it"
    );
}
