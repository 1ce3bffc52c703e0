//! `spravka build` end to end: the real binary on fixture knowledge bases.

mod common;
use common::{assert_internal_links_resolve, main_of, Fixture};

#[test]
fn fixture_builds_with_links_metadata_backlinks_and_tags() {
    let mut f = Fixture::new("basic");
    // The fixture's broken link is on purpose: a plain build would refuse it.
    f.build_keep_going().success();
    let page = f.page("/razdel/pervyy-dokument/");
    // All three link styles and anchors resolve to transliterated URLs.
    assert!(
        page.contains("<a href=\"../vtoroy-so-skobkami/\">второй</a>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../vtoroy-so-skobkami/\">второй сырой</a>"),
        "{page}"
    );
    assert!(page.contains("<a href=\"../../\">главная</a>"), "{page}");
    assert!(
        page.contains("<a href=\"./#шаги-решения\">шаги</a>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../vtoroy-so-skobkami/#детали\">детали</a>"),
        "{page}"
    );
    // The broken link is a marked span, never a dead href, and reported with file:line.
    assert!(page.contains("<span class=\"broken-link\" title=\"Документ не найден: ./Третий документ.md\">нет такого</span>"), "{page}");
    assert!(
        f.stderr().contains("Раздел/Первый документ.md:25:"),
        "{}",
        f.stderr()
    );
    assert!(f.stdout().contains("1 broken links"), "{}", f.stdout());
    // Metadata card from the seeds' table.
    assert!(
        page.contains("<dd>1.1</dd>") && page.contains("Руководитель поддержки"),
        "{page}"
    );
    // Backlinks: the second document lists the first.
    f.assert_page_contains("/razdel/vtoroy-so-skobkami/", "На эту страницу ссылаются")
        .assert_page_contains(
            "/razdel/vtoroy-so-skobkami/",
            "href=\"../pervyy-dokument/\"",
        )
        .assert_page_contains("/razdel/vtoroy-so-skobkami/", "badge-draft")
        .assert_page_contains("/tags/propusk/", "Первый документ")
        .assert_page_contains("/tags/propusk/", "Второй (со скобками)")
        .assert_page_contains("/razdel/", "href=\"pervyy-dokument/\"")
        .assert_page_contains("/razdel/", "Документ про шлагбаум и пропуска.");
    for file in [
        "sitemap.xml",
        "atom.xml",
        "404.html",
        "search/index.js",
        "static/style.css",
        "static/spravka.js",
    ] {
        assert!(f.out().join(file).exists(), "{file}");
    }
    assert!(
        !f.page("/razdel/pervyy-dokument/").contains("livereload"),
        "live reload is never in build output"
    );
    assert_internal_links_resolve(&f.out());
}

#[test]
fn rendered_main_of_a_page_is_pinned() {
    let mut f = Fixture::new("basic");
    f.build_keep_going().success();
    insta::assert_snapshot!(main_of(&f.page("/razdel/pervyy-dokument/")));
}

/// A base written for another generator (tests/fixtures/links-dialect: extensionless and
/// folder links, site-absolute links under `base_url`'s path, a link cased differently from
/// its file, `[{#T}](…)`, closing `{#id}`s, an e-mail autolink, an empty link) builds as it
/// is: no error, every href a written page and anchor, no markup left in the text.
#[test]
fn a_base_in_another_dialect_builds_as_it_is() {
    let mut f = Fixture::new("links-dialect");
    f.build().success();
    assert!(
        f.stdout()
            .contains("(0 broken links, 0 errors, 7 warnings)"),
        "{}",
        f.stdout()
    );
    let home = f.page("/");
    for needle in [
        "<a href=\"concepts/\">понятия</a>",
        "<a href=\"service/\">сервис</a>",
        "<li><a href=\"concepts/disk/\">Диск</a></li>",
        "<li><a href=\"concepts/disk/#квоты\">Квоты</a></li>",
        "<li><a href=\"service/page/\">Страница сервиса</a></li>",
        "<li><a href=\"service/page/\">Она же с расширением</a></li>",
        "<li><a href=\"service/\">Сервис целиком</a></li>",
        "<li><a href=\"concepts/disk/\">Диск с заглавной</a></li>",
        "<li><a href=\"concepts/disk/#limits\">Пункт списка</a></li>",
        "<li><a href=\"service/page/#note\">Замечание</a></li>",
        "<a href=\"mailto:support@example.com\">support@example.com</a>",
        "Ссылка-заготовка: скоро будет.</p>",
    ] {
        assert!(home.contains(needle), "{needle}:\n{}", main_of(&home));
    }
    f.assert_page_contains("/concepts/disk/", "<li id=\"limits\">Лимит на объём</li>")
        .assert_page_contains(
            "/service/page/",
            "<p id=\"note\">Важное замечание о сервисе.</p>",
        )
        .assert_page_contains(
            "/concepts/",
            "<a href=\"../service/page/\">Страница сервиса</a>",
        );
    for entry in walkdir::WalkDir::new(f.out()) {
        let path = entry.unwrap().into_path();
        if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path).unwrap();
            assert!(!html.contains("{#"), "{}: {html}", path.display());
        }
    }
    assert_internal_links_resolve(&f.out());
}

