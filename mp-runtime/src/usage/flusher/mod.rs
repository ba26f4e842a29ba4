//! Sends the hourly records: one `MeterUsage` per dimension per hour, with the
//! hour-truncated timestamp and the record's derived client token, oldest first. This file
//! is the schedule (when to drain, when to send, the final flush at shutdown) and the
//! journal; `send` is the policy for one record's answer.
//!
//! A record whose 6-hour window is closing is carried into the current hour only if it never
//! left the process: never attempted, or every attempt failed to connect (refused, DNS, no
//! route, connect timeout, a TLS handshake refused or intercepted). The service then never
//! saw it, so its units billed in the current hour, under that hour's client token, are
//! billed once. A record that may have reached the service (an attempt that timed out after
//! connecting, a reset, a dropped answer, a 5xx, any answer) is never carried: the service may
//! hold it already, the same units under a new token would bill twice, and a record older
//! than 6 hours can no longer be resent under its own token to find out. It is given up,
//! logged and counted lost. Whether a request may have left is kept in the record, and
//! journaled, so the same rule holds for usage replayed after a restart.
//!
//! How long usage has waited (`waiting_secs`, see `waiting`) is published at each pass; past
//! `offline_limit` the process ends (exit 95) with its usage journaled: the product does not
//! run unbilled for longer than the seller allows.

mod send;
mod waiting;

use super::aggregator::{Aggregator, Key, Record};
use super::by_dimension;
use super::counter::{self, Dimension};
use super::hour::{HOUR_SECS, Hour, WINDOW};
use super::journal::{Appended, Journal, Recovered};
use super::stats::{Counters, STATS, Units};
use crate::aws::backoff::jitter;
use crate::exit;
use crate::failure::Failure;
use crate::notice::operator;
use crate::process::clock::Clock;
use aws_sdk_marketplacemetering::Client;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, SystemTime};

/// The ceiling of the retry backoff, unless a local-testing build lowers it.
pub(crate) const RETRY_CAP: Duration = Duration::from_secs(300);
/// Spread over this much after each hour boundary, so a fleet does not call at once.
const BOUNDARY_JITTER: Duration = Duration::from_secs(30);
/// How long before each hour ends its counters are drained for the last time.
const LAST_DRAIN_BEFORE_BOUNDARY: Duration = Duration::from_millis(500);

/// What the flusher needs to know about this process.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) product_code: String,
    /// Unique per process (random, kept in the journal across a restart); part of every
    /// client token.
    pub(crate) task: String,
    /// How often counters are drained into records (and journaled).
    pub(crate) checkpoint: Duration,
    pub(crate) journal: Option<PathBuf>,
    /// The retry backoff's ceiling.
    pub(crate) retry_cap: Duration,
    /// How long usage may wait to be delivered before the process ends; `None`: for ever.
    pub(crate) offline_limit: Option<Duration>,
}

struct Retry {
    attempts: u32,
    next_at: SystemTime,
}

pub(crate) struct Flusher {
    client: Client,
    clock: Arc<dyn Clock>,
    settings: Settings,
    dimensions: Box<dyn Fn() -> Vec<&'static Dimension> + Send>,
    records: Aggregator,
    journal: Option<Journal>,
    retries: HashMap<Key, Retry>,
    /// The last journal write failed: log the next failure only once it has recovered.
    journal_failing: bool,
    /// The last send met an untrusted certificate: log the next one only after a send
    /// got through.
    intercepted: bool,
    /// `tags_untagged` as of the last drain, to report new tag refusals once per drain.
    tags_untagged_reported: u64,
    /// The last send met a credential refusal: log the next one only after a send got
    /// through.
    credentials_refused: bool,
    /// How long usage has waited to be delivered.
    waiting: waiting::Waiting,
}

impl Flusher {
    /// A flusher over every dimension `meter!` has used, recovering the journal if set.
    pub(crate) fn new(client: Client, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        Self::with_dimensions(client, clock, settings, Box::new(counter::registered))
    }

    pub(crate) fn with_dimensions(
        client: Client,
        clock: Arc<dyn Clock>,
        mut settings: Settings,
        dimensions: Box<dyn Fn() -> Vec<&'static Dimension> + Send>,
    ) -> Self {
        let now = clock.now();
        let (journal, records, expired) = match settings.journal.clone() {
            None => (None, Aggregator::default(), Vec::new()),
            Some(path) => match Journal::open(&path, now, &settings.task) {
                Ok((journal, recovered)) => {
                    report_recovery(&path, &recovered);
                    if let Some(identity) = recovered.identity {
                        settings.task = identity;
                    }
                    let records = Aggregator::restore(recovered.records);
                    (Some(journal), records, recovered.expired)
                }
                Err(e) => {
                    Counters::bump(&STATS.journal_errors);
                    operator!(error, journal = path.display();
                        "cannot open the metering journal ({e}); metering continues without \
                         it, so a crash can lose the usage not yet sent. Check the path is a \
                         writable file"
                    );
                    (None, Aggregator::default(), Vec::new())
                }
            },
        };
        let mut flusher = Flusher {
            client,
            clock,
            settings,
            dimensions,
            records,
            journal,
            retries: HashMap::new(),
            journal_failing: false,
            intercepted: false,
            tags_untagged_reported: 0,
            credentials_refused: false,
            waiting: waiting::Waiting::new(now),
        };
        for record in expired.into_iter().filter(|r| r.quantity > 0) {
            flusher.recovered_past_window(record, now);
        }
        flusher.count_pending(); // what the journal brought back waits already
        flusher
    }

