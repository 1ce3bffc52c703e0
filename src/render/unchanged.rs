//! What a site assembled again after an add, a rename or a delete kept of the last one: for
//! each [`Part`] a context can read of the old site, its place in the new one if it is the
//! same there. A job whose every read part is the same has the same context, so `serve` carries
//! its key over (`JobKeys::carried_over`) instead of keying every job (about 13,800 at 10,000
//! pages), most of an added page's keying.
//!
//! Each comparison destructures its type whole, so a field added to `Page`, `Section`, `Tag` or
//! `LinkTarget` does not compile until it is compared here (`Site`'s own fields are private to
//! `site`: `Unchanged::between` says which it compares).

use super::reads::{Part, TagPlace};
use super::Job;
use crate::site::{LinkTarget, Page, PageId, Section, SectionId, Site, Tag};
use rayon::prelude::*;
use std::sync::Arc;

/// For each part of the old site, where it is in the new one, if it is the same there.
#[derive(Debug)]
pub struct Unchanged {
    pages: Vec<Option<PageId>>,
    page_links: Vec<Option<PageId>>,
    section_heads: Vec<Option<SectionId>>,
    section_lists: Vec<Option<SectionId>>,
    tag_urls: Vec<Option<TagPlace>>,
    tag_pages: Vec<Option<TagPlace>>,
    nav: bool,
    tag_list: bool,
    /// The other way: for each new page and section, the old one at its path or folder.
    old_pages: Vec<Option<PageId>>,
    old_sections: Vec<Option<SectionId>>,
}

/// Where each old page and section is in the new site (by its path and folder), whether or
/// not it changed.
struct Places {
    pages: Vec<Option<PageId>>,
    sections: Vec<Option<SectionId>>,
}

impl Places {
    fn page(&self, old: PageId) -> Option<PageId> {
        self.pages[old]
    }

    fn same_pages(&self, old: &[PageId], new: &[PageId]) -> bool {
        old.len() == new.len() && old.iter().zip(new).all(|(&o, &n)| self.page(o) == Some(n))
    }

    fn same_sections(&self, old: &[SectionId], new: &[SectionId]) -> bool {
        old.len() == new.len() && (old.iter().zip(new)).all(|(&o, &n)| self.sections[o] == Some(n))
    }
}

/// Where each old page is in the new site. Both are sorted by path: a walk through both,
/// comparing paths only where the documents differ, rather than 10,000 lookups by path (a
/// tenth of carrying the keys over).
fn page_places(old: &Site, new: &Site) -> Vec<Option<PageId>> {
    let mut places = vec![None; old.pages.len()];
    let (mut o, mut n) = (0, 0);
    while o < old.pages.len() && n < new.pages.len() {
        let (old_doc, new_doc) = (&old.pages[o].doc, &new.pages[n].doc);
        let order = if Arc::ptr_eq(old_doc, new_doc) {
            std::cmp::Ordering::Equal
        } else {
            old_doc.rel_path.cmp(&new_doc.rel_path)
        };
        match order {
            std::cmp::Ordering::Less => o += 1,
            std::cmp::Ordering::Greater => n += 1,
            std::cmp::Ordering::Equal => {
                places[o] = Some(n);
                (o, n) = (o + 1, n + 1);
            }
        }
    }
    places
}

impl Unchanged {
    /// What `new` kept of `old`; `None` when they differ in what every context reads (the
    /// configuration) or in what no part covers (the assets). The rest of a `Site` is not read
    /// by contexts (its loading problems, its lookup tables) or is what the parts cover.
    pub fn between(old: &Site, new: &Site) -> Option<Unchanged> {
        if old.config != new.config || old.assets != new.assets {
            return None;
        }
        let places = Places {
            pages: page_places(old, new),
            sections: (old.sections.iter())
                .map(|s| new.section_by_dir(&s.dir))
                .collect(),
        };
        let pages = |same: fn(&Places, &Page, &Page) -> bool| -> Vec<Option<PageId>> {
            (old.pages.par_iter().zip(&places.pages))
                .map(|(o, &n)| n.filter(|&n| same(&places, o, &new.pages[n])))
                .collect()
        };
        let (page_heads, page_links) = (pages(same_page), pages(same_links));
        let sections = |same: fn(&Places, &Section, &Section) -> bool| -> Vec<Option<SectionId>> {
            (old.sections.iter().zip(&places.sections))
                .map(|(o, &n)| n.filter(|&n| same(&places, o, &new.sections[n])))
                .collect()
        };
        let (section_heads, section_lists) = (sections(same_head), sections(same_list));
        let (tag_urls, tag_pages) = same_tags(&places, old, new);
        Some(Unchanged {
            old_pages: reversed(&places.pages, new.pages.len()),
            old_sections: reversed(&places.sections, new.sections.len()),
            pages: page_heads,
            page_links,
            section_heads,
            section_lists,
            tag_urls,
            tag_pages,
            nav: same_nav(old, new),
            tag_list: same_tag_list(old, new),
        })
    }

    /// The job of the old site that renders what `job` of the new one renders: of the page at
    /// the same path, the section of the same folder, the same tag. Whether it kept its key is
    /// for its parts to say (`carry`).
    pub fn old_job(&self, job: &Job) -> Option<Job> {
        match job {
            Job::Page(id) => self.old_pages[*id].map(Job::Page),
            Job::GeneratedSection(id) => self.old_sections[*id].map(Job::GeneratedSection),
            // Tags by name; the rest are one each (assets are the same, or nothing is kept).
            other => Some(other.clone()),
        }
    }

