//! The markdown's dependency lines for mp-runtime and mp-emulator are the quick start's:
//! the crates are not published, so a seller depends on a checkout by path or on the
//! repository by git, and every guide says it the same way.

use crate::markdown::{Markdown, blocks, tracked};

const CRATES: [&str; 2] = ["mp-runtime", "mp-emulator"];

/// Where the quick start puts the checkout (seen from the seller's package) and the
/// repository it clones.
struct Sources {
    checkout: String,
    repository: String,
}

fn quick_start(files: &[Markdown]) -> Sources {
    let text = &files
        .iter()
        .find(|file| file.path == "docs/quick-start.md")
        .expect("docs/quick-start.md")
        .text;
    let words = |prefix: &str| {
        blocks(text)
            .into_iter()
            .flat_map(|block| block.lines)
            .find_map(|(_, line)| line.trim().strip_prefix(prefix).map(str::to_owned))
            .unwrap_or_else(|| panic!("the quick start has no `{prefix}...` line"))
    };
    let runtime_path = words("cargo add mp-runtime --path ");
    Sources {
        checkout: runtime_path
            .strip_suffix("/mp-runtime")
            .expect("the quick start's path ends with the crate's directory")
            .to_owned(),
        repository: words("git clone "),
    }
}

/// Why a line naming one of the crates does not say what the quick start says, if it does not.
fn disagreement(line: &str, sources: &Sources) -> Option<String> {
    let code = line.trim();
    for name in CRATES {
        let path = format!("{}/{name}", sources.checkout);
        let toml = code.contains(&format!("{name} = "))
            && !code.contains(&format!("path = \"{path}\""))
            && !code.contains(&format!("git = \"{}\"", sources.repository));
        let command = code.starts_with("cargo add ")
            && code
                .split_whitespace()
                .any(|word| word == name || word.starts_with(&format!("{name}@")))
            && !code.contains(&format!("--path {path}"))
            && !code.contains(&format!("--git {}", sources.repository));
        if toml || command {
            return Some(format!(
                "depend on {name} as the quick start does: path \"{path}\" or git \"{}\"",
                sources.repository
            ));
        }
    }
    None
}

#[test]
fn dependency_lines_agree_with_the_quick_start() {
    let files = tracked();
    let sources = quick_start(&files);
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in &files {
        for block in blocks(&file.text) {
            for (number, line) in block.lines {
                if CRATES.iter().any(|name| line.contains(name)) {
                    seen += 1;
                }
                if let Some(why) = disagreement(line, &sources) {
                    problems.push(format!("{}:{number}: {}: {why}", file.path, line.trim()));
                }
            }
        }
    }
    assert!(seen > 0, "no block names the crates");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn what_disagrees() {
    let sources = Sources {
        checkout: "../checkout".into(),
        repository: "https://example.com/repo".into(),
    };
    let fine = [
        r#"mp-runtime = { path = "../checkout/mp-runtime", features = ["metrics"] }"#,
        r#"#   mp-emulator = { git = "https://example.com/repo" }"#,
        "cargo add mp-runtime --path ../checkout/mp-runtime --features contract",
        "# once published: cargo add mp-runtime@0.1",
        "cargo add anyhow",
    ];
    for line in fine {
        assert_eq!(disagreement(line, &sources), None, "{line}");
    }
    let wrong = [
        r#"mp-runtime = "0.1""#,
        r#"// Cargo.toml: mp-runtime = { version = "0.1", features = ["metrics"] }"#,
        r#"mp-emulator = { path = "../../mp-emulator" }"#,
        "cargo add mp-runtime@0.1",
        "cargo add mp-emulator --path ../elsewhere/mp-emulator",
    ];
    for line in wrong {
        assert!(disagreement(line, &sources).is_some(), "{line}");
    }
}
