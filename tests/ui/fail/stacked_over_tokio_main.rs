// Ours runs first and sees #[tokio::main]. With the order reversed tokio expands first and
// this attribute cannot see it: see the docs of `marketplace_main`.
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
#[tokio::main]
async fn main() {
    println!("never runs");
}
