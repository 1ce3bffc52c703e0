//! Content-addressed files of serve's snapshots. Each rendered file is stored once, named by
//! the hash of its bytes, and shared by every snapshot that serves it: the next snapshot never
//! writes under one being served, a page's ETag is its hash, and a file is deleted once no
//! snapshot names it any more (`collect_garbage`, once a snapshot is completed:
//! `serve::watch::complete`).
//!
//! Written by hand: the store is a folder of immutable files plus a table of weak references;
//! the content-addressed crates (cacache and the like) keep indexes and metadata serve does
//! not need, and none ties a file's life to the values that name it.

use axum::body::Bytes;
use axum::http::HeaderValue;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Bytes all blobs together may keep in memory once read: a few hundred pages, the theme
/// and the client index. What does not fit is read from its file on each request.
const MEMORY_BUDGET: usize = 32 << 20;
/// Larger files (attachments, big images) are not worth a share of the budget.
const LARGEST_IN_MEMORY: usize = 1 << 20;

type Hash = [u8; 32];

/// One folder of blobs (`.spravka/serve/files`), one per `serve`; see the module's comment.
pub struct BlobStore {
    shared: Arc<Shared>,
    /// Every blob some value may still hold; a dead entry's file goes at the next collection.
    live: Mutex<HashMap<Hash, Weak<Blob>>>,
    temp_names: AtomicU64,
    /// Held (locked) as long as the store is open.
    _lock: std::fs::File,
}

/// The file whose lock says the store is open; beside the fan-out folders, never removed.
const LOCK_FILE: &str = "lock";

/// One stored file. Immutable: its bytes are those its name hashes. One allocation: the
/// path and the ETag are made from the hash when needed (24,000 blobs at 10,000 pages).
pub struct Blob {
    hash: Hash,
    len: usize,
    bytes: OnceLock<Bytes>,
    store: Arc<Shared>,
}

/// What every blob of a store shares.
struct Shared {
    dir: PathBuf,
    /// Bytes of all blobs kept in memory.
    in_memory: AtomicUsize,
}

impl Shared {
    fn path_of(&self, hash: &Hash) -> PathBuf {
        let hex = blake3::Hash::from_bytes(*hash).to_hex();
        self.dir.join(&hex[..2]).join(&hex[2..])
    }
}

impl BlobStore {
    /// Opens (creating) the store in `dir`. Files an earlier run left are reused by `put` and
    /// removed by [`BlobStore::remove_unnamed`].
    /// Refused while another store (another `serve` of the same site) has the folder open: the
    /// two would delete each other's files.
    pub fn open(dir: &Path) -> io::Result<Arc<BlobStore>> {
        for fan in 0..=255u8 {
            std::fs::create_dir_all(dir.join(format!("{fan:02x}")))?;
        }
        let lock = std::fs::File::create(dir.join(LOCK_FILE))?;
        if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock() {
            return Err(io::Error::new(
                io::ErrorKind::WouldBlock,
                format!(
                    "another `spravka serve` is using {}: stop it first, or serve a copy of the site",
                    dir.display()
                ),
            ));
        }
        Ok(Arc::new(BlobStore {
            shared: Arc::new(Shared {
                dir: dir.to_path_buf(),
                in_memory: AtomicUsize::new(0),
            }),
            live: Mutex::default(),
            temp_names: AtomicU64::new(0),
            _lock: lock,
        }))
    }

