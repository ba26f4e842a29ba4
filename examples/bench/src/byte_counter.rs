//! A loopback TCP relay in front of the emulator's metering endpoint that counts the bytes
//! a program sends through it (item 4's "bytes sent"). It relays bytes unchanged, so the
//! SigV4 signature, made over the Host header the program sent, still verifies.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::thread::JoinHandle;

pub(crate) struct ByteCounter {
    addr: SocketAddr,
    sent: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ByteCounter {
    /// Relays `127.0.0.1:<free port>` to `upstream` (a loopback address).
    pub(crate) fn start(upstream: SocketAddr) -> std::io::Result<ByteCounter> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let sent = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_sent, thread_stop) = (sent.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for client in listener.incoming() {
                if thread_stop.load(Relaxed) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue; // the program sees a reset, as from a dead endpoint
                };
                relay(client, server, thread_sent.clone());
            }
        });
        Ok(ByteCounter {
            addr,
            sent,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Bytes the programs sent through the relay so far.
    pub(crate) fn sent(&self) -> u64 {
        self.sent.load(Relaxed)
    }
}

fn relay(client: TcpStream, server: TcpStream, sent: Arc<AtomicU64>) {
    let (Ok(client_r), Ok(server_r)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || pump(client_r, server, Some(&sent)));
    std::thread::spawn(move || pump(server_r, client, None));
}

/// Copies until either side closes, counting into `count` if given.
fn pump(mut from: TcpStream, mut to: TcpStream, count: Option<&AtomicU64>) {
    let mut buf = [0u8; 16 * 1024];
    while let Ok(n @ 1..) = from.read(&mut buf) {
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        if let Some(count) = count {
            count.fetch_add(n as u64, Relaxed);
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

impl Drop for ByteCounter {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop so it sees `stop`
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
