//! What a journal record may say: only what this runtime can have written. The file is on
//! the buyer's volume and its checksum is no seal, so a record is believed only if it is
//! possible: an hour start, not after the current hour (Open usage carried forward may sit
//! in the next one, never later), a quantity and allocations within the Metering Service's
//! rules, a valid dimension name, and a state its quantity can be in.

use crate::usage::aggregator::{MAX_QUANTITY, MAX_TAG_SETS, Record, State};
use crate::usage::hour::{HOUR_SECS, Hour};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Why a record was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reason {
    NotAnHourStart,
    FutureHour,
    Dimension,
    Quantity,
    Allocations,
    Tags,
    State,
    TooMany,
}

impl Reason {
    fn describe(self) -> &'static str {
        match self {
            Reason::NotAnHourStart => "an hour that is not an hour's start",
            Reason::FutureHour => "an hour that has not come yet",
            Reason::Dimension => "a dimension name the service refuses",
            Reason::Quantity => "a quantity its state cannot have",
            Reason::Allocations => "allocations that do not fit the quantity",
            Reason::Tags => "tags the service refuses",
            Reason::State => "a state that cannot exist",
            Reason::TooMany => "more records than any process keeps",
        }
    }
}

/// How many records were refused, by reason.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Rejected(BTreeMap<Reason, usize>);

impl Rejected {
    pub(crate) fn count(&mut self, reason: Reason) {
        *self.0.entry(reason).or_default() += 1;
    }

    pub(crate) fn total(&self) -> usize {
        self.0.values().sum()
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (reason, n)) in self.0.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            write!(f, "{sep}{n} with {}", reason.describe())?;
        }
        Ok(())
    }
}

/// Whether this runtime can have written `record` by `current` (the hour it is now).
pub(crate) fn check(record: &Record, current: Hour) -> Result<(), Reason> {
    let hour = record.hour;
    if !hour.start_secs().is_multiple_of(HOUR_SECS) {
        return Err(Reason::NotAnHourStart);
    }
    // Usage is drained into the current hour; only what an hour already sent could not take
    // moves on, to the next one, and only an ended hour is ever sent.
    let latest = match record.state {
        State::Open => current.next(),
        _ => current,
    };
    if hour > latest {
        return Err(Reason::FutureHour);
    }
    if mp_marketplace_rules::check_dimension(&record.dimension).is_err() {
        return Err(Reason::Dimension);
    }
    check_state(record)?;
    check_allocations(record)
}

/// Open records add up without a limit until frozen; a record is frozen, sent or given up
/// only with usage in it and within the per-record maximum; a taken or carried one handed all
/// of it on.
fn check_state(record: &Record) -> Result<(), Reason> {
    // Only a record a dead process may have sent keeps that process's identity.
    if let Some(identity) = &record.identity
        && (record.state == State::Open || identity.is_empty() || identity.len() > 255)
    {
        return Err(Reason::State);
    }
    let q = record.quantity;
    match record.state {
        State::Open if record.salvaged => Err(Reason::State),
        State::Open => Ok(()),
        State::Frozen | State::Sent | State::Failed if !(1..=MAX_QUANTITY).contains(&q) => {
            Err(Reason::Quantity)
        }
        // Only a frozen record has had attempts that may have failed to connect.
        _ if record.untransmitted && record.state != State::Frozen => Err(Reason::State),
        State::Frozen | State::Sent | State::Failed => Ok(()),
        State::Taken | State::Carried if q != 0 || !record.allocations.is_empty() => {
            Err(Reason::State)
        }
        State::Taken | State::Carried => Ok(()),
    }
}

