use super::*;
use crate::content::{parse_document, MarkdownOptions};

fn doc(text: &str) -> Document {
    parse_document("x.md", text.to_string(), MarkdownOptions::default())
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn stale_status_and_history_point_at_their_rows() {
    let d = doc("# T\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| **Версия** | 1.1 |\n| **Дата последнего обновления** | 2024-01-01 |\n| **Статус** | Черновик |\n\n## История изменений\n\n| Версия | Дата | Автор | Изменения |\n|---|---|---|---|\n| 1.0 | 2024-01-01 | a | b |\n");
    let found: Vec<_> = lint_document(&d, 365, date("2026-01-01"))
        .into_iter()
        .map(|d| (d.code, d.line))
        .collect();
    assert!(found.contains(&(Code::Stale, 8)), "{found:?}");
    assert!(found.contains(&(Code::Status, 9)), "{found:?}");
    assert!(found.contains(&(Code::HistoryVersion, 15)), "{found:?}");
    assert!(
        found.iter().any(|(c, _)| *c == Code::MissingMetadata),
        "{found:?}"
    );
    assert!(lint_document(&d, 365, date("2024-06-01"))
        .iter()
        .all(|x| x.code != Code::Stale));
}

#[test]
fn typical_requests_need_their_sections() {
    let d = doc("# T\n\n## Симптомы\n\n- x\n\n## Решение\n\n1. y\n");
    let missing = lint_document(&d, 365, date("2026-01-01"))
        .into_iter()
        .find(|d| d.code == Code::MissingSection)
        .unwrap();
    assert!(
        missing
            .message
            .contains("Возможные причины, Когда эскалировать"),
        "{}",
        missing.message
    );
}
