use super::*;
use crate::content::{parse_document, MarkdownOptions};
use crate::diagnostics::{Code, Severity};

/// The problems of loading and of links, in that order: the site's own, then each page's
/// links' (documents' own are left out).
fn problems(s: &Site) -> Vec<&Diagnostic> {
    s.diagnostics
        .iter()
        .chain(s.pages.iter().flat_map(|p| p.link_diagnostics.iter()))
        .collect()
}

fn site(files: &[(&str, &str)]) -> Site {
    site_with(Config::default(), files)
}

fn site_with(config: Config, files: &[(&str, &str)]) -> Site {
    let docs = files
        .iter()
        .map(|(p, t)| Arc::new(parse_document(p, t.to_string(), MarkdownOptions::default())))
        .collect();
    Site::from_documents(config, PathBuf::from("content"), docs, vec![], vec![])
}

/// A parsed document, shared as a load shares it.
fn doc(path: &str, text: &str) -> Arc<Document> {
    Arc::new(parse_document(
        path,
        text.to_string(),
        MarkdownOptions::default(),
    ))
}

/// A site of `docs` with the default config, reusing the link resolutions of `memo`.
fn load(docs: Vec<Arc<Document>>, memo: &mut LinkMemo) -> Site {
    Site::assemble(
        Config::default(),
        PathBuf::from("content"),
        docs,
        vec![],
        vec![],
        memo,
    )
}

/// The 1-based character column of `needle` in `line`.
fn column(line: &str, needle: &str) -> u32 {
    line[..line.find(needle).unwrap()].chars().count() as u32 + 1
}

#[test]
fn links_in_all_styles_resolve_and_backlinks_follow() {
    let s = site(&[
        ("README.md", "# Главная\n\n[Регламенты](./Регламенты/README.md)\n"),
        ("Регламенты/README.md", "# Регламенты\n"),
        (
            "Регламенты/Эскалация.md",
            "# Эскалация\n\n[a](./Диагностика проблем.md) [b](Диагностика%20проблем.md#шаг-1) [c](../README.md) [d](#эскалация-x) [e](./)\n\n## Эскалация x\n",
        ),
        ("Регламенты/Диагностика проблем.md", "# Диагностика\n\n## Шаг 1\n"),
    ]);
    let esc = s.page_by_path("Регламенты/Эскалация.md").unwrap();
    assert_eq!(esc.url, "/reglamenty/eskalatsiya/");
    let urls: Vec<_> = esc.links.iter().map(|t| s.target_url(t).unwrap()).collect();
    assert_eq!(
        urls,
        [
            "/reglamenty/diagnostika-problem/",
            "/reglamenty/diagnostika-problem/#шаг-1",
            "/",
            "/reglamenty/eskalatsiya/#эскалация-x",
            "/reglamenty/"
        ]
    );
    let diag = s
        .page_id_by_path("Регламенты/Диагностика проблем.md")
        .unwrap();
    let esc_id = s.page_id_by_path("Регламенты/Эскалация.md").unwrap();
    assert_eq!(s.pages[diag].backlinks, [esc_id]);
    let codes: Vec<_> = s.all_diagnostics().map(|d| d.code).collect();
    assert_eq!(codes, [Code::RawSpaces]);
}

#[test]
fn broken_links_and_anchors_are_reported_with_suggestions() {
    let s = site(&[
        ("a.md", "# A\n\nтекст [битая](Диагностика.md) и [якорь](b.md#шаг-2) и [вне](../../etc/passwd)\n"),
        ("b.md", "# B\n\n## Шаг 1\n"),
        ("Диагностика проблем.md", "# Д\n"),
    ]);
    let diags: Vec<_> = s
        .all_diagnostics()
        .map(|d| (d.code, d.line, d.column, d.help.clone()))
        .collect();
    assert_eq!(
        diags[0],
        (
            Code::BrokenLink,
            3,
            7,
            Some("did you mean `Диагностика проблем.md`?".into())
        )
    );
    assert_eq!(
        diags[1],
        (
            Code::BrokenAnchor,
            3,
            33,
            Some("did you mean `#шаг-1`?".into())
        )
    );
    assert_eq!(diags[2].0, Code::LinkOutsideContent);
    let a = s.page_by_path("a.md").unwrap();
    assert!(matches!(a.links[0], LinkTarget::Broken { .. }));
    assert!(matches!(a.links[2], LinkTarget::Broken { .. }));
}

