//! The single pass itself: pulldown-cmark's events in, one `Rendered` out. Text is recorded
//! for search, sections, paragraphs and cells as it goes by; headings, links and images are
//! rewritten on the way to the HTML writer.

use super::anchors;
use super::kept::KeptText;
use super::markdown::{
    escape_html, Heading, LinkRef, Rendered, Section, TableRow, METADATA_SECTION,
};
use super::slots::{slot, CLOSE, OPEN, SRC, TITLE_PLACEHOLDER};
use super::slug::HeadingIds;
use crate::diagnostics::Position;
use pulldown_cmark::{Event, HeadingLevel, LinkType, Tag, TagEnd};

/// A heading being read: its events are held back until its text (and so its id) is known.
struct OpenHeading<'a> {
    level: HeadingLevel,
    custom_id: Option<String>,
    pos: Position,
    inner: Vec<Event<'a>>,
    text: String,
    text_offset: usize,
}

/// State of the single pass.
pub struct Pass<'a> {
    out: Rendered,
    /// `out.plain_text` while it is written.
    plain_text: String,
    events: Vec<Event<'a>>,
    ids: HeadingIds,
    /// Inside a heading: its level, custom id, start position and buffered inner events.
    heading: Option<OpenHeading<'a>>,
    /// Open links: index into `out.links`.
    open_links: Vec<usize>,
    /// Open image: link index and alt text collected so far.
    image: Option<(usize, String)>,
    skipping_metadata: bool,
    /// Open paragraphs and list items: the index of their start event in `events`, `None`
    /// when it was not emitted (the metadata section). A closing `{#id}` goes there.
    blocks: Vec<Option<usize>>,
    paragraph: Option<String>,
    quote_depth: usize,
    table_row: Option<TableRow>,
    cell: Option<String>,
    task_index: usize,
}

