//! The AWS Marketplace Metering Service over AWS JSON 1.1: `POST /` with
//! `X-Amz-Target: AWSMPMeteringService.<Operation>`, SigV4-signed, faults applied first.
//! Also the public home of what a metering test names: the products it lists, the target
//! prefix and signing name, and the claims of the token `RegisterUsage` returns.

mod meter;
mod operation;
mod outcome;
mod register;
mod rules;

use crate::aws_error::AwsError;
use crate::aws_json::{self, parse, reject};
use crate::connection::Connection;
use crate::faults::{self, FaultErrors, Interruption};
use crate::sigv4::SIGNING_NAME;
use crate::state::State;
use axum::http::request::Parts;
use axum::response::Response;
use operation::Operation;

pub use crate::config::{
    DEMO_CUSTOM_DIMENSIONS, DEMO_CUSTOM_PRODUCT, DEMO_HOURLY_PRODUCT, Pricing, Product,
};
pub use crate::routes::TARGET_PREFIX;
pub use crate::token::RegisterUsageClaims;

/// How the Metering Service answers the faults that get an answer.
const FAULT_ERRORS: FaultErrors = FaultErrors {
    throttle: || AwsError::client(mp_marketplace_rules::errors::THROTTLING, "Rate exceeded"),
    server_error: || AwsError::internal("An internal error occurred (injected by the scenario)"),
};

/// Answers one metering request; counts it and any rejection in the ledger.
pub(crate) async fn serve(
    state: &State,
    conn: &Connection,
    parts: &Parts,
    body: &[u8],
) -> Response {
    let op: Operation = match aws_json::counted_operation(state, parts) {
        Ok(op) => op,
        Err(e) => return aws_json::reject(state, e),
    };
    match faults::play(state, conn, &FAULT_ERRORS).await {
        Some(Interruption::Cut(response)) => return response,
        Some(Interruption::Refused(e)) => return reject(state, e),
        None => {}
    }
    match answer(state, op, parts, body) {
        Ok(value) => aws_json::ok(&value),
        Err(e) => reject(state, e),
    }
}

fn answer(
    state: &State,
    op: Operation,
    parts: &Parts,
    body: &[u8],
) -> Result<serde_json::Value, AwsError> {
    aws_json::check_content_type(parts)?;
    let signer = crate::sigv4::verify(
        SIGNING_NAME,
        parts.method.as_str(),
        aws_json::path_and_query(parts),
        &parts.headers,
        body,
    )?;
    outcome::check_region(state, &signer, op)?;
    outcome::check_platform(&signer, op)?;
    match op {
        Operation::RegisterUsage => register::register_usage(state, &signer, parse(body)?),
        Operation::MeterUsage => meter::meter_usage(state, &signer, parse(body)?),
    }
}
