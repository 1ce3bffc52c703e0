//! Document metadata: the "Метаданные документа" table of the department's template, or
//! YAML (`---`) / TOML (`+++`) front matter, which wins field by field.

use super::markdown::{Rendered, TableRow, METADATA_SECTION};
use crate::diagnostics::Position;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Fields of the template, all optional: a document may lack any of them.
#[derive(Debug, Clone, Default, PartialEq, Hash, Serialize)]
pub struct Metadata {
    pub title: Option<String>,
    pub version: Option<String>,
    pub created: Option<NaiveDate>,
    pub updated: Option<NaiveDate>,
    pub author: Option<String>,
    pub owner: Option<String>,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub department: Option<String>,
    pub tags: Vec<String>,
}

/// The template's fields in the table's words, for "missing field" warnings.
pub const TEMPLATE_FIELDS: [&str; 9] = [
    "Версия",
    "Дата создания",
    "Дата последнего обновления",
    "Автор",
    "Ответственный за актуальность",
    "Статус",
    "Тип документа",
    "Отдел",
    "Теги",
];

/// One row of the "История изменений" table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub version: String,
    pub date: Option<NaiveDate>,
    pub author: String,
    pub changes: String,
    #[serde(skip)]
    pub pos: Position,
}

/// A metadata value that could not be understood, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataProblem {
    pub pos: Position,
    pub message: String,
}

/// What the table said, with the fields it lacks.
#[derive(Debug, Clone, Default)]
pub struct TableMetadata {
    pub metadata: Metadata,
    pub missing: Vec<&'static str>,
    pub problems: Vec<MetadataProblem>,
    pub place: TablePlace,
}

/// Where the metadata table and its rows are, for pointing a warning at a field. A document
/// keeps this instead of the table: its cells are read once, while parsing, and at 10,000
/// documents `serve` held 20 MB of them for two positions a warning might need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TablePlace {
    /// The «Метаданные документа» heading; `None` without the table.
    pub heading: Option<Position>,
    /// Each field the table gives (as written in [`TEMPLATE_FIELDS`]), with its row.
    rows: Vec<(&'static str, Position)>,
}

impl TableMetadata {
    /// The document has the table (its heading, at least).
    pub fn present(&self) -> bool {
        self.place.heading.is_some()
    }
}

impl TablePlace {
    /// The row that gives `field`, one of [`TEMPLATE_FIELDS`], under any of its names.
    pub fn row(&self, field: &str) -> Option<Position> {
        self.rows
            .iter()
            .find(|(f, _)| *f == field)
            .map(|&(_, pos)| pos)
    }
}

fn clean_key(key: &str) -> String {
    crate::text::lowercase_without_yo(key.trim().trim_matches('*').trim().trim_end_matches(':'))
}

/// A date as bases write it: `2026-03-01`, `01.03.2026`, a date-time whose day is enough
/// (`2026-03-01T10:00:00+03:00`, Hugo's `lastmod`), or `03/01/2026` (month first, as
/// `ms.date` writes it; Russian writers use dots for day first).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    let day_of_date_time = v
        .split_once(['T', ' '])
        .map(|(day, _)| day)
        .filter(|day| day.len() == 10);
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d.%m.%Y"))
        .or_else(|_| NaiveDate::parse_from_str(v, "%m/%d/%Y"))
        .ok()
        .or_else(|| day_of_date_time.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()))
}

pub fn split_tags(value: &str) -> Vec<String> {
    value.split([',', ';']).filter_map(tag_name).collect()
}

/// A tag as the site keys it: trimmed, lowercase, ё read as е (writers spell «отчёт» and
/// «отчет» alike, and search already does: two spellings were two tag pages), or `None` when
/// empty. Search reads a `tag` filter the same way.
pub fn tag_name(raw: &str) -> Option<String> {
    let name = crate::text::lowercase_without_yo(raw.trim());
    (!name.is_empty()).then_some(name)
}