impl<'a> Pass<'a> {
    pub fn new() -> Pass<'a> {
        Pass {
            out: Rendered {
                sections: vec![Section::default()],
                ..Default::default()
            },
            plain_text: String::new(),
            events: Vec::new(),
            ids: HeadingIds::default(),
            heading: None,
            open_links: Vec::new(),
            image: None,
            skipping_metadata: false,
            blocks: Vec::new(),
            paragraph: None,
            quote_depth: 0,
            table_row: None,
            cell: None,
            task_index: 0,
        }
    }

    /// The value made: the body HTML written, the buffers trimmed.
    pub fn finish(mut self, source_len: usize) -> Rendered {
        let mut html = String::with_capacity(source_len + source_len / 4);
        pulldown_cmark::html::push_html(&mut html, self.events.into_iter());
        // Documents live as long as the site model (all of `serve`): give back the growth
        // slack, up to half of each buffer.
        html.shrink_to_fit();
        self.out.html = KeptText::new(html);
        self.plain_text.shrink_to_fit();
        self.out.plain_text = KeptText::new(self.plain_text);
        self.out.headings.shrink_to_fit();
        self.out.links.shrink_to_fit();
        // Written a word at a time, a link's text holds up to twice its bytes.
        for link in &mut self.out.links {
            link.text.shrink_to_fit();
        }
        for section in &mut self.out.sections {
            section.text = section.text.trim().to_string();
        }
        self.out
    }

    fn section(&mut self) -> &mut Section {
        self.out
            .sections
            .last_mut()
            .expect("there is always a section")
    }

    /// Records text for search, the current section, paragraph, table cell, heading, link.
    fn text(&mut self, text: &str) {
        self.plain_text.push_str(text);
        // A section's text is its body: the heading is its title, not its content.
        if self.heading.is_none() {
            self.section().text.push_str(text);
        }
        for buf in [self.paragraph.as_mut(), self.cell.as_mut()]
            .into_iter()
            .flatten()
        {
            buf.push_str(text);
        }
        if let Some(heading) = self.heading.as_mut() {
            heading.text.push_str(text);
        }
        if let Some((_, alt)) = self.image.as_mut() {
            alt.push_str(text);
        }
        for &i in &self.open_links {
            self.out.links[i].text.push_str(text);
        }
        if !self.open_links.is_empty() && self.heading.is_none() {
            if let Some(last) = self.out.headings.last_mut() {
                last.link_bytes += text.len();
            }
        }
    }

    /// Takes back `text`, the last text recorded, from search and the section, paragraph and
    /// cell: markup that turned out not to be text (`{#id}`, `{#T}`).
    fn unsay(&mut self, text: &str) {
        let in_heading = self.heading.is_some();
        let section = &mut self
            .out
            .sections
            .last_mut()
            .expect("there is always a section")
            .text;
        let buffers = [Some(&mut self.plain_text), (!in_heading).then_some(section)];
        for buf in buffers
            .into_iter()
            .chain([self.paragraph.as_mut(), self.cell.as_mut()])
            .flatten()
        {
            if buf.ends_with(text) {
                buf.truncate(buf.len() - text.len());
            }
        }
    }

    /// A paragraph or list item starts: remember where, for a closing `{#id}`.
    fn open_block(&mut self, event: Event<'a>) {
        let emitted = self.heading.is_none() && !self.skipping_metadata;
        self.blocks.push(emitted.then_some(self.events.len()));
        self.emit(event);
    }

    /// The text of the innermost paragraph or list item ends: a `{#id}` closing it becomes the
    /// block's id.
    fn anchor_block(&mut self) {
        let Some(&Some(start)) = self.blocks.last() else {
            return;
        };
        if self.skipping_metadata || start >= self.events.len() {
            return;
        }
        let tag = match self.events[start] {
            Event::Start(Tag::Paragraph) => "p",
            Event::Start(Tag::Item) => "li",
            _ => return,
        };
        let Some((written, cut)) = anchors::cut_trailing_id(&mut self.events, start) else {
            return;
        };
        self.unsay(&cut);
        let id = self.ids.claim(Some(&written), "");
        self.events[start] = Event::Html(format!("<{tag} id=\"{}\">", escape_html(&id)).into());
        self.out.anchors.push(id);
    }

    fn block_break(&mut self) {
        self.plain_text.push('\n');
        self.section().text.push('\n');
    }

    /// Ends the line of text unless it has just ended: a block boundary that may or may not
    /// follow another one.
    fn line_break(&mut self) {
        let in_heading = self.heading.is_some();
        let section = &mut self
            .out
            .sections
            .last_mut()
            .expect("there is always a section")
            .text;
        let buffers = [Some(&mut self.plain_text), (!in_heading).then_some(section)];
        for buf in buffers.into_iter().flatten() {
            if !buf.is_empty() && !buf.ends_with('\n') {
                buf.push('\n');
            }
        }
    }

    fn emit(&mut self, event: Event<'a>) {
        // A heading's own events are held until it ends: it decides whether skipping stops.
        match self.heading.as_mut() {
            Some(heading) => heading.inner.push(event),
            None if self.skipping_metadata => {}
            None => self.events.push(event),
        }
    }

    pub fn event(&mut self, event: Event<'a>, pos: Position, link_info: impl Fn() -> (u32, bool)) {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                self.start_heading(level, id.map(|s| s.to_string()), pos)
            }
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                // `<user@example.com>` is an address, not a document.
                let dest = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                let (length, raw_spaces) = link_info();
                let index = self.push_link(dest, pos, length, raw_spaces, false);
                self.open_links.push(index);
                self.emit(Event::InlineHtml(slot(OPEN, index)));
            }
            Event::End(TagEnd::Link) => self.end_link(),
            Event::Start(Tag::Image { dest_url, .. }) => {
                let (length, raw_spaces) = link_info();
                let index = self.push_link(dest_url.to_string(), pos, length, raw_spaces, true);
                self.image = Some((index, String::new()));
            }
            Event::End(TagEnd::Image) => self.end_image(),
            Event::Text(ref t) | Event::Code(ref t) => {
                let t = t.clone();
                self.text(&t);
                if self.image.is_none() {
                    self.emit(event);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                self.text(" ");
                self.emit(event);
            }
            Event::Start(Tag::Paragraph) => {
                self.paragraph = Some(String::new());
                self.open_block(event);
            }
            Event::End(TagEnd::Paragraph) => self.end_paragraph(event),
            Event::Start(Tag::Item) => self.open_block(event),
            Event::Start(Tag::List(_)) => {
                // The item's own text ends where a nested list starts.
                self.anchor_block();
                self.line_break();
                self.emit(event);
            }
            Event::Start(Tag::BlockQuote(_)) => {
                self.quote_depth += 1;
                self.emit(event);
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                self.quote_depth = self.quote_depth.saturating_sub(1);
                self.emit(event);
            }
            Event::Start(Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
            | Event::End(TagEnd::TableHead | TagEnd::TableRow | TagEnd::TableCell) => {
                self.table(event, pos)
            }
            Event::End(TagEnd::Item) => {
                self.anchor_block();
                self.blocks.pop();
                self.block_break();
                self.emit(event);
            }
            Event::End(TagEnd::CodeBlock) => {
                self.block_break();
                self.emit(event);
            }
            Event::TaskListMarker(checked) => self.task(checked),
            Event::Html(_) => {
                // Block HTML (a YFM block's own markup among them) parts the text around it.
                self.line_break();
                self.emit(event);
            }
            other => self.emit(other),
        }
    }

    fn start_heading(&mut self, level: HeadingLevel, custom_id: Option<String>, pos: Position) {
        // A section starts at its heading, so that the heading's words belong to it.
        if level <= HeadingLevel::H2 {
            self.out.sections.push(Section {
                pos,
                ..Default::default()
            });
        }
        self.heading = Some(OpenHeading {
            level,
            custom_id,
            pos,
            inner: Vec::new(),
            text: String::new(),
            text_offset: self.plain_text.len(),
        });
    }

    fn end_image(&mut self) {
        if let Some((index, alt)) = self.image.take() {
            let html = format!(
                "<img src=\"{}\" alt=\"{}\" loading=\"lazy\">",
                slot(SRC, index),
                escape_html(&alt)
            );
            self.out.links[index].text = alt;
            self.emit(Event::InlineHtml(html.into()));
        }
    }

    /// Tables: each row's cells are kept with the section (metadata and history are tables).
    fn table(&mut self, event: Event<'a>, pos: Position) {
        match event {
            Event::Start(Tag::Table(_)) => self.section().tables.push(vec![]),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                self.table_row = Some(TableRow { cells: vec![], pos });
            }
            Event::Start(Tag::TableCell) => self.cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(cell), Some(row)) = (self.cell.take(), self.table_row.as_mut()) {
                    row.cells.push(cell.trim().to_string());
                }
                self.text(" ");
            }
            _ => {
                // The end of a head or row.
                if let Some(row) = self.table_row.take() {
                    if let Some(table) = self.section().tables.last_mut() {
                        table.push(row);
                    }
                }
                self.block_break();
            }
        }
        self.emit(event);
    }

    fn task(&mut self, checked: bool) {
        let html = format!(
            "<input type=\"checkbox\" class=\"task\" data-task=\"{}\"{}> ",
            self.task_index,
            if checked { " checked" } else { "" }
        );
        self.task_index += 1;
        self.out.has_tasks |= !self.skipping_metadata;
        self.emit(Event::InlineHtml(html.into()));
    }

    fn end_paragraph(&mut self, event: Event<'a>) {
        self.anchor_block();
        self.blocks.pop();
        if let Some(p) = self
            .paragraph
            .take()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
        {
            if self.quote_depth == 0
                && self.out.first_paragraph.is_none()
                && !self.skipping_metadata
            {
                self.out.first_paragraph = Some(p.clone());
            }
            self.section().first_paragraph.get_or_insert(p);
        }
        self.block_break();
        self.emit(event);
    }

    fn end_link(&mut self) {
        let Some(index) = self.open_links.pop() else {
            return;
        };
        if self.out.links[index].text == TITLE_PLACEHOLDER {
            // The title is only known once the site is: `finalize` writes it.
            self.out.links[index].title_placeholder = true;
            self.unsay(TITLE_PLACEHOLDER);
        }
        self.emit(Event::InlineHtml(slot(CLOSE, index)));
    }

    fn push_link(
        &mut self,
        dest: String,
        pos: Position,
        length: u32,
        raw_spaces: bool,
        is_image: bool,
    ) -> usize {
        self.out.links.push(LinkRef {
            dest,
            text: String::new(),
            pos,
            length,
            raw_spaces,
            is_image,
            title_placeholder: false,
        });
        self.out.links.len() - 1
    }

    fn end_heading(&mut self) {
        let Some(OpenHeading {
            level,
            custom_id,
            pos,
            inner,
            text,
            text_offset,
        }) = self.heading.take()
        else {
            return;
        };
        let text = text.trim().to_string();
        let level_num = level as u8;
        self.block_break();
        if level_num <= 2 {
            self.skipping_metadata = text == METADATA_SECTION;
            self.section().title = text.clone();
        }
        if level_num == 1 && self.out.title.is_none() {
            self.out.title = Some(text);
            self.out.title_id = custom_id;
            return;
        }
        let id = self.ids.claim(custom_id.as_deref(), &text);
        self.out.headings.push(Heading {
            level: level_num,
            text,
            id: id.clone(),
            pos,
            in_body: !self.skipping_metadata,
            text_offset,
            link_bytes: 0,
        });
        let escaped_id = escape_html(&id);
        self.emit(Event::Html(
            format!("<h{level_num} id=\"{escaped_id}\">").into(),
        ));
        for e in inner {
            self.emit(e);
        }
        self.emit(Event::Html(
            format!("<a class=\"anchor\" href=\"#{escaped_id}\" aria-label=\"Ссылка на раздел\">#</a></h{level_num}>\n").into(),
        ));
    }
}
