//! License Manager's part of the ledger: every checkout, drawdown, extension, check-in,
//! return at expiry and refusal, in arrival order, and the pools' levels when it was read.

use crate::clock::iso8601;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// What License Manager did. Present in the ledger once it was called.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LicenseActivity {
    /// Accepted `PROVISIONAL` checkouts (tiers and floating seats).
    pub checkouts: Vec<Checkout>,
    /// Accepted `PERPETUAL` checkouts: quantities drawn down for good.
    pub drawdowns: Vec<Checkout>,
    /// Accepted `ExtendLicenseConsumption` calls; `expires_at` is the new expiration.
    pub extensions: Vec<ConsumptionEvent>,
    /// Accepted `CheckInLicense` calls: the consumption's units went back at once.
    pub check_ins: Vec<ConsumptionEvent>,
    /// Floating consumptions that reached their expiration unextended (a crashed holder),
    /// so their units went back to the pool; `at` is the expiration.
    pub lapses: Vec<ConsumptionEvent>,
    /// Held-tier changes the schedule made (upgrades), in the order they took effect.
    pub tier_changes: Vec<TierChange>,
    /// Refused License Manager calls, throttling included.
    pub refusals: Vec<Refusal>,
    /// Checkouts answered again from their `ClientToken` (nothing drawn again).
    pub replays: u64,
    /// Each configured pool's level when the ledger was read.
    pub pools: Vec<PoolLevel>,
}

/// An entitlement as checked out: name, unit and the quantity (none for a tier).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntitlementAmount {
    /// The entitlement's name.
    pub name: String,
    /// Its unit, as License Manager names it.
    pub unit: String,
    /// The quantity (none for a tier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<u64>,
}

impl EntitlementAmount {
    /// `pro`, or `ConcurrentUsers=1`.
    fn text(&self) -> String {
        match self.value {
            None => self.name.clone(),
            Some(v) => format!("{}={v}", self.name),
        }
    }
}

/// One accepted CheckoutLicense.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkout {
    /// The product SKU.
    pub sku: String,
    /// The license's ARN.
    pub license_arn: String,
    /// `PROVISIONAL` or `PERPETUAL`.
    pub checkout_type: String,
    /// The entitlements allowed (what was held or drawn).
    pub entitlements: Vec<EntitlementAmount>,
    /// The token that names this consumption in later calls.
    pub consumption_token: String,
    /// The client token the caller sent.
    pub client_token: String,
    /// The node id the caller sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// Which credential source signed: `ecs-task-role`, `irsa`, `instance-profile`.
    pub caller: String,
    /// Which replica's session signed; `None` for the default session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
    /// Emulator-clock time, epoch seconds.
    pub at: f64,
    /// When a `PROVISIONAL` checkout returns to its pool unless extended, epoch seconds.
    pub expires_at: f64,
}

/// Something that happened to a consumption after its checkout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsumptionEvent {
    /// The product SKU.
    pub sku: String,
    /// The consumption's token.
    pub consumption_token: String,
    /// The floating units the consumption holds (empty for a tier's).
    pub entitlements: Vec<EntitlementAmount>,
    /// Who made the call (for a lapse: who had checked it out).
    pub caller: String,
    /// Which replica's session signed; `None` for the default session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
    /// Emulator-clock time, epoch seconds.
    pub at: f64,
    /// The new expiration (extensions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
}

/// The held tier changed by schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierChange {
    /// The product SKU.
    pub sku: String,
    /// The tier held before (none when none was).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The tier held from then on.
    pub to: String,
    /// When it took effect (its scheduled time), epoch seconds.
    pub at: f64,
}

/// One refused call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    /// `CheckoutLicense`, `CheckInLicense`...
    pub operation: String,
    /// The SKU concerned, when the request got far enough to name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// The error answered (`NoEntitlementsAllowedException`...).
    pub error: String,
    /// The error's message.
    pub message: String,
    /// Who signed, when the signature was checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// Which replica's session signed; `None` for the default session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
    /// Emulator-clock time, epoch seconds.
    pub at: f64,
}

/// A pool's level: a floating pool's seats in use, or a drawdown's quantity drawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolLevel {
    /// The product SKU.
    pub sku: String,
    /// The entitlement's name.
    pub entitlement: String,
    /// `floating` or `drawdown`.
    pub kind: String,
    /// Its unit, as License Manager names it.
    pub unit: String,
    /// The pool's size, or the quantity purchased.
    pub size: u64,
    /// Held by live checkouts, or drawn for good.
    pub in_use: u64,
    /// What is left: the size minus what is in use.
    pub available: u64,
}

