//! What happens to a `PROVISIONAL` checkout after it: `ExtendLicenseConsumption` holds it
//! another 60 minutes from now, `CheckInLicense` returns its units at once. A consumption
//! checked in, or past its expiration, is gone: both answer `ResourceNotFoundException`.

use super::errors::{self, invalid, required};
use super::refused::Refused;
use crate::clock::iso8601;
use crate::license::activity::ConsumptionEvent;
use crate::license::book::{CONSUMPTION_SECS, Consumption, LicenseBook};
use crate::sigv4::Signer;
use crate::state::State;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ExtendLicenseConsumptionInput {
    license_consumption_token: Option<String>,
    #[serde(default)]
    dry_run: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CheckInLicenseInput {
    license_consumption_token: Option<String>,
    // Read so that a member of the wrong type is refused as AWS refuses it, then ignored: the
    // emulator's licenses all belong to the buyer's account.
    #[allow(dead_code)]
    beneficiary: Option<String>,
}

/// The live `PROVISIONAL` consumption behind `token` (settle first).
fn live<'a>(book: &'a LicenseBook, token: &str) -> Result<&'a Consumption, Refused> {
    let c = book.consumptions.get(token).ok_or_else(|| {
        Refused::from(errors::error(
            errors::RESOURCE_NOT_FOUND,
            format!(
                "License consumption token `{token}` not found: it was checked in, reached its expiration unextended, or was never issued"
            ),
        ))
    })?;
    if c.perpetual {
        return Err(Refused::about(
            invalid(format!(
                "License consumption token `{token}` is a PERPETUAL checkout: what it drew is consumed for good, it cannot be extended or checked in"
            )),
            &c.sku,
        ));
    }
    Ok(c)
}

fn event(token: &str, c: &Consumption, signer: &Signer, now: f64) -> ConsumptionEvent {
    ConsumptionEvent {
        sku: c.sku.clone(),
        consumption_token: token.to_string(),
        entitlements: c.units.clone(),
        caller: signer.source.to_string(),
        replica: signer.replica.clone(),
        at: now,
        expires_at: None,
    }
}

pub(crate) fn extend_license_consumption(
    state: &State,
    signer: &Signer,
    input: ExtendLicenseConsumptionInput,
) -> Result<Value, Refused> {
    let token: String = required(input.license_consumption_token, "licenseConsumptionToken")?;
    let now = state.clock.now_epoch_secs();
    let mut book = state.licenses();
    book.settle(now);
    let c = live(&book, &token)?;
    if input.dry_run {
        return Ok(json!({
            "LicenseConsumptionToken": token,
            "Expiration": iso8601(c.expires_at),
        }));
    }
    let expires_at = now + CONSUMPTION_SECS;
    let mut record = event(&token, c, signer, now);
    record.expires_at = Some(expires_at);
    if let Some(c) = book.consumptions.get_mut(&token) {
        c.expires_at = expires_at;
    }
    book.activity.extensions.push(record);
    Ok(json!({
        "LicenseConsumptionToken": token,
        "Expiration": iso8601(expires_at),
    }))
}

pub(crate) fn check_in_license(
    state: &State,
    signer: &Signer,
    input: CheckInLicenseInput,
) -> Result<Value, Refused> {
    let token: String = required(input.license_consumption_token, "licenseConsumptionToken")?;
    let now = state.clock.now_epoch_secs();
    let mut book = state.licenses();
    book.settle(now);
    let record = event(&token, live(&book, &token)?, signer, now);
    book.consumptions.remove(&token);
    book.activity.check_ins.push(record);
    Ok(json!({}))
}
