//! The knowledge base among distractor documents: its content and a folder of other documents
//! (such as `examples/gen_corpus` writes) copied into one temporary folder, so that tuning and
//! measuring can search the base as it will be once it has grown, without touching it.

use crate::config::Config;
use crate::site::Site;
use std::io;
use std::path::{Path, PathBuf};

/// The base's own documents and the distractors together; the folder goes with the value.
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
    /// Copies `content_dir` (the base's content, configured by `config`) and every file under
    /// `distractors` into one content folder. A distractor never replaces a file of the base
    /// (a generated corpus has its own `README.md` and `synonyms.toml`); `distractors` may be a
    /// content folder or a root holding one (`gen_corpus --out DIR` writes `DIR/content`).
    pub fn new(
        content_dir: &Path,
        config: &Config,
        distractors: &Path,
    ) -> Result<AmongDistractors, DistractorsError> {
        let error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| DistractorsError { path, source }
        };
        let folder = tempfile::tempdir().map_err(error(Path::new("a temporary folder")))?;
        let content = folder.path().join("content");
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
        copy_tree(content_dir, &content, true)?;
        copy_tree(distractors, &content, false)?;
        let mut config = config.clone();
        config.content_dir = "content".into();
        Ok(AmongDistractors { folder, config })
    }

    /// The site of the base among the distractors.
    pub fn site(&self) -> Site {
        Site::load(self.folder.path(), self.config.clone())
    }
}

/// Copies every file under `from` into `to`, keeping their relative paths; an existing file is
/// replaced only when `replace`.
fn copy_tree(from: &Path, to: &Path, replace: bool) -> Result<(), DistractorsError> {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.map_err(|e| DistractorsError {
            path: e.path().unwrap_or(from).to_path_buf(),
            source: e.into(),
        })?;
        let relative = entry.path().strip_prefix(from).expect("walked from `from`");
        let target = to.join(relative);
        let failed = |source| DistractorsError {
            path: target.clone(),
            source,
        };
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).map_err(failed)?;
        } else if replace || !target.exists() {
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

    /// The base keeps its own files where a distractor has the same path, gains the others,
    /// and a root holding `content/` is read as its content folder.
    #[test]
    fn the_base_wins_every_shared_path() {
        let base = tempfile::tempdir().unwrap();
        write(base.path(), "content/README.md", "# База\n");
        write(base.path(), "content/Статья.md", "# Статья\n");
        let other = tempfile::tempdir().unwrap();
        write(other.path(), "content/README.md", "# Чужое\n");
        write(other.path(), "content/Раздел/Чужая.md", "# Чужая\n");
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
        let missing = AmongDistractors::new(
            &base.path().join("content"),
            &Config::default(),
            &other.path().join("nowhere"),
        );
        assert!(missing.err().unwrap().to_string().contains("nowhere"));
    }
}
