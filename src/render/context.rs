//! The data each template sees, with every href already relative to the page being rendered.

use crate::content::LinkOutput;
use crate::site::urls::relative_href;
use crate::site::{LinkTarget, Page, PageId, SectionId, Site};
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Serialize)]
pub struct Link {
    pub title: String,
    pub href: String,
}

#[derive(Serialize)]
pub struct ListItem {
    pub title: String,
    pub href: String,
    pub summary: String,
    pub updated: Option<String>,
    pub status: Option<String>,
    pub status_class: &'static str,
    pub stale: bool,
    pub section: String,
}

#[derive(Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

#[derive(Serialize)]
pub struct PageContext {
    pub title: String,
    pub path: String,
    pub url: String,
    pub summary: String,
    pub content: String,
    /// Headings of levels 2–3 shown in the body; the theme lists them when there are two or more.
    pub toc: Vec<TocEntry>,
    pub has_tasks: bool,
    pub meta: crate::content::metadata::Metadata,
    pub status_class: &'static str,
    pub tags: Vec<Link>,
    pub stale: bool,
    pub backlinks: Vec<ListItem>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    pub breadcrumbs: Vec<Link>,
    pub history: Vec<crate::content::metadata::HistoryEntry>,
    pub broken_links: usize,
}

/// Facts shared by every page of one render: the site, the date that decides staleness.
pub struct RenderEnv<'a> {
    pub site: &'a Site,
    pub today: NaiveDate,
    pub local: bool,
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

impl RenderEnv<'_> {
    pub fn href(&self, from: &str, to: &str) -> String {
        relative_href(from, to, self.local)
    }

    pub fn is_stale(&self, page: PageId) -> bool {
        self.site.pages[page]
            .doc
            .meta
            .is_stale(self.site.config.stale_days, self.today)
    }

    pub fn list_item(&self, from: &str, page: PageId) -> ListItem {
        let p = &self.site.pages[page];
        ListItem {
            title: p.doc.title.clone(),
            href: self.href(from, &p.url),
            summary: p.doc.summary.clone(),
            updated: p.doc.meta.updated.map(|d| d.format("%d.%m.%Y").to_string()),
            status: p.doc.meta.status.clone(),
            status_class: status_class(p.doc.meta.status.as_deref()),
            stale: self.is_stale(page),
            section: self.site.sections[p.section].title.clone(),
        }
    }

    /// Root → … → the section that lists the page.
    pub fn breadcrumbs(&self, from: &str, section: Option<SectionId>) -> Vec<Link> {
        let mut chain = vec![];
        let mut current = section;
        while let Some(id) = current {
            let s = &self.site.sections[id];
            chain.push(Link {
                title: s.title.clone(),
                href: self.href(from, &s.url),
            });
            current = s.parent;
        }
        chain.reverse();
        chain
    }

    pub fn tag_url(&self, tag: &str) -> String {
        super::tag_url(self.site, tag)
    }

    /// The body HTML with every link slot filled: relative hrefs, or a marked broken span.
    pub fn body_html(&self, page: PageId) -> String {
        let p = &self.site.pages[page];
        p.doc.rendered.finalize(|i| self.link_output(p, i))
    }

    /// What link `i` of page `p` becomes; a `[{#T}](…)` link takes its target's title.
    fn link_output(&self, p: &Page, i: usize) -> LinkOutput {
        let target = &p.links[i];
        let href = match target {
            LinkTarget::Broken { reason } => {
                return LinkOutput::Broken {
                    reason: reason.clone(),
                }
            }
            LinkTarget::Unlinked => return LinkOutput::Unlinked,
            LinkTarget::External { url } => url.clone(),
            target => self.href(&p.url, &self.site.target_url(target).unwrap_or_default()),
        };
        // Only a `[{#T}]` link shows its target's title; looking it up costs a heading search.
        let title = p.doc.rendered.links[i]
            .title_placeholder
            .then(|| self.site.target_title(target))
            .flatten();
        match title {
            Some(title) => LinkOutput::Titled {
                href,
                title: title.to_string(),
            },
            None => LinkOutput::Href(href),
        }
    }

    pub fn page(&self, id: PageId) -> PageContext {
        let site = self.site;
        let p = &site.pages[id];
        let doc = &p.doc;
        let listing = site.listing_section(id);
        let (prev, next) = match (p.is_index, listing) {
            (false, Some(section)) => {
                let list = &site.sections[section].pages;
                let pos = list.iter().position(|&x| x == id).unwrap_or(0);
                let link = |i: Option<usize>| {
                    i.and_then(|i| list.get(i)).map(|&q| Link {
                        title: site.pages[q].doc.title.clone(),
                        href: self.href(&p.url, &site.pages[q].url),
                    })
                };
                (link(pos.checked_sub(1)), link(Some(pos + 1)))
            }
            _ => (None, None),
        };
        PageContext {
            title: doc.title.clone(),
            path: doc.rel_path.clone(),
            url: p.url.clone(),
            summary: doc.summary.clone(),
            content: self.body_html(id),
            toc: doc
                .rendered
                .headings
                .iter()
                .filter(|h| {
                    h.in_body
                        && (2..=3).contains(&h.level)
                        && h.text != crate::content::markdown::METADATA_SECTION
                })
                .map(|h| TocEntry {
                    level: h.level,
                    id: h.id.clone(),
                    title: h.text.clone(),
                })
                .collect(),
            has_tasks: doc.rendered.has_tasks,
            meta: doc.meta.clone(),
            status_class: status_class(doc.meta.status.as_deref()),
            tags: doc
                .meta
                .tags
                .iter()
                .map(|t| Link {
                    title: t.clone(),
                    href: self.href(&p.url, &self.tag_url(t)),
                })
                .collect(),
            stale: self.is_stale(id),
            backlinks: p
                .backlinks
                .iter()
                .map(|&b| self.list_item(&p.url, b))
                .collect(),
            prev,
            next,
            breadcrumbs: self.breadcrumbs(&p.url, listing),
            history: doc.history.clone(),
            broken_links: p
                .links
                .iter()
                .filter(|l| matches!(l, LinkTarget::Broken { .. }))
                .count(),
        }
    }
}
