//! One diagnostics type for build, check and the serve overlay: file, line, column, severity, code.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;
use std::fmt;

/// How bad a problem is. `Error` fails `check`; `Warning` fails it only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// What a problem is. Serialised (JSON, the overlay) and shown (`error[broken-link]`) by its
/// stable kebab-case name ([`Code::as_str`], the one spelling for both), which scripts and
/// writers' habits rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    // Loading files.
    Unreadable,
    SymlinkSkipped,
    DuplicateFile,
    BadFrontMatter,
    BadMetadata,
    NoTitle,
    EmptyDocument,
    UrlCollision,
    // Links.
    BrokenLink,
    BrokenAnchor,
    LinkOutsideContent,
    /// Found only when case is ignored: works on Windows and macOS, not on GitHub or Linux.
    LinkCase,
    /// `[text]()`: no destination at all.
    EmptyLink,
    ExternalLink,
    RawSpaces,
    // Markdown dialects.
    /// A `{% … %}` tag that is not rendered: shown as text.
    UnknownSyntax,
    /// A `{% note %}`, `{% cut %}` or `{% list tabs %}` without its closing tag.
    UnclosedBlock,
    /// A `{{ name }}` no presets file of the document's folders gives a value.
    UnknownVariable,
    /// A presets file that cannot be read or parsed.
    BadPresets,
    /// An include line whose file does not exist.
    BrokenInclude,
    /// Includes that include themselves, or nest too deep.
    IncludeCycle,
    // Content rules (`check`).
    Orphan,
    MissingMetadata,
    Stale,
    Status,
    MissingSection,
    HistoryVersion,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unreadable => "unreadable",
            Code::SymlinkSkipped => "symlink-skipped",
            Code::DuplicateFile => "duplicate-file",
            Code::BadFrontMatter => "bad-front-matter",
            Code::BadMetadata => "bad-metadata",
            Code::NoTitle => "no-title",
            Code::EmptyDocument => "empty-document",
            Code::UrlCollision => "url-collision",
            Code::BrokenLink => "broken-link",
            Code::BrokenAnchor => "broken-anchor",
            Code::LinkOutsideContent => "link-outside-content",
            Code::LinkCase => "link-case",
            Code::EmptyLink => "empty-link",
            Code::ExternalLink => "external-link",
            Code::RawSpaces => "raw-spaces",
            Code::UnknownSyntax => "unknown-syntax",
            Code::UnclosedBlock => "unclosed-block",
            Code::UnknownVariable => "unknown-variable",
            Code::BadPresets => "bad-presets",
            Code::BrokenInclude => "broken-include",
            Code::IncludeCycle => "include-cycle",
            Code::Orphan => "orphan",
            Code::MissingMetadata => "missing-metadata",
            Code::Stale => "stale",
            Code::Status => "status",
            Code::MissingSection => "missing-section",
            Code::HistoryVersion => "history-version",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem in one place of one source file.
///
/// `line` and `column` are 1-based; `column` counts characters, not bytes, so that an
/// editor jumps to the right place in Cyrillic text. `line == 0` means "the whole file".
/// The offending source line travels with the diagnostic so that every consumer (terminal,
/// JSON, browser overlay) can show it without re-reading the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// Length of the underlined span in characters (at least 1).
    pub length: u32,
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
}