#[test]
fn url_collisions_are_resolved_deterministically() {
    let s = site(&[
        ("Ёлка.md", "# 1\n"),
        ("Елка.md", "# 2\n"),
        ("елка.md", "# 3\n"),
    ]);
    let urls: Vec<_> = s
        .pages
        .iter()
        .map(|p| (p.doc.rel_path.as_str(), p.url.as_str()))
        .collect();
    assert_eq!(
        urls,
        [
            ("Ёлка.md", "/elka/"),
            ("Елка.md", "/elka-2/"),
            ("елка.md", "/elka-3/")
        ]
    );
    assert_eq!(
        problems(&s)
            .iter()
            .filter(|d| d.code == Code::UrlCollision)
            .count(),
        2
    );
}

/// «Подбор» is a natural section name and becomes `/podbor/`, the operator page's URL; a
/// folder named `search` or `static` would land among the generated files.
#[test]
fn pages_and_sections_never_take_a_generated_url() {
    let s = site(&[
        ("Подбор/README.md", "# Подбор оборудования\n"),
        ("Подбор/Камеры.md", "# Камеры\n"),
        ("search.md", "# Поиск\n"),
        ("static/Файл.md", "# Файл\n"),
        ("Теги.md", "# Теги\n"),
    ]);
    let url = |path: &str| s.page_by_path(path).unwrap().url.clone();
    assert_eq!(url("Подбор/README.md"), "/podbor-2/");
    assert_eq!(url("Подбор/Камеры.md"), "/podbor-2/kamery/");
    assert_eq!(url("search.md"), "/search-2/");
    assert_eq!(url("static/Файл.md"), "/static-2/fayl/");
    assert_eq!(
        url("Теги.md"),
        "/tegi/",
        "only the generated URLs are taken"
    );
    let collisions: Vec<&str> = problems(&s)
        .iter()
        .filter(|d| d.code == Code::UrlCollision)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(collisions.len(), 3, "{collisions:?}");
    assert!(
        collisions
            .iter()
            .any(|m| m.contains("/podbor/") && m.contains("the operator page")),
        "{collisions:?}"
    );
}

#[test]
fn sections_and_tags() {
    let s = site(&[
        ("README.md", "# Дом\n"),
        ("x/README.md", "# Раздел X\n"),
        ("x/б.md", "---\ntags: [шлагбаум, пропуск]\n---\n# Б\n"),
        ("x/а.md", "---\ntags: [шлагбаум]\n---\n# А\n"),
        ("x/y/z.md", "# Z\n"),
    ]);
    let x = &s.sections[s.section_by_dir["x"]];
    assert_eq!(x.title, "Раздел X");
    let titles: Vec<_> = x
        .pages
        .iter()
        .map(|&p| s.pages[p].doc.title.as_str())
        .collect();
    assert_eq!(titles, ["А", "Б"]);
    assert_eq!(x.subsections.len(), 1);
    assert_eq!(s.tags["шлагбаум"].pages.len(), 2);
    assert_eq!(s.tags["шлагбаум"].url, "/tags/shlagbaum/");
    assert_eq!(s.sections[0].index, s.page_id_by_path("README.md"));
}

/// Tags whose names read the same in Latin (`вводит`, `вводить`) each keep a page: the first
/// by name its URL, the next one `-2`; «отчёт» and «отчет» are one tag.
#[test]
fn every_tag_has_a_url_of_its_own() {
    let s = site(&[
        ("в.md", "---\ntags: [вводить, отчёт]\n---\n# В\n"),
        ("а.md", "---\ntags: [вводит, отчет]\n---\n# А\n"),
        ("б.md", "---\ntags: [вводит-2]\n---\n# Б\n"),
    ]);
    let url = |tag: &str| s.tags[tag].url.as_str();
    assert_eq!(url("вводит"), "/tags/vvodit/");
    assert_eq!(url("вводит-2"), "/tags/vvodit-2/");
    assert_eq!(url("вводить"), "/tags/vvodit-3/");
    assert_eq!(s.tags.len(), 4);
    assert_eq!(s.tags["отчет"].pages.len(), 2);
}

