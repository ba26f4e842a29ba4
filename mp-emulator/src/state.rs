//! The state every handler shares: configuration, clock, scenario, ledger and the secrets the
//! credential endpoints check.

use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::ledger::Ledger;
use crate::license::book::{LicenseBook, whole};
use crate::license::refresh_token::LicenseToken;
use crate::metering_book::Book;
use crate::scenario::{ActiveScenario, Scenario};
use crate::token::TokenSigner;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use tokio::sync::watch;

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: EmulatorConfig,
    pub(crate) signer: TokenSigner,
    pub(crate) clock: Clock,
    scenario: Mutex<ActiveScenario>,
    book: Mutex<Book>,
    licenses: Mutex<LicenseBook>,
    /// What `AWS_CONTAINER_AUTHORIZATION_TOKEN` must hold for `/ecs/credentials`.
    pub(crate) ecs_auth_token: String,
    /// The web identity token IRSA exchanges with STS (also written to a file).
    pub(crate) web_identity_token: String,
    /// Where the web identity token is written (a directory of its own, removed on drop).
    pub(crate) web_identity_token_file: PathBuf,
    /// `http://127.0.0.1:PORT`, known once bound.
    pub(crate) url: OnceLock<String>,
    /// The refresh token `Platform::Anywhere`'s environment names, once minted.
    anywhere_refresh_token: Mutex<Option<LicenseToken>>,
    /// The IMDSv2 session token `PUT /latest/api/token` hands out.
    pub(crate) imds_token: String,
    /// The id in the emulated ECS task's ARN.
    pub(crate) task_id: String,
    /// Flips to true when the emulator stops, releasing black-holed requests.
    pub(crate) stopping: watch::Receiver<bool>,
}

/// Locks ignoring poison: a panicking test thread must not wedge the server.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    pub(crate) fn new(
        config: EmulatorConfig,
        stopping: watch::Receiver<bool>,
    ) -> anyhow::Result<Self> {
        config
            .scenario
            .validate()
            .map_err(|e| anyhow::anyhow!("invalid scenario: {e}"))?;
        config.validate_licenses().map_err(anyhow::Error::msg)?;
        let clock = Clock::default();
        let mut licenses = LicenseBook::default();
        let now = clock.now_epoch_secs();
        for (sku, spec) in &config.licenses {
            licenses.set(sku, spec, now);
        }
        licenses.throttle_next = config.throttled_license_calls;
        Ok(Self {
            signer: TokenSigner::from_pem(&config.signing_key_pem)?,
            clock,
            scenario: Mutex::new(ActiveScenario::new(config.scenario.clone())),
            book: Mutex::new(Book::default()),
            licenses: Mutex::new(licenses),
            ecs_auth_token: format!("mp-emulator-ecs-{}", crate::ids::uuid_like()),
            web_identity_token: format!("mp-emulator-web-identity-{}", crate::ids::uuid_like()),
            web_identity_token_file: std::env::temp_dir()
                .join(format!(
                    "mp-emulator-{}-{}",
                    std::process::id(),
                    crate::ids::uuid_like()
                ))
                .join("web-identity-token"),
            url: OnceLock::new(),
            anywhere_refresh_token: Mutex::new(None),
            imds_token: format!("mp-emulator-imds-{}", crate::ids::uuid_like()),
            task_id: crate::ids::uuid_like().replace('-', ""),
            stopping,
            config,
        })
    }

    /// What replica `replica`'s web identity token file holds: the IRSA token, told apart
    /// per replica so STS hands each its own session.
    pub(crate) fn replica_web_identity_token(&self, replica: &str) -> String {
        format!("{}#{replica}", self.web_identity_token)
    }

    /// Issues a License Manager refresh token for `sku`'s license now on the emulator clock,
    /// naming `role_arns` (none: the default role), valid `days`.
    pub(crate) fn mint_license_token(
        &self,
        sku: &str,
        role_arns: &[&str],
        days: u32,
    ) -> Result<LicenseToken, String> {
        let now = self.clock.now_epoch_secs();
        let mut book = self.settled_licenses();
        let arn = book.license(sku).map(|l| l.arn.clone()).ok_or_else(|| {
            format!(
                "the buyer holds no license for `{sku}`: grant one first (--license, set_license)"
            )
        })?;
        let roles = role_arns.iter().map(|r| r.to_string()).collect();
        book.tokens
            .issue(&self.signer, &arn, roles, Vec::new(), days, whole(now))
    }

    /// The refresh token `Platform::Anywhere`'s environment names, once minted.
    pub(crate) fn anywhere_refresh_token(&self) -> MutexGuard<'_, Option<LicenseToken>> {
        lock(&self.anywhere_refresh_token)
    }

    /// `http://127.0.0.1:PORT`, or empty before the server is bound.
    pub(crate) fn url(&self) -> &str {
        self.url.get().map(String::as_str).unwrap_or_default()
    }

    pub(crate) fn scenario(&self) -> MutexGuard<'_, ActiveScenario> {
        lock(&self.scenario)
    }

    pub(crate) fn set_scenario(&self, scenario: Scenario) {
        *lock(&self.scenario) = ActiveScenario::new(scenario);
    }

    pub(crate) fn book(&self) -> MutexGuard<'_, Book> {
        lock(&self.book)
    }

    /// License Manager's book as it is (callers settle it against the clock they read).
    pub(crate) fn licenses(&self) -> MutexGuard<'_, LicenseBook> {
        lock(&self.licenses)
    }

    /// License Manager's book after applying what time did up to the emulator's now.
    pub(crate) fn settled_licenses(&self) -> MutexGuard<'_, LicenseBook> {
        let mut book = self.licenses();
        book.settle(self.clock.now_epoch_secs());
        book
    }

    pub(crate) fn ledger(&self) -> Ledger {
        let mut ledger = self.book().ledger.clone();
        ledger.licenses = self.settled_licenses().snapshot();
        ledger
    }

    pub(crate) fn count_request(&self, operation: &str) {
        *self
            .book()
            .ledger
            .requests
            .entry(operation.to_string())
            .or_default() += 1;
    }

    pub(crate) fn count_rejection(&self, error: &str) {
        *self
            .book()
            .ledger
            .rejections
            .entry(error.to_string())
            .or_default() += 1;
    }
}
