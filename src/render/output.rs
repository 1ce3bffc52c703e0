//! One output sink with a disk mode and a memory mode: `build`, `serve` and the tests share
//! every line of rendering and only differ in where the bytes go.

use std::collections::BTreeMap;
use std::path::PathBuf;
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
}

impl DiskOutput {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DiskOutput { root: root.into() }
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
        if std::fs::read(&path).is_ok_and(|old| old == bytes) {
            return Ok(());
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
