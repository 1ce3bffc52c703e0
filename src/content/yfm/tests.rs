use crate::content::markdown::{render_markdown, MarkdownOptions, Rendered};
use crate::diagnostics::Position;

fn render(md: &str) -> Rendered {
    render_markdown(md, MarkdownOptions::default())
}

#[test]
fn a_note_is_a_labelled_callout_with_its_markdown_inside() {
    let r = render("{% note warning \"Осторожно\" %}\n\nСм. [доступ](a.md):\n\n- раз\n\n{% endnote %}\n\n{% note tip %}\n\nДа.\n\n{% endnote %}\n");
    assert!(r.html.read().contains("<div class=\"note note-warning\" role=\"note\" aria-labelledby=\"note:1\">\n<p class=\"note-title\" id=\"note:1\">Осторожно</p>"), "{}", r.html.read());
    assert!(
        r.html
            .read()
            .contains("<p class=\"note-title\" id=\"note:2\">Совет</p>"),
        "{}",
        r.html.read()
    );
    assert!(r.html.read().contains("<li>раз</li>"), "{}", r.html.read());
    assert_eq!(r.links.len(), 1);
    assert!(
        !r.plain_text.read().contains("{%"),
        "{}",
        r.plain_text.read()
    );
    assert!(r.syntax_problems.is_empty());
}

#[test]
fn a_cut_is_details_with_its_title_as_summary() {
    let r = render("{% cut \"Как & почему\" %}\n\nТекст.\n\n{% endcut %}\n");
    assert_eq!(
        &*r.html.read(),
        "<details class=\"cut\"><summary>Как &amp; почему</summary><div class=\"cut-body\">\n<p>Текст.</p>\n</div></details>\n"
    );
}

#[test]
fn tabs_are_details_titled_by_each_item_first_paragraph() {
    let r = render("{% list tabs %}\n\n- Android\n\n  Шаг:\n\n  - вложенный\n\n- iOS\n\n  Другое.\n\n{% endlist %}\n");
    assert!(r.html.read().starts_with("<div class=\"tabs\">\n<details class=\"tab\" open><summary>Android</summary><div class=\"tab-body\">\n<p>Шаг:</p>\n<ul>\n<li>вложенный</li>\n</ul>\n</div></details>\n<details class=\"tab\"><summary>iOS</summary>"), "{}", r.html.read());
    assert!(
        r.html
            .read()
            .ends_with("<p>Другое.</p>\n</div></details>\n</div>\n"),
        "{}",
        r.html.read()
    );
    assert!(r.syntax_problems.is_empty());
}

#[test]
fn tight_tabs_take_the_text_before_the_first_block_as_title() {
    let r = render("{% list tabs %}\n\n- Web\n  - шаг\n- CLI\n\n{% endlist %}\n");
    assert!(
        r.html.read().contains(
            "<details class=\"tab\" open><summary>Web</summary><div class=\"tab-body\">\n<ul>"
        ),
        "{}",
        r.html.read()
    );
    assert!(
        r.html
            .read()
            .contains("<summary>CLI</summary><div class=\"tab-body\">\n</div></details>"),
        "{}",
        r.html.read()
    );
}

#[test]
fn unknown_and_misplaced_tags_stay_text_and_are_reported() {
    let r = render("Текст {% include x %} тут.\n\n{% if a %}\n\n{% endcut %}\n");
    let found: Vec<_> = r
        .syntax_problems
        .iter()
        .map(|p| (p.pos, p.length, p.unclosed))
        .collect();
    assert_eq!(
        found,
        [
            (Position { line: 1, column: 7 }, 15, false),
            (Position { line: 3, column: 1 }, 10, false),
            (Position { line: 5, column: 1 }, 12, false),
        ]
    );
    assert!(
        r.html.read().contains("<p>{% if a %}</p>"),
        "{}",
        r.html.read()
    );
}

