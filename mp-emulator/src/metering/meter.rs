//! `MeterUsage`: one record per product, dimension, hour and task, with the 6-hour window,
//! the hour lock, client-token idempotency, allocations and `DryRun`.

use super::Operation;
use super::outcome::{check_outcome, unknown_product};
use super::rules::*;
use crate::aws_error::AwsError;
use crate::ledger::{Allocation, MeterRecord, Tag};
use crate::scenario::DryRunAnswer;
use crate::sigv4::Signer;
use crate::state::State;
use serde::Deserialize;
use serde_json::{Value, json};

/// Records may be up to 6 hours old.
const WINDOW_SECS: f64 = 6.0 * 3600.0;
/// Clock skew tolerated for timestamps "in the future".
const FUTURE_SKEW_SECS: f64 = 5.0;

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
            "InvalidUsageDimensionException",
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
                "DryRunOperation",
                "Request would have succeeded, but the DryRun flag is set",
            )),
        };
    }
    record(state, signer, req)
}

fn validate(input: MeterUsageInput) -> Result<Request, AwsError> {
    let product_code = required(input.product_code, "productCode")?;
    check_product_code(&product_code)?;
    let timestamp = required(input.timestamp, "timestamp")?;
    let dimension = required(input.usage_dimension, "usageDimension")?;
    check_length("usageDimension", &dimension, 255)?;
    let quantity = input.usage_quantity.unwrap_or(0);
    check_quantity("usageQuantity", quantity)?;
    if let Some(token) = &input.client_token {
        check_client_token(token)?;
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
    let bad = |m: String| AwsError::client("InvalidUsageAllocationsException", m);
    if list.is_empty() || list.len() > MAX_ALLOCATIONS {
        return Err(bad(format!(
            "UsageAllocations must hold 1 to {MAX_ALLOCATIONS} allocations, got {}",
            list.len()
        )));
    }
    let mut out = Vec::with_capacity(list.len());
    let mut sum: i64 = 0;
    for a in list {
        let q = required(
            a.allocated_usage_quantity,
            "usageAllocations.member.allocatedUsageQuantity",
        )?;
        check_quantity("usageAllocations.member.allocatedUsageQuantity", q)?;
        sum += q;
        let tags = a.tags.unwrap_or_default();
        if tags.is_empty() || tags.len() > MAX_TAGS {
            return Err(AwsError::client(
                "InvalidTagException",
                format!(
                    "each allocation must have 1 to {MAX_TAGS} tags, got {}",
                    tags.len()
                ),
            ));
        }
        let mut checked = Vec::with_capacity(tags.len());
        for t in tags {
            let key = t.key.unwrap_or_default();
            let value = t.value.unwrap_or_default();
            check_tag(&key, &value)?;
            checked.push(Tag { key, value });
        }
        out.push(Allocation {
            quantity: q,
            tags: checked,
        });
    }
    if sum != quantity {
        return Err(bad(format!(
            "UsageAllocations sum to {sum} but UsageQuantity is {quantity}: they must be equal"
        )));
    }
    Ok(out)
}

fn check_window(state: &State, timestamp: f64) -> Result<(), AwsError> {
    let now = state.clock.now_epoch_secs();
    if timestamp > now + FUTURE_SKEW_SECS {
        return Err(AwsError::client(
            "TimestampOutOfBoundsException",
            format!("Timestamp {timestamp} is in the future (now is {:.0})", now),
        ));
    }
    if timestamp < now - WINDOW_SECS {
        return Err(AwsError::client(
            "TimestampOutOfBoundsException",
            format!(
                "Timestamp {timestamp} is more than 6 hours old (now is {:.0}): the record can no longer be accepted",
                now
            ),
        ));
    }
    Ok(())
}

/// Applies idempotency and the hour lock, then books the record.
fn record(state: &State, signer: &Signer, req: Request) -> Result<Value, AwsError> {
    let caller = signer.source.to_string();
    let fingerprint = req.fingerprint();
    let mut book = state.book();
    if let Some(token) = &req.client_token
        && let Some((seen, record_id)) = book.tokens.get(&(caller.clone(), token.clone()))
    {
        if *seen == fingerprint {
            return Ok(json!({ "MeteringRecordId": record_id }));
        }
        return Err(AwsError::client(
            "IdempotencyConflictException",
            format!("ClientToken `{token}` was already used with different parameters"),
        ));
    }
    let hour = (req.timestamp.max(0.0) as u64) / 3600 * 3600;
    let key = (
        req.product_code.clone(),
        req.dimension.clone(),
        hour,
        caller.clone(),
    );
    let record_id = match book.hours.get(&key) {
        Some((q, id)) if *q == req.quantity => id.clone(),
        Some((q, _)) => {
            return Err(AwsError::client(
                "DuplicateRequestException",
                format!(
                    "A record for {} / {} in hour {hour} was already accepted with quantity {q}; send the hour's total once",
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
