//! `cargo run -p mp-demo`: the project's main job, end to end on loopback.
//!
//! 1. builds `examples/ecs-hourly` with mp-runtime's `local-testing` feature (the only build
//!    that honours the emulator's endpoint override),
//! 2. starts mp-emulator in this process and runs the service with the environment an ECS task
//!    would have (region, task metadata, task-role credentials), all pointing at 127.0.0.1,
//! 3. waits until it serves, sends it a few requests, stops it with SIGTERM,
//! 4. prints what AWS Marketplace would have recorded: the emulator's ledger.

mod service;

use anyhow::Context;
use mp_emulator::{Emulator, EmulatorConfig, Platform};
use std::time::Duration;

/// How many product requests the demo sends before stopping the service.
const REQUESTS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary = service::build("ecs-hourly").context("building examples/ecs-hourly")?;
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    println!("mp-emulator listening on {}", emulator.url());

    let mut running = service::start(&binary, &emulator.env(Platform::Ecs)).await?;
    println!("ecs-hourly serving on {}", running.url);
    let registered = emulator.ledger();
    println!(
        "registered before serving: {} RegisterUsage call(s) accepted",
        registered.registrations.len()
    );

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;
    let health = http.get(format!("{}/health", running.url)).send().await?;
    println!("GET /health -> {}", health.status());
    for _ in 0..REQUESTS {
        let response = http.get(format!("{}/", running.url)).send().await?;
        println!(
            "GET / -> {} {}",
            response.status(),
            response.text().await?.trim()
        );
    }

    let status = running.terminate().await?;
    println!("ecs-hourly stopped by SIGTERM: {status}");

    println!("\nledger:\n{}", emulator.ledger().to_table());
    anyhow::ensure!(
        status.success(),
        "the service did not exit cleanly: {status}"
    );
    Ok(())
}
