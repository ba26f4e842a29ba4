//! Sends the hourly records: one `MeterUsage` per dimension per hour, with the
//! hour-truncated timestamp and the record's derived client token, oldest first.
//!
//! Throttling, 5xx and network errors are retried with full-jitter backoff until the
//! record's 6-hour window closes. `DuplicateRequestException` (or `IdempotencyConflict`)
//! means the service already holds a record for that hour and task: if we had sent this
//! record before (it is frozen, so with this very quantity), that earlier send got through
//! and it counts as delivered; if not, the hour was used by an earlier run of this task
//! (a restart without a journal), so the usage moves to the next hour rather than being
//! lost. After start-up, `CustomerNotEntitledException` is logged and counted, never fatal:
//! a buyer who unsubscribed keeps their running tasks.

use super::aggregator::{Aggregator, Key, MAX_QUANTITY, Record, State};
use super::client_token::client_token;
use super::counter::{self, Dimension};
use super::hour::{Clock, HOUR_SECS, Hour, WINDOW};
use super::journal::Journal;
use super::stats::{Counters, STATS};
use crate::build_mode::BuildMode;
use crate::env::ProcessEnv;
use crate::failure::causes;
use crate::local_testing;
use aws_sdk_marketplacemetering::Client;
use aws_sdk_marketplacemetering::config::http::HttpResponse;
use aws_sdk_marketplacemetering::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_marketplacemetering::operation::meter_usage::MeterUsageError;
use aws_sdk_marketplacemetering::primitives::DateTime;
use aws_sdk_marketplacemetering::types::{Tag, UsageAllocation};
use rand::Rng;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, SystemTime};

const RETRY_BASE: Duration = Duration::from_secs(1);
const RETRY_CAP: Duration = Duration::from_secs(300);
/// Spread over this much after each hour boundary, so a fleet does not call at once.
const BOUNDARY_JITTER: Duration = Duration::from_secs(30);
/// How long before each hour ends its counters are drained for the last time.
const LAST_DRAIN_BEFORE_BOUNDARY: Duration = Duration::from_millis(500);
/// The tag the part of a record metered without tags is allocated to, when other parts
/// were: the service wants the allocations to add up to the quantity.
const UNTAGGED: (&str, &str) = ("untagged", "true");

/// What the flusher needs to know about this process.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) product_code: String,
    /// Unique per running task/pod; part of every client token.
    pub(crate) task: String,
    /// How often counters are drained into records (and journaled).
    pub(crate) checkpoint: Duration,
    pub(crate) journal: Option<PathBuf>,
}

struct Retry {
    attempts: u32,
    next_at: SystemTime,
}

/// How a send ended.
#[derive(Debug)]
enum Outcome {
    Accepted,
    Retry(String),
    Taken(String),
    NotEntitled(String),
    Refused(String),
}

pub(crate) struct Flusher {
    client: Client,
    clock: Arc<dyn Clock>,
    settings: Settings,
    dimensions: Box<dyn Fn() -> Vec<&'static Dimension> + Send>,
    records: Aggregator,
    journal: Option<Journal>,
    retries: HashMap<Key, Retry>,
    /// `RETRY_CAP`, unless a local-testing build lowers it (see `local_testing`).
    retry_cap: Duration,
    /// The last journal write failed: log the next failure only once it has recovered.
    journal_failing: bool,
}

impl Flusher {
    /// A flusher over every dimension `meter!` has used, recovering the journal if set.
    pub(crate) fn new(client: Client, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self::with_dimensions(client, clock, settings, Box::new(counter::registered))
    }

    pub(crate) fn with_dimensions(
        client: Client,
        clock: Arc<dyn Clock>,
        settings: Settings,
        dimensions: Box<dyn Fn() -> Vec<&'static Dimension> + Send>,
    ) -> Self {
        let (journal, records) = match &settings.journal {
            None => (None, Aggregator::default()),
            Some(path) => match Journal::open(path, clock.now()) {
                Ok((journal, recovered)) => {
                    report_recovery(path, &recovered);
                    (Some(journal), Aggregator::restore(recovered.records))
                }
                Err(e) => {
                    Counters::bump(&STATS.journal_errors);
                    tracing::error!(
                        journal = %path.display(),
                        "cannot open the metering journal ({e}); metering continues without it, \
                         so a crash can lose the usage not yet sent. Check the path is a writable file"
                    );
                    (None, Aggregator::default())
                }
            },
        };
        Flusher {
            client,
            clock,
            settings,
            dimensions,
            records,
            journal,
            retries: HashMap::new(),
            retry_cap: local_testing::retry_cap(BuildMode::current(), &ProcessEnv, RETRY_CAP),
            journal_failing: false,
        }
    }

