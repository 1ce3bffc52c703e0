//! The analyzer's rules, each on the words it is for, and proptest: any text, no panic.

use super::*;
use proptest::prelude::*;
use tantivy::collector::Count;
use tantivy::query::QueryParser;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{doc, Index, IndexWriter};

fn terms(text: &str) -> Vec<String> {
    analyze(text).into_iter().map(|t| t.term).collect()
}

fn assert_same_terms(words: &[&str]) {
    let expected = terms(words[0]);
    assert_eq!(expected.len(), 1, "{:?} should give one term", words[0]);
    for word in &words[1..] {
        assert_eq!(terms(word), expected, "{word:?} vs {:?}", words[0]);
    }
}

#[test]
fn forms_of_a_word_meet() {
    assert_same_terms(&["шлагбаум", "шлагбаума", "Шлагбаумом"]);
    assert_same_terms(&["приходит", "приходят"]);
    assert_same_terms(&["пропуск", "пропуска", "пропусков"]);
    assert_same_terms(&["приложение", "приложения", "приложении"]);
    assert_same_terms(&["учётной", "учетной", "УЧЁТНОЙ"]);
    assert_same_terms(&["notifications", "notification", "Notification"]);
    assert_same_terms(&["охрана", "охраны", "охрану", "охраной"]);
    assert_same_terms(&["журнал", "журнала", "журнале", "журналы"]);
    assert_ne!(terms("охранник"), terms("охрана"));
}

#[test]
fn plates_and_codes_meet_across_scripts_and_spacing() {
    let plate = [
        "А123ВС77",
        "a123bc77",
        "A123BC77",
        "А 123 ВС 77",
        "a123bc 77",
        "А123-ВС77",
    ];
    for written in plate {
        assert_eq!(terms(written), ["а123вс77"], "{written:?}");
    }
    assert_eq!(terms("E-102"), ["е102"]);
    assert_eq!(terms("ошибка E102"), terms("ошибка е-102"));
    assert_eq!(terms("ЖК-5"), ["жк5"]);
    assert_eq!(
        terms("iPhone15"),
        ["iphone15"],
        "no hybrid when a letter has no twin"
    );
}

#[test]
fn numbers_stay_whole() {
    assert_eq!(terms("403"), ["403"]);
    assert_eq!(terms("версия 2.14."), [stem("версия").as_str(), "2.14"]);
    assert_eq!(terms("10.3.1"), ["10.3.1"]);
    assert_eq!(terms("шаг 5"), ["шаг", "5"]);
}

#[test]
fn hyphens_split_words_but_not_codes() {
    assert_eq!(terms("смс-код"), terms("смс код"));
    assert_eq!(terms("ошибка-403"), ["ошибк", "403"]);
    assert_eq!(terms("8-800-555"), ["8", "800", "555"]);
    assert_eq!(terms("А123ВС77 5"), ["а123вс77", "5"]);
}

#[test]
fn stop_words_and_single_letters_are_dropped() {
    assert_eq!(
        terms("Здравствуйте! Не приходит смс на телефон"),
        ["приход", "смс", "телефон"]
    );
    assert_eq!(terms("it is not working"), ["work"]);
    assert_eq!(terms("я в шоке, x"), ["шок"]);
    assert!(is_stop_word("НЕ") && is_stop_word("всё") && is_stop_word("The"));
    assert!(!is_stop_word("шлагбаум"));
}

#[test]
fn positions_count_kept_tokens_and_offsets_point_into_the_text() {
    let text = "Не пришёл код, и шлагбаум — не открывается!";
    let analyzed = analyze(text);
    let positions: Vec<u32> = analyzed.iter().map(|t| t.position).collect();
    assert_eq!(positions, [0, 1, 2, 3]);
    assert_eq!(analyzed[0].original, "пришел");
    for term in &analyzed {
        assert_eq!(
            normalize(&text[term.offset_from..term.offset_to]),
            term.original
        );
    }
    let code = &analyze("код E-102")[1];
    assert_eq!(
        (code.original.as_str(), code.term.as_str()),
        ("e-102", "е102")
    );
}

