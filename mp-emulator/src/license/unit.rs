//! The units an entitlement is counted in: the service model's `EntitlementUnit` (and
//! `EntitlementDataUnit`, the same list), spelt as on the wire.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

macro_rules! units {
    ($($variant:ident => $wire:literal,)*) => {
        /// An entitlement's unit, as License Manager's model lists them. `None` is a tier's
        /// (a feature held or not); the others count a quantity.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EntitlementUnit {
            $(#[doc = concat!("`", $wire, "` in License Manager's model.")] $variant,)*
        }

        impl EntitlementUnit {
            /// Every unit, in the model's order.
            pub const ALL: &[EntitlementUnit] = &[$(Self::$variant,)*];

            /// The unit as the wire spells it (`Count`, `Gigabytes`, `Bytes/Second`...).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)*
                }
            }
        }
    };
}

units! {
    Count => "Count",
    None => "None",
    Seconds => "Seconds",
    Microseconds => "Microseconds",
    Milliseconds => "Milliseconds",
    Bytes => "Bytes",
    Kilobytes => "Kilobytes",
    Megabytes => "Megabytes",
    Gigabytes => "Gigabytes",
    Terabytes => "Terabytes",
    Bits => "Bits",
    Kilobits => "Kilobits",
    Megabits => "Megabits",
    Gigabits => "Gigabits",
    Terabits => "Terabits",
    Percent => "Percent",
    BytesPerSecond => "Bytes/Second",
    KilobytesPerSecond => "Kilobytes/Second",
    MegabytesPerSecond => "Megabytes/Second",
    GigabytesPerSecond => "Gigabytes/Second",
    TerabytesPerSecond => "Terabytes/Second",
    BitsPerSecond => "Bits/Second",
    KilobitsPerSecond => "Kilobits/Second",
    MegabitsPerSecond => "Megabits/Second",
    GigabitsPerSecond => "Gigabits/Second",
    TerabitsPerSecond => "Terabits/Second",
    CountPerSecond => "Count/Second",
}

impl FromStr for EntitlementUnit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown entitlement unit `{s}`: use one of {}",
                    Self::ALL
                        .iter()
                        .map(|u| u.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

impl fmt::Display for EntitlementUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EntitlementUnit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EntitlementUnit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_reads_back_from_its_wire_name() {
        assert_eq!(EntitlementUnit::ALL.len(), 27, "the model lists 27 units");
        for unit in EntitlementUnit::ALL {
            assert_eq!(unit.as_str().parse::<EntitlementUnit>(), Ok(*unit));
        }
        assert!("count".parse::<EntitlementUnit>().is_err());
    }
}
