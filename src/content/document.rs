//! One markdown file parsed: title, metadata, summary, history, the rendered body, problems.

use super::include::{self, Load};
use super::kept::KeptText;
use super::markdown::{render_markdown_with, Included, MarkdownOptions, Rendered};
use super::metadata::{self, HistoryEntry, Metadata, TablePlace};
use super::presets::Variables;
use super::yfm::SyntaxProblem;
use crate::diagnostics::{Code, Diagnostic, LineIndex, Position};

/// Section names of a typical-request article, in order.
pub const TYPICAL_SECTIONS: [&str; 4] = [
    "Симптомы",
    "Возможные причины",
    "Решение",
    "Когда эскалировать",
];

#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to content/, NFC.
    pub rel_path: String,
    pub title: String,
    pub meta: Metadata,
    pub summary: String,
    pub history: Vec<HistoryEntry>,
    pub rendered: Rendered,
    /// The document has the template's metadata table or front matter.
    pub has_metadata: bool,
    pub missing_fields: Vec<&'static str>,
    /// Where its metadata table's rows are (warnings point at them).
    pub metadata_place: TablePlace,
    /// The text, kept for diagnostics that quote a line.
    pub source: KeptText,
    /// The file holds nothing but white space.
    pub is_blank: bool,
    /// The files its include lines read, nested ones too, sorted (`include`).
    pub includes: Vec<String>,
    /// Problems found while parsing this file alone.
    pub diagnostics: Vec<Diagnostic>,
    /// Its title lowered, as listings order pages by it: lowered once per parse, not once per
    /// page per rebuild (`site` sorts 10,000 of them after each edit).
    pub title_key: String,
    /// Where [`Document::readable_body`] starts in the plain text, found while parsing.
    body_start: usize,
    /// Its URL segment once made ([`Document::url_segment`]).
    url_segment: std::sync::OnceLock<(crate::config::UrlMode, String)>,
    /// [`Document::link_targets`], once made.
    link_targets: std::sync::OnceLock<u64>,
}

impl Document {
    /// Moves the source, the body HTML and the plain text into `file` (`serve`: after a
    /// page is rendered and indexed, they are read again only when an edit or a diagnostic
    /// needs them).
    pub fn spill(&self, file: &std::sync::Arc<super::kept::SpillFile>) -> std::io::Result<()> {
        self.source.spill(file)?;
        self.rendered.spill(file)
    }

    /// A typical-request article: by its declared type, or because it has a "Симптомы" section.
    pub fn is_typical_request(&self) -> bool {
        self.meta
            .kind
            .as_deref()
            .is_some_and(|k| k.to_lowercase().contains("типичный запрос"))
            || self.rendered.section(TYPICAL_SECTIONS[0]).is_some()
    }

    /// A hash of what links from other documents can point at in this one: its path, its
    /// heading ids, its closing `{#id}`s and its title's id. Made once per document; `site`
    /// folds it into the link environment after every edit.
    pub fn link_targets(&self) -> u64 {
        *self.link_targets.get_or_init(|| {
            use std::hash::{Hash, Hasher};
            let mut h = crate::fingerprint::hasher();
            self.rel_path.hash(&mut h);
            for heading in &self.rendered.headings {
                heading.id.hash(&mut h);
            }
            (&self.rendered.anchors, &self.rendered.title_id).hash(&mut h);
            h.finish()
        })
    }

    /// The "Симптомы" section's text: the customer's words, which ticket matching leans on.
    pub fn symptoms(&self) -> &str {
        self.rendered
            .section(TYPICAL_SECTIONS[0])
            .map_or("", |s| s.text.as_str())
    }

    /// The file name without folder and `.md`.
    /// `make()` the first time, the same string after, while the URL mode stays: a page's URL
    /// segment follows from its path alone, and transliterating every file name again was a
    /// third of assembling the pages after an edit at 10,000 pages (`serve` keeps documents
    /// across rebuilds).
    pub fn url_segment(&self, mode: crate::config::UrlMode, make: impl Fn() -> String) -> String {
        match self.url_segment.get_or_init(|| (mode, make())) {
            (made_for, segment) if *made_for == mode => segment.clone(),
            _ => make(),
        }
    }

