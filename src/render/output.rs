//! One output sink with a disk mode and a memory mode: `build`, `serve` and the tests share
//! every line of rendering and only differ in where the bytes go.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where rendered files go. Paths are relative to the site root, `/`-separated.
pub trait Output: Sync {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()>;
    /// Removes a file written before (a deleted page); a missing file is not an error.
    fn remove(&self, path: &str) -> std::io::Result<()>;
}

/// Writes under a folder, creating parents; a file whose bytes did not change is left alone.
pub struct DiskOutput {
    root: PathBuf,
    /// In staging mode (a folder nobody reads until it is swapped in), every path written, so
    /// that files of an older build can be pruned; `None` for a folder being served.
    written: Option<Mutex<HashSet<String>>>,
}

impl DiskOutput {
    /// A folder that is being served: each file is replaced atomically, unchanged ones kept.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DiskOutput {
            root: root.into(),
            written: None,
        }
    }

    /// A folder no reader sees until it is swapped in: empty, or an older build's output to
    /// update in place. Files are written straight (no temporary name), unchanged ones are
    /// left alone, and `prune` removes what this build did not write. Reusing the files of
    /// an older build matters on ext4: creating 20,000 inodes right after deleting as many
    /// took longer than rendering the pages.
    pub fn staging(root: impl Into<PathBuf>) -> Self {
        DiskOutput {
            root: root.into(),
            written: Some(Mutex::default()),
        }
    }

    /// Removes every file and folder under a staging root that this build did not write.
    pub fn prune(&self) -> std::io::Result<usize> {
        let Some(written) = &self.written else {
            return Ok(0);
        };
        let written = written.lock().expect("output lock");
        let mut removed = 0;
        // Children first, so a folder is looked at after its files are gone.
        for entry in walkdir::WalkDir::new(&self.root)
            .min_depth(1)
            .contents_first(true)
        {
            let entry = entry.map_err(std::io::Error::other)?;
            let Ok(rel) = entry.path().strip_prefix(&self.root) else {
                continue;
            };
            if entry.file_type().is_dir() {
                // Fails, harmlessly, when the folder still holds a written file.
                if std::fs::remove_dir(entry.path()).is_ok() {
                    removed += 1;
                }
            } else if !written.contains(rel.to_string_lossy().replace('\\', "/").as_str()) {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn path(&self, rel: &str) -> std::io::Result<PathBuf> {
        // Paths come from URLs we made, but a traversal must be impossible by construction.
        if rel.split('/').any(|s| s == ".." || s.is_empty()) || rel.contains('\\') {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("refusing output path {rel:?}"),
            ));
        }
        Ok(self.root.join(rel))
    }
}

impl Output for DiskOutput {
    fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(rel)?;
        if let Some(written) = &self.written {
            written.lock().expect("output lock").insert(rel.to_string());
        }
        if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            return Ok(());
        }
        if self.written.is_some() {
            return write_replacing(&self.root, &path, bytes);
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // Write then rename: a reader (the server) never sees a half-written page.
        let tmp = path.with_extension("spravka-tmp");
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)
    }

    fn remove(&self, rel: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(rel)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Writes `bytes` at `path` under a staging `root`, clearing what an older build left in the
/// way: a folder where a file must go, or a file where a folder must go.
fn write_replacing(root: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        if std::fs::create_dir_all(parent).is_err() {
            for ancestor in parent.ancestors().take_while(|a| *a != root) {
                if ancestor.is_file() {
                    std::fs::remove_file(ancestor)?;
                }
            }
            std::fs::create_dir_all(parent)?;
        }
    }
    match std::fs::write(path, bytes) {
        Err(_) if path.is_dir() => {
            std::fs::remove_dir_all(path)?;
            std::fs::write(path, bytes)
        }
        result => result,
    }
}

/// Keeps the site in memory: tests, and anything that wants the bytes without a disk.
#[derive(Default)]
pub struct MemoryOutput {
    files: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryOutput {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get_str(&self, path: &str) -> Option<String> {
        let files = self.files.lock().expect("output lock");
        files
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    pub fn paths(&self) -> Vec<String> {
        self.files
            .lock()
            .expect("output lock")
            .keys()
            .cloned()
            .collect()
    }
}

impl Output for MemoryOutput {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.files
            .lock()
            .expect("output lock")
            .insert(path.to_string(), bytes.to_vec());
        Ok(())
    }

    fn remove(&self, path: &str) -> std::io::Result<()> {
        self.files.lock().expect("output lock").remove(path);
        Ok(())
    }
}
