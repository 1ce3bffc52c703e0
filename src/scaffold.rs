//! `spravka new`: a document from the department's template, listed in its section's README.

use crate::config::Config;
use crate::site::Site;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Regulation,
    Typical,
}

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("title must not be empty or contain / \\ or start with a dot")]
    BadTitle,
    #[error("section folder {0} is outside content/")]
    BadSection(String),
    #[error("{0} already exists: not overwriting it")]
    Exists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What was created.
pub struct Created {
    pub path: PathBuf,
    pub rel_path: String,
    pub url: String,
    pub readme_updated: Option<PathBuf>,
}

/// The section's usual tags: the three most frequent among its documents.
fn usual_tags(site: &Site, dir: &str) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for page in site
        .pages
        .iter()
        .filter(|p| p.doc.rel_path.rsplit_once('/').map_or("", |(d, _)| d) == dir && !p.is_index)
    {
        for tag in &page.doc.meta.tags {
            *counts.entry(tag).or_default() += 1;
        }
    }
    let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    tags.into_iter()
        .take(3)
        .map(|(t, _)| t.to_string())
        .collect()
}

fn encode(path: &str) -> String {
    path.replace('%', "%25")
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

pub fn document_text(
    title: &str,
    kind: Kind,
    tags: &[String],
    today: NaiveDate,
    depth: usize,
) -> String {
    let up = "../".repeat(depth);
    let (doc_type, body) = match kind {
        Kind::Typical => (
            "Типичный запрос",
            format!(
                "## Симптомы\n\n- «…» — как клиенты пишут об этом в письме или в Telegram\n\n---\n\n## Возможные причины\n\n- …\n\n---\n\n## Решение\n\n1. …\n\n---\n\n## Когда эскалировать\n\n- Если решение не помогло — по регламенту [Эскалация в отдел разработки]({up}Регламенты/Эскалация%20в%20отдел%20разработки.md).\n\n---\n\n## Связанные материалы\n\n- [База типичных запросов](./README.md)\n"
            ),
        ),
        Kind::Regulation => (
            "Регламент",
            "## Основной контент\n\n…\n\n---\n\n## Пошаговая инструкция\n\n### Шаг 1: …\n\n**Что делать:**\n1. …\n\n---\n\n## Контрольный чек-лист\n\n- [ ] …\n\n---\n\n## Связанные материалы\n\n- [Регламенты технической поддержки](./README.md)\n".to_string(),
        ),
    };
    format!(
        "# {title}\n\n## Метаданные документа\n\n| Параметр | Значение |\n|----------|----------|\n| **Версия** | 1.0 |\n| **Дата создания** | {today} |\n| **Дата последнего обновления** | {today} |\n| **Автор** | Отдел технической поддержки |\n| **Ответственный за актуальность** | Руководитель технической поддержки |\n| **Статус** | Черновик |\n| **Тип документа** | {doc_type} |\n| **Отдел** | Тех. поддержка |\n| **Теги** | {tags} |\n\n---\n\n## Целевая аудитория\n\n**Для кого:** Специалисты технической поддержки\n\n**Уровень подготовки:** Начинающий / Средний\n\n**Когда использовать:** …\n\n---\n\n## Краткое описание\n\n…\n\n---\n\n{body}\n---\n\n## История изменений\n\n| Версия | Дата | Автор | Изменения |\n|--------|------|-------|-----------|\n| 1.0 | {today} | Отдел технической поддержки | Первоначальная версия |\n",
        tags = tags.join(", ")
    )
}

/// Adds `- [title](./file)` to the README's «Новые документы» list (made if missing, before
/// «Связанные материалы» / «История изменений» or at the end).
pub fn add_to_readme(readme: &str, title: &str, file_name: &str) -> String {
    let item = format!("- [{title}](./{})\n", encode(file_name));
    const HEADING: &str = "## Новые документы\n";
    if let Some(i) = readme.find(HEADING) {
        let after = i + HEADING.len();
        let end = readme[after..]
            .find("\n## ")
            .map_or(readme.len(), |j| after + j + 1);
        let mut insert_at = end;
        while readme[..insert_at].ends_with("\n\n") || readme[..insert_at].ends_with("---\n") {
            insert_at = readme[..insert_at].trim_end_matches(['\n', '-']).len() + 1;
        }
        return format!("{}{item}{}", &readme[..insert_at], &readme[insert_at..]);
    }
    let block = format!("{HEADING}\n{item}\n");
    let at = ["## Связанные материалы", "## История изменений"]
        .iter()
        .filter_map(|h| readme.find(h))
        .min();
    match at {
        Some(at) => format!("{}{block}{}", &readme[..at], &readme[at..]),
        None => format!("{}\n\n{block}", readme.trim_end()),
    }
}

/// Creates `content/<section>/<title>.md` and lists it in the section's README.md.
pub fn create(
    root: &Path,
    title: &str,
    section: &str,
    kind: Kind,
    today: NaiveDate,
) -> Result<Created, ScaffoldError> {
    let title = title.trim();
    if title.is_empty() || title.contains(['/', '\\']) || title.starts_with('.') {
        return Err(ScaffoldError::BadTitle);
    }
    let section = section.trim_matches('/');
    if section.split('/').any(|s| s == ".." || s == ".") {
        return Err(ScaffoldError::BadSection(section.into()));
    }
    let config = Config::load(root).map_err(|e| ScaffoldError::Io {
        path: root.into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let site = Site::load(root, config.clone());
    let file_name = format!("{title}.md");
    let rel_path = if section.is_empty() {
        file_name.clone()
    } else {
        format!("{section}/{file_name}")
    };
    let content = root.join(&config.content_dir);
    let path = content.join(&rel_path);
    let nfc: String = unicode_normalization::UnicodeNormalization::nfc(rel_path.as_str()).collect();
    if path.exists() || site.page_by_path(&nfc).is_some() {
        return Err(ScaffoldError::Exists(path));
    }
    let depth = if section.is_empty() {
        0
    } else {
        section.split('/').count()
    };
    let text = document_text(title, kind, &usual_tags(&site, section), today, depth);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ScaffoldError::Io { path, source }
    };
    std::fs::create_dir_all(path.parent().unwrap_or(&content)).map_err(io(&path))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(io(&path))?;
    let readme = content.join(section).join("README.md");
    let readme_updated = match std::fs::read_to_string(&readme) {
        Ok(old) => {
            std::fs::write(&readme, add_to_readme(&old, title, &file_name)).map_err(io(&readme))?;
            Some(readme)
        }
        Err(_) => None,
    };
    let url = crate::site::urls::page_url(&nfc, config.url_mode);
    Ok(Created {
        path,
        rel_path: nfc,
        url,
        readme_updated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_gets_a_new_documents_list_once() {
        let readme = "# Раздел\n\nТекст.\n\n## История изменений\n\n| a |\n";
        let once = add_to_readme(readme, "Первый (новый)", "Первый (новый).md");
        assert!(once.contains("## Новые документы\n\n- [Первый (новый)](./Первый%20%28новый%29.md)\n\n## История изменений"), "{once}");
        let twice = add_to_readme(&once, "Второй", "Второй.md");
        assert!(
            twice.contains(
                "- [Первый (новый)](./Первый%20%28новый%29.md)\n- [Второй](./Второй.md)\n"
            ),
            "{twice}"
        );
        assert_eq!(twice.matches("## Новые документы").count(), 1);
    }
}
