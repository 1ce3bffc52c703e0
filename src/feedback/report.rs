//! The knowledge-gap report for writers: what operators could not find an article for, what
//! they searched for in vain, how articles were judged, which were never used, which stale
//! ones are used most, and votes and misses by ISO week. Computed here from the stored rows
//! and the site, so SQLite and PostgreSQL give the same report; served as `/stats/` and
//! `/api/stats`, printed by `spravka report`.

mod groups;

pub use groups::{group, Grouped};

use super::{Kind, Stored};
use crate::site::Site;
use chrono::{DateTime, Datelike, Duration, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

/// Groups listed per table; the tickets of the smaller ones are counted in `not_shown`.
pub const MAX_GROUPS: usize = 25;
/// Examples shown per group.
pub const EXAMPLES: usize = 3;
/// The period when none is asked for.
pub const DEFAULT_DAYS: i64 = 30;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Report {
    /// The period's first day (UTC), `YYYY-MM-DD`.
    #[schema(example = "2026-11-01")]
    pub since: String,
    /// The day the report was made, the period's last.
    pub until: String,
    pub totals: Totals,
    /// Tickets no article fitted («Подходящей статьи нет», suggestions the server was not
    /// confident of), grouped by shared words, largest group first: what to write next.
    pub gaps: Groups,
    /// Searches that found nothing, grouped the same way.
    pub zero_results: Groups,
    /// Articles operators judged or opened from search, most used first.
    pub articles: Vec<ArticleUse>,
    /// Articles (section pages aside) nobody voted on, opened from search or was suggested
    /// unconfidently in the period, by path.
    pub unused: Vec<Article>,
    /// Stale articles operators used, most used (helped + opened) first: re-check these first.
    pub stale: Vec<ArticleUse>,
    /// Votes and misses per ISO week of the period, oldest first.
    pub weeks: Vec<Week>,
}

/// Rows of each kind in the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Totals {
    pub helped: usize,
    pub wrong: usize,
    pub no_article: usize,
    pub opened: usize,
    pub zero_results: usize,
    pub not_confident: usize,
}

/// Tickets (or searches) grouped by the words they share.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Groups {
    /// Tickets in all (the same words twice count once).
    pub tickets: usize,
    pub groups: Vec<Group>,
    /// Tickets of the groups past the first [`MAX_GROUPS`].
    pub not_shown: usize,
}

/// One group: its shared words (index terms: stems, personal data masked; none for a ticket
/// on its own with many words), how many tickets, and a few distinct ones, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Group {
    #[schema(example = json!(["ветеринар", "пропуск"]))]
    pub terms: Vec<String>,
    pub count: usize,
    pub examples: Vec<Example>,
}

/// One ticket of a group: its words, and its masked text when `[feedback] store_text` is on.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Example {
    pub terms: Vec<String>,
    pub text: Option<String>,
}

/// An article of the site (or one since removed: no `url`, its path as title).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Article {
    /// The source path relative to content/.
    pub path: String,
    pub title: String,
    /// The page's URL from the site's root; null for an article no longer in the base.
    pub url: Option<String>,
}

/// An article with its votes in the period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ArticleUse {
    #[serde(flatten)]
    pub article: Article,
    /// «Помогло».
    pub helped: usize,
    /// «Не то».
    pub wrong: usize,
    /// Opened from the search results.
    pub opened: usize,
    /// Its last update (else creation), `YYYY-MM-DD`, when the document says.
    pub updated: Option<String>,
}

/// One ISO week: votes on articles (helped, wrong, opened) and misses (no article, not
/// confident, no search results).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Week {
    /// `2026-W48`.
    pub week: String,
    /// Its Monday, `YYYY-MM-DD`.
    pub monday: String,
    pub votes: usize,
    pub misses: usize,
}

/// The report of `rows` since the start of `since` (UTC), `today` deciding staleness and the
/// period's end. Rows before `since` are ignored.
pub fn compute(rows: &[Stored], site: &Site, since: NaiveDate, today: NaiveDate) -> Report {
    let start = since.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let mut rows: Vec<&Stored> = rows
        .iter()
        .filter(|r| r.event.at >= start.timestamp())
        .collect();
    // Newest first: a group's examples are its latest tickets.
    rows.sort_by(|a, b| b.event.at.cmp(&a.event.at).then(b.id.cmp(&a.id)));
    let of = |kinds: &[Kind]| -> Vec<&Stored> {
        rows.iter()
            .copied()
            .filter(|r| kinds.contains(&r.event.kind))
            .collect()
    };
    let articles = article_use(&rows, site);
    let used: BTreeSet<&str> = rows
        .iter()
        .filter_map(|r| r.event.path.as_deref())
        .collect();
    // Already in order of use.
    let stale = articles
        .iter()
        .filter(|a| {
            site.page_by_path(&a.article.path)
                .is_some_and(|p| p.doc.meta.is_stale(site.config.stale_days, today))
        })
        .filter(|a| a.helped + a.opened > 0)
        .cloned()
        .collect();
    Report {
        since: since.to_string(),
        until: today.max(since).to_string(),
        totals: totals(&rows),
        gaps: grouped(&of(&[Kind::NoArticle, Kind::NotConfident]), true),
        zero_results: grouped(&of(&[Kind::ZeroResults]), false),
        stale,
        articles,
        unused: site
            .pages
            .iter()
            .filter(|p| !p.is_index && !used.contains(p.doc.rel_path.as_str()))
            .map(|p| article(site, &p.doc.rel_path))
            .collect(),
        weeks: weeks(&rows, since, today),
    }
}

