//! The usage-priced subject of mp-bench's items 4 and 5 (the emulator's demo custom product).
//!
//! - `hello-metered burst N`: N `meter!` calls alternating over the two dimensions, spread
//!   over several of the flusher's checkpoints, then `main` returns (the partial hour is
//!   flushed on the way out). Item 4 counts the MeterUsage calls and bytes that cost.
//! - `hello-metered wait`: meters a little, says so, and waits with that usage pending until
//!   SIGTERM, then returns from `main` as a service's graceful shutdown does. Item 5 times
//!   SIGTERM to exit.

use mp_runtime::meter;
use std::process::ExitCode;
use std::time::Duration;

/// Pauses between slices of a burst, so checkpoints drain the counters mid-hour too.
const SLICES: u64 = 10;
const PAUSE: Duration = Duration::from_millis(30);

#[mp_runtime::marketplace_main(
    product_code = "mpemudemocustom0000000001",
    pricing = "custom",
    dimensions(requests, data_gb)
)]
fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match (
        args.next().as_deref(),
        args.next().map(|n| n.parse::<u64>()),
    ) {
        (Some("burst"), Some(Ok(calls))) => {
            for i in 0..calls {
                if i % 2 == 0 {
                    meter!(requests);
                } else {
                    meter!(data_gb, 1u8);
                }
                if i % (calls / SLICES).max(1) == 0 {
                    std::thread::sleep(PAUSE);
                }
            }
            println!("metered {calls} calls");
            ExitCode::SUCCESS
        }
        (Some("wait"), None) => {
            meter!(requests, 5u8);
            meter!(data_gb, 1u8);
            println!("metered, waiting for SIGTERM");
            // The attribute's runtime is entered around a sync main: wait on it.
            let terminated = tokio::runtime::Handle::current().block_on(async {
                let mut term =
                    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
                term.recv().await;
                std::io::Result::Ok(())
            });
            match terminated {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("hello-metered: cannot wait for SIGTERM: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: hello-metered burst <calls> | hello-metered wait");
            ExitCode::from(2)
        }
    }
}
