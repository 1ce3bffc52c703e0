//! Variables, as Diplodoc/YFM bases write them: `{{ name }}` in text and link destinations is
//! replaced from presets files (`presets.yaml`, `presets.yml` or `presets.toml`, at most one
//! per folder; a nearer folder's value overrides a farther one's). Code is left alone. A name
//! without a value stays as written, visibly, and is reported.
//!
//! The files are read once per load and each document is handed its merged variables: a
//! document's parse still reads no other file, and its cache stamp includes them.

use super::walk::{folder_of, FileKind, SourceFile};
use crate::diagnostics::{Code, Diagnostic, Position};
use pulldown_cmark::{Event, Tag, TagEnd};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

/// The file names of a folder's presets.
pub const PRESETS_FILES: [&str; 3] = ["presets.yaml", "presets.yml", "presets.toml"];

pub fn is_presets_file(file_name: &str) -> bool {
    PRESETS_FILES.contains(&file_name)
}

/// The variables one document sees.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
pub struct Variables {
    values: BTreeMap<String, String>,
}

impl Variables {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// What a document parsed with these variables depends on (its cache stamp has it).
    pub fn stamp(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.values.hash(&mut h);
        h.finish()
    }
}

/// One presets file's variables. A top-level `default` mapping is the preset a YFM base
/// builds with (Diplodoc picks others by a command-line flag; they are not read); nested
/// mappings are reached with dots (`{{ product.name }}`); scalars are taken as written.
pub fn parse_presets(rel_path: &str, text: &str) -> Result<BTreeMap<String, String>, Diagnostic> {
    let problem = |message: String, line: Option<usize>| {
        let pos = Position {
            line: line.unwrap_or(1) as u32,
            column: 1,
        };
        Diagnostic::error(Code::BadPresets, rel_path, message).at(text, pos, 1)
    };
    let value: serde_json::Value = if rel_path.ends_with(".toml") {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            problem(format!("not valid TOML: {}", e.message()), line)
        })?
    } else {
        serde_norway::from_str(text).map_err(|e| {
            problem(
                format!("not valid YAML: {e}"),
                e.location().map(|l| l.line()),
            )
        })?
    };
    let value = match value {
        serde_json::Value::Object(mut map) => match map.remove("default") {
            Some(serde_json::Value::Object(default)) => serde_json::Value::Object(default),
            Some(other) => {
                map.insert("default".into(), other);
                serde_json::Value::Object(map)
            }
            None => serde_json::Value::Object(map),
        },
        serde_json::Value::Null => return Ok(BTreeMap::new()),
        _ => {
            return Err(problem(
                "expected a mapping of names to values".into(),
                None,
            ))
        }
    };
    let mut out = BTreeMap::new();
    flatten("", &value, &mut out);
    Ok(out)
}

fn flatten(prefix: &str, value: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    let key = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        }
    };
    match value {
        serde_json::Value::Object(map) => {
            for (name, v) in map {
                flatten(&key(name), v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        serde_json::Value::Null => {}
        // Numbers, booleans, lists: as JSON writes them (`2.15`, `true`).
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Every folder's merged variables, made once per load from the presets files among `files`.
#[derive(Debug, Default)]
pub struct Presets {
    by_folder: HashMap<String, Arc<Variables>>,
    none: Arc<Variables>,
}

impl Presets {
    /// Reads the presets files among `files`; a file that cannot be read or parsed is a
    /// diagnostic naming it, and counts as empty.
    pub fn load(files: &[SourceFile]) -> (Presets, Vec<Diagnostic>) {
        let mut own: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut problems = Vec::new();
        for f in files.iter().filter(|f| f.kind == FileKind::Presets) {
            let read = std::fs::read_to_string(&f.abs_path)
                .map_err(|e| Diagnostic::error(Code::BadPresets, &f.rel_path, e.to_string()))
                .and_then(|text| parse_presets(&f.rel_path, &text));
            match read {
                Ok(values) => {
                    own.entry(folder_of(&f.rel_path).to_string())
                        .or_default()
                        .extend(values);
                }
                Err(problem) => problems.push(problem),
            }
        }
        let mut presets = Presets::default();
        if own.is_empty() {
            return (presets, problems);
        }
        for f in files.iter().filter(|f| f.kind == FileKind::Markdown) {
            let folder = folder_of(&f.rel_path);
            if presets.by_folder.contains_key(folder) {
                continue;
            }
            let mut values = BTreeMap::new();
            // From the root down: the nearer folder's value is written last and wins.
            for ancestor in ancestors(folder) {
                if let Some(set) = own.get(ancestor) {
                    values.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
            }
            presets
                .by_folder
                .insert(folder.to_string(), Arc::new(Variables { values }));
        }
        (presets, problems)
    }

    /// The variables of the document at `rel_path`.
    pub fn for_document(&self, rel_path: &str) -> Arc<Variables> {
        self.by_folder
            .get(folder_of(rel_path))
            .unwrap_or(&self.none)
            .clone()
    }
}

/// `folder` and every folder above it, the root (`""`) first.
fn ancestors(folder: &str) -> impl Iterator<Item = &str> {
    let cuts = folder.match_indices('/').map(|(i, _)| i);
    std::iter::once("")
        .chain(cuts.map(move |i| &folder[..i]))
        .chain((!folder.is_empty()).then_some(folder))
}

/// A `{{ name }}` without a value: where it starts in the text, its length in bytes, its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Unknown {
    pub at: usize,
    pub len: usize,
    pub name: String,
}

/// `text` with every `{{ name }}` that has a value replaced by it; the others stay as written
/// and are listed. Only names of letters, digits, `_`, `-` and `.` are variables: other
/// `{{ … }}` is text (a template shown in prose).
pub fn substitute<'t>(text: &'t str, vars: &Variables, unknown: &mut Vec<Unknown>) -> Cow<'t, str> {
    if !text.contains("{{") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|i| from + i) {
        let Some(close) = text[open + 2..].find("}}").map(|i| open + 2 + i) else {
            break;
        };
        let name = text[open + 2..close].trim();
        let end = close + 2;
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if is_name {
            match vars.get(name) {
                Some(value) => {
                    out.push_str(&text[rest..open]);
                    out.push_str(value);
                    rest = end;
                }
                None => unknown.push(Unknown {
                    at: open,
                    len: end - open,
                    name: name.to_string(),
                }),
            }
            from = end;
        } else {
            from = open + 2;
        }
    }
    if rest == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[rest..]);
    Cow::Owned(out)
}

