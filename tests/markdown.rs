//! The repository's markdown as the tests of its content read it: the tracked files, their
//! fenced code blocks, and the lines outside them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One markdown file: its path from the repository root, with `/`, and its text.
pub(crate) struct Markdown {
    pub(crate) path: String,
    pub(crate) text: String,
}

/// A fenced code block: its info string (`rust,no_run`, `sh`, or empty), the 1-based line of
/// its opening fence, and its lines with their numbers.
pub(crate) struct Block<'a> {
    pub(crate) info: &'a str,
    pub(crate) line: usize,
    pub(crate) lines: Vec<(usize, &'a str)>,
}

impl Block<'_> {
    /// The language, the info string's first word (`rust` for `rust,no_run`).
    pub(crate) fn language(&self) -> &str {
        self.info.split([',', ' ']).next().unwrap_or("")
    }
}

pub(crate) fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository root")
        .to_owned()
}

/// Every `*.md` git tracks, in path order; generated trees are never tracked.
pub(crate) fn tracked() -> Vec<Markdown> {
    let root = repository_root();
    let output = Command::new("git")
        .args(["ls-files", "-z", "--", "*.md"])
        .current_dir(&root)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git ls-files: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut paths: Vec<String> = String::from_utf8(output.stdout)
        .expect("UTF-8 paths")
        .split('\0')
        .filter(|path| !path.is_empty())
        .filter(|path| {
            !path
                .split('/')
                .any(|d| d == "target" || d == "node_modules")
        })
        .map(str::to_owned)
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no markdown tracked under {root:?}");
    paths
        .into_iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(root.join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
            Markdown { path, text }
        })
        .collect()
}

/// A fence line's backticks and info string, when the line is one (indented in a list or not).
fn fence(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix("```").map(str::trim)
}

/// The fenced code blocks, in order. An unclosed fence runs to the end, as GitHub shows it.
pub(crate) fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut open: Option<Block<'_>> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        match (open.take(), fence(line)) {
            (None, Some(info)) => {
                open = Some(Block {
                    info,
                    line: number,
                    lines: Vec::new(),
                })
            }
            (None, None) => {}
            (Some(block), Some("")) => blocks.push(block),
            (Some(mut block), _) => {
                block.lines.push((number, line));
                open = Some(block);
            }
        }
    }
    blocks.extend(open);
    blocks
}

/// The lines outside fenced code blocks, with their 1-based numbers.
pub(crate) fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut inside = false;
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        match (inside, fence(line)) {
            (false, Some(_)) => inside = true,
            (true, Some("")) => inside = false,
            (false, None) => lines.push((index + 1, line)),
            (true, _) => {}
        }
    }
    lines
}

#[test]
fn blocks_and_prose_split_at_fences() {
    let text = "a\n```rust,no_run\nfn f() {}\n```\n  ```sh\n  ls\n  ```\nb\n";
    let found = blocks(text);
    assert_eq!(found.len(), 2);
    assert_eq!((found[0].language(), found[0].line), ("rust", 2));
    assert_eq!(found[0].lines, [(3, "fn f() {}")]);
    assert_eq!((found[1].info, found[1].lines.len()), ("sh", 1));
    assert_eq!(prose(text), [(1, "a"), (8, "b")]);
}
