//! `spravka check`: exact positions, codes and severities; exit codes; the default content.

mod common;
use common::Fixture;

fn check_json(f: &mut Fixture, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["check", "--format", "json"];
    args.extend(extra);
    f.run(&args);
    serde_json::from_str(&f.stdout()).unwrap_or_else(|e| panic!("{e}: {}", f.stdout()))
}

fn find<'a>(report: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code && d["file"] == "Раздел/Плохой.md")
        .collect()
}

/// The diagnostics of `report` with one of `codes`, each as `code file:line:column severity`.
fn located(report: &serde_json::Value, codes: &[&str]) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| codes.iter().any(|c| d["code"] == *c))
        .map(|d| {
            format!(
                "{} {}:{}:{} {}",
                d["code"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_kind_of_problem_is_reported_where_it_is() {
    let mut f = Fixture::new("basic");
    f.write(
        "content/Раздел/Плохой.md",
        "# Плохой\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| **Версия** | 2.0 |\n| **Дата создания** | вчера |\n| **Дата последнего обновления** | 2020-01-01 |\n| **Статус** | На пересмотре |\n\n## Симптомы\n\n- «не работает»\n\nСм. [регламент](./Первый докумнт.md) и [якорь](./Первый%20документ.md#шаги) и [сайт](https://example.org) и [вне](../../../etc/passwd).\n\n## История изменений\n\n| Версия | Дата | Автор | Изменения |\n|---|---|---|---|\n| 1.0 | 2020-01-01 | x | y |\n",
    );
    let report = check_json(&mut f, &[]);
    assert_eq!(
        f.last.as_ref().unwrap().status.code(),
        Some(1),
        "errors mean exit 1"
    );
    let at = |d: &serde_json::Value| {
        (
            d["file"].as_str().unwrap().to_string(),
            d["line"].as_u64().unwrap(),
            d["column"].as_u64().unwrap(),
            d["severity"].as_str().unwrap().to_string(),
        )
    };
    let file = "Раздел/Плохой.md".to_string();
    let broken = find(&report, "broken-link");
    assert_eq!(at(broken[0]), (file.clone(), 16, 5, "error".into()));
    assert_eq!(
        broken[0]["help"],
        "did you mean `Раздел/Первый документ.md`?"
    );
    let anchor = find(&report, "broken-anchor");
    assert_eq!(at(anchor[0]), (file.clone(), 16, 40, "error".into()));
    assert_eq!(anchor[0]["help"], "did you mean `#шаги-решения`?");
    assert_eq!(at(find(&report, "link-outside-content")[0]).3, "error");
    assert_eq!(
        at(find(&report, "bad-metadata")[0]),
        (file.clone(), 8, 1, "error".into())
    );
    assert_eq!(at(find(&report, "external-link")[0]).3, "warning");
    assert_eq!(
        at(find(&report, "stale")[0]),
        (file.clone(), 9, 1, "warning".into())
    );
    assert_eq!(
        at(find(&report, "status")[0]),
        (file.clone(), 10, 1, "warning".into())
    );
    assert_eq!(
        at(find(&report, "history-version")[0]),
        (file.clone(), 22, 1, "warning".into())
    );
    assert!(find(&report, "missing-section")[0]["message"]
        .as_str()
        .unwrap()
        .contains("Возможные причины, Решение, Когда эскалировать"));
    assert_eq!(find(&report, "missing-metadata").len(), 1);
    assert_eq!(find(&report, "orphan").len(), 1);
    let raw: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "raw-spaces")
        .collect();
    assert_eq!(
        at(raw[0]),
        ("Раздел/README.md".into(), 6, 3, "warning".into())
    );
}

/// How other generators' bases write links is no error: a link cased unlike its file and an
/// empty link are warnings of their own, where they are.
#[test]
fn a_base_in_another_dialect_has_only_warnings() {
    let mut f = Fixture::new("links-dialect");
    let report = check_json(&mut f, &[]);
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(f.code(), Some(0));
    let of = |code: &str| -> Vec<(String, u64, u64, String, String)> {
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == code)
            .map(|d| {
                (
                    d["file"].as_str().unwrap().into(),
                    d["line"].as_u64().unwrap(),
                    d["column"].as_u64().unwrap(),
                    d["severity"].as_str().unwrap().into(),
                    d["help"].as_str().unwrap_or("").into(),
                )
            })
            .collect()
    };
    assert_eq!(
        of("link-case"),
        [(
            "README.md".into(),
            12,
            3,
            "warning".into(),
            "spell it as the file is, `concepts/disk.md`: GitHub, GitLab and Linux servers tell case apart".into()
        )]
    );
    assert_eq!(
        of("empty-link"),
        [("README.md".into(), 16, 59, "warning".into(), String::new())]
    );
    assert!(of("broken-link").is_empty());
}

#[test]
fn human_output_shows_the_line_and_a_summary() {
    let mut f = Fixture::new("basic");
    f.run(&["check"]);
    let out = f.stdout();
    assert!(out.contains("error[broken-link]"), "{out}");
    assert!(
        out.contains("Битая: [нет такого](./Третий документ.md)."),
        "the offending line is shown: {out}"
    );
    assert!(out.contains("checked 4 documents: 1 errors"), "{out}");
}

#[test]
fn warnings_only_exit_zero_unless_strict() {
    let mut f = Fixture::new("basic");
    f.write(
        "content/Раздел/Первый документ.md",
        &std::fs::read_to_string(f.root().join("content/Раздел/Первый документ.md"))
            .unwrap()
            .replace("Битая: [нет такого](./Третий документ.md).", ""),
    );
    let report = check_json(&mut f, &[]);
    assert_eq!(report["errors"], 0);
    assert_eq!(f.last.as_ref().unwrap().status.code(), Some(0));
    check_json(&mut f, &["--strict"]);
    assert_eq!(f.last.as_ref().unwrap().status.code(), Some(1));
}

#[test]
fn default_content_has_no_errors() {
    let mut f = Fixture::default_content();
    let report = check_json(&mut f, &[]);
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(f.last.as_ref().unwrap().status.code(), Some(0));
}

#[test]
fn new_creates_a_templated_document_and_lists_it() {
    let mut f = Fixture::default_content();
    f.run(&["new", "Не работает домофон", "--kind", "typical"])
        .success();
    assert!(
        f.stdout()
            .contains("/baza-tipichnykh-zaprosov/ne-rabotaet-domofon/"),
        "{}",
        f.stdout()
    );
    let text = std::fs::read_to_string(
        f.root()
            .join("content/База типичных запросов/Не работает домофон.md"),
    )
    .unwrap();
    for needle in [
        "# Не работает домофон",
        "| **Версия** | 1.0 |",
        "| **Статус** | Черновик |",
        "## Симптомы",
        "## Возможные причины",
        "## Решение",
        "## Когда эскалировать",
        "../Регламенты/Эскалация%20в%20отдел%20разработки.md",
    ] {
        assert!(text.contains(needle), "{needle}:\n{text}");
    }
    assert!(
        text.contains("| **Теги** | шлагбаум") || text.contains("| **Теги** | "),
        "usual tags filled"
    );
    let readme =
        std::fs::read_to_string(f.root().join("content/База типичных запросов/README.md")).unwrap();
    assert!(readme.contains("- [Не работает домофон](./Не%20работает%20домофон.md)"));
    // The new document links and is linked: check finds no errors and no orphan for it.
    let report = check_json(&mut f, &[]);
    assert_eq!(report["errors"], 0, "{report:#}");
    assert!(!report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "orphan"
            && d["file"] == "База типичных запросов/Не работает домофон.md"));
    // Refuses to overwrite.
    f.run(&["new", "Не работает домофон"]);
    assert_eq!(f.last.as_ref().unwrap().status.code(), Some(1));
    assert!(f.stderr().contains("already exists"), "{}", f.stderr());
}

#[test]
fn unreadable_files_and_url_collisions_are_errors() {
    let mut f = Fixture::new("basic");
    std::fs::write(
        f.root().join("content/Раздел/Битый.md"),
        b"# T\n\xFF\xFE broken",
    )
    .unwrap();
    f.write(
        "content/Раздел/первый документ.md",
        "# Тот же адрес\n\n[назад](./README.md)\n",
    );
    let report = check_json(&mut f, &[]);
    let all = report["diagnostics"].as_array().unwrap();
    let unreadable = all
        .iter()
        .find(|d| d["code"] == "unreadable")
        .expect("unreadable reported");
    assert_eq!(unreadable["file"], "Раздел/Битый.md");
    assert!(
        unreadable["message"]
            .as_str()
            .unwrap()
            .contains("invalid UTF-8 at line 2"),
        "{unreadable}"
    );
    let collision = all
        .iter()
        .find(|d| d["code"] == "url-collision")
        .expect("collision reported");
    assert_eq!(collision["severity"], "error");
    assert!(
        collision["message"]
            .as_str()
            .unwrap()
            .contains("/razdel/pervyy-dokument/"),
        "{collision}"
    );
    assert_eq!(f.last.as_ref().unwrap().status.code(), Some(1));
}

/// YFM tags that are not rendered are warnings where they are written.
#[test]
fn yfm_unknown_and_unclosed_tags_are_warnings_at_their_place() {
    let mut f = Fixture::new("yfm-blocks");
    let report = check_json(&mut f, &[]);
    assert_eq!(report["errors"], 0, "{report:#}");
    assert_eq!(
        located(&report, &["unknown-syntax", "unclosed-block"]),
        [
            "unknown-syntax app.md:49:17 warning",
            "unclosed-block app.md:51:1 warning"
        ]
    );
}

/// An unknown variable is a warning where it is written; spaces inside a variable of a link
/// destination are not raw spaces; a broken presets file is an error naming its line.
#[test]
fn unknown_variables_and_broken_presets_are_reported_where_they_are() {
    let mut f = Fixture::new("presets");
    let report = check_json(&mut f, &[]);
    assert_eq!(
        located(&report, &["unknown-variable"]),
        ["unknown-variable guides/mobile/app.md:11:44 warning"],
        "{report:#}"
    );
    let unknown = &report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-variable")
        .unwrap()["length"];
    assert_eq!(unknown, 18, "the whole `{{ release_date }}` is underlined");
    assert_eq!(
        located(&report, &["raw-spaces"]),
        Vec::<String>::new(),
        "{report:#}"
    );
    f.write("content/guides/presets.yaml", "default:\n  product: [x,\n");
    let report = check_json(&mut f, &[]);
    let bad: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "bad-presets")
        .collect();
    assert_eq!(bad.len(), 1, "{report:#}");
    assert_eq!(bad[0]["file"], "guides/presets.yaml");
    assert_eq!(bad[0]["severity"], "error");
    assert!(bad[0]["line"].as_u64().unwrap() >= 2, "{report:#}");
}

/// A missing included file and an include cycle are errors at the include line, the chain
/// named.
#[test]
fn broken_includes_and_cycles_are_errors_at_the_include_line() {
    let mut f = Fixture::new("includes");
    f.write(
        "content/guides/broken.md",
        "# Сломанное\n\nТекст.\n\n{% include [нет](../_includes/нет.md) %}\n\n{% include [круг](../_includes/loop-a.md) %}\n",
    )
    .write("content/_includes/loop-a.md", "{% include [b](loop-b.md) %}\n")
    .write("content/_includes/loop-b.md", "{% include [a](loop-a.md) %}\n");
    let report = check_json(&mut f, &[]);
    assert_eq!(
        located(&report, &["broken-include", "include-cycle"]),
        [
            "broken-include guides/broken.md:5:1 error",
            "include-cycle guides/broken.md:7:1 error"
        ],
        "{report:#}"
    );
    let messages: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "guides/broken.md" && d["severity"] == "error")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "included file `_includes/нет.md` does not exist",
            "include cycle: guides/broken.md → _includes/loop-a.md → _includes/loop-b.md → _includes/loop-a.md"
        ]
    );
    assert_eq!(
        f.last.as_ref().unwrap().status.code(),
        Some(1),
        "errors fail check"
    );
}
