//! Verifies the RegisterUsage signature with mp-emulator's test-only public key.

mod support;

#[mp_runtime::marketplace_main(
    product_code = "e2ehourly0000000000000001",
    pricing = "hourly",
    public_key = "../mp-emulator/keys/test-only-public.pem",
    public_key_version = 1
)]
async fn main() {
    support::report();
}
