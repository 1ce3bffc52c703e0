//! `spravka new`: what it writes never breaks the build of the site it was made in.

mod common;
use common::Fixture;

fn check_json(f: &mut Fixture) -> serde_json::Value {
    f.run(&["check", "--format", "json"]);
    serde_json::from_str(&f.stdout()).unwrap_or_else(|e| panic!("{e}: {}", f.stdout()))
}

/// A site with an empty content/, as a new user starts one.
fn empty_site() -> Fixture {
    let f = Fixture::empty();
    std::fs::create_dir_all(f.root().join("content")).unwrap();
    f
}

/// The diagnostics about files under `prefix`, as `code file: message`, but the status
/// warning every draft gets until a reviewer marks it «Актуально» (the template's
/// «Черновик» is deliberate).
fn unasked_for(report: &serde_json::Value, prefix: &str) -> Vec<String> {
    (report["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["file"].as_str().unwrap().starts_with(prefix) && d["code"] != "status")
        .map(|d| format!("{} {}: {}", d["code"], d["file"], d["message"]))
        .collect()
}

/// A title with `#` (a link's fragment) is listed by a link that reaches it, and a section
/// written `a//b` is the folder `a/b`.
#[test]
fn a_title_with_a_hash_and_a_doubled_slash_make_no_broken_link() {
    let mut f = empty_site();
    f.run(&["new", "Ошибка #404", "--in", "Раздел//Подраздел/"])
        .success();
    assert!(f
        .root()
        .join("content/Раздел/Подраздел/Ошибка #404.md")
        .is_file());
    f.run(&["new", "Вторая статья", "--in", "Раздел/Подраздел"])
        .success();
    let report = check_json(&mut f);
    assert_eq!(report["errors"], 0, "{report:#}");
}

/// Run inside content/ itself, `new` would make content/content/: it says where to run instead.
#[test]
fn new_inside_a_content_folder_is_refused() {
    let mut f = Fixture::new("basic");
    let content = f.root().join("content");
    let out = std::process::Command::new(common::binary())
        .args(["new", "Статья"])
        .current_dir(&content)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is the content folder of the site"),
        "{stderr}"
    );
    assert!(!content.join("content").exists());
    // A new site's folder, even one holding a README already, is no content folder: `new`
    // makes its content/.
    f = Fixture::empty();
    f.write("README.md", "# Наша база\n");
    f.run(&["new", "Статья"]).success();
    assert!(f.root().join("content").is_dir());
}

#[test]
fn new_in_an_empty_site_builds_without_errors_or_warnings_it_did_not_ask_for() {
    let mut f = empty_site();
    f.run(&["new", "Первая статья"]).success();
    assert!(f.stdout().contains("new section:"), "{}", f.stdout());
    f.build().success();
    assert!(f.stdout().contains("0 errors"), "{}", f.stdout());
    let report = check_json(&mut f);
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(unasked_for(&report, ""), Vec::<String>::new(), "{report:#}");
    let section = f.root().join("content/База типичных запросов");
    let text = std::fs::read_to_string(section.join("Первая статья.md")).unwrap();
    assert!(text.contains("| **Теги** | типичный запрос |"), "{text}");
    assert!(
        !text.contains("Регламенты/"),
        "no link to a missing regulation:\n{text}"
    );
    let readme = std::fs::read_to_string(section.join("README.md")).unwrap();
    assert!(
        readme.contains("- [Первая статья](./Первая%20статья.md)"),
        "{readme}"
    );
}

#[test]
fn a_typical_request_links_the_sites_own_escalation_regulation() {
    let mut f = empty_site();
    f.run(&["new", "--kind", "regulation", "Эскалация на вторую линию"])
        .success();
    f.run(&["new", "Не приходит письмо"]).success();
    let text = std::fs::read_to_string(
        f.root()
            .join("content/База типичных запросов/Не приходит письмо.md"),
    )
    .unwrap();
    assert!(
        text.contains(
            "[Эскалация на вторую линию](../Регламенты/Эскалация%20на%20вторую%20линию.md)"
        ),
        "{text}"
    );
    f.build().success();
    let report = check_json(&mut f);
    assert_eq!(unasked_for(&report, ""), Vec::<String>::new(), "{report:#}");
}

#[test]
fn new_in_a_missing_section_makes_it_and_says_so() {
    let mut f = Fixture::default_content();
    f.run(&["new", "--in", "Нет такого раздела", "Статья"])
        .success();
    let out = f.stdout();
    assert!(out.contains("new section:"), "{out}");
    assert!(out.contains("Нет такого раздела/README.md"), "{out}");
    assert!(
        out.contains("existing sections beside it: База типичных запросов, Регламенты"),
        "{out}"
    );
    let readme =
        std::fs::read_to_string(f.root().join("content/Нет такого раздела/README.md")).unwrap();
    assert!(readme.contains("- [Статья](./Статья.md)"), "{readme}");
    f.build().success();
    let report = check_json(&mut f);
    assert_eq!(report["errors"], 0, "{report:#}");
    let here = unasked_for(&report, "Нет такого раздела/");
    assert_eq!(here, Vec::<String>::new(), "{report:#}");
}

#[test]
fn new_in_a_section_without_a_page_says_it_is_not_listed() {
    let mut f = empty_site();
    f.write("content/Раздел/Есть.md", "# Есть\n\nТекст.\n");
    f.run(&["new", "--in", "Раздел", "Статья"]).success();
    assert!(f.stdout().contains("not listed:"), "{}", f.stdout());
    assert!(!f.root().join("content/Раздел/README.md").exists());
    f.build().success();
}