/// At most the tag sets a record keeps, each with usage, valid tags and once, summing to no
/// more than the quantity.
fn check_allocations(record: &Record) -> Result<(), Reason> {
    let allocations = &record.allocations;
    if allocations.len() > MAX_TAG_SETS {
        return Err(Reason::Allocations);
    }
    let mut sum = 0u64;
    let mut seen = BTreeSet::new();
    for a in allocations {
        if mp_marketplace_rules::check_tags(&a.tags).is_err() {
            return Err(Reason::Tags);
        }
        sum = match sum.checked_add(a.quantity) {
            Some(sum) if a.quantity > 0 && seen.insert(&a.tags) => sum,
            _ => return Err(Reason::Allocations),
        };
    }
    if sum > record.quantity {
        return Err(Reason::Allocations);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::aggregator::Allocation;

    const NOW: u64 = 500_000;

    fn h(n: u64) -> Hour {
        Hour::from_start_secs(n * 3600)
    }

    fn record(hour: u64, quantity: u64, state: State) -> Record {
        Record {
            dimension: "requests".into(),
            hour: h(hour),
            quantity,
            allocations: Vec::new(),
            state,
            salvaged: false,
            untransmitted: false,
            identity: None,
        }
    }

    fn tagged(tenant: &str, quantity: u64) -> Allocation {
        Allocation {
            tags: vec![("tenant".into(), tenant.into())],
            quantity,
        }
    }

    fn verdict(r: &Record) -> Result<(), Reason> {
        check(r, h(NOW))
    }

    #[test]
    fn what_the_runtime_writes_passes() {
        for state in [State::Open, State::Frozen, State::Sent, State::Failed] {
            for hour in [NOW - 7, NOW - 1, NOW] {
                assert_eq!(verdict(&record(hour, 5, state)), Ok(()), "{state:?} {hour}");
            }
        }
        assert_eq!(verdict(&record(NOW + 1, 5, State::Open)), Ok(()), "carried");
        assert_eq!(verdict(&record(NOW, 0, State::Taken)), Ok(()));
        assert_eq!(verdict(&record(NOW - 6, 0, State::Carried)), Ok(()));
        let mut never_left = record(NOW - 1, 5, State::Frozen);
        never_left.untransmitted = true;
        assert_eq!(verdict(&never_left), Ok(()));
        assert_eq!(verdict(&record(NOW, MAX_QUANTITY + 9, State::Open)), Ok(()));
        let mut r = record(NOW, 5, State::Frozen);
        r.allocations = vec![tagged("a", 2), tagged("b", 3)];
        assert_eq!(verdict(&r), Ok(()));
    }

    #[test]
    fn forged_hours_states_and_quantities_are_refused() {
        let mut huge = record(NOW, 5, State::Open);
        huge.hour = Hour::from_start_secs(18_446_744_073_709_548_000);
        assert_eq!(verdict(&huge), Err(Reason::FutureHour));
        for state in [State::Frozen, State::Sent, State::Failed] {
            assert_eq!(verdict(&record(NOW + 1, 5, state)), Err(Reason::FutureHour));
            assert_eq!(verdict(&record(NOW, 0, state)), Err(Reason::Quantity));
        }
        assert_eq!(
            verdict(&record(NOW + 2, 5, State::Open)),
            Err(Reason::FutureHour)
        );
        assert_eq!(
            verdict(&record(NOW + 1, 0, State::Taken)),
            Err(Reason::FutureHour)
        );
    }

    #[test]
    fn impossible_contents_are_refused() {
        let mut r = record(NOW, 5, State::Open);
        r.hour = Hour::from_start_secs(NOW * 3600 + 1); // from_start_secs aligns
        let unaligned: Record = serde_json::from_str(&serde_json::to_string(&r).unwrap().replace(
            &format!("\"hour\":{}", NOW * 3600),
            &format!("\"hour\":{}", NOW * 3600 + 1),
        ))
        .unwrap();
        assert_eq!(verdict(&unaligned), Err(Reason::NotAnHourStart));
        let over = record(NOW, MAX_QUANTITY + 1, State::Frozen);
        assert_eq!(verdict(&over), Err(Reason::Quantity));
        assert_eq!(verdict(&record(NOW, 1, State::Taken)), Err(Reason::State));
        assert_eq!(verdict(&record(NOW, 1, State::Carried)), Err(Reason::State));
        let mut sent = record(NOW - 1, 5, State::Sent);
        sent.untransmitted = true;
        assert_eq!(
            verdict(&sent),
            Err(Reason::State),
            "only a frozen record is untransmitted"
        );
        let mut salvaged = record(NOW, 1, State::Open);
        salvaged.salvaged = true;
        assert_eq!(verdict(&salvaged), Err(Reason::State));
        let mut owned = record(NOW, 1, State::Open);
        owned.identity = Some("process:another".into());
        assert_eq!(
            verdict(&owned),
            Err(Reason::State),
            "open usage was never sent"
        );
        owned.state = State::Frozen;
        assert_eq!(verdict(&owned), Ok(()));
        let mut nameless = record(NOW, 1, State::Open);
        nameless.dimension.clear();
        assert_eq!(verdict(&nameless), Err(Reason::Dimension));
        let with = |allocations: Vec<Allocation>| {
            let mut r = record(NOW, 5, State::Frozen);
            r.allocations = allocations;
            verdict(&r)
        };
        assert_eq!(with(vec![tagged("a", 6)]), Err(Reason::Allocations));
        assert_eq!(with(vec![tagged("a", 0)]), Err(Reason::Allocations));
        assert_eq!(
            with(vec![tagged("a", 1), tagged("a", 1)]),
            Err(Reason::Allocations)
        );
        assert_eq!(
            with(vec![tagged("a", u64::MAX), tagged("b", 2)]),
            Err(Reason::Allocations),
            "no overflow"
        );
        assert_eq!(with(vec![tagged("ü", 1)]), Err(Reason::Tags));
        let many = (0..=MAX_TAG_SETS)
            .map(|i| tagged(&i.to_string(), 1))
            .collect();
        let mut r = record(NOW, 5_000, State::Open);
        r.allocations = many;
        assert_eq!(verdict(&r), Err(Reason::Allocations));
    }

    #[test]
    fn the_summary_names_each_reason_once() {
        let mut rejected = Rejected::default();
        rejected.count(Reason::FutureHour);
        rejected.count(Reason::FutureHour);
        rejected.count(Reason::Tags);
        assert_eq!(rejected.total(), 3);
        assert_eq!(
            rejected.to_string(),
            "2 with an hour that has not come yet, 1 with tags the service refuses"
        );
    }
}
