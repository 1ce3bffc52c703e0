//! What a site assembled again after an add, a rename or a delete kept of the last one: for
//! each [`Part`] a context can read of the old site, its place in the new one if it is the
//! same there. A job whose every read part is the same has the same context, so `serve` carries
//! its key over (`JobKeys::carried_over`) instead of keying all 13,855 jobs of a 10,000-page
//! site, which was a quarter of an added page's rebuild.
//!
//! Each comparison destructures its type whole, so a field added to `Page`, `Section` or `Tag`
//! does not compile until it is compared here.

use super::reads::Part;
use super::Job;
use crate::site::{LinkTarget, Page, PageId, Section, SectionId, Site, Tag};
use rayon::prelude::*;
use std::sync::Arc;

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

/// For each part of the old site, where it is in the new one, if it is the same there.
#[derive(Debug)]
pub struct Unchanged {
    pages: Vec<Option<PageId>>,
    section_heads: Vec<Option<SectionId>>,
    section_lists: Vec<Option<SectionId>>,
    tag_urls: Vec<Option<usize>>,
    tag_pages: Vec<Option<usize>>,
    nav: bool,
    tag_list: bool,
    /// The other way: for each new page and section, the old one it is unchanged from.
    old_pages: Vec<Option<PageId>>,
    old_sections: Vec<Option<SectionId>>,
}

/// Where each old page, section and tag is in the new site (by its path, folder and name),
/// whether or not it changed.
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

impl Unchanged {
    /// What `new` kept of `old`; `None` when they differ in what every context reads (the
    /// configuration) or in what no part covers (the assets).
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
        let kept = |found: Option<usize>, same: &dyn Fn(usize) -> bool| found.filter(|&n| same(n));
        let pages: Vec<Option<PageId>> = (old.pages.par_iter().zip(&places.pages))
            .map(|(o, &n)| kept(n, &|n| same_page(&places, o, &new.pages[n])))
            .collect();
        let section_heads: Vec<Option<SectionId>> = (old.sections.iter().zip(&places.sections))
            .map(|(o, &n)| kept(n, &|n| same_head(&places, o, &new.sections[n])))
            .collect();
        let section_lists: Vec<Option<SectionId>> = (old.sections.iter().zip(&places.sections))
            .map(|(o, &n)| kept(n, &|n| same_list(&places, o, &new.sections[n])))
            .collect();
        let new_tags: foldhash::HashMap<&str, (usize, &Tag)> = (new.tags.iter().enumerate())
            .map(|(place, (name, tag))| (name.as_str(), (place, tag)))
            .collect();
        let tag_in_new = |name: &String| new_tags.get(name.as_str()).copied();
        let tag_urls = (old.tags.iter())
            .map(|(name, o)| {
                let (n, tag) = tag_in_new(name)?;
                let Tag { url, pages: _ } = o;
                (*url == tag.url).then_some(n)
            })
            .collect();
        let tag_pages = (old.tags.iter())
            .map(|(name, o)| {
                let (n, tag) = tag_in_new(name)?;
                let Tag { url: _, pages } = o;
                places.same_pages(pages, &tag.pages).then_some(n)
            })
            .collect();
        let tag_list = old.tags.len() == new.tags.len()
            && (old.tags.iter().zip(&new.tags)).all(|((on, o), (nn, n))| {
                on == nn && o.url == n.url && o.pages.len() == n.pages.len()
            });
        let mut old_pages = vec![None; new.pages.len()];
        for (o, n) in pages.iter().enumerate() {
            n.map(|n| old_pages[n] = Some(o));
        }
        let mut old_sections = vec![None; new.sections.len()];
        for (o, (head, list)) in section_heads.iter().zip(&section_lists).enumerate() {
            if let (Some(n), Some(_)) = (head, list) {
                old_sections[*n] = Some(o);
            }
        }
        Some(Unchanged {
            pages,
            section_heads,
            section_lists,
            tag_urls,
            tag_pages,
            nav: same_nav(old, new),
            tag_list,
            old_pages,
            old_sections,
        })
    }

    /// The job of the old site that renders what `job` of the new one renders, if the page or
    /// section it renders is unchanged.
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
            Part::SectionHead(id) => self.section_heads[id].map(Part::SectionHead),
            Part::SectionList(id) => self.section_lists[id].map(Part::SectionList),
            Part::TagUrl(place) => self.tag_urls[place].map(Part::TagUrl),
            Part::TagPages(place) => self.tag_pages[place].map(Part::TagPages),
            Part::Nav => self.nav.then_some(Part::Nav),
            Part::TagList => self.tag_list.then_some(Part::TagList),
        }
    }
}

fn same_page(places: &Places, old: &Page, new: &Page) -> bool {
    let Page {
        doc,
        url,
        section: _, // where the page is: its path's folder, the same for the same path
        is_index,
        links,
        link_diagnostics,
        backlinks,
    } = old;
    Arc::ptr_eq(doc, &new.doc)
        && *url == new.url
        && *is_index == new.is_index
        && links.len() == new.links.len()
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
        (LinkTarget::Page { .. }, _) | (_, LinkTarget::Page { .. }) => false,
        (LinkTarget::Broken { reason }, LinkTarget::Broken { reason: new_reason }) => {
            Arc::ptr_eq(reason, new_reason) || reason == new_reason
        }
        (old, new) => old == new,
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
        pages, subsections, ..
    } = old;
    places.same_pages(pages, &new.pages) && places.same_sections(subsections, &new.subsections)
}

/// The top sections' titles and URLs, in order: what every page's navigation shows.
fn same_nav(old: &Site, new: &Site) -> bool {
    let top = |site: &Site| -> Vec<(String, String)> {
        (site.sections[0].subsections.iter())
            .map(|&s| (site.sections[s].title.clone(), site.sections[s].url.clone()))
            .collect()
    };
    top(old) == top(new)
}
