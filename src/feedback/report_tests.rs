use super::*;
use crate::config::Config;
use crate::content::{parse_document, MarkdownOptions};
use crate::feedback::Event;
use std::path::PathBuf;
use std::sync::Arc;

const SMS: &str = "Не приходит смс.md";
const BARRIER: &str = "Шлагбаум.md";
const OLD: &str = "Старый пропуск.md";

fn site() -> Site {
    let files = [
        ("README.md", "# Главная\n"),
        (SMS, "---\nupdated: 2026-10-01\n---\n# Не приходит СМС\n"),
        (BARRIER, "---\nupdated: 2026-09-01\n---\n# Шлагбаум\n"),
        (OLD, "---\nupdated: 2020-01-01\n---\n# Старый пропуск\n"),
        ("Никто не читал.md", "# Никто не читал\n"),
    ];
    let docs = files
        .iter()
        .map(|(p, t)| Arc::new(parse_document(p, t.to_string(), MarkdownOptions::default())))
        .collect();
    Site::from_documents(
        Config::default(),
        PathBuf::from("content"),
        docs,
        vec![],
        vec![],
    )
}

fn day(d: &str) -> NaiveDate {
    d.parse().unwrap()
}

/// A row at noon (UTC) of `date`.
fn row(id: i64, date: &str, kind: Kind, path: Option<&str>, terms: &str) -> Stored {
    let at = day(date)
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    Stored {
        id,
        event: Event {
            at,
            kind,
            path: path.map(String::from),
            rank: None,
            terms: terms.split_whitespace().map(String::from).collect(),
            text: None,
            client: format!("c{id}"),
        },
    }
}

fn history() -> Vec<Stored> {
    use Kind::*;
    vec![
        row(1, "2026-10-20", NoArticle, None, "ветеринар пропуск"),
        row(2, "2026-11-02", Helped, Some(SMS), "смс код"),
        row(3, "2026-11-03", Wrong, Some(BARRIER), "смс код"),
        row(4, "2026-11-04", NoArticle, None, "ветеринар пропуск собак"),
        row(
            5,
            "2026-11-05",
            NotConfident,
            Some(BARRIER),
            "ветеринар пропуск кошк",
        ),
        row(6, "2026-11-10", NoArticle, None, "ветеринар пропуск кошк"),
        row(7, "2026-11-11", ZeroResults, None, "курьер"),
        row(8, "2026-11-12", ZeroResults, None, "курьер"),
        row(9, "2026-11-12", ZeroResults, None, "самокат"),
        row(10, "2026-11-16", Opened, Some(OLD), "пропуск"),
        row(11, "2026-11-17", Opened, Some(OLD), "пропуск"),
        row(12, "2026-11-17", Helped, Some(SMS), "смс"),
        row(13, "2026-11-18", Opened, Some("Удалена.md"), "удален"),
    ]
}

#[test]
fn misses_are_grouped_by_their_shared_words_newest_first() {
    let report = compute(&history(), &site(), day("2026-11-01"), day("2026-11-20"));
    // Row 1 is before the period; rows 5 and 6 have the same words: one ticket.
    assert_eq!(report.gaps.tickets, 2);
    let gap = &report.gaps.groups[0];
    assert_eq!(gap.terms, ["ветеринар", "пропуск"]);
    assert_eq!(gap.count, 2);
    let examples: Vec<&[String]> = gap.examples.iter().map(|e| e.terms.as_slice()).collect();
    assert_eq!(
        examples,
        [
            ["ветеринар", "пропуск", "кошк"]
                .map(String::from)
                .as_slice(),
            ["ветеринар", "пропуск", "собак"]
                .map(String::from)
                .as_slice(),
        ]
    );
    // A search asked again counts again.
    let searches: Vec<(String, usize)> = report
        .zero_results
        .groups
        .iter()
        .map(|g| (g.terms.join(" "), g.count))
        .collect();
    assert_eq!(searches, [("курьер".into(), 2), ("самокат".into(), 1)]);
    assert_eq!(
        report.zero_results.groups[0].examples.len(),
        1,
        "the same search once"
    );
    assert_eq!(report.zero_results.not_shown, 0);
}

