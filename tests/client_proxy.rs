//! The client through an HTTP proxy (`SchedulerBuilder::proxy`): ureq
//! tunnels every connection with CONNECT, the subscription stream and the
//! calls alike. Against the simulated master behind a real proxy on
//! 127.0.0.1 (`tests/proxy_support`): a whole task's life goes through the
//! tunnels (and only through them), `close()` ends a stream blocked in a
//! read on a tunnel, so does the heartbeat watchdog (and the client
//! subscribes again through a new tunnel), the proxy's credentials from the URL are sent, and a
//! proxy's refusal reaches the application as a typed error naming it.

mod client_support;
mod proxy_support;

use std::time::{Duration, Instant};

use client_support::*;
use mesos_http::call;
use mesos_http::event::Event;
use mesos_http::v1::TaskState;
use mesos_http::{ConnectionState, Disconnect, Encoding, Error, Item, SchedulerBuilder};
use mesos_http_sim::{AgentSpec, ScriptedTimeline, SimConfig, SimMaster};
use proxy_support::ConnectProxy;

per_encoding!(
    a_task_runs_with_every_byte_through_the_proxy,
    close_ends_a_stream_blocked_on_a_tunnel,
    a_silent_master_behind_the_proxy_is_dropped_and_resubscribed,
    credentials_in_the_proxy_url_are_sent,
    a_refusing_proxy_is_reported_and_retried,
);

/// `bob:s3cret` as a Basic credential (written out, not encoded by the
/// client's encoder).
const BOB: &str = "Ym9iOnMzY3JldA==";

/// A scheduler builder for `master` whose connections go through `proxy_url`.
fn via(proxy_url: String, master: &SimMaster, encoding: Encoding, name: &str) -> SchedulerBuilder {
    builder(&master.url(), encoding, name).proxy(proxy_url)
}

fn master_with_an_agent() -> SimMaster {
    let config = SimConfig::fast(Duration::from_millis(100))
        .with_agent(AgentSpec::scripted(ScriptedTimeline::run_forever()).with_id("agent-1"));
    SimMaster::start(config).unwrap()
}

fn a_task_runs_with_every_byte_through_the_proxy(encoding: Encoding) {
    let master = master_with_an_agent();
    let proxy = ConnectProxy::start();
    let (scheduler, events) = via(proxy.url(), &master, encoding, "proxied")
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);
    let offer = offers(&events, 1).remove(0);
    scheduler
        .accept(
            [offer.id.clone()],
            [call::launch([small_task(&offer, "t1")])],
            None,
        )
        .unwrap();
    let starting = update(&events, "t1", TaskState::TASK_STARTING);
    scheduler
        .acknowledge(starting.task_status().unwrap())
        .unwrap();
    let running = update(&events, "t1", TaskState::TASK_RUNNING);
    scheduler
        .acknowledge(running.task_status().unwrap())
        .unwrap();
    sim_wait(&master, "both updates acknowledged", |s| {
        s.unacknowledged_updates().is_empty()
    });
    let master_addr = master.addr().to_string();
    let targets = proxy.targets();
    assert!(
        targets.len() >= 2,
        "the stream and the calls each went through a tunnel: {targets:?}"
    );
    assert!(
        targets.iter().all(|t| *t == master_addr),
        "every tunnel leads to the master at {master_addr}: {targets:?}"
    );
    assert!(proxy.refused().is_empty(), "{:?}", proxy.refused());
    scheduler.close();
    drain_until_closed(&events);
    sim_wait(&master, "stream closed by the client", |s| {
        !s.framework(&framework_id).unwrap().connected
    });
    assert!(
        proxy.wait_open_at_most(0, PATIENCE),
        "{} tunnels still open after close()",
        proxy.open_tunnels()
    );
}

