//! Times each phase of a build in-process, to see where build time goes before profiling:
//! `cargo run --release --example phases -- ROOT [--no-index]`. Pages render into memory,
//! so disk speed is left out.

use spravka::render::{output::MemoryOutput, Job, RenderOptions, Renderer};
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let root = std::path::PathBuf::from(args.get(1).map_or(".", String::as_str));
    let clock = Instant::now();
    let config = spravka::config::Config::load(&root)?;
    let renderer = Renderer::new(&root, &config.theme)?;
    let site = spravka::site::Site::load(&root, config);
    println!("load ({} pages): {:?}", site.pages.len(), clock.elapsed());
    let clock = Instant::now();
    let today = spravka::render::today();
    let diagnostics = spravka::check::diagnostics(&site, today);
    println!(
        "check ({} diagnostics): {:?}",
        diagnostics.0.len(),
        clock.elapsed()
    );
    let options = RenderOptions {
        live_reload: false,
        today,
    };
    let (feeds, rest): (Vec<Job>, Vec<Job>) = Renderer::all_jobs(&site)
        .into_iter()
        .partition(|j| *j == Job::Feeds);
    for (name, jobs) in [("render pages", rest), ("feeds and client index", feeds)] {
        let clock = Instant::now();
        renderer
            .render(&site, &jobs, options, &MemoryOutput::new())
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        println!("{name}: {:?}", clock.elapsed());
    }
    if !args.iter().any(|a| a == "--no-index") {
        let clock = Instant::now();
        spravka::search::index::build_in_ram(&site)?;
        println!("index: {:?}", clock.elapsed());
    }
    Ok(())
}
