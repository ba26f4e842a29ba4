//! Entry points for mp-runtime's own benches (cargo feature `bench`, for benchmarking only,
//! never shipped): the flusher's pass and its loop, with a real journal, reachable without
//! making them public API. The clock stays in the middle of an hour, so no record is ever due
//! and the client (to a closed loopback port) is never called. Not a stable API.

use crate::process::clock::Clock;
use crate::usage::{Flusher, Settings};
use aws_sdk_marketplacemetering as mm;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The middle of the hour the bench started in, for ever.
struct MidHour(SystemTime);

impl Clock for MidHour {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// A flusher over every dimension `meter!` has used, and the runtime it runs on.
pub struct Flushing {
    flusher: Flusher,
    runtime: tokio::runtime::Runtime,
}

/// A flusher journaling to `journal` and draining every `checkpoint` when run.
pub fn flusher(journal: &Path, checkpoint: Duration) -> Flushing {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let clock = MidHour(UNIX_EPOCH + Duration::from_secs(now - now % 3600 + 1800));
    let settings = Settings {
        product_code: "bench".to_owned(),
        task: "bench".to_owned(),
        checkpoint,
        journal: Some(journal.to_owned()),
        retry_cap: Duration::from_secs(1),
        offline_limit: None,
    };
    let flusher = {
        let _context = runtime.enter();
        Flusher::new(idle_client(), std::sync::Arc::new(clock), settings)
    };
    Flushing { flusher, runtime }
}

impl Flushing {
    /// One pass, as the loop makes it between hour boundaries.
    pub fn pass(&mut self) {
        self.runtime.block_on(self.flusher.step(false));
    }

    /// The flusher's own loop for `how_long` on this thread; then it stops with no time for
    /// the final flush.
    pub fn run_for(self, how_long: Duration) {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let Flushing { flusher, runtime } = self;
        runtime.block_on(async move {
            tokio::spawn(async move {
                tokio::time::sleep(how_long).await;
                let _ = stop.send(true);
            });
            flusher.run(stopped, Duration::ZERO).await;
        });
    }
}

fn idle_client() -> mm::Client {
    let credentials = aws_credential_types::Credentials::new("bench", "bench", None, None, "bench");
    let config = mm::Config::builder()
        .behavior_version(mm::config::BehaviorVersion::latest())
        .region(mm::config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .credentials_provider(credentials)
        .build();
    mm::Client::from_conf(config)
}
