//! A running emulator: binds loopback, serves until dropped, and exposes the ledger, scenario
//! and clock to the test or tool that owns it.

use crate::config::EmulatorConfig;
use crate::connection::{Connection, CuttableListener};
use crate::env::Platform;
use crate::ledger::Ledger;
use crate::license::activity::PoolLevel;
use crate::license::refresh_token::LicenseToken;
use crate::license::spec::LicenseSpec;
use crate::scenario::Scenario;
use crate::state::State;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::watch;

/// A running server; dropping it stops the server and removes the files it wrote.
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<State>,
    stop: watch::Sender<bool>,
    runner: Runner,
}

/// Where the server runs: a task on the caller's runtime, or a thread with its own runtime.
enum Runner {
    Task(tokio::task::JoinHandle<()>),
    Thread(Option<std::thread::JoinHandle<()>>),
}

impl Emulator {
    /// Starts on `127.0.0.1:0` (a free port) on the current tokio runtime.
    pub async fn start(cfg: EmulatorConfig) -> anyhow::Result<Emulator> {
        Self::start_on(cfg, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on the given address on the current tokio runtime.
    pub async fn start_on(cfg: EmulatorConfig, addr: SocketAddr) -> anyhow::Result<Emulator> {
        let (stop, stopping) = watch::channel(false);
        let state = Arc::new(State::new(cfg, stopping.clone())?);
        let listener = bind(addr).await?;
        let addr = listener.0.local_addr()?;
        let task = tokio::spawn(serve(listener, state.clone(), stopping));
        Self::assemble(addr, state, stop, Runner::Task(task))
    }

    /// Starts on a free loopback port in a thread with its own runtime, for sync tests.
    pub fn start_blocking(cfg: EmulatorConfig) -> anyhow::Result<Emulator> {
        let (stop, stopping) = watch::channel(false);
        let state = Arc::new(State::new(cfg, stopping.clone())?);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let thread_state = state.clone();
        let thread = std::thread::Builder::new()
            .name("mp-emulator".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx
                            .send(Err(anyhow::anyhow!("cannot build a tokio runtime: {e}")));
                        return;
                    }
                };
                rt.block_on(async move {
                    let listener = match bind(SocketAddr::from(([127, 0, 0, 1], 0))).await {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(listener.0.local_addr().map_err(Into::into));
                    let mut stop = stopping.clone();
                    tokio::select! {
                        _ = serve(listener, thread_state, stopping) => {}
                        _ = stop.wait_for(|s| *s) => {}
                    }
                });
                // Connections still open (black holes, slow clients) must not delay the drop.
                rt.shutdown_background();
            })?;
        let addr = ready_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("the emulator thread exited before binding"))??;
        Self::assemble(addr, state, stop, Runner::Thread(Some(thread)))
    }

    fn assemble(
        addr: SocketAddr,
        state: Arc<State>,
        stop: watch::Sender<bool>,
        runner: Runner,
    ) -> anyhow::Result<Emulator> {
        // Bound to every interface (0.0.0.0, in a container), it is reached on loopback from
        // its own host or pod: an address to connect to, which 0.0.0.0 is not.
        let reach = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => {
                SocketAddr::from((Ipv4Addr::LOCALHOST, addr.port()))
            }
            IpAddr::V6(ip) if ip.is_unspecified() => {
                SocketAddr::from((Ipv6Addr::LOCALHOST, addr.port()))
            }
            _ => addr,
        };
        let _ = state.url.set(format!("http://{reach}"));
        let file = state.web_identity_token_file.clone();
        // Built first so that a failure below still stops the server and cleans up.
        let emulator = Emulator {
            addr,
            state,
            stop,
            runner,
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&file, &emulator.state.web_identity_token)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", file.display()))?;
        Ok(emulator)
    }

    /// `http://127.0.0.1:PORT`: where it is reached from its own host (loopback when it
    /// listens on every interface).
    pub fn url(&self) -> String {
        self.state.url().to_string()
    }

    /// The address the emulator listens on (127.0.0.1 unless started elsewhere).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The environment that points a process at this emulator, with `platform`'s credentials
    /// (for [`Platform::Anywhere`], a license token file written at the first call: see there).
    pub fn env(&self, platform: Platform) -> Vec<(String, String)> {
        crate::env::for_process(&self.state, platform, self.state.url())
    }

    /// The environment of one replica (a task of an ECS service, a pod of a Deployment): the
    /// same as [`env`](Self::env) but with credentials of its own session, as AWS gives every
    /// task or pod, so the service keeps one record per hour for each. ECS: the task role's
    /// credentials at `<url>/ecs/credentials/<replica>` and task metadata with a task ARN of
    /// its own; EKS: a web identity token file of its own (removed when the emulator stops).
    /// `replica` is 1 to 64 letters, digits, `.`, `_` or `-`. EC2 has no replicas: an
    /// instance profile has one session per instance; nor has Anywhere: every pod reads the
    /// same license token and STS makes each exchange a session of its own.
    pub fn env_for_replica(
        &self,
        platform: Platform,
        replica: &str,
    ) -> anyhow::Result<Vec<(String, String)>> {
        crate::env::for_replica(&self.state, platform, replica, self.state.url())
            .map_err(anyhow::Error::msg)
    }

    /// A snapshot of what the emulator accepted and rejected so far.
    pub fn ledger(&self) -> Ledger {
        self.state.ledger()
    }

    /// Switches the scenario (and re-seeds its dice).
    pub fn set_scenario(&self, s: Scenario) {
        self.state.set_scenario(s);
    }

    /// The scenario in force.
    pub fn scenario(&self) -> Scenario {
        self.state.scenario().scenario.clone()
    }

    /// Sets the emulator's "now" (time keeps flowing from there).
    pub fn set_clock(&self, now: SystemTime) {
        self.state.clock.set_now(now);
    }

    /// The emulator's "now".
    pub fn now(&self) -> SystemTime {
        self.state.clock.now()
    }

    /// Grants `spec` for product SKU `sku` now, replacing its license if any (same ARN, a
    /// new version; what was drawn down stays drawn, live checkouts keep their units).
    pub fn set_license(&self, sku: &str, spec: &LicenseSpec) -> anyhow::Result<()> {
        crate::license::spec::check_sku(sku).map_err(anyhow::Error::msg)?;
        spec.validate().map_err(anyhow::Error::msg)?;
        let now = self.state.clock.now_epoch_secs();
        self.state.settled_licenses().set(sku, spec, now);
        Ok(())
    }

    /// Mints a License Manager refresh token for `sku`'s license, as the buyer's `CreateToken`
    /// does: naming `role_arns` (empty: [`LICENSE_TOKEN_ROLE_ARN`]), valid `expiration_days`
    /// on the emulator's clock. Fails if the buyer holds no license for `sku`.
    ///
    /// [`LICENSE_TOKEN_ROLE_ARN`]: crate::credentials::LICENSE_TOKEN_ROLE_ARN
    pub fn create_license_token(
        &self,
        sku: &str,
        role_arns: &[&str],
        expiration_days: u32,
    ) -> anyhow::Result<LicenseToken> {
        self.state
            .mint_license_token(sku, role_arns, expiration_days)
            .map_err(anyhow::Error::msg)
    }

    /// Revokes license token `id` (what `DeleteToken` does); whether it existed and was not
    /// revoked yet. Access tokens already traded for it last their hour.
    pub fn revoke_license_token(&self, id: &str) -> bool {
        self.state.licenses().tokens.revoke(id)
    }

    /// Takes `sku`'s license away (no license); whether it had one.
    pub fn remove_license(&self, sku: &str) -> bool {
        self.state.settled_licenses().remove(sku)
    }

    /// The held tier of `sku` becomes `tier` at `at` on the emulator clock (an upgrade, or
    /// a downgrade); at once if `at` is not in the future.
    pub fn change_tier_at(&self, sku: &str, tier: &str, at: SystemTime) -> anyhow::Result<()> {
        let mut book = self.state.settled_licenses();
        book.schedule_tier(sku, tier, crate::clock::epoch_secs(at))
            .map_err(anyhow::Error::msg)?;
        book.settle(self.state.clock.now_epoch_secs());
        Ok(())
    }

    /// License Manager answers its next `calls` calls with `RateLimitExceededException`.
    pub fn throttle_license_calls(&self, calls: u32) {
        self.state.licenses().throttle_next = calls;
    }

    /// Every pool's level now: floating seats in use, drawdown quantities drawn.
    pub fn pool_levels(&self) -> Vec<PoolLevel> {
        self.state.settled_licenses().levels()
    }

    /// The region the emulator plays.
    pub fn region(&self) -> &str {
        &self.state.config.region
    }

    /// The value `/ecs/credentials` expects in its `Authorization` header.
    pub fn ecs_authorization_token(&self) -> &str {
        &self.state.ecs_auth_token
    }

    /// The web identity token file the emulator wrote (for `AWS_WEB_IDENTITY_TOKEN_FILE`).
    pub fn web_identity_token_file(&self) -> PathBuf {
        self.state.web_identity_token_file.clone()
    }

    /// Waits until the server stops (it only stops when dropped); for the `serve` command.
    pub async fn wait(mut self) {
        if let Runner::Task(task) = &mut self.runner {
            let _ = task.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        match &mut self.runner {
            Runner::Task(task) => task.abort(),
            Runner::Thread(thread) => {
                if let Some(t) = thread.take() {
                    let _ = t.join();
                }
            }
        }
        if let Some(dir) = self.state.web_identity_token_file.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

async fn bind(addr: SocketAddr) -> anyhow::Result<CuttableListener> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    Ok(CuttableListener(listener))
}

async fn serve(listener: CuttableListener, state: Arc<State>, _stopping: watch::Receiver<bool>) {
    let app = crate::server::router(state).into_make_service_with_connect_info::<Connection>();
    // axum::serve only returns on a listener error, which CuttableListener never reports.
    let _ = axum::serve(listener, app).await;
}
