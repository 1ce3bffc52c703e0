//! Fuzz target: arbitrary bytes as a markdown document → parse (metadata, links) → a
//! two-page site (links resolved) → the real renderer into memory. Nothing may panic, and
//! every link of the fuzzed page must come out as an href or a marked broken span.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spravka::config::Config;
use spravka::content::{parse_document, MarkdownOptions};
use spravka::render::output::MemoryOutput;
use spravka::render::{RenderOptions, Renderer};
use spravka::site::{LinkTarget, Site};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A fixed neighbour so relative links, `../` and anchors have something to hit.
const NEIGHBOUR: &str = "# Соседний документ\n\n## Шаги решения\n\n[назад](../README.md)\n";

fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| {
        Renderer::new(std::path::Path::new("/nonexistent"), "default").expect("embedded theme")
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    // Both option sets: raw HTML kept (the default) and escaped.
    for escape_html in [false, true] {
        let options = MarkdownOptions { escape_html };
        let doc = parse_document("README.md", text.clone(), options);
        let neighbour = parse_document("Раздел/Соседний документ.md", NEIGHBOUR.into(), options);
        let site = Site::from_documents(
            Config::default(),
            PathBuf::from("content"),
            vec![Arc::new(doc), Arc::new(neighbour)],
            vec![],
            vec![],
        );
        let page = site.page_by_path("README.md").expect("fuzzed page is in the site");
        assert_eq!(page.links.len(), page.doc.rendered.links.len());
        for target in &page.links {
            assert_eq!(
                site.target_url(target).is_none(),
                matches!(target, LinkTarget::Broken { .. })
            );
        }
        let out = MemoryOutput::new();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid date");
        renderer()
            .render(
                &site,
                &Renderer::all_jobs(&site),
                RenderOptions {
                    live_reload: false,
                    today,
                },
                &out,
            )
            .expect("rendering a parsed site never fails");
        let html = out.get_str("index.html").expect("the fuzzed page is written");
        assert!(html.contains("</html>"), "the page is complete");
    }
});
