//! Contract pricing end to end: the `fx_contract` fixture under mp-emulator's License
//! Manager, with the real aws-sdk-licensemanager client and SigV4. Simulated time: the test
//! moves the fixture's clock (`MP_TESTING_CLOCK_FILE`, local-testing builds only) and the
//! emulator's together, and the fixture's keeper wakes every 20 ms
//! (`MP_TESTING_LICENSE_TICK_MS`), so 15-minute re-checks and 60-minute seats take seconds.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::harness::{self, Env, wait_for_file, wait_until};
use mp_emulator::{
    Emulator, EmulatorConfig, Platform,
    license::{DEMO_CONTRACT_SKU, EntitlementUnit, LicenseSpec, When},
    scenario::{Faults, Scenario},
};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, SystemTime};

const FIXTURE: &str = env!("CARGO_BIN_EXE_fx_contract");
const DRAWDOWN_FIXTURE: &str = env!("CARGO_BIN_EXE_fx_contract_drawdown");
const SKU: &str = DEMO_CONTRACT_SKU;

fn emulator(license: LicenseSpec) -> Emulator {
    Emulator::start_blocking(EmulatorConfig::default().license(SKU, license))
        .expect("emulator starts")
}

/// A license with `seats` concurrent users and `gb` to draw down, tier `tier`.
fn license(tier: &str, seats: u64, gb: u64) -> LicenseSpec {
    LicenseSpec::new()
        .tier(tier)
        .floating("ConcurrentUsers", seats)
        .drawdown("DataGB", gb, EntitlementUnit::Gigabytes)
        .expires(When::After(365 * 24 * 3600))
}

/// A running fixture, driven through command files, on a clock the test moves.
struct Fixture<'a> {
    emu: &'a Emulator,
    platform: Platform,
    dir: tempfile::TempDir,
    child: Option<Child>,
    next: u64,
}

