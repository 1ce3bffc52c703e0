//! The data each template sees, typed and borrowed from the `Site`. A context is both what a
//! job renders and what decides whether it must be rendered again: its hash is the job's key
//! (`render::keys`), so what a page shows and what invalidates it are the same code.
//!
//! Links are kept as the two URLs they join and become relative hrefs only when serialised,
//! and a page's body enters the hash by its document's identity: hashing every job's context
//! stays cheap.

pub use super::body::Body;
use super::cards::{Card, CardFacts};
pub use super::cards::{Href, Link, ListItem};
use super::reads::{self, Part, TagPlace};
use crate::content::metadata::Metadata;
use crate::content::Document;
use crate::site::{LinkTarget, Page, PageId, Section, SectionId, Site, Tag};
use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

#[derive(Debug, Serialize)]
pub struct TocEntry<'a> {
    pub level: u8,
    pub id: &'a str,
    pub title: &'a str,
}

#[derive(Debug, Serialize, Hash)]
pub struct PageContext<'a> {
    #[serde(flatten)]
    pub document: DocumentFacts<'a>,
    pub url: &'a str,
    pub content: Body<'a>,
    pub tags: Vec<Link<'a>>,
    pub stale: bool,
    pub backlinks: Vec<ListItem<'a>>,
    pub prev: Option<Link<'a>>,
    pub next: Option<Link<'a>>,
    pub breadcrumbs: Vec<Link<'a>>,
    pub broken_links: usize,
}

/// What a page shows of its own document alone: made only from the document, so hashed as
/// its identity, as its body is (`render::body`), and serialised from it only when the page is
/// rendered. Hashing these fields one by one was 40 % of keying every job at 10,000 pages, and
/// making them (the table of contents, the history) a further tenth (BENCHMARKS.md).
#[derive(Debug)]
pub struct DocumentFacts<'a> {
    document: &'a Arc<Document>,
}

impl<'a> DocumentFacts<'a> {
    pub fn of(document: &'a Arc<Document>) -> DocumentFacts<'a> {
        DocumentFacts { document }
    }
}

impl Serialize for DocumentFacts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'a> {
            title: &'a str,
            path: &'a str,
            summary: &'a str,
            /// Headings of levels 2–3 shown in the body; the theme lists them when there are
            /// two or more.
            toc: Vec<TocEntry<'a>>,
            has_tasks: bool,
            meta: &'a Metadata,
            status_class: &'static str,
            history: Vec<HistoryRow<'a>>,
        }
        let doc = &**self.document;
        Shown {
            title: &doc.title,
            path: &doc.rel_path,
            summary: &doc.summary,
            toc: toc(doc),
            has_tasks: doc.rendered.has_tasks,
            meta: &doc.meta,
            status_class: status_class(doc.meta.status.as_deref()),
            history: doc
                .history
                .iter()
                .map(|h| HistoryRow {
                    version: &h.version,
                    date: h.date,
                    author: &h.author,
                    changes: &h.changes,
                })
                .collect(),
        }
        .serialize(s)
    }
}

impl Hash for DocumentFacts<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (Arc::as_ptr(self.document) as usize).hash(h);
    }
}

/// One row of a page's change history, as the page shows it.
#[derive(Debug, Serialize)]
pub struct HistoryRow<'a> {
    pub version: &'a str,
    pub date: Option<NaiveDate>,
    pub author: &'a str,
    pub changes: &'a str,
}

/// The headings of levels 2–3 of a page's body, the metadata table's left out.
fn toc(doc: &crate::content::Document) -> Vec<TocEntry<'_>> {
    doc.rendered
        .headings
        .iter()
        .filter(|h| {
            h.in_body
                && (2..=3).contains(&h.level)
                && h.text != crate::content::markdown::METADATA_SECTION
        })
        .map(|h| TocEntry {
            level: h.level,
            id: &h.id,
            title: &h.text,
        })
        .collect()
}