    /// The body as readers see it, cut from its plain text `plain`: without the H1 (the title
    /// is shown and searched on its own) and the metadata table, which otherwise opened every
    /// snippet of a page found by a word of its title.
    pub fn readable_body<'t>(&self, plain: &'t str) -> &'t str {
        plain.get(self.body_start..).unwrap_or(plain)
    }

    pub fn stem(&self) -> &str {
        stem_of(self.rel_path.rsplit('/').next().unwrap_or(&self.rel_path))
    }
}

/// Where the readable body starts in `rendered`'s plain text: after the metadata table the
/// template puts right under the title, else after the title.
fn body_start(title: &str, rendered: &Rendered) -> usize {
    let plain = rendered.plain_text.read();
    let metadata = rendered
        .section(super::markdown::METADATA_SECTION)
        .map(|s| s.text.trim())
        .filter(|t| !t.is_empty());
    // A table further down is the body's.
    let after_table =
        metadata.and_then(|m| plain.find(m).filter(|&at| at < 1024).map(|at| at + m.len()));
    let rest = match after_table {
        Some(at) => &plain[at..],
        None => plain.strip_prefix(title).unwrap_or(&plain),
    };
    plain.len() - rest.trim_start().len()
}

/// A file name without its `.md`.
pub fn stem_of(name: &str) -> &str {
    name.strip_suffix(".md")
        .or_else(|| name.strip_suffix(".MD"))
        .unwrap_or(name)
}

pub fn parse_document(rel_path: &str, text: String, options: MarkdownOptions) -> Document {
    parse_document_with(rel_path, text, options, &Variables::default(), &|_| None)
}