/// Reads the metadata table of the "Метаданные документа" section.
pub fn from_table(rendered: &Rendered) -> TableMetadata {
    let mut result = TableMetadata::default();
    let Some(section) = rendered.section(METADATA_SECTION) else {
        result.missing = TEMPLATE_FIELDS.to_vec();
        return result;
    };
    result.place.heading = Some(section.pos);
    let rows: Vec<&TableRow> = section.tables.iter().flatten().skip(1).collect();
    for row in rows {
        let Some(key) = row.cells.first() else {
            continue;
        };
        let value = row.cells.get(1).map_or("", String::as_str);
        let key = clean_key(key);
        let value = value.trim().to_string();
        if value.is_empty() {
            // An empty cell is a missing field, reported as such.
            continue;
        }
        let m = &mut result.metadata;
        let date =
            |slot: &mut Option<NaiveDate>, problems: &mut Vec<MetadataProblem>| match parse_date(
                &value,
            ) {
                Some(d) => *slot = Some(d),
                None => problems.push(MetadataProblem {
                    pos: row.pos,
                    message: format!("«{value}» is not a date (expected YYYY-MM-DD)"),
                }),
            };
        let field = match key.as_str() {
            "версия" => {
                m.version = Some(value.clone());
                "Версия"
            }
            "дата создания" => {
                date(&mut m.created, &mut result.problems);
                "Дата создания"
            }
            "дата последнего обновления" | "дата обновления" | "обновлено" =>
            {
                date(&mut m.updated, &mut result.problems);
                "Дата последнего обновления"
            }
            "автор" => {
                m.author = Some(value.clone());
                "Автор"
            }
            "ответственный за актуальность" | "ответственный" | "владелец" =>
            {
                m.owner = Some(value.clone());
                "Ответственный за актуальность"
            }
            "статус" => {
                m.status = Some(value.clone());
                "Статус"
            }
            "тип документа" | "тип" => {
                m.kind = Some(value.clone());
                "Тип документа"
            }
            "отдел" => {
                m.department = Some(value.clone());
                "Отдел"
            }
            "теги" => {
                m.tags = split_tags(&value);
                "Теги"
            }
            _ => continue,
        };
        result.place.rows.push((field, row.pos));
    }
    result.place.rows.shrink_to_fit();
    result.missing = TEMPLATE_FIELDS
        .iter()
        .copied()
        .filter(|f| result.place.row(f).is_none())
        .collect();
    result
}

/// Reads the "История изменений" table.
pub fn history(rendered: &Rendered) -> (Vec<HistoryEntry>, Vec<MetadataProblem>) {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let Some(section) = rendered.section("История изменений") else {
        return (entries, problems);
    };
    for row in section.tables.iter().flat_map(|t| t.iter().skip(1)) {
        let cell = |i: usize| row.cells.get(i).cloned().unwrap_or_default();
        let date_text = cell(1);
        let date = parse_date(&date_text);
        if date.is_none() && !date_text.trim().is_empty() {
            problems.push(MetadataProblem {
                pos: row.pos,
                message: format!("«{date_text}» is not a date (expected YYYY-MM-DD)"),
            });
        }
        entries.push(HistoryEntry {
            version: cell(0),
            date,
            author: cell(2),
            changes: cell(3),
            pos: row.pos,
        });
    }
    (entries, problems)
}

/// Front matter as written; every key optional. Unknown keys are kept out, not rejected,
/// so that files written for other tools still load.
#[derive(Debug, Default, Deserialize)]
struct FrontMatter {
    title: Option<String>,
    version: Option<StringOrNumber>,
    created: Option<DateText>,
    updated: Option<DateText>,
    /// Other tools' names for the last update: Hugo's, Jekyll's, Microsoft Learn's.
    lastmod: Option<DateText>,
    last_modified_at: Option<DateText>,
    #[serde(rename = "ms.date")]
    ms_date: Option<DateText>,
    date: Option<DateText>,
    author: Option<String>,
    owner: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    department: Option<String>,
    tags: Option<Tags>,
}

/// A date as front matter holds it: text, or TOML's own date (`date = 2026-03-01`, unquoted,
/// as Hugo writes it), which would otherwise make the whole front matter invalid.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum DateText {
    Text(String),
    Toml(toml::value::Datetime),
}

