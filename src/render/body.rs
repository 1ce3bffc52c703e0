//! A page's body as templates see it: its HTML with every link slot filled, keyed by the
//! document's identity rather than its bytes.

use crate::content::LinkOutput;
use crate::site::urls::relative_href;
use crate::site::{LinkTarget, Page, Site};
use serde::{Serialize, Serializer};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A page's body: serialised as its HTML with every link slot filled (relative hrefs, or a
/// marked broken span); hashed as the document's identity and what each link became.
///
/// The identity is the address of the document's shared `Arc`: `site::DocumentCache` hands
/// out the same `Arc` while a file is unchanged, and keys are only compared while the old site
/// is alive, so an address cannot be reused by a changed document during the comparison.
#[derive(Debug)]
pub struct Body<'a> {
    site: &'a Site,
    page: &'a Page,
    local: bool,
}

impl<'a> Body<'a> {
    /// The body of `page`, whose links the caller noted as read (`RenderEnv::body`).
    pub fn new(site: &'a Site, page: &'a Page, local: bool) -> Body<'a> {
        Body { site, page, local }
    }

    pub fn html(&self) -> std::io::Result<String> {
        self.page.doc.rendered.finalize(|i| self.link_output(i))
    }

    /// What link `i` becomes; a `[{#T}](…)` link takes its target's title.
    fn link_output(&self, i: usize) -> LinkOutput {
        let (p, site) = (self.page, self.site);
        let target = &p.links[i];
        let href = match target {
            LinkTarget::Broken { reason } => {
                return LinkOutput::Broken {
                    reason: reason.clone(),
                }
            }
            LinkTarget::Unlinked => return LinkOutput::Unlinked,
            LinkTarget::External { url } => url.clone(),
            target => relative_href(
                &p.url,
                &site.target_url(target).unwrap_or_default(),
                self.local,
            ),
        };
        match self.placeholder_title(i) {
            Some(title) => LinkOutput::Titled {
                href,
                title: title.to_string(),
            },
            None => LinkOutput::Href(href),
        }
    }

    /// Only a `[{#T}]` link shows its target's title; looking it up costs a heading search.
    fn placeholder_title(&self, i: usize) -> Option<&str> {
        let target = &self.page.links[i];
        self.page.doc.rendered.links[i]
            .title_placeholder
            .then(|| self.site.target_title(target))
            .flatten()
    }
}

impl Serialize for Body<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A body that cannot be read back fails the render (and `serve` then rebuilds in full,
        // parsing the file again) rather than serving a page without its text.
        let html = self
            .html()
            .map_err(|e| serde::ser::Error::custom(format!("{}: {e}", self.page.doc.rel_path)))?;
        s.serialize_str(&html)
    }
}

impl Hash for Body<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        let p = self.page;
        (Arc::as_ptr(&p.doc) as usize, &p.url, self.local).hash(h);
        for (i, target) in p.links.iter().enumerate() {
            std::mem::discriminant(target).hash(h);
            match target {
                LinkTarget::Page { page, anchor } => {
                    // Its URL here, and its title or a heading's text through a `{#T}` link.
                    super::reads::page(*page);
                    (&self.site.pages[*page].url, anchor).hash(h)
                }
                LinkTarget::Broken { reason } => reason.hash(h),
                other => self.site.target_url(other).hash(h),
            }
            self.placeholder_title(i).hash(h);
        }
    }
}
