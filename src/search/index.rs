//! The tantivy index of every page: schema, writing, opening (rebuilding when missing, stale
//! or unreadable: the index is derived data).

use super::analyzer::{text_analyzer, ANALYZER_NAME};
use super::cache_directory::CacheDirectory;
use crate::site::Site;
use rayon::prelude::*;
use std::path::Path;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument};

/// File inside the index folder holding the fingerprint of the content it was built from.
const FINGERPRINT_FILE: &str = "spravka-fingerprint";
/// Bumped whenever the schema or the analyzer changes, so old indexes are rebuilt.
const SCHEMA_VERSION: &str = "spravka-index-v9";
/// Documents made at once while an index is filled.
const DOCUMENT_CHUNK: usize = 256;
/// Tantivy writer memory budget: enough for 10,000 documents without intermediate merges.
const WRITER_BUDGET: usize = 200_000_000;
/// Files `spravka build` writes into the index folder that are not made from the content: what
/// operators taught suggest comes from the feedback database, which `search` and `suggest` do
/// not read, so a rebuild after an edit keeps them as the last build shipped them (only the
/// next build writes them anew).
const SHIPPED_BESIDE: &[&str] = &[super::learned::SHIPPED_FILE];

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The fields; their boosts for suggest live in `search::model`, tuned by `spravka tune`.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub path: Field,
    pub url: Field,
    pub title: Field,
    pub section: Field,
    pub section_key: Field,
    pub tags: Field,
    pub tag_key: Field,
    pub headings: Field,
    pub symptoms: Field,
    pub body: Field,
    pub summary: Field,
    pub status: Field,
    pub updated: Field,
    /// What the page is to suggest ([`Role`]), a fast field read while re-ranking.
    pub role: Field,
    /// How many distinct terms the title has: the share of it a ticket matches is a feature.
    pub title_terms: Field,
    /// Where each passage of the body starts and ends, in token positions (`passages`).
    pub passage_starts: Field,
    pub passage_heading_ends: Field,
    pub passage_ends: Field,
    /// The id and text of the heading opening each passage (empty for the lead).
    pub passage_anchor: Field,
    pub passage_heading: Field,
}

/// What a page is to suggest: an article answers a customer's problem, a regulation an
/// operator's question about the process, a section page only lists other pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Article = 0,
    Regulation = 1,
    SectionPage = 2,
}

impl Role {
    pub fn of(page: &crate::site::Page, config: &crate::config::SuggestConfig) -> Role {
        let kind = page.doc.meta.kind.as_deref().unwrap_or("").to_lowercase();
        if page.is_index {
            Role::SectionPage
        } else if config
            .procedural_kinds
            .iter()
            .any(|k| !k.is_empty() && kind.contains(&k.to_lowercase()))
        {
            Role::Regulation
        } else {
            Role::Article
        }
    }

    pub fn from_u64(value: u64) -> Role {
        match value {
            1 => Role::Regulation,
            2 => Role::SectionPage,
            _ => Role::Article,
        }
    }
}

pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(ANALYZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored {
            options.set_stored()
        } else {
            options
        }
    };
    let fields = Fields {
        // Fast as well: learning looks up the path of every candidate of a suggestion.
        path: b.add_text_field("path", STRING | STORED | FAST),
        url: b.add_text_field("url", STORED),
        title: b.add_text_field("title", text(true)),
        section: b.add_text_field("section", text(true)),
        // Fast as well: search counts its facets from these columns, not from stored documents.
        section_key: b.add_text_field("section_key", STRING | FAST),
        // Not stored: the facets read `tag_key`'s column, and nothing shows this field.
        tags: b.add_text_field("tags", text(false)),
        tag_key: b.add_text_field("tag_key", STRING | FAST),
        headings: b.add_text_field("headings", text(false)),
        symptoms: b.add_text_field("symptoms", text(false)),
        body: b.add_text_field("body", text(true)),
        summary: b.add_text_field("summary", STORED),
        status: b.add_text_field("status", STRING | STORED),
        updated: b.add_text_field("updated", STORED),
        role: b.add_u64_field("role", FAST),
        title_terms: b.add_u64_field("title_terms", FAST),
        passage_starts: b.add_u64_field("passage_starts", FAST),
        passage_heading_ends: b.add_u64_field("passage_heading_ends", FAST),
        passage_ends: b.add_u64_field("passage_ends", FAST),
        passage_anchor: b.add_text_field("passage_anchor", STORED),
        passage_heading: b.add_text_field("passage_heading", STORED),
    };
    (b.build(), fields)
}

