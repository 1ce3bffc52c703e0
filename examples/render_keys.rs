//! How long keying every render job takes (what `serve` does after each edit to find the jobs
//! to render again): the per-page cards, then one context per job, hashed.
//!
//! cargo run --release --example render_keys -- ROOT [--runs 30]

use spravka::config::Config;
use spravka::render::context::RenderEnv;
use spravka::render::keys::JobKeys;
use spravka::render::{RenderOptions, Renderer};
use spravka::site::Site;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(args.get(1).map_or(".", String::as_str));
    let runs: usize = match args.iter().position(|a| a == "--runs") {
        Some(i) => args[i + 1].parse()?,
        None => 30,
    };
    let site = Site::load(&root, Config::load(&root)?);
    let jobs = Renderer::all_jobs(&site);
    let options = RenderOptions {
        live_reload: true,
        today: spravka::render::today(),
    };
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let env = RenderEnv::new(&site, options.today, site.config.local_links);
            std::hint::black_box(JobKeys::compute(&env, &jobs, options));
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "{} jobs of {} pages keyed: p50 {:.1?}, min {:.1?}, max {:.1?} over {runs} runs",
        jobs.len(),
        site.pages.len(),
        times[runs / 2],
        times[0],
        times[runs - 1]
    );
    Ok(())
}
