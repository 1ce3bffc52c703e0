//! Heading ids by GitHub's rule, and URL slugs of file and folder names.

use crate::config::UrlMode;
use crate::text::translit::cyrillic_to_latin;
use std::collections::HashMap;

/// GitHub's heading id (github-slugger): lowercase, letters/digits/`-`/`_` kept, spaces to
/// hyphens, other punctuation dropped. Anchors written for GitHub/GitLab keep working.
pub fn github_heading_id(text: &str) -> String {
    text.trim()
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            // Combining marks (й written as и + U+0306 in NFD text) stay with their letter.
            c if ('\u{300}'..='\u{36f}').contains(&c) => Some(c),
            _ => None,
        })
        .collect()
}

/// Hands out unique heading ids within one page: `x`, `x-1`, `x-2`, as GitHub does.
#[derive(Debug, Default)]
pub struct HeadingIds {
    seen: HashMap<String, usize>,
}

impl HeadingIds {
    pub fn claim(&mut self, custom: Option<&str>, text: &str) -> String {
        let base = custom.map_or_else(|| github_heading_id(text), str::to_owned);
        let mut candidate = base.clone();
        while self.seen.contains_key(&candidate) {
            let count = self.seen.entry(base.clone()).or_insert(0);
            *count += 1;
            candidate = format!("{base}-{count}");
        }
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

/// URL segment for one file or folder name (without `.md`): readable, lowercase, no
/// punctuation but hyphens. Empty names (all punctuation) become `page`.
pub fn url_segment(name: &str, mode: UrlMode) -> String {
    let text = match mode {
        UrlMode::Ascii => cyrillic_to_latin(name),
        UrlMode::Unicode => name.to_string(),
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let keep = match mode {
            UrlMode::Ascii => c.is_ascii_alphanumeric(),
            UrlMode::Unicode => c.is_alphanumeric(),
        };
        if keep {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "page".into()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_ids_keep_cyrillic_and_drop_punctuation() {
        assert_eq!(
            github_heading_id("Шаг 1: Подтверждение необходимости эскалации"),
            "шаг-1-подтверждение-необходимости-эскалации"
        );
        assert_eq!(
            github_heading_id("Сроки реакции (SLA)"),
            "сроки-реакции-sla"
        );
        assert_eq!(
            github_heading_id("Вопрос 1: Как определить?"),
            "вопрос-1-как-определить"
        );
        assert_eq!(
            github_heading_id("snake_case и-дефис"),
            "snake_case-и-дефис"
        );
    }

    #[test]
    fn duplicate_headings_are_suffixed() {
        let mut ids = HeadingIds::default();
        let got: Vec<_> = ["Действия:", "Действия:", "Действия:", "Действия-1"]
            .iter()
            .map(|t| ids.claim(None, t))
            .collect();
        assert_eq!(
            got,
            ["действия", "действия-1", "действия-2", "действия-1-1"]
        );
        assert_eq!(ids.claim(Some("custom"), "x"), "custom");
    }

    #[test]
    fn url_segments_are_readable_ascii() {
        assert_eq!(
            url_segment("Эскалация в отдел разработки", UrlMode::Ascii),
            "eskalatsiya-v-otdel-razrabotki"
        );
        assert_eq!(
            url_segment(
                "Обработка экстренных обращений (SLA высокий приоритет)",
                UrlMode::Ascii
            ),
            "obrabotka-ekstrennykh-obrashcheniy-sla-vysokiy-prioritet"
        );
        assert_eq!(
            url_segment("Ошибка «Объект не найден» при регистрации", UrlMode::Ascii),
            "oshibka-obekt-ne-nayden-pri-registratsii"
        );
        assert_eq!(
            url_segment("QR-код пропуска не считывается", UrlMode::Ascii),
            "qr-kod-propuska-ne-schityvaetsya"
        );
        assert_eq!(url_segment("Регламенты", UrlMode::Unicode), "регламенты");
        assert_eq!(url_segment("«»", UrlMode::Ascii), "page");
    }
}
