//! Link slots: the body HTML is made before any other page is known, so each link leaves a
//! slot (private-use characters around its index) that `Rendered::finalize` fills once the
//! site has resolved it. Text never contains these characters (`scrub` replaces them on the
//! way in), so content cannot forge a slot.

use super::markdown::{escape_into, LinkRef, Rendered};
use pulldown_cmark::CowStr;

pub(super) const OPEN: char = '\u{E000}';
pub(super) const CLOSE: char = '\u{E002}';
pub(super) const SRC: char = '\u{E003}';
const END: char = '\u{E001}';

/// The text of a link that asks for its target's title: `[{#T}](file.md)`.
pub const TITLE_PLACEHOLDER: &str = "{#T}";

/// What a link slot becomes.
pub enum LinkOutput {
    Href(String),
    /// A `[{#T}](…)` link: this href, and this text instead of the placeholder.
    Titled {
        href: String,
        title: String,
    },
    Broken {
        /// Shared with the link's target (`site::LinkTarget::Broken`): not copied per render.
        reason: std::sync::Arc<str>,
    },
    /// No link at all (`[text]()`): the text alone.
    Unlinked,
}

pub(super) fn slot(kind: char, index: usize) -> CowStr<'static> {
    CowStr::from(format!("{kind}{index}{END}"))
}

pub(super) fn scrub(text: CowStr<'_>) -> CowStr<'_> {
    if text.contains([OPEN, CLOSE, SRC, END]) {
        CowStr::from(text.replace([OPEN, CLOSE, SRC, END], "\u{FFFD}"))
    } else {
        text
    }
}

impl Rendered {
    /// The body HTML with every link slot filled; `resolve` is called once per link index.
    /// Fails only when the HTML was spilled (`content::kept`) and cannot be read back.
    pub fn finalize(&self, resolve: impl FnMut(usize) -> LinkOutput) -> std::io::Result<String> {
        Ok(self.fill(&self.html.try_read()?, resolve))
    }

    fn fill(&self, html: &str, mut resolve: impl FnMut(usize) -> LinkOutput) -> String {
        let mut out = String::with_capacity(html.len() + self.links.len() * 32);
        let mut resolved: Vec<Option<LinkOutput>> = (0..self.links.len()).map(|_| None).collect();
        let mut rest = html;
        while let Some(start) = rest.find([OPEN, CLOSE, SRC]) {
            out.push_str(&rest[..start]);
            let kind = rest[start..].chars().next().unwrap_or(OPEN);
            let body = &rest[start + kind.len_utf8()..];
            let end = body.find(END).unwrap_or(body.len());
            let index: usize = body[..end].parse().unwrap_or(usize::MAX);
            rest = body.get(end + END.len_utf8()..).unwrap_or("");
            let Some(slot) = resolved.get_mut(index) else {
                continue;
            };
            let output = slot.get_or_insert_with(|| resolve(index));
            let link = &self.links[index];
            fill(&mut out, kind, output, link);
            if kind == OPEN && link.title_placeholder {
                rest = rest.strip_prefix(TITLE_PLACEHOLDER).unwrap_or(rest);
                push_title(&mut out, output, link);
            }
        }
        out.push_str(rest);
        out
    }
}

/// Writes what one slot of `link` becomes.
fn fill(out: &mut String, kind: char, output: &LinkOutput, link: &LinkRef) {
    match (kind, output) {
        (OPEN, LinkOutput::Href(href) | LinkOutput::Titled { href, .. }) => {
            out.push_str("<a href=\"");
            escape_into(out, href);
            out.push_str("\">");
        }
        (OPEN, LinkOutput::Broken { reason }) => {
            out.push_str("<span class=\"broken-link\" title=\"");
            escape_into(out, &format!("{reason}: {}", link.dest));
            out.push_str("\">");
        }
        (CLOSE, LinkOutput::Href(_) | LinkOutput::Titled { .. }) => out.push_str("</a>"),
        (CLOSE, LinkOutput::Broken { .. }) => out.push_str("</span>"),
        (OPEN | CLOSE, LinkOutput::Unlinked) => {}
        (_, LinkOutput::Href(href) | LinkOutput::Titled { href, .. }) => escape_into(out, href),
        (_, LinkOutput::Broken { .. } | LinkOutput::Unlinked) => out.push_str("data:,"),
    }
}

/// The text of a `[{#T}](…)` link: its target's title, else (broken, external) what was written.
fn push_title(out: &mut String, output: &LinkOutput, link: &LinkRef) {
    match output {
        LinkOutput::Titled { title, .. } => escape_into(out, title),
        _ => escape_into(out, &link.dest),
    }
}