impl DateText {
    fn into_text(self) -> String {
        match self {
            DateText::Text(t) => t,
            DateText::Toml(d) => d.to_string(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StringOrNumber {
    Text(String),
    Number(f64),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Tags {
    List(Vec<String>),
    Text(String),
}

/// Splits front matter off the top of a document: (front matter metadata, the body, how many
/// lines the front matter took). Errors name the line inside the file.
pub fn split_front_matter(
    source: &str,
) -> Result<(Option<Metadata>, &str, usize), MetadataProblem> {
    let fence = if source.starts_with("---\n") {
        "---"
    } else if source.starts_with("+++\n") {
        "+++"
    } else {
        return Ok((None, source, 0));
    };
    let mut offset = 4;
    let mut close = None;
    for line in source[4..].split_inclusive('\n') {
        if line.trim_end() == fence {
            close = Some((offset, offset + line.len()));
            break;
        }
        offset += line.len();
    }
    // An unclosed fence is not front matter: the text stays content.
    let Some((raw_end, body_start)) = close else {
        return Ok((None, source, 0));
    };
    let raw = &source[4..raw_end];
    let lines = source[..body_start].matches('\n').count();
    let parsed: Result<FrontMatter, (usize, String)> = if fence == "---" {
        serde_norway::from_str(raw)
            .map_err(|e| (e.location().map_or(1, |l| l.line()), e.to_string()))
    } else {
        toml::from_str(raw).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |s| raw[..s.start.min(raw.len())].matches('\n').count())
                + 1;
            (line, e.message().to_string())
        })
    };
    let fm = parsed.map_err(|(line, message)| MetadataProblem {
        pos: Position {
            line: line as u32 + 1,
            column: 1,
        },
        message: format!(
            "front matter is not valid {}: {message}",
            if fence == "---" { "YAML" } else { "TOML" }
        ),
    })?;
    let mut problems = vec![];
    let mut date = |v: Option<DateText>| {
        v.map(DateText::into_text).and_then(|v| {
            let d = parse_date(&v);
            if d.is_none() {
                problems.push(v);
            }
            d
        })
    };
    let meta = Metadata {
        title: fm.title,
        version: fm.version.map(|v| match v {
            StringOrNumber::Text(t) => t,
            StringOrNumber::Number(n) => format!("{n:?}"),
        }),
        created: date(fm.created.or(fm.date)),
        updated: date(
            fm.updated
                .or(fm.lastmod)
                .or(fm.last_modified_at)
                .or(fm.ms_date),
        ),
        author: fm.author,
        owner: fm.owner,
        status: fm.status,
        kind: fm.kind,
        department: fm.department,
        tags: match fm.tags {
            Some(Tags::List(list)) => list.iter().filter_map(|t| tag_name(t)).collect(),
            Some(Tags::Text(text)) => split_tags(&text),
            None => vec![],
        },
    };
    if let Some(bad) = problems.first() {
        return Err(MetadataProblem {
            pos: Position { line: 2, column: 1 },
            message: format!("front matter: «{bad}» is not a date (expected YYYY-MM-DD)"),
        });
    }
    Ok((Some(meta), &source[body_start..], lines))
}

impl Metadata {
    /// Whether the document may be out of date on `today`: its last update (else its
    /// creation) is more than `stale_days` old. The pages' mark and the writers' report share
    /// this rule.
    pub fn is_stale(&self, stale_days: i64, today: NaiveDate) -> bool {
        self.updated
            .or(self.created)
            .is_some_and(|d| (today - d).num_days() > stale_days)
    }

    /// Front matter wins over the table, field by field.
    pub fn merged_over(self, table: Metadata) -> Metadata {
        Metadata {
            title: self.title.or(table.title),
            version: self.version.or(table.version),
            created: self.created.or(table.created),
            updated: self.updated.or(table.updated),
            author: self.author.or(table.author),
            owner: self.owner.or(table.owner),
            status: self.status.or(table.status),
            kind: self.kind.or(table.kind),
            department: self.department.or(table.department),
            tags: if self.tags.is_empty() {
                table.tags
            } else {
                self.tags
            },
        }
    }
}

#[cfg(test)]
#[path = "metadata_tests.rs"]
mod tests;
