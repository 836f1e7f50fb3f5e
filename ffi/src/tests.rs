//! Unit tests: the C ABI entry points called directly (as C would) against an
//! in-process simulated master: every call function, encoded bytes in both
//! directions, error mapping, and use of one handle from several threads.
use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::thread;
use std::time::{Duration, Instant};

use crate::*;
use mesos_http::codec::Encoding;
use mesos_http::resources::scalar_resource;
use mesos_http::v1;
use mesos_http::v1::scheduler::{call, event, Call, Event};
use mesos_http_sim::{AgentSpec, SimConfig, SimMaster};

const PROTOBUF: u32 = mesos_http_encoding::Protobuf as u32;
const JSON: u32 = mesos_http_encoding::Json as u32;

fn master() -> SimMaster {
    SimMaster::start(SimConfig::fast(Duration::from_millis(200)).with_agent(AgentSpec::local()))
        .expect("sim master starts")
}

/// Panics with the library's message unless `result` is OK.
fn ok(what: &str, result: mesos_http_result, error: *mut mesos_http_error) {
    let message = unsafe { CStr::from_ptr(mesos_http_error_message(error)) }
        .to_string_lossy()
        .into_owned();
    unsafe { mesos_http_error_free(error) };
    assert_eq!(result, mesos_http_result::Ok, "{what}: {message}");
}

/// Runs a call that must fail; returns the error's message.
fn failure(
    wanted: mesos_http_result,
    call: impl FnOnce(*mut *mut mesos_http_error) -> mesos_http_result,
) -> String {
    let mut error = ptr::null_mut();
    let result = call(&mut error);
    assert_eq!(result, wanted);
    assert!(!error.is_null());
    assert_eq!(unsafe { mesos_http_error_result(error) }, wanted);
    let message = unsafe { CStr::from_ptr(mesos_http_error_message(error)) }
        .to_string_lossy()
        .into_owned();
    unsafe { mesos_http_error_free(error) };
    message
}

fn text(ptr: *const c_char) -> Option<String> {
    (!ptr.is_null()).then(|| {
        unsafe { CStr::from_ptr(ptr) }
            .to_string_lossy()
            .into_owned()
    })
}

fn bytes_of(event: *const mesos_http_event) -> Vec<u8> {
    let mut data = ptr::null();
    let mut len = 0;
    assert_eq!(
        unsafe { mesos_http_event_bytes(event, &mut data, &mut len) },
        mesos_http_result::Ok
    );
    unsafe { std::slice::from_raw_parts(data, len) }.to_vec()
}

/// An owned event, freed on drop.
struct Owned(*mut mesos_http_event);

impl Drop for Owned {
    fn drop(&mut self) {
        unsafe { mesos_http_event_free(self.0) };
    }
}

impl Owned {
    fn kind(&self) -> mesos_http_event_kind {
        unsafe { mesos_http_event_get_kind(self.0) }
    }
}

/// Waits for the next item matching `wanted`, dropping others (updates on
/// the way are acknowledged so the master does not resend them).
fn wait_for(
    scheduler: *const mesos_http_scheduler,
    mut wanted: impl FnMut(&Owned) -> bool,
) -> Owned {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let mut event = ptr::null_mut();
        let mut error = ptr::null_mut();
        let result =
            unsafe { mesos_http_scheduler_next_event(scheduler, 500, &mut event, &mut error) };
        if result == mesos_http_result::Timeout {
            assert!(event.is_null());
            continue;
        }
        ok("next_event", result, error);
        let event = Owned(event);
        if wanted(&event) {
            return event;
        }
        if event.kind() == mesos_http_event_kind::Update {
            let mut error = ptr::null_mut();
            let result =
                unsafe { mesos_http_scheduler_acknowledge(scheduler, event.0, &mut error) };
            ok("acknowledge", result, error);
        }
    }
    panic!("the awaited event did not come within 30 s");
}

fn connect(url: &str) -> *mut mesos_http_scheduler {
    let info = v1::FrameworkInfo {
        user: "nobody".into(),
        name: "ffi-calls".into(),
        failover_timeout: Some(0.0),
        ..Default::default()
    };
    connect_with(url, PROTOBUF, &Encoding::Protobuf.encode(&info))
}

