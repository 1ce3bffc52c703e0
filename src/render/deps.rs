//! What each render job reads, as one hash per job: `serve` re-renders only the jobs whose hash
//! changed after an edit. The hashes mirror what `context` puts before the templates; the
//! test that an incremental rebuild writes exactly the files of a full build guards that.
//!
//! Hashes are only compared within one process (std's SipHash with fixed keys), and a
//! document enters by the address of its shared `Arc`: `site::DocumentCache` hands out the
//! same `Arc` while a file is unchanged, and the old site stays alive while it is compared, so
//! an address cannot be reused by a changed document during the comparison.

use super::context::RenderEnv;
use super::{Job, OPERATOR_URL, TAGS_URL};
use crate::site::urls::output_path;
use crate::site::{LinkTarget, PageId, SectionId, Site};
use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// Each job of a site under a name that stays the same across rebuilds (its main output
/// file), with the hash of everything it reads.
#[derive(Debug, Default, Clone)]
pub struct JobKeys {
    keys: BTreeMap<String, (Job, u64)>,
}

/// What an incremental render must do to turn the output of `old` into that of `new`.
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub render: Vec<Job>,
    /// Output files of jobs that no longer exist (deleted or renamed pages, emptied tags).
    pub remove: Vec<String>,
}

impl JobKeys {
    pub fn compute(env: &RenderEnv, jobs: &[Job]) -> JobKeys {
        let cards = Cards::new(env);
        let keys = jobs
            .iter()
            .map(|job| (job_name(env.site, job), (job.clone(), cards.job_key(job))))
            .collect();
        JobKeys { keys }
    }

    pub fn changes_from(&self, old: &JobKeys) -> Changes {
        let render = self
            .keys
            .iter()
            .filter(|(name, (_, key))| old.keys.get(*name).is_none_or(|(_, k)| k != key))
            .map(|(_, (job, _))| job.clone())
            .collect();
        let remove = old
            .keys
            .keys()
            .filter(|name| !self.keys.contains_key(*name))
            .cloned()
            .collect();
        Changes { render, remove }
    }
}

fn job_name(site: &Site, job: &Job) -> String {
    match job {
        Job::Page(id) => output_path(&site.pages[*id].url),
        Job::GeneratedSection(id) => output_path(&site.sections[*id].url),
        Job::TagIndex => output_path(TAGS_URL),
        Job::Tag(tag) => output_path(&super::tag_url(site, tag)),
        Job::NotFound => "404.html".into(),
        Job::Operator => output_path(OPERATOR_URL),
        Job::Feeds => super::client_index::ENTRY.into(),
        Job::Statics => crate::site::urls::STATIC_URL.trim_start_matches('/').into(),
        Job::Asset(i) => output_path(&site.assets[*i].url),
    }
}

fn hash_of(value: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// The per-page facts other pages show of it (list items, prev/next, backlinks), hashed once.
struct Cards<'a> {
    env: &'a RenderEnv<'a>,
    page: Vec<u64>,
    /// Top-level navigation and site-wide facts every template shows.
    nav: u64,
}