    /// One pass: drain the counters, then send what is due (at shutdown, the current hour
    /// too, ignoring backoff). Returns how many due records are still unsent (usage carried
    /// into a later hour is not due yet).
    pub(crate) async fn step(&mut self, shutdown: bool) -> u64 {
        let now = self.clock.now();
        let hour = Hour::of(now);
        let drained = self.records.drain(hour, &(self.dimensions)());
        self.journal(&drained);
        for key in self.records.due(hour, true) {
            if let Some(record) = self.records.get(&key)
                && now > record.hour.last_send()
            {
                self.give_up(
                    &key,
                    "its 6-hour window closed before it could be delivered",
                );
            }
        }
        for key in self.records.due(hour, shutdown) {
            let waiting = self.retries.get(&key).is_some_and(|r| r.next_at > now);
            if waiting && !shutdown {
                continue;
            }
            if !self.send(&key, now).await {
                break; // the endpoint is struggling: the backlog waits, oldest first
            }
        }
        let oldest = Hour::of(now - WINDOW - Duration::from_secs(HOUR_SECS));
        self.records.forget_before(oldest);
        self.retries.retain(|key, _| key.0 >= oldest);
        STATS.pending.store(self.records.pending(), Relaxed);
        self.records.due(hour, shutdown).len() as u64
    }

