//! Resolving a page's links: to a page (and heading or anchor), a section, an asset, or
//! broken. Paths are looked up as real bases write them (`lookup`); a broken one gets a "did
//! you mean" (`closest`).

use super::closest::Closest;
use super::lookup::{anchor_id, anchor_ids, CaseIndex, Found};
use super::memo::Reads;
use super::{PageId, Site};
use crate::content::kept::Text;
use crate::content::markdown::LinkRef;
use crate::content::paths::{is_external, join_path};
use crate::content::Document;
use crate::diagnostics::{Code, Diagnostic, Severity};
use percent_encoding::percent_decode_str;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    Page {
        page: PageId,
        /// Shared, as a broken link's reason is.
        anchor: Option<Arc<str>>,
    },
    Asset {
        url: String,
    },
    External {
        url: String,
    },
    Broken {
        /// Shared: a link kept over a load (`site::memo`) is renumbered, not copied, and two
        /// loads' targets compare by pointer first (`render::unchanged`).
        reason: Arc<str>,
    },
    /// `[text]()`: no destination; shown as its text.
    Unlinked,
}

/// What resolving the links of one load shares: the site, its base path, and the indexes only
/// built when a link does not resolve as written.
pub(super) struct Resolver<'a> {
    site: &'a Site,
    /// `base_url`'s path (`/docs/`): site-absolute links written with it name content paths.
    base_path: String,
    case_index: OnceLock<CaseIndex>,
    closest: OnceLock<Closest>,
}

/// A page whose links are being resolved, and where its problems find the line they quote:
/// in the problems its links had at the last load (the same document), else in its source,
/// read back (`content::kept`) once. Read once per warning, a base with 25,000 link warnings
/// read 25,000 sources after each added, renamed or deleted file (when every page with a
/// broken link was resolved again), 40 % of that rebuild at 10,000 pages.
pub(super) struct LinkSource<'a> {
    page: PageId,
    doc: &'a Document,
    quoted: &'a [Diagnostic],
    text: std::cell::OnceCell<Text<'a>>,
    /// What its links read of the site.
    reads: RefCell<Reads>,
}

impl<'a> LinkSource<'a> {
    /// `last_problems`: what the page's document's links reported at the last load.
    pub(super) fn new(site: &'a Site, page: PageId, last_problems: &'a [Diagnostic]) -> Self {
        LinkSource {
            page,
            doc: &site.pages[page].doc,
            quoted: last_problems,
            text: std::cell::OnceCell::new(),
            reads: RefCell::default(),
        }
    }

    /// What the links resolved from this source read of the site.
    pub(super) fn into_reads(self) -> Reads {
        self.reads.into_inner()
    }

    fn line(&self, line: u32) -> Option<&str> {
        let quoted = self.quoted.iter().find(|d| d.line == line);
        if let Some(quoted) = quoted.and_then(|d| d.source_line.as_deref()) {
            return Some(quoted);
        }
        let text = self.text.get_or_init(|| self.doc.source.read());
        text.lines().nth(line.saturating_sub(1) as usize)
    }
}

/// The link being resolved and the file it is in: where its problems are reported.
#[derive(Clone, Copy)]
struct At<'s, 'a> {
    source: &'s LinkSource<'a>,
    link: &'s LinkRef,
}

impl At<'_, '_> {
    fn problem(self, severity: Severity, code: Code, message: String) -> Diagnostic {
        let pos = self.link.pos;
        Diagnostic::new(severity, code, &self.source.doc.rel_path, message).at_line(
            self.source.line(pos.line),
            pos,
            self.link.length,
        )
    }
}

fn broken(reason: &str) -> LinkTarget {
    LinkTarget::Broken {
        reason: reason.into(),
    }
}