    /// One pass: drain the counters, then send what is due (at shutdown, the current hour
    /// too, ignoring backoff). Returns how many due records are still unsent (usage carried
    /// into a later hour is not due yet).
    pub(crate) async fn step(&mut self, shutdown: bool) -> u64 {
        let now = self.clock.now();
        let hour = Hour::of(now);
        let drained = self.records.drain(hour, &(self.dimensions)());
        self.count_pending();
        self.journal(&drained);
        self.report_untagged();
        self.waiting(now); // before a closing window takes the oldest record away
        for key in self.records.due(hour, true) {
            if now > key.0.last_send() {
                self.past_window(&key, now);
            }
        }
        for key in self.records.due(hour, shutdown) {
            let waiting = self.retries.get(&key).is_some_and(|r| r.next_at > now);
            if waiting && !shutdown {
                continue;
            }
            let keep_going = self.send(&key, now).await;
            self.count_pending();
            if !keep_going {
                break; // the endpoint is struggling: the backlog waits, oldest first
            }
        }
        let oldest = Hour::of(now - WINDOW - Duration::from_secs(HOUR_SECS));
        self.records.forget_before(oldest);
        self.retries.retain(|key, _| key.0 >= oldest);
        self.count_pending();
        STATS
            .waiting_secs
            .store(self.waiting(now).as_secs(), Relaxed);
        #[cfg(feature = "metrics")]
        super::metrics_export::publish();
        self.records.due(hour, shutdown).len() as u64
    }

    /// A record whose window closed: carried into the current hour if it never left the
    /// process, else given up (see the module's doc).
    fn past_window(&mut self, key: &Key, now: SystemTime) {
        let Some(record) = self.records.get(key).cloned() else {
            return;
        };
        if !record.never_transmitted() {
            self.give_up(
                key,
                "its 6-hour window closed before it could be delivered, and an attempt may \
                 have reached the service, so it is not billed again in a later hour",
            );
            return;
        }
        let changed = self.records.carry(key, Hour::of(now));
        self.journal(&changed);
        self.retries.remove(key);
        self.carried_out(&record);
    }

    /// A record the journal held past its window (the file no longer has it): carried into
    /// the current hour if it never left the process, else counted lost.
    fn recovered_past_window(&mut self, record: Record, now: SystemTime) {
        self.waiting.observe(Some(record.hour.next().start()));
        if !record.never_transmitted() {
            Counters::bump(&STATS.failed);
            by_dimension::count_units(Units::Lost, &record.dimension, record.quantity);
            operator!(error,
                dimension = record.dimension, hour = record.hour.start_secs(), quantity = record.quantity;
                "metering journal: record found after its 6-hour window closed, and an attempt \
                 may have reached the service; it cannot be sent"
            );
            return;
        }
        let carried = self.records.add(
            &record.dimension,
            Hour::of(now),
            record.quantity,
            record.allocations.clone(),
        );
        self.journal(&[carried]);
        self.carried_out(&record);
    }

    /// Counts and reports usage carried out of a closing window.
    fn carried_out(&mut self, record: &Record) {
        Counters::bump(&STATS.carried);
        Counters::add(&STATS.carried_units, record.quantity);
        operator!(warn,
            dimension = record.dimension, hour = record.hour.start_secs(), quantity = record.quantity;
            "metering: a record never reached the metering endpoint before its 6-hour window \
             closed (no connection could be made); its usage is carried into the current hour \
             and billed there (counted in carried_units). Check the network path to the \
             metering endpoint"
        );
    }

    /// How long usage has waited to be delivered, as of `now`.
    fn waiting(&mut self, now: SystemTime) -> Duration {
        let oldest_due = self
            .records
            .due(Hour::of(now), false)
            .first()
            .map(|(hour, _)| hour.next().start());
        self.waiting.observe(oldest_due);
        self.waiting.at(now)
    }

