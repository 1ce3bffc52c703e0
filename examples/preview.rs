//! Times `serve`'s incremental rebuild in-process, phase by phase (debug log), without HTTP:
//! `cargo run --release --example preview -- ROOT FILE [EDITS] [--add | --rename]`, FILE
//! relative to content/. Each edit appends a line to FILE (with `--add`: writes a copy of FILE
//! beside it, then removes it, as two edits; with `--rename`: writes the copy, then renames it
//! back and forth), rebuilds, times the new engine's first search, then writes what was left
//! for after the swap.

use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter("spravka=debug")
        .init();
    let add = std::env::args().any(|a| a == "--add");
    let rename = std::env::args().any(|a| a == "--rename");
    let args: Vec<String> = (std::env::args())
        .filter(|a| a != "--add" && a != "--rename")
        .collect();
    let (Some(root), Some(file)) = (args.get(1), args.get(2)) else {
        anyhow::bail!("usage: preview ROOT FILE [EDITS] [--add | --rename]");
    };
    let edits: usize = args.get(3).map_or(Ok(5), |n| n.parse())?;
    let root = std::path::PathBuf::from(root);
    let cache = tempfile::tempdir()?;
    let clock = Instant::now();
    let (mut builder, mut snapshot) = spravka::serve::Builder::full(&root, cache.path(), 0, true)?;
    println!("full build: {:?}", clock.elapsed());
    let path = root.join("content").join(file);
    let copy = path.with_file_name("Копия для замера.md");
    let renamed = path.with_file_name("Копия для замера, другое имя.md");
    for edit in 0..edits {
        let changed = if rename && edit > 0 {
            let (from, to) = match edit % 2 {
                1 => (&copy, &renamed),
                _ => (&renamed, &copy),
            };
            std::fs::rename(from, to)?;
            vec![from.clone(), to.clone()]
        } else if !add && !rename {
            let text = std::fs::read_to_string(&path)?;
            std::fs::write(&path, format!("{text}\nПравка {edit}.\n"))?;
            vec![path.clone()]
        } else if edit % 2 == 0 {
            std::fs::copy(&path, &copy)?;
            vec![copy.clone()]
        } else {
            std::fs::remove_file(&copy)?;
            vec![copy.clone()]
        };
        let clock = Instant::now();
        let next = builder.incremental(&snapshot, &changed)?;
        let swapped = clock.elapsed();
        let request = spravka::search::SearchRequest {
            query: "пропуск".into(),
            limit: 8,
            section: None,
            tag: None,
        };
        let searched = Instant::now();
        next.engine.search(&request);
        let first_search = searched.elapsed();
        let done = builder.finish(&next)?;
        println!(
            "edit {edit}: swapped in {swapped:?}, feeds written at {:?}, first search {first_search:?}",
            clock.elapsed()
        );
        snapshot = done.unwrap_or(next);
        builder.collect_garbage();
    }
    for made in [&copy, &renamed] {
        if made.exists() {
            std::fs::remove_file(made)?;
        }
    }
    Ok(())
}
