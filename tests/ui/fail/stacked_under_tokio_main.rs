// tokio expands first and hides its attribute; ours recognises tokio's output instead.
#[tokio::main]
#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
async fn main() {
    println!("never runs");
}
