//! mp-emulator: a local AWS Marketplace for paid containers, on loopback.
//!
//! One HTTP server plays the Metering Service (AWS JSON 1.1, SigV4-checked, PS256-signed
//! RegisterUsage tokens), AWS License Manager (contract pricing: tiers, floating and
//! drawdown entitlements per product SKU; license tokens for products off AWS compute), ECS
//! task metadata and container credentials, IMDSv2, and STS web identity (IRSA and license
//! tokens), with scenarios, faults, a settable clock and a ledger of what would be billed. See
//! the crate README for endpoints, scenarios and JSON formats.
//!
//! [`Emulator`] is the entry point; the rest of the public API is grouped by what a test
//! names: [`metering`] (products, target prefix, `RegisterUsage` token claims), [`license`]
//! (contract licenses, license tokens and what License Manager did), [`ledger`] (what would be billed),
//! [`scenario`] (how the services answer, forged signatures), [`credentials`] (the roles and
//! sessions each platform signs with), [`sigv4`] (signing names and client signatures) and
//! [`keys`] (the test-only signing keys).
//!
//! # Layers
//!
//! Modules import downward only: a module imports from the layers below its own, from its own
//! layer only where the last column says so, and never from a layer above. Inside a
//! directory the same holds: `mod.rs` dispatches to its children, and what the children share
//! lives in a leaf child (`metering/operation.rs`, `license_manager/refused.rs`,
//! `sts/xml.rs`), never in `mod.rs`. The workspace's `workspace_checks` suite fails on any cycle.
//!
//! | Layer | Modules | What it holds | May import |
//! |-------|---------|---------------|------------|
//! | 6 entry | `emulator`, `server` | the public handle; the router | everything below |
//! | 5 surfaces | `metering/`, `license_manager/`, `ecs`, `imds`, `sts/`, `control`, `env` | one module per AWS service or endpoint, the control API, the environment that points a process here | layers 1-4; `license_manager`'s control endpoints also `control`'s error answer |
//! | 4 requests | `aws_json`, `faults` | AWS JSON 1.1 parsing and answers; faults played before a handler | layers 1-3 |
//! | 3 state | `state` | what every handler shares: config, clock, scenario, books, secrets | layers 1-2 |
//! | 2 model | `config`, `license/`, `ledger`, `metering_book` | what the emulator is told, and what it records | layer 1, `license/` below `ledger` and `config` |
//! | 1 leaves | `routes`, `clock`, `ids`, `keys`, `public_key`, `credentials`, `scenario`, `forgery`, `token`, `sigv4`, `aws_error`, `connection` | constants, formats, signing and checking | each other, without a cycle; `routes` nothing |
//!
//! The public groups are modules of these layers that re-export from their own layer or
//! below (`metering` re-exports `config`'s products, `scenario` the forgeries, `credentials`
//! the account from `routes`), so a group never points upward.

#![warn(missing_docs)]

mod aws_error;
mod aws_json;
mod clock;
mod config;
mod connection;
mod control;
pub mod credentials;
mod ecs;
mod emulator;
mod env;
mod faults;
mod forgery;
mod ids;
mod imds;
pub mod keys;
pub mod ledger;
pub mod license;
mod license_manager;
pub mod metering;
mod metering_book;
mod public_key;
mod routes;
pub mod scenario;
mod server;
pub mod sigv4;
mod state;
mod sts;
mod token;

pub use config::EmulatorConfig;
pub use emulator::Emulator;
pub use env::Platform;
pub use server::MAX_BODY_BYTES;
