#[mp_runtime::marketplace_main(pricing = "hourly")]
async fn main() {
    println!("never runs");
}
