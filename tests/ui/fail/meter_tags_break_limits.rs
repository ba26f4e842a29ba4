//! Literal tags are checked against the service's rules where they are written.
use mp_runtime::meter;

#[mp_runtime::marketplace_main(product_code = "abc", pricing = "custom", dimensions(requests))]
fn main() {
    meter!(requests, 1, tags = [("tenant", "a"), ("tenant", "b")]);
    meter!(requests, 1, tags = [("tenant", "")]);
    meter!(requests, 1, tags = []);
    meter!(requests, 1, tags = [("tenant!", "a")]);
    meter!(requests, 1, tags = [("a", "1"), ("b", "1"), ("c", "1"), ("d", "1"), ("e", "1"), ("f", "1")]);
}
