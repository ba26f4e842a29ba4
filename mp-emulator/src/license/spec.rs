//! A license as the emulator is told to grant it, per product SKU: the compact grammar of
//! `--license SKU=SPEC` (and of the control API), its JSON form, and the builder the library
//! offers. Times are on the emulator clock, absolute or relative to when the license is set.
//!
//! `SPEC` is items separated by `;`:
//! `tier:NAME`, `floating:NAME=N[/UNIT]`, `drawdown:NAME=N[/UNIT]`, `expires:WHEN`,
//! `upgrade:WHEN=TIER`; or the single word `none` (no license). `UNIT` defaults to `Count`;
//! `WHEN` is `+30d`, `-1h`, `+90m`, `+45s` (from when the license is set), epoch seconds, or
//! RFC 3339 (`2027-01-01T00:00:00Z`).

use super::unit::{self, EntitlementUnit};
use mp_marketplace_rules::license::{check_entitlement_name, check_product_sku};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The product SKU of the demo contract license, present when no `--license` is given.
pub const DEMO_CONTRACT_SKU: &str = "prod-mpemudemocontract01";

/// The demo contract license: tier `pro` held (the listing's tiers are `basic` and `pro`), a
/// floating pool of 5 `ConcurrentUsers`, 100 `DataGB` to draw down, valid for a year.
pub const DEMO_CONTRACT_LICENSE: &str =
    "tier:pro;floating:ConcurrentUsers=5;drawdown:DataGB=100/Gigabytes;expires:+365d";

/// The items a `SPEC` may hold, for error messages.
const ITEMS: &str =
    "tier:NAME, floating:NAME=N[/UNIT], drawdown:NAME=N[/UNIT], expires:WHEN, upgrade:WHEN=TIER";

/// A moment on the emulator clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Epoch seconds.
    At(u64),
    /// Seconds after (negative: before) the moment the license is set.
    After(i64),
}

impl When {
    /// Epoch seconds, for a license set at `set_at`.
    pub(crate) fn resolve(self, set_at: f64) -> f64 {
        match self {
            Self::At(t) => t as f64,
            Self::After(secs) => set_at + secs as f64,
        }
    }
}

impl FromStr for When {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "`{s}` is not a time: use +30d, -1h, +90m, +45s (from when the license is set), epoch seconds or RFC 3339"
            )
        };
        if let Some(sign) = s.chars().next().filter(|c| *c == '+' || *c == '-') {
            let body = &s[1..];
            let split = body.len().saturating_sub(1);
            let (digits, suffix) = body.split_at(split);
            let scale = match suffix {
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86_400,
                _ => return Err(bad()),
            };
            let n: i64 = digits.parse().map_err(|_| bad())?;
            let secs = n.checked_mul(scale).ok_or_else(bad)?;
            return Ok(Self::After(if sign == '-' { -secs } else { secs }));
        }
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse().map(Self::At).map_err(|_| bad());
        }
        let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|_| bad())?;
        u64::try_from(t.unix_timestamp())
            .map(Self::At)
            .map_err(|_| bad())
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::At(t) => write!(f, "{t}"),
            Self::After(secs) => {
                let sign = if secs < 0 { '-' } else { '+' };
                let n = secs.unsigned_abs();
                match [(86_400, 'd'), (3600, 'h'), (60, 'm')]
                    .into_iter()
                    .find(|(scale, _)| n > 0 && n % scale == 0)
                {
                    Some((scale, unit)) => write!(f, "{sign}{}{unit}", n / scale),
                    None => write!(f, "{sign}{n}s"),
                }
            }
        }
    }
}

/// JSON: epoch seconds as a number, anything else as its string form.
impl Serialize for When {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::At(t) => s.serialize_u64(t),
            Self::After(_) => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Epoch(u64),
            Text(String),
        }
        match Form::deserialize(d)? {
            Form::Epoch(t) => Ok(Self::At(t)),
            Form::Text(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// A counted entitlement: a floating pool's size, or a drawdown's purchased quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quantity {
    /// The entitlement's name.
    pub name: String,
    /// The pool's size, or the quantity purchased.
    pub quantity: u64,
    /// Its unit (`Count` unless given).
    #[serde(default = "count", with = "unit::wire")]
    pub unit: EntitlementUnit,
}

fn count() -> EntitlementUnit {
    EntitlementUnit::Count
}

/// The held tier becomes `tier` at `at` (an upgrade, or a downgrade).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upgrade {
    /// When the change takes effect.
    pub at: When,
    /// The tier held from then on.
    pub tier: String,
}

