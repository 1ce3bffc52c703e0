//! One typed context per render job, built from the `Site`: the template renders it, and its
//! hash is the job's key (`render::keys`), so a field a template can show is a field that
//! invalidates the job.

use super::context::{Href, Link, ListItem, PageContext, RenderEnv};
use super::reads::Part;
use super::{Job, RenderOptions, OPERATOR_URL, TAGS_URL};
use crate::site::{PageId, SectionId, Site};
use serde::Serialize;
use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// What every template sees: the site's name, where the page is, the navigation.
#[derive(Debug, Serialize, Hash)]
pub struct Base<'a> {
    pub site_title: &'a str,
    pub lang: &'a str,
    pub root: Href<'a>,
    pub home_href: Href<'a>,
    pub live_reload: bool,
    pub stale_days: i64,
    pub current_url: Cow<'a, str>,
    pub nav: Nav<'a>,
    pub operator_href: Href<'a>,
    pub tags_href: Href<'a>,
    pub feed_href: Href<'a>,
}

/// The site's top sections as one page shows them: the entries are made once per render
/// (`RenderEnv::nav_entries`) and hashed once, so keying 10,000 pages hashes each page's
/// navigation as one fingerprint, not 40 titles and URLs each.
#[derive(Debug)]
pub struct Nav<'a> {
    entries: Arc<NavEntries<'a>>,
    links: NavLinks<'a>,
}

/// Each top section's title and URL, and their hash.
#[derive(Debug)]
pub struct NavEntries<'a> {
    entries: Vec<(&'a str, &'a str)>,
    fingerprint: u64,
}

impl<'a> NavEntries<'a> {
    pub(super) fn new(site: &'a Site) -> NavEntries<'a> {
        let entries: Vec<(&str, &str)> = site.sections[0]
            .subsections
            .iter()
            .map(|&s| {
                (
                    site.sections[s].title.as_str(),
                    site.sections[s].url.as_str(),
                )
            })
            .collect();
        let fingerprint = crate::fingerprint::of(&entries);
        NavEntries {
            entries,
            fingerprint,
        }
    }
}

/// Where a navigation's links lead from.
#[derive(Debug)]
enum NavLinks<'a> {
    /// From the page at `from` (its `Base` hashes the URL): the entries it is under are active.
    From { from: Cow<'a, str>, local: bool },
    /// Written out from the site's base path, none active (the 404 page).
    Absolute { base_path: String },
}

/// One entry as the template sees it.
#[derive(Serialize)]
struct NavItem<'a> {
    title: &'a str,
    href: Href<'a>,
    active: bool,
}

impl<'a> Nav<'a> {
    fn items(&self) -> impl Iterator<Item = NavItem<'a>> + '_ {
        self.entries
            .entries
            .iter()
            .map(|&(title, url)| match &self.links {
                NavLinks::From { from, local } => NavItem {
                    title,
                    href: Href::Relative {
                        from: from.clone(),
                        to: Cow::Borrowed(url),
                        local: *local,
                    },
                    active: from.starts_with(url),
                },
                NavLinks::Absolute { base_path } => NavItem {
                    title,
                    href: Href::Absolute(format!("{base_path}{}", url.trim_start_matches('/'))),
                    active: false,
                },
            })
    }
}

impl Serialize for Nav<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.items())
    }
}

impl Hash for Nav<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.entries.fingerprint.hash(h);
        // What is shown is made of the entries and where the links lead from: `from` (which
        // entries are active, and every href) is the rendered page's URL, which its `Base`
        // hashes, as for every `Href`.
        match &self.links {
            NavLinks::From { local, .. } => local.hash(h),
            NavLinks::Absolute { base_path } => base_path.hash(h),
        }
    }
}

/// A section's listing: on its README page, on a generated page, on the home page.
#[derive(Debug, Serialize, Hash)]
pub struct Listing<'a> {
    pub section: SectionList<'a>,
    /// Only on a generated page (a README page has its own, in `page`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breadcrumbs: Option<Vec<Link<'a>>>,
    /// Only on the home page: newest updates first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recent: Option<Vec<ListItem<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_pages: Option<Vec<ListItem<'a>>>,
}

#[derive(Debug, Serialize, Hash)]
pub struct SectionList<'a> {
    pub title: &'a str,
    pub pages: Vec<ListItem<'a>>,
    pub subsections: Vec<SubsectionItem<'a>>,
}

#[derive(Debug, Serialize, Hash)]
pub struct SubsectionItem<'a> {
    pub title: &'a str,
    pub href: Href<'a>,
    pub count: usize,
    pub summary: &'a str,
}

