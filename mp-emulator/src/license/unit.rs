//! The units an entitlement is counted in are mp-marketplace-rules' ([`EntitlementUnit`]); this
//! file reads one from the license grammar and its JSON form, by its wire name.

pub use mp_marketplace_rules::license::EntitlementUnit;
use mp_marketplace_rules::license::check_entitlement_unit;
use serde::{Deserialize, Deserializer, Serializer};

/// The unit whose wire name is `s`, or what the license grammar says about it.
pub(crate) fn parse(s: &str) -> Result<EntitlementUnit, String> {
    check_entitlement_unit(s).map_err(|_| {
        format!(
            "unknown entitlement unit `{s}`: use one of {}",
            EntitlementUnit::WIRE_NAMES.join(", ")
        )
    })
}

/// `#[serde(with = "wire")]`: a unit in JSON is its wire name.
pub(crate) mod wire {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        unit: &EntitlementUnit,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(unit.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<EntitlementUnit, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}
