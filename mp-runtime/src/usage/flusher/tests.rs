use super::*;
use crate::process::clock::ManualClock;
use crate::usage::aggregator::MAX_QUANTITY;
use crate::usage::aggregator::State;
use crate::usage::client_token::client_token;
use crate::usage::counter::record as meter;
use crate::usage::test_client::{client, client_at, task_role_credentials};
use aws_credential_types::provider::{ProvideCredentials, future};
use aws_sdk_marketplacemetering::primitives::DateTime;
use mp_emulator::{
    Emulator, EmulatorConfig, ledger::Ledger, metering::DEMO_CUSTOM_PRODUCT, scenario::Scenario,
};
use std::sync::atomic::AtomicU32;
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
            retry_cap: RETRY_CAP,
            offline_limit: None,
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
                Hour::of(at(START)),
                false,
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
        .map(|a| (a.tags.first().map(|t| t.key.as_str()), a.quantity))
        .collect();
    allocs.sort();
    assert_eq!(
        allocs,
        [(None, 2), (Some("tenant"), 3)],
        "the untagged share is an allocation without tags"
    );
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
    rig.flusher.journal = None; // the process is gone, and its lock on the journal with it
    rig.flusher = Rig::flusher(&rig.emu, &rig.clock, &DIMS, Some(path.clone()));
    rig.step_at(START / 3600 * 3600 + 3700).await;
    // And a crash right after sending, before the journal said so: the record is sent
    // again with the same client token, and the service answers with the first result.
    let journal = std::fs::read_to_string(&path).unwrap();
    let last_line = journal.trim_end().rfind('\n').map_or(0, |i| i + 1);
    assert!(journal[last_line..].contains("\"sent\""), "{journal}");
    std::fs::write(&path, &journal[..last_line]).unwrap();
    rig.flusher.journal = None;
    rig.flusher = Rig::flusher(&rig.emu, &rig.clock, &DIMS, Some(path));
    rig.step_at(START / 3600 * 3600 + 3800).await;
    assert_eq!(booked(&rig.ledger()), [("requests".into(), 0, 7)]);
}

#[tokio::test]
async fn shutdown_flushes_the_partial_hour_within_the_bound() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let mut rig = Rig::new(&DIMS, None).await;
    meter(&D, 2u8);
    assert_eq!(rig.flusher.flush(Duration::from_secs(20)).await, 0);
    assert_eq!(booked(&rig.ledger()), [("requests".into(), 0, 2)]);
}

#[tokio::test]
async fn allocations_the_service_refuses_are_dropped_and_the_total_billed_once() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let mut rig = Rig::new(&DIMS, None).await;
    // Tags that passed no check of ours: what a stricter service would refuse.
    let refused = vec![crate::usage::aggregator::Allocation {
        tags: vec![("tenant".into(), "acme!".into())],
        quantity: 3,
    }];
    rig.flusher
        .records
        .add("requests", Hour::of(at(START)), 5, refused);
    let salvaged = STATS.salvaged.load(Relaxed);
    rig.close_hour(0).await;
    rig.step_at(START / 3600 * 3600 + 3700).await;
    let ledger = rig.ledger();
    assert_eq!(ledger.rejection_count("InvalidTagException"), 1);
    assert_eq!(booked(&ledger), [("requests".into(), 0, 5)]);
    assert!(
        ledger.records[0].allocations.is_empty(),
        "sent without them"
    );
    assert!(STATS.salvaged.load(Relaxed) > salvaged);
}

#[tokio::test]
async fn an_idempotency_conflict_on_a_first_send_moves_the_new_usage_on() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    // The API reference documents HTTP 400, the service model 409: the same either way.
    for answered_409 in [false, true] {
        let mut rig = Rig::new(&DIMS, None).await;
        if answered_409 {
            rig.emu
                .set_scenario(Scenario::entitled().idempotency_conflict_409());
        }
        let hour = Hour::of(at(START));
        // An earlier run of this process (same journaled identity) sent this hour with
        // another quantity, and its journal line is gone.
        client(&rig.emu)
            .meter_usage()
            .product_code(DEMO_CUSTOM_PRODUCT)
            .usage_dimension("requests")
            .usage_quantity(9)
            .timestamp(DateTime::from_secs(hour.start_secs() as i64))
            .client_token(client_token(
                "task-1",
                DEMO_CUSTOM_PRODUCT,
                "requests",
                hour,
                false,
            ))
            .send()
            .await
            .unwrap();
        let conflicts = STATS.conflicts.load(Relaxed);
        meter(&D, 4u8);
        rig.close_hour(0).await;
        rig.close_hour(1).await;
        let ledger = rig.ledger();
        assert_eq!(ledger.rejection_count("IdempotencyConflictException"), 1);
        assert_eq!(
            booked(&ledger),
            [("requests".into(), 0, 9), ("requests".into(), 1, 4)],
            "409: {answered_409}: the 4 units are billed in the next hour, not dropped"
        );
        assert!(STATS.conflicts.load(Relaxed) > conflicts);
    }
}

