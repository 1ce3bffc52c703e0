//! YFM/Diplodoc blocks (`{% note %}`, `{% cut %}`, `{% list tabs %}`) as a filter on the single
//! pass's events: a paragraph whose source is exactly one tag is replaced by the block's HTML,
//! and the events between the tags go on as usual (links collected, text indexed). Any other
//! `{%` in text is reported and left as it was written; code is never looked at.

mod tag;

use crate::diagnostics::Position;
use pulldown_cmark::{Event, Tag, TagEnd};
use tag::{parse_tag, Kind, Parsed};

/// A tag that is not rendered (unsupported, misplaced, or never closed).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxProblem {
    pub pos: Position,
    /// Length in characters of the tag as written.
    pub length: u32,
    pub message: String,
    /// An opening tag without its closing one; otherwise the tag is shown as text.
    pub unclosed: bool,
}

/// Where a tab item is in its title (the item's first paragraph, or its text before any block).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Title {
    Pending,
    Paragraph,
    Inline,
    Done,
}

struct Open {
    kind: Kind,
    pos: Position,
    length: u32,
    /// Containers open when the tag was read: the block must close within them.
    depth: usize,
    /// For tabs: the depth of their list once it started, and where its current item is.
    list: Option<usize>,
    title: Title,
    tabs: usize,
}

/// The filter's state over one document.
#[derive(Default)]
pub struct Blocks {
    open: Vec<Open>,
    /// Open list items, block quotes and footnotes.
    depth: usize,
    in_code: bool,
    /// Inside a tag paragraph: its events are replaced.
    swallowing: bool,
    /// Inside a paragraph already reported as a whole.
    reported: bool,
    notes: usize,
    pub problems: Vec<SyntaxProblem>,
}

