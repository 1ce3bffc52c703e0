//! What a render job's context read of the site, noted where it is read: after an edit, only
//! the jobs that read something the edit changed are keyed again (`render::keys`), instead of
//! building and hashing every context (about 13,800 at 10,000 pages) to find the few that changed.
//! An edit that moved no page (`site::Reloaded::touched`) changes pages only; an added, renamed
//! or deleted page also changes the structure around it (a section's list, a tag's pages), so
//! the structure a context reads is noted too, part by part ([`Part`], `render::unchanged`).
//!
//! The notes are taken by the code that reads (`RenderEnv`'s helpers, `Body`), not listed
//! beside it, so a template that shows one more field of another page is re-keyed the moment
//! its context reads it: `render::keys::tests::keys_after_a_patch_are_the_keys_of_a_full_keying`
//! and `keys_carried_over_an_added_or_removed_page_are_the_keys_of_a_full_keying` fail for a
//! read that is not noted.
//!
//! The recorder is a thread-local rather than a parameter of every context helper: contexts are
//! built through a dozen borrowed helpers and `Hash` impls, and a job's context is built and
//! hashed start to end on one rayon thread (nothing it is made from is made in parallel, so no
//! other job is stolen onto the thread meanwhile; `recorded` asserts it in debug builds).

use crate::site::{PageId, SectionId};
use std::cell::RefCell;

/// One thing of the site a context can read. What it covers is what `render::unchanged`
/// compares: a page (its document, URL and place) or its links (its links, their problems and
/// its backlinks), a section's head (what a
/// link to it or a card shows: title, URL, parent, index page) or its list (its pages and
/// subsections, in order), a tag's URL or its pages, the navigation (the top sections), the
/// list of every tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    Page(PageId),
    SectionHead(SectionId),
    SectionList(SectionId),
    TagUrl(TagPlace),
    TagPages(TagPlace),
    Nav,
    TagList,
    /// A page's own links and backlinks: only its own page shows them (a link to it or its card
    /// reads `Page`), so a backlink gained re-keys the page, not every page linking to it.
    PageLinks(PageId),
}

/// A tag by its place among the site's tags (sorted by name).
pub type TagPlace = usize;

/// A [`Part`] packed in a `u32`, its kind in the top three bits, so that every job's reads fit
/// one flat table (`Lists`); pages have kind 0, so a page's packed form is its id.
const KIND_SHIFT: u32 = 29;
const ID_MASK: u32 = (1 << KIND_SHIFT) - 1;

impl Part {
    fn pack(self) -> u32 {
        let (kind, id) = match self {
            Part::Page(id) => (0, id),
            Part::SectionHead(id) => (1, id),
            Part::SectionList(id) => (2, id),
            Part::TagUrl(id) => (3, id),
            Part::TagPages(id) => (4, id),
            Part::Nav => (5, 0),
            Part::TagList => (6, 0),
            Part::PageLinks(id) => (7, id),
        };
        assert!(
            id <= ID_MASK as usize,
            "more than 2^29 pages, sections or tags"
        );
        (kind << KIND_SHIFT) | id as u32
    }

    fn unpack(packed: u32) -> Part {
        let id = (packed & ID_MASK) as usize;
        match packed >> KIND_SHIFT {
            0 => Part::Page(id),
            1 => Part::SectionHead(id),
            2 => Part::SectionList(id),
            3 => Part::TagUrl(id),
            4 => Part::TagPages(id),
            5 => Part::Nav,
            6 => Part::TagList,
            _ => Part::PageLinks(id),
        }
    }
}

/// What one job read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// These parts (sorted, each once), and otherwise only the site's configuration.
    Parts(Vec<Part>),
    /// Every page (the home page's «recently updated», the feeds) or something outside the
    /// site model (an asset's file): keyed again after every edit.
    Everything,
}

/// A reading in progress.
enum Recording {
    Parts(Vec<Part>),
    Everything,
}

