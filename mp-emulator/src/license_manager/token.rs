//! License tokens, which stand in for AWS credentials off AWS compute: `CreateToken` issues a
//! refresh token for a license (signed call, the buyer's administrator), `DeleteToken`
//! revokes it, `ListTokens` lists them, and `GetAccessToken` trades a refresh token for a
//! one-hour access token that STS `AssumeRoleWithWebIdentity` accepts. `GetAccessToken` is
//! also answered unsigned: the process calling it has no credentials yet.
//!
//! How `GetAccessToken` refuses a refresh token (the model allows these errors only):
//! not one the emulator signed, `ValidationException`; expired on the emulator clock,
//! `AuthorizationException`; deleted, or its license no longer granted,
//! `AccessDeniedException`.

use super::errors::{self, check_arn, required, validation};
use super::refused::Refused;
use crate::aws_error::AwsError;
use crate::clock::iso8601;
use crate::license::book::whole;
use crate::license::refresh_token::{
    ACCESS_TOKEN_SECS, AccessTokenClaims, LICENSE_TOKEN_ISSUER_URL, RefreshTokenClaims,
};
use crate::license::token_book::DEFAULT_EXPIRATION_DAYS;
use crate::state::State;
use serde::Deserialize;
use serde_json::{Value, json};

/// At most this many `TokenProperties`, as the model says.
const MAX_TOKEN_PROPERTIES: usize = 3;

/// The longest refresh token the model accepts.
const MAX_TOKEN_LEN: usize = 4096;

