//! `MeterUsage`: one record per product, dimension, hour and task, with the 6-hour window,
//! the hour lock, client-token idempotency, allocations and `DryRun`. A task is a replica's
//! credentials session; a client token belongs to the caller (the role), whatever replica.

use super::operation::Operation;
use super::outcome::{check_outcome, unknown_product};
use super::rules::{enforce, required};
use crate::aws_error::AwsError;
use crate::ledger::{Allocation, MeterRecord, Tag};
use crate::scenario::DryRunAnswer;
use crate::sigv4::Signer;
use crate::state::State;
use axum::http::StatusCode;
use mp_marketplace_rules::{self as rules, errors, time};
use serde::Deserialize;
use serde_json::{Value, json};

/// How far ahead of the emulator's clock a timestamp may be: clock skew, not a record from
/// the future.
const FUTURE_SKEW_SECS: u64 = 5;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MeterUsageInput {
    product_code: Option<String>,
    timestamp: Option<f64>,
    usage_dimension: Option<String>,
    usage_quantity: Option<i64>,
    #[serde(default)]
    dry_run: bool,
    usage_allocations: Option<Vec<AllocationInput>>,
    client_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AllocationInput {
    allocated_usage_quantity: Option<i64>,
    tags: Option<Vec<TagInput>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TagInput {
    key: Option<String>,
    value: Option<String>,
}

/// A validated request.
#[derive(Debug)]
struct Request {
    product_code: String,
    timestamp: f64,
    dimension: String,
    quantity: i64,
    allocations: Vec<Allocation>,
    client_token: Option<String>,
}

impl Request {
    /// What a client token is bound to: every parameter that changes the record.
    fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}|{:?}",
            self.product_code, self.timestamp, self.dimension, self.quantity, self.allocations
        )
    }
}

pub(crate) fn meter_usage(
    state: &State,
    signer: &Signer,
    input: MeterUsageInput,
) -> Result<Value, AwsError> {
    let config = &state.config;
    let dry_run = input.dry_run;
    let req = validate(input)?;
    check_window(state, req.timestamp)?;
    check_outcome(state, Operation::MeterUsage)?;
    let product = config
        .find_product(&req.product_code)
        .ok_or_else(|| unknown_product(&req.product_code))?;
    if !product.dimensions.contains(&req.dimension) {
        return Err(AwsError::client(
            errors::INVALID_USAGE_DIMENSION,
            format!(
                "UsageDimension `{}` is not a dimension of product {} (its dimensions: {})",
                req.dimension,
                req.product_code,
                if product.dimensions.is_empty() {
                    "none".to_string()
                } else {
                    product.dimensions.join(", ")
                }
            ),
        ));
    }
    if dry_run {
        return match state.scenario().scenario.dry_run_answer {
            DryRunAnswer::Ok => Ok(json!({})),
            DryRunAnswer::DryRunOperation => Err(AwsError::client(
                errors::DRY_RUN_OPERATION,
                "Request would have succeeded, but the DryRun flag is set",
            )),
        };
    }
    record(state, signer, req)
}

fn validate(input: MeterUsageInput) -> Result<Request, AwsError> {
    let product_code = required(input.product_code, "productCode")?;
    enforce("productCode", rules::check_product_code(&product_code))?;
    let timestamp = required(input.timestamp, "timestamp")?;
    let dimension = required(input.usage_dimension, "usageDimension")?;
    enforce("usageDimension", rules::check_dimension(&dimension))?;
    let quantity = input.usage_quantity.unwrap_or(0);
    enforce("usageQuantity", rules::check_quantity(quantity))?;
    if let Some(token) = &input.client_token {
        enforce("clientToken", rules::check_client_token(token))?;
    }
    let allocations = match input.usage_allocations {
        None => Vec::new(),
        Some(list) => validate_allocations(list, quantity)?,
    };
    Ok(Request {
        product_code,
        timestamp,
        dimension,
        quantity,
        allocations,
        client_token: input.client_token,
    })
}

fn validate_allocations(
    list: Vec<AllocationInput>,
    quantity: i64,
) -> Result<Vec<Allocation>, AwsError> {
    enforce(
        "usageAllocations",
        rules::check_allocation_count(list.len()),
    )?;
    let allocations = list
        .into_iter()
        .map(validate_allocation)
        .collect::<Result<Vec<_>, _>>()?;
    let sum: i64 = allocations.iter().map(|a| a.quantity).sum();
    if sum != quantity {
        return Err(AwsError::client(
            errors::INVALID_USAGE_ALLOCATIONS,
            format!(
                "UsageAllocations sum to {sum} but UsageQuantity is {quantity}: they must be equal"
            ),
        ));
    }
    Ok(allocations)
}