impl<'a> Cards<'a> {
    fn new(env: &'a RenderEnv<'a>) -> Cards<'a> {
        let site = env.site;
        let page = (0..site.pages.len())
            .map(|id| {
                let p = &site.pages[id];
                let m = &p.doc.meta;
                hash_of((
                    &p.doc.title,
                    &p.url,
                    &p.doc.summary,
                    (m.updated, &m.status),
                    &site.sections[p.section].title,
                    env.is_stale(id),
                ))
            })
            .collect();
        let nav = hash_of(
            site.sections[0]
                .subsections
                .iter()
                .map(|&s| (&site.sections[s].title, &site.sections[s].url))
                .collect::<Vec<_>>(),
        );
        Cards { env, page, nav }
    }

    fn cards(&self, pages: &[PageId]) -> Vec<u64> {
        pages.iter().map(|&p| self.page[p]).collect()
    }

    fn job_key(&self, job: &Job) -> u64 {
        let site = self.env.site;
        let mut h = DefaultHasher::new();
        self.nav.hash(&mut h);
        match job {
            Job::Page(id) => self.page_key(*id).hash(&mut h),
            Job::GeneratedSection(id) => self.section_key(*id).hash(&mut h),
            Job::TagIndex => site
                .tags
                .iter()
                .map(|(t, p)| (t, p.len()))
                .collect::<Vec<_>>()
                .hash(&mut h),
            Job::Tag(tag) => {
                tag.hash(&mut h);
                self.cards(site.tags.get(tag).map_or(&[], Vec::as_slice))
                    .hash(&mut h);
            }
            Job::NotFound | Job::Statics => {}
            Job::Operator => {
                super::feedback_kept(&site.config.feedback).hash(&mut h);
                for path in super::OPERATOR_LINKS {
                    site.page_by_path(path)
                        .map(|p| (&p.doc.title, &p.url))
                        .hash(&mut h);
                }
            }
            Job::Feeds => {
                for p in &site.pages {
                    (Arc::as_ptr(&p.doc) as usize, &p.url).hash(&mut h);
                }
                for s in &site.sections {
                    (&s.title, &s.url).hash(&mut h);
                }
                // The client index carries the synonym groups (`client_index::client_index`).
                std::fs::read(site.content_dir.join(&site.config.synonyms_file))
                    .ok()
                    .hash(&mut h);
            }
            Job::Asset(i) => {
                let asset = &site.assets[*i];
                let stamp = std::fs::metadata(&asset.abs_path)
                    .ok()
                    .map(|m| (m.len(), m.modified().ok()));
                (&asset.rel_path, &asset.url, stamp).hash(&mut h);
            }
        }
        h.finish()
    }

    fn page_key(&self, id: PageId) -> u64 {
        let site = self.env.site;
        let p = &site.pages[id];
        let mut h = DefaultHasher::new();
        (
            Arc::as_ptr(&p.doc) as usize,
            &p.url,
            p.is_index,
            self.page[id],
        )
            .hash(&mut h);
        for (link, target) in p.doc.rendered.links.iter().zip(p.links.iter()) {
            match target {
                LinkTarget::Broken { reason } => reason.hash(&mut h),
                other => site.target_url(other).hash(&mut h),
            }
            if link.title_placeholder {
                site.target_title(target).hash(&mut h);
            }
        }
        self.cards(&p.backlinks).hash(&mut h);
        let listing = site.listing_section(id);
        if let (false, Some(section)) = (p.is_index, listing) {
            let list = &site.sections[section].pages;
            let pos = list.iter().position(|&x| x == id).unwrap_or(0);
            let neighbours = [pos.checked_sub(1), Some(pos + 1)]
                .map(|i| i.and_then(|i| list.get(i)).map(|&q| self.page[q]));
            neighbours.hash(&mut h);
        }
        self.breadcrumbs(listing).hash(&mut h);
        if p.is_index {
            self.section_key(p.section).hash(&mut h);
        }
        h.finish()
    }

    fn section_key(&self, id: SectionId) -> u64 {
        let site = self.env.site;
        let s = &site.sections[id];
        let mut h = DefaultHasher::new();
        (&s.url, &s.title, self.cards(&s.pages)).hash(&mut h);
        for &sub in &s.subsections {
            let sub = &site.sections[sub];
            let summary = sub.index.map(|i| &site.pages[i].doc.summary);
            (&sub.title, &sub.url, sub.pages.len(), summary).hash(&mut h);
        }
        if s.index.is_none() {
            self.breadcrumbs(s.parent).hash(&mut h);
        }
        if s.url == "/" {
            self.cards(&super::recent_pages(site)).hash(&mut h);
        }
        h.finish()
    }

    fn breadcrumbs(&self, mut section: Option<SectionId>) -> Vec<(&str, &str)> {
        let mut chain = vec![];
        while let Some(id) = section {
            let s = &self.env.site.sections[id];
            chain.push((s.title.as_str(), s.url.as_str()));
            section = s.parent;
        }
        chain
    }
}
