//! The knowledge base among distractor documents: its content and a folder of other documents
//! (such as `examples/gen_corpus` writes) copied into one temporary folder, so that tuning and
//! measuring can search the base as it will be once it has grown, without touching it.

use crate::config::Config;
use crate::site::Site;
use std::io;
use std::path::{Path, PathBuf};

/// The base's own documents and the distractors together, in a temporary folder that lives as
/// long as this value: build what needs the files (an index) before dropping it.
pub struct AmongDistractors {
    folder: tempfile::TempDir,
    config: Config,
}

#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct DistractorsError {
    path: PathBuf,
    source: io::Error,
}

impl AmongDistractors {
    /// Copies `content_dir` (the base's content, configured by `config`) and the documents
    /// under `distractors` into one content folder. `distractors` may be a content folder or a
    /// root holding one (`gen_corpus --out DIR` writes `DIR/content`). The base keeps every
    /// path it has (a generated corpus has its own `README.md`) and its synonyms: the
    /// distractors' synonyms file is never taken. Like the site's own walk, symbolic links
    /// and hidden entries are left out.
    pub fn new(
        content_dir: &Path,
        config: &Config,
        distractors: &Path,
    ) -> Result<AmongDistractors, DistractorsError> {
        let nested = distractors.join("content");
        let distractors = if nested.is_dir() {
            &nested
        } else {
            distractors
        };
        if !distractors.is_dir() {
            return Err(DistractorsError {
                path: distractors.to_path_buf(),
                source: io::Error::new(io::ErrorKind::NotFound, "not a folder of documents"),
            });
        }
        let folder = tempfile::tempdir().map_err(|source| DistractorsError {
            path: std::env::temp_dir(),
            source,
        })?;
        let content = folder.path().join("content");
        copy_new_files(content_dir, &content, None)?;
        copy_new_files(
            distractors,
            &content,
            Some(Path::new(&config.synonyms_file)),
        )?;
        let mut config = config.clone();
        config.content_dir = "content".into();
        Ok(AmongDistractors { folder, config })
    }

    /// The site of the base among the distractors, read from the temporary folder.
    pub fn site(&self) -> Site {
        Site::load(self.folder.path(), self.config.clone())
    }
}

/// Copies every file under `from` that `to` does not have yet into `to`, keeping its relative
/// path, except `skip` (relative to `from`), symbolic links and hidden entries.
fn copy_new_files(from: &Path, to: &Path, skip: Option<&Path>) -> Result<(), DistractorsError> {
    let walk = walkdir::WalkDir::new(from)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.map_err(|e| DistractorsError {
            path: e.path().unwrap_or(from).to_path_buf(),
            source: e.into(),
        })?;
        let relative = entry.path().strip_prefix(from).expect("walked from `from`");
        let target = to.join(relative);
        let failed = |source| DistractorsError {
            path: entry.path().to_path_buf(),
            source,
        };
        if entry.path_is_symlink() || Some(relative) == skip {
            continue;
        }
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).map_err(failed)?;
        } else if !target.exists() {
            std::fs::copy(entry.path(), &target).map_err(failed)?;
        }
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// The base keeps its own files where a distractor has the same path, gains the others
    /// (never their synonyms, links or hidden files), and a root holding `content/` is read
    /// as its content folder.
    #[test]
    fn the_base_wins_every_shared_path() {
        let base = tempfile::tempdir().unwrap();
        write(base.path(), "content/README.md", "# База\n");
        write(base.path(), "content/Статья.md", "# Статья\n");
        let other = tempfile::tempdir().unwrap();
        write(other.path(), "content/README.md", "# Чужое\n");
        write(other.path(), "content/Раздел/Чужая.md", "# Чужая\n");
        write(other.path(), "content/synonyms.toml", "[[group]]\n");
        write(other.path(), "content/.git/Скрытая.md", "# Скрытая\n");
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            base.path().join("content/Статья.md"),
            other.path().join("content/Ссылка.md"),
        )
        .unwrap();
        let among = AmongDistractors::new(
            &base.path().join("content"),
            &Config::default(),
            other.path(),
        )
        .unwrap();
        let site = among.site();
        let read = |rel: &str| std::fs::read_to_string(site.content_dir.join(rel)).unwrap();
        assert_eq!(read("README.md"), "# База\n");
        assert_eq!(read("Статья.md"), "# Статья\n");
        assert_eq!(read("Раздел/Чужая.md"), "# Чужая\n");
        for left_out in ["synonyms.toml", ".git", "Ссылка.md"] {
            assert!(!site.content_dir.join(left_out).exists(), "{left_out}");
        }
        let missing = AmongDistractors::new(
            &base.path().join("content"),
            &Config::default(),
            &other.path().join("nowhere"),
        );
        assert!(missing.err().unwrap().to_string().contains("nowhere"));
    }
}
