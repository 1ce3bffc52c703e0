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
