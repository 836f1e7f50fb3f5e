//! The TCP step of every ureq agent the client makes: ureq's own connector,
//! except that a connect in progress can be interrupted.
//!
//! `close()` must finish within a second in every state (issue 13), and it
//! does so by shutting the stream's and the calls' ureq agents down. ureq's
//! `Agent::shutdown` reaches every socket its connectors registered, but its
//! `TcpConnector` registers a socket only once `connect` returned: a connect
//! to a master that never answers the SYN (a full accept queue, a dropped
//! packet) sat out the whole connect timeout. This connector creates the
//! socket first (socket2), registers it with the agent, and only then
//! connects, so a shutdown aborts the connect at once. ureq's `TcpTransport`
//! is not public, so the transport over the socket is ours too; it is the
//! same few calls (timeouts set only when they change, EINTR retried), and
//! its liveness probe is one non-blocking `MSG_PEEK` instead of three
//! syscalls. Worth proposing upstream: register the socket before connecting.

use std::fmt;
use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, SocketAddr};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, ShutdownHandle,
    Transport,
};
use ureq::Error;

/// Connects TCP sockets that the agent can shut down while connecting.
#[derive(Debug, Default)]
pub(crate) struct InterruptibleTcpConnector;

/// The socket, shared with the agent's shutdown list (which holds it weakly).
#[derive(Debug)]
struct SharedSocket(Socket);

impl ShutdownHandle for SharedSocket {
    fn shutdown(&self) {
        // On Linux this also ends a connect in progress (SYN_SENT), waking
        // the poll in `connect_timeout` with an error.
        let _ = self.0.shutdown(Shutdown::Both);
    }
}

impl<In: Transport> Connector<In> for InterruptibleTcpConnector {
    type Out = Either<In, SocketTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, Error> {
        if let Some(chained) = chained {
            // A proxy connector already made the connection.
            return Ok(Some(Either::A(chained)));
        }
        let config = details.config;
        let socket = connect_any(details)?;
        if config.no_delay() {
            socket.0.set_tcp_nodelay(true)?;
        }
        Ok(Some(Either::B(SocketTransport {
            socket,
            buffers: LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size()),
            read_timeout: None,
            write_timeout: None,
        })))
    }
}

/// Tries the resolved addresses in order, the remaining budget shared evenly
/// among those left; stops at the first error that is not about the address.
fn connect_any(details: &ConnectionDetails) -> Result<Arc<SharedSocket>, Error> {
    let budget = details.timeout.not_zero().map(|t| *t);
    let started = Instant::now();
    let count = details.addrs.len();
    let mut last = None;
    for (index, addr) in details.addrs.iter().enumerate() {
        let per_address = budget.map(|total| {
            let left = total.saturating_sub(started.elapsed());
            (left / (count - index) as u32).max(Duration::from_millis(10))
        });
        match connect_one(details, *addr, per_address) {
            Ok(socket) => return Ok(socket),
            Err(err) if tries_next_address(&err) => {
                log::trace!("connect to {addr} failed: {err}");
                last = Some(err);
            }
            Err(err) => return Err(err),
        }
    }
    Err(last.unwrap_or_else(|| {
        Error::Io(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "no address to connect to",
        ))
    }))
}

fn connect_one(
    details: &ConnectionDetails,
    addr: SocketAddr,
    timeout: Option<Duration>,
) -> Result<Arc<SharedSocket>, Error> {
    let socket = Arc::new(SharedSocket(new_socket(addr)?));
    // Registered before connecting, so a shutdown interrupts the connect;
    // after a shutdown the agent refuses it, and no connect starts. (A
    // shutdown in the microseconds between the two is not seen: shutting
    // down a socket that is not connecting yet does nothing.)
    (details.register_shutdown)(Arc::downgrade(&socket) as Weak<dyn ShutdownHandle>)?;
    match connect_socket(&socket.0, addr, timeout) {
        Ok(()) => Ok(socket),
        Err(err) if err.kind() == io::ErrorKind::TimedOut => {
            Err(Error::Timeout(ureq::Timeout::Connect))
        }
        Err(err) => Err(Error::Io(err)),
    }
}

/// A TCP socket for `addr`, not connected yet: whoever may need to abort
/// the connect keeps a handle (or a `try_clone`) of it first.
pub(crate) fn new_socket(addr: SocketAddr) -> io::Result<Socket> {
    Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))
}

/// Connects `socket` (blocking, bounded by `timeout` if given); a
/// `shutdown` of the socket from another thread ends the wait.
pub(crate) fn connect_socket(
    socket: &Socket,
    addr: SocketAddr,
    timeout: Option<Duration>,
) -> io::Result<()> {
    let addr = SockAddr::from(addr);
    match timeout {
        Some(timeout) => socket.connect_timeout(&addr, timeout),
        None => socket.connect(&addr),
    }
}

fn tries_next_address(err: &Error) -> bool {
    match err {
        Error::Timeout(_) => true,
        Error::Io(e) => matches!(
            e.kind(),
            io::ErrorKind::ConnectionRefused
                | io::ErrorKind::HostUnreachable
                | io::ErrorKind::NetworkUnreachable
                | io::ErrorKind::AddrNotAvailable
        ),
        _ => false,
    }
}

