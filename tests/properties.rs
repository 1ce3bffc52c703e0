//! Property tests for the fuzzed entry points: the markdown → page pipeline never panics, every
//! rendered href resolves or its link is marked broken, URLs are injective over the content,
//! and suggest's analysis never panics and reports only the ticket's own words.

use proptest::prelude::*;
use spravka::config::Config;
use spravka::content::{parse_document, MarkdownOptions};
use spravka::render::output::MemoryOutput;
use spravka::render::{RenderOptions, Renderer};
use spravka::search::analyzer::{analyze, normalize};
use spravka::search::SearchEngine;
use spravka::site::{urls, LinkTarget, Site};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Source paths whose file names collide once transliterated or slugged (ё/е, case, spaces
/// and dashes, punctuation), in folders whose names slug alike too (`Ёж`/`Еж`, `a b`/`a-b`).
const DIRS: &[&str] = &[
    "",
    "Раздел",
    "Ёж",
    "Еж",
    "a b",
    "a-b",
    "Раздел/Ёлка",
    "Еж/Ёлка",
];
const FILES: &[&str] = &[
    "README.md",
    "index.md",
    "Первый документ.md",
    "первый-документ.md",
    "Второй (со скобками).md",
    "Ёлка.md",
    "Елка.md",
    "a b.md",
    "A-B.md",
    "page.md",
    "!!!.md",
];

fn path_strategy() -> impl Strategy<Value = String> {
    (prop::sample::select(DIRS), prop::sample::select(FILES)).prop_map(|(d, f)| {
        if d.is_empty() {
            f.to_string()
        } else {
            format!("{d}/{f}")
        }
    })
}

/// A link destination in every style the seeds use, pointing at `target` from anywhere.
fn link_strategy() -> impl Strategy<Value = String> {
    let style = 0..8usize;
    let anchor = prop::sample::select(vec!["", "#шаги-решения", "#нет-такого", "#"]);
    (path_strategy(), style, anchor).prop_map(|(target, style, anchor)| {
        let encoded = target
            .replace(' ', "%20")
            .replace('(', "%28")
            .replace(')', "%29");
        let dest = match style {
            0 => format!("/{target}"),
            1 => format!("/{encoded}"),
            2 => format!("../{target}"),
            3 => format!("./{}", target.rsplit('/').next().unwrap_or("")),
            4 => format!("../../../etc/{target}"),
            5 => String::new(),
            6 => "https://example.org/x".into(),
            _ => format!("{}/", target.rsplit_once('/').map_or("", |(d, _)| d)),
        };
        format!("{dest}{anchor}")
    })
}

/// One markdown block: headings, links in many styles, lists, tables, code, html, text.
fn block_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        "[а-яА-Я ]{0,12}".prop_map(|t| format!("# {t}")),
        "[а-яa-z ]{0,12}".prop_map(|t| format!("## {t}")),
        Just("## Шаги решения".to_string()),
        (link_strategy(), "[а-я ]{0,6}").prop_map(|(d, t)| format!("[{t}]({d})")),
        (link_strategy(), "[а-я ]{0,6}").prop_map(|(d, t)| format!("[{t}](<{d}>)")),
        link_strategy().prop_map(|d| format!("![img]({d})")),
        link_strategy().prop_map(|d| format!("- [a]({d})\n  - b\n    1. c")),
        link_strategy().prop_map(|d| format!("| a | b |\n|---|---|\n| [x]({d}) | `y` |")),
        Just("| Версия | 1.0 |\n|---|---|\n| Дата создания | 2024-13-45 |".to_string()),
        Just("```\n[не ссылка](x.md)\n```".to_string()),
        Just("<div><script>alert(1)</script></div>".to_string()),
        Just("> > > [q](#шаги-решения)".to_string()),
        Just("---\ntitle: [broken\n---".to_string()),
        any::<String>(),
    ]
}

fn document_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(block_strategy(), 0..8).prop_map(|b| b.join("\n\n"))
}

fn site_of(files: &BTreeMap<String, String>) -> Site {
    let docs = files
        .iter()
        .map(|(p, t)| Arc::new(parse_document(p, t.clone(), MarkdownOptions::default())))
        .collect();
    Site::from_documents(
        Config::default(),
        PathBuf::from("content"),
        docs,
        vec![],
        vec![],
    )
}

