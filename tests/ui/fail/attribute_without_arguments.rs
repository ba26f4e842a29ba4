#[mp_runtime::marketplace_main]
fn main() {
    println!("never runs");
}
