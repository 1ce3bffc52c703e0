//! The embedded backend: one SQLite file in WAL mode, every commit synced (`synchronous =
//! FULL`), so a vote acknowledged with its id survives a killed server or a power cut. Calls
//! run on tokio's blocking threads; a mutex makes them one at a time, which SQLite needs for
//! writes anyway.

use super::{join_terms, refuse_newer, Row, StoreError, COLUMNS, MIGRATIONS};
use crate::feedback::{Event, Stored};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a write waits for another process holding the file (a backup, a second server
/// by mistake) before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(2);

pub struct SqliteStore {
    connection: Arc<Mutex<Connection>>,
    target: String,
}

impl SqliteStore {
    pub async fn open(path: PathBuf) -> Result<SqliteStore, StoreError> {
        let target = path.display().to_string();
        let connection = {
            let target = target.clone();
            blocking(move || open_and_migrate(&path, &target)).await??
        };
        Ok(SqliteStore {
            connection: Arc::new(Mutex::new(connection)),
            target,
        })
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    /// Runs `work` on the connection off the async threads, its error naming the file.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = self.connection.clone();
        let target = self.target.clone();
        blocking(move || {
            let mut connection = connection.lock().unwrap_or_else(|e| e.into_inner());
            work(&mut connection).map_err(|source| StoreError::Sqlite { target, source })
        })
        .await?
    }

    pub async fn insert(&self, events: Vec<Event>) -> Result<Vec<i64>, StoreError> {
        self.run(move |c| {
            let tx = c.transaction()?;
            let mut ids = Vec::with_capacity(events.len());
            {
                let mut statement = tx.prepare_cached(
                    "INSERT INTO feedback_events
                       (at, kind, path, suggestion_rank, terms, ticket_text, client)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for e in &events {
                    statement.execute(params![
                        e.at,
                        e.kind.as_str(),
                        e.path,
                        e.rank,
                        join_terms(&e.terms),
                        e.text,
                        e.client
                    ])?;
                    ids.push(tx.last_insert_rowid());
                }
            }
            tx.commit()?;
            Ok(ids)
        })
        .await
    }

    pub async fn after(
        &self,
        after_id: i64,
        kinds: Vec<String>,
        limit: i64,
    ) -> Result<Vec<Stored>, StoreError> {
        let rows = self
            .run(move |c| {
                // The kinds are bound as one JSON array (no SQL is built from values).
                let kinds = serde_json::to_string(&kinds).unwrap_or_else(|_| "[]".into());
                let mut statement = c.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM feedback_events
                     WHERE id > ?1
                       AND (json_array_length(?2) = 0
                            OR kind IN (SELECT value FROM json_each(?2)))
                     ORDER BY id LIMIT ?3"
                ))?;
                let rows = statement.query_map(params![after_id, kinds, limit], read_row)?;
                rows.collect::<rusqlite::Result<Vec<Row>>>()
            })
            .await?;
        self.stored(rows)
    }

    pub async fn since(&self, since: i64) -> Result<Vec<Stored>, StoreError> {
        let rows = self
            .run(move |c| {
                let mut statement = c.prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM feedback_events WHERE at >= ?1 ORDER BY id"
                ))?;
                let rows = statement.query_map(params![since], read_row)?;
                rows.collect::<rusqlite::Result<Vec<Row>>>()
            })
            .await?;
        self.stored(rows)
    }

    pub async fn client_key(&self, fresh: String) -> Result<String, StoreError> {
        self.run(move |c| {
            c.execute(
                "INSERT INTO feedback_key (id, key) VALUES (1, ?1) ON CONFLICT DO NOTHING",
                params![fresh],
            )?;
            c.query_row("SELECT key FROM feedback_key WHERE id = 1", [], |r| {
                r.get(0)
            })
        })
        .await
    }

    pub async fn purge(&self, before: i64) -> Result<u64, StoreError> {
        self.run(move |c| {
            c.execute("DELETE FROM feedback_events WHERE at < ?1", params![before])
                .map(|n| n as u64)
        })
        .await
    }

    fn stored(&self, rows: Vec<Row>) -> Result<Vec<Stored>, StoreError> {
        rows.into_iter()
            .map(|r| r.into_stored(&self.target))
            .collect()
    }
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        id: r.get(0)?,
        at: r.get(1)?,
        kind: r.get(2)?,
        path: r.get(3)?,
        rank: r.get(4)?,
        terms: r.get(5)?,
        text: r.get(6)?,
        client: r.get(7)?,
    })
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| StoreError::Task(e.to_string()))
}

fn open_and_migrate(path: &std::path::Path, target: &str) -> Result<Connection, StoreError> {
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| StoreError::Folder {
            target: target.to_string(),
            source,
        })?;
    }
    let sqlite = |source| StoreError::Sqlite {
        target: target.to_string(),
        source,
    };
    let mut connection = Connection::open(path).map_err(sqlite)?;
    connection.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
    connection
        .pragma_update(None, "journal_mode", "WAL")
        .map_err(sqlite)?;
    connection
        .pragma_update(None, "synchronous", "FULL")
        .map_err(sqlite)?;
    migrate(&mut connection, target)?;
    Ok(connection)
}

/// Applies the migrations the file has not seen, in one transaction that takes the write
/// lock before it reads the version: two processes opening a new file at once (`serve` and
/// `report`) migrate it once.
fn migrate(connection: &mut Connection, target: &str) -> Result<(), StoreError> {
    let sqlite = |source| StoreError::Sqlite {
        target: target.to_string(),
        source,
    };
    let tx = connection
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS spravka_schema_version (version INTEGER NOT NULL)",
    )
    .map_err(sqlite)?;
    let found: i64 = tx
        .query_row("SELECT MAX(version) FROM spravka_schema_version", [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()
        .map_err(sqlite)?
        .flatten()
        .unwrap_or(0);
    refuse_newer(found, target)?;
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.execute_batch(&migration.sql_for("INTEGER PRIMARY KEY AUTOINCREMENT"))
            .map_err(sqlite)?;
        tx.execute(
            "INSERT INTO spravka_schema_version (version) VALUES (?1)",
            params![migration.version],
        )
        .map_err(sqlite)?;
    }
    tx.commit().map_err(sqlite)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opening again migrates nothing twice; a file from a newer spravka is refused by name.
    #[tokio::test]
    async fn migrations_run_once_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/feedback.sqlite");
        drop(SqliteStore::open(path.clone()).await.unwrap());
        drop(SqliteStore::open(path.clone()).await.unwrap());
        // The installation's key is made once and kept; another installation gets its own.
        let store = super::super::Store::open("data/feedback.sqlite", dir.path())
            .await
            .unwrap();
        let key = store.client_key().await.unwrap();
        assert_eq!(store.client_key().await.unwrap(), key);
        drop(store);
        let other = tempfile::tempdir().unwrap();
        let elsewhere = super::super::Store::open("k.sqlite", other.path())
            .await
            .unwrap();
        assert_ne!(elsewhere.client_key().await.unwrap(), key);
        let connection = Connection::open(&path).unwrap();
        let versions: i64 = connection
            .query_row("SELECT COUNT(*) FROM spravka_schema_version", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(versions, super::super::latest_version());
        connection
            .execute(
                "INSERT INTO spravka_schema_version (version) VALUES (99)",
                [],
            )
            .unwrap();
        drop(connection);
        let error = SqliteStore::open(path).await.err().unwrap().to_string();
        assert!(error.contains("schema version 99 is newer"), "{error}");
        assert!(error.contains("feedback.sqlite"), "{error}");
    }
}
