//! Scenarios (how the Metering Service answers) and faults (how the network misbehaves),
//! deterministic under a seed so a failing test replays exactly.

pub use crate::forgery::{FORGED_NONCE, FORGED_PRODUCT_CODE, Forgery, OVERSIZED_TOKEN_BYTES};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What the emulator plays. JSON form (every field optional):
/// `{"outcome": "not_entitled", "dry_run_answer": "ok",
///   "platform_not_supported_on": "register_usage", "seed": 7,
///   "idempotency_conflict_409": false,
///   "faults": {"throttle_probability": 0.5, "server_error_probability": 0.0,
///              "latency_ms": 0, "reset_probability": 0.0, "black_hole": false,
///              "down_for_requests": 0}}`
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// How `RegisterUsage` and `MeterUsage` answer.
    pub outcome: Outcome,
    /// How a dry-run `MeterUsage` answers.
    pub dry_run_answer: DryRunAnswer,
    /// Which calls the `PlatformNotSupported` outcome refuses (no effect with other outcomes).
    pub platform_not_supported_on: PlatformNotSupportedOn,
    /// Seeds the fault dice; the same seed and requests give the same faults.
    pub seed: u64,
    /// How the network misbehaves.
    pub faults: Faults,
    /// Answer `IdempotencyConflictException` with HTTP 409, the service model's status,
    /// instead of 400, the API reference's.
    pub idempotency_conflict_409: bool,
}

/// How the service answers calls that pass validation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The buyer is subscribed: calls succeed.
    #[default]
    Entitled,
    /// `CustomerNotEntitledException` on both calls.
    NotEntitled,
    /// `PlatformNotSupportedException` on RegisterUsage, and on MeterUsage too if
    /// `platform_not_supported_on` is [`PlatformNotSupportedOn::Both`] (what a laptop gets
    /// from real AWS).
    PlatformNotSupported,
    /// `DisabledApiException` on RegisterUsage.
    DisabledApi,
    /// `InvalidRegionException` on RegisterUsage, `InvalidEndpointRegionException` on MeterUsage.
    WrongRegion,
    /// `InvalidProductCodeException` for every product code.
    UnknownProduct,
    /// `InvalidPublicKeyVersionException` on RegisterUsage.
    InvalidPublicKeyVersion,
}

/// How a permitted `DryRun` MeterUsage answers (AWS has been seen doing both).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DryRunAnswer {
    /// HTTP 200 without a record id.
    #[default]
    Ok,
    /// HTTP 400 with error code `DryRunOperation`.
    DryRunOperation,
}

/// Which calls [`Outcome::PlatformNotSupported`] answers with `PlatformNotSupportedException`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlatformNotSupportedOn {
    /// RegisterUsage only; MeterUsage, which does not model the error, still meters.
    #[default]
    RegisterUsage,
    /// RegisterUsage and MeterUsage, `DryRun` included: AWS answers either call so when a
    /// program runs outside ECS or EKS, as in local development.
    Both,
}

/// Faults injected on Metering Service and License Manager requests (metadata, credentials,
/// STS and the control API are never faulted). Probabilities are 0.0..=1.0.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Chance of `ThrottlingException` (400; License Manager: `RateLimitExceededException`).
    pub throttle_probability: f64,
    /// Chance of `InternalServiceErrorException` (500; License Manager:
    /// `ServerInternalException`).
    pub server_error_probability: f64,
    /// Delay added before every answer.
    pub latency_ms: u64,
    /// Chance the connection is closed without an answer.
    pub reset_probability: f64,
    /// Accept requests and never answer them.
    pub black_hole: bool,
    /// The next N requests have their connection closed without an answer.
    pub down_for_requests: u32,
}

