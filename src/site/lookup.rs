//! What a content path names, as real bases write it: the file, the file without `.md`, a
//! folder (its README.md or index.md), an asset; and the same again ignoring case, for links
//! written on Windows or macOS, where the file system forgives it. And what an anchor names
//! on a page: a heading's id or a closing `{#id}`.

use super::memo::Reads;
use super::{LinkTarget, PageId, SectionId, Site};
use crate::content::Rendered;
use std::cell::RefCell;
use std::collections::HashMap;

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    Page(PageId),
    /// A folder, by its section page.
    Folder(PageId),
    /// An index into `Site::assets`.
    Asset(usize),
}

/// Where `find` looks up a path: pages, folders and assets, as spelled (`Site`) or lowercased
/// (`CaseIndex`).
trait Paths {
    fn page(&self, path: &str) -> Option<PageId>;
    fn folder(&self, path: &str) -> Option<SectionId>;
    fn asset(&self, path: &str) -> Option<usize>;
}

/// The page `path` or `path.md`, the folder `path`, the asset `path`, in that order (the
/// folder first when the link ends in `/`).
fn find(site: &Site, paths: &impl Paths, path: &str, folder_first: bool) -> Option<Found> {
    let page = || {
        paths
            .page(path)
            .or_else(|| {
                // `../concepts/disk` for `disk.md`: the form Diplodoc, MkDocs and wikis write.
                (!path.ends_with(".md"))
                    .then(|| paths.page(&format!("{path}.md")))
                    .flatten()
            })
            .map(Found::Page)
    };
    let folder = || {
        paths
            .folder(path)
            .and_then(|s| site.sections[s].index)
            .map(Found::Folder)
    };
    // `disk/` means the folder even when `disk.md` sits beside it.
    let found = if folder_first {
        folder().or_else(page)
    } else {
        page().or_else(folder)
    };
    found.or_else(|| paths.asset(path).map(Found::Asset))
}

/// A lookup that notes each path it is asked for: what a kept resolution depends on.
struct Noted<'a, P> {
    paths: &'a P,
    reads: &'a RefCell<Reads>,
}

impl<P: Paths> Noted<'_, P> {
    fn note(&self, path: &str) {
        self.reads.borrow_mut().note(path);
    }
}

impl<P: Paths> Paths for Noted<'_, P> {
    fn page(&self, path: &str) -> Option<PageId> {
        self.note(path);
        self.paths.page(path)
    }
    fn folder(&self, path: &str) -> Option<SectionId> {
        self.note(path);
        self.paths.folder(path)
    }
    fn asset(&self, path: &str) -> Option<usize> {
        self.note(path);
        self.paths.asset(path)
    }
}

impl Paths for Site {
    fn page(&self, path: &str) -> Option<PageId> {
        self.by_path.get(path).copied()
    }
    fn folder(&self, path: &str) -> Option<SectionId> {
        self.section_by_dir.get(path).copied()
    }
    fn asset(&self, path: &str) -> Option<usize> {
        self.asset_by_path.get(path).copied()
    }
}

impl Site {
    /// What the content-relative `path` names, spelled exactly as the file is; every path
    /// looked up is noted in `reads`.
    pub(super) fn find(
        &self,
        path: &str,
        folder_first: bool,
        reads: &RefCell<Reads>,
    ) -> Option<Found> {
        let paths = Noted { paths: self, reads };
        find(self, &paths, path, folder_first)
    }

    /// The path of what `found` names, as content/ spells it (a folder's ends in `/`).
    pub(super) fn spelling(&self, found: Found) -> String {
        match found {
            Found::Page(page) => self.pages[page].doc.rel_path.clone(),
            Found::Folder(page) => format!("{}/", self.sections[self.pages[page].section].dir),
            Found::Asset(asset) => self.assets[asset].rel_path.clone(),
        }
    }
}

/// Every path of a site lowercased; the first in path order wins when two differ only in case.
pub(super) struct CaseIndex {
    pages: HashMap<String, PageId>,
    folders: HashMap<String, SectionId>,
    assets: HashMap<String, usize>,
}

impl Paths for CaseIndex {
    fn page(&self, path: &str) -> Option<PageId> {
        self.pages.get(path).copied()
    }
    fn folder(&self, path: &str) -> Option<SectionId> {
        self.folders.get(path).copied()
    }
    fn asset(&self, path: &str) -> Option<usize> {
        self.assets.get(path).copied()
    }
}

fn lowered<'a>(paths: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
    let mut map = HashMap::new();
    for (i, path) in paths.enumerate() {
        map.entry(path.to_lowercase()).or_insert(i);
    }
    map
}

impl CaseIndex {
    pub(super) fn new(site: &Site) -> CaseIndex {
        CaseIndex {
            pages: lowered(site.pages.iter().map(|p| p.doc.rel_path.as_str())),
            folders: lowered(site.sections.iter().map(|s| s.dir.as_str())),
            assets: lowered(site.assets.iter().map(|a| a.rel_path.as_str())),
        }
    }

    /// What `path` names when case is ignored; every path looked up is noted in `reads`.
    pub(super) fn find(
        &self,
        site: &Site,
        path: &str,
        folder_first: bool,
        reads: &RefCell<Reads>,
    ) -> Option<Found> {
        let paths = Noted { paths: self, reads };
        find(site, &paths, &path.to_lowercase(), folder_first)
    }
}

/// Every id a link's anchor can name on a page: its headings' and its closing `{#id}`s.
pub(super) fn anchor_ids(rendered: &Rendered) -> impl Iterator<Item = &str> {
    rendered
        .headings
        .iter()
        .map(|h| h.id.as_str())
        .chain(rendered.anchors.iter().map(String::as_str))
}

/// The id `written` names: exactly, else ignoring case (`#Шаги-Решения` finds
/// `шаги-решения`; the href must carry the id itself, since browsers match fragments
/// case-sensitively).
pub(super) fn anchor_id<'r>(rendered: &'r Rendered, written: &str) -> Option<&'r str> {
    let lowered = written.to_lowercase();
    anchor_ids(rendered)
        .find(|id| *id == written)
        .or_else(|| anchor_ids(rendered).find(|id| id.to_lowercase() == lowered))
}

impl Site {
    /// The title a `[{#T}](…)` link shows: the heading its anchor names, else its page's.
    pub fn target_title(&self, target: &LinkTarget) -> Option<&str> {
        let LinkTarget::Page { page, anchor } = target else {
            return None;
        };
        let doc = &self.pages[*page].doc;
        let heading = anchor
            .as_ref()
            .and_then(|a| doc.rendered.headings.iter().find(|h| *h.id == **a));
        Some(heading.map_or(doc.title.as_str(), |h| h.text.as_str()))
    }
}
