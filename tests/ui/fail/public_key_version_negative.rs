// trybuild compiles this in target/tests/trybuild/mp-tests: key paths are relative to that.
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", public_key = "../../../../tests/keys/test-only-public.pem", public_key_version = -1)]
async fn main() {
    println!("never runs");
}
