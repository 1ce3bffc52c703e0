//! spravka: a support department's markdown knowledge base as a fast, cross-linked static
//! site, a search index, and ticket → article suggestions. See ARCHITECTURE.md for the map.

pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod diagnostics;
pub mod feedback;
pub mod fingerprint;
pub mod publish;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod site;
#[cfg(test)]
mod testing;
pub mod text;
