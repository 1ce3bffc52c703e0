use super::*;
use crate::content::LinkOutput;

fn render(src: &str) -> Rendered {
    render_markdown(src, MarkdownOptions::default())
}

fn hrefs(r: &Rendered) -> String {
    r.finalize(|i| LinkOutput::Href(format!("/resolved/{}", r.links[i].dest)))
        .unwrap()
}

#[test]
fn collects_title_headings_links_and_sections() {
    let src = "# Заголовок\n\n## Раздел один\n\nТекст [ссылка](./Другой%20документ.md#якорь) и [сырая](./Диагностика проблем.md).\n\n### Подраздел\n\n## Раздел один\n";
    let r = render(src);
    assert_eq!(r.title.as_deref(), Some("Заголовок"));
    let ids: Vec<_> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["раздел-один", "подраздел", "раздел-один-1"]);
    assert_eq!(r.links.len(), 2);
    assert_eq!(r.links[0].dest, "./Другой%20документ.md#якорь");
    assert_eq!((r.links[0].pos.line, r.links[0].pos.column), (5, 7));
    assert!(!r.links[0].raw_spaces);
    assert_eq!(r.links[1].dest, "./Диагностика проблем.md");
    assert!(r.links[1].raw_spaces);
    assert_eq!(r.links[1].text, "сырая");
    assert_eq!((r.links[1].pos.line, r.links[1].pos.column), (5, 48));
    assert_eq!(
        r.sections
            .iter()
            .map(|s| s.title.as_str())
            .collect::<Vec<_>>(),
        ["", "Заголовок", "Раздел один", "Раздел один"]
    );
    let html = hrefs(&r);
    assert!(
        !html.contains("<h1"),
        "the title is the theme's job: {html}"
    );
    assert!(
        html.contains("<a href=\"/resolved/./Диагностика проблем.md\">сырая</a>"),
        "{html}"
    );
}

#[test]
fn broken_links_render_as_marked_spans() {
    let r = render("[нет](missing.md)\n");
    let html = r
        .finalize(|_| LinkOutput::Broken {
            reason: "Документ не найден".into(),
        })
        .unwrap();
    assert!(
        html.contains(
            "<span class=\"broken-link\" title=\"Документ не найден: missing.md\">нет</span>"
        ),
        "{html}"
    );
    assert!(!html.contains("href"), "{html}");
}

#[test]
fn metadata_table_is_parsed_but_not_rendered() {
    let src = "# T\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| **Версия** | 1.0 |\n\n---\n\n## Краткое описание\n\nСуть.\n";
    let r = render(src);
    let meta = r.section("Метаданные документа").unwrap();
    assert_eq!(meta.tables[0][1].cells, ["Версия", "1.0"]);
    assert_eq!(meta.tables[0][1].pos.line, 7);
    let html = hrefs(&r);
    assert!(!html.contains("Версия"), "{html}");
    assert!(html.contains("Суть."), "{html}");
    assert!(
        html.contains("Краткое описание<a class=\"anchor\""),
        "the heading after the table keeps its text: {html}"
    );
    assert_eq!(
        r.section("Краткое описание")
            .unwrap()
            .first_paragraph
            .as_deref(),
        Some("Суть.")
    );
}

#[test]
fn tasks_are_clickable_and_numbered() {
    let html = hrefs(&render("- [ ] один\n- [x] два\n"));
    assert!(
        html.contains("<input type=\"checkbox\" class=\"task\" data-task=\"0\">"),
        "{html}"
    );
    assert!(html.contains("data-task=\"1\" checked"), "{html}");
    assert!(!html.contains("disabled"), "{html}");
}

#[test]
fn raw_html_passes_or_is_escaped() {
    let src = "<script>alert(1)</script>\n\nтекст <b>жирный</b>\n";
    assert!(hrefs(&render(src)).contains("<script>alert(1)</script>"));
    let escaped = render_markdown(src, MarkdownOptions { escape_html: true });
    let html = hrefs(&escaped);
    assert!(
        !html.contains("<script>") && html.contains("&lt;script&gt;"),
        "{html}"
    );
}

#[test]
fn forged_slots_in_content_are_neutralised() {
    let r = render("текст \u{E000}0\u{E001} [a](b.md)\n");
    let html = r.finalize(|_| LinkOutput::Href("/b/".into())).unwrap();
    assert_eq!(html.matches("<a href").count(), 1, "{html}");
}

