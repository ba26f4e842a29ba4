#[mp_runtime::marketplace_main(product_code = "abc", pricing = "hourly")]
fn main<T: Default>() {
    let _ = T::default();
}