impl LicenseActivity {
    /// Whether nothing happened (the ledger then leaves the section out).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The level of one pool, if configured.
    pub fn pool(&self, sku: &str, entitlement: &str) -> Option<&PoolLevel> {
        self.pools
            .iter()
            .find(|p| p.sku == sku && p.entitlement == entitlement)
    }

    /// Total drawn of one drawdown entitlement.
    pub fn drawn(&self, sku: &str, entitlement: &str) -> u64 {
        self.drawdowns
            .iter()
            .filter(|d| d.sku == sku)
            .flat_map(|d| &d.entitlements)
            .filter(|e| e.name == entitlement)
            .filter_map(|e| e.value)
            .sum()
    }

    /// Refusals with one error name.
    pub fn refusal_count(&self, error: &str) -> usize {
        self.refusals.iter().filter(|r| r.error == error).count()
    }

    /// The same with every time rounded to the millisecond: short decimals, which JSON carries
    /// exactly, so a ledger read back over HTTP equals the library's.
    pub(crate) fn in_millis(mut self) -> Self {
        let ms = |t: &mut f64| *t = (*t * 1000.0).round() / 1000.0;
        for c in self.checkouts.iter_mut().chain(&mut self.drawdowns) {
            ms(&mut c.at);
            ms(&mut c.expires_at);
        }
        let events = self.extensions.iter_mut();
        for e in events.chain(&mut self.check_ins).chain(&mut self.lapses) {
            ms(&mut e.at);
            if let Some(t) = &mut e.expires_at {
                ms(t);
            }
        }
        self.tier_changes.iter_mut().for_each(|t| ms(&mut t.at));
        self.refusals.iter_mut().for_each(|r| ms(&mut r.at));
        self
    }

    /// The section of the ledger table: counts, pool levels, then every event by time.
    pub(crate) fn write_table(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "License Manager: {} checkouts, {} drawdowns, {} extensions, {} check-ins, {} lapsed, {} refusals, {} replays",
            self.checkouts.len(),
            self.drawdowns.len(),
            self.extensions.len(),
            self.check_ins.len(),
            self.lapses.len(),
            self.refusals.len(),
            self.replays
        );
        if !self.pools.is_empty() {
            let _ = writeln!(
                out,
                "  {:<28} {:<20} {:<9} {:>10} {:>10} {:>10} unit",
                "sku", "entitlement", "kind", "size", "in use", "available"
            );
            for p in &self.pools {
                let _ = writeln!(
                    out,
                    "  {:<28} {:<20} {:<9} {:>10} {:>10} {:>10} {}",
                    p.sku, p.entitlement, p.kind, p.size, p.in_use, p.available, p.unit
                );
            }
        }
        let mut events: Vec<(f64, String)> = Vec::new();
        let who = |caller: &str, replica: &Option<String>| match replica {
            Some(r) => format!("{caller}/{r}"),
            None => caller.to_string(),
        };
        let amounts = |list: &[EntitlementAmount]| {
            if list.is_empty() {
                "-".to_string()
            } else {
                list.iter()
                    .map(EntitlementAmount::text)
                    .collect::<Vec<_>>()
                    .join(",")
            }
        };
        for (kind, list) in [("checkout", &self.checkouts), ("drawdown", &self.drawdowns)] {
            for c in list {
                events.push((
                    c.at,
                    format!(
                        "{kind:<10} {:<28} {:<24} {:<24} {}",
                        c.sku,
                        amounts(&c.entitlements),
                        who(&c.caller, &c.replica),
                        c.consumption_token
                    ),
                ));
            }
        }
        for (kind, list) in [
            ("extension", &self.extensions),
            ("check-in", &self.check_ins),
            ("lapse", &self.lapses),
        ] {
            for e in list {
                events.push((
                    e.at,
                    format!(
                        "{kind:<10} {:<28} {:<24} {:<24} {}",
                        e.sku,
                        amounts(&e.entitlements),
                        who(&e.caller, &e.replica),
                        e.consumption_token
                    ),
                ));
            }
        }
        for t in &self.tier_changes {
            events.push((
                t.at,
                format!(
                    "{:<10} {:<28} {} -> {}",
                    "tier",
                    t.sku,
                    t.from.as_deref().unwrap_or("none"),
                    t.to
                ),
            ));
        }
        for r in &self.refusals {
            events.push((
                r.at,
                format!(
                    "{:<10} {:<28} {} {}",
                    "refused",
                    r.sku.as_deref().unwrap_or("-"),
                    r.operation,
                    r.error
                ),
            ));
        }
        if events.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "  {:<20} {:<10} {:<28} {:<24} {:<24} consumption token",
            "at (UTC)", "event", "sku", "entitlements", "caller"
        );
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (at, line) in events {
            let _ = writeln!(out, "  {:<20} {line}", iso8601(at));
        }
    }
}
