//! What credentials made from a license token may do. The buyer's role for an on-premises
//! product reaches one license: its session (the STS exchange of an access token) may check
//! out, extend, check in, get and list that license only, until the session expires on the
//! emulator clock. Anything else is `AccessDeniedException`, as IAM answers a call its policy
//! does not allow.

use super::errors;
use super::operation::Operation;
use super::refused::Refused;
use crate::aws_error::AwsError;
use crate::aws_json::Operation as _;
use crate::license::book::{LicenseBook, whole};
use crate::license::token_book::TokenSession;
use crate::routes::ACCOUNT_ID;
use crate::sigv4::Signer;
use crate::state::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// Checks a call signed with license-token credentials; `Some(body)` when the call is
/// narrowed to the session's license (a listing that named no license).
pub(super) fn authorize(
    state: &State,
    signer: &Signer,
    op: Operation,
    body: &[u8],
) -> Result<Option<Vec<u8>>, Refused> {
    let now = state.clock.now_epoch_secs();
    let mut book = state.licenses();
    book.settle(now);
    let session = signer
        .replica
        .as_deref()
        .and_then(|id| book.tokens.sessions.get(id))
        .ok_or_else(|| {
            AwsError::with_status(
                StatusCode::FORBIDDEN,
                "UnrecognizedClientException",
                "The security token included in the request is invalid",
            )
        })?;
    if session.expires_at <= whole(now) {
        return Err(AwsError::with_status(
            StatusCode::FORBIDDEN,
            "ExpiredTokenException",
            "The security token included in the request is expired",
        )
        .into());
    }
    // A malformed body is left for the operation to refuse in its own words.
    let input: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(body).unwrap_or(Value::Null)
    };
    let text = |member: &str| input.get(member).and_then(Value::as_str);
    let scope = Scope {
        book: &book,
        session,
        op,
    };
    match op {
        Operation::GetAccessToken => Ok(None),
        Operation::CreateToken | Operation::DeleteToken | Operation::ListTokens => {
            Err(scope.denied("*", None))
        }
        Operation::CheckoutLicense => {
            scope.sku(text("ProductSKU"))?;
            Ok(None)
        }
        Operation::CheckInLicense | Operation::ExtendLicenseConsumption => {
            let sku = text("LicenseConsumptionToken")
                .and_then(|t| book.consumptions.get(t))
                .map(|c| c.sku.as_str());
            scope.sku(sku)?;
            Ok(None)
        }
        Operation::GetLicense => {
            scope.arn(text("LicenseArn"))?;
            Ok(None)
        }
        Operation::ListReceivedLicenses => scope.listing(input.clone()),
    }
}

/// One call's check against one session.
struct Scope<'a> {
    book: &'a LicenseBook,
    session: &'a TokenSession,
    op: Operation,
}

impl Scope<'_> {
    /// IAM's refusal of this call on `resource`.
    fn denied(&self, resource: &str, sku: Option<&str>) -> Refused {
        let role = self.session.role_arn.rsplit('/').next().unwrap_or_default();
        let error = errors::error(
            errors::ACCESS_DENIED,
            format!(
                "User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/{role}/{} is not authorized to perform: license-manager:{} on resource: {resource}: the license token's credentials reach license {} only",
                self.session.session_name,
                self.op.name(),
                self.session.license_arn
            ),
        );
        Refused {
            error,
            sku: sku.map(str::to_string),
        }
    }

    /// A call about product `sku` (unknown: the operation answers).
    fn sku(&self, sku: Option<&str>) -> Result<(), Refused> {
        match sku {
            Some(sku) if self.book.sku_of_arn(&self.session.license_arn) != Some(sku) => {
                Err(self.denied(&format!("product SKU {sku}"), Some(sku)))
            }
            _ => Ok(()),
        }
    }

    /// A call about license `arn` (absent: the operation answers).
    fn arn(&self, arn: Option<&str>) -> Result<(), Refused> {
        match arn {
            Some(arn) if arn != self.session.license_arn => {
                Err(self.denied(arn, self.book.sku_of_arn(arn)))
            }
            _ => Ok(()),
        }
    }

    /// `ListReceivedLicenses` naming only the session's license or product; without
    /// `LicenseArns`, narrowed to the session's license.
    fn listing(&self, mut input: Value) -> Result<Option<Vec<u8>>, Refused> {
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        };
        for arn in strings(input.get("LicenseArns")) {
            self.arn(Some(&arn))?;
        }
        for filter in input
            .get("Filters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if filter.get("Name").and_then(Value::as_str) == Some("ProductSKU") {
                for sku in strings(filter.get("Values")) {
                    self.sku(Some(&sku))?;
                }
            }
        }
        if !input.is_object() || input.get("LicenseArns").is_some() {
            return Ok(None);
        }
        input["LicenseArns"] = json!([self.session.license_arn]);
        Ok(Some(input.to_string().into_bytes()))
    }
}
