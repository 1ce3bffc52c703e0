//! The per-client rate limit of the write endpoints (tower_governor): a client is the
//! configured token when it sends it, else its address (`serve::client`: behind a trusted
//! proxy, the one it forwards); over the limit it is answered 429 in the API's JSON error
//! shape. A wrong token counts against its sender's address, so guessing is limited too.

use super::api::ApiError;
use axum::body::Body;
use axum::response::IntoResponse;
use governor::middleware::NoOpMiddleware;
use std::net::IpAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// Rate-limit key: `token` for the configured token, else `ip:<address>`.
#[derive(Debug, Clone)]
pub struct ClientKey {
    api_token: Arc<str>,
    trusted: Arc<[IpAddr]>,
}

impl KeyExtractor for ClientKey {
    type Key = String;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<String, GovernorError> {
        let headers = request.headers();
        if super::feedback::check_token(headers, &self.api_token).is_ok() {
            return Ok("token".into());
        }
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        let address = super::client::client_address(headers, peer, &self.trusted);
        // Requests routed in-process (tests) have no peer: one shared key.
        Ok(format!(
            "ip:{}",
            address.map_or("local".into(), |a| a.to_string())
        ))
    }
}

type Layer = GovernorLayer<ClientKey, NoOpMiddleware, Body>;

/// At most `[feedback] writes_per_minute` writes a minute per client, as a burst of that size
/// refilled evenly.
pub fn layer(config: &crate::config::Config) -> Layer {
    let per_minute = config.feedback.writes_per_minute.max(1);
    let key = ClientKey {
        api_token: config.serve.api_token.as_str().into(),
        trusted: config.serve.trusted_proxies.as_slice().into(),
    };
    let config = Arc::new(
        GovernorConfigBuilder::default()
            .key_extractor(key)
            .period(Duration::from_nanos(
                (60_000_000_000 / u64::from(per_minute)).max(1),
            ))
            .burst_size(per_minute)
            .finish()
            .expect("a positive period and burst"),
    );
    forget_idle_clients(Arc::downgrade(&config));
    GovernorLayer::new(config).error_handler(|error| match error {
        GovernorError::TooManyRequests { .. } => ApiError::TooManyRequests.into_response(),
        other => {
            tracing::error!("rate limit: {other}");
            ApiError::Internal.into_response()
        }
    })
}

/// The limiter keeps a cell per client it has seen; drop the idle ones every minute, for as
/// long as the router that owns the limiter lives.
fn forget_idle_clients(config: Weak<GovernorConfig<ClientKey, NoOpMiddleware>>) {
    let _ = std::thread::Builder::new()
        .name("spravka-rate-limit".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(60));
            let Some(config) = config.upgrade() else {
                return;
            };
            config.limiter().retain_recent();
        });
}