impl<'a> Resolver<'a> {
    pub(super) fn new(site: &'a Site) -> Resolver<'a> {
        Resolver {
            site,
            base_path: site.config.base_path(),
            case_index: OnceLock::new(),
            closest: OnceLock::new(),
        }
    }

    /// Resolves one link of the page `from`; problems come back as diagnostics.
    pub(super) fn resolve(
        &self,
        from: &LinkSource,
        link: &LinkRef,
    ) -> (LinkTarget, Vec<Diagnostic>) {
        let at = At { source: from, link };
        let dest = link.dest.trim();
        if dest.is_empty() {
            let d = at.problem(
                Severity::Warning,
                Code::EmptyLink,
                format!(
                    "link «{}» has no destination: it is shown as plain text",
                    link.text
                ),
            );
            return (LinkTarget::Unlinked, vec![d]);
        }
        if is_external(dest) {
            return external(at, dest);
        }
        let mut diags = Vec::new();
        if link.raw_spaces {
            diags.push(raw_spaces(at, dest));
        }
        let (path_part, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(decode(a))),
            None => (dest, None),
        };
        let path_part = path_part.split('?').next().unwrap_or("");
        let page = if path_part.is_empty() {
            from.page
        } else {
            match self.page_of(at, path_part, &mut diags) {
                Ok(page) => page,
                Err(target) => return (target, diags),
            }
        };
        let target = self.anchored(at, page, anchor, &mut diags);
        (target, diags)
    }

    /// The page the path of a link names, or what the link is instead (an asset, broken).
    fn page_of(
        &self,
        at: At,
        path_part: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Result<PageId, LinkTarget> {
        let written = decode(path_part);
        let dir = at
            .source
            .doc
            .rel_path
            .rsplit_once('/')
            .map_or("", |(d, _)| d);
        let Some(joined) = join_path(dir, self.content_path(&written)) else {
            diags.push(at.problem(
                Severity::Error,
                Code::LinkOutsideContent,
                format!("link «{}» points outside content/: {}", at.link.text, at.link.dest.trim()),
            )
            .with_help("only documents inside content/ can be linked; copy the file in or link to its published URL"));
            return Err(broken("Ссылка за пределы базы знаний"));
        };
        let folder_first = written.ends_with('/');
        let reads = &at.source.reads;
        let found = match self.site.find(&joined, folder_first, reads) {
            Some(found) => found,
            None => match self
                .case_index()
                .find(self.site, &joined, folder_first, reads)
            {
                Some(found) => {
                    diags.push(self.miscased(at, found));
                    found
                }
                None => {
                    diags.push(self.missing(at, &joined));
                    return Err(broken("Документ не найден"));
                }
            },
        };
        match found {
            Found::Page(page) | Found::Folder(page) => Ok(page),
            Found::Asset(asset) => Err(LinkTarget::Asset {
                url: self.site.assets[asset].url.clone(),
            }),
        }
    }

    /// A site-absolute path under the base path, `/docs/a/b` with `base_url = "/docs/"`, is the
    /// content path `/a/b`; anything else is as written.
    fn content_path<'w>(&self, written: &'w str) -> &'w str {
        let base = self.base_path.trim_end_matches('/');
        match written.strip_prefix(base) {
            _ if base.is_empty() => written,
            Some("") => "/",
            Some(rest) if rest.starts_with('/') => rest,
            _ => written,
        }
    }

    fn case_index(&self) -> &CaseIndex {
        self.case_index.get_or_init(|| CaseIndex::new(self.site))
    }

    /// The warning for a link that finds its file only when case is ignored.
    fn miscased(&self, at: At, found: Found) -> Diagnostic {
        let spelled = self.site.spelling(found);
        at.problem(
            Severity::Warning,
            Code::LinkCase,
            format!(
                "link «{}» finds `{spelled}` only when case is ignored",
                at.link.text
            ),
        )
        .with_help(format!(
            "spell it as the file is, `{spelled}`: GitHub, GitLab and Linux servers tell case apart"
        ))
    }

    /// The error for a link to nothing, with the page it most likely meant.
    fn missing(&self, at: At, joined: &str) -> Diagnostic {
        let d = at.problem(
            Severity::Error,
            Code::BrokenLink,
            format!(
                "link «{}» points to a document that does not exist: {joined}",
                at.link.text
            ),
        );
        at.source.reads.borrow_mut().all_names = true;
        let closest = self.closest.get_or_init(|| Closest::new(self.site));
        match closest.suggest(self.site, joined) {
            Some(page) => d.with_help(format!(
                "did you mean `{}`?",
                self.site.pages[page].doc.rel_path
            )),
            None => d,
        }
    }

    /// The target for `page` and the anchor written, if it has one; a missing anchor links
    /// to the page and is reported.
    fn anchored(
        &self,
        at: At,
        page: PageId,
        anchor: Option<String>,
        diags: &mut Vec<Diagnostic>,
    ) -> LinkTarget {
        let target = &self.site.pages[page].doc;
        let rendered = &target.rendered;
        let anchor = anchor.filter(|a| !a.is_empty());
        if anchor.is_some() {
            at.source.reads.borrow_mut().note(&target.rel_path);
        }
        let anchor = match anchor {
            // The title's own id names the top of the page.
            Some(written) if rendered.title_id.as_ref() != Some(&written) => {
                match anchor_id(rendered, &written) {
                    Some(id) => Some(Arc::from(id)),
                    None => {
                        diags.push(self.missing_anchor(at, page, &written));
                        None
                    }
                }
            }
            _ => None,
        };
        LinkTarget::Page { page, anchor }
    }

    fn missing_anchor(&self, at: At, page: PageId, written: &str) -> Diagnostic {
        let target = &self.site.pages[page].doc;
        let d = at.problem(
            Severity::Error,
            Code::BrokenAnchor,
            format!(
                "link «{}» points to a heading `#{written}` that {} does not have",
                at.link.text, target.rel_path
            ),
        );
        let closest = anchor_ids(&target.rendered)
            // A shortened anchor (`#шаги` for `#шаги-решения`) is as likely as a typo.
            .map(|id| {
                let score = if id.starts_with(written) {
                    0.9
                } else {
                    strsim::normalized_levenshtein(id, written)
                };
                (score, id)
            })
            .filter(|(score, _)| *score > 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        match closest {
            Some((_, id)) => d.with_help(format!("did you mean `#{id}`?")),
            None => d,
        }
    }
}