/// `parse_document` with `{{ name }}` replaced from `vars` (the presets of its folders) and
/// its include lines expanded from the files `load` reads.
pub fn parse_document_with(
    rel_path: &str,
    text: String,
    options: MarkdownOptions,
    vars: &Variables,
    load: Load,
) -> Document {
    let mut diagnostics = Vec::new();
    let (front, body) = match metadata::split_front_matter(&text) {
        Ok((front, _, 0)) => (front, None),
        Ok((front, rest, lines)) => (front, Some("\n".repeat(lines) + rest)),
        Err(problem) => {
            diagnostics.push(
                Diagnostic::error(Code::BadFrontMatter, rel_path, problem.message).at(
                    &text,
                    problem.pos,
                    3,
                ),
            );
            (None, None)
        }
    };
    // Front matter is blanked out, not cut, so that positions stay those of the file.
    let own = body.as_deref().unwrap_or(&text);
    let expanded = include::expand(own, rel_path, load);
    let included = expanded
        .as_ref()
        .map(|expanded| Included { expanded, rel_path });
    let mut rendered = render_markdown_with(own, options, vars, included);
    // Only a document with a broken include pays for the line index.
    if let Some(expanded) = expanded.as_ref().filter(|e| !e.problems.is_empty()) {
        let lines = LineIndex::new(own);
        for problem in &expanded.problems {
            let code = if problem.cycle {
                Code::IncludeCycle
            } else {
                Code::BrokenInclude
            };
            diagnostics.push(
                Diagnostic::error(code, rel_path, problem.message.clone())
                    .at(&text, lines.position(own, problem.at), problem.length)
                    .with_help("an include line is `{% include [title](path.md) %}`, the path relative to this file"),
            );
        }
    }
    let includes = expanded.map(|e| e.included).unwrap_or_default();
    let table = metadata::from_table(&rendered);
    for problem in &table.problems {
        diagnostics.push(
            Diagnostic::error(Code::BadMetadata, rel_path, problem.message.clone()).at(
                &text,
                problem.pos,
                line_len(&text, problem.pos),
            ),
        );
    }
    let (history, history_problems) = metadata::history(&rendered);
    for problem in history_problems {
        diagnostics.push(
            Diagnostic::error(Code::BadMetadata, rel_path, problem.message).at(
                &text,
                problem.pos,
                line_len(&text, problem.pos),
            ),
        );
    }
    for problem in &rendered.syntax_problems {
        diagnostics.push(syntax_diagnostic(rel_path, &text, problem));
    }
    for unknown in &rendered.unknown_variables {
        diagnostics.push(
            Diagnostic::warning(
                Code::UnknownVariable,
                rel_path,
                format!("`{{{{ {} }}}}` has no value: it is shown as written", unknown.name),
            )
            .at(&text, unknown.pos, unknown.length)
            .with_help("give it a value in presets.yaml (or presets.toml) of this folder or a folder above"),
        );
    }
    let has_metadata = table.present() || front.is_some();
    let missing_fields = if front.is_some() && !table.present() {
        vec![]
    } else {
        table.missing.clone()
    };
    let meta = match front {
        Some(front) => front.merged_over(table.metadata),
        None => table.metadata,
    };
    let stem = rel_path
        .rsplit('/')
        .next()
        .unwrap_or(rel_path)
        .trim_end_matches(".md")
        .to_string();
    let title = meta
        .title
        .clone()
        .or_else(|| rendered.title.clone())
        .filter(|t| !t.trim().is_empty());
    if title.is_none() && !text.trim().is_empty() {
        diagnostics.push(
            Diagnostic::warning(
                Code::NoTitle,
                rel_path,
                "the document has no `# Title` heading; the file name is used as its title",
            )
            .with_help("start the document with a line `# Title`"),
        );
    }
    if text.trim().is_empty() {
        diagnostics.push(Diagnostic::warning(
            Code::EmptyDocument,
            rel_path,
            "the document is empty",
        ));
    }
    let summary = rendered
        .section("Краткое описание")
        .and_then(|s| s.first_paragraph.clone())
        .or_else(|| rendered.first_paragraph.clone())
        .unwrap_or_default();
    let body_start = body_start(title.as_deref().unwrap_or(&stem), &rendered);
    rendered.retain_sections(&TYPICAL_SECTIONS, TYPICAL_SECTIONS[0]);
    Document {
        rel_path: rel_path.to_string(),
        title_key: crate::text::lowercase(title.as_deref().unwrap_or(&stem)),
        title: title.unwrap_or(stem),
        meta,
        summary,
        history,
        rendered,
        has_metadata,
        missing_fields,
        metadata_place: table.place,
        body_start,
        is_blank: text.trim().is_empty(),
        source: KeptText::new(text),
        includes,
        diagnostics,
        url_segment: std::sync::OnceLock::new(),
        link_targets: std::sync::OnceLock::new(),
    }
}

fn syntax_diagnostic(rel_path: &str, text: &str, problem: &SyntaxProblem) -> Diagnostic {
    let (code, help) = if problem.unclosed {
        (Code::UnclosedBlock, "close it with its `{% end… %}` tag, alone in its paragraph, in the same list item or quote")
    } else {
        (Code::UnknownSyntax, "supported: `{% note info|tip|warning|alert \"title\" %}`, `{% cut \"title\" %}`, `{% list tabs %}`, each alone in its paragraph; write `{%` in code to show it")
    };
    Diagnostic::warning(code, rel_path, problem.message.clone())
        .at(text, problem.pos, problem.length)
        .with_help(help)
}

