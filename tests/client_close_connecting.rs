//! `close()` and dropping the last handle finish within 1 s while the TCP
//! connect to the master hangs: the master is a listener on 127.0.0.1 with
//! a backlog of one whose accept queue the test fills with connections it
//! holds and never accepts, so the kernel drops the client's SYN and
//! `connect` waits (deterministically: the set-up fails rather than skips
//! if the queue cannot be filled).
//!
//! Nothing interrupts a TCP connect in progress, so the client never waits
//! for one on a thread that `close()` joins: SUBSCRIBE is posted from a
//! helper thread the reader stops waiting for, and that helper ends at its
//! own connect timeout. Calls in flight end too: a call waiting for a
//! master that never answers returns `Closed` at once.

mod client_support;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use client_support::*;
use mesos_http::{Encoding, Error};
use socket2::{Domain, Socket, Type};

per_encoding!(
    close_ends_a_hanging_connect,
    dropping_the_last_handle_ends_a_hanging_connect,
    close_ends_a_call_waiting_for_an_answer,
);

/// A listener whose accept queue is full, with the connections that fill
/// it. Panics if a connect still completes after a few: the test must not
/// pass without a hanging connect.
fn full_listener() -> (TcpListener, Vec<TcpStream>, SocketAddr) {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let bind: SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&bind.into()).unwrap();
    // Backlog 1: the kernel queues one or two connections, then drops SYNs.
    socket.listen(1).unwrap();
    let listener: TcpListener = socket.into();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..64 {
        match TcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
            Ok(stream) => held.push(stream),
            Err(_) => return (listener, held, addr),
        }
    }
    panic!("64 connects to a listener with backlog 1 all completed: cannot make a connect hang");
}

fn connecting(encoding: Encoding) -> (mesos_http::Scheduler, mesos_http::Events, impl Drop) {
    let (listener, held, addr) = full_listener();
    let (scheduler, events) = builder(&format!("http://{addr}"), encoding, "hanging")
        .connect_timeout(Duration::from_secs(60))
        .connect()
        .unwrap();
    // Let the reader get into its connect.
    thread::sleep(Duration::from_millis(300));
    struct Keep(
        #[allow(dead_code)] TcpListener,
        #[allow(dead_code)] Vec<TcpStream>,
    );
    impl Drop for Keep {
        fn drop(&mut self) {}
    }
    (scheduler, events, Keep(listener, held))
}

fn close_ends_a_hanging_connect(encoding: Encoding) {
    let (scheduler, events, _keep) = connecting(encoding);
    // A call in flight on another thread while the connect hangs.
    let caller = scheduler.clone();
    let call = thread::spawn(move || caller.revive(Vec::<String>::new()));
    let started = Instant::now();
    scheduler.close();
    drain_until_closed(&events);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    match call.join().unwrap() {
        Err(Error::Closed | Error::NotSubscribed) => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::Closed)
    ));
}

fn dropping_the_last_handle_ends_a_hanging_connect(encoding: Encoding) {
    let (scheduler, events, _keep) = connecting(encoding);
    let started = Instant::now();
    drop(scheduler);
    drain_until_closed(&events);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

fn close_ends_a_call_waiting_for_an_answer(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let (scheduler, events) = builder(&master.url(), encoding, "call-hangs")
        .call_timeout(Duration::from_secs(60))
        .connect()
        .unwrap();
    subscribed(&events);
    // The master now reads requests and never answers them.
    master.hang_requests(true);
    let caller = scheduler.clone();
    let call = thread::spawn(move || {
        let started = Instant::now();
        (caller.revive(Vec::<String>::new()), started.elapsed())
    });
    thread::sleep(Duration::from_millis(300));
    assert!(
        !call.is_finished(),
        "the call should be waiting for its answer"
    );
    let closing = Instant::now();
    scheduler.close();
    let (result, waited) = call.join().unwrap();
    assert!(
        closing.elapsed() < Duration::from_secs(1),
        "{:?}",
        closing.elapsed()
    );
    assert!(waited < Duration::from_secs(2), "{waited:?}");
    assert!(matches!(result, Err(Error::Closed)), "{result:?}");
    master.hang_requests(false);
}
