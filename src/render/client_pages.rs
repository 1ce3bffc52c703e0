//! What the client index keeps of each page between builds (`serve`): its words as stem
//! numbers, made from its document and section title, and reused while those are the same.
//! Lowering and stemming every page's title, headings and summary again took the client
//! index, made after each save, 137 ms at 10,000 pages; 103 ms with the words kept (3.5 MB
//! more held by `serve`). The fragments are serialised again: keeping them too gave 70 ms for
//! 23 MB more, against serve's memory target.

use super::client_index::{fragment, fragment_script, ClientFile, Fragment, StemPages};
use super::client_index::{HEADINGS, SECTION, SUMMARY, TAGS, TITLE};
use crate::content::Document;
use crate::site::Site;
use foldhash::HashMap;
use std::sync::Arc;

#[derive(Default)]
pub struct ClientPages {
    /// By document identity; the `Arc` held keeps the address from being reused.
    pages: HashMap<usize, Kept>,
    stems: Stems,
}

/// One page's words, boxed to their size: they are held for every page while `serve` runs.
struct Kept {
    doc: Arc<Document>,
    /// A fingerprint of what besides the document the words come from (`inputs`).
    inputs: u64,
    /// Each stem of the page once, with the fields it is in.
    words: Box<[(u32, u8)]>,
}

/// Stem numbers, the same from build to build.
#[derive(Default)]
struct Stems {
    stem_numbers: HashMap<Arc<str>, u32>,
    stems: Vec<Arc<str>>,
}

/// A build's stemming: each word is lowered and stemmed once per build (titles, headings and
/// section names repeat their words across thousands of pages).
struct Stemming<'a> {
    stems: &'a mut Stems,
    /// A word's stem number; none for a stop word.
    word_stems: HashMap<String, Option<u32>>,
}

impl Stemming<'_> {
    /// Adds the stems of `text`, found in the field `bit`, to `words`.
    fn add(&mut self, words: &mut Vec<(u32, u8)>, text: &str, bit: u8) {
        let lowered = crate::text::lowercase_without_yo(text);
        for word in super::client_index::words(&lowered) {
            let number = match self.word_stems.get(word) {
                Some(&number) => number,
                None => {
                    let number = self.number_of(word);
                    self.word_stems.insert(word.to_string(), number);
                    number
                }
            };
            let Some(number) = number else { continue };
            match words.iter_mut().find(|(n, _)| *n == number) {
                Some((_, bits)) => *bits |= bit,
                None => words.push((number, bit)),
            }
        }
    }

    fn number_of(&mut self, word: &str) -> Option<u32> {
        if crate::search::analyzer::is_stop_word(word) {
            return None;
        }
        let stem: Arc<str> = crate::search::analyzer::stem(word).into();
        let stems = &mut *self.stems;
        let next = stems.stems.len() as u32;
        let number = *stems.stem_numbers.entry(stem.clone()).or_insert(next);
        if number == next {
            stems.stems.push(stem);
        }
        Some(number)
    }
}

/// What a page's words come from besides its document: its section's title.
fn inputs(site: &Site, id: usize) -> u64 {
    crate::fingerprint::of(&site.sections[site.pages[id].section].title)
}

impl ClientPages {
    /// The fragment files of `site`'s pages, in page order, and every stem with its pages (in
    /// increasing order, with their field bits), in the stems' byte order.
    pub fn pages(&mut self, site: &Site) -> (Vec<ClientFile>, Vec<StemPages>) {
        let mut kept = HashMap::with_capacity_and_hasher(site.pages.len(), Default::default());
        let mut files = Vec::with_capacity(site.pages.len());
        let mut postings: Vec<Vec<(u32, u8)>> = vec![];
        let mut stemming = Stemming {
            stems: &mut self.stems,
            word_stems: HashMap::default(),
        };
        for (id, page) in site.pages.iter().enumerate() {
            let identity = Arc::as_ptr(&page.doc) as usize;
            let inputs = inputs(site, id);
            let fragment = fragment(site, id);
            let entry = match self.pages.remove(&identity) {
                Some(e) if Arc::ptr_eq(&e.doc, &page.doc) && e.inputs == inputs => e,
                _ => make(&mut stemming, &fragment, &page.doc, inputs),
            };
            postings.resize_with(stemming.stems.stems.len(), Vec::new);
            for &(stem, bits) in &entry.words {
                postings[stem as usize].push((id as u32, bits));
            }
            files.push(fragment_script(format!("search/f/{id}.js"), &fragment));
            kept.insert(identity, entry);
        }
        self.pages = kept;
        let mut sorted: Vec<StemPages> = postings
            .into_iter()
            .enumerate()
            .filter(|(_, pages)| !pages.is_empty())
            .map(|(stem, pages)| (self.stems.stems[stem].to_string(), pages))
            .collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        (files, sorted)
    }
}

