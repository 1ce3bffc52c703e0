//! Rendering the site model to files: tera templates from the theme, feeds, the client-side
//! search index, static files and assets, all through one `Output`.

mod body;
mod cards;
pub mod client_index;
mod client_pages;
pub mod context;
mod feeds;
mod jobs;
pub mod keys;
pub mod output;
mod reads;
pub mod stats;
pub mod theme;
mod unchanged;

use crate::site::{PageId, SectionId, Site};
use chrono::NaiveDate;
use context::RenderEnv;
use output::Output;
use rayon::prelude::*;
use serde::Serialize;
use std::path::Path;
use tera::{Context, Tera};
use theme::Theme;

use crate::site::urls::STATIC_URL;
pub use crate::site::urls::{OPERATOR_URL, TAGS_URL};
/// The page the operator page links to beside the escalation regulation
/// ([`Site::escalation_regulation`]) when no article fits: how support works.
pub const PROCESS_PAGE: &str = "Процессы технической поддержки.md";

/// What the operator page names when no article fits, those of them the site has: the
/// escalation regulation and [`PROCESS_PAGE`]. `spravka suggest` names the same.
pub fn escalation_pages(site: &Site) -> [Option<PageId>; 2] {
    [
        site.escalation_regulation(),
        site.page_id_by_path(PROCESS_PAGE),
    ]
}

/// The URL of a tag's page (the tag's own, or where it would be when no page carries it).
pub fn tag_url(site: &Site, tag: &str) -> String {
    site.tags.get(tag).map_or_else(
        || crate::site::urls::tag_url(tag, site.config.url_mode),
        |t| t.url.clone(),
    )
}

/// The home page's «recently updated» list: newest update first, ten at most.
pub fn recent_pages(site: &Site) -> Vec<PageId> {
    const SHOWN: usize = 10;
    // Newest first, then by page: keyed after every edit (it reads every page's date), so
    // the ten are selected in one pass rather than all 10,000 sorted.
    let mut dated: Vec<(std::cmp::Reverse<NaiveDate>, PageId)> = (site.pages.iter())
        .enumerate()
        .filter_map(|(id, p)| Some((std::cmp::Reverse(p.doc.meta.updated?), id)))
        .collect();
    if dated.len() > SHOWN {
        dated.select_nth_unstable(SHOWN - 1);
        dated.truncate(SHOWN);
    }
    dated.sort_unstable();
    dated.into_iter().map(|(_, id)| id).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("theme: cannot read {path}: {source}")]
    Theme {
        path: String,
        source: std::io::Error,
    },
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// One unit of output; a full build renders them all, `serve` only the affected ones.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Job {
    Page(PageId),
    /// A folder without README.md still gets a listing page.
    GeneratedSection(SectionId),
    TagIndex,
    Tag(String),
    NotFound,
    Operator,
    Feeds,
    Statics,
    Asset(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    /// Inject the live-reload script (serve only; never in `build` output).
    pub live_reload: bool,
    /// The date that decides which pages are stale.
    pub today: NaiveDate,
}

#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct RenderStats {
    pub pages: usize,
    pub sections: usize,
    pub assets: usize,
    pub files: usize,
}

/// Compiled templates plus the theme's static files; made once, used for every render.
pub struct Renderer {
    tera: Tera,
    theme: Theme,
    /// Each page's part of the client index, reused by the next build while it is the same.
    client_pages: std::sync::Mutex<client_pages::ClientPages>,
}

/// What the server keeps of a ticket, for the operator page's promise: "off", "terms" (its
/// analysed words) or "text" (its masked text too).
pub fn feedback_kept(settings: &crate::config::FeedbackConfig) -> &'static str {
    match (settings.database.trim().is_empty(), settings.store_text) {
        (true, _) => "off",
        (false, false) => "terms",
        (false, true) => "text",
    }
}

/// "Today" for staleness: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock.
pub fn today() -> NaiveDate {
    source_date().unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// The day `SOURCE_DATE_EPOCH` names (UTC), when it is set: what fixes "today" for builds and
/// reports alike.
pub fn source_date() -> Option<NaiveDate> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|d| d.date_naive())
}

fn template_error(name: &str, e: tera::Error) -> RenderError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    RenderError::Template {
        name: name.to_string(),
        message,
    }
}

impl Renderer {
    pub fn new(root: &Path, theme_name: &str) -> Result<Renderer, RenderError> {
        let theme = Theme::load(root, theme_name).map_err(|source| RenderError::Theme {
            path: format!("themes/{theme_name}"),
            source,
        })?;
        Self::from_theme(theme)
    }