#[test]
fn images_resolve_through_slots() {
    let r = render("![Схема](img/схема.png)\n");
    assert!(r.links[0].is_image);
    let html = r
        .finalize(|_| LinkOutput::Href("../img/shema.png".into()))
        .unwrap();
    assert!(
        html.contains("<img src=\"../img/shema.png\" alt=\"Схема\""),
        "{html}"
    );
}

#[test]
fn plain_text_has_the_words() {
    let r = render("# T\n\nСлово **жирное** и `код`.\n\n| a | b |\n|---|---|\n| ячейка | два |\n");
    for w in ["Слово", "жирное", "код", "ячейка"] {
        assert!(
            r.plain_text.read().contains(w),
            "{w} in {:?}",
            r.plain_text.read()
        );
    }
}

#[test]
fn closing_ids_anchor_paragraphs_and_list_items() {
    let src = "# Заголовок {#top}\n\nАбзац с якорем {#abzats}\n\n- пункт *один* {#punkt_1}\n- пункт два {#p2}\n  - вложенный\n\n1. свободный {#loose}\n\n2. второй\n\nВ середине {#mid} текста.\n\n## Раздел {#razdel}\n\n`{#code}`\n";
    let r = render(src);
    assert_eq!(r.title.as_deref(), Some("Заголовок"));
    assert_eq!(r.title_id.as_deref(), Some("top"));
    assert_eq!(r.anchors, ["abzats", "punkt_1", "p2", "loose"]);
    assert_eq!(r.headings[0].id, "razdel");
    let html = hrefs(&r);
    for needle in [
        "<p id=\"abzats\">Абзац с якорем</p>",
        "<li id=\"punkt_1\">пункт <em>один</em></li>",
        "<li id=\"p2\">пункт два\n<ul>",
        "<p id=\"loose\">свободный</p>",
        "<p>В середине {#mid} текста.</p>",
        "<code>{#code}</code>",
    ] {
        assert!(html.contains(needle), "{needle:?} in {html}");
    }
    for cut in ["{#top}", "{#abzats}", "{#punkt_1}", "{#p2}", "{#loose}"] {
        assert!(
            !r.plain_text.read().contains(cut),
            "{cut} in {:?}",
            r.plain_text.read()
        );
    }
    assert_eq!(r.first_paragraph.as_deref(), Some("Абзац с якорем"));
}

#[test]
fn a_closing_id_taken_by_a_heading_is_made_unique() {
    let r = render("## Шаги\n\nТекст {#шаги}\n");
    assert_eq!(r.anchors, ["шаги-1"]);
    assert!(hrefs(&r).contains("<p id=\"шаги-1\">Текст</p>"));
}

#[test]
fn title_placeholders_take_the_targets_title() {
    let r = render("См. [{#T}](a.md) и [{#T}](нет.md) и [текст](b.md).\n");
    let flags: Vec<_> = r.links.iter().map(|l| l.title_placeholder).collect();
    assert_eq!(flags, [true, true, false]);
    assert!(
        !r.plain_text.read().contains("{#T}"),
        "{}",
        r.plain_text.read()
    );
    let html = r
        .finalize(|i| match i {
            0 => LinkOutput::Titled {
                href: "/a/".into(),
                title: "Статья <А>".into(),
            },
            1 => LinkOutput::Broken {
                reason: "Документ не найден".into(),
            },
            _ => LinkOutput::Href("/b/".into()),
        })
        .unwrap();
    assert!(
        html.contains("<a href=\"/a/\">Статья &lt;А&gt;</a>"),
        "{html}"
    );
    assert!(
        html.contains("title=\"Документ не найден: нет.md\">нет.md</span>"),
        "{html}"
    );
    assert!(html.contains("<a href=\"/b/\">текст</a>"), "{html}");
    assert!(!html.contains("{#T}"), "{html}");
}

#[test]
fn email_autolinks_are_mailto_and_empty_links_are_their_text() {
    let r = render("Пишите <support@pass24.online> или [сюда]().\n");
    assert_eq!(r.links[0].dest, "mailto:support@pass24.online");
    assert_eq!(r.links[1].dest, "");
    let html = r
        .finalize(|i| match i {
            0 => LinkOutput::Href(r.links[0].dest.clone()),
            _ => LinkOutput::Unlinked,
        })
        .unwrap();
    assert!(
        html.contains(
            "<a href=\"mailto:support@pass24.online\">support@pass24.online</a> или сюда."
        ),
        "{html}"
    );
}

#[test]
fn a_nested_list_starts_a_new_line_in_the_plain_text() {
    let r = render("- Web\n  - шаг\n");
    assert!(
        !r.plain_text.read().contains("Webшаг"),
        "{:?}",
        r.plain_text.read()
    );
}
