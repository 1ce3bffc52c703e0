//! The writers' report page (`/stats/`, `stats.html`), rendered by the server on request
//! from a [`Report`]: the theme's page around it, and the weekly chart as SVG geometry the
//! template draws (no script, no style attribute: the page keeps the site's CSP).

use super::context::RenderEnv;
use super::{RenderError, RenderOptions, Renderer};
use crate::feedback::report::{Report, Week};
use crate::site::Site;
use serde::Serialize;

/// What `stats.html` sees.
#[derive(Serialize)]
struct StatsPage<'a> {
    #[serde(flatten)]
    base: super::jobs::Base<'a>,
    problem: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chart: Option<Chart>,
}

/// Where the server answers the report page.
pub const STATS_URL: &str = "/stats/";

/// The chart's drawing area, in SVG units (the SVG scales to its box).
const COLUMN: u32 = 48;
const BAR: u32 = 16;
const PLOT: u32 = 120;
const TOP: u32 = 18;
const BOTTOM: u32 = 22;

/// The weekly chart: one column per week, its votes' bar beside its misses'.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub width: u32,
    pub height: u32,
    /// Its size on the page: half as large again, so its numbers read like the text's.
    pub display_width: u32,
    pub display_height: u32,
    /// The baseline's y.
    pub base: u32,
    pub columns: Vec<Column>,
    /// The text alternative: every week's numbers in words.
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct Column {
    /// `23.11`: the week's Monday.
    pub label: String,
    pub label_x: u32,
    pub votes: Bar,
    pub misses: Bar,
}

#[derive(Debug, Serialize)]
pub struct Bar {
    pub value: usize,
    pub x: u32,
    pub y: u32,
    pub height: u32,
    /// Where its number is written, above it.
    pub text_x: u32,
    pub text_y: u32,
}

/// `2026-11-23` → `23.11`: a week's label.
fn day_and_month(iso: &str) -> String {
    let mut parts: Vec<&str> = iso.split('-').collect();
    parts.reverse();
    parts.truncate(2);
    parts.join(".")
}

/// The chart of `weeks`, bars scaled to the largest number.
pub fn chart(weeks: &[Week]) -> Chart {
    let max = weeks
        .iter()
        .map(|w| w.votes.max(w.misses))
        .max()
        .unwrap_or(0)
        .max(1);
    let base = TOP + PLOT;
    let bar = |value: usize, x: u32| {
        let height = (value as u64 * u64::from(PLOT) / max as u64) as u32;
        Bar {
            value,
            x,
            y: base - height,
            height,
            text_x: x + BAR / 2,
            text_y: base - height - 4,
        }
    };
    let columns: Vec<Column> = weeks
        .iter()
        .zip(0u32..)
        .map(|(week, i)| {
            let left = i * COLUMN + (COLUMN - 2 * BAR) / 2;
            Column {
                label: day_and_month(&week.monday),
                label_x: i * COLUMN + COLUMN / 2,
                votes: bar(week.votes, left),
                misses: bar(week.misses, left + BAR),
            }
        })
        .collect();
    let description = weeks
        .iter()
        .map(|w| {
            format!(
                "неделя с {}: отзывов о статьях {}, промахов {}",
                day_and_month(&w.monday),
                w.votes,
                w.misses
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let width = (columns.len() as u32).max(1) * COLUMN;
    let height = base + BOTTOM;
    Chart {
        width,
        height,
        display_width: width * 3 / 2,
        display_height: height * 3 / 2,
        base,
        columns,
        description,
    }
}

impl Renderer {
    /// The report page for `report`, or, with `problem`, the same page saying why there is no
    /// report (feedback off, database down, a bad date).
    pub fn stats_page(
        &self,
        site: &Site,
        report: Option<&Report>,
        problem: Option<&str>,
        options: RenderOptions,
    ) -> Result<String, RenderError> {
        let env = RenderEnv::new(site, options.today, false);
        let page = StatsPage {
            base: env.base(STATS_URL.into(), options),
            problem,
            report,
            chart: report.map(|r| chart(&r.weeks)),
        };
        let ctx = tera::Context::from_serialize(page)
            .map_err(|e| super::template_error("stats.html", e))?;
        self.html("stats.html", &ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn week(monday: &str, votes: usize, misses: usize) -> Week {
        Week {
            week: String::new(),
            monday: monday.into(),
            votes,
            misses,
        }
    }

    #[test]
    fn bars_are_scaled_to_the_largest_number_and_described_in_words() {
        let chart = chart(&[week("2026-11-16", 4, 0), week("2026-11-23", 2, 1)]);
        assert_eq!(chart.width, 96);
        let first = &chart.columns[0];
        assert_eq!((first.votes.height, first.votes.y), (PLOT, TOP));
        assert_eq!(first.misses.height, 0);
        assert_eq!(chart.columns[1].votes.height, PLOT / 2);
        assert_eq!(chart.columns[1].label, "23.11");
        assert_eq!(
            chart.description,
            "неделя с 16.11: отзывов о статьях 4, промахов 0; неделя с 23.11: отзывов о статьях 2, промахов 1"
        );
        assert_eq!(super::chart(&[]).columns.len(), 0);
    }
}
