//! The send policy: one record's `MeterUsage`, and what the answer does to the record, from
//! the hourly column of the error policy. No answer loses usage silently:
//!
//! - accepted: sent;
//! - retry (throttling, 5xx, network, an intercepted connection): again with backoff until
//!   the record's window closes;
//! - a refusal of the call's credentials or authorisation (`AccessDeniedException`,
//!   `ExpiredTokenException`, `UnrecognizedClientException`, a refused signature...): not the
//!   record's fault (credentials rotating, an IAM policy redeployed, clock skew), so retried
//!   the same way, each next attempt with credentials loaded afresh from the provider (the
//!   SDK's identity cache keeps refused credentials until they expire). Counted in
//!   `credential_retries`, logged once per run of refusals;
//! - `DuplicateRequestException`: if this record was sent before (it is frozen, so with this
//!   very quantity, and an attempt may have reached the service), that send got through and
//!   it counts as delivered; if not, the hour was used by an earlier run of this task (a
//!   restart without a journal), so the usage moves to the next hour;
//! - `IdempotencyConflictException`: the token is this process's own (a random identity, kept
//!   only in its journal), so the service holds an earlier send of this very record with
//!   other parameters: a later state sent before the journal lost it (damage), or, for a
//!   record never sent, an hour whose journal line was lost. The same rule as a duplicate
//!   then keeps the bill right: a record sent before counts as delivered (resending an older
//!   state would bill its units twice), one never sent moves to the next hour (its usage is
//!   new). Counted in `conflicts` and logged either way;
//! - `InvalidTagException`, `InvalidUsageAllocationsException`: the record's own fault, in
//!   its allocations; the total is resent without them (under a token of its own), so only
//!   the attribution is lost, counted in `salvaged`;
//! - not entitled, or anything the record cannot be repaired from: given up, logged with
//!   dimension, hour and quantity, counted in `failed`.

use super::{Flusher, Retry};
use crate::aws::error_policy::{self, Hourly, HourlyVerdict};
use crate::notice::operator;
use crate::usage::aggregator::{Key, MAX_QUANTITY, Record, State};
use crate::usage::by_dimension;
use crate::usage::client_token::client_token;
use crate::usage::stats::{Counters, STATS, Units};
use aws_sdk_marketplacemetering::Client;
use aws_sdk_marketplacemetering::config::IdentityCache;
use aws_sdk_marketplacemetering::primitives::DateTime;
use aws_sdk_marketplacemetering::types::{Tag, UsageAllocation};
use std::time::{Duration, SystemTime};

/// How the flusher's retries grow, up to the configured cap.
const RETRY_BASE: Duration = Duration::from_secs(1);

