//! The license check of a contract with drawdown entitlements only: every checkout of a
//! drawdown entitlement draws, so the license is looked up with `ListReceivedLicenses`
//! (filtered by `ProductSKU`) instead of checked out.

use super::license_manager::{Facts, KEY_FINGERPRINT, facts_of, list_received_licenses};
use super::policy::Outcome;
use aws_sdk_licensemanager::Client;
use aws_sdk_licensemanager::types::{GrantedLicense, LicenseStatus, ReceivedStatus};
use std::time::SystemTime;

/// Pages of `ListReceivedLicenses` read at most (a product has one license per account).
const PAGES: usize = 10;

/// What one granted license allows.
#[derive(Debug)]
enum Verdict {
    Usable(Facts),
    Expired,
    /// Not usable for another reason: its status, or its grant's, named.
    Unusable(String),
}

fn verdict(license: &GrantedLicense, now: SystemTime) -> Verdict {
    let facts = facts_of(license.validity(), license.entitlements());
    if license.status() == Some(&LicenseStatus::Expired)
        || facts.expires_at.is_some_and(|end| end <= now)
    {
        return Verdict::Expired;
    }
    match license.status() {
        Some(LicenseStatus::Available) => {}
        other => {
            let status = other.map_or("of no status", |s| s.as_str());
            return Verdict::Unusable(format!("is {status}"));
        }
    }
    // A grant not yet accepted or switched off: checkouts would be refused.
    match license
        .received_metadata()
        .and_then(|m| m.received_status())
    {
        None | Some(ReceivedStatus::Active | ReceivedStatus::WorkflowCompleted) => {
            Verdict::Usable(facts)
        }
        Some(grant) => Verdict::Unusable(format!(
            "has its grant {}: accept or activate the grant in License Manager",
            grant.as_str()
        )),
    }
}

/// The usable AWS Marketplace license of `product_sku` granted to this account: its ARN and
/// facts.
pub(crate) async fn received(
    client: &Client,
    product_sku: &str,
    now: SystemTime,
) -> Result<(String, Facts), Outcome> {
    let mut expired = None;
    let mut unusable = None;
    let mut next_token = None;
    for _ in 0..PAGES {
        let (licenses, next) = list_received_licenses(client, product_sku, next_token).await?;
        let marketplace = licenses.iter().filter(|l| {
            l.product_sku() == Some(product_sku)
                && l.issuer().and_then(|i| i.key_fingerprint()) == Some(KEY_FINGERPRINT)
        });
        for license in marketplace {
            let arn = license.license_arn().unwrap_or_default().to_owned();
            match verdict(license, now) {
                Verdict::Usable(facts) => return Ok((arn, facts)),
                Verdict::Expired => expired = Some(arn),
                Verdict::Unusable(why) => unusable = Some(format!("license {arn} {why}")),
            }
        }
        next_token = next;
        if next_token.is_none() {
            break;
        }
    }
    Err(match (expired, unusable) {
        (Some(arn), _) => Outcome::Expired(format!("license {arn} has expired").into()),
        (None, Some(why)) => Outcome::NotAllowed(why.into()),
        (None, None) => Outcome::NotAllowed(
            format!(
                "no AWS Marketplace license for ProductSKU {product_sku} is granted to this account"
            )
            .into(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_licensemanager::types::{DatetimeRange, ReceivedMetadata};
    use std::time::Duration;

    const NOW: &str = "2030-01-02T03:04:05Z";

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_553_445)
    }

    fn license(status: LicenseStatus, end: &str, grant: Option<ReceivedStatus>) -> GrantedLicense {
        let validity = DatetimeRange::builder()
            .begin("2029-01-01T00:00:00Z")
            .end(end)
            .build()
            .unwrap();
        let mut license = GrantedLicense::builder().status(status).validity(validity);
        if let Some(grant) = grant {
            license = license
                .received_metadata(ReceivedMetadata::builder().received_status(grant).build());
        }
        license.build()
    }

    #[test]
    fn an_available_license_with_an_active_grant_is_usable_until_its_end() {
        let later = "2031-01-01T00:00:00Z";
        let usable = license(
            LicenseStatus::Available,
            later,
            Some(ReceivedStatus::Active),
        );
        assert!(matches!(verdict(&usable, now()), Verdict::Usable(f) if f.expires_at.is_some()));
        let no_metadata = license(LicenseStatus::Available, later, None);
        assert!(matches!(verdict(&no_metadata, now()), Verdict::Usable(_)));
        let ended = license(LicenseStatus::Available, NOW, Some(ReceivedStatus::Active));
        assert!(matches!(verdict(&ended, now()), Verdict::Expired));
        let expired = license(LicenseStatus::Expired, later, None);
        assert!(matches!(verdict(&expired, now()), Verdict::Expired));
    }

    #[test]
    fn a_suspended_license_or_a_pending_grant_is_not() {
        let later = "2031-01-01T00:00:00Z";
        let suspended = license(LicenseStatus::Suspended, later, None);
        assert!(
            matches!(verdict(&suspended, now()), Verdict::Unusable(why) if why == "is SUSPENDED")
        );
        let pending = license(
            LicenseStatus::Available,
            later,
            Some(ReceivedStatus::PendingAccept),
        );
        assert!(matches!(
            verdict(&pending, now()),
            Verdict::Unusable(why) if why.starts_with("has its grant PENDING_ACCEPT")
        ));
    }
}
