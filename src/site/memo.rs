//! Link resolutions kept between loads (`serve`): a document that did not change keeps its
//! resolved links and their diagnostics as long as nothing its links looked up changed. Each
//! resolution carries what it read of the site (`Reads`, recorded where the lookups are made,
//! not listed beside them); a load compares what links can read of the new site with the last
//! one (`Surface`), and only the documents that read a changed path are resolved again. An
//! added, renamed or deleted file re-resolved all 99,893 links of a 10,000-page base, half of
//! that rebuild.

use super::{LinkTarget, PageId, Site};
use crate::config::UrlMode;
use crate::content::Document;
use crate::diagnostics::Diagnostic;
use foldhash::{HashMap, HashSet};
use std::cmp::Ordering;
use std::sync::Arc;

/// What one document's links resolved to.
#[derive(Clone)]
pub struct Resolved {
    pub targets: Arc<Vec<LinkTarget>>,
    pub diagnostics: Arc<Vec<Diagnostic>>,
    pub reads: Arc<Reads>,
}

/// What resolving one document's links read of the site besides the document itself.
#[derive(Debug, Default)]
pub struct Reads {
    /// The fingerprint of every path looked up (found or not, as written or lowercased) and of
    /// every page whose anchors were read.
    pub paths: Vec<u64>,
    /// A broken link asked every page's name for a "did you mean".
    pub all_names: bool,
}

impl Reads {
    pub(super) fn note(&mut self, path: &str) {
        self.paths.push(crate::fingerprint::of(path));
    }
}

/// What links can read of a site besides their own document.
#[derive(Hash)]
pub(super) struct Surface {
    base_path: String,
    /// What asset URLs are made with.
    url_mode: UrlMode,
    /// In page order, which is path order: each page's path and its `link_targets`.
    pages: Vec<(String, u64)>,
    /// In section order, which is folder order: each folder and its section page's path.
    sections: Vec<(String, Option<String>)>,
    /// In path order.
    assets: Vec<String>,
}

impl Surface {
    pub(super) fn of(site: &Site) -> Surface {
        let path_of = |id: PageId| site.pages[id].doc.rel_path.clone();
        Surface {
            base_path: site.config.base_path(),
            url_mode: site.config.url_mode,
            pages: (site.pages.iter())
                .map(|p| (p.doc.rel_path.clone(), p.doc.link_targets()))
                .collect(),
            sections: (site.sections.iter())
                .map(|s| (s.dir.clone(), s.index.map(path_of)))
                .collect(),
            assets: site.assets.iter().map(|a| a.rel_path.clone()).collect(),
        }
    }

    /// Its `crate::fingerprint`: whether a memo was made for this site (`Site::patched`).
    pub(super) fn fingerprint(&self) -> u64 {
        crate::fingerprint::of(self)
    }
}

/// What differs between the surface resolutions were made in and a new one.
pub(super) struct Changes {
    /// Fingerprints of every path whose page, folder or asset appeared, went or changed what
    /// it names, each also lowercased (what a case-insensitive lookup asks for).
    paths: HashSet<u64>,
    /// A page appeared or went: "did you mean" answers may differ.
    names_changed: bool,
    /// Each old page id's new one, when pages appeared or went.
    renumbered: Option<Vec<PageId>>,
}

impl Changes {
    fn between(old: &Surface, new: &Surface) -> Option<Changes> {
        if (&old.base_path, old.url_mode) != (&new.base_path, new.url_mode) {
            return None;
        }
        let mut changes = Changes {
            paths: HashSet::default(),
            names_changed: false,
            renumbered: None,
        };
        let mut renumbered = vec![PageId::MAX; old.pages.len()];
        merge(
            &old.pages,
            &new.pages,
            |p| p.0.as_str(),
            |pair| match pair {
                (Some((i, (path, was))), Some((j, (_, is)))) => {
                    renumbered[i] = j;
                    if was != is {
                        changes.add(path);
                    }
                }
                (Some((_, (path, _))), None) | (None, Some((_, (path, _)))) => {
                    changes.names_changed = true;
                    changes.add(path);
                }
                (None, None) => {}
            },
        );
        merge(
            &old.sections,
            &new.sections,
            |s| s.0.as_str(),
            |pair| match pair {
                (Some((_, was)), Some((_, is))) if was == is => {}
                (Some((_, (dir, _))), _) | (_, Some((_, (dir, _)))) => changes.add(dir),
                (None, None) => {}
            },
        );
        merge(
            &old.assets,
            &new.assets,
            String::as_str,
            |pair| match pair {
                (Some(_), Some(_)) | (None, None) => {}
                (Some((_, path)), None) | (None, Some((_, path))) => changes.add(path),
            },
        );
        let moved = renumbered.iter().enumerate().any(|(i, &j)| i != j);
        changes.renumbered = moved.then_some(renumbered);
        Some(changes)
    }