    /// The blob holding `bytes`: the live one if any, else a file written under its hash
    /// (written beside and renamed, so a file under a hash name is always whole).
    pub fn put(&self, bytes: &[u8]) -> io::Result<Arc<Blob>> {
        let hash = *blake3::hash(bytes).as_bytes();
        let path = self.shared.path_of(&hash);
        {
            let mut live = self.live.lock().expect("blob table lock");
            if let Some(blob) = live.get(&hash).and_then(Weak::upgrade) {
                return Ok(blob);
            }
            // Left by a blob now dead, or by an earlier run: the name vouches for the bytes.
            if std::fs::metadata(&path).is_ok_and(|m| m.len() == bytes.len() as u64) {
                return Ok(self.register(&mut live, hash, bytes.len()));
            }
        }
        // Beside its final name: a rename within one folder locks that folder alone, where one
        // shared temporary folder had every rendering thread wait on its lock (a tenth of
        // an added page's rebuild at 10,000 pages went to that wait).
        let temp = path.with_file_name(format!(
            "tmp-{}-{}",
            std::process::id(),
            self.temp_names.fetch_add(1, Ordering::Relaxed)
        ));
        let written = std::fs::write(&temp, bytes);
        let mut live = self.live.lock().expect("blob table lock");
        let kept = match live.get(&hash).and_then(Weak::upgrade) {
            Some(blob) => Ok(Some(blob)),
            None => written
                .and_then(|()| std::fs::rename(&temp, &path))
                .map(|()| None),
        };
        match kept {
            Ok(Some(blob)) => {
                let _ = std::fs::remove_file(&temp);
                Ok(blob)
            }
            Ok(None) => Ok(self.register(&mut live, hash, bytes.len())),
            Err(e) => {
                // A full disk: the half-written file goes now, not at the next start-up.
                let _ = std::fs::remove_file(&temp);
                Err(e)
            }
        }
    }

    fn register(&self, live: &mut HashMap<Hash, Weak<Blob>>, hash: Hash, len: usize) -> Arc<Blob> {
        let blob = Arc::new(Blob {
            hash,
            len,
            bytes: OnceLock::new(),
            store: self.shared.clone(),
        });
        live.insert(hash, Arc::downgrade(&blob));
        blob
    }

    /// Deletes the files of blobs no snapshot holds any more; returns how many. A request
    /// still reading an old snapshot holds its blobs, which go at a later collection.
    pub fn collect_garbage(&self) -> usize {
        let mut live = self.live.lock().expect("blob table lock");
        let dead: Vec<Hash> = live
            .iter()
            .filter(|(_, blob)| blob.strong_count() == 0)
            .map(|(hash, _)| *hash)
            .collect();
        for hash in &dead {
            live.remove(hash);
            let _ = std::fs::remove_file(self.shared.path_of(hash));
        }
        dead.len()
    }