/// The words of a page whose fragment is `fragment`.
fn make(stemming: &mut Stemming, fragment: &Fragment, doc: &Arc<Document>, inputs: u64) -> Kept {
    let mut words = vec![];
    stemming.add(&mut words, fragment.t, TITLE);
    for tag in fragment.g {
        stemming.add(&mut words, tag, TAGS);
    }
    for heading in &fragment.h {
        stemming.add(&mut words, heading, HEADINGS);
    }
    stemming.add(&mut words, fragment.s, SECTION);
    stemming.add(&mut words, fragment.d, SUMMARY);
    Kept {
        doc: doc.clone(),
        inputs,
        words: words.into_boxed_slice(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::client_index::client_index;
    use super::*;
    use crate::config::Config;
    use crate::site::DocumentCache;

    /// The files of the client index, as a fresh build and as a build reusing `pages` make it.
    fn both(site: &Site, pages: &mut ClientPages) -> [Vec<(String, Vec<u8>)>; 2] {
        let files = |f: Vec<ClientFile>| f.into_iter().map(|f| (f.path, f.bytes)).collect();
        [
            files(client_index(site, &mut ClientPages::default())),
            files(client_index(site, pages)),
        ]
    }

    #[test]
    fn kept_words_give_the_index_a_fresh_build_gives() {
        let dir = crate::testing::TempSite::new();
        let write = |rel: &str, text: &str| dir.write(rel, text);
        write("r/README.md", "# Шлагбаумы\n\nО разделе.\n");
        write("r/a.md", "# Пропуск гостя\n\nКак заказать пропуск.\n");
        write("r/b.md", "# Камера\n\nНомер не читается.\n");
        let mut cache = DocumentCache::default();
        let mut pages = ClientPages::default();
        let mut load = |edited: &str| {
            cache.forget([edited]);
            Site::load_with_cache(dir.root(), Config::default(), &mut cache)
        };
        let [fresh, kept] = both(&load(""), &mut pages);
        assert_eq!(fresh, kept);
        // A page's own words, then a section title that every page of the section is
        // indexed under while their documents stay the same.
        for (rel, text) in [
            ("r/b.md", "# Камера\n\nГрязный номер не читается.\n"),
            ("r/README.md", "# Барьеры\n\nО разделе.\n"),
        ] {
            write(rel, text);
            let [fresh, kept] = both(&load(rel), &mut pages);
            assert!(fresh == kept, "after editing {rel}");
        }
    }

    /// A document added before others renumbers them, and their fragments stay the files they
    /// were: a save writes the new page's fragment, not every one after it.
    #[test]
    fn renumbered_pages_keep_their_fragments_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        for (name, title) in [("б.md", "Пропуск"), ("в.md", "Камера")] {
            std::fs::write(content.join(name), format!("# {title}\n\nТекст.\n")).unwrap();
        }
        let fragments = |pages: &mut ClientPages| -> Vec<Vec<u8>> {
            let site = Site::load(dir.path(), Config::default());
            let files = client_index(&site, pages);
            let fragment = |page: &str| {
                let path = format!("search/f/{}.js", site.page_id_by_path(page).unwrap());
                files.iter().find(|f| f.path == path).unwrap().bytes.clone()
            };
            vec![fragment("б.md"), fragment("в.md")]
        };
        let mut pages = ClientPages::default();
        let before = fragments(&mut pages);
        std::fs::write(content.join("а.md"), "# Шлагбаум\n\nТекст.\n").unwrap();
        assert_eq!(fragments(&mut pages), before);
    }
}