/// Facts shared by every page of one render: the site, the date that decides staleness, and
/// each page's card.
pub struct RenderEnv<'a> {
    pub site: &'a Site,
    pub today: NaiveDate,
    pub local: bool,
    /// Each page's card, made when a job first lists the page: after an edit only the jobs
    /// that read it are keyed again (`render::reads`), and making all 10,000 cards for them
    /// was most of that.
    cards: Box<[std::sync::OnceLock<Card<'a>>]>,
    nav: std::sync::OnceLock<std::sync::Arc<super::jobs::NavEntries<'a>>>,
    /// Each tag's place among the site's tags and the tag, for the pages' tag links: a search
    /// of the site's sorted map compared Cyrillic names a dozen times per link.
    tag_places: std::sync::OnceLock<foldhash::HashMap<&'a str, (TagPlace, &'a Tag)>>,
}

pub fn status_class(status: Option<&str>) -> &'static str {
    match status.map(|s| s.trim().to_lowercase()) {
        None => "none",
        Some(s) if s == "актуально" => "ok",
        Some(s) if s.contains("черновик") => "draft",
        Some(s) if s.contains("пересмотр") || s.contains("согласован") => {
            "review"
        }
        Some(s) if s.contains("устар") || s.contains("архив") => "old",
        Some(_) => "other",
    }
}

impl<'a> RenderEnv<'a> {
    pub fn new(site: &'a Site, today: NaiveDate, local: bool) -> RenderEnv<'a> {
        RenderEnv {
            site,
            today,
            local,
            cards: site
                .pages
                .iter()
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            nav: std::sync::OnceLock::new(),
            tag_places: std::sync::OnceLock::new(),
        }
    }

    /// The site's top sections, as every page's navigation lists them.
    pub fn nav_entries(&self) -> &std::sync::Arc<super::jobs::NavEntries<'a>> {
        reads::part(Part::Nav);
        self.nav
            .get_or_init(|| std::sync::Arc::new(super::jobs::NavEntries::new(self.site)))
    }