/// Connects with `encoding` for the framework bytes, calls and events.
fn connect_with(url: &str, encoding: u32, info: &[u8]) -> *mut mesos_http_scheduler {
    let config = mesos_http_config_new();
    let url = CString::new(url).unwrap();
    let mut error = ptr::null_mut();
    unsafe {
        ok(
            "set_masters",
            mesos_http_config_set_masters(config, url.as_ptr(), &mut error),
            error,
        );
        ok(
            "set_framework_info",
            mesos_http_config_set_framework_info(
                config,
                encoding,
                info.as_ptr(),
                info.len(),
                &mut error,
            ),
            error,
        );
        ok(
            "set_encoding",
            mesos_http_config_set_encoding(config, encoding, &mut error),
            error,
        );
        ok(
            "set_timeouts",
            mesos_http_config_set_timeouts(config, 5_000, 10_000, &mut error),
            error,
        );
        ok(
            "set_backoff",
            mesos_http_config_set_backoff(config, 10, 200, &mut error),
            error,
        );
        ok(
            "set_max_record_size",
            mesos_http_config_set_max_record_size(config, 1 << 20, &mut error),
            error,
        );
        ok(
            "set_event_capacity",
            mesos_http_config_set_event_capacity(config, 8, &mut error),
            error,
        );
        let mut scheduler = ptr::null_mut();
        ok(
            "connect",
            mesos_http_scheduler_connect(config, &mut scheduler, &mut error),
            error,
        );
        mesos_http_config_free(config);
        scheduler
    }
}

