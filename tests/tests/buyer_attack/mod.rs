//! The buyer-CA attack, staged as a buyer would stage it, with nothing leaving loopback;
//! shared by the suites that play it against a binary (`tls_trust.rs`) and against the
//! production image (`images.rs`).
//!
//! A buyer controls name resolution and the certificates the environment names. In a
//! private network namespace with its own `/etc/hosts`, the metering host name points at
//! 127.0.0.1, where a TLS server holds a certificate for that name signed by a CA the test
//! made and names in `SSL_CERT_FILE`. The server answers every request with 200, as a
//! billing-skipping fake would.
//!
//! - A production build of a custom-priced service must refuse it: exit 92 at the first
//!   attempt, the seller's code never runs, the fake receives no request.
//! - The control: a local-testing build of the same service, which keeps the platform's
//!   trust store, reaches the fake, trusts it and serves. So the production build's refusal
//!   is the pin at work, not an unreachable or broken fake.
//!
//! The namespaces need root and `unshare` (util-linux). Where they are missing a suite says
//! so; with `MP_REQUIRE_NETNS=1` (set by `.ci/run`) it fails instead of skipping.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The host name a production build in us-east-1 sends its metering calls to.
pub(crate) const HOST: &str = "metering.marketplace.us-east-1.amazonaws.com";
/// Set in the re-executed test inside the namespaces.
const INSIDE: &str = "MP_BUYER_ATTACK_INSIDE_NETNS";
/// Guards against a hung child only; a healthy run is far below.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Which build of the service a launcher starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Build {
    /// Without `local-testing`: the pinned trust store.
    Production,
    /// With `local-testing`: the platform's trust store, so `SSL_CERT_FILE` counts.
    LocalTesting,
}

/// True in the copy of the test that runs inside the namespaces.
pub(crate) fn inside_namespaces() -> bool {
    std::env::var_os(INSIDE).is_some()
}

/// Whether the attack can be staged here. Prints why not and returns false, or panics
/// under `MP_REQUIRE_NETNS=1`.
pub(crate) fn namespaces_or_skip() -> bool {
    let Err(why) = namespaces_available() else {
        return true;
    };
    let message = format!(
        "the buyer-CA attack needs a private network and mount namespace: {why}. \
         Run it as root on a machine with util-linux's unshare"
    );
    if std::env::var("MP_REQUIRE_NETNS").as_deref() == Ok("1") {
        panic!("{message} (MP_REQUIRE_NETNS=1)");
    }
    // Straight to the process's stderr: the harness captures eprintln! of passing tests.
    let _ = writeln!(std::io::stderr(), "SKIPPED: {message}");
    false
}

fn namespaces_available() -> Result<(), String> {
    match Command::new("unshare")
        .args(["--net", "--mount", "--", "true"])
        .stderr(Stdio::piped())
        .output()
    {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`unshare --net --mount true` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("cannot run unshare: {e}")),
    }
}

/// Runs the test `test_name` of this test binary again inside fresh network and mount
/// namespaces, with `env` added, and fails unless it passes there.
pub(crate) fn rerun_inside_namespaces(test_name: &str, env: &[(&str, OsString)]) {
    let exe = std::env::current_exe().unwrap();
    let output = Command::new("unshare")
        .args(["--net", "--mount", "--fork", "--"])
        .arg(&exe)
        .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("running unshare");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the attack inside the namespace failed ({})",
        output.status
    );
}