#[derive(Debug, Serialize, Hash)]
pub struct TagCount<'a> {
    pub title: &'a str,
    pub href: Href<'a>,
    pub count: usize,
}

/// What a job renders from. Templated jobs serialise it for tera (`base` flattened to the top
/// level); the others hash what they read.
#[derive(Debug, Serialize, Hash)]
#[serde(untagged)]
pub enum JobContext<'a> {
    Page {
        #[serde(flatten)]
        base: Base<'a>,
        page: Box<PageContext<'a>>,
        #[serde(flatten)]
        listing: Option<Listing<'a>>,
    },
    GeneratedSection {
        #[serde(flatten)]
        base: Base<'a>,
        #[serde(flatten)]
        listing: Listing<'a>,
    },
    TagIndex {
        #[serde(flatten)]
        base: Base<'a>,
        tags: Vec<TagCount<'a>>,
    },
    Tag {
        #[serde(flatten)]
        base: Base<'a>,
        tag: Cow<'a, str>,
        pages: Vec<ListItem<'a>>,
    },
    NotFound {
        #[serde(flatten)]
        base: Base<'a>,
    },
    Operator {
        #[serde(flatten)]
        base: Base<'a>,
        escalation: Option<Link<'a>>,
        process: Option<Link<'a>>,
        feedback_kept: &'static str,
        /// `[suggest] min_probability`: the page marks a suggestion «likely» from there on,
        /// as the server calls the first one confident. Written out, since the context is
        /// hashed for its key and a float is not `Hash`.
        min_probability: String,
    },
    /// Not templated: the feeds, the client index, the theme's files, an asset.
    #[serde(skip)]
    Files(FileInputs<'a>),
}

/// What the jobs that write files without a template read.
#[derive(Debug)]
pub enum FileInputs<'a> {
    /// sitemap.xml, atom.xml and the client index cover every page.
    Feeds(&'a Site),
    /// The theme's files: a theme change rebuilds everything anyway.
    Statics,
    /// An asset: its place and the file's size and time.
    Asset(&'a Site, usize),
}

impl Hash for FileInputs<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        match self {
            FileInputs::Feeds(site) => {
                super::reads::everything();
                for p in &site.pages {
                    (Arc::as_ptr(&p.doc) as usize, &p.url, p.section).hash(h);
                }
                for s in &site.sections {
                    (&s.title, &s.url).hash(h);
                }
                let c = &site.config;
                (&c.base_url, &c.title, &c.language, c.url_mode).hash(h);
                // The client index carries the synonym groups (`client_index::client_index`).
                std::fs::read(site.content_dir.join(&c.synonyms_file))
                    .ok()
                    .hash(h);
            }
            FileInputs::Statics => {}
            FileInputs::Asset(site, i) => {
                // The file itself, which no edit of a document announces.
                super::reads::everything();
                let asset = &site.assets[*i];
                let stamp = std::fs::metadata(&asset.abs_path)
                    .ok()
                    .map(|m| (m.len(), m.modified().ok()));
                (&asset.rel_path, &asset.url, stamp).hash(h);
            }
        }
    }
}