#[test]
fn every_call_through_the_c_abi_with_protobuf_bytes() {
    let master = master();
    let scheduler = connect(&master.url());

    // SUBSCRIBED: accessors and bytes agree.
    let subscribed = wait_for(scheduler, |e| e.kind() == mesos_http_event_kind::Subscribed);
    let framework_id =
        text(unsafe { mesos_http_event_framework_id(subscribed.0) }).expect("framework id");
    let decoded: Event = Encoding::Protobuf.decode(&bytes_of(subscribed.0)).unwrap();
    assert_eq!(decoded.r#type, Some(event::Type::SUBSCRIBED));
    assert_eq!(decoded.subscribed.unwrap().framework_id.value, framework_id);
    assert!((unsafe { mesos_http_event_heartbeat_interval(subscribed.0) } - 0.2).abs() < 1e-9);
    assert!(unsafe { mesos_http_scheduler_is_subscribed(scheduler) });

    // OFFERS: launch an encoded TaskInfo on the first offer.
    let offers = wait_for(scheduler, |e| e.kind() == mesos_http_event_kind::Offers);
    let count = unsafe { mesos_http_event_offer_count(offers.0) };
    assert!(count >= 1);
    let decoded: Event = Encoding::Protobuf.decode(&bytes_of(offers.0)).unwrap();
    let first = &decoded.offers.unwrap().offers[0];
    let offer_id = text(unsafe { mesos_http_event_offer_id(offers.0, 0) }).unwrap();
    let agent_id = text(unsafe { mesos_http_event_offer_agent_id(offers.0, 0) }).unwrap();
    assert_eq!(offer_id, first.id.value);
    assert_eq!(agent_id, first.agent_id.value);
    assert_eq!(
        text(unsafe { mesos_http_event_offer_hostname(offers.0, 0) }).unwrap(),
        first.hostname
    );
    let cpus = unsafe { mesos_http_event_offer_scalar(offers.0, 0, c"cpus".as_ptr()) };
    assert!(cpus >= 0.1, "{cpus}");
    assert_eq!(
        unsafe { mesos_http_event_offer_scalar(offers.0, 0, c"no-such".as_ptr()) },
        0.0
    );
    assert_eq!(
        unsafe { mesos_http_event_offer_scalar(offers.0, count, c"cpus".as_ptr()) },
        -1.0
    );
    assert!(unsafe { mesos_http_event_offer_id(offers.0, count) }.is_null());

    let task = v1::TaskInfo {
        name: "raw".into(),
        task_id: v1::TaskID {
            value: "raw-1".into(),
        },
        agent_id: v1::AgentID {
            value: agent_id.clone(),
        },
        resources: vec![scalar_resource("cpus", 0.1), scalar_resource("mem", 16.0)],
        command: Some(v1::CommandInfo {
            value: Some("exit 0".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let task = Encoding::Protobuf.encode(&task);
    let offer_c = CString::new(offer_id).unwrap();
    let ids = [offer_c.as_ptr()];
    let mut error = ptr::null_mut();
    ok(
        "accept_launch",
        unsafe {
            mesos_http_scheduler_accept_launch(
                scheduler,
                ids.as_ptr(),
                1,
                task.as_ptr(),
                task.len(),
                &mut error,
            )
        },
        error,
    );

    // Updates carry a uuid and need an acknowledgement until FINISHED.
    let finished = wait_for(scheduler, |e| {
        if e.kind() != mesos_http_event_kind::Update {
            return false;
        }
        let mut data = ptr::null();
        let mut len = 0;
        assert_eq!(
            unsafe { mesos_http_event_uuid(e.0, &mut data, &mut len) },
            mesos_http_result::Ok
        );
        assert_eq!(len, 16);
        assert!(unsafe { mesos_http_event_needs_ack(e.0) });
        assert_eq!(
            text(unsafe { mesos_http_event_task_id(e.0) }).as_deref(),
            Some("raw-1")
        );
        assert_eq!(
            text(unsafe { mesos_http_event_agent_id(e.0) }).as_deref(),
            Some(agent_id.as_str())
        );
        let state = unsafe { mesos_http_event_task_state(e.0) };
        state == mesos_http_task_state::Finished as i32
    });
    ok(
        "acknowledge",
        unsafe { mesos_http_scheduler_acknowledge(scheduler, finished.0, &mut error) },
        error,
    );
    drop(finished);

    // Explicit reconciliation answers with an update that needs no ack.
    let task_c = c"raw-1";
    let tasks = [task_c.as_ptr()];
    ok(
        "reconcile",
        unsafe {
            mesos_http_scheduler_reconcile(scheduler, tasks.as_ptr(), ptr::null(), 1, &mut error)
        },
        error,
    );
    let answer = wait_for(scheduler, |e| {
        e.kind() == mesos_http_event_kind::Update && !unsafe { mesos_http_event_needs_ack(e.0) }
    });
    assert_eq!(
        text(unsafe { mesos_http_event_task_id(answer.0) }).as_deref(),
        Some("raw-1")
    );
    let mut data = ptr::null();
    let mut len = 0;
    assert_eq!(
        unsafe { mesos_http_event_uuid(answer.0, &mut data, &mut len) },
        mesos_http_result::NoField
    );
    ok(
        "acknowledge without uuid is a no-op",
        unsafe { mesos_http_scheduler_acknowledge(scheduler, answer.0, &mut error) },
        error,
    );
    drop(answer);

    unsafe {
        let agent_c = CString::new(agent_id).unwrap();
        ok(
            "kill",
            mesos_http_scheduler_kill(scheduler, c"raw-1".as_ptr(), agent_c.as_ptr(), &mut error),
            error,
        );
        ok(
            "suppress",
            mesos_http_scheduler_suppress(scheduler, ptr::null(), 0, &mut error),
            error,
        );
        ok(
            "revive",
            mesos_http_scheduler_revive(scheduler, ptr::null(), 0, &mut error),
            error,
        );
        ok(
            "decline",
            mesos_http_scheduler_decline(scheduler, ids.as_ptr(), 1, 1.0, &mut error),
            error,
        );
    }

    // A raw encoded call; framework_id is filled in by the library.
    let raw = Call {
        r#type: Some(call::Type::RECONCILE),
        reconcile: Some(call::Reconcile::default()),
        ..Default::default()
    };
    let raw = Encoding::Protobuf.encode(&raw);
    ok(
        "raw call",
        unsafe { mesos_http_scheduler_call(scheduler, raw.as_ptr(), raw.len(), &mut error) },
        error,
    );
    let garbage = [0xffu8; 4];
    let message = failure(mesos_http_result::InvalidArgument, |err| unsafe {
        mesos_http_scheduler_call(scheduler, garbage.as_ptr(), garbage.len(), err)
    });
    assert!(message.contains("Call does not decode"), "{message}");
    let bad_ack = Call {
        r#type: Some(call::Type::ACKNOWLEDGE),
        acknowledge: Some(call::Acknowledge {
            agent_id: v1::AgentID { value: "a".into() },
            task_id: v1::TaskID { value: "t".into() },
            uuid: b"not-a-uuid".to_vec(),
        }),
        ..Default::default()
    };
    let bad_ack = Encoding::Protobuf.encode(&bad_ack);
    let message = failure(mesos_http_result::InvalidCall, |err| unsafe {
        mesos_http_scheduler_call(scheduler, bad_ack.as_ptr(), bad_ack.len(), err)
    });
    assert!(message.contains("Not a valid UUID"), "{message}");

    // TEARDOWN ends the subscription: TERMINATED is the last item, then CLOSED.
    ok(
        "teardown",
        unsafe { mesos_http_scheduler_teardown(scheduler, &mut error) },
        error,
    );
    let terminated = wait_for(scheduler, |e| {
        let state = unsafe { mesos_http_event_connection_state(e.0) };
        state == mesos_http_connection_state::Terminated
    });
    assert_eq!(
        text(unsafe { mesos_http_event_message(terminated.0) }).as_deref(),
        Some("the framework was torn down")
    );
    drop(terminated);
    let mut event = ptr::null_mut();
    let result =
        unsafe { mesos_http_scheduler_next_event(scheduler, 5_000, &mut event, &mut error) };
    assert_eq!(result, mesos_http_result::Closed);
    assert!(event.is_null() && error.is_null());
    let message = failure(mesos_http_result::Closed, |err| unsafe {
        mesos_http_scheduler_revive(scheduler, ptr::null(), 0, err)
    });
    assert!(message.contains("closed"), "{message}");
    unsafe { mesos_http_scheduler_free(scheduler) };
}

/// A raw pointer that may cross threads (the header says the scheduler
/// handle is usable from any thread).
#[derive(Clone, Copy)]
struct Shared(*const mesos_http_scheduler);
unsafe impl Send for Shared {}

#[test]
fn close_from_another_thread_wakes_a_blocked_next_event() {
    let master = master();
    let scheduler = connect(&master.url());
    drop(wait_for(scheduler, |e| {
        e.kind() == mesos_http_event_kind::Subscribed
    }));
    let shared = Shared(scheduler);
    let waiter = thread::spawn(move || {
        let shared = shared;
        let mut seen = 0usize;
        loop {
            let mut event = ptr::null_mut();
            let result = unsafe {
                mesos_http_scheduler_next_event(shared.0, -1, &mut event, ptr::null_mut())
            };
            unsafe { mesos_http_event_free(event) };
            if result != mesos_http_result::Ok {
                return (result, seen);
            }
            seen += 1;
        }
    });
    // Calls from this thread while the other one waits.
    let mut error = ptr::null_mut();
    ok(
        "revive",
        unsafe { mesos_http_scheduler_revive(scheduler, ptr::null(), 0, &mut error) },
        error,
    );
    ok(
        "close",
        unsafe { mesos_http_scheduler_close(scheduler, &mut error) },
        error,
    );
    let (result, _) = waiter.join().expect("the waiting thread did not panic");
    assert_eq!(result, mesos_http_result::Closed);
    unsafe { mesos_http_scheduler_free(scheduler) };
}

#[test]
fn rejected_subscription_is_a_terminated_item_with_the_masters_reason() {
    let master = SimMaster::start(
        SimConfig::fast(Duration::from_millis(200))
            .with_agent(AgentSpec::local())
            .with_basic_auth("principal", "right"),
    )
    .expect("sim master starts");
    let config = mesos_http_config_new();
    let url = CString::new(master.url()).unwrap();
    let mut error = ptr::null_mut();
    let mut scheduler = ptr::null_mut();
    unsafe {
        ok(
            "set_masters",
            mesos_http_config_set_masters(config, url.as_ptr(), &mut error),
            error,
        );
        ok(
            "set_framework",
            mesos_http_config_set_framework(
                config,
                c"nobody".as_ptr(),
                c"auth".as_ptr(),
                &mut error,
            ),
            error,
        );
        ok(
            "set_credentials",
            mesos_http_config_set_credentials(
                config,
                c"principal".as_ptr(),
                c"wrong".as_ptr(),
                &mut error,
            ),
            error,
        );
        ok(
            "connect",
            mesos_http_scheduler_connect(config, &mut scheduler, &mut error),
            error,
        );
        mesos_http_config_free(config);
    }
    let terminated = wait_for(scheduler, |e| {
        let state = unsafe { mesos_http_event_connection_state(e.0) };
        state == mesos_http_connection_state::Terminated
    });
    let message = text(unsafe { mesos_http_event_message(terminated.0) }).unwrap();
    assert!(
        message.contains("refused") && message.contains("401"),
        "{message}"
    );
    drop(terminated);
    unsafe { mesos_http_scheduler_free(scheduler) };
}

#[test]
fn json_bytes_in_and_out() {
    let master = master();
    let info = br#"{"user": "nobody", "name": "ffi-json", "failover_timeout": 0}"#;
    let scheduler = connect_with(&master.url(), JSON, info);

    let subscribed = wait_for(scheduler, |e| e.kind() == mesos_http_event_kind::Subscribed);
    let json: serde_json::Value = serde_json::from_slice(&bytes_of(subscribed.0)).unwrap();
    assert_eq!(json["type"], "SUBSCRIBED");
    assert_eq!(
        json["subscribed"]["framework_id"]["value"].as_str(),
        text(unsafe { mesos_http_event_framework_id(subscribed.0) }).as_deref()
    );
    drop(subscribed);

    let offers = wait_for(scheduler, |e| e.kind() == mesos_http_event_kind::Offers);
    let json: serde_json::Value = serde_json::from_slice(&bytes_of(offers.0)).unwrap();
    assert_eq!(json["type"], "OFFERS");
    let offer_id = text(unsafe { mesos_http_event_offer_id(offers.0, 0) }).unwrap();
    let agent_id = text(unsafe { mesos_http_event_offer_agent_id(offers.0, 0) }).unwrap();
    assert_eq!(
        json["offers"]["offers"][0]["id"]["value"].as_str(),
        Some(offer_id.as_str())
    );
    drop(offers);

    let task = serde_json::json!({
        "name": "json",
        "task_id": {"value": "json-1"},
        "agent_id": {"value": agent_id},
        "resources": [
            {"name": "cpus", "type": "SCALAR", "scalar": {"value": 0.1}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": 16}}
        ],
        "command": {"value": "true"}
    })
    .to_string();
    let offer_c = CString::new(offer_id).unwrap();
    let ids = [offer_c.as_ptr()];
    let mut error = ptr::null_mut();
    ok(
        "accept_launch (JSON TaskInfo)",
        unsafe {
            mesos_http_scheduler_accept_launch(
                scheduler,
                ids.as_ptr(),
                1,
                task.as_ptr(),
                task.len(),
                &mut error,
            )
        },
        error,
    );
    let finished = wait_for(scheduler, |e| {
        let state = unsafe { mesos_http_event_task_state(e.0) };
        state == mesos_http_task_state::Finished as i32
    });
    let json: serde_json::Value = serde_json::from_slice(&bytes_of(finished.0)).unwrap();
    assert_eq!(json["update"]["status"]["task_id"]["value"], "json-1");
    assert_eq!(json["update"]["status"]["state"], "TASK_FINISHED");
    ok(
        "acknowledge",
        unsafe { mesos_http_scheduler_acknowledge(scheduler, finished.0, &mut error) },
        error,
    );
    drop(finished);

    let raw = br#"{"type": "SUPPRESS", "suppress": {}}"#;
    ok(
        "raw JSON call",
        unsafe { mesos_http_scheduler_call(scheduler, raw.as_ptr(), raw.len(), &mut error) },
        error,
    );
    let message = failure(mesos_http_result::InvalidArgument, |err| unsafe {
        mesos_http_scheduler_call(scheduler, b"{".as_ptr(), 1, err)
    });
    assert!(message.contains("Call does not decode"), "{message}");
    ok(
        "teardown",
        unsafe { mesos_http_scheduler_teardown(scheduler, &mut error) },
        error,
    );
    unsafe { mesos_http_scheduler_free(scheduler) };
}
