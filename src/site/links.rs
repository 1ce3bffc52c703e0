//! Resolving a page's links: to a page (and heading), a section, an asset, or broken.

use super::{PageId, Site};
use crate::content::markdown::LinkRef;
use crate::diagnostics::{Code, Diagnostic};
use percent_encoding::percent_decode_str;

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    Page {
        page: PageId,
        anchor: Option<String>,
    },
    Asset {
        url: String,
    },
    External {
        url: String,
    },
    Broken {
        reason: String,
    },
}

/// `http:`, `mailto:`, `tel:`…: a scheme of letters before the first `:` and no `/` before it.
pub fn is_external(dest: &str) -> bool {
    dest.split_once(':').is_some_and(|(scheme, _)| {
        scheme.len() > 1
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    }) || dest.starts_with("//")
}

/// Joins `dest` onto the folder `dir`, both relative to content/; `None` when `..` climbs
/// out of content/.
pub fn join_path(dir: &str, dest: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dest.starts_with('/') {
        vec![]
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for segment in dest.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

impl Site {
    /// Resolves one link of page `from`; a problem comes back as a diagnostic.
    pub(super) fn resolve_link(
        &self,
        from: PageId,
        link: &LinkRef,
    ) -> (LinkTarget, Vec<Diagnostic>) {
        let page = &self.pages[from];
        let doc = &page.doc;
        let mut diags = Vec::new();
        let located = |d: Diagnostic| d.at(&doc.source, link.pos, link.length);
        let dest = link.dest.trim();
        if dest.is_empty() {
            let d = located(Diagnostic::error(
                Code::BrokenLink,
                &doc.rel_path,
                format!("link «{}» has no destination", link.text),
            ));
            return (
                LinkTarget::Broken {
                    reason: "Пустая ссылка".into(),
                },
                vec![d],
            );
        }
        if is_external(dest) {
            if dest.starts_with("http://") || dest.starts_with("https://") {
                diags.push(located(Diagnostic::warning(
                    Code::ExternalLink,
                    &doc.rel_path,
                    format!("external link not checked (no network is assumed): {dest}"),
                )));
            }
            return (
                LinkTarget::External {
                    url: dest.to_string(),
                },
                diags,
            );
        }
        if link.raw_spaces {
            let portable = dest
                .replace(' ', "%20")
                .replace('(', "%28")
                .replace(')', "%29");
            diags.push(
                located(Diagnostic::warning(
                    Code::RawSpaces,
                    &doc.rel_path,
                    format!("link «{}» is written with raw spaces: it works here but not on GitHub or GitLab", link.text),
                ))
                .with_help(format!("write it as `({portable})`")),
            );
        }
        let (path_part, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(decode(a))),
            None => (dest, None),
        };
        let path_part = path_part.split('?').next().unwrap_or("");
        let target_page = if path_part.is_empty() {
            Some(from)
        } else {
            let dir = doc.rel_path.rsplit_once('/').map_or("", |(d, _)| d);
            let Some(joined) = join_path(dir, &decode(path_part)) else {
                let d = located(Diagnostic::error(
                    Code::LinkOutsideContent,
                    &doc.rel_path,
                    format!("link «{}» points outside content/: {dest}", link.text),
                ))
                .with_help("only documents inside content/ can be linked; copy the file in or link to its published URL");
                return (
                    LinkTarget::Broken {
                        reason: "Ссылка за пределы базы знаний".into(),
                    },
                    vec![d],
                );
            };
            match self.lookup(&joined) {
                Some(Ok(page)) => Some(page),
                Some(Err(url)) => return (LinkTarget::Asset { url }, diags),
                None => {
                    let mut d = located(Diagnostic::error(
                        Code::BrokenLink,
                        &doc.rel_path,
                        format!(
                            "link «{}» points to a document that does not exist: {joined}",
                            link.text
                        ),
                    ));
                    if let Some(best) = self.closest_path(&joined) {
                        d = d.with_help(format!("did you mean `{best}`?"));
                    }
                    diags.push(d);
                    return (
                        LinkTarget::Broken {
                            reason: "Документ не найден".into(),
                        },
                        diags,
                    );
                }
            }
        };
        let page_id = target_page.expect("set above");
        let mut anchor = anchor.filter(|a| !a.is_empty());
        if let Some(written) = &anchor {
            let headings = &self.pages[page_id].doc.rendered.headings;
            // `#Шаги-Решения` finds `шаги-решения`; the href must carry the id itself, since
            // browsers match fragments case-sensitively.
            let lowered = written.to_lowercase();
            let found = headings
                .iter()
                .find(|h| h.id == *written)
                .or_else(|| headings.iter().find(|h| h.id == lowered));
            if let Some(heading) = found {
                anchor = Some(heading.id.clone());
            } else {
                let anchor = written;
                let target_path = &self.pages[page_id].doc.rel_path;
                let mut d = located(Diagnostic::error(
                    Code::BrokenAnchor,
                    &doc.rel_path,
                    format!("link «{}» points to a heading `#{anchor}` that {target_path} does not have", link.text),
                ));
                let closest = headings
                    .iter()
                    // A shortened anchor (`#шаги` for `#шаги-решения`) is as likely as a typo.
                    .map(|h| {
                        (
                            if h.id.starts_with(anchor.as_str()) {
                                0.9
                            } else {
                                strsim::normalized_levenshtein(&h.id, anchor)
                            },
                            &h.id,
                        )
                    })
                    .filter(|(score, _)| *score > 0.5)
                    .max_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((_, id)) = closest {
                    d = d.with_help(format!("did you mean `#{id}`?"));
                }
                diags.push(d);
                return (
                    LinkTarget::Page {
                        page: page_id,
                        anchor: None,
                    },
                    diags,
                );
            }
        }
        (
            LinkTarget::Page {
                page: page_id,
                anchor,
            },
            diags,
        )
    }

    /// A content-relative path to a page (`Ok`) or an asset URL (`Err`); folders resolve to
    /// their section page.
    fn lookup(&self, path: &str) -> Option<Result<PageId, String>> {
        if let Some(&page) = self.by_path.get(path) {
            return Some(Ok(page));
        }
        if let Some(&section) = self.section_by_dir.get(path.trim_end_matches('/')) {
            return self.sections[section].index.map(Ok);
        }
        self.assets
            .iter()
            .find(|a| a.rel_path == path)
            .map(|a| Err(a.url.clone()))
    }

    fn closest_path(&self, wanted: &str) -> Option<&str> {
        let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_lowercase();
        let wanted_name = name(wanted);
        self.pages
            .iter()
            .map(|p| {
                (
                    strsim::normalized_levenshtein(&name(&p.doc.rel_path), &wanted_name),
                    p.doc.rel_path.as_str(),
                )
            })
            .filter(|(score, _)| *score > 0.6)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, path)| path)
    }
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