impl Blocks {
    /// Passes `event` (its source `src`, `locate` giving the position of an offset in `src`)
    /// on to `out`, replaced or surrounded by the blocks' HTML.
    pub fn event<'a>(
        &mut self,
        event: Event<'a>,
        src: &str,
        locate: impl Fn(usize) -> Position,
        out: &mut Vec<Event<'a>>,
    ) {
        if self.swallowing {
            self.swallowing = !matches!(event, Event::End(TagEnd::Paragraph));
            return;
        }
        self.title_boundary(&event, out);
        match &event {
            Event::Start(Tag::CodeBlock(_)) => self.in_code = true,
            Event::End(TagEnd::CodeBlock) => self.in_code = false,
            Event::Start(Tag::Paragraph)
                if self.tag_paragraph(src.trim(), locate(0), out) || self.title_paragraph() =>
            {
                return
            }
            Event::End(TagEnd::Paragraph) => {
                self.reported = false;
                if self.end_title_paragraph(out) {
                    return;
                }
            }
            Event::Text(_) if !self.in_code && !self.reported => self.scan(src, locate),
            Event::Start(Tag::List(_)) if self.starts_tab_list() => return,
            Event::End(TagEnd::List(_)) if self.ends_tab_list() => return,
            Event::Start(Tag::Item) if self.starts_tab(out) => return,
            Event::End(TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition) => {
                self.close_inside(out);
                self.depth -= 1;
                if matches!(event, Event::End(TagEnd::Item)) && self.ends_tab(out) {
                    return;
                }
            }
            _ => {}
        }
        if matches!(
            event,
            Event::Start(Tag::Item | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_))
        ) {
            self.depth += 1;
        }
        out.push(event);
    }

    /// The end of the document: blocks still open are reported and closed.
    pub fn finish<'a>(&mut self, out: &mut Vec<Event<'a>>) {
        while let Some(open) = self.open.pop() {
            self.unclosed(open, out);
        }
    }

    /// A paragraph that is exactly one tag: the block opens or closes here. False when the
    /// paragraph is to stay as it was written.
    fn tag_paragraph<'a>(&mut self, text: &str, pos: Position, out: &mut Vec<Event<'a>>) -> bool {
        let Some(parsed) = parse_tag(text) else {
            return false;
        };
        let length = text.chars().count() as u32;
        match parsed {
            Parsed::Open(kind, class, title) => {
                self.open_block(kind, class, title, out);
                self.open.push(Open {
                    kind,
                    pos,
                    length,
                    depth: self.depth,
                    list: None,
                    title: Title::Done,
                    tabs: 0,
                });
            }
            Parsed::Close(kind) => match self.open.last() {
                Some(open) if open.kind == kind && open.depth == self.depth => {
                    self.open.pop();
                    out.push(Event::Html(kind.close_html().into()));
                }
                _ => {
                    let message = format!("`{text}` closes no open `{{% {} %}}`", kind.name());
                    return self.report(pos, length, message);
                }
            },
            Parsed::Unsupported(message) => return self.report(pos, length, message),
        }
        self.swallowing = true;
        true
    }

    fn report(&mut self, pos: Position, length: u32, message: String) -> bool {
        self.problems.push(SyntaxProblem {
            pos,
            length,
            message,
            unclosed: false,
        });
        self.reported = true;
        false
    }

    /// Every `{%` in a text outside a tag paragraph: shown as written, reported.
    fn scan(&mut self, src: &str, locate: impl Fn(usize) -> Position) {
        for (at, _) in src.match_indices("{%") {
            let rest = &src[at..];
            let line = rest.lines().next().unwrap_or(rest);
            let tag = line.find("%}").map_or(line, |end| &line[..end + 2]);
            let message = match parse_tag(tag) {
                Some(Parsed::Open(..) | Parsed::Close(_)) => format!("`{tag}` works only alone in its paragraph (an empty line before and after it); shown as text"),
                Some(Parsed::Unsupported(message)) => message,
                None => format!("`{tag}` is not a tag (no `%}}` on its line); shown as text"),
            };
            let length = tag.chars().count() as u32;
            self.problems.push(SyntaxProblem {
                pos: locate(at),
                length,
                message,
                unclosed: false,
            });
        }
    }

    /// A container ends: the blocks opened inside it end with it, reported as unclosed.
    fn close_inside<'a>(&mut self, out: &mut Vec<Event<'a>>) {
        while self.open.last().is_some_and(|o| o.depth == self.depth) {
            let open = self.open.pop().expect("checked");
            self.unclosed(open, out);
        }
    }

    fn unclosed<'a>(&mut self, open: Open, out: &mut Vec<Event<'a>>) {
        if open.title != Title::Done {
            out.push(Event::Html(TITLE_END.into()));
        }
        self.problems.push(SyntaxProblem {
            pos: open.pos,
            length: open.length,
            message: format!(
                "`{{% {} %}}` is never closed: it runs to the end of its container",
                open.kind.name()
            ),
            unclosed: true,
        });
        out.push(Event::Html(open.kind.close_html().into()));
    }

    /// The tabs opened last, when nothing else has opened since, at the current depth.
    fn tabs(&mut self) -> Option<&mut Open> {
        let depth = self.depth;
        self.open
            .last_mut()
            .filter(|o| o.kind == Kind::Tabs && o.depth == depth)
    }

    fn starts_tab_list(&mut self) -> bool {
        let depth = self.depth;
        match self.tabs() {
            Some(tabs) if tabs.list.is_none() && tabs.tabs == 0 => {
                tabs.list = Some(depth);
                true
            }
            _ => false,
        }
    }

    fn ends_tab_list(&mut self) -> bool {
        let depth = self.depth;
        match self.tabs() {
            Some(tabs) if tabs.list == Some(depth) => {
                tabs.list = None;
                true
            }
            _ => false,
        }
    }

    fn starts_tab<'a>(&mut self, out: &mut Vec<Event<'a>>) -> bool {
        let depth = self.depth;
        let Some(tabs) = self.tabs().filter(|t| t.list == Some(depth)) else {
            return false;
        };
        // The first tab is open: without script, the reader sees content at once.
        let open = if tabs.tabs == 0 { " open" } else { "" };
        tabs.tabs += 1;
        tabs.title = Title::Pending;
        out.push(Event::Html(
            format!("<details class=\"tab\"{open}><summary>").into(),
        ));
        self.depth += 1;
        true
    }

    fn ends_tab<'a>(&mut self, out: &mut Vec<Event<'a>>) -> bool {
        let depth = self.depth;
        let Some(tabs) = self.tabs().filter(|t| t.list == Some(depth)) else {
            return false;
        };
        if tabs.title != Title::Done {
            out.push(Event::Html(TITLE_END.into()));
        }
        tabs.title = Title::Done;
        out.push(Event::Html("</div></details>\n".into()));
        true
    }

    /// The tab being read, if its title is not over.
    fn titling(&mut self) -> Option<&mut Open> {
        let depth = self.depth;
        self.open.last_mut().filter(|o| {
            o.kind == Kind::Tabs && o.title != Title::Done && o.list.map(|d| d + 1) == Some(depth)
        })
    }

    /// The tab's first paragraph is its title: its `<p>` is left out.
    fn title_paragraph(&mut self) -> bool {
        match self.titling() {
            Some(tab) if tab.title == Title::Pending => {
                tab.title = Title::Paragraph;
                true
            }
            _ => false,
        }
    }

    fn end_title_paragraph<'a>(&mut self, out: &mut Vec<Event<'a>>) -> bool {
        match self.titling() {
            Some(tab) if tab.title == Title::Paragraph => {
                tab.title = Title::Done;
                out.push(Event::Html(TITLE_END.into()));
                true
            }
            _ => false,
        }
    }

    /// In a tight list the title is the item's text up to its first block.
    fn title_boundary<'a>(&mut self, event: &Event<'a>, out: &mut Vec<Event<'a>>) {
        let Some(tab) = self.titling() else {
            return;
        };
        match (tab.title, event) {
            (Title::Pending, Event::Start(Tag::Paragraph)) | (_, Event::End(_)) => {}
            (Title::Pending | Title::Inline, Event::Start(tag)) if is_block(tag) => {
                tab.title = Title::Done;
                out.push(Event::Html(TITLE_END.into()));
            }
            (Title::Pending | Title::Inline, Event::Rule) => {
                tab.title = Title::Done;
                out.push(Event::Html(TITLE_END.into()));
            }
            (Title::Pending, _) => tab.title = Title::Inline,
            _ => {}
        }
    }

    /// The block's opening HTML; a title is text between two HTML events, so that it is
    /// escaped, scrubbed and indexed like any other text.
    fn open_block<'a>(&mut self, kind: Kind, class: &str, title: String, out: &mut Vec<Event<'a>>) {
        let (open, close) = match kind {
            Kind::Note => {
                // Numbered in the page; a colon keeps it unlike any heading's GitHub id.
                self.notes += 1;
                let id = format!("note:{}", self.notes);
                (
                    format!(
                        "<div class=\"note note-{class}\" role=\"note\" aria-labelledby=\"{id}\">\n<p class=\"note-title\" id=\"{id}\">"
                    ),
                    "</p>\n",
                )
            }
            Kind::Cut => (
                "<details class=\"cut\"><summary>".to_string(),
                "</summary><div class=\"cut-body\">\n",
            ),
            Kind::Tabs => {
                out.push(Event::Html("<div class=\"tabs\">\n".into()));
                return;
            }
        };
        out.push(Event::Html(open.into()));
        out.push(Event::Text(title.into()));
        out.push(Event::Html(close.into()));
    }
}

/// Whether `tag` starts a block (which ends a tight tab's title), not inline markup.
fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

const TITLE_END: &str = "</summary><div class=\"tab-body\">\n";

#[cfg(test)]
mod tests;
