//! Deterministic seeded generator of a large Russian knowledge base in the department's template (issue 7).
//!
//! `cargo run --release --example gen_corpus -- --docs 10000 --out DIR [--seed N] [--from content] [--flat] [--topical]`
//! writes DIR/content/: folders 1-3 levels deep, each with a README.md index, documents of
//! 3-12 KB with the metadata table, summary, symptoms (typical requests), headings, tables,
//! checklists, code blocks, 3-15 valid relative links in every link style of the seeds, related
//! material and change history. Words are drawn from the real content so search is realistic.
//! `--topical` makes every document about one real article (`topical`) instead of words drawn
//! from the whole vocabulary.
//! `--flat` writes one folder of short articles instead, a fifth of their links broken (`flat`).
//! `--dialect yfm` writes the nested corpus as a Diplodoc/YFM base (`yfm`): includes,
//! variables, notes, cuts, tabs, extensionless, folder, site-absolute and `{#T}` links, ids.

#[path = "gen_corpus/flat.rs"]
mod flat;
#[path = "gen_corpus/topical.rs"]
mod topical;
#[path = "gen_corpus/yfm.rs"]
mod yfm;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// splitmix64: a few lines, fully deterministic across platforms and crate versions, which is
/// all a corpus generator needs (no extra dependency, no statistical quality required).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Args {
    docs: usize,
    out: PathBuf,
    seed: u64,
    from: PathBuf,
    flat: bool,
    topical: bool,
    dialect: Dialect,
}

/// How the nested corpus writes its links and blocks.
#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    /// As the department's seeds do.
    Seeds,
    /// As a Diplodoc/YFM base does (`yfm`).
    Yfm,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        docs: 1000,
        out: PathBuf::new(),
        seed: 7,
        from: Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        flat: false,
        topical: false,
        dialect: Dialect::Seeds,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--flat" {
            args.flat = true;
            continue;
        }
        if flag == "--topical" {
            args.topical = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--docs" => args.docs = value.parse().map_err(|e| format!("--docs: {e}"))?,
            "--out" => args.out = PathBuf::from(value),
            "--seed" => args.seed = value.parse().map_err(|e| format!("--seed: {e}"))?,
            "--from" => args.from = PathBuf::from(value),
            "--dialect" if value == "yfm" => args.dialect = Dialect::Yfm,
            "--dialect" if value == "seeds" => args.dialect = Dialect::Seeds,
            _ => return Err(format!("unknown flag {flag} {value}")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err(
            "usage: gen_corpus --docs N --out DIR [--seed N] [--from CONTENT] [--flat] [--topical] [--dialect yfm]".into(),
        );
    }
    Ok(args)
}

/// The markdown files under `from`, sorted.
fn markdown_files(from: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![from.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The lowercase Cyrillic words of at least three letters in `text`, in order.
fn cyrillic_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphabetic())
        .map(str::to_lowercase)
        .filter(|word| {
            word.chars().count() >= 3 && word.chars().all(|c| ('а'..='я').contains(&c) || c == 'ё')
        })
}