    /// When the next pass is worth running: the next checkpoint, a last drain just before
    /// the hour ends (usage belongs to the hour it is drained in), the first send after the
    /// boundary (plus jitter), or the next retry, whichever comes first.
    pub(crate) fn next_wake(&self) -> Duration {
        let now = self.clock.now();
        let boundary = Hour::of(now).next().start();
        let last_drain = Some(boundary - LAST_DRAIN_BEFORE_BOUNDARY).filter(|t| *t > now);
        let send = boundary + jitter(BOUNDARY_JITTER);
        let retry = self.retries.values().map(|r| r.next_at).min();
        let at = [
            Some(now + self.settings.checkpoint),
            last_drain,
            Some(send),
            retry,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(now);
        at.duration_since(now).unwrap_or_default()
    }

    /// Runs until `stop` fires, then flushes everything, including the partial hour,
    /// for at most `final_bound` (what is left stays in the journal, if there is one).
    pub(crate) async fn run(
        mut self,
        mut stop: tokio::sync::watch::Receiver<bool>,
        final_bound: Duration,
    ) {
        while !*stop.borrow() {
            tokio::select! {
                _ = tokio::time::sleep(self.next_wake()) => { self.step(false).await; }
                _ = stop.changed() => break,
            }
        }
        self.flush(final_bound).await;
    }

    /// Sends everything now, retrying until `bound` passes.
    pub(crate) async fn flush(&mut self, bound: Duration) -> u64 {
        let flushed = tokio::time::timeout(bound, async {
            let mut pause = Duration::from_millis(100);
            loop {
                if self.step(true).await == 0 {
                    return;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        })
        .await;
        let pending = self.records.pending();
        if pending > 0 {
            tracing::warn!(
                pending,
                journal = ?self.journal.as_ref().map(|j| j.path().to_owned()),
                "metering: {pending} record(s) not delivered before shutdown{}; {}",
                if flushed.is_err() { " (time ran out)" } else { "" },
                if self.journal.is_some() {
                    "the journal keeps them for the next start"
                } else {
                    "without a journal they are lost"
                }
            );
        }
        pending
    }

    /// Sends one record; `false` if the endpoint wants us to back off.
    async fn send(&mut self, key: &Key, now: SystemTime) -> bool {
        let sent_before = self
            .records
            .get(key)
            .is_some_and(|r| r.state == State::Frozen);
        let frozen = self.records.freeze(key);
        self.journal(&frozen);
        if frozen.len() > 1 {
            Counters::bump(&STATS.carried);
            tracing::warn!(
                dimension = key.1,
                hour = key.0.start_secs(),
                "metering: more than {MAX_QUANTITY} units in one hour; the record carries the \
                 maximum and the rest moves to the next hour (one record per hour is the rule)"
            );
        }
        let Some(record) = frozen.into_iter().next() else {
            return true;
        };
        match self.call(&record).await {
            Outcome::Accepted => {
                self.finish(key, State::Sent);
                Counters::bump(&STATS.sent);
                true
            }
            Outcome::Retry(why) => {
                let attempts = self.retries.get(key).map_or(0, |r| r.attempts) + 1;
                let next_at = now + backoff(attempts, self.retry_cap);
                tracing::debug!(dimension = key.1, attempts, "metering: will retry ({why})");
                self.retries
                    .insert(key.clone(), Retry { attempts, next_at });
                false
            }
            Outcome::Taken(why) if sent_before => {
                tracing::info!(
                    dimension = key.1,
                    "metering: the service already holds this record from an earlier attempt ({why})"
                );
                self.finish(key, State::Sent);
                Counters::bump(&STATS.sent);
                true
            }
            Outcome::Taken(why) => {
                tracing::warn!(
                    dimension = key.1,
                    hour = key.0.start_secs(),
                    quantity = record.quantity,
                    "metering: this task already has a record for that hour ({why}); the usage \
                     moves to the next hour"
                );
                let changed = self.records.move_on(key);
                self.journal(&changed);
                self.retries.remove(key);
                Counters::bump(&STATS.carried);
                true
            }
            Outcome::NotEntitled(why) => {
                Counters::bump(&STATS.entitlement_errors);
                self.give_up(
                    key,
                    &format!("the buyer is no longer entitled ({why}); the task keeps running"),
                );
                true
            }
            Outcome::Refused(why) => {
                self.give_up(key, &format!("the service refused it ({why})"));
                true
            }
        }
    }

    async fn call(&self, record: &Record) -> Outcome {
        let sent = self
            .client
            .meter_usage()
            .product_code(&self.settings.product_code)
            .timestamp(DateTime::from_secs(record.hour.start_secs() as i64))
            .usage_dimension(&record.dimension)
            .usage_quantity(i32::try_from(record.quantity).unwrap_or(i32::MAX))
            .client_token(client_token(
                &self.settings.task,
                &self.settings.product_code,
                &record.dimension,
                record.hour,
            ))
            .set_usage_allocations(allocations(record))
            .send()
            .await;
        match sent {
            Ok(_) => Outcome::Accepted,
            Err(e) => classify(&e),
        }
    }

    fn finish(&mut self, key: &Key, state: State) {
        self.retries.remove(key);
        if let Some(record) = self.records.set_state(key, state) {
            self.journal(&[record]);
        }
    }

    fn give_up(&mut self, key: &Key, why: &str) {
        if let Some(record) = self.records.get(key) {
            tracing::error!(
                dimension = record.dimension,
                hour = record.hour.start_secs(),
                quantity = record.quantity,
                "metering: record not delivered: {why}"
            );
        }
        Counters::bump(&STATS.failed);
        self.finish(key, State::Failed);
    }

    fn journal(&mut self, records: &[Record]) {
        let Some(journal) = &mut self.journal else {
            return;
        };
        match journal.write(records) {
            Ok(()) if self.journal_failing => {
                self.journal_failing = false;
                tracing::info!(
                    journal = %journal.path().display(),
                    "metering: the journal is writable again"
                );
            }
            Ok(()) => {}
            Err(e) => {
                // Every failed write is counted; one log line per run of failures, not one
                // every checkpoint.
                Counters::bump(&STATS.journal_errors);
                if !std::mem::replace(&mut self.journal_failing, true) {
                    tracing::error!(
                        journal = %journal.path().display(),
                        "metering: cannot write the journal ({e}); the usage is kept in memory \
                         (logged once until a write succeeds; counted in journal_errors)"
                    );
                }
            }
        }
    }
}

fn report_recovery(path: &std::path::Path, recovered: &super::journal::Recovered) {
    if recovered.skipped > 0 {
        tracing::warn!(
            journal = %path.display(),
            skipped = recovered.skipped,
            "metering journal: skipped {} damaged line(s) (a crash mid-write?); recovered the rest",
            recovered.skipped
        );
    }
    for record in &recovered.expired {
        Counters::bump(&STATS.failed);
        tracing::error!(
            dimension = record.dimension,
            hour = record.hour.start_secs(),
            quantity = record.quantity,
            "metering journal: record found after its 6-hour window closed; it cannot be sent"
        );
    }
}

/// The record's allocations, the untagged rest included, or `None` if nothing was tagged.
fn allocations(record: &Record) -> Option<Vec<UsageAllocation>> {
    if record.allocations.is_empty() {
        return None;
    }
    let untagged = record.untagged();
    let untagged = (untagged > 0).then(|| (vec![(UNTAGGED.0.into(), UNTAGGED.1.into())], untagged));
    let all = record
        .allocations
        .iter()
        .map(|a| (a.tags.clone(), a.quantity))
        .chain(untagged);
    Some(
        all.filter_map(|(tags, quantity)| {
            let tags = tags
                .into_iter()
                .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
                .collect();
            UsageAllocation::builder()
                .allocated_usage_quantity(i32::try_from(quantity).unwrap_or(i32::MAX))
                .set_tags(Some(tags))
                .build()
                .ok()
        })
        .collect(),
    )
}

fn classify(error: &SdkError<MeterUsageError, HttpResponse>) -> Outcome {
    let service = match error {
        SdkError::ServiceError(e) => e.err(),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            return Outcome::Retry(format!("network error: {}", causes(error)));
        }
        SdkError::ResponseError(e) if e.raw().status().is_server_error() => {
            return Outcome::Retry(format!("HTTP {}", e.raw().status().as_u16()));
        }
        _ => return Outcome::Refused(causes(error)),
    };
    let detail = format!(
        "{}: {}",
        service.code().unwrap_or("unknown error"),
        service.message().unwrap_or("no message")
    );
    match service {
        MeterUsageError::ThrottlingException(_)
        | MeterUsageError::InternalServiceErrorException(_) => Outcome::Retry(detail),
        MeterUsageError::DuplicateRequestException(_)
        | MeterUsageError::IdempotencyConflictException(_) => Outcome::Taken(detail),
        MeterUsageError::CustomerNotEntitledException(_) => Outcome::NotEntitled(detail),
        _ if error
            .raw_response()
            .is_some_and(|r| r.status().is_server_error()) =>
        {
            Outcome::Retry(detail)
        }
        _ => Outcome::Refused(detail),
    }
}

/// Full jitter: uniform in 0..=min(cap, base * 2^attempts).
fn backoff(attempts: u32, cap: Duration) -> Duration {
    let ceiling = RETRY_BASE
        .saturating_mul(1u32.checked_shl(attempts.min(20)).unwrap_or(u32::MAX))
        .min(cap);
    jitter(ceiling)
}

fn jitter(max: Duration) -> Duration {
    Duration::from_millis(rand::rng().random_range(0..=max.as_millis() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::counter::record as meter;
    use crate::usage::hour::ManualClock;
    use crate::usage::test_client::client;
    use mp_emulator::{DEMO_CUSTOM_PRODUCT, Emulator, EmulatorConfig, Ledger, Scenario};
    use std::time::UNIX_EPOCH;

    /// Hour 490,000 (late 2025), 10 minutes in.
    const START: u64 = 490_000 * 3600 + 600;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// A flusher on an emulator whose clock follows the test's clock.
    struct Rig {
        emu: Emulator,
        clock: Arc<ManualClock>,
        flusher: Flusher,
    }

    impl Rig {
        async fn new(dims: &'static [&'static Dimension], journal: Option<PathBuf>) -> Rig {
            let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
            let clock = ManualClock::at(at(START));
            let flusher = Self::flusher(&emu, &clock, dims, journal);
            let rig = Rig {
                emu,
                clock,
                flusher,
            };
            rig.sync();
            rig
        }

        fn flusher(
            emu: &Emulator,
            clock: &Arc<ManualClock>,
            dims: &'static [&'static Dimension],
            journal: Option<PathBuf>,
        ) -> Flusher {
            let settings = Settings {
                product_code: DEMO_CUSTOM_PRODUCT.into(),
                task: "task-1".into(),
                checkpoint: Duration::from_secs(10),
                journal,
            };
            Flusher::with_dimensions(
                client(emu),
                clock.clone(),
                settings,
                Box::new(move || dims.to_vec()),
            )
        }

        fn sync(&self) {
            self.emu.set_clock(self.clock.now());
        }

        /// Moves both clocks and runs one pass.
        async fn step_at(&mut self, secs: u64) -> u64 {
            self.clock.set(at(secs));
            self.sync();
            self.flusher.step(false).await
        }

        /// The flusher's last drain of hour `n` (relative to START's), then the first pass of
        /// the next hour; returns what is still unsent.
        async fn close_hour(&mut self, n: u64) -> u64 {
            let hour_start = START / 3600 * 3600 + n * 3600;
            self.step_at(hour_start + 3599).await;
            self.step_at(hour_start + 3600 + 5).await
        }

        fn ledger(&self) -> Ledger {
            self.emu.ledger()
        }
    }

    /// (dimension, hour index relative to START's hour, quantity) of every accepted record.
    fn booked(ledger: &Ledger) -> Vec<(String, u64, i64)> {
        let base = START / 3600;
        ledger
            .records
            .iter()
            .map(|r| (r.dimension.clone(), r.hour / 3600 - base, r.quantity))
            .collect()
    }

    #[tokio::test]
    async fn each_hour_is_sent_once_per_dimension_with_its_hour_and_token() {
        static REQ: Dimension = Dimension::new("requests");
        static GB: Dimension = Dimension::new("data_gb");
        static DIMS: [&Dimension; 2] = [&REQ, &GB];
        let mut rig = Rig::new(&DIMS, None).await;
        meter(&REQ, 3u8);
        meter(&GB, 2u8);
        assert_eq!(
            rig.step_at(START + 60).await,
            0,
            "the hour is still running"
        );
        assert_eq!(rig.flusher.records.pending(), 2);
        assert!(rig.ledger().records.is_empty());
        meter(&REQ, 4u8);
        assert_eq!(rig.close_hour(0).await, 0);
        let ledger = rig.ledger();
        assert_eq!(
            booked(&ledger),
            [("data_gb".into(), 0, 2), ("requests".into(), 0, 7)]
        );
        let r = &ledger.records[1];
        assert_eq!(r.timestamp as u64, START / 3600 * 3600, "hour-truncated");
        assert_eq!(
            r.client_token.as_deref(),
            Some(
                client_token(
                    "task-1",
                    DEMO_CUSTOM_PRODUCT,
                    "requests",
                    Hour::of(at(START))
                )
                .as_str()
            )
        );
        assert!(STATS.sent.load(Relaxed) >= 2);
    }

    #[tokio::test]
    async fn throttling_and_5xx_storms_are_retried_until_delivered_exactly_once() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        rig.emu.set_scenario(
            Scenario::entitled()
                .seed(3)
                .throttle(0.5)
                .server_errors(0.3),
        );
        for hour in 0..4u64 {
            meter(&D, hour + 1);
            rig.close_hour(hour).await;
        }
        // Keep stepping, every few minutes, until the backlog drains.
        let mut t = START + 4 * 3600;
        for _ in 0..200 {
            t += 300;
            if rig.step_at(t).await == 0 {
                break;
            }
        }
        let ledger = rig.ledger();
        assert!(ledger.rejection_count("ThrottlingException") > 0);
        assert_eq!(
            booked(&ledger),
            (0..4)
                .map(|h| ("requests".into(), h, h as i64 + 1))
                .collect::<Vec<_>>(),
            "every hour once, oldest first"
        );
    }

    #[tokio::test]
    async fn an_outage_longer_than_an_hour_is_caught_up_oldest_first() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        rig.emu.set_scenario(Scenario::entitled().down_for(1000));
        for (hour, q) in [5u64, 6, 7].into_iter().enumerate() {
            meter(&D, q);
            rig.close_hour(hour as u64).await;
        }
        assert!(rig.ledger().records.is_empty());
        rig.emu.set_scenario(Scenario::entitled());
        rig.close_hour(3).await; // past every backoff
        assert_eq!(
            booked(&rig.ledger()),
            [
                ("requests".into(), 0, 5),
                ("requests".into(), 1, 6),
                ("requests".into(), 2, 7)
            ]
        );
    }

