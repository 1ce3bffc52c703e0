//! The writers' quality gate: every diagnostic of a loaded site, from loading, linking and the
//! content rules below. `build` and `check` list them all (`diagnostics`); `serve` keeps each
//! unchanged document's findings across rebuilds (`LintMemo`) and only its errors in full
//! (`Summary`, from the same findings).

use crate::content::document::TYPICAL_SECTIONS;
use crate::content::Document;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::site::{Page, PageId, Site};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// Every problem of the site, sorted by file and position.
pub fn diagnostics(site: &Site, today: NaiveDate) -> Diagnostics {
    let mut memo = LintMemo::default();
    memo.update(site, today);
    let mut all = Diagnostics(found(site, &memo).map(Cow::into_owned).collect());
    all.sort();
    all
}

/// What `serve` shows of a site's problems: every error, sorted (the overlay lists them), and
/// how many distinct warnings there are (`/api/health`). Cloning and sorting every warning
/// after each edit (25,000 in the generated 10,000-page corpus) was most of the check.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub errors: Diagnostics,
    pub warnings: usize,
}

/// [`Summary`] of the site, with the findings of documents `memo` already linted reused; given
/// the pages a patch touched (`site::Reloaded::touched`: `site` is the one `memo` last
/// summarised with only those pages changed), only theirs are counted again.
pub fn summary_with(
    site: &Site,
    today: NaiveDate,
    memo: &mut LintMemo,
    touched: Option<&[PageId]>,
) -> Summary {
    let warning = |d: &Diagnostic| d.severity == Severity::Warning;
    // Counted as `Diagnostics::sort` leaves them, duplicates once. A page's diagnostics all
    // name its own file, so two can only be equal within one page, or with one of the site's
    // own: each page's are compared among themselves rather than 30,000 hashed together.
    let site_level: HashSet<&Diagnostic> = site.diagnostics.iter().filter(|d| warning(d)).collect();
    let day = (site.config.stale_days, today);
    let recount: Vec<PageId> = match touched {
        Some(touched) if memo.summarised == Some(day) && memo.pages.len() == site.pages.len() => {
            touched.to_vec()
        }
        _ => {
            // Each page's document is linted (if it was not) as it is counted below.
            memo.keep_only(site);
            memo.pages = site.pages.iter().map(|_| PageFindings::default()).collect();
            (0..site.pages.len()).collect()
        }
    };
    for id in recount {
        memo.count(site, id, day, &site_level);
    }
    memo.summarised = Some(day);
    let mut errors = Diagnostics(
        (site.diagnostics.iter().filter(|d| !warning(d)).cloned())
            .chain(memo.pages.iter().flat_map(|p| p.errors.iter().cloned()))
            .collect(),
    );
    errors.sort();
    let warnings = site_level.len() + memo.pages.iter().map(|p| p.warnings).sum::<usize>();
    Summary { errors, warnings }
}

/// The content rules' findings of each document, kept while the document (the same shared
/// `Arc`), the stale period and the day stay the same: a rule that quotes a line reads the
/// document's source, which `serve` keeps on disk (`content::kept`), and reading it for
/// every warned document after each edit doubled the check (44 → 105 ms at 10,000 pages).
/// And each page's part of the last summary: after an edit only the touched pages are
/// counted again (counting 10,000 pages' 25,000 warnings was an edit's whole check).
#[derive(Default)]
pub struct LintMemo {
    /// By the document's address; the `Arc` held keeps the address from being reused.
    found: HashMap<usize, (Arc<Document>, i64, NaiveDate, Vec<Diagnostic>)>,
    /// By page, of the last summary, and the stale period and day it was made for.
    pages: Vec<PageFindings>,
    summarised: Option<(i64, NaiveDate)>,
}

/// One page's part of a summary: its errors, and its distinct warnings that are not the
/// site's own.
#[derive(Default)]
struct PageFindings {
    /// The address of the document they were found in.
    doc: usize,
    errors: Vec<Diagnostic>,
    warnings: usize,
}

impl LintMemo {
    /// Lints the documents of `site` it has not linted for this day, forgets the others.
    fn update(&mut self, site: &Site, today: NaiveDate) {
        let day = (site.config.stale_days, today);
        self.keep_only(site);
        for page in &site.pages {
            self.lint(&page.doc, day);
        }
    }

    /// Forgets the findings of documents `site` does not show.
    fn keep_only(&mut self, site: &Site) {
        let current: HashSet<usize> = site.pages.iter().map(|p| address(&p.doc)).collect();
        self.found.retain(|address, _| current.contains(address));
    }

    /// Lints `doc` unless it was linted for this stale period and day.
    fn lint(&mut self, doc: &Arc<Document>, (stale_days, today): (i64, NaiveDate)) {
        let kept = matches!(self.found.get(&address(doc)),
            Some((_, days, day, _)) if (*days, *day) == (stale_days, today));
        if !kept {
            let found = lint_document(doc, stale_days, today);
            self.found
                .insert(address(doc), (doc.clone(), stale_days, today, found));
        }
    }

