//! The `spravka` command line: parses arguments and hands over to `cli::<command>`.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spravka::cli::Cli::parse();
    spravka::cli::init_logging();
    match spravka::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
