//! The control API under `/_emulator/`: health, the ledger, the scenario and the clock, so
//! tests and sellers can drive the emulator over HTTP (`curl` works). License Manager's
//! licenses have endpoints of their own (`license_manager::control`).

use crate::clock::epoch_secs;
use crate::env::{self, Platform};
use crate::scenario::Scenario;
use crate::state::State;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State as Shared};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

pub(crate) async fn health(Shared(state): Shared<Arc<State>>) -> Response {
    Json(json!({
        "status": "ok",
        "region": state.config.region,
        "key_version": state.config.key_version,
        "products": state.config.products(),
        "licenses": state.licenses().licenses().map(|l| l.sku.clone()).collect::<Vec<_>>(),
    }))
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct EnvQuery {
    platform: Option<String>,
    replica: Option<String>,
    url: Option<String>,
}

/// The environment as JSON pairs, for `mp-emulator env --url` (it needs this emulator's
/// authorization token and token file, which only the running server knows); with
/// `replica`, that replica's (writing its token file on EKS); with `url`, pointing at the
/// emulator as reached there (from another container, or through a published port).
pub(crate) async fn env(Shared(state): Shared<Arc<State>>, Query(q): Query<EnvQuery>) -> Response {
    let platform = match q.platform.as_deref().unwrap_or("ecs").parse::<Platform>() {
        Ok(p) => p,
        Err(e) => return bad_request(e),
    };
    let url = q.url.as_deref().unwrap_or(state.url());
    if let Err(e) = env::check_reach_url(url) {
        return bad_request(e);
    }
    match q.replica {
        None => Json(env::for_process(&state, platform, url)).into_response(),
        Some(replica) => match env::for_replica(&state, platform, &replica, url) {
            Ok(env) => Json(env).into_response(),
            Err(e) => bad_request(e),
        },
    }
}

pub(crate) async fn ledger(Shared(state): Shared<Arc<State>>) -> Response {
    Json(state.ledger()).into_response()
}

pub(crate) async fn get_scenario(Shared(state): Shared<Arc<State>>) -> Response {
    Json(state.scenario().scenario.clone()).into_response()
}

pub(crate) async fn put_scenario(Shared(state): Shared<Arc<State>>, body: Bytes) -> Response {
    let scenario: Scenario = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => {
            return bad_request(format!(
                "the scenario is not valid JSON of the documented shape: {e}"
            ));
        }
    };
    if let Err(e) = scenario.validate() {
        return bad_request(e);
    }
    state.set_scenario(scenario.clone());
    Json(scenario).into_response()
}

/// `{"now": <epoch seconds>}` sets the clock; `{"offset_secs": n}` shifts it from real time.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockUpdate {
    now: Option<f64>,
    offset_secs: Option<f64>,
}

pub(crate) async fn get_clock(Shared(state): Shared<Arc<State>>) -> Response {
    Json(json!({ "now": epoch_secs(state.clock.now()) })).into_response()
}

pub(crate) async fn put_clock(Shared(state): Shared<Arc<State>>, body: Bytes) -> Response {
    let update: ClockUpdate = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            return bad_request(format!(
                "expected {{\"now\": <epoch seconds>}} or {{\"offset_secs\": n}}: {e}"
            ));
        }
    };
    match (update.now, update.offset_secs) {
        (Some(now), None) if now.is_finite() && now >= 0.0 => {
            state
                .clock
                .set_now(UNIX_EPOCH + Duration::from_secs_f64(now));
        }
        (None, Some(offset)) if offset.is_finite() => state.clock.set_offset(offset),
        _ => {
            return bad_request(
                "give exactly one of `now` (epoch seconds >= 0) or `offset_secs`".into(),
            );
        }
    }
    get_clock(Shared(state)).await
}

pub(crate) fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}
