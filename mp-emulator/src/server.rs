//! The HTTP front: one axum router for every surface, `POST /` dispatched on `X-Amz-Target`
//! (AWS JSON: License Manager by its prefix, the Metering Service otherwise) versus a form
//! body (STS query protocol), bodies capped, no panics.

use crate::aws_error::AwsError;
use crate::connection::Connection;
use crate::routes::{
    CREDENTIALS_PATH, LICENSE_MANAGER_TARGET_PREFIX, METADATA_PATH, REPLICA_CREDENTIALS_PATH,
    REPLICA_METADATA_PATH, REPLICA_TASK_PATH, TASK_PATH,
};
use crate::state::State;
use crate::{control, ecs, imds, license_manager, metering, sts};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State as Shared};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use license_manager::control as licenses;
use std::sync::Arc;

/// Largest accepted request body. A maximal MeterUsage (2500 allocations of 5 long tags) is
/// about 5 MB; anything beyond this is refused with an AWS-style 413.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

// The largest valid MeterUsage must fit, with room for its JSON punctuation and member names.
const _: () = {
    use mp_marketplace_rules::{MAX_ALLOCATIONS, MAX_TAG_KEY_LEN, MAX_TAG_VALUE_LEN, MAX_TAGS};
    let tag = MAX_TAG_KEY_LEN + MAX_TAG_VALUE_LEN + 32;
    assert!(MAX_BODY_BYTES > MAX_ALLOCATIONS * (MAX_TAGS * tag + 64) + 4096);
};

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/", post(post_root).fallback(not_found))
        .route(METADATA_PATH, get(ecs::container_metadata))
        .route(TASK_PATH, get(ecs::task_metadata))
        .route(CREDENTIALS_PATH, get(ecs::credentials))
        .route(REPLICA_METADATA_PATH, get(ecs::replica_container_metadata))
        .route(REPLICA_TASK_PATH, get(ecs::replica_task_metadata))
        .route(REPLICA_CREDENTIALS_PATH, get(ecs::replica_credentials))
        .route(imds::TOKEN_PATH, put(imds::token))
        .route("/latest/meta-data/{*path}", get(imds::metadata))
        .route("/_emulator/health", get(control::health))
        .route("/_emulator/ledger", get(control::ledger))
        .route("/_emulator/env", get(control::env))
        .route(
            "/_emulator/scenario",
            get(control::get_scenario).put(control::put_scenario),
        )
        .route(
            "/_emulator/clock",
            get(control::get_clock).put(control::put_clock),
        )
        .route("/_emulator/licenses", get(licenses::list))
        .route(
            "/_emulator/licenses/{sku}",
            put(licenses::put).delete(licenses::delete),
        )
        .route("/_emulator/licenses/{sku}/tier", put(licenses::put_tier))
        .route("/_emulator/license-tokens", post(licenses::post_token))
        .route(
            "/_emulator/license-tokens/{id}",
            delete(licenses::delete_token),
        )
        .route(
            "/_emulator/license-throttle",
            get(licenses::get_throttle).put(licenses::put_throttle),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn not_found(request: Request) -> Response {
    AwsError::with_status(
        StatusCode::NOT_FOUND,
        "UnknownOperationException",
        format!(
            "{} {} is not an endpoint of the emulator (see the mp-emulator README for the list)",
            request.method(),
            request.uri().path()
        ),
    )
    .into_response()
}

fn too_large() -> Response {
    AwsError::with_status(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestEntityTooLargeException",
        format!("Request body is larger than {MAX_BODY_BYTES} bytes"),
    )
    .into_response()
}

async fn post_root(
    Shared(state): Shared<Arc<State>>,
    ConnectInfo(conn): ConnectInfo<Connection>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large();
    };
    if parts.headers.contains_key("x-amz-target") {
        if crate::aws_json::target(&parts).starts_with(LICENSE_MANAGER_TARGET_PREFIX) {
            return license_manager::serve(&state, &conn, &parts, &body).await;
        }
        return metering::serve(&state, &conn, &parts, &body).await;
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if sts::is_query_request(content_type) {
        return sts::serve(&state, &body);
    }
    state.count_request("Unknown");
    state.count_rejection("UnknownOperationException");
    AwsError::client(
        "UnknownOperationException",
        "POST / needs an X-Amz-Target header (AWS JSON 1.1, e.g. AWSMPMeteringService.MeterUsage) or a form body (STS query protocol)",
    )
    .into_response()
}