fn line_len(text: &str, pos: Position) -> u32 {
    text.lines()
        .nth(pos.line.saturating_sub(1) as usize)
        .map_or(1, |l| l.chars().count() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Не приходит SMS\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| **Версия** | 1.2 |\n| **Дата создания** | 2025-01-10 |\n| **Дата последнего обновления** | 10.02.2026 |\n| Статус | Актуально |\n| **Теги** | смс, Авторизация , |\n\n---\n\n## Краткое описание\n\nКод не приходит.\n\n## Симптомы\n\n- «смс не приходит»\n\n## История изменений\n\n| Версия | Дата | Автор | Изменения |\n|---|---|---|---|\n| 1.2 | 2026-02-10 | База | Правки |\n";

    #[test]
    fn seed_style_table_is_parsed() {
        let doc = parse_document("База/x.md", DOC.to_string(), MarkdownOptions::default());
        assert_eq!(doc.title, "Не приходит SMS");
        assert_eq!(doc.meta.version.as_deref(), Some("1.2"));
        assert_eq!(doc.meta.updated.unwrap().to_string(), "2026-02-10");
        assert_eq!(doc.meta.tags, ["смс", "авторизация"]);
        assert_eq!(doc.summary, "Код не приходит.");
        assert!(doc.is_typical_request());
        assert_eq!(doc.symptoms(), "«смс не приходит»");
        assert_eq!(doc.history.len(), 1);
        assert_eq!(
            doc.missing_fields,
            [
                "Автор",
                "Ответственный за актуальность",
                "Тип документа",
                "Отдел"
            ]
        );
        assert!(doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
    }

    /// A parsed document keeps what later stages read and nothing only parsing reads: of its
    /// sections the typical article's (titles; the text of «Симптомы»), no table cells, and
    /// where its readable body and metadata rows are. `serve` holds 10,000 of them.
    #[test]
    fn a_parsed_document_keeps_only_what_later_stages_read() {
        let text = DOC.replace(
            "## История",
            "## Решение\n\nПерезапустить.\n\n| Шаг | Что |\n|---|---|\n| 1 | a |\n\n## История",
        );
        let doc = parse_document("База/x.md", text, MarkdownOptions::default());
        let kept: Vec<(&str, &str)> = doc
            .rendered
            .sections
            .iter()
            .map(|s| (s.title.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(kept, [("Симптомы", "«смс не приходит»"), ("Решение", "")]);
        assert!(doc
            .rendered
            .sections
            .iter()
            .all(|s| s.tables.is_empty() && s.first_paragraph.is_none()));
        assert_eq!(doc.rendered.first_paragraph, None);
        assert_eq!(doc.metadata_place.heading.map(|p| p.line), Some(3));
        let row = |field| doc.metadata_place.row(field).map(|p| p.line);
        assert_eq!(row("Дата последнего обновления"), Some(9));
        assert_eq!(row("Статус"), Some(10));
        assert_eq!(row("Автор"), None);
        let plain = doc.rendered.plain_text.read();
        assert!(
            doc.readable_body(&plain).starts_with("Краткое описание"),
            "{plain}"
        );
    }

    #[test]
    fn front_matter_wins_and_keeps_line_numbers() {
        let text = "---\ntitle: Из front matter\ntags: [а, Б]\nupdated: 2026-03-01\n---\n# Заголовок\n\n| Параметр | Значение |\n|---|---|\n".to_string();
        let doc = parse_document("x.md", text, MarkdownOptions::default());
        assert_eq!(doc.title, "Из front matter");
        assert_eq!(doc.meta.tags, ["а", "б"]);
        assert_eq!(doc.rendered.title.as_deref(), Some("Заголовок"));
        let toml = "+++\ntitle = \"T\"\n+++\n# H\n\n[x](nope.md)\n".to_string();
        let doc = parse_document("y.md", toml, MarkdownOptions::default());
        assert_eq!(doc.title, "T");
        assert_eq!(doc.rendered.links[0].pos.line, 6);
    }

    #[test]
    fn bad_dates_and_front_matter_are_reported_with_lines() {
        let doc = parse_document(
            "x.md",
            DOC.replace("2025-01-10", "вчера"),
            MarkdownOptions::default(),
        );
        let d = &doc.diagnostics[0];
        assert_eq!((d.code, d.line), (Code::BadMetadata, 8));
        let doc = parse_document(
            "y.md",
            "---\ntitle: [unclosed\n---\n# T\n".into(),
            MarkdownOptions::default(),
        );
        assert_eq!(doc.diagnostics[0].code, Code::BadFrontMatter);
        assert_eq!(doc.title, "T");
    }

    #[test]
    fn missing_h1_falls_back_to_file_name() {
        let doc = parse_document(
            "dir/Без заголовка.md",
            "просто текст".into(),
            MarkdownOptions::default(),
        );
        assert_eq!(doc.title, "Без заголовка");
        assert_eq!(doc.diagnostics[0].code, Code::NoTitle);
    }
}
