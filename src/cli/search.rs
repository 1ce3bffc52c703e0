//! `spravka search` and `spravka suggest`: the search engine from the command line, over the
//! index beside the build output (rebuilt when missing or stale).

use super::RootArg;
use crate::search::learned::Learned;
use crate::search::query::SearchRequest;
use crate::search::SearchEngine;
use crate::site::Site;
use anyhow::Context;
use std::io::Read;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    #[command(flatten)]
    root: RootArg,
    /// Print JSON (the same as GET /api/search).
    #[arg(long)]
    json: bool,
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=50))]
    limit: u16,
    /// Only pages of this section, named by its title as the site shows it (a folder's
    /// README title, else the folder's name; `--json` lists them under `facets`).
    #[arg(long)]
    section: Option<String>,
    /// Only pages with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// What to look for.
    #[arg(required = true)]
    query: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct SuggestArgs {
    #[command(flatten)]
    root: RootArg,
    /// Print JSON (the same as POST /api/suggest).
    #[arg(long)]
    json: bool,
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
    limit: u16,
    /// The ticket text; read from standard input when omitted.
    text: Vec<String>,
}

/// Where the index lives: beside the build output.
fn index_dir(root: &RootArg, config: &crate::config::Config) -> std::path::PathBuf {
    crate::publish::index_dir_for(&root.root.join(&config.output_dir))
}

/// What `spravka build` shipped beside the index of what operators taught suggest; nothing
/// when it shipped none.
fn shipped_learning(root: &RootArg, config: &crate::config::Config) -> anyhow::Result<Learned> {
    let path = index_dir(root, config).join(crate::search::learned::SHIPPED_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Learned::from_json(&text).with_context(|| format!("{}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Learned::default()),
        Err(e) => Err(anyhow::Error::new(e).context(path.display().to_string())),
    }
}

/// Loads the site (once its root is known to hold content/) and opens its index, rebuilding
/// it when missing or stale.
fn open(root: &RootArg) -> anyhow::Result<(Site, SearchEngine)> {
    let config = root.config()?;
    let settings = config.suggest.clone();
    let model = crate::search::SuggestModel::load(&root.root)?;
    let site = Site::load(&root.root, config);
    let synonyms = crate::search::load_synonyms(&site).map_err(anyhow::Error::msg)?;
    let index = crate::search::index::open_or_rebuild(&site, &index_dir(root, &site.config))?;
    let engine = SearchEngine::new(index, synonyms)?.with_suggest(settings, model);
    Ok((site, engine))
}

/// What to do when no article fits, as the operator page says it
/// ([`crate::render::escalation_pages`]), none named when the base has neither page.
fn escalation_hint(site: &Site) -> String {
    let existing: Vec<&str> = (crate::render::escalation_pages(site).into_iter().flatten())
        .map(|id| site.pages[id].doc.rel_path.as_str())
        .collect();
    match existing.is_empty() {
        true => "действуйте по регламенту эскалации вашего отдела".to_string(),
        false => format!("действуйте по регламенту: {}", existing.join(" и ")),
    }
}

/// The matched words by field, one line per field that has any.
fn matched_lines(m: &crate::search::suggest::MatchedWords) -> String {
    let mut out = String::new();
    for (name, words) in [
        ("в заголовке", &m.title),
        ("в «Симптомах»", &m.symptoms),
        ("в тексте", &m.body),
    ] {
        if !words.is_empty() {
            out.push_str(&format!("   {name}: {}\n", words.join(", ")));
        }
    }
    out
}

fn plain(snippet: &str) -> String {
    snippet
        .replace("<mark>", "[")
        .replace("</mark>", "]")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

pub fn run_search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let (_, engine) = open(&args.root)?;
    let request = SearchRequest {
        query: args.query.join(" "),
        limit: args.limit.into(),
        section: args.section,
        tag: args.tag,
    };
    let response = engine.search(&request);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        for (i, hit) in response.hits.iter().enumerate() {
            println!(
                "{}. {} ({})\n   {}\n   {}\n",
                i + 1,
                hit.title,
                hit.section,
                hit.url,
                plain(&hit.snippet)
            );
        }
        println!("{} found", response.total);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_suggest(args: SuggestArgs) -> anyhow::Result<ExitCode> {
    let (site, engine) = open(&args.root)?;
    let text = if args.text.is_empty() {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        args.text.join(" ")
    };
    // As `POST /api/suggest` answers an empty `text`: nothing to suggest for is a mistake,
    // not a ticket the base cannot answer.
    anyhow::ensure!(
        !text.trim().is_empty(),
        "the ticket is empty: pass its text as arguments or on standard input"
    );
    let learned = shipped_learning(&args.root, &site.config)?;
    let response = engine.suggest_learning(&text, args.limit.into(), &learned);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(ExitCode::SUCCESS);
    }
    // As the suggest page says it: below the threshold the answer is often listed all the
    // same, so "no article" only when there is none.
    if !response.confident {
        let escalate = escalation_hint(&site);
        if response.suggestions.is_empty() {
            println!("Подходящей статьи нет: {escalate}.\n");
        } else {
            println!("Уверенного совпадения нет: сверьте симптомы статей ниже с обращением; если ни одна не подходит, {escalate}.\n");
            println!("Возможно, близкие статьи:");
        }
    }
    for (i, s) in response.suggestions.iter().enumerate() {
        let heading = s.heading.as_ref().map_or(String::new(), |h| {
            format!(
                "   больше всего совпадений в разделе «{}»: {}\n",
                h.title, h.url
            )
        });
        println!(
            "{}. {}  [{:.0} %]\n   {}\n{heading}   {}\n{}",
            i + 1,
            s.hit.title,
            s.probability * 100.0,
            s.hit.path,
            plain(&s.hit.snippet),
            matched_lines(&s.matched)
        );
    }
    Ok(ExitCode::SUCCESS)
}
