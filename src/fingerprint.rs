//! Fingerprints compared within one process: what a render job, a page's index document, a
//! link environment or a card was made from, hashed to decide whether to make it again.
//!
//! foldhash with a fixed seed, in one place: SipHash (std's) spent half the time of keying
//! 14,000 render jobs on their strings (BENCHMARKS.md), and the seed must be the same for
//! every fingerprint that is compared with another. Never stored or sent anywhere.

use std::hash::{BuildHasher, Hash};

/// A hasher for a fingerprint built piece by piece.
pub fn hasher() -> foldhash::quality::FoldHasher<'static> {
    foldhash::quality::FixedState::with_seed(0).build_hasher()
}

/// The fingerprint of one value.
pub fn of<T: Hash>(value: T) -> u64 {
    foldhash::quality::FixedState::with_seed(0).hash_one(value)
}
