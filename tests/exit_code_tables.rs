//! The exit-code tables an operator reads (README.md's and docs/troubleshooting.md's) agree
//! with `mp_runtime::exit`: every code has its row, every AWS exception a code stands for is
//! named there, and each pricing model's causes are in the rows of the codes it ends with,
//! with the permissions and endpoints that model needs.

use crate::markdown::repository_root;
use std::collections::BTreeSet;
use std::path::Path;

const EXIT_RS: &str = include_str!("../mp-runtime/src/exit.rs");
const README: &str = include_str!("../README.md");
const TROUBLESHOOTING: &str = include_str!("../docs/troubleshooting.md");

/// One constant of exit.rs: its name, value and doc comment.
struct Code {
    name: String,
    value: i32,
    doc: String,
}

fn codes() -> Vec<Code> {
    let mut codes = Vec::new();
    let mut doc = String::new();
    for line in EXIT_RS.lines().map(str::trim) {
        if let Some(text) = line.strip_prefix("///") {
            doc.push_str(text);
            doc.push(' ');
        } else if let Some(rest) = line.strip_prefix("pub const ") {
            let (name, value) = rest
                .strip_suffix(';')
                .and_then(|rest| rest.split_once(": i32 = "))
                .unwrap_or_else(|| panic!("exit.rs: unexpected constant `{line}`"));
            codes.push(Code {
                name: name.to_owned(),
                value: value.parse().expect("an integer code"),
                doc: std::mem::take(&mut doc),
            });
        } else {
            doc.clear();
        }
    }
    assert!(codes.len() > 10, "exit.rs read as {} codes", codes.len());
    codes
}

/// The rows `| <code> | ...` of a markdown text, with their codes.
fn rows(text: &str) -> Vec<(i32, &str)> {
    text.lines()
        .filter_map(|line| {
            let (code, _) = line.strip_prefix("| ")?.split_once(" |")?;
            Some((code.parse().ok()?, line))
        })
        .collect()
}

/// README.md's section "Exit codes": both of its tables.
fn readme_rows() -> Vec<(i32, &'static str)> {
    let start = README
        .find("### Exit codes")
        .expect("README has an exit-code section");
    let section = &README[start..];
    let end = section.find("\n## ").unwrap_or(section.len());
    rows(&section[..end])
}

fn rows_of<'a>(rows: &[(i32, &'a str)], code: i32) -> Vec<&'a str> {
    rows.iter()
        .filter(|(c, _)| *c == code)
        .map(|(_, row)| *row)
        .collect()
}

/// The AWS exceptions a code's doc comment names (`SomethingException`).
fn exceptions(doc: &str) -> Vec<&str> {
    doc.split('`')
        .filter(|word| word.ends_with("Exception") && !word.contains(' '))
        .collect()
}

