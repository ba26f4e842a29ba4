//! Every Rust block of the markdown is compiled: its file is one doc_snippets.rs includes,
//! no block is left for rustdoc to take as Rust without a language, and a block that stays
//! `ignore` says why in its first line.

use crate::markdown::{blocks, tracked};

/// doc_snippets.rs is compiled only under `cfg(doctest)`; its text says what it includes.
const INCLUDED: &str = include_str!("doc_snippets.rs");

#[test]
fn every_rust_snippet_is_compiled() {
    let mut problems = Vec::new();
    for file in tracked() {
        let included = INCLUDED.contains(&format!("\"../{}\"", file.path));
        for block in blocks(&file.text) {
            let at = format!("{}:{}", file.path, block.line);
            match block.language() {
                "" => problems.push(format!(
                    "{at}: a fence without a language (rustdoc compiles it as Rust): add sh, text, toml..."
                )),
                "rust" if !included => problems.push(format!(
                    "{at}: a Rust block in a file doc_snippets.rs does not include"
                )),
                "rust" if block.info.contains("ignore") => {
                    let first = block.lines.first().map_or("", |(_, line)| line.trim());
                    if !first.starts_with("//") {
                        problems.push(format!(
                            "{at}: an ignored block says in its first line (a comment) why it is not compiled"
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
