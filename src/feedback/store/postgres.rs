//! The shared backend: PostgreSQL, for several `spravka serve` replicas behind one load
//! balancer. One connection per server (feedback writes are rare next to searches), the same
//! schema and migrations as SQLite, run under an advisory lock so that replicas starting
//! together migrate once.

use super::{join_terms, refuse_newer, Row, StoreError, COLUMNS, MIGRATIONS};
use crate::feedback::{Event, Stored};
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls};

/// The advisory lock key migrations hold (any constant shared by all replicas).
const MIGRATION_LOCK: i64 = 0x5350_5241_564b_4131; // "SPRAVKA1"

pub struct PostgresStore {
    client: Mutex<Client>,
    target: String,
    /// Set when an operation timed out: the connection may be half-open, so it is dropped.
    broken: std::sync::atomic::AtomicBool,
}

/// How long connecting may take, and how soon a silent peer is noticed: a database host that
/// drops packets must not hold the server's start-up, nor a query, for minutes.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
const SILENT_PEER: std::time::Duration = std::time::Duration::from_secs(30);

impl PostgresStore {
    /// Connects (without TLS: the database is on the servers' own network) and migrates.
    pub async fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let target = redacted(url);
        let error = |source| StoreError::Postgres {
            target: target.clone(),
            source,
        };
        let mut config: tokio_postgres::Config = url.parse().map_err(error)?;
        config
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives_idle(SILENT_PEER);
        #[cfg(target_os = "linux")]
        config.tcp_user_timeout(SILENT_PEER);
        let (mut client, connection) = config.connect(NoTls).await.map_err(error)?;
        let logged_target = target.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!("feedback database {logged_target}: connection closed: {e}");
            }
        });
        migrate(&mut client, &target).await?;
        Ok(PostgresStore {
            client: Mutex::new(client),
            target,
            broken: Default::default(),
        })
    }

    pub fn is_closed(&self) -> bool {
        self.broken.load(std::sync::atomic::Ordering::Relaxed)
            || self.client.try_lock().is_ok_and(|c| c.is_closed())
    }

    pub fn mark_broken(&self) {
        self.broken
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn target(&self) -> &str {
        &self.target
    }

    fn error(&self, source: tokio_postgres::Error) -> StoreError {
        StoreError::Postgres {
            target: self.target.clone(),
            source,
        }
    }

    pub async fn insert(&self, events: &[Event]) -> Result<Vec<i64>, StoreError> {
        let mut client = self.client.lock().await;
        let tx = client.transaction().await.map_err(|e| self.error(e))?;
        let statement = tx
            .prepare(
                "INSERT INTO feedback_events
                   (at, kind, path, suggestion_rank, terms, ticket_text, client)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .await
            .map_err(|e| self.error(e))?;
        let mut ids = Vec::with_capacity(events.len());
        for e in events {
            let rank = e.rank.and_then(|r| i32::try_from(r).ok());
            let row = tx
                .query_one(
                    &statement,
                    &[
                        &e.at,
                        &e.kind.as_str(),
                        &e.path,
                        &rank,
                        &join_terms(&e.terms),
                        &e.text,
                        &e.client,
                    ],
                )
                .await
                .map_err(|e| self.error(e))?;
            ids.push(row.get(0));
        }
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(ids)
    }

    pub async fn after(
        &self,
        after_id: i64,
        kinds: &[String],
        limit: i64,
    ) -> Result<Vec<Stored>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM feedback_events
             WHERE id > $1 AND (cardinality($2::text[]) = 0 OR kind = ANY($2))
             ORDER BY id LIMIT $3"
        );
        self.select(&sql, &[&after_id, &kinds, &limit]).await
    }

    pub async fn since(&self, since: i64) -> Result<Vec<Stored>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM feedback_events WHERE at >= $1 ORDER BY id");
        self.select(&sql, &[&since]).await
    }

    pub async fn client_key(&self, fresh: &str) -> Result<String, StoreError> {
        let client = self.client.lock().await;
        client
            .execute(
                "INSERT INTO feedback_key (id, key) VALUES (1, $1) ON CONFLICT DO NOTHING",
                &[&fresh],
            )
            .await
            .map_err(|e| self.error(e))?;
        let row = client
            .query_one("SELECT key FROM feedback_key WHERE id = 1", &[])
            .await
            .map_err(|e| self.error(e))?;
        Ok(row.get(0))
    }

    pub async fn purge(&self, before: i64) -> Result<u64, StoreError> {
        let client = self.client.lock().await;
        client
            .execute("DELETE FROM feedback_events WHERE at < $1", &[&before])
            .await
            .map_err(|e| self.error(e))
    }

    async fn select(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<Stored>, StoreError> {
        let client = self.client.lock().await;
        let rows = client.query(sql, params).await.map_err(|e| self.error(e))?;
        rows.into_iter()
            .map(|r| {
                Row {
                    id: r.get(0),
                    at: r.get(1),
                    kind: r.get(2),
                    path: r.get(3),
                    rank: r.get::<_, Option<i32>>(4).map(i64::from),
                    terms: r.get(5),
                    text: r.get(6),
                    client: r.get(7),
                }
                .into_stored(&self.target)
            })
            .collect()
    }
}

/// The URL without its password (in the credentials or as a `password` parameter), for
/// messages and logs.
fn redacted(url: &str) -> String {
    let (url, query) = url.split_once('?').unwrap_or((url, ""));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.to_ascii_lowercase().starts_with("password="))
        .collect();
    let base = without_credentials(url);
    if kept.is_empty() {
        base
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

fn without_credentials(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

async fn migrate(client: &mut Client, target: &str) -> Result<(), StoreError> {
    let error = |source| StoreError::Postgres {
        target: target.to_string(),
        source,
    };
    let tx = client.transaction().await.map_err(error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(error)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS spravka_schema_version (version INTEGER NOT NULL)",
    )
    .await
    .map_err(error)?;
    let found: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM spravka_schema_version",
            &[],
        )
        .await
        .map_err(error)?
        .get(0);
    refuse_newer(found, target)?;
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        tx.batch_execute(&migration.sql_for("BIGSERIAL PRIMARY KEY"))
            .await
            .map_err(error)?;
        let version = migration.version as i32;
        tx.execute(
            "INSERT INTO spravka_schema_version (version) VALUES ($1)",
            &[&version],
        )
        .await
        .map_err(error)?;
    }
    tx.commit().await.map_err(error)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_password_never_reaches_a_message() {
        assert_eq!(
            super::redacted("postgres://spravka:secret@db.local:5432/kb"),
            "postgres://spravka@db.local:5432/kb"
        );
        assert_eq!(
            super::redacted("postgres://localhost/kb"),
            "postgres://localhost/kb"
        );
        assert_eq!(
            super::redacted("postgres://u@h/kb?sslmode=disable&password=secret"),
            "postgres://u@h/kb?sslmode=disable"
        );
    }
}
