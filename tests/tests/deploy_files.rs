//! The examples' deployment files agree with the examples' code: every product code,
//! dimension and environment variable they name is one the binary declares or reads, the
//! IAM policies grant exactly the calls the pricing model makes, and the images and grace
//! periods are the ones the runtime's start-up and shutdown flush need. (Validity and
//! best-practice lints are `.ci/lint-deploy`'s job.)

mod deploy_support;

use deploy_support::{
    Declared, LICENSE_TOKEN_FILE_VAR, chart_dir, chart_license_token_file, copy_example, declared,
    dockerfile_env, duration_secs, env_names_in, files_under, read, root, yaml_blocks, yaml_env,
    yaml_values,
};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The seconds ECS and Kubernetes wait after SIGTERM by default; the runtime's final flush
/// (at most 20 s) plus the service's own shutdown must fit.
const MIN_GRACE_SECS: u64 = 30;

struct Example {
    package: &'static str,
    dir: PathBuf,
    declared: Declared,
}

fn example(package: &'static str) -> Example {
    let dir = root().join("examples").join(package);
    let declared = declared(&read(&dir.join("src/main.rs")));
    Example {
        package,
        dir,
        declared,
    }
}

fn examples() -> [Example; 3] {
    [
        example("ecs-hourly"),
        example("eks-custom"),
        example("ecs-contract"),
    ]
}