/// Unchanged documents keep their resolved links across loads, until something they can point
/// at changes: here the heading an anchor names, then the page itself, then a closing `{#id}`.
#[test]
fn kept_link_resolutions_follow_what_they_point_at() {
    let a = doc("A.md", "# А\n\n[к шагу](B.md#шаг-1)\n");
    let mut memo = LinkMemo::default();
    let first = load(vec![a.clone(), doc("B.md", "# Б\n\n## Шаг 1\n")], &mut memo);
    assert!(matches!(first.pages[0].links[0], LinkTarget::Page { .. }));
    let body_edit = load(
        vec![a.clone(), doc("B.md", "# Б\n\nНовый текст.\n\n## Шаг 1\n")],
        &mut memo,
    );
    assert!(
        Arc::ptr_eq(&first.pages[0].links, &body_edit.pages[0].links),
        "a body edit elsewhere reuses A's resolution"
    );
    let heading_edit = load(
        vec![a.clone(), doc("B.md", "# Б\n\n## Шаг первый\n")],
        &mut memo,
    );
    assert!(problems(&heading_edit)
        .iter()
        .any(|d| d.code == Code::BrokenAnchor));
    let gone = load(vec![a.clone()], &mut memo);
    assert!(problems(&gone).iter().any(|d| d.code == Code::BrokenLink));
    let to_item = doc("C.md", "# C\n\n[к пункту](D.md#punkt)\n");
    let with_id = load(
        vec![to_item.clone(), doc("D.md", "# D\n\n- пункт {#punkt}\n")],
        &mut memo,
    );
    assert!(problems(&with_id).is_empty());
    let without = load(vec![to_item, doc("D.md", "# D\n\n- пункт\n")], &mut memo);
    assert!(
        problems(&without)
            .iter()
            .any(|d| d.code == Code::BrokenAnchor),
        "a closing id removed is an anchor gone"
    );
}

/// The link forms of bases written for Diplodoc, MkDocs and wikis, all in one page.
#[test]
fn links_as_real_bases_write_them_resolve() {
    let line = "[диск](concepts/disk) [файл](concepts/disk/) [папка](Регламенты) [индекс](guide/) \
        [база](/docs/concepts/disk) [база.md](/docs/concepts/disk.md) [база/](/docs/Регламенты/) \
        [корень](/docs) [регистр](CONCEPTS/Disk.md) [{#T}](concepts/disk.md#шаг-1) [пусто]() \
        <support@pass24.online> [пункт](concepts/disk.md#Punkt) [верх](concepts/disk.md#top)";
    let config = Config {
        base_url: "https://kb.example/docs/".into(),
        ..Config::default()
    };
    let s = site_with(
        config,
        &[
            ("README.md", &format!("# Главная\n\n{line}\n")),
            (
                "concepts/disk.md",
                "# Диск {#top}\n\n## Шаг 1\n\n- пункт {#punkt}\n",
            ),
            ("concepts/disk/README.md", "# Папка диска\n"),
            ("Регламенты/README.md", "# Регламенты\n"),
            ("guide/index.md", "# Руководство\n"),
        ],
    );
    let home = s.page_by_path("README.md").unwrap();
    let urls: Vec<_> = home.links.iter().map(|t| s.target_url(t)).collect();
    let url = |u: &str| Some(u.to_string());
    assert_eq!(
        urls,
        [
            url("/concepts/disk-2/"),
            url("/concepts/disk/"),
            url("/reglamenty/"),
            url("/guide/"),
            url("/concepts/disk-2/"),
            url("/concepts/disk-2/"),
            url("/reglamenty/"),
            url("/"),
            url("/concepts/disk-2/"),
            url("/concepts/disk-2/#шаг-1"),
            None,
            url("mailto:support@pass24.online"),
            url("/concepts/disk-2/#punkt"),
            url("/concepts/disk-2/"),
        ]
    );
    assert_eq!(home.links[10], LinkTarget::Unlinked);
    assert_eq!(s.target_title(&home.links[9]), Some("Шаг 1"));
    assert_eq!(s.target_title(&home.links[0]), Some("Диск"));
    let problems: Vec<_> = problems(&s)
        .iter()
        .filter(|d| d.file == "README.md")
        .map(|d| (d.code, d.severity, d.line, d.column, d.help.clone()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                Code::LinkCase,
                Severity::Warning,
                3,
                column(line, "[регистр]"),
                Some("spell it as the file is, `concepts/disk.md`: GitHub, GitLab and Linux servers tell case apart".into())
            ),
            (
                Code::EmptyLink,
                Severity::Warning,
                3,
                column(line, "[пусто]"),
                None
            ),
        ]
    );
}