#[test]
fn an_unclosed_block_is_closed_with_its_container_and_reported() {
    let r = render("> {% note info %}\n>\n> Внутри.\n\nПосле.\n\n{% cut \"x\" %}\n\nКонец.\n");
    assert_eq!(r.html.read().matches("<div class=\"note").count(), 1);
    assert!(
        r.html.read().contains("</div>\n</blockquote>"),
        "{}",
        r.html.read()
    );
    assert!(
        r.html.read().ends_with("</div></details>\n"),
        "{}",
        r.html.read()
    );
    let found: Vec<_> = r
        .syntax_problems
        .iter()
        .map(|p| (p.pos, p.unclosed))
        .collect();
    assert_eq!(
        found,
        [
            (Position { line: 1, column: 3 }, true),
            (Position { line: 7, column: 1 }, true)
        ]
    );
}

#[test]
fn code_is_never_touched() {
    let r = render("`{% note %}`\n\n```\n{% note info %}\n```\n\n    {% cut %}\n");
    assert!(r.syntax_problems.is_empty(), "{:?}", r.syntax_problems);
    assert!(!r.html.read().contains("class=\"note"), "{}", r.html.read());
}

#[test]
fn a_tight_tab_title_keeps_its_inline_markup_and_ends_at_a_block() {
    let r = render("{% list tabs %}\n\n- **Web**\n  - шаг\n- Web **app** x\n\n{% endlist %}\n");
    assert!(
        r.html.read().contains(
            "<summary><strong>Web</strong></summary><div class=\"tab-body\">\n<ul>\n<li>шаг</li>"
        ),
        "{}",
        r.html.read()
    );
    assert!(
        r.html.read().contains(
            "<summary>Web <strong>app</strong> x</summary><div class=\"tab-body\">\n</div></details>"
        ),
        "{}",
        r.html.read()
    );
}

#[test]
fn tab_titles_are_words_of_their_own_in_the_plain_text() {
    let r =
        render("{% list tabs %}\n\n- Android\n\n  Откройте.\n\n- Web\n  - шаг\n\n{% endlist %}\n");
    for w in ["Android", "Откройте", "Web", "шаг"] {
        assert!(
            r.plain_text
                .read()
                .split_whitespace()
                .any(|t| t.trim_end_matches('.') == w),
            "{w} in {:?}",
            r.plain_text.read()
        );
    }
}

#[test]
fn cut_and_note_titles_are_text() {
    let r = render("{% cut \"Почему код\" %}\n\nТекст.\n\n{% endcut %}\n\n{% note tip \"Совет дня\" %}\n\nДа.\n\n{% endnote %}\n");
    for w in ["Почему код", "Совет дня"] {
        assert!(
            r.plain_text.read().contains(w),
            "{w} in {:?}",
            r.plain_text.read()
        );
    }
    assert!(
        !r.plain_text.read().contains("кодТекст") && !r.plain_text.read().contains("дняДа"),
        "{:?}",
        r.plain_text.read()
    );
    assert!(
        r.html.read().contains("<summary>Почему код</summary>"),
        "{}",
        r.html.read()
    );
}

#[test]
fn a_title_cannot_forge_a_link_slot() {
    let r = render("{% cut \"x\u{E000}0\u{E001}y\" %}\n\nТекст.\n\n{% endcut %}\n\n{% note info \"a\u{E002}0\u{E001}\" %}\n\nДа.\n\n{% endnote %}\n");
    for c in ['\u{E000}', '\u{E001}', '\u{E002}'] {
        assert!(!r.html.read().contains(c), "{:?}", r.html.read());
    }
    assert!(
        r.html.read().contains("x\u{FFFD}0\u{FFFD}y"),
        "{:?}",
        r.html.read()
    );
}

#[test]
fn misplaced_tags_are_reported_as_the_tag_parser_reads_them() {
    let r = render("А {% note info %} б {% list foo %} в {% endcut x %} г {% include y %}\n");
    let messages: Vec<_> = r
        .syntax_problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert!(messages[0].contains("works only alone"), "{messages:?}");
    for m in &messages[1..] {
        assert!(
            m.contains("is not supported (only note, cut and list tabs)"),
            "{messages:?}"
        );
    }
}
