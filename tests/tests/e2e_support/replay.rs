//! A loopback proxy in front of the emulator's metering endpoint that records the first
//! answer and replays it to every later request: what an attacker on the network path (or a
//! cache) would do to reuse a genuine, validly signed RegisterUsage token.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// Stops accepting when the test process ends (the thread is detached).
pub(crate) struct Replayer {
    url: String,
    recorded: Arc<Mutex<Option<Vec<u8>>>>,
}

impl Replayer {
    /// Forwards to `upstream` until one answer is recorded, then replays it.
    pub(crate) fn start(upstream: SocketAddr) -> Replayer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("local addr"));
        let recorded: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
        let shared = recorded.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve(stream, upstream, &shared);
            }
        });
        Replayer { url, recorded }
    }

    pub(crate) fn url(&self) -> String {
        self.url.clone()
    }

    pub(crate) fn has_recorded(&self) -> bool {
        self.recorded.lock().unwrap().is_some()
    }
}

/// One request per connection (the answer says `connection: close`).
fn serve(
    client: TcpStream,
    upstream: SocketAddr,
    recorded: &Mutex<Option<Vec<u8>>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let request = read_message(&mut reader)?;
    let replay = recorded.lock().unwrap().clone();
    let answer = match replay {
        Some(answer) => answer,
        None => {
            let mut server = TcpStream::connect(upstream)?;
            server.write_all(&request)?;
            let answer = read_message(&mut BufReader::new(server))?;
            *recorded.lock().unwrap() = Some(answer.clone());
            answer
        }
    };
    let mut client = client;
    client.write_all(&answer)
}

/// A whole HTTP/1.1 message: head, then a `content-length` body; `connection` forced to
/// `close` so each connection carries one exchange.
fn read_message(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            head.extend_from_slice(b"connection: close\r\n\r\n");
            break;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    head.extend_from_slice(&body);
    Ok(head)
}
