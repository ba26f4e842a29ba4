//! The units an entitlement is counted in: the service model's `EntitlementUnit`, which
//! `EntitlementDataUnit` (the unit a `CheckoutLicense` names) repeats value for value.

use crate::{Field, Violation, rule};
use std::fmt;

macro_rules! units {
    ($($variant:ident => $wire:literal,)*) => {
        /// An entitlement's unit, as License Manager's model lists them. `None` is a tier's
        /// (a feature held or not); every other unit counts a quantity.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum EntitlementUnit {
            $(
                #[doc = concat!("`", $wire, "`.")]
                $variant,
            )*
        }

        impl EntitlementUnit {
            /// Every unit, in the order the model documents them.
            pub const ALL: &[EntitlementUnit] = &[$(Self::$variant,)*];

            /// Every unit's wire name, in the same order.
            pub const WIRE_NAMES: &[&str] = &[$($wire,)*];

            /// The unit as the wire spells it (`Count`, `Gigabytes`, `Bytes/Second`...).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)*
                }
            }

            /// The unit as a Rust name spells it (`Count`, `Gigabytes`, `BytesPerSecond`...):
            /// the AWS SDKs' variant names, which the macros' `in Unit` takes.
            pub const fn rust_name(self) -> &'static str {
                match self {
                    $(Self::$variant => stringify!($variant),)*
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

impl EntitlementUnit {
    /// Whether the unit counts a quantity (a floating pool or a drawdown): every unit but
    /// `None`.
    pub const fn counts_quantity(self) -> bool {
        !matches!(self, Self::None)
    }

    /// The unit whose wire name is `wire`, exactly (the model's enum is case-sensitive).
    pub fn from_wire(wire: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|u| u.as_str() == wire)
    }

    /// The unit whose Rust name is `name` (see [`rust_name`](Self::rust_name)).
    pub fn from_rust_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|u| u.rust_name() == name)
    }
}

impl fmt::Display for EntitlementUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An entitlement's `Unit`: one of the model's units, spelt as on the wire.
pub fn check_entitlement_unit(wire: &str) -> Result<EntitlementUnit, Violation> {
    EntitlementUnit::from_wire(wire).ok_or_else(|| Violation::NotListed {
        field: Field::EntitlementUnit,
        value: rule::shown(wire),
        listed: EntitlementUnit::WIRE_NAMES,
    })
}
