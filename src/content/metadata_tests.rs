use super::*;

#[test]
fn dates_in_both_spellings() {
    assert_eq!(parse_date("2026-01-20").unwrap().to_string(), "2026-01-20");
    assert_eq!(
        parse_date(" 20.01.2026 ").unwrap().to_string(),
        "2026-01-20"
    );
    assert!(parse_date("20 января").is_none());
}

#[test]
fn tags_are_lowercased_and_trimmed() {
    assert_eq!(
        split_tags("Процессы, цикл обработки,, SLA"),
        ["процессы", "цикл обработки", "sla"]
    );
}

#[test]
fn unclosed_front_matter_is_content() {
    let (meta, body, lines) = split_front_matter("---\ntitle: x\n# no close\n").unwrap();
    assert!(meta.is_none());
    assert_eq!(lines, 0);
    assert!(body.starts_with("---"));
}

#[test]
fn toml_front_matter_errors_have_lines() {
    let err = split_front_matter("+++\ntitle = \"x\"\ntags = [\n+++\n").unwrap_err();
    assert!(err.message.contains("TOML"), "{}", err.message);
    assert!(err.pos.line >= 2);
}