/// An external link: not followed; web links are reported as unchecked.
fn external(at: At, dest: &str) -> (LinkTarget, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    if dest.starts_with("http://") || dest.starts_with("https://") {
        diags.push(at.problem(
            Severity::Warning,
            Code::ExternalLink,
            format!("external link not checked (no network is assumed): {dest}"),
        ));
    }
    let target = LinkTarget::External {
        url: dest.to_string(),
    };
    (target, diags)
}

fn raw_spaces(at: At, dest: &str) -> Diagnostic {
    let portable = dest
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29");
    at.problem(
        Severity::Warning,
        Code::RawSpaces,
        format!(
            "link «{}» is written with raw spaces: it works here but not on GitHub or GitLab",
            at.link.text
        ),
    )
    .with_help(format!("write it as `({portable})`"))
}

/// Percent-decoded and NFC-normalised, as file names are.
fn decode(text: &str) -> String {
    crate::text::nfc(&percent_decode_str(text).decode_utf8_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_normalises_decomposed_letters_only_when_needed() {
        assert_eq!(
            decode("%D0%B8%CC%86"),
            "й",
            "decomposed «й», percent-encoded"
        );
        assert_eq!(decode("Мои\u{306} файл.md"), "Мой файл.md");
        assert_eq!(decode("Шаги%20решения"), "Шаги решения");
    }

    #[test]
    fn external_detection() {
        for e in ["https://t.me/x", "mailto:a@b.ru", "tel:123", "//cdn"] {
            assert!(is_external(e), "{e}");
        }
        for i in ["./a.md", "a.md#x:y", "../Регламенты/README.md", "c:"] {
            assert!(!is_external(i), "{i}");
        }
    }

    #[test]
    fn joining_stays_inside_content() {
        assert_eq!(
            join_path("Регламенты", "../README.md").as_deref(),
            Some("README.md")
        );
        assert_eq!(join_path("a/b", "./c.md").as_deref(), Some("a/b/c.md"));
        assert_eq!(join_path("a", "/x/y.md").as_deref(), Some("x/y.md"));
        assert_eq!(join_path("a", "..\\..\\etc\\passwd"), None);
        assert_eq!(join_path("", "../../../etc/passwd"), None);
    }
}
