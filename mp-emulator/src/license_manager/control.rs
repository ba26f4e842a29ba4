//! License Manager's part of the control API: the licenses, their pools and consumptions,
//! granting or taking away a SKU's license, scheduling a tier change, throttling calls.
//!
//! - `GET /_emulator/licenses`: every license with its pools' levels, the live consumptions,
//!   the throttle;
//! - `PUT /_emulator/licenses/{sku}`: grant a license (JSON form, or the compact `SPEC` as a
//!   JSON string), replacing any;
//! - `DELETE /_emulator/licenses/{sku}`: no license;
//! - `PUT /_emulator/licenses/{sku}/tier`: `{"tier": "pro", "at": "+2h"}` (`at` optional: now);
//! - `GET`/`PUT /_emulator/license-throttle`: `{"next_calls": n}`;
//! - `POST /_emulator/license-tokens`: `{"sku": "...", "roles": ["arn..."], "days": 365}`
//!   (`roles` and `days` optional) mints a refresh token, answered as `{"id", "token"}`;
//! - `DELETE /_emulator/license-tokens/{id}`: revokes it (`{"id", "revoked": bool}`).

use crate::control::bad_request;
use crate::license::activity::{EntitlementAmount, PoolLevel};
use crate::license::book::{Granted, LicenseBook, whole};
use crate::license::spec::{LicenseSpec, When, check_sku};
use crate::license::token_book::DEFAULT_EXPIRATION_DAYS;
use crate::state::State;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State as Shared};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

/// A license as the control API shows it.
#[derive(Serialize)]
struct LicenseView {
    sku: String,
    license_arn: String,
    version: u64,
    /// `AVAILABLE` or `EXPIRED`.
    status: &'static str,
    tier: Option<String>,
    expires_at: Option<u64>,
    upgrades: Vec<UpgradeView>,
    pools: Vec<PoolLevel>,
}

#[derive(Serialize)]
struct UpgradeView {
    at: u64,
    tier: String,
}

/// A live consumption.
#[derive(Serialize)]
struct ConsumptionView {
    consumption_token: String,
    sku: String,
    checkout_type: &'static str,
    entitlements: Vec<EntitlementAmount>,
    caller: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    replica: Option<String>,
    expires_at: Option<u64>,
}

fn view(book: &LicenseBook, license: &Granted, now: f64) -> LicenseView {
    LicenseView {
        sku: license.sku.clone(),
        license_arn: license.arn.clone(),
        version: license.version,
        status: if license.expired(now) {
            "EXPIRED"
        } else {
            "AVAILABLE"
        },
        tier: license.tier.clone(),
        expires_at: license.expires_at.map(whole),
        upgrades: license
            .upgrades
            .iter()
            .map(|(at, tier)| UpgradeView {
                at: whole(*at),
                tier: tier.clone(),
            })
            .collect(),
        pools: book
            .levels()
            .into_iter()
            .filter(|p| p.sku == license.sku)
            .collect(),
    }
}

pub(crate) async fn list(Shared(state): Shared<Arc<State>>) -> Response {
    let now = state.clock.now_epoch_secs();
    let book = state.settled_licenses();
    let licenses: Vec<LicenseView> = book.licenses().map(|l| view(&book, l, now)).collect();
    let mut consumptions: Vec<ConsumptionView> = book
        .consumptions
        .iter()
        .map(|(token, c)| ConsumptionView {
            consumption_token: token.clone(),
            sku: c.sku.clone(),
            checkout_type: if c.perpetual {
                "PERPETUAL"
            } else {
                "PROVISIONAL"
            },
            entitlements: c.units.clone(),
            caller: c.caller.clone(),
            replica: c.replica.clone(),
            expires_at: (!c.perpetual).then(|| whole(c.expires_at)),
        })
        .collect();
    consumptions.sort_by(|a, b| (&a.sku, a.expires_at).cmp(&(&b.sku, b.expires_at)));
    Json(json!({
        "licenses": licenses,
        "consumptions": consumptions,
        "throttle_next_calls": book.throttle_next,
    }))
    .into_response()
}

