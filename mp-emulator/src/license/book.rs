//! License Manager's memory: the license granted for each SKU, the consumptions checked out,
//! what was drawn down, the client tokens answered, the throttle counter, the activity the
//! ledger shows and the license tokens issued. What time changes (a scheduled tier change, a
//! floating consumption reaching its expiration) is applied lazily by [`LicenseBook::settle`],
//! against the emulator clock, before anything reads or changes the book.

use super::activity::{
    ConsumptionEvent, EntitlementAmount, LicenseActivity, PoolLevel, TierChange,
};
use super::spec::{LicenseSpec, Quantity};
use super::token_book::LicenseTokens;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// How long a `PROVISIONAL` checkout or extension holds its units: 60 minutes.
pub(crate) const CONSUMPTION_SECS: f64 = 3600.0;

/// How long an answered client token is remembered: at least a day of emulator clock.
const CLIENT_TOKEN_SECS: f64 = 86_400.0;

/// A drawdown entitlement and how much of it was drawn.
#[derive(Clone, Debug)]
pub(crate) struct Drawdown {
    pub(crate) purchased: Quantity,
    pub(crate) drawn: u64,
}

/// The license granted for one SKU.
#[derive(Clone, Debug)]
pub(crate) struct Granted {
    pub(crate) sku: String,
    pub(crate) arn: String,
    /// Starts at 1; each replacement or tier change is a new version.
    pub(crate) version: u64,
    pub(crate) tier: Option<String>,
    pub(crate) floating: Vec<Quantity>,
    pub(crate) drawdown: Vec<Drawdown>,
    pub(crate) created_at: f64,
    pub(crate) expires_at: Option<f64>,
    /// Tier changes to come, by time.
    pub(crate) upgrades: Vec<(f64, String)>,
}

impl Granted {
    pub(crate) fn expired(&self, now: f64) -> bool {
        self.expires_at.is_some_and(|end| now >= end)
    }

    pub(crate) fn pool(&self, name: &str) -> Option<&Quantity> {
        self.floating.iter().find(|q| q.name == name)
    }

    pub(crate) fn drawdown(&self, name: &str) -> Option<&Drawdown> {
        self.drawdown.iter().find(|d| d.purchased.name == name)
    }
}

/// One checkout's consumption: what a `PROVISIONAL` checkout holds until it is checked in or
/// reaches its expiration, or a `PERPETUAL` one's record.
#[derive(Clone, Debug)]
pub(crate) struct Consumption {
    pub(crate) sku: String,
    pub(crate) perpetual: bool,
    /// Floating units held (drawn units, for a perpetual one).
    pub(crate) units: Vec<EntitlementAmount>,
    pub(crate) caller: String,
    pub(crate) replica: Option<String>,
    pub(crate) expires_at: f64,
}

/// A checkout answered under a client token.
#[derive(Clone, Debug)]
pub(crate) struct Answered {
    pub(crate) request: String,
    pub(crate) response: Value,
    pub(crate) at: f64,
}

#[derive(Debug, Default)]
pub(crate) struct LicenseBook {
    licenses: BTreeMap<String, Granted>,
    /// Each SKU's license ARN, kept when its license is removed and set again.
    arns: HashMap<String, String>,
    /// By consumption token.
    pub(crate) consumptions: HashMap<String, Consumption>,
    /// By (caller, client token): a client token belongs to the caller's role.
    pub(crate) answered: HashMap<(String, String), Answered>,
    /// The next this many License Manager calls are throttled.
    pub(crate) throttle_next: u32,
    /// Whether License Manager was called at all (the ledger shows it from then on).
    pub(crate) called: bool,
    pub(crate) activity: LicenseActivity,
    /// License tokens and the sessions made from them.
    pub(crate) tokens: LicenseTokens,
}

