//! Language utilities shared by `content` (URL slugs) and `search` (query correction).

pub mod translit;
