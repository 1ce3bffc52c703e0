//! Parsed documents kept between loads, so that `serve` re-reads and re-parses only the files
//! that changed. A file is taken as unchanged when its size and modification time are; paths
//! the watcher reported are `forget`-ed first, since a quick second save can keep both. When
//! the watcher names every file that changed (`changed_only`), the others are not even looked
//! at: a stat of each of 10,000 files was half of an edit's load. A file
//! that can no longer be read as text (binary, invalid UTF-8) keeps its last good document,
//! reported `unreadable` all the same.

use crate::content::presets::Presets;
use crate::content::source::{read_text, ReadError};
use crate::content::walk::{self, Listing};
use crate::content::{parse_document_with, Document, FileKind, MarkdownOptions, SourceFile};
use crate::diagnostics::{Code, Diagnostic};
use rayon::prelude::*;
// foldhash: SipHash over 10,000 paths was a tenth of an edit's load phase.
use foldhash::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

#[derive(Default)]
pub struct DocumentCache {
    entries: HashMap<String, Entry>,
    /// The last walk of content/, patched for the files the watcher names (`keep_listing`).
    listing: Option<Arc<Listing>>,
    /// For the next load only: these files (relative paths) are all that changed since the
    /// last load, so the others are unchanged without their stamps being read.
    changed_only: Option<HashSet<String>>,
    links: super::LinkMemo,
}

/// A file's stamp, its includes' stamps, and its document or why it could not be read.
type Loaded = (
    Option<Stamp>,
    Vec<Option<FileStamp>>,
    Result<Arc<Document>, Unreadable>,
);

/// Why a file could not be read, and whether its last good document stands in for it.
struct Unreadable {
    problem: Diagnostic,
    keep_last: bool,
}

struct Entry {
    stamp: Stamp,
    doc: Arc<Document>,
    /// The stamp of each file `doc.includes` names, as read (`None`: it did not exist).
    includes: Vec<Option<FileStamp>>,
    /// Read the file again whatever the stamp says (`forget`, or the last read failed).
    stale: bool,
}

/// What decides that a file is unchanged: its size, its modification time, and what it was
/// parsed with (the options, its folders' variables).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    file: FileStamp,
    escape_html: bool,
    variables: u64,
}

/// A file's size and modification time.
#[derive(Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

/// A file's text and its stamp when it was read.
type ReadFile = (Arc<str>, Option<FileStamp>);

/// The files include lines read during one load: each read once (documents are parsed in
/// parallel), with its stamp as read; only files of the listing can be read.
struct IncludedFiles<'a> {
    /// The listing, sorted by path (as `walk` makes it).
    files: &'a [SourceFile],
    read: Mutex<HashMap<String, Option<ReadFile>>>,
}

impl<'a> IncludedFiles<'a> {
    fn new(files: &'a [SourceFile]) -> Self {
        IncludedFiles {
            files,
            read: Mutex::default(),
        }
    }

    /// Where the file at `rel_path` is, if the listing has it.
    fn path(&self, rel_path: &str) -> Option<&'a Path> {
        let at = self
            .files
            .binary_search_by(|f| f.rel_path.as_str().cmp(rel_path))
            .ok()?;
        Some(&self.files[at].abs_path)
    }

    fn read(&self, rel_path: &str) -> Option<ReadFile> {
        let mut read = self.read.lock().unwrap_or_else(|e| e.into_inner());
        read.entry(rel_path.to_string())
            .or_insert_with(|| {
                let path = self.path(rel_path)?;
                let stamp = FileStamp::of(path);
                let text = read_text(path).ok()?;
                Some((Arc::from(text), stamp))
            })
            .clone()
    }

    fn load(&self, rel_path: &str) -> Option<Arc<str>> {
        self.read(rel_path).map(|(text, _)| text)
    }

    /// The stamps of `paths` as the load read them.
    fn stamps(&self, paths: &[String]) -> Vec<Option<FileStamp>> {
        paths
            .iter()
            .map(|p| self.read(p).and_then(|(_, stamp)| stamp))
            .collect()
    }

    /// Whether every file of `paths` is as `stamps` recorded.
    fn unchanged(&self, paths: &[String], stamps: &[Option<FileStamp>]) -> bool {
        paths.len() == stamps.len()
            && paths
                .iter()
                .zip(stamps)
                .all(|(p, s)| self.path(p).and_then(FileStamp::of) == *s)
    }
}