impl LicenseBook {
    /// Grants `spec` for `sku` at `now` (epoch seconds), replacing its license if any: the
    /// same ARN, a new version, and what was drawn of each drawdown entitlement stays drawn.
    /// Live consumptions keep holding their units.
    pub(crate) fn set(&mut self, sku: &str, spec: &LicenseSpec, now: f64) {
        let previous = self.licenses.remove(sku);
        let arn = self
            .arns
            .entry(sku.to_string())
            .or_insert_with(|| {
                format!(
                    "arn:aws:license-manager::{}:license:l-{}",
                    super::issuer::MARKETPLACE_ACCOUNT,
                    crate::ids::uuid_like().replace('-', "")
                )
            })
            .clone();
        let drawn = |name: &str| {
            previous
                .as_ref()
                .and_then(|p| p.drawdown(name))
                .map_or(0, |d| d.drawn)
        };
        let mut upgrades: Vec<(f64, String)> = spec
            .upgrades
            .iter()
            .map(|u| (u.at.resolve(now), u.tier.clone()))
            .collect();
        upgrades.sort_by(|a, b| a.0.total_cmp(&b.0));
        let granted = Granted {
            sku: sku.to_string(),
            arn,
            version: previous.as_ref().map_or(1, |p| p.version + 1),
            tier: spec.tier.clone(),
            floating: spec.floating.clone(),
            drawdown: spec
                .drawdown
                .iter()
                .map(|q| Drawdown {
                    purchased: q.clone(),
                    drawn: drawn(&q.name),
                })
                .collect(),
            created_at: previous.as_ref().map_or(now, |p| p.created_at),
            expires_at: spec.expires.map(|w| w.resolve(now)),
            upgrades,
        };
        self.licenses.insert(sku.to_string(), granted);
    }

    /// Takes `sku`'s license away (what a buyer without a subscription has); its
    /// consumptions go with it. Whether there was one.
    pub(crate) fn remove(&mut self, sku: &str) -> bool {
        self.consumptions.retain(|_, c| c.sku != sku);
        self.licenses.remove(sku).is_some()
    }

    /// Schedules the held tier of `sku` to become `tier` at `at`.
    pub(crate) fn schedule_tier(&mut self, sku: &str, tier: &str, at: f64) -> Result<(), String> {
        let license = self
            .licenses
            .get_mut(sku)
            .ok_or_else(|| format!("no license is set for SKU `{sku}`"))?;
        if license.pool(tier).is_some() || license.drawdown(tier).is_some() {
            return Err(format!(
                "`{tier}` is a counted entitlement of {sku}, not a tier"
            ));
        }
        license.upgrades.push((at, tier.to_string()));
        license.upgrades.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(())
    }

    /// The SKU whose license has (or had) `arn`.
    pub(crate) fn sku_of_arn(&self, arn: &str) -> Option<&str> {
        self.arns
            .iter()
            .find(|(_, a)| a.as_str() == arn)
            .map(|(sku, _)| sku.as_str())
    }

    /// The license `arn` if the buyer holds it now.
    pub(crate) fn license_by_arn(&self, arn: &str) -> Option<&Granted> {
        self.license(self.sku_of_arn(arn)?)
    }

    pub(crate) fn license(&self, sku: &str) -> Option<&Granted> {
        self.licenses.get(sku)
    }

    pub(crate) fn license_mut(&mut self, sku: &str) -> Option<&mut Granted> {
        self.licenses.get_mut(sku)
    }

    pub(crate) fn licenses(&self) -> impl Iterator<Item = &Granted> {
        self.licenses.values()
    }

    /// Applies what time did up to `now`: scheduled tier changes take effect, floating
    /// consumptions past their expiration return to their pools, old client tokens are
    /// forgotten.
    pub(crate) fn settle(&mut self, now: f64) {
        for license in self.licenses.values_mut() {
            while license.upgrades.first().is_some_and(|(at, _)| *at <= now) {
                let (at, tier) = license.upgrades.remove(0);
                if license.tier.as_deref() == Some(tier.as_str()) {
                    continue;
                }
                self.activity.tier_changes.push(TierChange {
                    sku: license.sku.clone(),
                    from: license.tier.replace(tier.clone()),
                    to: tier,
                    at,
                });
                license.version += 1;
            }
        }
        let mut lapsed: Vec<(String, Consumption)> = Vec::new();
        self.consumptions.retain(|token, c| {
            let live = c.perpetual || now < c.expires_at;
            if !live {
                lapsed.push((token.clone(), c.clone()));
            }
            live
        });
        lapsed.sort_by(|a, b| a.1.expires_at.total_cmp(&b.1.expires_at));
        // A tier's checkout holds nothing: its end is not worth a ledger line.
        for (token, c) in lapsed.into_iter().filter(|(_, c)| !c.units.is_empty()) {
            self.activity.lapses.push(ConsumptionEvent {
                sku: c.sku,
                consumption_token: token,
                entitlements: c.units,
                caller: c.caller,
                replica: c.replica,
                at: c.expires_at,
                expires_at: None,
            });
        }
        self.answered.retain(|_, a| now < a.at + CLIENT_TOKEN_SECS);
    }