    /// Deletes every file in the store that no blob names: an earlier run's leftovers, once
    /// the first snapshot has claimed what it reuses. Returns how many.
    pub fn remove_unnamed(&self) -> io::Result<usize> {
        let live = self.live.lock().expect("blob table lock");
        let named = |entry: &walkdir::DirEntry| {
            let fan = entry.path().parent().and_then(Path::file_name);
            let hex = format!("{}{}", fan?.to_str()?, entry.file_name().to_str()?);
            let hash = blake3::Hash::from_hex(hex).ok()?;
            live.get(hash.as_bytes())
                .filter(|blob| blob.strong_count() > 0)
        };
        let mut removed = 0;
        for entry in walkdir::WalkDir::new(&self.shared.dir)
            .min_depth(1)
            .max_depth(2)
        {
            let entry = entry.map_err(io::Error::other)?;
            // A temporary file is written beside its blob (depth 2); the top folder's `tmp-`
            // files are earlier versions' temporaries.
            let ours =
                entry.depth() == 2 || entry.file_name().to_string_lossy().starts_with("tmp-");
            if entry.file_type().is_file() && ours && named(&entry).is_none() {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

impl Blob {
    /// The file's bytes: from memory once read, while the store's budget lasts.
    pub async fn bytes(&self) -> io::Result<Bytes> {
        if let Some(bytes) = self.bytes.get() {
            return Ok(bytes.clone());
        }
        let bytes = Bytes::from(tokio::fs::read(self.path()).await?);
        Ok(self.keep(bytes))
    }

    /// [`Blob::bytes`] for callers off the async threads (the builder, tests).
    pub fn read(&self) -> io::Result<Bytes> {
        match self.bytes.get() {
            Some(bytes) => Ok(bytes.clone()),
            None => Ok(self.keep(Bytes::from(std::fs::read(self.path())?))),
        }
    }

    fn keep(&self, bytes: Bytes) -> Bytes {
        let fits = self.len <= LARGEST_IN_MEMORY
            && self
                .store
                .in_memory
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                    (used + self.len <= MEMORY_BUDGET).then_some(used + self.len)
                })
                .is_ok();
        if fits && self.bytes.set(bytes.clone()).is_err() {
            // Another request kept the same bytes first.
            self.store.in_memory.fetch_sub(self.len, Ordering::AcqRel);
        }
        bytes
    }

    /// The hash as an entity tag.
    pub fn etag(&self) -> HeaderValue {
        let hex = blake3::Hash::from_bytes(self.hash).to_hex();
        HeaderValue::from_str(&format!("\"{}\"", &hex[..20])).expect("hex is a valid header value")
    }

    fn path(&self) -> PathBuf {
        self.store.path_of(&self.hash)
    }
}

impl Drop for Blob {
    fn drop(&mut self) {
        if self.bytes.get().is_some() {
            self.store.in_memory.fetch_sub(self.len, Ordering::AcqRel);
        }
    }
}

/// What one snapshot serves: output path (`razdel/stranitsa/index.html`) → blob. Cloning
/// shares every blob.
#[derive(Clone, Default)]
pub struct SiteFiles {
    /// Shared keys: every rebuild clones the map (24,000 entries at 10,000 pages).
    files: HashMap<Arc<str>, Arc<Blob>>,
}

impl SiteFiles {
    pub fn get(&self, path: &str) -> Option<&Arc<Blob>> {
        self.files.get(path)
    }

    /// The path as stored, for a borrow that outlives the caller's string.
    pub fn key(&self, path: &str) -> Option<&str> {
        self.files.get_key_value(path).map(|(key, _)| &**key)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn insert(&mut self, path: &str, blob: Arc<Blob>) {
        self.files.insert(path.into(), blob);
    }

    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
    }

    /// Every file's bytes by path, sorted (tests compare snapshots with this).
    pub fn read_all(&self) -> io::Result<BTreeMap<String, Bytes>> {
        self.files
            .iter()
            .map(|(path, blob)| Ok((path.to_string(), blob.read()?)))
            .collect()
    }
}

/// Renders into the store: each file written becomes a blob, recorded under its path, and
/// applied to a snapshot's files afterwards.
pub struct BlobOutput<'a> {
    store: &'a BlobStore,
    written: Mutex<Vec<(String, Arc<Blob>)>>,
    removed: Mutex<Vec<String>>,
}

impl<'a> BlobOutput<'a> {
    pub fn new(store: &'a BlobStore) -> Self {
        BlobOutput {
            store,
            written: Mutex::default(),
            removed: Mutex::default(),
        }
    }

    /// The paths written, in no particular order.
    pub fn written_paths(&self) -> Vec<String> {
        let written = self.written.lock().expect("output lock");
        written.iter().map(|(path, _)| path.clone()).collect()
    }