#[test]
fn rendered_main_of_a_base_in_another_dialect_is_pinned() {
    let mut f = Fixture::new("links-dialect");
    f.build().success();
    insta::assert_snapshot!("links_dialect_home", main_of(&f.page("/")));
    insta::assert_snapshot!("links_dialect_disk", main_of(&f.page("/concepts/disk/")));
}

#[test]
fn default_content_builds_with_every_internal_link_resolving() {
    let mut f = Fixture::default_content();
    f.build().success();
    assert!(
        f.stdout().contains("(0 broken links, 0 errors"),
        "{}",
        f.stdout()
    );
    assert_internal_links_resolve(&f.out());
    let esc = f.page("/reglamenty/eskalatsiya-v-otdel-razrabotki/");
    assert!(
        esc.contains("может быть устаревшим"),
        "the 2024 seed is stale"
    );
    assert!(
        esc.contains("href=\"../obrabotka-ekstrennykh-obrashcheniy-sla-vysokiy-prioritet/\""),
        "raw-space link with parentheses resolves"
    );
}

#[test]
fn the_same_content_builds_byte_identical_sites() {
    let mut f = Fixture::default_content();
    f.build().success();
    let first = snapshot_tree(&f.out());
    f.build().success();
    assert_eq!(first, snapshot_tree(&f.out()));
}

fn snapshot_tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_failed_build_leaves_the_previous_site_whole() {
    let mut f = Fixture::new("basic");
    f.build_keep_going().success();
    let before = snapshot_tree(&f.out());
    f.write("themes/default/templates/page.html", "{% extends \"base.html\" %}{% block main %}{{ page.nope | nosuchfilter }}{% endblock main %}");
    f.build_keep_going();
    assert!(!f.last.as_ref().unwrap().status.success());
    assert!(
        f.stderr().contains("earlier output is left as it was"),
        "{}",
        f.stderr()
    );
    assert_eq!(before, snapshot_tree(&f.out()));
    assert!(f.root().join("public-index").is_dir());
}

#[test]
fn a_site_theme_overrides_the_embedded_one_file_by_file() {
    let mut f = Fixture::new("basic");
    f.write(
        "themes/default/templates/404.html",
        "{% extends \"base.html\" %}{% block main %}СВОЯ 404{% endblock main %}",
    );
    f.build_keep_going().success();
    let not_found = std::fs::read_to_string(f.out().join("404.html")).unwrap();
    assert!(not_found.contains("СВОЯ 404"));
    assert!(
        f.page("/razdel/").contains("href=\"pervyy-dokument/\""),
        "other templates stay embedded"
    );
}

#[test]
fn unicode_urls_and_local_links_are_configurable() {
    let mut f = Fixture::new("basic");
    f.write(
        "spravka.toml",
        "url_mode = \"unicode\"\nlocal_links = true\n",
    );
    f.build_keep_going().success();
    let page = f.page("/раздел/первый-документ/");
    assert!(
        page.contains("href=\"../второй-со-скобками/index.html\""),
        "{page}"
    );
}

