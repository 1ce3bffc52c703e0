//! Walking content/: markdown pages and assets, names normalised to NFC, sorted.

use crate::diagnostics::{Code, Diagnostic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Markdown,
    Asset,
    /// A folder's variables (`presets`): read by the load, never published.
    Presets,
    /// Markdown under a folder whose name starts with `_` (`_includes/`): text other pages
    /// include (`include`), neither a page nor an asset.
    Fragment,
}

/// The folder of a path relative to content/ (`""` for the root).
pub fn folder_of(rel_path: &str) -> &str {
    rel_path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// Whether a markdown file at `rel_path` is a fragment: under a folder named `_…`, or named by
/// `fragments` (a file, or a folder and everything below it).
pub fn is_fragment(rel_path: &str, fragments: &[String]) -> bool {
    folder_of(rel_path)
        .split('/')
        .any(|part| part.starts_with('_'))
        || fragments.iter().any(|f| {
            let f = f.trim_matches('/');
            !f.is_empty() && is_at_or_under(rel_path, f)
        })
}

/// Whether `rel_path` is the file `named`, or under the folder `named` (both relative to
/// content/).
pub fn is_at_or_under(rel_path: &str, named: &str) -> bool {
    rel_path
        .strip_prefix(named)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A file found under content/.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to content/, `/`-separated, NFC: the file's identity everywhere.
    pub rel_path: String,
    pub abs_path: PathBuf,
    pub kind: FileKind,
}

/// The files of content/, sorted by path, and the walk's own problems.
pub type Listing = (Vec<SourceFile>, Vec<Diagnostic>);

/// What a regular file at `rel_path` is listed as; `None`: the walk leaves it out.
fn kind_of(rel_path: &str, synonyms_file: &str, fragments: &[String]) -> Option<FileKind> {
    if rel_path == synonyms_file {
        return None;
    }
    let markdown = rel_path.to_lowercase().ends_with(".md");
    Some(match (markdown, is_fragment(rel_path, fragments)) {
        (true, true) => FileKind::Fragment,
        (true, false) => FileKind::Markdown,
        _ if super::presets::is_presets_file(rel_path.rsplit('/').next().unwrap_or(rel_path)) => {
            FileKind::Presets
        }
        _ => FileKind::Asset,
    })
}

/// Names that make a markdown file its folder's section page.
pub const INDEX_NAMES: [&str; 3] = ["README.md", "index.md", "_index.md"];

pub fn is_index_name(file_name: &str) -> bool {
    INDEX_NAMES
        .iter()
        .any(|n| n.eq_ignore_ascii_case(file_name))
}

/// Lists content/ in a stable order. Hidden files, the synonyms file and symlinks are skipped
/// (symlinks are reported: following them could leave content/ or loop).
pub fn walk(content_dir: &Path, synonyms_file: &str, fragments: &[String]) -> Listing {
    let mut files: BTreeMap<String, SourceFile> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let walker = WalkDir::new(content_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(content_dir, p))
                    .unwrap_or_default();
                diagnostics.push(Diagnostic::error(
                    Code::Unreadable,
                    path,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        let rel = relative(content_dir, entry.path());
        if entry.path_is_symlink() {
            diagnostics.push(
                Diagnostic::warning(
                    Code::SymlinkSkipped,
                    rel,
                    "symbolic link skipped: links are not followed",
                )
                .with_help("copy the file into content/ instead of linking to it"),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let Some(kind) = kind_of(&rel, synonyms_file, fragments) else {
            continue;
        };
        if let Some(existing) = files.get(&rel) {
            diagnostics.push(Diagnostic::error(
                Code::DuplicateFile,
                rel.clone(),
                format!(
                    "two files have the same name once Unicode is normalised: `{}` ({}) and `{}` ({}); only the first is used, rename or merge the other",
                    existing.abs_path.display(),
                    spelling(&existing.abs_path),
                    entry.path().display(),
                    spelling(entry.path())
                ),
            ));
            continue;
        }
        files.insert(
            rel.clone(),
            SourceFile {
                rel_path: rel,
                abs_path: entry.into_path(),
                kind,
            },
        );
    }
    (files.into_values().collect(), diagnostics)
}

/// Brings `listing` up to date with the `changed` files (each relative to content/, and where
/// it is) in place, as walking again would; `false` when only a new walk can tell (a folder
/// appeared, or went while files under it are listed; a symbolic link; a path the walk
/// reported a problem for; two names that normalise alike, or differ only in case). Walking
/// 10,000 files was a sixth of a live rebuild, and after an added or removed document a fifth:
/// a save must not cost a walk.
pub fn patch<'a>(
    listing: &mut Listing,
    content_dir: &Path,
    changed: impl IntoIterator<Item = (&'a str, &'a Path)>,
    synonyms_file: &str,
    fragments: &[String],
) -> bool {
    let (files, problems) = listing;
    for (rel, abs) in changed {
        if rel.is_empty() || problems.iter().any(|d| within(&d.file, rel)) {
            return false;
        }
        if rel.split('/').any(|part| part.starts_with('.')) {
            continue; // never listed, nor anything below it
        }
        let at = files.binary_search_by(|f| f.rel_path.as_str().cmp(rel));
        match std::fs::symlink_metadata(abs) {
            Ok(meta) if meta.is_file() => match at {
                Ok(i) if files[i].abs_path == abs => {}
                // A name differing from a listed one only in case is a rename on a file system
                // that ignores case (macOS, Windows), where the old name still answers.
                Err(i)
                    if !has_files_under(files, rel)
                        && !has_case_twin(files, rel)
                        && in_real_folders(content_dir, abs) =>
                {
                    if let Some(kind) = kind_of(rel, synonyms_file, fragments) {
                        let file = SourceFile {
                            rel_path: rel.to_string(),
                            abs_path: abs.to_path_buf(),
                            kind,
                        };
                        files.insert(i, file);
                    }
                }
                _ => return false,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match at {
                Ok(i) if files[i].abs_path == abs => {
                    files.remove(i);
                }
                // Another spelling of a listed name went (a name twin): the walk decides.
                Ok(_) => return false,
                Err(_) if has_files_under(files, rel) => return false,
                Err(_) => {} // an editor's temporary file, written and removed
            },
            _ => return false,
        }
    }
    true
}

/// Whether `path` is `rel` or lies under the folder `rel`.
fn within(path: &str, rel: &str) -> bool {
    path.strip_prefix(rel)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether the sorted `files` hold any file under the folder `rel`.
fn has_files_under(files: &[SourceFile], rel: &str) -> bool {
    let folder = format!("{rel}/");
    let first = files.partition_point(|f| f.rel_path < folder);
    files
        .get(first)
        .is_some_and(|f| f.rel_path.starts_with(&folder))
}

/// Whether `files` list a path equal to `rel` when case is ignored.
fn has_case_twin(files: &[SourceFile], rel: &str) -> bool {
    let lowered = |p: &str| {
        p.chars()
            .flat_map(char::to_lowercase)
            .collect::<Vec<char>>()
    };
    let rel = lowered(rel);
    (files.iter()).any(|f| {
        f.rel_path
            .chars()
            .flat_map(char::to_lowercase)
            .eq(rel.iter().copied())
    })
}

/// Whether every folder between content/ and `abs` is a real folder, not a link the walk would
/// not follow.
fn in_real_folders(content_dir: &Path, abs: &Path) -> bool {
    abs.starts_with(content_dir)
        && (abs.ancestors().skip(1))
            .take_while(|folder| *folder != content_dir)
            .all(|folder| std::fs::symlink_metadata(folder).is_ok_and(|m| m.is_dir()))
}

/// Names that normalise alike look alike on screen: say which spelling each one is.
fn spelling(path: &Path) -> &'static str {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    if unicode_normalization::is_nfc(&name) {
        "NFC"
    } else {
        "NFD, decomposed letters"
    }
}

/// `content/Регламенты/x.md` → `Регламенты/x.md`, NFC (macOS writes names in NFD).
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| crate::text::nfc(&c.as_os_str().to_string_lossy()))
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn fragments_are_under_underscore_folders_or_named_in_the_config() {
        let listed = ["snippets".to_string(), "a/b.md".to_string()];
        assert!(is_fragment("_includes/x.md", &[]));
        assert!(is_fragment("guides/_parts/x.md", &[]));
        assert!(
            !is_fragment("_index.md", &[]),
            "a section page, not a fragment"
        );
        assert!(is_fragment("snippets/x.md", &listed));
        assert!(is_fragment("a/b.md", &listed));
        assert!(!is_fragment("snippets-not/x.md", &listed));
        assert!(!is_fragment("a/b.md.bak/c.md", &listed));
    }

    #[test]
    fn nfd_names_become_nfc_and_hidden_files_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let nfd: String = "Ёлка й.md".nfd().collect();
        std::fs::write(dir.path().join(&nfd), "# x").unwrap();
        std::fs::write(dir.path().join(".hidden.md"), "# x").unwrap();
        std::fs::write(dir.path().join("synonyms.toml"), "").unwrap();
        std::fs::write(dir.path().join("pic.png"), [0u8, 1]).unwrap();
        let (files, diags) = walk(dir.path(), "synonyms.toml", &[]);
        assert!(diags.is_empty(), "{diags:?}");
        let names: Vec<_> = files
            .iter()
            .map(|f| (f.rel_path.as_str(), f.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("pic.png", FileKind::Asset),
                ("Ёлка й.md", FileKind::Markdown)
            ]
        );
    }

    /// Makes the change named `step` under `root`; returns the paths a watcher reports for it.
    fn change(root: &Path, step: &str) -> Vec<String> {
        let nfd: String = "Ёж.md".nfd().collect();
        let write = |rel: &str| std::fs::write(root.join(rel), "# x").unwrap();
        let remove = |rel: &str| std::fs::remove_file(root.join(rel)).unwrap();
        let reported = |rel: &str| vec![rel.to_string()];
        match step {
            "edit" | "new page" | "new asset" | "presets" | "synonyms" | "hidden" => {
                let rel = match step {
                    "edit" => "Раздел/а.md",
                    "new page" => "Раздел/в.md",
                    "new asset" => "Раздел/схема.png",
                    "presets" => "Раздел/_presets.toml",
                    "synonyms" => "synonyms.toml",
                    _ => "Раздел/.в.md.swp",
                };
                write(rel);
                reported(rel)
            }
            "fragment" => {
                std::fs::create_dir(root.join("snippets")).unwrap();
                write("snippets/ф.md");
                reported("snippets")
            }
            "removed" => {
                remove("Раздел/а.md");
                reported("Раздел/а.md")
            }
            "gone temporary" => {
                remove("Раздел/.в.md.swp");
                reported("Раздел/.в.md.swp")
            }
            "nfc twin" => {
                write("Ёж.md");
                write(&nfd);
                vec!["Ёж.md".into(), nfd]
            }
            "nfd twin removed" => {
                remove(&nfd);
                vec![nfd]
            }
            "nfd twin came and went" => {
                write(&nfd);
                remove(&nfd);
                vec![nfd]
            }
            "case twin" => {
                // What a rename by case leaves on a file system that ignores case.
                write("Раздел/В.md");
                reported("Раздел/В.md")
            }
            "symlink" => {
                std::os::unix::fs::symlink(root.join("Раздел/в.md"), root.join("ссылка.md"))
                    .unwrap();
                reported("ссылка.md")
            }
            _ => {
                std::fs::remove_dir_all(root.join("Раздел/Вложенный")).unwrap();
                reported("Раздел/Вложенный")
            }
        }
    }

    /// Every kind of change a watcher reports, each checked against a new walk: a patch that
    /// succeeds must list exactly what the walk lists, problems included.
    #[test]
    fn a_patched_listing_is_what_a_new_walk_lists() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let fragments = ["snippets".to_string()];
        std::fs::create_dir_all(root.join("Раздел/Вложенный")).unwrap();
        std::fs::write(root.join("Раздел/а.md"), "# А").unwrap();
        std::fs::write(root.join("Раздел/Вложенный/б.md"), "# Б").unwrap();
        let shown = |(files, problems): &Listing| {
            let files: Vec<_> = (files.iter())
                .map(|f| (f.rel_path.clone(), f.abs_path.clone(), f.kind))
                .collect();
            let problems: Vec<_> = problems.iter().map(|d| (d.file.clone(), d.code)).collect();
            (files, problems)
        };
        let mut listing = walk(root, "synonyms.toml", &fragments);
        for (step, patches) in [
            ("edit", true),
            ("new page", true),
            ("new asset", true),
            ("presets", true),
            ("synonyms", true),
            ("hidden", true),
            ("fragment", false),
            ("removed", true),
            ("gone temporary", true),
            ("nfc twin", false),
            ("nfd twin removed", false),
            ("nfd twin came and went", false),
            ("case twin", false),
            ("symlink", false),
            ("folder removed", false),
        ] {
            let abs: Vec<PathBuf> = change(root, step).iter().map(|p| root.join(p)).collect();
            let rel: Vec<String> = abs.iter().map(|p| relative(root, p)).collect();
            let changed = rel
                .iter()
                .map(String::as_str)
                .zip(abs.iter().map(PathBuf::as_path));
            let patched = patch(&mut listing, root, changed, "synonyms.toml", &fragments);
            assert_eq!(patched, patches, "{step}");
            let walked = walk(root, "synonyms.toml", &fragments);
            if patched {
                assert_eq!(shown(&listing), shown(&walked), "{step}");
            }
            listing = walked;
        }
    }
}
