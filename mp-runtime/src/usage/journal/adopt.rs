//! Journals left by processes that are gone (a crash, a SIGKILL, a node lost), found beside
//! this process's own on the same volume: their usage is taken over, then the file removed.
//!
//! - A record a dead process may have sent (frozen) keeps its identity, so it goes out under
//!   that process's client token: if the service took it already, the repeat is answered with
//!   the first result instead of billed again. It holds its (dimension, hour) in this process,
//!   so this process's own usage of that hour goes to the next one (one record per hour).
//! - Finished records (sent, given up, taken) hold their hour the same way.
//! - Open usage was never sent (a record is journaled frozen before its first send): it is
//!   added to this process's own records, under its own identity, like its own new usage.
//!
//! Everything taken over is in this process's own journal before the file is removed, so a
//! crash in between costs nothing (at worst the next start adopts the same records again,
//! and a frozen one goes out under the same token). A journal whose frozen records meet
//! another's of the same (dimension, hour) is left for a later start: one process can send
//! only one record per hour and dimension, and neither may be moved without risking a bill
//! twice.

use super::recover::Recovered;
use super::slot::Slot;
use crate::usage::aggregator::{Aggregator, Key, Record, State};
use std::collections::BTreeMap;

/// A dead process's journal, read.
pub(super) struct Orphan {
    pub(super) slot: Slot,
    pub(super) recovered: Recovered,
}

/// Merges the orphans' records into `own`'s; returns the orphans taken over (to remove once
/// `own` is written) and those left for a later start.
pub(super) fn merge(own: &mut Recovered, orphans: Vec<Orphan>) -> (Vec<Orphan>, Vec<Orphan>) {
    let mut records: BTreeMap<Key, Record> = own.records.drain(..).map(|r| (r.key(), r)).collect();
    let (mut taken, mut left) = (Vec::new(), Vec::new());
    for mut orphan in orphans {
        let identity = orphan.recovered.identity.clone();
        let mut mine: Vec<Record> = std::mem::take(&mut orphan.recovered.records);
        for r in &mut mine {
            if r.state != State::Open && r.identity.is_none() {
                r.identity.clone_from(&identity);
            }
        }
        let clash = mine.iter().any(|r| {
            r.state == State::Frozen
                && records
                    .get(&r.key())
                    .is_some_and(|held| held.state == State::Frozen)
        });
        if clash {
            orphan.recovered.records = mine;
            left.push(orphan);
            continue;
        }
        let (open, finished): (Vec<Record>, Vec<Record>) =
            mine.into_iter().partition(|r| r.state == State::Open);
        let mut displaced = Vec::new();
        for r in finished {
            match records.get(&r.key()) {
                // This process's open usage gives the hour up, and moves on below.
                Some(held) if held.state == State::Open => {
                    displaced.extend(records.insert(r.key(), r));
                }
                // A frozen record outranks a finished one: both only hold the hour.
                Some(held) if r.state != State::Frozen || held.state == State::Frozen => {}
                _ => {
                    records.insert(r.key(), r);
                }
            }
        }
        let mut aggregator = Aggregator::restore(records.values().cloned());
        for r in displaced.into_iter().chain(open) {
            let changed = aggregator.add(&r.dimension, r.hour, r.quantity, r.allocations);
            records.insert(changed.key(), changed);
        }
        own.expired.append(&mut orphan.recovered.expired);
        own.skipped += orphan.recovered.skipped;
        taken.push(orphan);
    }
    own.records = records.into_values().collect();
    (taken, left)
}
