//! Command-line front of the emulator: argument definitions and dispatch.

mod env;
mod public_key;
mod run;
mod serve;

use clap::{Args, Parser, Subcommand};
use mp_emulator::{EmulatorConfig, Platform, Product, Scenario};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mp-emulator",
    version,
    about = "A local AWS Marketplace for paid containers: Metering Service, ECS/IMDS/STS credentials, on loopback.",
    long_about = "A local AWS Marketplace for paid containers. One loopback HTTP server plays the \
Metering Service (AWS JSON 1.1, SigV4-checked, PS256-signed RegisterUsage tokens), ECS task \
metadata and container credentials, IMDSv2 and STS web identity, with scenarios, faults, a \
settable clock and a ledger of what would be billed. TEST ONLY: its keys are public."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve until SIGINT/SIGTERM; the first stdout line is `listening on http://127.0.0.1:<port>`.
    Serve(ServeArgs),
    /// Print `export NAME=value` lines that point a process at a running emulator.
    Env(env::EnvArgs),
    /// Serve on a free port, run CMD with the emulator's environment, exit with CMD's code.
    Run(run::RunArgs),
    /// Print the PEM public key that verifies RegisterUsage tokens (key version on stderr).
    PublicKey(public_key::PublicKeyArgs),
}

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
    /// RSA private key PEM to sign RegisterUsage tokens with (default: the bundled test-only key).
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// The public key version the emulator signs as and accepts.
    #[arg(long, default_value_t = mp_emulator::TEST_ONLY_KEY_VERSION, value_parser = clap::value_parser!(i32).range(1..))]
    key_version: i32,
}

impl EmulatorArgs {
    pub(crate) fn config(&self) -> Result<EmulatorConfig, String> {
        let mut cfg = EmulatorConfig::default()
            .region(&self.region)
            .key_version(self.key_version);
        for p in &self.products {
            cfg = cfg.with_product(p.clone());
        }
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

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. Loopback is strongly advised.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    #[command(flatten)]
    emulator: EmulatorArgs,
}

pub(crate) fn read(path: &std::path::Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub(crate) fn parse_platform(s: &str) -> Result<Platform, String> {
    s.parse()
}

pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            runtime().and_then(|rt| rt.block_on(serve::serve(args.addr, &args.emulator)))
        }
        Command::Env(args) => env::env(&args),
        Command::Run(args) => match runtime() {
            Ok(rt) => return rt.block_on(run::run(args)),
            Err(e) => Err(e),
        },
        Command::PublicKey(args) => public_key::public_key(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mp-emulator: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}
