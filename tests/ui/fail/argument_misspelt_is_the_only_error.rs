// A misspelt argument stands for the one it suggests: besides the misspellings, no "missing
// `product_code`" and no "pricing = "custom" needs at least one dimension".
#[mp_runtime::marketplace_main(prodct_code = "abc", pricing = "custom", dimension(requests))]
async fn main() {
    println!("never runs");
}
