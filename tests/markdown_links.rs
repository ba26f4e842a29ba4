//! Every relative link of the repository's markdown leads somewhere: the file or directory
//! exists, and a `#anchor` is the GitHub slug of a heading of the markdown file it names.

use crate::markdown::{Markdown, prose, repository_root, tracked};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// A link's target as written, and the line it ends on.
struct Link<'a> {
    line: usize,
    target: &'a str,
}

/// The text with its inline code spans blanked: a bracket in code is not a link.
fn without_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for (index, piece) in line.split('`').enumerate() {
        if index % 2 == 0 {
            out.push_str(piece);
        } else {
            out.extend(std::iter::repeat_n(' ', piece.len() + 2));
        }
    }
    out
}

/// Inline links and images (`](target)`, their text may start on an earlier line) and
/// reference definitions (`[label]: target`), outside code.
fn links(text: &str) -> Vec<Link<'_>> {
    let mut found = Vec::new();
    for (line, raw) in prose(text) {
        let plain = without_code(raw);
        let mut rest = plain.as_str();
        let mut offset = 0;
        while let Some(at) = rest.find("](") {
            let start = offset + at + 2;
            let Some(len) = plain[start..].find(')') else {
                break;
            };
            let target = raw[start..start + len]
                .split_whitespace()
                .next()
                .unwrap_or("");
            found.push(Link { line, target });
            offset = start + len;
            rest = &plain[offset..];
        }
        let trimmed = plain.trim_start();
        if trimmed.starts_with('[')
            && let Some(at) = trimmed.find("]: ")
        {
            let start = plain.len() - trimmed.len() + at + 3;
            let target = raw[start..].split_whitespace().next().unwrap_or("");
            found.push(Link { line, target });
        }
    }
    found
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, punctuation other than `-` and
/// `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a markdown file's headings; a repeated heading's anchors get `-1`, `-2`...
fn anchors(text: &str) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    prose(text)
        .into_iter()
        .filter_map(|(_, line)| {
            let title = line.trim_start_matches('#');
            (title.len() < line.len() && line.len() - title.len() <= 6 && title.starts_with(' '))
                .then(|| slug(title))
        })
        .map(|anchor| {
            let count = seen.entry(anchor.clone()).or_insert(0);
            let unique = match *count {
                0 => anchor,
                n => format!("{anchor}-{n}"),
            };
            *count += 1;
            unique
        })
        .collect()
}

/// `base/relative` with `.` and `..` resolved; `None` when it leaves the repository.
fn resolve(base: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for component in base.join(relative).components() {
        match component {
            Component::Normal(part) => path.push(part),
            Component::ParentDir => {
                if !path.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(path)
}

/// Why a link leads nowhere, if it does.
fn broken(file: &Markdown, target: &str, files: &BTreeMap<&str, &str>) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") || target.is_empty() {
        return None;
    }
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let base = Path::new(&file.path).parent().unwrap_or(Path::new(""));
    let Some(resolved) = resolve(base, path) else {
        return Some("leaves the repository".to_owned());
    };
    let resolved = match path {
        "" => file.path.clone(),
        _ => resolved.to_string_lossy().replace('\\', "/"),
    };
    let text = if let Some(text) = files.get(resolved.as_str()) {
        Some(*text)
    } else if repository_root().join(&resolved).exists() {
        None
    } else {
        return Some(format!("{resolved} does not exist"));
    };
    let anchor = anchor?;
    match text {
        Some(text) if anchors(text).iter().any(|a| a == anchor) => None,
        Some(_) => Some(format!("no heading of {resolved} has the anchor #{anchor}")),
        None if resolved.ends_with(".md") => Some(format!("{resolved} is not tracked")),
        None => None,
    }
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let files = tracked();
    let texts: BTreeMap<&str, &str> = files
        .iter()
        .map(|file| (file.path.as_str(), file.text.as_str()))
        .collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        for link in links(&file.text) {
            checked += 1;
            if let Some(why) = broken(file, link.target, &texts) {
                problems.push(format!(
                    "{}:{}: ({}): {why}",
                    file.path, link.line, link.target
                ));
            }
        }
    }
    assert!(checked > 50, "only {checked} links found");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn links_anchors_and_slugs_read_as_github_does() {
    let text = "# Licenses: `SKU=SPEC`\n## Licenses: SKU=SPEC\n```sh\n# not a heading\n```\n\
                see [the\nspec](other.md#licenses-skuspec), `[not](a link)`, ![x](img.png)\n\
                [ref]: ../README.md\n";
    assert_eq!(anchors(text), ["licenses-skuspec", "licenses-skuspec-1"]);
    let targets: Vec<_> = links(text).iter().map(|l| (l.line, l.target)).collect();
    assert_eq!(
        targets,
        [
            (7, "other.md#licenses-skuspec"),
            (7, "img.png"),
            (8, "../README.md")
        ]
    );
    assert_eq!(
        slug("What `meter!` costs, and why (2 cores)"),
        "what-meter-costs-and-why-2-cores"
    );
    assert_eq!(
        resolve(Path::new("docs"), "../README.md"),
        Some("README.md".into())
    );
    assert_eq!(resolve(Path::new("docs"), "../../x"), None);
}
