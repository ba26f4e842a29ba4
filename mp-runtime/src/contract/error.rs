//! The one error of `checkout!` and `consume!`, so a function using both can `?` either:
//! which refusal it was, or what License Manager (or the way to it) answered, with the SDK's
//! error kept as the source.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

/// Why `checkout!` or `consume!` gave nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContractError {
    /// `checkout!`: every unit of the floating pool is held. Try later, or tell the user the
    /// seats are taken.
    PoolEmpty {
        /// The entitlement's name in the listing.
        entitlement: &'static str,
        /// The units asked for.
        requested: u64,
    },
    /// `consume!`: less than `requested` is left of the purchased quantity. Nothing was
    /// drawn.
    Exhausted {
        /// The entitlement's name in the listing.
        entitlement: &'static str,
        /// The units asked for.
        requested: u64,
    },
    /// `checkout!` or `consume!` asked for a quantity License Manager does not take: 0, or
    /// more than it counts (`i64::MAX`). Nothing was asked of License Manager.
    InvalidQuantity {
        /// The entitlement's name in the listing.
        entitlement: &'static str,
        /// The units asked for.
        requested: u64,
    },
    /// The license expired.
    LicenseExpired,
    /// License Manager did not answer in time (throttling, network), after retries with one
    /// client token. For `consume!`, whether the draw happened is not known here; License
    /// Manager's record of the license says.
    Unavailable(LicenseManagerError),
    /// License Manager refused the call for another reason (permissions, validation).
    Refused(LicenseManagerError),
    /// This process did not start up with contract pricing.
    NotStarted,
}

impl ContractError {
    /// `Err(InvalidQuantity)` for a quantity no checkout may ask, before any call is made.
    pub(crate) fn check_quantity(entitlement: &'static str, units: u64) -> Result<(), Self> {
        if mp_marketplace_rules::license::is_quantity(units) {
            return Ok(());
        }
        Err(ContractError::InvalidQuantity {
            entitlement,
            requested: units,
        })
    }
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContractError::PoolEmpty {
                entitlement,
                requested,
            } => write!(
                f,
                "no {requested} unit(s) of {entitlement} left in the pool"
            ),
            ContractError::Exhausted {
                entitlement,
                requested,
            } => write!(f, "{entitlement} has fewer than {requested} unit(s) left"),
            ContractError::InvalidQuantity {
                entitlement,
                requested,
            } => write!(
                f,
                "{requested} unit(s) of {entitlement} is not a quantity License Manager takes \
                 (1 to {}); nothing was asked",
                mp_marketplace_rules::license::MAX_QUANTITY
            ),
            ContractError::LicenseExpired => f.write_str("the license expired"),
            ContractError::Unavailable(why) => write!(f, "License Manager unavailable: {why}"),
            ContractError::Refused(why) => write!(f, "License Manager refused: {why}"),
            ContractError::NotStarted => {
                f.write_str("this process did not start up with contract pricing")
            }
        }
    }
}

impl Error for ContractError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ContractError::Unavailable(why) | ContractError::Refused(why) => Some(why),
            _ => None,
        }
    }
}

/// What License Manager, or the way to it, answered: the service's `Code: message` (or what
/// went wrong without one), and the AWS SDK's error as the source when there was one.
#[derive(Debug, Clone)]
pub struct LicenseManagerError {
    message: String,
    source: Option<Arc<dyn Error + Send + Sync>>,
}

impl LicenseManagerError {
    /// The service's `Code: message`, or what went wrong without one.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn caused_by(message: String, source: impl Error + Send + Sync + 'static) -> Self {
        LicenseManagerError {
            message,
            source: Some(Arc::new(source)),
        }
    }
}

impl From<String> for LicenseManagerError {
    fn from(message: String) -> Self {
        LicenseManagerError {
            message,
            source: None,
        }
    }
}

impl From<&str> for LicenseManagerError {
    fn from(message: &str) -> Self {
        message.to_owned().into()
    }
}

/// Two answers are the same answer when they say the same; the source is detail.
impl PartialEq for LicenseManagerError {
    fn eq(&self, other: &Self) -> bool {
        self.message == other.message
    }
}

impl Eq for LicenseManagerError {}

impl fmt::Display for LicenseManagerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for LicenseManagerError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn one_error_for_both_macros_keeps_its_source() {
        assert_send_sync::<ContractError>();
        let io = std::io::Error::other("connection reset");
        let error = ContractError::Unavailable(LicenseManagerError::caused_by(
            "dispatch failure".into(),
            io,
        ));
        assert_eq!(
            error.to_string(),
            "License Manager unavailable: dispatch failure"
        );
        let answer = error.source().expect("the answer");
        assert_eq!(
            answer.source().expect("the SDK's error").to_string(),
            "connection reset"
        );
        assert!(ContractError::NotStarted.source().is_none());
    }

    #[test]
    fn a_quantity_license_manager_would_refuse_is_refused_before_any_call() {
        assert!(ContractError::check_quantity("DataGB", 1).is_ok());
        for units in [0, u64::MAX] {
            let error = ContractError::check_quantity("DataGB", units).unwrap_err();
            assert!(matches!(
                error,
                ContractError::InvalidQuantity { entitlement: "DataGB", requested } if requested == units
            ));
        }
        assert_eq!(
            ContractError::check_quantity("DataGB", 0)
                .unwrap_err()
                .to_string(),
            "0 unit(s) of DataGB is not a quantity License Manager takes (1 to \
             9223372036854775807); nothing was asked"
        );
    }
}