/// What a buyer holds for one product SKU. JSON form (every field optional):
/// `{"tier": "pro", "floating": [{"name": "ConcurrentUsers", "quantity": 5}],
///   "drawdown": [{"name": "DataGB", "quantity": 100, "unit": "Gigabytes"}],
///   "expires": "+30d", "upgrades": [{"at": "+2h", "tier": "enterprise"}]}`
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LicenseSpec {
    /// The tier held: an entitlement with unit `None`, checked out `PROVISIONAL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Floating pools: checked out `PROVISIONAL`, back after 60 minutes, on check-in, or
    /// extended.
    pub floating: Vec<Quantity>,
    /// Drawdown quantities: checked out `PERPETUAL`, consumed for good.
    pub drawdown: Vec<Quantity>,
    /// The end of the license's validity; none: it does not expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<When>,
    /// Tier changes to come.
    pub upgrades: Vec<Upgrade>,
}

impl LicenseSpec {
    /// A license holding nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The demo contract license ([`DEMO_CONTRACT_LICENSE`]).
    pub fn demo() -> Self {
        match DEMO_CONTRACT_LICENSE.parse() {
            Ok(spec) => spec,
            Err(e) => unreachable!("the demo license parses: {e}"),
        }
    }

    /// The tier held (an entitlement of unit `None`).
    pub fn tier(mut self, tier: &str) -> Self {
        self.tier = Some(tier.to_string());
        self
    }

    /// A floating pool of `size` counted in `Count`.
    pub fn floating(self, name: &str, size: u64) -> Self {
        self.floating_in(name, size, EntitlementUnit::Count)
    }

    /// A floating pool of `size` counted in `unit`.
    pub fn floating_in(mut self, name: &str, size: u64, unit: EntitlementUnit) -> Self {
        self.floating.push(Quantity {
            name: name.to_string(),
            quantity: size,
            unit,
        });
        self
    }

    /// A drawdown entitlement of `quantity` in `unit`.
    pub fn drawdown(mut self, name: &str, quantity: u64, unit: EntitlementUnit) -> Self {
        self.drawdown.push(Quantity {
            name: name.to_string(),
            quantity,
            unit,
        });
        self
    }

    /// When the license expires.
    pub fn expires(mut self, when: When) -> Self {
        self.expires = Some(when);
        self
    }

    /// The held tier becomes `tier` at `at`.
    pub fn upgrade(mut self, at: When, tier: &str) -> Self {
        self.upgrades.push(Upgrade {
            at,
            tier: tier.to_string(),
        });
        self
    }

    /// Checks names, units and quantities: every entitlement name valid (mp-marketplace-rules'
    /// rule) and used once, pools counted in a unit other than `None`, quantities within
    /// License Manager's `Long`.
    pub fn validate(&self) -> Result<(), String> {
        let mut names: Vec<&str> = Vec::new();
        let tiers = self
            .tier
            .iter()
            .chain(self.upgrades.iter().map(|u| &u.tier));
        for tier in tiers {
            check_name(tier)?;
        }
        for q in self.floating.iter().chain(&self.drawdown) {
            check_name(&q.name)?;
            if names.contains(&q.name.as_str()) {
                return Err(format!("entitlement `{}` is given twice", q.name));
            }
            if self.tier.as_deref() == Some(q.name.as_str())
                || self.upgrades.iter().any(|u| u.tier == q.name)
            {
                return Err(format!(
                    "`{}` is both a tier and a counted entitlement",
                    q.name
                ));
            }
            if q.unit == EntitlementUnit::None {
                return Err(format!(
                    "`{}` counts a quantity, so its unit cannot be None (None is a tier's unit)",
                    q.name
                ));
            }
            if q.quantity > i64::MAX as u64 {
                return Err(format!(
                    "`{}`: {} is more than License Manager counts ({})",
                    q.name,
                    q.quantity,
                    i64::MAX
                ));
            }
            names.push(&q.name);
        }
        Ok(())
    }
}

