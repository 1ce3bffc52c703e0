//! Guards the default knowledge base: the tree of kb-topics.md (a fixture), the seeds byte for
//! byte, every relative link and anchor resolving, every document with its metadata table.
//! Nothing here needs more than the repository itself.

use spravka::config::Config;
use spravka::diagnostics::Code;
use spravka::site::Site;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Lines of a fixture file that are not blank or `#` comments.
fn fixture_lines(name: &str) -> Vec<String> {
    let path = repo().join("tests/fixtures").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// content/ holds exactly the documents of the spec's tree (tests/fixtures/kb-tree.txt,
/// taken from kb-topics.md: 13 fixed files and the 30 typical requests).
#[test]
fn tree_matches_kb_topics() {
    let expected = fixture_lines("kb-tree.txt");
    assert_eq!(expected.len(), 43);
    let site = Site::load(repo(), Config::default());
    let mut actual: Vec<String> = site.pages.iter().map(|p| p.doc.rel_path.clone()).collect();
    actual.sort();
    assert_eq!(actual, expected);
}

/// The user's two seed documents are in content/ byte for byte: their copies there hash as
/// pinned in tests/fixtures/seeds.blake3, and equal the originals in `../shared/seeds` when
/// that folder is beside the repository (it is in the project's own checkout, not in a clone).
#[test]
fn seeds_are_byte_identical() {
    let pinned = fixture_lines("seeds.blake3");
    assert_eq!(pinned.len(), 2);
    let originals = repo().join("../shared/seeds");
    let compare = originals.is_dir();
    for line in &pinned {
        let (hash, seed) = line.split_once("  ").expect("`<blake3>  <path>`");
        let ours = std::fs::read(repo().join("content").join(seed)).unwrap();
        assert_eq!(
            blake3::hash(&ours).to_hex().as_str(),
            hash,
            "content/{seed} is no longer the user's seed"
        );
        if compare {
            let theirs = std::fs::read(originals.join(seed))
                .unwrap_or_else(|e| panic!("{}: {e}", originals.join(seed).display()));
            assert!(
                ours == theirs,
                "content/{seed} differs from ../shared/seeds/{seed}"
            );
        }
    }
    // Written past the test harness's capture, so that `cargo test` shows which it was.
    let line = if compare {
        let originals = originals.canonicalize().unwrap_or(originals);
        format!("seeds: checked against {}\n", originals.display())
    } else {
        "seeds: ../shared/seeds not found beside the repository; checked against the pinned hashes only\n".to_string()
    };
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

#[test]
fn every_link_resolves_and_every_document_has_metadata() {
    let site = Site::load(repo(), Config::default());
    let broken: Vec<String> = site
        .all_diagnostics()
        .filter(|d| {
            matches!(
                d.code,
                Code::BrokenLink
                    | Code::BrokenAnchor
                    | Code::LinkOutsideContent
                    | Code::Unreadable
                    | Code::BadMetadata
            )
        })
        .map(|d| format!("{}: {}", d.location(), d.message))
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
    let without: Vec<&str> = site
        .pages
        .iter()
        .filter(|p| !p.doc.has_metadata)
        .map(|p| p.doc.rel_path.as_str())
        .collect();
    assert!(
        without.is_empty(),
        "documents without a metadata table: {without:?}"
    );
    let typical = site
        .pages
        .iter()
        .filter(|p| p.doc.rel_path.starts_with("База типичных запросов/") && !p.is_index);
    for page in typical {
        for section in spravka::content::document::TYPICAL_SECTIONS {
            assert!(
                page.doc.rendered.section(section).is_some(),
                "{} lacks {section}",
                page.doc.rel_path
            );
        }
        let size = page.doc.source.read().len();
        assert!(
            (2048..=8192).contains(&size),
            "{} is {size} bytes",
            page.doc.rel_path
        );
    }
}
