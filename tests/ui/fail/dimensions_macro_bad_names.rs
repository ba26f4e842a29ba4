//! `dimensions!` in a library crate checks names like the attribute does.
mp_runtime::dimensions!(requests, "data-gb", requests);

fn main() {}
