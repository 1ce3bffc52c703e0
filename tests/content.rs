//! Guards the default knowledge base: the tree of kb-topics.md, the seeds byte for byte, every
//! relative link and anchor resolving, every document with its metadata table.

use spravka::config::Config;
use spravka::site::Site;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn tree_matches_kb_topics() {
    let topics = std::fs::read_to_string(repo().join("../shared/kb-topics.md"))
        .expect("shared/kb-topics.md beside the repo");
    let mut expected: Vec<String> = topics
        .lines()
        .filter_map(|l| {
            l.strip_prefix("| ")
                .and_then(|r| r.split(" |").next())
                .filter(|n| n.ends_with(".md"))
        })
        .map(|n| format!("База типичных запросов/{n}"))
        .collect();
    assert_eq!(expected.len(), 30);
    for fixed in [
        "README.md",
        "Процессы технической поддержки.md",
        "Регламент работы технической поддержки PASS24.md",
        "Регламенты/README.md",
        "Регламенты/Прием и регистрация обращений.md",
        "Регламенты/Классификация и приоритизация обращений.md",
        "Регламенты/Диагностика проблем.md",
        "Регламенты/Эскалация в отдел разработки.md",
        "Регламенты/Закрытие обращения.md",
        "Регламенты/Обработка ошибок программного продукта.md",
        "Регламенты/Коммуникация с клиентом.md",
        "Регламенты/Обработка экстренных обращений (SLA высокий приоритет).md",
        "База типичных запросов/README.md",
    ] {
        expected.push(fixed.to_string());
    }
    expected.sort();
    let site = Site::load(repo(), Config::default());
    let mut actual: Vec<String> = site.pages.iter().map(|p| p.doc.rel_path.clone()).collect();
    actual.sort();
    assert_eq!(actual, expected);
}

#[test]
fn seeds_are_byte_identical() {
    for seed in [
        "Процессы технической поддержки.md",
        "Регламенты/Эскалация в отдел разработки.md",
    ] {
        let ours = std::fs::read(repo().join("content").join(seed)).unwrap();
        let theirs = std::fs::read(repo().join("../shared/seeds").join(seed))
            .expect("shared/seeds beside the repo");
        assert!(ours == theirs, "{seed} differs from the user's seed");
    }
}

#[test]
fn every_link_resolves_and_every_document_has_metadata() {
    let site = Site::load(repo(), Config::default());
    let broken: Vec<String> = site
        .all_diagnostics()
        .filter(|d| {
            matches!(
                d.code,
                "broken-link"
                    | "broken-anchor"
                    | "link-outside-content"
                    | "unreadable"
                    | "bad-metadata"
            )
        })
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
    let without: Vec<&str> = site
        .pages
        .iter()
        .filter(|p| !p.doc.has_metadata)
        .map(|p| p.doc.rel_path.as_str())
        .collect();
    assert!(
        without.is_empty(),
        "documents without a metadata table: {without:?}"
    );
    let typical = site
        .pages
        .iter()
        .filter(|p| p.doc.rel_path.starts_with("База типичных запросов/") && !p.is_index);
    for page in typical {
        for section in spravka::content::document::TYPICAL_SECTIONS {
            assert!(
                page.doc.rendered.section(section).is_some(),
                "{} lacks {section}",
                page.doc.rel_path
            );
        }
        let size = page.doc.source.len();
        assert!(
            (2048..=8192).contains(&size),
            "{} is {size} bytes",
            page.doc.rel_path
        );
    }
}
