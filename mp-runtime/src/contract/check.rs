//! One check of the license, at start-up and every 15 minutes after: the tiers checked out
//! (License Manager answers with the one held), or without tiers one seat checked out and
//! returned at once. The expiry and the limits, which are best effort, are read while the
//! checkout is in flight: `ListReceivedLicenses` by product SKU needs no license ARN, so a
//! check waits for one round trip, not two. `GetLicense` with the ARN the checkout answered
//! is the fallback when the listing failed or did not hold that license.
//! A contract of drawdown entitlements only has nothing a checkout would not draw, so its
//! license is looked up with `ListReceivedLicenses` instead.

use super::license_manager::{self, Ask, CheckedOut, Facts};
use super::policy::Outcome;
use super::received;
use super::state::{LicenseStatus, Snapshot};
use super::stats::{COUNTERS, bump};
use crate::failure::Failure;
use crate::spec::ContractSpec;
use aws_sdk_licensemanager::Client;
use aws_sdk_licensemanager::types::{CheckoutType, GrantedLicense};
use mp_marketplace_rules::license::EntitlementUnit;
use std::time::SystemTime;

/// Why a check did not produce a state.
#[derive(Debug)]
pub(crate) enum CheckError {
    /// License Manager's answer.
    Call(Outcome),
    /// The OS random number generator failed.
    Local(Failure),
}

/// Whether the check looks the license up rather than checking anything out.
fn drawdown_only(spec: &ContractSpec) -> bool {
    spec.tiers.is_empty() && spec.floating.is_empty()
}

/// The License Manager call a check starts with, for the operator's messages.
pub(crate) fn first_call(spec: &ContractSpec) -> &'static str {
    if drawdown_only(spec) {
        "ListReceivedLicenses"
    } else {
        "CheckoutLicense"
    }
}

pub(crate) async fn check(
    client: &Client,
    spec: &ContractSpec,
    now: SystemTime,
) -> Result<Snapshot, CheckError> {
    let (license_arn, tier, facts) = if drawdown_only(spec) {
        let (arn, facts) = received::received(client, spec.product_sku, now)
            .await
            .map_err(CheckError::Call)?;
        (Some(arn), None, facts)
    } else {
        let (checked, listed) = tokio::join!(
            check_out(client, spec),
            license_manager::list_received_licenses(client, spec.product_sku, None)
        );
        let (checked, tier) = checked?;
        let facts = match &checked.license_arn {
            Some(arn) => match listed_facts(listed, arn) {
                Some(facts) => facts,
                None => license_manager::get_license_facts(client, arn)
                    .await
                    .unwrap_or_else(|outcome| {
                        bump(&COUNTERS.failures);
                        tracing::warn!(
                            ?outcome,
                            "contract: GetLicense failed; expiry and limits unknown"
                        );
                        Default::default()
                    }),
            },
            None => Default::default(),
        };
        (checked.license_arn, tier, facts)
    };
    Ok(Snapshot {
        tier,
        status: LicenseStatus::Active,
        expires_at: facts.expires_at,
        limits: facts.limits,
        license_arn,
        checked_at: now,
    })
}

/// The facts of license `arn` in a page of `ListReceivedLicenses`, if the listing answered
/// and holds it.
fn listed_facts(
    listed: Result<(Vec<GrantedLicense>, Option<String>), Outcome>,
    arn: &str,
) -> Option<Facts> {
    let (licenses, _) = listed
        .inspect_err(|outcome| {
            tracing::debug!(
                ?outcome,
                "contract: ListReceivedLicenses failed; GetLicense instead"
            );
        })
        .ok()?;
    licenses
        .iter()
        .find(|license| license.license_arn() == Some(arn))
        .map(|license| license_manager::facts_of(license.validity(), license.entitlements()))
}

/// The tiers checked out, and the highest declared one held; without tiers, one seat of the
/// first floating entitlement, returned at once.
async fn check_out(
    client: &Client,
    spec: &ContractSpec,
) -> Result<(CheckedOut, Option<usize>), CheckError> {
    let token = license_manager::client_token().map_err(CheckError::Local)?;
    if spec.tiers.is_empty() {
        let (name, unit) = spec
            .floating
            .first()
            .copied()
            .unwrap_or(("", EntitlementUnit::Count.as_str()));
        let ask = Ask {
            name,
            value: Some(1),
            unit,
        };
        let checked = checkout_counted(client, spec, &[ask], &token).await?;
        if let Some(token) = &checked.token
            && license_manager::check_in_license(client, token)
                .await
                .is_ok()
        {
            bump(&COUNTERS.check_ins);
        }
        return Ok((checked, None));
    }
    let asks: Vec<Ask> = spec
        .tiers
        .iter()
        .map(|name| Ask {
            name,
            value: None,
            unit: EntitlementUnit::None.as_str(),
        })
        .collect();
    let checked = checkout_counted(client, spec, &asks, &token).await?;
    let tier = spec
        .tiers
        .iter()
        .rposition(|tier| checked.allowed.iter().any(|a| a == tier));
    Ok((checked, tier))
}

async fn checkout_counted(
    client: &Client,
    spec: &ContractSpec,
    asks: &[Ask],
    token: &str,
) -> Result<CheckedOut, CheckError> {
    let checked = license_manager::checkout_license(
        client,
        spec.product_sku,
        CheckoutType::Provisional,
        asks,
        token,
    )
    .await
    .map_err(CheckError::Call)?;
    bump(&COUNTERS.checkouts);
    Ok(checked)
}