fn totals(rows: &[&Stored]) -> Totals {
    let mut totals = Totals::default();
    for row in rows {
        *match row.event.kind {
            Kind::Helped => &mut totals.helped,
            Kind::Wrong => &mut totals.wrong,
            Kind::NoArticle => &mut totals.no_article,
            Kind::Opened => &mut totals.opened,
            Kind::ZeroResults => &mut totals.zero_results,
            Kind::NotConfident => &mut totals.not_confident,
        } += 1;
    }
    totals
}

/// Groups the rows' words. With `once`, rows with the same words count once: the server
/// records an unconfident suggestion and the operator then says «Подходящей статьи нет» about
/// the same ticket; a search repeated is asked for again, and counts again.
fn grouped(rows: &[&Stored], once: bool) -> Groups {
    let mut seen = BTreeSet::new();
    let rows: Vec<&Stored> = rows
        .iter()
        .copied()
        .filter(|r| !once || seen.insert(&r.event.terms))
        .collect();
    let items: Vec<&[String]> = rows.iter().map(|r| r.event.terms.as_slice()).collect();
    let found = group(&items, MAX_GROUPS);
    let shown: usize = found.iter().map(|g| g.members.len()).sum();
    Groups {
        tickets: rows.len(),
        not_shown: rows.len() - shown,
        groups: found
            .into_iter()
            .map(|g| {
                // Distinct examples: a search asked three times is one example.
                let mut examples: Vec<Example> = Vec::new();
                for &i in &g.members {
                    let example = Example {
                        terms: rows[i].event.terms.clone(),
                        text: rows[i].event.text.clone(),
                    };
                    if examples.len() < EXAMPLES && !examples.contains(&example) {
                        examples.push(example);
                    }
                }
                Group {
                    terms: g.key,
                    count: g.members.len(),
                    examples,
                }
            })
            .collect(),
    }
}

/// The article at `path`, as the site names it now.
fn article(site: &Site, path: &str) -> Article {
    match site.page_by_path(path) {
        Some(page) => Article {
            path: path.to_string(),
            title: page.doc.title.clone(),
            url: Some(page.url.clone()),
        },
        None => Article {
            path: path.to_string(),
            title: path.to_string(),
            url: None,
        },
    }
}

/// Every article voted on or opened from search, with its counts, most used first.
fn article_use(rows: &[&Stored], site: &Site) -> Vec<ArticleUse> {
    let mut counts: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for row in rows {
        let slot = match row.event.kind {
            Kind::Helped => 0,
            Kind::Wrong => 1,
            Kind::Opened => 2,
            _ => continue,
        };
        if let Some(path) = &row.event.path {
            counts.entry(path).or_default()[slot] += 1;
        }
    }
    let used = counts.into_iter().map(|(path, [helped, wrong, opened])| {
        let meta = site.page_by_path(path).map(|p| &p.doc.meta);
        ArticleUse {
            article: article(site, path),
            helped,
            wrong,
            opened,
            updated: meta
                .and_then(|m| m.updated.or(m.created))
                .map(|d| d.to_string()),
        }
    });
    by_use(used.collect())
}

/// Most used (helped + opened) first, then most rejected, then by path.
fn by_use(mut articles: Vec<ArticleUse>) -> Vec<ArticleUse> {
    articles.sort_by(|a, b| {
        (b.helped + b.opened)
            .cmp(&(a.helped + a.opened))
            .then(b.wrong.cmp(&a.wrong))
            .then(a.article.path.cmp(&b.article.path))
    });
    articles
}

/// Today as the report counts days: in UTC, like the rows' dates and weeks (not the local
/// date, which is a day off around midnight); `SOURCE_DATE_EPOCH` fixes it, as it does for
/// builds, so that a report can be reproduced.
pub fn today() -> NaiveDate {
    crate::render::source_date().unwrap_or_else(|| chrono::Utc::now().date_naive())
}

/// The first day of a report's period: `asked` (else `default_days` ago), no earlier than
/// the oldest row that can still be kept (`retention_days`: there is nothing before it, and
/// an ancient date would only make empty weeks by the million), never after today.
pub fn period_start(
    asked: Option<NaiveDate>,
    today: NaiveDate,
    default_days: i64,
    retention_days: u32,
) -> Result<NaiveDate, String> {
    let oldest = today - Duration::days(i64::from(retention_days));
    let since = asked.unwrap_or(today - Duration::days(default_days));
    if since > today {
        return Err(format!("{since} is after today ({today})"));
    }
    Ok(since.max(oldest))
}

/// Every ISO week from `since`'s to `today`'s (or the last row's, if later), with its counts.
fn weeks(rows: &[&Stored], since: NaiveDate, today: NaiveDate) -> Vec<Week> {
    let monday = |d: NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let day_of = |at: i64| DateTime::from_timestamp(at, 0).map(|t| t.date_naive());
    let last = rows
        .iter()
        .filter_map(|r| day_of(r.event.at))
        .fold(today.max(since), NaiveDate::max);
    let mut weeks: BTreeMap<NaiveDate, (usize, usize)> = BTreeMap::new();
    let mut week = monday(since);
    while week <= last {
        weeks.insert(week, (0, 0));
        let Some(next) = week.checked_add_signed(Duration::days(7)) else {
            break;
        };
        week = next;
    }
    for row in rows {
        let Some(day) = day_of(row.event.at) else {
            continue;
        };
        let counts = weeks.entry(monday(day)).or_default();
        match row.event.kind {
            Kind::Helped | Kind::Wrong | Kind::Opened => counts.0 += 1,
            Kind::NoArticle | Kind::NotConfident | Kind::ZeroResults => counts.1 += 1,
        }
    }
    weeks
        .into_iter()
        .map(|(monday, (votes, misses))| {
            let iso = monday.iso_week();
            Week {
                week: format!("{}-W{:02}", iso.year(), iso.week()),
                monday: monday.to_string(),
                votes,
                misses,
            }
        })
        .collect()
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