thread_local! {
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Runs `f`, returning what it noted.
pub fn recorded<T>(f: impl FnOnce() -> T) -> (T, Reading) {
    RECORDING.with(|r| {
        let previous = r.replace(Some(Recording::Parts(Vec::new())));
        debug_assert!(
            previous.is_none(),
            "a job's reads recorded inside another's"
        );
    });
    let value = f();
    let reading = match RECORDING.with(|r| r.take()) {
        Some(Recording::Parts(mut parts)) => {
            parts.sort_unstable();
            parts.dedup();
            Reading::Parts(parts)
        }
        Some(Recording::Everything) | None => Reading::Everything,
    };
    (value, reading)
}

/// Notes that the job being recorded read `part`.
pub fn part(part: Part) {
    RECORDING.with(|r| {
        if let Some(Recording::Parts(parts)) = &mut *r.borrow_mut() {
            parts.push(part);
        }
    });
}

/// Notes that the job being recorded read page `page` (its document, URL and place).
pub fn page(page: PageId) {
    part(Part::Page(page));
}

/// Notes that the job being recorded read every page, or something outside the site model.
pub fn everything() {
    RECORDING.with(|r| {
        if let Some(reading) = &mut *r.borrow_mut() {
            *reading = Recording::Everything;
        }
    });
}

/// What every job of a site read, kept compact: one flat table of the parts each job read,
/// rather than a vector per job and per page, which, made amid a render's short-lived
/// allocations, kept 10–15 MB of serve's memory from being given back. Which jobs read a page
/// is found by a scan (a third of a millisecond at 10,000 pages) rather than kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Readings {
    /// Per job: the parts it read, packed (empty for a job that read everything).
    reads: Lists,
    /// The jobs that read everything, sorted.
    everything: Vec<u32>,
    pages: usize,
}

impl Readings {
    /// The readings of every job, in job order, of a site of `pages` pages.
    pub fn new(readings: Vec<Reading>, pages: usize) -> Readings {
        let mut everything = vec![];
        let reads = Lists::new(readings.into_iter().enumerate().map(
            |(job, reading)| match reading {
                Reading::Parts(read) => read,
                Reading::Everything => {
                    everything.push(job as u32);
                    vec![]
                }
            },
        ));
        Readings {
            reads,
            everything,
            pages,
        }
    }

    pub fn pages(&self) -> usize {
        self.pages
    }

    /// The jobs (sorted, each once) that read a page of `touched`, or everything.
    pub fn jobs_reading(&self, touched: &[PageId]) -> Vec<u32> {
        let mut is_touched = vec![false; self.pages];
        touched.iter().for_each(|&page| is_touched[page] = true);
        // A touched page's document, links or backlinks changed: both its parts.
        let read = |packed: &u32| match Part::unpack(*packed) {
            Part::Page(page) | Part::PageLinks(page) => is_touched[page],
            _ => false,
        };
        let mut jobs: Vec<u32> = (0..self.reads.len())
            .filter(|&job| self.reads.get(job).iter().any(read))
            .map(|job| job as u32)
            .chain(self.everything.iter().copied())
            .collect();
        jobs.sort_unstable();
        jobs.dedup();
        jobs
    }

    /// These readings with `changed` jobs' replaced (job, its new reading; sorted by job).
    pub fn with(&self, changed: Vec<(u32, Reading)>) -> Readings {
        let same = changed
            .iter()
            .all(|(job, reading)| self.reading(*job) == *reading);
        if same {
            return self.clone();
        }
        let mut changed = changed.into_iter().peekable();
        let readings = (0..self.reads.len() as u32)
            .map(|job| match changed.next_if(|(j, _)| *j == job) {
                Some((_, reading)) => reading,
                None => self.reading(job),
            })
            .collect();
        Readings::new(readings, self.pages())
    }

    /// What job `job` read.
    pub fn reading(&self, job: u32) -> Reading {
        if self.everything.binary_search(&job).is_ok() {
            Reading::Everything
        } else {
            Reading::Parts(
                (self.reads.get(job as usize).iter())
                    .map(|&p| Part::unpack(p))
                    .collect(),
            )
        }
    }
}

/// Lists of numbers in one allocation: list `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, PartialEq)]
struct Lists {
    offsets: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn new<L: IntoIterator<Item = Part>>(lists: impl Iterator<Item = L>) -> Lists {
        let (mut offsets, mut items) = (vec![0], vec![]);
        for list in lists {
            items.extend(list.into_iter().map(Part::pack));
            offsets.push(items.len() as u32);
        }
        Lists { offsets, items }
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn get(&self, i: usize) -> &[u32] {
        &self.items[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_packs_and_unpacks_to_itself_and_pages_sort_first() {
        let parts = [
            Part::Page(0),
            Part::Page(ID_MASK as usize),
            Part::SectionHead(3),
            Part::SectionList(3),
            Part::TagUrl(7),
            Part::TagPages(7),
            Part::Nav,
            Part::TagList,
            Part::PageLinks(5),
        ];
        for part in parts {
            assert_eq!(Part::unpack(part.pack()), part);
        }
        let packed: Vec<u32> = parts.iter().map(|p| p.pack()).collect();
        assert!(packed.is_sorted(), "packing keeps the order of parts");
        assert_eq!(Part::Page(42).pack(), 42);
    }
}