impl Flusher {
    /// Sends one record; `false` if the endpoint wants us to back off.
    pub(super) async fn send(&mut self, key: &Key, now: SystemTime) -> bool {
        // Whether an earlier attempt may have reached the service.
        let sent_before = self
            .records
            .get(key)
            .is_some_and(|r| r.state == State::Frozen && !r.untransmitted);
        // Until this attempt's outcome is known, it may reach the service: journaled so.
        self.records.set_untransmitted(key, false);
        let frozen = self.records.freeze(key);
        self.journal(&frozen);
        if frozen.len() > 1 {
            Counters::bump(&STATS.carried);
            Counters::add(
                &STATS.carried_units,
                frozen[1..].iter().map(|r| r.quantity).sum(),
            );
            operator!(warn, dimension = key.1, hour = key.0.start_secs();
                "metering: more than {MAX_QUANTITY} units in one hour; the record carries the \
                 maximum and the rest moves to the next hour (one record per hour is the rule)"
            );
        }
        let Some(record) = frozen.into_iter().next() else {
            return true;
        };
        let verdict = match self.call(&record).await {
            Ok(()) => {
                self.intercepted = false;
                self.credentials_refused = false;
                self.waiting.settled(self.clock.now());
                self.delivered(key);
                return true;
            }
            Err(verdict) => verdict,
        };
        if !verdict.transmitted
            && !sent_before
            && let Some(record) = self.records.set_untransmitted(key, true)
        {
            self.journal(&[record]);
        }
        let HourlyVerdict {
            action,
            detail,
            intercepted,
            ..
        } = verdict;
        if matches!(
            action,
            Hourly::Duplicate | Hourly::Conflict | Hourly::NotEntitled | Hourly::GiveUp
        ) {
            // The service answered for good: the endpoint is reached, nothing waits on it.
            self.waiting.settled(self.clock.now());
        }
        match action {
            Hourly::Retry => {
                if intercepted {
                    self.report_interception(&detail);
                }
                self.retry_later(key, now, &detail);
                false
            }
            Hourly::Credentials => {
                Counters::bump(&STATS.credential_retries);
                self.report_credentials(&detail);
                self.fresh_credentials();
                self.retry_later(key, now, &detail);
                false
            }
            Hourly::Duplicate | Hourly::Conflict => {
                if action == Hourly::Conflict {
                    Counters::bump(&STATS.conflicts);
                }
                if sent_before {
                    // Nothing is lost: an earlier send of this record got through.
                    tracing::info!(
                        dimension = key.1,
                        hour = key.0.start_secs(),
                        "metering: the service already holds this record from an earlier send \
                         ({detail}); it counts as delivered"
                    );
                    self.delivered(key);
                } else {
                    self.move_on(key, &record, &detail);
                }
                true
            }
            Hourly::NotEntitled => {
                Counters::bump(&STATS.entitlement_errors);
                self.give_up(
                    key,
                    &format!("the buyer is no longer entitled ({detail}); the task keeps running"),
                );
                true
            }
            Hourly::Salvage if !record.allocations.is_empty() => {
                self.salvage(key, &detail);
                true
            }
            Hourly::Salvage | Hourly::GiveUp => {
                self.give_up(key, &format!("the service refused it ({detail})"));
                true
            }
        }
    }

    async fn call(&self, record: &Record) -> Result<(), HourlyVerdict> {
        self.client
            .meter_usage()
            .product_code(&self.settings.product_code)
            .timestamp(DateTime::from_secs(record.hour.start_secs() as i64))
            .usage_dimension(&record.dimension)
            .usage_quantity(i32::try_from(record.quantity).unwrap_or(i32::MAX))
            .client_token(client_token(
                record.identity.as_deref().unwrap_or(&self.settings.task),
                &self.settings.product_code,
                &record.dimension,
                record.hour,
                record.salvaged,
            ))
            .set_usage_allocations(allocations(record))
            .send()
            .await
            .map(drop)
            .map_err(|e| error_policy::hourly(&e))
    }

    fn delivered(&mut self, key: &Key) {
        if let Some(record) = self.records.get(key) {
            by_dimension::count_units(Units::Sent, &record.dimension, record.quantity);
        }
        self.finish(key, State::Sent);
        Counters::bump(&STATS.sent);
    }

    fn retry_later(&mut self, key: &Key, now: SystemTime, why: &str) {
        let attempts = self.retries.get(key).map_or(0, |r| r.attempts) + 1;
        let backoff = crate::aws::backoff::Backoff {
            base: RETRY_BASE,
            cap: self.settings.retry_cap,
        };
        let next_at = now + backoff.wait(attempts);
        tracing::debug!(dimension = key.1, attempts, "metering: will retry ({why})");
        self.retries
            .insert(key.clone(), Retry { attempts, next_at });
    }

    /// Once per run of intercepted sends: the usage waits (journaled) until the path is fixed.
    fn report_interception(&mut self, why: &str) {
        Counters::bump(&STATS.intercepted);
        if !std::mem::replace(&mut self.intercepted, true) {
            operator!(error, product_code = self.settings.product_code;
                "metering: something intercepted the connection to the metering endpoint: its \
                 certificate does not chain to the Amazon roots this build trusts ({why}). \
                 Usage is kept and retried; exempt the metering endpoint from TLS inspection \
                 and name overrides (counted in intercepted)"
            );
        }
    }