/// The longest client token the model allows.
const MAX_CLIENT_TOKEN_LEN: usize = 2048;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateTokenInput {
    license_arn: Option<String>,
    role_arns: Option<Vec<String>>,
    expiration_in_days: Option<i64>,
    token_properties: Option<Vec<String>>,
    client_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteTokenInput {
    token_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTokensInput {
    token_ids: Option<Vec<String>>,
    filters: Option<Vec<FilterInput>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FilterInput {
    name: Option<String>,
    values: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetAccessTokenInput {
    token: Option<String>,
    token_properties: Option<Vec<String>>,
}

fn check_properties(path: &str, properties: &[String]) -> Result<(), AwsError> {
    if properties.len() > MAX_TOKEN_PROPERTIES {
        return Err(validation(
            path,
            format!("Member must have length less than or equal to {MAX_TOKEN_PROPERTIES}"),
        ));
    }
    Ok(())
}

pub(crate) fn create_token(state: &State, input: CreateTokenInput) -> Result<Value, Refused> {
    let arn = required(input.license_arn, "licenseArn")?;
    check_arn("licenseArn", &arn)?;
    let client_token = required(input.client_token, "clientToken")?;
    if client_token.is_empty() || client_token.len() > MAX_CLIENT_TOKEN_LEN {
        return Err(validation(
            "clientToken",
            format!("Member must have length between 1 and {MAX_CLIENT_TOKEN_LEN}"),
        )
        .into());
    }
    let role_arns = input.role_arns.unwrap_or_default();
    for (i, role) in role_arns.iter().enumerate() {
        check_arn(&format!("roleArns.{}.member", i + 1), role)?;
    }
    let properties = input.token_properties.unwrap_or_default();
    check_properties("tokenProperties", &properties)?;
    let days = match input.expiration_in_days {
        None => DEFAULT_EXPIRATION_DAYS,
        Some(d) => u32::try_from(d).map_err(|_| {
            validation(
                "expirationInDays",
                "Member must have value between 0 and 2147483647",
            )
        })?,
    };
    let request = format!("{arn}|{role_arns:?}|{properties:?}|{days}");
    let now = state.clock.now_epoch_secs();
    let mut book = state.licenses();
    book.settle(now);
    if let Some((answered, response)) = book.tokens.answered.get(&client_token) {
        if *answered == request {
            return Ok(response.clone());
        }
        return Err(errors::invalid(format!(
            "ClientToken `{client_token}` was used for another CreateToken request: use a fresh one"
        ))
        .into());
    }
    let sku = book
        .license_by_arn(&arn)
        .map(|l| l.sku.clone())
        .ok_or_else(|| {
            errors::error(
                errors::RESOURCE_NOT_FOUND,
                format!("License `{arn}` is not a license granted to this account"),
            )
        })?;
    let token = book
        .tokens
        .issue(&state.signer, &arn, role_arns, properties, days, whole(now))
        .map_err(|e| Refused::about(AwsError::internal(e).message_member("Message"), &sku))?;
    let response = json!({
        "TokenId": token.id,
        "TokenType": "REFRESH_TOKEN",
        "Token": token.token,
    });
    book.tokens
        .answered
        .insert(client_token, (request, response.clone()));
    Ok(response)
}

pub(crate) fn delete_token(state: &State, input: DeleteTokenInput) -> Result<Value, Refused> {
    let id = required(input.token_id, "tokenId")?;
    if state.licenses().tokens.revoke(&id) {
        return Ok(json!({}));
    }
    Err(errors::error(
        errors::RESOURCE_NOT_FOUND,
        format!("Token `{id}` not found: it was never issued or is already deleted"),
    )
    .into())
}

pub(crate) fn list_tokens(state: &State, input: ListTokensInput) -> Result<Value, Refused> {
    let mut licenses: Option<Vec<String>> = None;
    for f in input.filters.into_iter().flatten() {
        let name = f.name.unwrap_or_default();
        if name != "LicenseArns" {
            return Err(errors::invalid(format!(
                "Filter name `{name}` is not supported: use LicenseArns"
            ))
            .into());
        }
        licenses
            .get_or_insert_with(Vec::new)
            .extend(f.values.unwrap_or_default());
    }
    let book = state.licenses();
    let tokens: Vec<Value> = book
        .tokens
        .issued
        .iter()
        .filter(|(id, _)| input.token_ids.as_ref().is_none_or(|ids| ids.contains(id)))
        .filter(|(_, t)| {
            licenses
                .as_ref()
                .is_none_or(|arns| arns.contains(&t.claims.aud))
        })
        .map(|(id, t)| {
            json!({
                "TokenId": id,
                "TokenType": "REFRESH_TOKEN",
                "LicenseArn": t.claims.aud,
                "ExpirationTime": iso8601(t.claims.exp as f64),
                "TokenProperties": t.claims.amr,
                "RoleArns": t.claims.role_arns,
                "Status": if t.deleted { "DELETED" } else { "AVAILABLE" },
            })
        })
        .collect();
    Ok(json!({ "Tokens": tokens }))
}

pub(crate) fn get_access_token(
    state: &State,
    input: GetAccessTokenInput,
) -> Result<Value, Refused> {
    let token = required(input.token, "token")?;
    if token.len() > MAX_TOKEN_LEN {
        return Err(validation(
            "token",
            format!("Member must have length less than or equal to {MAX_TOKEN_LEN}"),
        )
        .into());
    }
    let extra = input.token_properties.unwrap_or_default();
    check_properties("tokenProperties", &extra)?;
    let not_issued = || {
        Refused::from(errors::invalid(
            "Token is not a refresh token License Manager issued (CreateToken): check the license token the buyer gave",
        ))
    };
    let claims = RefreshTokenClaims::verify(&state.signer, &token).ok_or_else(not_issued)?;
    let now = state.clock.now_epoch_secs();
    let mut book = state.licenses();
    book.settle(now);
    let issued = book.tokens.issued.get(&claims.jti).ok_or_else(not_issued)?;
    let sku = book.sku_of_arn(&claims.aud).unwrap_or_default().to_string();
    let refuse =
        |name: &'static str, message: String| Refused::about(errors::error(name, message), &sku);
    if issued.deleted {
        return Err(refuse(
            errors::ACCESS_DENIED,
            format!(
                "Token `{}` was deleted (revoked): the buyer must create a new license token",
                claims.jti
            ),
        ));
    }
    if claims.exp <= whole(now) {
        return Err(refuse(
            errors::AUTHORIZATION,
            format!(
                "Token `{}` expired at {}: the buyer must create a new license token",
                claims.jti,
                iso8601(claims.exp as f64)
            ),
        ));
    }
    if book.license_by_arn(&claims.aud).is_none() {
        return Err(refuse(
            errors::ACCESS_DENIED,
            format!(
                "License `{}` of token `{}` is no longer granted to this account",
                claims.aud, claims.jti
            ),
        ));
    }
    let iat = whole(now);
    let access = AccessTokenClaims {
        iss: LICENSE_TOKEN_ISSUER_URL.to_string(),
        aud: claims.aud.clone(),
        sub: claims.jti.clone(),
        role_arns: claims.role_arns.clone(),
        amr: claims.amr.iter().chain(&extra).cloned().collect(),
        iat,
        exp: iat + ACCESS_TOKEN_SECS,
        jti: crate::ids::uuid_like(),
    };
    let signed = access
        .sign(&state.signer)
        .map_err(|e| Refused::about(AwsError::internal(e).message_member("Message"), &sku))?;
    Ok(json!({ "AccessToken": signed }))
}