fn register(index: &Index) {
    index.tokenizers().register(ANALYZER_NAME, text_analyzer());
}

/// A hash of everything the index is made from: when it differs, the index is stale.
pub fn fingerprint(site: &Site) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(SCHEMA_VERSION.as_bytes());
    // Roles are read from the config, so its list of procedural kinds is part of the index.
    for kind in &site.config.suggest.procedural_kinds {
        hasher.update(kind.as_bytes());
        hasher.update(b"\0");
    }
    for page in &site.pages {
        hasher.update(page.doc.rel_path.as_bytes());
        hasher.update(page.url.as_bytes());
        hasher.update(page.doc.source.read().as_bytes());
    }
    hasher.finalize().to_hex().to_string()
}

fn distinct_terms(text: &str) -> u64 {
    let terms: std::collections::BTreeSet<String> = super::analyzer::analyze(text)
        .into_iter()
        .map(|t| t.term)
        .collect();
    terms.len() as u64
}

/// Tantivy document of one page.
pub fn page_document(site: &Site, id: usize, f: &Fields) -> TantivyDocument {
    let page = &site.pages[id];
    let d = &page.doc;
    let section = &site.sections[page.section].title;
    let headings: Vec<&str> = d
        .rendered
        .headings
        .iter()
        .map(|h| h.text.as_str())
        .collect();
    let plain = d.rendered.plain_text.read();
    let body = d.readable_body(&plain);
    let mut document = doc!(
        f.path => d.rel_path.as_str(),
        f.url => page.url.as_str(),
        f.title => d.title.as_str(),
        f.section => section.as_str(),
        f.section_key => section.as_str(),
        f.tags => d.meta.tags.join(", "),
        f.headings => headings.join("\n"),
        f.symptoms => d.symptoms(),
        f.body => body,
        f.summary => d.summary.as_str(),
        f.status => d.meta.status.as_deref().unwrap_or(""),
        f.updated => d.meta.updated.map(|u| u.to_string()).unwrap_or_default(),
        f.role => Role::of(page, &site.config.suggest) as u64,
        f.title_terms => distinct_terms(&d.title),
    );
    for tag in &d.meta.tags {
        document.add_text(f.tag_key, tag);
    }
    let passages = super::passages::page_passages(d, &plain);
    for i in 0..passages.starts.len() {
        document.add_u64(f.passage_starts, passages.starts[i]);
        document.add_u64(f.passage_heading_ends, passages.heading_ends[i]);
        document.add_u64(f.passage_ends, passages.ends[i]);
        document.add_text(f.passage_anchor, &passages.anchors[i]);
        document.add_text(f.passage_heading, &passages.headings[i]);
    }
    document
}

/// Builds the index of `site` in memory (serve, tests).
pub fn build_in_ram(site: &Site) -> Result<Index, IndexError> {
    let (schema, fields) = schema();
    let index = Index::create_in_ram(schema);
    fill(&index, site, &fields)?;
    Ok(index)
}

/// The index of `site` with its pages added in the order `segments` gives, each list of
/// pages committed as a segment of its own and none merged: for tests that answers do not
/// depend on the order the index holds pages in, nor on how it is cut into segments.
#[cfg(test)]
pub(crate) fn build_in_ram_in_segments(
    site: &Site,
    segments: &[Vec<usize>],
) -> Result<Index, IndexError> {
    let (schema, fields) = schema();
    let index = Index::create_in_ram(schema);
    register(&index);
    let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for ids in segments {
        for &id in ids {
            writer.add_document(page_document(site, id, &fields))?;
        }
        writer.commit()?;
    }
    Ok(index)
}

/// Builds the index of `site` in `dir` (created empty) and opens it from there: its files
/// are mapped, not copied into the process (serve keeps only what queries touch in memory).
/// The folder is a cache, built afresh at every start: its writes are never synced to the
/// disk (`search::cache_directory`).
pub fn build_in_dir(site: &Site, dir: &Path) -> Result<Index, IndexError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    let (schema, fields) = schema();
    let index = Index::create(
        CacheDirectory::open(dir)?,
        schema,
        tantivy::IndexSettings::default(),
    )?;
    fill(&index, site, &fields)?;
    Ok(index)
}

fn fill(index: &Index, site: &Site, fields: &Fields) -> Result<(), IndexError> {
    register(index);
    let mut writer = index.writer::<TantivyDocument>(WRITER_BUDGET)?;
    // Documents are made on every core (a long page's body is analysed for its passages), a
    // chunk at a time so that only a chunk of them waits in memory.
    let ids: Vec<usize> = (0..site.pages.len()).collect();
    for chunk in ids.chunks(DOCUMENT_CHUNK) {
        let documents: Vec<TantivyDocument> = chunk
            .par_iter()
            .map(|&id| page_document(site, id, fields))
            .collect();
        for document in documents {
            writer.add_document(document)?;
        }
    }
    writer.commit()?;
    // Merges the commit started hold the writer's lock until they end: `serve` opens its own
    // writer on this index next, which failed now and then with the lock still busy.
    writer.wait_merging_threads()?;
    Ok(())
}