/// The JSON form of a license, or its compact `SPEC` as a JSON string.
fn spec_of(body: &[u8]) -> Result<LicenseSpec, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        format!("expected a license as JSON (an object, or the compact SPEC as a string): {e}")
    })?;
    let spec = match value {
        Value::String(text) => text.parse()?,
        other => serde_json::from_value::<LicenseSpec>(other)
            .map_err(|e| format!("the license is not of the documented JSON form: {e}"))?,
    };
    spec.validate()?;
    Ok(spec)
}

pub(crate) async fn put(
    Shared(state): Shared<Arc<State>>,
    Path(sku): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(e) = check_sku(&sku) {
        return bad_request(e);
    }
    let spec = match spec_of(&body) {
        Ok(spec) => spec,
        Err(e) => return bad_request(e),
    };
    let now = state.clock.now_epoch_secs();
    let mut book = state.settled_licenses();
    book.set(&sku, &spec, now);
    match book.license(&sku) {
        Some(license) => Json(view(&book, license, now)).into_response(),
        None => bad_request(format!("the license of {sku} was not kept")),
    }
}

pub(crate) async fn delete(Shared(state): Shared<Arc<State>>, Path(sku): Path<String>) -> Response {
    let removed = state.settled_licenses().remove(&sku);
    Json(json!({ "sku": sku, "removed": removed })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TierUpdate {
    tier: String,
    /// When the tier changes (default: now).
    at: Option<When>,
}

pub(crate) async fn put_tier(
    Shared(state): Shared<Arc<State>>,
    Path(sku): Path<String>,
    body: Bytes,
) -> Response {
    let update: TierUpdate = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            return bad_request(format!(
                "expected {{\"tier\": \"NAME\", \"at\": WHEN}} (at: +2h, epoch seconds, RFC 3339; default now): {e}"
            ));
        }
    };
    if update.tier.is_empty() {
        return bad_request("the tier name is empty".into());
    }
    let now = state.clock.now_epoch_secs();
    let at = update.at.map_or(now, |w| w.resolve(now));
    let mut book = state.settled_licenses();
    if let Err(e) = book.schedule_tier(&sku, &update.tier, at) {
        return bad_request(e);
    }
    book.settle(now);
    match book.license(&sku) {
        Some(license) => Json(view(&book, license, now)).into_response(),
        None => bad_request(format!("no license is set for SKU `{sku}`")),
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Throttle {
    next_calls: u32,
}

pub(crate) async fn get_throttle(Shared(state): Shared<Arc<State>>) -> Response {
    Json(Throttle {
        next_calls: state.licenses().throttle_next,
    })
    .into_response()
}

pub(crate) async fn put_throttle(Shared(state): Shared<Arc<State>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Throttle>(&body) {
        Ok(t) => {
            state.licenses().throttle_next = t.next_calls;
            Json(t).into_response()
        }
        Err(e) => bad_request(format!("expected {{\"next_calls\": n}}: {e}")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    sku: String,
    #[serde(default)]
    roles: Vec<String>,
    days: Option<u32>,
}

pub(crate) async fn post_token(Shared(state): Shared<Arc<State>>, body: Bytes) -> Response {
    let request: TokenRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return bad_request(format!(
                "expected {{\"sku\": \"SKU\", \"roles\": [ARN...], \"days\": N}} (roles and days optional): {e}"
            ));
        }
    };
    let roles: Vec<&str> = request.roles.iter().map(String::as_str).collect();
    let days = request.days.unwrap_or(DEFAULT_EXPIRATION_DAYS);
    match state.mint_license_token(&request.sku, &roles, days) {
        Ok(token) => Json(json!({ "id": token.id, "token": token.token })).into_response(),
        Err(e) => bad_request(e),
    }
}

pub(crate) async fn delete_token(
    Shared(state): Shared<Arc<State>>,
    Path(id): Path<String>,
) -> Response {
    let revoked = state.licenses().tokens.revoke(&id);
    Json(json!({ "id": id, "revoked": revoked })).into_response()
}