/// `{{ name }}` replaced in text outside code and in link destinations. A run of text events
/// is joined first: pulldown-cmark may cut `{{ product_name }}` at its `_`.
pub(super) struct VariableFilter {
    active: bool,
    in_code: bool,
    text: Option<(String, Range<usize>)>,
    /// Each unknown name: its offset in the parsed text, its length in characters, its name.
    pub(super) unknown: Vec<(usize, u32, String)>,
}

impl VariableFilter {
    pub(super) fn new(active: bool) -> Self {
        VariableFilter {
            active,
            in_code: false,
            text: None,
            unknown: Vec::new(),
        }
    }

    pub(super) fn event<'a>(
        &mut self,
        event: Event<'a>,
        range: Range<usize>,
        vars: &Variables,
        parsed: &str,
        feed: &mut impl FnMut(Event<'a>, Range<usize>),
    ) {
        if !self.active {
            return feed(event, range);
        }
        match &event {
            Event::Start(Tag::CodeBlock(_)) => self.in_code = true,
            Event::End(TagEnd::CodeBlock) => self.in_code = false,
            Event::Text(t) if !self.in_code => {
                match &mut self.text {
                    Some((text, joined)) => {
                        text.push_str(t);
                        joined.end = range.end;
                    }
                    None => self.text = Some((t.to_string(), range)),
                }
                return;
            }
            _ => {}
        }
        self.flush(vars, parsed, feed);
        let event = super::markdown::with_destination(event, |dest| {
            let mut unknown = Vec::new();
            let filled = substitute(dest, vars, &mut unknown);
            // The destination is after the label: look for the names past its `](`.
            let label_end = parsed[range.clone()].rfind("](").map_or(0, |i| i + 2);
            self.report(dest, unknown, range.start + label_end..range.end, parsed);
            match filled {
                Cow::Owned(filled) => Some(filled),
                Cow::Borrowed(_) => None,
            }
        });
        feed(event, range);
    }

    /// The joined text so far, with its variables replaced.
    pub(super) fn flush<'a>(
        &mut self,
        vars: &Variables,
        parsed: &str,
        feed: &mut impl FnMut(Event<'a>, Range<usize>),
    ) {
        let Some((text, range)) = self.text.take() else {
            return;
        };
        let mut unknown = Vec::new();
        let replaced = substitute(&text, vars, &mut unknown).into_owned();
        self.report(&text, unknown, range.clone(), parsed);
        feed(Event::Text(replaced.into()), range);
    }

    /// Places each unknown name of `text` where it is written in `range` of the parsed text
    /// (searched in order; where markup hides it, at the start of the range).
    fn report(&mut self, text: &str, unknown: Vec<Unknown>, range: Range<usize>, parsed: &str) {
        let source = &parsed[range.clone()];
        let mut cursor = 0;
        for u in unknown {
            let written = &text[u.at..u.at + u.len];
            let at = match source[cursor..].find(written) {
                Some(i) => {
                    cursor += i + written.len();
                    range.start + cursor - written.len()
                }
                None => range.start,
            };
            self.unknown
                .push((at, written.chars().count() as u32, u.name));
        }
    }
}

#[cfg(test)]
#[path = "presets_tests.rs"]
mod tests;
