//! "Did you mean": the page a broken link most likely meant, by file name. Comparing each
//! broken link with every page was 69 % of a 3,000-article build with many broken links, so the
//! names are indexed: a name found in another folder wins outright (the file moved), else the
//! names sharing most trigrams with the wanted one are compared by edit distance (the score
//! as before: normalised Levenshtein of the lowercased file names, above 0.6). Each distinct
//! target is looked up once, and the index is only built when a link is broken.

use super::{PageId, Site};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// How many of the names sharing most trigrams with the wanted one are compared by edit
/// distance: enough that the best by edit distance is among them.
const COMPARED: usize = 32;

/// Below this, a name is not offered.
const MIN_SIMILARITY: f64 = 0.6;

pub(super) struct Closest {
    /// Distinct lowercased file names, each with its pages in path order.
    names: Vec<(String, Vec<PageId>)>,
    by_name: HashMap<String, usize>,
    /// The names (their index) each trigram of a file name's stem appears in.
    by_trigram: HashMap<[char; 3], Vec<u32>>,
    /// How many distinct trigrams each name's stem has.
    trigram_counts: Vec<u32>,
    memo: Mutex<HashMap<String, Option<PageId>>>,
}

/// The lowercased file name a link wants, `.md` added when written without it.
fn wanted_name(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path).to_lowercase();
    if name.ends_with(".md") {
        name
    } else {
        name + ".md"
    }
}

