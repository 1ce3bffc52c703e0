//! serve's index folder: tantivy's memory-mapped directory without fsync. The folder is a
//! cache that `serve` builds afresh at every start (`index::build_in_dir`), so durability
//! buys nothing there, and each commit of one edited page made 20–30 `fdatasync` calls (the
//! segment's files, `.managed.json` once per new file, `meta.json`) of about 0.3 ms each:
//! half of the index's share of a save at 10,000 pages. `spravka build` keeps tantivy's own,
//! durable directory for the index it ships.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// Reads through [`MmapDirectory`]; writes files that are never synced to the disk.
#[derive(Clone, Debug)]
pub struct CacheDirectory {
    mapped: MmapDirectory,
    root: PathBuf,
}

impl CacheDirectory {
    /// The directory of the existing folder `root`.
    pub fn open(root: &Path) -> Result<CacheDirectory, tantivy::TantivyError> {
        Ok(CacheDirectory {
            mapped: MmapDirectory::open(root)?,
            // As `MmapDirectory` resolves paths, so that both name the same files.
            root: root.canonicalize()?,
        })
    }
}

/// A file written without a sync when it is finished.
struct UnsyncedFile(File);

impl Write for UnsyncedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for UnsyncedFile {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for CacheDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.mapped.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.mapped.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.mapped.exists(path)
    }

    /// As [`MmapDirectory`] opens a file for writing (a new file only), without its sync.
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.root.join(path))
            .map_err(|error| match error.kind() {
                io::ErrorKind::AlreadyExists => OpenWriteError::FileAlreadyExists(path.into()),
                _ => OpenWriteError::wrap_io_error(error, path.into()),
            })?;
        Ok(BufWriter::new(Box::new(UnsyncedFile(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.mapped.atomic_read(path)
    }

    /// Readers never see a half-written file: it is written beside its place and renamed
    /// onto it, as tantivy does, only not synced.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let mut temporary = tempfile::Builder::new().tempfile_in(&self.root)?;
        temporary.write_all(data)?;
        temporary.flush()?;
        temporary.persist(self.root.join(path))?;
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.mapped.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.mapped.watch(callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::Count;
    use tantivy::query::AllQuery;
    use tantivy::schema::{Schema, STORED, TEXT};
    use tantivy::{doc, Index, IndexSettings, TantivyDocument};

    #[test]
    fn an_index_written_without_syncs_reads_back_as_tantivy_wrote_it() {
        let folder = tempfile::tempdir().unwrap();
        let mut schema = Schema::builder();
        let title = schema.add_text_field("title", TEXT | STORED);
        let directory = CacheDirectory::open(folder.path()).unwrap();
        let index = Index::create(directory, schema.build(), IndexSettings::default()).unwrap();
        let mut writer = index.writer::<TantivyDocument>(15_000_000).unwrap();
        writer.add_document(doc!(title => "шлагбаум")).unwrap();
        writer.commit().unwrap();
        writer.add_document(doc!(title => "пропуск")).unwrap();
        writer.commit().unwrap();
        writer.wait_merging_threads().unwrap();
        // Opened by tantivy's own directory: every file and `meta.json` are whole.
        let reopened = Index::open_in_dir(folder.path()).unwrap();
        let searcher = reopened.reader().unwrap().searcher();
        assert_eq!(searcher.search(&AllQuery, &Count).unwrap(), 2);
    }

    #[test]
    fn a_file_is_never_written_over_and_an_atomic_write_replaces_one_whole() {
        let folder = tempfile::tempdir().unwrap();
        let directory = CacheDirectory::open(folder.path()).unwrap();
        let mut file = directory.open_write(Path::new("segment.idx")).unwrap();
        file.write_all(b"bytes").unwrap();
        file.terminate().unwrap();
        assert!(matches!(
            directory.open_write(Path::new("segment.idx")),
            Err(OpenWriteError::FileAlreadyExists(_))
        ));
        directory
            .atomic_write(Path::new("meta.json"), b"{}")
            .unwrap();
        directory
            .atomic_write(Path::new("meta.json"), b"[]")
            .unwrap();
        assert_eq!(
            directory.atomic_read(Path::new("meta.json")).unwrap(),
            b"[]"
        );
    }
}