    /// Counts page `id`'s part of the summary again (linting its document if it must): its
    /// errors, and its distinct warnings that are not among the site's own `site_level`.
    fn count(
        &mut self,
        site: &Site,
        id: PageId,
        day: (i64, NaiveDate),
        site_level: &HashSet<&Diagnostic>,
    ) {
        let page = &site.pages[id];
        self.lint(&page.doc, day);
        let forgotten = std::mem::replace(&mut self.pages[id].doc, address(&page.doc));
        if forgotten != address(&page.doc) {
            self.forget(forgotten);
        }
        let (mut warnings, mut errors): (Vec<Cow<Diagnostic>>, Vec<Diagnostic>) = (vec![], vec![]);
        for d in found_on(page, self) {
            match d.severity {
                Severity::Warning => warnings.push(d),
                _ => errors.push(d.into_owned()),
            }
        }
        warnings.sort_unstable_by(|a, b| crate::diagnostics::order(a, b));
        warnings.dedup();
        let count = (warnings.iter())
            .filter(|d| !site_level.contains(d.as_ref()))
            .count();
        let findings = &mut self.pages[id];
        (findings.errors, findings.warnings) = (errors, count);
    }

    /// Drops the findings of a document no page shows any more.
    fn forget(&mut self, address: usize) {
        self.found.remove(&address);
    }

    fn of(&self, doc: &Arc<Document>) -> &[Diagnostic] {
        &self.found[&address(doc)].3
    }
}

fn address(doc: &Arc<Document>) -> usize {
    Arc::as_ptr(doc) as usize
}

/// Every diagnostic of the site, unsorted: the model's own, then each page's.
fn found<'a>(site: &'a Site, memo: &'a LintMemo) -> impl Iterator<Item = Cow<'a, Diagnostic>> {
    let pages = site.pages.iter().flat_map(move |page| found_on(page, memo));
    site.diagnostics.iter().map(Cow::Borrowed).chain(pages)
}

/// A page's diagnostics, all about its own file: its links', its document's, the content
/// rules' (from an updated `memo`), and whether it is an orphan.
fn found_on<'a>(page: &'a Page, memo: &'a LintMemo) -> impl Iterator<Item = Cow<'a, Diagnostic>> {
    // The home page is where readers start; everything else must be reachable by a link.
    let orphan = (page.url != "/" && page.backlinks.is_empty()).then(|| {
        Cow::Owned(
            Diagnostic::warning(
                Code::Orphan,
                &page.doc.rel_path,
                "no other document links to this one",
            )
            .with_help("link it from its section's README.md so that readers can find it"),
        )
    });
    page.link_diagnostics
        .iter()
        .chain(&page.doc.diagnostics)
        .chain(memo.of(&page.doc))
        .map(Cow::Borrowed)
        .chain(orphan)
}

/// Points `d` at the metadata row that gives `field` (one of `TEMPLATE_FIELDS`), else at the
/// metadata heading.
fn at_row(doc: &Document, d: Diagnostic, field: Option<&str>) -> Diagnostic {
    let place = &doc.metadata_place;
    match field.and_then(|f| place.row(f)).or(place.heading) {
        Some(pos) => {
            let source = doc.source.read();
            let len = source
                .lines()
                .nth(pos.line as usize - 1)
                .map_or(1, |l| l.chars().count() as u32);
            d.at(&source, pos, len)
        }
        None => d,
    }
}

/// The content rules that need only the document itself.
pub fn lint_document(doc: &Document, stale_days: i64, today: NaiveDate) -> Vec<Diagnostic> {
    let path = doc.rel_path.as_str();
    let mut out = vec![];
    if !doc.has_metadata {
        if !doc.is_blank {
            out.push(
                Diagnostic::warning(Code::MissingMetadata, path, "the document has no «Метаданные документа» table")
                    .with_help("add the template's table: Версия, Дата создания, Дата последнего обновления, Автор, Ответственный за актуальность, Статус, Тип документа, Отдел, Теги"),
            );
        }
    } else if !doc.missing_fields.is_empty() {
        out.push(at_row(
            doc,
            Diagnostic::warning(
                Code::MissingMetadata,
                path,
                format!(
                    "the metadata table lacks: {}",
                    doc.missing_fields.join(", ")
                ),
            ),
            None,
        ));
    }
    if let Some(updated) = doc.meta.updated {
        let age = (today - updated).num_days();
        if age > stale_days {
            out.push(at_row(
                doc,
                Diagnostic::warning(Code::Stale, path, format!("last updated {updated}, {age} days ago (more than {stale_days}): the document may be out of date"))
                    .with_help("review it, then raise the version and the date"),
                Some("Дата последнего обновления"),
            ));
        }
    }
    if let Some(status) = doc
        .meta
        .status
        .as_deref()
        .filter(|s| s.trim().to_lowercase() != "актуально")
    {
        out.push(at_row(
            doc,
            Diagnostic::warning(
                Code::Status,
                path,
                format!("status is «{status}», not «Актуально»"),
            ),
            Some("Статус"),
        ));
    }
    if doc.is_typical_request() {
        let missing: Vec<&str> = TYPICAL_SECTIONS
            .iter()
            .copied()
            .filter(|s| doc.rendered.section(s).is_none())
            .collect();
        if !missing.is_empty() {
            out.push(Diagnostic::warning(
                Code::MissingSection,
                path,
                format!(
                    "a typical-request article lacks the section{}: {}",
                    if missing.len() > 1 { "s" } else { "" },
                    missing.join(", ")
                ),
            ));
        }
    }
    if let (Some(last), Some(version)) = (doc.history.last(), doc.meta.version.as_deref()) {
        if last.version.trim() != version.trim() {
            let d = Diagnostic::warning(
                Code::HistoryVersion,
                path,
                format!(
                    "the change history ends at version {}, but the metadata says {version}",
                    last.version
                ),
            )
            .with_help("add a row to «История изменений» or correct the version");
            let source = doc.source.read();
            let len = source
                .lines()
                .nth(last.pos.line.saturating_sub(1) as usize)
                .map_or(1, |l| l.chars().count() as u32);
            out.push(d.at(&source, last.pos, len));
        }
    }
    out
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
