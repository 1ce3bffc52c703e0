//! The build pipeline: load and check the site, render it and index it into temporary siblings
//! of the output, then swap them in only when everything succeeded. Content with errors is
//! refused before anything is written, unless the build is told to keep going.

use crate::config::{Config, OnError};
use crate::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::render::output::DiskOutput;
use crate::render::{RenderError, RenderOptions, RenderStats, Renderer};
use crate::site::Site;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("content folder {0} does not exist")]
    NoContent(PathBuf),
    /// The content has errors and the build was not told to keep going: nothing was written.
    #[error("{} errors in the content, the first at {}", .0.errors(), first_error(.0).map_or_else(String::new, Diagnostic::location))]
    ContentErrors(Diagnostics),
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Render(Vec<RenderError>),
    #[error("search index: {0}")]
    Index(#[from] crate::search::index::IndexError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a build produced.
pub struct BuildReport {
    pub site: Site,
    pub stats: RenderStats,
    pub diagnostics: Diagnostics,
    pub out_dir: PathBuf,
    pub index_dir: PathBuf,
    pub elapsed: Duration,
}

/// Where the search index of an output folder lives: beside it, never inside what a web
/// server publishes.
pub fn index_dir_for(out_dir: &Path) -> PathBuf {
    let name = out_dir
        .file_name()
        .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
    out_dir.with_file_name(format!("{name}-index"))
}

/// The first error of sorted diagnostics: what a summary names.
pub fn first_error(diagnostics: &Diagnostics) -> Option<&Diagnostic> {
    diagnostics.iter().find(|d| d.severity == Severity::Error)
}

/// Loads `root`, checks it, and writes the site to `out_dir` (default: the config's) and the
/// index beside it. The previous output stays whole unless the whole build succeeds. Content
/// with errors is `ContentErrors`, before anything is written, unless `keep_going` or the
/// config's `[build] on_error = "warn"`: then it is built with its broken links marked.
pub fn build(
    root: &Path,
    out_dir: Option<&Path>,
    keep_going: bool,
) -> Result<BuildReport, BuildError> {
    build_with(root, out_dir, keep_going, None)
}

/// [`build`], shipping what operators taught suggest (`learned`) beside the index, where
/// `spravka suggest` reads it.
pub fn build_with(
    root: &Path,
    out_dir: Option<&Path>,
    keep_going: bool,
    learned: Option<&crate::search::learned::Learned>,
) -> Result<BuildReport, BuildError> {
    let started = Instant::now();
    let config = Config::load(root)?;
    let content = root.join(&config.content_dir);
    if !content.is_dir() {
        return Err(BuildError::NoContent(content));
    }
    let out_dir = out_dir.map_or_else(|| root.join(&config.output_dir), Path::to_path_buf);
    let renderer = Renderer::new(root, &config.theme).map_err(|e| BuildError::Render(vec![e]))?;
    let site = Site::load(root, config);
    let diagnostics = crate::check::diagnostics(&site, crate::render::today());
    let keep_going = keep_going || site.config.build.on_error == OnError::Warn;
    if diagnostics.errors() > 0 && !keep_going {
        return Err(BuildError::ContentErrors(diagnostics));
    }

    let staging = prepare_staging(&out_dir)?;
    let options = RenderOptions {
        live_reload: false,
        today: crate::render::today(),
    };
    let index_dir = index_dir_for(&out_dir);
    let index_staging = sibling(&index_dir, "new");
    remove_dir(&index_staging)?;
    // Pages and index need only the site model: build them side by side, so the index
    // writer's serial stretches (segment serialisation, commit) overlap the page rendering.
    let (rendered, indexed) = std::thread::scope(|scope| {
        let index = scope.spawn(|| {
            crate::search::index::write_index(&site, &index_staging)?;
            if let Some(learned) = learned {
                let path = index_staging.join(crate::search::learned::SHIPPED_FILE);
                std::fs::write(&path, learned.to_json()).map_err(|e| {
                    let what = format!("{}: {e}", path.display());
                    crate::search::index::IndexError::Io(std::io::Error::new(e.kind(), what))
                })?;
            }
            Ok::<(), crate::search::index::IndexError>(())
        });
        let out = DiskOutput::staging(&staging);
        let rendered = renderer
            .render(&site, &Renderer::all_jobs(&site), options, &out)
            .and_then(|stats| {
                out.prune().map(|_| stats).map_err(|source| {
                    vec![RenderError::Write {
                        path: staging.display().to_string(),
                        source,
                    }]
                })
            });
        let indexed = index
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rendered, indexed)
    });
    let outcome = match (rendered, indexed) {
        (Ok(stats), Ok(())) => Ok(stats),
        (Err(errors), _) => Err(BuildError::Render(errors)),
        (Ok(_), Err(e)) => Err(e.into()),
    };
    let stats = match outcome {
        Ok(stats) => stats,
        Err(e) => {
            // Whatever failed, the next build starts from an empty folder.
            remove_dir(&staging)?;
            remove_dir(&index_staging)?;
            return Err(e);
        }
    };
    swap_in(&staging, &out_dir, true)?;
    swap_in(&index_staging, &index_dir, false)?;
    Ok(BuildReport {
        site,
        stats,
        diagnostics,
        out_dir,
        index_dir,
        elapsed: started.elapsed(),
    })
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// The folder the site is rendered into: a staging folder left by an interrupted build, else
/// the spare (the output before the current one), else a new folder. Reusing an older output
/// means most files are already right and keep their inodes.
fn prepare_staging(out_dir: &Path) -> Result<PathBuf, BuildError> {
    let staging = sibling(out_dir, "new");
    let spare = sibling(out_dir, "old");
    if !staging.is_dir() {
        remove_dir(&staging)?;
        if spare.is_dir() {
            std::fs::rename(&spare, &staging).map_err(io(&spare))?;
        } else {
            std::fs::create_dir_all(&staging).map_err(io(&staging))?;
        }
    }
    Ok(staging)
}

fn remove_dir(path: &Path) -> Result<(), BuildError> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

/// Replaces `target` with `staging`: old → backup, new → target. Each rename is atomic, so at
/// every moment either the old or the new folder is complete. The backup of a site folder is
/// kept as the spare the next build updates in place; an index backup is removed.
fn swap_in(staging: &Path, target: &Path, keep_backup: bool) -> Result<(), BuildError> {
    let backup = sibling(target, "old");
    remove_dir(&backup)?;
    if target.exists() {
        std::fs::rename(target, &backup).map_err(io(target))?;
    }
    if let Err(e) = std::fs::rename(staging, target) {
        // Put the old output back so that a failed swap loses nothing.
        let _ = std::fs::rename(&backup, target);
        return Err(io(target)(e));
    }
    if keep_backup {
        return Ok(());
    }
    remove_dir(&backup)
}
