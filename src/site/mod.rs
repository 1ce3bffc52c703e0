//! The site model: pages with URLs, sections, resolved links, backlinks and tags.
//!
//! Built from `content` once per load; `render`, `search` and `check` read it and never
//! change it. It never touches the output folder.

mod cache;
mod closest;
mod links;
mod loaded;
mod lookup;
mod memo;
mod patch;
pub mod urls;

pub use cache::DocumentCache;
pub use memo::LinkMemo;
use patch::Placement;

use loaded::Loaded;

pub use crate::content::paths::{is_external, join_path};
pub use links::LinkTarget;

use crate::config::Config;
use crate::content::walk::is_index_name;
use crate::content::Document;
use crate::diagnostics::{Code, Diagnostic};
use rayon::prelude::*;
// Maps keyed by URL and path hash with foldhash: SipHash on 10,000 URLs and paths was a tenth
// of an edit's load (BENCHMARKS.md).
use foldhash::HashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub type PageId = usize;
pub type SectionId = usize;

#[derive(Debug, Clone)]
pub struct Page {
    /// Shared, so that a rebuild in `serve` reuses the documents of unchanged files.
    pub doc: Arc<Document>,
    /// Root-relative URL, `/reglamenty/eskalatsiya-v-otdel-razrabotki/`.
    pub url: String,
    pub section: SectionId,
    /// The folder's README.md (index.md, _index.md): the section page.
    pub is_index: bool,
    /// One target per `doc.rendered.links` entry (shared with the next load's memo).
    pub links: Arc<Vec<LinkTarget>>,
    /// What resolving those links found wrong (shared with the memo, not copied into the
    /// site's list: 25,000 warnings cloned on every load were a fifth of an edit's load
    /// phase at 10,000 pages).
    pub link_diagnostics: Arc<Vec<Diagnostic>>,
    /// Pages that link here, sorted, without self-links.
    pub backlinks: Vec<PageId>,
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Folder relative to content/, `""` for the root.
    pub dir: String,
    pub url: String,
    pub title: String,
    pub index: Option<PageId>,
    /// The section's documents but the index, sorted by title.
    pub pages: Vec<PageId>,
    pub subsections: Vec<SectionId>,
    pub parent: Option<SectionId>,
}

/// A tag: the URL of its page, and the pages that carry it.
#[derive(Debug, Clone, Default)]
pub struct Tag {
    pub url: String,
    pub pages: Vec<PageId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    pub rel_path: String,
    pub abs_path: PathBuf,
    pub url: String,
}

/// A site loaded again after another (`Site::reload`).
#[derive(Debug)]
pub struct Reloaded {
    pub site: Site,
    /// `Some` when the site is the previous one with only these pages changed (sorted): their
    /// documents, links, link problems or backlinks. Every URL, section, tag and title, and
    /// every other page, is as it was. `None` when it was assembled whole.
    pub touched: Option<Vec<PageId>>,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub content_dir: PathBuf,
    /// Sorted by source path.
    pub pages: Vec<Page>,
    /// `sections[0]` is the root.
    pub sections: Vec<Section>,
    pub assets: Vec<Asset>,
    /// Tag → its page and the pages it tags, both sorted.
    pub tags: BTreeMap<String, Tag>,
    /// Problems of loading (those of links stay in each `Page`, documents' own in each
    /// `Document`; `all_diagnostics` gives them all).
    pub diagnostics: Vec<Diagnostic>,
    /// How many of `diagnostics`, from the front, are loading's own (the walk's, presets',
    /// unreadable files'); the rest are assembling's (URL collisions).
    loading_problems: usize,
    /// `Site::link_environment`, made when the links were resolved.
    link_environment: u64,
    // Shared: an edit that moves no page (`patch`) keeps them as they are.
    by_path: Arc<HashMap<String, PageId>>,
    section_by_dir: Arc<HashMap<String, SectionId>>,
    asset_by_path: Arc<HashMap<String, usize>>,
}

impl Site {
    /// Loads content/ under `root` with `config`.
    pub fn load(root: &Path, config: Config) -> Site {
        Site::load_with_cache(root, config, &mut DocumentCache::default())
    }

    /// Loads content/, reading and parsing only the files `cache` does not hold unchanged.
    pub fn load_with_cache(root: &Path, config: Config, cache: &mut DocumentCache) -> Site {
        let loaded = Loaded::read(root, &config, cache);
        Site::assemble_loaded(config, loaded, cache.links())
    }