fn close_ends_a_stream_blocked_on_a_tunnel(encoding: Encoding) {
    // One heartbeat after SUBSCRIBED, the next in an hour: the reader then
    // blocks in a read on the tunnel's socket.
    let master = sim(Duration::from_secs(3600));
    let proxy = ConnectProxy::start();
    let (scheduler, events) = via(proxy.url(), &master, encoding, "proxied-close")
        .connect()
        .unwrap();
    subscribed(&events);
    next_event(&events, "HEARTBEAT", |e| matches!(e, Event::Heartbeat));
    assert_eq!(proxy.open_tunnels(), 1, "the stream's tunnel");

    let started = Instant::now();
    scheduler.close();
    drain_until_closed(&events);
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "close() took {took:?} to end a stream on a tunnel"
    );
    assert!(
        proxy.wait_open_at_most(0, PATIENCE),
        "the stream's tunnel is still open"
    );
}

fn a_silent_master_behind_the_proxy_is_dropped_and_resubscribed(encoding: Encoding) {
    let master = sim(Duration::from_millis(40));
    let proxy = ConnectProxy::start();
    let (scheduler, events) = via(proxy.url(), &master, encoding, "proxied-stall")
        .missed_heartbeats(3)
        .connect()
        .unwrap();
    let (framework_id, _) = subscribed(&events);
    assert_eq!(proxy.open_tunnels(), 1, "the stream's tunnel");
    master.stall_heartbeats(true);
    let silence = wait_for(&events, "the watchdog's disconnect", |item| match item {
        Item::Connection(ConnectionState::Disconnected(Disconnect::HeartbeatTimeout {
            silence,
            ..
        })) => Some(*silence),
        _ => None,
    });
    assert_eq!(silence, Duration::from_millis(120), "3 × 40 ms");
    master.stall_heartbeats(false);
    let (again, _) = subscribed(&events);
    assert_eq!(again, framework_id, "the same framework, resubscribed");
    // The silent stream's tunnel was shut by the client (the proxy sees
    // both its directions end); the new stream has a tunnel of its own.
    assert!(
        proxy.wait_open_at_most(1, PATIENCE),
        "{} tunnels open: the silent stream's was not closed",
        proxy.open_tunnels()
    );
    assert!(proxy.targets().len() >= 2, "{:?}", proxy.targets());
    scheduler.close();
}

fn credentials_in_the_proxy_url_are_sent(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let proxy = ConnectProxy::requiring(BOB);
    let (scheduler, events) = via(
        proxy.url_with_credentials("bob", "s3cret"),
        &master,
        encoding,
        "proxy-credentials",
    )
    .connect()
    .unwrap();
    subscribed(&events);
    scheduler.revive(Vec::<String>::new()).unwrap();
    assert!(proxy.refused().is_empty(), "{:?}", proxy.refused());
    assert!(proxy.targets().len() >= 2, "{:?}", proxy.targets());
    scheduler.close();
}

fn a_refusing_proxy_is_reported_and_retried(encoding: Encoding) {
    let master = sim(Duration::from_millis(100));
    let proxy = ConnectProxy::requiring(BOB);
    let (scheduler, events) = via(proxy.url(), &master, encoding, "proxy-refused")
        .connect()
        .unwrap();
    let error = wait_for(
        &events,
        "a failed subscription attempt",
        |item| match item {
            Item::Connection(ConnectionState::Disconnected(Disconnect::Failed(error))) => {
                Some(error.to_string())
            }
            _ => None,
        },
    );
    assert!(
        error.contains("407"),
        "the proxy's answer is in the error: {error}"
    );
    wait_for(&events, "a retry", |item| {
        matches!(item, Item::Connection(ConnectionState::Reconnecting { .. })).then_some(())
    });
    assert!(matches!(
        scheduler.revive(Vec::<String>::new()),
        Err(Error::NotSubscribed)
    ));
    assert!(proxy.targets().is_empty(), "nothing was tunnelled");
    assert!(
        proxy
            .refused()
            .iter()
            .all(|status| status.starts_with("407")),
        "{:?}",
        proxy.refused()
    );
    scheduler.close();
}
