// Ours runs first and sees #[tokio::main] (the reverse order: stacked_under_tokio_main.rs).
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
#[tokio::main]
async fn main() {
    println!("never runs");
}
