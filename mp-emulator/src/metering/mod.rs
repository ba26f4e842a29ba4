//! The AWS Marketplace Metering Service over AWS JSON 1.1: `POST /` with
//! `X-Amz-Target: AWSMPMeteringService.<Operation>`, SigV4-signed, faults applied first.

pub(crate) mod book;
mod meter;
mod outcome;
mod register;
mod rules;

use crate::aws_error::AwsError;
use crate::connection::Connection;
use crate::scenario::Fault;
use crate::state::State;
use axum::http::{HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The target prefix of every Metering Service operation.
pub const TARGET_PREFIX: &str = "AWSMPMeteringService.";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    RegisterUsage,
    MeterUsage,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Self::RegisterUsage => "RegisterUsage",
            Self::MeterUsage => "MeterUsage",
        }
    }
}

fn operation(target: &str) -> Result<Operation, AwsError> {
    match target.strip_prefix(TARGET_PREFIX) {
        Some("RegisterUsage") => Ok(Operation::RegisterUsage),
        Some("MeterUsage") => Ok(Operation::MeterUsage),
        _ => Err(AwsError::client(
            "UnknownOperationException",
            format!(
                "X-Amz-Target `{target}` is not an operation this emulator plays (RegisterUsage, MeterUsage)"
            ),
        )),
    }
}

/// Answers one metering request; counts it and any rejection in the ledger.
pub(crate) async fn serve(
    state: &State,
    conn: &Connection,
    parts: &Parts,
    body: &[u8],
) -> Response {
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let op = match operation(target) {
        Ok(op) => op,
        Err(e) => {
            state.count_request("Unknown");
            return reject(state, e);
        }
    };
    state.count_request(op.name());

    let (fault, latency_ms) = {
        let mut s = state.scenario();
        (s.draw_fault(), s.scenario.faults.latency_ms)
    };
    if latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    }
    match fault {
        Some(Fault::Reset) => {
            state.count_rejection("ConnectionReset");
            conn.reset();
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        Some(Fault::BlackHole) => {
            state.count_rejection("BlackHole");
            let mut stopping = state.stopping.clone();
            let _ = stopping.wait_for(|stop| *stop).await;
            conn.reset();
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        Some(Fault::Throttle) => {
            return reject(
                state,
                AwsError::client(mp_metering_rules::errors::THROTTLING, "Rate exceeded"),
            );
        }
        Some(Fault::ServerError) => {
            return reject(
                state,
                AwsError::internal("An internal error occurred (injected by the scenario)"),
            );
        }
        None => {}
    }

    match answer(state, op, parts, body) {
        Ok(value) => {
            let mut response = (StatusCode::OK, value.to_string()).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            response
        }
        Err(e) => reject(state, e),
    }
}

fn reject(state: &State, e: AwsError) -> Response {
    state.count_rejection(e.name);
    e.into_response()
}

fn answer(
    state: &State,
    op: Operation,
    parts: &Parts,
    body: &[u8],
) -> Result<serde_json::Value, AwsError> {
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("application/x-amz-json-1.1") {
        return Err(AwsError::client(
            "UnknownOperationException",
            format!(
                "Content-Type `{content_type}` is not application/x-amz-json-1.1, the protocol of this service"
            ),
        ));
    }
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let signer = crate::sigv4::verify(parts.method.as_str(), path, &parts.headers, body)?;
    outcome::check_region(state, &signer, op)?;
    match op {
        Operation::RegisterUsage => register::register_usage(state, &signer, parse(body)?),
        Operation::MeterUsage => meter::meter_usage(state, &signer, parse(body)?),
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AwsError> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        AwsError::client(
            "SerializationException",
            format!("The request body is not a valid JSON document for this operation: {e}"),
        )
    })
}
