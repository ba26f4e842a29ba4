//! What the program knows of its license: the tier held, the status, the expiry and the
//! entitlements' limits, as last checked. The keeper publishes each check on a watch
//! channel; [`License`] is the seller's typed view of it, to read or to await.

use std::marker::PhantomData;
use std::time::SystemTime;
use tokio::sync::watch;

/// The tier enum `#[marketplace_main(tiers(enum Plan { .. }))]` writes implements this;
/// `main` then takes `License<Plan>`. Sealed: only the attribute implements it, so items can
/// be added to it without breaking anyone.
pub trait ContractTier: TierSealed + Copy + Send + Sync + 'static {
    /// The tiers' entitlement names, lowest first, in variant order.
    const ENTITLEMENTS: &'static [&'static str];
    /// The variant at `index` in [`Self::ENTITLEMENTS`].
    fn from_index(index: usize) -> Option<Self>;
}

/// What seals [`ContractTier`]: the attribute implements it for the tier enum it writes.
/// Not a stable API.
#[doc(hidden)]
pub trait TierSealed {}

impl TierSealed for NoTiers {}

/// The tier type of a contract without tiers: `main` takes `License` (`License<NoTiers>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoTiers {}

impl ContractTier for NoTiers {
    const ENTITLEMENTS: &'static [&'static str] = &[];
    fn from_index(_: usize) -> Option<Self> {
        None
    }
}

/// Whether the license still holds, as of the last check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LicenseStatus {
    /// Checked out successfully.
    Active,
    /// The license expired: License Manager says so, or its end (`expires_at`) passed on
    /// this host's clock while License Manager could not be asked. Running work is not
    /// stopped: the seller decides (finish sessions, refuse new ones, ...).
    Expired,
    /// License Manager no longer allows the entitlements (the agreement was cancelled, or
    /// the tier is gone). As with expiry, nothing is stopped.
    NotEntitled,
    /// License Manager could not be asked for longer than the program's `offline_limit`, so
    /// the last state is no longer trusted. The runtime ends the process (exit 95) right
    /// after publishing it.
    Unverified,
}

/// An entitlement's limit, from the license License Manager lists.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EntitlementLimit {
    pub(crate) name: String,
    pub(crate) max_count: Option<i64>,
    pub(crate) unit: String,
}

impl EntitlementLimit {
    /// The entitlement's name in the listing.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The purchased maximum (seats in the pool, units to draw down); `None` if unlimited or
    /// not reported.
    pub fn max_count(&self) -> Option<i64> {
        self.max_count
    }

    /// License Manager's unit (`Count`, `Gigabytes`, ...).
    pub fn unit(&self) -> &str {
        &self.unit
    }
}

/// The last check, untyped: the tier as an index into the declared tiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub(crate) tier: Option<usize>,
    pub(crate) status: LicenseStatus,
    pub(crate) expires_at: Option<SystemTime>,
    pub(crate) limits: Vec<EntitlementLimit>,
    pub(crate) license_arn: Option<String>,
    pub(crate) checked_at: SystemTime,
}

impl Snapshot {
    pub(crate) fn unknown() -> Self {
        Snapshot {
            tier: None,
            status: LicenseStatus::NotEntitled,
            expires_at: None,
            limits: Vec::new(),
            license_arn: None,
            checked_at: SystemTime::UNIX_EPOCH,
        }
    }
}

/// The license as of one check, with the tier as the seller's enum.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LicenseState<T> {
    tier: Option<T>,
    status: LicenseStatus,
    expires_at: Option<SystemTime>,
    limits: Vec<EntitlementLimit>,
    license_arn: Option<String>,
    checked_at: SystemTime,
}

impl<T: Copy> LicenseState<T> {
    /// The tier the buyer held at the last successful check; `None` without tiers.
    pub fn tier(&self) -> Option<T> {
        self.tier
    }

    /// Whether the license still holds.
    pub fn status(&self) -> LicenseStatus {
        self.status
    }

