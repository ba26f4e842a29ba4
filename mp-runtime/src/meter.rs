//! `meter!`, `dimensions!`, `checkout!` and `consume!`: `macro_rules!` fronts that hand `$crate` and their tokens to
//! the checkers in mp-macros (the sqlx/tracing model), so a renamed dependency still works.

/// Records usage of a custom-pricing dimension: one relaxed atomic add, no lock, no
/// allocation, no syscall. The flusher sends each hour's total as one `MeterUsage`.
///
/// ```no_run
/// use mp_runtime::meter;
///
/// const GB: u64 = 1 << 30;
///
/// #[mp_runtime::marketplace_main(
///     product_code = "5sk2cmh9n3vb1ex4ofpq7rl8t",
///     pricing = "custom",
///     dimensions(requests, data_gb),
/// )]
/// fn main() {
///     let (bytes, tenant_id) = (3 * GB, "acme");
///     meter!(requests);                                     // +1
///     meter!(data_gb, bytes / GB);                          // any integer type, never wraps
///     meter!(requests, 1u8, tags = [("tenant", tenant_id)]); // a usage allocation
/// }
/// ```
///
/// The dimension must be declared in this crate: in `#[marketplace_main(pricing = "custom",
/// dimensions(requests, data_gb), ..)]`, or with `mp_runtime::dimensions!(..)` at the root of
/// a library crate. A misspelt name does not compile (the error suggests the nearest
/// declared name and lists them all); neither does a negative or fractional literal
/// quantity. A negative value at run time is refused, logged and counted in
/// [`metering_stats`](crate::metering_stats), never wrapped; a zero is counted there too
/// (`zero_calls`, logged the first time). A count that would pass 2^63 units between two
/// drains (once a second) stops there: the excess is refused the same way.
///
/// With `tags`, a tag set already seen this hour allocates nothing and takes no lock every
/// thread takes (a read lock of one of 64 shards, then an atomic add); a dimension keeps at
/// most 2,499 tag sets an hour (as many as one record carries, about 0.5 MB with one short
/// tag), and a new one past that is billed untagged at once, counted in
/// `metering_stats().untagged_overflow` and logged once a dimension-hour
/// (docs/dimensions.md states the bound in bytes).
///
/// In an hourly or monthly program the error says that its pricing cannot meter and where
/// dimensions are declared. A crate with neither `#[marketplace_main]` nor `dimensions!`
/// gets rustc's own "could not find `__mp_dimensions` in the crate root": declare the
/// dimensions as above. (A fallback that a declaration could override cannot be reached by
/// the macro path `meter!` needs: rustc refuses a glob import shadowing an outer name there.)
#[macro_export]
macro_rules! meter {
    ($($input:tt)*) => {
        $crate::__private::__meter!($crate; $($input)*)
    };
}

/// Declares custom-pricing dimensions in a library crate, at its root, so `meter!` can be
/// used there. Usage of the same name from the binary and its libraries is added up into one
/// record per hour. The declaration registers the dimensions as the program loads (Linux,
/// macOS, Windows), so start-up dry-runs them with the binary's own: a name the listing
/// lacks stops start-up (exit 91) before the seller's code runs.
///
/// ```
/// // lib.rs of the seller's library crate
/// mp_runtime::dimensions!(requests, data_gb);
///
/// pub fn handle_upload(bytes: u64) {
///     mp_runtime::meter!(requests);
///     mp_runtime::meter!(data_gb, bytes.div_ceil(1 << 30));
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! dimensions {
    ($($input:tt)*) => {
        $crate::__private::__dimensions!($crate; $($input)*);
    };
}

/// Holds a floating entitlement of a contract (`#[marketplace_main(pricing = "contract",
/// floating(..))]`): `checkout!(name)` one unit, `checkout!(name, n)` n. An `async`
/// expression giving `Result<Seat, ContractError>`; the [`Seat`](crate::Seat) is extended
/// while held and returned to the pool when dropped.
///
/// ```no_run
/// use mp_runtime::{License, checkout};
///
/// #[mp_runtime::marketplace_main(
///     pricing = "contract",
///     product_sku = "prod-abcd1234efgh5",
///     tiers(enum Plan { Basic = "BasicTier", Pro = "ProTier" }),
///     floating(concurrent_users = "ConcurrentUsers"),
/// )]
/// async fn main(license: License<Plan>) -> Result<(), mp_runtime::ContractError> {
///     let _seat = checkout!(concurrent_users).await?;
///     println!("{:?} tier, one seat held", license.tier());
///     Ok(())
/// }
/// ```
///
/// The name must be a declared floating entitlement: a misspelt one does not compile (the
/// error suggests the nearest), nor does a drawdown entitlement (the error names
/// `consume!`).
#[cfg(feature = "contract")]
#[macro_export]
macro_rules! checkout {
    ($($input:tt)*) => {
        $crate::__private::__checkout!($crate; $($input)*)
    };
}

/// Draws a drawdown entitlement of a contract down for good: `consume!(data_gb, n)`, an
/// `async` expression giving `Result<Drawn, ContractError>`. One client token per call: its
/// retries never draw twice. [`ContractError::Exhausted`](crate::ContractError) when less than
/// `n` is left (nothing is drawn).
///
/// ```no_run
/// use mp_runtime::{License, consume};
///
/// #[mp_runtime::marketplace_main(
///     pricing = "contract",
///     product_sku = "prod-abcd1234efgh5",
///     tiers(enum Plan { Basic = "BasicTier" }),
///     drawdown(data_gb = "DataGB" in Gigabytes),
/// )]
/// async fn main(_license: License<Plan>) {
///     match consume!(data_gb, 3).await {
///         Ok(drawn) => println!("drew {} GB", drawn.units),
///         Err(e) => eprintln!("upload refused: {e}"),
///     }
/// }
/// ```
#[cfg(feature = "contract")]
#[macro_export]
macro_rules! consume {
    ($($input:tt)*) => {
        $crate::__private::__consume!($crate; $($input)*)
    };
}
