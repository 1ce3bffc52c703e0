//! The `spravka` command line: parses arguments and hands over to `cli::<command>`.

use clap::Parser;
use std::process::ExitCode;

/// Building a site allocates and frees many page-sized strings from two threads; glibc's
/// allocator spent a fifth of build time in malloc/free and re-zeroing returned pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