impl<'a> Fixture<'a> {
    fn start(emu: &'a Emulator) -> Fixture<'a> {
        Fixture::start_on(emu, Platform::Ecs)
    }

    fn start_on(emu: &'a Emulator, platform: Platform) -> Fixture<'a> {
        let dir = tempfile::tempdir().unwrap();
        let mut fixture = Fixture {
            emu,
            platform,
            dir,
            child: None,
            next: 0,
        };
        fixture.move_clocks(0);
        fixture.child = Some(harness::spawn(FIXTURE, &fixture.env()));
        fixture
    }

    fn env(&self) -> Env {
        Env::of(self.emu, self.platform)
            .set("FX_DIR", self.path().to_str().unwrap())
            .set("MP_TESTING_CLOCK_FILE", self.clock_file().to_str().unwrap())
            .set("MP_TESTING_LICENSE_TICK_MS", "20")
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn clock_file(&self) -> PathBuf {
        self.path().join("clock")
    }

    /// Both clocks `minutes` ahead of real time: the fixture's first, then the emulator's.
    fn move_clocks(&self, minutes: u64) {
        let offset = minutes * 60;
        let next = self.path().join("clock.next");
        std::fs::write(&next, offset.to_string()).unwrap();
        std::fs::rename(&next, self.clock_file()).unwrap();
        self.emu
            .set_clock(SystemTime::now() + Duration::from_secs(offset));
    }

    /// Sends one command and waits for its answer.
    fn send(&mut self, command: &str) -> String {
        let n = self.next;
        self.next += 1;
        let next = self.path().join(format!("cmd-{n}.next"));
        std::fs::write(&next, command).unwrap();
        std::fs::rename(&next, self.path().join(format!("cmd-{n}"))).unwrap();
        let out = self.path().join(format!("out-{n}"));
        wait_for_file(&out);
        std::fs::read_to_string(out).unwrap()
    }

    fn exit(mut self) -> harness::Run {
        self.send_only("exit");
        harness::finish(self.child.take().unwrap())
    }

    fn send_only(&mut self, command: &str) {
        let n = self.next;
        self.next += 1;
        std::fs::write(self.path().join(format!("cmd-{n}")), command).unwrap();
    }

    fn kill(&mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Fixture<'_> {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Seats of ConcurrentUsers in use, as the emulator counts them.
fn seats_in_use(emu: &Emulator) -> u64 {
    emu.pool_levels()
        .iter()
        .find(|p| p.entitlement == "ConcurrentUsers")
        .map_or(0, |p| p.in_use)
}

/// The DataGB drawdown's level, as the emulator counts it.
fn data_gb_level(emu: &Emulator) -> mp_emulator::license::PoolLevel {
    emu.pool_levels()
        .into_iter()
        .find(|p| p.entitlement == "DataGB")
        .expect("the license draws down DataGB")
}

/// The tier checkouts License Manager answered (start-up and re-checks).
fn tier_checkouts(emu: &Emulator) -> usize {
    emu.ledger()
        .licenses
        .checkouts
        .iter()
        .filter(|c| c.entitlements.iter().any(|e| e.unit == "None"))
        .count()
}

#[test]
fn a_tier_upgrade_is_seen_within_one_recheck() {
    let emu = emulator(license("basic", 5, 100));
    let mut fx = Fixture::start(&emu);
    assert_eq!(fx.send("tier"), "Some(Basic) Active");
    assert_eq!(tier_checkouts(&emu), 1, "start-up's check");
    // The buyer upgrades 5 simulated minutes in; the next re-check is due at 15.
    emu.change_tier_at(SKU, "pro", SystemTime::now() + Duration::from_secs(5 * 60))
        .unwrap();
    fx.move_clocks(16);
    // Polled: the re-check publishes the state once its checkout and listing answered.
    let started = std::time::Instant::now();
    loop {
        let tier = fx.send("tier");
        if tier == "Some(Pro) Active" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the upgrade never showed: {tier}; {:?}",
            emu.ledger()
        );
    }
    assert_eq!(tier_checkouts(&emu), 2, "seen at the first re-check");
    fx.exit().assert_succeeded();
}

#[test]
fn a_seat_held_three_simulated_hours_is_never_returned_to_the_pool() {
    let emu = emulator(license("pro", 1, 100));
    let mut fx = Fixture::start(&emu);
    assert_eq!(fx.send("hold"), "held");
    let mut extensions = 0;
    for minutes in (10..=180).step_by(10) {
        fx.move_clocks(minutes);
        // Due 40 minutes after the checkout or the last extension.
        if minutes % 40 == 0 {
            extensions += 1;
            wait_until(
                || emu.ledger().licenses.extensions.len() == extensions,
                || format!("no extension at {minutes} min: {:?}", emu.ledger()),
            );
        }
        assert_eq!(seats_in_use(&emu), 1, "at {minutes} simulated minutes");
    }
    assert!(
        emu.ledger().licenses.lapses.is_empty(),
        "{:?}",
        emu.ledger()
    );
    assert!(fx.send("hold").starts_with("refused: PoolEmpty"));
    let run = fx.exit();
    run.assert_succeeded();
    // Returned when main returned.
    assert_eq!(seats_in_use(&emu), 0);
}

#[test]
fn a_dropped_seat_is_back_in_the_pool_at_once() {
    let emu = emulator(license("pro", 1, 100));
    let mut fx = Fixture::start(&emu);
    assert_eq!(fx.send("hold"), "held");
    assert!(fx.send("hold").starts_with("refused: PoolEmpty"));
    assert_eq!(fx.send("drop"), "dropped");
    wait_until(
        || seats_in_use(&emu) == 0,
        || format!("the dropped seat was not checked in: {:?}", emu.ledger()),
    );
    assert_eq!(emu.ledger().licenses.check_ins.len(), 1);
    assert_eq!(fx.send("hold"), "held", "no simulated time passed");
    fx.exit().assert_succeeded();
}

#[test]
fn a_sigkilled_process_seats_return_after_sixty_simulated_minutes() {
    let emu = emulator(license("pro", 1, 100));
    let mut crashed = Fixture::start(&emu);
    assert_eq!(crashed.send("hold"), "held");
    crashed.kill();
    let mut other = Fixture::start(&emu);
    assert!(other.send("hold").starts_with("refused: PoolEmpty"));
    other.move_clocks(59);
    assert_eq!(seats_in_use(&emu), 1, "still held at 59 minutes");
    other.move_clocks(61);
    assert_eq!(seats_in_use(&emu), 0, "returned after 60 minutes");
    assert_eq!(other.send("hold"), "held");
    other.exit().assert_succeeded();
}

#[test]
fn drawdown_stops_exactly_at_the_purchased_quantity() {
    let emu = emulator(license("pro", 5, 10));
    let mut fx = Fixture::start(&emu);
    for _ in 0..3 {
        assert_eq!(fx.send("consume 3"), "drew 3");
    }
    let refused = fx.send("consume 3");
    assert!(refused.starts_with("refused: Exhausted"), "{refused}");
    assert_eq!(fx.send("consume 1"), "drew 1");
    assert!(fx.send("consume 1").starts_with("refused: Exhausted"));
    let drawn: u64 = emu
        .ledger()
        .licenses
        .drawdowns
        .iter()
        .flat_map(|d| d.entitlements.iter().filter_map(|e| e.value))
        .sum();
    assert_eq!(drawn, 10);
    let level = data_gb_level(&emu);
    assert_eq!((level.in_use, level.available), (10, 0));
    fx.exit().assert_succeeded();
}

#[test]
fn throttling_never_draws_twice() {
    let emu = emulator(license("pro", 5, 100));
    let mut fx = Fixture::start(&emu);
    emu.throttle_license_calls(4);
    assert_eq!(fx.send("consume 7"), "drew 7");
    let ledger = emu.ledger();
    assert_eq!(ledger.licenses.drawdowns.len(), 1, "{ledger:?}");
    let level = data_gb_level(&emu);
    assert_eq!(level.in_use, 7);
    fx.exit().assert_succeeded();
}

#[test]
fn no_license_stops_before_user_code_with_exit_93() {
    let emu = emulator(license("pro", 5, 100));
    assert!(emu.remove_license(SKU));
    let run = harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(93);
    assert!(line.starts_with("mp-runtime: no license:"), "{line}");
}

#[test]
fn a_license_of_undeclared_tiers_only_says_so_with_exit_93() {
    let emu = emulator(license("enterprise", 5, 100));
    let run = harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(93);
    assert!(
        line.starts_with("mp-runtime: no declared tier: license "),
        "{line}"
    );
    assert!(
        line.contains("grants enterprise, ConcurrentUsers, DataGB"),
        "{line}"
    );
    assert!(!line.contains("Subscribe"), "{line}");
}

#[test]
fn an_expired_license_stops_before_user_code_with_exit_94() {
    let emu = emulator(license("pro", 5, 100).expires(When::After(-3600)));
    let run = harness::run(FIXTURE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(94);
    assert!(line.starts_with("mp-runtime: license expired:"), "{line}");
}

#[test]
fn sigterm_checks_the_held_seats_in_then_exits_as_the_signal_would() {
    let emu = emulator(license("pro", 2, 100));
    let mut fx = Fixture::start(&emu);
    assert_eq!(fx.send("hold"), "held");
    assert_eq!(fx.send("hold"), "held");
    let child = fx.child.take().unwrap();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    // The fixture's main never returns: after its grace period the seats are checked in.
    let run = harness::finish(child);
    assert_eq!(run.code, Some(128 + 15), "{run:?}");
    assert_eq!(seats_in_use(&emu), 0);
    assert_eq!(emu.ledger().licenses.check_ins.len(), 2);
}

/// License Manager unreachable, as for a task whose egress to it is blocked: every
/// connection is closed unanswered.
fn block_license_manager(emu: &Emulator) {
    emu.set_scenario(Scenario {
        faults: Faults {
            reset_probability: 1.0,
            ..Faults::default()
        },
        ..Scenario::entitled()
    });
}

/// Polls the fixture's `tier` answer until it is `wanted`.
fn wait_for_tier(fx: &mut Fixture<'_>, wanted: &str) {
    let started = std::time::Instant::now();
    loop {
        let tier = fx.send("tier");
        if tier == wanted {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "never {wanted}, still {tier}"
        );
    }
}

#[test]
fn an_expiry_while_license_manager_is_blocked_is_seen_on_the_hosts_clock() {
    let emu = emulator(license("pro", 5, 100).expires(When::After(30 * 60)));
    let mut fx = Fixture::start(&emu);
    assert_eq!(fx.send("tier"), "Some(Pro) Active");
    block_license_manager(&emu);
    // The re-check due at 15 minutes fails; the license has not ended yet.
    fx.move_clocks(20);
    wait_for_ledger_rejections(&emu, 1);
    assert_eq!(fx.send("tier"), "Some(Pro) Active");
    fx.move_clocks(31);
    wait_for_tier(&mut fx, "Some(Pro) Expired");
    assert_eq!(
        tier_checkouts(&emu),
        1,
        "only start-up's check was answered"
    );
    emu.set_scenario(Scenario::entitled());
    fx.exit().assert_succeeded();
}

#[test]
fn a_downgrade_hidden_by_a_blocked_license_manager_ends_at_the_offline_limit_with_95() {
    let emu = emulator(license("pro", 5, 100));
    let mut fx = Fixture::start(&emu);
    assert_eq!(fx.send("tier"), "Some(Pro) Active");
    block_license_manager(&emu);
    emu.change_tier_at(SKU, "basic", SystemTime::now()).unwrap();
    // Trusted up to the limit (the fixture keeps the default of 6 hours)...
    fx.move_clocks(5 * 60 + 59);
    wait_for_ledger_rejections(&emu, 1);
    assert_eq!(fx.send("tier"), "Some(Pro) Active");
    // ... and not past it.
    fx.move_clocks(6 * 60 + 1);
    let run = harness::finish(fx.child.take().unwrap());
    assert_eq!(run.code, Some(95), "{run:?}");
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.ends_with("[exit 95]"))
        .collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(
        lines[0].starts_with(
            "mp-runtime: offline limit: the license could not be checked with License Manager"
        ),
        "{}",
        lines[0]
    );
    assert_eq!(
        tier_checkouts(&emu),
        1,
        "only start-up's check was answered"
    );
}

#[test]
fn a_seat_whose_extensions_keep_failing_is_lost_when_its_sixty_minutes_end() {
    let emu = emulator(license("pro", 1, 100));
    let mut fx = Fixture::start(&emu);
    assert_eq!(fx.send("hold"), "held");
    block_license_manager(&emu);
    // The extension due at 40 minutes fails, and keeps failing.
    fx.move_clocks(41);
    wait_for_ledger_rejections(&emu, 2);
    assert_eq!(fx.send("held"), "[true]");
    fx.move_clocks(61);
    let started = std::time::Instant::now();
    while fx.send("held") != "[false]" {
        assert!(started.elapsed() < Duration::from_secs(120), "never lost");
    }
    let stats = fx.send("stats");
    assert!(stats.contains("lost_seats: 1"), "{stats}");
    assert!(emu.ledger().licenses.extensions.is_empty());
    // License Manager returned it to the pool at 60 minutes: it lends it again, once.
    emu.set_scenario(Scenario::entitled());
    assert_eq!(seats_in_use(&emu), 0);
    assert_eq!(fx.send("hold"), "held");
    assert_eq!(seats_in_use(&emu), 1);
    fx.exit().assert_succeeded();
}

/// Waits until the emulator has cut at least `n` License Manager connections.
fn wait_for_ledger_rejections(emu: &Emulator, n: u64) {
    harness::wait_for_ledger(emu, |ledger| ledger.rejection_count("ConnectionReset") >= n);
}

/// A license with `gb` to draw down and no tier or pool.
fn drawdown_license(gb: u64) -> LicenseSpec {
    LicenseSpec::new()
        .drawdown("DataGB", gb, EntitlementUnit::Gigabytes)
        .expires(When::After(365 * 24 * 3600))
}

#[test]
fn a_drawdown_only_contract_starts_without_drawing_and_draws_what_main_consumes() {
    let emu = emulator(drawdown_license(10));
    let run = harness::run(
        DRAWDOWN_FIXTURE,
        &Env::of(&emu, Platform::Ecs).set("FX_CONSUME", "4"),
    );
    run.assert_succeeded();
    assert!(
        run.stdout
            .contains("license: Active, expires: true, DataGB: Some(10)\ndrew 4\n"),
        "{run:?}"
    );
    let ledger = emu.ledger();
    assert_eq!(
        ledger.request_count("ListReceivedLicenses"),
        1,
        "{ledger:?}"
    );
    assert!(ledger.licenses.checkouts.is_empty(), "{ledger:?}");
    assert_eq!(
        ledger.licenses.drawdowns.len(),
        1,
        "only main's consume! drew"
    );
    let level = data_gb_level(&emu);
    assert_eq!((level.in_use, level.available), (4, 6));
}

#[test]
fn a_drawdown_only_contract_without_a_license_stops_with_exit_93() {
    let emu = emulator(drawdown_license(10));
    assert!(emu.remove_license(SKU));
    let run = harness::run(DRAWDOWN_FIXTURE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(93);
    assert!(
        line.starts_with(&format!(
            "mp-runtime: no license: License Manager holds no license of product {SKU} for \
             this AWS account (no AWS Marketplace license for ProductSKU {SKU} is granted to \
             this account)"
        )),
        "{line}"
    );
}

#[test]
fn a_drawdown_only_contract_past_its_end_stops_with_exit_94() {
    let emu = emulator(drawdown_license(10).expires(When::After(-3600)));
    let run = harness::run(DRAWDOWN_FIXTURE, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(94);
    assert!(line.starts_with("mp-runtime: license expired:"), "{line}");
    assert!(emu.ledger().licenses.drawdowns.is_empty());
}

// Contract pricing outside AWS compute: the buyer's license token (the environment
// `Platform::Anywhere` gives, as the product's Helm chart would) instead of a task role.

/// The requests the emulator received for `operation`.
fn requests(emu: &Emulator, operation: &str) -> u64 {
    emu.ledger().request_count(operation)
}

#[test]
fn a_license_token_checks_out_and_is_exchanged_again_before_its_hour_ends() {
    let emu = emulator(license("pro", 5, 100));
    let mut fx = Fixture::start_on(&emu, Platform::Anywhere);
    assert_eq!(fx.send("tier"), "Some(Pro) Active");
    assert_eq!(fx.send("hold"), "held");
    assert_eq!(requests(&emu, "GetAccessToken"), 1);
    assert_eq!(requests(&emu, "AssumeRoleWithWebIdentity"), 1);
    assert!(
        emu.ledger()
            .licenses
            .checkouts
            .iter()
            .all(|c| c.caller == "license-token"),
        "every checkout signed with the token's credentials"
    );
    // 58 simulated minutes: inside the 5 minutes before the credentials' hour ends, so the
    // next call (the seat's extension, due at 40) exchanges the token again.
    fx.move_clocks(58);
    wait_for_requests(
        &emu,
        &[
            ("AssumeRoleWithWebIdentity", 2),
            ("ExtendLicenseConsumption", 1),
        ],
    );
    // The seat's next extension, with the credentials of the second exchange.
    fx.move_clocks(100);
    wait_for_requests(&emu, &[("ExtendLicenseConsumption", 2)]);
    // Past those credentials' hour: a third exchange, then the re-check.
    fx.move_clocks(125);
    wait_for_requests(
        &emu,
        &[
            ("AssumeRoleWithWebIdentity", 3),
            ("ListReceivedLicenses", 2),
        ],
    );
    assert_eq!(fx.send("tier"), "Some(Pro) Active", "no check failed");
    assert_eq!(
        seats_in_use(&emu),
        1,
        "the seat was extended with fresh credentials"
    );
    fx.exit().assert_succeeded();
    assert_eq!(seats_in_use(&emu), 0);
}

/// Waits until the emulator received at least `n` requests of each operation.
fn wait_for_requests(emu: &Emulator, wanted: &[(&str, u64)]) {
    wait_until(
        || wanted.iter().all(|(op, n)| requests(emu, op) >= *n),
        || {
            let ledger = emu.ledger();
            format!(
                "waiting for {wanted:?}: {:?} {:?}",
                ledger.requests, ledger.rejections
            )
        },
    );
}

fn anywhere_run(emu: &Emulator, edit: impl FnOnce(Env) -> Env) -> harness::Run {
    harness::run(FIXTURE, &edit(Env::of(emu, Platform::Anywhere)))
}

#[test]
fn a_missing_license_token_file_stops_with_exit_84_naming_the_secret() {
    let emu = emulator(license("pro", 5, 100));
    let run = anywhere_run(&emu, |env| {
        env.set(
            "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE",
            "/nonexistent/license_token",
        )
    });
    let line = run.assert_failed(84);
    assert!(line.contains("the license token file"), "{line}");
    assert!(line.contains("`license_token`"), "{line}");
    assert_eq!(requests(&emu, "GetAccessToken"), 0);
}

#[test]
fn an_expired_or_revoked_license_token_stops_with_exit_84() {
    let emu = emulator(license("pro", 5, 100));
    let dir = tempfile::tempdir().unwrap();
    let revoked = emu.create_license_token(SKU, &[], 30).unwrap();
    assert!(emu.revoke_license_token(&revoked.id));
    let expired = emu.create_license_token(SKU, &[], 1).unwrap();
    for (token, answer) in [
        (&revoked.token, "AccessDeniedException"),
        (&expired.token, "AuthorizationException"),
    ] {
        if answer == "AuthorizationException" {
            emu.set_clock(SystemTime::now() + Duration::from_secs(2 * 24 * 3600));
        }
        let file = dir.path().join(answer);
        std::fs::write(&file, token).unwrap();
        let run = anywhere_run(&emu, |env| {
            env.set(
                "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE",
                file.to_str().unwrap(),
            )
        });
        let line = run.assert_failed(84);
        assert!(
            line.starts_with(&format!(
                "mp-runtime: license token refused: License Manager GetAccessToken answered {answer}"
            )),
            "{line}"
        );
        assert!(line.contains("ask the buyer for a new token"), "{line}");
    }
}

#[test]
fn a_role_the_token_does_not_name_stops_with_exit_84() {
    let emu = emulator(license("pro", 5, 100));
    let run = anywhere_run(&emu, |env| {
        env.set(
            "AWS_ROLE_ARN",
            "arn:aws:iam::111122223333:role/someone-else",
        )
    });
    let line = run.assert_failed(84);
    assert!(
        line.contains("STS AssumeRoleWithWebIdentity answered AccessDenied"),
        "{line}"
    );
    assert!(line.contains("`iam_role`"), "{line}");
}

#[test]
fn a_token_for_another_product_cannot_check_this_one_out() {
    let emu = Emulator::start_blocking(
        EmulatorConfig::default()
            .license(SKU, license("pro", 5, 100))
            .license("prod-another", license("pro", 5, 100)),
    )
    .expect("emulator starts");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("license_token");
    let other = emu.create_license_token("prod-another", &[], 30).unwrap();
    std::fs::write(&file, other.token).unwrap();
    let run = anywhere_run(&emu, |env| {
        env.set(
            "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE",
            file.to_str().unwrap(),
        )
    });
    let line = run.assert_failed(91);
    assert!(line.contains("AccessDeniedException"), "{line}");
}

#[test]
fn outside_aws_a_missing_region_stops_at_once_with_exit_83() {
    let emu = emulator(license("pro", 5, 100));
    let run = anywhere_run(&emu, |env| env.unset("AWS_REGION"));
    let line = run.assert_failed(83);
    assert!(line.contains("marks a deployment outside AWS"), "{line}");
    assert!(line.contains("the Helm chart's region value"), "{line}");
}
