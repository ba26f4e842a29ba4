//! Verifies the RegisterUsage signature with mp-emulator's test-only public key (the copy
//! the UI cases use, inside this package, so `cargo package` can build it).

mod support;

#[mp_runtime::marketplace_main(
    product_code = "e2ehourly0000000000000001",
    pricing = "hourly",
    public_key = "keys/test-only-public.pem",
    public_key_version = 1
)]
async fn main() {
    support::report();
}