/// An entitlement name, by mp-marketplace-rules' rule.
fn check_name(name: &str) -> Result<(), String> {
    check_entitlement_name(name).map_err(|v| v.to_string())
}

/// `N[/UNIT]`
fn quantity(name: &str, amount: &str, item: &str) -> Result<Quantity, String> {
    let (n, unit) = match amount.split_once('/') {
        Some((n, text)) => (n, unit::parse(text)?),
        None => (amount, EntitlementUnit::Count),
    };
    let quantity = n
        .parse()
        .map_err(|_| format!("`{item}`: `{n}` is not a whole number"))?;
    Ok(Quantity {
        name: name.to_string(),
        quantity,
        unit,
    })
}

impl FromStr for LicenseSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut spec = LicenseSpec::default();
        let items: Vec<&str> = s
            .split(';')
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .collect();
        if items.is_empty() {
            return Err(format!(
                "the license is empty: give {ITEMS} (separated by `;`), or `none` for no license"
            ));
        }
        for item in items {
            let (key, value) = item
                .split_once(':')
                .ok_or_else(|| format!("`{item}` is not one of {ITEMS}"))?;
            let pair = || {
                value
                    .split_once('=')
                    .ok_or_else(|| format!("`{item}` must be {key}:NAME=VALUE"))
            };
            match key {
                "tier" => {
                    if spec.tier.is_some() {
                        return Err(format!(
                            "`{item}`: a license holds one tier; use upgrade:WHEN=TIER to change it"
                        ));
                    }
                    spec.tier = Some(value.to_string());
                }
                "floating" => {
                    let (name, amount) = pair()?;
                    spec.floating.push(quantity(name, amount, item)?);
                }
                "drawdown" => {
                    let (name, amount) = pair()?;
                    spec.drawdown.push(quantity(name, amount, item)?);
                }
                "expires" => {
                    if spec.expires.is_some() {
                        return Err(format!("`{item}`: expires is given twice"));
                    }
                    spec.expires = Some(value.parse()?);
                }
                "upgrade" => {
                    let (at, tier) = value
                        .split_once('=')
                        .ok_or_else(|| format!("`{item}` must be upgrade:WHEN=TIER"))?;
                    spec.upgrades.push(Upgrade {
                        at: at.parse()?,
                        tier: tier.to_string(),
                    });
                }
                other => {
                    return Err(format!(
                        "unknown item `{other}:` in `{item}`: a license is {ITEMS}"
                    ));
                }
            }
        }
        spec.validate()?;
        Ok(spec)
    }
}

/// The compact form, which parses back to the same license while no name holds the
/// grammar's separators (`;`, and `=` in a counted entitlement's name).
impl fmt::Display for LicenseSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut items = Vec::new();
        if let Some(tier) = &self.tier {
            items.push(format!("tier:{tier}"));
        }
        for (kind, list) in [("floating", &self.floating), ("drawdown", &self.drawdown)] {
            for q in list {
                items.push(match q.unit {
                    EntitlementUnit::Count => format!("{kind}:{}={}", q.name, q.quantity),
                    unit => format!("{kind}:{}={}/{unit}", q.name, q.quantity),
                });
            }
        }
        if let Some(when) = self.expires {
            items.push(format!("expires:{when}"));
        }
        for u in &self.upgrades {
            items.push(format!("upgrade:{}={}", u.at, u.tier));
        }
        f.write_str(&items.join(";"))
    }
}

/// `SKU=SPEC`, the `--license` flag: the SKU and its license, `None` for `SKU=none`.
pub fn parse_license_flag(s: &str) -> Result<(String, Option<LicenseSpec>), String> {
    let (sku, spec) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not SKU=SPEC (SPEC: {ITEMS}, separated by `;`)"))?;
    check_sku(sku)?;
    if spec.trim() == "none" {
        return Ok((sku.to_string(), None));
    }
    Ok((sku.to_string(), Some(spec.parse()?)))
}

