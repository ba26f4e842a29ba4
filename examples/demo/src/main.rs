//! `cargo run -p mp-demo`: the project's main job, end to end on loopback.
//!
//! 1. builds `examples/ecs-hourly`, `examples/eks-custom` and `examples/ecs-contract` with
//!    mp-runtime's `local-testing` feature (the only build that honours the emulator's
//!    endpoint override),
//! 2. starts mp-emulator in this process,
//! 3. runs ecs-hourly (hourly pricing) with the environment an ECS task would have (region,
//!    task metadata, task-role credentials), waits until it serves (it registered before
//!    that), sends it a few requests and stops it with SIGTERM,
//! 4. runs eks-custom (custom pricing) with the environment an EKS pod would have (IRSA: a
//!    role ARN and a web identity token, exchanged at the emulator's STS), sends it requests
//!    and an upload, which it meters with `meter!`, and stops it with SIGTERM: the runtime
//!    flushes the partial hour as one `MeterUsage` per dimension before the process exits,
//! 5. runs ecs-contract (contract pricing, AWS License Manager) as an ECS task: the license
//!    is checked out before it serves, each session holds a seat of the concurrent-users
//!    pool, closing one returns it, and SIGTERM returns the rest,
//! 6. prints what AWS Marketplace and License Manager would have recorded: the emulator's
//!    ledger.

mod service;

use mp_emulator::{Emulator, EmulatorConfig, Platform};
use std::path::Path;
use std::time::Duration;

/// How many product requests the demo sends each service before stopping it.
const REQUESTS: usize = 5;
/// What the demo uploads to eks-custom, which bills `data_gb` per started gigabyte.
const UPLOAD: &[u8] = b"a small file: one started GB";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let [ecs_hourly, eks_custom, ecs_contract] =
        service::build(["ecs-hourly", "eks-custom", "ecs-contract"])?;
    let emulator = Emulator::start(EmulatorConfig::default()).await?;
    println!("mp-emulator listening on {}", emulator.url());
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()?;

    run_ecs_hourly(&emulator, &http, &ecs_hourly).await?;
    run_eks_custom(&emulator, &http, &eks_custom).await?;
    run_ecs_contract(&emulator, &http, &ecs_contract).await?;

    println!("\nledger:\n{}", emulator.ledger().to_table());
    Ok(())
}

/// Hourly pricing on ECS: registered before serving, nothing metered per request.
async fn run_ecs_hourly(
    emulator: &Emulator,
    http: &reqwest::Client,
    binary: &Path,
) -> anyhow::Result<()> {
    let mut running = service::start(binary, &emulator.env(Platform::Ecs)).await?;
    println!("ecs-hourly serving on {}", running.url);
    println!(
        "registered before serving: {} RegisterUsage call(s) accepted",
        emulator.ledger().registrations.len()
    );
    get(http, &running.url, "/health").await?;
    for _ in 0..REQUESTS {
        get(http, &running.url, "/").await?;
    }
    let status = running.terminate().await?;
    println!("ecs-hourly stopped by SIGTERM: {status}");
    anyhow::ensure!(
        status.success(),
        "ecs-hourly did not exit cleanly: {status}"
    );
    Ok(())
}

/// Custom pricing on EKS: entitlement checked before serving, usage metered per request and
/// flushed on SIGTERM.
async fn run_eks_custom(
    emulator: &Emulator,
    http: &reqwest::Client,
    binary: &Path,
) -> anyhow::Result<()> {
    let mut running = service::start(binary, &emulator.env(Platform::Eks)).await?;
    println!("eks-custom serving on {}", running.url);
    get(http, &running.url, "/health").await?;
    for _ in 0..REQUESTS {
        get(http, &running.url, "/").await?;
    }
    let response = http
        .post(format!("{}/upload", running.url))
        .body(UPLOAD)
        .send()
        .await?;
    println!(
        "POST /upload -> {} {}",
        response.status(),
        response.text().await?.trim()
    );
    let status = running.terminate().await?;
    println!("eks-custom stopped by SIGTERM after flushing its usage: {status}");
    anyhow::ensure!(
        status.success(),
        "eks-custom did not exit cleanly: {status}"
    );
    Ok(())
}

/// Contract pricing on ECS: the license checked out before serving, a seat per session.
async fn run_ecs_contract(
    emulator: &Emulator,
    http: &reqwest::Client,
    binary: &Path,
) -> anyhow::Result<()> {
    let mut running = service::start(binary, &emulator.env(Platform::Ecs)).await?;
    println!("ecs-contract serving on {}", running.url);
    get(http, &running.url, "/health").await?;
    get(http, &running.url, "/").await?;
    for _ in 0..2 {
        send(
            http.post(format!("{}/sessions", running.url)),
            "POST /sessions",
        )
        .await?;
    }
    send(
        http.delete(format!("{}/sessions/1", running.url)),
        "DELETE /sessions/1",
    )
    .await?;
    let status = running.terminate().await?;
    println!("ecs-contract stopped by SIGTERM after checking its seats in: {status}");
    anyhow::ensure!(
        status.success(),
        "ecs-contract did not exit cleanly: {status}"
    );
    Ok(())
}

async fn send(request: reqwest::RequestBuilder, what: &str) -> anyhow::Result<()> {
    let response = request.send().await?;
    println!(
        "{what} -> {} {}",
        response.status(),
        response.text().await?.trim()
    );
    Ok(())
}

async fn get(http: &reqwest::Client, base: &str, path: &str) -> anyhow::Result<()> {
    let response = http.get(format!("{base}{path}")).send().await?;
    let status = response.status();
    let body = response.text().await?;
    match path {
        "/health" => println!("GET {path} -> {status}"),
        _ => println!("GET {path} -> {status} {}", body.trim()),
    }
    Ok(())
}