/// Whether `changed` names the file at `rel_path`, or a folder it is in (a folder moved in
/// place of another holds other files under the same paths).
fn names(changed: &HashSet<String>, rel_path: &str) -> bool {
    changed.contains(rel_path) || changed.iter().any(|c| walk::is_at_or_under(rel_path, c))
}

impl Stamp {
    fn of(path: &Path, options: MarkdownOptions, variables: u64) -> Option<Stamp> {
        Some(Stamp::with(FileStamp::of(path)?, options, variables))
    }

    fn with(file: FileStamp, options: MarkdownOptions, variables: u64) -> Stamp {
        Stamp {
            file,
            escape_html: options.escape_html,
            variables,
        }
    }
}

impl DocumentCache {
    /// The next `load` reads these files again, whatever their stamps say (their documents are
    /// kept only as the last good version of a file that turns out unreadable).
    pub fn forget<'a>(&mut self, rel_paths: impl IntoIterator<Item = &'a str>) {
        for path in rel_paths {
            if let Some(entry) = self.entries.get_mut(path) {
                entry.stale = true;
            }
        }
    }

    /// The next load is told that these files are all that changed since the last one (the
    /// watcher named them): they are read again, and so are the documents that include one;
    /// every other file is taken as unchanged without reading its stamp. Like the tools it is
    /// modelled on, `serve` trusts its watcher here; events lost by the kernel make it build
    /// everything (`serve::watch`).
    pub fn changed_only<'a>(&mut self, rel_paths: impl IntoIterator<Item = &'a str>) {
        let named: HashSet<String> = rel_paths.into_iter().map(str::to_string).collect();
        self.forget(named.iter().map(String::as_str));
        self.changed_only = Some(named);
    }

    /// Brings the kept listing up to date with the `changed` files (relative to content/, and
    /// where they are), or drops it when only a new walk can tell (`walk::patch`).
    pub fn keep_listing<'a>(
        &mut self,
        content_dir: &Path,
        changed: impl IntoIterator<Item = (&'a str, &'a Path)>,
        synonyms_file: &str,
        fragments: &[String],
    ) {
        let Some(listing) = &mut self.listing else {
            return;
        };
        let listing = Arc::make_mut(listing);
        if !walk::patch(listing, content_dir, changed, synonyms_file, fragments) {
            self.listing = None;
        }
    }

    /// Link resolutions of the last load, for the documents that did not change.
    pub fn links(&mut self) -> &mut super::LinkMemo {
        &mut self.links
    }

    /// The listing kept by `keep_listing`, or a fresh walk made by `walk` and kept.
    pub fn listing(&mut self, walk: impl FnOnce() -> Listing) -> Arc<Listing> {
        self.listing.get_or_insert_with(|| Arc::new(walk())).clone()
    }

    /// The documents of the markdown files among `files`, reusing the unchanged ones; files
    /// that cannot be read become diagnostics, and keep the document of their last good read
    /// if there was one. Entries of files that are gone are dropped.
    pub fn load(
        &mut self,
        files: &[SourceFile],
        options: MarkdownOptions,
        presets: &Presets,
    ) -> (Vec<Arc<Document>>, Vec<Diagnostic>) {
        let markdown: Vec<&SourceFile> = files
            .iter()
            .filter(|f| f.kind == FileKind::Markdown)
            .collect();
        let entries = &self.entries;
        let changed_only = self.changed_only.take();
        let included = IncludedFiles::new(files);
        let load = |rel: &str| included.load(rel);
        let loaded: Vec<Loaded> = markdown
            .par_iter()
            .map(|f| {
                let vars = presets.for_document(&f.rel_path);
                let known = entries.get(&f.rel_path);
                let stamp = match (known, &changed_only) {
                    (Some(entry), Some(changed)) if !names(changed, &f.rel_path) => {
                        Some(Stamp::with(entry.stamp.file, options, vars.stamp()))
                    }
                    _ => Stamp::of(&f.abs_path, options, vars.stamp()),
                };
                if let Some(entry) = known {
                    let includes_unchanged = match &changed_only {
                        Some(changed) => !entry.doc.includes.iter().any(|p| names(changed, p)),
                        None => included.unchanged(&entry.doc.includes, &entry.includes),
                    };
                    if !entry.stale && stamp.is_some_and(|s| s == entry.stamp) && includes_unchanged
                    {
                        return (stamp, entry.includes.clone(), Ok(entry.doc.clone()));
                    }
                }
                let parsed = read_text(&f.abs_path)
                    .map(|text| {
                        Arc::new(parse_document_with(&f.rel_path, text, options, &vars, &load))
                    })
                    .map_err(|e| {
                        let problem = Diagnostic::error(Code::Unreadable, &f.rel_path, e.to_string());
                        // A file gone since the walk has nothing to stand in for it.
                        let gone = matches!(&e, ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound);
                        match known {
                            Some(_) if !gone => Unreadable {
                                problem: problem.with_help(
                                    "the last version that could be read is served until this is fixed",
                                ),
                                keep_last: true,
                            },
                            _ => Unreadable {
                                problem,
                                keep_last: false,
                            },
                        }
                    });
                let includes = parsed
                    .as_ref()
                    .map_or_else(|_| Vec::new(), |doc| included.stamps(&doc.includes));
                (stamp, includes, parsed)
            })
            .collect();
        self.keep_entries(&markdown, loaded)
    }

    /// Records what a load read, in place (making the map again cloned 10,000 paths per
    /// edit), and returns the documents and the problems of the files that could not be read.
    fn keep_entries(
        &mut self,
        markdown: &[&SourceFile],
        loaded: Vec<Loaded>,
    ) -> (Vec<Arc<Document>>, Vec<Diagnostic>) {
        let mut docs = Vec::with_capacity(loaded.len());
        let mut problems = Vec::new();
        // How many of `markdown` have an entry: any more entries are of files that are gone.
        let mut held = 0;
        for (file, (stamp, includes, result)) in markdown.iter().zip(loaded) {
            let path = &file.rel_path;
            match result {
                Ok(doc) => {
                    let kept = self
                        .entries
                        .get(path)
                        .is_some_and(|e| Arc::ptr_eq(&e.doc, &doc) && Some(e.stamp) == stamp);
                    match stamp {
                        _ if kept => held += 1,
                        Some(stamp) => {
                            let entry = Entry {
                                stamp,
                                doc: doc.clone(),
                                includes,
                                stale: false,
                            };
                            self.entries.insert(path.clone(), entry);
                            held += 1;
                        }
                        None => {
                            self.entries.remove(path);
                        }
                    }
                    docs.push(doc);
                }
                Err(Unreadable { problem, keep_last }) => {
                    // The last good document stays, and the file is read again next time.
                    match self.entries.get_mut(path) {
                        Some(entry) if keep_last => {
                            entry.stale = true;
                            docs.push(entry.doc.clone());
                            held += 1;
                        }
                        _ => {
                            self.entries.remove(path);
                        }
                    }
                    problems.push(problem);
                }
            }
        }
        if self.entries.len() > held {
            let present: HashSet<&str> = markdown.iter().map(|f| f.rel_path.as_str()).collect();
            self.entries
                .retain(|path, _| present.contains(path.as_str()));
        }
        (docs, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::walk;
    use std::collections::BTreeMap;

    #[test]
    fn unchanged_files_are_reused_and_forgotten_ones_reparsed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# А\n").unwrap();
        std::fs::write(dir.path().join("b.md"), "# Б\n").unwrap();
        let options = MarkdownOptions::default();
        let mut cache = DocumentCache::default();
        let (files, _) = walk(dir.path(), "synonyms.toml", &[]);
        let (first, _) = cache.load(&files, options, &Presets::default());
        let (second, _) = cache.load(&files, options, &Presets::default());
        assert!(Arc::ptr_eq(&first[0], &second[0]) && Arc::ptr_eq(&first[1], &second[1]));
        cache.forget(["b.md"]);
        let (third, _) = cache.load(&files, options, &Presets::default());
        assert!(Arc::ptr_eq(&first[0], &third[0]));
        assert!(
            !Arc::ptr_eq(&first[1], &third[1]),
            "forgotten → parsed again"
        );
        std::fs::remove_file(dir.path().join("a.md")).unwrap();
        let (files, _) = walk(dir.path(), "synonyms.toml", &[]);
        let (fourth, _) = cache.load(&files, options, &Presets::default());
        assert_eq!(fourth.len(), 1);
        assert_eq!(
            cache.entries.len(),
            1,
            "entries of removed files are dropped"
        );
    }

    /// Told which files changed, a load reads those, the documents that include one and the
    /// files under a named folder, and looks at no other file: one changed unnamed keeps its
    /// document (what `serve` trusts its watcher for), and a stamp-checked load catches up.
    #[test]
    fn a_load_told_what_changed_reads_only_that() {
        let dir = crate::testing::TempSite::new();
        let write = |rel: &str, text: &str| dir.write(rel, text);
        write("a.md", "# А\n");
        write("b.md", "# Б\n\n{% include [ф](_includes/f.md) %}\n");
        write("d/c.md", "# В\n");
        write("_includes/f.md", "Фрагмент.\n");
        let options = MarkdownOptions::default();
        let mut cache = DocumentCache::default();
        let (files, _) = walk(&dir.content(), "synonyms.toml", &[]);
        let load = |cache: &mut DocumentCache| {
            let (docs, _) = cache.load(&files, options, &Presets::default());
            let by_path = |d: &Arc<Document>| (d.rel_path.clone(), d.clone());
            docs.iter().map(by_path).collect::<BTreeMap<_, _>>()
        };
        let first = load(&mut cache);
        assert_eq!(first.len(), 3);
        // Same sizes: only a stamp's time or the watcher can tell.
        write("a.md", "# Я\n");
        write("_includes/f.md", "Обрывок.\n");
        write("d/c.md", "# Г\n");
        cache.changed_only(["_includes/f.md", "d"]);
        let second = load(&mut cache);
        assert!(
            Arc::ptr_eq(&first["a.md"], &second["a.md"]),
            "a.md was not named"
        );
        assert!(
            !Arc::ptr_eq(&first["b.md"], &second["b.md"]),
            "b.md includes a named file"
        );
        assert_eq!(
            second["d/c.md"].title, "Г",
            "d/c.md is under a named folder"
        );
        let third = load(&mut cache);
        assert_eq!(
            third["a.md"].title, "Я",
            "a load that reads stamps sees every change"
        );
    }

    #[test]
    fn an_unreadable_file_keeps_its_last_good_document() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.md");
        std::fs::write(&a, "# Хороший\n").unwrap();
        let options = MarkdownOptions::default();
        let mut cache = DocumentCache::default();
        let (files, _) = walk(dir.path(), "synonyms.toml", &[]);
        let (first, _) = cache.load(&files, options, &Presets::default());
        std::fs::write(&a, b"# \xff\xfe broken\n").unwrap();
        cache.forget(["a.md"]);
        let (second, problems) = cache.load(&files, options, &Presets::default());
        assert!(Arc::ptr_eq(&first[0], &second[0]), "the last good document");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::Unreadable);
        assert!(problems[0]
            .help
            .as_deref()
            .unwrap()
            .contains("last version"));
        let (third, problems) = cache.load(&files, options, &Presets::default());
        assert!(
            Arc::ptr_eq(&first[0], &third[0]) && problems.len() == 1,
            "still unreadable"
        );
        std::fs::write(&a, "# Исправлен\n").unwrap();
        let (fixed, problems) = cache.load(&files, options, &Presets::default());
        assert_eq!((fixed[0].title.as_str(), problems.len()), ("Исправлен", 0));
        // Without a good read before, an unreadable file has no page.
        let mut fresh = DocumentCache::default();
        std::fs::write(&a, b"\xff").unwrap();
        let (none, problems) = fresh.load(&files, options, &Presets::default());
        assert!(none.is_empty() && problems[0].help.is_none());
    }

    /// A file deleted while another appears unreadable keeps no entry: back unreadable
    /// later, it has no last good document to stand in for it.
    #[test]
    fn a_removed_file_leaves_no_entry_behind() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.md"),
            dir.path().join("b.md"),
            dir.path().join("c.md"),
        );
        std::fs::write(&a, "# А\n").unwrap();
        std::fs::write(&b, "# Удалённый\n").unwrap();
        let options = MarkdownOptions::default();
        let mut cache = DocumentCache::default();
        let load = |cache: &mut DocumentCache| {
            let (files, _) = walk(dir.path(), "synonyms.toml", &[]);
            cache.load(&files, options, &Presets::default())
        };
        load(&mut cache);
        std::fs::remove_file(&b).unwrap();
        std::fs::write(&c, b"# \xff").unwrap();
        let (docs, problems) = load(&mut cache);
        assert_eq!((docs.len(), problems.len()), (1, 1));
        std::fs::write(&b, b"# \xff").unwrap();
        let (docs, _) = load(&mut cache);
        assert!(
            docs.iter().all(|d| d.title != "Удалённый"),
            "the deleted file's old text is not served"
        );
    }

    #[test]
    fn the_listing_is_patched_for_files_and_walked_again_for_folders() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.md"), "# А\n").unwrap();
        let mut cache = DocumentCache::default();
        let walks = std::cell::Cell::new(0);
        let list = |cache: &mut DocumentCache| {
            cache
                .listing(|| {
                    walks.set(walks.get() + 1);
                    walk(dir.path(), "synonyms.toml", &[])
                })
                .0
                .iter()
                .map(|f| f.rel_path.clone())
                .collect::<Vec<String>>()
        };
        assert_eq!(list(&mut cache), ["a.md"]);
        let root = dir.path();
        // What `walk::patch` can bring up to date needs no walk; a new folder does.
        // The path the watcher names, what happened to it, the listing after, walks so far.
        type Step = (&'static str, fn(&Path), &'static [&'static str], usize);
        let steps: [Step; 4] = [
            ("a.md", |_| {}, &["a.md"], 1),
            (
                "b.md",
                |r| std::fs::write(r.join("b.md"), "# Б\n").unwrap(),
                &["a.md", "b.md"],
                1,
            ),
            (
                "a.md",
                |r| std::fs::remove_file(r.join("a.md")).unwrap(),
                &["b.md"],
                1,
            ),
            (
                "c",
                |r| {
                    std::fs::create_dir(r.join("c")).unwrap();
                    std::fs::write(r.join("c/d.md"), "# Д\n").unwrap()
                },
                &["b.md", "c/d.md"],
                2,
            ),
        ];
        for (rel, change, listed, walked) in steps {
            change(root);
            let abs = root.join(rel);
            cache.keep_listing(root, [(rel, abs.as_path())], "synonyms.toml", &[]);
            assert_eq!(
                (list(&mut cache), walks.get()),
                (listed.iter().map(|l| l.to_string()).collect(), walked),
                "{rel}"
            );
        }
    }
}
