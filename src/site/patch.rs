//! An edit that moves no page: the last model with the edited documents swapped in, only their
//! links resolved again and the backlinks they changed moved. Assembling 10,000 pages again
//! (sections, URLs, tags, backlinks) was 40 % of an edit's live rebuild.

use super::loaded::Loaded;
use super::{memo, LinkMemo, LinkTarget, PageId, Site};
use crate::content::Document;
use rayon::prelude::*;
use std::sync::Arc;

/// Everything assembling the model reads of a document besides its own links: its path
/// (which decides its section, URL and URL segment), its title (a section page names its
/// section; pages are listed by title), its tags, and what a link to it can point at.
/// Assembling reads documents through this alone, so two documents with the same placement
/// are assembled alike, and an edit that keeps every placement keeps every URL, section,
/// tag and other page's links.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Placement<'a> {
    pub rel_path: &'a str,
    pub title: &'a str,
    pub title_key: &'a str,
    pub tags: &'a [String],
    /// [`Document::link_targets`]: its path, heading ids and anchors.
    pub link_targets: u64,
}

impl<'a> Placement<'a> {
    pub fn of(doc: &'a Document) -> Self {
        Placement {
            rel_path: &doc.rel_path,
            title: &doc.title,
            title_key: &doc.title_key,
            tags: &doc.meta.tags,
            link_targets: doc.link_targets(),
        }
    }
}

impl Site {
    /// This site with `loaded`'s documents in, if none moved: the same files, each in the
    /// same [`Placement`], the same assets and loading problems; with the pages it touched
    /// (sorted): the edited ones and those whose backlinks moved. `None` otherwise (then the
    /// model is assembled whole). `memo` must hold this site's link resolutions.
    pub(super) fn patched(
        &self,
        loaded: &Loaded,
        memo: &mut LinkMemo,
    ) -> Option<(Site, Vec<PageId>)> {
        if memo.environment() != self.link_environment {
            // The memo is of a later load that was not served (it failed).
            return None;
        }
        let changed = self.changed_in_place(loaded)?;
        if changed.len() > self.pages.len() / 4 {
            // Most pages changed (presets, a fragment): little is kept by patching, so they
            // take the whole assembly every other load takes.
            return None;
        }
        let mut site = self.clone();
        for &id in &changed {
            site.pages[id].doc = loaded.docs[id].clone();
        }
        // Every placement is the same, so is the environment this site's links were
        // resolved in (made again only to check it, in debug builds and the patch test).
        debug_assert_eq!(site.link_environment(), self.link_environment);
        let resolved: Vec<(PageId, memo::Resolved)> = {
            let resolver = super::links::Resolver::new(&site);
            changed
                .par_iter()
                .map(|&id| (id, site.resolve_links_of(&resolver, id, &[])))
                .collect()
        };
        let mut touched = changed.clone();
        for (id, resolved) in resolved {
            let before = linked_pages(id, &site.pages[id].links);
            let after = linked_pages(id, &resolved.targets);
            let absent = |pages: &[PageId], page: &PageId| pages.binary_search(page).is_err();
            for &target in before.iter().filter(|t| absent(&after, t)) {
                site.pages[target].backlinks.retain(|&from| from != id);
                touched.push(target);
            }
            for &target in after.iter().filter(|t| absent(&before, t)) {
                let backlinks = &mut site.pages[target].backlinks;
                if let Err(at) = backlinks.binary_search(&id) {
                    backlinks.insert(at, id);
                }
                touched.push(target);
            }
            memo.replace(&self.pages[id].doc, &loaded.docs[id], resolved.clone());
            let page = &mut site.pages[id];
            page.links = resolved.targets;
            page.link_diagnostics = resolved.diagnostics;
        }
        touched.sort_unstable();
        touched.dedup();
        Some((site, touched))
    }

    /// The pages whose documents `loaded` changed, if no document moved.
    fn changed_in_place(&self, loaded: &Loaded) -> Option<Vec<PageId>> {
        let same_files = loaded.docs.len() == self.pages.len()
            && loaded.assets == self.assets
            && loaded.diagnostics == self.diagnostics[..self.loading_problems];
        if !same_files {
            return None;
        }
        let mut changed = vec![];
        for (id, (page, doc)) in self.pages.iter().zip(&loaded.docs).enumerate() {
            if Arc::ptr_eq(&page.doc, doc) {
                continue;
            }
            if Placement::of(&page.doc) != Placement::of(doc) {
                return None;
            }
            changed.push(id);
        }
        Some(changed)
    }
}

