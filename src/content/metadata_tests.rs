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
fn a_tag_spelt_with_yo_is_the_tag_spelt_with_ye() {
    assert_eq!(
        split_tags("Отчёт; учётная запись"),
        ["отчет", "учетная запись"]
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

#[test]
fn other_tools_last_update_keys_and_date_times_feed_updated() {
    let updated = |front: &str| {
        let (meta, _, _) = split_front_matter(front).unwrap();
        meta.unwrap().updated
    };
    let day = NaiveDate::from_ymd_opt(2024, 3, 15);
    assert_eq!(updated("---\nms.date: 03/15/2024\n---\n# T\n"), day);
    assert_eq!(
        updated("---\nlastmod: 2024-03-15T10:00:00+03:00\n---\n# T\n"),
        day
    );
    assert_eq!(
        updated("---\nlast_modified_at: 2024-03-15 10:00\n---\n# T\n"),
        day
    );
    assert_eq!(
        updated("---\nupdated: 2024-03-15\nms.date: 01/01/2020\n---\n# T\n"),
        day,
        "spravka's own key wins"
    );
    assert_eq!(updated("+++\nlastmod = \"2024-03-15\"\n+++\n# T\n"), day);
}

#[test]
fn toml_bare_dates_are_dates() {
    let day = NaiveDate::from_ymd_opt(2024, 3, 15);
    let (meta, _, _) = split_front_matter("+++\nupdated = 2024-03-15\n+++\n# T\n").unwrap();
    assert_eq!(meta.unwrap().updated, day);
    let front = "+++\ndate = 2020-01-01\nlastmod = 2024-03-15T10:00:00+03:00\n+++\n# T\n";
    let meta = split_front_matter(front).unwrap().0.unwrap();
    assert_eq!(meta.updated, day);
    assert_eq!(meta.created, NaiveDate::from_ymd_opt(2020, 1, 1));
}
