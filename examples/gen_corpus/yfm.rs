//! `--dialect yfm`: the nested corpus as a Diplodoc/YFM base writes it. Every document gets a
//! note with a variable, a cut, tabs, an include of a shared fragment and a paragraph with a
//! custom id linked from its own page; its links mix the seeds' styles with extensionless,
//! folder, site-absolute and `[{#T}](…)` ones. `_includes/` holds the fragments (some nested,
//! each with a link relative to its own folder); `presets.yaml` at the root and in each
//! top-level folder gives the variables. Every link resolves and every variable has a value.

use super::{paragraph, relative, sentence, write, Folder, Rng};
use std::fmt::Write as _;
use std::path::Path;

/// Shared fragments in `_includes/`; every fifth includes the next one.
const FRAGMENTS: usize = 20;

/// One link in one of the YFM base's styles (or the seeds').
pub fn link(
    rng: &mut Rng,
    text: &str,
    here: &[String],
    to: &[String],
    file: &str,
    anchor: Option<&str>,
) -> String {
    let fragment = anchor.map(|a| format!("#{a}")).unwrap_or_default();
    let encode = |path: &str| path.replace(' ', "%20");
    let relative_path = relative(here, to, file);
    match rng.below(6) {
        0 => {
            let bare = relative_path.strip_suffix(".md").unwrap_or(&relative_path);
            format!("[{text}]({}{fragment})", encode(bare))
        }
        1 => {
            let mut absolute: Vec<&str> = to.iter().map(String::as_str).collect();
            absolute.push(file);
            format!("[{text}](/{}{fragment})", encode(&absolute.join("/")))
        }
        2 => format!("[{{#T}}]({}{fragment})", encode(&relative_path)),
        3 if file == "README.md" && anchor.is_none() => {
            format!("[{text}]({})", encode(&relative(here, to, "")))
        }
        _ => super::link(rng, text, &relative_path, anchor),
    }
}

/// The YFM blocks of document number `me` in `here`, after its summary.
pub fn blocks(rng: &mut Rng, vocab: &[String], here: &[String], me: usize) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{{% note info %}}\n\nВ {{{{ product }}}}: {}\n\n{{% endnote %}}\n\n",
        sentence(rng, vocab)
    );
    let _ = write!(
        out,
        "{{% cut \"Подробнее\" %}}\n\n{}\n\n{{% endcut %}}\n\n",
        paragraph(rng, vocab)
    );
    let _ = write!(
        out,
        "{{% list tabs %}}\n\n- Android\n\n  {}\n\n- iOS\n\n  {}\n\n{{% endlist %}}\n\n",
        sentence(rng, vocab),
        sentence(rng, vocab)
    );
    let fragment = relative(
        here,
        &["_includes".to_string()],
        &format!("frag{}.md", rng.below(FRAGMENTS)),
    );
    let notitle = if rng.below(2) == 0 { "notitle " } else { "" };
    let _ = write!(
        out,
        "{{% include {notitle}[Общее]({}) %}}\n\n",
        fragment.replace(' ', "%20")
    );
    let _ = write!(
        out,
        "{} {{#yfm-{me}}}\n\nСм. [выше](#yfm-{me}); поддержка {{{{ support.phone }}}}.\n\n---\n\n",
        sentence(rng, vocab)
    );
    out
}

/// `_includes/` and the presets files.
pub fn shared_files(
    rng: &mut Rng,
    vocab: &[String],
    folders: &[Folder],
    root: &Path,
) -> Result<(), String> {
    for k in 0..FRAGMENTS {
        let mut text = format!(
            "# Фрагмент {k}\n\n{{{{ product }}}}: {}\n\nСм. [главную](../README.md).\n",
            paragraph(rng, vocab)
        );
        if k % 5 == 0 && k + 1 < FRAGMENTS {
            let _ = write!(
                text,
                "\n{{% include notitle [далее](frag{}.md) %}}\n",
                k + 1
            );
        }
        write(&root.join("_includes").join(format!("frag{k}.md")), &text)?;
    }
    write(
        &root.join("presets.yaml"),
        "default:\n  product: PASS24.online\n  support:\n    phone: 8 800 000-00-00\n",
    )?;
    for f in folders.iter().filter(|f| f.parts.len() == 1) {
        let text = format!("product = \"PASS24.online: {}\"\n", f.parts[0]);
        write(&root.join(&f.parts[0]).join("presets.toml"), &text)?;
    }
    Ok(())
}