impl<'a> RenderEnv<'a> {
    /// The context `job` renders from.
    pub fn job_context(&self, job: &Job, options: RenderOptions) -> JobContext<'a> {
        let site = self.site;
        match job {
            Job::Page(id) => {
                let p = self.read(*id);
                let from = Cow::Borrowed(p.url.as_str());
                JobContext::Page {
                    listing: p.is_index.then(|| self.listing(&from, p.section)),
                    base: self.base(from, options),
                    page: Box::new(self.page(*id)),
                }
            }
            Job::GeneratedSection(id) => {
                let from = Cow::Borrowed(self.section_head(*id).url.as_str());
                JobContext::GeneratedSection {
                    listing: self.listing(&from, *id),
                    base: self.base(from, options),
                }
            }
            Job::TagIndex => {
                super::reads::part(Part::TagList);
                JobContext::TagIndex {
                    base: self.base(TAGS_URL.into(), options),
                    tags: (site.tags.iter())
                        .map(|(t, tag)| TagCount {
                            title: t,
                            href: self.href(TAGS_URL, tag.url.as_str()),
                            count: tag.pages.len(),
                        })
                        .collect(),
                }
            }
            Job::Tag(tag) => self.tag_context(tag, options),
            Job::NotFound => JobContext::NotFound {
                base: self.base_absolute(options),
            },
            Job::Operator => {
                // Pages found by their path and title: one added or retitled is shown, so
                // the page is keyed again after every edit (it is one job).
                super::reads::everything();
                let link = |id: Option<PageId>| {
                    id.map(|id| {
                        let p = self.read(id);
                        Link {
                            title: &p.doc.title,
                            href: self.href(OPERATOR_URL, p.url.as_str()),
                        }
                    })
                };
                let [escalation, process] = super::escalation_pages(site);
                JobContext::Operator {
                    base: self.base(OPERATOR_URL.into(), options),
                    escalation: link(escalation),
                    process: link(process),
                    feedback_kept: super::feedback_kept(&site.config.feedback),
                    min_probability: site.config.suggest.min_probability.to_string(),
                }
            }
            Job::Feeds => JobContext::Files(FileInputs::Feeds(site)),
            Job::Statics => JobContext::Files(FileInputs::Statics),
            Job::Asset(i) => JobContext::Files(FileInputs::Asset(site, *i)),
        }
    }

    fn tag_context(&self, tag: &str, options: RenderOptions) -> JobContext<'a> {
        let url = self.tag_url(tag);
        let pages = self.tag_pages(tag);
        JobContext::Tag {
            pages: self.list_items(&url, pages),
            base: self.base(url, options),
            tag: Cow::Owned(tag.to_string()),
        }
    }

    /// The listing of section `id` on the page at `from`.
    fn listing(&self, from: &Cow<'a, str>, id: SectionId) -> Listing<'a> {
        let site = self.site;
        let section = self.section_list(id);
        let home = section.url == "/";
        let subsections = section
            .subsections
            .iter()
            .map(|&s| {
                let sub = self.section_list(s);
                SubsectionItem {
                    title: &sub.title,
                    href: self.href(from.clone(), sub.url.as_str()),
                    count: sub.pages.len(),
                    summary: sub.index.map_or("", |i| &self.read(i).doc.summary),
                }
            })
            .collect();
        Listing {
            section: SectionList {
                title: &section.title,
                pages: self.list_items(from, &section.pages),
                subsections,
            },
            breadcrumbs: section
                .index
                .is_none()
                .then(|| self.breadcrumbs(from, section.parent)),
            recent: home.then(|| {
                // Which pages are the newest depends on every page's date.
                super::reads::everything();
                self.list_items(from, &super::recent_pages(site))
            }),
            top_pages: home.then(|| self.list_items(from, &section.pages)),
        }
    }

    pub fn base(&self, from: Cow<'a, str>, options: RenderOptions) -> Base<'a> {
        let site = self.site;
        Base {
            site_title: &site.config.title,
            lang: &site.config.language,
            root: Href::RootPrefix {
                from: from.clone(),
                local: self.local,
            },
            home_href: self.href(from.clone(), "/"),
            live_reload: options.live_reload,
            stale_days: site.config.stale_days,
            nav: Nav {
                entries: self.nav_entries().clone(),
                links: NavLinks::From {
                    from: from.clone(),
                    local: self.local,
                },
            },
            operator_href: self.href(from.clone(), OPERATOR_URL),
            tags_href: self.href(from.clone(), TAGS_URL),
            feed_href: self.href(from.clone(), "/atom.xml"),
            current_url: from,
        }
    }

    /// For pages served at any URL (404): links from the site's base path.
    fn base_absolute(&self, options: RenderOptions) -> Base<'a> {
        let base = self.site.config.base_path();
        let absolute = |url: &str| Href::Absolute(format!("{base}{}", url.trim_start_matches('/')));
        Base {
            root: absolute("/"),
            home_href: absolute("/"),
            nav: Nav {
                entries: self.nav_entries().clone(),
                links: NavLinks::Absolute {
                    base_path: base.clone(),
                },
            },
            operator_href: absolute(OPERATOR_URL),
            tags_href: absolute(TAGS_URL),
            feed_href: absolute("/atom.xml"),
            ..self.base(Cow::Borrowed("/"), options)
        }
    }
}

/// The template a templated job renders with. What it reads (a page's URL and whether it is a
/// section page, a section's URL) is noted by the job's own context (`render::reads`).
pub fn template(site: &Site, job: &Job) -> Option<&'static str> {
    let home_or = |url: &str, other| if url == "/" { "home.html" } else { other };
    Some(match job {
        Job::Page(id) => {
            let p = &site.pages[*id];
            home_or(
                &p.url,
                if p.is_index {
                    "section.html"
                } else {
                    "page.html"
                },
            )
        }
        Job::GeneratedSection(id) => home_or(&site.sections[*id].url, "section.html"),
        Job::TagIndex => "tags.html",
        Job::Tag(_) => "tag.html",
        Job::NotFound => "404.html",
        Job::Operator => "operator.html",
        Job::Feeds | Job::Statics | Job::Asset(_) => return None,
    })
}
