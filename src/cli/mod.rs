//! Subcommands, each a thin layer over the library: parse flags, call, print, exit code.

mod build;
mod check;
mod feedback;
mod new;
mod report;
mod search;
mod serve;
mod tune;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "spravka",
    version,
    about = "Markdown knowledge base → cross-linked site, search and ticket suggestions"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the static site and the search index.
    Build(build::Args),
    /// Check content/ for broken links, stale documents and template problems.
    Check(check::Args),
    /// Serve the site and the API, rebuilding on every change.
    Serve(serve::Args),
    /// Create a document from the department's template.
    New(new::Args),
    /// Search the knowledge base.
    Search(search::SearchArgs),
    /// Suggest the articles that answer a support ticket.
    Suggest(search::SuggestArgs),
    /// Refit suggest's ranking, its intent, scope and article models and its confidence model
    /// on your own labelled tickets.
    Tune(tune::Args),
    /// Import or export operators' feedback (JSON lines).
    Feedback(feedback::Args),
    /// What operators could not find, and how they judged the articles: the writers' report.
    Report(report::Args),
}

/// The site root: the folder holding spravka.toml and content/.
#[derive(Debug, clap::Args)]
pub struct RootArg {
    /// Site root (holds spravka.toml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SPRAVKA_LOG")
        .unwrap_or_else(|_| "warn,spravka=info".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(use_color())
        .with_writer(std::io::stderr)
        .try_init();
}

impl Command {
    /// Whether the command may die of SIGPIPE when its output pipe closes: it opens no
    /// socket (no database, no server), so the signal can only come from its output.
    pub fn pipes_quietly(&self) -> bool {
        match self {
            Command::Check(_)
            | Command::New(_)
            | Command::Search(_)
            | Command::Suggest(_)
            | Command::Tune(_) => true,
            Command::Build(_) | Command::Serve(_) | Command::Feedback(_) | Command::Report(_) => {
                false
            }
        }
    }
}

impl RootArg {
    /// The site's configuration, once the root is known to hold its content folder. Every
    /// command that reads or writes a site starts here: run in the wrong folder, a command
    /// would otherwise index, serve or report on an empty base and leave its files there
    /// (an index, a cache, a feedback database) instead of saying where it looked.
    pub fn config(&self) -> anyhow::Result<crate::config::Config> {
        let config = crate::config::Config::load(&self.root)?;
        self.holds_content(&config)?;
        Ok(config)
    }

    /// That the root holds `config`'s content folder, or where it looked.
    pub fn holds_content(&self, config: &crate::config::Config) -> anyhow::Result<()> {
        let content = self.root.join(&config.content_dir);
        anyhow::ensure!(
            content.is_dir(),
            "content folder {} does not exist: run spravka in the site's folder (the one \
             holding content/ and spravka.toml) or pass --root",
            content.display()
        );
        Ok(())
    }
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Check(args) => check::run(args),
        Command::Serve(args) => serve::run(args),
        Command::New(args) => new::run(args),
        Command::Search(args) => search::run_search(args),
        Command::Suggest(args) => search::run_suggest(args),
        Command::Tune(args) => tune::run(args),
        Command::Feedback(args) => feedback::run(args),
        Command::Report(args) => report::run(args),
    }
}

/// Colour diagnostics only for a terminal, and never when NO_COLOR is set.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}