/// ureq's transport contract over our socket.
pub(crate) struct SocketTransport {
    socket: Arc<SharedSocket>,
    buffers: LazyBuffers,
    /// What the socket's timeouts are set to, so a syscall happens only on
    /// a change.
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
}

impl fmt::Debug for SocketTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketTransport")
            .field(
                "peer",
                &self.socket.0.peer_addr().ok().and_then(|a| a.as_socket()),
            )
            .finish()
    }
}

/// The budget as a socket timeout, or the phase's timeout error when it is
/// spent.
fn socket_timeout(timeout: NextTimeout) -> Result<Option<Duration>, Error> {
    if timeout.after.is_zero() {
        return Err(Error::Timeout(timeout.reason));
    }
    Ok(timeout.not_zero().map(|t| whole_millis(*t)))
}

/// `timeout` rounded up to a whole millisecond. The budget ureq hands each
/// step of a call is what is left of the call's timeout, a few microseconds
/// less every time; set exactly, it took three `setsockopt` calls per call
/// (head, body, response): about 3 µs, 6 % of a sequential call on loopback.
/// Rounded, the steps of a call, and the calls after it, ask for the same
/// value and the socket is left as it is. A timeout fires at most a
/// millisecond late.
fn whole_millis(timeout: Duration) -> Duration {
    let millis = timeout.as_nanos().div_ceil(1_000_000);
    u64::try_from(millis).map_or(timeout, Duration::from_millis)
}

fn io_error(err: io::Error, timeout: NextTimeout) -> Error {
    match err.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Error::Timeout(timeout.reason),
        _ => Error::Io(err),
    }
}

impl Transport for SocketTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let timeout = timeout.for_write();
        let wanted = socket_timeout(timeout)?;
        if wanted != self.write_timeout {
            self.socket.0.set_write_timeout(wanted)?;
            self.write_timeout = wanted;
        }
        let output = &self.buffers.output()[..amount];
        (&self.socket.0)
            .write_all(output)
            .map_err(|e| io_error(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        let timeout = timeout.for_read();
        let wanted = socket_timeout(timeout)?;
        if wanted != self.read_timeout {
            self.socket.0.set_read_timeout(wanted)?;
            self.read_timeout = wanted;
        }
        let input = self.buffers.input_append_buf();
        let amount = loop {
            match (&self.socket.0).read(input) {
                // A signal: the socket timeout restarts, which only ever
                // lengthens the wait by what already passed.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => break result.map_err(|e| io_error(e, timeout))?,
            }
        };
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        peek_idle(&self.socket.0)
    }
}

/// A pooled connection is usable if reading would block: no bytes the
/// server sent unasked, no EOF, no error.
#[cfg(unix)]
fn peek_idle(socket: &Socket) -> bool {
    let mut byte = [MaybeUninit::<u8>::uninit()];
    match socket.recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT) {
        Err(e) => e.kind() == io::ErrorKind::WouldBlock,
        Ok(_) => false,
    }
}

#[cfg(not(unix))]
fn peek_idle(socket: &Socket) -> bool {
    let mut byte = [MaybeUninit::<u8>::uninit()];
    if socket.set_nonblocking(true).is_err() {
        return false;
    }
    let idle = matches!(socket.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    socket.set_nonblocking(false).is_ok() && idle
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_timeouts_are_whole_milliseconds_rounded_up() {
        let ms = Duration::from_millis;
        assert_eq!(whole_millis(ms(30_000)), ms(30_000));
        assert_eq!(
            whole_millis(ms(30_000) - Duration::from_micros(7)),
            ms(30_000)
        );
        assert_eq!(whole_millis(Duration::from_nanos(1)), ms(1));
        assert_eq!(whole_millis(ms(5) + Duration::from_nanos(1)), ms(6));
        assert_eq!(whole_millis(Duration::MAX), Duration::MAX);
    }

    /// The budget of one call's steps: what is left of `call` after `spent`.
    fn budget(call: Duration, spent: Duration) -> NextTimeout {
        NextTimeout {
            after: (call - spent).into(),
            reason: ureq::Timeout::Global,
            per_read: None,
            per_write: None,
        }
    }

    #[test]
    fn the_steps_of_a_call_leave_the_socket_timeouts_as_the_first_set_them() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let socket = new_socket(addr).unwrap();
        connect_socket(&socket, addr, None).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        let mut transport = SocketTransport {
            socket: Arc::new(SharedSocket(socket)),
            buffers: LazyBuffers::new(1024, 1024),
            read_timeout: None,
            write_timeout: None,
        };
        let call = Duration::from_secs(30);
        // Head and body: the budget a few microseconds smaller each time.
        for spent in [3, 20] {
            transport.buffers().output()[0] = b'x';
            transport
                .transmit_output(1, budget(call, Duration::from_micros(spent)))
                .unwrap();
            assert_eq!(transport.write_timeout, Some(call));
        }
        peer.write_all(b"y").unwrap();
        assert!(transport
            .await_input(budget(call, Duration::from_micros(45)))
            .unwrap());
        assert_eq!(transport.read_timeout, Some(call));
        let mut sent = [0u8; 2];
        peer.read_exact(&mut sent).unwrap();
        assert_eq!(&sent, b"xx");
    }
}
