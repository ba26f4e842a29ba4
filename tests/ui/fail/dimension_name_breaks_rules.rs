//! Each name is underlined with the rule it breaks: the service's, or Rust's (it becomes an item).
#[mp_runtime::marketplace_main(
    product_code = "abc",
    pricing = "custom",
    dimensions(requests, "data-gb", 1gb, type, "")
)]
async fn main() {
    println!("never runs");
}
