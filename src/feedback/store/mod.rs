//! The feedback database: one table of [`Event`]s behind the same operations on embedded
//! SQLite (the default: one file, nothing to run) and PostgreSQL (several servers behind one
//! load balancer share it). The schema is versioned: each migration runs once, in order, in
//! a transaction, recorded in `spravka_schema_version`.

mod postgres;
mod sqlite;

use super::{Event, Kind, Stored};
use std::path::Path;

/// Everything a database operation can fail with. The message names the database; the
/// server logs it once and answers 503, never showing it to the client.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("feedback database {target}: {source}")]
    Sqlite {
        target: String,
        source: rusqlite::Error,
    },
    #[error("feedback database {target}: {source}")]
    Postgres {
        target: String,
        source: tokio_postgres::Error,
    },
    #[error("feedback database {target}: cannot create its folder: {source}")]
    Folder {
        target: String,
        source: std::io::Error,
    },
    #[error("feedback database {target}: a row has an unknown kind {kind:?}")]
    UnknownKind { target: String, kind: String },
    #[error("feedback database {target}: schema version {found} is newer than this spravka knows ({known}); upgrade spravka")]
    TooNew {
        target: String,
        found: i64,
        known: i64,
    },
    #[error("feedback database: the task running it failed: {0}")]
    Task(String),
    #[error("feedback database {target}: no answer within {seconds} s")]
    Timeout { target: String, seconds: u64 },
}

/// How long one operation may take before it fails (and a PostgreSQL connection is dropped,
/// to be opened anew): a half-open connection must not hold feedback for hours.
const OPERATION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// One schema change, written once for both databases: `{serial}` stands for the type of
/// an auto-numbered key, the one place their SQL differs here.
struct Migration {
    version: i64,
    sql: &'static str,
}

impl Migration {
    fn sql_for(&self, serial: &str) -> String {
        self.sql.replace("{serial}", serial)
    }
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: "CREATE TABLE feedback_events (
            id {serial},
            at BIGINT NOT NULL,
            kind TEXT NOT NULL,
            path TEXT,
            suggestion_rank INTEGER,
            terms TEXT NOT NULL,
            ticket_text TEXT,
            client TEXT NOT NULL
          );
          CREATE INDEX feedback_events_at ON feedback_events (at);",
    },
    // The installation's own key for clients' hashes: a key in the source would let anyone
    // with the database recover an address by trying them all.
    Migration {
        version: 2,
        sql: "CREATE TABLE feedback_key (id INTEGER PRIMARY KEY, key TEXT NOT NULL);",
    },
];

/// The newest schema version this build knows.
fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// A database a newer spravka migrated is left alone: its rows may mean what this one
/// cannot read.
fn refuse_newer(found: i64, target: &str) -> Result<(), StoreError> {
    if found > latest_version() {
        return Err(StoreError::TooNew {
            target: target.to_string(),
            found,
            known: latest_version(),
        });
    }
    Ok(())
}

/// Columns in the order every query reads them.
const COLUMNS: &str = "id, at, kind, path, suggestion_rank, terms, ticket_text, client";

/// An open feedback database.
pub enum Store {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PostgresStore),
}

impl Store {
    /// Opens (creating it if needed) and migrates the database `setting` names: a
    /// `postgres://` or `postgresql://` URL, else a SQLite file relative to `root`.
    pub async fn open(setting: &str, root: &Path) -> Result<Store, StoreError> {
        if setting.starts_with("postgres://") || setting.starts_with("postgresql://") {
            Ok(Store::Postgres(
                postgres::PostgresStore::open(setting).await?,
            ))
        } else {
            let path = root.join(setting);
            Ok(Store::Sqlite(sqlite::SqliteStore::open(path).await?))
        }
    }

    /// Stores one event; the id is returned once it is durable.
    pub async fn insert(&self, event: &Event) -> Result<i64, StoreError> {
        self.timed(async {
            match self {
                Store::Sqlite(s) => s.insert(vec![event.clone()]).await.map(|ids| ids[0]),
                Store::Postgres(s) => s
                    .insert(std::slice::from_ref(event))
                    .await
                    .map(|ids| ids[0]),
            }
        })
        .await
    }

