//! What the search box of a site on a plain static host transfers per query, measured in a
//! real browser (headless chromium through chromedriver, a fresh profile per query, so nothing
//! comes from the cache), with the site served by `python3 -m http.server` (no compression).
//!
//!     cargo run --release --example static_search -- --site DIR [--query TEXT]...
//!
//! DIR is the output of `spravka build`. Prints, per query, the parts of `search/` the client
//! loaded, the bytes they took on the wire (headers included) and the first result's title.

#[path = "../tests/webdriver/mod.rs"]
mod webdriver;

use fantoccini::Locator;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const QUERIES: [&str; 6] = [
    "шлагбаум не открывается",
    "shlagbaum",
    "ikfu,fev",
    "пропуск для такси",
    "приложение не запускается android",
    "прил",
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .zip(args.iter().skip(1))
            .filter(|(a, _)| *a == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let site = PathBuf::from(
        value("--site")
            .pop()
            .ok_or_else(|| anyhow::anyhow!("--site DIR (a built site) is required"))?,
    );
    let mut queries = value("--query");
    if queries.is_empty() {
        queries = QUERIES.iter().map(|q| q.to_string()).collect();
    }
    let (chromedriver, chromium) = webdriver::browser_or_skip("static_search")
        .ok_or_else(|| anyhow::anyhow!("chromium and chromedriver are needed"))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .current_dir(&site)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    std::thread::sleep(Duration::from_millis(500));
    let runtime = tokio::runtime::Runtime::new()?;
    println!("| query | parts loaded | transferred | first result |\n|---|---|---|---|");
    let mut worst = 0.0f64;
    for query in &queries {
        // A new chromium per query: its profile, and so its cache, is fresh.
        let driver = webdriver::Driver::start(&chromedriver, chromium.clone());
        let (parts, bytes, first) = runtime.block_on(async {
            let c = driver.session().await;
            c.goto(&format!("http://127.0.0.1:{port}/")).await.unwrap();
            // The site's own server API is absent here: the box falls back to the client.
            let input = c.find(Locator::Id("search-input")).await.unwrap();
            input.click().await.unwrap();
            input.send_keys(query).await.unwrap();
            let first = webdriver::wait_js(
                &c,
                &format!("static results for {query:?}"),
                "const t = document.querySelector('#search-results [role=option] .sr-title');
                 const mode = document.querySelector('#search-results .search-mode');
                 return mode && mode.textContent && t && t.textContent;",
            )
            .await;
            let loaded = webdriver::js(
                &c,
                "const r = performance.getEntriesByType('resource')
                     .filter(e => e.name.includes('/search/'));
                 return [r.length, r.reduce((s, e) => s + e.transferSize, 0)];",
            )
            .await;
            c.close().await.unwrap();
            (loaded[0].clone(), loaded[1].as_f64().unwrap_or(0.0), first)
        });
        worst = worst.max(bytes);
        println!(
            "| {query} | {parts} | {:.1} KB | {} |",
            bytes / 1024.0,
            first.as_str().unwrap_or("—")
        );
    }
    println!("\nworst query: {:.1} KB", worst / 1024.0);
    server.kill()?;
    Ok(())
}