    /// Once per run of credential refusals: the usage waits (journaled) and is retried.
    fn report_credentials(&mut self, why: &str) {
        if !std::mem::replace(&mut self.credentials_refused, true) {
            operator!(warn, product_code = self.settings.product_code;
                "metering: the metering service refused the task's credentials or authorisation \
                 ({why}); usage is kept and retried with fresh credentials until its 6-hour \
                 window closes (logged once until a send succeeds; counted in \
                 credential_retries). If it lasts, check the task role's \
                 aws-marketplace:MeterUsage permission and the host clock"
            );
        }
    }

    /// The next call loads credentials from the provider instead of the identity cache,
    /// which would hand out the refused ones until they expire.
    fn fresh_credentials(&mut self) {
        let config = self
            .client
            .config()
            .to_builder()
            .identity_cache(IdentityCache::lazy().build())
            .build();
        self.client = Client::from_conf(config);
    }

    /// The hour is not this record's to bill: its usage moves to the next open hour.
    fn move_on(&mut self, key: &Key, record: &Record, detail: &str) {
        operator!(warn,
            dimension = key.1, hour = key.0.start_secs(), quantity = record.quantity;
            "metering: this task already has a record for that hour ({detail}); the usage \
             moves to the next hour"
        );
        let changed = self.records.move_on(key);
        self.journal(&changed);
        self.retries.remove(key);
        Counters::bump(&STATS.carried);
        Counters::add(&STATS.carried_units, record.quantity);
    }

    /// Resends the record's total without its allocations.
    fn salvage(&mut self, key: &Key, detail: &str) {
        let Some(stripped) = self.records.strip_allocations(key) else {
            return;
        };
        Counters::bump(&STATS.salvaged);
        operator!(warn,
            dimension = key.1, hour = key.0.start_secs(), quantity = stripped.quantity;
            "metering: the service refused the record's allocations ({detail}); its total is \
             resent untagged, so only the attribution by tag is lost (counted in salvaged)"
        );
        self.journal(&[stripped]);
        self.retries.remove(key);
    }

    fn finish(&mut self, key: &Key, state: State) {
        self.retries.remove(key);
        if let Some(record) = self.records.set_state(key, state) {
            self.journal(&[record]);
        }
    }

    pub(super) fn give_up(&mut self, key: &Key, why: &str) {
        if let Some(record) = self.records.get(key) {
            operator!(error,
                dimension = record.dimension,
                hour = record.hour.start_secs(),
                quantity = record.quantity;
                "metering: record not delivered: {why}"
            );
            by_dimension::count_units(Units::Lost, &record.dimension, record.quantity);
        }
        Counters::bump(&STATS.failed);
        self.finish(key, State::Failed);
    }
}

/// The record's allocations, the untagged rest included, or `None` if nothing was tagged.
/// The allocations must add up to the quantity; the share metered without tags goes out as
/// an allocation without `Tags`, which is how the service model marks the untagged bucket.
fn allocations(record: &Record) -> Option<Vec<UsageAllocation>> {
    if record.allocations.is_empty() {
        return None;
    }
    let untagged = record.untagged();
    let untagged = (untagged > 0).then_some((None, untagged));
    let tagged = record.allocations.iter().map(|a| {
        let tags = a
            .tags
            .iter()
            .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
            .collect();
        (Some(tags), a.quantity)
    });
    Some(
        tagged
            .chain(untagged)
            .filter_map(|(tags, quantity)| {
                UsageAllocation::builder()
                    .allocated_usage_quantity(i32::try_from(quantity).unwrap_or(i32::MAX))
                    .set_tags(tags)
                    .build()
                    .ok()
            })
            .collect(),
    )
}
