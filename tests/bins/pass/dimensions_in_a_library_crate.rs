//! A library crate declares its dimensions with `dimensions!` at its root and meters them
//! without `#[marketplace_main]` (here a plain `main` stands in for the library's code).

mp_runtime::dimensions!(requests, data_gb);

fn main() {
    mp_runtime::meter!(requests);
    mp_runtime::meter!(data_gb, 7u32);
    // A negative value at run time is refused and counted, never wrapped.
    let n: i32 = std::hint::black_box(-1);
    mp_runtime::meter!(requests, n);
    assert_eq!(mp_runtime::metering_stats().rejected_calls, 1);
}
