//! The `metrics` feature: [`metering_stats`] and [`metering_stats_by_dimension`] published
//! through the `metrics` facade, to whatever recorder the seller installed (a Prometheus or
//! OpenTelemetry exporter), at every pass of the flusher (every second, and the last one at
//! exit). Counters are set to the runtime's own totals (`absolute`), so a recorder
//! installed after start-up still shows everything since. The names are documented in
//! docs/observability.md.

use super::by_dimension::{DimensionStats, metering_stats, metering_stats_by_dimension};
use super::stats::MeteringStats;
use metrics::{counter, describe_counter, describe_gauge, gauge};

/// The label that names the dimension on the per-dimension metrics.
pub(crate) const DIMENSION_LABEL: &str = "dimension";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Only grows.
    Counter,
    /// Goes up and down.
    Gauge,
}

/// One published metric: its name, kind, description and where its value comes from.
pub(crate) struct Metric<T> {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    help: &'static str,
    value: fn(&T) -> u64,
}

const fn metric<T>(
    name: &'static str,
    kind: Kind,
    help: &'static str,
    value: fn(&T) -> u64,
) -> Metric<T> {
    Metric {
        name,
        kind,
        help,
        value,
    }
}

/// Per dimension, labelled `dimension`.
pub(crate) const PER_DIMENSION: &[Metric<DimensionStats>] = &[
    metric(
        "mp_metering_metered_units_total",
        Kind::Counter,
        "Units meter! counted for the dimension.",
        |d| d.metered_units,
    ),
    metric(
        "mp_metering_sent_units_total",
        Kind::Counter,
        "Units in hourly records the Metering Service accepted.",
        |d| d.sent_units,
    ),
    metric(
        "mp_metering_lost_units_total",
        Kind::Counter,
        "Units in records given up on: refused by the service or past their 6-hour window.",
        |d| d.lost_units,
    ),
    metric(
        "mp_metering_pending_units",
        Kind::Gauge,
        "Units metered and not yet sent.",
        |d| d.pending_units,
    ),
    metric(
        "mp_metering_pending_records",
        Kind::Gauge,
        "Hourly records waiting to be sent.",
        |d| d.pending_records,
    ),
];

/// For the whole process, unlabelled.
pub(crate) const PROCESS: &[Metric<MeteringStats>] = &[
    metric(
        "mp_metering_records_sent_total",
        Kind::Counter,
        "Hourly records the Metering Service accepted.",
        |s| s.sent,
    ),
    metric(
        "mp_metering_records_lost_total",
        Kind::Counter,
        "Hourly records given up on: refused by the service or past their 6-hour window.",
        |s| s.failed,
    ),
    metric(
        "mp_metering_records_pending",
        Kind::Gauge,
        "Hourly records waiting to be sent.",
        |s| s.pending,
    ),
    metric(
        "mp_metering_rejected_calls_total",
        Kind::Counter,
        "meter! calls refused at run time (a negative quantity).",
        |s| s.rejected_calls,
    ),
    metric(
        "mp_metering_entitlement_errors_total",
        Kind::Counter,
        "CustomerNotEntitledException answers after start-up.",
        |s| s.entitlement_errors,
    ),
    metric(
        "mp_metering_carried_total",
        Kind::Counter,
        "Quantities moved to a later hour.",
        |s| s.carried,
    ),
    metric(
        "mp_metering_journal_errors_total",
        Kind::Counter,
        "Journal writes that failed (the usage stayed in memory).",
        |s| s.journal_errors,
    ),
    metric(
        "mp_metering_untagged_overflow_units_total",
        Kind::Counter,
        "Units billed untagged because the hour already had 2,499 tag sets (billed, not lost).",
        |s| s.untagged_overflow,
    ),
    metric(
        "mp_metering_tags_untagged_units_total",
        Kind::Counter,
        "Units metered with tags the service would refuse, billed untagged (billed, not lost).",
        |s| s.tags_untagged,
    ),
    metric(
        "mp_metering_salvaged_records_total",
        Kind::Counter,
        "Records resent without the allocations the service refused.",
        |s| s.salvaged,
    ),
    metric(
        "mp_metering_conflicts_total",
        Kind::Counter,
        "IdempotencyConflictException answers.",
        |s| s.conflicts,
    ),
    metric(
        "mp_metering_intercepted_sends_total",
        Kind::Counter,
        "Sends refused because the endpoint's certificate does not chain to the Amazon roots.",
        |s| s.intercepted,
    ),
    metric(
        "mp_metering_credential_retries_total",
        Kind::Counter,
        "Sends retried because the service refused the credentials or authorisation.",
        |s| s.credential_retries,
    ),
    metric(
        "mp_metering_carried_units_total",
        Kind::Counter,
        "Units moved to a later hour (billed later, not lost).",
        |s| s.carried_units,
    ),
    metric(
        "mp_metering_journal_rejected_total",
        Kind::Counter,
        "Journal lines ignored because their contents cannot be true.",
        |s| s.journal_rejected,
    ),
    metric(
        "mp_metering_journals_adopted_total",
        Kind::Counter,
        "Journals of ended processes delivered by this one.",
        |s| s.journals_adopted,
    ),
    metric(
        "mp_metering_zero_calls_total",
        Kind::Counter,
        "meter! calls with a quantity of 0 at run time.",
        |s| s.zero_calls,
    ),
    metric(
        "mp_metering_waiting_seconds",
        Kind::Gauge,
        "How long due usage has waited to be delivered (0 while nothing is due).",
        |s| s.waiting_secs,
    ),
];

/// Hands the current counts to the installed recorder.
pub(crate) fn publish() {
    let stats = metering_stats();
    for m in PROCESS {
        describe(m);
        let value = (m.value)(&stats);
        match m.kind {
            Kind::Counter => counter!(m.name).absolute(value),
            Kind::Gauge => gauge!(m.name).set(value as f64),
        }
    }
    for m in PER_DIMENSION {
        describe(m);
    }
    for d in metering_stats_by_dimension() {
        for m in PER_DIMENSION {
            let value = (m.value)(&d);
            let dimension = d.dimension.clone();
            match m.kind {
                Kind::Counter => counter!(m.name, DIMENSION_LABEL => dimension).absolute(value),
                Kind::Gauge => gauge!(m.name, DIMENSION_LABEL => dimension).set(value as f64),
            }
        }
    }
}

/// Every pass, not once: the seller may install the recorder at any time.
fn describe<T>(m: &Metric<T>) {
    match m.kind {
        Kind::Counter => describe_counter!(m.name, m.help),
        Kind::Gauge => describe_gauge!(m.name, m.help),
    }
}

#[cfg(test)]
mod tests;
