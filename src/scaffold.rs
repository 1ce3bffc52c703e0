//! `spravka new`: a document from the department's template, listed in its section's README.
//! What it writes links only to documents the site has (or that it writes itself), so that the
//! next build of the site it was made in passes: a writer's first document must not break it.

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
    pub listing: Listing,
}

/// Where readers find the new document: the "listed in" step's outcome.
#[derive(Debug, PartialEq, Eq)]
pub enum Listing {
    /// Added to the section page's «Новые документы».
    Updated(PathBuf),
    /// The section had no documents: its folder and a section page listing the document were
    /// made. `siblings` are the sections beside it, shown in case `--in` was a typo.
    NewSection {
        readme: PathBuf,
        siblings: Vec<String>,
    },
    /// The section has documents but no section page (README.md) to list it in. None is
    /// written: it would turn the section's generated page into a draft about one document.
    NoSectionPage(PathBuf),
}

/// A link the template writes: its text and its destination, relative to the new document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub href: String,
}

/// What the template links to, each found among the site's documents (or about to be made):
/// `None` writes the line without the link.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    pub section_page: Option<Link>,
    pub escalation: Option<Link>,
}

/// The section as `new` finds it.
enum SectionState {
    /// Its section page (README.md, index.md, _index.md), path and title.
    Indexed { rel_path: String, title: String },
    /// Documents, but no section page.
    Unindexed,
    /// No documents yet: the section page `new` will write, path and title.
    New { rel_path: String, title: String },
}

impl SectionState {
    /// The section page the new document links to, if there is (or will be) one.
    fn page(&self) -> Option<(&str, &str)> {
        match self {
            SectionState::Indexed { rel_path, title } | SectionState::New { rel_path, title } => {
                Some((rel_path, title))
            }
            SectionState::Unindexed => None,
        }
    }
}

/// What `new` writes into the new document and the section page.
struct Draft<'a> {
    title: &'a str,
    file_name: &'a str,
    tags: Vec<String>,
    today: NaiveDate,
}

/// The section's usual tags: the three most frequent among its documents; a section without
/// tagged documents yet gets its kind's tag (as regulations carry «регламент»), since an
/// empty Теги row is reported as a missing field the writer did not leave out.
fn usual_tags(site: &Site, dir: &str, kind: Kind) -> Vec<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for page in site
        .pages
        .iter()
        .filter(|p| parent_dir(&p.doc.rel_path) == dir && !p.is_index)
    {
        for tag in &page.doc.meta.tags {
            *counts.entry(tag).or_default() += 1;
        }
    }
    let mut tags: Vec<(&str, usize)> = counts.into_iter().collect();
    tags.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let tags: Vec<String> = (tags.into_iter().take(3))
        .map(|(t, _)| t.to_string())
        .collect();
    if !tags.is_empty() {
        return tags;
    }
    vec![match kind {
        Kind::Typical => "типичный запрос".into(),
        Kind::Regulation => "регламент".into(),
    }]
}