#[test]
fn every_code_has_one_readme_row_and_a_troubleshooting_row() {
    let codes = codes();
    let readme = readme_rows();
    let troubleshooting = rows(TROUBLESHOOTING);
    let known: BTreeSet<i32> = codes.iter().map(|code| code.value).collect();
    let mut problems = Vec::new();
    for code in &codes {
        let (value, name) = (code.value, &code.name);
        match rows_of(&readme, value).len() {
            1 => {}
            n => problems.push(format!(
                "README.md: {n} rows for exit {value} ({name}), not 1"
            )),
        }
        if rows_of(&troubleshooting, value).is_empty() {
            problems.push(format!(
                "docs/troubleshooting.md: no row for exit {value} ({name})"
            ));
        }
    }
    for (file, rows) in [
        ("README.md", &readme),
        ("docs/troubleshooting.md", &troubleshooting),
    ] {
        for (value, row) in rows.iter() {
            if !known.contains(value) {
                problems.push(format!("{file}: exit {value} is not in exit.rs: {row}"));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_rows_name_each_exception_a_code_stands_for() {
    let readme = readme_rows();
    let troubleshooting = rows(TROUBLESHOOTING);
    let mut problems = Vec::new();
    for code in codes() {
        for exception in exceptions(&code.doc) {
            for (file, rows) in [
                ("README.md", &readme),
                ("docs/troubleshooting.md", &troubleshooting),
            ] {
                if !rows_of(rows, code.value)
                    .iter()
                    .any(|row| row.contains(exception))
                {
                    problems.push(format!(
                        "{file}: no exit-{} row names {exception} ({} in exit.rs)",
                        code.value, code.name
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// A pricing model whose own code (outside what every model shares) ends processes: the
/// sources that hold it, and the words troubleshooting's rows for it carry.
struct Model {
    sources: &'static [&'static str],
    words: &'static [&'static str],
}

const MODELS: [Model; 2] = [
    Model {
        sources: &["mp-runtime/src/usage"],
        words: &["custom pricing", "MeterUsage"],
    },
    Model {
        sources: &["mp-runtime/src/contract"],
        words: &["contract pricing", "License Manager"],
    },
];

/// The exit constants a source tree names outside its tests.
fn names_used(path: &Path, found: &mut BTreeSet<String>) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("{path:?}: {e}"))
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            if entry
                .file_name()
                .is_some_and(|name| name != "tests" && name != "tests.rs")
            {
                names_used(&entry, found);
            }
        }
        return;
    }
    if path.extension().is_none_or(|ext| ext != "rs") {
        return;
    }
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    for piece in code.split("exit::").skip(1) {
        let name: String = piece
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
}

#[test]
fn each_pricing_model_has_rows_for_the_codes_it_ends_with() {
    let codes = codes();
    let troubleshooting = rows(TROUBLESHOOTING);
    let readme = readme_rows();
    let mut problems = Vec::new();
    for model in &MODELS {
        let mut names = BTreeSet::new();
        for source in model.sources {
            names_used(&repository_root().join(source), &mut names);
        }
        assert!(
            !names.is_empty(),
            "{:?} end with no exit code",
            model.sources
        );
        for name in names {
            let code = codes
                .iter()
                .find(|code| code.name == name)
                .unwrap_or_else(|| panic!("exit::{name} is not in exit.rs"));
            let carries = |row: &&str| model.words.iter().any(|word| row.contains(word));
            if !rows_of(&troubleshooting, code.value).iter().any(carries) {
                problems.push(format!(
                    "docs/troubleshooting.md: no exit-{} row says {:?} ({name} in {:?})",
                    code.value, model.words, model.sources
                ));
            }
            if !rows_of(&readme, code.value).iter().any(carries) {
                problems.push(format!(
                    "README.md: the exit-{} row does not say {:?} ({name} in {:?})",
                    code.value, model.words, model.sources
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The IAM actions the examples' task roles are granted, one example per pricing model.
fn iam_actions() -> BTreeSet<String> {
    let mut actions = BTreeSet::new();
    for example in ["ecs-hourly", "eks-custom", "ecs-contract"] {
        let path = repository_root().join(format!("examples/{example}/deploy/iam-policy.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let policy: serde_json::Value = serde_json::from_str(&text).expect("policy JSON");
        for statement in policy["Statement"].as_array().expect("statements") {
            for action in statement["Action"].as_array().expect("an action list") {
                actions.insert(action.as_str().expect("an action").to_owned());
            }
        }
    }
    actions
}

#[test]
fn an_access_denied_row_names_every_models_permissions() {
    let readme = readme_rows();
    let troubleshooting = rows(TROUBLESHOOTING);
    let other = codes()
        .into_iter()
        .find(|code| code.name == "OTHER")
        .expect("exit::OTHER");
    let mut problems = Vec::new();
    for action in iam_actions() {
        let (service, name) = action.split_once(':').expect("service:Action");
        for (file, rows) in [
            ("README.md", &readme),
            ("docs/troubleshooting.md", &troubleshooting),
        ] {
            let rows = rows_of(rows, other.value);
            if !rows
                .iter()
                .any(|row| row.contains(&format!("{service}:")) && row.contains(name))
            {
                problems.push(format!(
                    "{file}: no exit-{} row names {action}",
                    other.value
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The endpoints production builds pin, as the docs write them (`<region>`).
fn endpoint_hosts() -> Vec<String> {
    ["metering_client.rs", "license_client.rs"]
        .iter()
        .map(|file| {
            let path = repository_root().join("mp-runtime/src/aws").join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let start = text
                .find("format!(\"https://")
                .expect("the pinned endpoint")
                + 17;
            let end = start + text[start..].find('"').expect("its end");
            text[start..end].replace("{region}", "<region>")
        })
        .collect()
}

#[test]
fn network_rows_name_every_endpoint() {
    let codes = codes();
    let readme = readme_rows();
    let troubleshooting = rows(TROUBLESHOOTING);
    let mut problems = Vec::new();
    for name in ["GAVE_UP", "INTERCEPTED", "OFFLINE_LIMIT"] {
        let value = codes
            .iter()
            .find(|code| code.name == name)
            .expect(name)
            .value;
        for host in endpoint_hosts() {
            for (file, rows) in [
                ("README.md", &readme),
                ("docs/troubleshooting.md", &troubleshooting),
            ] {
                if !rows_of(rows, value).iter().any(|row| row.contains(&host)) {
                    problems.push(format!("{file}: no exit-{value} row names {host}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
