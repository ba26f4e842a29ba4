//! The library crate the fixtures link, standing in for a seller's own: it declares
//! `data_gb` and `gpu_hours` with `dimensions!` and meters them for `fx_library`, whose
//! `main` declares only `requests`. Start-up must dry-run both, so a listing without
//! `gpu_hours` stops it before user code. Unsafe code is forbidden here, as in many
//! libraries: the declaration must compile anyway.

#![forbid(unsafe_code)]

mp_runtime::dimensions!(data_gb, gpu_hours);

/// One job: its gigabytes, and one GPU hour.
pub fn run_job(gb: u64) {
    mp_runtime::meter!(data_gb, gb);
    mp_runtime::meter!(gpu_hours);
}

#[cfg(doctest)]
mod doc_snippets;

// The repository's markdown checked as a seller reads it.
#[cfg(test)]
mod dependency_lines;
#[cfg(test)]
mod exit_code_tables;
#[cfg(test)]
mod markdown;
#[cfg(test)]
mod markdown_links;
#[cfg(test)]
mod snippet_coverage;
