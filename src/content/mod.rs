//! Loading content/: walking the folder, reading files, parsing markdown and metadata.
//!
//! Everything here works on one file at a time and knows nothing of other pages; links are
//! only collected. `site` puts the pages together.

mod anchors;
pub mod document;
pub mod include;
pub mod kept;
pub mod markdown;
pub mod metadata;
mod pass;
pub mod paths;
pub mod presets;
mod rawlinks;
mod slots;
pub mod slug;
pub mod source;
pub mod walk;
mod yfm;

pub use document::{parse_document, parse_document_with, Document};
pub use markdown::{MarkdownOptions, Rendered};
pub use slots::LinkOutput;
pub use walk::{walk, FileKind, SourceFile};
