//! Reading the examples for `deploy_files.rs`: what an example's code declares (its
//! `#[marketplace_main]` arguments, the environment variables it and mp-runtime read), and
//! what its deployment files name. Plain string scanning: the YAML here is simple, written
//! by us, and already checked for validity by `.ci/lint-deploy`.

// Shared by several test binaries, each of which uses part of it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The workspace root (this crate lives in `tests/`).
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

pub(crate) fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Every file under `dir`, recursively, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Copies the tree at `from` to `to`, leaving out the entries named in `skip` (build
/// output, version control) wherever they are.
pub(crate) fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.expect("dir entry");
        let (path, target) = (entry.path(), to.join(entry.file_name()));
        if skip.iter().any(|s| entry.file_name() == *s) {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &target, skip);
        } else {
            std::fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copying {}: {e}", path.display()));
        }
    }
}

/// Copies example `package` to `<dir>/<package>` as a seller would, and points its
/// mp-runtime dependency at `mp_runtime_path` as its Cargo.toml comment says; the copy.
pub(crate) fn copy_example(package: &str, dir: &Path, mp_runtime_path: &str) -> PathBuf {
    let copy = dir.join(package);
    copy_tree(&root().join("examples").join(package), &copy, &["target"]);
    let manifest = read(&copy.join("Cargo.toml"));
    let original = "path = \"../../mp-runtime\"";
    assert!(
        manifest.contains(original),
        "{package}/Cargo.toml: {original}"
    );
    let manifest = manifest.replace(original, &format!("path = {mp_runtime_path:?}"));
    std::fs::write(copy.join("Cargo.toml"), manifest).expect("writing Cargo.toml");
    copy
}

/// The arguments of an example's `#[marketplace_main(...)]`, as written in its `main.rs`.
#[derive(Debug)]
pub(crate) struct Declared {
    /// The product code, or a contract product's SKU.
    pub product_code: String,
    pub pricing: String,
    pub trusted: Vec<String>,
    pub free: Vec<String>,
    pub dimensions: Vec<String>,
    /// `startup_deadline`, in seconds: how long start-up may retry before the binary exits.
    pub startup_deadline_secs: u64,
}

impl Declared {
    /// Codes `MARKETPLACE_PRODUCT_CODE` may name without the binary exiting 86.
    pub(crate) fn accepted_codes(&self) -> BTreeSet<String> {
        std::iter::once(self.product_code.clone())
            .chain(self.trusted.iter().cloned())
            .chain(self.free.iter().cloned())
            .collect()
    }
}

pub(crate) fn declared(main_rs: &str) -> Declared {
    let start = main_rs
        .find("#[marketplace_main(")
        .expect("main.rs has #[marketplace_main(");
    let end = main_rs[start..]
        .find(")]\n")
        .expect("the attribute ends with )]")
        + start;
    // Comments may mention argument names; only code counts.
    let args: String = main_rs[start..end]
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    Declared {
        // A contract product is known by its SKU.
        product_code: string_arg(&args, "product_code")
            .or_else(|| string_arg(&args, "product_sku"))
            .expect("product_code or product_sku"),
        pricing: string_arg(&args, "pricing").expect("pricing"),
        trusted: list_arg(&args, "trusted_product_codes"),
        free: list_arg(&args, "free_product_codes"),
        dimensions: args
            .find("dimensions(")
            .map(|i| {
                let rest = &args[i + "dimensions(".len()..];
                rest[..rest.find(')').expect("dimensions(..) closes")]
                    .split(',')
                    .map(|d| d.trim().to_owned())
                    .filter(|d| !d.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        startup_deadline_secs: string_arg(&args, "startup_deadline")
            .map_or(DEFAULT_STARTUP_DEADLINE_SECS, |d| duration_secs(&d)),
    }
}

/// `startup_deadline` when the attribute does not set it (`"5m"`).
pub(crate) const DEFAULT_STARTUP_DEADLINE_SECS: u64 = 300;

/// `"90s"`, `"2m"`, `"1h"` in seconds (the forms `startup_deadline` accepts).
pub(crate) fn duration_secs(text: &str) -> u64 {
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let n: u64 = number
        .parse()
        .unwrap_or_else(|_| panic!("startup_deadline {text:?}"));
    match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => panic!("startup_deadline {text:?}: unit s, m or h"),
    }
}

fn string_arg(args: &str, name: &str) -> Option<String> {
    let at = args.find(&format!("{name} = \""))? + name.len() + 4;
    Some(args[at..at + args[at..].find('"')?].to_owned())
}

fn list_arg(args: &str, name: &str) -> Vec<String> {
    let Some(at) = args.find(&format!("{name} = [")) else {
        return Vec::new();
    };
    let rest = &args[at + name.len() + 4..];
    quoted_strings(&rest[..rest.find(']').expect("list closes")])
}

/// The contents of every `"..."` in `text` (no escapes in what we scan).
pub(crate) fn quoted_strings(text: &str) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Environment variable names a program's sources mention as string literals:
/// `"BIND_ADDR"`, `"MARKETPLACE_PRODUCT_CODE"`, ...
pub(crate) fn env_names_in(dir: &Path) -> BTreeSet<String> {
    files_under(dir)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .flat_map(|p| quoted_strings(&read(p)))
        .filter(|s| is_env_name(s))
        .collect()
}

fn is_env_name(s: &str) -> bool {
    s.contains('_')
        && s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `key: value` on a line of simple YAML, anywhere in `text`: every value, unquoted.
pub(crate) fn yaml_values(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_start().trim_start_matches("- ");
            let value = line.strip_prefix(key)?.strip_prefix(':')?;
            Some(unquote(value.split(" #").next().unwrap_or_default().trim()))
        })
        .collect()
}

fn unquote(v: &str) -> String {
    v.trim_matches('"').trim_matches('\'').to_owned()
}

/// The `(name, value)` pairs of a YAML `env:` / CloudFormation `Environment:` list: each
/// `- name:` (or `- Name:`) item and the `value:` line after it; an item whose value comes
/// from elsewhere at run time (`valueFrom:`, a secret's key) has an empty value.
pub(crate) fn yaml_env(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed != "env:" && trimmed != "Environment:" {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let mut name = None;
        for item in &lines[i + 1..] {
            let t = item.trim_start();
            if t.is_empty() || t.starts_with('#') || t.starts_with("{{") {
                continue;
            }
            if item.len() - t.len() <= indent {
                break;
            }
            if let Some(n) = t
                .strip_prefix("- name:")
                .or_else(|| t.strip_prefix("- Name:"))
            {
                name = Some(unquote(n.trim()));
            } else if t.starts_with("valueFrom:") {
                out.extend(name.take().map(|n| (n, String::new())));
            } else if let (Some(v), Some(n)) = (
                t.strip_prefix("value:")
                    .or_else(|| t.strip_prefix("Value:")),
                name.take(),
            ) {
                out.push((n, unquote(v.trim())));
            }
        }
    }
    out
}

/// `ENV NAME=value` lines of a Dockerfile.
pub(crate) fn dockerfile_env(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("ENV "))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// Every `key:` block of simple YAML in `text` (a probe, say): the `name: value` lines
/// indented under it, nested ones included, keyed by their own name.
pub(crate) fn yaml_blocks(
    text: &str,
    key: &str,
) -> Vec<std::collections::BTreeMap<String, String>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.trim_end() != format!("{key}:") {
            continue;
        }
        let indent = line.len() - trimmed.len();
        let mut block = std::collections::BTreeMap::new();
        for item in &lines[i + 1..] {
            let t = item.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if item.len() - t.len() <= indent {
                break;
            }
            if let Some((k, v)) = t.split_once(':') {
                let v = v.split(" #").next().unwrap_or_default().trim();
                if !v.is_empty() {
                    block.insert(k.trim().to_owned(), unquote(v));
                }
            }
        }
        out.push(block);
    }
    out
}

