//! `mp-emulator health`: whether the emulator serving on `MP_EMULATOR_ADDR`'s port answers
//! its control API; the image's HEALTHCHECK (its runtime has no shell or curl).

use clap::Args;
use std::net::SocketAddr;

#[derive(Args)]
pub(crate) struct HealthArgs {
    /// The address `serve` listens on; it is asked on loopback at that port.
    #[arg(long, env = "MP_EMULATOR_ADDR")]
    addr: SocketAddr,
}

pub(crate) fn health(args: &HealthArgs) -> Result<(), String> {
    let url = format!("http://127.0.0.1:{}", args.addr.port());
    super::control_client::get(&url, "/_emulator/health")?;
    println!("ok: {url}");
    Ok(())
}
