//! Loading content/: walking the folder, reading files, parsing markdown and metadata.
//!
//! Everything here works on one file at a time and knows nothing of other pages; links are
//! only collected. `site` puts the pages together.

pub mod document;
pub mod markdown;
pub mod metadata;
mod rawlinks;
pub mod slug;
pub mod source;
pub mod walk;

pub use document::{parse_document, Document};
pub use markdown::{LinkOutput, MarkdownOptions, Rendered};
pub use walk::{walk, FileKind, SourceFile};