/// A product SKU, by mp-marketplace-rules' rule.
pub(crate) fn check_sku(sku: &str) -> Result<(), String> {
    check_product_sku(sku).map_err(|v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_license_parses_and_prints_back() {
        let demo = LicenseSpec::demo();
        assert_eq!(demo.tier.as_deref(), Some("pro"));
        assert_eq!(demo.floating[0].quantity, 5);
        assert_eq!(demo.floating[0].unit, EntitlementUnit::Count);
        assert_eq!(demo.drawdown[0].unit, EntitlementUnit::Gigabytes);
        assert_eq!(demo.expires, Some(When::After(365 * 86_400)));
        assert_eq!(demo.to_string(), DEMO_CONTRACT_LICENSE);
    }

    #[test]
    fn every_item_parses() {
        let spec: LicenseSpec =
            "tier:basic; floating:Seats=3/Count ;drawdown:Bytes=7/Bytes/Second;expires:1800000000;upgrade:+2h=pro;upgrade:2027-01-01T00:00:00Z=enterprise"
                .parse()
                .unwrap();
        assert_eq!(spec.drawdown[0].unit, EntitlementUnit::BytesPerSecond);
        assert_eq!(spec.expires, Some(When::At(1_800_000_000)));
        assert_eq!(spec.upgrades[0].at, When::After(7200));
        assert_eq!(spec.upgrades[1].at, When::At(1_798_761_600));
        assert_eq!(spec.to_string().parse::<LicenseSpec>().unwrap(), spec);
    }

    #[test]
    fn times() {
        for (text, when) in [
            ("+30d", When::After(30 * 86_400)),
            ("-1h", When::After(-3600)),
            ("+90m", When::After(5400)),
            ("+45s", When::After(45)),
            ("0", When::At(0)),
        ] {
            assert_eq!(text.parse::<When>(), Ok(when), "{text}");
        }
        for bad in [
            "",
            "+",
            "+5",
            "+5y",
            "+d",
            "tomorrow",
            "-1",
            "2027-13-01T00:00:00Z",
        ] {
            assert!(bad.parse::<When>().is_err(), "{bad}");
        }
        assert_eq!(When::After(-90).to_string(), "-90s");
        assert_eq!(When::After(7200).to_string(), "+2h");
    }

    #[test]
    fn mistakes_are_clear_errors() {
        for (spec, says) in [
            ("", "empty"),
            ("tiers:pro", "unknown item `tiers:`"),
            ("pro", "is not one of"),
            ("floating:Seats", "floating:NAME=VALUE"),
            ("floating:Seats=x", "not a whole number"),
            ("floating:Seats=1/Users", "unknown entitlement unit `Users`"),
            ("floating:Seats=1/None", "cannot be None"),
            ("floating:Seats=1;drawdown:Seats=2", "given twice"),
            ("tier:Seats;floating:Seats=2", "both a tier"),
            ("tier:a;tier:b", "one tier"),
            ("expires:soon", "is not a time"),
            ("upgrade:+1h", "upgrade:WHEN=TIER"),
            ("tier:", "entitlement Name cannot be empty"),
        ] {
            let e = spec.parse::<LicenseSpec>().unwrap_err();
            assert!(e.contains(says), "{spec}: {e}");
        }
    }

    #[test]
    fn the_flag_takes_a_sku_and_a_spec_or_none() {
        let (sku, spec) = parse_license_flag("prod-x=tier:pro").unwrap();
        assert_eq!(
            (sku.as_str(), spec.unwrap().tier.unwrap().as_str()),
            ("prod-x", "pro")
        );
        assert_eq!(parse_license_flag("prod-x=none").unwrap().1, None);
        assert!(parse_license_flag("prod-x").is_err());
        assert!(parse_license_flag("=tier:pro").is_err());
        // The SKU takes any characters but the `=` that ends it.
        assert!(parse_license_flag("prod x=tier:pro").is_ok());
    }

    #[test]
    fn json_form() {
        let spec: LicenseSpec = serde_json::from_str(
            r#"{"tier": "pro", "floating": [{"name": "Seats", "quantity": 2}],
                "expires": 1800000000, "upgrades": [{"at": "+1h", "tier": "max"}]}"#,
        )
        .unwrap();
        assert_eq!(
            spec,
            LicenseSpec::new()
                .tier("pro")
                .floating("Seats", 2)
                .expires(When::At(1_800_000_000))
                .upgrade(When::After(3600), "max")
        );
        let again: LicenseSpec =
            serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(again, spec);
        assert!(serde_json::from_str::<LicenseSpec>(r#"{"tiers": "pro"}"#).is_err());
    }
}
