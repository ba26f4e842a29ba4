//! Simulated hours for `fx_custom`'s `hours:N` mode: the fixture's clock (an offset file,
//! `MP_TESTING_CLOCK_FILE`, honoured by local-testing builds only) and the emulator's move
//! together, an hour at a time, so several metered hours run in seconds; and the ledger read
//! per (dimension, hour), the unit AWS bills in.

use super::harness::{Env, wait_for_file, wait_until};
use super::journal::journaled;
use mp_emulator::{Emulator, ledger::Ledger};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Quantities per (dimension, hour start in epoch seconds).
pub(crate) type PerHour = BTreeMap<(String, u64), i64>;

/// The two clocks, and the fixture's directory (`FX_DIR`) its rounds are driven through.
pub(crate) struct SimHours<'a> {
    emu: &'a Emulator,
    dir: PathBuf,
    /// Epoch seconds of round 0's hour.
    first_hour: u64,
    /// What round 0 adds to the real clock.
    base_offset: u64,
}

impl<'a> SimHours<'a> {
    /// Both clocks one minute into the next real hour (round 0), so each round has its hour
    /// to itself whatever the real time.
    pub(crate) fn new(emu: &'a Emulator, dir: &Path) -> SimHours<'a> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let first_hour = (now / 3600 + 1) * 3600;
        let hours = SimHours {
            emu,
            dir: dir.to_owned(),
            first_hour,
            base_offset: first_hour + 60 - now,
        };
        hours.move_to(0);
        hours
    }

    /// The fixture's environment for `rounds` rounds: its directory, the clock file,
    /// 20 ms checkpoints, and a journal (which also shows when a round was drained).
    pub(crate) fn env(&self, env: Env, rounds: u64) -> Env {
        self.clock(env)
            .set("FX_MODE", &format!("hours:{rounds}"))
            .set("FX_DIR", self.dir.to_str().unwrap())
            .set("MP_TESTING_CHECKPOINT_MS", "20")
            .set(
                "MARKETPLACE_METERING_JOURNAL",
                self.journal().to_str().unwrap(),
            )
    }

    /// The clock file only: another process metering in the same simulated hours.
    pub(crate) fn clock(&self, env: Env) -> Env {
        env.set("MP_TESTING_CLOCK_FILE", self.clock_file().to_str().unwrap())
    }

    /// Epoch seconds of `round`'s hour.
    pub(crate) fn hour(&self, round: u64) -> u64 {
        self.first_hour + round * 3600
    }

    /// Both clocks to one minute into `round`'s hour: the fixture's first (renamed into
    /// place, so it never reads a half-written offset), then the emulator's.
    pub(crate) fn move_to(&self, round: u64) {
        let offset = self.base_offset + round * 3600;
        let next = self.dir.join("clock.next");
        std::fs::write(&next, offset.to_string()).unwrap();
        std::fs::rename(&next, self.clock_file()).unwrap();
        self.emu
            .set_clock(SystemTime::now() + Duration::from_secs(offset));
    }

    /// Lets the fixture meter `round`, then waits until its flusher has drained all of it
    /// into the round's hour (usage belongs to the hour it is drained in), so the clocks can
    /// move on. The hour may hold more: usage of an earlier hour that never reached the
    /// endpoint is carried into the current one when its window closes (always less than a
    /// later round meters, so it cannot stand in for the round's own usage).
    pub(crate) fn meter_round(&self, round: u64) {
        std::fs::write(self.dir.join(format!("go-{round}")), "").unwrap();
        wait_for_file(&self.dir.join(format!("done-{round}")));
        let hour = self.hour(round);
        let [requests, data_gb] = metered_by_round(round);
        wait_until(
            || {
                let [r, d] = journaled(&self.journal(), Some(hour));
                r >= requests as u64 && d >= data_gb as u64
            },
            || format!("round {round} (hour {hour}) never journaled"),
        );
    }

    /// What the fixture meters in these rounds, per (dimension, hour).
    pub(crate) fn metered(&self, rounds: Range<u64>) -> PerHour {
        rounds
            .flat_map(|round| {
                let [requests, data_gb] = metered_by_round(round);
                [
                    (("requests".to_owned(), self.hour(round)), requests),
                    (("data_gb".to_owned(), self.hour(round)), data_gb),
                ]
            })
            .collect()
    }

    fn clock_file(&self) -> PathBuf {
        self.dir.join("clock")
    }

    fn journal(&self) -> PathBuf {
        self.dir.join("journal")
    }
}

/// Round `r`: 8 threads x 1000 (r + 1) calls of `requests` (+1), `data_gb` +3 every 10th.
fn metered_by_round(round: u64) -> [i64; 2] {
    let calls = 8 * 1000 * (round as i64 + 1);
    [calls, calls / 10 * 3]
}

/// What the ledger billed, per (dimension, hour).
pub(crate) fn billed(ledger: &Ledger) -> PerHour {
    let mut billed = PerHour::new();
    for r in &ledger.records {
        *billed.entry((r.dimension.clone(), r.hour)).or_default() += r.quantity;
    }
    billed
}

/// One record per (replica, dimension, hour), each with its hour-truncated timestamp and a
/// client token of ours (docs/marketplace-rules.md, "One record per hour per dimension"). A
/// replica is a task or pod; with one, that is one record per (dimension, hour).
pub(crate) fn assert_billed_once(ledger: &Ledger) {
    let mut seen = HashSet::new();
    for r in &ledger.records {
        assert!(
            seen.insert((r.replica.clone(), r.dimension.clone(), r.hour)),
            "twice: {r:?}"
        );
        assert_eq!(r.timestamp as u64, r.hour, "hour-truncated timestamp");
        assert!(
            r.client_token
                .as_deref()
                .is_some_and(|t| t.starts_with("mp1-"))
        );
    }
}
