//! `mp-emulator serve`: serve until SIGINT or SIGTERM.

use super::EmulatorArgs;
use mp_emulator::Emulator;
use std::io::Write;
use std::net::SocketAddr;
use tokio::signal::unix::{SignalKind, signal};

pub(crate) async fn serve(addr: SocketAddr, args: &EmulatorArgs) -> Result<(), String> {
    let emulator = Emulator::start_on(args.config()?, addr)
        .await
        .map_err(|e| e.to_string())?;
    // Tools wait for this exact first line to learn the port.
    println!("listening on {}", emulator.url());
    let _ = std::io::stdout().flush();
    eprintln!(
        "mp-emulator: region {}, products: {}; stop with Ctrl-C",
        emulator.region(),
        args.config()?
            .products()
            .iter()
            .map(|p| format!("{}={}", p.code, p.pricing))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    Ok(())
}
