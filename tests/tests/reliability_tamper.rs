//! Tampering: forged RegisterUsage tokens and hostile environments each stop the
//! product before the seller's code runs, with the documented exit code and one line.
//!
//! Tokens: mp-emulator answers RegisterUsage with a forged Signature
//! (`EmulatorConfig::forge_signature`) and `fx_signed` (public key version 1 compiled in) must
//! exit 87. The service did register (the ledger shows it: the forgery is what came back), so
//! each case also checks that exactly one RegisterUsage was made: a bad signature is final,
//! never retried. Already covered in e2e_startup.rs and not repeated here: a token signed by
//! another key (`signature_from_another_key_exits_87`), a replayed token
//! (`replayed_token_exits_87_on_the_nonce`), an untrusted override
//! (`untrusted_override_exits_86_without_calling_aws`).
//!
//! Endpoint overrides and PlatformNotSupported in a production build are unit tests in
//! mp-runtime (client.rs, register.rs): the fixtures here are local-testing builds.

#[allow(dead_code)] // each suite uses its own part of the shared harness
mod e2e_support;

use e2e_support::harness::{Env, Run, run};
use mp_emulator::{
    Emulator, EmulatorConfig, Platform,
    keys::TEST_ONLY_KEY_VERSION,
    metering::Pricing,
    scenario::{FORGED_PRODUCT_CODE, Forgery},
};

const HOURLY: &str = "e2ehourly0000000000000001";
const FREE: &str = "e2efree000000000000000001";
/// A free code of another listing: real, known to the service, but not in fx_overrides'
/// free list.
const OTHER_FREE: &str = "e2eotherfree0000000000001";

const FX_HOURLY: &str = env!("CARGO_BIN_EXE_fx_hourly");
const FX_SIGNED: &str = env!("CARGO_BIN_EXE_fx_signed");
const FX_OVERRIDES: &str = env!("CARGO_BIN_EXE_fx_overrides");

/// The emulator knows every code used here, so only the binary can be the one refusing.
fn emulator(config: EmulatorConfig) -> Emulator {
    let config = config
        .product(HOURLY, Pricing::Hourly, &[])
        .product(FREE, Pricing::Hourly, &[])
        .product(OTHER_FREE, Pricing::Hourly, &[]);
    Emulator::start_blocking(config).expect("mp-emulator starts on loopback")
}

/// Runs fx_signed against `forgery`; asserts exit 87 with `why` in the documented line, no
/// user code, and one registration made once.
fn forged_token_exits_87(forgery: Forgery) -> String {
    let emu = emulator(EmulatorConfig::default().forge_signature(forgery));
    let run = run(FX_SIGNED, &Env::of(&emu, Platform::Ecs));
    let line = run.assert_failed(87);
    let why = line
        .strip_prefix("mp-runtime: signature verification failed: ")
        .and_then(|rest| {
            rest.strip_suffix(
                ". The response did not come from AWS Marketplace under public key version 1: \
                 check public_key and public_key_version. [exit 87]",
            )
        })
        .unwrap_or_else(|| panic!("not the documented exit-87 line: {line}"))
        .to_owned();
    let ledger = emu.ledger();
    assert_eq!(ledger.registrations.len(), 1, "{ledger:?}");
    assert_eq!(ledger.request_count("RegisterUsage"), 1, "never retried");
    assert!(ledger.records.is_empty());
    why
}

#[test]
fn alg_none_exits_87() {
    let why = forged_token_exits_87(Forgery::AlgNone);
    assert!(
        why.starts_with("the Signature is not a PS256 JWT ("),
        "{why}"
    );
}

#[test]
fn hs256_keyed_with_the_public_key_exits_87() {
    assert_eq!(
        forged_token_exits_87(Forgery::Hs256WithPublicKey),
        "the Signature uses algorithm HS256; only PS256 is accepted"
    );
}

#[test]
fn another_calls_nonce_exits_87() {
    assert_eq!(
        forged_token_exits_87(Forgery::OtherNonce),
        "the Signature's nonce is not the one sent (a replayed or foreign token)"
    );
}

#[test]
fn validly_signed_for_another_product_exits_87() {
    assert_eq!(
        forged_token_exits_87(Forgery::WrongProductCode),
        format!("the Signature is for product {FORGED_PRODUCT_CODE}, not {HOURLY}")
    );
}

#[test]
fn validly_signed_for_another_key_version_exits_87() {
    assert_eq!(
        forged_token_exits_87(Forgery::WrongKeyVersion),
        format!(
            "the Signature names public key version {}, not the configured 1",
            TEST_ONLY_KEY_VERSION + 1
        )
    );
}

#[test]
fn claims_that_are_not_base64_exit_87() {
    let why = forged_token_exits_87(Forgery::MalformedBase64);
    assert!(why.starts_with("the Signature is malformed ("), "{why}");
}

#[test]
fn claims_that_are_not_json_exit_87() {
    let why = forged_token_exits_87(Forgery::MalformedJson);
    assert!(why.starts_with("the Signature is malformed ("), "{why}");
}

