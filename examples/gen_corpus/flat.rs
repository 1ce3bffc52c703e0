//! `--flat`: one folder of short articles with a fifth of their links broken, as an imported
//! base looks before anyone has fixed it. Measures what broken links cost a build ("did you
//! mean" for each of them), which the nested corpus, whose links all resolve, never exercises.

use super::{history_plan, history_table, link, metadata, paragraph, phrase, sentence, write, Rng};
use std::fmt::Write as _;
use std::path::Path;

/// The share of links that point nowhere, in percent.
const BROKEN_PERCENT: usize = 20;

/// Titles of `docs` articles, unique (the number keeps them apart), and a twentieth as many
/// titles of articles that were deleted: links to them repeat across the base, as links to a
/// removed page do.
fn titles(rng: &mut Rng, vocab: &[String], docs: usize) -> (Vec<String>, Vec<String>) {
    let mut title = |i: usize| format!("{} {}", phrase(rng, vocab, 2, 4), i + 1);
    let live = (0..docs).map(&mut title).collect();
    let deleted = (docs..docs + (docs / 20).max(1)).map(title).collect();
    (live, deleted)
}

/// A title with one typo: a letter dropped or two neighbours swapped.
fn misspelt(rng: &mut Rng, title: &str) -> String {
    let mut chars: Vec<char> = title.chars().collect();
    let i = rng.below(chars.len() - 1);
    if rng.below(2) == 0 {
        chars.remove(i);
    } else {
        chars.swap(i, i + 1);
    }
    chars.into_iter().collect()
}

/// One link of an article: to a live article, or (one in five) to a deleted one or a misspelt
/// live one.
fn flat_link(rng: &mut Rng, live: &[String], deleted: &[String]) -> String {
    let target = rng.pick(live).clone();
    let path = if rng.below(100) >= BROKEN_PERCENT {
        target.clone()
    } else if rng.below(2) == 0 {
        rng.pick(deleted).clone()
    } else {
        misspelt(rng, &target)
    };
    link(rng, &target, &format!("./{path}.md"), None)
}

fn article(
    rng: &mut Rng,
    vocab: &[String],
    title: &str,
    live: &[String],
    deleted: &[String],
) -> String {
    let history = history_plan(rng);
    let mut out = format!("# {title}\n\n");
    metadata(&mut out, rng, vocab, "Типичный запрос", &history);
    let _ = write!(
        out,
        "## Краткое описание\n\n{}\n\n## Решение\n\n",
        paragraph(rng, vocab)
    );
    for i in 1..=rng.range(2, 4) {
        let _ = writeln!(out, "{i}. {}", sentence(rng, vocab));
    }
    out.push_str("\n## Связанные материалы\n\n");
    for _ in 0..rng.range(5, 10) {
        let _ = writeln!(out, "- {}", flat_link(rng, live, deleted));
    }
    out.push('\n');
    history_table(&mut out, rng, vocab, &history);
    out
}

/// Writes `docs` short articles and a README listing them into `root` (content/).
pub fn generate(rng: &mut Rng, vocab: &[String], docs: usize, root: &Path) -> Result<(), String> {
    let (live, deleted) = titles(rng, vocab, docs);
    let mut readme = String::from("# База знаний технической поддержки\n\n## Статьи\n\n");
    for title in &live {
        let text = article(rng, vocab, title, &live, &deleted);
        write(&root.join(format!("{title}.md")), &text)?;
        let _ = writeln!(
            readme,
            "- {}",
            link(rng, title, &format!("./{title}.md"), None)
        );
    }
    write(&root.join("README.md"), &readme)
}
