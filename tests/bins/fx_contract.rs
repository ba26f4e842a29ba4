//! Contract pricing: the demo contract's tiers, a floating seat pool and a drawdown. With
//! `FX_DIR` set it takes commands, one file each (`cmd-0`, `cmd-1`, ...), and answers each in
//! `out-N`: `tier`, `hold`, `held` (whether each seat is still held), `drop`, `consume N`,
//! `stats`, `exit`; without, it reports and returns.

mod support;

use mp_runtime::{License, checkout, consume};
use std::path::PathBuf;
use std::time::Duration;

#[mp_runtime::marketplace_main(
    pricing = "contract",
    product_sku = "prod-mpemudemocontract01",
    tiers(enum Plan { Basic = "basic", Pro = "pro" }),
    floating(concurrent_users = "ConcurrentUsers"),
    drawdown(data_gb = "DataGB" in Gigabytes),
)]
async fn main(license: License<Plan>) {
    support::report();
    println!("tier: {:?}", license.tier());
    let Some(dir) = std::env::var_os("FX_DIR").map(PathBuf::from) else {
        return;
    };
    let mut seats = Vec::new();
    for n in 0.. {
        let command = next_command(&dir, n).await;
        let answer = match command.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["tier"] => format!("{:?} {:?}", license.tier(), license.state().status()),
            ["hold"] => match checkout!(concurrent_users).await {
                Ok(seat) => {
                    seats.push(seat);
                    "held".to_owned()
                }
                Err(e) => format!("refused: {e:?}"),
            },
            ["held"] => format!(
                "{:?}",
                seats.iter().map(|s| s.is_held()).collect::<Vec<_>>()
            ),
            ["drop"] => {
                seats.clear();
                "dropped".to_owned()
            }
            ["consume", units] => match consume!(data_gb, units.parse().unwrap_or(0)).await {
                Ok(drawn) => format!("drew {}", drawn.units),
                Err(e) => format!("refused: {e:?}"),
            },
            ["stats"] => format!("{:?}", mp_runtime::license_stats()),
            ["exit"] => break,
            other => format!("unknown command {other:?}"),
        };
        let next = dir.join(format!("out-{n}.next"));
        std::fs::write(&next, answer).expect("answer");
        std::fs::rename(&next, dir.join(format!("out-{n}"))).expect("answer");
    }
}

async fn next_command(dir: &std::path::Path, n: u64) -> String {
    let path = dir.join(format!("cmd-{n}"));
    loop {
        if let Ok(command) = std::fs::read_to_string(&path) {
            return command;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
