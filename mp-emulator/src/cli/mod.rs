//! Command-line front of the emulator: argument definitions and dispatch.

mod args;
mod control_client;
mod env;
mod health;
mod license_token;
mod public_key;
mod run;
mod serve;

use args::EmulatorArgs;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mp-emulator",
    version,
    about = "A local AWS Marketplace for paid containers: Metering Service, License Manager, ECS/IMDS/STS credentials, on loopback.",
    long_about = "A local AWS Marketplace for paid containers. One loopback HTTP server plays the \
Metering Service (AWS JSON 1.1, SigV4-checked, PS256-signed RegisterUsage tokens), AWS License \
Manager for contract pricing (CheckoutLicense, CheckInLicense, ExtendLicenseConsumption, \
GetLicense, ListReceivedLicenses; tiers, floating and drawdown entitlements per product SKU; \
license tokens: CreateToken, GetAccessToken), ECS task metadata and container credentials, \
IMDSv2 and STS web identity (IRSA and license tokens), with scenarios, \
faults, a settable clock and a ledger of what would be billed. TEST ONLY: its keys are public."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve until SIGINT/SIGTERM, then print the ledger; the first stdout line is `listening on http://127.0.0.1:<port>`.
    Serve(ServeArgs),
    /// Print `export NAME=value` lines that point a process at a running emulator.
    Env(env::EnvArgs),
    /// Serve on a free port, run CMD with the emulator's environment, exit with CMD's code.
    Run(run::RunArgs),
    /// Print a fresh License Manager refresh token for a license a running emulator holds
    /// (its id on stderr): the buyer's license token, for AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE.
    LicenseToken(license_token::LicenseTokenArgs),
    /// Exit 0 when the emulator serving on --addr (MP_EMULATOR_ADDR) answers on loopback: a container health check.
    Health(health::HealthArgs),
    /// Print the PEM public key that verifies RegisterUsage tokens and License Manager SignedTokens (key version on stderr).
    PublicKey(public_key::PublicKeyArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port. Loopback is strongly advised outside
    /// a container; in one, 0.0.0.0 lets the host or other containers reach it (the image
    /// sets MP_EMULATOR_ADDR=0.0.0.0:8080).
    #[arg(long, env = "MP_EMULATOR_ADDR", default_value = "127.0.0.1:0")]
    addr: SocketAddr,
    /// Also write the ledger as JSON to FILE when stopped (a mounted path in a container).
    #[arg(long, value_name = "FILE")]
    ledger_out: Option<PathBuf>,
    #[command(flatten)]
    emulator: EmulatorArgs,
}

pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => runtime().and_then(|rt| {
            rt.block_on(serve::serve(
                args.addr,
                &args.emulator,
                args.ledger_out.as_deref(),
            ))
        }),
        Command::Env(args) => env::env(&args),
        Command::Run(args) => match runtime() {
            Ok(rt) => return rt.block_on(run::run(args)),
            Err(e) => Err(e),
        },
        Command::LicenseToken(args) => license_token::license_token(&args),
        Command::Health(args) => health::health(&args),
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
