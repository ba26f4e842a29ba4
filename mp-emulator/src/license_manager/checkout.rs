//! `CheckoutLicense`: tiers and floating seats `PROVISIONAL` (held for 60 minutes of
//! emulator clock), drawdown quantities `PERPETUAL` (consumed for good). A request is granted
//! whole or not at all: nothing is drawn unless everything it asks for is available. A
//! repeated client token is answered with the first answer and draws nothing again.

use super::errors::{self, enforce, invalid, required, validation};
use super::refused::Refused;
use crate::aws_error::AwsError;
use crate::clock::iso8601;
use crate::license::activity::{Checkout, EntitlementAmount};
use crate::license::book::{Answered, CONSUMPTION_SECS, Consumption, Granted, LicenseBook, whole};
use crate::license::issuer::MARKETPLACE_KEY_FINGERPRINT;
use crate::license::signed_token::{
    LICENSE_TOKEN_ISSUER, LICENSE_TOKEN_KEY_ID, LicenseTokenClaims,
};
use crate::license::unit::EntitlementUnit;
use crate::routes::ACCOUNT_ID;
use crate::sigv4::Signer;
use crate::state::State;
use mp_marketplace_rules::license::{
    check_entitlement_name, check_entitlement_unit, check_product_sku,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The longest client token the model allows.
const MAX_CLIENT_TOKEN_LEN: usize = 2048;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CheckoutLicenseInput {
    #[serde(rename = "ProductSKU")]
    product_sku: Option<String>,
    checkout_type: Option<String>,
    key_fingerprint: Option<String>,
    entitlements: Option<Vec<EntitlementDataInput>>,
    client_token: Option<String>,
    beneficiary: Option<String>,
    node_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntitlementDataInput {
    name: Option<String>,
    value: Option<String>,
    unit: Option<String>,
}

/// One requested entitlement, validated.
#[derive(Debug)]
struct Wanted {
    name: String,
    unit: EntitlementUnit,
    /// As sent (echoed in `EntitlementsAllowed`).
    value_text: Option<String>,
    value: Option<u64>,
}

/// A validated request.
#[derive(Debug)]
struct Request {
    sku: String,
    perpetual: bool,
    wanted: Vec<Wanted>,
    client_token: String,
    beneficiary: Option<String>,
    node_id: Option<String>,
}

impl Request {
    fn checkout_type(&self) -> &'static str {
        if self.perpetual {
            "PERPETUAL"
        } else {
            "PROVISIONAL"
        }
    }

    /// What a client token is bound to: every member but the token.
    fn fingerprint(&self) -> String {
        let wanted: Vec<_> = self
            .wanted
            .iter()
            .map(|w| (&w.name, w.unit.as_str(), &w.value_text))
            .collect();
        format!(
            "{}|{}|{:?}|{:?}|{:?}",
            self.sku,
            self.checkout_type(),
            wanted,
            self.beneficiary,
            self.node_id
        )
    }
}

pub(crate) fn checkout_license(
    state: &State,
    signer: &Signer,
    input: CheckoutLicenseInput,
) -> Result<Value, Refused> {
    let req = validate(input)?;
    let sku = req.sku.clone();
    grant(state, signer, req).map_err(|e| Refused::about(e, &sku))
}

fn validate(input: CheckoutLicenseInput) -> Result<Request, AwsError> {
    let sku = required(input.product_sku, "productSKU")?;
    enforce("productSKU", check_product_sku(&sku))?;
    let checkout_type = required(input.checkout_type, "checkoutType")?;
    let perpetual = match checkout_type.as_str() {
        "PROVISIONAL" => false,
        "PERPETUAL" => true,
        _ => {
            return Err(validation(
                "checkoutType",
                "Member must satisfy enum value set: [PROVISIONAL, PERPETUAL]",
            ));
        }
    };
    let fingerprint = required(input.key_fingerprint, "keyFingerprint")?;
    let entitlements = required(input.entitlements, "entitlements")?;
    let client_token = required(input.client_token, "clientToken")?;
    if client_token.is_empty()
        || client_token.len() > MAX_CLIENT_TOKEN_LEN
        || client_token.chars().any(char::is_whitespace)
    {
        return Err(validation(
            "clientToken",
            format!(
                "Member must have length less than or equal to {MAX_CLIENT_TOKEN_LEN} and satisfy regular expression pattern: \\S+"
            ),
        ));
    }
    if entitlements.is_empty() {
        return Err(validation(
            "entitlements",
            "Member must have length greater than or equal to 1",
        ));
    }
    let wanted = entitlements
        .into_iter()
        .enumerate()
        .map(|(i, e)| wanted(i + 1, e))
        .collect::<Result<Vec<_>, _>>()?;
    if fingerprint != MARKETPLACE_KEY_FINGERPRINT {
        return Err(invalid(format!(
            "KeyFingerprint `{fingerprint}` is not a trusted issuer of this license: AWS Marketplace licenses are issued by {MARKETPLACE_KEY_FINGERPRINT}"
        )));
    }
    Ok(Request {
        sku,
        perpetual,
        wanted,
        client_token,
        beneficiary: input.beneficiary,
        node_id: input.node_id,
    })
}

/// Entitlement `n` (1-based, as AWS numbers list members in messages).
fn wanted(n: usize, e: EntitlementDataInput) -> Result<Wanted, AwsError> {
    let name_path = format!("entitlements.{n}.member.name");
    let name = required(e.name, &name_path)?;
    enforce(&name_path, check_entitlement_name(&name))?;
    let unit_path = format!("entitlements.{n}.member.unit");
    let unit_text = required(e.unit, &unit_path)?;
    let unit = check_entitlement_unit(&unit_text).map_err(|_| {
        validation(
            &unit_path,
            format!(
                "Member must satisfy enum value set: [{}]",
                EntitlementUnit::WIRE_NAMES.join(", ")
            ),
        )
    })?;
    let value = match &e.value {
        None => None,
        Some(text) => Some(
            text.parse::<u64>()
                .ok()
                .filter(|v| *v <= mp_marketplace_rules::license::MAX_QUANTITY)
                .ok_or_else(|| {
                    invalid(format!(
                        "Value `{text}` of entitlement `{name}` is not a whole number of {unit}"
                    ))
                })?,
        ),
    };
    Ok(Wanted {
        name,
        unit,
        value_text: e.value,
        value,
    })
}

/// What the license grants of one requested entitlement.
enum Grant {
    Tier,
    Floating(u64),
    Drawdown(u64),
}

/// Matches one requested entitlement against the license: `None` when the license does not
/// hold it (a tier not bought, a name it does not have); an error for a request that could
/// never be right (wrong unit, wrong checkout type, no quantity).
fn classify(license: &Granted, w: &Wanted, perpetual: bool) -> Result<Option<Grant>, AwsError> {
    let (expected_unit, kind_perpetual, what) = if license.tier.as_deref() == Some(w.name.as_str())
    {
        (EntitlementUnit::None, false, "a tier")
    } else if let Some(pool) = license.pool(&w.name) {
        (pool.unit, false, "a floating entitlement")
    } else if let Some(d) = license.drawdown(&w.name) {
        (d.purchased.unit, true, "a drawdown entitlement")
    } else {
        return Ok(None);
    };
    if w.unit != expected_unit {
        return Err(invalid(format!(
            "Entitlement `{}` is {what} counted in {expected_unit}, not {}",
            w.name, w.unit
        )));
    }
    if perpetual != kind_perpetual {
        let right = if kind_perpetual {
            "PERPETUAL"
        } else {
            "PROVISIONAL"
        };
        return Err(invalid(format!(
            "Entitlement `{}` is {what}: check it out with CheckoutType {right}",
            w.name
        )));
    }
    if expected_unit == EntitlementUnit::None {
        return Ok(Some(Grant::Tier));
    }
    let amount = w.value.filter(|v| *v >= 1).ok_or_else(|| {
        invalid(format!(
            "Entitlement `{}` is {what}: give the quantity to check out as a Value of at least 1",
            w.name
        ))
    })?;
    Ok(Some(if kind_perpetual {
        Grant::Drawdown(amount)
    } else {
        Grant::Floating(amount)
    }))
}

fn grant(state: &State, signer: &Signer, req: Request) -> Result<Value, AwsError> {
    let now = state.clock.now_epoch_secs();
    let caller = signer.source.to_string();
    let request = req.fingerprint();
    let mut book = state.licenses();
    book.settle(now);
    let key = (caller.clone(), req.client_token.clone());
    if let Some(answered) = book.answered.get(&key) {
        if answered.request == request {
            let response = answered.response.clone();
            book.activity.replays += 1;
            return Ok(response);
        }
        return Err(invalid(format!(
            "ClientToken `{}` was already used with a different request (idempotency mismatch): use a new token for a new checkout",
            req.client_token
        )));
    }
    let license = book.license(&req.sku).ok_or_else(|| {
        errors::error(
            errors::NO_ENTITLEMENTS_ALLOWED,
            format!(
                "No entitlements allowed: no license for ProductSKU `{}` is granted to this account",
                req.sku
            ),
        )
    })?;
    if let Some(end) = license.expires_at.filter(|_| license.expired(now)) {
        return Err(errors::error(
            errors::NO_ENTITLEMENTS_ALLOWED,
            format!(
                "No entitlements allowed: the license for ProductSKU `{}` expired at {}",
                req.sku,
                iso8601(end)
            ),
        ));
    }
    let mut allowed: Vec<(&Wanted, Grant)> = Vec::new();
    for w in &req.wanted {
        if let Some(g) = classify(license, w, req.perpetual)? {
            allowed.push((w, g));
        }
    }
    if allowed.is_empty() {
        return Err(errors::error(
            errors::NO_ENTITLEMENTS_ALLOWED,
            format!(
                "No entitlements allowed: the license for ProductSKU `{}` holds none of {}",
                req.sku,
                req.wanted
                    .iter()
                    .map(|w| format!("`{}`", w.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    check_available(&book, license, &allowed)?;

    let arn = license.arn.clone();
    let token = crate::ids::uuid_like().replace('-', "");
    let expires_at = now + CONSUMPTION_SECS;
    let mut units = Vec::new();
    for (w, g) in &allowed {
        let value = match g {
            Grant::Tier => continue,
            Grant::Floating(v) | Grant::Drawdown(v) => *v,
        };
        units.push(EntitlementAmount {
            name: w.name.clone(),
            unit: w.unit.to_string(),
            value: Some(value),
        });
        if let Grant::Drawdown(v) = g
            && let Some(d) = book
                .license_mut(&req.sku)
                .and_then(|l| l.drawdown.iter_mut().find(|d| d.purchased.name == w.name))
        {
            d.drawn += v;
        }
    }
    let entitlements: Vec<EntitlementAmount> = allowed
        .iter()
        .map(|(w, _)| EntitlementAmount {
            name: w.name.clone(),
            unit: w.unit.to_string(),
            value: w.value,
        })
        .collect();
    let claims = LicenseTokenClaims {
        iss: LICENSE_TOKEN_ISSUER.to_string(),
        license_arn: arn.clone(),
        product_sku: req.sku.clone(),
        key_fingerprint: MARKETPLACE_KEY_FINGERPRINT.to_string(),
        checkout_type: req.checkout_type().to_string(),
        entitlements: entitlements.clone(),
        license_consumption_token: token.clone(),
        node_id: req.node_id.clone(),
        beneficiary: ACCOUNT_ID.to_string(),
        iat: whole(now),
        exp: whole(expires_at),
    };
    let signed = state
        .signer
        .sign_with_key_id(&claims, LICENSE_TOKEN_KEY_ID)
        .map_err(AwsError::internal)?;
    let allowed_json: Vec<Value> = allowed
        .iter()
        .map(|(w, _)| {
            let mut e = json!({ "Name": w.name, "Unit": w.unit.as_str() });
            if let Some(v) = &w.value_text {
                e["Value"] = json!(v);
            }
            e
        })
        .collect();
    let mut response = json!({
        "CheckoutType": req.checkout_type(),
        "LicenseConsumptionToken": token,
        "EntitlementsAllowed": allowed_json,
        "SignedToken": signed,
        "IssuedAt": iso8601(now),
        "Expiration": iso8601(expires_at),
        "LicenseArn": arn,
    });
    if let Some(node) = &req.node_id {
        response["NodeId"] = json!(node);
    }
    book.consumptions.insert(
        token.clone(),
        Consumption {
            sku: req.sku.clone(),
            perpetual: req.perpetual,
            units,
            caller: caller.clone(),
            replica: signer.replica.clone(),
            expires_at,
        },
    );
    let record = Checkout {
        checkout_type: req.checkout_type().to_string(),
        sku: req.sku,
        license_arn: arn,
        entitlements,
        consumption_token: token,
        client_token: req.client_token,
        node_id: req.node_id,
        caller,
        replica: signer.replica.clone(),
        at: now,
        expires_at,
    };
    if req.perpetual {
        book.activity.drawdowns.push(record);
    } else {
        book.activity.checkouts.push(record);
    }
    book.answered.insert(
        key,
        Answered {
            request,
            response: response.clone(),
            at: now,
        },
    );
    Ok(response)
}

/// Every counted entitlement asked for must be available in full (a name asked twice counts
/// twice); otherwise nothing is granted.
fn check_available(
    book: &LicenseBook,
    license: &Granted,
    allowed: &[(&Wanted, Grant)],
) -> Result<(), AwsError> {
    let mut asked: Vec<(&str, u64)> = Vec::new();
    for (w, g) in allowed {
        let v = match g {
            Grant::Tier => continue,
            Grant::Floating(v) | Grant::Drawdown(v) => *v,
        };
        match asked.iter_mut().find(|(n, _)| *n == w.name) {
            Some((_, total)) => *total = total.saturating_add(v),
            None => asked.push((&w.name, v)),
        }
    }
    for (name, wanted) in asked {
        let (size, used, verb) = match (license.pool(name), license.drawdown(name)) {
            (Some(pool), _) => (
                pool.quantity,
                book.in_use(&license.sku, name),
                "checked out",
            ),
            (None, Some(d)) => (d.purchased.quantity, d.drawn, "drawn"),
            (None, None) => continue,
        };
        let available = size.saturating_sub(used);
        if wanted > available {
            return Err(errors::error(
                errors::ENTITLEMENT_NOT_ALLOWED,
                format!(
                    "Entitlement `{name}` not allowed: {wanted} requested, {available} of {size} available ({used} {verb})"
                ),
            ));
        }
    }
    Ok(())
}