/// The folder of a path relative to content/ (`""` for the root).
fn parent_dir(rel_path: &str) -> &str {
    rel_path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A path as a link destination, the way the base's documents write them: Cyrillic as is,
/// and only what would end or split the destination escaped (`#` and `?` start a fragment
/// and a query). Not `percent_encoding`: its sets escape every non-ASCII byte.
fn encode(path: &str) -> String {
    path.replace('%', "%25")
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('#', "%23")
        .replace('?', "%3F")
}

/// The destination a document in folder `from_dir` writes for `to` (both relative to
/// content/), as the base's documents write them: `./x.md` beside it, `../d/x.md` elsewhere.
pub fn relative_link(from_dir: &str, to: &str) -> String {
    let from: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to: Vec<&str> = to.split('/').collect();
    let common = (from.iter().zip(&to[..to.len() - 1]))
        .take_while(|(a, b)| a == b)
        .count();
    let rest = encode(&to[common..].join("/"));
    match from.len() - common {
        0 => format!("./{rest}"),
        up => format!("{}{rest}", "../".repeat(up)),
    }
}

/// The regulation a typical request escalates by ([`Site::escalation_regulation`]), linked
/// from the new document's folder. The template used to name one path, which only the
/// department's own base has.
fn escalation_link(site: &Site, from_dir: &str) -> Option<Link> {
    site.escalation_regulation().map(|id| {
        let doc = &site.pages[id].doc;
        Link {
            text: doc.title.clone(),
            href: relative_link(from_dir, &doc.rel_path),
        }
    })
}

/// Whether the section has a section page, documents without one, or nothing yet.
fn section_state(site: &Site, dir: &str) -> SectionState {
    let new = || SectionState::New {
        rel_path: match dir {
            "" => "README.md".into(),
            dir => format!("{dir}/README.md"),
        },
        // The folder's name, as the site titles a section without a page.
        title: match dir.rsplit('/').next() {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => site.config.title.clone(),
        },
    };
    let Some(section) = site.section_by_dir(dir).map(|id| &site.sections[id]) else {
        return new();
    };
    match section.index.map(|id| &site.pages[id]) {
        Some(index) => SectionState::Indexed {
            rel_path: index.doc.rel_path.clone(),
            title: index.doc.title.clone(),
        },
        None if section.pages.is_empty() && section.subsections.is_empty() => new(),
        None => SectionState::Unindexed,
    }
}

/// The sections beside `dir` (same parent folder) that have documents, by folder name.
fn sibling_sections(site: &Site, dir: &str) -> Vec<String> {
    let parent = parent_dir(dir);
    (site.sections.iter())
        .filter(|s| !s.dir.is_empty() && s.dir != dir && parent_dir(&s.dir) == parent)
        .filter(|s| s.index.is_some() || !s.pages.is_empty() || !s.subsections.is_empty())
        .map(|s| s.dir.rsplit('/').next().unwrap_or(&s.dir).to_string())
        .collect()
}

/// The metadata table every document of the template starts with, through its closing rule.
fn metadata_table(doc_type: &str, tags: &[String], today: NaiveDate) -> String {
    format!(
        "## Метаданные документа\n\n| Параметр | Значение |\n|----------|----------|\n| **Версия** | 1.0 |\n| **Дата создания** | {today} |\n| **Дата последнего обновления** | {today} |\n| **Автор** | Отдел технической поддержки |\n| **Ответственный за актуальность** | Руководитель технической поддержки |\n| **Статус** | Черновик |\n| **Тип документа** | {doc_type} |\n| **Отдел** | Тех. поддержка |\n| **Теги** | {tags} |\n\n---\n\n",
        tags = tags.join(", ")
    )
}

fn history(today: NaiveDate) -> String {
    format!("## История изменений\n\n| Версия | Дата | Автор | Изменения |\n|--------|------|-------|-----------|\n| 1.0 | {today} | Отдел технической поддержки | Первоначальная версия |\n")
}

/// «Связанные материалы»'s item: the section page when there is one, else a blank to fill.
fn related(links: &Links) -> String {
    (links.section_page.as_ref()).map_or("…".into(), |l| format!("[{}]({})", l.text, l.href))
}

fn typical_body(links: &Links) -> String {
    let escalate = match &links.escalation {
        Some(l) => format!("по регламенту [{}]({})", l.text, l.href),
        None => "передать обращение на следующую линию поддержки".into(),
    };
    format!(
        "## Симптомы\n\n- «…» — как клиенты пишут об этом в письме или в Telegram\n\n---\n\n## Возможные причины\n\n- …\n\n---\n\n## Решение\n\n1. …\n\n---\n\n## Когда эскалировать\n\n- Если решение не помогло — {escalate}.\n\n---\n\n## Связанные материалы\n\n- {}\n",
        related(links)
    )
}

fn regulation_body(links: &Links) -> String {
    format!(
        "## Основной контент\n\n…\n\n---\n\n## Пошаговая инструкция\n\n### Шаг 1: …\n\n**Что делать:**\n1. …\n\n---\n\n## Контрольный чек-лист\n\n- [ ] …\n\n---\n\n## Связанные материалы\n\n- {}\n",
        related(links)
    )
}

pub fn document_text(
    title: &str,
    kind: Kind,
    tags: &[String],
    today: NaiveDate,
    links: &Links,
) -> String {
    let (doc_type, body) = match kind {
        Kind::Typical => ("Типичный запрос", typical_body(links)),
        Kind::Regulation => ("Регламент", regulation_body(links)),
    };
    format!(
        "# {title}\n\n{}## Целевая аудитория\n\n**Для кого:** Специалисты технической поддержки\n\n**Уровень подготовки:** Начинающий / Средний\n\n**Когда использовать:** …\n\n---\n\n## Краткое описание\n\n…\n\n---\n\n{body}\n---\n\n{}",
        metadata_table(doc_type, tags, today),
        history(today)
    )
}

/// The section page `new` writes for a section it makes, listing the new document.
fn section_page_text(title: &str, draft: &Draft) -> String {
    let page = format!(
        "# {title}\n\n{}## Краткое описание\n\n…\n\n---\n\n{}",
        metadata_table("Указатель раздела", &draft.tags, draft.today),
        history(draft.today)
    );
    add_to_readme(&page, draft.title, draft.file_name)
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

/// The title and section checked, NFC (as the site keys paths and as folders are made).
fn validated(title: &str, section: &str) -> Result<(String, String), ScaffoldError> {
    let title = title.trim();
    if title.is_empty() || title.contains(['/', '\\']) || title.starts_with('.') {
        return Err(ScaffoldError::BadTitle);
    }
    // `a//b/` is the folder `a/b`.
    let section = (section.split('/').filter(|s| !s.is_empty()))
        .collect::<Vec<_>>()
        .join("/");
    if section.split('/').any(|s| s == ".." || s == ".") {
        return Err(ScaffoldError::BadSection(section));
    }
    let nfc = |s: &str| unicode_normalization::UnicodeNormalization::nfc(s).collect::<String>();
    Ok((nfc(title), nfc(&section)))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ScaffoldError {
    let path = path.to_path_buf();
    move |source| ScaffoldError::Io { path, source }
}

/// Writes a file that must not exist yet, making its folders.
fn write_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    std::fs::create_dir_all(path.parent().unwrap_or(path)).map_err(io_error(path))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(io_error(path))
}

/// Creates `content/<section>/<title>.md` and lists it in the section's page; a section with
/// no documents yet is made, with a page that lists it.
pub fn create(
    root: &Path,
    title: &str,
    section: &str,
    kind: Kind,
    today: NaiveDate,
) -> Result<Created, ScaffoldError> {
    let (title, section) = validated(title, section)?;
    let config = Config::load(root).map_err(|e| ScaffoldError::Io {
        path: root.into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    let site = Site::load(root, config.clone());
    let file_name = format!("{title}.md");
    let rel_path = match section.as_str() {
        "" => file_name.clone(),
        dir => format!("{dir}/{file_name}"),
    };
    let content = root.join(&config.content_dir);
    let path = content.join(&rel_path);
    if path.exists() || site.page_by_path(&rel_path).is_some() {
        return Err(ScaffoldError::Exists(path));
    }
    let mut state = section_state(&site, &section);
    if let SectionState::New { rel_path, .. } = &state {
        // A section page the site could not read is the writer's to mend, not to replace.
        if content.join(rel_path).exists() {
            state = SectionState::Unindexed;
        }
    }
    let links = Links {
        section_page: state.page().map(|(page, text)| Link {
            text: text.to_string(),
            href: relative_link(&section, page),
        }),
        escalation: escalation_link(&site, &section),
    };
    let draft = Draft {
        title: &title,
        file_name: &file_name,
        tags: usual_tags(&site, &section, kind),
        today,
    };
    write_new(
        &path,
        &document_text(&title, kind, &draft.tags, today, &links),
    )?;
    let listing = list_in(&site, &content, &section, state, &draft)?;
    let url = crate::site::urls::page_url(&rel_path, config.url_mode);
    Ok(Created {
        path,
        rel_path,
        url,
        listing,
    })
}

/// The "listed in" step: the section page gets the new document, or is written with it.
fn list_in(
    site: &Site,
    content: &Path,
    section: &str,
    state: SectionState,
    draft: &Draft,
) -> Result<Listing, ScaffoldError> {
    match state {
        SectionState::Indexed { rel_path, .. } => {
            let readme = content.join(rel_path);
            let old = std::fs::read_to_string(&readme).map_err(io_error(&readme))?;
            std::fs::write(&readme, add_to_readme(&old, draft.title, draft.file_name))
                .map_err(io_error(&readme))?;
            Ok(Listing::Updated(readme))
        }
        SectionState::New { rel_path, title } => {
            let readme = content.join(rel_path);
            write_new(&readme, &section_page_text(&title, draft))?;
            Ok(Listing::NewSection {
                readme,
                siblings: sibling_sections(site, section),
            })
        }
        SectionState::Unindexed => Ok(Listing::NoSectionPage(content.join(section))),
    }
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

    #[test]
    fn links_are_relative_to_the_new_documents_folder() {
        assert_eq!(relative_link("А", "А/README.md"), "./README.md");
        assert_eq!(
            relative_link("База", "Регламенты/Эскалация (1).md"),
            "../Регламенты/Эскалация%20%281%29.md"
        );
        assert_eq!(relative_link("", "Р/x.md"), "./Р/x.md");
        assert_eq!(relative_link("Р/П", "Р/x.md"), "../x.md");
        assert_eq!(relative_link("А/Б", "В/x.md"), "../../В/x.md");
        assert_eq!(
            relative_link("А", "А/Ошибка #404?.md"),
            "./Ошибка%20%23404%3F.md"
        );
    }
}