    pub fn from_theme(theme: Theme) -> Result<Renderer, RenderError> {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html", ".xml"]);
        // Tera's default escaper also encodes `/`, which turns every href into `..&#x2F;`:
        // valid, but unreadable in page source and in tests. Escape what HTML needs only.
        tera.set_escape_fn(crate::content::markdown::escape_html);
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(n, s)| (n.as_str(), s.as_str())),
        )
        .map_err(|e| template_error("theme", e))?;
        Ok(Renderer {
            tera,
            theme,
            client_pages: Default::default(),
        })
    }

    /// Every job of a full build, in a stable order.
    pub fn all_jobs(site: &Site) -> Vec<Job> {
        let mut jobs: Vec<Job> = (0..site.pages.len()).map(Job::Page).collect();
        jobs.extend(
            site.sections
                .iter()
                .enumerate()
                .filter(|(_, s)| s.index.is_none())
                .map(|(i, _)| Job::GeneratedSection(i)),
        );
        jobs.extend([
            Job::TagIndex,
            Job::NotFound,
            Job::Operator,
            Job::Feeds,
            Job::Statics,
        ]);
        jobs.extend(site.tags.keys().map(|t| Job::Tag(t.clone())));
        jobs.extend((0..site.assets.len()).map(Job::Asset));
        jobs
    }

    /// Renders the given jobs in parallel; every failure is collected, not just the first.
    pub fn render(
        &self,
        site: &Site,
        jobs: &[Job],
        options: RenderOptions,
        out: &dyn Output,
    ) -> Result<RenderStats, Vec<RenderError>> {
        let env = RenderEnv::new(site, options.today, site.config.local_links);
        let errors: Vec<RenderError> = jobs
            .par_iter()
            .filter_map(|job| self.run(&env, job, options, out).err())
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let count = |f: fn(&Job) -> bool| jobs.iter().filter(|j| f(j)).count();
        Ok(RenderStats {
            pages: count(|j| matches!(j, Job::Page(_))),
            sections: site.sections.len(),
            assets: count(|j| matches!(j, Job::Asset(_))),
            files: jobs.len(),
        })
    }

    fn run(
        &self,
        env: &RenderEnv,
        job: &Job,
        options: RenderOptions,
        out: &dyn Output,
    ) -> Result<(), RenderError> {
        let site = env.site;
        let write = |path: &str, bytes: &[u8]| {
            out.write(path, bytes).map_err(|source| RenderError::Write {
                path: path.to_string(),
                source,
            })
        };
        if let Some(template) = jobs::template(site, job) {
            let ctx = Context::from_serialize(env.job_context(job, options))
                .map_err(|e| template_error(template, e))?;
            return write(
                &keys::job_name(site, job),
                self.html(template, &ctx)?.as_bytes(),
            );
        }
        match job {
            Job::Feeds => {
                write("sitemap.xml", feeds::sitemap(site).as_bytes())?;
                write("atom.xml", feeds::atom(site).as_bytes())?;
                let files = {
                    let mut pages = self.client_pages.lock().unwrap_or_else(|e| e.into_inner());
                    client_index::client_index(site, &mut pages)
                };
                for file in files {
                    write(&file.path, &file.bytes)?;
                }
                Ok(())
            }
            Job::Statics => {
                for (name, bytes) in &self.theme.statics {
                    write(
                        &format!("{}{name}", STATIC_URL.trim_start_matches('/')),
                        bytes,
                    )?;
                }
                Ok(())
            }
            Job::Asset(i) => {
                let asset = &site.assets[*i];
                let bytes =
                    std::fs::read(&asset.abs_path).map_err(|source| RenderError::Write {
                        path: asset.rel_path.clone(),
                        source,
                    })?;
                write(asset.url.trim_start_matches('/'), &bytes)
            }
            templated => unreachable!("{templated:?} has a template"),
        }
    }

    fn html(&self, template: &str, ctx: &Context) -> Result<String, RenderError> {
        self.tera
            .render(template, ctx)
            .map_err(|e| template_error(template, e))
    }
}

#[cfg(test)]
mod tests {
    use super::output::{DiskOutput, MemoryOutput};
    use super::*;

    /// The memory and disk modes get exactly the same files from one render.
    #[test]
    fn memory_and_disk_outputs_receive_the_same_site() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let site = Site::load(&root, crate::config::Config::default());
        let renderer = Renderer::new(&root, "default").unwrap();
        let options = RenderOptions {
            live_reload: false,
            today: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        };
        let jobs = Renderer::all_jobs(&site);
        let memory = MemoryOutput::new();
        let stats = renderer.render(&site, &jobs, options, &memory).unwrap();
        assert_eq!(stats.pages, 4);
        let dir = tempfile::tempdir().unwrap();
        renderer
            .render(&site, &jobs, options, &DiskOutput::new(dir.path()))
            .unwrap();
        for path in memory.paths() {
            let on_disk = std::fs::read_to_string(dir.path().join(&path)).unwrap_or_default();
            if path.ends_with(".html") {
                assert_eq!(memory.get_str(&path).unwrap(), on_disk, "{path}");
            }
        }
        let page = memory.get_str("razdel/pervyy-dokument/index.html").unwrap();
        assert!(page.contains("Первый документ") && !page.contains("livereload"));
        let live = MemoryOutput::new();
        renderer
            .render(
                &site,
                &[Job::Page(0)],
                RenderOptions {
                    live_reload: true,
                    ..options
                },
                &live,
            )
            .unwrap();
        assert!(
            live.get_str("index.html")
                .unwrap()
                .contains("/__spravka/livereload.js"),
            "serve mode injects the script"
        );
    }
}