#[test]
fn invisible_and_combining_characters_are_ignored() {
    assert_eq!(terms("за\u{301}мок"), terms("замок"));
    assert_eq!(terms("шлаг\u{ad}баум"), terms("шлагбаум"));
    assert_eq!(terms("мои\u{306}"), terms("мой"));
    assert_eq!(terms("е\u{308}лка"), terms("елка"));
    assert_eq!(
        terms("шлагбaум"),
        terms("шлагбаум"),
        "a stray Latin look-alike"
    );
}

#[test]
fn long_machine_tokens_are_dropped() {
    let hash = "a3f5".repeat(16);
    assert_eq!(terms(&format!("hash {hash} ok")), ["hash", "ok"]);
}

#[test]
fn public_helpers() {
    assert_eq!(normalize("Ёлка"), "елка");
    assert_eq!(stem("Шлагбаума"), "шлагбаум");
    assert_eq!(stem("Notifications"), stem("notification"));
    assert_eq!(stem("A123BC77"), "а123вс77");
    assert_eq!(stem("日本"), "日本");
}

#[test]
fn stop_word_lists_are_sorted_and_normalized() {
    for list in [RUSSIAN_STOP_WORDS, ENGLISH_STOP_WORDS] {
        assert!(
            list.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        assert!(list.iter().all(|w| normalize(w) == *w));
    }
}

#[test]
fn survives_large_and_hostile_input() {
    let line = "2024-05-01T10:00:00Z ERROR gate\u{0}ctl: ☠️ timeout E-102 (А123ВС77) 🚗 é\u{301}\n";
    let log = line.repeat(50 * 1024 / line.len() + 1);
    let analyzed = analyze(&log);
    assert!(analyzed.len() > 1000);
    assert!(analyze("\u{301}\u{306}\u{ad} -.- 🙂").is_empty());
}

#[test]
fn tantivy_tokenizer_yields_analyze_output() {
    let text = "Не приходит SMS с кодом E-102";
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut tokens = Vec::new();
    stream.process(&mut |t| tokens.push((t.text.clone(), t.position, t.offset_from)));
    let expected: Vec<_> = analyze(text)
        .into_iter()
        .map(|t| (t.term, t.position as usize, t.offset_from))
        .collect();
    assert_eq!(tokens, expected);
}

#[test]
fn index_matches_other_forms_and_phrases() -> tantivy::Result<()> {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ANALYZER_NAME)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let mut schema = Schema::builder();
    let body = schema.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(indexing),
    );
    let index = Index::create_in_ram(schema.build());
    index.tokenizers().register(ANALYZER_NAME, text_analyzer());
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
    writer.add_document(doc!(body => "Не приходит SMS с кодом подтверждения"))?;
    writer.add_document(doc!(body => "Шлагбаум не открывается перед машиной А123ВС77"))?;
    writer.commit()?;
    let searcher = index.reader()?.searcher();
    let parser = QueryParser::for_index(&index, vec![body]);
    let count = |query: &str| -> tantivy::Result<usize> {
        searcher.search(&parser.parse_query(query).expect("query parses"), &Count)
    };
    assert_eq!(count("шлагбаума")?, 1);
    assert_eq!(count("a123bc77")?, 1);
    // «с» between «SMS» and «кодом» is dropped, so the phrase still matches.
    assert_eq!(count("\"sms код\"")?, 1);
    assert_eq!(count("\"кодом sms\"")?, 0);
    Ok(())
}

proptest! {
    #[test]
    fn analyze_never_panics_and_keeps_invariants(text in any::<String>()) {
        check_invariants(&text);
    }

    #[test]
    fn analyze_handles_dense_word_material(
        text in "[а-яА-ЯёЁa-zA-Z0-9 .\\-\u{301}\u{306}\u{308}\u{ad}]{0,80}"
    ) {
        check_invariants(&text);
    }
}

fn check_invariants(text: &str) {
    for (i, term) in analyze(text).iter().enumerate() {
        assert_eq!(term.position as usize, i);
        assert!(!term.term.is_empty());
        assert!(term.offset_from < term.offset_to);
        assert!(text.get(term.offset_from..term.offset_to).is_some());
    }
}