    /// `load_with_cache` after `previous` was loaded with the same `config` and `cache`: when
    /// no document moved (the same files, each with the same [`Placement`]), `previous` with
    /// the changed documents swapped in and only their links resolved again.
    pub fn reload(
        root: &Path,
        config: Config,
        cache: &mut DocumentCache,
        previous: &Site,
    ) -> Reloaded {
        let loaded = Loaded::read(root, &config, cache);
        if previous.config == config {
            if let Some((site, touched)) = previous.patched(&loaded, cache.links()) {
                return Reloaded {
                    site,
                    touched: Some(touched),
                };
            }
        }
        Reloaded {
            site: Site::assemble_loaded(config, loaded, cache.links()),
            touched: None,
        }
    }

    fn assemble_loaded(config: Config, loaded: Loaded, memo: &mut LinkMemo) -> Site {
        let Loaded {
            content_dir,
            docs,
            assets,
            diagnostics,
        } = loaded;
        Site::assemble(config, content_dir, docs, assets, diagnostics, memo)
    }

    /// Assembles the model from parsed documents: URLs, sections, links, backlinks, tags.
    pub fn from_documents(
        config: Config,
        content_dir: PathBuf,
        docs: Vec<Arc<Document>>,
        assets: Vec<Asset>,
        diagnostics: Vec<Diagnostic>,
    ) -> Site {
        let mut memo = LinkMemo::default();
        Site::assemble(config, content_dir, docs, assets, diagnostics, &mut memo)
    }

    /// `from_documents`, reusing the link resolutions in `memo` that are still valid.
    fn assemble(
        config: Config,
        content_dir: PathBuf,
        mut docs: Vec<Arc<Document>>,
        assets: Vec<Asset>,
        diagnostics: Vec<Diagnostic>,
        memo: &mut LinkMemo,
    ) -> Site {
        docs.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
        let asset_by_path = assets
            .iter()
            .enumerate()
            .map(|(i, a)| (a.rel_path.clone(), i))
            .collect();
        let mut site = Site {
            config,
            content_dir,
            pages: Vec::with_capacity(docs.len()),
            sections: Vec::new(),
            assets,
            tags: BTreeMap::new(),
            loading_problems: diagnostics.len(),
            diagnostics,
            link_environment: 0,
            by_path: Arc::new(HashMap::with_capacity_and_hasher(
                docs.len(),
                Default::default(),
            )),
            section_by_dir: Arc::default(),
            asset_by_path: Arc::new(asset_by_path),
        };
        site.build_sections(&docs);
        site.assign_pages(docs);
        site.resolve_all_links(memo);
        site
    }

    fn build_sections(&mut self, docs: &[Arc<Document>]) {
        let mut dirs: BTreeSet<String> = BTreeSet::from([String::new()]);
        // Documents come sorted by path, so most share the folder of the one before, whose
        // ancestors are in already.
        let mut last_folder = None;
        for doc in docs {
            let rel_path = Placement::of(doc).rel_path;
            let folder = rel_path.rsplit_once('/').map(|(f, _)| f);
            if folder == last_folder {
                continue;
            }
            last_folder = folder;
            let mut dir = rel_path;
            while let Some((parent, _)) = dir.rsplit_once('/') {
                if !dirs.insert(parent.to_string()) {
                    break;
                }
                dir = parent;
            }
        }
        let mut taken = generated_urls();
        for dir in dirs {
            let parent = dir
                .rsplit_once('/')
                .map_or(if dir.is_empty() { None } else { Some("") }, |(p, _)| {
                    Some(p)
                });
            let parent = parent.and_then(|p| self.section_by_dir.get(p).copied());
            let id = self.sections.len();
            let name = dir.rsplit('/').next().filter(|t| !t.is_empty());
            let title = name.unwrap_or(&self.config.title).to_string();
            // Built on the parent's final URL, so a renamed parent takes its children along.
            let wanted = match (parent, name) {
                (Some(parent), Some(name)) => format!(
                    "{}{}/",
                    self.sections[parent].url,
                    crate::content::slug::url_segment(name, self.config.url_mode)
                ),
                _ => "/".to_string(),
            };
            let url = self.unique_url(&wanted, &dir, &mut taken);
            self.sections.push(Section {
                url,
                dir: dir.clone(),
                title,
                index: None,
                pages: vec![],
                subsections: vec![],
                parent,
            });
            if let Some(parent) = parent {
                self.sections[parent].subsections.push(id);
            }
            Arc::make_mut(&mut self.section_by_dir).insert(dir, id);
        }
    }

