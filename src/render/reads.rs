//! What a render job's context read of the site's pages, noted where it is read: after an
//! edit that moved no page (`site::Reloaded::touched`), only the jobs that read a touched page
//! are keyed again (`render::keys`), instead of building and hashing all 13,855 contexts of a
//! 10,000-page site to find the one or two that changed.
//!
//! The notes are taken by the code that reads (`RenderEnv`'s helpers, `Body`), not listed
//! beside it, so a template that shows one more field of another page is re-keyed the moment
//! its context reads it: `render::keys::tests::keys_after_a_patch_are_the_keys_of_a_full_keying`
//! fails for a read that is not noted.
//!
//! The recorder is a thread-local rather than a parameter of every context helper: contexts are
//! built through a dozen borrowed helpers and `Hash` impls, and a job's context is built and
//! hashed start to end on one rayon thread (nothing it is made from is made in parallel, so no
//! other job is stolen onto the thread meanwhile; `recorded` asserts it in debug builds).

use crate::site::PageId;
use std::cell::RefCell;

/// What one job read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// These pages (sorted, each once), and otherwise only what an edit that moves no page
    /// keeps: the site's structure (URLs, sections, tags, titles) and its configuration.
    Pages(Vec<PageId>),
    /// Every page (the home page's «recently updated», the feeds) or something outside the
    /// site model (an asset's file): keyed again after every edit.
    Everything,
}

/// A reading in progress.
enum Recording {
    Pages(Vec<PageId>),
    Everything,
}

thread_local! {
    static RECORDING: RefCell<Option<Recording>> = const { RefCell::new(None) };
}

/// Runs `f`, returning what it noted.
pub fn recorded<T>(f: impl FnOnce() -> T) -> (T, Reading) {
    RECORDING.with(|r| {
        let previous = r.replace(Some(Recording::Pages(Vec::new())));
        debug_assert!(
            previous.is_none(),
            "a job's reads recorded inside another's"
        );
    });
    let value = f();
    let reading = match RECORDING.with(|r| r.take()) {
        Some(Recording::Pages(mut pages)) => {
            pages.sort_unstable();
            pages.dedup();
            Reading::Pages(pages)
        }
        Some(Recording::Everything) | None => Reading::Everything,
    };
    (value, reading)
}

/// Notes that the job being recorded read page `page` (its document, links or backlinks).
pub fn page(page: PageId) {
    RECORDING.with(|r| {
        if let Some(Recording::Pages(pages)) = &mut *r.borrow_mut() {
            pages.push(page);
        }
    });
}

/// Notes that the job being recorded read every page, or something outside the site model.
pub fn everything() {
    RECORDING.with(|r| {
        if let Some(reading) = &mut *r.borrow_mut() {
            *reading = Recording::Everything;
        }
    });
}

/// What every job of a site read, kept compact: one flat table of the pages each job read,
/// rather than a vector per job and per page, which, made amid a render's short-lived
/// allocations, kept 10–15 MB of serve's memory from being given back. Which jobs read a page
/// is found by a scan (a third of a millisecond at 10,000 pages) rather than kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Readings {
    /// Per job: the pages it read (empty for a job that read everything).
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
                Reading::Pages(read) => read,
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
        let mut jobs: Vec<u32> = (0..self.reads.len())
            .filter(|&job| self.reads.get(job).iter().any(|&p| is_touched[p as usize]))
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

    fn reading(&self, job: u32) -> Reading {
        if self.everything.binary_search(&job).is_ok() {
            Reading::Everything
        } else {
            Reading::Pages(
                self.reads
                    .get(job as usize)
                    .iter()
                    .map(|&p| p as PageId)
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
    fn new<L: IntoIterator<Item = PageId>>(lists: impl Iterator<Item = L>) -> Lists {
        let (mut offsets, mut items) = (vec![0], vec![]);
        for list in lists {
            items.extend(list.into_iter().map(|p| p as u32));
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