fn render(site: &Site) -> MemoryOutput {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    let renderer = RENDERER
        .get_or_init(|| Renderer::new(Path::new("/nonexistent"), "default").expect("theme"));
    let out = MemoryOutput::new();
    let options = RenderOptions {
        live_reload: false,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"),
    };
    renderer
        .render(site, &Renderer::all_jobs(site), options, &out)
        .expect("a parsed site always renders");
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The root-relative path an href of the page at `from` points to.
fn resolve_href(from: &str, href: &str) -> String {
    let mut parts: Vec<&str> = from
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    for segment in href.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut path = format!("/{}", parts.join("/"));
    if href.ends_with('/') || href.is_empty() || href == "." {
        path.push('/');
    }
    path.replace("//", "/")
}

fn sites() -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(path_strategy(), document_strategy(), 1..6)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_page_pipeline_never_panics(text in document_strategy(), escape_html in any::<bool>()) {
        let doc = parse_document("Раздел/Документ.md", text, MarkdownOptions { escape_html });
        let site = Site::from_documents(Config::default(), PathBuf::from("content"), vec![Arc::new(doc)], vec![], vec![]);
        let out = render(&site);
        prop_assert!(out.get_str("razdel/dokument/index.html").is_some());
    }

    #[test]
    fn every_rendered_href_resolves_or_is_marked_broken(files in sites()) {
        let site = site_of(&files);
        let out = render(&site);
        for page in &site.pages {
            // Broken links become marked spans (broken images a `data:,` source): never more
            // spans than broken links, and at least one when the body has any.
            let broken = page
                .links
                .iter()
                .zip(&page.doc.rendered.links)
                .filter(|(t, l)| matches!(t, LinkTarget::Broken { .. }) && !l.is_image)
                .count();
            let html = out.get_str(&urls::output_path(&page.url)).expect("page written");
            let spans = html.matches("class=\"broken-link\"").count();
            prop_assert!(spans <= broken, "{}: {spans} spans for {broken} broken links", page.url);
            // The first H1 is the page title, shown as text: its links have no slot.
            let title_line = page.doc.rendered.headings.iter().find(|h| h.level == 1).map(|h| h.pos.line);
            let title_has_link = page.doc.rendered.links.iter().any(|l| Some(l.pos.line) == title_line);
            prop_assert!(broken == 0 || spans > 0 || title_has_link, "{}: broken links not marked", page.url);
            for raw in html.split("href=\"").skip(1).filter_map(|s| s.split('"').next()) {
                let href = unescape(raw);
                if spravka::site::is_external(&href) || href.starts_with("data:") {
                    continue;
                }
                let (path, fragment) = href.split_once('#').map_or((href.as_str(), None), |(p, f)| (p, Some(f)));
                let target_url = resolve_href(&page.url, path);
                let target = out.get_str(&urls::output_path(&target_url));
                prop_assert!(target.is_some(), "{}: href {href} → {target_url} is not in the site", page.url);
                if let Some(f) = fragment.filter(|f| !f.is_empty()) {
                    let id = format!("id=\"{}\"", spravka::content::markdown::escape_html(f));
                    prop_assert!(target.unwrap_or_default().contains(&id), "{}: anchor {href} missing", page.url);
                }
            }
        }
    }

    #[test]
    fn distinct_source_paths_never_share_a_url(paths in prop::collection::btree_set(path_strategy(), 1..12)) {
        let files = paths.into_iter().map(|p| (p, "# T\n".to_string())).collect();
        let site = site_of(&files);
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for page in &site.pages {
            if let Some(other) = seen.insert(&page.url, &page.doc.rel_path) {
                prop_assert!(false, "{other} and {} both get {}", page.doc.rel_path, page.url);
            }
        }
    }

    #[test]
    fn suggest_analysis_never_panics_and_matches_only_ticket_words(
        ticket in prop_oneof![
            any::<String>(),
            "[а-яёА-ЯЁa-zA-Z0-9,.;:!?()\\-+*\"' ]{0,80}",
            Just("ikfu,fev ne otkryvaetsya E-102 шлагбам".to_string()),
        ]
    ) {
        let terms = analyze(&ticket);
        for (i, t) in terms.iter().enumerate() {
            prop_assert_eq!(t.position as usize, i);
            prop_assert_eq!(normalize(&ticket[t.offset_from..t.offset_to]), t.original.clone());
        }
        let words: Vec<String> = ticket.split_whitespace().map(|w| normalize(&w.to_lowercase())).collect();
        for s in engine().suggest(&ticket, 5).suggestions {
            for m in &s.matched_terms {
                let m = normalize(m);
                prop_assert!(words.iter().any(|w| w.contains(&m)), "{m:?} is not a word of {ticket:?}");
            }
        }
    }
}

/// Two folders whose names slug alike (`Ёж`, `Еж`) must not share `/ezh/`: section URLs get
/// collision suffixes like page URLs. Found by the property above.
#[test]
fn folders_that_slug_alike_get_distinct_urls() {
    let files = ["Ёж/README.md", "Еж/README.md", "a b/x.md", "a-b/README.md"]
        .into_iter()
        .map(|p| (p.to_string(), "# T\n".to_string()))
        .collect();
    let site = site_of(&files);
    let mut urls: Vec<&str> = site.sections.iter().map(|s| s.url.as_str()).collect();
    urls.sort_unstable();
    urls.dedup();
    assert_eq!(urls.len(), site.sections.len(), "{:?}", site.sections);
}

/// `[x](#Шаги-Решения)` is accepted (the anchor matches the id lowercased) and must render
/// the heading id: fragments are case-sensitive, so the written case misses `id="шаги-решения"`.
#[test]
fn an_anchor_accepted_case_insensitively_renders_the_heading_id() {
    let files = [(
        "README.md".to_string(),
        "## Шаги решения\n\n[x](#Шаги-Решения)\n".to_string(),
    )]
    .into();
    let site = site_of(&files);
    let url = site.target_url(&site.pages[0].links[0]);
    assert_eq!(url.as_deref(), Some("/#шаги-решения"));
}

fn engine() -> &'static SearchEngine {
    static ENGINE: OnceLock<SearchEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let site = Site::load(&root, Config::default());
        SearchEngine::new(
            spravka::search::index::build_in_ram(&site).expect("index"),
            spravka::search::load_synonyms(&site).expect("synonyms"),
        )
        .expect("engine")
    })
}
