//! How a context shows other pages and URLs: hrefs relative to the page being rendered, links,
//! and each listed page's card, each hashed as cheaply as what it is made from allows (the
//! keys of `render::keys`).

use crate::site::urls::relative_href;
use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::hash::{Hash, Hasher};

/// A link from the page being rendered (`from`) to a root-relative URL, written as the
/// relative href the site's link mode asks for.
///
/// Hashed without `from`: every href of a context leads from the page that context renders,
/// whose URL its `Base` hashes once (`current_url`); hashing it again for each of a page's
/// links was a tenth of keying every job at 10,000 pages.
#[derive(Debug)]
pub enum Href<'a> {
    Relative {
        from: Cow<'a, str>,
        to: Cow<'a, str>,
        local: bool,
    },
    /// The site's root as a prefix for the theme's static files: empty at the root itself.
    RootPrefix { from: Cow<'a, str>, local: bool },
    /// Already written out (the 404 page, served at any URL, links from the base path).
    Absolute(String),
}

impl Hash for Href<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        std::mem::discriminant(self).hash(h);
        match self {
            Href::Relative { to, local, .. } => (to, local).hash(h),
            Href::RootPrefix { local, .. } => local.hash(h),
            Href::Absolute(href) => href.hash(h),
        }
    }
}

impl Serialize for Href<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Href::Relative { from, to, local } => s.serialize_str(&relative_href(from, to, *local)),
            Href::RootPrefix { from, local } => {
                let root = relative_href(from, "/", *local);
                if root == "./" || root == "index.html" {
                    s.serialize_str("")
                } else {
                    s.serialize_str(root.trim_end_matches("index.html"))
                }
            }
            Href::Absolute(href) => s.serialize_str(href),
        }
    }
}

#[derive(Debug, Serialize, Hash)]
pub struct Link<'a> {
    pub title: &'a str,
    pub href: Href<'a>,
}

/// A page as other pages list it: sections, tags, backlinks, the home page. Its link leads
/// from the page being rendered to the card's page.
///
/// Hashed as its card, whose fingerprint covers the URL the link leads to, and the link mode
/// (`from`, as for every `Href`, is the rendered page's own URL, which its `Base` hashes):
/// hashing each listed page's URL again was a fifth of keying every job at 10,000 pages.
#[derive(Debug)]
pub struct ListItem<'a> {
    pub(super) card: Card<'a>,
    pub(super) from: Cow<'a, str>,
    pub(super) local: bool,
}

impl Serialize for ListItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'b, 'a> {
            #[serde(flatten)]
            card: &'b Card<'a>,
            href: Href<'b>,
        }
        Shown {
            card: &self.card,
            href: Href::Relative {
                from: Cow::Borrowed(&self.from),
                to: Cow::Borrowed(self.card.facts.url),
                local: self.local,
            },
        }
        .serialize(s)
    }
}

impl Hash for ListItem<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (&self.card, self.local).hash(h);
    }
}

/// What every listing shows of a page wherever it is listed, made once per render: a page
/// listed in many places (backlinks, sections, tags) is hashed once, not once per listing.
#[derive(Debug, Clone, Copy)]
pub struct Card<'a> {
    facts: CardFacts<'a>,
    fingerprint: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Hash)]
pub(super) struct CardFacts<'a> {
    pub(super) title: &'a str,
    pub(super) summary: &'a str,
    #[serde(serialize_with = "day_month_year")]
    pub(super) updated: Option<NaiveDate>,
    pub(super) status: Option<&'a str>,
    pub(super) status_class: &'static str,
    pub(super) stale: bool,
    pub(super) section: &'a str,
    /// Where the page is: listings link to it.
    #[serde(skip)]
    pub(super) url: &'a str,
}

impl<'a> Card<'a> {
    pub(super) fn new(facts: CardFacts<'a>) -> Card<'a> {
        let fingerprint = crate::fingerprint::of(facts);
        Card { facts, fingerprint }
    }
}

impl Serialize for Card<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.facts.serialize(s)
    }
}

impl Hash for Card<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.fingerprint.hash(h);
    }
}

fn day_month_year<S: Serializer>(date: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.format("%d.%m.%Y").to_string()),
        None => s.serialize_none(),
    }
}