/// Writes the index of `site` into `dir` (created), with its fingerprint.
pub fn write_index(site: &Site, dir: &Path) -> Result<(), IndexError> {
    write_with_fingerprint(site, dir, &fingerprint(site))
}

fn write_with_fingerprint(site: &Site, dir: &Path, fingerprint: &str) -> Result<(), IndexError> {
    std::fs::create_dir_all(dir)?;
    let (schema, fields) = schema();
    let index = Index::create_in_dir(dir, schema)?;
    fill(&index, site, &fields)?;
    std::fs::write(dir.join(FINGERPRINT_FILE), fingerprint)?;
    Ok(())
}

/// Opens the index in `dir` when it matches `site`; otherwise rebuilds it there. A corrupt or
/// foreign index is replaced, never a crash; what `build` shipped beside it stays.
pub fn open_or_rebuild(site: &Site, dir: &Path) -> Result<Index, IndexError> {
    let expected = fingerprint(site);
    let fresh = std::fs::read_to_string(dir.join(FINGERPRINT_FILE)).is_ok_and(|f| f == expected);
    if fresh {
        match Index::open_in_dir(dir) {
            Ok(index) if index.schema() == schema().0 => {
                register(&index);
                return Ok(index);
            }
            Ok(_) => tracing::warn!("index at {} has another schema; rebuilding", dir.display()),
            Err(e) => tracing::warn!("index at {} is unreadable ({e}); rebuilding", dir.display()),
        }
    }
    clear_index(dir)?;
    write_with_fingerprint(site, dir, &expected)?;
    let index = Index::open_in_dir(dir)?;
    register(&index);
    Ok(index)
}

/// Empties `dir` of the index so it can be written again, keeping the files `build` ships
/// beside it ([`SHIPPED_BESIDE`]). The fingerprint goes first: a clear cut short leaves an
/// index that is stale, never one that passes for fresh with its segments gone.
fn clear_index(dir: &Path) -> Result<(), IndexError> {
    if !dir.exists() {
        return Ok(());
    }
    match std::fs::remove_file(dir.join(FINGERPRINT_FILE)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
        _ => {}
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if SHIPPED_BESIDE.iter().any(|kept| entry.file_name() == *kept) {
            continue;
        }
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        } else {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A reader that never reloads by itself: a snapshot's index does not change (serve builds a
/// new one per rebuild).
pub fn reader(index: &Index) -> Result<IndexReader, IndexError> {
    Ok(index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn site(extra: &str) -> Site {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let mut site = Site::load(&root, Config::default());
        let doc = std::sync::Arc::make_mut(&mut site.pages[0].doc);
        doc.source = crate::content::kept::KeptText::new(format!("{}{extra}", &*doc.source.read()));
        site
    }

    #[test]
    fn missing_stale_and_corrupt_indexes_are_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        let fresh = site("");
        assert_eq!(
            open_or_rebuild(&fresh, &path)
                .unwrap()
                .reader()
                .unwrap()
                .searcher()
                .num_docs(),
            4,
            "missing → built"
        );
        let stamp = std::fs::read_to_string(path.join(FINGERPRINT_FILE)).unwrap();
        let shipped = path.join(crate::search::learned::SHIPPED_FILE);
        std::fs::write(&shipped, "what build shipped").unwrap();
        open_or_rebuild(&fresh, &path).unwrap();
        assert_eq!(
            std::fs::read_to_string(path.join(FINGERPRINT_FILE)).unwrap(),
            stamp
        );
        let changed = site("\nправка");
        open_or_rebuild(&changed, &path).unwrap();
        assert_ne!(
            std::fs::read_to_string(path.join(FINGERPRINT_FILE)).unwrap(),
            stamp,
            "stale → rebuilt"
        );
        std::fs::write(path.join("meta.json"), "{ not json").unwrap();
        let index = open_or_rebuild(&changed, &path).unwrap();
        assert_eq!(
            index.reader().unwrap().searcher().num_docs(),
            4,
            "corrupt → rebuilt"
        );
        assert_eq!(
            std::fs::read_to_string(&shipped).unwrap(),
            "what build shipped",
            "kept through every rebuild"
        );
    }
}