    /// Past the offline limit: the waiting time, if the process must end.
    pub(crate) fn past_offline_limit(&mut self) -> Option<Duration> {
        let limit = self.settings.offline_limit?;
        let waiting = self.waiting(self.clock.now());
        (waiting > limit).then_some(waiting)
    }

    /// Ends the process: the counters drained and everything journaled, one line, exit 95.
    fn stop_offline(&mut self, waited: Duration) -> ! {
        let now = self.clock.now();
        let drained = self.records.drain(Hour::of(now), &(self.dimensions)());
        self.journal(&drained);
        self.count_pending();
        let limit = self.settings.offline_limit.unwrap_or_default();
        let kept = match &self.journal {
            Some(journal) => format!(
                "the usage not yet billed is kept in the journal {} for the next start",
                journal.path().display()
            ),
            None => "without a journal the usage not yet billed is lost".to_owned(),
        };
        eprintln!(
            "{}",
            STATS
                .snapshot()
                .exit_line(self.records.pending_units(), self.journal.is_some())
        );
        Failure::new(
            exit::OFFLINE_LIMIT,
            format!(
                "offline limit reached: usage has waited {} to be delivered, past the \
                 offline_limit of {} this product allows, so it stops rather than run \
                 unbilled; {kept}. Check the network path to \
                 metering.marketplace.<region>.amazonaws.com and the task role's \
                 aws-marketplace:MeterUsage permission",
                waiting::human(waited),
                waiting::human(limit)
            ),
        )
        .exit()
    }

    /// What waits, for `metering_stats()`: counted right after each drain and each send
    /// (no await in between), so units the counters handed over, or that went out, are
    /// missing from `pending_units`, or in it twice, only for that moment.
    fn count_pending(&self) {
        let pending = self.records.pending_by_dimension();
        let (records, units) = pending.values().fold((0u64, 0u64), |(r, u), p| {
            (r + p.records, u.saturating_add(p.units))
        });
        STATS.pending.store(records, Relaxed);
        STATS.pending_units.store(units, Relaxed);
        by_dimension::set_pending(pending);
    }

    /// When the next pass is worth running: the next checkpoint, a last drain just before
    /// the hour ends (usage belongs to the hour it is drained in), the first send after the
    /// boundary (plus jitter), or the next retry, whichever comes first.
    pub(crate) fn next_wake(&self) -> Duration {
        let now = self.clock.now();
        let boundary = Hour::of(now).next().start();
        let last_drain = Some(boundary - LAST_DRAIN_BEFORE_BOUNDARY).filter(|t| *t > now);
        let send_at = boundary + jitter(BOUNDARY_JITTER);
        let retry = self.retries.values().map(|r| r.next_at).min();
        let at = [
            Some(now + self.settings.checkpoint),
            last_drain,
            Some(send_at),
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
                _ = tokio::time::sleep(self.next_wake()) => {
                    self.step(false).await;
                    if let Some(waited) = self.past_offline_limit() {
                        self.stop_offline(waited);
                    }
                }
                _ = stop.changed() => break,
            }
        }
        self.flush(final_bound).await;
        // Always, so a run that billed nothing or lost usage never ends on a silent 0.
        eprintln!(
            "{}",
            STATS
                .snapshot()
                .exit_line(self.records.pending_units(), self.journal.is_some())
        );
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
            operator!(warn, pending = pending;
                "metering: {pending} record(s) not delivered before shutdown{}; {}",
                if flushed.is_err() { " (time ran out)" } else { "" },
                match &self.journal {
                    Some(journal) => format!(
                        "the journal {} keeps them for the next start",
                        journal.path().display()
                    ),
                    None => "without a journal they are lost".to_owned(),
                }
            );
        }
        pending
    }

    /// One line per drain that found `meter!` calls whose tags the service would refuse.
    fn report_untagged(&mut self) {
        let now = STATS.tags_untagged.load(Relaxed);
        let new = now - self.tags_untagged_reported.min(now);
        if new == 0 {
            return;
        }
        self.tags_untagged_reported = now;
        let why = counter::last_tag_problem().unwrap_or_default();
        operator!(warn, units = new;
            "metering: {new} unit(s) were metered with tags the Metering Service would refuse \
             ({why}); they are billed in the untagged share (counted in tags_untagged)"
        );
    }

    fn journal<T: Appended>(&mut self, records: &[T]) {
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
                    operator!(error, journal = journal.path().display();
                        "metering: cannot write the journal ({e}); the usage is kept in memory \
                         (logged once until a write succeeds; counted in journal_errors)"
                    );
                }
            }
        }
    }
}

fn report_recovery(path: &Path, recovered: &Recovered) {
    if recovered.skipped > 0 {
        operator!(warn, journal = path.display();
            "metering journal: skipped {} damaged line(s) (a crash mid-write?); recovered the rest",
            recovered.skipped
        );
    }
}

#[cfg(test)]
mod tests;
