//! Executor events as a Rust enum (`mesos_http::executor::Event`, not the
//! scheduler's `mesos_http::event::Event`): match on what the agent said
//! instead of checking `type` and unwrapping the matching field. A record
//! of a type this schema does not know, or a known type without its
//! payload, is kept whole as [`Event::Unknown`].

use crate::codec::{DecodeError, Encoding};
use crate::v1;
use crate::v1::executor::event::{self as ee, Type};

/// One event from the executor's SUBSCRIBE stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The agent accepted the subscription: executor, framework and agent info.
    Subscribed(Box<ee::Subscribed>),
    /// Run a task; answer with an UPDATE.
    Launch(Box<ee::Launch>),
    /// Run a group of tasks; answer with an UPDATE for each.
    LaunchGroup(Box<ee::LaunchGroup>),
    /// Kill a task; answer with a terminal UPDATE.
    Kill(ee::Kill),
    /// The agent has the update with this uuid: it need not be re-sent.
    Acknowledged(ee::Acknowledged),
    /// Bytes from the scheduler.
    Message(ee::Message),
    /// Kill every task and exit within the shutdown grace period.
    Shutdown,
    /// An error from the agent.
    Error(ee::Error),
    /// Keep-alive from the agent.
    Heartbeat,
    /// An event this library cannot represent; kept whole.
    Unknown(UnknownEvent),
}

/// An event of a type this schema does not know, or of a known type whose
/// payload is missing (the executor's counterpart of the scheduler's
/// [`crate::event::UnknownEvent`], with the same methods). Keeps what is
/// needed to log or forward it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEvent {
    kind: Type,
    encoding: Option<Encoding>,
    record: Vec<u8>,
    proto: Box<v1::executor::Event>,
}

impl UnknownEvent {
    /// The `type` number as sent (`UNKNOWN` when the record had none).
    pub fn kind(&self) -> Type {
        self.kind
    }

    /// The encoding of [`UnknownEvent::record`]; `None` when the event was
    /// built from a decoded message rather than from stream bytes.
    pub fn encoding(&self) -> Option<Encoding> {
        self.encoding
    }

    /// The record exactly as received (empty when built from a message).
    pub fn record(&self) -> &[u8] {
        &self.record
    }

    /// Everything the decoder understood of the record.
    pub fn proto(&self) -> &v1::executor::Event {
        &self.proto
    }
}

impl Event {
    /// Decodes one RecordIO record of the stream: an invalid message is an
    /// error, a valid one of an unknown type is [`Event::Unknown`].
    pub fn decode(encoding: Encoding, record: &[u8]) -> Result<Event, DecodeError> {
        let proto: v1::executor::Event = encoding.decode(record)?;
        Ok(Self::classify(proto, Some((encoding, record))))
    }

    /// The typed view of a decoded event.
    pub fn from_proto(proto: v1::executor::Event) -> Event {
        Self::classify(proto, None)
    }

    fn classify(mut proto: v1::executor::Event, raw: Option<(Encoding, &[u8])>) -> Event {
        let kind = proto.r#type();
        let typed = match kind {
            Type::SUBSCRIBED => proto
                .subscribed
                .take()
                .map(|m| Event::Subscribed(Box::new(m))),
            Type::LAUNCH => proto.launch.take().map(|m| Event::Launch(Box::new(m))),
            Type::LAUNCH_GROUP => proto
                .launch_group
                .take()
                .map(|m| Event::LaunchGroup(Box::new(m))),
            Type::KILL => proto.kill.take().map(Event::Kill),
            Type::ACKNOWLEDGED => proto.acknowledged.take().map(Event::Acknowledged),
            Type::MESSAGE => proto.message.take().map(Event::Message),
            Type::ERROR => proto.error.take().map(Event::Error),
            Type::SHUTDOWN => Some(Event::Shutdown),
            Type::HEARTBEAT => Some(Event::Heartbeat),
            _ => None,
        };
        typed.unwrap_or_else(|| {
            Event::Unknown(UnknownEvent {
                kind,
                encoding: raw.map(|(encoding, _)| encoding),
                record: raw.map(|(_, bytes)| bytes.to_vec()).unwrap_or_default(),
                proto: Box::new(proto),
            })
        })
    }

    /// The schema message for this event (to re-encode it; the simulated
    /// agent builds its stream this way).
    pub fn to_proto(&self) -> v1::executor::Event {
        let mut proto = v1::executor::Event {
            r#type: Some(self.kind()),
            ..v1::executor::Event::default()
        };
        match self {
            Event::Subscribed(m) => proto.subscribed = Some((**m).clone()),
            Event::Launch(m) => proto.launch = Some((**m).clone()),
            Event::LaunchGroup(m) => proto.launch_group = Some((**m).clone()),
            Event::Kill(m) => proto.kill = Some(m.clone()),
            Event::Acknowledged(m) => proto.acknowledged = Some(m.clone()),
            Event::Message(m) => proto.message = Some(m.clone()),
            Event::Error(m) => proto.error = Some(m.clone()),
            Event::Shutdown | Event::Heartbeat => {}
            Event::Unknown(unknown) => return (*unknown.proto).clone(),
        }
        proto
    }

    /// The event's `type`, as on the wire.
    pub fn kind(&self) -> Type {
        match self {
            Event::Subscribed(_) => Type::SUBSCRIBED,
            Event::Launch(_) => Type::LAUNCH,
            Event::LaunchGroup(_) => Type::LAUNCH_GROUP,
            Event::Kill(_) => Type::KILL,
            Event::Acknowledged(_) => Type::ACKNOWLEDGED,
            Event::Message(_) => Type::MESSAGE,
            Event::Shutdown => Type::SHUTDOWN,
            Event::Error(_) => Type::ERROR,
            Event::Heartbeat => Type::HEARTBEAT,
            Event::Unknown(unknown) => unknown.kind,
        }
    }

    /// The tasks this event asks to run (LAUNCH: one, LAUNCH_GROUP: the group).
    pub fn tasks(&self) -> &[v1::TaskInfo] {
        match self {
            Event::Launch(launch) => std::slice::from_ref(&launch.task),
            Event::LaunchGroup(group) => &group.task_group.tasks,
            _ => &[],
        }
    }
}

impl From<v1::executor::Event> for Event {
    fn from(proto: v1::executor::Event) -> Event {
        Event::from_proto(proto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_type_without_its_payload_is_kept_whole() {
        let proto = v1::executor::Event {
            r#type: Some(Type::LAUNCH),
            ..Default::default()
        };
        let bytes = Encoding::Json.encode(&proto);
        match Event::decode(Encoding::Json, &bytes).unwrap() {
            Event::Unknown(unknown) => {
                assert_eq!(unknown.kind(), Type::LAUNCH);
                assert_eq!(unknown.record(), bytes);
                assert_eq!(unknown.encoding(), Some(Encoding::Json));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn round_trips_through_the_proto() {
        let event = Event::Kill(ee::Kill {
            task_id: v1::TaskID { value: "t".into() },
            kill_policy: None,
        });
        assert_eq!(Event::from_proto(event.to_proto()), event);
        assert_eq!(
            Event::from_proto(Event::Shutdown.to_proto()),
            Event::Shutdown
        );
    }
}