    /// Units of floating entitlement `name` of `sku` held by live consumptions (settle first).
    pub(crate) fn in_use(&self, sku: &str, name: &str) -> u64 {
        self.consumptions
            .values()
            .filter(|c| !c.perpetual && c.sku == sku)
            .flat_map(|c| &c.units)
            .filter(|u| u.name == name)
            .filter_map(|u| u.value)
            .sum()
    }

    /// Every pool's level (settle first).
    pub(crate) fn levels(&self) -> Vec<PoolLevel> {
        let mut levels = Vec::new();
        for license in self.licenses.values() {
            for q in &license.floating {
                let in_use = self.in_use(&license.sku, &q.name);
                levels.push(PoolLevel {
                    sku: license.sku.clone(),
                    entitlement: q.name.clone(),
                    kind: "floating".into(),
                    unit: q.unit.to_string(),
                    size: q.quantity,
                    in_use,
                    available: q.quantity.saturating_sub(in_use),
                });
            }
            for d in &license.drawdown {
                levels.push(PoolLevel {
                    sku: license.sku.clone(),
                    entitlement: d.purchased.name.clone(),
                    kind: "drawdown".into(),
                    unit: d.purchased.unit.to_string(),
                    size: d.purchased.quantity,
                    in_use: d.drawn,
                    available: d.purchased.quantity.saturating_sub(d.drawn),
                });
            }
        }
        levels
    }

    /// The ledger's section: empty until License Manager is called, then the activity and
    /// the pools' levels (settle first).
    pub(crate) fn snapshot(&self) -> LicenseActivity {
        if !self.called {
            return LicenseActivity::default();
        }
        LicenseActivity {
            pools: self.levels(),
            ..self.activity.clone()
        }
        .in_millis()
    }
}

/// Whole epoch seconds, for the ledger.
pub(crate) fn whole(epoch_secs: f64) -> u64 {
    epoch_secs.max(0.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::spec::When;

    fn held(sku: &str, units: u64, expires_at: f64) -> Consumption {
        Consumption {
            sku: sku.into(),
            perpetual: false,
            units: vec![EntitlementAmount {
                name: "Seats".into(),
                unit: "Count".into(),
                value: Some(units),
            }],
            caller: "irsa".into(),
            replica: None,
            expires_at,
        }
    }

    #[test]
    fn floating_units_return_exactly_at_their_expiration() {
        let mut book = LicenseBook::default();
        book.set("p", &LicenseSpec::new().floating("Seats", 3), 1000.0);
        book.consumptions.insert("a".into(), held("p", 2, 4600.0));
        book.settle(4599.0);
        assert_eq!(book.in_use("p", "Seats"), 2);
        book.settle(4600.0);
        assert_eq!(book.in_use("p", "Seats"), 0);
        assert_eq!(book.activity.lapses.len(), 1);
        assert_eq!(book.activity.lapses[0].at, 4600.0);
    }

    #[test]
    fn replacing_keeps_the_arn_and_what_was_drawn() {
        let mut book = LicenseBook::default();
        let spec =
            LicenseSpec::new().drawdown("GB", 10, crate::license::EntitlementUnit::Gigabytes);
        book.set("p", &spec, 0.0);
        let arn = book.license("p").unwrap().arn.clone();
        book.license_mut("p").unwrap().drawdown[0].drawn = 4;
        book.set("p", &spec.clone().tier("pro"), 10.0);
        let l = book.license("p").unwrap();
        assert_eq!(
            (l.arn.as_str(), l.version, l.drawdown[0].drawn),
            (arn.as_str(), 2, 4)
        );
        assert!(book.remove("p"));
        book.set("p", &spec, 20.0);
        assert_eq!(book.license("p").unwrap().arn, arn, "the SKU keeps its ARN");
    }

    #[test]
    fn scheduled_tiers_take_effect_in_order() {
        let mut book = LicenseBook::default();
        let spec = LicenseSpec::new()
            .tier("basic")
            .upgrade(When::After(200), "max")
            .upgrade(When::After(100), "pro");
        book.set("p", &spec, 0.0);
        book.settle(150.0);
        assert_eq!(book.license("p").unwrap().tier.as_deref(), Some("pro"));
        book.settle(250.0);
        let l = book.license("p").unwrap();
        assert_eq!((l.tier.as_deref(), l.version), (Some("max"), 3));
        let changes: Vec<_> = book
            .activity
            .tier_changes
            .iter()
            .map(|t| (t.to.as_str(), t.at))
            .collect();
        assert_eq!(changes, [("pro", 100.0), ("max", 200.0)]);
    }
}
