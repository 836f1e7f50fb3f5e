//! Constructors for the scheduler events the simulated master emits.

use mesos_http::v1::master_info::capability::Type as MasterCapability;
use mesos_http::v1::master_info::Capability;
use mesos_http::v1::scheduler::event::{self, Type};
use mesos_http::v1::scheduler::Event;
use mesos_http::v1::{
    Address, FrameworkID, MasterInfo, Offer, OfferID, OperationStatus, TaskStatus,
};

/// `master_info` as the real master fills it for a loopback master.
pub fn master_info(id: &str, port: u16, version: &str) -> MasterInfo {
    MasterInfo {
        id: id.to_string(),
        // 127.0.0.1 as a uint32 in network byte order.
        ip: u32::from_le_bytes([127, 0, 0, 1]),
        port: u32::from(port),
        pid: Some(format!("master@127.0.0.1:{port}")),
        hostname: Some("127.0.0.1".to_string()),
        version: Some(version.to_string()),
        address: Some(Address {
            hostname: Some("127.0.0.1".to_string()),
            ip: Some("127.0.0.1".to_string()),
            port: i32::from(port),
        }),
        domain: None,
        capabilities: [
            MasterCapability::AGENT_UPDATE,
            MasterCapability::AGENT_DRAINING,
            MasterCapability::QUOTA_V2,
        ]
        .into_iter()
        .map(|t| Capability { r#type: Some(t) })
        .collect(),
    }
}

fn of_type(t: Type) -> Event {
    Event {
        r#type: Some(t),
        ..Event::default()
    }
}

/// SUBSCRIBED with the heartbeat interval and the leader's info.
pub fn subscribed(framework_id: &str, heartbeat_seconds: f64, info: MasterInfo) -> Event {
    Event {
        subscribed: Some(event::Subscribed {
            framework_id: FrameworkID {
                value: framework_id.to_string(),
            },
            heartbeat_interval_seconds: Some(heartbeat_seconds),
            master_info: Some(info),
        }),
        ..of_type(Type::SUBSCRIBED)
    }
}

/// HEARTBEAT (no payload).
pub fn heartbeat() -> Event {
    of_type(Type::HEARTBEAT)
}

/// ERROR with a message; the stream ends after it.
pub fn error(message: &str) -> Event {
    Event {
        error: Some(event::Error {
            message: message.to_string(),
        }),
        ..of_type(Type::ERROR)
    }
}

/// OFFERS with a batch of offers.
pub fn offers(offers: Vec<Offer>) -> Event {
    Event {
        offers: Some(event::Offers { offers }),
        ..of_type(Type::OFFERS)
    }
}

/// RESCIND of one offer.
pub fn rescind(offer_id: &str) -> Event {
    Event {
        rescind: Some(event::Rescind {
            offer_id: OfferID {
                value: offer_id.to_string(),
            },
        }),
        ..of_type(Type::RESCIND)
    }
}

/// UPDATE with a task status.
pub fn update(status: TaskStatus) -> Event {
    Event {
        update: Some(event::Update { status }),
        ..of_type(Type::UPDATE)
    }
}

/// UPDATE_OPERATION_STATUS with an operation status.
pub fn update_operation_status(status: OperationStatus) -> Event {
    Event {
        update_operation_status: Some(event::UpdateOperationStatus { status }),
        ..of_type(Type::UPDATE_OPERATION_STATUS)
    }
}

/// MESSAGE: bytes from an executor.
pub fn message(agent_id: &str, executor_id: &str, data: Vec<u8>) -> Event {
    Event {
        message: Some(event::Message {
            agent_id: mesos_http::v1::AgentID {
                value: agent_id.to_string(),
            },
            executor_id: mesos_http::v1::ExecutorID {
                value: executor_id.to_string(),
            },
            data,
        }),
        ..of_type(Type::MESSAGE)
    }
}

/// FAILURE: an executor ended (executor id and raw wait status set), or an
/// agent was lost (only the agent id, as the master's `LostSlaveMessage`).
pub fn failure(agent_id: &str, executor_id: Option<&str>, status: Option<i32>) -> Event {
    Event {
        failure: Some(event::Failure {
            agent_id: Some(mesos_http::v1::AgentID {
                value: agent_id.to_string(),
            }),
            executor_id: executor_id.map(|id| mesos_http::v1::ExecutorID {
                value: id.to_string(),
            }),
            status,
        }),
        ..of_type(Type::FAILURE)
    }
}
