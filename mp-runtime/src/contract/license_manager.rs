//! The License Manager calls, one function each, with the fixed parts of every request: the
//! Marketplace issuer's key fingerprint and a client token chosen by the caller (one per
//! logical checkout, reused only by its retries, so a retry never draws twice and a
//! re-check is never answered from an old response).

use super::policy::{Outcome, classify};
use super::state::EntitlementLimit;
use crate::exit;
use crate::failure::Failure;
use aws_sdk_licensemanager::Client;
use aws_sdk_licensemanager::types::{
    CheckoutType, DatetimeRange, Entitlement, EntitlementData, EntitlementDataUnit, Filter,
    GrantedLicense,
};
use std::time::SystemTime;

/// The issuer of every AWS Marketplace license.
pub(crate) const KEY_FINGERPRINT: &str = "aws:294406891311:AWS/Marketplace:issuer-fingerprint";

/// One entitlement asked for: its name, how many (none for a tier) and its unit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ask {
    pub(crate) name: &'static str,
    pub(crate) value: Option<u64>,
    pub(crate) unit: &'static str,
}

/// A successful checkout.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckedOut {
    /// The consumption to extend or check in.
    pub(crate) token: Option<String>,
    /// The names of the entitlements allowed.
    pub(crate) allowed: Vec<String>,
    pub(crate) license_arn: Option<String>,
}

/// What `GetLicense` says of the license.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    pub(crate) expires_at: Option<SystemTime>,
    pub(crate) limits: Vec<EntitlementLimit>,
}

/// 32 hex characters from the OS generator.
pub(crate) fn client_token() -> Result<String, Failure> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        Failure::new(
            exit::OTHER,
            format!("the OS random number generator failed: {e}"),
        )
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

pub(crate) async fn checkout_license(
    client: &Client,
    product_sku: &str,
    checkout_type: CheckoutType,
    asks: &[Ask],
    client_token: &str,
) -> Result<CheckedOut, Outcome> {
    let mut request = client
        .checkout_license()
        .product_sku(product_sku)
        .checkout_type(checkout_type)
        .key_fingerprint(KEY_FINGERPRINT)
        .client_token(client_token);
    for ask in asks {
        let mut data = EntitlementData::builder()
            .name(ask.name)
            .unit(EntitlementDataUnit::from(ask.unit));
        if let Some(value) = ask.value {
            data = data.value(value.to_string());
        }
        let data = data
            .build()
            .map_err(|e| Outcome::Refused(format!("could not build the request: {e}").into()))?;
        request = request.entitlements(data);
    }
    let output = request.send().await.map_err(classify)?;
    Ok(CheckedOut {
        token: output.license_consumption_token().map(str::to_owned),
        allowed: output
            .entitlements_allowed()
            .iter()
            .map(|e| e.name().to_owned())
            .collect(),
        license_arn: output.license_arn().map(str::to_owned),
    })
}

/// Moves the consumption's end 60 minutes on; the token to use from now on.
pub(crate) async fn extend_license_consumption(
    client: &Client,
    token: &str,
) -> Result<String, Outcome> {
    let output = client
        .extend_license_consumption()
        .license_consumption_token(token)
        .send()
        .await
        .map_err(classify)?;
    Ok(output
        .license_consumption_token()
        .unwrap_or(token)
        .to_owned())
}

/// Returns the consumption to the pool.
pub(crate) async fn check_in_license(client: &Client, token: &str) -> Result<(), Outcome> {
    client
        .check_in_license()
        .license_consumption_token(token)
        .send()
        .await
        .map(|_| ())
        .map_err(classify)
}

/// The license's validity and limits.
pub(crate) async fn get_license_facts(
    client: &Client,
    license_arn: &str,
) -> Result<Facts, Outcome> {
    let output = client
        .get_license()
        .license_arn(license_arn)
        .send()
        .await
        .map_err(classify)?;
    Ok(output.license().map_or_else(Facts::default, |license| {
        facts_of(license.validity(), license.entitlements())
    }))
}

/// One page of the licenses granted to this account for `product_sku`, and the token of the
/// next page if there is one.
pub(crate) async fn list_received_licenses(
    client: &Client,
    product_sku: &str,
    next_token: Option<String>,
) -> Result<(Vec<GrantedLicense>, Option<String>), Outcome> {
    let output = client
        .list_received_licenses()
        .filters(
            Filter::builder()
                .name("ProductSKU")
                .values(product_sku)
                .build(),
        )
        .set_next_token(next_token)
        .send()
        .await
        .map_err(classify)?;
    let next = output.next_token().map(str::to_owned);
    Ok((output.licenses.unwrap_or_default(), next))
}

pub(crate) fn facts_of(validity: Option<&DatetimeRange>, entitlements: &[Entitlement]) -> Facts {
    let expires_at = validity.and_then(|v| v.end()).and_then(parse_time);
    let limits = entitlements
        .iter()
        .map(|e| EntitlementLimit {
            name: e.name().to_owned(),
            max_count: e.max_count(),
            unit: e.unit().as_str().to_owned(),
        })
        .collect();
    Facts { expires_at, limits }
}

/// An ISO-8601 time as License Manager writes it.
fn parse_time(text: &str) -> Option<SystemTime> {
    use aws_smithy_types::date_time::{DateTime, Format};
    let time = DateTime::from_str(text, Format::DateTime).ok()?;
    SystemTime::try_from(time).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_tokens() {
        let t = parse_time("2030-01-02T03:04:05Z").unwrap();
        let secs = t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, 1_893_553_445);
        assert!(parse_time("soon").is_none());
        let (a, b) = (client_token().unwrap(), client_token().unwrap());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
