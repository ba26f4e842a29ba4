//! The buyer-CA attack (`buyer_attack`) played on the service's binaries: a production
//! build of eks-custom must refuse a buyer's CA named in `SSL_CERT_FILE` with a hosts entry
//! pointing the metering host at a fake, and a local-testing build (the control) must trust
//! it. The same attack on the production image is in `images.rs`.

mod buyer_attack;
mod deploy_support;
mod example_builds;

use buyer_attack::Build;
use example_builds::{build_example, build_production_example};
use std::path::{Path, PathBuf};
use std::process::Command;

const PRODUCTION_BIN: &str = "MP_TLS_TRUST_PRODUCTION_BIN";
const LOCAL_TESTING_BIN: &str = "MP_TLS_TRUST_LOCAL_TESTING_BIN";
const TEST_NAME: &str = "a_buyer_ca_with_a_hosts_entry_cannot_redirect_billing";

#[test]
fn a_buyer_ca_with_a_hosts_entry_cannot_redirect_billing() {
    if buyer_attack::inside_namespaces() {
        return buyer_attack::play(|build, env| {
            let binary = match build {
                Build::Production => std::env::var(PRODUCTION_BIN).unwrap(),
                Build::LocalTesting => std::env::var(LOCAL_TESTING_BIN).unwrap(),
            };
            let mut command = Command::new(binary);
            command.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
            command
        });
    }
    if !buyer_attack::namespaces_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let production = build_production_example("eks-custom", dir.path());
    // The workspace's target dir holds one binary per package: a copy stays as it is while
    // the namespaces run.
    let local_testing = copy_to(&build_example("eks-custom"), dir.path(), "local-testing");
    buyer_attack::rerun_inside_namespaces(
        TEST_NAME,
        &[
            (PRODUCTION_BIN, production.into()),
            (LOCAL_TESTING_BIN, local_testing.into()),
        ],
    );
}

fn copy_to(binary: &Path, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(binary, &to).unwrap_or_else(|e| panic!("copying {}: {e}", binary.display()));
    to
}
