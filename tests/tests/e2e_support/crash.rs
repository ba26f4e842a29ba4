//! For killing a fixture and looking at what it left: the `fx_crash` progress file, signals, a seeded xorshift for where to kill, and a
//! relay that withholds the service's answers.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// What `fx_crash` had metered (`requests`, `data_gb` units), from its progress file;
/// zeros before its first call.
pub(crate) fn metered(fx_dir: &Path) -> [u64; 2] {
    let text = std::fs::read_to_string(fx_dir.join("metered")).unwrap_or_default();
    let mut units = text.split_whitespace().map(|n| n.parse().unwrap_or(0));
    [units.next().unwrap_or(0), units.next().unwrap_or(0)]
}

/// Sends SIGTERM (what ECS and Kubernetes send first on a stop).
pub(crate) fn terminate(child: &Child) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "SIGTERM delivered");
}

/// xorshift64: a fixed seed gives the same kill points on every run, no dependency.
pub(crate) struct Xorshift(pub u64);

impl Xorshift {
    /// A number in `0..bound`.
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}

/// A loopback relay in front of the metering endpoint that, once told to, still passes
/// requests to the service but never passes its answers back: the service has accepted a
/// record the client never hears about, the window a crash after a send can hit.
pub(crate) struct Withholder {
    url: String,
    withholding: Arc<AtomicBool>,
}

impl Withholder {
    pub(crate) fn start(upstream: SocketAddr) -> Withholder {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let withholding = Arc::new(AtomicBool::new(false));
        let shared = withholding.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let withholding = shared.clone();
                std::thread::spawn(move || relay(client, upstream, &withholding));
            }
        });
        Withholder { url, withholding }
    }

    pub(crate) fn url(&self) -> String {
        self.url.clone()
    }

    /// From now on, answers are read from the service and dropped.
    pub(crate) fn withhold(&self) {
        self.withholding.store(true, Relaxed);
    }
}

/// Copies bytes both ways; withheld answers are dropped and the client's connection is
/// held open (the thread is detached and ends with the test process).
fn relay(client: TcpStream, upstream: SocketAddr, withholding: &AtomicBool) -> io::Result<()> {
    let server = TcpStream::connect(upstream)?;
    let (mut from_client, mut to_server) = (client.try_clone()?, server.try_clone()?);
    std::thread::spawn(move || {
        let _ = io::copy(&mut from_client, &mut to_server);
        let _ = to_server.shutdown(Shutdown::Write);
    });
    let (mut from_server, mut to_client) = (server, client);
    let mut buf = [0; 8192];
    loop {
        let n = from_server.read(&mut buf)?;
        if withholding.load(Relaxed) {
            loop {
                std::thread::park(); // never answer, never close
            }
        }
        if n == 0 {
            return Ok(());
        }
        to_client.write_all(&buf[..n])?;
    }
}