/// The other pages `targets` link to, sorted, each once: what makes backlinks, assembled
/// whole or patched. A vector, not a set: building a tree per page was a fifth of assembling
/// the model after an added file at 10,000 pages.
pub(super) fn linked_pages(from: PageId, targets: &[LinkTarget]) -> Vec<PageId> {
    let mut pages: Vec<PageId> = (targets.iter())
        .filter_map(|t| match t {
            LinkTarget::Page { page, .. } if *page != from => Some(*page),
            _ => None,
        })
        .collect();
    pages.sort_unstable();
    pages.dedup();
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::site::DocumentCache;
    use std::path::Path;

    /// What the model says, without the documents' own caches.
    fn view(site: &Site) -> Vec<String> {
        let mut lines = vec![format!("{:?}", site.diagnostics)];
        for p in &site.pages {
            lines.push(format!(
                "{} {} {} {} {:?} {:?} {:?}",
                p.doc.rel_path,
                p.url,
                p.section,
                p.is_index,
                p.links,
                p.link_diagnostics,
                p.backlinks
            ));
        }
        for s in &site.sections {
            let fields = (
                &s.dir,
                &s.url,
                &s.title,
                s.index,
                &s.pages,
                &s.subsections,
                s.parent,
            );
            lines.push(format!("{fields:?}"));
        }
        for (name, tag) in &site.tags {
            lines.push(format!("{name} {} {:?}", tag.url, tag.pages));
        }
        lines
    }

    fn article(title: &str, tags: &str, body: &str) -> String {
        format!("# {title}\n\n## Метаданные документа\n\n| Параметр | Значение |\n|---|---|\n| **Теги** | {tags} |\n\n{body}\n")
    }

    /// Reloads after `previous` both ways: patched (`Some` when it could be) and whole.
    fn reload(
        root: &Path,
        cache: &mut DocumentCache,
        previous: &Site,
    ) -> (Option<(Site, Vec<PageId>)>, Site) {
        let loaded = Loaded::read(root, &previous.config, cache);
        let patched = previous.patched(&loaded, cache.links());
        let whole = Site::load(root, Config::default());
        (patched, whole)
    }

    #[test]
    fn an_edit_that_moves_no_page_is_patched_into_what_a_full_load_assembles() {
        let root = tempfile::tempdir().unwrap();
        let content = root.path().join("content");
        std::fs::create_dir_all(content.join("Раздел")).unwrap();
        let write = |path: &str, text: String| std::fs::write(content.join(path), text).unwrap();
        write("Раздел/README.md", article("Раздел", "раздел", "[Б](Б.md)"));
        write(
            "Раздел/А.md",
            article("А", "шлагбаум", "[Б](Б.md) [В](В.md#нет)"),
        );
        write(
            "Раздел/Б.md",
            article("Б", "пропуск", "## Причины\n\n[А](А.md)"),
        );
        write("Раздел/В.md", article("В", "пропуск", "Текст."));
        let mut cache = DocumentCache::default();
        let mut site = Site::load_with_cache(root.path(), Config::default(), &mut cache);
        // (edit, whether no page moved)
        let edits: [(&str, String, bool); 9] = [
            (
                "Раздел/В.md",
                article("В", "пропуск", "Другой текст."),
                true,
            ),
            // Links change: backlinks move; a new heading fixes a broken anchor elsewhere.
            (
                "Раздел/А.md",
                article("А", "шлагбаум", "[В](В.md#нет)"),
                true,
            ),
            (
                "Раздел/В.md",
                article("В", "пропуск", "## Нет\n\n[Б](Б.md)"),
                false,
            ),
            (
                "Раздел/В.md",
                article("В", "пропуск", "## Нет\n\n[А](А.md)"),
                true,
            ),
            (
                "Раздел/Б.md",
                article("Б", "пропуск", "## Причины\n\nБез ссылок."),
                true,
            ),
            // A section page's body; then what moves pages: a title, tags, a heading's id.
            (
                "Раздел/README.md",
                article("Раздел", "раздел", "[В](В.md)"),
                true,
            ),
            (
                "Раздел/А.md",
                article("Я", "шлагбаум", "[В](В.md#нет)"),
                false,
            ),
            (
                "Раздел/Б.md",
                article("Б", "пропуск, барьер", "## Причины\n\nБез ссылок."),
                false,
            ),
            (
                "Раздел/Б.md",
                article("Б", "пропуск, барьер", "## Решение\n\nБез ссылок."),
                false,
            ),
        ];
        for (path, text, in_place) in edits {
            write(path, text);
            cache.forget([path]);
            let (patched, whole) = reload(root.path(), &mut cache, &site);
            if let Some((patched, touched)) = &patched {
                assert_eq!(view(patched), view(&whole), "patched after editing {path}");
                assert_eq!(patched.link_environment, patched.link_environment());
                // Every page left out of `touched` is as it was.
                for (id, (old, new)) in site.pages.iter().zip(&patched.pages).enumerate() {
                    let same = Arc::ptr_eq(&old.doc, &new.doc)
                        && old.links == new.links
                        && old.link_diagnostics == new.link_diagnostics
                        && old.backlinks == new.backlinks;
                    assert!(
                        same || touched.contains(&id),
                        "{} changed after editing {path} and is not touched",
                        old.doc.rel_path
                    );
                }
            }
            assert_eq!(patched.is_some(), in_place, "{path}");
            let next = Site::reload(root.path(), Config::default(), &mut cache, &site).site;
            assert_eq!(view(&next), view(&whole), "after editing {path}");
            site = next;
        }
    }
}
