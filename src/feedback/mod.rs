//! Operators' feedback: their verdicts on suggestions, the articles they opened from search,
//! and the searches and tickets the base could not answer — kept in a database (`store`),
//! taught to suggest (`search::learned`) and reported to writers (`report`).

pub mod exchange;
pub mod privacy;
pub mod replay;
pub mod report;
pub mod service;
pub mod store;

pub use service::{Feedback, Unavailable};
pub use store::{Store, StoreError};

use serde::{Deserialize, Serialize};

/// What happened. Votes are the operators'; the last two the server records itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// «Помогло»: the suggested article answered the ticket.
    Helped,
    /// «Не то»: it did not.
    Wrong,
    /// «Подходящей статьи нет»: nothing in the base answers the ticket.
    NoArticle,
    /// An article opened from the search results: an implicit vote.
    Opened,
    /// A search that found nothing.
    ZeroResults,
    /// A suggestion the server was not confident of.
    NotConfident,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Helped,
        Kind::Wrong,
        Kind::NoArticle,
        Kind::Opened,
        Kind::ZeroResults,
        Kind::NotConfident,
    ];

    /// The name stored in the database and written by `export`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Helped => "helped",
            Kind::Wrong => "wrong",
            Kind::NoArticle => "no_article",
            Kind::Opened => "opened",
            Kind::ZeroResults => "zero_results",
            Kind::NotConfident => "not_confident",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What suggest learns from a row of this kind: only explicit verdicts on a suggestion
    /// (an opened search result says the article was interesting, not that it answered).
    pub fn lesson(self) -> Option<crate::search::learned::Lesson> {
        use crate::search::learned::Lesson;
        match self {
            Kind::Helped => Some(Lesson::Confirmed),
            Kind::Wrong => Some(Lesson::Rejected),
            _ => None,
        }
    }
}

/// One row: a verdict or a recorded miss, with the ticket's analysed words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Seconds since the Unix epoch, UTC.
    pub at: i64,
    pub kind: Kind,
    /// The article's source path (relative to content/), when the row is about one.
    pub path: Option<String>,
    /// The suggestion's place in the list (1 = first), when the vote came from one.
    pub rank: Option<u32>,
    /// The ticket's or query's index terms, personal data masked before analysis.
    pub terms: Vec<String>,
    /// The masked text, only with `[feedback] store_text = true`.
    pub text: Option<String>,
    /// Who said it. Stored as a keyed hash of the bearer token or the client's address
    /// ([`hashed_client`]); before [`Feedback::record`] stores it, the raw identity.
    pub client: String,
}

/// An event as stored, with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    pub id: i64,
    #[serde(flatten)]
    pub event: Event,
}

/// The places a suggestion can have: 1 to the largest `limit` suggest answers.
pub const RANKS: std::ops::RangeInclusive<u32> = 1..=50;

/// Teaches `learned` the verdicts among `rows` (other rows teach nothing). Learning a row
/// twice changes nothing: clients are counted as a set.
pub fn learn_votes(learned: &mut crate::search::learned::Learned, rows: &[Stored]) {
    for row in rows {
        if let (Some(lesson), Some(path)) = (row.event.kind.lesson(), &row.event.path) {
            learned.learn(path, lesson, &row.event.terms, &row.event.client);
        }
    }
}

/// Everything the configured database teaches, for `spravka build` to ship beside the index;
/// `None` when there is no database yet (a SQLite file is not created for this).
pub async fn learned_from_database(
    settings: &crate::config::FeedbackConfig,
    root: &std::path::Path,
) -> Result<Option<crate::search::learned::Learned>, StoreError> {
    let setting = settings.database.trim();
    let is_url = setting.starts_with("postgres://") || setting.starts_with("postgresql://");
    if setting.is_empty() || (!is_url && !root.join(setting).exists()) {
        return Ok(None);
    }
    let store = Store::open(setting, root).await?;
    // Only what the server itself still learns from: expired votes are forgotten even
    // when no server has purged them yet.
    let cutoff = now() - i64::from(settings.retention_days) * 86_400;
    let votes: Vec<Stored> = store
        .after(0, &[Kind::Helped, Kind::Wrong], i64::MAX)
        .await?
        .into_iter()
        .filter(|r| r.event.at >= cutoff)
        .collect();
    let mut learned = crate::search::learned::Learned::new(settings.confirmation_cap);
    learn_votes(&mut learned, &votes);
    Ok(Some(learned))
}

/// The current time as stored.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A client's identity as stored: `raw` (its token or address) hashed with the installation's
/// key ([`Store::client_key`]), so that the database holds no address or token, the same
/// client always maps to the same value, and nobody without the key can try addresses.
pub fn hashed_client(key: &[u8; 32], raw: &str) -> String {
    blake3::keyed_hash(key, raw.as_bytes()).to_hex()[..16].to_string()
}