#[test]
fn a_folder_link_ignoring_case_names_the_folder() {
    let s = site(&[
        ("a.md", "# A\n\n[р](регламенты/)\n"),
        ("Регламенты/README.md", "# Р\n"),
    ]);
    let a = s.page_by_path("a.md").unwrap();
    assert_eq!(s.target_url(&a.links[0]).as_deref(), Some("/reglamenty/"));
    assert!(problems(&s)[0]
        .help
        .as_deref()
        .unwrap()
        .contains("`Регламенты/`"));
}

/// Many broken links, to moved, misspelt and deleted documents: each gets the suggestion it
/// got when every link was compared with every page, the one in the nearest folder when names
/// tie, and the same one each time.
#[test]
fn did_you_mean_holds_for_many_broken_links() {
    let mut files = vec![("README.md".to_string(), "# Главная\n".to_string())];
    for word in [
        "пропуск",
        "шлагбаум",
        "домофон",
        "оплата",
        "камера",
        "номер",
    ] {
        for folder in ["Типичные", "Регламенты"] {
            files.push((
                format!("{folder}/{word} не работает.md"),
                format!("# {word}\n"),
            ));
        }
    }
    let links = [
        "Архив/пропуск не работает.md",
        "Регламенты/шлагбам не работает.md",
        "Регламенты/домафон не работает",
        "Типичные/оплата не работет.md",
        "Типичные/совсем другое.md",
        "Типичные/камера не работает.md#нет",
    ];
    let body: String = links
        .iter()
        .cycle()
        .take(60)
        .map(|l| format!("[x](<../{l}>)\n\n"))
        .collect();
    files.push(("Типичные/ссылки.md".into(), format!("# Ссылки\n\n{body}")));
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let s = site(&borrowed);
    let helps: Vec<_> = problems(&s)
        .iter()
        .take(links.len())
        .map(|d| (d.code, d.help.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(
        helps,
        [
            (
                Code::BrokenLink,
                "did you mean `Регламенты/пропуск не работает.md`?"
            ),
            (
                Code::BrokenLink,
                "did you mean `Регламенты/шлагбаум не работает.md`?"
            ),
            (
                Code::BrokenLink,
                "did you mean `Регламенты/домофон не работает.md`?"
            ),
            (
                Code::BrokenLink,
                "did you mean `Типичные/оплата не работает.md`?"
            ),
            (Code::BrokenLink, ""),
            (Code::BrokenAnchor, ""),
        ]
    );
    assert_eq!(problems(&s).len(), 60, "each link reported where it is");
    assert!(problems(&s)
        .windows(links.len() + 1)
        .all(|w| w[0].help == w[links.len()].help));
}

/// A page whose links are resolved again (another file came) quotes each problem's own line,
/// taken from its problems at the last load or from its source.
#[test]
fn problems_resolved_again_quote_their_own_lines() {
    let text = "# А\n\n[первая](нет.md)\n\nтекст\n\n[вторая](тоже-нет.md)\n\n[третья](C.md)\n";
    let a = doc("A.md", text);
    let mut memo = LinkMemo::default();
    let quoted = |site: &Site| -> Vec<(u32, Option<String>)> {
        let mut found: Vec<_> = problems(site)
            .iter()
            .map(|d| (d.line, d.source_line.clone()))
            .collect();
        found.sort();
        found
    };
    let first = load(vec![a.clone()], &mut memo);
    let own_lines = |found: &[(u32, Option<String>)]| {
        found
            .iter()
            .all(|(line, quoted)| text.lines().nth(*line as usize - 1) == quoted.as_deref())
    };
    assert_eq!(quoted(&first).len(), 3, "{:?}", quoted(&first));
    assert!(own_lines(&quoted(&first)));
    // C.md appears, a path A looked up: A's links are resolved again, one fewer broken.
    let again = load(vec![a.clone(), doc("C.md", "# C\n")], &mut memo);
    assert_eq!(quoted(&again).len(), 2, "{:?}", quoted(&again));
    assert!(own_lines(&quoted(&again)), "{:?}", quoted(&again));
    // C.md goes: the third problem's line, not quoted at the last load, comes from the source.
    let without = load(vec![a], &mut memo);
    assert_eq!(quoted(&without), quoted(&first));
}

/// After files come and go, a page keeps its kept resolution only while nothing its links looked
/// up changed, and that resolution is what resolving again gives: the same targets (renumbered)
/// and the same problems. Each step is checked against a load with an empty memo.
#[test]
fn a_kept_resolution_holds_until_a_path_it_looked_up_changes() {
    let a = doc(
        "A.md",
        "# А\n\n[папка](disk#раздел) [регистр](b.md) [якорь](C.md#шаг) [ниже](Z.md)\n",
    );
    let far = doc("Y/Далеко.md", "# Далеко\n\n[к Z](../Z.md)\n");
    let typo = doc("W.md", "# W\n\n[куда-то](Dsk.md)\n");
    let readme = doc("disk/README.md", "# Диск\n\n## Раздел\n");
    let c = doc("C.md", "# C\n\n## Шаг\n");
    let base = |extra: Vec<Arc<Document>>| {
        let mut docs = vec![a.clone(), far.clone(), typo.clone(), doc("Z.md", "# Z\n")];
        docs.extend([doc("B.md", "# Б\n")]);
        docs.extend(extra);
        docs
    };
    let steps: Vec<(&str, Vec<Arc<Document>>, bool)> = vec![
        ("first", base(vec![readme.clone(), c.clone()]), false),
        (
            "disk.md beside disk/",
            base(vec![doc("disk.md", "# Д\n"), readme.clone(), c.clone()]),
            false,
        ),
        (
            "b.md as written",
            base(vec![doc("b.md", "# б\n"), readme.clone(), c.clone()]),
            false,
        ),
        (
            "the anchor's heading renamed",
            base(vec![readme.clone(), doc("C.md", "# C\n\n## Иной\n")]),
            false,
        ),
        (
            "an unrelated page added",
            base(vec![
                doc("X.md", "# X\n"),
                readme.clone(),
                doc("C.md", "# C\n\n## Иной\n"),
            ]),
            true,
        ),
        (
            "the folder page's heading renamed",
            base(vec![
                doc("disk/README.md", "# Диск\n\n## Иное\n"),
                doc("C.md", "# C\n\n## Иной\n"),
            ]),
            false,
        ),
        ("the folder's page gone", base(vec![c.clone()]), false),
    ];
    let mut memo = LinkMemo::default();
    let mut last: Option<Site> = None;
    for (step, docs, a_kept) in steps {
        let kept = load(docs.clone(), &mut memo);
        let fresh = load(docs, &mut LinkMemo::default());
        for (k, f) in kept.pages.iter().zip(&fresh.pages) {
            let path = &k.doc.rel_path;
            assert_eq!(k.links, f.links, "{step}: the links of {path}");
            assert_eq!(k.link_diagnostics, f.link_diagnostics, "{step}: {path}");
            assert_eq!(k.backlinks, f.backlinks, "{step}: the backlinks of {path}");
        }
        if let Some(last) = &last {
            // Renumbered targets are a new list; the problems of a kept resolution are not.
            let kept_from = |p: &str| {
                let problems = |s: &Site| s.page_by_path(p).unwrap().link_diagnostics.clone();
                Arc::ptr_eq(&problems(last), &problems(&kept))
            };
            assert_eq!(kept_from("A.md"), a_kept, "{step}: A.md's resolution kept");
            assert!(
                kept_from("Y/Далеко.md"),
                "{step}: a page whose lookups found the same keeps its resolution"
            );
        }
        last = Some(kept);
    }
}