    /// When the license ends (its validity), if it ends.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// The entitlements' limits.
    pub fn limits(&self) -> &[EntitlementLimit] {
        &self.limits
    }

    /// The limit of the entitlement named `name` in the listing, if the license has one.
    pub fn limit(&self, name: &str) -> Option<&EntitlementLimit> {
        self.limits.iter().find(|l| l.name == name)
    }

    /// The license's ARN.
    pub fn license_arn(&self) -> Option<&str> {
        self.license_arn.as_deref()
    }

    /// When this check was made (the runtime's clock).
    pub fn checked_at(&self) -> SystemTime {
        self.checked_at
    }
}

/// The buyer's license, handed to `main`: read it with [`License::state`] or
/// [`License::tier`], await a change with [`License::changed`]. Cheap to clone; every clone
/// sees every re-check (every 15 minutes).
#[derive(Debug)]
pub struct License<T: ContractTier = NoTiers> {
    receiver: watch::Receiver<Snapshot>,
    tier: PhantomData<T>,
}

impl<T: ContractTier> Clone for License<T> {
    fn clone(&self) -> Self {
        License {
            receiver: self.receiver.clone(),
            tier: PhantomData,
        }
    }
}

impl<T: ContractTier> License<T> {
    pub(crate) fn new(receiver: watch::Receiver<Snapshot>) -> Self {
        License {
            receiver,
            tier: PhantomData,
        }
    }

    /// The state as of the last check.
    pub fn state(&self) -> LicenseState<T> {
        typed(&self.receiver.borrow())
    }

    /// The tier held at the last successful check.
    pub fn tier(&self) -> Option<T> {
        self.receiver.borrow().tier.and_then(T::from_index)
    }

    /// The held tier's entitlement name in the listing (`"pro"`), for an operator's line;
    /// `None` without a tier.
    pub fn tier_entitlement(&self) -> Option<&'static str> {
        self.receiver
            .borrow()
            .tier
            .and_then(|index| T::ENTITLEMENTS.get(index).copied())
    }

    /// Whether the license is in force: the last check found it so, its end has not passed
    /// on this host's clock, and that check is not older than the offline limit.
    pub fn is_active(&self) -> bool {
        self.receiver.borrow().status == LicenseStatus::Active
    }

    /// Waits until a check finds something different (an upgrade, a renewal, expiry), and
    /// returns the new state. Pending forever once the runtime stops checking.
    pub async fn changed(&mut self) -> LicenseState<T> {
        if self.receiver.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
        typed(&self.receiver.borrow_and_update())
    }
}

fn typed<T: ContractTier>(snapshot: &Snapshot) -> LicenseState<T> {
    LicenseState {
        tier: snapshot.tier.and_then(T::from_index),
        status: snapshot.status,
        expires_at: snapshot.expires_at,
        limits: snapshot.limits.clone(),
        license_arn: snapshot.license_arn.clone(),
        checked_at: snapshot.checked_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Plan {
        Basic,
        Pro,
    }

    impl TierSealed for Plan {}

    impl ContractTier for Plan {
        const ENTITLEMENTS: &'static [&'static str] = &["B", "P"];
        fn from_index(index: usize) -> Option<Self> {
            [Plan::Basic, Plan::Pro].get(index).copied()
        }
    }

    #[test]
    fn a_change_is_seen_typed() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let (sender, receiver) = watch::channel(Snapshot {
            tier: Some(0),
            status: LicenseStatus::Active,
            ..Snapshot::unknown()
        });
        let mut license = License::<Plan>::new(receiver);
        assert_eq!(license.tier(), Some(Plan::Basic));
        assert!(license.is_active());
        sender.send_modify(|s| s.tier = Some(1));
        let state = rt.block_on(license.changed());
        assert_eq!(state.tier, Some(Plan::Pro));
        assert_eq!(license.clone().tier(), Some(Plan::Pro));
    }
}
