//! Markdown → one `Rendered` value (html with link slots, headings, links, sections, text),
//! made in a single pass over pulldown-cmark's events. Linking, checking and indexing all use
//! this value; nobody parses the markdown or the HTML again.

use super::include::Expanded;
use super::kept::KeptText;
use super::pass::Pass;
use super::presets::{VariableFilter, Variables};
use super::rawlinks;
use super::slots::scrub;
use super::yfm::{Blocks, SyntaxProblem};
use crate::diagnostics::{LineIndex, Position};
use pulldown_cmark::{Event, Options, Parser, Tag};
use std::ops::Range;

/// The metadata section is shown as a card by the theme, so its table is left out of the body.
pub const METADATA_SECTION: &str = "Метаданные документа";

#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownOptions {
    /// Render raw HTML as text.
    pub escape_html: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
    pub pos: Position,
    /// False for headings inside the metadata section, which the body HTML leaves out.
    pub in_body: bool,
    /// Where the heading starts in [`Rendered::plain_text`], in bytes: the passage it opens
    /// runs to the next heading's (suggest scores an article by its best passage).
    pub text_offset: usize,
    /// Bytes of link text between this heading and the next: a passage that is mostly links
    /// is navigation («Связанные материалы»), not an answer.
    pub link_bytes: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkRef {
    /// The destination as written (percent-encoding and all).
    pub dest: String,
    pub text: String,
    pub pos: Position,
    /// Length in characters of the link's source on its first line.
    pub length: u32,
    /// Written with raw spaces: works here, breaks on GitHub/GitLab.
    pub raw_spaces: bool,
    pub is_image: bool,
    /// Written `[{#T}](…)`: its text is to be the target's title.
    pub title_placeholder: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableRow {
    pub cells: Vec<String>,
    pub pos: Position,
}

/// The text under one H2 heading (or before the first one).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Section {
    pub title: String,
    pub pos: Position,
    pub text: String,
    pub first_paragraph: Option<String>,
    /// Table rows, the header row included, of every table in the section.
    pub tables: Vec<Vec<TableRow>>,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// Body HTML with link slots; see `slots`.
    pub(super) html: KeptText,
    /// Text of the first H1 (left out of `html`: the theme shows the title).
    pub title: Option<String>,
    /// The first H1's own `{#id}`: it names the top of the page.
    pub title_id: Option<String>,
    pub headings: Vec<Heading>,
    /// Ids of `{#id}` written at the end of a paragraph or list item (`anchors`).
    pub anchors: Vec<String>,
    pub links: Vec<LinkRef>,
    pub sections: Vec<Section>,
    /// All text of the body, for search.
    pub plain_text: KeptText,
    /// First paragraph outside quotes, for the summary fallback (`None` once parsed into a
    /// document: the summary has it).
    pub first_paragraph: Option<String>,
    /// The body HTML has checklist boxes (the theme offers to reset them).
    pub has_tasks: bool,
    /// `{% … %}` tags left as text or never closed (`yfm`).
    pub syntax_problems: Vec<SyntaxProblem>,
    /// `{{ name }}` without a value (`presets`), where written.
    pub unknown_variables: Vec<UnknownVariable>,
}

/// A `{{ name }}` left as written: no presets file gives it a value.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownVariable {
    pub pos: Position,
    /// Length in characters as written.
    pub length: u32,
    pub name: String,
}

impl Rendered {
    /// Moves the body HTML and the plain text into `file` (`serve`: after a page is rendered
    /// and indexed, they are read again only when an edit makes it render or index again).
    pub fn spill(&self, file: &std::sync::Arc<super::kept::SpillFile>) -> std::io::Result<()> {
        self.html.spill(file)?;
        self.plain_text.spill(file)
    }

    /// The section titled `title`. On a parsed [`Document`](super::Document) only the typical
    /// article's sections are left, and only «Симптомы» with its text ([`Rendered::retain_sections`]).
    pub fn section(&self, title: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.title.eq_ignore_ascii_case(title))
    }

    /// Keeps, of what was read for parsing alone, only what later stages read: the sections
    /// named in `kept` (their title and position: `check` asks which a typical article has),
    /// the text of `with_text` among them («Симптомы», which the index reads). The rest is in
    /// `plain_text` and the HTML already, or was read into the document's metadata and
    /// summary; at 10,000 documents the copies were 75 MB, the sections themselves 20 MB.
    pub fn retain_sections(&mut self, kept: &[&str], with_text: &str) {
        self.sections
            .retain(|s| kept.iter().any(|k| s.title.eq_ignore_ascii_case(k)));
        for section in &mut self.sections {
            if !section.title.eq_ignore_ascii_case(with_text) {
                section.text = String::new();
            }
            section.tables = Vec::new();
            section.first_paragraph = None;
        }
        self.sections.shrink_to_fit();
        self.first_paragraph = None;
    }
}

pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// `event` with any link-slot character in its text replaced (`slots`).
fn scrubbed(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Text(t) => Event::Text(scrub(t)),
        Event::Code(t) => Event::Code(scrub(t)),
        Event::Html(t) => Event::Html(scrub(t)),
        Event::InlineHtml(t) => Event::InlineHtml(scrub(t)),
        other => other,
    }
}

pub fn render_markdown(source: &str, options: MarkdownOptions) -> Rendered {
    render_markdown_with(source, options, &Variables::default(), None)
}

/// A document's text with its includes expanded (`include`), and the document's path (its
/// folder is where the included links are rebased to).
#[derive(Clone, Copy)]
pub struct Included<'a> {
    pub expanded: &'a Expanded,
    pub rel_path: &'a str,
}

/// `render_markdown` of `source` with `{{ name }}` replaced from `vars` in text and link
/// destinations, and, given `included`, of its expanded text (positions still `source`'s).
pub fn render_markdown_with(
    source: &str,
    options: MarkdownOptions,
    vars: &Variables,
    included: Option<Included>,
) -> Rendered {
    let parsed = included.map_or(source, |i| i.expanded.text.as_str());
    let pre = rawlinks::preprocess(parsed);
    render_preprocessed(source, &pre, options, vars, included)
}

fn render_preprocessed<'a>(
    source: &str,
    pre: &'a rawlinks::Preprocessed,
    options: MarkdownOptions,
    vars: &Variables,
    included: Option<Included>,
) -> Rendered {
    let lines = LineIndex::new(source);
    // Offsets of the parsed text → the expanded text → the document's own text.
    let in_expanded = |offset: usize| pre.original_offset(offset);
    let in_source = |offset: usize| {
        let expanded = in_expanded(offset);
        included.map_or(expanded, |i| i.expanded.original_offset(expanded))
    };
    let position = |offset: usize| lines.position(source, in_source(offset));
    let expanded_text = included.map_or(source, |i| i.expanded.text.as_str());
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut pass = Pass::new();
    let mut blocks = Blocks::default();
    // Without `{%` the filter would pass every event on as it is: skip it.
    let has_tags = pre.text.contains("{%");
    let mut events = Vec::new();
    let mut feed = |event: Event<'a>, range: Range<usize>| {
        if has_tags {
            let src = &pre.text[range.clone()];
            blocks.event(event, src, |at| position(range.start + at), &mut events);
        } else {
            events.push(event);
        }
        // Scrubbed after the filter: the text it makes (block titles) is text like any other.
        for event in events.drain(..).map(scrubbed) {
            pass.event(event, position(range.start), || {
                let orig = in_expanded(range.start)..in_expanded(range.end);
                let first_line = expanded_text[orig.clone()].lines().next().unwrap_or("");
                (first_line.chars().count() as u32, pre.is_rewritten(orig))
            });
        }
    };
    let mut variables = VariableFilter::new(pre.text.contains("{{"));
    for (event, range) in Parser::new_ext(&pre.text, opts).into_offset_iter() {
        let event = match event {
            Event::Html(html) | Event::InlineHtml(html) if options.escape_html => Event::Text(html),
            other => other,
        };
        let event = match included {
            Some(i) => with_destination(event, |dest| {
                i.expanded
                    .rebase(in_expanded(range.start), dest, i.rel_path)
            }),
            None => event,
        };
        variables.event(event, range, vars, &pre.text, &mut feed);
    }
    variables.flush(vars, &pre.text, &mut feed);
    blocks.finish(&mut events);
    for event in events.drain(..).map(scrubbed) {
        pass.event(event, position(pre.text.len()), || (0, false));
    }
    let mut rendered = pass.finish(source.len());
    rendered.syntax_problems = blocks.problems;
    rendered.unknown_variables = variables
        .unknown
        .into_iter()
        .map(|(at, length, name)| UnknownVariable {
            pos: position(at),
            length,
            name,
        })
        .collect();
    rendered
}

/// `event` with its link or image destination replaced by `rebase`'s answer, if any (includes
/// rebase them, variables fill them in).
pub(super) fn with_destination<'a>(
    event: Event<'a>,
    rebase: impl FnOnce(&str) -> Option<String>,
) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: rebase(&dest_url).map_or(dest_url, Into::into),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: rebase(&dest_url).map_or(dest_url, Into::into),
            title,
            id,
        }),
        other => other,
    }
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
