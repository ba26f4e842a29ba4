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

/// README.md's exit-code rows and docs/troubleshooting.md's, each with its file's name.
struct Tables([(&'static str, Vec<(i32, &'static str)>); 2]);

impl Tables {
    fn read() -> Tables {
        Tables([
            ("README.md", readme_rows()),
            ("docs/troubleshooting.md", rows(TROUBLESHOOTING)),
        ])
    }

    /// A problem for each file where no row of `code` is one `wanted` accepts.
    fn lacking(&self, code: i32, wanted: impl Fn(&str) -> bool, what: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(_, rows)| !rows.iter().any(|(c, row)| *c == code && wanted(row)))
            .map(|(file, _)| format!("{file}: no exit-{code} row {what}"))
            .collect()
    }
}

fn value(codes: &[Code], name: &str) -> i32 {
    codes
        .iter()
        .find(|code| code.name == name)
        .unwrap_or_else(|| panic!("exit::{name} is not in exit.rs"))
        .value
}

fn assert_none(problems: Vec<String>) {
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
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
    let tables = Tables::read();
    let mut problems = Vec::new();
    for code in &codes {
        problems.extend(tables.lacking(code.value, |_| true, &format!("({})", code.name)));
        let readme = &tables.0[0].1;
        match readme.iter().filter(|(c, _)| *c == code.value).count() {
            0 | 1 => {}
            n => problems.push(format!(
                "README.md: {n} rows for exit {}, not 1",
                code.value
            )),
        }
    }
    for (file, rows) in &tables.0 {
        for (value, row) in rows {
            if !codes.iter().any(|code| code.value == *value) {
                problems.push(format!("{file}: exit {value} is not in exit.rs: {row}"));
            }
        }
    }
    assert_none(problems);
}

#[test]
fn the_rows_name_each_exception_a_code_stands_for() {
    let tables = Tables::read();
    let mut problems = Vec::new();
    for code in codes() {
        for exception in exceptions(&code.doc) {
            problems.extend(tables.lacking(
                code.value,
                |row| row.contains(exception),
                &format!("names {exception} ({} in exit.rs)", code.name),
            ));
        }
    }
    assert_none(problems);
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
    let tables = Tables::read();
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
            problems.extend(tables.lacking(
                value(&codes, &name),
                |row| model.words.iter().any(|word| row.contains(word)),
                &format!("says {:?} ({name} in {:?})", model.words, model.sources),
            ));
        }
    }
    assert_none(problems);
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
    let other = value(&codes(), "OTHER");
    let tables = Tables::read();
    let mut problems = Vec::new();
    for action in iam_actions() {
        let (service, name) = action.split_once(':').expect("service:Action");
        problems.extend(tables.lacking(
            other,
            |row| row.contains(&format!("{service}:")) && row.contains(name),
            &format!("names {action}"),
        ));
    }
    assert_none(problems);
}

/// The endpoints production builds pin, as the docs write them (`<region>`).
fn endpoint_hosts() -> Vec<String> {
    ["metering_client.rs", "license_client.rs"]
        .iter()
        .map(|file| {
            let path = repository_root().join("mp-runtime/src/aws").join(file);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
            let opening = "format!(\"https://";
            let start = text.find(opening).expect("the pinned endpoint") + opening.len();
            let end = start + text[start..].find('"').expect("its end");
            text[start..end].replace("{region}", "<region>")
        })
        .collect()
}

#[test]
fn network_rows_name_every_endpoint() {
    let codes = codes();
    let tables = Tables::read();
    let mut problems = Vec::new();
    for name in ["GAVE_UP", "INTERCEPTED", "OFFLINE_LIMIT"] {
        for host in endpoint_hosts() {
            problems.extend(tables.lacking(
                value(&codes, name),
                |row| row.contains(&host),
                &format!("names {host}"),
            ));
        }
    }
    assert_none(problems);
}