/// Lowercase Cyrillic words of the real content, sorted and deduplicated.
fn vocabulary(from: &Path) -> Result<Vec<String>, String> {
    let mut words = BTreeSet::new();
    for file in markdown_files(from)? {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        words.extend(cyrillic_words(&text));
    }
    if words.len() < 100 {
        return Err(format!("too few words in {}", from.display()));
    }
    Ok(words.into_iter().collect())
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A folder: its path components below content/.
struct Folder {
    parts: Vec<String>,
}

/// A planned document: everything another document needs to link to it.
struct Doc {
    folder: usize,
    title: String,
    headings: Vec<String>,
    typical: bool,
    /// `--topical`: the article it is about (`topical`).
    topic: Option<usize>,
}

impl Doc {
    fn file(&self) -> String {
        format!("{}.md", self.title)
    }
}

fn words(rng: &mut Rng, vocab: &[String], n: usize) -> String {
    (0..n)
        .map(|_| rng.pick(vocab).as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Between `lo` and `hi` words, capitalised.
fn phrase(rng: &mut Rng, vocab: &[String], lo: usize, hi: usize) -> String {
    let n = rng.range(lo, hi);
    capitalize(&words(rng, vocab, n))
}

fn sentence(rng: &mut Rng, vocab: &[String]) -> String {
    let n = rng.range(5, 12);
    format!("{}.", capitalize(&words(rng, vocab, n)))
}

fn paragraph(rng: &mut Rng, vocab: &[String]) -> String {
    let n = rng.range(1, 3);
    (0..n)
        .map(|_| sentence(rng, vocab))
        .collect::<Vec<_>>()
        .join(" ")
}

fn plan_folders(rng: &mut Rng, vocab: &[String], docs: usize) -> Vec<Folder> {
    let top = (docs / 250).clamp(2, 40);
    let mut folders = Vec::new();
    for i in 0..top {
        let name = format!("Раздел {:02} {}", i + 1, words(rng, vocab, 2));
        folders.push(Folder {
            parts: vec![name.clone()],
        });
        for j in 0..rng.range(1, 4) {
            let sub = format!("{} {}", capitalize(rng.pick(vocab).as_str()), j + 1);
            folders.push(Folder {
                parts: vec![name.clone(), sub.clone()],
            });
            if rng.below(2) == 0 {
                let leaf = format!(
                    "{} {}",
                    capitalize(rng.pick(vocab).as_str()),
                    rng.pick(vocab)
                );
                folders.push(Folder {
                    parts: vec![name.clone(), sub, leaf],
                });
            }
        }
    }
    folders
}

fn plan_docs(rng: &mut Rng, vocab: &[String], docs: usize, folders: usize) -> Vec<Doc> {
    (0..docs)
        .map(|i| {
            let typical = rng.below(3) != 0;
            let title = format!(
                "{} {} {}",
                capitalize(rng.pick(vocab).as_str()),
                words(rng, vocab, 2),
                i + 1
            );
            let mut seen = BTreeSet::new();
            let headings = (0..rng.range(2, 4))
                .map(|_| phrase(rng, vocab, 1, 3))
                .filter(|h| seen.insert(h.to_lowercase()))
                .collect();
            Doc {
                folder: rng.below(folders),
                title,
                headings,
                typical,
                topic: None,
            }
        })
        .collect()
}

/// Relative path from one folder to a file in another, as components joined by `/`.
fn relative(from: &[String], to: &[String], file: &str) -> String {
    let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    if parts.is_empty() {
        // The seeds write `./` before targets in or below the current folder.
        parts.push(".");
    }
    parts.extend(to[common..].iter().map(String::as_str));
    parts.push(file);
    parts.join("/")
}

/// One link in one of the seeds' styles: percent-encoded, `<raw spaces>`, or plain raw spaces.
fn link(rng: &mut Rng, text: &str, path: &str, anchor: Option<&str>) -> String {
    let fragment = anchor.map(|a| format!("#{a}")).unwrap_or_default();
    match rng.below(4) {
        0 | 1 => format!("[{text}]({}{fragment})", path.replace(' ', "%20")),
        2 => format!("[{text}](<{path}{fragment}>)"),
        _ => format!("[{text}]({path}{fragment})"),
    }
}

/// A link from a document in `here` to `file` in `to`, in the dialect's styles.
#[allow(clippy::too_many_arguments)] // each is one fact of the link
fn doc_link(
    rng: &mut Rng,
    dialect: Dialect,
    text: &str,
    here: &[String],
    to: &[String],
    file: &str,
    anchor: Option<&str>,
) -> String {
    match dialect {
        Dialect::Seeds => link(rng, text, &relative(here, to, file), anchor),
        Dialect::Yfm => yfm::link(rng, text, here, to, file, anchor),
    }
}

fn heading_id(text: &str) -> String {
    text.to_lowercase().replace(' ', "-")
}

fn date(rng: &mut Rng, year: usize) -> String {
    format!("{year}-{:02}-{:02}", rng.range(1, 12), rng.range(1, 28))
}

fn metadata(
    out: &mut String,
    rng: &mut Rng,
    vocab: &[String],
    kind: &str,
    history: &[(String, String)],
) {
    let (version, updated) = history.last().expect("history is never empty");
    let tags = (0..rng.range(2, 4))
        .map(|_| rng.pick(vocab).as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let _ = write!(
        out,
        "## Метаданные документа\n\n| Параметр | Значение |\n|----------|----------|\n\
         | **Версия** | {version} |\n| **Дата создания** | {} |\n| **Дата последнего обновления** | {updated} |\n\
         | **Автор** | База знаний PASS24 |\n| **Ответственный за актуальность** | Руководитель технической поддержки |\n\
         | **Статус** | Актуально |\n| **Тип документа** | {kind} |\n| **Отдел** | Тех. поддержка |\n| **Теги** | {tags} |\n\n---\n\n",
        history[0].1
    );
}

fn history_plan(rng: &mut Rng) -> Vec<(String, String)> {
    (0..rng.range(1, 3))
        .map(|i| (format!("1.{i}"), date(rng, 2024 + i)))
        .collect()
}

fn history_table(out: &mut String, rng: &mut Rng, vocab: &[String], history: &[(String, String)]) {
    out.push_str("## История изменений\n\n| Версия | Дата | Автор | Изменения |\n|--------|------|-------|-----------|\n");
    for (version, day) in history {
        let _ = writeln!(
            out,
            "| {version} | {day} | База знаний PASS24 | {} |",
            capitalize(&words(rng, vocab, 4))
        );
    }
}

fn render_doc(
    rng: &mut Rng,
    vocab: &[String],
    dialect: Dialect,
    (folders, docs): (&[Folder], &[Doc]),
    me: usize,
) -> String {
    let doc = &docs[me];
    let here = &folders[doc.folder].parts;
    let history = history_plan(rng);
    let kind = if doc.typical {
        "Типичный запрос"
    } else {
        "Регламент"
    };
    let mut out = format!("# {}\n\n", doc.title);
    metadata(&mut out, rng, vocab, kind, &history);
    let _ = write!(
        out,
        "## Краткое описание\n\n{}\n\n---\n\n",
        paragraph(rng, vocab)
    );
    if dialect == Dialect::Yfm {
        out.push_str(&yfm::blocks(rng, vocab, here, me));
    }
    if doc.typical {
        out.push_str("## Симптомы\n\n");
        for _ in 0..rng.range(3, 6) {
            let _ = writeln!(out, "- «{}»", phrase(rng, vocab, 4, 9));
        }
        out.push_str("\n---\n\n## Возможные причины\n\n");
        for _ in 0..rng.range(2, 5) {
            let _ = writeln!(out, "- {}", phrase(rng, vocab, 4, 9));
        }
        out.push_str("\n---\n\n## Решение\n\n");
        for i in 1..=rng.range(3, 6) {
            let _ = writeln!(out, "{i}. {}", sentence(rng, vocab));
        }
        let _ = write!(
            out,
            "\n---\n\n## Когда эскалировать\n\n- {}\n\n---\n\n",
            phrase(rng, vocab, 5, 10)
        );
    }
    // Links: 3-15 per document, spread over the body and «Связанные материалы».
    let mut links: Vec<String> = (0..rng.range(3, 15))
        .map(|_| {
            let target = rng.below(docs.len());
            let to = &docs[target];
            let to_parts = &folders[to.folder].parts;
            match rng.below(6) {
                0 => doc_link(rng, dialect, "раздел", here, to_parts, "README.md", None),
                1 | 2 if !to.headings.is_empty() => {
                    let h = rng.pick(&to.headings).clone();
                    if target == me {
                        link(rng, &h, "", Some(&heading_id(&h)))
                    } else {
                        let id = heading_id(&h);
                        doc_link(rng, dialect, &h, here, to_parts, &to.file(), Some(&id))
                    }
                }
                _ => doc_link(rng, dialect, &to.title, here, to_parts, &to.file(), None),
            }
        })
        .collect();
    let related = links.split_off(links.len() / 2);
    let budget = rng.range(2500, 6500);
    let mut headings = doc.headings.iter();
    let mut n = 0;
    while out.len() < budget || n < doc.headings.len() {
        let heading = match headings.next() {
            Some(h) => h.clone(),
            None => format!("{} {n}", capitalize(rng.pick(vocab).as_str())),
        };
        let _ = write!(out, "## {heading}\n\n{}\n\n", paragraph(rng, vocab));
        match n % 4 {
            0 => {
                out.push_str("| Параметр | Значение |\n|----------|----------|\n");
                for _ in 0..rng.range(2, 5) {
                    let _ = writeln!(
                        out,
                        "| {} | {} |",
                        capitalize(rng.pick(vocab).as_str()),
                        words(rng, vocab, 3)
                    );
                }
            }
            1 => {
                for _ in 0..rng.range(3, 6) {
                    let _ = writeln!(out, "- [ ] {}", phrase(rng, vocab, 3, 7));
                }
            }
            2 => {
                let _ = writeln!(
                    out,
                    "```text\nERROR {} code={} object={}\n```",
                    rng.pick(vocab),
                    rng.range(100, 599),
                    rng.range(1000, 99999)
                );
            }
            _ => {
                for i in 1..=rng.range(2, 5) {
                    let _ = writeln!(out, "{i}. {}", sentence(rng, vocab));
                }
            }
        }
        if let Some(l) = links.pop() {
            let _ = write!(out, "\nСм. также: {l}.\n");
        }
        out.push('\n');
        n += 1;
    }
    out.push_str("---\n\n## Связанные материалы\n\n");
    for l in related.iter().chain(&links) {
        let _ = writeln!(out, "- {l}");
    }
    out.push_str("\n---\n\n");
    history_table(&mut out, rng, vocab, &history);
    out
}

fn render_readme(
    rng: &mut Rng,
    vocab: &[String],
    dialect: Dialect,
    (folders, docs): (&[Folder], &[Doc]),
    me: usize,
) -> String {
    let here: &[String] = folders.get(me).map_or(&[], |f| &f.parts);
    let title = here
        .last()
        .cloned()
        .unwrap_or_else(|| "База знаний технической поддержки".into());
    let history = history_plan(rng);
    let mut out = format!("# {title}\n\n");
    metadata(&mut out, rng, vocab, "Указатель раздела", &history);
    let _ = write!(
        out,
        "## Краткое описание\n\n{}\n\n---\n\n## Подразделы\n\n",
        paragraph(rng, vocab)
    );
    for f in folders
        .iter()
        .filter(|f| f.parts.len() == here.len() + 1 && f.parts.starts_with(here))
    {
        let name = f.parts.last().expect("subfolder has a name");
        let _ = writeln!(
            out,
            "- {}",
            doc_link(rng, dialect, name, here, &f.parts, "README.md", None)
        );
    }
    out.push_str("\n## Документы\n\n");
    for d in docs.iter().filter(|d| folders[d.folder].parts == here) {
        let _ = writeln!(
            out,
            "- {}",
            doc_link(rng, dialect, &d.title, here, here, &d.file(), None)
        );
    }
    out.push_str("\n---\n\n");
    history_table(&mut out, rng, vocab, &history);
    out
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let vocab = vocabulary(&args.from)?;
    let mut rng = Rng(args.seed);
    let root = args.out.join("content");
    if root.exists() {
        std::fs::remove_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    }
    if args.flat {
        flat::generate(&mut rng, &vocab, args.docs, &root)?;
    } else {
        let topics = if args.topical {
            topical::topics(&args.from, &vocab)?
        } else {
            vec![]
        };
        nested(&mut rng, (&vocab, &topics), args.docs, args.dialect, &root)?;
    }
    let synonyms = std::fs::read(args.from.join("synonyms.toml"))
        .map_err(|e| format!("synonyms.toml: {e}"))?;
    std::fs::write(root.join("synonyms.toml"), synonyms)
        .map_err(|e| format!("synonyms.toml: {e}"))?;
    println!("{} documents under {}", args.docs, root.display());
    Ok(())
}

/// Folders 1-3 levels deep with a README each, every link resolving.
fn nested(
    rng: &mut Rng,
    (vocab, topics): (&[String], &[topical::Topic]),
    n: usize,
    dialect: Dialect,
    root: &Path,
) -> Result<(), String> {
    let folders = plan_folders(rng, vocab, n);
    let mut docs = plan_docs(rng, vocab, n, folders.len());
    if !topics.is_empty() {
        topical::assign(rng, topics, &mut docs);
    }
    let dir = |parts: &[String]| parts.iter().fold(root.to_path_buf(), |p, s| p.join(s));
    let plan = (folders.as_slice(), docs.as_slice());
    if dialect == Dialect::Yfm {
        yfm::shared_files(rng, vocab, &folders, root)?;
    }
    for me in 0..docs.len() {
        let words = docs[me].topic.map_or(vocab, |t| &topics[t].words);
        let text = render_doc(rng, words, dialect, plan, me);
        write(
            &dir(&folders[docs[me].folder].parts).join(docs[me].file()),
            &text,
        )?;
    }
    for (me, folder) in folders.iter().enumerate() {
        write(
            &dir(&folder.parts).join("README.md"),
            &render_readme(rng, vocab, dialect, plan, me),
        )?;
    }
    write(
        &root.join("README.md"),
        &render_readme(rng, vocab, dialect, plan, usize::MAX),
    )?;
    println!("{} folders", folders.len() + 1);
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("gen_corpus: {e}");
        std::process::exit(2);
    }
}