    /// `operation`, failed after [`OPERATION_TIMEOUT`]; a timed-out PostgreSQL connection is
    /// marked closed, so that the next operation opens a new one.
    async fn timed<T>(
        &self,
        operation: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(OPERATION_TIMEOUT, operation).await {
            Ok(result) => result,
            Err(_) => {
                let target = match self {
                    Store::Sqlite(s) => s.target().to_string(),
                    Store::Postgres(s) => {
                        s.mark_broken();
                        s.target().to_string()
                    }
                };
                Err(StoreError::Timeout {
                    target,
                    seconds: OPERATION_TIMEOUT.as_secs(),
                })
            }
        }
    }

    /// Stores many events in one transaction (`feedback import`).
    pub async fn insert_many(&self, events: Vec<Event>) -> Result<Vec<i64>, StoreError> {
        // An import may be large: no timeout, it is a command run by hand.
        match self {
            Store::Sqlite(s) => s.insert(events).await,
            Store::Postgres(s) => s.insert(&events).await,
        }
    }

    /// Events with an id above `after_id`, oldest first, at most `limit`; only the kinds in
    /// `kinds` (all when empty).
    pub async fn after(
        &self,
        after_id: i64,
        kinds: &[Kind],
        limit: i64,
    ) -> Result<Vec<Stored>, StoreError> {
        let kinds: Vec<String> = kinds.iter().map(|k| k.as_str().to_string()).collect();
        self.timed(async {
            match self {
                Store::Sqlite(s) => s.after(after_id, kinds, limit).await,
                Store::Postgres(s) => s.after(after_id, &kinds, limit).await,
            }
        })
        .await
    }

    /// Events at or after `since` (seconds), oldest first.
    pub async fn since(&self, since: i64) -> Result<Vec<Stored>, StoreError> {
        self.timed(async {
            match self {
                Store::Sqlite(s) => s.since(since).await,
                Store::Postgres(s) => s.since(since).await,
            }
        })
        .await
    }

    /// Deletes events older than `before` (seconds); returns how many went.
    pub async fn purge(&self, before: i64) -> Result<u64, StoreError> {
        self.timed(async {
            match self {
                Store::Sqlite(s) => s.purge(before).await,
                Store::Postgres(s) => s.purge(before).await,
            }
        })
        .await
    }

    /// The installation's key for clients' hashes: made (random) by the first server to ask,
    /// the same for every replica after.
    pub async fn client_key(&self) -> Result<[u8; 32], StoreError> {
        let mut fresh = [0u8; 32];
        getrandom::fill(&mut fresh).map_err(|e| StoreError::Task(format!("no randomness: {e}")))?;
        let fresh = blake3::Hash::from_bytes(fresh).to_hex().to_string();
        let stored = self
            .timed(async {
                match self {
                    Store::Sqlite(s) => s.client_key(fresh).await,
                    Store::Postgres(s) => s.client_key(&fresh).await,
                }
            })
            .await?;
        let hash = blake3::Hash::from_hex(stored.trim()).map_err(|_| StoreError::UnknownKind {
            target: "feedback_key".into(),
            kind: "a key that is not 64 hex digits".into(),
        })?;
        Ok(*hash.as_bytes())
    }

    /// Whether the connection is gone for good (a PostgreSQL server that went away), so the
    /// caller opens a new one.
    pub fn is_closed(&self) -> bool {
        match self {
            Store::Sqlite(_) => false,
            Store::Postgres(s) => s.is_closed(),
        }
    }
}

/// The stored form of an event's terms: space-separated (terms never contain spaces).
fn join_terms(terms: &[String]) -> String {
    terms.join(" ")
}

fn split_terms(text: &str) -> Vec<String> {
    text.split_whitespace().map(String::from).collect()
}

/// A row read back, as the columns of [`COLUMNS`].
struct Row {
    id: i64,
    at: i64,
    kind: String,
    path: Option<String>,
    rank: Option<i64>,
    terms: String,
    text: Option<String>,
    client: String,
}

impl Row {
    fn into_stored(self, target: &str) -> Result<Stored, StoreError> {
        let kind = Kind::parse(&self.kind).ok_or_else(|| StoreError::UnknownKind {
            target: target.to_string(),
            kind: self.kind.clone(),
        })?;
        Ok(Stored {
            id: self.id,
            event: Event {
                at: self.at,
                kind,
                path: self.path,
                rank: self.rank.and_then(|r| u32::try_from(r).ok()),
                terms: split_terms(&self.terms),
                text: self.text,
                client: self.client,
            },
        })
    }
}
