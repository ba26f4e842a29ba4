//! A loopback listener that accepts connections and never answers: a metadata endpoint that
//! is "there" but silent, the worst case for a region chain. Connections are held until the
//! listener is dropped.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub(crate) struct BlackHole {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl BlackHole {
    pub(crate) fn start() -> std::io::Result<BlackHole> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let held = Arc::new(Mutex::new(Vec::new()));
        let (thread_stop, thread_held) = (stop.clone(), held.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if thread_stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(conn) = conn {
                    thread_held
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(conn);
                }
            }
        });
        Ok(BlackHole {
            addr,
            stop,
            held,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop so it sees `stop`
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.held.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