fn json(path: PathBuf) -> Value {
    serde_json::from_str(&read(&path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `(file, name, value)` environment entry the example's deployment files set.
fn deploy_env(ex: &Example) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut add = |file: &PathBuf, pairs: Vec<(String, String)>| {
        let shown = file
            .strip_prefix(&ex.dir)
            .unwrap_or(file)
            .display()
            .to_string();
        out.extend(pairs.into_iter().map(|(n, v)| (shown.clone(), n, v)));
    };
    let dockerfile = ex.dir.join("Dockerfile");
    add(&dockerfile, dockerfile_env(&read(&dockerfile)));
    for file in files_under(&ex.dir.join("deploy")) {
        let text = read(&file);
        match file.extension().and_then(|e| e.to_str()) {
            Some("yaml") => add(&file, yaml_env(&text)),
            Some("json") if file.ends_with("task-definition.json") => {
                let pairs = json(file.clone())["containerDefinitions"]
                    .as_array()
                    .expect("containerDefinitions")
                    .iter()
                    .flat_map(|c| c["environment"].as_array().cloned().unwrap_or_default())
                    .map(|e| {
                        let s = |k: &str| e[k].as_str().expect("name/value strings").to_owned();
                        (s("name"), s("value"))
                    })
                    .collect();
                add(&file, pairs);
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_example_has_its_deployment_files() {
    let expected: &[(&str, &[&str])] = &[
        (
            "ecs-hourly",
            &[
                "Dockerfile",
                "deploy/task-definition.json",
                "deploy/iam-policy.json",
                "deploy/cloudformation.yaml",
            ],
        ),
        (
            "ecs-contract",
            &[
                "Dockerfile",
                "deploy/task-definition.json",
                "deploy/iam-policy.json",
                "deploy/cloudformation.yaml",
                "deploy/helm/ecs-contract/Chart.yaml",
                "deploy/helm/ecs-contract/values.yaml",
                "deploy/helm/ecs-contract/templates/deployment.yaml",
                "deploy/helm/ecs-contract/templates/serviceaccount.yaml",
                "deploy/kubernetes/ecs-contract.yaml",
            ],
        ),
        (
            "eks-custom",
            &[
                "Dockerfile",
                "deploy/iam-policy.json",
                "deploy/irsa-trust-policy.json",
                "deploy/helm/eks-custom/Chart.yaml",
                "deploy/helm/eks-custom/values.yaml",
                "deploy/helm/eks-custom/templates/deployment.yaml",
                "deploy/helm/eks-custom/templates/serviceaccount.yaml",
                "deploy/kubernetes/eks-custom.yaml",
            ],
        ),
    ];
    for (package, files) in expected {
        for file in *files {
            let path = root().join("examples").join(package).join(file);
            assert!(path.is_file(), "missing {}", path.display());
        }
    }
}

/// `key = "value"` on a line of simple TOML: every value, unquoted.
fn toml_values(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix('='))
        .map(|v| unquote_toml(v.trim()))
        .collect()
}

fn unquote_toml(value: &str) -> String {
    value.trim_matches('"').to_owned()
}

/// The `name = ...` lines of a manifest's `[section]`, as `(name, rest of the line)`.
fn toml_section(text: &str, section: &str) -> Vec<(String, String)> {
    text.lines()
        .skip_while(|l| l.trim() != format!("[{section}]"))
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

/// The version requirement of a dependency line's value: `"1"` or `{ version = "1", ... }`.
fn dependency_version(value: &str) -> Option<String> {
    if value.starts_with('"') {
        return Some(unquote_toml(value));
    }
    let at = value.find("version = \"")? + "version = \"".len();
    Some(value[at..at + value[at..].find('"')?].to_owned())
}

#[test]
fn examples_are_standalone_crates_pinned_like_the_workspace() {
    let workspace = read(&root().join("Cargo.toml"));
    let package_defaults = toml_section(&workspace, "workspace.package");
    let workspace_deps = toml_section(&workspace, "workspace.dependencies");
    for ex in examples() {
        let package = ex.package;
        let manifest = read(&ex.dir.join("Cargo.toml"));
        assert!(
            !manifest.contains(".workspace = true") && !manifest.contains("workspace = true"),
            "{package}/Cargo.toml inherits from the workspace: a copy of the directory would \
             fail with `failed to find a workspace root`"
        );
        for (key, value) in &package_defaults {
            assert_eq!(
                toml_values(&manifest, key),
                [unquote_toml(value)],
                "{package}/Cargo.toml: {key} is written out, as the workspace has it"
            );
        }
        assert_eq!(
            toml_values(&manifest, "default-run"),
            [package],
            "{package}: `cargo run` starts the service, not the health probe"
        );
        for (name, value) in toml_section(&manifest, "dependencies") {
            let version = dependency_version(&value)
                .unwrap_or_else(|| panic!("{package}: dependency {name} has no version"));
            let pinned = workspace_deps
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| dependency_version(v))
                .unwrap_or_else(|| panic!("{package}: {name} is not a workspace dependency"));
            assert_eq!(
                version, pinned,
                "{package}: {name} at the workspace's version"
            );
        }
        assert!(
            manifest.contains("\nmp-runtime = { version = \"0.1.0\", path = \"../../mp-runtime\""),
            "{package}: the framework as an ordinary dependency, version and path"
        );
        assert_eq!(
            read(&ex.dir.join("src/bin/health-probe.rs"))
                .lines()
                .filter(|l| !l.starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n")
                .trim(),
            "fn main() -> std::process::ExitCode {\n    mp_runtime::health_probe::run()\n}",
            "{package}: the health probe is mp-runtime's, nothing else"
        );
        assert!(
            read(&ex.dir.join(".dockerignore"))
                .lines()
                .any(|l| l == "target/"),
            "{package}/.dockerignore: a copy's build context leaves its target dir out"
        );
    }
}

#[test]
fn a_copied_example_is_a_package_of_its_own() {
    // Copied alone, with the framework's path pointed at this checkout as its Cargo.toml
    // comment says, cargo reads it as a root package (no workspace to find).
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    for ex in examples() {
        let copy = tempfile::tempdir().expect("tempdir");
        let dir = copy_example(
            ex.package,
            copy.path(),
            &root().join("mp-runtime").display().to_string(),
        );
        let out = std::process::Command::new(&cargo)
            .args([
                "metadata",
                "--no-deps",
                "--offline",
                "--format-version",
                "1",
            ])
            .current_dir(&dir)
            .output()
            .expect("running cargo metadata");
        assert!(
            out.status.success(),
            "{}: a copy of the directory is not a package cargo can read: {}",
            ex.package,
            String::from_utf8_lossy(&out.stderr)
        );
        let metadata: Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
        let bins: BTreeSet<String> = metadata["packages"][0]["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .filter(|t| t["kind"][0] == "bin")
            .filter_map(|t| t["name"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(
            bins,
            BTreeSet::from([
                ex.package.to_owned(),
                format!("{}-health-probe", ex.package)
            ]),
            "{}: the service and its health probe",
            ex.package
        );
    }
}

#[test]
fn every_env_var_in_the_deploy_files_is_read_by_the_code() {
    let runtime = env_names_in(&root().join("mp-runtime/src"));
    for ex in examples() {
        let known: BTreeSet<String> = env_names_in(&ex.dir.join("src"))
            .union(&runtime)
            .cloned()
            .collect();
        let env = deploy_env(&ex);
        assert!(!env.is_empty(), "{}: no environment found", ex.package);
        for (file, name, _) in env {
            assert!(
                known.contains(&name),
                "{}/{file} sets {name}, which neither {} nor mp-runtime reads (known: {known:?})",
                ex.package,
                ex.package
            );
            assert!(
                !matches!(
                    name.as_str(),
                    "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN"
                ) && !name.starts_with("AWS_ENDPOINT_URL"),
                "{}/{file} sets {name}: credentials and endpoints never go in deployment files",
                ex.package
            );
        }
    }
}

#[test]
fn every_product_code_in_the_deploy_files_is_one_the_binary_accepts() {
    for ex in examples() {
        let accepted = ex.declared.accepted_codes();
        let mut codes: Vec<(String, String)> = deploy_env(&ex)
            .into_iter()
            .filter(|(_, name, value)| name == "MARKETPLACE_PRODUCT_CODE" && !value.contains("{{"))
            .map(|(file, _, value)| (file, value))
            .collect();
        for values in files_under(&ex.dir.join("deploy"))
            .into_iter()
            .filter(|f| f.ends_with("values.yaml"))
        {
            // Empty: the variable is not set and the compiled-in code applies.
            for code in yaml_values(&read(&values), "productCode")
                .into_iter()
                .filter(|c| !c.is_empty())
            {
                codes.push((values.display().to_string(), code));
            }
        }
        for (file, code) in codes {
            assert!(
                accepted.contains(&code),
                "{}: {file} names product code {code}, but the binary accepts only {accepted:?} \
                 (it would exit 86)",
                ex.package
            );
        }
    }
}

#[test]
fn by_default_the_chart_leaves_the_product_code_to_the_binary() {
    // A default install must run as whatever code is compiled in, even after the seller
    // changed it: the chart sets MARKETPLACE_PRODUCT_CODE only when productCode is set.
    let eks = example("eks-custom");
    let deploy = eks.dir.join("deploy");
    let values = read(&deploy.join("helm/eks-custom/values.yaml"));
    assert_eq!(
        yaml_values(&values, "productCode"),
        [""],
        "values.yaml productCode"
    );
    let template = read(&deploy.join("helm/eks-custom/templates/deployment.yaml"));
    let lines: Vec<&str> = template.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("- name: MARKETPLACE_PRODUCT_CODE"))
        .expect("the template can set MARKETPLACE_PRODUCT_CODE");
    let guard = lines[at - 1].trim();
    assert!(
        guard == "{{- with .Values.productCode }}" || guard == "{{- if .Values.productCode }}",
        "MARKETPLACE_PRODUCT_CODE is set only for a non-empty productCode, not under {guard:?}"
    );
    let manifests = read(&deploy.join("kubernetes/eks-custom.yaml"));
    assert!(
        yaml_env(&manifests)
            .iter()
            .all(|(name, _)| name != "MARKETPLACE_PRODUCT_CODE"),
        "the plain manifests (the chart's default render) leave MARKETPLACE_PRODUCT_CODE out"
    );
}

/// The `{{- if ... }}` (or `with`) line enclosing line `at` of a template, if any.
fn enclosing_guard<'a>(lines: &[&'a str], at: usize) -> Option<&'a str> {
    let mut depth = 0;
    for line in lines[..at].iter().rev() {
        let t = line.trim();
        if t.starts_with("{{- end") {
            depth += 1;
        } else if t.starts_with("{{- if ") || t.starts_with("{{- with ") {
            if depth == 0 {
                return Some(t);
            }
            depth -= 1;
        }
    }
    None
}

#[test]
fn the_contract_chart_takes_the_buyers_license_secret_as_optional_input() {
    // Outside AWS the buyer's secret (keys license_token and iam_role) gives the credentials,
    // on EKS the IRSA role does; by default neither is set. AWS_REGION always is: outside AWS
    // nothing else tells the pod its Region.
    let package = "ecs-contract";
    let chart = chart_dir(package);
    let values = read(&chart.join("values.yaml"));
    assert_eq!(yaml_values(&values, "licenseConfigSecret"), [""]);
    assert_eq!(yaml_values(&values, "roleArn"), [""]);
    assert_eq!(
        yaml_values(&values, "region"),
        ["us-east-1"],
        "License Manager's home Region by default"
    );

    let template = read(&chart.join("templates/deployment.yaml"));
    let lines: Vec<&str> = template.lines().collect();
    let line_of = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("the Deployment template has no {needle:?}"))
    };
    let token_var = format!("- name: {LICENSE_TOKEN_FILE_VAR}");
    for needle in [
        token_var.as_str(),
        "- name: AWS_ROLE_ARN",
        "mountPath: ",
        "secretName: {{ .Values.licenseConfigSecret }}",
    ] {
        assert_eq!(
            enclosing_guard(&lines, line_of(needle)),
            Some("{{- if .Values.licenseConfigSecret }}"),
            "{needle:?} only when the secret is given"
        );
    }
    assert_eq!(
        enclosing_guard(&lines, line_of("- name: AWS_REGION")),
        None,
        "AWS_REGION is always set"
    );
    // The token is the secret's license_token key, mounted read-only where the variable
    // points; the role ARN is its iam_role key.
    let mounts = yaml_values(&template, "mountPath");
    let [mount] = &mounts[..] else {
        panic!("one volume mount: {mounts:?}");
    };
    assert_eq!(
        chart_license_token_file(package),
        format!("{mount}/license_token")
    );
    assert_eq!(yaml_values(&template, "readOnly"), ["true"]);
    let mut keys = yaml_values(&template, "key");
    keys.sort();
    assert_eq!(keys, ["iam_role", "license_token"], "the secret's keys");
    let refs = yaml_blocks(&template, "secretKeyRef");
    assert_eq!(
        refs.iter()
            .map(|r| (r["name"].as_str(), r["key"].as_str()))
            .collect::<Vec<_>>(),
        [("{{ .Values.licenseConfigSecret }}", "iam_role")],
        "AWS_ROLE_ARN from the secret's iam_role"
    );

    let serviceaccount = read(&chart.join("templates/serviceaccount.yaml"));
    let lines: Vec<&str> = serviceaccount.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("eks.amazonaws.com/role-arn:"))
        .expect("the ServiceAccount can carry the IRSA role");
    assert_eq!(
        enclosing_guard(&lines, at),
        Some("{{- if .Values.serviceAccount.roleArn }}"),
        "the IRSA annotation only with a role"
    );

    // The default render: neither credential source, the default Region.
    let manifests = read(
        &example(package)
            .dir
            .join("deploy/kubernetes/ecs-contract.yaml"),
    );
    let env = yaml_env(&manifests);
    assert!(
        env.iter()
            .all(|(name, _)| name != LICENSE_TOKEN_FILE_VAR && name != "AWS_ROLE_ARN"),
        "the plain manifests take no secret: {env:?}"
    );
    assert!(env.contains(&("AWS_REGION".into(), "us-east-1".into())));

    // The sellers' page names the values as the chart has them.
    let doc = read(&root().join("docs/anywhere.md"));
    for value in [
        "`licenseConfigSecret`",
        "`serviceAccount.roleArn`",
        "`region`",
        "`us-east-1`",
    ] {
        assert!(doc.contains(value), "docs/anywhere.md names {value}");
    }
}

#[test]
fn the_charts_pricing_and_dimensions_are_the_attributes() {
    let contract = example("ecs-contract");
    let chart = read(&chart_dir(contract.package).join("Chart.yaml"));
    assert_eq!(
        yaml_values(&chart, "marketplace.aws/pricing"),
        std::slice::from_ref(&contract.declared.pricing)
    );

    let eks = example("eks-custom");
    assert_eq!(eks.declared.pricing, "custom");
    let chart = read(&eks.dir.join("deploy/helm/eks-custom/Chart.yaml"));
    assert_eq!(
        yaml_values(&chart, "marketplace.aws/pricing"),
        std::slice::from_ref(&eks.declared.pricing)
    );
    let dims = yaml_values(&chart, "marketplace.aws/dimensions");
    let dims: Vec<&str> = dims.iter().flat_map(|d| d.split(',')).collect();
    assert_eq!(dims, eks.declared.dimensions, "Chart.yaml dimensions");
    assert_eq!(eks.declared.dimensions, ["requests", "data_gb"]);
}

fn policy_actions(policy: &Value) -> BTreeSet<String> {
    assert_eq!(policy["Version"], "2012-10-17");
    let mut actions = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("Statement list") {
        assert_eq!(statement["Effect"], "Allow");
        match &statement["Action"] {
            Value::String(a) => {
                actions.insert(a.clone());
            }
            Value::Array(list) => {
                actions.extend(list.iter().map(|a| a.as_str().expect("action").to_owned()))
            }
            other => panic!("Action is {other}"),
        }
    }
    actions
}

#[test]
fn iam_policies_grant_exactly_the_calls_the_pricing_makes() {
    for ex in examples() {
        let actions = policy_actions(&json(ex.dir.join("deploy/iam-policy.json")));
        let allowed: BTreeSet<String> = match ex.declared.pricing.as_str() {
            "hourly" | "monthly" => ["aws-marketplace:RegisterUsage"].map(String::from).into(),
            "custom" => {
                assert!(
                    actions.contains("aws-marketplace:MeterUsage"),
                    "{}: custom pricing needs MeterUsage",
                    ex.package
                );
                [
                    "aws-marketplace:MeterUsage",
                    "aws-marketplace:RegisterUsage",
                ]
                .map(String::from)
                .into()
            }
            "contract" => [
                "license-manager:CheckInLicense",
                "license-manager:CheckoutLicense",
                "license-manager:ExtendLicenseConsumption",
                "license-manager:GetLicense",
                "license-manager:ListReceivedLicenses",
            ]
            .map(String::from)
            .into(),
            other => panic!("unknown pricing {other}"),
        };
        if ex.declared.pricing == "contract" {
            assert_eq!(
                actions, allowed,
                "{}: exactly the License Manager actions",
                ex.package
            );
        }
        assert!(
            actions.is_subset(&allowed) && !actions.is_empty(),
            "{}: iam-policy.json grants {actions:?}; {} pricing needs only {allowed:?}",
            ex.package,
            ex.declared.pricing
        );
        // The CloudFormation task role grants the same as the standalone policy.
        let cfn = ex.dir.join("deploy/cloudformation.yaml");
        if cfn.is_file() {
            let granted: BTreeSet<String> = read(&cfn)
                .lines()
                .filter_map(|l| l.trim().strip_prefix("- "))
                .filter(|a| a.starts_with("aws-marketplace:") || a.starts_with("license-manager:"))
                .map(str::to_owned)
                .collect();
            assert_eq!(granted, actions, "{}: CloudFormation task role", ex.package);
        }
    }
}

#[test]
fn the_irsa_trust_policy_names_the_service_account_the_pods_run_as() {
    let eks = example("eks-custom");
    let deploy = eks.dir.join("deploy");
    let trust = json(deploy.join("irsa-trust-policy.json"));
    let statement = &trust["Statement"][0];
    assert_eq!(statement["Action"], "sts:AssumeRoleWithWebIdentity");
    assert!(
        statement["Principal"]["Federated"]
            .as_str()
            .is_some_and(|p| p.contains(":oidc-provider/oidc.eks.")),
        "the principal is the cluster's OIDC provider (IRSA), not pods.eks.amazonaws.com (Pod Identity)"
    );
    let conditions = statement["Condition"]["StringEquals"]
        .as_object()
        .expect("StringEquals");
    let value_of = |suffix: &str| {
        conditions
            .iter()
            .find(|(k, _)| k.ends_with(suffix))
            .and_then(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {suffix} condition"))
            .to_owned()
    };
    assert_eq!(value_of(":aud"), "sts.amazonaws.com");

    let values = read(&deploy.join("helm/eks-custom/values.yaml"));
    let account = yaml_values(&values, "name");
    assert_eq!(account.len(), 1, "values.yaml: one serviceAccount.name");
    let manifests = read(&deploy.join("kubernetes/eks-custom.yaml"));
    let namespace = yaml_values(&manifests, "namespace");
    assert!(!namespace.is_empty() && namespace.iter().all(|n| *n == namespace[0]));
    assert_eq!(
        value_of(":sub"),
        format!("system:serviceaccount:{}:{}", namespace[0], account[0])
    );
    assert_eq!(
        yaml_values(&manifests, "serviceAccountName"),
        [account[0].clone()]
    );
    for file in [
        deploy.join("kubernetes/eks-custom.yaml"),
        deploy.join("helm/eks-custom/templates/serviceaccount.yaml"),
    ] {
        assert!(
            read(&file).contains("eks.amazonaws.com/role-arn:"),
            "{} annotates the ServiceAccount for IRSA",
            file.display()
        );
    }
}

fn seconds(values: Vec<String>, what: &str) -> Vec<u64> {
    assert!(!values.is_empty(), "no {what}");
    values
        .iter()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{what}: {v:?}")))
        .collect()
}

#[test]
fn grace_periods_leave_time_for_the_shutdown_flush() {
    for package in ["ecs-hourly", "ecs-contract"] {
        let ecs = example(package).dir.join("deploy");
        let task = json(ecs.join("task-definition.json"));
        for container in task["containerDefinitions"].as_array().expect("containers") {
            assert!(container["stopTimeout"].as_u64().expect("stopTimeout") >= MIN_GRACE_SECS);
        }
        let cfn = read(&ecs.join("cloudformation.yaml"));
        assert!(
            seconds(yaml_values(&cfn, "StopTimeout"), "StopTimeout")
                .iter()
                .all(|s| *s >= MIN_GRACE_SECS)
        );
    }

    for package in ["eks-custom", "ecs-contract"] {
        let deploy = example(package).dir.join("deploy");
        for file in [
            format!("helm/{package}/values.yaml"),
            format!("kubernetes/{package}.yaml"),
        ] {
            let grace = yaml_values(&read(&deploy.join(&file)), "terminationGracePeriodSeconds");
            assert!(
                seconds(grace, &file).iter().all(|s| *s >= MIN_GRACE_SECS),
                "{package}/{file}: terminationGracePeriodSeconds below {MIN_GRACE_SECS}"
            );
        }
    }
}

#[test]
fn images_run_the_product_binary_built_for_production() {
    for ex in examples() {
        // Instructions only: the comments may name what the file avoids.
        let dockerfile: String = read(&ex.dir.join("Dockerfile"))
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        let package = ex.package;
        assert!(
            dockerfile.contains(&format!(
                "cargo build --release --locked -p {package} --bins --features \"$FEATURES\""
            )),
            "{package}: release build of the package alone (its service and its health probe), \
             with the features the build argument names"
        );
        assert!(
            dockerfile.contains("ARG FEATURES=\"\"\n"),
            "{package}: the FEATURES build argument defaults to none (production)"
        );
        assert!(
            dockerfile.contains("\nCOPY . .\n"),
            "{package}: the build context (workspace root or a copy of the example) is the source"
        );
        for cache in ["/usr/local/cargo/registry", "/src/target"] {
            assert!(
                dockerfile.contains(&format!("--mount=type=cache,target={cache}")),
                "{package}: {cache} is a build cache shared between image builds"
            );
        }
        assert!(
            dockerfile.contains(&format!(
                "install -D -m 0755 -t /out target/release/{package} \\\n    \
                 && install -D -m 0755 target/release/{package}-health-probe /out/health-probe"
            )),
            "{package}: the binaries leave the target-dir cache in the RUN that built them"
        );
        assert!(
            !dockerfile.contains("local-testing"),
            "{package}: the image must not enable local-testing"
        );
        assert!(
            !dockerfile.contains("--workspace"),
            "{package}: --workspace would unify the tests' local-testing feature in"
        );
        assert!(
            dockerfile.contains(&format!("ENTRYPOINT [\"/usr/local/bin/{package}\"]")),
            "{package}: the product binary itself is the entrypoint"
        );
        assert!(dockerfile.contains("STOPSIGNAL SIGTERM"), "{package}");
        let user = dockerfile
            .lines()
            .filter_map(|l| l.strip_prefix("USER "))
            .next_back()
            .unwrap_or_else(|| panic!("{package}: no USER"));
        assert!(
            !user.starts_with("root") && !user.starts_with("0"),
            "{package}: USER {user}"
        );
        assert!(
            dockerfile_env(&dockerfile)
                .iter()
                .all(|(name, _)| !name.starts_with("AWS_")),
            "{package}: no AWS credentials or region in the image"
        );
        // The health check must not run the product binary (it would register again).
        let healthcheck = dockerfile
            .lines()
            .skip_while(|l| !l.starts_with("HEALTHCHECK"))
            .take(2)
            .collect::<String>();
        assert!(
            healthcheck.contains("health-probe")
                && !healthcheck.contains(&format!("bin/{package}")),
            "{package}: HEALTHCHECK runs the separate probe"
        );
    }
}

#[test]
fn every_port_named_is_the_one_the_service_binds() {
    for ex in examples() {
        let dockerfile = read(&ex.dir.join("Dockerfile"));
        let exposed: Vec<&str> = dockerfile
            .lines()
            .filter_map(|l| l.strip_prefix("EXPOSE "))
            .collect();
        assert_eq!(exposed.len(), 1, "{}: one EXPOSE", ex.package);
        let port = exposed[0].trim();
        for (file, name, value) in deploy_env(&ex) {
            if name == "BIND_ADDR" {
                assert!(
                    value.ends_with(&format!(":{port}")),
                    "{}/{file}: BIND_ADDR={value}, but the image exposes {port}",
                    ex.package
                );
            }
        }
        for file in files_under(&ex.dir.join("deploy")) {
            let text = read(&file);
            let mut ports = yaml_values(&text, "containerPort");
            ports.extend(yaml_values(&text, "ContainerPort"));
            ports.extend(yaml_values(&text, "\"containerPort\""));
            for p in ports {
                assert_eq!(
                    p.trim_end_matches(','),
                    port,
                    "{}: {}",
                    ex.package,
                    file.display()
                );
            }
        }
    }
}

/// ECS counts failed health checks only after `startPeriod`, and accepts at most 300 s.
const ECS_MAX_START_PERIOD_SECS: u64 = 300;

#[test]
fn the_startup_deadline_parses_like_the_attribute() {
    assert_eq!(duration_secs("90s"), 90);
    assert_eq!(duration_secs("2m"), 120);
    assert_eq!(duration_secs("1h"), 3600);
    assert_eq!(
        declared("#[marketplace_main(product_code = \"p\", pricing = \"hourly\")]\n")
            .startup_deadline_secs,
        300
    );
    assert_eq!(
        declared(
            "#[marketplace_main(product_code = \"p\", pricing = \"hourly\", \
             startup_deadline = \"2m\")]\n"
        )
        .startup_deadline_secs,
        120
    );
}

#[test]
fn no_probe_kills_a_container_before_its_startup_deadline() {
    // Start-up (RegisterUsage / the entitlement check, retried) may take the whole deadline;
    // a probe that gives up sooner restarts the container, which registers again.
    for ex in examples() {
        let deadline = ex.declared.startup_deadline_secs;
        let deploy = ex.dir.join("deploy");

        // ECS: failed checks do not count during startPeriod, so startPeriod >= deadline
        // guarantees no kill before the deadline whatever interval and retries are. ECS caps
        // startPeriod at 300 s, so an ECS example's deadline must not exceed that.
        let task_definition = deploy.join("task-definition.json");
        if task_definition.is_file() {
            assert!(
                deadline <= ECS_MAX_START_PERIOD_SECS,
                "{}: startup_deadline {deadline} s is longer than any ECS startPeriod can be",
                ex.package
            );
            let task = json(task_definition);
            for container in task["containerDefinitions"].as_array().expect("containers") {
                let start = container["healthCheck"]["startPeriod"]
                    .as_u64()
                    .expect("healthCheck.startPeriod");
                assert!(
                    (deadline..=ECS_MAX_START_PERIOD_SECS).contains(&start),
                    "{}: task definition startPeriod {start} s, startup_deadline {deadline} s",
                    ex.package
                );
            }
            let cfn = read(&deploy.join("cloudformation.yaml"));
            for start in seconds(yaml_values(&cfn, "StartPeriod"), "StartPeriod") {
                assert!(
                    (deadline..=ECS_MAX_START_PERIOD_SECS).contains(&start),
                    "{}: CloudFormation StartPeriod {start} s, startup_deadline {deadline} s",
                    ex.package
                );
            }
        }

        // Kubernetes: a livenessProbe only runs once the startupProbe passed, and the
        // startupProbe gives up after initialDelaySeconds + failureThreshold * periodSeconds.
        let pod_specs: Vec<PathBuf> = files_under(&deploy)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "yaml"))
            .filter(|f| read(f).contains("livenessProbe:"))
            .collect();
        if chart_dir(ex.package).is_dir() {
            assert_eq!(
                pod_specs.len(),
                2,
                "the chart's deployment and the plain manifests"
            );
        }
        for file in pod_specs {
            let text = read(&file);
            let shown = file
                .strip_prefix(&ex.dir)
                .unwrap_or(&file)
                .display()
                .to_string();
            let liveness = yaml_blocks(&text, "livenessProbe");
            let [liveness] = &liveness[..] else {
                panic!("{}/{shown}: one livenessProbe", ex.package);
            };
            let startup = yaml_blocks(&text, "startupProbe");
            let [startup] = &startup[..] else {
                panic!(
                    "{}/{shown}: one startupProbe to hold liveness off during start-up",
                    ex.package
                );
            };
            for key in ["path", "port"] {
                assert_eq!(
                    startup.get(key),
                    liveness.get(key),
                    "{}/{shown}: startupProbe and livenessProbe probe the same endpoint",
                    ex.package
                );
            }
            let number = |key: &str, default: u64| {
                startup.get(key).map_or(default, |v| {
                    v.parse()
                        .unwrap_or_else(|_| panic!("{shown}: {key}: {v:?}"))
                })
            };
            // Kubernetes' defaults: no delay, every 10 s, 3 failures.
            let gives_up = number("initialDelaySeconds", 0)
                + number("failureThreshold", 3) * number("periodSeconds", 10);
            assert!(
                gives_up >= deadline,
                "{}/{shown}: the startupProbe gives up after {gives_up} s, before the \
                 startup_deadline of {deadline} s",
                ex.package
            );
        }
    }
}

#[test]
fn the_chart_installs_only_where_the_irsa_trust_policy_points() {
    let eks = example("eks-custom");
    let deploy = eks.dir.join("deploy");
    let trust = json(deploy.join("irsa-trust-policy.json"));
    let sub = trust["Statement"][0]["Condition"]["StringEquals"]
        .as_object()
        .expect("StringEquals")
        .iter()
        .find(|(k, _)| k.ends_with(":sub"))
        .and_then(|(_, v)| v.as_str())
        .expect("a :sub condition")
        .to_owned();
    let trusted_namespace = sub
        .strip_prefix("system:serviceaccount:")
        .and_then(|rest| rest.split(':').next())
        .expect("sub is system:serviceaccount:<namespace>:<account>");
    let values = read(&deploy.join("helm/eks-custom/values.yaml"));
    assert_eq!(
        yaml_values(&values, "namespace"),
        [trusted_namespace],
        "values.yaml irsa.namespace is the trust policy's namespace"
    );
    let template = read(&deploy.join("helm/eks-custom/templates/deployment.yaml"));
    assert!(
        template.contains("{{- if ne .Values.irsa.namespace .Release.Namespace }}")
            && template.contains("{{- fail "),
        "the chart refuses a namespace the role does not trust"
    );
    let notes = read(&deploy.join("helm/eks-custom/templates/NOTES.txt"));
    let expected_sub =
        "system:serviceaccount:{{ .Release.Namespace }}:{{ .Values.serviceAccount.name }}";
    assert!(
        notes.contains(expected_sub),
        "NOTES.txt states the sub the role must trust"
    );
    for doc in ["deploy-eks.md", "iam-and-irsa.md"] {
        let text = read(&root().join("docs").join(doc));
        assert!(
            text.contains("system:serviceaccount:<namespace>:<service account>")
                && text.contains("aws iam update-assume-role-policy"),
            "docs/{doc}: the trust policy's sub and how to set it"
        );
    }
}

/// The `--flag value` arguments of every `aws <command>` line (with its `\` continuations).
fn aws_commands(doc: &str, command: &str) -> Vec<String> {
    let joined = doc.replace("\\\n", " ");
    joined
        .lines()
        .filter(|l| l.trim_start().starts_with(&format!("aws {command}")))
        .map(str::to_owned)
        .collect()
}

fn flag(command: &str, name: &str) -> String {
    let mut words = command.split_whitespace();
    words.find(|w| *w == name);
    words
        .next()
        .unwrap_or_else(|| panic!("{name} in {command}"))
        .to_owned()
}

#[test]
fn the_direct_ecs_path_creates_what_the_task_definition_names() {
    let ecs = example("ecs-hourly");
    let task = json(ecs.dir.join("deploy/task-definition.json"));
    let doc = read(&root().join("docs/deploy-ecs.md"));
    let log_groups: Vec<String> = aws_commands(&doc, "logs create-log-group")
        .iter()
        .map(|c| flag(c, "--log-group-name"))
        .collect();
    for container in task["containerDefinitions"].as_array().expect("containers") {
        let group = container["logConfiguration"]["options"]["awslogs-group"]
            .as_str()
            .expect("awslogs-group");
        assert_eq!(
            log_groups,
            [group],
            "docs/deploy-ecs.md creates the task's log group"
        );
    }
    let roles: Vec<String> = aws_commands(&doc, "iam create-role")
        .iter()
        .map(|c| flag(c, "--role-name"))
        .collect();
    let attached: Vec<(String, String)> = aws_commands(&doc, "iam attach-role-policy")
        .iter()
        .map(|c| (flag(c, "--role-name"), flag(c, "--policy-arn")))
        .collect();
    for key in ["executionRoleArn", "taskRoleArn"] {
        let arn = task[key].as_str().expect(key);
        let name = arn.rsplit(":role/").next().expect("role ARN");
        assert!(
            roles.iter().any(|r| r == name),
            "docs/deploy-ecs.md creates the {key} role {name} (creates {roles:?})"
        );
    }
    let execution = task["executionRoleArn"].as_str().expect("executionRoleArn");
    let execution = execution.rsplit(":role/").next().expect("role ARN");
    assert!(
        attached.iter().any(|(role, policy)| role == execution
            && policy.ends_with(":policy/service-role/AmazonECSTaskExecutionRolePolicy")),
        "docs/deploy-ecs.md attaches AmazonECSTaskExecutionRolePolicy to {execution}"
    );
}

#[test]
fn the_docs_say_where_images_go_and_for_which_platform() {
    let ecs = json(
        example("ecs-hourly")
            .dir
            .join("deploy/task-definition.json"),
    );
    assert_eq!(ecs["runtimePlatform"]["cpuArchitecture"], "X86_64");
    for doc in ["deploy-ecs.md", "deploy-eks.md"] {
        let text = read(&root().join("docs").join(doc));
        for needed in [
            "709825985650.dkr.ecr.us-east-1.amazonaws.com/<seller>/",
            "Add repositories",
            "--platform linux/amd64",
            "--platform linux/arm64",
        ] {
            assert!(text.contains(needed), "docs/{doc} says {needed:?}");
        }
    }
}

#[test]
fn the_publishing_checklist_checks_the_sellers_own_files() {
    let text = read(&root().join("docs/publishing-checklist.md"));
    for internal in ["mp-tests", "deploy_files", ".ci/lint-deploy"] {
        assert!(
            !text.contains(internal),
            "the checklist names this repository's own {internal}, which a seller's project lacks"
        );
    }
    for check in [
        ".healthCheck.startPeriod",
        "stopTimeout",
        "helm template",
        "startupProbe",
        "MARKETPLACE_PRODUCT_CODE",
        "aws iam simulate-principal-policy",
    ] {
        assert!(text.contains(check), "the checklist checks {check}");
    }
}
