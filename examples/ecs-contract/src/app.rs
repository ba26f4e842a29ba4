//! The service itself: sessions that each hold a seat of the concurrent-users pool, and
//! features that depend on the tier the buyer holds (read at each request, so an upgrade
//! shows without a restart).

use crate::Plan;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use mp_runtime::{ContractError, License, Seat, checkout};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
struct AppState {
    license: License<Plan>,
    sessions: Arc<Mutex<HashMap<u64, Seat>>>,
    next_id: Arc<AtomicU64>,
}

/// `/health` for the ECS/ALB health check; `/` says the tier; `POST /sessions` opens a
/// session (one seat), `DELETE /sessions/{id}` closes it and returns the seat.
pub(crate) fn router(license: License<Plan>) -> Router {
    let state = AppState {
        license,
        sessions: Arc::default(),
        next_id: Arc::new(AtomicU64::new(1)),
    };
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/", get(hello))
        .route("/sessions", post(open))
        .route("/sessions/{id}", delete(close))
        .with_state(state)
}

async fn hello(State(state): State<AppState>) -> String {
    match state.license.tier() {
        Some(Plan::Pro) => "hello from a contract container: pro tier, every feature\n".to_owned(),
        _ => "hello from a contract container: basic tier\n".to_owned(),
    }
}

async fn open(State(state): State<AppState>) -> (StatusCode, String) {
    match checkout!(concurrent_users).await {
        Ok(seat) => {
            let id = state.next_id.fetch_add(1, Ordering::Relaxed);
            lock(&state).insert(id, seat);
            (StatusCode::CREATED, format!("session {id} opened\n"))
        }
        Err(ContractError::PoolEmpty { .. }) => (
            StatusCode::TOO_MANY_REQUESTS,
            "every seat of your contract is in use: close a session or buy more seats\n".to_owned(),
        ),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("{e}\n")),
    }
}

async fn close(State(state): State<AppState>, Path(id): Path<u64>) -> (StatusCode, String) {
    // Dropping the seat checks it in.
    match lock(&state).remove(&id) {
        Some(_seat) => (StatusCode::OK, format!("session {id} closed\n")),
        None => (StatusCode::NOT_FOUND, format!("no session {id}\n")),
    }
}

fn lock(state: &AppState) -> std::sync::MutexGuard<'_, HashMap<u64, Seat>> {
    state.sessions.lock().unwrap_or_else(|e| e.into_inner())
}

/// Resolves on SIGTERM (what `docker stop` and ECS send) or Ctrl-C.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        // If the handler cannot be installed the service still stops on SIGTERM.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let mut sigterm = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
    {
        Ok(signal) => signal,
        Err(_) => return ctrl_c.await,
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = sigterm.recv() => {},
    }
}