/// By the fields that tell two diagnostics apart (as `Diagnostics::sort` orders them): equal
/// diagnostics hash alike, and the quoted source line, often a whole paragraph, is not read.
impl std::hash::Hash for Diagnostic {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (&self.file, self.line, self.column, self.code, &self.message).hash(h);
    }
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        code: Code,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        // `format!` grows its string by doubling: a message or help with a long link in it
        // held up to twice its bytes, and `serve` keeps every warning (25,000 at 10,000 pages).
        let mut message = message.into();
        message.shrink_to_fit();
        Diagnostic {
            file: file.into(),
            line: 0,
            column: 0,
            length: 1,
            severity,
            code,
            message,
            help: None,
            source_line: None,
        }
    }

    pub fn error(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, file, message)
    }

    pub fn warning(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, file, message)
    }

    /// Points the diagnostic at a span; `source` is the whole file text the position refers to.
    pub fn at(self, source: &str, pos: Position, length: u32) -> Self {
        let line = source.lines().nth(pos.line.saturating_sub(1) as usize);
        self.at_line(line, pos, length)
    }

    /// [`Diagnostic::at`] with the source's line at `pos` already found.
    pub fn at_line(mut self, source_line: Option<&str>, pos: Position, length: u32) -> Self {
        self.line = pos.line;
        self.column = pos.column;
        self.length = length.max(1);
        self.source_line = source_line.map(str::to_owned);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        let mut help = help.into();
        help.shrink_to_fit();
        self.help = Some(help);
        self
    }

    /// `file:line:column`, the form editors and terminals turn into a jump target.
    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}:{}", self.file, self.line, self.column)
        }
    }

    /// Compiler-style rendering: the message, the offending line, the span underlined.
    pub fn render_human(&self, color: bool) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = level
            .primary_title(self.message.as_str())
            .id(self.code.as_str());
        let mut report = vec![];
        match (&self.source_line, self.line) {
            (Some(text), line) if line > 0 => {
                let start = char_to_byte(text, self.column.saturating_sub(1) as usize);
                let end =
                    char_to_byte(text, (self.column.saturating_sub(1) + self.length) as usize)
                        .max(start);
                let snippet = Snippet::source(text.as_str())
                    .line_start(line as usize)
                    .path(self.file.as_str())
                    .annotation(AnnotationKind::Primary.span(start..end.max(start)));
                report.push(title.element(snippet));
            }
            _ => report.push(
                title.element(
                    Snippet::<annotate_snippets::Annotation>::source("")
                        .path(self.file.as_str())
                        .line_numbering(false),
                ),
            ),
        }
        if let Some(help) = &self.help {
            report.push(Group::with_title(
                Level::HELP.secondary_title(help.as_str()),
            ));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&report).to_string()
    }
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// A 1-based line and character column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets of a text to line/column positions in O(log lines).
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { line_starts }
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Position {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

/// The order of [`Diagnostics::sort`]: by file, position, code name and message, then by
/// everything else, so that equal diagnostics end up side by side.
pub fn order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    (
        a.file.as_str(),
        a.line,
        a.column,
        a.code.as_str(),
        a.message.as_str(),
    )
        .cmp(&(
            b.file.as_str(),
            b.line,
            b.column,
            b.code.as_str(),
            b.message.as_str(),
        ))
        .then_with(|| {
            (a.length, a.severity, &a.help, &a.source_line).cmp(&(
                b.length,
                b.severity,
                &b.help,
                &b.source_line,
            ))
        })
}

/// Everything found in one run, in a stable order (file, line, column, code).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Sorts by file, position and code name, and drops duplicates.
    pub fn sort(&mut self) {
        self.0.sort_by(order);
        self.0.dedup();
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.0.iter().filter(|d| d.severity == severity).count()
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(more);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "# Заголовок\nпривет [ссылка](x.md)\n";
        let index = LineIndex::new(text);
        let offset = text.find('[').unwrap();
        assert_eq!(
            index.position(text, offset),
            Position { line: 2, column: 8 }
        );
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
    }

    #[test]
    fn human_rendering_shows_location_line_and_help() {
        let text = "строка\nсм. [текст](нет.md) тут\n";
        let pos = LineIndex::new(text).position(text, text.find('[').unwrap());
        let d = Diagnostic::error(Code::BrokenLink, "a.md", "ссылка никуда не ведёт")
            .at(text, pos, 16)
            .with_help("возможно, имелось в виду `да.md`");
        let out = d.render_human(false);
        assert!(
            out.contains("error[broken-link]: ссылка никуда не ведёт"),
            "{out}"
        );
        assert!(out.contains("a.md:2:5"), "{out}");
        assert!(out.contains("см. [текст](нет.md) тут"), "{out}");
        assert!(out.contains("^^^^"), "{out}");
        assert!(out.contains("help: возможно"), "{out}");
    }
}
