//! `GetLicense` and `ListReceivedLicenses`: the licenses granted to the buyer's account, in
//! the model's `License` / `GrantedLicense` shape, `Status` `EXPIRED` once past their end.

use super::errors::{self, check_arn, required, validation};
use super::refused::Refused;
use crate::aws_error::AwsError;
use crate::clock::iso8601;
use crate::license::book::{CONSUMPTION_SECS, Granted, LicenseBook};
use crate::license::issuer::{
    MARKETPLACE_ACCOUNT, MARKETPLACE_ISSUER, MARKETPLACE_KEY_FINGERPRINT,
};
use crate::routes::ACCOUNT_ID;
use crate::state::State;
use serde::Deserialize;
use serde_json::{Value, json};

/// `ListReceivedLicenses` answers at most this many licenses a page.
const MAX_RESULTS: usize = 100;

/// The filters `ListReceivedLicenses` takes.
const FILTERS: [&str; 5] = [
    "ProductSKU",
    "Status",
    "Fingerprint",
    "IssuerName",
    "Beneficiary",
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetLicenseInput {
    license_arn: Option<String>,
    version: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListReceivedLicensesInput {
    license_arns: Option<Vec<String>>,
    filters: Option<Vec<FilterInput>>,
    next_token: Option<String>,
    max_results: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FilterInput {
    name: Option<String>,
    values: Option<Vec<String>>,
}

fn status(license: &Granted, now: f64) -> &'static str {
    if license.expired(now) {
        "EXPIRED"
    } else {
        "AVAILABLE"
    }
}

/// A license in the model's `License` shape.
fn license_json(license: &Granted, now: f64, region: &str) -> Value {
    let mut entitlements = Vec::new();
    if let Some(tier) = &license.tier {
        entitlements.push(json!({
            "Name": tier, "Unit": "None", "Overage": false, "AllowCheckIn": true,
        }));
    }
    for pool in &license.floating {
        entitlements.push(json!({
            "Name": pool.name, "MaxCount": pool.quantity, "Unit": pool.unit.as_str(),
            "Overage": false, "AllowCheckIn": true,
        }));
    }
    for d in &license.drawdown {
        entitlements.push(json!({
            "Name": d.purchased.name, "MaxCount": d.purchased.quantity,
            "Unit": d.purchased.unit.as_str(), "Overage": false, "AllowCheckIn": false,
        }));
    }
    let mut validity = json!({ "Begin": iso8601(license.created_at) });
    if let Some(end) = license.expires_at {
        validity["End"] = json!(iso8601(end));
    }
    json!({
        "LicenseArn": license.arn,
        "LicenseName": format!("AWS Marketplace contract for {}", license.sku),
        "ProductName": license.sku,
        "ProductSKU": license.sku,
        "Issuer": {
            "Name": MARKETPLACE_ISSUER,
            "KeyFingerprint": MARKETPLACE_KEY_FINGERPRINT,
            "SignKey": format!("arn:aws:kms:{region}:{}:key/mp-emulator-test-only", MARKETPLACE_ACCOUNT),
        },
        "HomeRegion": region,
        "Status": status(license, now),
        "Validity": validity,
        "Beneficiary": ACCOUNT_ID,
        "Entitlements": entitlements,
        "ConsumptionConfiguration": {
            "RenewType": "None",
            "ProvisionalConfiguration": { "MaxTimeToLiveInMinutes": CONSUMPTION_SECS as i64 / 60 },
        },
        "LicenseMetadata": [],
        "CreateTime": iso8601(license.created_at),
        "Version": license.version.to_string(),
    })
}

fn not_found(arn: &str) -> AwsError {
    errors::error(
        errors::INVALID_PARAMETER_VALUE,
        format!("License `{arn}` is not a license granted to this account"),
    )
}

fn by_arn<'a>(book: &'a LicenseBook, arn: &str) -> Option<&'a Granted> {
    book.licenses().find(|l| l.arn == arn)
}

pub(crate) fn get_license(state: &State, input: GetLicenseInput) -> Result<Value, Refused> {
    let arn = required(input.license_arn, "licenseArn")?;
    check_arn("licenseArn", &arn)?;
    let now = state.clock.now_epoch_secs();
    let mut book = state.licenses();
    book.settle(now);
    let license = by_arn(&book, &arn).ok_or_else(|| not_found(&arn))?;
    if let Some(v) = input.version.filter(|v| *v != license.version.to_string()) {
        return Err(Refused::about(
            errors::error(
                errors::INVALID_PARAMETER_VALUE,
                format!(
                    "Version {v} of license `{arn}` is not its current version ({}), the only one kept",
                    license.version
                ),
            ),
            &license.sku,
        ));
    }
    Ok(json!({ "License": license_json(license, now, &state.config.region) }))
}

pub(crate) fn list_received_licenses(
    state: &State,
    input: ListReceivedLicensesInput,
) -> Result<Value, Refused> {
    let max = match input.max_results {
        None => MAX_RESULTS,
        Some(n) if (1..=MAX_RESULTS as i64).contains(&n) => n as usize,
        Some(_) => {
            return Err(validation(
                "maxResults",
                format!("Member must have value between 1 and {MAX_RESULTS}"),
            )
            .into());
        }
    };
    for (i, arn) in input.license_arns.iter().flatten().enumerate() {
        check_arn(&format!("licenseArns.{}.member", i + 1), arn)?;
    }
    let mut filters = Vec::new();
    for f in input.filters.into_iter().flatten() {
        let name = f.name.unwrap_or_default();
        if !FILTERS.contains(&name.as_str()) {
            return Err(errors::error(
                errors::INVALID_PARAMETER_VALUE,
                format!(
                    "Filter name `{name}` is not supported: use {}",
                    FILTERS.join(", ")
                ),
            )
            .into());
        }
        filters.push((name, f.values.unwrap_or_default()));
    }
    let start = match &input.next_token {
        None => 0,
        Some(t) => t
            .strip_prefix("mp-emulator-page-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| {
                errors::error(
                    errors::INVALID_PARAMETER_VALUE,
                    format!("NextToken `{t}` is not one this service issued"),
                )
            })?,
    };
    let now = state.clock.now_epoch_secs();
    let mut book = state.licenses();
    book.settle(now);
    let matching: Vec<&Granted> = book
        .licenses()
        .filter(|l| {
            input
                .license_arns
                .as_ref()
                .is_none_or(|arns| arns.contains(&l.arn))
        })
        .filter(|l| {
            filters.iter().all(|(name, values)| {
                let field = match name.as_str() {
                    "ProductSKU" => l.sku.as_str(),
                    "Status" => status(l, now),
                    "Fingerprint" => MARKETPLACE_KEY_FINGERPRINT,
                    "IssuerName" => MARKETPLACE_ISSUER,
                    _ => ACCOUNT_ID,
                };
                values.iter().any(|v| v == field)
            })
        })
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(max)
        .map(|l| {
            let mut granted = license_json(l, now, &state.config.region);
            granted["ReceivedMetadata"] = json!({
                "ReceivedStatus": "ACTIVE",
                "AllowedOperations": ["CheckoutLicense", "CheckInLicense", "ExtendConsumptionLicense", "ListPurchasedLicenses"],
            });
            granted
        })
        .collect();
    let mut out = json!({ "Licenses": page });
    if start + max < matching.len() {
        out["NextToken"] = json!(format!("mp-emulator-page-{}", start + max));
    }
    Ok(out)
}
