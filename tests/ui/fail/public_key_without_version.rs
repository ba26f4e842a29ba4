#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly", public_key = "../../../../tests/keys/test-only-public.pem")]
async fn main() {
    println!("never runs");
}
