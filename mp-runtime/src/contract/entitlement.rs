//! The statics `#[marketplace_main]` writes for each declared floating and drawdown
//! entitlement; `checkout!` and `consume!` take them by reference.

/// A floating entitlement: held with `checkout!`, returned to the pool when dropped.
#[derive(Debug)]
pub struct Floating {
    pub(crate) name: &'static str,
    pub(crate) unit: &'static str,
}

/// A drawdown entitlement: consumed for good with `consume!`.
#[derive(Debug)]
pub struct Drawdown {
    pub(crate) name: &'static str,
    pub(crate) unit: &'static str,
}

impl Floating {
    #[doc(hidden)]
    pub const fn new(name: &'static str, unit: &'static str) -> Self {
        Floating { name, unit }
    }

    /// The entitlement's name in the listing.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl Drawdown {
    #[doc(hidden)]
    pub const fn new(name: &'static str, unit: &'static str) -> Self {
        Drawdown { name, unit }
    }

    /// The entitlement's name in the listing.
    pub fn name(&self) -> &'static str {
        self.name
    }
}
