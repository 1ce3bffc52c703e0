//! Fuzz target: arbitrary text as a ticket → the analyzer, transliteration and keyboard
//! layout fixes, and `suggest` over an in-RAM index of tests/fixtures/basic (built once).
//! Nothing may panic; offsets must slice the input; matched terms are the ticket's words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spravka::search::analyzer::{analyze, normalize};
use spravka::search::SearchEngine;
use spravka::text::translit::{cyrillic_to_latin, fix_keyboard_layout, latin_to_cyrillic};
use std::sync::OnceLock;

fn engine() -> &'static SearchEngine {
    static ENGINE: OnceLock<SearchEngine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/basic");
        let site = spravka::site::Site::load(&root, spravka::config::Config::default());
        assert!(!site.pages.is_empty(), "fixture {} has pages", root.display());
        SearchEngine::new(
            spravka::search::index::build_in_ram(&site).expect("in-RAM index"),
            spravka::search::load_synonyms(&site).expect("fixture synonyms"),
        )
        .expect("engine")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let terms = analyze(&text);
    for (i, t) in terms.iter().enumerate() {
        assert_eq!(t.position as usize, i);
        let written = text
            .get(t.offset_from..t.offset_to)
            .expect("offsets are char boundaries inside the text");
        assert_eq!(normalize(written), t.original);
    }
    // ASCII text has no Russian letter to transliterate: it must come back unchanged.
    let latin = cyrillic_to_latin(&text);
    if text.is_ascii() {
        assert_eq!(latin, text);
    }
    for word in text.split_whitespace().take(64) {
        let _ = fix_keyboard_layout(word);
        let _ = latin_to_cyrillic(word);
    }
    // A matched term is the ticket's text as written, which may span spaces (a plate number
    // written "А 123 ВС 77" is one token), so it is looked for in the whole folded ticket.
    let folded = normalize(&text);
    // Ticket understanding keeps a ticket with words non-empty.
    let problem = spravka::search::ticket::problem_text(&text);
    assert!(analyze(&text).is_empty() || !analyze(&problem).is_empty());
    let _ = spravka::search::ticket::is_procedural(&text);
    let response = engine().suggest(&text, 5);
    assert!(response.suggestions.len() <= 5);
    for s in &response.suggestions {
        assert!((0.0..=1.0).contains(&s.probability), "{}", s.probability);
    }
    for s in &response.suggestions {
        for m in &s.matched_terms {
            let m = normalize(m);
            assert!(
                folded.contains(&m),
                "matched term {m:?} is not a word of the ticket"
            );
        }
    }
});
