//! Each technique of ticket understanding earns its place: with it switched off, the ticket
//! below gets a worse answer (or a wrongly sure one); with it on, the right one.

mod common;
use spravka::search::suggest::Intent;
use spravka::search::{SearchEngine, SuggestOptions};

fn engine() -> SearchEngine {
    common::default_engine()
}

fn titles(engine: &SearchEngine, text: &str, options: SuggestOptions) -> Vec<String> {
    first_titles(engine, text, options, 3)
}

fn first_titles(
    engine: &SearchEngine,
    text: &str,
    options: SuggestOptions,
    limit: usize,
) -> Vec<String> {
    engine
        .suggest_with(text, limit, options, engine.model())
        .suggestions
        .into_iter()
        .map(|s| s.hit.title)
        .collect()
}

fn without(f: fn(&mut SuggestOptions)) -> SuggestOptions {
    let mut options = SuggestOptions::default();
    f(&mut options);
    options
}

#[test]
fn a_quoted_earlier_reply_does_not_decide_the_answer() {
    let engine = engine();
    let ticket = "Пропуск для курьера не создаётся, выдаёт ошибку при сохранении.\n\n\
                  > Здравствуйте! Если шлагбаум не открывается по номеру автомобиля, проверьте, \
                  что камера распознаёт номер и номер записан кириллицей.\n\
                  > С уважением, поддержка PASS24";
    // The quoted reply's topic: a barrier that does not read a plate.
    let quoted = [
        "Шлагбаум не открывается по номеру автомобиля",
        "Номер автомобиля распознается с ошибками",
    ];
    let on = titles(&engine, ticket, SuggestOptions::default());
    assert!(
        [
            "Ошибка при создании гостевого пропуска",
            "Разовый пропуск для такси и курьера"
        ]
        .contains(&on[0].as_str()),
        "{on:?}"
    );
    assert!(on.iter().all(|t| !quoted.contains(&t.as_str())), "{on:?}");
    let off = titles(&engine, ticket, without(|o| o.understanding = false));
    assert!(quoted.contains(&off[0].as_str()), "{off:?}");
}

#[test]
fn a_signature_does_not_bring_its_own_articles() {
    let engine = engine();
    let ticket = "Не приходят пуш-уведомления о приезде гостей.\n\nС уважением,\nАнна Смирнова\n\
                  администратор УК, смена номера телефона и доступ в личный кабинет\n\
                  +7 (916) 555-12-34";
    let signature_topic = "Смена номера телефона в учетной записи";
    // The words of the signature an article about the signature's topic matches.
    let signature_words = |options| -> Option<Vec<String>> {
        let response = engine.suggest_with(ticket, 3, options, engine.model());
        let found = response
            .suggestions
            .into_iter()
            .find(|s| s.hit.title == signature_topic)?;
        Some(
            found
                .matched_terms
                .into_iter()
                .filter(|w| ["смена", "номера", "телефона"].contains(&w.as_str()))
                .collect(),
        )
    };
    let on = titles(&engine, ticket, SuggestOptions::default());
    assert_eq!(on[0], "Не приходят push-уведомления");
    let on_words = signature_words(SuggestOptions::default()).unwrap_or_default();
    assert!(on_words.is_empty(), "{on:?}: {on_words:?}");
    let off = signature_words(without(|o| o.understanding = false));
    assert!(
        off.is_some_and(|w| !w.is_empty()),
        "the signature's words bring its topic when off"
    );
}

#[test]
fn an_operators_procedural_question_gets_the_regulation() {
    let engine = engine();
    // «у жителя не работает приложение на айфоне после обновления. заводить задачу разработке
    // или сначала что-то проверить?» was a second example: the article model, since it reads
    // the base's articles, ranks its regulation first with the intent off as well
    // (BENCHMARKS.md, session 30).
    let ticket = "житель пишет, что шлагбаум не открывается из приложения. что у него спросить, \
                  прежде чем передавать дальше?";
    let regulation = "Диагностика проблем";
    let response = engine.suggest(ticket, 3);
    assert_eq!(response.intent, Intent::Procedural, "{ticket}");
    assert_eq!(response.suggestions[0].hit.title, regulation, "{ticket}");
    let off = titles(&engine, ticket, without(|o| o.intent = false));
    assert_ne!(off[0], regulation, "{ticket}: {off:?}");
    assert_eq!(
        engine
            .suggest("шлагбаум не открывается по номеру", 3)
            .intent,
        Intent::Problem
    );
}

