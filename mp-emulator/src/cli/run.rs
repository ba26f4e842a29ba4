//! `mp-emulator run -- CMD ARGS...`: serve on a free port, run CMD pointed at it, forward
//! SIGTERM/SIGINT, then report the ledger and exit with CMD's code.

use super::args::EmulatorArgs;
use clap::Args;
use mp_emulator::{Emulator, Platform};
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::signal::unix::{SignalKind, signal};

/// Variables of the parent that would pick another credential source, region or endpoint.
const CLEARED: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE",
    "AWS_EC2_METADATA_DISABLED",
    "ECS_CONTAINER_METADATA_URI",
];

#[derive(Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    emulator: EmulatorArgs,
    /// Which credentials the child gets: ecs (task role), eks (IRSA), ec2 (instance profile),
    /// anywhere (a License Manager license token for the first license held, off AWS compute).
    #[arg(long, default_value = "ecs", value_parser = super::args::parse_platform)]
    platform: Platform,
    /// Also write the ledger as JSON to FILE when CMD exits.
    #[arg(long, value_name = "FILE")]
    ledger_out: Option<PathBuf>,
    /// The command to run, after `--`.
    #[arg(required = true, last = true, value_name = "CMD")]
    command: Vec<String>,
}

pub(crate) async fn run(args: RunArgs) -> ExitCode {
    match run_inner(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mp-emulator: error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_inner(args: RunArgs) -> Result<ExitCode, String> {
    let emulator = Emulator::start(args.emulator.config()?)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "mp-emulator: serving on {} for `{}`",
        emulator.url(),
        args.command.join(" ")
    );
    // Watch signals before the child exists, so none arrives between spawn and the watch.
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    let mut int =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot watch SIGINT: {e}"))?;
    let mut command = tokio::process::Command::new(&args.command[0]);
    command.args(&args.command[1..]);
    for name in CLEARED {
        command.env_remove(name);
    }
    command.envs(emulator.env(args.platform));
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", args.command[0]))?;
    let pid = child.id().map(|p| p as libc::pid_t);

    let status = loop {
        tokio::select! {
            status = child.wait() => break status.map_err(|e| format!("waiting for the command: {e}"))?,
            _ = term.recv() => forward(pid, libc::SIGTERM),
            _ = int.recv() => forward(pid, libc::SIGINT),
        }
    };

    super::args::report_ledger(&emulator.ledger(), args.ledger_out.as_deref())?;
    Ok(exit_code(status))
}

fn forward(pid: Option<libc::pid_t>, sig: libc::c_int) {
    if let Some(pid) = pid {
        // SAFETY: kill(2) with a pid we spawned and still wait for; it has no memory effects.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// The child's exit code, or 128 + signal number as shells report a signal death.
fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(1);
    ExitCode::from(code.clamp(0, 255) as u8)
}