/// Plays the attack inside the namespaces: `launch` returns the command that starts the
/// given build with exactly the given environment (the buyer's).
pub(crate) fn play(launch: impl Fn(Build, &[(String, String)]) -> Command) {
    run("ip", &["link", "set", "lo", "up"]);
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    std::fs::write(&hosts, format!("127.0.0.1 localhost\n127.0.0.1 {HOST}\n")).unwrap();
    run("mount", &["--bind", hosts.to_str().unwrap(), "/etc/hosts"]);

    let (ca_pem, server_config) = buyer_ca_and_certificate();
    let ca_file = dir.path().join("buyer-ca.pem");
    std::fs::write(&ca_file, ca_pem).unwrap();
    let fake = FakeEndpoint::start(server_config);
    let env = buyer_env(&ca_file);
    let start = |build: Build| {
        let mut command = launch(build, &env);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        command.spawn().unwrap()
    };

    // The attack on a production build.
    let mut child = start(Build::Production);
    let status = wait(&mut child);
    let (stdout, stderr) = drain(&mut child);
    println!("production build: {status}\n{stdout}{stderr}");
    assert_eq!(status.code(), Some(92), "exit 92 (intercepted)");
    assert!(
        !stdout.contains("serving on"),
        "the seller's code ran: {stdout}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.starts_with(
            "mp-runtime: something intercepted the connection to the metering endpoint in \
             us-east-1"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("TLS inspection"), "{stderr}");
    assert!(
        fake.handshakes() >= 1,
        "the production build did reach the fake"
    );
    assert_eq!(fake.requests(), 0, "the fake received a request");

    // The control: a build that keeps the platform's trust store trusts the fake and runs.
    let mut child = start(Build::LocalTesting);
    let serving = first_stdout_line(&mut child);
    let _ = child.kill();
    let _ = child.wait();
    println!("local-testing build: {serving}");
    assert!(
        serving.starts_with("serving on"),
        "the control did not run: {serving:?}"
    );
    assert!(
        fake.requests() >= 2,
        "the control's DryRuns (one per dimension) reached the fake"
    );
}

/// What a buyer running the service sets: a region, static credentials of their own, and
/// their CA in `SSL_CERT_FILE`.
fn buyer_env(ca_file: &Path) -> Vec<(String, String)> {
    [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "AKIDBUYER"),
        ("AWS_SECRET_ACCESS_KEY", "buyer-secret"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("SSL_CERT_FILE", &ca_file.display().to_string()),
        ("BIND_ADDR", "127.0.0.1:0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?}: {status}");
}

fn wait(child: &mut Child) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let (stdout, stderr) = drain(child);
            panic!("the production build hung:\n{stdout}{stderr}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn drain(child: &mut Child) -> (String, String) {
    let mut out = String::new();
    let mut err = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (out, err)
}

fn first_stdout_line(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    rx.recv_timeout(HANG_GUARD).unwrap_or_default()
}

/// A CA of the buyer's, in PEM, and a server configuration holding a certificate for the
/// metering host that this CA signed.
fn buyer_ca_and_certificate() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Buyer Root CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![HOST.to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    let chain = vec![leaf.der().clone(), ca.der().clone()];
    let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    (ca.pem(), Arc::new(config))
}

/// The buyer's server on 127.0.0.1:443: completes TLS handshakes and answers every HTTP
/// request with 200 `{}`, counting both.
struct FakeEndpoint {
    handshakes: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

impl FakeEndpoint {
    fn start(config: Arc<rustls::ServerConfig>) -> FakeEndpoint {
        let listener = TcpListener::bind("127.0.0.1:443").expect("port 443 in the namespace");
        let handshakes = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (h, r) = (handshakes.clone(), requests.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (config, h, r) = (config.clone(), h.clone(), r.clone());
                std::thread::spawn(move || serve(stream, config, &h, &r));
            }
        });
        FakeEndpoint {
            handshakes,
            requests,
        }
    }

    fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

fn serve(
    mut tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    handshakes: &AtomicUsize,
    requests: &AtomicUsize,
) {
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
    handshakes.fetch_add(1, Ordering::SeqCst);
    let mut conn = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    let mut reader = BufReader::new(&mut tls);
    loop {
        let mut content_length = 0usize;
        let mut line = String::new();
        // The request line; the client refusing our certificate ends the stream here.
        match reader.read_line(&mut line) {
            Ok(n) if n > 0 => {}
            _ => return,
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        requests.fetch_add(1, Ordering::SeqCst);
        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
                      content-length: 2\r\nx-amzn-requestid: fake\r\n\r\n{}";
        if reader.get_mut().write_all(answer.as_bytes()).is_err() {
            return;
        }
        let _ = reader.get_mut().flush();
    }
}