    /// `files` with what was removed gone and what was written in.
    pub fn apply_to(self, files: &mut SiteFiles) {
        for path in self.removed.into_inner().expect("output lock") {
            files.remove(&path);
        }
        for (path, blob) in self.written.into_inner().expect("output lock") {
            // A key made now, not the string made mid-render: the snapshot keeps it, and
            // long-lived strings scattered among a render's short-lived ones kept mimalloc's
            // pages from being given back (RSS after start-up, BENCHMARKS.md).
            files.insert(&path, blob);
        }
    }
}

impl crate::render::output::Output for BlobOutput<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> io::Result<()> {
        // As `DiskOutput`: a path no request could name is a bug to hear about.
        if path
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
            || path.contains('\\')
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing output path {path:?}"),
            ));
        }
        let blob = self.store.put(bytes)?;
        let entry = (path.to_string(), blob);
        self.written.lock().expect("output lock").push(entry);
        Ok(())
    }

    fn remove(&self, path: &str) -> io::Result<()> {
        self.removed
            .lock()
            .expect("output lock")
            .push(path.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_in(dir: &Path) -> usize {
        walkdir::WalkDir::new(dir)
            .min_depth(2)
            .into_iter()
            .filter(|e| e.as_ref().unwrap().file_type().is_file())
            .count()
    }

    #[test]
    fn the_same_bytes_are_one_blob_and_its_file_goes_with_the_last_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let a = store.put(b"<p>one</p>").unwrap();
        let again = store.put(b"<p>one</p>").unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        let b = store.put(b"<p>two</p>").unwrap();
        assert_ne!(a.etag(), b.etag());
        assert_eq!(files_in(dir.path()), 2);
        assert_eq!(store.collect_garbage(), 0, "both are held");
        drop((a, again));
        assert_eq!(store.collect_garbage(), 1);
        assert_eq!(files_in(dir.path()), 1);
        assert_eq!(&b.read().unwrap()[..], b"<p>two</p>");
    }

    #[test]
    fn a_restart_reuses_the_files_it_still_names_and_removes_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let first = BlobStore::open(dir.path()).unwrap();
        let kept = first.put(b"kept").unwrap();
        let _gone = first.put(b"gone").unwrap();
        let written = std::fs::metadata(kept.path()).unwrap().modified().unwrap();
        drop(first);
        let second = BlobStore::open(dir.path()).unwrap();
        let again = second.put(b"kept").unwrap();
        assert_eq!(again.path(), kept.path());
        let now = std::fs::metadata(again.path()).unwrap().modified().unwrap();
        assert_eq!(now, written, "not written again");
        assert_eq!(second.remove_unnamed().unwrap(), 1);
        assert_eq!(files_in(dir.path()), 1);
        assert_eq!(&again.read().unwrap()[..], b"kept");
    }

    #[test]
    fn an_output_path_no_request_could_name_is_refused() {
        use crate::render::output::Output;
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let out = BlobOutput::new(&store);
        for bad in [
            "a//b.html",
            "a/../b.html",
            "/a.html",
            "a\\b.html",
            "a/./b.html",
        ] {
            assert!(out.write(bad, b"x").is_err(), "{bad}");
        }
        out.write("a/b.html", b"x").unwrap();
        let mut files = SiteFiles::default();
        out.apply_to(&mut files);
        assert_eq!(files.read_all().unwrap().len(), 1);
    }

    #[test]
    fn a_second_store_on_the_same_folder_is_refused_until_the_first_is_closed() {
        let dir = tempfile::tempdir().unwrap();
        let first = BlobStore::open(dir.path()).unwrap();
        let refused = BlobStore::open(dir.path()).err().expect("refused");
        assert!(
            refused.to_string().contains("another `spravka serve`"),
            "{refused}"
        );
        first.remove_unnamed().unwrap();
        assert!(
            dir.path().join(LOCK_FILE).is_file(),
            "the sweep leaves the lock"
        );
        drop(first);
        BlobStore::open(dir.path()).unwrap();
    }

    #[test]
    fn memory_holds_read_files_within_the_budget_and_frees_them_with_the_blob() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let small = store.put(&[1; 1000]).unwrap();
        let large = store.put(&vec![2; LARGEST_IN_MEMORY + 1]).unwrap();
        small.read().unwrap();
        large.read().unwrap();
        assert!(small.bytes.get().is_some() && large.bytes.get().is_none());
        assert_eq!(store.shared.in_memory.load(Ordering::Acquire), 1000);
        drop(small);
        assert_eq!(store.shared.in_memory.load(Ordering::Acquire), 0);
    }
}