    /// Part `part` of the old site as the new one has it, if it is the same there.
    pub fn carry(&self, part: Part) -> Option<Part> {
        match part {
            Part::Page(id) => self.pages[id].map(Part::Page),
            Part::PageLinks(id) => self.page_links[id].map(Part::PageLinks),
            Part::SectionHead(id) => self.section_heads[id].map(Part::SectionHead),
            Part::SectionList(id) => self.section_lists[id].map(Part::SectionList),
            Part::TagUrl(place) => self.tag_urls[place].map(Part::TagUrl),
            Part::TagPages(place) => self.tag_pages[place].map(Part::TagPages),
            Part::Nav => self.nav.then_some(Part::Nav),
            Part::TagList => self.tag_list.then_some(Part::TagList),
        }
    }
}

/// For each new page or section, the old one at the same path or folder.
fn reversed(places: &[Option<usize>], new: usize) -> Vec<Option<usize>> {
    let mut old = vec![None; new];
    for (o, n) in places.iter().enumerate() {
        if let Some(n) = n {
            old[*n] = Some(o);
        }
    }
    old
}

fn same_page(_: &Places, old: &Page, new: &Page) -> bool {
    let Page {
        doc,
        url,
        section: _, // where the page is: its path's folder, the same for the same path
        is_index,
        links: _,
        link_diagnostics: _,
        backlinks: _, // its links' (`same_links`)
    } = old;
    Arc::ptr_eq(doc, &new.doc) && *url == new.url && *is_index == new.is_index
}

fn same_links(places: &Places, old: &Page, new: &Page) -> bool {
    let Page {
        doc: _,
        url: _,
        section: _,
        is_index: _, // the page's own (`same_page`)
        links,
        link_diagnostics,
        backlinks,
    } = old;
    links.len() == new.links.len()
        && (links.iter().zip(new.links.iter())).all(|(o, n)| same_target(places, o, n))
        && (Arc::ptr_eq(link_diagnostics, &new.link_diagnostics)
            || **link_diagnostics == *new.link_diagnostics)
        && places.same_pages(backlinks, &new.backlinks)
}

fn same_target(places: &Places, old: &LinkTarget, new: &LinkTarget) -> bool {
    match (old, new) {
        (
            LinkTarget::Page { page, anchor },
            LinkTarget::Page {
                page: new_page,
                anchor: new_anchor,
            },
        ) => {
            let same_anchor = match (anchor, new_anchor) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
                (a, b) => a.is_none() && b.is_none(),
            };
            places.page(*page) == Some(*new_page) && same_anchor
        }
        (LinkTarget::Broken { reason }, LinkTarget::Broken { reason: new_reason }) => {
            Arc::ptr_eq(reason, new_reason) || reason == new_reason
        }
        // Named one by one: a new kind of target that leads to a page must be mapped above.
        (LinkTarget::Asset { url }, LinkTarget::Asset { url: new_url })
        | (LinkTarget::External { url }, LinkTarget::External { url: new_url }) => url == new_url,
        (LinkTarget::Unlinked, LinkTarget::Unlinked) => true,
        (
            LinkTarget::Page { .. }
            | LinkTarget::Broken { .. }
            | LinkTarget::Asset { .. }
            | LinkTarget::External { .. }
            | LinkTarget::Unlinked,
            _,
        ) => false,
    }
}

fn same_head(places: &Places, old: &Section, new: &Section) -> bool {
    let Section {
        dir: _, // how the sections were matched
        url,
        title,
        index,
        pages: _,
        subsections: _,
        parent,
    } = old;
    *url == new.url
        && *title == new.title
        && index.map(|i| places.page(i)) == new.index.map(Some)
        && parent.map(|p| places.sections[p]) == new.parent.map(Some)
}

fn same_list(places: &Places, old: &Section, new: &Section) -> bool {
    let Section {
        dir: _,
        url: _,
        title: _,
        index: _,
        parent: _, // the head's (`same_head`)
        pages,
        subsections,
    } = old;
    places.same_pages(pages, &new.pages) && places.same_sections(subsections, &new.subsections)
}

/// Each old tag's place in the new site if its URL is the same, and if its pages are.
type TagPlaces = Vec<Option<TagPlace>>;

fn same_tags(places: &Places, old: &Site, new: &Site) -> (TagPlaces, TagPlaces) {
    let new_tags: foldhash::HashMap<&str, (TagPlace, &Tag)> = (new.tags.iter().enumerate())
        .map(|(place, (name, tag))| (name.as_str(), (place, tag)))
        .collect();
    (old.tags.iter())
        .map(|(name, old_tag)| {
            let Some(&(n, new_tag)) = new_tags.get(name.as_str()) else {
                return (None, None);
            };
            let Tag { url, pages } = old_tag;
            let same_url = *url == new_tag.url;
            let same_pages = places.same_pages(pages, &new_tag.pages);
            (same_url.then_some(n), same_pages.then_some(n))
        })
        .unzip()
}

/// Every tag's name, URL and number of pages: what the list of tags shows.
fn same_tag_list(old: &Site, new: &Site) -> bool {
    fn shown(site: &Site) -> impl Iterator<Item = (&str, &str, usize)> {
        (site.tags.iter()).map(|(name, t)| (name.as_str(), t.url.as_str(), t.pages.len()))
    }
    shown(old).eq(shown(new))
}

/// The top sections' titles and URLs, in order: what every page's navigation shows.
fn same_nav(old: &Site, new: &Site) -> bool {
    fn top(site: &Site) -> impl Iterator<Item = (&str, &str)> {
        (site.sections[0].subsections.iter()).map(|&s| {
            let s = &site.sections[s];
            (s.title.as_str(), s.url.as_str())
        })
    }
    top(old).eq(top(new))
}
