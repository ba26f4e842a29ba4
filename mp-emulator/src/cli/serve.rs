//! `mp-emulator serve`: serve until SIGINT or SIGTERM, then report the ledger.

use super::args::EmulatorArgs;
use mp_emulator::Emulator;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use tokio::signal::unix::{SignalKind, signal};

pub(crate) async fn serve(
    addr: SocketAddr,
    args: &EmulatorArgs,
    ledger_out: Option<&Path>,
) -> Result<(), String> {
    let emulator = Emulator::start_on(args.config()?, addr)
        .await
        .map_err(|e| e.to_string())?;
    // Watched before the first line: a tool that reads it may stop the server at once.
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot watch SIGTERM: {e}"))?;
    let mut int =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot watch SIGINT: {e}"))?;
    // Tools wait for this exact first line to learn the port.
    println!("listening on {}", emulator.url());
    let _ = std::io::stdout().flush();
    let config = args.config()?;
    let licenses: Vec<String> = config
        .licenses()
        .iter()
        .map(|(sku, spec)| format!("{sku}={spec}"))
        .collect();
    eprintln!(
        "mp-emulator: region {}, products: {}; licenses: {}; stop with Ctrl-C",
        emulator.region(),
        config
            .products()
            .iter()
            .map(|p| format!("{}={}", p.code, p.pricing))
            .collect::<Vec<_>>()
            .join(", "),
        if licenses.is_empty() {
            "none".to_string()
        } else {
            licenses.join(", ")
        }
    );
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
    super::args::report_ledger(&emulator.ledger(), ledger_out)
}
