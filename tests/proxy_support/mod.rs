//! A small HTTP CONNECT proxy on 127.0.0.1 for the client's proxy tests: it
//! tunnels each CONNECT to its target and pumps bytes both ways, refuses
//! every other method with 405, and, when it is given credentials, answers
//! a CONNECT without the matching `Proxy-Authorization` with 407. It records
//! each tunnel's target and counts the tunnels still open, so a test can
//! tell that traffic went through it and that the client let go of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// A running proxy; stops (closing every tunnel) when dropped.
pub struct ConnectProxy {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct State {
    /// `Proxy-Authorization` value a CONNECT must carry, if any.
    authorization: Option<String>,
    /// The target of every tunnel opened, in order.
    targets: Mutex<Vec<String>>,
    /// Status lines of the requests refused (405, 407).
    refused: Mutex<Vec<String>>,
    open: AtomicUsize,
    stop: AtomicBool,
    /// Every socket, to shut down on stop.
    sockets: Mutex<Vec<TcpStream>>,
}

impl ConnectProxy {
    /// A proxy that tunnels every CONNECT.
    pub fn start() -> ConnectProxy {
        ConnectProxy::with_state(State::default())
    }

    /// A proxy that tunnels only CONNECTs carrying Basic credentials
    /// `user`:`password` (the header value is written out here rather than
    /// encoded, so the test does not share the client's encoder).
    pub fn requiring(basic_credentials: &str) -> ConnectProxy {
        ConnectProxy::with_state(State {
            authorization: Some(format!("Basic {basic_credentials}")),
            ..State::default()
        })
    }

    fn with_state(state: State) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(state);
        let accepting = Arc::clone(&state);
        let accept = thread::spawn(move || {
            for conn in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let state = Arc::clone(&accepting);
                thread::spawn(move || serve(conn, &state));
            }
        });
        ConnectProxy {
            addr,
            state,
            accept: Some(accept),
        }
    }

    /// `http://127.0.0.1:PORT`, for `SchedulerBuilder::proxy`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The same with `user:password@` in front of the address.
    pub fn url_with_credentials(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@{}", self.addr)
    }

    /// The target (`host:port`) of every tunnel opened so far.
    pub fn targets(&self) -> Vec<String> {
        self.state.targets.lock().unwrap().clone()
    }

    /// The status lines the proxy refused requests with.
    pub fn refused(&self) -> Vec<String> {
        self.state.refused.lock().unwrap().clone()
    }

    /// Tunnels whose two directions have not both ended.
    pub fn open_tunnels(&self) -> usize {
        self.state.open.load(Ordering::SeqCst)
    }

    /// Waits until at most `n` tunnels are open; false after `patience`.
    pub fn wait_open_at_most(&self, n: usize, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        while self.open_tunnels() > n {
            if Instant::now() > deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(10));
        }
        true
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        for socket in self.state.sockets.lock().unwrap().drain(..) {
            let _ = socket.shutdown(Shutdown::Both);
        }
        // Wake the accept loop so it sees `stop`.
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn keep(state: &State, socket: &TcpStream) {
    if let Ok(clone) = socket.try_clone() {
        state.sockets.lock().unwrap().push(clone);
    }
}

/// Answers `status` and closes the connection (shut down: `keep` holds a
/// clone of the socket, so dropping `conn` alone would leave it open).
fn refuse(mut conn: TcpStream, state: &State, status: &str, extra: &str) {
    state.refused.lock().unwrap().push(status.to_string());
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let _ = conn.shutdown(Shutdown::Both);
}

/// One client connection: its request head, then a tunnel or a refusal.
fn serve(conn: TcpStream, state: &State) {
    keep(state, &conn);
    let mut reader = BufReader::new(conn.try_clone().expect("clone the connection"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("proxy-authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    if method != "CONNECT" {
        return refuse(conn, state, "405 Method Not Allowed", "");
    }
    if state.authorization.is_some() && authorization != state.authorization {
        return refuse(
            conn,
            state,
            "407 Proxy Authentication Required",
            "Proxy-Authenticate: Basic realm=\"test\"\r\n",
        );
    }
    let Ok(upstream) = TcpStream::connect(target) else {
        return refuse(conn, state, "502 Bad Gateway", "");
    };
    keep(state, &upstream);
    state.targets.lock().unwrap().push(target.to_string());
    state.open.fetch_add(1, Ordering::SeqCst);
    let mut client_side = conn;
    if client_side
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        state.open.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    // Bytes the client sent after the head are in `reader`'s buffer: the
    // pump from the client reads through it.
    let down = {
        let (mut from, mut to) = (
            upstream.try_clone().unwrap(),
            client_side.try_clone().unwrap(),
        );
        thread::spawn(move || pump(&mut from, &mut to))
    };
    let mut to_upstream = upstream;
    pump(&mut reader, &mut to_upstream);
    let _ = down.join();
    let _ = client_side.shutdown(Shutdown::Both);
    state.open.fetch_sub(1, Ordering::SeqCst);
}

/// Copies until either side ends, then shuts both down so the other
/// direction ends too.
fn pump(from: &mut impl Read, to: &mut TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
}
