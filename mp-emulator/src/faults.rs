//! Plays the scenario's faults on one AWS JSON request before its service sees it: resets,
//! black holes and latency alike for every service, throttling and server errors with the
//! error each service answers them with.

use crate::aws_error::AwsError;
use crate::connection::Connection;
use crate::scenario::Fault;
use crate::state::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How one service answers the faults that get an answer.
pub(crate) struct FaultErrors {
    /// Throttling (`ThrottlingException`, `RateLimitExceededException`...).
    pub(crate) throttle: fn() -> AwsError,
    /// A server error (`InternalServiceErrorException`, `ServerInternalException`...).
    pub(crate) server_error: fn() -> AwsError,
}

/// How a fault ended a request.
pub(crate) enum Interruption {
    /// The connection was cut (and counted); this answer is never delivered.
    Cut(Response),
    /// The service refuses the request with this error (the caller answers and counts it).
    Refused(AwsError),
}

/// Draws the request's fault and plays it: `Some` when the fault ends the request, `None`
/// when the service should answer it (after the scenario's latency).
pub(crate) async fn play(
    state: &State,
    conn: &Connection,
    errors: &FaultErrors,
) -> Option<Interruption> {
    let (fault, latency_ms) = {
        let mut s = state.scenario();
        (s.draw_fault(), s.scenario.faults.latency_ms)
    };
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    match fault? {
        Fault::Reset => {
            state.count_rejection("ConnectionReset");
            conn.reset();
            Some(Interruption::Cut(
                StatusCode::SERVICE_UNAVAILABLE.into_response(),
            ))
        }
        Fault::BlackHole => {
            state.count_rejection("BlackHole");
            let mut stopping = state.stopping.clone();
            let _ = stopping.wait_for(|stop| *stop).await;
            conn.reset();
            Some(Interruption::Cut(
                StatusCode::SERVICE_UNAVAILABLE.into_response(),
            ))
        }
        Fault::Throttle => Some(Interruption::Refused((errors.throttle)())),
        Fault::ServerError => Some(Interruption::Refused((errors.server_error)())),
    }
}