/// One allocation. `Tags` left out is the share with no tags (the service model: "for the
/// bucket of items with no tags"); a list, even an empty one, must follow the tag rules.
fn validate_allocation(input: AllocationInput) -> Result<Allocation, AwsError> {
    const QUANTITY: &str = "usageAllocations.member.allocatedUsageQuantity";
    let quantity = required(input.allocated_usage_quantity, QUANTITY)?;
    enforce(QUANTITY, rules::check_quantity(quantity))?;
    let Some(tags) = input.tags else {
        return Ok(Allocation::untagged(quantity));
    };
    let tags: Vec<Tag> = tags
        .into_iter()
        .map(|t| Tag {
            key: t.key.unwrap_or_default(),
            value: t.value.unwrap_or_default(),
        })
        .collect();
    let pairs: Vec<(&str, &str)> = tags
        .iter()
        .map(|t| (t.key.as_str(), t.value.as_str()))
        .collect();
    enforce("usageAllocations.member.tags", rules::check_tags(&pairs))?;
    Ok(Allocation { quantity, tags })
}

fn check_window(state: &State, timestamp: f64) -> Result<(), AwsError> {
    let now = state.clock.now_epoch_secs();
    if time::in_window(whole_secs(timestamp), whole_secs(now), FUTURE_SKEW_SECS) {
        return Ok(());
    }
    let why = if timestamp > now {
        "is in the future".to_string()
    } else {
        format!(
            "is more than {} hours old: the record can no longer be accepted",
            time::RECORD_WINDOW_SECS / time::HOUR_SECS
        )
    };
    Err(AwsError::client(
        errors::TIMESTAMP_OUT_OF_BOUNDS,
        format!("Timestamp {timestamp} {why} (now is {now:.0})"),
    ))
}

/// Whole epoch seconds; a timestamp before 1970 counts as 1970, far outside any window.
fn whole_secs(epoch_secs: f64) -> u64 {
    epoch_secs.max(0.0) as u64
}

/// Applies idempotency (per caller) and the hour lock (per task: caller and replica), then
/// books the record.
fn record(state: &State, signer: &Signer, req: Request) -> Result<Value, AwsError> {
    let caller = signer.source.to_string();
    let fingerprint = req.fingerprint();
    let conflict_status = if state.scenario().scenario.idempotency_conflict_409 {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    let mut book = state.book();
    if let Some(token) = &req.client_token
        && let Some((seen, record_id)) = book.tokens.get(&(caller.clone(), token.clone()))
    {
        if *seen == fingerprint {
            return Ok(json!({ "MeteringRecordId": record_id }));
        }
        return Err(AwsError::with_status(
            conflict_status,
            errors::IDEMPOTENCY_CONFLICT,
            format!("ClientToken `{token}` was already used with different parameters"),
        ));
    }
    let hour = time::hour_start(whole_secs(req.timestamp));
    let key = (
        req.product_code.clone(),
        req.dimension.clone(),
        hour,
        (signer.source, signer.replica.clone()),
    );
    let record_id = match book.hours.get(&key) {
        Some((q, id)) if *q == req.quantity => id.clone(),
        Some((q, _)) => {
            return Err(AwsError::client(
                errors::DUPLICATE_REQUEST,
                format!(
                    "A record for {} / {} in hour {hour} was already accepted from this task with quantity {q}; send the hour's total once",
                    req.product_code, req.dimension
                ),
            ));
        }
        None => {
            let id = crate::ids::uuid_like();
            book.hours.insert(key, (req.quantity, id.clone()));
            book.ledger.records.push(MeterRecord {
                product_code: req.product_code.clone(),
                dimension: req.dimension.clone(),
                hour,
                timestamp: req.timestamp,
                quantity: req.quantity,
                allocations: req.allocations,
                record_id: id.clone(),
                client_token: req.client_token.clone(),
                caller: caller.clone(),
                replica: signer.replica.clone(),
            });
            id
        }
    };
    if let Some(token) = req.client_token {
        book.tokens
            .insert((caller, token), (fingerprint, record_id.clone()));
    }
    Ok(json!({ "MeteringRecordId": record_id }))
}
