//! `spravka new`: a document from the department's template.

use super::RootArg;
use crate::scaffold::{create, Kind, Listing};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    root: RootArg,
    /// Section folder inside content/ (default: by kind, «База типичных запросов» or «Регламенты»).
    /// A section with no documents yet is made, with a README.md that lists the new one.
    #[arg(long = "in")]
    section: Option<String>,
    #[arg(long, value_enum)]
    kind: Option<Kind>,
    /// The document's title, which is also its file name.
    title: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    refuse_a_content_folder(&args.root)?;
    let kind = args.kind.unwrap_or(match &args.section {
        Some(s) if s.to_lowercase().contains("регламент") => Kind::Regulation,
        _ => Kind::Typical,
    });
    let section = args.section.unwrap_or_else(|| match kind {
        Kind::Typical => "База типичных запросов".into(),
        Kind::Regulation => "Регламенты".into(),
    });
    match create(
        &args.root.root,
        &args.title.join(" "),
        &section,
        kind,
        crate::render::today(),
    ) {
        Ok(created) => {
            println!("created {}", created.path.display());
            println!("url     {}", created.url);
            report_listing(&created.listing);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `new` makes content/ in a new site, so a missing content folder is no mistake in itself;
/// but run inside content/ itself, it would make a second content/ in the first, and a
/// document no build reads. Refused only on that sign: the folder is its parent's content
/// folder (a new site's folder, or a repository holding only a README, is not).
fn refuse_a_content_folder(root: &RootArg) -> anyhow::Result<()> {
    let config = crate::config::Config::load(&root.root)?;
    if root.root.join(&config.content_dir).is_dir() {
        return Ok(());
    }
    let here = std::path::absolute(&root.root)?;
    let site = here.ancestors().skip(1).find(|parent| {
        let config = crate::config::Config::load(parent).unwrap_or_default();
        parent.join(&config.content_dir) == here
    });
    match site {
        Some(site) => anyhow::bail!(
            "{} is the content folder of the site in {}: run spravka new there, or pass --root",
            here.display(),
            site.display()
        ),
        None => Ok(()),
    }
}

/// Says where readers will find the document, and so that a new section was made on purpose:
/// a mistyped `--in` shows here, beside the sections that do exist.
fn report_listing(listing: &Listing) {
    match listing {
        Listing::Updated(readme) => println!("listed in {}", readme.display()),
        Listing::NewSection { readme, siblings } => {
            let dir = readme.parent().unwrap_or(readme);
            println!(
                "new section: {} did not exist; made it, listed in {}",
                dir.display(),
                readme.display()
            );
            if !siblings.is_empty() {
                println!(
                    "existing sections beside it: {} (move the files if you meant one of them)",
                    siblings.join(", ")
                );
            }
        }
        Listing::NoSectionPage(dir) => println!(
            "not listed: {} has no README.md to list it in; link the document from a page \
             of the section, or `spravka check` reports it as an orphan",
            dir.display()
        ),
    }
}
