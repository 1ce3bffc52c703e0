//! The search box's index for a site hosted as plain files, cut into chunks the way Pagefind
//! cuts its: a small entry file, then only the word lists, postings and page fragments a query
//! needs. A search at 10,000 pages fetches a few hundred kilobytes instead of the whole index.
//!
//! Every file is a script that hands its data to `__spravkaSearch(name, data)` (a page's
//! fragment passes `null` for its name: see `fragment_script`): browsers refuse
//! `fetch` between `file://` pages but load scripts, so one format serves a copy opened from
//! disk and a plain web server alike. Words are the server's stems (`search::analyzer::stem`),
//! so the client resolves what is typed against the index's own vocabulary instead of keeping a
//! stemmer of its own that could drift from the server's.

use super::client_pages::ClientPages;
use crate::site::Site;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The entry file: the only file with a fixed name; it names every other one.
pub const ENTRY: &str = "search/index.js";

/// Postings are cut into files of about this many bytes.
const CHUNK_BYTES: usize = 16 * 1024;
/// How many files the tags' page lists are spread over.
const TAG_BUCKETS: u32 = 64;

/// Which field of a page a word was found in, as bits of a posting (the client weighs them).
pub(super) const TITLE: u8 = 1;
pub(super) const TAGS: u8 = 2;
pub(super) const HEADINGS: u8 = 4;
pub(super) const SECTION: u8 = 8;
pub(super) const SUMMARY: u8 = 16;

/// A stem and its pages, in increasing order, each with its field bits.
pub(super) type StemPages = (String, Vec<(u32, u8)>);

/// One file of the client index: its path under the output folder and its bytes.
#[derive(Clone)]
pub struct ClientFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What the client shows of a page once it is a hit (one small file per page).
#[derive(Serialize)]
pub(super) struct Fragment<'a> {
    /// Title.
    pub t: &'a str,
    /// URL relative to the site root (no leading slash), so the script can prefix its root.
    pub u: &'a str,
    /// Section title.
    pub s: &'a str,
    /// Headings.
    pub h: Vec<&'a str>,
    /// Tags.
    pub g: &'a [String],
    /// Summary.
    pub d: &'a str,
}

/// Every file of the client index of `site`, the entry last. Deterministic: the same site
/// gives the same files; every file but the entry, the fragments and the tag buckets is named
/// by its hash, and those are versioned by their hash in the entry.
pub fn client_index(site: &Site, pages: &mut ClientPages) -> Vec<ClientFile> {
    let (mut files, postings) = pages.pages(site);
    let fragments = version(&files);
    let letters = stem_lists(&postings, &mut files);
    let chunks = posting_chunks(&postings, &mut files);
    let meta = meta(site, &mut files);
    let before_tags = files.len();
    tag_buckets(site, &mut files);
    let tags = version(&files[before_tags..]);
    let synonyms = crate::search::load_synonyms(site).unwrap_or_default();
    let entry = json!({
        "version": 4,
        "docs": site.pages.len(),
        "vocabulary": crate::search::vocabulary::client_vocabulary(&synonyms),
        "letters": letters,
        "chunks": chunks,
        "meta": meta,
        "tag_buckets": TAG_BUCKETS,
        // Fragments and tag buckets keep their names from build to build (a page's number, a
        // bucket's); the client asks for them with these versions, so that no cache, on the
        // way or in the browser, answers with a file of another build.
        "versions": { "f": fragments, "g": tags },
    });
    // Last: written after every file it names.
    files.push(script(ENTRY.to_string(), &entry));
    files
}

/// A short hash of `files`' bytes.
fn version(files: &[ClientFile]) -> String {
    let mut hasher = blake3::Hasher::new();
    for file in files {
        hasher.update(&file.bytes);
    }
    hasher.finalize().to_hex()[..16].to_string()
}

pub(super) fn fragment(site: &Site, id: usize) -> Fragment<'_> {
    let p = &site.pages[id];
    Fragment {
        t: &p.doc.title,
        u: p.url.trim_start_matches('/'),
        s: &site.sections[p.section].title,
        h: p.doc
            .rendered
            .headings
            .iter()
            .filter(|h| h.level <= 3)
            .map(|h| h.text.as_str())
            .collect(),
        g: &p.doc.meta.tags,
        d: &p.doc.summary,
    }
}

/// Per first letter, the stems starting with it and how many pages have each: what the
/// client reads a typed word against (its stem, a prefix while typing, a typo's near stems).
fn stem_lists(postings: &[StemPages], files: &mut Vec<ClientFile>) -> BTreeMap<char, String> {
    let mut by_letter: BTreeMap<char, Vec<(&str, usize)>> = BTreeMap::new();
    for (stem, docs) in postings {
        if let Some(first) = stem.chars().next() {
            by_letter.entry(first).or_default().push((stem, docs.len()));
        }
    }
    by_letter
        .into_iter()
        .map(|(letter, stems)| (letter, hashed(files, "s", &stems)))
        .collect()
}

/// The postings, sorted by stem and cut into files of about [`CHUNK_BYTES`]; each posting is
/// the page's number (as the gap from the previous one) and its field bits. Returns the first
/// stem and the file of each chunk.
fn posting_chunks(postings: &[StemPages], files: &mut Vec<ClientFile>) -> Vec<(String, String)> {
    let mut chunks = vec![];
    let mut chunk: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    let mut size = 0;
    for (stem, docs) in postings {
        let mut flat = Vec::with_capacity(docs.len() * 2);
        let mut previous = 0;
        for &(doc, bits) in docs {
            flat.extend([doc - previous, u32::from(bits)]);
            previous = doc;
        }
        size += stem.len() + flat.len() * 4;
        chunk.insert(stem, flat);
        if size >= CHUNK_BYTES {
            let first = chunk
                .keys()
                .next()
                .map(|s| s.to_string())
                .unwrap_or_default();
            chunks.push((first, hashed(files, "t", &std::mem::take(&mut chunk))));
            size = 0;
        }
    }
    if let Some(first) = chunk.keys().next().map(|s| s.to_string()) {
        chunks.push((first, hashed(files, "t", &chunk)));
    }
    chunks
}

