//! Every `meter!` form in a custom-pricing program: +1, an integer quantity of any integer
//! type, a reference, and a usage allocation with tags. Start-up dry-runs each dimension;
//! the usage is flushed when `main` returns.

use mp_runtime::meter;

#[mp_runtime::marketplace_main(
    product_code = "mpemudemocustom0000000001",
    pricing = "custom",
    dimensions(requests, data_gb),
    offline_limit = "30m"
)]
async fn main() {
    meter!(requests);
    meter!(requests,);
    meter!(data_gb, 3u8);
    let bytes: u64 = 5 * 1024;
    meter!(data_gb, bytes / 1024);
    let signed: i64 = 2;
    meter!(requests, signed);
    meter!(requests, &signed);
    meter!(requests, 1_000_000_000);
    let tenant = String::from("tenant-a");
    meter!(requests, 4, tags = [("tenant", tenant.as_str())]);
    meter!(
        requests,
        tags = vec![("tenant".to_string(), "tenant-b".to_string())]
    );
    helper::work();
    let stats = mp_runtime::metering_stats();
    assert_eq!(stats.rejected_calls, 0);
}

mod helper {
    /// `meter!` works anywhere in the crate, not only next to `main`.
    pub(crate) fn work() {
        mp_runtime::meter!(requests, 1u16);
    }
}
