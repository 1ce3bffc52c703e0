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
            !f.is_empty()
                && (rel_path == f
                    || rel_path
                        .strip_prefix(f)
                        .is_some_and(|rest| rest.starts_with('/')))
        })
}

/// A file found under content/.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to content/, `/`-separated, NFC: the file's identity everywhere.
    pub rel_path: String,
    pub abs_path: PathBuf,
    pub kind: FileKind,
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
pub fn walk(
    content_dir: &Path,
    synonyms_file: &str,
    fragments: &[String],
) -> (Vec<SourceFile>, Vec<Diagnostic>) {
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
        if !entry.file_type().is_file() || rel == synonyms_file {
            continue;
        }
        let markdown = rel.to_lowercase().ends_with(".md");
        let kind = match (markdown, is_fragment(&rel, fragments)) {
            (true, true) => FileKind::Fragment,
            (true, false) => FileKind::Markdown,
            _ if super::presets::is_presets_file(rel.rsplit('/').next().unwrap_or(&rel)) => {
                FileKind::Presets
            }
            _ => FileKind::Asset,
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
}