/// A rebuild updates the spare folder (the output before last) in place: after edits, a
/// deletion and an addition, the result equals a build from scratch, the deleted page's
/// files are gone, and a page that did not change keeps its file (same inode).
#[test]
fn rebuilds_through_the_spare_folder_equal_a_fresh_build() {
    use std::os::unix::fs::MetadataExt;
    let mut f = Fixture::new("basic");
    f.build_keep_going().success().build_keep_going().success();
    let spare = f.root().join(".public.old");
    assert!(spare.is_dir(), "the previous output is kept as the spare");
    let unchanged = "tags/index.html";
    let inode = |root: &std::path::Path| std::fs::metadata(root.join(unchanged)).unwrap().ino();
    let spare_inode = inode(&spare);
    f.write(
        "content/Раздел/Третий.md",
        "# Третий\n\nНовый документ, ссылка на [первый](Первый%20документ.md).\n",
    )
    .remove("content/Раздел/Второй (со скобками).md")
    .build_keep_going()
    .success();
    assert_eq!(
        inode(&f.out()),
        spare_inode,
        "unchanged files are reused, not rewritten"
    );
    let rebuilt = snapshot_tree(&f.out());
    assert!(
        rebuilt.iter().any(|(p, _)| p.contains("tretiy")),
        "the new page is there"
    );
    assert!(
        !rebuilt.iter().any(|(p, _)| p.contains("vtoroy")),
        "the deleted page's files are pruned"
    );
    let mut fresh = Fixture::new("basic");
    fresh
        .write(
            "content/Раздел/Третий.md",
            "# Третий\n\nНовый документ, ссылка на [первый](Первый%20документ.md).\n",
        )
        .remove("content/Раздел/Второй (со скобками).md")
        .build_keep_going()
        .success();
    assert_eq!(rebuilt, snapshot_tree(&fresh.out()));
}

/// What an older build left in the spare folder never blocks a build: a folder where a file
/// must go and a file where a folder must go are replaced.
#[test]
fn leftovers_in_the_spare_folder_are_replaced() {
    let mut f = Fixture::new("basic");
    f.build_keep_going().success().build_keep_going().success();
    let spare = f.root().join(".public.old");
    std::fs::remove_file(spare.join("tags/index.html")).unwrap();
    std::fs::create_dir_all(spare.join("tags/index.html/old")).unwrap();
    std::fs::remove_dir_all(spare.join("razdel")).unwrap();
    std::fs::write(spare.join("razdel"), "a file where a folder was").unwrap();
    f.build_keep_going().success();
    let mut fresh = Fixture::new("basic");
    fresh.build_keep_going().success();
    assert_eq!(snapshot_tree(&f.out()), snapshot_tree(&fresh.out()));
}

/// Everything under the site root but content/: the output, the index, the spare and staging
/// folders. What "nothing was written" compares.
fn outputs(f: &Fixture) -> Vec<(String, Vec<u8>)> {
    snapshot_tree(f.root())
        .into_iter()
        .filter(|(path, _)| !path.starts_with("content/"))
        .collect()
}

const FIRST: &str = "content/Раздел/Первый документ.md";

/// Errors in the content make `build` exit 1 before it writes anything: the previous output,
/// index and spare stay byte-identical, and the summary names the first error's file:line.
#[test]
fn a_build_with_errors_exits_1_and_writes_nothing() {
    let mut f = Fixture::new("basic");
    f.build_keep_going().success().build_keep_going().success();
    let before = outputs(&f);
    assert!(before.iter().any(|(p, _)| p.starts_with(".public.old/")));
    let text = std::fs::read_to_string(f.root().join(FIRST)).unwrap();
    f.write(
        FIRST,
        &format!("{text}\nЕщё одна: [пропала](./Пропавший.md).\nНовое слово: зюзюблик.\n"),
    );
    f.build();
    assert_eq!(f.code(), Some(1), "{}", f.stderr());
    let err = f.stderr();
    assert!(
        err.contains("error[broken-link]"),
        "the errors are listed: {err}"
    );
    let summary = err.lines().last().unwrap();
    assert!(
        summary.starts_with("error: 2 errors, the first at Раздел/Первый документ.md:25:")
            && summary.contains("nothing was written")
            && summary.contains("--keep-going"),
        "{summary}"
    );
    assert!(f.stdout().is_empty(), "no `built` line: {}", f.stdout());
    assert!(before == outputs(&f), "the previous output changed");
    assert!(!f.page("/razdel/pervyy-dokument/").contains("зюзюблик"));
}