    /// `wanted`, or `wanted` with `-2`, `-3`… when another source (or the renderer, see
    /// [`generated_urls`]) already has it; a collision
    /// is reported on `source`.
    fn unique_url(
        &mut self,
        wanted: &str,
        source: &str,
        taken: &mut HashMap<String, String>,
    ) -> String {
        let url = urls::first_free(wanted, |url| taken.contains_key(url));
        if url != wanted {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::UrlCollision,
                    source,
                    format!(
                        "this would get the URL {wanted}, which `{}` already has; it gets {url}",
                        taken[wanted]
                    ),
                )
                .with_help("rename one of the two"),
            );
        }
        taken.insert(url.clone(), source.to_string());
        url
    }

    fn assign_pages(&mut self, docs: Vec<Arc<Document>>) {
        // Sections claim their URLs first, then pages in path order: collisions are resolved
        // the same way on every build.
        let mut taken = generated_urls();
        taken.reserve(self.sections.len() + docs.len());
        taken.extend(self.sections.iter().map(|s| (s.url.clone(), s.dir.clone())));
        let mut tags: HashMap<&str, Vec<PageId>> = HashMap::default();
        for doc in &docs {
            // What assembling reads of a document; `Site::patched` relies on it.
            let place = Placement::of(doc);
            let dir = place.rel_path.rsplit_once('/').map_or("", |(d, _)| d);
            let section = self.section_by_dir[dir];
            let file_name = place.rel_path.rsplit('/').next().unwrap_or("");
            let is_index = is_index_name(file_name) && self.sections[section].index.is_none();
            let id = self.pages.len();
            let url = if is_index {
                self.sections[section].index = Some(id);
                self.sections[section].title = place.title.to_string();
                let url = self.sections[section].url.clone();
                // The folder claimed this URL; a collision message names its README instead.
                taken.insert(url.clone(), place.rel_path.to_string());
                url
            } else {
                // A second index file in one folder (README.md beside index.md) is an ordinary page.
                let stem = if is_index_name(file_name) {
                    file_name.split('.').next().unwrap_or("index")
                } else {
                    crate::content::document::stem_of(file_name)
                };
                // The segment is made from the stem alone: the path decides it.
                let mode = self.config.url_mode;
                let segment =
                    doc.url_segment(mode, || crate::content::slug::url_segment(stem, mode));
                let wanted = format!("{}{segment}/", self.sections[section].url);
                let url = self.unique_url(&wanted, place.rel_path, &mut taken);
                self.sections[section].pages.push(id);
                url
            };
            for tag in place.tags {
                tags.entry(tag).or_default().push(id);
            }
            Arc::make_mut(&mut self.by_path).insert(doc.rel_path.clone(), id);
            self.pages.push(Page {
                doc: doc.clone(),
                url,
                section,
                is_index,
                links: Arc::default(),
                link_diagnostics: Arc::default(),
                backlinks: vec![],
            });
        }
        self.order_listings(tags);
    }

    /// The tags gathered while assigning pages, sorted, and each section's pages in order.
    fn order_listings(&mut self, tags: HashMap<&str, Vec<PageId>>) {
        // Gathered in a hash map, then sorted once: a search of the sorted map for each of a
        // page's tags compared 30,000 Cyrillic names a dozen times each.
        let mode = self.config.url_mode;
        let mut named: Vec<(&str, Vec<PageId>)> = tags.into_iter().collect();
        named.sort_unstable_by_key(|&(name, _)| name);
        // Two tags can share a URL (`вводит` and `вводить` both read `vvodit`): the first by
        // name keeps it, the next gets `-2`, as pages do. Before, the second page overwrote
        // the first, and every add re-rendered both (their keys shared one output name).
        let mut taken = std::collections::HashSet::new();
        self.tags = named
            .into_iter()
            .map(|(name, pages)| {
                let url = urls::first_free(&urls::tag_url(name, mode), |u| taken.contains(u));
                taken.insert(url.clone());
                (name.to_string(), Tag { url, pages })
            })
            .collect();
        let pages = &self.pages;
        for section in &mut self.sections {
            section.pages.sort_by(|&a, &b| {
                let key = |id: PageId| {
                    let place = Placement::of(&pages[id].doc);
                    (place.title_key, place.rel_path)
                };
                key(a).cmp(&key(b))
            });
        }
    }

    fn resolve_all_links(&mut self, memo: &mut LinkMemo) {
        let surface = memo::Surface::of(self);
        self.link_environment = surface.fingerprint();
        let changes = memo.changes(&surface);
        let resolver = links::Resolver::new(self);
        let resolved: Vec<memo::Resolved> = (0..self.pages.len())
            .into_par_iter()
            .map(|id| {
                let doc = &self.pages[id].doc;
                let kept = changes.as_ref().and_then(|c| memo.get(c, doc));
                kept.unwrap_or_else(|| {
                    self.resolve_links_of(&resolver, id, memo.last_problems(doc))
                })
            })
            .collect();
        memo.keep(
            surface,
            self.pages
                .iter()
                .zip(&resolved)
                .map(|(page, r)| (page.doc.clone(), r.clone()))
                .collect(),
        );
        // Pages come in order, so each page's backlinks are gathered sorted.
        let mut backlinks: Vec<Vec<PageId>> = vec![Vec::new(); self.pages.len()];
        for (
            id,
            memo::Resolved {
                targets,
                diagnostics,
                ..
            },
        ) in resolved.into_iter().enumerate()
        {
            for target in patch::linked_pages(id, &targets) {
                backlinks[target].push(id);
            }
            self.pages[id].links = targets;
            self.pages[id].link_diagnostics = diagnostics;
        }
        for (page, links) in self.pages.iter_mut().zip(backlinks) {
            page.backlinks = links;
        }
    }

    /// Resolves the links of page `id`; `last_problems`: its document's at the last load.
    fn resolve_links_of(
        &self,
        resolver: &links::Resolver,
        id: PageId,
        last_problems: &[Diagnostic],
    ) -> memo::Resolved {
        let mut diagnostics = vec![];
        let source = links::LinkSource::new(self, id, last_problems);
        let targets = self.pages[id]
            .doc
            .rendered
            .links
            .iter()
            .map(|link| {
                let (target, mut d) = resolver.resolve(&source, link);
                diagnostics.append(&mut d);
                target
            })
            .collect();
        memo::Resolved {
            targets: Arc::new(targets),
            diagnostics: Arc::new(diagnostics),
            reads: Arc::new(source.into_reads()),
        }
    }

    pub fn page_by_path(&self, rel_path: &str) -> Option<&Page> {
        self.by_path.get(rel_path).map(|&id| &self.pages[id])
    }

    pub fn page_id_by_path(&self, rel_path: &str) -> Option<PageId> {
        self.by_path.get(rel_path).copied()
    }

    /// The page an operator escalates by when no article fits: one whose title speaks of
    /// escalation, a regulation first. The operator page, `spravka suggest` and the template
    /// of `spravka new` all name this one, found the same way in any base.
    pub fn escalation_regulation(&self) -> Option<PageId> {
        let is_regulation = |p: &Page| {
            (p.doc.meta.kind.as_deref()).is_some_and(|k| k.to_lowercase().contains("регламент"))
        };
        (0..self.pages.len())
            .filter(|&id| {
                !self.pages[id].is_index && self.pages[id].doc.title_key.contains("эскалац")
            })
            .min_by_key(|&id| {
                (
                    !is_regulation(&self.pages[id]),
                    self.pages[id].doc.rel_path.as_str(),
                )
            })
    }

    /// The section of folder `dir` (relative to content/, `""` for the root).
    pub fn section_by_dir(&self, dir: &str) -> Option<SectionId> {
        self.section_by_dir.get(dir).copied()
    }

    /// The section a page belongs to as a listing: its own section for ordinary pages, the
    /// parent section for a section page.
    pub fn listing_section(&self, page: PageId) -> Option<SectionId> {
        let p = &self.pages[page];
        if p.is_index {
            self.sections[p.section].parent
        } else {
            Some(p.section)
        }
    }

    /// Root-relative URL of a link target, anchor included; `None` for broken and empty links.
    pub fn target_url(&self, target: &LinkTarget) -> Option<String> {
        match target {
            LinkTarget::Page {
                page,
                anchor: Some(a),
            } => Some(format!("{}#{a}", self.pages[*page].url)),
            LinkTarget::Page { page, anchor: None } => Some(self.pages[*page].url.clone()),
            LinkTarget::Asset { url } | LinkTarget::External { url } => Some(url.clone()),
            LinkTarget::Broken { .. } | LinkTarget::Unlinked => None,
        }
    }

    /// Every diagnostic of the model: loading, linking, and each document's own.
    pub fn all_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .chain(self.pages.iter().flat_map(|p| p.link_diagnostics.iter()))
            .chain(self.pages.iter().flat_map(|p| p.doc.diagnostics.iter()))
    }
}

/// The URLs the renderer fills itself, each with what fills it, as taken URLs start.
fn generated_urls() -> HashMap<String, String> {
    urls::GENERATED_URLS
        .iter()
        .map(|&(url, what)| (url.to_string(), what.to_string()))
        .collect()
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