    /// Page `page`'s card.
    fn card(&self, page: PageId) -> Card<'a> {
        let (site, today) = (self.site, self.today);
        let p = self.read(page);
        let section = self.section_head(p.section);
        *self.cards[page].get_or_init(|| {
            let meta = &p.doc.meta;
            Card::new(CardFacts {
                title: &p.doc.title,
                summary: &p.doc.summary,
                updated: meta.updated,
                status: meta.status.as_deref(),
                status_class: status_class(meta.status.as_deref()),
                stale: meta.is_stale(site.config.stale_days, today),
                section: &section.title,
                url: &p.url,
            })
        })
    }

    pub fn href(&self, from: impl Into<Cow<'a, str>>, to: impl Into<Cow<'a, str>>) -> Href<'a> {
        Href::Relative {
            from: from.into(),
            to: to.into(),
            local: self.local,
        }
    }

    /// Page `page`, noted as read by the job being keyed (`render::reads`): a context reads
    /// other pages through here (or through its `Body`), so that no read goes unnoted.
    pub(super) fn read(&self, page: PageId) -> &'a Page {
        reads::page(page);
        &self.site.pages[page]
    }

    /// Section `id`, noted as read for what a link to it shows: its title, URL, parent and
    /// section page (`render::reads`).
    pub(super) fn section_head(&self, id: SectionId) -> &'a Section {
        reads::part(Part::SectionHead(id));
        &self.site.sections[id]
    }

    /// Section `id`, noted as read whole: its list of pages and subsections too.
    pub(super) fn section_list(&self, id: SectionId) -> &'a Section {
        reads::part(Part::SectionHead(id));
        reads::part(Part::SectionList(id));
        &self.site.sections[id]
    }

    /// `Site::listing_section`, noted: a section page is listed by its section's parent.
    fn listing_section(&self, page: PageId) -> Option<SectionId> {
        let p = self.read(page);
        if p.is_index {
            self.section_head(p.section).parent
        } else {
            Some(p.section)
        }
    }

    pub fn is_stale(&self, page: PageId) -> bool {
        self.read(page)
            .doc
            .meta
            .is_stale(self.site.config.stale_days, self.today)
    }

    pub fn list_item(&self, from: Cow<'a, str>, page: PageId) -> ListItem<'a> {
        ListItem {
            card: self.card(page),
            from,
            local: self.local,
        }
    }

    pub fn list_items(&self, from: &Cow<'a, str>, pages: &[PageId]) -> Vec<ListItem<'a>> {
        pages
            .iter()
            .map(|&p| self.list_item(from.clone(), p))
            .collect()
    }

    /// Root → … → the section that lists the page.
    pub fn breadcrumbs(&self, from: &Cow<'a, str>, section: Option<SectionId>) -> Vec<Link<'a>> {
        let mut chain = vec![];
        let mut current = section;
        while let Some(id) = current {
            let s = self.section_head(id);
            chain.push(Link {
                title: &s.title,
                href: self.href(from.clone(), s.url.as_str()),
            });
            current = s.parent;
        }
        chain.reverse();
        chain
    }

    /// The URL of a tag's page: the site's, borrowed, for a tag some page carries.
    pub fn tag_url(&self, tag: &str) -> Cow<'a, str> {
        match self.tag(tag) {
            Some((place, t)) => {
                reads::part(Part::TagUrl(place));
                Cow::Borrowed(&t.url)
            }
            None => Cow::Owned(super::tag_url(self.site, tag)),
        }
    }

    /// The pages a tag tags, noted as read.
    pub fn tag_pages(&self, tag: &str) -> &'a [PageId] {
        match self.tag(tag) {
            Some((place, t)) => {
                reads::part(Part::TagPages(place));
                &t.pages
            }
            None => &[],
        }
    }

    /// A tag by name, with its place among the site's tags (sorted by name); a tag no page
    /// carries (no caller asks for one today) is noted as a read of every tag's name.
    fn tag(&self, tag: &str) -> Option<(TagPlace, &'a Tag)> {
        let site = self.site;
        let places = self.tag_places.get_or_init(|| {
            (site.tags.iter().enumerate())
                .map(|(place, (name, t))| (name.as_str(), (place, t)))
                .collect()
        });
        let found = places.get(tag).copied();
        if found.is_none() {
            reads::part(Part::TagList);
        }
        found
    }

    pub fn body(&self, page: PageId) -> Body<'a> {
        reads::part(Part::PageLinks(page));
        Body::new(self.site, self.read(page), self.local)
    }

    /// The pages before and after `id` in the section that lists it (none for section pages).
    fn neighbours(&self, id: PageId) -> (Option<Link<'a>>, Option<Link<'a>>) {
        let p = self.read(id);
        let (false, Some(section)) = (p.is_index, self.listing_section(id)) else {
            return (None, None);
        };
        let list = &self.section_list(section).pages;
        let pos = list.iter().position(|&x| x == id).unwrap_or(0);
        let link = |i: Option<usize>| {
            i.and_then(|i| list.get(i)).map(|&q| {
                let q = self.read(q);
                Link {
                    title: &q.doc.title,
                    href: self.href(&p.url, q.url.as_str()),
                }
            })
        };
        (link(pos.checked_sub(1)), link(Some(pos + 1)))
    }

    pub fn page(&self, id: PageId) -> PageContext<'a> {
        let p = self.read(id);
        // Its backlinks and its broken links' count.
        reads::part(Part::PageLinks(id));
        let doc = &p.doc;
        let from = Cow::Borrowed(p.url.as_str());
        let (prev, next) = self.neighbours(id);
        PageContext {
            document: DocumentFacts::of(&p.doc),
            url: &p.url,
            content: self.body(id),
            tags: doc
                .meta
                .tags
                .iter()
                .map(|t| Link {
                    title: t,
                    href: self.href(&p.url, self.tag_url(t)),
                })
                .collect(),
            stale: self.is_stale(id),
            backlinks: self.list_items(&from, &p.backlinks),
            prev,
            next,
            breadcrumbs: self.breadcrumbs(&from, self.listing_section(id)),
            broken_links: p
                .links
                .iter()
                .filter(|l| matches!(l, LinkTarget::Broken { .. }))
                .count(),
        }
    }
}