/// Each page's section, as a number into the list of section names: what the section filter
/// and facets count over every hit without fetching the hits' fragments.
fn meta(site: &Site, files: &mut Vec<ClientFile>) -> String {
    let sections: Vec<&str> = site.sections.iter().map(|s| s.title.as_str()).collect();
    let page_sections: Vec<usize> = site.pages.iter().map(|p| p.section).collect();
    hashed(
        files,
        "m",
        &json!({ "sections": sections, "ds": page_sections }),
    )
}

/// The pages of each tag, in [`TAG_BUCKETS`] files chosen by the tag's [`fnv1a`] hash, so
/// that the tag filter loads one small file and not a table of every page's tags (3,693 tags
/// over 10,000 pages made that table 195 KB).
fn tag_buckets(site: &Site, files: &mut Vec<ClientFile>) {
    let mut buckets: Vec<BTreeMap<&str, Vec<u32>>> = vec![BTreeMap::new(); TAG_BUCKETS as usize];
    for (tag, entry) in &site.tags {
        let mut pages = entry.pages.clone();
        pages.sort_unstable();
        let mut previous = 0;
        let gaps = pages
            .iter()
            .map(|&p| {
                let gap = p as u32 - previous;
                previous = p as u32;
                gap
            })
            .collect();
        buckets[(fnv1a(tag) % TAG_BUCKETS) as usize].insert(tag, gaps);
    }
    for (n, bucket) in buckets.iter().enumerate() {
        files.push(script(format!("search/g/{n}.js"), bucket));
    }
}

/// FNV-1a over the UTF-16 code units of `text`: a hash the client computes in a few lines of
/// JavaScript (strings there are UTF-16).
fn fnv1a(text: &str) -> u32 {
    text.encode_utf16().fold(0x811c_9dc5, |hash, unit| {
        (hash ^ u32::from(unit)).wrapping_mul(0x0100_0193)
    })
}

/// Adds `data` as a script under `search/<folder>/` named by its hash; returns its path
/// relative to `search/`.
fn hashed<T: Serialize>(files: &mut Vec<ClientFile>, folder: &str, data: &T) -> String {
    let json = serde_json::to_vec(data).expect("client index data serialises");
    let name = format!("{folder}/{}.js", &blake3::hash(&json).to_hex()[..16]);
    let mut bytes = prefix(Some(&name), json.len());
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(SUFFIX);
    files.push(ClientFile {
        path: format!("search/{name}"),
        bytes,
    });
    name
}

/// `data` as the script at `path`, which names itself by that path under `search/`.
pub(super) fn script<T: Serialize>(path: String, data: &T) -> ClientFile {
    let name = path.trim_start_matches("search/").to_string();
    script_named(path, Some(&name), data)
}

/// A page's fragment as the script at `path`, which does not name itself: the client knows the
/// script element it added for it. So its bytes are the page's alone, and the fragments of the
/// pages after an added or removed one, renumbered, are the files they were: a new document
/// wrote 10,000 fragments (150–220 ms at 10,000 pages), now one.
pub(super) fn fragment_script(path: String, fragment: &Fragment) -> ClientFile {
    script_named(path, None, fragment)
}

/// `data` serialised straight after the call's start (10,000 fragments are made after every
/// save).
fn script_named<T: Serialize>(path: String, name: Option<&str>, data: &T) -> ClientFile {
    let mut bytes = prefix(name, 256);
    serde_json::to_writer(&mut bytes, data).expect("client index data serialises");
    bytes.extend_from_slice(SUFFIX);
    ClientFile { path, bytes }
}

/// A script is `__spravkaSearch("<name>",<data>);`, the name its path under `search/`, or
/// `__spravkaSearch(null,<data>);` for a fragment.
fn prefix(name: Option<&str>, room: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(name.map_or(4, str::len) + room + 24);
    match name {
        Some(name) => bytes.extend_from_slice(format!("__spravkaSearch({name:?},").as_bytes()),
        None => bytes.extend_from_slice(b"__spravkaSearch(null,"),
    }
    bytes
}

const SUFFIX: &[u8] = b");\n";

/// The words of `lowered` (lower case, `ё` as `е`) as the client splits what is typed: runs
/// of Latin and Cyrillic letters and digits.
pub(super) fn words(lowered: &str) -> impl Iterator<Item = &str> {
    lowered
        .split(|c: char| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || ('а'..='я').contains(&c))
        })
        .filter(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages never take `SEARCH_URL` (`site`), so the index's files cannot meet a page's.
    #[test]
    fn the_index_lies_in_the_folder_reserved_for_it() {
        let folder = crate::site::urls::SEARCH_URL.trim_start_matches('/');
        assert!(ENTRY.starts_with(folder), "{ENTRY} outside {folder}");
    }

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // The published FNV-1a 32-bit test vectors (ASCII is one UTF-16 unit per byte).
        assert_eq!(fnv1a(""), 0x811c_9dc5);
        assert_eq!(fnv1a("a"), 0xe40c_292c);
        assert_eq!(fnv1a("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn words_split_as_the_client_splits_them() {
        let lowered = "Ёлка, QR-код 2 этажа!".to_lowercase().replace('ё', "е");
        let words: Vec<&str> = words(&lowered).collect();
        assert_eq!(words, ["елка", "qr", "код", "2", "этажа"]);
    }
}
