//! What the unit tests share: a site's root in a temporary folder, written file by file.

use std::path::{Path, PathBuf};

/// A temporary root with a content/ folder; removed when dropped.
pub struct TempSite {
    dir: tempfile::TempDir,
}

impl TempSite {
    pub fn new() -> TempSite {
        TempSite {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// The site's root (what `Site::load` takes).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn content(&self) -> PathBuf {
        self.root().join("content")
    }

    /// Writes `text` to content/`rel`, making its folders.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.content().join(rel);
        std::fs::create_dir_all(path.parent().expect("a file in content/")).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
