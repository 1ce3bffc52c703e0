//! Hot static files in memory, one cache per snapshot: a file read once is served from RAM with
//! its ETag and Last-Modified already made, and no disk read, stat or hash per request. Every
//! rebuild swaps in a new snapshot with an empty cache; the only files rewritten after a swap
//! (the feeds, `Builder::finish`) clear the new snapshot's cache.

use axum::body::Bytes;
use axum::http::HeaderValue;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// Bytes the cache of one snapshot may hold: a few hundred pages, the theme and the client
/// index. What does not fit is read from disk as before.
const BUDGET: usize = 32 << 20;
/// Larger files (attachments, big images) are not worth a share of the budget.
const LARGEST: usize = 1 << 20;

/// One file ready to send.
pub struct HotFile {
    pub bytes: Bytes,
    pub etag: HeaderValue,
    pub last_modified: Option<HeaderValue>,
    pub content_type: &'static str,
}

/// Request path → file, filled on first read. Never evicts: once the budget is spent, further
/// files are served from disk; the next snapshot starts empty.
#[derive(Default)]
pub struct HotFiles {
    files: RwLock<HashMap<String, Arc<HotFile>>>,
    used: AtomicUsize,
    /// Bumped by `clear`: a file read from disk before a clear must not be kept after it.
    epoch: AtomicU64,
}

impl HotFiles {
    pub fn get(&self, request_path: &str) -> Option<Arc<HotFile>> {
        self.files
            .read()
            .expect("hot files lock")
            .get(request_path)
            .cloned()
    }

    /// Taken before reading a file from disk, and handed to `insert`.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Keeps `file` for `request_path` if it fits and no `clear` happened since `epoch`;
    /// returns it either way.
    pub fn insert(&self, request_path: &str, file: HotFile, epoch: u64) -> Arc<HotFile> {
        let file = Arc::new(file);
        let size = file.bytes.len() + request_path.len();
        if file.bytes.len() <= LARGEST && self.used.load(Ordering::Relaxed) + size <= BUDGET {
            let mut files = self.files.write().expect("hot files lock");
            if self.epoch.load(Ordering::Acquire) != epoch {
                return file;
            }
            if files
                .insert(request_path.to_string(), file.clone())
                .is_none()
            {
                self.used.fetch_add(size, Ordering::Relaxed);
            }
        }
        file
    }

    /// Forgets everything: files of this snapshot were rewritten after it was made (the feeds,
    /// written just after the swap).
    pub fn clear(&self) {
        let mut files = self.files.write().expect("hot files lock");
        self.epoch.fetch_add(1, Ordering::AcqRel);
        files.clear();
        self.used.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(size: usize) -> HotFile {
        HotFile {
            bytes: Bytes::from(vec![b'x'; size]),
            etag: HeaderValue::from_static("\"e\""),
            last_modified: None,
            content_type: "text/plain",
        }
    }

    #[test]
    fn keeps_files_within_the_budget_only() {
        let hot = HotFiles::default();
        hot.insert("/a", file(10), hot.epoch());
        assert_eq!(hot.get("/a").unwrap().bytes.len(), 10);
        hot.insert("/big", file(LARGEST + 1), hot.epoch());
        assert!(hot.get("/big").is_none(), "too large to keep");
        for i in 0..(BUDGET / LARGEST) + 2 {
            hot.insert(&format!("/f{i}"), file(LARGEST), hot.epoch());
        }
        assert!(hot.used.load(Ordering::Relaxed) <= BUDGET);
        let kept = hot.files.read().unwrap().len();
        assert!(kept < (BUDGET / LARGEST) + 3, "stops at the budget");
        hot.clear();
        assert!(hot.files.read().unwrap().is_empty() && hot.get("/a").is_none());
    }

    #[test]
    fn a_file_read_before_a_clear_is_not_kept() {
        let hot = HotFiles::default();
        let before = hot.epoch();
        hot.clear();
        hot.insert("/search/index.js", file(3), before);
        assert!(hot.get("/search/index.js").is_none());
        hot.insert("/search/index.js", file(3), hot.epoch());
        assert!(hot.get("/search/index.js").is_some());
    }
}