#[test]
fn a_four_mib_token_is_refused_by_size_without_a_panic() {
    // Genuine and validly signed in every claim: only the size cap refuses it, before any
    // decoding (signature.rs, MAX_TOKEN_BYTES).
    let why = forged_token_exits_87(Forgery::Oversized);
    let bytes: usize = why
        .strip_prefix("the Signature is ")
        .and_then(|rest| rest.strip_suffix(" bytes, more than the 16384 any genuine token needs"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{why}"));
    assert!(bytes > 4_000_000, "{bytes}");
}

/// A start-up refusal that made no AWS call at all: the emulator saw no request.
fn assert_no_aws_call(emu: &Emulator, run: &Run) {
    let ledger = emu.ledger();
    assert!(ledger.requests.is_empty(), "{ledger:?} {run:?}");
    assert!(ledger.registrations.is_empty());
}

#[test]
fn another_listings_free_code_is_not_run_as_free() {
    // fx_overrides trusts FREE as its free tier; a free code of another listing unlocks
    // nothing, even though AWS Marketplace knows it.
    let emu = emulator(EmulatorConfig::default());
    let env = Env::of(&emu, Platform::Ecs).set("MARKETPLACE_PRODUCT_CODE", OTHER_FREE);
    let run = run(FX_OVERRIDES, &env);
    assert_eq!(
        run.assert_failed(86),
        format!(
            "mp-runtime: MARKETPLACE_PRODUCT_CODE=\"{OTHER_FREE}\" is not a product code this binary \
             trusts (compiled in: {HOURLY}; trusted overrides: e2etrusted00000000000001). Unset \
             MARKETPLACE_PRODUCT_CODE or set it to one of those. [exit 86]"
        )
    );
    assert_no_aws_call(&emu, &run);
}

#[test]
fn a_free_code_on_a_binary_without_a_free_tier_exits_86() {
    // fx_hourly has no free list and trusts no override: a free code is just another string.
    let emu = emulator(EmulatorConfig::default());
    let env = Env::of(&emu, Platform::Ecs).set("MARKETPLACE_PRODUCT_CODE", FREE);
    let run = run(FX_HOURLY, &env);
    assert_eq!(
        run.assert_failed(86),
        format!(
            "mp-runtime: MARKETPLACE_PRODUCT_CODE=\"{FREE}\" is not a product code this binary \
             trusts (compiled in: {HOURLY}; this binary accepts no override). Unset \
             MARKETPLACE_PRODUCT_CODE or set it to one of those. [exit 86]"
        )
    );
    assert_no_aws_call(&emu, &run);
}

#[test]
fn plain_http_credentials_endpoint_off_the_host_exits_84_before_any_connection() {
    // No connection to 192.0.2.10 (TEST-NET-1) is ever attempted, by construction: mp-runtime
    // checks the variable's text in credentials::load before aws-config builds its credentials
    // chain, and a refused value replaces that chain with a provider that only reports the
    // refusal; start-up asks for credentials before any AWS call and the refusal is final.
    // Even without that check aws-config would refuse an http IP literal outside loopback and
    // the ECS/EKS agent addresses without connecting. The region comes from AWS_REGION, so no
    // metadata endpoint is asked either.
    let emu = emulator(EmulatorConfig::default());
    let env = Env::of(&emu, Platform::Ecs).set(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://192.0.2.10/creds",
    );
    let run = run(FX_HOURLY, &env);
    assert_eq!(
        run.assert_failed(84),
        "mp-runtime: AWS_CONTAINER_CREDENTIALS_FULL_URI=\"http://192.0.2.10/creds\" is not an \
         allowed credentials endpoint: use https, or plain http only to a loopback address or \
         the ECS/EKS agent (169.254.170.2, 169.254.170.23, [fd00:ec2::23]), written as an IP \
         literal. Unset it (ECS and IRSA set what they need) or fix it. [exit 84]"
    );
    assert_no_aws_call(&emu, &run);
}

#[test]
fn a_host_name_for_the_credentials_endpoint_is_refused_without_resolving_it() {
    // `localhost` would resolve to loopback, and aws-config would look it up to decide; the
    // check decides from the text, so nothing is resolved: only IP literals pass.
    let emu = emulator(EmulatorConfig::default());
    let url = format!("http://localhost:{}/ecs/credentials", emu.addr().port());
    let env = Env::of(&emu, Platform::Ecs).set("AWS_CONTAINER_CREDENTIALS_FULL_URI", &url);
    let run = run(FX_HOURLY, &env);
    let line = run.assert_failed(84);
    assert!(
        line.starts_with(&format!(
            "mp-runtime: AWS_CONTAINER_CREDENTIALS_FULL_URI=\"{url}\" is not an allowed credentials endpoint"
        )),
        "{line}"
    );
    assert_no_aws_call(&emu, &run);
}

#[test]
fn loopback_credentials_endpoint_with_an_upper_case_scheme_still_registers() {
    // The check and aws-config read the same URL the same way: what passes the check works.
    let emu = emulator(EmulatorConfig::default());
    let url = format!("HTTP://{}/ecs/credentials", emu.addr());
    let env = Env::of(&emu, Platform::Ecs).set("AWS_CONTAINER_CREDENTIALS_FULL_URI", &url);
    run(FX_HOURLY, &env).assert_succeeded();
    assert_eq!(emu.ledger().registrations.len(), 1);
}