impl Scenario {
    /// A scenario with this outcome and no faults.
    pub fn new(outcome: Outcome) -> Self {
        Self {
            outcome,
            ..Self::default()
        }
    }
    /// The buyer is subscribed: calls succeed.
    pub fn entitled() -> Self {
        Self::new(Outcome::Entitled)
    }
    /// `CustomerNotEntitledException` on both calls.
    pub fn not_entitled() -> Self {
        Self::new(Outcome::NotEntitled)
    }
    /// `PlatformNotSupportedException`, on the calls [`PlatformNotSupportedOn`] says.
    pub fn platform_not_supported() -> Self {
        Self::new(Outcome::PlatformNotSupported)
    }
    /// `DisabledApiException` on RegisterUsage.
    pub fn disabled_api() -> Self {
        Self::new(Outcome::DisabledApi)
    }
    /// `InvalidRegionException` on RegisterUsage, `InvalidEndpointRegionException` on MeterUsage.
    pub fn wrong_region() -> Self {
        Self::new(Outcome::WrongRegion)
    }
    /// `InvalidProductCodeException` for every product code.
    pub fn unknown_product() -> Self {
        Self::new(Outcome::UnknownProduct)
    }
    /// `InvalidPublicKeyVersionException` on RegisterUsage.
    pub fn invalid_public_key_version() -> Self {
        Self::new(Outcome::InvalidPublicKeyVersion)
    }
    /// Seeds the fault dice.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// How a dry-run `MeterUsage` answers.
    pub fn dry_run_answer(mut self, answer: DryRunAnswer) -> Self {
        self.dry_run_answer = answer;
        self
    }
    /// Which calls the `PlatformNotSupported` outcome refuses.
    pub fn platform_not_supported_on(mut self, calls: PlatformNotSupportedOn) -> Self {
        self.platform_not_supported_on = calls;
        self
    }
    /// Answers `ThrottlingException` with this probability.
    pub fn throttle(mut self, probability: f64) -> Self {
        self.faults.throttle_probability = probability;
        self
    }
    /// Answers `InternalServiceErrorException` with this probability.
    pub fn server_errors(mut self, probability: f64) -> Self {
        self.faults.server_error_probability = probability;
        self
    }
    /// Adds `ms` milliseconds before every answer.
    pub fn latency_ms(mut self, ms: u64) -> Self {
        self.faults.latency_ms = ms;
        self
    }
    /// Closes the connection without an answer with this probability.
    pub fn resets(mut self, probability: f64) -> Self {
        self.faults.reset_probability = probability;
        self
    }
    /// Accepts requests and never answers them.
    pub fn black_hole(mut self) -> Self {
        self.faults.black_hole = true;
        self
    }
    /// Answers `IdempotencyConflictException` with HTTP 409 instead of 400.
    pub fn idempotency_conflict_409(mut self) -> Self {
        self.idempotency_conflict_409 = true;
        self
    }
    /// Closes the connection of the next `requests` requests without an answer.
    pub fn down_for(mut self, requests: u32) -> Self {
        self.faults.down_for_requests = requests;
        self
    }

    /// Checks the probabilities, so a typo'd scenario file fails loudly instead of never firing.
    pub fn validate(&self) -> Result<(), String> {
        let f = &self.faults;
        for (name, p) in [
            ("throttle_probability", f.throttle_probability),
            ("server_error_probability", f.server_error_probability),
            ("reset_probability", f.reset_probability),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!(
                    "faults.{name} must be between 0.0 and 1.0, got {p}"
                ));
            }
        }
        Ok(())
    }
}

/// What happens to one request before the service logic sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    Reset,
    BlackHole,
    Throttle,
    ServerError,
}

/// The scenario in force plus the dice and counters it drives.
#[derive(Debug)]
pub(crate) struct ActiveScenario {
    pub(crate) scenario: Scenario,
    rng: StdRng,
    down_remaining: u32,
}

impl ActiveScenario {
    pub(crate) fn new(scenario: Scenario) -> Self {
        Self {
            rng: StdRng::seed_from_u64(scenario.seed),
            down_remaining: scenario.faults.down_for_requests,
            scenario,
        }
    }

    /// Rolls the dice for one request, in a fixed order so a seed replays exactly.
    pub(crate) fn draw_fault(&mut self) -> Option<Fault> {
        let f = self.scenario.faults.clone();
        if self.down_remaining > 0 {
            self.down_remaining -= 1;
            return Some(Fault::Reset);
        }
        if f.black_hole {
            return Some(Fault::BlackHole);
        }
        if self.roll(f.reset_probability) {
            return Some(Fault::Reset);
        }
        if self.roll(f.throttle_probability) {
            return Some(Fault::Throttle);
        }
        if self.roll(f.server_error_probability) {
            return Some(Fault::ServerError);
        }
        None
    }

    /// Always draws, even for 0 or 1, so changing one probability does not shift the others.
    fn roll(&mut self, p: f64) -> bool {
        let x: f64 = self.rng.random();
        x < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults() {
        let s = Scenario::entitled().seed(42).throttle(0.5);
        let draw = |s: &Scenario| {
            let mut a = ActiveScenario::new(s.clone());
            (0..32).map(|_| a.draw_fault()).collect::<Vec<_>>()
        };
        assert_eq!(draw(&s), draw(&s));
        assert!(draw(&s).contains(&Some(Fault::Throttle)));
        assert!(draw(&s).contains(&None));
    }

    #[test]
    fn down_for_counts_down() {
        let mut a = ActiveScenario::new(Scenario::entitled().down_for(2));
        assert_eq!(a.draw_fault(), Some(Fault::Reset));
        assert_eq!(a.draw_fault(), Some(Fault::Reset));
        assert_eq!(a.draw_fault(), None);
    }

    #[test]
    fn json_form_parses_and_rejects_unknown_fields() {
        let s: Scenario = serde_json::from_str(
            r#"{"outcome":"not_entitled","faults":{"throttle_probability":0.25}}"#,
        )
        .unwrap();
        assert_eq!(s.outcome, Outcome::NotEntitled);
        assert_eq!(s.faults.throttle_probability, 0.25);
        assert_eq!(
            s.platform_not_supported_on,
            PlatformNotSupportedOn::RegisterUsage
        );
        let s: Scenario = serde_json::from_str(
            r#"{"outcome":"platform_not_supported","platform_not_supported_on":"both"}"#,
        )
        .unwrap();
        assert_eq!(s.platform_not_supported_on, PlatformNotSupportedOn::Both);
        assert!(serde_json::from_str::<Scenario>(r#"{"outcom":"x"}"#).is_err());
    }
}