/// Hands out credentials the service does not know (rotated away) on the first load, then
/// the task role's; each with an hour to live, so an identity cache would keep the first.
#[derive(Debug, Default, Clone)]
struct RotatedCredentials {
    loads: Arc<AtomicU32>,
}

impl ProvideCredentials for RotatedCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        let first = self.loads.fetch_add(1, Relaxed) == 0;
        let good = task_role_credentials();
        let expiry = Some(SystemTime::now() + Duration::from_secs(3600));
        let creds = if first {
            aws_credential_types::Credentials::new(
                "AKIAROTATEDAWAY00000",
                good.secret_access_key(),
                good.session_token().map(str::to_owned),
                expiry,
                "test",
            )
        } else {
            aws_credential_types::Credentials::new(
                good.access_key_id(),
                good.secret_access_key(),
                good.session_token().map(str::to_owned),
                expiry,
                "test",
            )
        };
        future::ProvideCredentials::ready(Ok(creds))
    }
}

#[tokio::test]
async fn a_credential_refusal_is_retried_with_fresh_credentials_and_billed_once() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let mut rig = Rig::new(&DIMS, None).await;
    let provider = RotatedCredentials::default();
    rig.flusher.client = client_at(&rig.emu, &rig.emu.url(), provider.clone());
    let retries = STATS.credential_retries.load(Relaxed);
    meter(&D, 5u8);
    assert_eq!(rig.close_hour(0).await, 1, "kept, not given up");
    assert_eq!(
        rig.ledger().rejection_count("UnrecognizedClientException"),
        1
    );
    assert!(STATS.credential_retries.load(Relaxed) > retries);
    rig.step_at(START / 3600 * 3600 + 3600 + 600).await; // past the backoff
    assert_eq!(booked(&rig.ledger()), [("requests".into(), 0, 5)]);
    assert!(
        provider.loads.load(Relaxed) >= 2,
        "the retry loaded credentials afresh"
    );
}

/// A closed port on loopback: every connection is refused, as with egress blocked.
fn unreachable_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

#[tokio::test]
async fn egress_blocked_past_the_window_carries_the_usage_and_bills_each_unit_once() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.journal");
    let mut rig = Rig::new(&DIMS, Some(path.clone())).await;
    let blocked = unreachable_url();
    rig.flusher.client = client_at(&rig.emu, &blocked, task_role_credentials());
    let (carried, carried_units) = (
        STATS.carried.load(Relaxed),
        STATS.carried_units.load(Relaxed),
    );
    // Seven hours without egress, usage in each; a restart in the middle of it.
    for hour in 0..7u64 {
        meter(&D, hour + 1);
        rig.close_hour(hour).await;
        if hour == 3 {
            rig.flusher.journal = None; // the process is gone, and its lock on the journal with it
            rig.flusher = Rig::flusher(&rig.emu, &rig.clock, &DIMS, Some(path.clone()));
            rig.flusher.client = client_at(&rig.emu, &blocked, task_role_credentials());
        }
    }
    assert!(rig.ledger().records.is_empty());
    let hour0 = (Hour::of(at(START)), "requests".to_string());
    assert_eq!(
        rig.flusher.records.get(&hour0).map(|r| r.state),
        Some(State::Carried),
        "hour 0's window closed: carried, not given up"
    );
    assert!(STATS.carried.load(Relaxed) > carried);
    assert!(STATS.carried_units.load(Relaxed) - carried_units >= 1);
    // Egress restored.
    rig.flusher.client = client(&rig.emu);
    rig.close_hour(7).await;
    let ledger = rig.ledger();
    let billed: i64 = booked(&ledger).iter().map(|(_, _, q)| q).sum();
    assert_eq!(billed, 28, "1 + 2 + ... + 7, every unit once");
    let hours: Vec<u64> = booked(&ledger).iter().map(|(_, h, _)| *h).collect();
    let mut unique = hours.clone();
    unique.dedup();
    assert_eq!(hours, unique, "one record per hour");
    assert!(
        !hours.contains(&0),
        "hour 0 went out in a later hour: {hours:?}"
    );
}

