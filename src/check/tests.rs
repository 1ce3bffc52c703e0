use super::*;
use crate::content::{parse_document, MarkdownOptions};

fn doc(text: &str) -> Document {
    parse_document("x.md", text.to_string(), MarkdownOptions::default())
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// What `lint_document` finds in `d` on 2026-01-01 (a year's staleness allowed): code and line.
fn found_on_new_year(d: &Document) -> Vec<(Code, u32)> {
    lint_document(d, 365, date("2026-01-01"))
        .into_iter()
        .map(|d| (d.code, d.line))
        .collect()
}

#[test]
fn stale_status_and_history_point_at_their_rows() {
    let d = doc("# T\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| **Версия** | 1.1 |\n| **Дата последнего обновления** | 2024-01-01 |\n| **Статус** | Черновик |\n\n## История изменений\n\n| Версия | Дата | Автор | Изменения |\n|---|---|---|---|\n| 1.0 | 2024-01-01 | a | b |\n");
    let found = found_on_new_year(&d);
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

/// A field written under another of its names («Обновлено») is found by its row as well (the
/// warning pointed at the heading when rows were matched by the first words of a name); a
/// warning about the whole table points at its heading.
#[test]
fn a_field_under_another_name_points_at_its_row() {
    let d = doc("# T\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| Обновлено | 2024-01-01 |\n| Статус: | Черновик |\n");
    let found = found_on_new_year(&d);
    assert!(found.contains(&(Code::Stale, 7)), "{found:?}");
    assert!(found.contains(&(Code::Status, 8)), "{found:?}");
    assert!(found.contains(&(Code::MissingMetadata, 3)), "{found:?}");
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

/// Serve's summary is the full list's errors and its count of warnings, duplicates once, with
/// or without documents already linted.
#[test]
fn the_summary_is_what_the_full_list_says() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    std::fs::create_dir_all(&content).unwrap();
    let write = |name: &str, text: &str| std::fs::write(content.join(name), text).unwrap();
    write("README.md", "# Главная\n\n[a](a.md) [b](нет.md)\n");
    write(
        "a.md",
        "# A\n\n[x](нет.md) [x](нет.md)\n\n| Статус | Черновик |\n",
    );
    write("orphan.md", "# Сирота\n\nТекст.\n");
    // Both external links of the fragment are reported at the include line: one warning.
    write(
        "_frag.md",
        "[y](https://example.com)\n\n[y](https://example.com)\n",
    );
    write(
        "b.md",
        "# B\n\n{% include notitle [f](_frag.md) %}\n\n{% include notitle [f](_frag.md) %}\n",
    );
    let site = Site::load(dir.path(), crate::config::Config::default());
    let today = date("2026-01-01");
    let all = diagnostics(&site, today);
    let errors: Vec<&Diagnostic> = all
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(!errors.is_empty() && all.warnings() > 0, "{all:?}");
    let mut memo = LintMemo::default();
    for _ in 0..2 {
        let summary = summary_with(&site, today, &mut memo, None);
        assert!(
            found(&site, &memo).count() > all.0.len(),
            "no duplicate to drop: {all:?}"
        );
        assert_eq!(summary.errors.iter().collect::<Vec<_>>(), errors);
        assert_eq!(summary.warnings, all.warnings());
    }
}

/// After an edit that moves no page, counting only the pages it touched gives the summary
/// counting every page gives: a broken link's error comes and goes, a page left without
/// links to it becomes an orphan, a document's own warnings follow its text.
#[test]
fn a_summary_after_a_patch_is_the_summary_of_the_whole_site() {
    let dir = crate::testing::TempSite::new();
    let write = |rel: &str, text: &str| dir.write(rel, text);
    write("README.md", "# Главная\n\n[А](a.md), [Б](b.md).\n");
    let a = |status: &str, body: &str| {
        format!("# А\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| **Статус** | {status} |\n\n{body}\n")
    };
    write("a.md", &a("Актуально", "О пропусках: [Б](b.md)."));
    write("b.md", "# Б\n\nО шлагбаумах.\n");
    // A patch is for a few pages among many (a quarter at most).
    for name in ["c", "d", "e", "f"] {
        write(&format!("{name}.md"), &format!("# {name}\n\nТекст.\n"));
    }
    let today = date("2026-01-01");
    let config = crate::config::Config::default;
    let mut cache = crate::site::DocumentCache::default();
    let mut site = Site::load_with_cache(dir.root(), config(), &mut cache);
    let mut memo = LintMemo::default();
    summary_with(&site, today, &mut memo, None);
    let edits = [
        (
            "a.md",
            a("Актуально", "О пропусках: [Б](b.md), [нет](nope.md)."),
        ),
        ("README.md", "# Главная\n\n[А](a.md).\n".into()),
        ("a.md", a("Актуально", "О пропусках.")),
        ("a.md", a("Черновик", "О пропусках: [Б](b.md).")),
    ];
    for (rel, text) in edits {
        write(rel, &text);
        cache.forget([rel]);
        let reloaded = Site::reload(dir.root(), config(), &mut cache, &site);
        let touched = (reloaded.touched).unwrap_or_else(|| panic!("{rel} moved no page"));
        site = reloaded.site;
        let patched = summary_with(&site, today, &mut memo, Some(&touched));
        let whole = summary_with(&site, today, &mut LintMemo::default(), None);
        assert_eq!(
            patched.errors.0, whole.errors.0,
            "errors after editing {rel}"
        );
        assert_eq!(
            patched.warnings, whole.warnings,
            "warnings after editing {rel}"
        );
        assert_eq!(
            memo.found.len(),
            site.pages.len(),
            "findings of replaced documents dropped"
        );
    }
}