/// Regulations share their whole vocabulary, so for a procedural question the one whose best
/// section matches it is raised (`Ranking::procedural_section`): without that, the customer
/// problem the operator quotes wins. The question is written for this test (the article
/// model, fitted since, settles the project's own examples either way): a guard that the
/// technique works, not a measure of it (BENCHMARKS.md has the held-out ablation).
#[test]
fn a_procedural_question_gets_the_regulation_whose_section_answers_it() {
    let engine = engine();
    let mut without_sections = engine.model().clone();
    without_sections.ranking.procedural_section = 0.0;
    assert!(engine.model().ranking.procedural_section > 0.0);
    let ticket = "житель пишет, что шлагбаум не открывается из приложения. что у него спросить, \
                  прежде чем передавать дальше?";
    let response = engine.suggest(ticket, 3);
    assert_eq!(response.intent, Intent::Procedural, "{ticket}");
    assert_eq!(response.suggestions[0].hit.title, "Диагностика проблем");
    let off = engine.suggest_with(ticket, 3, SuggestOptions::default(), &without_sections);
    let top = &off.suggestions[0].hit.path;
    assert_eq!(
        engine.role_of_path(&engine.searcher(), top),
        Some(spravka::search::index::Role::Article),
        "{top}"
    );
}

/// Two problems in one message: the model's ordering keeps an article for each in the top 3
/// (a dedicated second search for the words the first article leaves was tried and removed:
/// it lowered Recall@1 under cross-validation, BENCHMARKS.md).
#[test]
fn two_problems_get_an_article_each_in_the_top_three() {
    let engine = engine();
    for (ticket, first, second) in [
        (
            "Камера не распознаёт номер машины, шлагбаум не открывается. Ещё вопрос: не \
             приходят уведомления в приложении, когда гость приехал",
            "Шлагбаум не открывается по номеру автомобиля",
            "Не приходят push-уведомления",
        ),
        (
            "Не приходит смс с кодом при входе, а ещё отчёт о проходах не выгружается в Excel",
            "Не приходит SMS с кодом подтверждения",
            "Не выгружается отчет о проходах",
        ),
    ] {
        let top = titles(&engine, ticket, SuggestOptions::default());
        for expected in [first, second] {
            assert!(
                top.iter().any(|t| t == expected),
                "{expected} not in {top:?}"
            );
        }
    }
}

#[test]
fn section_pages_never_come_before_an_article() {
    let engine = engine();
    let ticket = "регламенты";
    let on = engine.suggest(ticket, 5);
    assert!(
        !on.suggestions
            .iter()
            .take(3)
            .any(|s| s.hit.path.ends_with("README.md")),
        "{:?}",
        on.suggestions
            .iter()
            .map(|s| &s.hit.path)
            .collect::<Vec<_>>()
    );
    let off = engine.suggest_with(
        ticket,
        5,
        without(|o| o.demote_sections = false),
        engine.model(),
    );
    assert!(off.suggestions[0].hit.path.ends_with("README.md"));
}

#[test]
fn matched_words_are_grouped_by_field() {
    let engine = engine();
    let response = engine.suggest("не приходит смс с кодом подтверждения", 1);
    let top = &response.suggestions[0];
    assert_eq!(top.hit.title, "Не приходит SMS с кодом подтверждения");
    for word in ["кодом", "подтверждения"] {
        assert!(
            top.matched.title.iter().any(|w| w == word),
            "{:?}",
            top.matched
        );
    }
    assert!(!top.matched.body.is_empty());
    assert!(
        response.confident && top.probability >= 0.5,
        "{}",
        top.probability
    );
}