/// `--keep-going`, or `[build] on_error = "warn"` in spravka.toml, builds content with errors,
/// exits 0 and says how many errors the output carries; a misspelt key is an error.
#[test]
fn keep_going_or_the_config_setting_builds_anyway_with_a_warning() {
    let warning = "warning: built anyway: the output carries 1 error, the first at Раздел/Первый документ.md:25:";
    let mut f = Fixture::new("basic");
    f.build_keep_going().success();
    assert!(f.stderr().contains(warning), "{}", f.stderr());
    assert!(
        f.stdout().contains("(1 broken links, 1 errors"),
        "{}",
        f.stdout()
    );
    f.assert_page_contains("/razdel/pervyy-dokument/", "class=\"broken-link\"");

    let mut f = Fixture::new("basic");
    f.write("spravka.toml", "[build]\non_error = \"warn\"\n")
        .build()
        .success();
    assert!(f.stderr().contains(warning), "{}", f.stderr());
    f.assert_page_contains("/razdel/pervyy-dokument/", "class=\"broken-link\"");

    f.write("spravka.toml", "[build]\non_error = \"fail\"\n")
        .build();
    assert_eq!(f.code(), Some(1), "{}", f.stderr());
    f.write("spravka.toml", "[build]\non_eror = \"warn\"\n")
        .build();
    assert_eq!(f.code(), Some(1));
    assert!(f.stderr().contains("spravka.toml:2:"), "{}", f.stderr());
}

/// YFM blocks (tests/fixtures/yfm-blocks): notes, cuts and tabs rendered, their links
/// resolved, and no `{%` left in the HTML outside code but the unsupported tag shown as text.
#[test]
fn yfm_blocks_render_as_callouts_details_and_tabs() {
    let mut f = Fixture::new("yfm-blocks");
    f.build().success();
    let page = f.page("/app/");
    let main = main_of(&page);
    insta::assert_snapshot!("yfm_blocks_app", main);
    let mut outside_code = String::new();
    for (i, part) in main.split("<code").enumerate() {
        let part = if i == 0 {
            part
        } else {
            part.split_once("</code>").map_or("", |p| p.1)
        };
        outside_code.push_str(part);
    }
    assert_eq!(
        outside_code.matches("{%").count(),
        1,
        "only the unsupported tag stays: {outside_code}"
    );
    assert!(outside_code.contains("{% include \"common.md\" %}"));
}

/// Variables (tests/fixtures/presets): `{{ name }}` replaced from the folders' presets files in
/// titles, text and link destinations (a nearer folder's value wins, the YFM `default` preset
/// is the one built), code left as written, an unknown name shown as written; the presets
/// files themselves are not published.
#[test]
fn presets_variables_are_replaced_outside_code() {
    let mut f = Fixture::new("presets");
    f.build().success();
    let page = f.page("/guides/mobile/app/");
    let main = main_of(&page);
    insta::assert_snapshot!("presets_app", main);
    let home = f.page("/");
    assert!(home.contains("Звоните: 8 800 000-00-00."), "{home}");
    assert!(
        home.contains("href=\"guides/mobile/app/\""),
        "a variable in a link destination: {home}"
    );
    assert!(
        !home.contains("не этот"),
        "only the default preset is built"
    );
    for published in ["presets.yaml", "guides/mobile/presets.toml"] {
        assert!(
            !f.out().join(published).exists(),
            "{published} is not an asset"
        );
    }
}

/// Includes (tests/fixtures/includes): a fragment's text expanded in place (nested, `notitle`
/// leaving out its H1), its links and images rebased to the including page's folder and
/// resolved, an include line in code left as written; fragments (`_includes/`) are neither
/// pages nor assets.
#[test]
fn includes_expand_in_place_with_rebased_links() {
    let mut f = Fixture::new("includes");
    f.build().success();
    assert!(
        f.stdout().contains("0 broken links"),
        "{}{}",
        f.stdout(),
        f.stderr()
    );
    let login = f.page("/guides/login/");
    insta::assert_snapshot!("includes_login", main_of(&login));
    let guest = f.page("/guides/guest/");
    let main = main_of(&guest);
    assert!(
        main.contains("href=\"../login/#если-не-помогло\""),
        "{main}"
    );
    assert!(main.contains("src=\"../../images/screen.png\""), "{main}");
    assert!(
        main.contains("{% include [в коде](../_includes/common/support.md) %}"),
        "an include line in code stays: {main}"
    );
    assert!(
        !f.out().join("_includes").exists(),
        "fragments are not published"
    );
    let report = f.run(&["check", "--format", "json"]).stdout();
    assert!(
        !report.contains("orphan"),
        "a fragment is not an orphan page: {report}"
    );
}

