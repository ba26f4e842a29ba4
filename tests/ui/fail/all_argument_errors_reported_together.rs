#[mp_runtime::marketplace_main(product_code = 5, pricing = "custom", flavr = "current_thread", worker_threads = 0)]
async fn main() {
    println!("never runs");
}