/// The distinct trigrams of a name's stem, its ends marked.
fn trigrams(name: &str) -> Vec<[char; 3]> {
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let chars: Vec<char> = std::iter::once('\u{2}')
        .chain(stem.chars())
        .chain(std::iter::once('\u{3}'))
        .collect();
    let mut grams: Vec<[char; 3]> = chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

impl Closest {
    pub(super) fn new(site: &Site) -> Closest {
        let mut names: Vec<(String, Vec<PageId>)> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for (id, page) in site.pages.iter().enumerate() {
            let name = page
                .doc
                .rel_path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_lowercase();
            let n = *by_name.entry(name.clone()).or_insert_with(|| {
                names.push((name, Vec::new()));
                names.len() - 1
            });
            names[n].1.push(id);
        }
        let mut by_trigram: HashMap<[char; 3], Vec<u32>> = HashMap::new();
        let mut trigram_counts = Vec::with_capacity(names.len());
        for (n, (name, _)) in names.iter().enumerate() {
            let grams = trigrams(name);
            trigram_counts.push(grams.len() as u32);
            for gram in grams {
                by_trigram.entry(gram).or_default().push(n as u32);
            }
        }
        Closest {
            names,
            by_name,
            by_trigram,
            trigram_counts,
            memo: Mutex::default(),
        }
    }

    /// The page a link to the missing content path `wanted` most likely meant.
    pub(super) fn suggest(&self, site: &Site, wanted: &str) -> Option<PageId> {
        if let Some(&known) = self.memo().get(wanted) {
            return known;
        }
        // Computed outside the lock: another thread may compute the same, to the same end.
        let best = self.closest(site, wanted);
        self.memo().insert(wanted.to_string(), best);
        best
    }

    fn memo(&self) -> MutexGuard<'_, HashMap<String, Option<PageId>>> {
        // A panic elsewhere leaves the map whole: each entry is inserted in one call.
        self.memo.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn closest(&self, site: &Site, wanted: &str) -> Option<PageId> {
        let name = wanted_name(wanted);
        if let Some(&n) = self.by_name.get(&name) {
            return Some(nearest(site, &self.names[n].1, wanted));
        }
        let mut best: Option<(f64, Vec<PageId>)> = None;
        for n in self.sharing_most_trigrams(&name) {
            let (candidate, pages) = &self.names[n];
            let score = strsim::normalized_levenshtein(candidate, &name);
            match &mut best {
                _ if score <= MIN_SIMILARITY => {}
                Some((top, _)) if score < *top => {}
                Some((top, tied)) if score == *top => tied.extend(pages),
                _ => best = Some((score, pages.clone())),
            }
        }
        best.map(|(_, pages)| nearest(site, &pages, wanted))
    }

    /// The `COMPARED` names whose stems share most of the wanted stem's trigrams (by Dice's
    /// coefficient, so that long names do not win by length).
    fn sharing_most_trigrams(&self, name: &str) -> Vec<usize> {
        let grams = trigrams(name);
        let mut shared = vec![0u32; self.names.len()];
        let mut touched = Vec::new();
        for gram in &grams {
            for &n in self.by_trigram.get(gram).map_or(&[][..], Vec::as_slice) {
                if shared[n as usize] == 0 {
                    touched.push(n as usize);
                }
                shared[n as usize] += 1;
            }
        }
        let dice = |n: usize| {
            2.0 * f64::from(shared[n]) / f64::from(self.trigram_counts[n] + grams.len() as u32)
        };
        touched.sort_by(|&a, &b| dice(b).total_cmp(&dice(a)).then(a.cmp(&b)));
        touched.truncate(COMPARED);
        touched
    }
}

/// Of `pages`, the one whose folder shares most of `wanted`'s folders, then the first.
fn nearest(site: &Site, pages: &[PageId], wanted: &str) -> PageId {
    let shared = |page: PageId| {
        let path = &site.pages[page].doc.rel_path;
        path.split('/')
            .zip(wanted.split('/'))
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut best = pages[0];
    for &page in &pages[1..] {
        if shared(page) > shared(best) || (shared(page) == shared(best) && page < best) {
            best = page;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::content::{parse_document, MarkdownOptions};
    use std::path::PathBuf;
    use std::sync::Arc;

    /// The best score comparing the wanted name with every page's, as "did you mean" once did.
    fn every_page(site: &Site, wanted: &str) -> Option<f64> {
        let name = wanted_name(wanted);
        site.pages
            .iter()
            .map(|p| {
                let candidate = p.doc.rel_path.rsplit('/').next().unwrap().to_lowercase();
                strsim::normalized_levenshtein(&candidate, &name)
            })
            .filter(|score| *score > MIN_SIMILARITY)
            .max_by(f64::total_cmp)
    }

    #[test]
    fn the_index_finds_what_comparing_every_page_finds() {
        let words = [
            "пропуск",
            "шлагбаум",
            "домофон",
            "оплата",
            "камера",
            "номер",
            "гость",
            "доступ",
            "ошибка",
            "вход",
            "карта",
            "qr",
        ];
        let mut paths = vec![];
        for a in words {
            for b in words.iter().filter(|b| **b != a) {
                paths.push(format!(
                    "{}/{a} {b}.md",
                    &b[..b.char_indices().nth(1).unwrap().0]
                ));
            }
        }
        let docs = paths
            .iter()
            .map(|p| {
                Arc::new(parse_document(
                    p,
                    "# T\n".into(),
                    MarkdownOptions::default(),
                ))
            })
            .collect();
        let site = Site::from_documents(Config::default(), PathBuf::new(), docs, vec![], vec![]);
        let closest = Closest::new(&site);
        let mut wanted: Vec<String> = vec!["x/совсем другое.md".into(), "x/qr".into()];
        for path in &paths {
            let chars: Vec<char> = path.chars().collect();
            for cut in [
                chars.len() - 4,
                chars.len() / 2,
                path.find('/').unwrap() + 3,
            ] {
                let mut typo = chars.clone();
                typo.remove(cut);
                wanted.push(typo.into_iter().collect());
            }
            wanted.push(format!("другая/{}", path.rsplit('/').next().unwrap()));
            wanted.push(path.replace(".md", " подробно.md"));
        }
        for want in &wanted {
            let found = closest.suggest(&site, want).map(|page| {
                let name = site.pages[page].doc.rel_path.rsplit('/').next().unwrap();
                strsim::normalized_levenshtein(&name.to_lowercase(), &wanted_name(want))
            });
            assert_eq!(found, every_page(&site, want), "{want}");
        }
    }
}