#[tokio::test]
async fn usage_the_journal_holds_past_its_window_is_carried_if_it_never_left() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.journal");
    let mut rig = Rig::new(&DIMS, Some(path.clone())).await;
    rig.flusher.client = client_at(&rig.emu, &unreachable_url(), task_role_credentials());
    meter(&D, 6u8);
    rig.close_hour(0).await; // attempted, refused: journaled as never transmitted
    // The process is gone for 8 hours; the next one finds the record past its window.
    rig.clock.set(at(START + 8 * 3600));
    rig.sync();
    rig.flusher.journal = None; // the process is gone, and its lock on the journal with it
    rig.flusher = Rig::flusher(&rig.emu, &rig.clock, &DIMS, Some(path));
    rig.close_hour(8).await;
    assert_eq!(booked(&rig.ledger()), [("requests".into(), 8, 6)]);
}

#[tokio::test]
async fn a_record_that_may_have_reached_the_service_is_never_carried() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let mut rig = Rig::new(&DIMS, None).await;
    // The request is written and read, and the answer never comes: the attempt times out.
    rig.emu.set_scenario(Scenario::entitled().black_hole());
    meter(&D, 5u8);
    rig.close_hour(0).await;
    assert_eq!(rig.ledger().rejection_count("BlackHole"), 1);
    rig.emu.set_scenario(Scenario::entitled());
    let lost = STATS.lost_units.load(Relaxed);
    rig.step_at(START + 7 * 3600).await;
    let hour0 = (Hour::of(at(START)), "requests".to_string());
    assert_eq!(
        rig.flusher.records.get(&hour0).map(|r| r.state),
        Some(State::Failed),
        "given up, not carried"
    );
    assert!(STATS.lost_units.load(Relaxed) - lost >= 5);
    rig.close_hour(7).await;
    assert!(
        rig.ledger().records.is_empty(),
        "never billed in a later hour"
    );
}

#[tokio::test]
async fn a_journal_keeps_the_process_identity_so_a_replay_reuses_its_tokens() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage.journal");
    let mut rig = Rig::new(&DIMS, Some(path.clone())).await;
    assert_eq!(rig.flusher.settings.task, "task-1");
    rig.flusher.journal = None; // the process is gone, and its lock on the journal with it
    let settings = Settings {
        task: "a-new-process".into(),
        ..rig.flusher.settings.clone()
    };
    let restarted = Flusher::with_dimensions(
        client(&rig.emu),
        rig.clock.clone(),
        settings,
        Box::new(|| DIMS.to_vec()),
    );
    assert_eq!(restarted.settings.task, "task-1", "taken from the journal");
}

#[tokio::test]
async fn waiting_grows_while_nothing_is_accepted_and_passes_the_offline_limit() {
    static D: Dimension = Dimension::new("requests");
    static DIMS: [&Dimension; 1] = [&D];
    let mut rig = Rig::new(&DIMS, None).await;
    rig.flusher.settings.offline_limit = Some(Duration::from_secs(6 * 3600));
    // Every connection reset: the records may have been read, so they are lost as their
    // windows close, and the wait goes on regardless.
    rig.emu
        .set_scenario(Scenario::entitled().down_for(u32::MAX));
    let mut waited = Vec::new();
    for hour in 0..8u64 {
        meter(&D, 1u8);
        rig.close_hour(hour).await;
        let now = rig.clock.now();
        waited.push(rig.flusher.waiting(now).as_secs() / 3600);
        assert_eq!(
            rig.flusher.past_offline_limit().is_some(),
            hour >= 6,
            "hour {hour}: waited {waited:?}"
        );
    }
    assert_eq!(
        waited,
        [0, 1, 2, 3, 4, 5, 6, 7],
        "hours since hour 0 became due"
    );
    // Back: an accepted send ends the wait.
    rig.emu.set_scenario(Scenario::entitled());
    rig.close_hour(8).await;
    assert_eq!(rig.flusher.waiting(rig.clock.now()), Duration::ZERO);
    assert_eq!(rig.flusher.past_offline_limit(), None);
}