#[test]
fn articles_are_counted_by_votes_and_the_unused_and_stale_ones_listed() {
    let report = compute(&history(), &site(), day("2026-11-01"), day("2026-11-20"));
    let uses: Vec<(&str, usize, usize, usize)> = report
        .articles
        .iter()
        .map(|a| (a.article.path.as_str(), a.helped, a.wrong, a.opened))
        .collect();
    assert_eq!(
        uses,
        [
            (SMS, 2, 0, 0),
            (OLD, 0, 0, 2),
            ("Удалена.md", 0, 0, 1),
            (BARRIER, 0, 1, 0),
        ]
    );
    assert_eq!(report.articles[2].article.url, None, "a removed article");
    assert_eq!(report.articles[0].article.title, "Не приходит СМС");
    // The barrier article was suggested unconfidently: not unused; the home page is a section.
    let unused: Vec<&str> = report.unused.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(unused, ["Никто не читал.md"]);
    let stale: Vec<(&str, Option<&str>)> = report
        .stale
        .iter()
        .map(|a| (a.article.path.as_str(), a.updated.as_deref()))
        .collect();
    assert_eq!(stale, [(OLD, Some("2020-01-01"))]);
    assert_eq!(
        report.totals,
        Totals {
            helped: 2,
            wrong: 1,
            no_article: 2,
            opened: 3,
            zero_results: 3,
            not_confident: 1,
        }
    );
}

#[test]
fn weeks_cover_the_period_with_empty_ones_kept() {
    let report = compute(&history(), &site(), day("2026-11-01"), day("2026-11-30"));
    let weeks: Vec<(&str, &str, usize, usize)> = report
        .weeks
        .iter()
        .map(|w| (w.week.as_str(), w.monday.as_str(), w.votes, w.misses))
        .collect();
    assert_eq!(
        weeks,
        [
            ("2026-W44", "2026-10-26", 0, 0),
            ("2026-W45", "2026-11-02", 2, 2),
            ("2026-W46", "2026-11-09", 0, 4),
            ("2026-W47", "2026-11-16", 4, 0),
            ("2026-W48", "2026-11-23", 0, 0),
            ("2026-W49", "2026-11-30", 0, 0),
        ]
    );
    assert_eq!(
        (report.since.as_str(), report.until.as_str()),
        ("2026-11-01", "2026-11-30")
    );
}

#[test]
fn the_same_rows_in_any_order_give_the_same_report() {
    let mut rows = history();
    let site = site();
    let first = compute(&rows, &site, day("2026-11-01"), day("2026-11-20"));
    rows.reverse();
    assert_eq!(
        compute(&rows, &site, day("2026-11-01"), day("2026-11-20")),
        first
    );
    let empty = compute(&[], &site, day("2026-11-01"), day("2026-11-20"));
    assert_eq!(empty.gaps.tickets, 0);
    assert_eq!(empty.unused.len(), 4);
}

#[test]
fn stored_texts_are_the_examples_when_kept() {
    let mut rows = vec![
        row(1, "2026-11-02", Kind::NoArticle, None, "ветеринар пропуск"),
        row(
            2,
            "2026-11-03",
            Kind::NoArticle,
            None,
            "ветеринар пропуск собак",
        ),
    ];
    rows[1].event.text = Some("Как пропустить ветеринара с собакой?".into());
    let report = compute(&rows, &site(), day("2026-11-01"), day("2026-11-20"));
    let example = &report.gaps.groups[0].examples[0];
    assert_eq!(
        example.text.as_deref(),
        Some("Как пропустить ветеринара с собакой?")
    );
}

#[test]
fn the_period_starts_within_retention_and_never_in_the_future() {
    let today = day("2026-12-03");
    let ancient = Some(day("1200-01-01"));
    assert_eq!(
        super::period_start(ancient, today, 30, 180),
        Ok(day("2026-06-06"))
    );
    assert_eq!(
        super::period_start(None, today, 30, 180),
        Ok(day("2026-11-03"))
    );
    assert!(super::period_start(Some(day("2027-01-01")), today, 30, 180).is_err());
}
