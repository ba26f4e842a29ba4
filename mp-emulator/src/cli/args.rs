//! What the emulator plays, as `serve` and `run` take it, and the small parsers the
//! subcommands share.

use clap::Args;
use mp_emulator::license::LicenseSpec;
use mp_emulator::metering::Product;
use mp_emulator::scenario::Scenario;
use mp_emulator::{EmulatorConfig, Platform};
use std::path::PathBuf;

/// What the emulator plays; shared by `serve` and `run`.
#[derive(Args, Clone, Debug)]
pub(crate) struct EmulatorArgs {
    /// A product the emulator knows: CODE=PRICING[:dim1,dim2...], PRICING = hourly|monthly|custom.
    /// Repeatable. Without it, the demo products exist (see the README).
    #[arg(long = "product", value_name = "CODE=PRICING[:DIMS]")]
    products: Vec<Product>,
    /// The region the emulator plays.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// A scenario file (JSON, see the README), e.g. {"outcome": "not_entitled"}.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
    /// RSA private key PEM to sign RegisterUsage tokens and License Manager SignedTokens with
    /// (default: the bundled test-only key).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// The public key version the emulator signs as and accepts.
    #[arg(long, default_value_t = mp_emulator::keys::TEST_ONLY_KEY_VERSION, value_parser = clap::value_parser!(i32).range(1..))]
    key_version: i32,
    /// A License Manager license the buyer holds: SKU=SPEC, or SKU=none for no license.
    /// Repeatable; the first one replaces the demo contract license, which is
    /// `prod-mpemudemocontract01=tier:pro;floating:ConcurrentUsers=5;drawdown:DataGB=100/Gigabytes;expires:+365d`.
    /// SPEC is items separated by `;` (quote it for the shell): tier:NAME (the tier held),
    /// floating:NAME=N[/UNIT] (a pool of N, checked out PROVISIONAL for 60 minutes),
    /// drawdown:NAME=N[/UNIT] (N to draw PERPETUAL), expires:WHEN, upgrade:WHEN=TIER (the
    /// tier held from WHEN). UNIT is a License Manager unit (default Count); WHEN is +30d,
    /// -1h, +90m, +45s (from start), epoch seconds or RFC 3339, on the emulator clock.
    #[arg(long = "license", value_name = "SKU=SPEC", value_parser = parse_license)]
    licenses: Vec<(String, Option<LicenseSpec>)>,
    /// License Manager answers its first N calls with RateLimitExceededException.
    #[arg(long, value_name = "N", default_value_t = 0)]
    throttle_license_calls: u32,
}

fn parse_license(s: &str) -> Result<(String, Option<LicenseSpec>), String> {
    mp_emulator::license::parse_license_flag(s)
}

impl EmulatorArgs {
    pub(crate) fn config(&self) -> Result<EmulatorConfig, String> {
        let mut cfg = EmulatorConfig::default()
            .region(&self.region)
            .key_version(self.key_version);
        for p in &self.products {
            cfg = cfg.with_product(p.clone());
        }
        for (sku, spec) in &self.licenses {
            cfg = match spec {
                Some(spec) => cfg.license(sku, spec.clone()),
                None => cfg.no_license(sku),
            };
        }
        cfg = cfg.throttle_license_calls(self.throttle_license_calls);
        if let Some(path) = &self.scenario {
            let text = read(path)?;
            let scenario: Scenario = serde_json::from_str(&text)
                .map_err(|e| format!("scenario file {}: {e}", path.display()))?;
            scenario
                .validate()
                .map_err(|e| format!("scenario file {}: {e}", path.display()))?;
            cfg = cfg.scenario(scenario);
        }
        if let Some(path) = &self.key {
            cfg = cfg.signing_key_pem(&read(path)?);
        }
        Ok(cfg)
    }
}

/// What `run` and `serve` report when they stop: the ledger as a table on stderr, and as
/// JSON in `ledger_out` when given.
pub(crate) fn report_ledger(
    ledger: &mp_emulator::ledger::Ledger,
    ledger_out: Option<&std::path::Path>,
) -> Result<(), String> {
    eprintln!("mp-emulator ledger:\n{}", ledger.to_table());
    if let Some(path) = ledger_out {
        let json = serde_json::to_string_pretty(ledger).map_err(|e| e.to_string())?;
        std::fs::write(path, json).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

pub(crate) fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub(crate) fn parse_platform(s: &str) -> Result<Platform, String> {
    s.parse()
}