/// What the tickets taught (`search::article_model`, fitted on the project's tickets and the
/// base's articles): an operator asks how to answer a resident who is rude and threatens, the
/// way the tickets the communication regulation answered put it. Off, the article on
/// blocking a user comes first. The question is written for this test, not taken from the
/// tickets the model was fitted on.
#[test]
fn an_article_rises_by_the_words_of_the_tickets_it_answered() {
    let engine = engine();
    let ticket = "житель грубит в чате и угрожает. как мне ему отвечать?";
    let on = titles(&engine, ticket, SuggestOptions::default());
    assert_eq!(on[0], "Коммуникация с клиентом", "{on:?}");
    let off = titles(&engine, ticket, without(|o| o.articles = false));
    assert_eq!(
        off[0], "Как заблокировать пользователя при выезде",
        "{off:?}"
    );
}

/// The article model nominates the articles it finds likely to the search's pool: an operator
/// asks whether a customer's engineer may be answered in technical terms, and the words the
/// search hears (главный инженер, УК, технический) are those of articles about engineers'
/// problems, so the regulation on communication is not among the search's first 20. Off, it
/// is nowhere in the answer; on, it is first. Written for this test, not taken from the
/// tickets the model was fitted on.
#[test]
fn an_article_the_search_does_not_find_is_nominated_by_the_article_model() {
    let engine = engine();
    for ticket in [
        "можно ли главному инженеру УК отвечать техническим языком, без упрощений?",
        "председатель ТСЖ сам инженер, ему можно писать технически, без разжёвывания?",
    ] {
        let all = |options| first_titles(&engine, ticket, options, 20);
        let on = all(SuggestOptions::default());
        assert_eq!(on[0], "Коммуникация с клиентом", "{ticket}: {on:?}");
        let off = all(without(|o| o.nominations = false));
        assert!(
            !off.iter().any(|t| t == "Коммуникация с клиентом"),
            "{ticket}: the premise, the search alone does not find it: {off:?}"
        );
    }
}

/// A message about another service in the base's own words (a bank's SMS codes) matches the
/// SMS article well; what it asks about is what the scope model reads, and with it the answer
/// is not «this is it». Scope only moves the probability: the order is the same either way,
/// and the same problem about the service itself stays confident.
#[test]
fn a_message_about_another_service_is_not_confident() {
    let engine = engine();
    // With «а» for «хотя» (this test's ticket until session 30) the probability is 0.47, over
    // the default cut: scope lowers it, not always enough (README says so).
    let ticket = "Не приходит смс от банка с кодом для оплаты покупки, хотя ваши смс приходят";
    let on = engine.suggest_with(ticket, 3, SuggestOptions::default(), engine.model());
    let off = engine.suggest_with(ticket, 3, without(|o| o.scope = false), engine.model());
    let first = |r: &spravka::search::suggest::SuggestResponse| r.suggestions[0].hit.title.clone();
    assert_eq!(first(&on), "Не приходит SMS с кодом подтверждения");
    assert_eq!(first(&on), first(&off));
    assert!(!on.confident, "{:?}", on.suggestions[0].probability);
    assert!(off.confident, "{:?}", off.suggestions[0].probability);
    assert!(on.suggestions[0].probability < off.suggestions[0].probability);
    // Tuning and measuring read the ticket as suggest does: the same first answer, the same
    // probability.
    let labelled = spravka::search::eval::Ticket {
        id: "bank".into(),
        text: ticket.into(),
        expected: vec![],
        channel: String::new(),
        style: String::new(),
    };
    let options = SuggestOptions::default();
    let outcome = spravka::search::eval::outcome(&engine, &labelled, options, engine.model());
    let top = &outcome.candidates[spravka::search::order(&outcome.candidates, options)[0]];
    let measured = engine.model().confidence.probability(&top.features);
    assert!(
        (measured - on.suggestions[0].probability).abs() < 0.001,
        "{measured} measured, {} served",
        on.suggestions[0].probability
    );
    let own = "не приходит смс с кодом при входе в приложение";
    let own = engine.suggest_with(own, 3, SuggestOptions::default(), engine.model());
    assert_eq!(first(&own), "Не приходит SMS с кодом подтверждения");
    assert!(own.confident, "{:?}", own.suggestions[0].probability);
}