    fn add(&mut self, path: &str) {
        self.paths.insert(crate::fingerprint::of(path));
        self.paths
            .insert(crate::fingerprint::of(path.to_lowercase().as_str()));
    }

    /// `resolved` again, if nothing it read changed; its pages renumbered.
    fn kept(&self, resolved: &Resolved) -> Option<Resolved> {
        let reads = &resolved.reads;
        if (reads.all_names && self.names_changed)
            || reads.paths.iter().any(|p| self.paths.contains(p))
        {
            return None;
        }
        let Some(renumbered) = &self.renumbered else {
            return Some(resolved.clone());
        };
        let targets = resolved.targets.iter().map(|t| match t {
            LinkTarget::Page { page, anchor } => LinkTarget::Page {
                page: renumbered[*page],
                anchor: anchor.clone(),
            },
            other => other.clone(),
        });
        Some(Resolved {
            targets: Arc::new(targets.collect()),
            ..resolved.clone()
        })
    }
}

/// Calls `each` with every item of two lists sorted by `key`, paired when their keys are equal,
/// each with its position in its list.
fn merge<'a, T>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> &str,
    mut each: impl FnMut((Option<(usize, &'a T)>, Option<(usize, &'a T)>)),
) {
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => key(a).cmp(key(b)),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        let pair = match order {
            Ordering::Less => (Some((i, &old[i])), None),
            Ordering::Greater => (None, Some((j, &new[j]))),
            Ordering::Equal => (Some((i, &old[i])), Some((j, &new[j]))),
        };
        i += usize::from(order != Ordering::Greater);
        j += usize::from(order != Ordering::Less);
        each(pair);
    }
}

#[derive(Default)]
pub struct LinkMemo {
    /// The fingerprint of `surface`.
    environment: u64,
    /// What the entries' links could read when they were resolved.
    surface: Option<Surface>,
    /// By document identity; the `Arc` held here keeps the address from being reused.
    by_doc: HashMap<usize, (Arc<Document>, Resolved)>,
}

fn identity(doc: &Arc<Document>) -> usize {
    Arc::as_ptr(doc) as usize
}

impl LinkMemo {
    /// What changed since the entries were resolved, for [`LinkMemo::get`]; `None`: nothing
    /// kept holds (no entries, or another base path).
    pub(super) fn changes(&self, surface: &Surface) -> Option<Changes> {
        Changes::between(self.surface.as_ref()?, surface)
    }

    /// The resolution of `doc` from the last load, if nothing it read is among `changes`.
    pub(super) fn get(&self, changes: &Changes, doc: &Arc<Document>) -> Option<Resolved> {
        self.by_doc
            .get(&identity(doc))
            .filter(|(kept, _)| Arc::ptr_eq(kept, doc))
            .and_then(|(_, resolved)| changes.kept(resolved))
    }

    /// The problems `doc`'s links had at the last load, whatever has changed since: the lines
    /// they quote are lines of this same document.
    pub fn last_problems(&self, doc: &Arc<Document>) -> &[Diagnostic] {
        self.by_doc
            .get(&identity(doc))
            .filter(|(kept, _)| Arc::ptr_eq(kept, doc))
            .map_or(&[], |(_, resolved)| resolved.diagnostics.as_slice())
    }

    /// The environment the kept resolutions were made in.
    pub fn environment(&self) -> u64 {
        self.environment
    }

    /// Keeps `resolved` for `doc` in place of `before`'s, on the same surface.
    pub fn replace(&mut self, before: &Arc<Document>, doc: &Arc<Document>, resolved: Resolved) {
        self.by_doc.remove(&identity(before));
        self.by_doc.insert(identity(doc), (doc.clone(), resolved));
    }

    /// Replaces the memo with this load's resolutions, made on `surface`.
    pub(super) fn keep(&mut self, surface: Surface, entries: Vec<(Arc<Document>, Resolved)>) {
        self.environment = surface.fingerprint();
        self.surface = Some(surface);
        self.by_doc = entries
            .into_iter()
            .map(|(doc, resolved)| (identity(&doc), (doc, resolved)))
            .collect();
    }
}

impl Site {
    /// The fingerprint of what links can read of this site ([`Surface`]): a patched model
    /// ([`Site::patched`]) must keep it.
    pub(super) fn link_environment(&self) -> u64 {
        Surface::of(self).fingerprint()
    }
}
