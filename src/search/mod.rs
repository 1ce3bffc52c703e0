//! Search: the Russian analyzer, the tantivy index, search-as-you-type and ticket suggestions.

pub mod analyzer;
pub mod index;
pub mod synonyms;