    #[tokio::test]
    async fn a_record_still_unsent_when_its_window_closes_is_counted_failed() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        rig.emu.set_scenario(Scenario::entitled().down_for(100_000));
        meter(&D, 5u8);
        rig.close_hour(0).await;
        let failed = STATS.failed.load(Relaxed);
        assert_eq!(rig.step_at(START + 7 * 3600).await, 0);
        assert!(STATS.failed.load(Relaxed) > failed);
        assert!(rig.ledger().records.is_empty());
    }

    #[tokio::test]
    async fn not_entitled_after_start_up_is_counted_not_fatal() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        rig.emu.set_scenario(Scenario::not_entitled());
        let before = STATS.entitlement_errors.load(Relaxed);
        meter(&D, 1u8);
        assert_eq!(rig.close_hour(0).await, 0);
        assert!(STATS.entitlement_errors.load(Relaxed) > before);
    }

    #[tokio::test]
    async fn an_hour_already_held_by_this_task_moves_the_usage_on() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        // An earlier run of this task already sent 9 for this hour.
        client(&rig.emu)
            .meter_usage()
            .product_code(DEMO_CUSTOM_PRODUCT)
            .usage_dimension("requests")
            .usage_quantity(9)
            .timestamp(DateTime::from_secs((START / 3600 * 3600) as i64))
            .send()
            .await
            .unwrap();
        meter(&D, 4u8);
        rig.close_hour(0).await;
        rig.close_hour(1).await;
        assert_eq!(
            booked(&rig.ledger()),
            [("requests".into(), 0, 9), ("requests".into(), 1, 4)]
        );
    }

    #[tokio::test]
    async fn above_the_per_record_maximum_the_rest_goes_to_the_next_hour() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        meter(&D, MAX_QUANTITY + 5);
        rig.close_hour(0).await;
        rig.close_hour(1).await;
        assert_eq!(
            booked(&rig.ledger()),
            [
                ("requests".into(), 0, MAX_QUANTITY as i64),
                ("requests".into(), 1, 5)
            ]
        );
    }

    #[tokio::test]
    async fn tagged_usage_is_sent_as_allocations_that_add_up() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        crate::usage::counter::record_tagged(&D, 3u8, &[("tenant", "a")]);
        meter(&D, 2u8);
        rig.close_hour(0).await;
        let ledger = rig.ledger();
        let r = &ledger.records[0];
        assert_eq!(r.quantity, 5);
        let mut allocs: Vec<_> = r
            .allocations
            .iter()
            .map(|a| (a.tags[0].key.as_str(), a.quantity))
            .collect();
        allocs.sort();
        assert_eq!(allocs, [("tenant", 3), ("untagged", 2)]);
    }

    #[tokio::test]
    async fn a_crash_before_sending_loses_nothing_with_a_journal_and_bills_once() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("usage.journal");
        let mut rig = Rig::new(&DIMS, Some(path.clone())).await;
        rig.emu.set_scenario(Scenario::entitled().down_for(1));
        meter(&D, 6u8);
        rig.step_at(START + 60).await; // checkpoint: journaled, not sent
        meter(&D, 1u8);
        rig.close_hour(0).await; // frozen, attempted, connection reset
        // SIGKILL: the flusher is gone without a word; a new process opens the journal.
        rig.flusher = Rig::flusher(&rig.emu, &rig.clock, &DIMS, Some(path.clone()));
        rig.step_at(START / 3600 * 3600 + 3700).await;
        // And a crash right after sending, before the journal said so: the record is sent
        // again with the same client token, and the service answers with the first result.
        let journal = std::fs::read_to_string(&path).unwrap();
        let last_line = journal.trim_end().rfind('\n').map_or(0, |i| i + 1);
        assert!(journal[last_line..].contains("\"sent\""), "{journal}");
        std::fs::write(&path, &journal[..last_line]).unwrap();
        rig.flusher = Rig::flusher(&rig.emu, &rig.clock, &DIMS, Some(path));
        rig.step_at(START / 3600 * 3600 + 3800).await;
        assert_eq!(booked(&rig.ledger()), [("requests".into(), 0, 7)]);
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_flushes_the_partial_hour_within_the_bound() {
        static D: Dimension = Dimension::new("requests");
        static DIMS: [&Dimension; 1] = [&D];
        let mut rig = Rig::new(&DIMS, None).await;
        meter(&D, 2u8);
        assert_eq!(rig.flusher.flush(Duration::from_secs(20)).await, 0);
        assert_eq!(booked(&rig.ledger()), [("requests".into(), 0, 2)]);
    }

    #[test]
    fn backoff_is_jittered_and_capped() {
        for attempts in 0..40 {
            assert!(backoff(attempts, RETRY_CAP) <= RETRY_CAP);
            assert!(backoff(attempts, Duration::from_millis(20)) <= Duration::from_millis(20));
        }
    }
}