/// A generated YFM base (`gen_corpus --dialect yfm`: includes, variables, notes, cuts, tabs,
/// extensionless, folder, site-absolute and `{#T}` links, custom ids, every one in every
/// document) builds with no broken link and no `{%` or `{{` left outside code.
#[test]
fn a_generated_yfm_base_builds_with_every_feature_resolved() {
    let generator = common::example("gen_corpus");
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(&generator)
        .args(["--docs", "120", "--dialect", "yfm", "--out"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = std::process::Command::new(common::binary())
        .args(["build", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("(0 broken links, 0 errors,"), "{stdout}");
    let mut pages = 0;
    for entry in walkdir::WalkDir::new(dir.path().join("public")) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        pages += 1;
        let html = std::fs::read_to_string(entry.path()).unwrap();
        let mut outside_code = String::new();
        for (i, part) in main_of(&html).split("<code").enumerate() {
            let part = if i == 0 {
                part
            } else {
                part.split_once("</code>").map_or("", |p| p.1)
            };
            outside_code.push_str(part);
        }
        for literal in ["{%", "{{"] {
            assert!(
                !outside_code.contains(literal),
                "{literal} in {}",
                entry.path().display()
            );
        }
    }
    assert!(pages > 120, "{pages} pages");
}

/// A folder named in `fragments` holds fragments like `_includes/`: included, not published.
#[test]
fn fragments_named_in_the_config_are_not_pages() {
    let mut f = Fixture::new("includes");
    f.write(
        "spravka.toml",
        "title = \"Включения\"\nfragments = [\"snippets\"]\n",
    )
    .write(
        "content/snippets/note.md",
        "Общая заметка для всех страниц.\n",
    )
    .write(
        "content/guides/extra.md",
        "# Ещё\n\n{% include [заметка](../snippets/note.md) %}\n",
    )
    .build()
    .success();
    assert!(f
        .page("/guides/extra/")
        .contains("Общая заметка для всех страниц."));
    assert!(
        !f.out().join("snippets").exists(),
        "a listed fragment is not a page"
    );
}

/// The static search index as the client reads it: the entry names the chunk holding a stem,
/// that chunk's postings (page gaps and field bits) lead to the pages, each page's fragment
/// says which page it is, and the stem is in the list of its first letter. Every part names
/// itself but the fragments, whose bytes are the page's alone (the client knows which script
/// it added), so that renumbered pages keep their files.
#[test]
fn the_client_index_leads_from_a_stem_to_its_pages() {
    let mut f = Fixture::default_content();
    f.build().success();
    let part = |name: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(f.out().join("search").join(name)).unwrap();
        let prefix = if name.starts_with("f/") {
            "__spravkaSearch(null,".to_string()
        } else {
            format!("__spravkaSearch({name:?},")
        };
        let json = text
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(");\n"))
            .unwrap_or_else(|| panic!("{name} is not a __spravkaSearch call"));
        serde_json::from_str(json).unwrap()
    };
    let entry = part("index.js");
    assert_eq!(entry["version"], 4);
    let stem = "шлагбаум";
    let chunks = entry["chunks"].as_array().unwrap();
    let chunk = chunks
        .iter()
        .rev()
        .find(|c| c[0].as_str().unwrap() <= stem)
        .unwrap();
    let flat = part(chunk[1].as_str().unwrap())[stem].clone();
    let flat: Vec<u64> = flat
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let mut page = 0;
    let mut titled = vec![];
    for posting in flat.chunks(2) {
        page += posting[0];
        if posting[1] & 1 == 1 {
            titled.push(
                part(&format!("f/{page}.js"))["t"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    assert!(
        titled.contains(&"Шлагбаум не открывается по номеру автомобиля".to_string()),
        "{titled:?}"
    );
    assert!(
        titled.iter().all(|t| t.to_lowercase().contains(stem)),
        "{titled:?}"
    );
    let letter = part(entry["letters"]["ш"].as_str().unwrap());
    assert!(letter
        .as_array()
        .unwrap()
        .iter()
        .any(|pair| pair[0] == stem));
}
