//! The large texts a document keeps for later passes (its source, body HTML and plain text):
//! in memory while it is parsed, rendered and indexed, then, in `serve`, moved to a spill file
//! in the cache folder and read back when a later render, index update or warning needs them.
//! At 10,000 pages they were 190 MB of the site model's 386 MB, read only after an edit.
//!
//! Written by hand: the texts are read from several threads behind a shared `Arc<Document>`
//! and moved out once, in place, which an mmap'd or memory-only crate does not do; `pread`
//! on one append-only file is all it takes.

use std::fs::File;
use std::io;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

/// A text in memory, or in a [`SpillFile`].
#[derive(Debug, Default)]
pub struct KeptText(RwLock<Place>);

#[derive(Debug)]
enum Place {
    Memory(String),
    Spilled {
        file: Arc<SpillFile>,
        offset: u64,
        len: usize,
    },
}

impl Default for Place {
    fn default() -> Place {
        Place::Memory(String::new())
    }
}

/// The text, borrowed from memory or read back from its file.
pub struct Text<'a>(Held<'a>);

enum Held<'a> {
    Memory(RwLockReadGuard<'a, Place>),
    Read(String),
}

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            Held::Memory(guard) => match &**guard {
                Place::Memory(text) => text,
                Place::Spilled { .. } => unreachable!("a guard is only kept over text in memory"),
            },
            Held::Read(text) => text,
        }
    }
}

impl std::fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl std::fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&**self, f)
    }
}

impl KeptText {
    pub fn new(text: String) -> KeptText {
        KeptText(RwLock::new(Place::Memory(text)))
    }

    /// The text, or why its spill file could not give it back (an I/O error of the disk).
    pub fn try_read(&self) -> io::Result<Text<'_>> {
        let guard = self.0.read().unwrap_or_else(|e| e.into_inner());
        let (file, offset, len) = match &*guard {
            Place::Memory(_) => return Ok(Text(Held::Memory(guard))),
            Place::Spilled { file, offset, len } => (file.clone(), *offset, *len),
        };
        drop(guard);
        file.read(offset, len)
            .map(|text| Text(Held::Read(text)))
            .map_err(|e| {
                let dir = file.dir.display();
                io::Error::new(
                    e.kind(),
                    format!("a document's text in the spill file in {dir}: {e}"),
                )
            })
    }

    /// The text, for a reader that can do without it: a text that cannot be read back is
    /// logged and reads as empty (a warning without its quoted line, a search document
    /// without its body until the page's next edit). Rendering uses [`KeptText::try_read`].
    pub fn read(&self) -> Text<'_> {
        self.try_read().unwrap_or_else(|e| {
            tracing::error!("cannot read back {e}");
            Text(Held::Read(String::new()))
        })
    }

    /// Moves the text into `file`, unless it is there already (checked under the read lock
    /// first: the texts of the served snapshot are shared with requests' threads).
    pub fn spill(&self, file: &Arc<SpillFile>) -> io::Result<()> {
        if self.is_spilled() {
            return Ok(());
        }
        let mut place = self.0.write().unwrap_or_else(|e| e.into_inner());
        if let Place::Memory(text) = &*place {
            let offset = file.append(text)?;
            *place = Place::Spilled {
                file: file.clone(),
                offset,
                len: text.len(),
            };
        }
        Ok(())
    }

    pub fn is_spilled(&self) -> bool {
        matches!(
            *self.0.read().unwrap_or_else(|e| e.into_inner()),
            Place::Spilled { .. }
        )
    }
}

impl Clone for KeptText {
    fn clone(&self) -> KeptText {
        KeptText::new(self.read().to_string())
    }
}

/// One append-only file of spilled texts, without a name: the system removes it when the
/// last document that points into it is dropped (a full rebuild starts a new one), and a
/// server that dies leaves nothing behind. It only grows while it lives: an edit appends the
/// new texts of the documents it changed.
#[derive(Debug)]
pub struct SpillFile {
    /// The folder it lives in, for messages.
    dir: PathBuf,
    file: File,
    end: Mutex<u64>,
}

impl SpillFile {
    /// A new, empty spill file in `dir` (none on a system without positioned reads: texts
    /// stay in memory there).
    pub fn create_in(dir: &Path) -> io::Result<Arc<SpillFile>> {
        if cfg!(not(unix)) {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "texts are kept in memory on this system",
            ));
        }
        Ok(Arc::new(SpillFile {
            dir: dir.to_path_buf(),
            file: tempfile::tempfile_in(dir)?,
            end: Mutex::new(0),
        }))
    }

    fn append(&self, text: &str) -> io::Result<u64> {
        let mut end = self.end.lock().unwrap_or_else(|e| e.into_inner());
        let offset = *end;
        write_at(&self.file, text.as_bytes(), offset)?;
        *end += text.len() as u64;
        Ok(offset)
    }

    fn read(&self, offset: u64, len: usize) -> io::Result<String> {
        let mut bytes = vec![0; len];
        read_at(&self.file, &mut bytes, offset)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(not(unix))]
fn write_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "texts are kept in memory on this system",
    ))
}

#[cfg(not(unix))]
fn read_at(_: &File, _: &mut [u8], _: u64) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "texts are kept in memory on this system",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spilled_text_reads_back_as_it_was_and_leaves_memory() {
        let dir = tempfile::tempdir().unwrap();
        let file = SpillFile::create_in(dir.path()).unwrap();
        let texts: Vec<KeptText> = ["первый текст", "", "third, ё and all"]
            .into_iter()
            .map(|t| KeptText::new(t.to_string()))
            .collect();
        for t in &texts {
            t.spill(&file).unwrap();
            t.spill(&file).unwrap();
            assert!(t.is_spilled());
        }
        let read: Vec<String> = texts.iter().map(|t| t.read().to_string()).collect();
        assert_eq!(read, ["первый текст", "", "third, ё and all"]);
        assert_eq!(
            file.file.metadata().unwrap().len(),
            ("первый текст".len() + "third, ё and all".len()) as u64,
            "a text already spilled is not written again"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the file has no name"
        );
        assert_eq!(&*texts[0].clone().read(), "первый текст");
    }
}
