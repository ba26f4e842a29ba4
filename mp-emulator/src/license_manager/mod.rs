//! AWS License Manager over AWS JSON 1.1, as a container product with contract pricing calls
//! it: `POST /` with `X-Amz-Target: AWSLicenseManager.<Operation>`, SigV4-signed for
//! `license-manager` (`GetAccessToken` may also come unsigned). Licenses are granted per
//! product SKU (command line, control API); the throttle the control API sets and the
//! scenario's faults are played first. Calls signed with license-token credentials are
//! limited to the token's license (`token_scope`).

mod checkout;
mod consumption;
pub(crate) mod control;
mod errors;
mod listing;
mod operation;
mod refused;
mod token;
mod token_scope;

use crate::aws_error::AwsError;
use crate::aws_json::{self, Operation as _, parse};
use crate::connection::Connection;
use crate::credentials::CredentialSource;
use crate::faults::{self, FaultErrors, Interruption};
use crate::sigv4::{LICENSE_MANAGER_SIGNING_NAME, Signer};
use crate::state::State;
use axum::http::{StatusCode, request::Parts};
use axum::response::Response;
use operation::Operation;
use refused::Refused;

/// How License Manager answers the faults that get an answer.
const FAULT_ERRORS: FaultErrors = FaultErrors {
    throttle: errors::rate_limit_exceeded,
    server_error: errors::server_internal,
};

/// Answers one License Manager request; counts it, and records any refusal.
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
    let throttled = {
        let mut book = state.licenses();
        book.called = true;
        let throttled = book.throttle_next > 0;
        book.throttle_next = book.throttle_next.saturating_sub(1);
        throttled
    };
    if throttled {
        return refuse(state, op, None, errors::rate_limit_exceeded().into());
    }
    match faults::play(state, conn, &FAULT_ERRORS).await {
        Some(Interruption::Cut(response)) => return response,
        Some(Interruption::Refused(e)) => return refuse(state, op, None, e.into()),
        None => {}
    }
    let mut signer = None;
    match answer(state, op, parts, body, &mut signer) {
        Ok(value) => aws_json::ok(&value),
        Err(refused) => refuse(state, op, signer.as_ref(), refused),
    }
}

/// Answers a refusal, counted by error name and recorded with what it concerned.
fn refuse(state: &State, op: Operation, signer: Option<&Signer>, refused: Refused) -> Response {
    let now = state.clock.now_epoch_secs();
    state
        .licenses()
        .activity
        .refusals
        .push(crate::license::activity::Refusal {
            operation: op.name().to_string(),
            sku: refused.sku,
            error: refused.error.name.to_string(),
            message: refused.error.message.clone(),
            caller: signer.map(|s| s.source.to_string()),
            replica: signer.and_then(|s| s.replica.clone()),
            at: now,
        });
    aws_json::reject(state, refused.error)
}

fn answer(
    state: &State,
    op: Operation,
    parts: &Parts,
    body: &[u8],
    signer_seen: &mut Option<Signer>,
) -> Result<serde_json::Value, Refused> {
    aws_json::check_content_type(parts)?;
    // A process off AWS compute trades its license token before it has credentials: AWS's
    // own credential providers send this call unsigned.
    if op == Operation::GetAccessToken && !parts.headers.contains_key("authorization") {
        return token::get_access_token(state, parse(body)?);
    }
    let signer = crate::sigv4::verify(
        LICENSE_MANAGER_SIGNING_NAME,
        parts.method.as_str(),
        aws_json::path_and_query(parts),
        &parts.headers,
        body,
    )?;
    *signer_seen = Some(signer.clone());
    if signer.region != state.config.region {
        return Err(AwsError::with_status(
            StatusCode::FORBIDDEN,
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, not '{}': this endpoint serves {}",
                signer.region, state.config.region
            ),
        )
        .into());
    }
    let narrowed = match signer.source {
        CredentialSource::LicenseToken => token_scope::authorize(state, &signer, op, body)?,
        _ => None,
    };
    let body = narrowed.as_deref().unwrap_or(body);
    match op {
        Operation::CheckoutLicense => checkout::checkout_license(state, &signer, parse(body)?),
        Operation::CheckInLicense => consumption::check_in_license(state, &signer, parse(body)?),
        Operation::ExtendLicenseConsumption => {
            consumption::extend_license_consumption(state, &signer, parse(body)?)
        }
        Operation::GetLicense => listing::get_license(state, parse(body)?),
        Operation::ListReceivedLicenses => listing::list_received_licenses(state, parse(body)?),
        Operation::CreateToken => token::create_token(state, parse(body)?),
        Operation::DeleteToken => token::delete_token(state, parse(body)?),
        Operation::ListTokens => token::list_tokens(state, parse(body)?),
        Operation::GetAccessToken => token::get_access_token(state, parse(body)?),
    }
}
