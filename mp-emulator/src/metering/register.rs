//! `RegisterUsage`: the start-up entitlement check of hourly and monthly products, answered
//! with a PS256 token.

use super::operation::Operation;
use super::outcome::{check_outcome, unknown_product};
use super::rules::{enforce, required};
use crate::aws_error::AwsError;
use crate::forgery::forge;
use crate::ledger::Registration;
use crate::sigv4::Signer;
use crate::state::State;
use crate::token::RegisterUsageClaims;
use mp_marketplace_rules::{self as rules, errors};
use serde::Deserialize;
use serde_json::{Value, json};

/// When the emulator's key was (notionally) rotated, epoch seconds.
const PUBLIC_KEY_ROTATION_TIMESTAMP: u64 = 1_700_000_000;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RegisterUsageInput {
    product_code: Option<String>,
    public_key_version: Option<i64>,
    nonce: Option<String>,
}

pub(crate) fn register_usage(
    state: &State,
    signer: &Signer,
    input: RegisterUsageInput,
) -> Result<Value, AwsError> {
    let config = &state.config;
    let product_code = required(input.product_code, "productCode")?;
    enforce("productCode", rules::check_product_code(&product_code))?;
    let version = required(input.public_key_version, "publicKeyVersion")?;
    if let Some(nonce) = &input.nonce {
        enforce("nonce", rules::check_nonce(nonce))?;
    }
    check_outcome(state, Operation::RegisterUsage)?;
    if config.find_product(&product_code).is_none() {
        return Err(unknown_product(&product_code));
    }
    enforce("publicKeyVersion", rules::check_public_key_version(version))?;
    if version != i64::from(config.key_version) {
        return Err(AwsError::client(
            errors::INVALID_PUBLIC_KEY_VERSION,
            format!(
                "PublicKeyVersion {version} is not a key version of this product (the current one is {})",
                config.key_version
            ),
        ));
    }
    let claims = RegisterUsageClaims {
        product_code: product_code.clone(),
        public_key_version: config.key_version,
        nonce: input.nonce.clone(),
        iat: state.clock.now_epoch_secs().max(0.0) as u64,
    };
    let signature = match config.forgery {
        None => state.signer.sign(&claims),
        Some(forgery) => forge(forgery, &claims, &state.signer, &config.signing_key_pem),
    }
    .map_err(AwsError::internal)?;
    state.book().ledger.registrations.push(Registration {
        product_code,
        public_key_version: config.key_version,
        nonce: input.nonce,
        caller: signer.source.to_string(),
        replica: signer.replica.clone(),
        at: claims.iat,
    });
    Ok(json!({
        "Signature": signature,
        "PublicKeyRotationTimestamp": PUBLIC_KEY_ROTATION_TIMESTAMP,
    }))
}
