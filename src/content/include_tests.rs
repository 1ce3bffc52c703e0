use super::*;
use std::collections::HashMap;

fn files(pairs: &[(&str, &str)]) -> HashMap<String, Arc<str>> {
    pairs
        .iter()
        .map(|(p, t)| (p.to_string(), Arc::from(*t)))
        .collect()
}

fn expand_with(text: &str, rel: &str, files: &HashMap<String, Arc<str>>) -> Expanded {
    let load = |p: &str| files.get(p).cloned();
    expand(text, rel, &load).expect("has includes")
}

#[test]
fn an_include_line_is_replaced_by_the_file_and_positions_map_back() {
    let fs = files(&[(
        "_includes/steps.md",
        "# Шаги\n\n1. Откройте [раздел](../b/c.md).\n",
    )]);
    let text = "# Статья\n\n{% include [Шаги](../_includes/steps.md) %}\n\nПосле.\n";
    let e = expand_with(text, "guides/a.md", &fs);
    assert!(e.text.contains("# Шаги\n\n1. Откройте"), "{}", e.text);
    assert_eq!(e.included, ["_includes/steps.md"]);
    assert!(e.problems.is_empty());
    let include_line = text.find("{%").unwrap();
    let in_fragment = e.text.find("Откройте").unwrap();
    assert_eq!(e.original_offset(in_fragment), include_line);
    let after = e.text.find("После").unwrap();
    assert_eq!(e.original_offset(after), text.find("После").unwrap());
    assert_eq!(e.original_offset(3), 3, "before the include: unchanged");
    assert_eq!(
        e.rebase(in_fragment, "../b/c.md", "guides/a.md").as_deref(),
        Some("../b/c.md"),
        "from _includes/ and from guides/ the same file"
    );
    assert_eq!(
        e.rebase(in_fragment, "x.md#a", "guides/a.md").as_deref(),
        Some("../_includes/x.md#a")
    );
    assert_eq!(
        e.rebase(in_fragment, "https://x.ru/a.md", "guides/a.md"),
        None
    );
    assert_eq!(
        e.rebase(after, "x.md", "guides/a.md"),
        None,
        "the page's own link"
    );
}

#[test]
fn notitle_drops_the_h1_and_front_matter_is_left_out() {
    let fs = files(&[("t.md", "---\ntitle: x\n---\n# Заголовок\n\nТекст.\n")]);
    let e = expand_with("{% include notitle [t](t.md) %}\n", "a.md", &fs);
    assert!(!e.text.contains("Заголовок"), "{}", e.text);
    assert!(!e.text.contains("title: x"), "{}", e.text);
    assert!(e.text.contains("Текст."));
    let e = expand_with("{% include [t](t.md) %}\n", "a.md", &fs);
    assert!(e.text.contains("# Заголовок"));
}

#[test]
fn nested_includes_rebase_from_the_innermost_file() {
    let fs = files(&[
        (
            "_i/outer.md",
            "Внешний.\n\n{% include [in](deep/inner.md) %}\n",
        ),
        ("_i/deep/inner.md", "См. [x](x.md).\n"),
    ]);
    let e = expand_with("{% include [o](_i/outer.md) %}\n", "a.md", &fs);
    assert_eq!(e.included, ["_i/deep/inner.md", "_i/outer.md"]);
    let at = e.text.find("См.").unwrap();
    assert_eq!(
        e.rebase(at, "x.md", "a.md").as_deref(),
        Some("_i/deep/x.md")
    );
    assert_eq!(
        e.original_offset(at),
        0,
        "placed at the outermost include line"
    );
}

#[test]
fn cycles_missing_files_and_deep_nests_are_problems_at_the_include_line() {
    let fs = files(&[
        ("_i/a.md", "{% include [b](b.md) %}\n"),
        ("_i/b.md", "{% include [a](a.md) %}\n"),
    ]);
    let text = "Текст.\n{% include [a](_i/a.md) %}\n{% include [нет](_i/нет.md) %}\n";
    let e = expand_with(text, "page.md", &fs);
    let found: Vec<(usize, &str, bool)> = e
        .problems
        .iter()
        .map(|p| (p.at, p.message.as_str(), p.cycle))
        .collect();
    assert_eq!(
        found,
        [
            (
                12,
                "include cycle: page.md → _i/a.md → _i/b.md → _i/a.md",
                true
            ),
            (39, "included file `_i/нет.md` does not exist", false),
        ]
    );
    assert_eq!(e.problems[0].length, 26);
    assert!(
        e.included.contains(&"_i/нет.md".to_string()),
        "a missing file is watched too"
    );
    let chain: Vec<(String, Arc<str>)> = (0..12)
        .map(|i| {
            (
                format!("d{i}.md"),
                Arc::from(format!("{{% include [n](d{}.md) %}}\n", i + 1)),
            )
        })
        .collect();
    let fs: HashMap<String, Arc<str>> = chain.into_iter().collect();
    let e = expand_with("{% include [n](d0.md) %}\n", "page.md", &fs);
    assert_eq!(e.problems.len(), 1);
    assert!(
        e.problems[0]
            .message
            .starts_with("includes nest deeper than 8"),
        "{:?}",
        e.problems
    );
}

#[test]
fn include_lines_in_code_and_inline_tags_are_left_alone() {
    let fs = files(&[("t.md", "Фрагмент.\n")]);
    let text = "```\n{% include [t](t.md) %}\n```\nТекст {% include [t](t.md) %} в строке.\n";
    let e = expand_with(text, "a.md", &fs);
    assert_eq!(e.text, text);
    assert!(e.included.is_empty());
    assert!(expand("Без включений.\n", "a.md", &|_: &str| None).is_none());
}

#[test]
fn an_include_above_content_is_a_problem_not_a_read() {
    let read = std::sync::atomic::AtomicBool::new(false);
    let load = |_: &str| {
        read.store(true, std::sync::atomic::Ordering::Relaxed);
        None
    };
    let e = expand("{% include [x](../../etc/passwd.md) %}\n", "a/b.md", &load).unwrap();
    assert_eq!(
        e.problems[0].message,
        "included file `../../etc/passwd.md` is outside content/"
    );
    assert!(!read.into_inner(), "nothing is read");
}
