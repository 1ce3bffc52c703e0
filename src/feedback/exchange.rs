//! `spravka feedback import` and `export`: feedback as JSON lines. Export writes every stored
//! row; import reads those rows back, or a department's history as `{"ticket", "path",
//! "verdict"}` lines, so that a move to another database or a replay of old verdicts is one
//! command each way.

use super::privacy::{mask, ticket_terms};
use super::{Event, Kind, Stored};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One line of an import file. Either `ticket` (its words are analysed here, personal data
/// masked) or `terms` (an exported row); either `verdict` or `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportLine {
    #[serde(default)]
    id: Option<i64>,
    ticket: Option<String>,
    terms: Option<Vec<String>>,
    text: Option<String>,
    path: Option<String>,
    verdict: Option<String>,
    kind: Option<Kind>,
    rank: Option<u32>,
    /// RFC 3339 (`2026-11-30T10:00:00Z`); now when absent.
    at: Option<chrono::DateTime<chrono::Utc>>,
    client: Option<String>,
}

/// An exported row: the stored event with its time as RFC 3339.
#[derive(Debug, Serialize)]
struct ExportLine<'a> {
    id: i64,
    at: String,
    kind: Kind,
    path: &'a Option<String>,
    rank: Option<u32>,
    terms: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    text: &'a Option<String>,
    client: &'a str,
}

/// A problem of an import file, by line.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ImportError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Reads an import file. Every line is checked (`known_path` says whether an article exists)
/// before anything is stored: a file with a bad line imports nothing, and every bad line is
/// reported. `store_text` keeps a ticket's masked text, as the server would.
pub fn read_import(
    file: &Path,
    text: &str,
    known_path: impl Fn(&str) -> bool,
    store_text: bool,
) -> Result<Vec<Event>, Vec<ImportError>> {
    let mut events = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let error = |message: String| ImportError {
            file: file.display().to_string(),
            line: i + 1,
            message,
        };
        match serde_json::from_str::<ImportLine>(line) {
            Ok(parsed) => match event_of(parsed, &known_path, store_text, i + 1) {
                Ok(event) => events.push(event),
                Err(message) => errors.push(error(message)),
            },
            Err(e) => errors.push(error(e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(errors)
    }
}

fn event_of(
    line: ImportLine,
    known_path: &impl Fn(&str) -> bool,
    store_text: bool,
    number: usize,
) -> Result<Event, String> {
    let kind = match (line.kind, line.verdict.as_deref()) {
        (Some(kind), None) => kind,
        (None, Some("helped")) => Kind::Helped,
        (None, Some("wrong")) => Kind::Wrong,
        (None, Some("none")) => Kind::NoArticle,
        (None, Some(other)) => {
            return Err(format!("verdict {other:?}: expected helped, wrong or none"))
        }
        (None, None) => return Err("no verdict (helped, wrong, none) nor kind".into()),
        (Some(_), Some(_)) => return Err("verdict and kind both given: give one".into()),
    };
    let terms = match (line.ticket.as_deref(), line.terms) {
        (Some(ticket), None) => ticket_terms(ticket),
        (None, Some(terms)) => terms,
        _ => return Err("give either ticket (its text) or terms".into()),
    };
    match (&line.path, kind.lesson().is_some() || kind == Kind::Opened) {
        (Some(path), _) if !known_path(path) => return Err(format!("no article {path:?}")),
        (None, true) => return Err(format!("a {} row needs a path", kind.as_str())),
        _ => {}
    }
    if line.rank.is_some_and(|r| !super::RANKS.contains(&r)) {
        return Err("rank: a suggestion's place, 1 to 50".into());
    }
    if terms
        .iter()
        .any(|t| t.is_empty() || t.contains(char::is_whitespace))
    {
        return Err("terms: analysed words, none empty or with a space".into());
    }
    // Only with store_text, and masked whatever the file holds: a hand-made history may
    // carry what the server would never have kept.
    let text = if store_text {
        line.ticket.or(line.text).map(|t| mask(&t))
    } else {
        None
    };
    let _ = line.id; // an exported row's id is the old database's, not kept
    Ok(Event {
        at: line.at.map_or_else(super::now, |at| at.timestamp()),
        kind,
        path: line.path,
        rank: line.rank,
        terms,
        text,
        // History without clients: each line counts as a confirmation of its own.
        client: line
            .client
            .unwrap_or_else(|| format!("import line {number}")),
    })
}

/// One exported line (no newline).
pub fn export_line(row: &Stored) -> String {
    let at = chrono::DateTime::from_timestamp(row.event.at, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let line = ExportLine {
        id: row.id,
        at,
        kind: row.event.kind,
        path: &row.event.path,
        rank: row.event.rank,
        terms: &row.event.terms,
        text: &row.event.text,
        client: &row.event.client,
    };
    serde_json::to_string(&line).expect("an export line serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_lines_and_exported_rows_both_import() {
        let text = r#"{"ticket": "Палка не поднимается у скорой", "path": "a.md", "verdict": "helped"}

{"id": 7, "at": "2026-11-30T10:00:00Z", "kind": "zero_results", "path": null, "rank": null, "terms": ["ветеринар"], "client": "ab"}"#;
        let events = read_import(Path::new("h.jsonl"), text, |p| p == "a.md", false).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].kind, Kind::Helped);
        assert!(
            events[0].terms.contains(&"палк".to_string()),
            "{:?}",
            events[0].terms
        );
        assert_eq!(events[1].at, 1_796_032_800);
        assert_eq!(events[1].client, "ab");
        let exported = export_line(&Stored {
            id: 7,
            event: events[1].clone(),
        });
        let again = read_import(Path::new("e.jsonl"), &exported, |_| true, false).unwrap();
        assert_eq!(again[0], events[1]);
    }

    #[test]
    fn every_bad_line_is_named_and_nothing_is_read() {
        let text = "{\"ticket\": \"x\", \"path\": \"gone.md\", \"verdict\": \"helped\"}\n\
                    {\"ticket\": \"x\", \"path\": \"a.md\", \"verdict\": \"maybe\"}\n\
                    not json\n\
                    {\"ticket\": \"x\", \"path\": \"a.md\", \"verdict\": \"helped\"}\n";
        let errors = read_import(Path::new("h.jsonl"), text, |p| p == "a.md", false).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 3]);
        assert!(
            errors[0].to_string().starts_with("h.jsonl:1: no article"),
            "{}",
            errors[0]
        );
    }
}