/// How an example's deployment files run its container: on ECS (the task definition) or on
/// EKS (the plain manifests, the chart's default render).
#[derive(Debug)]
pub(crate) struct Deployment {
    /// True for ECS (task role credentials), false for EKS (IRSA).
    pub ecs: bool,
    /// The container's environment, as the files set it.
    pub env: Vec<(String, String)>,
    /// Seconds between SIGTERM and SIGKILL: `stopTimeout` or `terminationGracePeriodSeconds`.
    pub stop_timeout_secs: u64,
    /// Where the pod mounts its (`emptyDir`) volumes.
    pub volume_paths: Vec<String>,
}

/// The deployment of example `package`: its task definition if it has one, else its plain
/// Kubernetes manifests.
pub(crate) fn deployment(package: &str) -> Deployment {
    let deploy = root().join("examples").join(package).join("deploy");
    let task_definition = deploy.join("task-definition.json");
    if task_definition.is_file() {
        let task: serde_json::Value =
            serde_json::from_str(&read(&task_definition)).expect("task definition JSON");
        let container = &task["containerDefinitions"][0];
        let env = container["environment"]
            .as_array()
            .map(|vars| {
                vars.iter()
                    .map(|var| {
                        let s = |k: &str| var[k].as_str().expect("name/value strings").to_owned();
                        (s("name"), s("value"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Deployment {
            ecs: true,
            env,
            stop_timeout_secs: container["stopTimeout"].as_u64().expect("stopTimeout"),
            volume_paths: Vec::new(),
        };
    }
    kubernetes_deployment(package)
}

/// The deployment of example `package` by its plain Kubernetes manifests (its Helm chart's
/// default render).
pub(crate) fn kubernetes_deployment(package: &str) -> Deployment {
    let deploy = root().join("examples").join(package).join("deploy");
    let manifests = read(&deploy.join("kubernetes").join(format!("{package}.yaml")));
    let grace = yaml_values(&manifests, "terminationGracePeriodSeconds");
    Deployment {
        ecs: false,
        env: yaml_env(&manifests),
        stop_timeout_secs: grace
            .first()
            .and_then(|s| s.parse().ok())
            .expect("terminationGracePeriodSeconds"),
        volume_paths: yaml_values(&manifests, "mountPath"),
    }
}

/// The variable the buyer's license token file is named by (`licenseConfigSecret`).
pub(crate) const LICENSE_TOKEN_FILE_VAR: &str = "AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE";

/// Example `package`'s Helm chart: its directory.
pub(crate) fn chart_dir(package: &str) -> PathBuf {
    root()
        .join("examples")
        .join(package)
        .join("deploy/helm")
        .join(package)
}

/// Where example `package`'s Helm chart mounts the buyer's license token: the
/// `AWS_WEB_IDENTITY_REFRESH_TOKEN_FILE` its Deployment sets when `licenseConfigSecret` is.
pub(crate) fn chart_license_token_file(package: &str) -> String {
    let template = read(&chart_dir(package).join("templates/deployment.yaml"));
    yaml_env(&template)
        .into_iter()
        .find(|(name, _)| name == LICENSE_TOKEN_FILE_VAR)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("{package}'s chart sets no {LICENSE_TOKEN_FILE_VAR}"))
}
